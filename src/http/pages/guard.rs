//! What a customer form must bring besides its fields: a CSRF token bound to the form and the
//! person's link (HMAC-SHA256 under a key derived from the service secret), and a same-origin
//! request (no cross-site `Origin` or `Sec-Fetch-Site`).

use axum::extract::Form;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::problem::{self, Kind};
use super::view;
use crate::app::AppState;
use crate::customer::{self, Visitor};
use crate::delivery::LinkPurpose;

/// The form names CSRF tokens are bound to.
pub(super) const PREFERENCES_FORM: &str = "preferences";
pub(super) const SURVEY_FORM: &str = "survey";

/// The CSRF key, derived from the server's secret (the app's sign-in pepper, itself derived
/// from the token secret) under its own label.
fn key(pepper: &SecretString) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"candor customer form key\0");
    hasher.update(pepper.expose_secret().as_bytes());
    hasher.finalize().into()
}

fn mac(pepper: &SecretString, form: &str, link_id: Uuid) -> Hmac<Sha256> {
    // HMAC takes a key of any length; this one is 32 bytes.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key(pepper))
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(form.as_bytes());
    mac.update(b"\0");
    mac.update(link_id.as_bytes());
    mac
}

/// The CSRF token of `form` for the person of `link_id`.
pub(super) fn csrf_token(pepper: &SecretString, form: &str, link_id: Uuid) -> String {
    hex::encode(mac(pepper, form, link_id).finalize().into_bytes())
}

/// Whether `given` is the CSRF token of `form` for `link_id` (compared in constant time).
pub(super) fn csrf_ok(
    pepper: &SecretString,
    form: &str,
    link_id: Uuid,
    given: Option<&str>,
) -> bool {
    let Some(Ok(given)) = given.map(hex::decode) else {
        return false;
    };
    mac(pepper, form, link_id).verify_slice(&given).is_ok()
}

/// Whether a form post comes from the pages themselves: not marked cross-site by the browser,
/// and with no `Origin` but its own (the request's `Host`, or the public address).
pub(crate) fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site").is_some_and(|site| site.eq_ignore_ascii_case("cross-site")) {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    // The pages send `Referrer-Policy: no-referrer`, under which browsers post their own forms
    // with `Origin: null`; the CSRF token still has to match.
    if origin == "null" {
        return true;
    }
    let host = origin.split_once("://").map(|(_, host)| host);
    let public = url::Url::parse(public_url)
        .ok()
        .map(|u| u.origin().ascii_serialization());
    host.is_some_and(|h| Some(h) == text(header::HOST.as_str()))
        || public.is_some_and(|p| p == origin)
}

/// A form that carries a CSRF token.
pub(super) trait WithCsrf {
    /// The form's name the token is bound to.
    const NAME: &'static str;
    fn csrf(&self) -> Option<&str>;
}

/// The person a page's token names, or the kind page to answer with.
pub(super) async fn visit(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    purpose: LinkPurpose,
) -> Result<Visitor, Response> {
    let keys = &state.delivery.config().link_keys;
    customer::visitor(&state.db, keys, purpose, token, state.clock.now())
        .await
        .map_err(|e| problem::from_customer(e, view::locale_of(headers)))
}

/// A form post's person and fields once its origin, link and CSRF token check out, or the
/// kind page to answer with (403 for a cross-site post or a wrong token).
pub(super) async fn checked<F: WithCsrf>(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    purpose: LinkPurpose,
    form: Result<Form<F>, FormRejection>,
) -> Result<(Visitor, F), Response> {
    let locale = view::locale_of(headers);
    if !same_origin(headers, &state.notices.public_url) {
        return Err(problem::page(Kind::Forbidden, locale));
    }
    let visitor = visit(state, headers, token, purpose).await?;
    let Form(form) = form.map_err(|rejection| problem::from_rejection(&rejection, locale))?;
    if !csrf_ok(&state.pepper, F::NAME, visitor.link_id, form.csrf()) {
        return Err(problem::page(Kind::Forbidden, locale));
    }
    Ok((visitor, form))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csrf_token_is_bound_to_its_form_and_link() {
        let pepper = SecretString::from("a pepper for the test");
        let link = Uuid::new_v4();
        let token = csrf_token(&pepper, SURVEY_FORM, link);
        assert!(csrf_ok(&pepper, SURVEY_FORM, link, Some(&token)));
        assert!(!csrf_ok(&pepper, PREFERENCES_FORM, link, Some(&token)));
        assert!(!csrf_ok(&pepper, SURVEY_FORM, Uuid::new_v4(), Some(&token)));
        assert!(!csrf_ok(&pepper, SURVEY_FORM, link, None));
        let other = SecretString::from("another pepper");
        assert!(!csrf_ok(&other, SURVEY_FORM, link, Some(&token)));
    }

    #[test]
    fn cross_site_posts_are_told_apart_from_the_pages_own() {
        let with = |pairs: &[(&str, &str)]| {
            let mut headers = HeaderMap::new();
            for (k, v) in pairs {
                headers.insert(
                    axum::http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                    v.parse().expect("value"),
                );
            }
            same_origin(&headers, "https://notices.example.org")
        };
        assert!(with(&[("host", "127.0.0.1:8080")]));
        assert!(with(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080")
        ]));
        assert!(with(&[
            ("host", "internal:80"),
            ("origin", "https://notices.example.org")
        ]));
        assert!(with(&[
            ("origin", "null"),
            ("sec-fetch-site", "same-origin")
        ]));
        assert!(!with(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://evil.example")
        ]));
        assert!(!with(&[("sec-fetch-site", "cross-site")]));
        assert!(!with(&[
            ("origin", "null"),
            ("sec-fetch-site", "cross-site")
        ]));
    }
}
