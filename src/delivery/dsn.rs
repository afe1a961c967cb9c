//! Delivery status notifications (RFC 3464): the bounce reports a relay mails back to the
//! sender's address. A report names the failed recipient's action and status and returns the
//! original message (or its headers), whose `Message-ID` tells which notice bounced.

use mail_parser::{MessageParser, MimeHeaders};

/// What one report says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsnReport {
    /// The bounced message's `Message-ID`, without angle brackets.
    pub message_id: String,
    /// `failed` with a 5.x.x status: the address will not work. A `delayed` report, or a 4.x.x
    /// status, is not a bounce.
    pub permanent: bool,
    /// The status and the receiving side's diagnostic (`5.1.1 smtp; 550 user unknown`).
    pub diagnostic: String,
}

/// Why a file is not a report Candor can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DsnError {
    #[error("not a MIME message")]
    NotMime,
    #[error("not a delivery status notification (no message/delivery-status part)")]
    NotDsn,
    #[error("the report does not return the original message's Message-ID")]
    NoMessageId,
}

/// Reads a report.
pub fn parse(raw: &[u8]) -> Result<DsnReport, DsnError> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(DsnError::NotMime)?;
    let mut status_text = None;
    let mut message_id = None;
    for part in &message.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let kind = (
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().unwrap_or_default().to_ascii_lowercase(),
        );
        match (kind.0.as_str(), kind.1.as_str()) {
            ("message", "delivery-status") | ("message", "global-delivery-status") => {
                status_text = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("message", "rfc822") | ("message", "global") => {
                if let Some(id) = part.message().and_then(|m| m.message_id()) {
                    message_id = Some(id.to_owned());
                } else {
                    message_id = header_message_id(&String::from_utf8_lossy(part.contents()));
                }
            }
            ("text", "rfc822-headers") | ("message", "global-headers") => {
                message_id = header_message_id(&String::from_utf8_lossy(part.contents()));
            }
            _ => {}
        }
    }
    let status_text = status_text.ok_or(DsnError::NotDsn)?;
    let message_id = message_id.ok_or(DsnError::NoMessageId)?;
    let (action, status, diagnostic) = recipient_fields(&status_text);
    let permanent = action.eq_ignore_ascii_case("failed") && status.starts_with('5');
    let diagnostic = [status, diagnostic]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(DsnReport {
        message_id: message_id
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_owned(),
        permanent,
        diagnostic,
    })
}

/// The first recipient's `Action`, `Status` and `Diagnostic-Code` (continuation lines
/// folded).
fn recipient_fields(text: &str) -> (String, String, String) {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    (field("action"), field("status"), field("diagnostic-code"))
}

/// The `Message-ID` in a block of returned headers.
fn header_message_id(headers: &str) -> Option<String> {
    let mut lines = headers.lines().peekable();
    while let Some(line) = lines.next() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("message-id") {
            continue;
        }
        let mut value = value.trim().to_owned();
        while let Some(next) = lines.peek().filter(|l| l.starts_with([' ', '\t'])) {
            value.push_str(next.trim());
            lines.next();
        }
        return Some(value).filter(|v| !v.is_empty());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(action: &str, status: &str, returned: &str) -> String {
        format!(
            "From: MAILER-DAEMON@relay.example\r\n\
             To: notices@sample-company.test\r\n\
             Subject: Undelivered Mail Returned to Sender\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\
             \r\n\
             --b1\r\n\
             Content-Type: text/plain\r\n\
             \r\n\
             I'm sorry to have to inform you that your message could not be delivered.\r\n\
             --b1\r\n\
             Content-Type: message/delivery-status\r\n\
             \r\n\
             Reporting-MTA: dns; relay.example\r\n\
             \r\n\
             Final-Recipient: rfc822; someone@example.com\r\n\
             Action: {action}\r\n\
             Status: {status}\r\n\
             Diagnostic-Code: smtp; 550 5.1.1 <someone@example.com>:\r\n \
             Recipient address rejected\r\n\
             --b1\r\n\
             {returned}\
             --b1--\r\n"
        )
    }

    const HEADERS: &str = "Content-Type: text/rfc822-headers\r\n\r\n\
        From: Sample Company <notices@sample-company.test>\r\n\
        Message-ID:\r\n <candor.0a1b2c@sample-company.test>\r\n\
        Subject: Notice of a data breach\r\n";

    #[test]
    fn a_failed_report_names_the_message_and_the_diagnostic() {
        let dsn = parse(report("failed", "5.1.1", HEADERS).as_bytes()).unwrap();
        assert_eq!(dsn.message_id, "candor.0a1b2c@sample-company.test");
        assert!(dsn.permanent);
        assert!(
            dsn.diagnostic.starts_with("5.1.1 smtp; 550 5.1.1")
                && dsn.diagnostic.ends_with("Recipient address rejected"),
            "{}",
            dsn.diagnostic
        );
    }

    #[test]
    fn a_returned_whole_message_gives_its_message_id() {
        let returned = "Content-Type: message/rfc822\r\n\r\n\
            From: notices@sample-company.test\r\n\
            Message-ID: <candor.ffee@sample-company.test>\r\n\
            Subject: hello\r\n\r\nbody\r\n";
        let dsn = parse(report("failed", "5.2.1", returned).as_bytes()).unwrap();
        assert_eq!(dsn.message_id, "candor.ffee@sample-company.test");
    }

    #[test]
    fn a_delay_or_a_transient_status_is_not_a_bounce() {
        assert!(
            !parse(report("delayed", "4.4.1", HEADERS).as_bytes())
                .unwrap()
                .permanent
        );
        assert!(
            !parse(report("failed", "4.2.2", HEADERS).as_bytes())
                .unwrap()
                .permanent
        );
    }

    #[test]
    fn ordinary_mail_and_reports_without_the_original_are_refused() {
        let plain = "From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n";
        assert_eq!(parse(plain.as_bytes()), Err(DsnError::NotDsn));
        let no_original = report(
            "failed",
            "5.1.1",
            "Content-Type: text/plain\r\n\r\nsorry\r\n",
        );
        assert_eq!(parse(no_original.as_bytes()), Err(DsnError::NoMessageId));
    }
}
