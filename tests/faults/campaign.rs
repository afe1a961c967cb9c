//! A campaign to send, made the way the service makes it, by the delivery bench's seed
//! (`benches/delivery/seed.rs`): a customer inventory imported with the functions
//! `candor import` uses, an incident scoped and mapped, a responder's initial notice approved
//! by a CX lead, then sent — one outbox row per person, `pending`, for the child processes to
//! deliver.

use std::sync::Arc;

use candor::domain::{Clock, SystemClock};
use candor::settings::Settings;
use sea_orm::DatabaseConnection;

#[allow(dead_code)] // The bench's timings and campaign id are not needed here.
#[path = "../../benches/delivery/seed.rs"]
mod seed;

pub use seed::{Files, files};
use seed::{Service, seed};

/// Seeds a sent notice to `people` customers into the database `settings` names; the
/// connection is closed before returning, so only the child processes hold the database.
pub async fn send_to(settings: &Settings, people: u64) {
    let db = candor::app::open_database(settings)
        .await
        .expect("database");
    let files = files(&settings.data_dir.join("inventory"), people).expect("inventory files");
    send_on(&db, settings, &files).await;
    db.close().await.ok();
}

/// Seeds the notice on an open connection.
pub async fn send_on(db: &DatabaseConnection, settings: &Settings, files: &Files) {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let notices = candor::app::notice_config(settings).expect("notice config");
    let obligations = candor::app::load_obligations(settings).expect("rules pack");
    let secret = settings.resolve_jwt_secret().expect("secret");
    let (sending, _worker) =
        candor::app::delivery(settings, db, &clock, &secret).expect("delivery config");
    let service = Service {
        db,
        clock: clock.as_ref(),
        notices: &notices,
        obligations: &obligations,
        sending: &sending,
    };
    seed(&service, files).await;
}
