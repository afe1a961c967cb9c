//! Rendering a kind's parts for one context: the subject on one line, the text body tidied,
//! the HTML body as written, and which law elements each part showed.

use std::collections::{BTreeMap, BTreeSet};

use handlebars::{Context, RenderError, RenderErrorReason};
use serde_json::Value as Json;

use super::compile::Compiled;
use super::layout::{self, Flavor};
use super::locale::saturate;
use super::problem::RenderProblem;
use super::record::Recording;
use crate::domain::notice::{Locale, NoticeKind, Part};

/// A kind rendered for one reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line, trimmed.
    pub subject: String,
    /// The plain-text body (Markdown for the regulator report).
    pub text: String,
    pub html: String,
    /// Per part, the keys of the `{{#element}}` blocks that rendered visible text there.
    pub elements: BTreeMap<Part, BTreeSet<String>>,
}

impl Compiled {
    /// Renders a kind's subject, text and HTML for `context` (strict: every variable the
    /// templates use must be in it).
    pub fn render(
        &self,
        kind: NoticeKind,
        locale: Locale,
        context: &Json,
    ) -> Result<Rendered, RenderProblem> {
        self.render_owned(kind, locale, context.clone())
    }

    /// Like [`Compiled::render`], taking the context by value (no copy of it is made).
    pub fn render_owned(
        &self,
        kind: NoticeKind,
        locale: Locale,
        context: Json,
    ) -> Result<Rendered, RenderProblem> {
        let context = Context::from(context);
        let mut elements = BTreeMap::new();
        let mut render = |part: Part| {
            let (output, keys) = self.render_with(kind, locale, part, &context)?;
            elements.insert(part, keys);
            Ok::<_, RenderProblem>(output)
        };
        let subject = render(Part::Subject)?;
        let text = render(Part::Text)?;
        let html = render(Part::Html)?;
        Ok(Rendered {
            subject,
            text,
            html,
            elements,
        })
    }

    /// Renders one part, with the keys of the elements that showed visible text in it.
    pub fn render_part(
        &self,
        kind: NoticeKind,
        locale: Locale,
        part: Part,
        context: &Json,
    ) -> Result<(String, BTreeSet<String>), RenderProblem> {
        self.render_with(kind, locale, part, &Context::from(context.clone()))
    }

    /// Renders one HTML partial (`{{> name}}`) of a locale for `context`, exactly as a notice
    /// shows it (strict: every variable the partial uses must be in the context). Customers'
    /// pages show the `steps` and `contact` partials of the campaign that reached them.
    pub fn render_partial_html(
        &self,
        locale: Locale,
        name: &str,
        context: &Json,
    ) -> Result<String, RenderProblem> {
        let file = layout::partial_path(locale, name, Flavor::Html);
        let problem = |message: String| RenderProblem {
            file: file.clone(),
            line: None,
            column: None,
            message,
        };
        // The name goes into a template string: a partial's name, nothing that could be syntax.
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(problem(format!("`{name}` is not a partial name")));
        }
        let Some(registries) = self.locales.get(&locale) else {
            return Err(problem(format!("no templates for locale `{locale}`")));
        };
        let recording = Recording::start();
        let output = registries
            .registry(Flavor::Html)
            .render_template_with_context(
                &format!("{{{{> {name}}}}}"),
                &Context::from(context.clone()),
            )
            .map_err(|e| render_problem(&e, &file, locale, Flavor::Html))?;
        recording.finish();
        Ok(output)
    }

    fn render_with(
        &self,
        kind: NoticeKind,
        locale: Locale,
        part: Part,
        context: &Context,
    ) -> Result<(String, BTreeSet<String>), RenderProblem> {
        let file = layout::template_path(kind, locale, part);
        let flavor = Flavor::of(part);
        let Some(registries) = self.locales.get(&locale) else {
            return Err(RenderProblem {
                file,
                line: None,
                column: None,
                message: format!("no templates for locale `{locale}`"),
            });
        };
        let recording = Recording::start();
        let output = registries
            .registry(flavor)
            .render_with_context(&layout::template_name(kind, part), context)
            .map_err(|e| render_problem(&e, &file, locale, flavor))?;
        let elements = recording.finish();
        let output = match part {
            Part::Subject => one_line(&output),
            Part::Text => tidy_text(&output),
            Part::Html => output,
        };
        Ok((output, elements))
    }
}

/// A render error at the file (partial or template) and position Handlebars names.
fn render_problem(e: &RenderError, file: &str, locale: Locale, flavor: Flavor) -> RenderProblem {
    let file = e.template_name.as_deref().map_or_else(
        || file.to_owned(),
        |name| layout::file_for_template_name(name, locale, flavor),
    );
    let message = match e.reason() {
        RenderErrorReason::MissingVariable(Some(path)) => {
            format!("`{path}` does not exist (strict mode: every variable must be provided)")
        }
        RenderErrorReason::MissingVariable(None) => {
            "a variable does not exist (strict mode: every variable must be provided)".to_owned()
        }
        RenderErrorReason::PartialNotFound(name) => format!(
            "no partial `{name}` (expected {})",
            layout::partial_path(locale, name, flavor)
        ),
        RenderErrorReason::Other(message) => message.clone(),
        reason => reason.to_string(),
    };
    RenderProblem {
        file,
        line: e.line_no.map(saturate),
        column: e.column_no.map(saturate),
        message,
    }
}

/// A subject on one line: each line trimmed, blank ones dropped, joined by a space.
fn one_line(output: &str) -> String {
    output
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A text body with `\n` line endings, no trailing spaces, no leading blank lines, at most
/// one blank line in a row (templates full of `{{#if}}` leave gaps), and one final newline.
pub(super) fn tidy_text(output: &str) -> String {
    let normalised = output.replace("\r\n", "\n").replace('\r', "\n");
    let mut tidy = String::with_capacity(normalised.len());
    let mut blank_run = 0;
    for line in normalised.lines().map(str::trim_end) {
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if blank_run > 0 && !tidy.is_empty() {
            tidy.push('\n');
        }
        blank_run = 0;
        tidy.push_str(line);
        tidy.push('\n');
    }
    tidy
}
