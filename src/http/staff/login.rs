//! Signing in and out of the staff pages. The sign-in form carries a CSRF token bound to a
//! random cookie set with the form; a successful sign-in (the same use-case as the API's,
//! throttled the same way) sets the session cookie and goes on to the page the person asked
//! for (a path on this site only).

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::json;

use super::session::{
    self, LOGIN_COOKIE, SESSION_COOKIE, Staff, cookie, csrf_ok, csrf_token, set_cookie,
};
use super::view;
use crate::app::AppState;
use crate::auth::{self, Credentials, LoginContext, LoginError};
use crate::http::extract::ClientAddr;
use crate::http::pages::guard::same_origin;

/// How long the sign-in form's cookie lives, in seconds.
const LOGIN_COOKIE_SECONDS: i64 = 3_600;

#[derive(Debug, Deserialize)]
pub(super) struct LoginQuery {
    next: Option<String>,
    signed_out: Option<String>,
}

/// The sign-in form (or, for someone signed in already, where they were going).
pub(super) async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Response {
    let next = safe_next(query.next.as_deref());
    // Only a session that is still good skips the form (an ended one would loop back here).
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && auth::authenticate(&state.db, &state.tokens, &token, state.clock.now())
            .await
            .is_ok()
    {
        return Redirect::to(&next).into_response();
    }
    let shown = Shown {
        next: &next,
        email: "",
        error: None,
        signed_out: query.signed_out.is_some(),
    };
    show(&state, StatusCode::OK, &shown)
}

/// What the sign-in form posts.
#[derive(Deserialize)]
pub(super) struct LoginForm {
    csrf: Option<String>,
    next: Option<String>,
    email: String,
    password: SecretString,
}

/// Signs in: the session cookie and on to `next`, or the form again saying why not.
pub(super) async fn submit(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let binding = cookie(&headers, LOGIN_COOKIE);
    let token_ok = binding
        .as_deref()
        .is_some_and(|b| csrf_ok(&state.pepper, b, form.csrf.as_deref()));
    if !same_origin(&headers, &state.notices.public_url) || !token_ok {
        let shown = Shown {
            next: &next,
            email: &form.email,
            error: Some("The sign-in form had expired. Please sign in again."),
            signed_out: false,
        };
        return show(&state, StatusCode::FORBIDDEN, &shown);
    }
    let ctx = LoginContext {
        keys: &state.tokens,
        policy: &state.login_policy,
        pepper: &state.pepper,
    };
    let credentials = Credentials {
        email: form.email.clone(),
        password: form.password,
        address,
    };
    let refused = |status, error: String| {
        let shown = Shown {
            next: &next,
            email: &form.email,
            error: Some(&error),
            signed_out: false,
        };
        show(&state, status, &shown)
    };
    match auth::login(&state.db, &ctx, credentials, state.clock.now()).await {
        Ok(signed_in) => {
            let seconds = state.tokens.ttl().num_seconds();
            let secure = session::secure(&state);
            let mut response = Redirect::to(&next).into_response();
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &signed_in.token, seconds, secure),
            );
            headers.append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, "", 0, secure));
            response
        }
        Err(LoginError::InvalidCredentials) => refused(
            StatusCode::UNAUTHORIZED,
            "The email or password is not right.".to_owned(),
        ),
        Err(LoginError::RateLimited {
            retry_after_seconds,
        }) => refused(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many failed sign-ins. Try again in {} minutes.",
                (retry_after_seconds + 59) / 60
            ),
        ),
        Err(e) => {
            tracing::error!(error = %e, "a sign-in failed");
            view::problem(
                &state,
                None,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Signing in failed on our side. Try again in a moment.",
            )
        }
    }
}

#[derive(Deserialize)]
pub(super) struct LogoutForm {
    csrf: Option<String>,
}

/// Signs out: the session ends (its token is refused from now on, wherever it was copied)
/// and the cookie is cleared.
pub(super) async fn logout(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    if !same_origin(&headers, &state.notices.public_url)
        || !staff.csrf_ok(&state.pepper, form.csrf.as_deref())
    {
        return view::problem(
            &state,
            Some(&staff),
            StatusCode::FORBIDDEN,
            "That form had expired; nothing was changed.",
        );
    }
    if let Err(e) = auth::sign_out(&state.db, staff.user.id, staff.session, state.clock.now()).await
    {
        tracing::error!(error = %e, "a session could not be signed out");
        return view::problem(
            &state,
            Some(&staff),
            StatusCode::SERVICE_UNAVAILABLE,
            "Signing out did not go through; your session is still open. Please try again.",
        );
    }
    let mut response = Redirect::to("/login?signed_out=1").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, session::secure(&state)),
    );
    response
}

struct Shown<'a> {
    next: &'a str,
    email: &'a str,
    error: Option<&'a str>,
    signed_out: bool,
}

/// The form, with a fresh sign-in cookie and the token bound to it.
fn show(state: &AppState, status: StatusCode, shown: &Shown<'_>) -> Response {
    let binding = hex::encode(rand::random::<[u8; 32]>());
    let data = json!({
        "title": "Sign in",
        "login_csrf": csrf_token(&state.pepper, &binding),
        "next": shown.next,
        "email": shown.email,
        "error": shown.error,
        "signed_out": shown.signed_out,
    });
    let mut response = view::page(state, None, status, "login", data);
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LOGIN_COOKIE,
            &binding,
            LOGIN_COOKIE_SECONDS,
            session::secure(state),
        ),
    );
    response
}

/// Where to go after signing in: a path on this site, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.starts_with("/login") =>
        {
            path.to_owned()
        }
        _ => "/incidents".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn after_sign_in_only_paths_on_this_site_are_followed() {
        assert_eq!(safe_next(Some("/incidents/42")), "/incidents/42");
        assert_eq!(safe_next(Some("//evil.example/x")), "/incidents");
        assert_eq!(safe_next(Some("https://evil.example")), "/incidents");
        assert_eq!(safe_next(Some("/\\evil.example")), "/incidents");
        assert_eq!(safe_next(Some("/login")), "/incidents");
        assert_eq!(safe_next(None), "/incidents");
    }
}
