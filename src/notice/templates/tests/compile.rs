//! Compiling: every problem of a set, each at its file, line and column.

use super::{minimal, minimal_with};
use crate::notice::templates::{TemplateProblem, TemplateSet};

fn problems_of(set: &TemplateSet) -> Vec<TemplateProblem> {
    match set.compile() {
        Ok(_) => panic!("the set compiled"),
        Err(problems) => problems,
    }
}

#[test]
fn a_complete_set_compiles_and_knows_its_category_words() {
    let compiled = super::compiled(&minimal());
    use crate::domain::notice::Locale;
    assert_eq!(
        compiled.category_words(Locale::Es, "ssn"),
        Some("ssn words")
    );
    assert_eq!(compiled.category_words(Locale::En, "shoe_size"), None);
}

#[test]
fn a_compile_error_names_the_file_line_and_column() {
    let set = minimal_with(&[(
        "survey-invitation/es/text.hbs",
        "Hola.\n\n{{#if person.known}}\nSí.\n{{/unless}}\n",
    )]);
    let problems = problems_of(&set);
    assert_eq!(problems.len(), 1, "{problems:?}");
    let problem = &problems[0];
    assert_eq!(problem.file, "survey-invitation/es/text.hbs");
    assert_eq!(problem.line, Some(5));
    assert!(problem.column.is_some());
    let shown = problem.to_string();
    assert!(
        shown.starts_with(&format!(
            "survey-invitation/es/text.hbs:5:{}: ",
            problem.column.unwrap_or_default()
        )),
        "{shown}"
    );
    assert!(shown.contains("unless"), "{shown}");
}

#[test]
fn every_broken_file_is_reported_not_just_the_first() {
    let set = minimal_with(&[
        ("update/en/html.hbs", "<p>{{#each x}}</p>"),
        ("partials/es/footer.text.hbs", "Adiós {{ }}"),
    ]);
    let problems = problems_of(&set);
    let files: Vec<&str> = problems.iter().map(|p| p.file.as_str()).collect();
    assert_eq!(
        files,
        ["partials/es/footer.text.hbs", "update/en/html.hbs"],
        "{problems:?}"
    );
    assert!(problems.iter().all(|p| p.line.is_some()), "{problems:?}");
}

#[test]
fn each_missing_file_is_a_problem_and_so_is_a_file_that_fits_nowhere() {
    let files = minimal().files().clone().into_iter().filter(|(path, _)| {
        path != "regulator-report/es/subject.hbs"
            && path != "partials/en/steps.html.hbs"
            && path != "locales/es.toml"
    });
    let mut files: Vec<(String, String)> = files.collect();
    files.push(("update/en/subjcet.hbs".to_owned(), "typo".to_owned()));
    files.push(("update/fr/subject.hbs".to_owned(), "no French".to_owned()));
    let problems = problems_of(&TemplateSet::from_files(files));
    let files: Vec<&str> = problems.iter().map(|p| p.file.as_str()).collect();
    assert_eq!(
        files,
        [
            "locales/es.toml",
            "partials/en/steps.html.hbs",
            "regulator-report/es/subject.hbs",
            "update/en/subjcet.hbs",
            "update/fr/subject.hbs",
        ],
        "{problems:?}"
    );
    assert!(problems[0].message.contains("missing"));
    assert!(problems[3].message.contains("layout"));
}

#[test]
fn a_locale_file_must_name_every_category_and_parse() {
    let english = super::english();
    let without_ssn: String = english
        .lines()
        .filter(|l| !l.starts_with("ssn =") && !l.starts_with("genetic ="))
        .map(|l| format!("{l}\n"))
        .collect();
    let set = minimal_with(&[("locales/en.toml", &without_ssn)]);
    let problems = problems_of(&set);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().all(|p| p.file == "locales/en.toml"));
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("`ssn`")), "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("`genetic`")),
        "{messages:?}"
    );

    let broken = english.replace("list_and = \"and\"", "list_and = and");
    let problems = problems_of(&minimal_with(&[("locales/en.toml", &broken)]));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, Some(3), "{problems:?}");

    let few_months = english.replace("\"December\"", "");
    let problems = problems_of(&minimal_with(&[("locales/es.toml", &few_months)]));
    assert!(problems[0].message.contains("12 months"), "{problems:?}");
}
