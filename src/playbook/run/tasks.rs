//! Tasks a playbook's actions open for people (a report to file with an authority, a call to
//! a VIP customer), and closing them with a note.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{RunError, Runner};
use crate::audit::{self, AuditEvent};
use crate::domain::Role;
use crate::domain::audit::Actor;
use crate::store;
use crate::store::playbooks::{TASK_OPEN, TaskRow};

/// A task an action opened.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskView {
    pub id: Uuid,
    pub run_id: Uuid,
    /// The step whose action opened it.
    pub step_id: String,
    /// Stable within the step: `file:EU/regulator`, `person:42`.
    pub key: String,
    pub title: String,
    /// The role whose members close it.
    pub owner: String,
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// `open` or `done`.
    pub status: String,
    /// Whether it carries a draft to use (see the task itself).
    pub has_draft: bool,
    /// The draft (a regulator report in Markdown); only when one task is asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft: Option<String>,
    pub done_by: Option<Uuid>,
    pub done_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl TaskView {
    pub(super) fn of(row: &TaskRow, now: DateTime<Utc>, with_draft: bool) -> TaskView {
        let open = row.status == TASK_OPEN;
        TaskView {
            id: row.id,
            run_id: row.run_id,
            step_id: row.step_id.clone(),
            key: row.key.clone(),
            title: row.title.clone(),
            owner: row.owner_role.clone(),
            due_at: row.due_at,
            overdue: open && row.due_at.is_some_and(|d| d <= now),
            status: row.status.clone(),
            has_draft: row.detail.is_some(),
            draft: row.detail.clone().filter(|_| with_draft),
            done_by: row.done_by,
            done_at: row.done_at,
            note: row.note.clone(),
            created_at: row.created_at,
        }
    }
}

impl Runner {
    /// One of the incident's tasks, with its draft.
    pub async fn task(&self, incident_id: Uuid, task_id: Uuid) -> Result<TaskView, RunError> {
        let row = self.task_row(incident_id, task_id).await?;
        Ok(TaskView::of(&row, self.clock.now(), true))
    }

    /// Closes a task (someone holding its role), with a note of what was done.
    pub async fn close_task(
        &self,
        (by, roles): (Uuid, Vec<Role>),
        incident_id: Uuid,
        task_id: Uuid,
        note: Option<String>,
    ) -> Result<TaskView, RunError> {
        let row = self.task_row(incident_id, task_id).await?;
        let role: Role = row
            .owner_role
            .parse()
            .map_err(|_| RunError::Corrupt(format!("task {} role", row.id)))?;
        if !roles.contains(&role) {
            return Err(RunError::TaskRoleNotHeld(role));
        }
        let now = self.clock.now();
        let txn = store::begin_write(&self.db).await?;
        if !store::playbooks::close_task(&txn, task_id, by, note, now).await? {
            return Err(RunError::TaskClosed);
        }
        audit::record(
            &txn,
            now,
            AuditEvent {
                actor: Actor::User(by),
                action: "playbook.task_closed",
                object_type: "playbook_task",
                object_id: task_id.to_string(),
                incident_id: Some(incident_id),
                summary: format!("task {} of step {} closed", row.key, row.step_id),
            },
        )
        .await?;
        txn.commit().await?;
        self.task(incident_id, task_id).await
    }

    async fn task_row(&self, incident_id: Uuid, task_id: Uuid) -> Result<TaskRow, RunError> {
        store::incidents::find(&self.db, incident_id)
            .await?
            .ok_or(RunError::IncidentNotFound)?;
        store::playbooks::task(&self.db, task_id)
            .await?
            .filter(|t| t.incident_id == incident_id)
            .ok_or(RunError::TaskNotFound(task_id))
    }
}
