//! Bearer-token authentication and role policies for the staff API.
//!
//! A handler states who may call it with its extractor type, e.g. `Authorized<Responders>`;
//! the check runs before the body is read, so a caller without the role learns nothing about
//! what a valid request would look like.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::error::ApiError;
use crate::app::AppState;
use crate::auth::{self, Authenticated, SessionError, SessionRef};
use crate::domain::audit::Actor;
use crate::domain::{Role, StaffUser};

/// The signed-in staff member making the request, with the roles they hold now (the token's
/// roles, less any revoked since it was issued).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: StaffUser,
    pub roles: Vec<Role>,
    /// The session the token names (for signing it out).
    pub session: SessionRef,
}

impl CurrentUser {
    /// The audit actor for this request.
    pub fn actor(&self) -> Actor {
        Actor::User(self.user.id)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiError::unauthorized)?;
        let now = state.clock.now();
        match auth::authenticate(&state.db, &state.tokens, token, now).await {
            Ok(Authenticated {
                user,
                roles,
                session,
            }) => Ok(CurrentUser {
                user,
                roles,
                session,
            }),
            Err(SessionError::Refused) => Err(ApiError::unauthorized()),
            Err(SessionError::Store(e)) => Err(e.into()),
        }
    }
}

/// Which roles may call a route.
pub trait Policy: Send + Sync + 'static {
    const ROLES: &'static [Role];
}

/// Any signed-in staff member.
pub struct AnyStaff;
impl Policy for AnyStaff {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Responder, Role::CxLead];
}

/// Security responders.
pub struct Responders;
impl Policy for Responders {
    const ROLES: &'static [Role] = &[Role::Responder];
}

/// Responders and CX leads: the people working an incident.
pub struct IncidentTeam;
impl Policy for IncidentTeam {
    const ROLES: &'static [Role] = &[Role::Responder, Role::CxLead];
}

/// CX leads: who approve what customers read.
pub struct CxLeads;
impl Policy for CxLeads {
    const ROLES: &'static [Role] = &[Role::CxLead];
}

/// CX leads and admins: who may read survey answers and comments (personal data).
pub struct SurveyReaders;
impl Policy for SurveyReaders {
    const ROLES: &'static [Role] = &[Role::Admin, Role::CxLead];
}

/// Administrators.
pub struct Admins;
impl Policy for Admins {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// Admins and responders: who may read the audit log.
pub struct Auditors;
impl Policy for Auditors {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Responder];
}

/// A signed-in user holding one of `P`'s roles; 401 without a valid token, 403 without a role.
#[derive(Debug, Clone)]
pub struct Authorized<P: Policy>(pub CurrentUser, PhantomData<P>);

impl<P: Policy> Authorized<P> {
    pub fn actor(&self) -> Actor {
        self.0.actor()
    }
}

impl<P: Policy> FromRequestParts<AppState> for Authorized<P> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let current = CurrentUser::from_request_parts(parts, state).await?;
        if current.has_any(P::ROLES) {
            Ok(Authorized(current, PhantomData))
        } else {
            Err(ApiError::forbidden())
        }
    }
}
