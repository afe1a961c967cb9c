//! The notice edit page (`/incidents/{id}/notices/{nid}/edit`): a draft's words in a form
//! prefilled with the current ones and saved through the edit use-case, and the template
//! files its kind uses, each with the incident's own copy marked and compared line by line
//! with the shipped file, kept or dropped through the template use-cases. The incident team
//! (responders and CX leads, as in the API) edits; others see the forms disabled with the
//! reason. A refused save shows the page again with the reason and everything typed.

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::SecondsFormat;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::incidents::failed;
use super::super::session::Staff;
use super::super::view;
use super::line_diff::diff;
use super::notice_words::{WordsForm, edit_form, sentences};
use super::notices::on_team;
use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::pages::guard::same_origin;
use crate::notice::drafts::{self, Notice, NoticeError, TemplateFile};

/// Why someone outside the incident team cannot edit.
pub(super) const NOT_TEAM: &str = "Only responders and CX leads edit notices.";

/// What the page shows beyond the draft: what was typed, the file chosen, and the outcome.
#[derive(Default)]
struct Typed {
    words: Option<WordsForm>,
    file: Option<String>,
    file_text: Option<String>,
    error: Option<String>,
    problems: Vec<String>,
    done: Option<&'static str>,
}

/// The page's query: the template file to open, and what was just saved.
#[derive(Debug, Default, Deserialize)]
pub(in super::super) struct Shown {
    file: Option<String>,
    saved: Option<String>,
}

/// The edit page (any staff may read it; the incident team edits).
pub(in super::super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(ids): Path<(Uuid, Uuid)>,
    Query(shown): Query<Shown>,
) -> Response {
    let done = match shown.saved.as_deref() {
        Some("words") => Some(
            "The words were saved. Lint the notice again; it needs a CX lead's approval before it is sent.",
        ),
        Some("template") => Some("This incident's copy of the file was saved."),
        Some("reverted") => Some("The file is back to the shipped one."),
        _ => None,
    };
    let typed = Typed {
        file: shown.file,
        done,
        ..Typed::default()
    };
    render(&state, &staff, ids, StatusCode::OK, typed).await
}

async fn render(
    state: &AppState,
    staff: &Staff,
    (id, nid): (Uuid, Uuid),
    status: StatusCode,
    typed: Typed,
) -> Response {
    let (config, rules, now) = (&state.notices, &state.obligations, state.clock.now());
    let notice = match drafts::get(&state.db, config, rules, id, nid, now).await {
        Ok(n) => n,
        Err(e) => return unreadable(state, staff, e),
    };
    let files = match drafts::templates(&state.db, config, id, nid).await {
        Ok(files) => files,
        Err(e) => return unreadable(state, staff, e),
    };
    let shipped = match config.base_templates() {
        Ok(set) => set,
        Err(e) => return failed(state, staff, &e),
    };
    let chosen = typed
        .file
        .as_deref()
        .and_then(|path| files.iter().find(|f| f.path == path));
    let file = chosen.map(|f| {
        json!({
            "path": f.path,
            "edited": f.edited,
            "content": typed.file_text.clone().unwrap_or_else(|| f.content.clone()),
        })
    });
    let shown: Vec<Value> = files
        .iter()
        .map(|f| {
            file_view(
                f,
                shipped.get(&f.path),
                chosen.is_some_and(|c| c.path == f.path),
            )
        })
        .collect();
    let form = edit_form(staff, &notice, typed.words);
    let data = json!({
        "title": format!("Edit the {} notice", notice.kind),
        "incident_id": id,
        "notice": summary(&notice),
        "form": form,
        "files": shown,
        "any_edited": files.iter().any(|f| f.edited),
        "file": file,
        "may_edit": form["may_edit"],
        "why_not": form["why_not"],
        "error": typed.error,
        "problems": typed.problems,
        "done": typed.done,
    });
    view::page(state, Some(staff), status, "notice_edit", data)
}

/// The page for a draft that cannot be read: no such notice, or the reason.
fn unreadable(state: &AppState, staff: &Staff, e: NoticeError) -> Response {
    match e {
        NoticeError::NotFound | NoticeError::IncidentNotFound => {
            view::problem(state, Some(staff), StatusCode::NOT_FOUND, "No such notice.")
        }
        e => failed(state, staff, &e),
    }
}

/// The draft's status and what a save does to its approval.
fn summary(n: &Notice) -> Value {
    json!({
        "id": n.id,
        "kind": n.kind.as_str(),
        "status": n.status.as_str(),
        "version": n.version,
        "edited_at": n.edited_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "approved": n.approval.is_some(),
        "voided": n.voided_reason,
    })
}

/// A template file in the list: whether the incident has its own copy, and how it differs
/// from the shipped file.
fn file_view(f: &TemplateFile, shipped: Option<&str>, chosen: bool) -> Value {
    let compared = match (f.edited, shipped) {
        (true, Some(base)) => diff(base, &f.content),
        _ => None,
    };
    json!({
        "path": f.path,
        "edited": f.edited,
        "chosen": chosen,
        "link": format!("?{}", query(&[("file", &f.path)])),
        "diff": compared,
        "too_long": f.edited && shipped.is_some() && compared.is_none(),
        "new_file": f.edited && shipped.is_none(),
    })
}

fn query(pairs: &[(&str, &str)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

/// Whether a form came from Candor's own page with the session's token.
fn genuine(state: &AppState, staff: &Staff, headers: &HeaderMap, csrf: Option<&str>) -> bool {
    same_origin(headers, &state.notices.public_url) && staff.csrf_ok(&state.pepper, csrf)
}

const EXPIRED: &str = "That form had expired or came from elsewhere; nothing was saved. Your words are kept below: save again.";

/// The words form as posted.
#[derive(Deserialize)]
pub(in super::super) struct WordsPost {
    csrf: Option<String>,
    #[serde(flatten)]
    words: WordsForm,
}

/// Saves a draft's words through the edit use-case (the incident team).
pub(in super::super) async fn save_words(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, nid)): Path<(Uuid, Uuid)>,
    Form(post): Form<WordsPost>,
) -> Response {
    let mut words = post.words;
    let refuse = |status, error: String, problems, words| {
        let typed = Typed {
            words: Some(words),
            error: Some(error),
            problems,
            ..Typed::default()
        };
        render(&state, &staff, (id, nid), status, typed)
    };
    if !genuine(&state, &staff, &headers, post.csrf.as_deref()) {
        return refuse(StatusCode::FORBIDDEN, EXPIRED.into(), vec![], words).await;
    }
    if !on_team(&staff) {
        return refuse(StatusCode::FORBIDDEN, NOT_TEAM.into(), vec![], words).await;
    }
    let (config, rules, now) = (&state.notices, &state.obligations, state.clock.now());
    let current = match drafts::get(&state.db, config, rules, id, nid, now).await {
        Ok(n) => n,
        Err(e) => return unreadable(&state, &staff, e),
    };
    let change = match words.change(&current.content) {
        Ok(change) => change,
        Err(problems) => {
            let why = "The words were not saved: some fields cannot be read.".to_owned();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return refuse(status, why, sentences(&problems), words).await;
        }
    };
    if change.is_empty() {
        let typed = Typed {
            words: Some(words),
            done: Some("Nothing to save: the words are the same as the draft's."),
            ..Typed::default()
        };
        return render(&state, &staff, (id, nid), StatusCode::OK, typed).await;
    }
    let version = change.version;
    match drafts::edit(&state.db, staff.user.id, id, nid, change, version, now).await {
        Ok(_) => {
            let to = format!("/incidents/{id}/notices/{nid}/edit?saved=words");
            Redirect::to(&to).into_response()
        }
        Err(e @ (NoticeError::Db(_) | NoticeError::Corrupt(_) | NoticeError::Templates(_))) => {
            failed(&state, &staff, &e)
        }
        Err(NoticeError::Invalid(problems)) => {
            let why = "The words were not saved: some fields need fixing.".to_owned();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            refuse(status, why, sentences(&problems), words).await
        }
        Err(NoticeError::Conflict) => {
            // Saving again replaces the newer version: the person has been told and sees
            // their own words, and can open the page afresh to compare.
            words.version = current.version.to_string();
            let why = format!(
                "Someone else saved this notice since you opened it (it is now version {}). \
                 Nothing was saved; your words are kept below. Open the page afresh to see \
                 theirs, or save again to replace them with yours.",
                current.version
            );
            refuse(StatusCode::CONFLICT, why, vec![], words).await
        }
        Err(e) => {
            let why = format!("The words were not saved: {e}.");
            refuse(ApiError::from(e).status, why, vec![], words).await
        }
    }
}

/// A template file's new content, or the file to revert.
#[derive(Deserialize)]
pub(in super::super) struct FilePost {
    csrf: Option<String>,
    path: String,
    #[serde(default)]
    content: Option<String>,
}

/// Keeps the incident's own copy of a template file (the incident team).
pub(in super::super) async fn save_file(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, nid)): Path<(Uuid, Uuid)>,
    Form(post): Form<FilePost>,
) -> Response {
    let content = post.content.unwrap_or_default().replace("\r\n", "\n");
    let refuse = |status, error: String, problems| {
        let typed = Typed {
            file: Some(post.path.clone()),
            file_text: Some(content.clone()),
            error: Some(error),
            problems,
            ..Typed::default()
        };
        render(&state, &staff, (id, nid), status, typed)
    };
    if !genuine(&state, &staff, &headers, post.csrf.as_deref()) {
        return refuse(StatusCode::FORBIDDEN, EXPIRED.into(), vec![]).await;
    }
    if !on_team(&staff) {
        return refuse(StatusCode::FORBIDDEN, NOT_TEAM.into(), vec![]).await;
    }
    let (config, now) = (&state.notices, state.clock.now());
    let file = (post.path.as_str(), content.clone());
    match drafts::put_template(&state.db, config, staff.user.id, id, nid, file, now).await {
        Ok(_) => saved(id, nid, &post.path, "template"),
        Err(e @ (NoticeError::Db(_) | NoticeError::Corrupt(_) | NoticeError::Templates(_))) => {
            failed(&state, &staff, &e)
        }
        Err(NoticeError::TemplateInvalid(problems)) => {
            let listed = problems.iter().map(|p| p.to_string()).collect();
            let why = "The file was not saved: the notice's templates would not compile.";
            refuse(StatusCode::UNPROCESSABLE_ENTITY, why.into(), listed).await
        }
        Err(e) => {
            let why = format!("The file was not saved: {e}.");
            refuse(ApiError::from(e).status, why, vec![]).await
        }
    }
}

/// Drops the incident's own copy of a template file (the incident team).
pub(in super::super) async fn revert_file(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, nid)): Path<(Uuid, Uuid)>,
    Form(post): Form<FilePost>,
) -> Response {
    let refuse = |status, error: String| {
        let typed = Typed {
            file: Some(post.path.clone()),
            error: Some(error),
            ..Typed::default()
        };
        render(&state, &staff, (id, nid), status, typed)
    };
    if !genuine(&state, &staff, &headers, post.csrf.as_deref()) {
        return refuse(StatusCode::FORBIDDEN, EXPIRED.into()).await;
    }
    if !on_team(&staff) {
        return refuse(StatusCode::FORBIDDEN, NOT_TEAM.into()).await;
    }
    let now = state.clock.now();
    match drafts::revert_template(&state.db, staff.user.id, id, nid, &post.path, now).await {
        Ok(_) => saved(id, nid, &post.path, "reverted"),
        Err(e @ (NoticeError::Db(_) | NoticeError::Corrupt(_))) => failed(&state, &staff, &e),
        Err(e) => {
            let why = format!("The file was not reverted: {e}.");
            refuse(ApiError::from(e).status, why).await
        }
    }
}

fn saved(id: Uuid, nid: Uuid, path: &str, what: &str) -> Response {
    let q = query(&[("file", path), ("saved", what)]);
    Redirect::to(&format!("/incidents/{id}/notices/{nid}/edit?{q}#template")).into_response()
}

/// The edit page and its forms.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/incidents/{id}/notices/{nid}/edit",
            get(page).post(save_words),
        )
        .route("/incidents/{id}/notices/{nid}/templates", post(save_file))
        .route(
            "/incidents/{id}/notices/{nid}/templates/revert",
            post(revert_file),
        )
}
