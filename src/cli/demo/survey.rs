//! The demo's follow-up survey: the invitation written and approved, everyone whose notice was
//! delivered invited at once (instead of the week the playbook's schedule waits), the
//! invitations drained into the file outbox, and a handful of people answering through their
//! own signed links, as the survey page would record them.

use anyhow::Context;
use uuid::Uuid;

use super::story::deliver;
use super::{Cast, notices};
use crate::app::AppState;
use crate::customer::{self, Visitor};
use crate::delivery::links::link_id;
use crate::delivery::{self, LinkPurpose};
use crate::domain::notice::NoticeKind;
use crate::domain::survey::Answers;
use crate::store::delivery::outbox::PageFilter;

/// What the survey came to.
pub struct Outcome {
    /// People invited.
    pub invited: u64,
    pub results: crate::survey::Results,
    /// The personal page and survey of someone invited who has not answered yet.
    pub sample: Option<Sample>,
}

/// One person's pages, as paths (`/n/{token}`, `/s/{token}`).
pub struct Sample {
    pub page: String,
    pub survey: String,
}

/// Scores 0–10, clarity 1–5, and what people wrote (or nothing).
const ANSWERS: &[(u8, u8, Option<&str>)] = &[
    (
        10,
        5,
        Some("Thank you for telling me straight away, and for the clear steps."),
    ),
    (9, 5, None),
    (9, 4, Some("My new card came in four days.")),
    (
        8,
        4,
        Some("Clear letter. I wish the phone line was open later at night."),
    ),
    (7, 3, None),
    (
        10,
        5,
        Some("Much better than the usual letter full of legal words."),
    ),
    (
        6,
        3,
        Some("I only saw which of my data was involved after opening the page."),
    ),
    (
        3,
        2,
        Some("Why were copies of customer data in a public folder at all?"),
    ),
    (9, 5, None),
    (
        5,
        4,
        Some("Please say how you will stop this from happening again."),
    ),
    (8, 5, None),
    (2, 2, Some("It took you more than a day to tell me.")),
    (
        10,
        4,
        Some("Good that you told me to watch my card statements."),
    ),
];

/// Writes the invitation, invites, drains, and records the answers.
pub async fn run(state: &AppState, cast: &Cast, incident_id: Uuid) -> anyhow::Result<Outcome> {
    notices::write_and_approve(state, cast, incident_id, NoticeKind::SurveyInvitation).await?;
    let report = state
        .surveys
        .invite_now(cast.cx_lead.user.id, incident_id)
        .await
        .context("the survey invitations were not sent")?;
    deliver(state).await?;
    let wave = report
        .invitation_wave
        .context("nobody could be invited to the survey")?;
    let filter = PageFilter {
        campaign_id: Some(wave.id),
        channel: Some("email".to_owned()),
        status: Some("sent".to_owned()),
        limit: ANSWERS.len() as u64 + 1,
        ..PageFilter::default()
    };
    let messages = delivery::overview(&state.db, incident_id, &filter)
        .await?
        .messages;
    let now = state.clock.now();
    for (message, (recommend, clarity, comment)) in messages.iter().zip(ANSWERS) {
        let (_, visitor) = visit(state, incident_id, &message.person_key, LinkPurpose::Survey)
            .await
            .context("a survey link did not open")?;
        let answers = Answers::parse(
            Some(&recommend.to_string()),
            Some(&clarity.to_string()),
            *comment,
        )?;
        customer::answer(&state.db, &visitor, &answers, now).await?;
    }
    let sample = match messages.get(ANSWERS.len()) {
        Some(message) => {
            let key = &message.person_key;
            let (page, _) = visit(state, incident_id, key, LinkPurpose::Page).await?;
            let (survey, _) = visit(state, incident_id, key, LinkPurpose::Survey).await?;
            Some(Sample {
                page: format!("/n/{page}"),
                survey: format!("/s/{survey}"),
            })
        }
        None => None,
    };
    Ok(Outcome {
        invited: wave.people.try_into().unwrap_or(0),
        results: crate::survey::results(&state.db, incident_id).await?,
        sample,
    })
}

/// The token in a person's `purpose` link (the one their messages carry: it expires with
/// their link) and the visitor it opens the page as.
async fn visit(
    state: &AppState,
    incident_id: Uuid,
    person_key: &str,
    purpose: LinkPurpose,
) -> anyhow::Result<(String, Visitor)> {
    let link = link_id(incident_id, person_key);
    let row = crate::store::delivery::link(&state.db, link)
        .await?
        .context("a message's link row is missing")?;
    let keys = &state.delivery.config().link_keys;
    let token = keys.sign(purpose, link, incident_id, row.expires_at)?;
    let visitor = customer::visitor(&state.db, keys, purpose, &token, state.clock.now()).await?;
    Ok((token, visitor))
}
