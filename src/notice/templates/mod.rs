//! The notice template engine: a template set as files (shipped, from a folder, or a draft's
//! edited copy), compiled per locale in strict Handlebars with Candor's helpers, rendered into
//! a subject, a text body and an HTML body with the law elements each part shows.
//!
//! The layout and what templates can use are in `notice-templates/README.md`.

mod compile;
mod embedded;
mod helpers;
mod layout;
mod locale;
mod problem;
mod record;
mod render;
mod set;
#[cfg(test)]
mod tests;

pub use compile::Compiled;
pub use layout::{REQUIRED_PARTIALS, TONE_FILE};
pub use problem::{RenderProblem, TemplateProblem, TemplateProblems, TemplateSetError};
pub use render::Rendered;
pub use set::TemplateSet;
