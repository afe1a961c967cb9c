//! `candor notice lint [--dir DIR]`: lints every shipped person-facing notice kind against the
//! built-in sample audience (every law of the rules pack, every locale, email and post) and
//! exits 1 on any `error` finding.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::domain::notice::{FindingSeverity, NoticeKind};
use crate::notice::lint::readability::ReadabilityLimits;
use crate::notice::lint::tone::ToneList;
use crate::notice::lint::{LintInput, lint};
use crate::notice::sample;
use crate::notice::templates::TemplateSet;
use crate::rules::Pack;

/// Work with notice templates.
#[derive(Debug, clap::Subcommand)]
pub enum NoticeCommand {
    /// Lint every notice kind for the sample audience; exits 1 on any error finding.
    Lint {
        /// Lint this folder instead of the templates built into the binary
        /// (e.g. notice-templates).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Also list warnings, not just their count.
        #[arg(long)]
        warnings: bool,
    },
}

/// Runs `candor notice …`.
pub fn run(command: NoticeCommand, limits: ReadabilityLimits) -> anyhow::Result<ExitCode> {
    let NoticeCommand::Lint { dir, warnings } = command;
    let (set, source) = match &dir {
        Some(dir) => (TemplateSet::load_dir(dir)?, dir.display().to_string()),
        None => (TemplateSet::embedded(), "embedded templates".to_owned()),
    };
    let compiled = match set.compile() {
        Ok(c) => c,
        Err(problems) => {
            for p in &problems {
                eprintln!("error: {p}");
            }
            eprintln!(
                "notice templates refused ({source}): {} problems",
                problems.len()
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let tone = match set.get(crate::notice::templates::TONE_FILE) {
        Some(text) => ToneList::parse(text),
        None => ToneList::embedded(),
    }
    .map_err(|e| anyhow::anyhow!("the tone list is not valid: {e}"))?;
    let pack =
        Pack::embedded().map_err(|e| anyhow::anyhow!("the rules pack is not valid:\n{e}"))?;
    let today = chrono::Utc::now().date_naive();
    let (mut errors, mut warning_count, mut cases_checked) = (0, 0, 0);
    for kind in NoticeKind::ALL
        .iter()
        .copied()
        .filter(|k| k.is_for_people())
    {
        let draft = sample::content(kind);
        let cases = sample::cases(&pack, &compiled, kind, today);
        cases_checked += cases.len();
        let report = lint(&LintInput {
            kind,
            set: &set,
            compiled: &compiled,
            content: &draft,
            limits: &limits,
            tone: &tone,
            cases,
        });
        for f in &report.findings {
            let error = f.finding.severity == FindingSeverity::Error;
            if !error && !warnings {
                continue;
            }
            let at = match (&f.finding.location.file, f.finding.location.line) {
                (Some(file), Some(line)) => format!("{file}:{line}"),
                (Some(file), None) => file.clone(),
                _ => kind.as_str().to_owned(),
            };
            eprintln!(
                "{}: {at}: [{}] {} ({} sample variants, e.g. {})\n  fix: {}",
                f.finding.severity,
                f.finding.code,
                f.finding.message,
                f.variants,
                f.examples.first().map(String::as_str).unwrap_or("-"),
                f.finding.suggestion
            );
        }
        errors += report.errors;
        warning_count += report.warnings;
    }
    let (report_errors, report_warnings) = lint_report(&compiled, &tone, warnings);
    errors += report_errors;
    warning_count += report_warnings;
    let summary = format!(
        "notice lint ({source}): {cases_checked} sample variants of {} jurisdictions and the regulator report, {errors} errors, {warning_count} warnings",
        pack.jurisdictions().len()
    );
    if errors > 0 {
        eprintln!("{summary}");
        Ok(ExitCode::FAILURE)
    } else {
        println!("{summary}");
        Ok(ExitCode::SUCCESS)
    }
}

/// The regulator report, rendered for a sample incident in every locale and read for tone:
/// `(errors, warnings)`.
fn lint_report(
    compiled: &crate::notice::templates::Compiled,
    tone: &ToneList,
    show_warnings: bool,
) -> (usize, usize) {
    let (mut errors, mut warnings) = (0, 0);
    for locale in crate::domain::notice::Locale::ALL.iter().copied() {
        let context = crate::obligation::sample_report_context(locale);
        let file = format!("regulator-report/{locale}");
        let rendered = match compiled.render(NoticeKind::RegulatorReport, locale, &context) {
            Ok(r) => r,
            Err(problem) => {
                eprintln!("error: {problem} [rendering.failed]");
                errors += 1;
                continue;
            }
        };
        let findings = tone
            .check(&rendered.subject, locale)
            .into_iter()
            .chain(tone.check(&rendered.text, locale));
        for f in findings {
            let error = f.severity == FindingSeverity::Error;
            if error {
                errors += 1;
            } else {
                warnings += 1;
            }
            if error || show_warnings {
                eprintln!(
                    "{}: {file}: [{}] {}\n  fix: {}",
                    f.severity, f.code, f.message, f.suggestion
                );
            }
        }
    }
    (errors, warnings)
}
