//! Candor's template helpers: `{{#element "key"}}`, `{{date value}}`, `{{list items "field"}}`
//! and `{{plural n "year" "years"}}`, each registered with its locale's words.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, JsonRender, Output, PathAndJson,
    RenderContext, RenderError, RenderErrorReason, Renderable, ScopedJson, StringOutput,
};
use serde_json::Value as Json;

use super::locale::LocaleWords;
use super::record;

/// Registers every Candor helper in a locale's registry (`html`: the HTML registry).
pub(super) fn register(registry: &mut Handlebars<'static>, words: &Arc<LocaleWords>, html: bool) {
    registry.register_helper("element", Box::new(Element { html }));
    registry.register_helper(
        "date",
        Box::new(Date {
            words: words.clone(),
        }),
    );
    registry.register_helper(
        "list",
        Box::new(List {
            words: words.clone(),
        }),
    );
    registry.register_helper("plural", Box::new(Plural));
}

/// `{{#element "key"}}…{{/element}}`: renders its content and records `key` when the content
/// shows some text.
struct Element {
    html: bool,
}

impl HelperDef for Element {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let param = h
            .param(0)
            .ok_or(RenderErrorReason::ParamNotFoundForIndex("element", 0))?;
        let key = param.value().as_str().unwrap_or_default();
        if !is_element_key(key) {
            return Err(other(format!(
                "`{{{{#element}}}}` needs an element key such as \"what_happened\"; it was given {}",
                describe(param)
            )));
        }
        let Some(template) = h.template() else {
            return Err(other(format!(
                "`element` is a block: write {{{{#element \"{key}\"}}}}…{{{{/element}}}}"
            )));
        };
        let mut inner = StringOutput::new();
        template.render(r, ctx, rc, &mut inner)?;
        let rendered = inner.into_string()?;
        if record::is_visible(&rendered, self.html) {
            record::record(key);
        }
        out.write(&rendered)?;
        Ok(())
    }
}

/// Element keys are the rules pack's: lowercase `snake_case`.
fn is_element_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `{{date value}}`: a `YYYY-MM-DD` date, or an RFC 3339 timestamp's date, in the locale's
/// words.
struct Date {
    words: Arc<LocaleWords>,
}

impl HelperDef for Date {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let param = present_param(h, "date", 0)?;
        let date = param.value().as_str().and_then(parse_date).ok_or_else(|| {
            other(format!(
                "`{{{{date}}}}` needs a YYYY-MM-DD date; it was given {}",
                describe(param)
            ))
        })?;
        Ok(text(self.words.format_date(date)))
    }
}

/// `2026-03-03`, or the date of `2026-03-03T09:00:00+01:00` as written.
fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .or_else(|| {
            DateTime::parse_from_rfc3339(value)
                .ok()
                .map(|at| at.date_naive())
        })
}

/// `{{list items}}` (strings) or `{{list items "field"}}` (objects): `a, b and c`.
struct List {
    words: Arc<LocaleWords>,
}

impl HelperDef for List {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let param = present_param(h, "list", 0)?;
        let Some(items) = param.value().as_array() else {
            return Err(other(format!(
                "`{{{{list}}}}` needs a list; it was given {}",
                describe(param)
            )));
        };
        let field = match h.param(1) {
            None => None,
            Some(p) => Some(p.value().as_str().ok_or_else(|| {
                other(format!(
                    "`{{{{list}}}}` needs a field name in quotes; it was given {}",
                    describe(p)
                ))
            })?),
        };
        let words = items
            .iter()
            .map(|item| list_item(item, field, param))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(text(self.words.join_list(&words)))
    }
}

/// One item of a list in words: the item itself, or its `field`.
fn list_item(
    item: &Json,
    field: Option<&str>,
    list: &PathAndJson<'_>,
) -> Result<String, RenderError> {
    let value = match field {
        Some(field) => item.get(field).ok_or_else(|| {
            other(format!(
                "an item of {} has no `{field}`",
                describe_path(list)
            ))
        })?,
        None => item,
    };
    match value {
        Json::String(s) => Ok(s.clone()),
        Json::Number(n) => Ok(n.to_string()),
        _ if field.is_none() && item.is_object() => Err(other(format!(
            "{} holds objects: name the field to show, as in {{{{list items \"words\"}}}}",
            describe_path(list)
        ))),
        other_value => Err(other(format!(
            "an item of {} is {}, not words",
            describe_path(list),
            other_value.render()
        ))),
    }
}

/// `{{plural n "year" "years"}}`: the first word when `n` is 1, else the second.
struct Plural;

impl HelperDef for Plural {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let count = present_param(h, "plural", 0)?;
        let n = match count.value() {
            Json::Number(n) => n.as_f64(),
            Json::String(s) => s.replace(',', "").trim().parse::<f64>().ok(),
            _ => None,
        }
        .ok_or_else(|| {
            other(format!(
                "`{{{{plural}}}}` needs a number; it was given {}",
                describe(count)
            ))
        })?;
        let word = |index: usize| {
            h.param(index)
                .and_then(|p| p.value().as_str())
                .ok_or_else(|| {
                    other("`{{plural}}` needs two words in quotes: {{plural n \"year\" \"years\"}}")
                })
        };
        let (one, many) = (word(1)?, word(2)?);
        let is_one = (n - 1.0).abs() < f64::EPSILON;
        Ok(text(if is_one { one } else { many }.to_owned()))
    }
}

/// A helper's parameter at `index`, which must exist (strict mode).
fn present_param<'a, 'rc>(
    h: &'a Helper<'rc>,
    helper: &'static str,
    index: usize,
) -> Result<&'a PathAndJson<'rc>, RenderError> {
    let param = h
        .param(index)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex(helper, index))?;
    if param.is_value_missing() {
        return Err(RenderError::strict_error(param.relative_path()));
    }
    Ok(param)
}

/// `` `incident.discovered_on` (null) `` or `"soon"`: what a helper was given.
// A value read from the context may be personal data (a name, an email): errors name its
// path and its kind, never the value. A literal written in the template is shown as written.
fn describe(param: &PathAndJson<'_>) -> String {
    match param.relative_path() {
        Some(path) => format!("`{path}` ({})", kind_of(param.value())),
        None => short(param.value()),
    }
}

/// What kind of JSON value this is, in words.
fn kind_of(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a text",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// `` `exposed.categories` `` or `the list`.
fn describe_path(param: &PathAndJson<'_>) -> String {
    param
        .relative_path()
        .map_or_else(|| "the list".to_owned(), |path| format!("`{path}`"))
}

/// A value as JSON, cut short.
fn short(value: &Json) -> String {
    let json = value.to_string();
    match json.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &json[..cut]),
        None => json,
    }
}

fn text<'rc>(value: String) -> ScopedJson<'rc> {
    ScopedJson::Derived(Json::String(value))
}

fn other(message: impl Into<String>) -> RenderError {
    RenderErrorReason::Other(message.into()).into()
}
