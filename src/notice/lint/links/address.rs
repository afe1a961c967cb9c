//! Judging one link: an absolute `https` address with a real host, a `mailto:` with well-formed
//! addresses, or a `tel:` with a number people can dial; never `javascript:` or `data:`.

use url::{Host, Url};

use crate::domain::EmailAddress;
use crate::domain::notice::FindingSeverity;

/// What is wrong with a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    pub severity: FindingSeverity,
    pub code: &'static str,
    pub message: String,
    pub suggestion: &'static str,
}

fn error(code: &'static str, message: &str, suggestion: &'static str) -> Option<Problem> {
    Some(Problem {
        severity: FindingSeverity::Error,
        code,
        message: message.to_owned(),
        suggestion,
    })
}

/// The problem with `link`, if any.
pub(super) fn judge(link: &str) -> Option<Problem> {
    let link = link.trim();
    if link.is_empty() {
        return error(
            "links.empty",
            "A link has no address.",
            "Give the link a full https address, or remove it.",
        );
    }
    let Some((scheme, rest)) = link
        .split_once(':')
        .filter(|(s, _)| is_scheme(s))
        .map(|(s, r)| (s.to_ascii_lowercase(), r))
    else {
        return error(
            "links.not_absolute",
            "A link is not a full address: it has no https:// (or mailto:, tel:) in front.",
            "Write the full address, starting with https://, so it works in every mail program.",
        );
    };
    match scheme.as_str() {
        "http" | "https" => web(link, &scheme),
        "mailto" => mailto(rest),
        "tel" => tel(rest),
        "javascript" | "data" | "vbscript" | "file" => error(
            "links.unsafe_scheme",
            &format!(
                "A link uses `{scheme}:`, which mail programs block and people should not trust."
            ),
            "Link to an https page instead.",
        ),
        _ => error(
            "links.unsupported_scheme",
            &format!(
                "A link uses `{scheme}:`; notices link only to https pages, email addresses and phone numbers."
            ),
            "Link to an https page instead.",
        ),
    }
}

fn is_scheme(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
}

fn web(link: &str, scheme: &str) -> Option<Problem> {
    let malformed = || {
        error(
            "links.malformed",
            "A web address is malformed or has no real host name.",
            "Check the address: it should look like https://www.example.com/help (a template value may be missing).",
        )
    };
    let Ok(url) = Url::parse(link) else {
        return malformed();
    };
    let local = match url.host() {
        None => return malformed(),
        Some(Host::Domain("localhost")) => true,
        Some(Host::Domain(d)) if !d.contains('.') || d.starts_with('.') || d.ends_with('.') => {
            return malformed();
        }
        Some(Host::Domain(_)) => false,
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
    };
    if scheme == "http" && !local {
        return Some(Problem {
            severity: FindingSeverity::Warning,
            code: "links.insecure",
            message: "A link uses plain http://, which is not encrypted and looks like phishing."
                .to_owned(),
            suggestion: "Use https://.",
        });
    }
    None
}

fn mailto(rest: &str) -> Option<Problem> {
    let addresses = rest.split('?').next().unwrap_or_default();
    let decoded = percent_decode(addresses);
    let all_ok = !decoded.trim().is_empty()
        && decoded
            .split(',')
            .all(|a| EmailAddress::parse(a.trim()).is_ok());
    if all_ok {
        None
    } else {
        error(
            "links.bad_mailto",
            "A mailto: link does not hold a well-formed email address.",
            "Write it as mailto:help@example.com.",
        )
    }
}

fn tel(rest: &str) -> Option<Problem> {
    let number = rest.split(';').next().unwrap_or_default();
    if plausible_phone(&percent_decode(number)) {
        None
    } else {
        error(
            "links.bad_tel",
            "A tel: link does not hold a phone number people can dial.",
            "Write it as tel:+18005550100 (7 to 15 digits, with a leading + for international numbers).",
        )
    }
}

/// Whether `number` is a number people can dial: 7 to 15 digits, an optional leading `+`,
/// spaces, dashes, dots, slashes or brackets between them, and an optional extension.
pub(super) fn plausible_phone(number: &str) -> bool {
    let lower = number.trim().to_ascii_lowercase();
    let main = ["ext.", "ext", " x"]
        .iter()
        .find_map(|sep| lower.split_once(sep))
        .map_or(lower.as_str(), |(main, ext)| {
            if ext.trim().chars().all(|c| c.is_ascii_digit()) {
                main
            } else {
                ""
            }
        });
    let main = main.trim();
    let body = main.strip_prefix('+').unwrap_or(main);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    body.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '/'))
        && (7..=15).contains(&digits)
}

/// Decodes `%XX` escapes; a broken escape is kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
