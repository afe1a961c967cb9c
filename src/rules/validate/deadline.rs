//! A duty's deadline: hours, calendar or business days, or a standard in words, counted from
//! a known anchor event.

use std::ops::Range;

use super::super::model::{Deadline, Period};
use super::super::problem::Problems;
use super::super::raw::RawDeadline;
use super::super::vocab::Anchor;
use super::word;

/// `hours` or `days` (+ `business_days`) or neither with a `due_text`, from an `anchor`.
pub(super) fn deadline(
    p: &mut Problems,
    here: &str,
    d: &RawDeadline,
    at: Option<Range<usize>>,
) -> Option<Deadline> {
    let before = p.count();
    let anchor = word(
        p,
        &format!("{here}.anchor"),
        d.anchor.as_ref(),
        at.clone(),
        Anchor::parse,
        Anchor::expected,
    );
    let business = d.business_days.as_ref().is_some_and(|b| *b.get_ref());
    let period = match (&d.hours, &d.days) {
        (Some(h), Some(_)) => {
            p.add(
                Some(h.span()),
                format!("{here}.hours"),
                "give hours or days, not both",
            );
            None
        }
        (Some(h), None) => {
            if business {
                p.add(
                    Some(h.span()),
                    format!("{here}.business_days"),
                    "business days need `days`, not `hours`",
                );
            }
            match u32::try_from(*h.get_ref()) {
                Ok(n) if n >= 1 => Some(Period::Hours(n)),
                _ => {
                    p.add(Some(h.span()), format!("{here}.hours"), "must be 1 or more");
                    None
                }
            }
        }
        (None, Some(days)) => match u32::try_from(*days.get_ref()) {
            Ok(0) if business => {
                p.add(
                    Some(days.span()),
                    format!("{here}.days"),
                    "0 business days: use days = 0 without business_days",
                );
                None
            }
            Ok(0) if anchor.is_some_and(|a| a.is_discovery()) => {
                p.add(Some(days.span()), format!("{here}.days"), "days = 0 means 'no later than the anchor event'; it needs an anchor other than awareness or discovery");
                None
            }
            Ok(n) if business => Some(Period::BusinessDays(n)),
            Ok(n) => Some(Period::Days(n)),
            Err(_) => {
                p.add(
                    Some(days.span()),
                    format!("{here}.days"),
                    "must be 0 or more",
                );
                None
            }
        },
        (None, None) => {
            if let Some(b) = &d.business_days {
                p.add(
                    Some(b.span()),
                    format!("{here}.business_days"),
                    "business days need `days`",
                );
            }
            None
        }
    };
    let text = match &d.due_text {
        Some(t) if t.get_ref().trim().is_empty() => {
            p.add(
                Some(t.span()),
                format!("{here}.due_text"),
                "must not be blank",
            );
            None
        }
        Some(t) => Some(t.get_ref().trim().to_owned()),
        None if d.hours.is_none() && d.days.is_none() => {
            p.add(
                at,
                here,
                "has neither a deadline (hours or days) nor a due_text",
            );
            None
        }
        None => None,
    };
    if p.count() > before {
        return None;
    }
    let anchor = anchor?;
    let text = text.unwrap_or_else(|| generated_text(period, anchor));
    Some(Deadline {
        anchor,
        period,
        text,
    })
}

/// "Within 30 days after discovery of the breach."
fn generated_text(period: Option<Period>, anchor: Anchor) -> String {
    match period {
        Some(Period::Hours(n)) => format!("Within {n} hours after {}.", anchor.event()),
        Some(Period::Days(0)) => format!("No later than {}.", anchor.event()),
        Some(Period::Days(n)) => format!("Within {n} days after {}.", anchor.event()),
        Some(Period::BusinessDays(n)) => {
            format!("Within {n} business days after {}.", anchor.event())
        }
        None => format!("After {}.", anchor.event()),
    }
}
