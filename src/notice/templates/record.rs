//! Which `{{#element}}` blocks rendered visible text during one render.
//!
//! Handlebars calls helpers with no slot for the caller's own state, and rendering is
//! synchronous on one thread, so the element helper writes to a recorder that lives in a
//! thread-local for exactly the span of one render (nested renders keep their own).

use std::cell::RefCell;
use std::collections::BTreeSet;

thread_local! {
    static RECORDED: RefCell<Option<BTreeSet<String>>> = const { RefCell::new(None) };
}

/// A recording in progress; dropping it (a render that failed) discards it.
pub(super) struct Recording {
    /// The recording this one interrupted, put back when this one ends.
    previous: Option<Option<BTreeSet<String>>>,
}

impl Recording {
    /// Starts recording on this thread.
    pub(super) fn start() -> Recording {
        let previous = RECORDED.with(|r| r.replace(Some(BTreeSet::new())));
        Recording {
            previous: Some(previous),
        }
    }

    /// Ends the recording and returns the element keys recorded.
    pub(super) fn finish(mut self) -> BTreeSet<String> {
        self.restore().unwrap_or_default()
    }

    fn restore(&mut self) -> Option<BTreeSet<String>> {
        let previous = self.previous.take()?;
        RECORDED.with(|r| r.replace(previous))
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        self.restore();
    }
}

/// Notes that the element `key` rendered visible text (nothing happens outside a recording).
pub(super) fn record(key: &str) {
    RECORDED.with(|r| {
        if let Some(keys) = r.borrow_mut().as_mut() {
            keys.insert(key.to_owned());
        }
    });
}

/// Whether rendered output shows anything: non-whitespace text, after removing tags, comments
/// and non-breaking spaces when it is HTML.
pub(super) fn is_visible(output: &str, html: bool) -> bool {
    if !html {
        return output.chars().any(|c| !c.is_whitespace());
    }
    let mut rest = output;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->").map_or("", |(_, tail)| tail);
        } else if rest.starts_with('<') {
            rest = rest.split_once('>').map_or("", |(_, tail)| tail);
        } else if let Some(after) = ["&nbsp;", "&#160;", "&#xa0;", "&#xA0;"]
            .iter()
            .find_map(|space| rest.strip_prefix(space))
        {
            rest = after;
        } else {
            let mut chars = rest.chars();
            if chars
                .next()
                .is_some_and(|c| !c.is_whitespace() && c != '\u{a0}')
            {
                return true;
            }
            rest = chars.as_str();
        }
    }
    false
}
