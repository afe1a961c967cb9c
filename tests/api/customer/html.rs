//! A browser-free look at the pages' HTML: the tags and their attributes (the pages escape
//! every `<`, `>` and `"` in values, so a plain scan finds the markup), and the accessibility
//! rules the pages keep: one `h1` and no skipped heading level, `<html lang>`, a label for
//! every field, radios in a fieldset with a legend, `aria-describedby` pointing at something,
//! and no inline style or script.

/// One tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    pub closing: bool,
    pub attrs: Vec<(String, String)>,
}

impl Tag {
    /// An attribute's value (`""` for a bare attribute).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The tags of a document, in order (comments and the doctype left out).
pub fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let Some(end) = rest.find('>') else { break };
        let inner = &rest[..end];
        rest = &rest[end + 1..];
        if inner.starts_with('!') {
            continue;
        }
        let closing = inner.starts_with('/');
        let inner = inner.trim_start_matches('/').trim_end_matches('/');
        let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
        out.push(Tag {
            name: inner[..name_end].to_ascii_lowercase(),
            closing,
            attrs: attributes(&inner[name_end..]),
        });
    }
    out
}

fn attributes(mut text: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return attrs;
        }
        let name_end = text
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(text.len());
        let name = text[..name_end].to_ascii_lowercase();
        text = &text[name_end..];
        let value = if let Some(after) = text.strip_prefix('=') {
            if let Some(quoted) = after.strip_prefix('"') {
                let end = quoted.find('"').unwrap_or(quoted.len());
                text = quoted.get(end + 1..).unwrap_or("");
                quoted[..end].to_owned()
            } else {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                text = &after[end..];
                after[..end].to_owned()
            }
        } else {
            String::new()
        };
        attrs.push((name, value));
    }
}

/// The value of the input named `name`.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    tags(html)
        .into_iter()
        .find(|t| t.name == "input" && !t.closing && t.attr("name") == Some(name))
        .and_then(|t| t.attr("value").map(str::to_owned))
}

/// The values of the checked radios named `name`.
pub fn checked(html: &str, name: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .filter(|t| t.name == "input" && t.attr("name") == Some(name))
        .filter(|t| t.attr("checked").is_some())
        .filter_map(|t| t.attr("value").map(str::to_owned))
        .collect()
}

/// The text of the textarea with `id` (as the page escaped it).
pub fn textarea(html: &str, id: &str) -> Option<String> {
    let open = format!("<textarea id=\"{id}\"");
    let start = html.find(&open)?;
    let body = &html[start..];
    let body = &body[body.find('>')? + 1..];
    Some(body[..body.find("</textarea>")?].to_owned())
}

/// Every rule the pages keep, as a list of what is broken (empty: all kept).
pub fn accessibility_problems(html: &str, lang: &str) -> Vec<String> {
    let tags = tags(html);
    let mut problems = Vec::new();
    let html_tag = tags.iter().find(|t| t.name == "html" && !t.closing);
    if html_tag.and_then(|t| t.attr("lang")) != Some(lang) {
        problems.push(format!("<html lang> is not {lang:?}"));
    }
    problems.extend(heading_problems(&tags));
    problems.extend(field_problems(&tags));
    let ids: Vec<&str> = tags.iter().filter_map(|t| t.attr("id")).collect();
    for tag in &tags {
        if tag.attr("style").is_some() || tag.name == "script" || tag.name == "style" {
            problems.push(format!("inline style or script on <{}>", tag.name));
        }
        for described in tag
            .attr("aria-describedby")
            .into_iter()
            .flat_map(str::split_whitespace)
        {
            if !ids.contains(&described) {
                problems.push(format!("aria-describedby names no element: {described}"));
            }
        }
    }
    problems
}

fn heading_problems(tags: &[Tag]) -> Vec<String> {
    let mut problems = Vec::new();
    let levels: Vec<u8> = tags
        .iter()
        .filter(|t| !t.closing && t.name.len() == 2 && t.name.starts_with('h'))
        .filter_map(|t| t.name[1..].parse().ok())
        .collect();
    if levels.iter().filter(|l| **l == 1).count() != 1 || levels.first() != Some(&1) {
        problems.push(format!("not exactly one h1 first: {levels:?}"));
    }
    for pair in levels.windows(2) {
        if pair[1] > pair[0] + 1 {
            problems.push(format!(
                "heading level skipped: h{} then h{}",
                pair[0], pair[1]
            ));
        }
    }
    problems
}

/// Labels for every field; radios inside a fieldset whose legend comes first.
fn field_problems(tags: &[Tag]) -> Vec<String> {
    let mut problems = Vec::new();
    let labelled: Vec<&str> = tags
        .iter()
        .filter(|t| t.name == "label" && !t.closing)
        .filter_map(|t| t.attr("for"))
        .collect();
    let mut fieldsets: Vec<bool> = Vec::new();
    let mut in_label = 0usize;
    for tag in tags {
        match (tag.name.as_str(), tag.closing) {
            ("fieldset", false) => fieldsets.push(false),
            ("fieldset", true) => {
                fieldsets.pop();
            }
            ("legend", false) => {
                if let Some(has) = fieldsets.last_mut() {
                    *has = true;
                }
            }
            ("label", false) => in_label += 1,
            ("label", true) => in_label = in_label.saturating_sub(1),
            ("input" | "select" | "textarea", false) => {
                let kind = tag.attr("type").unwrap_or("text");
                if matches!(kind, "hidden" | "submit" | "button") {
                    continue;
                }
                let id = tag.attr("id").unwrap_or("");
                if in_label == 0 && (id.is_empty() || !labelled.contains(&id)) {
                    problems.push(format!(
                        "<{} name={:?}> has no label",
                        tag.name,
                        tag.attr("name")
                    ));
                }
                if kind == "radio" && fieldsets.last() != Some(&true) {
                    problems.push(format!("radio {id:?} is not in a fieldset with a legend"));
                }
            }
            _ => {}
        }
    }
    problems
}

#[test]
fn the_checker_finds_what_a_page_gets_wrong() {
    let good = r#"<html lang="en"><h1>A</h1><h2>B</h2><form><fieldset><legend>L</legend>
        <input type="radio" id="r1" name="r" value="1" checked><label for="r1">1</label></fieldset>
        <label>Note <textarea name="n"></textarea></label><input type="hidden" name="csrf" value="x">
        </form>"#;
    assert_eq!(accessibility_problems(good, "en"), Vec::<String>::new());
    assert_eq!(checked(good, "r"), vec!["1"]);
    assert_eq!(input_value(good, "csrf").as_deref(), Some("x"));
    let bad = r#"<html lang="es"><h2>B</h2><h1>A</h1><h4>C</h4><p style="x">
        <input type="radio" id="r1" name="r"><input type="text" id="t" aria-describedby="gone">"#;
    let problems = accessibility_problems(bad, "en");
    assert_eq!(problems.len(), 8, "{problems:#?}");
}
