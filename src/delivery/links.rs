//! People's links: the signed tokens in a notice's personal-page (`/n/{token}`) and survey
//! (`/s/{token}`) addresses. A token is an HS256 JWT naming a link row (one per person and
//! incident), with its own audience and expiry, signed with a key derived from the service
//! secret under its own label so it can never pass for a staff token. Signing is
//! deterministic: the same link renders the same address in a message sent again.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a link token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// The personal incident page.
    Page,
    /// The follow-up survey.
    Survey,
}

impl LinkPurpose {
    /// The token's audience.
    pub fn audience(self) -> &'static str {
        match self {
            LinkPurpose::Page => "candor-notice-page",
            LinkPurpose::Survey => "candor-survey",
        }
    }

    /// The path prefix of the address.
    pub fn path(self) -> &'static str {
        match self {
            LinkPurpose::Page => "n",
            LinkPurpose::Survey => "s",
        }
    }
}

/// The claims of a link token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkClaims {
    /// The link row.
    pub sub: Uuid,
    /// The incident.
    pub inc: Uuid,
    pub exp: i64,
    pub aud: String,
}

/// Why a link token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link is malformed or forged")]
    Invalid,
    #[error("the link has expired")]
    Expired,
    #[error("the link cannot be signed")]
    Signing,
}

/// Signs and checks link tokens.
#[derive(Clone)]
pub struct LinkKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for LinkKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKeys([redacted])")
    }
}

impl LinkKeys {
    /// Keys derived from the service secret.
    pub fn derive(secret: &SecretString) -> LinkKeys {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(b"candor notice link key\0");
        hasher.update(secret.expose_secret().as_bytes());
        let key = hasher.finalize();
        LinkKeys {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
        }
    }

    /// The token for a link.
    pub fn sign(
        &self,
        purpose: LinkPurpose,
        link_id: Uuid,
        incident_id: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<String, LinkError> {
        let claims = LinkClaims {
            sub: link_id,
            inc: incident_id,
            exp: expires_at.timestamp(),
            aud: purpose.audience().to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| LinkError::Signing)
    }

    /// Checks a token for `purpose` at `now` (the link row's own state is the caller's).
    pub fn verify(
        &self,
        purpose: LinkPurpose,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<LinkClaims, LinkError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[purpose.audience()]);
        validation.set_required_spec_claims(&["exp", "aud", "sub"]);
        // Expiry is judged against Candor's clock below.
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<LinkClaims>(token, &self.decoding, &validation)
            .map_err(|_| LinkError::Invalid)?;
        if data.claims.exp <= now.timestamp() {
            return Err(LinkError::Expired);
        }
        Ok(data.claims)
    }
}

/// The link row id of a person for an incident: the same every time, so every notice of the
/// incident points at one page.
pub fn link_id(incident_id: Uuid, person_key: &str) -> Uuid {
    Uuid::new_v5(&incident_id, person_key.as_bytes())
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn keys(secret: &str) -> LinkKeys {
        LinkKeys::derive(&SecretString::from(secret))
    }

    #[test]
    fn a_link_token_is_the_same_each_time_and_checks_out() {
        let k = keys("a secret long enough for the test of links");
        let at = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let (link, incident) = (Uuid::new_v4(), Uuid::new_v4());
        let a = k.sign(LinkPurpose::Page, link, incident, at).unwrap();
        let b = k.sign(LinkPurpose::Page, link, incident, at).unwrap();
        assert_eq!(a, b);
        let claims = k
            .verify(LinkPurpose::Page, &a, at - Duration::days(1))
            .unwrap();
        assert_eq!((claims.sub, claims.inc), (link, incident));
    }

    #[test]
    fn a_link_token_fails_for_another_purpose_key_or_after_expiry() {
        let k = keys("a secret long enough for the test of links");
        let at = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let token = k
            .sign(LinkPurpose::Page, Uuid::new_v4(), Uuid::new_v4(), at)
            .unwrap();
        let before = at - Duration::hours(1);
        assert_eq!(
            k.verify(LinkPurpose::Survey, &token, before),
            Err(LinkError::Invalid)
        );
        assert_eq!(
            keys("another secret, just as long as the first").verify(
                LinkPurpose::Page,
                &token,
                before
            ),
            Err(LinkError::Invalid)
        );
        assert_eq!(
            k.verify(LinkPurpose::Page, &token, at),
            Err(LinkError::Expired)
        );
    }

    #[test]
    fn a_person_keeps_one_link_per_incident() {
        let incident = Uuid::new_v4();
        assert_eq!(link_id(incident, "p:1"), link_id(incident, "p:1"));
        assert_ne!(link_id(incident, "p:1"), link_id(incident, "p:2"));
        assert_ne!(link_id(incident, "p:1"), link_id(Uuid::new_v4(), "p:1"));
    }
}
