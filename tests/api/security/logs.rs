//! Logs free of personal data: the real `candor serve` binary, at its most verbose level for its
//! own crate, runs the whole flow over HTTP (import, scope, mapping, notice lint, preview,
//! approval, sending, delivery, a survey answer, refused imports, failed sign-ins, a stray
//! URL) with people whose names, emails, phones and streets are distinctive; none of them, in
//! any case or percent-encoding, may appear in a line it wrote, in the audit log or in an
//! import's error.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use candor::delivery::{LinkKeys, LinkPurpose};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Database, DbBackend, FromQueryResult, Statement};
use secrecy::SecretString;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{PASSWORD, SECRET};
use crate::notices::{INITIAL, clean_content};

/// The filter the service runs with: everything of its own, `info` of its dependencies.
const LOG_FILTER: &str = "candor=trace,tower_http=trace,info";

/// Values that must never reach a log line (each also checked lowercased, uppercased and
/// percent-encoded).
const SECRETS: &[&str] = &[
    "Zephyrine",
    "Quillfeather",
    "zephyrine.quillfeather@example.test",
    "Thaddeus",
    "Marchbanks",
    "thaddeus.marchbanks@example.test",
    "4155550187",
    "555-0187",
    "Gloaming",
    "Wuthering",
    "Snorkelwick",
    "tangerine-umbrella",
    "zephyrine.badmail",
];

const CUSTOMERS: &str = "\
customer_ref,given_name,family_name,email,phone,address_line1,city,region,postal_code,country,locale,tier,customer_since,preferred_channel
Z1,Zephyrine,Quillfeather,zephyrine.quillfeather@example.test,+1 (415) 555-0187,17 Gloaming Lane,Snorkelwick,CA,94105,US,en-US,vip,2019-05-01,email
Z2,Thaddeus,Marchbanks,thaddeus.marchbanks@example.test,,9 Wuthering Row,Snorkelwick,CA,94110,US,en,standard,2020-01-01,email
";

const HOLDINGS: &str = "\
system,record_ref,customer_ref,email,phone,categories,stored_from,stored_to
billing-db,r-1,Z1,zephyrine.quillfeather@example.test,+1 415 555 0187,name;email;ssn,2020-01-01T08:00:00Z,
billing-db,r-2,Z2,thaddeus.marchbanks@example.test,,name;email;ssn,2020-01-01T08:00:00Z,
";

/// A customers file whose second data row (line 3) has a bad email made of distinctive text.
const BAD_CUSTOMERS: &str = "\
customer_ref,given_name,family_name,email,phone,address_line1,city,region,postal_code,country,locale,tier,customer_since,preferred_channel
Z3,Zephyrine,Quillfeather,zephyrine.quillfeather@example.test,,17 Gloaming Lane,Snorkelwick,CA,94105,US,en,vip,2019-05-01,email
Z4,Zephyrine,Quillfeather,zephyrine.badmail@@Snorkelwick,,17 Gloaming Lane,Snorkelwick,CA,94105,US,en,vip,2019-05-01,email
";

/// A holdings file whose only row (line 2) has a bad email.
const BAD_HOLDINGS: &str = "\
system,record_ref,customer_ref,email,phone,categories,stored_from,stored_to
billing-db,r-9,,zephyrine.badmail@Gloaming@example,,name;email,2020-01-01T08:00:00Z,
";

#[tokio::test]
async fn the_whole_flow_logs_no_name_email_phone_address_or_comment() {
    let db = TestDatabase::create().await;
    let service = Service::start(&db).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let api = Api {
        http: &http,
        base: service.base.clone(),
    };

    let admin = api.login("admin@staff.candor.test").await;
    let responder = api.staff(&admin, "responder").await;
    let lead = api.staff(&admin, "cx_lead").await;
    let errors = run_flow(&api, &db, &admin, &responder, &lead).await;

    let log = service.stop();
    let lines: Vec<&str> = log.lines().collect();
    if let Ok(path) = std::env::var("CANDOR_LOGS_TEST_DUMP") {
        std::fs::write(path, &log).expect("log dumped");
    }
    assert!(
        lines.len() >= 30,
        "the log is too short to prove anything:\n{log}"
    );
    assert!(
        lines.iter().filter(|l| l.contains("/api/v1/")).count() >= 10,
        "request logs are missing:\n{log}"
    );
    for line in &lines {
        assert_eq!(
            leaks(line),
            Vec::<String>::new(),
            "a log line leaks: {line}"
        );
    }
    let errors_checked = errors.len();
    for (what, text) in errors {
        assert_eq!(leaks(&text), Vec::<String>::new(), "{what} leaks: {text}");
    }
    eprintln!(
        "logs: {} lines and {} answers checked for personal data, none found",
        lines.len(),
        errors_checked
    );
}

/// The whole flow; returns the bodies (audit log, import errors) that must not leak either.
async fn run_flow(
    api: &Api<'_>,
    db: &TestDatabase,
    admin: &str,
    responder: &str,
    lead: &str,
) -> Vec<(&'static str, String)> {
    let mut bodies = Vec::new();
    let systems = "system,description,owner,encrypted_at_rest\nbilling-db,Billing,Payments,false\n";
    assert_eq!(api.import(admin, "systems", systems).await.0, 200);
    let (status, body) = api.import(admin, "customers", CUSTOMERS).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = api.import(admin, "holdings", HOLDINGS).await;
    assert_eq!(status, 200, "{body}");

    for (kind, csv, line) in [
        ("customers", BAD_CUSTOMERS, "line 3"),
        ("holdings", BAD_HOLDINGS, "line 2"),
    ] {
        let (status, body) = api.import(admin, kind, csv).await;
        assert_eq!(status, 422, "{body}");
        let text = body.to_string();
        assert!(text.contains(line) && text.contains("bad email"), "{text}");
        bodies.push(("an import error", text));
    }

    let incident = api
        .send(api.post("/api/v1/incidents", responder).json(&json!({
            "title": "Billing export copied",
            "summary": "A stolen staff password opened the billing system.",
            "severity": "high",
            "discovered_at": "2026-03-10T09:00:00Z",
            "occurred_from": "2026-03-01T00:00:00Z",
            "occurred_to": "2026-03-09T00:00:00Z",
        })))
        .await;
    assert_eq!(incident.0, 201, "{}", incident.1);
    let id = incident.1["id"].as_str().expect("incident id").to_owned();
    let at = |rest: &str| format!("/api/v1/incidents/{id}{rest}");

    let scope = json!({ "systems": [{ "system": "billing-db", "categories": ["name", "email", "ssn"],
        "from": "2026-03-01", "to": "2026-03-09", "encrypted": false, "key_compromised": false }] });
    let (status, body) = api
        .send(api.put(&at("/scope"), responder).json(&scope))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, run) = api.send(api.post(&at("/mapping"), responder)).await;
    assert_eq!(status, 202, "{run}");
    let run_path = at(&format!("/mapping/{}", run["id"].as_str().expect("run id")));
    api.until(responder, &run_path, |r| r["status"] == "succeeded")
        .await;
    let (status, impact) = api.get(&at("/impact"), responder).await;
    assert_eq!(status, 200, "{impact}");
    let (status, affected) = api.get(&at("/affected"), responder).await;
    assert_eq!(status, 200, "{affected}");

    let (status, notice) = api
        .send(
            api.post(&at("/notices"), responder)
                .json(&json!({ "kind": INITIAL })),
        )
        .await;
    assert_eq!(status, 201, "{notice}");
    let nid = notice["id"].as_str().expect("notice id").to_owned();
    let notice_at = |rest: &str| at(&format!("/notices/{nid}{rest}"));
    let patched = api
        .send(api.patch(&notice_at(""), responder).json(&clean_content()))
        .await;
    assert_eq!(patched.0, 200, "{}", patched.1);
    assert_eq!(
        api.send(api.post(&notice_at("/lint"), responder)).await.0,
        200
    );
    let (status, preview) = api
        .get(&notice_at("/preview?customer_ref=Z1"), responder)
        .await;
    assert_eq!(status, 200, "{preview}");
    assert!(
        preview.to_string().contains("Zephyrine"),
        "the preview shows the person, so the flow did handle the name: {preview}"
    );
    let (status, body) = api.send(api.post(&notice_at("/approve"), lead)).await;
    assert_eq!(status, 200, "{body}");
    let (status, campaign) = api.send(api.post(&notice_at("/send"), responder)).await;
    assert_eq!(status, 202, "{campaign}");
    api.until(responder, &at("/delivery"), |d| d["counts"]["sent"] == 2)
        .await;

    answer_survey(api, db, &id).await;

    for email in [
        "zephyrine.quillfeather@example.test",
        "Thaddeus.Marchbanks@Example.test",
    ] {
        let response = api
            .http
            .post(format!("{}/api/v1/auth/login", api.base))
            .json(&json!({ "email": email, "password": "tangerine-umbrella-wrong" }))
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), 401);
    }
    let stray = format!(
        "{}/api/v1/nowhere?email=zephyrine.quillfeather%40example.test&name=Zephyrine",
        api.base
    );
    let response = api.http.get(stray).send().await.expect("request sent");
    assert_eq!(response.status(), 404);

    let (status, audit) = api
        .get(&format!("/api/v1/audit?incident={id}&limit=1000"), admin)
        .await;
    assert_eq!(status, 200, "{audit}");
    assert!(audit.to_string().len() > 100, "{audit}");
    bodies.push(("the incident's audit log", audit.to_string()));
    let (status, audit) = api.get("/api/v1/audit?limit=1000", admin).await;
    assert_eq!(status, 200, "{audit}");
    bodies.push(("the audit log", audit.to_string()));
    bodies
}

/// Answers the survey as Zephyrine does, with a distinctive comment, on the page her link
/// opens; the answer must be stored.
async fn answer_survey(api: &Api<'_>, db: &TestDatabase, incident: &str) {
    #[derive(FromQueryResult)]
    struct Link {
        link_id: Uuid,
        expires_at: DateTime<Utc>,
    }
    let conn = Database::connect(&db.url).await.expect("database opens");
    let link = Link::find_by_statement(Statement::from_sql_and_values(
        conn.get_database_backend(),
        "SELECT o.link_id, l.expires_at FROM outbox o JOIN notice_links l ON l.id = o.link_id \
         WHERE o.customer_ref = $1",
        ["Z1".into()],
    ))
    .one(&conn)
    .await
    .expect("link read")
    .expect("Zephyrine has a message");
    let incident: Uuid = incident.parse().expect("incident id");
    let token = LinkKeys::derive(&SecretString::from(SECRET))
        .sign(LinkPurpose::Survey, link.link_id, incident, link.expires_at)
        .expect("token signs");
    let path = format!("{}/s/{token}", api.base);
    let page = api.http.get(&path).send().await.expect("request sent");
    assert_eq!(page.status(), 200);
    let page = page.text().await.expect("body");
    let csrf = csrf_of(&page);
    let comment = "Zephyrine Quillfeather of 17 Gloaming Lane says: tangerine-umbrella!";
    let fields = [
        ("csrf", csrf.as_str()),
        ("recommend", "9"),
        ("clarity", "5"),
        ("comment", comment),
    ];
    let response = api
        .http
        .post(&path)
        .form(&fields)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 303);
    let stored = candor::store::survey::responses::of_link(&conn, link.link_id)
        .await
        .expect("response read");
    assert!(stored.is_some(), "the answer is stored");
    let _ = conn.close().await;
}

/// The value of the page's `csrf` input.
fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\"")
        .expect("the form has a csrf field");
    let tag_start = page[..at].rfind('<').expect("a tag");
    let tag_end = at + page[at..].find('>').expect("a tag end");
    let tag = &page[tag_start..tag_end];
    let value = tag.split("value=\"").nth(1).expect("a value");
    value.split('"').next().expect("a value").to_owned()
}

/// Every secret (in any of its spellings) found in `text`.
fn leaks(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut found = Vec::new();
    for secret in SECRETS {
        let encoded: String = secret
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                other => format!("%{other:02x}"),
            })
            .collect();
        let spellings = [secret.to_lowercase(), encoded.to_lowercase()];
        if spellings.iter().any(|s| lower.contains(s.as_str())) {
            found.push((*secret).to_owned());
        }
    }
    found
}

/// The service's database: SQLite in the service's data dir, or a fresh PostgreSQL database
/// when `CANDOR_TEST_PG` is set (dropped afterwards).
struct TestDatabase {
    dir: tempfile::TempDir,
    url: String,
    pg: Option<(String, String)>,
}

impl TestDatabase {
    async fn create() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        match std::env::var("CANDOR_TEST_PG") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("candor_test_{}", Uuid::new_v4().simple());
                pg_exec(&admin_url, &format!("CREATE DATABASE \"{name}\"")).await;
                let base = admin_url.split('?').next().unwrap_or(&admin_url);
                let base = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
                let url = format!("{base}/{name}");
                Self {
                    dir,
                    url,
                    pg: Some((admin_url, name)),
                }
            }
            _ => {
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("candor.db").display()
                );
                Self { dir, url, pg: None }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg.take() {
            // Drop runs inside the test's runtime; a thread with its own finishes the cleanup.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(pg_exec(
                    &admin_url,
                    &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                ));
            })
            .join();
        }
    }
}

async fn pg_exec(admin_url: &str, sql: &str) {
    let admin = Database::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("CANDOR_TEST_PG is set but PostgreSQL is unreachable: {e}"));
    admin
        .execute_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .await
        .expect("sql runs");
    let _ = admin.close().await;
}

/// `candor serve` as a child process, its stdout and stderr going to files.
struct Service {
    child: Child,
    base: String,
    log_dir: tempfile::TempDir,
}

impl Service {
    async fn start(db: &TestDatabase) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log_dir = tempfile::tempdir().expect("temp dir");
        let add = Self::command(db, port, log_dir.path(), "add")
            .args([
                "user",
                "add",
                "--email",
                "admin@staff.candor.test",
                "--role",
                "admin",
            ])
            .stdin(Stdio::piped())
            .spawn();
        let mut add = add.expect("candor user add starts");
        let mut stdin = add.stdin.take().expect("stdin");
        writeln!(stdin, "{PASSWORD}").expect("password written");
        drop(stdin);
        assert!(
            add.wait().expect("user add ends").success(),
            "user add fails"
        );
        let child = Self::command(db, port, log_dir.path(), "serve")
            .arg("serve")
            .spawn()
            .expect("candor serve starts");
        let service = Service {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log_dir,
        };
        for _ in 0..400 {
            let ready = reqwest::get(format!("{}/healthz", service.base)).await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return service;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("candor serve did not answer /healthz within 20 seconds");
    }

    fn command(db: &TestDatabase, port: u16, logs: &Path, name: &str) -> Command {
        // `CANDOR_LOGS_TEST_FILTER` tries another filter (such as a plain `debug`) by hand.
        let filter = std::env::var("CANDOR_LOGS_TEST_FILTER").unwrap_or(LOG_FILTER.to_owned());
        let mut command = Command::new(env!("CARGO_BIN_EXE_candor"));
        let file = |stream: &str| {
            std::fs::File::create(logs.join(format!("{name}.{stream}"))).expect("log file")
        };
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CANDOR_ADDR", format!("127.0.0.1:{port}"))
            .env("CANDOR_DATA_DIR", db.dir.path())
            .env("CANDOR_DATABASE_URL", &db.url)
            .env("CANDOR_JWT_SECRET", SECRET)
            .env("CANDOR_ORGANIZATION_NAME", "Sample Company")
            .env("CANDOR_PUBLIC_URL", "https://notices.sample-company.test")
            .env("CANDOR_PLAYBOOK_AUTO_ATTACH", "false")
            .env("CANDOR_LOG", &filter)
            .env("RUST_LOG", &filter)
            .stdout(file("stdout"))
            .stderr(file("stderr"));
        command
    }

    /// Stops the service (SIGTERM, then waits) and returns everything it and `user add`
    /// wrote.
    fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        let mut all = String::new();
        let mut files: Vec<_> = std::fs::read_dir(self.log_dir.path())
            .expect("log dir")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        files.sort();
        for path in files {
            let mut text = String::new();
            std::fs::File::open(&path)
                .and_then(|mut f| f.read_to_string(&mut text))
                .expect("log read");
            all.push_str(&text);
        }
        all
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Calls the service's API.
struct Api<'a> {
    http: &'a reqwest::Client,
    base: String,
}

impl Api<'_> {
    fn post(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
    }

    fn put(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http
            .put(format!("{}{path}", self.base))
            .bearer_auth(token)
    }

    fn patch(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http
            .patch(format!("{}{path}", self.base))
            .bearer_auth(token)
    }

    async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.send(
            self.http
                .get(format!("{}{path}", self.base))
                .bearer_auth(token),
        )
        .await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn login(&self, email: &str) -> String {
        let request = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({ "email": email, "password": PASSWORD }));
        let (status, body) = self.send(request).await;
        assert_eq!(status, 200, "{body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// A new staff account with one role, created by the admin, signed in.
    async fn staff(&self, admin: &str, role: &str) -> String {
        let email = format!("{role}@staff.candor.test").replace('_', "-");
        let body = json!({ "email": email, "password": PASSWORD, "roles": [role] });
        let (status, created) = self
            .send(self.post("/api/v1/users", admin).json(&body))
            .await;
        assert_eq!(status, 201, "{created}");
        self.login(&email).await
    }

    async fn import(&self, token: &str, kind: &str, csv: &str) -> (u16, Value) {
        let request = self
            .post(&format!("/api/v1/inventory/{kind}"), token)
            .header("content-type", "text/csv")
            .body(csv.to_owned());
        self.send(request).await
    }

    /// Polls `path` (bounded, short sleeps: the work runs in the service) until `done`.
    async fn until(&self, token: &str, path: &str, done: impl Fn(&Value) -> bool) {
        let mut last = Value::Null;
        for _ in 0..600 {
            let (status, body) = self.get(path, token).await;
            assert_eq!(status, 200, "{body}");
            if done(&body) {
                return;
            }
            last = body;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{path}: not done within 30 seconds: {last}");
    }
}
