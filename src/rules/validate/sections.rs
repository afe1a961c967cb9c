//! The encryption safe harbor, the risk-of-harm exemption and the notice content lists (with
//! the data that makes an element required).

use std::collections::BTreeSet;

use super::super::model::{NoticeElement, RiskOfHarm, SafeHarbor};
use super::super::problem::Problems;
use super::super::raw::{RawElement, RawJurisdiction, S};
use super::coverage::category_list;
use super::duty;
use super::{is_key, required_text};

/// `[encryption_safe_harbor]`: it removes only duties that exist.
pub(super) fn safe_harbor(p: &mut Problems, raw: &RawJurisdiction) -> Option<SafeHarbor> {
    let Some(table) = &raw.encryption_safe_harbor else {
        p.add(None, "encryption_safe_harbor", "missing");
        return None;
    };
    let h = table.get_ref();
    let Some(applies) = &h.applies else {
        p.add(
            Some(table.span()),
            "encryption_safe_harbor.applies",
            "missing",
        );
        return None;
    };
    let applies = *applies.get_ref();
    let ids: BTreeSet<&str> = raw
        .duties
        .iter()
        .filter_map(|d| d.get_ref().id.as_ref())
        .map(|id| id.get_ref().as_str())
        .collect();
    let mut removes = BTreeSet::new();
    for id in &h.removes {
        if !ids.contains(id.get_ref().as_str()) {
            p.add(
                Some(id.span()),
                "encryption_safe_harbor.removes",
                format!("no duty has the id `{}`", id.get_ref()),
            );
        }
        removes.insert(id.get_ref().clone());
    }
    if !applies && !removes.is_empty() {
        p.add(
            Some(table.span()),
            "encryption_safe_harbor.removes",
            "a safe harbor that does not apply cannot remove duties",
        );
    }
    if applies && removes.is_empty() {
        p.add(
            Some(table.span()),
            "encryption_safe_harbor.removes",
            "say which duties the safe harbor removes",
        );
    }
    Some(SafeHarbor {
        applies,
        removes,
        note: h.note.clone(),
    })
}

/// `[risk_of_harm]`: consistent with the duties' `risk_exempt_when`.
pub(super) fn risk_of_harm(p: &mut Problems, raw: &RawJurisdiction) -> Option<RiskOfHarm> {
    let Some(table) = &raw.risk_of_harm else {
        p.add(None, "risk_of_harm", "missing");
        return None;
    };
    let Some(exemption) = &table.get_ref().exemption else {
        p.add(Some(table.span()), "risk_of_harm.exemption", "missing");
        return None;
    };
    let exemption = *exemption.get_ref();
    let any_exempt = raw
        .duties
        .iter()
        .any(|d| !d.get_ref().risk_exempt_when.is_empty());
    if exemption && !any_exempt {
        p.add(
            Some(table.span()),
            "risk_of_harm.exemption",
            "no duty has risk_exempt_when: say which duties an assessment removes",
        );
    }
    if !exemption {
        for (i, d) in raw.duties.iter().enumerate() {
            if let Some(first) = d.get_ref().risk_exempt_when.first() {
                p.add(
                    Some(first.span()),
                    format!("{}.risk_exempt_when", duty::path(d.get_ref(), i)),
                    "the jurisdiction has no risk-of-harm exemption (risk_of_harm.exemption = false)",
                );
            }
        }
    }
    Some(RiskOfHarm {
        exemption,
        note: table.get_ref().note.clone(),
    })
}

/// Notice elements or forbidden statements: unique keys, some text, and known categories in
/// `when_any` where `conditional` allows it (forbidden statements are forbidden whatever the
/// data).
pub(super) fn elements(
    p: &mut Problems,
    field: &str,
    raw: &[S<RawElement>],
    conditional: bool,
) -> Vec<NoticeElement> {
    let mut out = Vec::new();
    let mut keys = BTreeSet::new();
    for (i, item) in raw.iter().enumerate() {
        let at = Some(item.span());
        let e = item.get_ref();
        let here = format!("{field}[{i}]");
        let key = required_text(p, &format!("{here}.key"), e.key.as_ref(), at.clone());
        let text = required_text(p, &format!("{here}.text"), e.text.as_ref(), at.clone());
        if let Some(key) = &key {
            if !is_key(key) {
                p.add(
                    at.clone(),
                    format!("{here}.key"),
                    "use lowercase letters, digits and underscores",
                );
            } else if !keys.insert(key.clone()) {
                p.add(
                    at.clone(),
                    format!("{here}.key"),
                    format!("`{key}` is listed twice"),
                );
            }
        }
        let when_any = match &e.when_any {
            None => Ok(None),
            Some(list) if !conditional => {
                p.add(
                    Some(list.span()),
                    format!("{here}.when_any"),
                    format!("`when_any` is not allowed in {field}"),
                );
                Err(())
            }
            Some(list) => category_list(p, &format!("{here}.when_any"), list)
                .map(Some)
                .ok_or(()),
        };
        if let (Some(key), Some(text), Ok(when_any)) = (key, text, when_any) {
            out.push(NoticeElement {
                key,
                text,
                when_any,
            });
        }
    }
    out
}
