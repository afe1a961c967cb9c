//! Extractors whose failures speak the API's error shape: JSON bodies (with the failing field's
//! path), path parameters, query strings, and the client's address.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use super::error::{ApiError, FieldDetail};

/// A JSON body. Syntax errors are 400 `malformed_json`; a body of the wrong shape (missing or
/// unknown field, bad enum value, wrong type) is 422 `validation_failed` naming the field.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = media_type(req.headers()).is_some_and(|mime| {
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        });
        if !is_json {
            return Err(unsupported_media_type(
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            ApiError::new(rejection.status(), "bad_body", rejection.body_text())
        })?;
        parse(&bytes).map(ApiJson)
    }
}

/// An optional JSON body: no body (or an empty one) is `None`; anything else must be JSON.
impl<S, T> axum::extract::OptionalFromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        let is_json = media_type(req.headers()).is_some_and(|mime| {
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        });
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            ApiError::new(rejection.status(), "bad_body", rejection.body_text())
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        if !is_json {
            return Err(unsupported_media_type(
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        parse(&bytes).map(|v| Some(ApiJson(v)))
    }
}

/// The request's media type without parameters, lowercased (`text/csv; charset=utf-8` →
/// `text/csv`).
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
}

/// 415 `unsupported_media_type`, saying what to send instead.
pub fn unsupported_media_type(what_to_send: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        what_to_send,
    )
}

/// Parses JSON, reporting where it failed.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde_path_to_error::deserialize::<_, T>(&mut de);
    // Trailing bytes after the value are a syntax error too.
    if parsed.is_ok()
        && let Err(inner) = de.end()
    {
        return Err(malformed(&inner));
    }
    match parsed {
        Ok(value) => Ok(value),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            // A shape error may hide a syntax error further on (`{} trailing`): that is malformed.
            let well_formed = serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
            if inner.is_syntax() || inner.is_eof() || !well_formed {
                Err(malformed(&inner))
            } else {
                let message = strip_position(&inner.to_string());
                // serde reports a missing field at the level of the struct that lacks it.
                let field = match missing_field(&message) {
                    Some(name) if path == "." => name.to_owned(),
                    Some(name) => format!("{path}.{name}"),
                    None if path == "." => String::new(),
                    None => path,
                };
                Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    "the body does not have the expected fields",
                )
                .with_details(vec![FieldDetail { field, message }]))
            }
        }
    }
}

fn malformed(inner: &serde_json::Error) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "malformed_json",
        format!(
            "the body is not valid JSON (line {}, column {})",
            inner.line(),
            inner.column()
        ),
    )
}

fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

// serde_json appends " at line L column C"; the field path already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Path parameters; a bad one is 400 `bad_path`.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// Query parameters; a bad one is 400 `bad_query`.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The client's IP address as seen on the TCP connection.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(
                || "unknown".to_owned(),
                |ConnectInfo(addr)| addr.ip().to_string(),
            );
        Ok(ClientAddr(addr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        title: String,
        count: u32,
    }

    #[test]
    fn syntax_errors_are_400_and_shape_errors_name_the_field() {
        let err = parse::<Body>(b"{\"title\": ").unwrap_err();
        assert_eq!(
            (err.status, err.code),
            (StatusCode::BAD_REQUEST, "malformed_json")
        );
        let err = parse::<Body>(br#"{"title": "x", "count": "three"}"#).unwrap_err();
        assert_eq!(
            (err.status, err.code),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
        );
        assert_eq!(err.details[0].field, "count");
        let err = parse::<Body>(br#"{"title": "x", "count": 3, "extra": 1}"#).unwrap_err();
        assert!(
            err.details[0].message.contains("unknown field `extra`"),
            "{:?}",
            err.details
        );
        let err = parse::<Body>(br#"{"title": "x", "count": 3} trailing"#).unwrap_err();
        assert_eq!(err.code, "malformed_json");
    }
}
