//! `chromedriver` as a child process of one test: started on a free loopback port in a process
//! group of its own with a temporary directory of its own, waited for until it answers, and on
//! drop made to quit its browser session, then killed with every browser process it started.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The driver binary (Debian's `chromium-driver` package), looked up on `PATH`.
const CHROMEDRIVER: &str = "chromedriver";
/// How long chromedriver gets to answer after it starts.
const STARTUP: Duration = Duration::from_secs(15);
/// How long quitting the browser may take when the test is over.
const QUIT: Duration = Duration::from_secs(5);
/// The driver's output, in its scratch directory.
const LOG: &str = "chromedriver.log";

/// A running chromedriver.
pub struct Driver {
    child: Child,
    port: u16,
    /// `TMPDIR` of the driver and its browser (profile, shared memory files) and the driver's
    /// log; removed after both are gone, since Chromium leaves some of its files behind.
    scratch: tempfile::TempDir,
    /// The browser session to quit before the driver is killed.
    session: Option<String>,
}

impl Driver {
    /// Starts chromedriver and waits until it is ready for a session.
    pub async fn start() -> Driver {
        let binary = on_path(CHROMEDRIVER).unwrap_or_else(|| {
            panic!(
                "{CHROMEDRIVER} is missing from PATH. Install Debian's `chromium-driver` package \
                 (`apt-get install -y chromium chromium-driver`, as .ci/run does)."
            )
        });
        // Another process may take the port between this check and chromedriver's bind; a
        // driver that exits at once is started again on a new port.
        for _ in 0..3 {
            let mut driver = Driver::spawn(&binary);
            if driver.ready().await {
                return driver;
            }
        }
        panic!("chromedriver did not start three times (its output is above)");
    }

    fn spawn(binary: &Path) -> Driver {
        let port = free_port();
        let scratch = tempfile::tempdir().expect("temp dir");
        let log = std::fs::File::create(scratch.path().join(LOG)).expect("log file");
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .env("TMPDIR", scratch.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            // Its own group, so that drop can kill the browser processes it started as well.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("{} cannot be run: {e}", binary.display()));
        Driver {
            child,
            port,
            scratch,
            session: None,
        }
    }

    /// Polls `/status` until the driver says it is ready; false if it exited first.
    async fn ready(&mut self) -> bool {
        let client = reqwest::Client::new();
        let status = format!("{}/status", self.url());
        let started = Instant::now();
        while started.elapsed() < STARTUP {
            if let Ok(Some(exit)) = self.child.try_wait() {
                eprintln!("chromedriver exited with {exit}:\n{}", self.output());
                return false;
            }
            if let Ok(response) = client.get(&status).send().await
                && let Ok(body) = response.json::<serde_json::Value>().await
                && body["value"]["ready"] == true
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "chromedriver did not answer on port {} within {STARTUP:?}:\n{}",
            self.port,
            self.output()
        );
    }

    /// The driver's address.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Makes the driver quit `session` before it is killed.
    pub fn own_session(&mut self, session: String) {
        self.session = Some(session);
    }

    fn output(&self) -> String {
        std::fs::read_to_string(self.scratch.path().join(LOG)).unwrap_or_default()
    }

    /// Asks the driver to end the session, which closes the browser and removes its profile.
    /// A plain blocking request: drop may run while a test's runtime is unwinding.
    fn quit(&self, session: &str) -> std::io::Result<()> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(QUIT))?;
        stream.set_write_timeout(Some(QUIT))?;
        write!(
            stream,
            "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )?;
        // The driver answers once the browser has quit; its answer's first bytes are enough
        // (it may keep the connection open regardless of `Connection: close`).
        let mut answer = [0; 512];
        match stream.read(&mut answer)? {
            0 => Err(std::io::ErrorKind::UnexpectedEof.into()),
            _ => Ok(()),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            let _ = self.quit(&session);
        }
        let group = libc::pid_t::try_from(self.child.id()).unwrap_or(0);
        if group > 0 {
            // SAFETY: kill(2) takes no pointers; the negative id names the process group
            // this driver leads (it was spawned with `process_group(0)`).
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("local address").port()
}

/// Where `name` is on `PATH`, if it is.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}
