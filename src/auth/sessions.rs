//! Signed-in sessions: checking a presented token (its signature, issuer, audience and expiry;
//! that its session has not been signed out; that its account is still active; which of its
//! roles the account still holds), and signing a session out before its token expires.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::TokenKeys;
use crate::domain::{Role, StaffUser};
use crate::store;

/// One signed-in session, as a token names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRef {
    pub jti: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// Who a valid token belongs to.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: StaffUser,
    /// The token's roles that the account still holds.
    pub roles: Vec<Role>,
    pub session: SessionRef,
}

/// Why a token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Forged, expired, signed out, or the account is disabled or gone. Deliberately one case:
    /// the caller learns only that it must sign in.
    #[error("the session is not valid")]
    Refused,
    #[error(transparent)]
    Store(#[from] DbErr),
}

/// Checks a presented token at `now`.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    keys: &TokenKeys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Authenticated, SessionError> {
    let claims = keys.verify(token, now).map_err(|_| SessionError::Refused)?;
    if store::revoked_sessions::is_revoked(db, claims.jti).await? {
        return Err(SessionError::Refused);
    }
    // A disabled or deleted account loses access at once, whatever its token says.
    let user = store::users::find_by_id(db, claims.sub)
        .await?
        .filter(StaffUser::is_active)
        .ok_or(SessionError::Refused)?;
    let roles = claims
        .roles
        .into_iter()
        .filter(|r| user.roles.contains(r))
        .collect();
    let expires_at = DateTime::from_timestamp(claims.exp, 0).ok_or(SessionError::Refused)?;
    Ok(Authenticated {
        user,
        roles,
        session: SessionRef {
            jti: claims.jti,
            expires_at,
        },
    })
}

/// Ends a session: its token is refused from now on, by every instance sharing the database.
/// Signing out twice changes nothing.
pub async fn sign_out(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    session: SessionRef,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    store::revoked_sessions::revoke(db, session.jti, user_id, session.expires_at, now).await
}
