//! Staff session tokens: HS256 JWTs with `sub`, `roles`, `exp`, `iat`, `iss`, `aud`, and
//! `jti` naming the session, so that signing out can end it before it expires.
//!
//! Verification pins the algorithm (so `alg: none` and algorithm confusion are refused) and
//! checks issuer, audience and expiry. Expiry is checked against Candor's own clock so that
//! time stays an input everywhere.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::Role;

/// The claims of a staff token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: Uuid,
    pub roles: Vec<Role>,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// The session this token belongs to (new at every sign-in).
    pub jti: Uuid,
}

/// Why a token was not accepted. Deliberately coarse: the caller learns only "401".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is malformed, forged, or for another issuer or audience")]
    Invalid,
    #[error("token has expired")]
    Expired,
    #[error("token signing failed")]
    Signing,
}

/// The keys and rules for staff tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
    ttl: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("keys", &"[redacted]")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("ttl", &self.ttl)
            .finish()
    }
}

// Tolerance for a token minted by another instance whose clock runs slightly ahead.
const IAT_LEEWAY_SECONDS: i64 = 60;

impl TokenKeys {
    /// Keys from the shared secret.
    pub fn new(secret: &SecretString, issuer: &str, audience: &str, ttl: Duration) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl,
        }
    }

    /// How long a token lives.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Mints a token for a user at `now`.
    pub fn issue(
        &self,
        user_id: Uuid,
        roles: &[Role],
        now: DateTime<Utc>,
    ) -> Result<String, TokenError> {
        let claims = Claims {
            sub: user_id,
            roles: roles.to_vec(),
            iat: now.timestamp(),
            exp: (now + self.ttl).timestamp(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            jti: Uuid::new_v4(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| TokenError::Signing)
    }

    /// Checks a token's signature, algorithm, issuer, audience and expiry at `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // Expiry is checked below against the service clock, not the library's wall clock.
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| TokenError::Invalid)?;
        let claims = data.claims;
        let now = now.timestamp();
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        if claims.iat > now + IAT_LEEWAY_SECONDS {
            return Err(TokenError::Invalid);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str, aud: &str) -> TokenKeys {
        TokenKeys::new(
            &SecretString::from(secret),
            "candor",
            aud,
            Duration::hours(8),
        )
    }

    #[test]
    fn a_token_round_trips_until_it_expires() {
        let k = keys("0123456789abcdef0123456789abcdef", "candor-staff");
        let now = Utc::now();
        let id = Uuid::new_v4();
        let token = k.issue(id, &[Role::Responder], now).unwrap();
        let claims = k.verify(&token, now).unwrap();
        assert_eq!((claims.sub, claims.roles), (id, vec![Role::Responder]));
        assert_eq!(
            k.verify(&token, now + Duration::hours(8)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn another_key_or_audience_is_refused() {
        let now = Utc::now();
        let token = keys("0123456789abcdef0123456789abcdef", "candor-staff")
            .issue(Uuid::new_v4(), &[Role::Admin], now)
            .unwrap();
        let forged = keys("ffffffffffffffffffffffffffffffff", "candor-staff");
        assert_eq!(forged.verify(&token, now), Err(TokenError::Invalid));
        let other_aud = keys("0123456789abcdef0123456789abcdef", "someone-else");
        assert_eq!(other_aud.verify(&token, now), Err(TokenError::Invalid));
    }

    #[test]
    fn every_sign_in_is_a_session_of_its_own_and_a_token_without_one_is_refused() {
        let k = keys("0123456789abcdef0123456789abcdef", "candor-staff");
        let now = Utc::now();
        let id = Uuid::new_v4();
        let first = k.verify(&k.issue(id, &[Role::Admin], now).unwrap(), now);
        let second = k.verify(&k.issue(id, &[Role::Admin], now).unwrap(), now);
        assert_ne!(first.unwrap().jti, second.unwrap().jti);

        // Signed with the right key, but naming no session: it could never be signed out.
        let claims = serde_json::json!({
            "sub": id, "roles": ["admin"], "iat": now.timestamp(),
            "exp": now.timestamp() + 600, "iss": "candor", "aud": "candor-staff",
        });
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap();
        assert_eq!(k.verify(&token, now), Err(TokenError::Invalid));
    }
}
