//! Survey answers (one per person and incident, changed in place) and the counts results are
//! made of.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::store::entities::survey_responses;

pub use survey_responses::Model as ResponseRow;

/// A person's answers, by their link.
pub async fn of_link(
    db: &impl ConnectionTrait,
    link_id: Uuid,
) -> Result<Option<ResponseRow>, DbErr> {
    survey_responses::Entity::find()
        .filter(survey_responses::Column::LinkId.eq(link_id))
        .one(db)
        .await
}

/// A response of an incident.
pub async fn find(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    id: Uuid,
) -> Result<Option<ResponseRow>, DbErr> {
    survey_responses::Entity::find_by_id(id)
        .filter(survey_responses::Column::IncidentId.eq(incident_id))
        .one(db)
        .await
}

/// Writes a first answer.
pub async fn insert(db: &impl ConnectionTrait, row: ResponseRow) -> Result<(), DbErr> {
    survey_responses::ActiveModel::from(row).insert(db).await?;
    Ok(())
}

/// Replaces a person's answers, counting the revision.
pub async fn update_answers(
    db: &impl ConnectionTrait,
    id: Uuid,
    recommend: Option<i16>,
    clarity: Option<i16>,
    comment: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    survey_responses::Entity::update_many()
        .col_expr(survey_responses::Column::Recommend, recommend.into())
        .col_expr(survey_responses::Column::Clarity, clarity.into())
        .col_expr(survey_responses::Column::Comment, comment.into())
        .col_expr(
            survey_responses::Column::Revisions,
            Expr::col(survey_responses::Column::Revisions).add(1),
        )
        .col_expr(survey_responses::Column::UpdatedAt, now.into())
        .filter(survey_responses::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Up to `limit` responses of an incident after `after` (by id), oldest first; with
/// `commented`, only those with a comment.
pub async fn page(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    commented: bool,
    limit: u64,
) -> Result<Vec<ResponseRow>, DbErr> {
    let mut query = survey_responses::Entity::find()
        .filter(survey_responses::Column::IncidentId.eq(incident_id));
    if commented {
        query = query.filter(survey_responses::Column::Comment.is_not_null());
    }
    if let Some((at, id)) = after {
        use sea_orm::sea_query::ExprTrait;
        query = query.filter(
            survey_responses::Column::CreatedAt
                .gt(at)
                .or(survey_responses::Column::CreatedAt
                    .eq(at)
                    .and(survey_responses::Column::Id.gt(id))),
        );
    }
    query
        .order_by_asc(survey_responses::Column::CreatedAt)
        .order_by_asc(survey_responses::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The latest `limit` responses of an incident with a comment, newest first, and how many
/// responses have one.
pub async fn latest_commented(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    limit: u64,
) -> Result<(Vec<ResponseRow>, u64), DbErr> {
    use sea_orm::PaginatorTrait;
    let commented = || {
        survey_responses::Entity::find()
            .filter(survey_responses::Column::IncidentId.eq(incident_id))
            .filter(survey_responses::Column::Comment.is_not_null())
    };
    let rows = commented()
        .order_by_desc(survey_responses::Column::CreatedAt)
        .order_by_desc(survey_responses::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, commented().count(db).await?))
}

/// Responses of one group of people giving the same answers.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct AnswerCount {
    pub jurisdiction: String,
    pub tier: String,
    pub recommend: Option<i16>,
    pub clarity: Option<i16>,
    pub people: i64,
}

/// An incident's responses counted by place, tier, score and clarity rating.
pub async fn answer_counts(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<Vec<AnswerCount>, DbErr> {
    AnswerCount::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT jurisdiction, tier, recommend, clarity, COUNT(*) AS people \
         FROM survey_responses WHERE incident_id = $1 \
         GROUP BY jurisdiction, tier, recommend, clarity",
        [incident_id.into()],
    ))
    .all(db)
    .await
}

/// Invited people of one place and tier.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct InvitedCount {
    pub jurisdiction: String,
    pub tier: String,
    pub people: i64,
}

/// People of an incident whose survey invitation was sent, by place and tier (as their
/// invitation's row recorded them).
pub async fn invited_counts(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<Vec<InvitedCount>, DbErr> {
    let backend = db.get_database_backend();
    let field = |name: &str| match backend {
        DbBackend::Postgres => format!("(person::jsonb ->> '{name}')"),
        _ => format!("json_extract(person, '$.{name}')"),
    };
    let sql = format!(
        "SELECT COALESCE({j}, 'unknown') AS jurisdiction, COALESCE({t}, 'standard') AS tier, \
                COUNT(DISTINCT person_key) AS people \
         FROM outbox_messages WHERE incident_id = $1 AND slot = 'survey-invitation' AND status = 'sent' \
         GROUP BY 1, 2",
        j = field("jurisdiction"),
        t = field("tier"),
    );
    InvitedCount::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql,
        [incident_id.into()],
    ))
    .all(db)
    .await
}
