//! Attacks on the web pages: every staff form carries its CSRF token and refuses a post without
//! it, with a wrong one or from another site (found by crawling the staff app on the demo's
//! data); every answer carries the security headers and no page loads anything from another
//! origin or runs inline script; the session cookie's flags; the sign-in form's throttle;
//! passwords stored as argon2id; secrets never printed.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use candor::domain::Role;
use candor::settings::{Environment, Settings};
use reqwest::redirect::Policy;
use reqwest::{Client, Response};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use secrecy::SecretString;

use crate::demo::{Seeded, seeded, staff_account};
use crate::helpers::{PASSWORD, spawn_app_with};
use crate::staff_client::{Browser, hidden};

/// Pages the crawl visits at most.
const MAX_PAGES: usize = 160;
/// Addresses with the same path (differing in their query) the crawl visits at most.
const MAX_PER_PATH: usize = 3;
/// Fewer distinct post forms than this on the demo's data means the crawl is broken.
const MIN_DEMO_FORMS: usize = 25;
/// Fewer pages than this means the crawl is broken.
const MIN_DEMO_PAGES: usize = 10;

/// A minimal browser of its own (the demo instance is not a `TestApp`).
struct Visitor {
    base: String,
    client: Client,
    cookies: BTreeMap<String, String>,
}

impl Visitor {
    fn new(base: String) -> Self {
        Visitor {
            base,
            client: Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, response: &Response) {
        for set in response.headers().get_all("set-cookie") {
            let text = set.to_str().expect("cookie text");
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            if text.contains("Max-Age=0") || value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    async fn get(&mut self, path: &str) -> Response {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("request sent");
        self.keep(&response);
        response
    }

    async fn sign_in(&mut self, email: &str) {
        let page = self.get("/login").await.text().await.expect("body");
        let csrf = hidden(&page, "csrf");
        let response = self
            .client
            .post(format!("{}/login", self.base))
            .header("cookie", self.cookie_header())
            .form(&[
                ("csrf", csrf.as_str()),
                ("next", "/incidents"),
                ("email", email),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), 303, "signed in");
        self.keep(&response);
        assert!(self.cookies.contains_key("candor_session"));
    }

    /// Posts a form as rendered (`fields`), with extra headers; answers the status.
    async fn post(&self, form: &Form, fields: &[(String, String)], extra: &[(&str, &str)]) -> u16 {
        let url = format!("{}{}", self.base, form.action);
        let mut request = self.client.post(url).header("cookie", self.cookie_header());
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let request = if form.multipart {
            const BOUNDARY: &str = "candor-web-check-boundary";
            let mut body = String::new();
            for (name, value) in fields {
                body.push_str(&format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                ));
            }
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"list.csv\"\r\nContent-Type: text/csv\r\n\r\nid\r\n--{BOUNDARY}--\r\n"
            ));
            request
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(body)
        } else {
            request.form(fields)
        };
        request
            .send()
            .await
            .expect("request sent")
            .status()
            .as_u16()
    }
}

/// A `<form method="post">` as rendered.
#[derive(Debug, Clone)]
struct Form {
    action: String,
    multipart: bool,
    fields: Vec<(String, String)>,
    /// The page it was found on.
    page: String,
}

/// The value of attribute `name` in a tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(&format!("{name}=")) {
        let start = from + at;
        from = start + name.len() + 1;
        let before = lower[..start].chars().last();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let rest = &tag[from..];
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or_default(),
            _ => rest
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or_default(),
        };
        return Some(unescape(value));
    }
    None
}

fn unescape(text: &str) -> String {
    text.replace("&#x2F;", "/")
        .replace("&#x3D;", "=")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every tag named `name` (its text from `<` to `>`), with where the tag ends.
fn tags<'a>(html: &'a str, name: &str) -> Vec<(usize, &'a str)> {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{name}");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find(&open) {
        let start = from + at;
        let after = lower[start + open.len()..].chars().next();
        from = start + open.len();
        if !after.is_some_and(|c| c.is_whitespace() || c == '>') {
            continue;
        }
        let end = lower[start..]
            .find('>')
            .map_or(html.len(), |e| start + e + 1);
        found.push((end, &html[start..end]));
    }
    found
}

/// The post forms of a page, with their fields as a browser would send them.
fn post_forms(page: &str, html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    let mut forms = Vec::new();
    for (end, tag) in tags(html, "form") {
        if !attr(tag, "method").is_some_and(|m| m.eq_ignore_ascii_case("post")) {
            continue;
        }
        let close = lower[end..].find("</form>").map_or(html.len(), |c| end + c);
        let body = &html[end..close];
        let mut fields = Vec::new();
        let mut button = None;
        for (_, input) in tags(body, "input") {
            let Some(name) = attr(input, "name") else {
                continue;
            };
            let kind = attr(input, "type").unwrap_or_default().to_ascii_lowercase();
            let value = attr(input, "value").unwrap_or_default();
            let checked = input.to_ascii_lowercase().contains(" checked");
            match kind.as_str() {
                "checkbox" | "radio" if !checked => {}
                "file" => {}
                "submit" => button = button.or(Some((name, value))),
                _ => fields.push((name, value)),
            }
        }
        let body_lower = body.to_ascii_lowercase();
        for (tag_end, textarea) in tags(body, "textarea") {
            let Some(name) = attr(textarea, "name") else {
                continue;
            };
            let close = body_lower[tag_end..]
                .find("</textarea>")
                .map_or(body.len(), |c| tag_end + c);
            fields.push((name, unescape(&body[tag_end..close])));
        }
        for (tag_end, select) in tags(body, "select") {
            let Some(name) = attr(select, "name") else {
                continue;
            };
            let close = body_lower[tag_end..]
                .find("</select>")
                .map_or(body.len(), |c| tag_end + c);
            let options = tags(&body[tag_end..close], "option");
            let chosen = options
                .iter()
                .find(|(_, o)| o.to_ascii_lowercase().contains(" selected"))
                .or(options.first())
                .and_then(|(_, o)| attr(o, "value"))
                .unwrap_or_default();
            fields.push((name, chosen));
        }
        for (_, tag) in tags(body, "button") {
            if let Some(name) = attr(tag, "name") {
                button = button.or(Some((name, attr(tag, "value").unwrap_or_default())));
            }
        }
        fields.extend(button);
        let multipart = attr(tag, "enctype").is_some_and(|e| e.contains("multipart"));
        let action = attr(tag, "action").unwrap_or_else(|| page.to_owned());
        forms.push(Form {
            action,
            multipart,
            fields,
            page: page.to_owned(),
        });
    }
    forms
}

/// The same-site addresses a page links to (`href`, and frames' `src`).
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for name in ["a", "iframe"] {
        for (_, tag) in tags(html, name) {
            let Some(target) = attr(tag, "href").or_else(|| attr(tag, "src")) else {
                continue;
            };
            let target = target.split('#').next().unwrap_or_default().to_owned();
            if target.starts_with('/') && !target.starts_with("//") {
                found.push(target);
            }
        }
    }
    found
}

/// What is wrong with an answer's security headers.
fn header_problems(what: &str, response: &Response) -> Vec<String> {
    let headers = response.headers();
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut problems = Vec::new();
    let csp = text("content-security-policy");
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split_whitespace().next() == Some(name))
            .map(str::to_owned)
    };
    if csp.is_empty() {
        problems.push(format!("{what}: no Content-Security-Policy"));
    }
    let scripts = directive("script-src").or_else(|| directive("default-src"));
    if scripts
        .as_deref()
        .is_some_and(|d| d.contains("'unsafe-inline'") || d.contains("'unsafe-eval'"))
    {
        problems.push(format!("{what}: script-src allows inline or eval: {csp}"));
    }
    if directive("default-src").is_some_and(|d| d.split_whitespace().any(|s| s == "*")) {
        problems.push(format!("{what}: default-src *"));
    }
    let no_frames = directive("frame-ancestors").is_some_and(|d| d.contains("'none'"))
        || text("x-frame-options").eq_ignore_ascii_case("deny");
    if !no_frames {
        problems.push(format!("{what}: may be framed by anyone"));
    }
    if text("x-content-type-options") != "nosniff" {
        problems.push(format!("{what}: no X-Content-Type-Options: nosniff"));
    }
    let referrer = text("referrer-policy");
    if ![
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    ]
    .contains(&referrer.as_str())
    {
        problems.push(format!("{what}: Referrer-Policy {referrer:?}"));
    }
    problems
}

/// What is wrong with a page's HTML: outside resources, inline script, event handlers.
fn html_problems(what: &str, html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let lower = html.to_ascii_lowercase();
    for (end, tag) in tags(html, "script") {
        if attr(tag, "src").is_none() {
            problems.push(format!("{what}: an inline <script>"));
        }
        let close = lower[end..].find("</script>").map_or(0, |c| c);
        if !html[end..end + close].trim().is_empty() {
            problems.push(format!("{what}: a <script> with a body"));
        }
    }
    for name in [
        "script", "link", "img", "iframe", "source", "video", "audio", "embed", "object",
    ] {
        for (_, tag) in tags(html, name) {
            for key in ["src", "href", "data"] {
                if let Some(target) = attr(tag, key) {
                    let outside = target.starts_with("//") || target.contains("://");
                    if outside {
                        problems.push(format!("{what}: <{name}> loads {target}"));
                    }
                }
            }
        }
    }
    // Event-handler attributes inside tags (` onclick=`, ` onload=`, …).
    let bytes = lower.as_bytes();
    let mut inside = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'<' => inside = true,
            b'>' => inside = false,
            b'o' if inside && i > 0 && bytes[i - 1].is_ascii_whitespace() => {
                let rest = &lower[i..];
                let name: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
                if name.len() > 2
                    && name.starts_with("on")
                    && rest[name.len()..].trim_start().starts_with('=')
                {
                    problems.push(format!("{what}: an event handler attribute {name}="));
                }
            }
            _ => {}
        }
    }
    problems
}

/// The number of rows of `table`.
async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("count runs")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

/// What a change by any form would leave: audit entries, timeline entries, incidents.
async fn footprint(db: &DatabaseConnection) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in ["audit_entries", "incidents", "users"] {
        counts.push(count(db, table).await);
    }
    counts
}

/// The crawl's findings.
struct Crawl {
    pages: usize,
    forms: Vec<Form>,
    problems: Vec<String>,
}

/// Crawls the staff app from `/incidents`, checking every answer's headers and HTML and
/// collecting its post forms.
async fn crawl(visitor: &mut Visitor) -> Crawl {
    let mut queue = VecDeque::from(["/incidents".to_owned()]);
    let mut seen = BTreeSet::from(["/incidents".to_owned()]);
    let mut per_path: BTreeMap<String, usize> = BTreeMap::new();
    let mut forms = Vec::new();
    let mut problems = Vec::new();
    let mut pages = 0;
    while let Some(path) = queue.pop_front() {
        if pages >= MAX_PAGES {
            break;
        }
        pages += 1;
        let response = visitor.get(&path).await;
        let status = response.status();
        problems.extend(header_problems(&path, &response));
        let html = response.text().await.expect("body");
        if status.is_server_error() {
            problems.push(format!("{path}: answered {status}"));
        }
        problems.extend(html_problems(&path, &html));
        for form in post_forms(&path, &html) {
            if !form
                .fields
                .iter()
                .any(|(k, v)| k == "csrf" && !v.is_empty())
            {
                problems.push(format!(
                    "{path}: a form to {} without its CSRF token",
                    form.action
                ));
            }
            forms.push(form);
        }
        for link in links(&html) {
            let bare = link.split('?').next().unwrap_or_default().to_owned();
            if bare.ends_with(".csv")
                || bare.ends_with(".json")
                || bare.starts_with("/logout")
                || bare.starts_with("/assets/")
                || bare.starts_with("/api/")
                || seen.contains(&link)
            {
                continue;
            }
            let visits = per_path.entry(bare).or_default();
            if *visits >= MAX_PER_PATH {
                continue;
            }
            *visits += 1;
            seen.insert(link.clone());
            queue.push_back(link);
        }
    }
    Crawl {
        pages,
        forms,
        problems,
    }
}

/// The route template of a form's action: ids and other varying parts folded.
fn shape(action: &str) -> String {
    action
        .split('?')
        .next()
        .unwrap_or_default()
        .split('/')
        .map(|part| {
            if uuid::Uuid::parse_str(part).is_ok() || part.chars().all(|c| c.is_ascii_digit()) {
                "{id}"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// One form per distinct action (the first rendered), the logout form last.
fn distinct(forms: &[Form]) -> Vec<Form> {
    let mut by_action: BTreeMap<String, Form> = BTreeMap::new();
    for form in forms {
        by_action
            .entry(form.action.clone())
            .or_insert_with(|| form.clone());
    }
    let mut chosen: Vec<Form> = by_action.into_values().collect();
    chosen.sort_by_key(|f| f.action == "/logout");
    chosen
}

/// Posts every form without its token, with a wrong one, and (with the right one) from
/// another site; each must be refused and change nothing.
/// A forged post: how it is forged, the fields it sends and the extra headers.
type Attempt<'a> = (&'a str, &'a [(String, String)], &'a [(&'a str, &'a str)]);

async fn attack_every_form(visitor: &Visitor, db: &DatabaseConnection, forms: &[Form]) -> usize {
    let before = footprint(db).await;
    let mut accepted = Vec::new();
    for form in forms {
        let without: Vec<(String, String)> = form
            .fields
            .iter()
            .filter(|(k, _)| k != "csrf")
            .cloned()
            .collect();
        let wrong: Vec<(String, String)> = form
            .fields
            .iter()
            .map(|(k, v)| {
                if k == "csrf" {
                    (k.clone(), "0".repeat(v.len().max(64)))
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect();
        let attempts: [Attempt; 4] = [
            ("without a token", &without, &[]),
            ("with a wrong token", &wrong, &[]),
            (
                "from another origin",
                &form.fields,
                &[("origin", "https://evil.example")],
            ),
            (
                "marked cross-site",
                &form.fields,
                &[("sec-fetch-site", "cross-site")],
            ),
        ];
        for (how, fields, extra) in attempts {
            let status = visitor.post(form, fields, extra).await;
            if status != 403 {
                accepted.push(format!(
                    "{} (on {}) {how}: {status}",
                    form.action, form.page
                ));
            }
        }
    }
    assert!(
        accepted.is_empty(),
        "posts not refused with 403: {accepted:#?}"
    );
    assert_eq!(
        footprint(db).await,
        before,
        "a refused post changed something"
    );
    forms.len()
}

/// The demo's instance, serving; with its database.
async fn serve_demo() -> (Seeded, String, DatabaseConnection) {
    let demo = seeded().await;
    staff_account(&demo.app).await;
    let addr = demo.app.local_addr().expect("bound address");
    let db = demo.app.state().db.clone();
    (demo, format!("http://{addr}"), db)
}

#[tokio::test]
async fn every_staff_form_carries_its_token_and_refuses_posts_without_it_or_from_elsewhere() {
    let (demo, base, db) = serve_demo().await;
    let Seeded { _root, app, .. } = demo;
    tokio::spawn(app.serve(std::future::pending()));
    let mut visitor = Visitor::new(base);
    visitor.sign_in("pages-check@demo.candor.test").await;

    let Crawl {
        pages,
        forms,
        problems,
    } = crawl(&mut visitor).await;
    assert!(problems.is_empty(), "{problems:#?}");
    let chosen = distinct(&forms);
    let shapes: BTreeSet<String> = chosen.iter().map(|f| shape(&f.action)).collect();
    eprintln!(
        "web crawl: {pages} pages, {} post forms, {} distinct actions, {} route shapes",
        forms.len(),
        chosen.len(),
        shapes.len()
    );
    assert!(pages >= MIN_DEMO_PAGES, "only {pages} pages crawled");
    assert!(
        chosen.len() >= MIN_DEMO_FORMS,
        "only {} distinct form actions found: {shapes:#?}",
        chosen.len()
    );
    let attacked = attack_every_form(&visitor, &db, &chosen).await;
    assert_eq!(attacked, chosen.len());

    // The session still works: nothing above signed it out.
    let still = visitor.get("/incidents").await;
    assert_eq!(still.status(), 200);
}

#[tokio::test]
async fn the_sign_in_form_refuses_posts_without_its_token_or_from_another_site() {
    let app = spawn_app_with(|_| {}).await;
    app.add_user("door@example.org", &[Role::Admin]).await;
    for (fields_csrf, extra) in [
        (None, None),
        (Some("00".repeat(32)), None),
        (None, Some(("origin", "https://evil.example"))),
        (None, Some(("sec-fetch-site", "cross-site"))),
    ] {
        let mut browser = Browser::new(&app);
        let (_, form) = browser.page("/login").await;
        let good = hidden(&form, "csrf");
        let csrf = match (&fields_csrf, extra) {
            (Some(wrong), _) => wrong.clone(),
            (None, Some(_)) => good,
            (None, None) => String::new(),
        };
        let mut request = browser
            .client
            .post(app.url("/login"))
            .header("cookie", browser.cookie_header());
        if let Some((name, value)) = extra {
            request = request.header(name, value);
        }
        let mut fields = vec![("email", "door@example.org"), ("password", PASSWORD)];
        if !csrf.is_empty() {
            fields.push(("csrf", &csrf));
        }
        let response = request.form(&fields).send().await.expect("sent");
        assert_eq!(response.status(), 403, "{fields_csrf:?} {extra:?}");
        let signed_in = response.headers().get_all("set-cookie").iter().any(|c| {
            c.to_str()
                .unwrap_or_default()
                .starts_with("candor_session=ey")
        });
        assert!(!signed_in, "no session from a refused sign-in");
    }
}

/// The notice and survey addresses in the demo's sent emails.
fn customer_links(dir: &std::path::Path) -> (Option<String>, Option<String>) {
    let mut page = None;
    let mut survey = None;
    let outbox = dir.join("outbox").join("notices");
    for entry in std::fs::read_dir(outbox)
        .expect("the demo's outbox")
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let text = text.replace("=\r\n", "").replace("=\n", "");
        for (marker, slot) in [("/n/", &mut page), ("/s/", &mut survey)] {
            if slot.is_some() {
                continue;
            }
            if let Some(at) = text.find(marker) {
                let token: String = text[at + 3..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
                    .collect();
                if token.len() > 20 {
                    *slot = Some(format!("{marker}{token}"));
                }
            }
        }
        if page.is_some() && survey.is_some() {
            break;
        }
    }
    (page, survey)
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_no_page_loads_from_elsewhere() {
    let (demo, base, _db) = serve_demo().await;
    let Seeded {
        _root, dir, app, ..
    } = demo;
    tokio::spawn(app.serve(std::future::pending()));
    let mut visitor = Visitor::new(base);
    let (page, survey) = customer_links(&dir);
    let page = page.expect("a notice page link in the demo's emails");
    let survey = survey.expect("a survey link in the demo's emails");

    let mut problems = Vec::new();
    let mut checked = 0;
    let anonymous = [
        "/login".to_owned(),
        "/assets/staff.css".to_owned(),
        "/assets/staff.js".to_owned(),
        "/assets/customer.css".to_owned(),
        page.clone(),
        survey.clone(),
        format!("{page}x"),
        "/n/not-a-token".to_owned(),
        "/s/not-a-token".to_owned(),
        "/healthz".to_owned(),
        "/api/v1/incidents".to_owned(),
        "/api/v1/no-such-route".to_owned(),
        "/no-such-page".to_owned(),
        "/incidents".to_owned(),
    ];
    for path in &anonymous {
        let response = visitor.get(path).await;
        let status = response.status().as_u16();
        problems.extend(header_problems(&format!("{path} ({status})"), &response));
        let body = response.text().await.expect("body");
        if body.trim_start().starts_with('<') {
            problems.extend(html_problems(path, &body));
        }
        checked += 1;
    }
    // An unauthorised API call and a JSON error are among them.
    let unauthorised = visitor.get("/api/v1/incidents").await;
    assert_eq!(unauthorised.status(), 401);

    visitor.sign_in("pages-check@demo.candor.test").await;
    let crawl = crawl(&mut visitor).await;
    problems.extend(crawl.problems);
    checked += crawl.pages;
    let token = {
        let response = visitor
            .client
            .post(format!("{}/api/v1/auth/login", visitor.base))
            .json(&serde_json::json!({
                "email": "pages-check@demo.candor.test", "password": PASSWORD
            }))
            .send()
            .await
            .expect("sent");
        let body: serde_json::Value = response.json().await.expect("json");
        body["token"].as_str().expect("a token").to_owned()
    };
    let api = visitor
        .client
        .get(format!("{}/api/v1/incidents", visitor.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");
    assert_eq!(api.status(), 200);
    problems.extend(header_problems("/api/v1/incidents (200)", &api));
    checked += 1;
    eprintln!("security headers: {checked} answers checked");
    assert!(crawl.pages >= MIN_DEMO_PAGES);
    assert!(problems.is_empty(), "{problems:#?}");
}

/// A `Set-Cookie` of the response by name.
fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn flags(cookie: &str) -> Vec<String> {
    cookie
        .split(';')
        .skip(1)
        .map(|f| f.trim().to_ascii_lowercase())
        .collect()
}

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_bounded_secure_in_production_and_cleared_on_sign_out()
 {
    for production in [false, true] {
        let app = spawn_app_with(|s| {
            if production {
                s.env = Environment::Production;
                s.public_url = "https://notices.example.org".to_owned();
            }
        })
        .await;
        app.add_user("cookie@example.org", &[Role::Responder]).await;
        let mut browser = Browser::new(&app);
        let response = browser
            .sign_in("cookie@example.org", PASSWORD, "/incidents")
            .await;
        assert_eq!(response.status(), 303);
        let cookie = set_cookie(&response, "candor_session").expect("a session cookie");
        let flags = flags(&cookie);
        assert!(flags.contains(&"httponly".to_owned()), "{cookie}");
        assert!(
            flags.contains(&"samesite=strict".to_owned())
                || flags.contains(&"samesite=lax".to_owned()),
            "{cookie}"
        );
        assert!(flags.contains(&"path=/".to_owned()), "{cookie}");
        let max_age: i64 = flags
            .iter()
            .find_map(|f| f.strip_prefix("max-age="))
            .expect("a Max-Age")
            .parse()
            .expect("seconds");
        assert!(max_age > 0 && max_age <= 24 * 3600, "{cookie}");
        assert_eq!(
            flags.contains(&"secure".to_owned()),
            production,
            "Secure only over HTTPS: {cookie}"
        );

        let (_, page) = browser.page("/incidents").await;
        let csrf = hidden(&page, "csrf");
        let session = browser.cookie_header();
        let out = browser.post("/logout", &[("csrf", &csrf)]).await;
        assert_eq!(out.status(), 303);
        let cleared = set_cookie(&out, "candor_session").expect("the cookie is cleared");
        assert!(cleared.starts_with("candor_session=;"), "{cleared}");
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        // The old cookie, replayed, opens nothing.
        let replay = browser
            .client
            .get(app.url("/incidents"))
            .header("cookie", session)
            .send()
            .await
            .expect("sent");
        assert_eq!(replay.status(), 303, "an ended session is sent to sign in");
    }
}

#[tokio::test]
async fn the_sign_in_form_is_throttled_even_for_the_right_password() {
    let app = spawn_app_with(|s| s.login_max_failures_per_account = 3).await;
    app.add_user("throttled@example.org", &[Role::Responder])
        .await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let mut browser = Browser::new(&app);
        let response = browser
            .sign_in(
                "throttled@example.org",
                "not the password at all",
                "/incidents",
            )
            .await;
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429]);
    let mut browser = Browser::new(&app);
    let right = browser
        .sign_in("throttled@example.org", PASSWORD, "/incidents")
        .await;
    assert_eq!(
        right.status(),
        429,
        "the lockout holds for the right password"
    );
    assert!(set_cookie(&right, "candor_session").is_none());
    let body = right.text().await.expect("body");
    assert!(body.contains("Too many failed sign-ins"), "{body}");
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes() {
    let app = spawn_app_with(|_| {}).await;
    app.add_user("hashed@example.org", &[Role::Responder]).await;
    let backend = app.db.get_database_backend();
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT password_hash FROM users WHERE email = 'hashed@example.org'".to_owned(),
        ))
        .await
        .expect("query runs")
        .expect("the user's row");
    let hash: String = row.try_get("", "password_hash").expect("a hash");
    assert!(hash.starts_with("$argon2id$"), "not argon2id");
    assert!(!hash.contains(PASSWORD));
}

#[test]
fn the_settings_never_print_their_secrets() {
    let secret = "jwt-secret-that-must-never-show-0123456789";
    let db_password = "db-passw0rd-never-shown";
    let smtp_password = "smtp-passw0rd-never-shown";
    let settings = Settings {
        jwt_secret: Some(SecretString::from(secret)),
        database_url: Some(format!(
            "postgres://candor:{db_password}@db.internal:5432/candor"
        )),
        smtp_url: Some(SecretString::from(format!(
            "smtps://mailer:{smtp_password}@smtp.internal"
        ))),
        ..Settings::default()
    };
    let printed = [
        format!("{settings:?}"),
        format!("{settings:#?}"),
        serde_json::to_string(&settings).expect("serialises"),
    ];
    for text in printed {
        assert!(!text.contains(secret), "the JWT secret is printed");
        assert!(
            !text.contains(smtp_password),
            "the SMTP password is printed"
        );
        assert!(
            !text.contains(db_password),
            "the database password is printed"
        );
    }
}

#[test]
fn the_command_line_help_never_prints_secrets_from_the_environment() {
    let secret = "jwt-secret-from-env-never-shown-0123456789";
    let db_password = "db-passw0rd-from-env-never-shown";
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["user", "--help"],
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(&args)
            .env("CANDOR_JWT_SECRET", secret)
            .env(
                "CANDOR_DATABASE_URL",
                format!("postgres://candor:{db_password}@db.internal/candor"),
            )
            .output()
            .expect("candor runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "{args:?}: {text}");
        assert!(!text.contains(secret), "{args:?} prints the secret");
        assert!(!text.contains(db_password), "{args:?} prints the password");
    }
}
