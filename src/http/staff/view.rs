//! The staff pages' templates, embedded and compiled once (strict Handlebars, HTML escaping),
//! and rendering a page inside the layout with the signed-in person and their form token.

use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use handlebars::Handlebars;
use serde_json::{Value, json};

use super::session::Staff;
use crate::app::AppState;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout", include_str!("templates/layout.hbs")),
    ("login", include_str!("templates/login.hbs")),
    ("incidents", include_str!("templates/incidents.hbs")),
    ("room", include_str!("templates/room.hbs")),
    // The incident room's sections, one partial each (`{{> section_NAME}}`).
    (
        "section_header",
        include_str!("templates/sections/header.hbs"),
    ),
    (
        "section_deadlines",
        include_str!("templates/sections/deadlines.hbs"),
    ),
    (
        "section_playbook",
        include_str!("templates/sections/playbook.hbs"),
    ),
    (
        "section_timeline",
        include_str!("templates/sections/timeline.hbs"),
    ),
    (
        "section_scope",
        include_str!("templates/sections/scope.hbs"),
    ),
    (
        "section_delivery",
        include_str!("templates/sections/delivery.hbs"),
    ),
    (
        "section_notices",
        include_str!("templates/sections/notices.hbs"),
    ),
    (
        "section_survey",
        include_str!("templates/sections/survey.hbs"),
    ),
    (
        "notice_preview",
        include_str!("templates/notice_preview.hbs"),
    ),
    // The notice edit page, and its words form (a partial the room's notices section shares).
    ("notice_edit", include_str!("templates/notice_edit.hbs")),
    (
        "notice_words_form",
        include_str!("templates/notice_words_form.hbs"),
    ),
    ("problem", include_str!("templates/problem.hbs")),
    ("inventory", include_str!("templates/inventory.hbs")),
    (
        "inventory_import",
        include_str!("templates/inventory_import.hbs"),
    ),
    ("audit", include_str!("templates/audit.hbs")),
    // The new incident page, a playbook task's page, and the incident facts' fields they and
    // the room's header share (`{{> incident_fields}}`).
    ("new_incident", include_str!("templates/new_incident.hbs")),
    ("task", include_str!("templates/task.hbs")),
    (
        "incident_fields",
        include_str!("templates/partials/incident_fields.hbs"),
    ),
];

/// Shown when a page cannot be rendered at all.
const FALLBACK: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
    <title>Something went wrong</title></head><body><h1>Something went wrong</h1>\
    <p>Candor could not show this page. Try again in a moment; the event is logged.</p>\
    </body></html>";

fn registry() -> Option<&'static Handlebars<'static>> {
    static PAGES: OnceLock<Result<Handlebars<'static>, String>> = OnceLock::new();
    match PAGES.get_or_init(build) {
        Ok(registry) => Some(registry),
        Err(e) => {
            tracing::error!(error = %e, "the staff page templates do not compile");
            None
        }
    }
}

fn build() -> Result<Handlebars<'static>, String> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    for (name, text) in TEMPLATES {
        registry
            .register_template_string(name, *text)
            .map_err(|e| format!("{name}.hbs: {e}"))?;
    }
    Ok(registry)
}

/// Compiles the templates now (at startup) rather than on the first visit.
pub(super) fn warm() {
    if registry().is_none() {
        tracing::error!("the staff pages will answer with an error page");
    }
}

/// Renders `template` with `data` (an object) and, when someone is signed in, who they are
/// and their form token.
pub(super) fn page(
    state: &AppState,
    staff: Option<&Staff>,
    status: StatusCode,
    template: &str,
    mut data: Value,
) -> Response {
    if let (Value::Object(map), Some(staff)) = (&mut data, staff) {
        map.insert(
            "me".into(),
            json!({
                "email": staff.user.email.as_str(),
                "roles": staff.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            }),
        );
        map.insert("csrf".into(), Value::String(staff.csrf(&state.pepper)));
    }
    let Some(registry) = registry() else {
        return fallback();
    };
    match registry.render(template, &data) {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(template, error = %e, "a staff page did not render");
            fallback()
        }
    }
}

/// A plain page saying what went wrong (no data of the request in it).
pub(super) fn problem(
    state: &AppState,
    staff: Option<&Staff>,
    status: StatusCode,
    message: &str,
) -> Response {
    let title = status.canonical_reason().unwrap_or("Problem");
    page(
        state,
        staff,
        status,
        "problem",
        json!({ "title": title, "message": message }),
    )
}

/// The answer when the templates do not compile.
pub(super) fn fallback() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, Html(FALLBACK)).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_staff_pages_compile() {
        super::build().expect("the staff pages compile");
    }
}
