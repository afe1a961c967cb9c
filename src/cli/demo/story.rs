//! The demo's incident response, step by step as the `customer-data-breach` playbook asks: the
//! responder triages and declares the scope, Candor maps the people affected and works out the
//! obligations, the responder records the risk, a CX writer drafts the notice and the CX lead
//! approves it, legal signs off, Candor sends it into the file outbox, and the survey goes
//! out and gets its first answers. Later steps are left open, so the incident looks live.

use anyhow::Context;
use chrono::Duration;
use uuid::Uuid;

use super::guide::timed;
use super::{Cast, DemoUser, notices, survey};
use crate::app::AppState;
use crate::delivery::Campaign;
use crate::domain::DataCategory;
use crate::domain::audit::Actor;
use crate::domain::notice::NoticeKind;
use crate::mapping::{self, ScopeSystemInput};
use crate::obligation::{self, RiskInput};
use crate::playbook::run::{Act, RunView};
use crate::rules::RiskLikelihood;

/// The playbook the demo runs.
pub const PLAYBOOK: &str = "customer-data-breach";

/// What the story did, for the guide.
pub struct Outcome {
    pub affected: i64,
    /// People known only by a record (no customer in the inventory).
    pub unmatched: i64,
    /// Laws whose obligations were worked out.
    pub laws: usize,
    pub duties_required: usize,
    /// The initial notice's send.
    pub initial: Campaign,
    /// Survey invitations sent, answers given, and one person's links.
    pub survey: survey::Outcome,
    /// The playbook's steps still to do, in order.
    pub open_steps: Vec<String>,
    pub done_steps: usize,
    /// Tasks the playbook's actions opened: regulator reports to file, VIP calls.
    pub filing_tasks: usize,
    pub vip_calls: usize,
}

/// Plays the incident response on `incident_id`.
pub async fn play(state: &AppState, cast: &Cast, incident_id: Uuid) -> anyhow::Result<Outcome> {
    let initial = respond(state, cast, incident_id).await?;
    let survey = timed("Inviting people to the survey and answering a few", async {
        survey::run(state, cast, incident_id).await
    })
    .await?;
    outcome(state, incident_id, initial, survey).await
}

/// The playbook's steps up to the notice in the outbox; returns the notice's campaign.
async fn respond(state: &AppState, cast: &Cast, incident_id: Uuid) -> anyhow::Result<Campaign> {
    let responder = &cast.responder;
    state
        .runner
        .attach(Some(responder.user.id), incident_id, PLAYBOOK)
        .await
        .context("the playbook did not attach")?;
    complete(state, responder, incident_id, "triage", TRIAGE).await?;
    declare_scope(state, responder, incident_id).await?;
    timed(
        "Mapping the people affected and working out the obligations",
        // Completing the step lets the playbook map and compute.
        async { complete(state, responder, incident_id, "declare-scope", SCOPE).await },
    )
    .await?;
    assess_risk(state, responder, incident_id).await?;
    complete(state, responder, incident_id, "assess-risk", RISK).await?;
    timed("Drafting and approving the notice", async {
        notices::write_and_approve(state, cast, incident_id, NoticeKind::InitialNotice).await?;
        let writer = &cast.cx_writer;
        complete(state, writer, incident_id, "draft-notice", DRAFTED).await
    })
    .await?;
    approve(state, &cast.cx_lead, incident_id, "cx-approval", CX_OK).await?;
    timed("Sending the notice into the file outbox", async {
        // Legal's sign-off lets the playbook send the notice.
        approve(state, &cast.admin, incident_id, "legal-sign-off", LEGAL_OK).await?;
        deliver(state).await?;
        notices::campaign_of(state, incident_id, NoticeKind::InitialNotice).await
    })
    .await
}

/// What the story came to, read back through the use-cases staff use.
async fn outcome(
    state: &AppState,
    incident_id: Uuid,
    initial: Campaign,
    survey: survey::Outcome,
) -> anyhow::Result<Outcome> {
    let impact = mapping::impact(&state.db, incident_id).await?;
    let now = state.clock.now();
    let computed =
        obligation::evaluate_incident(&state.db, &state.obligations, incident_id, now).await?;
    let run = run_view(state, incident_id).await?;
    let tasks_of = |step: &str| run.tasks.iter().filter(|t| t.step_id == step).count();
    let (done, open): (Vec<_>, Vec<_>) = run.steps.iter().partition(|s| s.status.is_settled());
    Ok(Outcome {
        affected: impact.affected_people,
        unmatched: impact.unmatched_people,
        laws: computed.jurisdictions.len(),
        duties_required: computed.duties().filter(|d| d.required).count(),
        initial,
        survey,
        done_steps: done.len(),
        open_steps: open.iter().map(|s| s.id.clone()).collect(),
        filing_tasks: tasks_of("notify-regulator"),
        vip_calls: tasks_of("vip-outreach"),
    })
}

const TRIAGE: &str = "Bucket closed to the public within the hour; access logs and a snapshot of the bucket kept. Legal and the CX lead told.";
const SCOPE: &str = "The backups held the billing database and the website accounts, from the day the bucket opened to the day it closed.";
const RISK: &str = "Risk recorded as high; we will offer two years of credit monitoring.";
const DRAFTED: &str = "Drafted from the shipped template; previewed on a VIP, a Spanish reader, and people in California, Germany and Ontario.";
const CX_OK: &str = "Plain, specific and kind; every exposed category has its own step.";
const LEGAL_OK: &str = "Contents match what each triggered law asks for.";

/// Completes a task as `who`, then lets Candor do what follows.
async fn complete(
    state: &AppState,
    who: &DemoUser,
    incident_id: Uuid,
    step: &str,
    note: &str,
) -> anyhow::Result<()> {
    let act = Act::Complete {
        note: Some(note.to_owned()),
    };
    state
        .runner
        .act(
            (who.user.id, who.user.roles.clone()),
            incident_id,
            None,
            step,
            act,
        )
        .await
        .with_context(|| format!("step {step} could not be completed"))?;
    settle(state, incident_id).await
}

/// Approves a gate as `who`, then lets Candor do what follows.
async fn approve(
    state: &AppState,
    who: &DemoUser,
    incident_id: Uuid,
    step: &str,
    note: &str,
) -> anyhow::Result<()> {
    let act = Act::Approve {
        decision: None,
        note: Some(note.to_owned()),
    };
    state
        .runner
        .act(
            (who.user.id, who.user.roles.clone()),
            incident_id,
            None,
            step,
            act,
        )
        .await
        .with_context(|| format!("gate {step} could not be approved"))?;
    settle(state, incident_id).await
}

/// The exposed systems: the billing backup (unencrypted copy of an encrypted database) and the
/// website accounts backup, from the day the bucket opened to the day it was closed.
async fn declare_scope(state: &AppState, who: &DemoUser, incident_id: Uuid) -> anyhow::Result<()> {
    let now = state.clock.now();
    let (from, to) = (now - Duration::days(12), now - Duration::hours(19));
    let system = |name: &str, categories: Vec<DataCategory>| ScopeSystemInput {
        system: name.to_owned(),
        categories,
        from: from.to_rfc3339(),
        to: to.to_rfc3339(),
        // The databases are encrypted at rest; their backups were written in the clear.
        encrypted: false,
        key_compromised: false,
    };
    use DataCategory as C;
    let scope = vec![
        system(
            "billing-db",
            vec![C::Name, C::Email, C::PostalAddress, C::PaymentCard],
        ),
        system(
            "web-accounts",
            vec![C::Email, C::AccountCredentials, C::SecurityQa],
        ),
    ];
    mapping::set_scope(&state.db, Actor::User(who.user.id), incident_id, scope, now)
        .await
        .map_err(|e| anyhow::anyhow!("the scope was refused: {e}"))?;
    Ok(())
}

async fn assess_risk(state: &AppState, who: &DemoUser, incident_id: Uuid) -> anyhow::Result<()> {
    let input = RiskInput {
        likelihood: RiskLikelihood::High,
        notes: "Card numbers with names and addresses, and password hashes with security \
                answers, were downloaded by two unknown addresses. Misuse is likely."
            .to_owned(),
    };
    obligation::record_risk(
        &state.db,
        Actor::User(who.user.id),
        incident_id,
        input,
        state.clock.now(),
    )
    .await?;
    Ok(())
}

/// Sends every due message in the outbox (as `candor delivery drain` does).
pub(super) async fn deliver(state: &AppState) -> anyhow::Result<()> {
    let stats = state.delivery.run_until_idle().await?;
    if stats.failed > 0 || stats.retrying > 0 {
        anyhow::bail!(
            "{} messages failed and {} wait for a retry",
            stats.failed,
            stats.retrying
        );
    }
    Ok(())
}

/// The incident's run of the demo's playbook.
async fn run_view(state: &AppState, incident_id: Uuid) -> anyhow::Result<RunView> {
    state
        .runner
        .view(incident_id)
        .await?
        .into_iter()
        .find(|r| r.playbook_id == PLAYBOOK)
        .context("the playbook run is missing")
}

/// Lets Candor carry out every playbook action that can be done now (as its worker would,
/// computing the mapping in this task); an action that failed stops the demo, saying why.
async fn settle(state: &AppState, incident_id: Uuid) -> anyhow::Result<()> {
    let settled = state.runner.settle().await?;
    if settled.failed > 0 {
        let run = run_view(state, incident_id).await?;
        let why: Vec<String> = run
            .steps
            .iter()
            .filter_map(|s| Some(format!("{}: {}", s.id, s.last_error.as_ref()?)))
            .collect();
        anyhow::bail!("a playbook action failed: {}", why.join("; "));
    }
    Ok(())
}
