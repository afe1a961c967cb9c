//! Staff sessions in the browser: the same signed token the API takes as a bearer, kept in an
//! HttpOnly, SameSite=Strict cookie (Secure when Candor is served over HTTPS), and CSRF tokens
//! bound to it for every form. A page asked for without a valid session redirects to the
//! sign-in page, remembering where the person was going.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::auth::{self, SessionError, SessionRef};
use crate::domain::audit::Actor;
use crate::domain::{Role, StaffUser};

/// The session cookie: the staff token.
pub(super) const SESSION_COOKIE: &str = "candor_session";
/// Before sign-in: a random value the sign-in form's CSRF token is bound to.
pub(super) const LOGIN_COOKIE: &str = "candor_login";

/// The signed-in staff member of a page request.
#[derive(Debug, Clone)]
pub(super) struct Staff {
    pub user: StaffUser,
    /// The roles in force (the token's, less any revoked since).
    pub roles: Vec<Role>,
    /// The session the cookie's token names (for signing it out).
    pub session: SessionRef,
    /// The session cookie's value, which form tokens are bound to.
    binding: String,
}

impl Staff {
    pub fn actor(&self) -> Actor {
        Actor::User(self.user.id)
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The CSRF token of this session's forms.
    pub fn csrf(&self, pepper: &SecretString) -> String {
        csrf_token(pepper, &self.binding)
    }

    /// Whether `given` is this session's CSRF token.
    pub fn csrf_ok(&self, pepper: &SecretString, given: Option<&str>) -> bool {
        csrf_ok(pepper, &self.binding, given)
    }
}

/// Where a page request without a valid session is sent.
pub(super) struct SignInFirst(Response);

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        self.0
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = SignInFirst;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let back = || {
            let target = parts
                .uri
                .path_and_query()
                .map_or("/incidents", |p| p.as_str());
            let next = url::form_urlencoded::byte_serialize(target.as_bytes()).collect::<String>();
            SignInFirst(Redirect::to(&format!("/login?next={next}")).into_response())
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(back());
        };
        let (user, roles, session) =
            match auth::authenticate(&state.db, &state.tokens, &token, state.clock.now()).await {
                Ok(a) => (a.user, a.roles, a.session),
                Err(SessionError::Refused) => return Err(back()),
                Err(SessionError::Store(e)) => {
                    tracing::error!(error = %e, "a staff session could not be checked");
                    return Err(SignInFirst(super::view::fallback()));
                }
            };
        Ok(Staff {
            user,
            roles,
            session,
            binding: token,
        })
    }
}

/// A cookie's value from the request.
pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, for the whole site, Secure over HTTPS;
/// `max_age` 0 deletes it.
pub(super) fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Whether Candor is served over HTTPS (its public address says so).
pub(super) fn secure(state: &AppState) -> bool {
    state.notices.public_url.starts_with("https://")
}

/// The key of staff form tokens, derived from the server's secret under its own label.
fn key(pepper: &SecretString) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"candor staff form key\0");
    hasher.update(pepper.expose_secret().as_bytes());
    hasher.finalize().into()
}

fn mac(pepper: &SecretString, binding: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key(pepper))
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(binding.as_bytes());
    mac
}

/// The CSRF token of forms bound to `binding` (the session, or the sign-in cookie).
pub(super) fn csrf_token(pepper: &SecretString, binding: &str) -> String {
    hex::encode(mac(pepper, binding).finalize().into_bytes())
}

/// Whether `given` is the CSRF token for `binding` (compared in constant time).
pub(super) fn csrf_ok(pepper: &SecretString, binding: &str, given: Option<&str>) -> bool {
    let Some(Ok(given)) = given.map(hex::decode) else {
        return false;
    };
    mac(pepper, binding).verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_token_is_bound_to_its_session_and_the_server_secret() {
        let pepper = SecretString::from("a pepper for the test");
        let token = csrf_token(&pepper, "session-a");
        assert!(csrf_ok(&pepper, "session-a", Some(&token)));
        assert!(!csrf_ok(&pepper, "session-b", Some(&token)));
        assert!(!csrf_ok(&pepper, "session-a", None));
        assert!(!csrf_ok(&pepper, "session-a", Some("not hex")));
        let other = SecretString::from("another pepper");
        assert!(!csrf_ok(&other, "session-a", Some(&token)));
    }

    #[test]
    fn cookies_are_read_by_name_and_set_http_only_and_strict() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; candor_session=tok.en; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("tok.en"));
        assert_eq!(cookie(&headers, LOGIN_COOKIE), None);
        let set = set_cookie(SESSION_COOKIE, "v", 60, true);
        assert_eq!(
            set.to_str().ok(),
            Some("candor_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure")
        );
    }
}
