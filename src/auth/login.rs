//! Sign-in: checks the password and mints a token, with failures rate-limited per account and
//! per client address. Failures are rows, so the limit holds across restarts and instances.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::{TokenKeys, password};
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::{EmailAddress, StaffUser};
use crate::store;

/// How many failures are tolerated, and over what window.
#[derive(Debug, Clone)]
pub struct LoginPolicy {
    pub max_failures_per_account: u64,
    pub max_failures_per_address: u64,
    pub window: Duration,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            max_failures_per_account: 5,
            max_failures_per_address: 20,
            window: Duration::minutes(15),
        }
    }
}

/// Why sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown address, wrong password or disabled account; deliberately not told apart.
    #[error("the email or password is not right")]
    InvalidCredentials,
    #[error("too many failed sign-ins; try again in {retry_after_seconds} seconds")]
    RateLimited { retry_after_seconds: i64 },
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("internal error: {0}")]
    Internal(String),
}

/// A successful sign-in.
#[derive(Debug)]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: StaffUser,
}

/// What the service brings to a sign-in.
pub struct LoginContext<'a> {
    pub keys: &'a TokenKeys,
    pub policy: &'a LoginPolicy,
    /// A server secret mixed into the account digest.
    pub pepper: &'a SecretString,
}

/// What the person typed, and where from.
pub struct Credentials {
    pub email: String,
    pub password: SecretString,
    /// The client's IP address.
    pub address: String,
}

/// Signs a user in at `now`.
pub async fn login(
    db: &DatabaseConnection,
    ctx: &LoginContext<'_>,
    credentials: Credentials,
    now: DateTime<Utc>,
) -> Result<Session, LoginError> {
    let Credentials {
        email,
        password: password_given,
        address,
    } = credentials;
    let (keys, policy) = (ctx.keys, ctx.policy);
    let address = address.as_str();
    let normalized = EmailAddress::parse(&email).ok();
    let account_key = account_key(
        ctx.pepper,
        normalized
            .as_ref()
            .map_or(email.as_str(), EmailAddress::as_str),
    );
    let since = now - policy.window;
    // The attempt is counted before the password is checked, under a lock on the account and
    // the address: a burst of parallel guesses is limited exactly like a sequence of them.
    let reservation = reserve_attempt(db, policy, &account_key, address, since, now).await?;

    let found = match &normalized {
        Some(email) => store::users::find_by_email(db, email).await?,
        None => None,
    };
    let stored_hash = found.as_ref().map_or_else(
        || password::decoy_hash().to_owned(),
        |(_, hash)| hash.clone(),
    );
    let matches =
        tokio::task::spawn_blocking(move || password::verify(&password_given, &stored_hash))
            .await
            .map_err(|e| LoginError::Internal(e.to_string()))?;

    let user = match found {
        Some((user, _)) if matches && user.is_active() => user,
        // The reserved attempt stays: it was a failure.
        _ => return Err(LoginError::InvalidCredentials),
    };

    let token = keys
        .issue(user.id, &user.roles, now)
        .map_err(|e| LoginError::Internal(e.to_string()))?;
    let txn = store::begin_write(db).await?;
    store::login_failures::delete(&txn, reservation).await?;
    store::login_failures::clear_account(&txn, &account_key).await?;
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor: Actor::User(user.id),
            action: "auth.signed_in",
            object_type: "user",
            object_id: user.id.to_string(),
            incident_id: None,
            summary: "signed in".to_owned(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Session {
        token,
        expires_at: now + keys.ttl(),
        user,
    })
}

/// Counts the recent failures of the account and the address and, if neither is at its limit,
/// records this attempt as a failure until it proves otherwise. Returns the attempt's row id.
async fn reserve_attempt(
    db: &DatabaseConnection,
    policy: &LoginPolicy,
    account_key: &str,
    address: &str,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<uuid::Uuid, LoginError> {
    let txn = store::begin_write(db).await?;
    store::login_failures::lock_keys(&txn, &[account_key, address]).await?;
    let counts = store::login_failures::count_since(&txn, account_key, address, since).await?;
    let limited = [
        (
            counts.account,
            policy.max_failures_per_account,
            counts.account_oldest,
        ),
        (
            counts.address,
            policy.max_failures_per_address,
            counts.address_oldest,
        ),
    ]
    .into_iter()
    .filter(|(count, max, _)| count >= max)
    .filter_map(|(_, _, oldest)| oldest)
    .map(|oldest| (oldest + policy.window - now).num_seconds().max(1))
    .max();
    if let Some(retry_after_seconds) = limited {
        return Err(LoginError::RateLimited {
            retry_after_seconds,
        });
    }
    store::login_failures::prune_before(&txn, since).await?;
    let id = store::login_failures::record(&txn, account_key, address, now).await?;
    txn.commit().await?;
    Ok(id)
}

/// A keyed digest of the account address: lets the limiter count per account without storing
/// any address a stranger typed.
fn account_key(pepper: &SecretString, email: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(pepper.expose_secret().as_bytes());
    hasher.update([0u8]);
    hasher.update(email.trim().to_lowercase().as_bytes());
    hex::encode(hasher.finalize())
}
