//! The shipped templates, compiled into the binary so that Candor runs with no files beside
//! it. A test checks that this list and `notice-templates/` hold exactly the same files.

/// Each file of `notice-templates/` (the README aside) as `(path, content)`.
macro_rules! template_files {
    ($($path:literal),+ $(,)?) => {
        &[$((
            $path,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/notice-templates/", $path)),
        )),+]
    };
}

/// The embedded files, in path order.
pub(super) const FILES: &[(&str, &str)] = template_files!(
    "initial-notice/en/html.hbs",
    "initial-notice/en/subject.hbs",
    "initial-notice/en/text.hbs",
    "initial-notice/es/html.hbs",
    "initial-notice/es/subject.hbs",
    "initial-notice/es/text.hbs",
    "locales/en.toml",
    "locales/es.toml",
    "partials/en/contact.html.hbs",
    "partials/en/contact.text.hbs",
    "partials/en/footer.html.hbs",
    "partials/en/footer.text.hbs",
    "partials/en/header.html.hbs",
    "partials/en/header.text.hbs",
    "partials/en/steps.html.hbs",
    "partials/en/steps.text.hbs",
    "partials/es/contact.html.hbs",
    "partials/es/contact.text.hbs",
    "partials/es/footer.html.hbs",
    "partials/es/footer.text.hbs",
    "partials/es/header.html.hbs",
    "partials/es/header.text.hbs",
    "partials/es/steps.html.hbs",
    "partials/es/steps.text.hbs",
    "regulator-report/en/html.hbs",
    "regulator-report/en/subject.hbs",
    "regulator-report/en/text.hbs",
    "regulator-report/es/html.hbs",
    "regulator-report/es/subject.hbs",
    "regulator-report/es/text.hbs",
    "survey-invitation/en/html.hbs",
    "survey-invitation/en/subject.hbs",
    "survey-invitation/en/text.hbs",
    "survey-invitation/es/html.hbs",
    "survey-invitation/es/subject.hbs",
    "survey-invitation/es/text.hbs",
    "survey-reminder/en/html.hbs",
    "survey-reminder/en/subject.hbs",
    "survey-reminder/en/text.hbs",
    "survey-reminder/es/html.hbs",
    "survey-reminder/es/subject.hbs",
    "survey-reminder/es/text.hbs",
    "tone.toml",
    "update/en/html.hbs",
    "update/en/subject.hbs",
    "update/en/text.hbs",
    "update/es/html.hbs",
    "update/es/subject.hbs",
    "update/es/text.hbs",
);
