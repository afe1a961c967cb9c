//! One step: its common fields and which of task, gate or action it is (an action's
//! parameters are `action`'s business). What it says about other steps is kept for `graph`.

use std::ops::Range;
use std::str::FromStr;

use super::super::problem::Problems;
use super::super::raw::{RawStep, S};
use super::super::syntax::{condition, due, is_kebab, is_question};
use super::{Context, expected, required_text, word};
use crate::domain::Role;
use crate::domain::playbook::{Anchor, Due, Step, StepKind};

/// A step as the rest of the playbook sees it, whether or not its own fields passed.
pub(super) struct Node {
    /// `steps.<id>`, or `steps[<index>]` when the id is unusable.
    pub field: String,
    /// The `[[steps]]` table.
    pub span: Range<usize>,
    pub id: Option<(String, Range<usize>)>,
    pub needs: Vec<(String, Range<usize>)>,
    /// A `step:` anchor of the due time.
    pub due_step: Option<(String, Range<usize>)>,
    pub condition: Option<((String, bool), Range<usize>)>,
    /// The question a gate decides.
    pub decides: Option<String>,
    /// The playbook a `start_playbook` action names.
    pub start: Option<(String, Range<usize>)>,
    /// The validated step, when none of its own fields has a problem.
    pub step: Option<Step>,
}

/// Checks the step at `index`.
pub(super) fn check(p: &mut Problems, index: usize, raw: &S<RawStep>, ctx: &Context) -> Node {
    let (span, raw) = (raw.span(), raw.get_ref());
    let before = p.count();
    let id = step_id(p, index, raw.id.as_ref(), &span);
    let field = match &id {
        Some((id, _)) => format!("steps.{id}"),
        None => format!("steps[{index}]"),
    };
    let at = |name: &str| format!("{field}.{name}");
    let title = required_text(p, &at("title"), raw.title.as_ref(), Some(span.clone()));
    let owner = owner(p, &at("owner"), raw.owner.as_ref(), &span);
    let needs = needs(p, &at("needs"), raw);
    let due = parsed(p, &at("due"), raw.due.as_ref(), due);
    let condition = parsed(p, &at("when"), raw.when.as_ref(), condition);
    let kind = kind(p, &field, raw, &span, ctx);
    let step = match (&id, title, owner, kind) {
        (Some((id, _)), Some(title), Some(owner), Some(kind)) if p.count() == before => {
            Some(Step {
                id: id.clone(),
                title,
                owner,
                needs: needs.iter().map(|(n, _)| n.clone()).collect(),
                due: due.as_ref().map(|(d, _)| d.clone()),
                condition: condition.as_ref().map(|(c, _)| c.clone()),
                kind,
            })
        }
        _ => None,
    };
    Node {
        due_step: due.and_then(|(d, s)| step_anchor(d).map(|id| (id, s))),
        // Read from the file even when the step has other problems, so that one mistake
        // is not reported again as a condition no gate decides, or a playbook never started.
        decides: raw
            .decides
            .as_ref()
            .filter(|q| raw.gate.is_some() && is_question(q.get_ref()))
            .map(|q| q.get_ref().clone()),
        start: raw
            .playbook
            .as_ref()
            .filter(|id| action_is(raw, "start_playbook") && is_kebab(id.get_ref()))
            .map(|id| (id.get_ref().clone(), id.span())),
        field,
        span,
        id,
        needs,
        condition,
        step,
    }
}

/// The step a due time counts from, if it counts from one.
fn step_anchor(due: Due) -> Option<String> {
    match due.anchor {
        Anchor::Step(id) => Some(id),
        _ => None,
    }
}

/// An optional field in one of the small languages of `syntax`, with its place.
fn parsed<T>(
    p: &mut Problems,
    field: &str,
    raw: Option<&S<String>>,
    parse: fn(&str) -> Result<T, String>,
) -> Option<(T, Range<usize>)> {
    let raw = raw?;
    match parse(raw.get_ref()) {
        Ok(value) => Some((value, raw.span())),
        Err(reason) => {
            p.add(Some(raw.span()), field, reason);
            None
        }
    }
}

/// `owner`: a role, required.
fn owner(
    p: &mut Problems,
    field: &str,
    raw: Option<&S<String>>,
    table: &Range<usize>,
) -> Option<Role> {
    let Some(raw) = raw else {
        p.add(Some(table.clone()), field, "missing");
        return None;
    };
    word(p, field, raw, Role::from_str, &expected(&Role::ALL))
}

/// Whether the step is this action.
fn action_is(raw: &RawStep, key: &str) -> bool {
    raw.action.as_ref().is_some_and(|a| a.get_ref() == key)
}

/// The step's `id`: present and kebab-case.
fn step_id(
    p: &mut Problems,
    index: usize,
    raw: Option<&S<String>>,
    table: &Range<usize>,
) -> Option<(String, Range<usize>)> {
    let field = format!("steps[{index}].id");
    let id = required_text(p, &field, raw, Some(table.clone()))?;
    let span = raw.map(S::span)?;
    if !is_kebab(&id) {
        p.add(
            Some(span),
            field,
            format!("`{id}` is not kebab-case (lowercase words joined by `-`)"),
        );
        return None;
    }
    Some((id, span))
}

/// `needs`: step ids (whether they exist is `graph`'s business).
fn needs(p: &mut Problems, field: &str, raw: &RawStep) -> Vec<(String, Range<usize>)> {
    let Some(list) = &raw.needs else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for need in list.get_ref() {
        if is_kebab(need.get_ref()) {
            out.push((need.get_ref().clone(), need.span()));
        } else {
            p.add(
                Some(need.span()),
                field,
                format!("`{}` is not a step id", need.get_ref()),
            );
        }
    }
    out
}

/// Which of task, gate or action the step is, and its parameters.
fn kind(
    p: &mut Problems,
    field: &str,
    raw: &RawStep,
    span: &Range<usize>,
    ctx: &Context,
) -> Option<StepKind> {
    let given: Vec<&str> = [
        ("task", raw.task.is_some()),
        ("gate", raw.gate.is_some()),
        ("action", raw.action.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect();
    let action_key = raw.action.as_ref().map(|a| a.get_ref().as_str());
    super::action::wrong_parameters(p, field, raw, action_key);
    if let (Some(decides), None) = (&raw.decides, &raw.gate) {
        p.add(
            Some(decides.span()),
            format!("{field}.decides"),
            "only a gate decides a question; add `gate = \"<role>\"` or remove `decides`",
        );
    }
    match given.as_slice() {
        [] => {
            p.add(
                Some(span.clone()),
                field,
                "say what the step is: `task = [...]`, `gate = \"<role>\"` or `action = \"...\"`",
            );
            None
        }
        ["task"] => Some(StepKind::Task {
            checklist: task(p, field, raw)?,
        }),
        ["gate"] => gate(p, field, raw),
        ["action"] => super::action::action(p, field, raw, ctx).map(StepKind::Action),
        several => {
            p.add(
                Some(span.clone()),
                field,
                format!(
                    "a step is one of task, gate or action, not {}",
                    several.join(" and ")
                ),
            );
            None
        }
    }
}

/// `task`: the checklist, no item blank.
fn task(p: &mut Problems, field: &str, raw: &RawStep) -> Option<Vec<String>> {
    let list = raw.task.as_ref()?;
    let mut items = Vec::new();
    for item in list.get_ref() {
        match item.get_ref().trim() {
            "" => p.add(
                Some(item.span()),
                format!("{field}.task"),
                "a checklist item must not be blank",
            ),
            text => items.push(text.to_owned()),
        }
    }
    Some(items)
}

/// `gate` and `decides`.
fn gate(p: &mut Problems, field: &str, raw: &RawStep) -> Option<StepKind> {
    let role_field = format!("{field}.gate");
    let role = word(
        p,
        &role_field,
        raw.gate.as_ref()?,
        Role::from_str,
        &expected(&Role::ALL),
    );
    let decides = match &raw.decides {
        Some(q) if !is_question(q.get_ref()) => {
            p.add(
                Some(q.span()),
                format!("{field}.decides"),
                format!(
                    "`{}` is not a question key (lowercase letters, digits and `_`)",
                    q.get_ref()
                ),
            );
            return None;
        }
        Some(q) => Some(q.get_ref().clone()),
        None => None,
    };
    Some(StepKind::Gate {
        role: role?,
        decides,
    })
}
