//! A line-by-line comparison of a shipped template file with an incident's own copy of it,
//! for the notice edit page: the lines removed and added, with a little unchanged context
//! around each change and the long unchanged stretches left out.

use serde::Serialize;

/// Unchanged lines shown either side of a change.
const CONTEXT: usize = 2;

/// The most cells (lines × lines) compared; longer files are not compared line by line.
const MAX_CELLS: usize = 4_000_000;

/// One line of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct Line {
    /// `same`, `removed`, `added`, or `gap` (unchanged lines left out).
    pub op: &'static str,
    pub text: String,
}

fn line(op: &'static str, text: &str) -> Line {
    Line {
        op,
        text: text.to_owned(),
    }
}

/// The lines removed from `before` and added in `after`, with context; `None` when the
/// files are too long to compare.
pub(super) fn diff(before: &str, after: &str) -> Option<Vec<Line>> {
    let (a, b): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        return None;
    }
    // Longest common subsequence, from the ends: `lcs[i][j]` for `a[i..]` and `b[j..]`.
    let width = b.len() + 1;
    let mut lcs = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i * width + j] = if a[i] == b[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j, mut all) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            all.push(line("same", a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len()
            && (j == b.len() || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])
        {
            all.push(line("removed", a[i]));
            i += 1;
        } else {
            all.push(line("added", b[j]));
            j += 1;
        }
    }
    Some(trimmed(all))
}

/// Keeps the changed lines and `CONTEXT` unchanged lines around each; a gap for the rest.
fn trimmed(all: Vec<Line>) -> Vec<Line> {
    let changed: Vec<usize> = (0..all.len()).filter(|&k| all[k].op != "same").collect();
    let near = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= CONTEXT);
    let mut out = Vec::new();
    let mut skipped = 0;
    for (k, l) in all.into_iter().enumerate() {
        if l.op != "same" || near(k) {
            if skipped > 0 {
                out.push(line("gap", &format!("{skipped} unchanged lines")));
                skipped = 0;
            }
            out.push(l);
        } else {
            skipped += 1;
        }
    }
    if skipped > 0 && !out.is_empty() {
        out.push(line("gap", &format!("{skipped} unchanged lines")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| format!("{} {}", l.op, l.text))
            .collect()
    }

    #[test]
    fn a_changed_line_shows_removed_then_added_with_context_and_gaps() {
        let before = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let after = "a\nb\nc\nd\nE\nf\ng\nh\n";
        let shown = diff(before, after).expect("compared");
        assert_eq!(
            ops(&shown),
            [
                "gap 2 unchanged lines",
                "same c",
                "same d",
                "removed e",
                "added E",
                "same f",
                "same g",
                "gap 1 unchanged lines",
            ]
        );
    }

    #[test]
    fn identical_files_show_nothing_and_added_lines_at_the_end_show_as_added() {
        assert!(diff("x\ny\n", "x\ny\n").expect("compared").is_empty());
        let shown = diff("x\n", "x\ny\n").expect("compared");
        assert_eq!(ops(&shown), ["same x", "added y"]);
    }
}
