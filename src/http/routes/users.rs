//! `/api/v1/users`: staff accounts (admins only).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::{self, NewUserInput, UserChange};
use crate::domain::{Role, StaffUser};
use crate::http::auth::{Admins, Authorized};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};

/// A staff account.
#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub roles: Vec<Role>,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl From<&StaffUser> for UserView {
    fn from(u: &StaffUser) -> Self {
        Self {
            id: u.id,
            email: u.email.as_str().to_owned(),
            roles: u.roles.clone(),
            created_at: u.created_at,
            disabled_at: u.disabled_at,
        }
    }
}

/// A new account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub email: String,
    /// At least 12 characters.
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
    pub roles: Vec<Role>,
}

/// A change to an account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub roles: Option<Vec<Role>>,
    pub disabled: Option<bool>,
}

/// Every staff account.
#[utoipa::path(
    get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list_users(
    State(state): State<AppState>,
    _admin: Authorized<Admins>,
) -> Result<Json<Vec<UserView>>, ApiError> {
    let users = auth::list_users(&state.db).await?;
    Ok(Json(users.iter().map(UserView::from).collect()))
}

/// Add a staff account.
#[utoipa::path(
    post, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, body = UserView),
        (status = 409, description = "The email is taken", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    admin: Authorized<Admins>,
    ApiJson(body): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let input = NewUserInput {
        email: body.email,
        password: body.password,
        roles: body.roles,
    };
    let user = auth::add_user(&state.db, admin.actor(), input, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(UserView::from(&user))))
}

/// Change an account's roles, or disable or enable it.
#[utoipa::path(
    patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    request_body = UpdateUserRequest,
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn update_user(
    State(state): State<AppState>,
    admin: Authorized<Admins>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateUserRequest>,
) -> Result<Json<UserView>, ApiError> {
    let change = UserChange {
        roles: body.roles,
        disabled: body.disabled,
    };
    let user = auth::update_user(&state.db, admin.actor(), id, change, state.clock.now()).await?;
    Ok(Json(UserView::from(&user)))
}
