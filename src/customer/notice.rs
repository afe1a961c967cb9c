//! The notice a person was sent, as their pages show it: the campaign's frozen templates
//! (compiled once per campaign and kept, since a campaign never changes), the variant's shared
//! render context with the person's own part over it, and partials rendered from them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;
use uuid::Uuid;

use super::CustomerError;
use crate::delivery::Snapshot;
use crate::domain::notice::Locale;
use crate::notice::templates::{Compiled, TemplateSet};
use crate::store;
use crate::store::delivery::outbox::LinkMessage;

/// How many campaigns' compiled templates are kept.
const KEPT_CAMPAIGNS: usize = 16;

/// A campaign's templates, compiled, and its variants' shared contexts.
struct CampaignParts {
    compiled: Compiled,
    variants: HashMap<i32, (Locale, Value)>,
}

fn kept() -> &'static Mutex<HashMap<Uuid, Arc<CampaignParts>>> {
    static KEPT: OnceLock<Mutex<HashMap<Uuid, Arc<CampaignParts>>>> = OnceLock::new();
    KEPT.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A campaign's parts, from the ones kept or loaded and compiled (off the async threads).
async fn campaign(
    db: &impl sea_orm::ConnectionTrait,
    id: Uuid,
) -> Result<Arc<CampaignParts>, CustomerError> {
    if let Some(hit) = kept().lock().ok().and_then(|k| k.get(&id).cloned()) {
        return Ok(hit);
    }
    let row = store::delivery::campaign(db, id)
        .await?
        .ok_or_else(|| CustomerError::Corrupt(format!("campaign {id} is missing")))?;
    let variants = store::delivery::variants(db, id).await?;
    let parts = tokio::task::spawn_blocking(move || {
        let snapshot: Snapshot = serde_json::from_str(&row.snapshot)
            .map_err(|e| corrupt(id, &format!("snapshot unreadable at line {}", e.line())))?;
        let compiled = TemplateSet::from_files(snapshot.templates)
            .compile()
            .map_err(|p| corrupt(id, &format!("{} template problem(s)", p.len())))?;
        let mut by_no = HashMap::with_capacity(variants.len());
        for v in variants {
            let context: Value = serde_json::from_str(&v.context).map_err(|e| {
                corrupt(
                    id,
                    &format!("variant {} unreadable at line {}", v.variant_no, e.line()),
                )
            })?;
            by_no.insert(v.variant_no, (Locale::for_person(&v.locale), context));
        }
        Ok::<_, CustomerError>(CampaignParts {
            compiled,
            variants: by_no,
        })
    })
    .await
    .map_err(|_| corrupt(id, "compiling its templates stopped"))??;
    let parts = Arc::new(parts);
    if let Ok(mut kept) = kept().lock() {
        if kept.len() >= KEPT_CAMPAIGNS
            && let Some(old) = kept.keys().next().copied()
        {
            kept.remove(&old);
        }
        kept.insert(id, parts.clone());
    }
    Ok(parts)
}

fn corrupt(campaign: Uuid, what: &str) -> CustomerError {
    CustomerError::Corrupt(format!("campaign {campaign}: {what}"))
}

/// One of a person's messages, ready to show parts of.
pub(super) struct PersonNotice {
    pub locale: Locale,
    /// The variant's context with the person, their channel and their links over it.
    pub context: Value,
    parts: Arc<CampaignParts>,
}

impl PersonNotice {
    /// The message's notice, with `links` (`personal_page`, `survey`) as the page shows them.
    pub async fn load(
        db: &impl sea_orm::ConnectionTrait,
        message: &LinkMessage,
        links: Value,
    ) -> Result<PersonNotice, CustomerError> {
        let parts = campaign(db, message.campaign_id).await?;
        let (locale, base) = parts.variants.get(&message.variant_no).ok_or_else(|| {
            corrupt(
                message.campaign_id,
                &format!("no variant {}", message.variant_no),
            )
        })?;
        let person = person_of(message)?;
        let mut context = base.clone();
        if let Value::Object(map) = &mut context {
            map.insert("person".into(), person);
            map.insert("channel".into(), Value::String(message.channel.clone()));
            match (map.get_mut("links"), links) {
                (Some(Value::Object(mine)), Value::Object(given)) => mine.extend(given),
                (_, given) => {
                    map.insert("links".into(), given);
                }
            }
        }
        Ok(PersonNotice {
            locale: *locale,
            context,
            parts,
        })
    }

    /// An HTML partial as the notice showed it, without its inline styles (the pages allow
    /// none; their stylesheet does the styling).
    pub fn partial(&self, name: &str) -> Result<String, CustomerError> {
        self.parts
            .compiled
            .render_partial_html(self.locale, name, &self.context)
            .map(|html| without_inline_styles(&html))
            .map_err(|p| CustomerError::Corrupt(format!("partial {name}: {}", p.message)))
    }

    /// A text value of the context at a JSON pointer (`/notice/what_happened`), when not blank.
    pub fn text(&self, pointer: &str) -> Option<String> {
        self.context
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    }
}

/// The person's part of a message's render context.
pub(super) fn person_of(message: &LinkMessage) -> Result<Value, CustomerError> {
    serde_json::from_str(&message.person).map_err(|e| {
        corrupt(
            message.campaign_id,
            &format!("a person unreadable at line {}", e.line()),
        )
    })
}

/// HTML without `style="…"` attributes. Rendered values have their quotes escaped, so every
/// ` style="` left is the template's own markup.
fn without_inline_styles(html: &str) -> String {
    const ATTRIBUTE: &str = " style=\"";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(ATTRIBUTE) {
        out.push_str(&rest[..at]);
        let value = &rest[at + ATTRIBUTE.len()..];
        rest = value.find('"').map_or("", |end| &value[end + 1..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_styles_are_removed_and_everything_else_kept() {
        let html = r#"<h3 style="font-size:16px;margin:0">Steps</h3><a href="x" style="c">y</a>"#;
        assert_eq!(
            without_inline_styles(html),
            r#"<h3>Steps</h3><a href="x">y</a>"#
        );
        assert_eq!(without_inline_styles("<p>plain</p>"), "<p>plain</p>");
    }
}
