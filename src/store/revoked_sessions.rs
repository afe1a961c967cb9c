//! Sessions signed out before their token expired.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::entities::revoked_sessions;

/// Records that the session `jti` of `user_id` has ended; its token is refused from now on.
/// Ending a session twice changes nothing. Rows of sessions that have expired anyway are
/// pruned on the way.
pub async fn revoke(
    db: &impl ConnectionTrait,
    jti: Uuid,
    user_id: Uuid,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    revoked_sessions::Entity::delete_many()
        .filter(revoked_sessions::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    revoked_sessions::Entity::insert(revoked_sessions::ActiveModel {
        jti: Set(jti),
        user_id: Set(user_id),
        expires_at: Set(expires_at),
        revoked_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(revoked_sessions::Column::Jti)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Whether the session `jti` has been ended.
pub async fn is_revoked(db: &impl ConnectionTrait, jti: Uuid) -> Result<bool, DbErr> {
    Ok(revoked_sessions::Entity::find_by_id(jti)
        .one(db)
        .await?
        .is_some())
}
