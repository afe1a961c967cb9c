//! Refused imports: a file with bad rows is refused whole, every bad line named and nothing
//! written; bad headers, repeated keys, wrong roles and wrong media types.

use candor::domain::Role;
use serde_json::{Value, json};

use super::{Admin, CUSTOMERS_CSV, SYSTEMS_CSV, count, holdings_csv, import_audit, send, to_jsonl};
use crate::helpers::spawn_app;

/// The `(field, message)` pairs of a 422 `invalid_rows` answer.
pub(super) fn details(status: u16, body: &Value) -> Vec<(String, String)> {
    assert_eq!(
        (status, &body["error"]["code"]),
        (422, &json!("invalid_rows")),
        "{body}"
    );
    body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["field"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(f, m)| ((*f).to_owned(), (*m).to_owned()))
        .collect()
}

#[tokio::test]
async fn a_holdings_file_with_bad_rows_is_refused_whole_naming_every_bad_line() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    admin.import("systems", SYSTEMS_CSV).await;
    let file = format!(
        "{}hr,x-1,c-1,,,name,2020-01-01,\n\
         crm,x-2,c-1,,,name;shoe_size,2020-01-01,\n\
         crm,x-3,c-1,,,name,2020-02-30,\n\
         crm,x-4,,not-an-email,,email,2020-01-01,\n\
         crm,x-5,,,,email,2020-01-01,2019-01-01\n",
        holdings_csv(3)
    );
    let (status, body) = admin.import("holdings", &file).await;
    assert_eq!(
        details(status, &body),
        pairs(&[
            ("line 5", "system: unknown system `hr`"),
            ("line 6", "categories: unknown data category `shoe_size`"),
            (
                "line 7",
                "stored_from: bad date (expected YYYY-MM-DD or an RFC 3339 timestamp)"
            ),
            ("line 8", "email: bad email address"),
            ("line 9", "stored_to: before stored_from"),
        ])
    );
    assert_eq!(
        body["error"]["message"],
        "5 of 8 rows are invalid; nothing was imported"
    );
    assert_eq!(count(&app, "holdings").await, 0);
    assert_eq!(
        import_audit(&app).await.len(),
        1,
        "only the systems import is audited"
    );
}

#[tokio::test]
async fn a_customers_file_with_bad_places_tiers_and_emails_is_refused_whole() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    let file = format!(
        "{CUSTOMERS_CSV}\
         c-4,Di,Do,di@example.com,,,,,,XX,,,,\n\
         c-5,Ed,Ek,ed@example.com,,,,,,US,,,,\n\
         c-6,Fa,Fo,fa@example.com,,,,,,DE,,gold,,\n\
         c-7,Gu,Ga,Gu at example,,,,,,DE,,,,pigeon\n"
    );
    let (status, body) = admin.import("customers", &file).await;
    assert_eq!(
        details(status, &body),
        pairs(&[
            ("line 5", "country: not an ISO 3166-1 alpha-2 country code"),
            (
                "line 6",
                "region: missing (required for US: the state or province code)"
            ),
            ("line 7", "tier: expected standard or vip"),
            (
                "line 8",
                "email: bad email address; preferred_channel: expected email, postal or sms"
            ),
        ])
    );
    assert!(
        !body.to_string().contains("Gu at example"),
        "values are never echoed"
    );
    assert_eq!(count(&app, "people").await, 0);
}

#[tokio::test]
async fn json_lines_problems_name_the_line_and_the_key() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    let mut file = to_jsonl(SYSTEMS_CSV);
    file.push_str("\n{\"system\": \"hr\", \"colour\": \"blue\"}\nnot json\n");
    let (status, body) = send(admin.request("systems", "application/x-ndjson", file)).await;
    assert_eq!(
        details(status, &body),
        pairs(&[
            ("line 5", "unknown key `colour`"),
            ("line 6", "not valid JSON (column 2)")
        ])
    );
    assert_eq!(count(&app, "systems").await, 0);
}

#[tokio::test]
async fn a_key_repeated_in_one_file_is_refused_naming_where_it_was_first_seen() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    admin.import("systems", SYSTEMS_CSV).await;
    let file = format!("{}crm,r-3,c-2,,,name,2021-01-01,\n", holdings_csv(5));
    let (status, body) = admin.import("holdings", &file).await;
    assert_eq!(
        details(status, &body),
        pairs(&[(
            "line 7",
            "duplicate record_ref for system `crm` (first seen on line 5)"
        )])
    );
    let customers = format!("{CUSTOMERS_CSV}c-1,Ada,Again,,,,,,,GB,,,,\n");
    let (status, body) = admin.import("customers", &customers).await;
    assert_eq!(
        details(status, &body),
        pairs(&[("line 5", "duplicate customer_ref (first seen on line 2)")])
    );
}

#[tokio::test]
async fn a_header_with_unknown_or_missing_columns_is_refused_even_when_skipping() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    let file = "system,colour,owner\ncrm,blue,Sales\n".to_owned();
    let request = admin.request("systems", "text/csv", file);
    let (status, body) = send(request.query(&[("skip_invalid", "true")])).await;
    assert_eq!(
        details(status, &body),
        pairs(&[
            ("line 1", "unknown column `colour`"),
            ("line 1", "missing column `description`"),
            ("line 1", "missing column `encrypted_at_rest`"),
        ])
    );
    assert_eq!(
        body["error"]["message"],
        "the header is not valid; nothing was imported"
    );
}

#[tokio::test]
async fn only_admins_may_import() {
    let app = spawn_app().await;
    for role in [Role::Responder, Role::CxLead] {
        let token = app.token(&[role]).await;
        let request = app
            .post("/api/v1/inventory/systems")
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(SYSTEMS_CSV);
        let (status, body) = send(request).await;
        assert_eq!((status, &body["error"]["code"]), (403, &json!("forbidden")));
    }
    let anonymous = app.post("/api/v1/inventory/holdings").body("x");
    assert_eq!(send(anonymous).await.0, 401);
    assert_eq!(count(&app, "systems").await, 0);
}

#[tokio::test]
async fn a_body_that_is_neither_csv_nor_json_lines_is_415() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    let (status, body) = send(admin.request("systems", "application/json", "{}".into())).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (415, &json!("unsupported_media_type"))
    );
}
