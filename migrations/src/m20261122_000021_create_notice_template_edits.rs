//! A draft's own copies of template files: what a CX lead changed for this notice, over the
//! shipped templates. One row per draft and file.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000001_create_users::Users;
use super::m20261122_000020_create_notices::Notices;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(NoticeTemplateEdits::Table)
                    .if_not_exists()
                    .col(uuid(NoticeTemplateEdits::NoticeId))
                    .col(string_len(NoticeTemplateEdits::Path, 200))
                    .col(text(NoticeTemplateEdits::Content))
                    .col(uuid_null(NoticeTemplateEdits::EditedBy))
                    .col(timestamp_with_time_zone(NoticeTemplateEdits::EditedAt))
                    .primary_key(
                        Index::create()
                            .col(NoticeTemplateEdits::NoticeId)
                            .col(NoticeTemplateEdits::Path),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(NoticeTemplateEdits::Table, NoticeTemplateEdits::NoticeId)
                            .to(Notices::Table, Notices::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(NoticeTemplateEdits::Table, NoticeTemplateEdits::EditedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(NoticeTemplateEdits::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum NoticeTemplateEdits {
    Table,
    NoticeId,
    Path,
    Content,
    EditedBy,
    EditedAt,
}
