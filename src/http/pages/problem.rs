//! The kind pages a customer sees when something stops them: a link that does not work, has
//! expired or was turned off, a form that could not be accepted, or a fault on our side. Plain
//! words, the right status, and nothing about why a token failed.

use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::view::{self, Pages};
use crate::customer::CustomerError;
use crate::domain::notice::Locale;

/// Which kind page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Malformed, forged, wrong purpose or unknown link: 404.
    Invalid,
    /// 410.
    Expired,
    /// 410.
    Revoked,
    /// A form without its CSRF token, or posted from another site: 403.
    Forbidden,
    /// A form body over the limit: 413.
    TooLarge,
    /// A fault on our side: 500.
    Unavailable,
}

impl Kind {
    fn status(self) -> StatusCode {
        match self {
            Kind::Invalid => StatusCode::NOT_FOUND,
            Kind::Expired | Kind::Revoked => StatusCode::GONE,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::Unavailable => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Kind::Invalid => "invalid",
            Kind::Expired => "expired",
            Kind::Revoked => "revoked",
            Kind::Forbidden => "forbidden",
            Kind::TooLarge => "too_large",
            Kind::Unavailable => "unavailable",
        }
    }
}

/// The kind page in `locale`.
pub(super) fn page(kind: Kind, locale: Locale) -> Response {
    page_with(kind, kind.status(), locale)
}

fn page_with(kind: Kind, status: StatusCode, locale: Locale) -> Response {
    let Some(pages) = Pages::get() else {
        return view::fallback();
    };
    let key = kind.key();
    let data = json!({
        "title": pages.word(locale, &format!("problem.{key}_title")),
        "text": pages.word(locale, &format!("problem.{key}_text")),
        "organization": null,
        "reference": null,
    });
    pages.respond(status, "problem", locale, data)
}

/// The kind page for a use-case's refusal or failure; failures are logged (ids only: the
/// errors carry nothing else).
pub(super) fn from_customer(e: CustomerError, locale: Locale) -> Response {
    let kind = match e {
        CustomerError::Invalid => Kind::Invalid,
        CustomerError::Expired => Kind::Expired,
        CustomerError::Revoked => Kind::Revoked,
        other => {
            tracing::error!(error = %other, "a customer page failed");
            Kind::Unavailable
        }
    };
    page(kind, locale)
}

/// The kind page for a form body that could not be read (too large, not a form): its own
/// status, and nothing was saved.
pub(super) fn from_rejection(rejection: &FormRejection, locale: Locale) -> Response {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => page(Kind::TooLarge, locale),
        status => page_with(Kind::Forbidden, status, locale),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_kind_page_renders_in_every_language_with_its_status() {
        let kinds = [
            Kind::Invalid,
            Kind::Expired,
            Kind::Revoked,
            Kind::Forbidden,
            Kind::TooLarge,
            Kind::Unavailable,
        ];
        for locale in Locale::ALL {
            for kind in kinds {
                let response = page(kind, *locale);
                assert_eq!(response.status(), kind.status());
                let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                    .await
                    .expect("body");
                let body = String::from_utf8(body.to_vec()).expect("utf-8");
                assert!(
                    body.contains(&format!("<html lang=\"{locale}\">")),
                    "{body}"
                );
                assert!(!body.contains("problem."), "a word is missing: {body}");
            }
        }
    }
}
