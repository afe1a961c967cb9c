//! The `candor` binary itself: it refuses unsafe production settings, keeps its generated
//! development secret, serves, and stops gracefully on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const CANDOR: &str = env!("CARGO_BIN_EXE_candor");

/// A `candor` command with a clean environment of its own in `dir`.
fn candor(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(CANDOR);
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("CANDOR_DATA_DIR", dir.join("data"));
    cmd
}

#[test]
fn production_refuses_to_start_without_a_secret_and_names_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let out = candor(dir.path())
        .env("CANDOR_ENV", "production")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("CANDOR_JWT_SECRET"), "stderr: {stderr}");
    assert!(
        !dir.path().join("data/jwt-secret").exists(),
        "production must not invent a secret"
    );
}

#[test]
fn an_organization_trait_the_rules_pack_does_not_know_refuses_to_start_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = candor(dir.path())
        .env("CANDOR_ORGANIZATION_TRAITS", "sec_registrant,bank_holding")
        .env("CANDOR_ADDR", "127.0.0.1:0")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("CANDOR_ORGANIZATION_TRAITS") && stderr.contains("`bank_holding`"),
        "stderr: {stderr}"
    );
}

#[test]
fn a_playbook_that_does_not_validate_refuses_to_start_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let playbooks = dir.path().join("playbooks");
    std::fs::create_dir_all(&playbooks).unwrap();
    std::fs::write(
        playbooks.join("broken.toml"),
        "id = \"broken\"\nname = \"Broken\"\nversion = 1\nsummary = \"A test.\"\n\n\
         [[steps]]\nid = \"one\"\ntitle = \"One\"\nowner = \"janitor\"\ntask = []\n",
    )
    .unwrap();
    let out = candor(dir.path())
        .env("CANDOR_PLAYBOOKS", &playbooks)
        .env("CANDOR_ADDR", "127.0.0.1:0")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("broken.toml:9") && stderr.contains("janitor"),
        "stderr: {stderr}"
    );
    assert!(stderr.contains("CANDOR_PLAYBOOKS"), "stderr: {stderr}");
}

#[test]
fn production_refuses_a_secret_shorter_than_32_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = candor(dir.path())
        .env("CANDOR_ENV", "production")
        .env("CANDOR_JWT_SECRET", "only-twenty-bytes-xx")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("CANDOR_JWT_SECRET is 20 bytes long"),
        "stderr: {stderr}"
    );
    assert!(
        !stderr.contains("only-twenty-bytes-xx"),
        "the secret must never be echoed"
    );
}

#[test]
fn serve_answers_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = candor(dir.path())
        .env("CANDOR_ADDR", "127.0.0.1:0")
        .env("CANDOR_LOG_FORMAT", "json")
        .arg("serve")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Read stderr on a thread so that a silent server fails the test instead of hanging it.
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let addr = loop {
        let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            panic!("candor serve never said where it listens");
        };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if value["message"] == "candor is listening" {
            break value["addr"].as_str().expect("addr field").to_owned();
        }
    };

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        reqwest::get(format!("http://{addr}/healthz"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);

    let secret = std::fs::read_to_string(dir.path().join("data/jwt-secret")).unwrap();
    assert!(secret.trim().len() >= 32);

    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let mut exit = None;
    for _ in 0..100 {
        if let Some(status) = child.try_wait().unwrap() {
            exit = Some(status);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let exit = exit.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("candor did not stop within 5 seconds of SIGTERM");
    });
    assert!(exit.success(), "graceful stop exits 0, got {exit:?}");
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(
        rest.iter().any(|l| l.contains("shutdown requested")),
        "{rest:?}"
    );

    // The generated secret is readable by the service's user only.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("data/jwt-secret"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}
