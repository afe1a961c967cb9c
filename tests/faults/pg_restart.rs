//! PostgreSQL restarted under a running service: while it is down, requests answer 503 (not
//! 500, and within a bound) and `/readyz` says unavailable; once it is back, requests succeed
//! again without restarting Candor, and its delivery worker still sends a campaign started
//! after the outage. The database is a private cluster (`initdb` + `pg_ctl` as the `postgres`
//! user) on a free port, so stopping it touches nothing else.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use candor::auth::{self, NewUserInput};
use candor::domain::Clock;
use candor::domain::audit::Actor;
use candor::domain::{Role, SystemClock};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::sink::Sink;
use crate::{Candor, Delivery, Store, campaign, count, eventually, free_addr};

const BIN: &str = "/usr/lib/postgresql/15/bin";

/// A private PostgreSQL cluster in a temporary directory, stopped on drop.
struct Cluster {
    dir: tempfile::TempDir,
    port: u16,
}

impl Cluster {
    fn init() -> Cluster {
        let dir = tempfile::tempdir().expect("temp dir");
        // initdb refuses to run as root; the cluster belongs to `postgres`.
        run(
            "chown",
            &["-R", "postgres:postgres", &dir.path().display().to_string()],
        );
        let cluster = Cluster {
            port: free_addr().port(),
            dir,
        };
        as_postgres(
            "initdb",
            &[
                "-D",
                &cluster.data().display().to_string(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log").display().to_string();
        as_postgres(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
    }

    fn stop(&self) {
        as_postgres(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--", &format!("{BIN}/pg_ctl")])
            .args([
                "-D",
                &self.data().display().to_string(),
                "-m",
                "immediate",
                "stop",
            ])
            .output();
    }
}

fn as_postgres(tool: &str, args: &[&str]) {
    let out = Command::new("runuser")
        .args(["-u", "postgres", "--", &format!("{BIN}/{tool}")])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run(tool: &str, args: &[&str]) {
    let status = Command::new(tool).args(args).status().expect(tool);
    assert!(status.success(), "{tool} {args:?} failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_gives_503s_then_the_service_recovers_on_its_own() {
    let tools = Path::new(BIN).exists() && Path::new("/usr/sbin/runuser").exists();
    if !crate::requires(
        tools,
        "PostgreSQL 15's server binaries in /usr/lib/postgresql/15/bin and runuser",
    ) {
        return;
    }
    let cluster = Cluster::init();
    cluster.start();
    let store = Store::at(&cluster.url());
    let sink = Sink::start().await;
    let delivery = Delivery {
        concurrency: 2,
        batch: 10,
        lease_seconds: 30,
        rate: 0,
    };
    let db = store.open(&sink, delivery).await;
    let password = "faults-restart-password";
    auth::add_user(
        &db,
        Actor::Cli,
        NewUserInput {
            email: "lead@faults.candor.test".into(),
            password: SecretString::from(password),
            roles: vec![Role::Responder, Role::CxLead],
        },
        SystemClock.now(),
    )
    .await
    .expect("staff user");
    db.close().await.ok();

    let candor = Candor::serve(&store, &sink, delivery, "serve").await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let token = login(&client, &candor.base, password).await;
    let incidents = format!("{}/api/v1/incidents", candor.base);
    let readyz = format!("{}/readyz", candor.base);
    let list = || client.get(&incidents).bearer_auth(&token).send();
    assert_eq!(list().await.expect("incidents").status(), 200);

    cluster.stop();
    // Down: a clear 503 within a bound (the pool's acquire timeout), never a 500 or a hang.
    let bound = Duration::from_secs(15);
    for _ in 0..3 {
        let asked = Instant::now();
        let response = list().await.expect("an answer while the database is down");
        let took = asked.elapsed();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or_default();
        eprintln!(
            "database down: GET /api/v1/incidents -> {status} in {:.1}s: {body}",
            took.as_secs_f64()
        );
        assert_eq!(
            status, 503,
            "a lost database is unavailability, not an error: {body}"
        );
        assert!(took < bound, "the answer took {took:?}");
        assert_eq!(body["error"]["code"], "unavailable", "{body}");
    }
    let asked = Instant::now();
    let ready = client.get(&readyz).send().await.expect("readyz answers");
    eprintln!(
        "database down: /readyz -> {} in {:.1}s",
        ready.status(),
        asked.elapsed().as_secs_f64()
    );
    assert_eq!(ready.status(), 503);
    // The probe answers within its own short timeout, not the pool's 10 s.
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "/readyz took {:?}",
        asked.elapsed()
    );
    assert_eq!(
        client
            .get(format!("{}/healthz", candor.base))
            .send()
            .await
            .expect("healthz")
            .status(),
        200
    );

    cluster.start();
    let back = Instant::now();
    let recovered = eventually(Duration::from_secs(30), || async {
        let ready = client.get(&readyz).send().await.map(|r| r.status() == 200);
        let listed = list().await.map(|r| r.status() == 200);
        matches!((ready, listed), (Ok(true), Ok(true)))
    })
    .await;
    let recovery = back.elapsed();
    eprintln!(
        "database back: ready and serving again after {:.1}s",
        recovery.as_secs_f64()
    );
    assert!(
        recovered,
        "the service did not recover within 30 s:\n{}",
        candor.log_text()
    );

    // The delivery worker lived through it: a campaign sent now goes out.
    let people = 40;
    campaign::send_to(&store.settings(&sink, delivery), people).await;
    let db = store.open(&sink, delivery).await;
    let sent = eventually(Duration::from_secs(60), || async {
        count(&db, "status = 'sent'").await == people
    })
    .await;
    assert!(
        sent,
        "the delivery worker did not send after the restart:\n{}",
        candor.log_text()
    );
    assert_eq!(sink.tally().distinct, people);
    db.close().await.ok();
}

async fn login(client: &reqwest::Client, base: &str, password: &str) -> String {
    let response = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "lead@faults.candor.test", "password": password}))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), 200, "login");
    let body: Value = response.json().await.expect("login body");
    body["token"].as_str().expect("token").to_owned()
}
