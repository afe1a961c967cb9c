//! The demo's notices: the initial notice and the survey invitation, written by the CX writer
//! in plain words (with a Spanish translation) and approved by the CX lead. They lint clean
//! with the shipped templates, or the demo stops and says why.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::Duration;
use uuid::Uuid;

use super::Cast;
use crate::app::AppState;
use crate::delivery::{self, Campaign};
use crate::domain::notice::{FindingSeverity, Locale, NoticeKind, VipRoute};
use crate::notice::content::{Contact, ContentChange, Offer, Paragraphs};
use crate::notice::drafts::{self, Approver, Notice, NoticeError};
use crate::store::delivery::outbox::PageFilter;

/// Creates a draft of `kind`, writes it, and has the CX lead approve it.
pub async fn write_and_approve(
    state: &AppState,
    cast: &Cast,
    incident_id: Uuid,
    kind: NoticeKind,
) -> anyhow::Result<Notice> {
    let (db, now) = (&state.db, state.clock.now());
    let writer = cast.cx_writer.user.id;
    let draft = drafts::create(db, &state.notices, writer, incident_id, kind, now).await?;
    let change = content(kind, now.date_naive());
    let draft = drafts::edit(
        db,
        writer,
        incident_id,
        draft.id,
        change,
        Some(draft.version),
        now,
    )
    .await?;
    let approver = Approver {
        id: cast.cx_lead.user.id,
        is_cx_lead: true,
    };
    let approved = drafts::approve(
        db,
        &state.notices,
        &state.obligations,
        approver,
        incident_id,
        draft.id,
        now,
    )
    .await;
    match approved {
        Ok(notice) => Ok(notice),
        Err(NoticeError::LintErrors(n, report)) => {
            let findings: Vec<String> = report
                .findings
                .iter()
                .filter(|f| f.finding.severity == FindingSeverity::Error)
                .map(|f| format!("  {}: {}", f.finding.code, f.finding.message))
                .collect();
            anyhow::bail!(
                "the demo's {kind} has {n} lint error(s):\n{}",
                findings.join("\n")
            )
        }
        Err(e) => Err(e).with_context(|| format!("the demo's {kind} was not approved")),
    }
}

/// The first campaign of the incident's notice of `kind`, with its counts.
pub async fn campaign_of(
    state: &AppState,
    incident_id: Uuid,
    kind: NoticeKind,
) -> anyhow::Result<Campaign> {
    let filter = PageFilter {
        limit: 1,
        ..PageFilter::default()
    };
    delivery::overview(&state.db, incident_id, &filter)
        .await?
        .campaigns
        .into_iter()
        .filter(|c| c.kind == kind.as_str())
        .min_by_key(|c| c.wave)
        .with_context(|| format!("the {kind} was not sent"))
}

/// What the CX writer writes for `kind`.
fn content(kind: NoticeKind, today: chrono::NaiveDate) -> ContentChange {
    ContentChange {
        what_happened: Some(WHAT_HAPPENED.to_owned()),
        what_we_are_doing: Some(WHAT_WE_ARE_DOING.to_owned()),
        likely_consequences: Some(CONSEQUENCES.to_owned()),
        offer: Some(Some(Offer {
            provider: "Example Credit Watch".to_owned(),
            months: 24,
            url: "https://monitoring.example.com/enroll".to_owned(),
            code: Some("DEMO-2424".to_owned()),
            enroll_by: Some(today + Duration::days(90)),
        })),
        contact: Some(Contact {
            name: "Candor Demo Company privacy team".to_owned(),
            email: Some("privacy@example.com".to_owned()),
            phone: Some("+1 800 555 0199".to_owned()),
            hours: Some("Every day, 8 am to 8 pm Eastern".to_owned()),
            url: Some("https://www.example.com/help".to_owned()),
            postal_address: Some(
                "Candor Demo Company, 100 Main Street, Springfield, IL 62701".to_owned(),
            ),
        }),
        password_reset_url: Some(Some("https://www.example.com/reset".to_owned())),
        survey_closes_on: matches!(
            kind,
            NoticeKind::SurveyInvitation | NoticeKind::SurveyReminder
        )
        .then(|| Some(today + Duration::days(30))),
        vip_route: Some(VipRoute::OutreachThenNotice),
        translations: Some(BTreeMap::from([(
            Locale::Es,
            Paragraphs {
                what_happened: QUE_PASO.to_owned(),
                what_we_are_doing: QUE_HACEMOS.to_owned(),
                likely_consequences: CONSECUENCIAS.to_owned(),
                update: None,
            },
        )])),
        ..ContentChange::default()
    }
}

const WHAT_HAPPENED: &str = "For about eleven days, copies of our billing records and of our website accounts sat in an online folder that anyone could open. We set that folder up wrong. As soon as we found the mistake, we closed the folder. Our logs show that two computers we do not know downloaded the copies.";
const WHAT_WE_ARE_DOING: &str = "We closed the folder to the public as soon as we found it. We asked our card company to send new cards for every card in the copies. We reset the password of every website account in them. We now lock every copy with a key, and we check our folders every hour.";
const CONSEQUENCES: &str = "Someone could try to use your card. They could also use your password or your security answers to get into your account. They might send you fake emails that look like ours.";

const QUE_PASO: &str = "Durante unos once días, copias de nuestros registros de facturación y de las cuentas de nuestro sitio web estuvieron en una carpeta en línea que cualquiera podía abrir. Configuramos mal esa carpeta. En cuanto encontramos el error, la cerramos. Nuestros registros muestran que dos equipos desconocidos descargaron las copias.";
const QUE_HACEMOS: &str = "Cerramos la carpeta al público en cuanto lo supimos. Pedimos a nuestra empresa de tarjetas que envíe tarjetas nuevas para cada tarjeta de las copias. Cambiamos la contraseña de cada cuenta del sitio web que estaba en ellas. Ahora protegemos cada copia con una clave y revisamos nuestras carpetas cada hora.";
const CONSECUENCIAS: &str = "Alguien podría intentar usar su tarjeta. También podría usar su contraseña o sus respuestas de seguridad para entrar en su cuenta. Podría enviarle correos falsos que parezcan nuestros.";
