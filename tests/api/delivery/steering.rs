//! Steering a campaign through the API: a canary held until a CX lead releases the rest,
//! pause and resume (a responder may pause, only a CX lead resumes), and a campaign pausing
//! itself when too many of its messages fail. Each step is audited.

use candor::domain::Role;
use serde_json::json;

use super::{
    counts, crowd, drain, only, outbox, send, sent_campaign, smtp_app, steer, stored_counts,
};
use crate::notices::{app, audited, lead, mapped};
use crate::smtp_server::{Reply, TestSmtp};

#[tokio::test]
async fn a_canary_goes_first_and_the_rest_wait_for_a_cx_lead_to_release_them_once() {
    let smtp = TestSmtp::start().await;
    let app = smtp_app(&smtp, |_| {}).await;
    let desk = crowd(&app, 4).await;
    let nid = super::approved_notice(&desk).await;
    let (status, campaign) = send(&desk, &nid, Some(json!({ "canary": 1 }))).await;
    assert_eq!(status, 202, "{campaign}");
    assert_eq!(campaign["canary_size"], 1);
    let cid = campaign["id"].as_str().unwrap().to_owned();
    assert_eq!(campaign["counts"], only(&[("pending", 1), ("held", 3)]));
    assert_eq!(
        stored_counts(&app).await,
        only(&[("pending", 1), ("held", 3)])
    );
    let first = &outbox(&app).await[0];
    assert_eq!(first.status, "pending", "the canary is the first person");

    let stats = drain(&app).await;
    assert_eq!((stats.claimed, stats.sent), (1, 1), "{stats:?}");
    assert_eq!(smtp.accepted().len(), 1);
    assert_eq!(smtp.accepted()[0].rcpt, [first.recipient.as_str()]);
    assert_eq!(drain(&app).await.claimed, 0, "the held rows stay held");

    let (status, body) = steer(&desk, &cid, "release").await;
    assert_eq!(status, 403, "a responder cannot release: {body}");
    assert_eq!(counts(&desk).await, only(&[("sent", 1), ("held", 3)]));

    let (lead_id, lead) = lead(&desk).await;
    let (status, released) = steer(&lead, &cid, "release").await;
    assert_eq!(status, 200, "{released}");
    assert_eq!(released["counts"], only(&[("sent", 1), ("pending", 3)]));
    let (_, overview) = desk.get("/delivery").await;
    let campaign = &overview["campaigns"][0];
    assert_eq!(campaign["released_by"], lead_id.to_string(), "{campaign}");
    assert_eq!(
        campaign["released_at"], "2026-11-20T09:00:00Z",
        "{campaign}"
    );
    assert_eq!(counts(&desk).await, only(&[("sent", 1), ("pending", 3)]));
    let stats = drain(&app).await;
    assert_eq!(stats.sent, 3, "{stats:?}");
    assert_eq!(counts(&desk).await, only(&[("sent", 4)]));
    assert_eq!(smtp.counts_by_message_id().len(), 4);
    assert_eq!(smtp.accepted().len(), 4);

    let (status, again) = steer(&lead, &cid, "release").await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["error"]["code"], "already_released");
    let entries = audited(&desk, "delivery.released").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["object_id"], cid);
    assert_eq!(entries[0]["actor"], format!("user:{lead_id}"));
}

#[tokio::test]
async fn the_release_answer_names_who_released_the_campaign_and_when() {
    let app = app().await;
    let desk = mapped(&app).await;
    let cid = sent_campaign(&desk, Some(json!({ "canary": 1 }))).await;
    let (lead_id, lead) = lead(&desk).await;
    let (status, released) = steer(&lead, &cid, "release").await;
    assert_eq!(status, 200, "{released}");
    assert_eq!(released["released_by"], lead_id.to_string(), "{released}");
    assert_eq!(
        released["released_at"], "2026-11-20T09:00:00Z",
        "{released}"
    );
}

#[tokio::test]
async fn releasing_a_campaign_sent_without_a_canary_is_409_no_canary() {
    let app = app().await;
    let desk = mapped(&app).await;
    let cid = sent_campaign(&desk, None).await;
    let (_, lead) = lead(&desk).await;
    let (status, body) = steer(&lead, &cid, "release").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "no_canary");
    assert_eq!(stored_counts(&app).await, only(&[("pending", 2)]));
    assert!(audited(&desk, "delivery.released").await.is_empty());
}

#[tokio::test]
async fn a_paused_campaign_sends_nothing_until_a_cx_lead_resumes_it() {
    let smtp = TestSmtp::start().await;
    let app = smtp_app(&smtp, |_| {}).await;
    let desk = mapped(&app).await;
    let cid = sent_campaign(&desk, None).await;

    let url = app.url(&format!("{}/delivery/campaigns/{cid}/pause", desk.incident));
    let paused = app
        .client
        .post(url)
        .bearer_auth(&desk.token)
        .json(&json!({ "reason": "the support line is not staffed yet" }))
        .send()
        .await
        .unwrap();
    assert_eq!(paused.status(), 200);
    let paused: serde_json::Value = paused.json().await.unwrap();
    assert_eq!(paused["state"], "paused", "{paused}");
    assert_eq!(
        paused["state_reason"],
        "the support line is not staffed yet"
    );

    let stats = drain(&app).await;
    assert_eq!(stats.claimed, 0, "{stats:?}");
    assert_eq!(smtp.attempts(), 0);
    assert_eq!(counts(&desk).await, only(&[("pending", 2)]));

    let (status, twice) = steer(&desk, &cid, "pause").await;
    assert_eq!(status, 409, "{twice}");
    assert_eq!(twice["error"]["code"], "already_paused");
    let (status, body) = steer(&desk, &cid, "resume").await;
    assert_eq!(status, 403, "a responder cannot resume: {body}");
    let admin = desk.as_role(&[Role::Admin]).await;
    assert_eq!(steer(&admin, &cid, "resume").await.0, 403);
    assert_eq!(drain(&app).await.claimed, 0, "still paused");

    let (lead_id, lead) = lead(&desk).await;
    let (status, resumed) = steer(&lead, &cid, "resume").await;
    assert_eq!(status, 200, "{resumed}");
    assert_eq!(resumed["state"], "running");
    let stats = drain(&app).await;
    assert_eq!(stats.sent, 2, "{stats:?}");
    assert_eq!(counts(&desk).await, only(&[("sent", 2)]));
    let (status, body) = steer(&lead, &cid, "resume").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "already_running");

    let paused = audited(&desk, "delivery.paused").await;
    assert_eq!(paused.len(), 1, "{paused:?}");
    assert!(
        paused[0]["summary"]
            .as_str()
            .unwrap()
            .contains("the support line is not staffed yet"),
        "{paused:?}"
    );
    let resumed = audited(&desk, "delivery.resumed").await;
    assert_eq!(resumed.len(), 1, "{resumed:?}");
    assert_eq!(resumed[0]["object_id"], cid);
    assert_eq!(resumed[0]["actor"], format!("user:{lead_id}"));
}

#[tokio::test]
async fn a_campaign_whose_messages_keep_failing_pauses_itself_before_reaching_everyone() {
    let smtp = TestSmtp::start().await;
    smtp.script(|_, _| Reply::Permanent);
    // One sender taking five rows at a time, held to 50 messages a second after a first
    // burst of 50: the pause, which comes once 50 outcomes are in, lands long before the
    // sender could reach the 100th person.
    let app = smtp_app(&smtp, |s| {
        s.delivery_auto_pause_rate = 0.2;
        s.delivery_concurrency = 1;
        s.delivery_batch = 5;
        s.delivery_rate = 50;
    })
    .await;
    let desk = crowd(&app, 100).await;
    let cid = sent_campaign(&desk, None).await;
    let stats = drain(&app).await;
    assert!(stats.failed >= 50, "{stats:?}");

    let (_, overview) = desk.get("/delivery").await;
    let campaign = &overview["campaigns"][0];
    assert_eq!(campaign["state"], "paused", "{campaign}");
    let reason = campaign["state_reason"].as_str().unwrap();
    assert!(
        reason.contains("50 of the last 50 messages failed"),
        "{reason}"
    );
    let rows = outbox(&app).await;
    let untouched = rows.iter().filter(|r| r.attempts == 0).count();
    let failed = rows.iter().filter(|r| r.status == "failed").count();
    assert!(untouched > 0, "not everyone was tried: {stats:?}");
    assert_eq!(failed + untouched, 100, "{stats:?}");
    assert!(
        rows.iter()
            .filter(|r| r.attempts == 0)
            .all(|r| r.status == "pending")
    );
    assert_eq!(smtp.attempts(), failed);
    let entries = audited(&desk, "delivery.auto_paused").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["actor"], "system");
    assert_eq!(entries[0]["object_id"], cid);

    // The relay is fixed; a CX lead resumes and the rest go out.
    smtp.script(|_, _| Reply::Accept);
    let (_, lead) = lead(&desk).await;
    assert_eq!(steer(&lead, &cid, "resume").await.0, 200);
    let rest = drain(&app).await;
    assert_eq!(rest.sent as usize, untouched, "{rest:?}");
    assert_eq!(
        stored_counts(&app).await,
        only(&[("sent", untouched as i64), ("failed", failed as i64)])
    );
}
