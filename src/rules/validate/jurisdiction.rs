//! One jurisdiction file: its identity, sources and time zone, then each section in turn
//! (coverage and triggers in `coverage`, duties in `duty`, the rest in `sections`).

use std::collections::BTreeMap;
use std::ops::Range;
use std::str::FromStr;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::super::model::Jurisdiction;
use super::super::problem::Problems;
use super::super::raw::{RawJurisdiction, S};
use super::super::vocab::Verification;
use super::coverage::{coverage, triggers};
use super::sections::{elements, risk_of_harm, safe_harbor};
use super::{duty, required_text};

/// Checks one file; returns the jurisdiction (and where its code is) when the file has no
/// problem.
pub(super) fn check(
    p: &mut Problems,
    traits: &BTreeMap<String, String>,
) -> Option<(Jurisdiction, Range<usize>)> {
    let raw: RawJurisdiction = match toml::from_str(p.text()) {
        Ok(raw) => raw,
        Err(e) => {
            p.add(e.span(), "file", e.message().to_owned());
            return None;
        }
    };
    let before = p.count();
    let code = code(p, raw.code.as_ref());
    let name = required_text(p, "name", raw.name.as_ref(), None);
    let version = version(p, raw.version.as_ref());
    let verified_on = verified_on(p, raw.verified_on.as_ref());
    let verification = verification(p, raw.verification.as_ref());
    let citation = required_text(p, "citation", raw.citation.as_ref(), None);
    let sources = sources(p, raw.sources.as_ref());
    let time_zone = time_zone(p, raw.time_zone.as_ref());
    let covers = coverage(p, raw.covers.as_ref(), traits);
    let (triggers, triggers_note) = triggers(p, raw.triggers.as_ref());
    let duties = duty::check_all(p, &raw.duties);
    let safe_harbor = safe_harbor(p, &raw);
    let risk_of_harm = risk_of_harm(p, &raw);
    let notice_elements = elements(p, "notice_elements", &raw.notice_elements, true);
    let regulator_notice_elements = elements(
        p,
        "regulator_notice_elements",
        &raw.regulator_notice_elements,
        true,
    );
    let forbidden_statements =
        elements(p, "forbidden_statements", &raw.forbidden_statements, false);
    if p.count() > before {
        return None;
    }
    let (code, code_span) = code?;
    let jurisdiction = Jurisdiction {
        code,
        name: name?,
        version: version?,
        verified_on: verified_on?,
        verification: verification?,
        citation: citation?,
        sources,
        time_zone: time_zone?,
        notes: raw.notes,
        covers: covers?,
        triggers,
        triggers_note,
        safe_harbor: safe_harbor?,
        risk_of_harm: risk_of_harm?,
        duties,
        notice_elements,
        regulator_notice_elements,
        forbidden_statements,
        file: p.file().to_owned(),
    };
    Some((jurisdiction, code_span))
}

/// `code`: `XX` or `XX-PART…`, upper case (by convention the file is named after it).
fn code(p: &mut Problems, raw: Option<&S<String>>) -> Option<(String, Range<usize>)> {
    let value = required_text(p, "code", raw, None)?;
    let span = raw.map(|r| r.span()).unwrap_or_default();
    let mut parts = value.split('-');
    let country_ok = parts
        .next()
        .is_some_and(|c| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase()));
    let rest_ok = parts.all(|part| {
        !part.is_empty()
            && part
                .chars()
                .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
    });
    if !country_ok || !rest_ok {
        p.add(
            Some(span),
            "code",
            format!("`{value}` is not a code like `GB`, `US-CA` or `US-SEC-8K`"),
        );
        return None;
    }
    Some((value, span))
}

fn version(p: &mut Problems, raw: Option<&S<i64>>) -> Option<u32> {
    let Some(v) = raw else {
        p.add(None, "version", "missing");
        return None;
    };
    match u32::try_from(*v.get_ref()) {
        Ok(n) if n >= 1 => Some(n),
        _ => {
            p.add(
                Some(v.span()),
                "version",
                "must be a whole number, 1 or more",
            );
            None
        }
    }
}

fn verified_on(p: &mut Problems, raw: Option<&S<toml::value::Datetime>>) -> Option<NaiveDate> {
    let Some(v) = raw else {
        p.add(None, "verified_on", "missing");
        return None;
    };
    let dt = v.get_ref();
    let date = match (dt.date, dt.time, dt.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }
        _ => None,
    };
    if date.is_none() {
        p.add(
            Some(v.span()),
            "verified_on",
            "must be a plain date such as 2026-11-22",
        );
    }
    date
}

fn verification(p: &mut Problems, raw: Option<&S<String>>) -> Option<Verification> {
    let value = required_text(p, "verification", raw, None)?;
    let parsed = Verification::parse(&value);
    if parsed.is_none() {
        let span = raw.map(|r| r.span());
        p.add(
            span,
            "verification",
            format!(
                "unknown `{value}`; expected one of {}",
                Verification::expected()
            ),
        );
    }
    parsed
}

fn sources(p: &mut Problems, raw: Option<&S<Vec<S<String>>>>) -> Vec<String> {
    let Some(list) = raw else {
        p.add(
            None,
            "sources",
            "missing: list the URLs the facts come from",
        );
        return Vec::new();
    };
    if list.get_ref().is_empty() {
        p.add(Some(list.span()), "sources", "needs at least one URL");
    }
    let mut urls = Vec::new();
    for (i, url) in list.get_ref().iter().enumerate() {
        let text = url.get_ref();
        let web = text.starts_with("https://") || text.starts_with("http://");
        if !web || text.chars().any(char::is_whitespace) || text.len() < 12 {
            p.add(
                Some(url.span()),
                format!("sources[{i}]"),
                format!("`{text}` is not an http(s) URL"),
            );
        }
        urls.push(text.clone());
    }
    urls
}

fn time_zone(p: &mut Problems, raw: Option<&S<String>>) -> Option<Tz> {
    let value = required_text(p, "time_zone", raw, None)?;
    let parsed = Tz::from_str(&value).ok();
    if parsed.is_none() {
        p.add(
            raw.map(|r| r.span()),
            "time_zone",
            format!("`{value}` is not an IANA time zone such as America/New_York"),
        );
    }
    parsed
}
