//! Notices people can read: the templates, the context they are rendered with, the linter,
//! previews and dry runs, and drafts approved by a CX lead for exactly their content and
//! audience.

pub mod audience;
pub mod content;
pub mod context;
pub mod drafts;
pub mod laws;
pub mod lint;
pub mod sample;
pub mod templates;
pub mod variants;
