//! Tests of the links and contact check.

use super::*;

fn contact() -> ContactDetails {
    ContactDetails {
        name: "Maria Lopez, Customer Care".to_owned(),
        email: Some("help@example.com".to_owned()),
        phone: Some("+1 (800) 555-0100".to_owned()),
        url: Some("https://example.com/incident".to_owned()),
    }
}

fn codes_for(text: &str, html: &str, contact: &ContactDetails) -> Vec<String> {
    check(text, html, contact)
        .into_iter()
        .map(|f| f.code)
        .collect()
}

fn html_codes(html: &str) -> Vec<String> {
    codes_for("", html, &contact())
}

#[test]
fn good_links_and_a_full_contact_pass() {
    let html = r#"<a href="https://example.com/reset?token=abc&amp;x=1">Reset</a>
        <img src='https://cdn.example.com/logo.png' alt="">
        <a href=mailto:help@example.com?subject=Question>Write</a>
        <a href="tel:+1-800-555-0100">Call</a>
        <a href="http://localhost:3000/page">Local</a>"#;
    let text = "Visit https://example.com/help. Or write to mailto:help@example.com, or call \
                tel:+18005550100 (free).";
    assert_eq!(codes_for(text, html, &contact()), Vec::<String>::new());
}

#[test]
fn a_relative_or_empty_link_is_an_error() {
    assert_eq!(
        html_codes(r#"<a href="/reset">Reset</a>"#),
        ["links.not_absolute"]
    );
    assert_eq!(
        html_codes(r##"<a href="#top">Top</a>"##),
        ["links.not_absolute"]
    );
    assert_eq!(html_codes(r#"<a href="">Here</a>"#), ["links.empty"]);
    assert_eq!(
        html_codes(r#"<a href="www.example.com">Here</a>"#),
        ["links.not_absolute"]
    );
}

#[test]
fn javascript_and_data_links_are_errors() {
    assert_eq!(
        html_codes(r#"<a href="javascript:alert(1)">x</a>"#),
        ["links.unsafe_scheme"]
    );
    assert_eq!(
        html_codes(r#"<img src="data:image/png;base64,AAAA">"#),
        ["links.unsafe_scheme"]
    );
    assert_eq!(
        codes_for("Click JavaScript:void(0) now.", "", &contact()),
        ["links.unsafe_scheme"]
    );
    assert_eq!(
        html_codes(r#"<a href="ftp://example.com/f">x</a>"#),
        ["links.unsupported_scheme"]
    );
}

#[test]
fn plain_http_is_a_warning_except_on_this_machine() {
    let found = check(
        "",
        r#"<a href="http://example.com/help">Help</a>"#,
        &contact(),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, "links.insecure");
    assert_eq!(found[0].severity, FindingSeverity::Warning);
    assert_eq!(found[0].location.part, Some(Part::Html));
    assert_eq!(
        html_codes(r#"<a href="http://127.0.0.1:8080/x">x</a>"#),
        Vec::<String>::new()
    );
    assert_eq!(
        html_codes(r#"<a href="http://[::1]/x">x</a>"#),
        Vec::<String>::new()
    );
}

#[test]
fn a_web_address_without_a_real_host_is_malformed() {
    for bad in [
        "https://",
        "https://reset",
        "https:///path",
        "https://exa mple.com/x",
        "https://.com",
    ] {
        let html = format!(r#"<a href="{bad}">x</a>"#);
        assert_eq!(html_codes(&html), ["links.malformed"], "{bad}");
    }
}

#[test]
fn mailto_and_tel_links_must_hold_a_real_address_and_number() {
    assert_eq!(
        html_codes(r#"<a href="mailto:help">x</a>"#),
        ["links.bad_mailto"]
    );
    assert_eq!(
        html_codes(r#"<a href="mailto:">x</a>"#),
        ["links.bad_mailto"]
    );
    assert_eq!(
        html_codes(r#"<a href="mailto:a%40example.com">x</a>"#),
        Vec::<String>::new()
    );
    assert_eq!(html_codes(r#"<a href="tel:123">x</a>"#), ["links.bad_tel"]);
    assert_eq!(
        html_codes(r#"<a href="tel:call-us">x</a>"#),
        ["links.bad_tel"]
    );
    assert_eq!(
        html_codes(r#"<a href="tel:+44%2020%207946%200958">x</a>"#),
        Vec::<String>::new()
    );
}

#[test]
fn a_finding_quotes_the_link_without_its_query_and_says_where_it_was_seen() {
    let found = check(
        "Reset: http://example.com/reset?token=secret.",
        "",
        &contact(),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].location.part, Some(Part::Text));
    assert_eq!(
        found[0].location.excerpt.as_deref(),
        Some("http://example.com/reset?…")
    );
}

#[test]
fn a_contact_with_no_way_to_reach_a_person_is_an_error() {
    let none = ContactDetails {
        email: None,
        phone: Some("  ".to_owned()),
        url: None,
        ..contact()
    };
    let found = check("", "", &none);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, "links.no_contact");
    assert_eq!(found[0].severity, FindingSeverity::Error);
    assert!(
        found[0]
            .message
            .contains("people must be able to reach a person")
    );
}

#[test]
fn a_contact_without_a_name_is_an_error() {
    let nameless = ContactDetails {
        name: " ".to_owned(),
        ..contact()
    };
    assert_eq!(codes_for("", "", &nameless), ["links.contact_name"]);
}

#[test]
fn malformed_contact_details_are_each_an_error() {
    let bad = ContactDetails {
        email: Some("help.example.com".to_owned()),
        phone: Some("call us".to_owned()),
        url: Some("example.com/help".to_owned()),
        ..contact()
    };
    assert_eq!(
        codes_for("", "", &bad),
        [
            "links.contact_email",
            "links.contact_phone",
            "links.contact_url"
        ]
    );
    let insecure = ContactDetails {
        url: Some("http://example.com/help".to_owned()),
        ..contact()
    };
    assert_eq!(codes_for("", "", &insecure), ["links.insecure"]);
}

#[test]
fn phone_numbers_people_can_dial_are_plausible() {
    for good in [
        "+1 (800) 555-0100",
        "800.555.0100",
        "+44 20 7946 0958",
        "555-0100 ext. 12",
    ] {
        assert!(address::plausible_phone(good), "{good}");
    }
    for bad in [
        "",
        "12345",
        "1-800-FLOWERS",
        "+1 800 555 0100 0100 0100",
        "555-0100 ext. a",
    ] {
        assert!(!address::plausible_phone(bad), "{bad}");
    }
}
