//! A browser-like HTTP client for the staff pages' tests: no automatic redirects, cookies kept
//! by hand, forms posted with the page's token.

use candor::domain::Role;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

use crate::helpers::{PASSWORD, TestApp};
use crate::mapping::Desk;

/// A browser-like client: no automatic redirects, the session cookie kept by hand.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub client: Client,
    pub cookies: Vec<(String, String)>,
}

impl<'a> Browser<'a> {
    /// A browser with no session yet.
    pub fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            client: Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            cookies: Vec::new(),
        }
    }

    /// A signed-in browser for a new user holding `roles`.
    pub async fn signed_in(app: &'a TestApp, email: &str, roles: &[Role]) -> Browser<'a> {
        app.add_user(email, roles).await;
        let mut browser = Browser::new(app);
        let signed = browser.sign_in(email, PASSWORD, "/incidents").await;
        assert_eq!(signed.status(), 303);
        browser
    }

    /// Signs in through the form; returns the answer to the post.
    pub async fn sign_in(&mut self, email: &str, password: &str, next: &str) -> Response {
        let (status, form) = self.page(&format!("/login?next={next}")).await;
        assert_eq!(status, 200, "{form}");
        let csrf = hidden(&form, "csrf");
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("next", &hidden(&form, "next")),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }

    /// Posts a form of the page at `room` with its token and these fields.
    pub async fn submit(&mut self, room: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let (_, page) = self.page(room).await;
        let csrf = hidden(&page, "csrf");
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn keep(&mut self, response: &Response) {
        for set in response.headers().get_all("set-cookie") {
            let text = set.to_str().expect("cookie text");
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            self.cookies.retain(|(k, _)| k != name);
            if !text.contains("Max-Age=0") {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let response = self
            .client
            .get(self.app.url(path))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("request sent");
        self.keep(&response);
        response
    }

    pub async fn page(&mut self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    /// The live endpoint's JSON, which must answer 200.
    pub async fn live(&mut self, room: &str) -> Value {
        let response = self.get(&format!("{room}/live.json")).await;
        assert_eq!(response.status(), 200);
        let kind = response.headers()["content-type"].to_str().unwrap();
        assert!(kind.starts_with("application/json"), "{kind}");
        response.json().await.expect("json")
    }

    /// Posts `multipart/form-data` as a browser does: the fields, then a file (empty when
    /// none is chosen).
    pub async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: &str) -> Response {
        const BOUNDARY: &str = "candor-test-boundary-7d1f";
        let mut body = String::new();
        for (name, value) in fields {
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        let file_name = if file.is_empty() { "" } else { "list.csv" };
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{BOUNDARY}--\r\n"
        ));
        let response = self
            .client
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .await
            .expect("request sent");
        self.keep(&response);
        response
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Response {
        let response = self
            .client
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .expect("request sent");
        self.keep(&response);
        response
    }
}

/// The value of the first hidden input named `name`.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end]
        .replace("&#x2F;", "/")
        .replace("&#x3D;", "=")
}

pub fn location(response: &Response) -> &str {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The room's path (`/incidents/{id}`) of a desk's incident.
pub fn room(desk: &Desk<'_>) -> String {
    desk.incident.trim_start_matches("/api/v1").to_owned()
}
