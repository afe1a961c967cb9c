//! Sending: the outbox rows a send writes, the file outbox on a fresh instance, and a second
//! send adding nothing.

use super::{approved_notice, counts, drain, only, send};
use crate::notices::{app, mapped};

#[tokio::test]
async fn an_approved_notice_goes_to_the_file_outbox_once_per_person() {
    let app = app().await;
    let desk = mapped(&app).await;
    let nid = approved_notice(&desk).await;
    let (status, campaign) = send(&desk, &nid, None).await;
    assert_eq!(status, 202, "{campaign}");
    assert_eq!(campaign["people"], 2, "{campaign}");
    assert_eq!(campaign["counts"], only(&[("pending", 2)]));

    let (again, same) = send(&desk, &nid, None).await;
    assert_eq!(again, 200, "a second send finds the first: {same}");
    assert_eq!(same["id"], campaign["id"]);
    assert_eq!(counts(&desk).await, only(&[("pending", 2)]));

    let stats = drain(&app).await;
    assert_eq!((stats.claimed, stats.sent), (2, 2), "{stats:?}");
    assert_eq!(counts(&desk).await, only(&[("sent", 2)]));
    let outbox = app.data_dir.path().join("outbox").join("notices");
    let files: Vec<_> = std::fs::read_dir(&outbox).unwrap().collect();
    assert_eq!(files.len(), 2, "one .eml per person");
    let (_, notice) = desk.get(&format!("/notices/{nid}")).await;
    assert_eq!(notice["status"], "sent", "{notice}");
}
