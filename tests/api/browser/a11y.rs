//! Accessibility, checked in the browser by axe-core (Deque's open-source engine) against the
//! WCAG 2.1 A and AA rules: labels, names, headings and landmarks, contrast, ARIA use,
//! keyboard traps. axe-core comes from the npm registry (`tests/api/browser/axe/`, installed
//! by `.ci/run` with `npm ci`) and is injected into the page under test; a missing install
//! fails the test, never skips it. Beside it, a person signs in with the keyboard alone.

use candor::domain::Role;
use serde_json::{Value, json};

use super::Browser;
use crate::helpers::{PASSWORD, spawn_app};

/// axe-core's browser build, from the npm package.
const AXE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/api/browser/axe/node_modules/axe-core/axe.min.js"
);

/// Runs axe in the page (once the script is injected): WCAG 2.1 A and AA, violations only,
/// frames left out (the notice preview's sandboxed frame is the notice's own HTML, checked
/// as a page of its own); calls back with one line per violation.
const RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
  iframes: false,
}).then(
  r => done(r.violations.map(v =>
    `${v.impact} ${v.id}: ${v.help}\n` +
    v.nodes.slice(0, 4).map(n => `    at ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`).join('\n'))),
  e => done(['axe failed: ' + e]));
"#;

impl Browser {
    /// The page's WCAG 2.1 A/AA violations as axe-core reports them (empty when none).
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let source = std::fs::read_to_string(AXE).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing ({AXE}: {e}). Install it as .ci/run does: \
                 `npm ci --prefix tests/api/browser/axe`"
            )
        });
        let loaded = self
            .script(&format!("{source}\n;return typeof axe;"), vec![])
            .await;
        assert_eq!(loaded, json!("object"), "axe-core did not load in the page");
        let found = self
            .client
            .execute_async(RUN, vec![])
            .await
            .unwrap_or_else(|e| panic!("axe could not run: {e}"));
        found
            .as_array()
            .expect("a list of violations")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Fails the test, listing every violation, unless the page passes axe's WCAG 2.1 A/AA
    /// checks. `what` names the page in the message.
    pub async fn assert_accessible(&self, what: &str) {
        let violations = self.accessibility_violations().await;
        assert!(
            violations.is_empty(),
            "{what} ({}) is not accessible:\n{}",
            self.path().await,
            violations.join("\n")
        );
    }
}

#[tokio::test]
async fn the_checker_finds_what_a_page_gets_wrong() {
    let app = spawn_app().await;
    let browser = Browser::launch().await;
    browser.open(&app, "/login").await;
    browser.assert_accessible("the sign-in page").await;

    // The same page with its email field's label taken away and a pale grey line of text:
    // the checker must see both, or its silence above would mean nothing.
    browser
        .script(
            "document.querySelector('label[for=email]').remove();\
             const p = document.createElement('p');\
             p.textContent = 'Barely legible';\
             p.style.color = '#d0d0d0';\
             document.querySelector('main').append(p);",
            vec![],
        )
        .await;
    let violations = browser.accessibility_violations().await;
    let ids: Vec<&str> = violations
        .iter()
        .filter_map(|v| v.split_whitespace().nth(1))
        .map(|id| id.trim_end_matches(':'))
        .collect();
    assert!(ids.contains(&"label"), "{violations:#?}");
    assert!(ids.contains(&"color-contrast"), "{violations:#?}");
}

#[tokio::test]
async fn a_person_signs_in_and_reaches_the_incidents_with_the_keyboard_alone() {
    let app = spawn_app().await;
    let browser = Browser::launch().await;
    app.add_user("keys@staff.candor.test", &[Role::Responder])
        .await;
    browser.open(&app, "/login?next=/incidents").await;
    // The first Tab reaches the skip link; Enter on it moves on to the content.
    browser.keys("\u{e004}").await;
    assert_eq!(
        browser.focused().await,
        json!({"tag": "A", "text": "Skip to the content"})
    );
    browser.keys("\u{e007}").await;
    // Tab by Tab through the form: email, password, then the button, typing as a person does.
    browser.keys("\u{e004}").await;
    assert_eq!(browser.focused().await["id"], "email");
    browser.keys("keys@staff.candor.test\u{e004}").await;
    assert_eq!(browser.focused().await["id"], "password");
    browser.keys(&format!("{PASSWORD}\u{e007}")).await;
    browser.wait_for("form.who").await;
    assert_eq!(browser.path().await, "/incidents");
}

impl Browser {
    /// Sends keystrokes to whatever has the focus (WebDriver key codes: `\u{e004}` is Tab,
    /// `\u{e007}` Enter).
    pub async fn keys(&self, keys: &str) {
        let focused = self
            .client
            .active_element()
            .await
            .expect("an element has the focus");
        focused
            .send_keys(keys)
            .await
            .unwrap_or_else(|e| panic!("keys not sent: {e}"));
    }

    /// The element with the focus: its tag, id (when it has one) and text.
    pub async fn focused(&self) -> Value {
        self.script(
            "const e = document.activeElement;\
             const out = { tag: e.tagName };\
             if (e.id) out.id = e.id;\
             const text = (e.innerText || '').trim();\
             if (text) out.text = text;\
             return out;",
            vec![],
        )
        .await
    }
}
