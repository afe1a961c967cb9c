//! End-to-end tests in a real headless Chromium, driven over WebDriver (fantoccini talking to
//! Debian's `chromedriver`), against the same test server and database as the rest of the
//! suite, so they run on SQLite and on PostgreSQL. Each test starts its own chromedriver and
//! browser with [`Browser::launch`] (about a second: launch it while seeding, with
//! `tokio::join!`); a missing `chromium` or `chromium-driver` package fails the test, never
//! skips it. Screenshots are kept in `target/browser-artifacts/` for CI.
//!
//! A test is a person's steps: `open` a path of the test app, `click` and `fill` by CSS
//! selector, `wait_for` what the next page shows, then check the stored rows as other tests do
//! (the staff app's pages the same way: `/login`, its `email` and `password` fields, …).

mod a11y;
mod demo;
mod driver;
mod personal;
mod staff;
mod survey;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use driver::Driver;

/// The browser binary chromedriver starts (Debian's `chromium` package).
const CHROMIUM: &str = "/usr/bin/chromium";
/// The window every test gets: a laptop screen.
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 900;
/// A tablet held upright (an iPad's CSS pixels), for [`Browser::set_width`].
pub const TABLET_WIDTH: u32 = 768;
/// The tallest full-page screenshot taken, in pixels.
const MAX_SCREENSHOT_HEIGHT: u32 = 8_000;
/// How long [`Browser::wait_for`] waits for an element.
const WAIT: Duration = Duration::from_secs(5);
/// How often it looks (fantoccini's default, 250 ms, would add up to much of a test's time).
const POLL: Duration = Duration::from_millis(20);

/// A headless Chromium under its own chromedriver. Dropping it quits the browser and kills
/// the driver.
pub struct Browser {
    client: Client,
    /// The window's width now ([`WIDTH`] until [`Browser::set_width`]).
    width: AtomicU32,
    // Dropped after `client`: quits the session, then kills chromedriver and its browser.
    _driver: Driver,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a session in headless Chromium.
    pub async fn launch() -> Browser {
        assert!(
            std::path::Path::new(CHROMIUM).is_file(),
            "headless Chromium is missing: {CHROMIUM} does not exist. Install Debian's \
             `chromium` package (`apt-get install -y chromium chromium-driver`, as .ci/run does)."
        );
        let mut driver = Driver::start().await;
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities());
        let client = builder
            .connect(&driver.url())
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start {CHROMIUM}: {e}"));
        // The driver quits the session itself on drop, synchronously, even while a failed
        // test unwinds; fantoccini's own close on drop would be a task nobody waits for.
        client.persist().await.expect("session kept");
        let session = client.session_id().await.expect("session id");
        driver.own_session(session.expect("chromedriver made a session"));
        Browser {
            client,
            width: AtomicU32::new(WIDTH),
            _driver: driver,
        }
    }

    /// Opens an address outside the test app (another instance, such as the demo's).
    pub async fn open_url(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("the browser could not open {url}: {e}"));
    }

    /// Makes the window `width` pixels wide (a tablet's, say) until changed again.
    pub async fn set_width(&self, width: u32) {
        self.width.store(width, Ordering::Relaxed);
        self.resize(HEIGHT).await;
    }

    /// How far the page is wider than the window, in pixels (0 when nothing needs a
    /// sideways scroll of the whole page).
    pub async fn overflow_x(&self) -> i64 {
        self.script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .as_i64()
        .expect("a width")
    }

    /// Opens a path of the test app (`/s/{token}`, later `/login`, …).
    pub async fn open(&self, app: &TestApp, path: &str) {
        let url = app.url(path);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("the browser could not open {url}: {e}"));
    }

    /// The current address's path and query (`/s/…?saved=1`).
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits up to [`WAIT`] for an element matching `css` to be in the page.
    pub async fn wait_for(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .every(POLL)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!(
                "`{css}` did not appear within {WAIT:?} ({e}) on {}:\n{}",
                self.path().await,
                self.page_text().await
            ),
        }
    }

    /// The element matching `css`, which must be in the page now.
    pub async fn find(&self, css: &str) -> Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!(
                "no `{css}` ({e}) on {}:\n{}",
                self.path().await,
                self.page_text().await
            ),
        }
    }

    /// The visible text of every element matching `css`, in page order. Read in one step in
    /// the page: a live update may replace the elements between finding and reading them.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let read = self
            .script(
                "return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText);",
                vec![json!(css)],
            )
            .await;
        read.as_array()
            .expect("a list of texts")
            .iter()
            .map(|t| t.as_str().unwrap_or_default().trim().to_owned())
            .collect()
    }

    /// The visible text of the element matching `css`, which must be in the page now (read
    /// in one step, as [`Browser::texts`] does).
    pub async fn text(&self, css: &str) -> String {
        match self.texts(css).await.into_iter().next() {
            Some(text) => text,
            None => panic!(
                "no `{css}` on {}:\n{}",
                self.path().await,
                self.page_text().await
            ),
        }
    }

    /// Clicks the element matching `css` as a person does (it must be visible and enabled).
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("`{css}` cannot be clicked: {e}"));
    }

    /// Types `text` into the field matching `css`, after emptying it.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        element.clear().await.expect("field cleared");
        element
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("cannot type into `{css}`: {e}"));
    }

    /// The current value of the field matching `css` (what the person sees in it).
    pub async fn value(&self, css: &str) -> String {
        let element = self.find(css).await;
        element
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    /// An attribute of the element matching `css`, as written in the page.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.find(css).await.attr(name).await.expect("attribute")
    }

    /// Whether the checkbox or radio button matching `css` is checked.
    pub async fn is_checked(&self, css: &str) -> bool {
        self.find(css).await.is_selected().await.expect("selected")
    }

    /// Runs a script in the page (to do what a person's browser could do but WebDriver cannot
    /// type, such as a pasted answer longer than a field's `maxlength`); returns its value.
    pub async fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("the script failed: {e}\n{script}"))
    }

    /// Saves a screenshot of the whole page as `target/browser-artifacts/{name}.png` and
    /// returns its path. The window grows to the page's height for it, then shrinks back.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let height = self
            .script(
                "return document.documentElement.scrollHeight \
                 + window.outerHeight - window.innerHeight;",
                vec![],
            )
            .await
            .as_u64()
            .and_then(|h| u32::try_from(h).ok())
            .unwrap_or(HEIGHT)
            .clamp(HEIGHT, MAX_SCREENSHOT_HEIGHT);
        self.resize(height).await;
        let png = self.client.screenshot().await;
        self.resize(HEIGHT).await;
        let png = png.unwrap_or_else(|e| panic!("no screenshot {name}: {e}"));
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir).expect("artifacts directory");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("screenshot written");
        path
    }

    async fn resize(&self, height: u32) {
        self.client
            .set_window_size(self.width.load(Ordering::Relaxed), height)
            .await
            .expect("window resized");
    }

    /// The text of the page's body, for failure messages.
    async fn page_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(e) => format!("(no page: {e})"),
        }
    }
}

/// Where screenshots are kept: `target/browser-artifacts/`.
pub fn artifacts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts")
}

/// Headless Chromium as a test needs it: no sandbox (CI runs as root), no GPU, `/tmp` rather
/// than a small `/dev/shm`, a fixed window, and English so pages answer in English.
fn capabilities() -> serde_json::Map<String, Value> {
    let options = json!({
        "binary": CHROMIUM,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            format!("--window-size={WIDTH},{HEIGHT}"),
            "--lang=en-US",
        ],
    });
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    capabilities
}
