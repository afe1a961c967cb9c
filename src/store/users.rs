//! Staff accounts and their roles.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::entities::{user_roles, users};
use crate::domain::{EmailAddress, Role, StaffUser};

/// A new account to insert.
pub struct NewUser<'a> {
    pub id: Uuid,
    pub email: &'a EmailAddress,
    pub password_hash: &'a str,
    pub roles: &'a [Role],
    pub created_at: DateTime<Utc>,
}

/// Inserts an account and its roles. A duplicate email is a unique violation.
pub async fn insert(db: &impl ConnectionTrait, user: NewUser<'_>) -> Result<(), DbErr> {
    users::Entity::insert(users::ActiveModel {
        id: Set(user.id),
        email: Set(user.email.as_str().to_owned()),
        password_hash: Set(user.password_hash.to_owned()),
        created_at: Set(user.created_at),
        disabled_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    set_roles(db, user.id, user.roles).await
}

/// Replaces an account's roles.
pub async fn set_roles(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    roles: &[Role],
) -> Result<(), DbErr> {
    user_roles::Entity::delete_many()
        .filter(user_roles::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    if roles.is_empty() {
        return Ok(());
    }
    user_roles::Entity::insert_many(roles.iter().map(|role| user_roles::ActiveModel {
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Sets or clears an account's disabled time.
pub async fn set_disabled(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    disabled_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    users::Entity::update(users::ActiveModel {
        id: Set(user_id),
        disabled_at: Set(disabled_at),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Replaces an account's password hash.
pub async fn set_password_hash(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    hash: &str,
) -> Result<(), DbErr> {
    users::Entity::update(users::ActiveModel {
        id: Set(user_id),
        password_hash: Set(hash.to_owned()),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Finds an account by id.
pub async fn find_by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<StaffUser>, DbErr> {
    match users::Entity::find_by_id(id).one(db).await? {
        Some(model) => Ok(Some(with_roles(db, model).await?)),
        None => Ok(None),
    }
}

/// Finds an account by normalized email, with its password hash.
pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &EmailAddress,
) -> Result<Option<(StaffUser, String)>, DbErr> {
    let found = users::Entity::find()
        .filter(users::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    match found {
        Some(model) => {
            let hash = model.password_hash.clone();
            Ok(Some((with_roles(db, model).await?, hash)))
        }
        None => Ok(None),
    }
}

/// Every account, oldest first.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<StaffUser>, DbErr> {
    let models = users::Entity::find()
        .order_by_asc(users::Column::CreatedAt)
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?;
    let roles = user_roles::Entity::find().all(db).await?;
    models
        .into_iter()
        .map(|model| {
            let id = model.id;
            let mine = roles
                .iter()
                .filter(move |r| r.user_id == id)
                .map(|r| r.role.as_str());
            to_user(model, mine)
        })
        .collect()
}

async fn with_roles(db: &impl ConnectionTrait, model: users::Model) -> Result<StaffUser, DbErr> {
    let roles = user_roles::Entity::find()
        .filter(user_roles::Column::UserId.eq(model.id))
        .all(db)
        .await?;
    to_user(model, roles.iter().map(|r| r.role.as_str()))
}

fn to_user<'a>(
    model: users::Model,
    roles: impl Iterator<Item = &'a str>,
) -> Result<StaffUser, DbErr> {
    let mut parsed = roles
        .map(|key| {
            key.parse::<Role>()
                .map_err(|e| super::bad_key("user_roles.role", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    parsed.sort();
    parsed.dedup();
    Ok(StaffUser {
        id: model.id,
        email: EmailAddress::parse(&model.email).map_err(|e| super::bad_key("users.email", e))?,
        roles: parsed,
        created_at: model.created_at,
        disabled_at: model.disabled_at,
    })
}
