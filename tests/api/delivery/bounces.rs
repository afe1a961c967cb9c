//! Bounces and letters: the bounce webhook (off until a token is set; a wrong token, an
//! unknown Message-ID, a second report), the postal channel taking over for a bounced person
//! with an address, people who prefer post, the letter files and the vendor's manifest.

use serde_json::{Value, json};

use super::{
    Person, counts, drain, only, outbox, row_of, seeded, sent_campaign, smtp_app, stored_counts,
};
use crate::helpers::TestApp;
use crate::mapping::Desk;
use crate::notices::{app, app_with, audited, mapped};
use crate::smtp_server::TestSmtp;

const TOKEN: &str = "bounce-webhook-token-for-the-tests-0123456789";

/// POSTs a bounce report, with a bearer token if given.
async fn report(app: &TestApp, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = app.post("/api/v1/delivery/bounces").json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The vendor's manifest of a campaign, which must answer 200 as CSV.
async fn manifest(desk: &Desk<'_>, cid: &str) -> String {
    let url = desk.app.url(&format!(
        "{}/delivery/campaigns/{cid}/letters.csv",
        desk.incident
    ));
    let response = desk
        .app
        .client
        .get(url)
        .bearer_auth(&desk.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/csv"), "{kind}");
    response.text().await.unwrap()
}

/// The letter file of a postal row.
fn letter(app: &TestApp, cid: &str, message_id: &str) -> String {
    let letter_id = message_id.split('@').next().unwrap();
    let path = app
        .data_dir
        .path()
        .join("outbox")
        .join("postal")
        .join(cid)
        .join(format!("{letter_id}.txt"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test]
async fn the_bounce_webhook_is_off_until_a_token_is_configured() {
    let app = app().await;
    let desk = mapped(&app).await;
    sent_campaign(&desk, None).await;
    drain(&app).await;
    let id = outbox(&app).await[0].header_id();
    for token in [None, Some(TOKEN)] {
        let (status, body) = report(&app, token, json!({ "message_id": id })).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"]["code"], "not_configured");
    }
    assert_eq!(stored_counts(&app).await, only(&[("sent", 2)]));
}

#[tokio::test]
async fn a_bounce_marks_the_message_bounced_and_a_letter_goes_to_a_person_with_an_address() {
    let app = app_with(|s| s.bounce_webhook_token = Some(TOKEN.into())).await;
    let ada = Person::new("CA1", ("Ada", "Lovelace"), Some("ada@example.com"));
    let mut emmy = Person::new("DE1", ("Emmy", "Noether"), Some("emmy@example.com"));
    emmy.address = false;
    let desk = seeded(&app, &[ada, emmy]).await;
    let cid = sent_campaign(&desk, None).await;
    drain(&app).await;
    let ada_mail = row_of(&app, "CA1").await;
    let emmy_mail = row_of(&app, "DE1").await;
    let reason = "550 5.1.1 <ada@example.com>: user unknown";
    let body = json!({ "message_id": ada_mail.header_id(), "reason": reason });

    for token in [None, Some("not-the-token")] {
        let (status, refused) = report(&app, token, body.clone()).await;
        assert_eq!(status, 401, "{refused}");
    }
    let (status, unknown) = report(
        &app,
        Some(TOKEN),
        json!({ "message_id": "<candor.nothing@sample-company.test>" }),
    )
    .await;
    assert_eq!(status, 404, "{unknown}");
    assert_eq!(unknown["error"]["code"], "unknown_message");
    assert_eq!(stored_counts(&app).await, only(&[("sent", 2)]));

    let (status, outcome) = report(&app, Some(TOKEN), body).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome, json!({ "bounced": true, "postal_queued": true }));
    assert_eq!(
        counts(&desk).await,
        only(&[("sent", 1), ("bounced", 1), ("pending", 1)])
    );
    let rows = outbox(&app).await;
    assert_eq!(rows.len(), 3);
    let bounced = rows.iter().find(|r| r.id == ada_mail.id).unwrap();
    assert_eq!(bounced.status, "bounced");
    assert_eq!(
        bounced.last_error.as_deref(),
        Some(&*format!("bounced: {reason}"))
    );
    let postal = rows.iter().find(|r| r.channel == "postal").unwrap();
    assert_eq!(postal.customer_ref.as_deref(), Some("CA1"));
    assert_eq!(postal.status, "pending");
    assert_ne!(postal.message_id, ada_mail.message_id);
    let address: Value = serde_json::from_str(&postal.recipient).unwrap();
    assert_eq!(
        (&address["line1"], &address["city"]),
        (&json!("1 Main St"), &json!("Town"))
    );

    // Reported again (without brackets this time): nothing changes.
    let again = json!({ "message_id": ada_mail.message_id, "reason": reason });
    let (status, outcome) = report(&app, Some(TOKEN), again).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome, json!({ "bounced": false, "postal_queued": false }));
    assert_eq!(outbox(&app).await, rows);

    // Emmy has no postal address: bounced, and nothing more to do for her here.
    let emmy_report = json!({ "message_id": emmy_mail.header_id(), "reason": "mailbox full" });
    let (status, outcome) = report(&app, Some(TOKEN), emmy_report).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome, json!({ "bounced": true, "postal_queued": false }));
    assert_eq!(audited(&desk, "delivery.bounced").await.len(), 2);

    let stats = drain(&app).await;
    assert_eq!((stats.claimed, stats.sent), (1, 1), "{stats:?}");
    assert_eq!(counts(&desk).await, only(&[("sent", 1), ("bounced", 2)]));
    let postal = row_of_channel(&app, "postal").await;
    let text = letter(&app, &cid, &postal.message_id);
    assert!(
        text.starts_with("Ada Lovelace\n1 Main St\nTown, CA 12345\nUS\n"),
        "{text}"
    );
    assert!(text.contains("Notice of Data Breach"), "{text}");
    let letter_id = postal.message_id.split('@').next().unwrap();
    let csv = manifest(&desk, &cid).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "letter_id,name,line1,city,region,postal_code,country,language,file,written_at"
    );
    assert_eq!(
        lines[1..],
        [format!(
            "{letter_id},Ada Lovelace,1 Main St,Town,CA,12345,US,en,{cid}/{letter_id}.txt,2026-11-20T09:00:00Z"
        )]
    );
}

/// The one row of a channel.
async fn row_of_channel(app: &TestApp, channel: &str) -> super::OutboxRow {
    let rows: Vec<_> = outbox(app)
        .await
        .into_iter()
        .filter(|r| r.channel == channel)
        .collect();
    assert_eq!(rows.len(), 1, "{rows:#?}");
    rows.into_iter().next().unwrap()
}

#[tokio::test]
async fn a_person_who_prefers_post_gets_a_letter_and_no_email() {
    let smtp = TestSmtp::start().await;
    let app = smtp_app(&smtp, |_| {}).await;
    let mut ada = Person::new("CA1", ("Ada", "Lovelace"), Some("ada@example.com"));
    ada.preferred = "postal";
    // Prefers post but has no address on record: email it is.
    let mut grace = Person::new("NY1", ("Grace", "Hopper"), Some("grace@example.com"));
    grace.preferred = "postal";
    grace.address = false;
    let emmy = Person::new("DE1", ("Emmy", "Noether"), Some("emmy@example.com"));
    let desk = seeded(&app, &[ada, grace, emmy]).await;
    let cid = sent_campaign(&desk, None).await;
    let ada_row = row_of(&app, "CA1").await;
    assert_eq!(ada_row.channel, "postal");
    assert_eq!(row_of(&app, "NY1").await.channel, "email");
    assert_eq!(row_of(&app, "DE1").await.channel, "email");

    let stats = drain(&app).await;
    assert_eq!(stats.sent, 3, "{stats:?}");
    let mut emailed: Vec<String> = smtp.accepted().into_iter().flat_map(|m| m.rcpt).collect();
    emailed.sort();
    assert_eq!(emailed, ["emmy@example.com", "grace@example.com"]);
    let text = letter(&app, &cid, &ada_row.message_id);
    assert!(text.starts_with("Ada Lovelace\n1 Main St\n"), "{text}");
    let ada_row = row_of(&app, "CA1").await;
    assert_eq!(ada_row.status, "sent");
    assert!(ada_row.reply.unwrap().starts_with("letter written to "));
    let csv = manifest(&desk, &cid).await;
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("Ada Lovelace,1 Main St,Town"), "{csv}");
    assert!(!csv.contains("Grace"), "{csv}");
}
