//! Rendering a campaign's messages fast. Within a variant, people's notices differ only in a
//! few values the templates print (names, the postal address, the personal links) and in a
//! few they branch on (tenure, tier, which values are present). So a campaign renders once
//! per *shape* — the variant and the values branched on — with markers standing for the
//! printed values, and each message is that rendering with the person's values put in.
//!
//! A shape is trusted only after its first person's message came out byte for byte the same
//! as a full rendering; a shape whose templates do something else with a value (a helper
//! that reshapes it, a comparison) is rendered in full for everyone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde_json::Value;

/// The printed values, by slot: `(object path, key)`.
const SLOTS: [(&[&str], &str); 10] = [
    (&["person"], "given_name"),
    (&["person"], "family_name"),
    (&["person"], "customer_since"),
    (&["person", "address"], "line1"),
    (&["person", "address"], "city"),
    (&["person", "address"], "region"),
    (&["person", "address"], "postal_code"),
    (&["person", "address"], "country"),
    (&["links"], "personal_page"),
    (&["links"], "survey"),
];

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// One message's printed values, by slot (`None`: absent or empty, as the templates see it).
pub type Values = [Option<String>; SLOTS.len()];

/// A context with its printed values taken out: the shape's key (after `prefix`), the values,
/// and the context with markers in their place. The values are moved out rather than copied:
/// [`restore`] puts them back.
pub fn split(prefix: &str, mut context: Value) -> (String, Values, Value) {
    let mut values: Values = Default::default();
    for (slot, (path, key)) in SLOTS.iter().enumerate() {
        let Some(object) = object_at(&mut context, path) else {
            continue;
        };
        if let Some(Value::String(value)) = object.get_mut(*key)
            && !value.is_empty()
        {
            values[slot] = Some(std::mem::replace(value, format!("{OPEN}{slot}{CLOSE}")));
        }
    }
    // What is left of the person (and which values are present) decides the branches.
    let mut key = Vec::with_capacity(prefix.len() + 256);
    key.extend_from_slice(prefix.as_bytes());
    for part in ["person", "channel", "links"] {
        key.push(b'|');
        if let Some(value) = context.get(part) {
            // Writing JSON into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut key, value);
        }
    }
    // serde_json writes UTF-8, and so is the prefix.
    let key = String::from_utf8(key).unwrap_or_default();
    (key, values, context)
}

/// A context [`split`] marked, with its values back in their places.
pub fn restore(mut marked: Value, values: &Values) -> Value {
    for (slot, (path, key)) in SLOTS.iter().enumerate() {
        if let Some(value) = &values[slot]
            && let Some(object) = object_at(&mut marked, path)
        {
            object.insert((*key).to_owned(), Value::String(value.clone()));
        }
    }
    marked
}

fn object_at<'v>(
    value: &'v mut Value,
    path: &[&str],
) -> Option<&'v mut serde_json::Map<String, Value>> {
    let mut at = value;
    for step in path {
        at = at.get_mut(*step)?;
    }
    at.as_object_mut()
}

/// A rendered part cut at its markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pieces: Vec<Piece>,
    len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Slot(usize),
}

impl Cut {
    /// Cuts `output` at its markers; `None` when a marker is malformed (a helper changed it).
    pub fn new(output: &str) -> Option<Cut> {
        let mut pieces = Vec::new();
        let mut rest = output;
        while let Some(start) = rest.find(OPEN) {
            if start > 0 {
                pieces.push(Piece::Text(rest[..start].to_owned()));
            }
            let after = &rest[start + OPEN.len_utf8()..];
            let end = after.find(CLOSE)?;
            let slot: usize = after[..end].parse().ok()?;
            if slot >= SLOTS.len() {
                return None;
            }
            pieces.push(Piece::Slot(slot));
            rest = &after[end + CLOSE.len_utf8()..];
        }
        if rest.contains(CLOSE) {
            return None;
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        Some(Cut {
            len: output.len(),
            pieces,
        })
    }

    /// The part with `values` put in, HTML-escaped when `html`.
    pub fn fill(&self, values: &Values, html: bool) -> String {
        let mut out = String::with_capacity(self.len + 64);
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Slot(slot) => {
                    let value = values[*slot].as_deref().unwrap_or_default();
                    if html {
                        push_escaped(&mut out, value);
                    } else {
                        out.push_str(value);
                    }
                }
            }
        }
        out
    }
}

/// Appends `value` HTML-escaped, exactly as handlebars' `html_escape` escapes it (the shape
/// is trusted only when the two agree), without a string of its own per value: most values
/// (links, most names) have nothing to escape.
fn push_escaped(out: &mut String, value: &str) {
    let mut start = 0;
    for (at, byte) in value.bytes().enumerate() {
        let entity = match byte {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'&' => "&amp;",
            b'\'' => "&#x27;",
            b'`' => "&#x60;",
            b'=' => "&#x3D;",
            _ => continue,
        };
        // Every escaped character is ASCII, so `at` is a character boundary.
        out.push_str(&value[start..at]);
        out.push_str(entity);
        start = at + 1;
    }
    out.push_str(&value[start..]);
}

/// A shape's rendering: its three parts cut at their markers, or `None` when the shape must
/// be rendered in full.
pub type ShapeRender = Option<[Cut; 3]>;

/// The shapes a campaign has rendered, by key.
#[derive(Debug, Default)]
pub struct Shapes {
    by_key: Mutex<HashMap<String, Arc<OnceLock<ShapeRender>>>>,
}

impl Shapes {
    /// The shape's slot: settled once, by the first person of the shape to be rendered.
    pub fn slot(&self, key: String) -> Arc<OnceLock<ShapeRender>> {
        let mut map = self.by_key.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(map.entry(key).or_default())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn context(name: &str) -> Value {
        json!({
            "channel": "email",
            "person": {"given_name": name, "family_name": null, "tenure_years": 3,
                       "address": {"line1": "1 Main St", "city": "Springfield", "region": ""}},
            "links": {"personal_page": "https://x.test/n/abc", "password_reset": null, "survey": null},
        })
    }

    #[test]
    fn people_who_differ_only_in_printed_values_share_a_shape() {
        let (a, values, marked) = split("1", context("Ada"));
        let (b, _, _) = split("1", context("Émile"));
        assert_eq!(a, b);
        assert_eq!(values[0].as_deref(), Some("Ada"));
        assert_eq!(values[1], None, "a null is absent");
        assert_eq!(
            values[5], None,
            "an empty value is absent: templates branch on it"
        );
        assert_eq!(marked["person"]["given_name"], json!("\u{E000}0\u{E001}"));
        assert_eq!(marked["person"]["address"]["region"], json!(""));
        let (c, _, _) = split(
            "1",
            json!({"person": {"given_name": null, "tenure_years": 3}}),
        );
        assert_ne!(a, c, "a missing name is another shape");
        let mut older = context("Ada");
        older["person"]["tenure_years"] = json!(4);
        assert_ne!(a, split("1", older).0, "tenure is branched on");
        assert_ne!(
            a,
            split("2", context("Ada")).0,
            "another variant is another shape"
        );
    }

    #[test]
    fn restoring_a_split_context_gives_it_back() {
        let original = context("Ada");
        let (_, values, marked) = split("1", original.clone());
        assert_ne!(marked, original);
        assert_eq!(restore(marked, &values), original);
    }

    #[test]
    fn values_are_escaped_as_handlebars_escapes_them() {
        for value in [
            "",
            "plain",
            "O'Brien & <Co> \"q\" `t` a=b",
            "&&==<<",
            "José Núñez <ñ>",
            "https://x.test/n/eyJ0eXAi.eyJzdWIi.c2ln",
        ] {
            let mut out = String::from("x");
            push_escaped(&mut out, value);
            assert_eq!(
                out,
                format!("x{}", handlebars::html_escape(value)),
                "{value}"
            );
        }
    }

    #[test]
    fn a_cut_part_fills_in_values_escaped_for_html_only() {
        let (_, mut values, _) = split("1", context("Ada"));
        values[0] = Some("O'Brien & <Co>".into());
        let cut = Cut::new("Dear \u{E000}0\u{E001}, see \u{E000}8\u{E001}.").unwrap();
        assert_eq!(
            cut.fill(&values, false),
            "Dear O'Brien & <Co>, see https://x.test/n/abc."
        );
        assert_eq!(
            cut.fill(&values, true),
            "Dear O&#x27;Brien &amp; &lt;Co&gt;, see https://x.test/n/abc."
        );
    }

    #[test]
    fn a_marker_a_helper_changed_is_refused() {
        assert_eq!(Cut::new("Dear \u{E000}0, x"), None);
        assert_eq!(Cut::new("Dear \u{E000}zz\u{E001}"), None);
        assert_eq!(Cut::new("Dear \u{E000}42\u{E001}"), None);
        assert_eq!(Cut::new("Dear 0\u{E001}"), None);
        assert!(Cut::new("no markers at all").is_some());
    }
}
