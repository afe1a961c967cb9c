//! Inventory imports: systems, customers and holdings from CSV or JSON Lines, through the API
//! and the `candor` binary, on SQLite and PostgreSQL.

mod api;
mod bombs;
mod cli;
mod refusals;

use candor::domain::Role;
use candor::store::entities::{holdings, people};
use reqwest::RequestBuilder;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, Statement};
use serde_json::{Map, Value};

use crate::helpers::TestApp;

pub const SYSTEMS_CSV: &str = "\
system,description,owner,encrypted_at_rest
billing-db,Card payments,Payments team,true
crm,Customer records,Sales ops,false
support-desk,Support tickets,Support,no
";

pub const CUSTOMERS_CSV: &str = "\
customer_ref,given_name,family_name,email,phone,address_line1,city,region,postal_code,country,locale,tier,customer_since,preferred_channel
c-1,Ada,Lovelace,  Ada.Lovelace@Example.COM ,+1 (415) 555-0100,1 Main St,San Francisco,CA,94105,US,en-US,vip,2019-05-01,email
c-2,Bo,Berg,bo@example.se,,Storgatan 1,Stockholm,,11122,SE,sv,,,postal
c-3,Chloe,Tremblay,chloe@example.ca,,1 Rue Sainte,Montreal,qc,H2X 1Y4,ca,fr-CA,standard,2021-02-03,sms
";

/// A holdings file of `n` rows spread over the three systems.
pub fn holdings_csv(n: usize) -> String {
    let mut csv =
        "system,record_ref,customer_ref,email,phone,categories,stored_from,stored_to\n".to_owned();
    let systems = ["crm", "billing-db", "support-desk"];
    for i in 0..n {
        let system = systems[i % 3];
        let customer = if i % 5 == 0 {
            String::new()
        } else {
            format!("c-{}", i % 3 + 1)
        };
        let email = if i % 5 == 0 {
            format!(" Person{i}@Example.com ")
        } else {
            String::new()
        };
        let to = if i % 7 == 0 { "2024-06-30" } else { "" };
        csv.push_str(&format!(
            "{system},r-{i},{customer},{email},,name;email,2020-01-01T08:00:00Z,{to}\n"
        ));
    }
    csv
}

/// The same rows as JSON Lines (for files without quoting, as these fixtures are).
pub fn to_jsonl(csv: &str) -> String {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut out = String::new();
    for line in lines {
        let object: Map<String, Value> = header
            .iter()
            .zip(line.split(','))
            .map(|(k, v)| ((*k).to_owned(), Value::String(v.to_owned())))
            .collect();
        out.push_str(&Value::Object(object).to_string());
        out.push('\n');
    }
    out
}

/// Calls the inventory API as a signed-in admin.
pub struct Admin<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

impl<'a> Admin<'a> {
    pub async fn new(app: &'a TestApp) -> Self {
        let token = app.token(&[Role::Admin]).await;
        Admin { app, token }
    }

    pub fn request(&self, kind: &str, content_type: &str, body: String) -> RequestBuilder {
        self.app
            .post(&format!("/api/v1/inventory/{kind}"))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(body)
    }

    /// Uploads `body` as CSV; returns (status, JSON body).
    pub async fn import(&self, kind: &str, body: &str) -> (u16, Value) {
        send(self.request(kind, "text/csv", body.to_owned())).await
    }

    /// Systems, customers and `n` holdings, each expected to be accepted.
    pub async fn import_all(&self, n: usize) {
        for (kind, body) in [
            ("systems", SYSTEMS_CSV.to_owned()),
            ("customers", CUSTOMERS_CSV.to_owned()),
            ("holdings", holdings_csv(n)),
        ] {
            let (status, body) = self.import(kind, &body).await;
            assert_eq!(status, 200, "{kind}: {body}");
        }
    }
}

pub async fn send(request: RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// Rows in `table`.
pub async fn count(app: &TestApp, table: &str) -> i64 {
    let backend = app.db.get_database_backend();
    let sql = format!("SELECT COUNT(*) FROM {table}");
    let row = app
        .db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

pub async fn all_holdings(app: &TestApp) -> Vec<holdings::Model> {
    holdings::Entity::find()
        .order_by_asc(holdings::Column::System)
        .order_by_asc(holdings::Column::RecordRef)
        .all(&app.db)
        .await
        .unwrap()
}

pub async fn all_people(app: &TestApp) -> Vec<people::Model> {
    people::Entity::find()
        .order_by_asc(people::Column::CustomerRef)
        .all(&app.db)
        .await
        .unwrap()
}

/// The summaries of the `inventory.imported` audit entries, oldest first.
pub async fn import_audit(app: &TestApp) -> Vec<String> {
    let backend = app.db.get_database_backend();
    let sql = "SELECT summary FROM audit_entries WHERE action = 'inventory.imported' \
               AND object_type = 'inventory' ORDER BY seq";
    app.db
        .query_all_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}
