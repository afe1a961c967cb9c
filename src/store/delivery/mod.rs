//! Campaigns (one per notice sent), their variants' shared render context, and people's
//! links; the outbox rows themselves are in [`outbox`].

pub mod outbox;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::store::entities::{campaign_variants, campaigns, notice_links};

pub use campaigns::Model as CampaignRow;

/// Writes a new campaign.
pub async fn insert_campaign(db: &impl ConnectionTrait, row: CampaignRow) -> Result<(), DbErr> {
    campaigns::ActiveModel::from(row).insert(db).await?;
    Ok(())
}

/// A campaign of an incident.
pub async fn find_campaign(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    id: Uuid,
) -> Result<Option<CampaignRow>, DbErr> {
    campaigns::Entity::find_by_id(id)
        .filter(campaigns::Column::IncidentId.eq(incident_id))
        .one(db)
        .await
}

/// The campaign a notice was sent with.
pub async fn campaign_of_notice(
    db: &impl ConnectionTrait,
    notice_id: Uuid,
) -> Result<Option<CampaignRow>, DbErr> {
    campaigns::Entity::find()
        .filter(campaigns::Column::NoticeId.eq(notice_id))
        .one(db)
        .await
}

/// A campaign by id (workers load their render snapshot with it).
pub async fn campaign(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<CampaignRow>, DbErr> {
    campaigns::Entity::find_by_id(id).one(db).await
}

/// An incident's campaigns, oldest first.
pub async fn campaigns_of(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<Vec<CampaignRow>, DbErr> {
    campaigns::Entity::find()
        .filter(campaigns::Column::IncidentId.eq(incident_id))
        .order_by_asc(campaigns::Column::CreatedAt)
        .order_by_asc(campaigns::Column::Id)
        .all(db)
        .await
}

/// Moves a campaign to `state` unless it is there already; returns whether it moved.
pub async fn set_state(
    db: &impl ConnectionTrait,
    id: Uuid,
    state: &str,
    reason: Option<String>,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = campaigns::Entity::update_many()
        .col_expr(campaigns::Column::State, state.into())
        .col_expr(campaigns::Column::StateReason, reason.into())
        .col_expr(campaigns::Column::StateBy, by.into())
        .col_expr(campaigns::Column::StateAt, now.into())
        .filter(campaigns::Column::Id.eq(id))
        .filter(campaigns::Column::State.ne(state))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records who released a campaign's held rows; returns whether it was not released before.
pub async fn set_released(
    db: &impl ConnectionTrait,
    id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = campaigns::Entity::update_many()
        .col_expr(campaigns::Column::ReleasedBy, Some(by).into())
        .col_expr(campaigns::Column::ReleasedAt, Some(now).into())
        .filter(campaigns::Column::Id.eq(id))
        .filter(campaigns::Column::ReleasedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// One variant's shared render context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantRow {
    pub variant_no: i32,
    pub locale: String,
    /// JSON.
    pub context: String,
}

/// Writes a campaign's variants.
pub async fn insert_variants(
    db: &impl ConnectionTrait,
    campaign_id: Uuid,
    variants: Vec<VariantRow>,
) -> Result<(), DbErr> {
    for chunk in variants.chunks(200) {
        let models = chunk.iter().map(|v| campaign_variants::ActiveModel {
            campaign_id: Set(campaign_id),
            variant_no: Set(v.variant_no),
            locale: Set(v.locale.clone()),
            context: Set(v.context.clone()),
        });
        campaign_variants::Entity::insert_many(models)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// A campaign's variants.
pub async fn variants(
    db: &impl ConnectionTrait,
    campaign_id: Uuid,
) -> Result<Vec<VariantRow>, DbErr> {
    Ok(campaign_variants::Entity::find()
        .filter(campaign_variants::Column::CampaignId.eq(campaign_id))
        .order_by_asc(campaign_variants::Column::VariantNo)
        .all(db)
        .await?
        .into_iter()
        .map(|m| VariantRow {
            variant_no: m.variant_no,
            locale: m.locale,
            context: m.context,
        })
        .collect())
}

/// A person's link row.
pub use notice_links::Model as LinkRow;

/// Writes people's links; a person who has one for the incident keeps it.
pub async fn insert_links(db: &impl ConnectionTrait, links: Vec<LinkRow>) -> Result<(), DbErr> {
    for chunk in links.chunks(500) {
        let models = chunk
            .iter()
            .cloned()
            .map(notice_links::ActiveModel::from)
            .collect::<Vec<_>>();
        notice_links::Entity::insert_many(models)
            .on_conflict(
                OnConflict::columns([
                    notice_links::Column::IncidentId,
                    notice_links::Column::PersonKey,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Sets a campaign's people, outreach, unreachable and declined counts once its rows are
/// written.
pub async fn update_counts(
    db: &impl ConnectionTrait,
    id: Uuid,
    (people, outreach, unreachable, declined): &(i64, i64, i64, i64),
) -> Result<(), DbErr> {
    campaigns::Entity::update_many()
        .col_expr(campaigns::Column::Declined, (*declined).into())
        .col_expr(campaigns::Column::People, (*people).into())
        .col_expr(campaigns::Column::Outreach, (*outreach).into())
        .col_expr(campaigns::Column::Unreachable, (*unreachable).into())
        .filter(campaigns::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// A link row by id.
pub async fn link(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<LinkRow>, DbErr> {
    notice_links::Entity::find_by_id(id).one(db).await
}

/// Revokes a link of an incident; returns whether it was live before.
pub async fn revoke_link(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = notice_links::Entity::update_many()
        .col_expr(notice_links::Column::RevokedAt, Some(now).into())
        .filter(notice_links::Column::Id.eq(id))
        .filter(notice_links::Column::IncidentId.eq(incident_id))
        .filter(notice_links::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The campaigns of a notice, wave by wave.
pub async fn campaigns_of_notice(
    db: &impl ConnectionTrait,
    notice_id: Uuid,
) -> Result<Vec<CampaignRow>, DbErr> {
    campaigns::Entity::find()
        .filter(campaigns::Column::NoticeId.eq(notice_id))
        .order_by_asc(campaigns::Column::Wave)
        .all(db)
        .await
}
