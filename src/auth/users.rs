//! Staff account management: add an account, list them, change roles or disable one.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use secrecy::SecretString;
use uuid::Uuid;

use super::password::{self, PasswordError};
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::email::InvalidEmail;
use crate::domain::{EmailAddress, Role, StaffUser};
use crate::store;

/// Errors of account management.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("email: {0}")]
    Email(#[from] InvalidEmail),
    #[error("password: {0}")]
    Password(#[from] PasswordError),
    #[error("roles: at least one role is required")]
    NoRoles,
    #[error("an account with this email already exists")]
    Duplicate,
    #[error("no such user")]
    NotFound,
    #[error("you cannot remove your own admin role or disable yourself")]
    SelfLockout,
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("internal error: {0}")]
    Internal(String),
}

/// A new account as requested.
pub struct NewUserInput {
    pub email: String,
    pub password: SecretString,
    pub roles: Vec<Role>,
}

/// Creates an account. The password is hashed with argon2id; the audit entry names only the
/// new account's id and roles.
pub async fn add_user(
    db: &DatabaseConnection,
    actor: Actor,
    input: NewUserInput,
    now: DateTime<Utc>,
) -> Result<StaffUser, UserError> {
    let email = EmailAddress::parse(&input.email)?;
    let mut roles = input.roles;
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(UserError::NoRoles);
    }
    password::check_policy(&input.password)?;
    let secret = input.password;
    let hash = tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| UserError::Internal(e.to_string()))??;

    let id = Uuid::now_v7();
    let txn = store::begin_write(db).await?;
    let inserted = store::users::insert(
        &txn,
        store::users::NewUser {
            id,
            email: &email,
            password_hash: &hash,
            roles: &roles,
            created_at: now,
        },
    )
    .await;
    match inserted {
        Err(e) if store::is_unique_violation(&e) => return Err(UserError::Duplicate),
        other => other?,
    }
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor,
            action: "user.added",
            object_type: "user",
            object_id: id.to_string(),
            incident_id: None,
            summary: format!("user added with roles {}", join_roles(&roles)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(StaffUser {
        id,
        email,
        roles,
        created_at: now,
        disabled_at: None,
    })
}

/// Every account.
pub async fn list_users(db: &DatabaseConnection) -> Result<Vec<StaffUser>, UserError> {
    Ok(store::users::list(db).await?)
}

/// A change to an account; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct UserChange {
    pub roles: Option<Vec<Role>>,
    pub disabled: Option<bool>,
}

/// Changes an account's roles or disables/enables it. An admin cannot lock themselves out.
pub async fn update_user(
    db: &DatabaseConnection,
    actor: Actor,
    user_id: Uuid,
    change: UserChange,
    now: DateTime<Utc>,
) -> Result<StaffUser, UserError> {
    let txn = store::begin_write(db).await?;
    let mut user = store::users::find_by_id(&txn, user_id)
        .await?
        .ok_or(UserError::NotFound)?;
    let is_self = actor.user_id() == Some(user_id);
    let mut changes = Vec::new();
    if let Some(mut roles) = change.roles {
        roles.sort();
        roles.dedup();
        if roles.is_empty() {
            return Err(UserError::NoRoles);
        }
        if is_self && !roles.contains(&Role::Admin) {
            return Err(UserError::SelfLockout);
        }
        store::users::set_roles(&txn, user_id, &roles).await?;
        changes.push(format!("roles set to {}", join_roles(&roles)));
        user.roles = roles;
    }
    if let Some(disabled) = change.disabled {
        if is_self && disabled {
            return Err(UserError::SelfLockout);
        }
        let at = disabled.then_some(now);
        store::users::set_disabled(&txn, user_id, at).await?;
        changes.push(if disabled { "disabled" } else { "enabled" }.to_owned());
        user.disabled_at = at;
    }
    if !changes.is_empty() {
        audit::record(
            &txn,
            now,
            AuditEvent {
                actor,
                action: "user.changed",
                object_type: "user",
                object_id: user_id.to_string(),
                incident_id: None,
                summary: changes.join("; "),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(user)
}

fn join_roles(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}
