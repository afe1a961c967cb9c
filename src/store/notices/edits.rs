//! A draft's own copies of template files.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::store::entities::notice_template_edits as edits;

/// One edited file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateEdit {
    /// Relative to the templates root: `initial-notice/en/text.hbs`.
    pub path: String,
    pub content: String,
    pub edited_by: Option<Uuid>,
    pub edited_at: DateTime<Utc>,
}

/// A draft's edited files, by path.
pub async fn list(db: &impl ConnectionTrait, notice_id: Uuid) -> Result<Vec<TemplateEdit>, DbErr> {
    Ok(edits::Entity::find()
        .filter(edits::Column::NoticeId.eq(notice_id))
        .order_by_asc(edits::Column::Path)
        .all(db)
        .await?
        .into_iter()
        .map(|m| TemplateEdit {
            path: m.path,
            content: m.content,
            edited_by: m.edited_by,
            edited_at: m.edited_at,
        })
        .collect())
}

/// Stores a draft's copy of a file, replacing an earlier one.
pub async fn put(
    db: &impl ConnectionTrait,
    notice_id: Uuid,
    edit: &TemplateEdit,
) -> Result<(), DbErr> {
    edits::Entity::insert(edits::ActiveModel {
        notice_id: Set(notice_id),
        path: Set(edit.path.clone()),
        content: Set(edit.content.clone()),
        edited_by: Set(edit.edited_by),
        edited_at: Set(edit.edited_at),
    })
    .on_conflict(
        OnConflict::columns([edits::Column::NoticeId, edits::Column::Path])
            .update_columns([
                edits::Column::Content,
                edits::Column::EditedBy,
                edits::Column::EditedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Drops a draft's copy of a file; false when it had none.
pub async fn remove(db: &impl ConnectionTrait, notice_id: Uuid, path: &str) -> Result<bool, DbErr> {
    let result = edits::Entity::delete_many()
        .filter(edits::Column::NoticeId.eq(notice_id))
        .filter(edits::Column::Path.eq(path))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}
