//! The links and contact check: every link in a notice is an absolute, safe address people can
//! follow (web, `mailto:` or `tel:`), and the notice names a person or team with at least one
//! well-formed way to reach them.

mod address;

#[cfg(test)]
mod tests;

use std::sync::LazyLock;

use regex::Regex;

use self::address::{Problem, judge, plausible_phone};
use crate::domain::EmailAddress;
use crate::domain::notice::{Finding, FindingSeverity, LintRule, Location, Part};

/// Who people reach with questions, as the notice shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactDetails {
    /// A person or team (`Maria Lopez, Customer Care`).
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// A web page about the incident or for help.
    pub url: Option<String>,
}

/// `href` and `src` attributes, quoted or not.
static ATTRIBUTE: LazyLock<Result<Regex, regex::Error>> =
    LazyLock::new(|| Regex::new(r#"(?i)\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#));

/// Addresses written out in text: a scheme followed by at least one non-space character.
static TEXT_LINK: LazyLock<Result<Regex, regex::Error>> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:[a-z][a-z0-9+.-]*://|mailto:|tel:|javascript:|data:)[^\s<>"“”]+"#)
});

/// Findings for the links in the text and HTML bodies (HTML may be empty) and for the
/// contact details.
pub fn check(text: &str, html: &str, contact: &ContactDetails) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    for (link, part) in html_links(html)
        .into_iter()
        .map(|l| (l, Part::Html))
        .chain(text_links(text).into_iter().map(|l| (l, Part::Text)))
    {
        if let Some(problem) = judge(&link) {
            let finding = problem.finding(Some(part), Some(shown(&link)));
            if !found.contains(&finding) {
                found.push(finding);
            }
        }
    }
    found.extend(contact_findings(contact));
    found
}

/// The `href` and `src` values of `html`, entities decoded.
fn html_links(html: &str) -> Vec<String> {
    let Ok(attribute) = ATTRIBUTE.as_ref() else {
        return Vec::new();
    };
    attribute
        .captures_iter(html)
        .filter_map(|c| c.get(1).or(c.get(2)).or(c.get(3)))
        .map(|m| decode_entities(m.as_str().trim()))
        .collect()
}

/// The addresses written out in `text`, without the punctuation that ends a sentence.
fn text_links(text: &str) -> Vec<String> {
    let Ok(link) = TEXT_LINK.as_ref() else {
        return Vec::new();
    };
    link.find_iter(text)
        .map(|m| {
            let mut s = m.as_str();
            loop {
                let unbalanced =
                    s.ends_with(')') && s.matches('(').count() < s.matches(')').count();
                if s.ends_with(['.', ',', ';', ':', '!', '?', '\'', '’']) || unbalanced {
                    s = &s[..s.len() - 1];
                } else {
                    break s.to_owned();
                }
            }
        })
        .collect()
}

fn decode_entities(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A link as a finding may quote it: without its query, which may hold a personal token.
fn shown(link: &str) -> String {
    let base = match link.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => link.to_owned(),
    };
    if base.chars().count() > 80 {
        format!("{}…", base.chars().take(79).collect::<String>())
    } else {
        base
    }
}

/// A contact field with something in it.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn contact_findings(contact: &ContactDetails) -> Vec<Finding> {
    let (email, phone, url) = (
        present(&contact.email),
        present(&contact.phone),
        present(&contact.url),
    );
    let mut found = Vec::new();
    if contact.name.trim().is_empty() {
        found.push(contact_problem(
            "links.contact_name",
            "The contact has no name.",
            "Name the person or team people will reach: “Maria Lopez, Customer Care”.",
        ));
    }
    if email.is_none() && phone.is_none() && url.is_none() {
        found.push(contact_problem(
            "links.no_contact",
            "The contact has no email address, phone number or web page: people must be able to reach a person.",
            "Give at least one way to reach a person, ideally a phone number with opening hours.",
        ));
    }
    if let Some(email) = email
        && EmailAddress::parse(email).is_err()
    {
        found.push(contact_problem(
            "links.contact_email",
            "The contact email address is not a valid address.",
            "Write a full address such as help@example.com.",
        ));
    }
    if let Some(phone) = phone
        && !plausible_phone(phone)
    {
        found.push(contact_problem(
            "links.contact_phone",
            "The contact phone number is not a phone number people can dial.",
            "Write 7 to 15 digits, with an optional leading + and spaces, dashes or brackets.",
        ));
    }
    if let Some(url) = url {
        match judge(url) {
            Some(p) if p.severity == FindingSeverity::Warning => {
                found.push(p.finding(None, Some(shown(url))))
            }
            Some(_) => found.push(contact_problem(
                "links.contact_url",
                "The contact web page is not a full https address.",
                "Write the full address, starting with https://.",
            )),
            None => {}
        }
    }
    found
}

fn contact_problem(code: &'static str, message: &str, suggestion: &'static str) -> Finding {
    Problem {
        severity: FindingSeverity::Error,
        code,
        message: message.to_owned(),
        suggestion,
    }
    .finding(None, None)
}

impl Problem {
    fn finding(self, part: Option<Part>, excerpt: Option<String>) -> Finding {
        Finding {
            rule: LintRule::Links,
            severity: self.severity,
            code: self.code.to_owned(),
            message: self.message,
            location: Location {
                file: None,
                line: None,
                part,
                excerpt,
            },
            suggestion: self.suggestion.to_owned(),
        }
    }
}
