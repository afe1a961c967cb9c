//! Incident scope, forensic lists, the mapping job, impact and the affected list, through the
//! real server. The inventory is seeded with plain SQL, normalized the way the importer does.

mod counting;
mod jobs;
mod results;
mod scope;
mod seed;

use std::time::Duration;

use candor::domain::Role;
use serde_json::{Value, json};

pub use crate::helpers::{TestApp, spawn_app, spawn_app_with};
pub use seed::{customer, holding, system, two_systems};

/// One exposed system of a scope request.
pub fn exposed(system: &str, categories: &[&str], from: &str, to: &str) -> Value {
    json!({ "system": system, "categories": categories, "from": from, "to": to,
            "encrypted": false, "key_compromised": false })
}

/// A signed-in user working one incident.
pub struct Desk<'a> {
    pub app: &'a TestApp,
    pub token: String,
    /// `/api/v1/incidents/{id}`.
    pub incident: String,
}

impl<'a> Desk<'a> {
    /// A responder with a freshly opened incident.
    pub async fn open(app: &'a TestApp) -> Desk<'a> {
        let token = app.token(&[Role::Responder]).await;
        let incident = app.open_incident(&token).await;
        let incident = format!("/api/v1/incidents/{}", incident["id"].as_str().expect("id"));
        Desk {
            app,
            token,
            incident,
        }
    }

    /// The same incident as a user holding `roles`.
    pub async fn as_role(&self, roles: &[Role]) -> Desk<'a> {
        Desk {
            app: self.app,
            token: self.app.token(roles).await,
            incident: self.incident.clone(),
        }
    }

    async fn answer(response: reqwest::Response) -> (u16, Value) {
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// GET `{incident}{path}`.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let url = format!("{}{path}", self.incident);
        Self::answer(
            self.app
                .get(&url)
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// POST `{incident}{path}` without a body.
    pub async fn post(&self, path: &str) -> (u16, Value) {
        let url = format!("{}{path}", self.incident);
        Self::answer(
            self.app
                .post(&url)
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// PUT the scope.
    pub async fn put_scope(&self, systems: Vec<Value>) -> (u16, Value) {
        let url = self.app.url(&format!("{}/scope", self.incident));
        let request = self.app.client.put(url).bearer_auth(&self.token);
        Self::answer(
            request
                .json(&json!({ "systems": systems }))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// PUT the scope, which must succeed.
    pub async fn scope(&self, systems: Vec<Value>) -> Value {
        let (status, body) = self.put_scope(systems).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// POST a forensic list.
    pub async fn upload(&self, csv: &str) -> (u16, Value) {
        let url = format!("{}/scope/records", self.incident);
        let request = self.app.post(&url).bearer_auth(&self.token);
        let request = request
            .header("content-type", "text/csv")
            .body(csv.to_owned());
        Self::answer(request.send().await.unwrap()).await
    }

    /// Starts a mapping and waits (bounded) for it to succeed; returns the finished run.
    pub async fn map(&self) -> Value {
        let (status, started) = self.post("/mapping").await;
        assert_eq!(status, 202, "{started}");
        assert_eq!(started["status"], "queued");
        self.wait_for(started["id"].as_str().expect("run id")).await
    }

    /// Polls a run until it has finished; it must have succeeded.
    pub async fn wait_for(&self, run_id: &str) -> Value {
        let run = self.wait_until_finished(run_id).await;
        assert_eq!(run["status"], "succeeded", "{run}");
        run
    }

    /// Polls a run until it is neither queued nor running (a background job: short sleeps,
    /// bounded).
    pub async fn wait_until_finished(&self, run_id: &str) -> Value {
        for _ in 0..600 {
            let (status, run) = self.get(&format!("/mapping/{run_id}")).await;
            assert_eq!(status, 200, "{run}");
            if run["status"] != "queued" && run["status"] != "running" {
                return run;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("mapping run {run_id} did not finish within 15 seconds");
    }

    /// Every affected person of the current mapping, as JSON.
    pub async fn affected(&self) -> Vec<Value> {
        let (status, page) = self.get("/affected?per_page=500").await;
        assert_eq!(status, 200, "{page}");
        page["items"].as_array().expect("items").clone()
    }

    /// The affected person with this customer reference.
    pub async fn person(&self, customer_ref: &str) -> Value {
        let people = self.affected().await;
        people
            .into_iter()
            .find(|p| p["customer_ref"] == customer_ref)
            .unwrap_or_else(|| panic!("{customer_ref} is not affected"))
    }

    /// The incident's audit entries, oldest first.
    pub async fn audit(&self) -> Vec<Value> {
        let id = self.incident.rsplit('/').next().expect("incident id");
        let url = format!("/api/v1/audit?incident={id}&limit=1000");
        let response = self
            .app
            .get(&url)
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }
}
