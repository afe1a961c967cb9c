//! What a campaign's messages are rendered from, frozen when the notice is sent: the template
//! files, the sender and reply addresses, the message date and the links' expiry (a
//! campaign's JSON `snapshot`), the shared context of each variant, and each row's person.
//! Rendering a row again gives the same bytes, so a message re-sent after a crash is the one
//! on record.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::DeliveryError;
use super::links::{LinkKeys, LinkPurpose};
use super::shapes::{self, Shapes};
use crate::domain::notice::{Locale, NoticeKind};
use crate::notice::templates::{Compiled, Rendered, TemplateSet};
use crate::store::delivery::outbox::Claimed;
use crate::store::delivery::{CampaignRow, VariantRow};

/// A campaign's frozen inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub kind: NoticeKind,
    /// Every template file, the draft's own copies applied.
    pub templates: BTreeMap<String, String>,
    /// `Organization <notices@example.org>`.
    pub from: String,
    /// Where replies go: the draft's contact email, else the sender.
    pub reply_to: String,
    /// The `Date` of every message of the campaign.
    pub date: DateTime<Utc>,
    /// Where people's links point.
    pub public_url: String,
    /// When the tokens in people's links expire.
    pub links_expire_at: DateTime<Utc>,
}

/// A campaign ready to render rows.
pub struct CampaignRender {
    pub campaign_id: Uuid,
    pub incident_id: Uuid,
    pub kind: NoticeKind,
    compiled: Compiled,
    variants: HashMap<i32, (Locale, Value)>,
    pub from: Mailbox,
    pub reply_to: Mailbox,
    pub date: DateTime<Utc>,
    public_url: String,
    links_expire_at: DateTime<Utc>,
    shapes: Shapes,
}

/// A row rendered.
pub struct RenderedRow {
    pub locale: Locale,
    /// Rendered from the templates for this person alone (a new or untrusted shape), not by
    /// filling in a shape's rendering.
    pub full: bool,
    pub rendered: Rendered,
    /// The person's display name, when the inventory knows it.
    pub name: Option<String>,
}

impl CampaignRender {
    /// Compiles a stored campaign.
    pub fn load(row: &CampaignRow, variants: &[VariantRow]) -> Result<Self, DeliveryError> {
        let corrupt = |what: &str, e: &dyn std::fmt::Display| {
            DeliveryError::Corrupt(format!("campaign {} {what}: {e}", row.id))
        };
        let snapshot: Snapshot = serde_json::from_str(&row.snapshot).map_err(|e| {
            corrupt(
                "snapshot",
                &format!(
                    "unreadable JSON at line {}, column {}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let compiled = TemplateSet::from_files(snapshot.templates)
            .compile()
            .map_err(|problems| corrupt("templates", &format!("{} problem(s)", problems.len())))?;
        let mut by_no = HashMap::with_capacity(variants.len());
        for v in variants {
            let context: Value = serde_json::from_str(&v.context).map_err(|e| {
                corrupt(
                    "variant",
                    &format!("{} unreadable at line {}", v.variant_no, e.line()),
                )
            })?;
            by_no.insert(v.variant_no, (Locale::for_person(&v.locale), context));
        }
        let mailbox = |what: &str, text: &str| {
            text.parse::<Mailbox>()
                .map_err(|_| corrupt(what, &"not a valid address"))
        };
        Ok(CampaignRender {
            campaign_id: row.id,
            incident_id: row.incident_id,
            kind: snapshot.kind,
            compiled,
            variants: by_no,
            from: mailbox("sender", &snapshot.from)?,
            reply_to: mailbox("reply address", &snapshot.reply_to)?,
            date: snapshot.date,
            public_url: snapshot.public_url,
            links_expire_at: snapshot.links_expire_at,
            shapes: Shapes::default(),
        })
    }

    /// The address of a person's page or survey.
    pub fn link(
        &self,
        keys: &LinkKeys,
        purpose: LinkPurpose,
        link_id: Uuid,
    ) -> Result<String, DeliveryError> {
        let token = keys
            .sign(purpose, link_id, self.incident_id, self.links_expire_at)
            .map_err(|e| DeliveryError::Corrupt(e.to_string()))?;
        Ok(format!("{}/{}/{token}", self.public_url, purpose.path()))
    }

    /// Renders one row: its variant's context with the person, their channel and their links
    /// (by the row's shape when that shape is trusted; see [`super::shapes`]).
    pub fn render(&self, keys: &LinkKeys, row: &Claimed) -> Result<RenderedRow, DeliveryError> {
        let (locale, base) = self.variants.get(&row.variant_no).ok_or_else(|| {
            DeliveryError::Corrupt(format!(
                "campaign {} has no variant {}",
                self.campaign_id, row.variant_no
            ))
        })?;
        let person: Value = serde_json::from_str(&row.person).map_err(|e| {
            DeliveryError::Corrupt(format!(
                "outbox row {} person unreadable at line {}",
                row.id,
                e.line()
            ))
        })?;
        let name = display_name(&person);
        let wants_survey = base
            .get("links")
            .and_then(|l| l.get("survey"))
            .is_some_and(|s| !s.is_null());
        let survey = match wants_survey {
            true => Value::String(self.link(keys, LinkPurpose::Survey, row.link_id)?),
            false => Value::Null,
        };
        let personal = serde_json::json!({
            "person": person,
            "channel": row.channel,
            "links": {
                "personal_page": self.link(keys, LinkPurpose::Page, row.link_id)?,
                "survey": survey,
            },
        });
        let (shape, values, marked) = shapes::split(&row.variant_no.to_string(), personal);
        // The shape's first person is rendered in full, and by markers; the shape is trusted
        // only when both come out the same. Senders meeting a new shape at once wait for the
        // first to settle it rather than each render in full.
        let slot = self.shapes.slot(shape);
        // Taken by whichever path renders from the context (the shape's first person, or every
        // person of an untrusted shape); a trusted shape's people need only their values.
        let mut marked = Some(marked);
        let mut first = None;
        let cut = slot.get_or_init(|| {
            let marked = marked.take().unwrap_or_default();
            let personal = shapes::restore(marked.clone(), &values);
            let full = self.render_full(*locale, overlay(base, personal));
            let cut = full.as_ref().ok().and_then(|full| {
                self.compiled
                    .render_owned(self.kind, *locale, overlay(base, marked))
                    .ok()
                    .and_then(|m| {
                        Some([
                            shapes::Cut::new(&m.subject)?,
                            shapes::Cut::new(&m.text)?,
                            shapes::Cut::new(&m.html)?,
                        ])
                    })
                    .filter(|[subject, text, html]| {
                        subject.fill(&values, false) == full.subject
                            && text.fill(&values, false) == full.text
                            && html.fill(&values, true) == full.html
                    })
            });
            if cut.is_none() {
                tracing::warn!(
                    campaign = %self.campaign_id,
                    variant = row.variant_no,
                    "a shape of this campaign renders in full for every person"
                );
            }
            first = Some(full);
            cut
        });
        let (rendered, full) = match (first, cut) {
            (Some(full), _) => (full?, true),
            (None, Some([subject, text, html])) => (
                Rendered {
                    subject: subject.fill(&values, false),
                    text: text.fill(&values, false),
                    html: html.fill(&values, true),
                    elements: Default::default(),
                },
                false,
            ),
            (None, None) => {
                let personal = shapes::restore(marked.take().unwrap_or_default(), &values);
                (self.render_full(*locale, overlay(base, personal))?, true)
            }
        };
        Ok(RenderedRow {
            locale: *locale,
            full,
            rendered,
            name,
        })
    }

    fn render_full(&self, locale: Locale, context: Value) -> Result<Rendered, DeliveryError> {
        self.compiled
            .render_owned(self.kind, locale, context)
            .map_err(|p| DeliveryError::Render(p.to_string()))
    }
}

/// A variant's context with a person's part over it (their links beside the variant's).
fn overlay(base: &Value, personal: Value) -> Value {
    let mut context = base.clone();
    if let (Value::Object(map), Value::Object(personal)) = (&mut context, personal) {
        for (key, value) in personal {
            match (key.as_str(), map.get_mut("links"), value) {
                ("links", Some(Value::Object(links)), Value::Object(mine)) => links.extend(mine),
                (_, _, value) => {
                    map.insert(key, value);
                }
            }
        }
    }
    context
}

fn display_name(person: &Value) -> Option<String> {
    let part = |key: &str| {
        person
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    match (part("given_name"), part("family_name")) {
        (Some(g), Some(f)) => Some(format!("{g} {f}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}
