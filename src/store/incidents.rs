//! Incidents.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::entities::incidents;
use crate::domain::{Incident, IncidentKind, IncidentStatus, Severity};

/// Inserts a new incident.
pub async fn insert(db: &impl ConnectionTrait, incident: &Incident) -> Result<(), DbErr> {
    incidents::Entity::insert(to_active(incident))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Writes every field of `incident`, but only if the stored version is `expected_version`.
/// Returns whether a row was updated (false: a concurrent change won).
pub async fn update(
    db: &impl ConnectionTrait,
    incident: &Incident,
    expected_version: i32,
) -> Result<bool, DbErr> {
    let result = incidents::Entity::update_many()
        .set(to_active(incident))
        .filter(incidents::Column::Id.eq(incident.id))
        .filter(incidents::Column::Version.eq(expected_version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Finds one incident.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Incident>, DbErr> {
    incidents::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(to_domain)
        .transpose()
}

/// The ids of every incident that is not closed, oldest first.
pub async fn open_ids(db: &impl ConnectionTrait) -> Result<Vec<Uuid>, DbErr> {
    incidents::Entity::find()
        .select_only()
        .column(incidents::Column::Id)
        .filter(incidents::Column::Status.ne(IncidentStatus::Closed.as_str()))
        .order_by_asc(incidents::Column::CreatedAt)
        .into_tuple()
        .all(db)
        .await
}

/// Filters for listing incidents.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub status: Option<IncidentStatus>,
    pub severity: Option<Severity>,
    pub kind: Option<IncidentKind>,
}

/// One page of incidents, newest first, and the total matching the filter.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &ListFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Incident>, u64), DbErr> {
    let mut query = incidents::Entity::find();
    if let Some(status) = filter.status {
        query = query.filter(incidents::Column::Status.eq(status.as_str()));
    }
    if let Some(severity) = filter.severity {
        query = query.filter(incidents::Column::Severity.eq(severity.as_str()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(incidents::Column::Kind.eq(kind.as_str()));
    }
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(incidents::Column::CreatedAt)
        .order_by_desc(incidents::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    let items = rows.into_iter().map(to_domain).collect::<Result<_, _>>()?;
    Ok((items, total))
}

fn to_active(i: &Incident) -> incidents::ActiveModel {
    incidents::ActiveModel {
        id: Set(i.id),
        title: Set(i.title.clone()),
        summary: Set(i.summary.clone()),
        severity: Set(i.severity.as_str().to_owned()),
        kind: Set(i.kind.as_str().to_owned()),
        status: Set(i.status.as_str().to_owned()),
        discovered_at: Set(i.discovered_at),
        occurred_from: Set(i.occurred_from),
        occurred_to: Set(i.occurred_to),
        commander_id: Set(i.commander_id),
        created_by: Set(i.created_by),
        created_at: Set(i.created_at),
        updated_at: Set(i.updated_at),
        version: Set(i.version),
    }
}

fn to_domain(m: incidents::Model) -> Result<Incident, DbErr> {
    Ok(Incident {
        id: m.id,
        severity: m
            .severity
            .parse()
            .map_err(|e| super::bad_key("incidents.severity", e))?,
        kind: m
            .kind
            .parse()
            .map_err(|e| super::bad_key("incidents.kind", e))?,
        status: m
            .status
            .parse()
            .map_err(|e| super::bad_key("incidents.status", e))?,
        title: m.title,
        summary: m.summary,
        discovered_at: m.discovered_at,
        occurred_from: m.occurred_from,
        occurred_to: m.occurred_to,
        commander_id: m.commander_id,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}
