//! `POST /api/v1/auth/login`, `GET /api/v1/auth/me` and `POST /api/v1/auth/logout`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::{self, Credentials, LoginContext};
use crate::http::auth::CurrentUser;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiJson, ClientAddr};
use crate::http::routes::users::UserView;

/// Email and password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

/// A staff token and when it expires.
#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

/// Sign in. Failures are rate-limited per account and per client address.
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 429, description = "Too many failures; see Retry-After", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let ctx = LoginContext {
        keys: &state.tokens,
        policy: &state.login_policy,
        pepper: &state.pepper,
    };
    let credentials = Credentials {
        email: body.email,
        password: body.password,
        address,
    };
    let session = auth::login(&state.db, &ctx, credentials, state.clock.now()).await?;
    Ok(Json(LoginResponse {
        token: session.token,
        expires_at: session.expires_at,
        user: UserView::from(&session.user),
    }))
}

/// Who the token belongs to, and the roles in force.
#[utoipa::path(
    get, path = "/api/v1/auth/me", tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody))
)]
pub async fn me(current: CurrentUser) -> Json<UserView> {
    let mut view = UserView::from(&current.user);
    view.roles = current.roles;
    Json(view)
}

/// Sign out: the token's session ends at once, on every instance, though the token has not
/// expired. Signing out again with the same token is refused like any ended session (401).
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out; the token is refused from now on"),
        (status = 401, body = ErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<StatusCode, ApiError> {
    auth::sign_out(
        &state.db,
        current.user.id,
        current.session,
        state.clock.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
