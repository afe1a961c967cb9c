//! Builds one notice email: multipart/alternative (text then HTML, both UTF-8), with the outbox
//! row's own Message-ID and date, so re-rendering a message after a crash gives the same bytes.

use std::io::Write;
use std::time::SystemTime;

use lettre::Address;
use lettre::address::Envelope;
use lettre::message::header::{
    self, ContentTransferEncoding, ContentType, HeaderName, HeaderValue, Headers,
};
use lettre::message::{Body, Mailbox, Mailboxes, SinglePart};
use sha2::{Digest, Sha256};

/// One message to build. Every field is borrowed from the outbox row and its rendered notice.
#[derive(Debug, Clone, Copy)]
pub struct OutgoingMessage<'a> {
    /// Without angle brackets: "candor.3f2a…9c.42@notices.example.org". Stable per outbox row.
    pub message_id: &'a str,
    /// The notice's sender.
    pub from: &'a Mailbox,
    /// Where replies go, when not to `from`.
    pub reply_to: Option<&'a Mailbox>,
    /// The recipient's email address.
    pub to_address: &'a str,
    /// The recipient's display name; may be non-ASCII ("José Núñez").
    pub to_name: Option<&'a str>,
    /// UTF-8; RFC 2047-encoded in the header when not ASCII.
    pub subject: &'a str,
    /// The text/plain body, UTF-8.
    pub text: &'a str,
    /// The text/html body, UTF-8.
    pub html: &'a str,
    /// The `Date` header: the row's own time, never the wall clock.
    pub date: chrono::DateTime<chrono::Utc>,
    /// A language tag ("en", "es", "pt-BR") for `Content-Language`.
    pub language: &'a str,
    /// The relay takes 8-bit bodies (8BITMIME): UTF-8 text goes as it is, rather than
    /// quoted-printable (bigger, and costly to encode), when its lines allow.
    pub eight_bit: bool,
}

/// A message ready for any transport: its SMTP envelope and its RFC 5322 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltMessage {
    /// MAIL FROM (the `From` address) and RCPT TO (the recipient).
    pub envelope: lettre::address::Envelope,
    /// The formatted message, CRLF line ends (8-bit parts only where the relay offered 8BITMIME).
    pub bytes: Vec<u8>,
    /// The Message-ID header's value, with angle brackets.
    pub message_id: String,
}

/// Why a message cannot be built. Never names the address or any other personal data: these
/// messages are logged and stored as the reason a notice failed for good.
#[derive(Debug, thiserror::Error)]
pub enum MimeError {
    #[error("the recipient address is not valid")]
    InvalidRecipient,
    #[error("the message id is not valid (it must be printable ASCII with an `@`, no brackets)")]
    InvalidMessageId,
    #[error("the language tag is not valid")]
    InvalidLanguage,
    #[error("the message cannot be built: {0}")]
    Build(#[source] lettre::error::Error),
    #[error("the message's MIME headers cannot be written")]
    Headers,
}

const CONTENT_LANGUAGE: HeaderName = HeaderName::new_from_ascii_str("Content-Language");

/// Builds the message. Deterministic: the same input gives the same bytes (the MIME boundary
/// is derived from the Message-ID, where lettre would pick a random one).
///
/// The headers are lettre's (its encoding and folding); the parts are written straight into
/// the message's one buffer, byte for byte as lettre's `MultiPart` writes them, so a message
/// re-rendered from a row queued by an earlier version hashes the same.
pub fn build_message(m: &OutgoingMessage) -> Result<BuiltMessage, MimeError> {
    if !valid_message_id(m.message_id) {
        return Err(MimeError::InvalidMessageId);
    }
    if !valid_language(m.language) {
        return Err(MimeError::InvalidLanguage);
    }
    let address: Address = m
        .to_address
        .parse()
        .map_err(|_| MimeError::InvalidRecipient)?;
    let envelope = Envelope::new(Some(m.from.email.clone()), vec![address.clone()])
        .map_err(MimeError::Build)?;
    let to = Mailbox::new(m.to_name.map(str::to_owned), address);
    let message_id = format!("<{}>", m.message_id);
    let boundary = boundary(m.message_id);

    let mut headers = Headers::new();
    headers.set(header::MessageId::from(message_id.clone()));
    headers.set(header::Date::new(SystemTime::from(m.date)));
    headers.set(header::From::from(Mailboxes::from(m.from.clone())));
    if let Some(reply_to) = m.reply_to {
        headers.set(header::ReplyTo::from(Mailboxes::from(reply_to.clone())));
    }
    headers.set(header::To::from(Mailboxes::from(to)));
    headers.set(header::Subject::from(m.subject.to_owned()));
    // Legal notices carry no List-Unsubscribe: the law requires them, the reader cannot opt out.
    headers.insert_raw(HeaderValue::new(CONTENT_LANGUAGE, m.language.to_owned()));
    headers.set(header::MIME_VERSION_1_0);
    headers.set(
        ContentType::parse(&format!("multipart/alternative; boundary=\"{boundary}\""))
            .map_err(|_| MimeError::Headers)?,
    );

    let mut bytes = Vec::with_capacity(m.text.len() + m.html.len() + m.text.len() / 16 + 1024);
    write!(bytes, "{headers}\r\n").map_err(|_| MimeError::Headers)?;
    for (kind, body) in [(TEXT_PLAIN, m.text), (TEXT_HTML, m.html)] {
        bytes.extend_from_slice(b"--");
        bytes.extend_from_slice(boundary.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        part(&mut bytes, kind, body, m.eight_bit);
    }
    bytes.extend_from_slice(b"--");
    bytes.extend_from_slice(boundary.as_bytes());
    bytes.extend_from_slice(b"--\r\n");
    Ok(BuiltMessage {
        envelope,
        bytes,
        message_id,
    })
}

/// A part's type: as lettre writes it in the part's header, and as lettre's header.
type PartKind = (&'static str, ContentType);
const TEXT_PLAIN: PartKind = ("text/plain; charset=utf-8", ContentType::TEXT_PLAIN);
const TEXT_HTML: PartKind = ("text/html; charset=utf-8", ContentType::TEXT_HTML);

/// Writes a body part: as it is, with CRLF line ends, 8-bit when the relay allows it and 7-bit
/// when it is ASCII, in both cases only while every line fits SMTP's 998 octets (RFC 5322
/// 2.1.1) and there is no NUL or lone CR (RFC 2045 2.8). Otherwise lettre's choice of
/// quoted-printable or base64 (quoted-printable where lettre would send the body as it is).
/// lettre's own 8-bit check caps lines at 76 octets, which would send nearly every notice
/// paragraph quoted-printable: larger, and costly to encode.
fn part(out: &mut Vec<u8>, (written, content_type): PartKind, body: &str, eight_bit: bool) {
    let encoding = if body.is_ascii() {
        Some("7bit")
    } else if eight_bit {
        Some("8bit")
    } else {
        None
    };
    if let Some(encoding) = encoding {
        let start = out.len();
        write!(
            out,
            "Content-Type: {written}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n"
        )
        .expect("writing to a Vec cannot fail");
        if as_is(out, body) {
            out.extend_from_slice(b"\r\n");
            return;
        }
        out.truncate(start);
    }
    // lettre would send a lone CR or a NUL in a short-lined body as it is: encode those.
    let chosen = Body::new(body.to_owned());
    let body = match chosen.encoding() {
        ContentTransferEncoding::SevenBit | ContentTransferEncoding::EightBit => {
            Body::new_with_encoding(body.to_owned(), ContentTransferEncoding::QuotedPrintable)
                .unwrap_or(chosen)
        }
        _ => chosen,
    };
    let part = SinglePart::builder().header(content_type).body(body);
    out.extend_from_slice(&part.formatted());
}

/// SMTP's limit on a line, without its CRLF.
const MAX_LINE: usize = 998;

/// Appends `body` to `out` with CRLF line ends and returns true, if it can go without transfer
/// encoding: no NUL, no CR but before LF, no line over [`MAX_LINE`] octets. Otherwise returns
/// false, with what it appended still in `out`.
fn as_is(out: &mut Vec<u8>, body: &str) -> bool {
    let bytes = body.as_bytes();
    if memchr::memchr(0, bytes).is_some() {
        return false;
    }
    // Rendered notices end their lines in LF alone: then no line needs looking into for a CR.
    let has_cr = memchr::memchr(b'\r', bytes).is_some();
    let fits =
        |line: &[u8]| line.len() <= MAX_LINE && !(has_cr && memchr::memchr(b'\r', line).is_some());
    out.reserve(bytes.len() + bytes.len() / 32 + 2);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        let line = &bytes[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !fits(line) {
            return false;
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
        start = end + 1;
    }
    let last = &bytes[start..];
    if !fits(last) {
        return false;
    }
    out.extend_from_slice(last);
    true
}

/// `=_candor_` and 32 hex digits of the Message-ID's SHA-256. `=_` never occurs in
/// quoted-printable or base64 text, and a 7-bit body would have to quote this very hash.
fn boundary(message_id: &str) -> String {
    let digest = Sha256::digest(message_id.as_bytes());
    format!("=_candor_{}", hex::encode(&digest[..16]))
}

fn valid_message_id(id: &str) -> bool {
    (3..=250).contains(&id.len())
        && id.contains('@')
        && id
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>')
}

fn valid_language(tag: &str) -> bool {
    (1..=35).contains(&tag.len())
        && tag.starts_with(|c: char| c.is_ascii_alphabetic())
        && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn from() -> Mailbox {
        "Candor Notices <notices@example.org>".parse().unwrap()
    }

    fn message<'a>(from: &'a Mailbox, subject: &'a str) -> OutgoingMessage<'a> {
        OutgoingMessage {
            message_id: "candor.3f2a.42@notices.example.org",
            from,
            reply_to: None,
            to_address: "jose@example.com",
            to_name: Some("José Núñez"),
            subject,
            text: "Hello",
            html: "<p>Hello</p>",
            date: chrono::Utc
                .with_ymd_and_hms(2026, 11, 22, 9, 30, 0)
                .unwrap(),
            language: "es",
            eight_bit: false,
        }
    }

    /// The message as lettre's own builder makes it, with the parts chosen as `part` chooses:
    /// how every message was built before `build_message` wrote its parts itself.
    fn with_lettre(m: &OutgoingMessage) -> Vec<u8> {
        use lettre::message::MultiPart;
        let lettre_part = |content_type: ContentType, body: &str| {
            let encoding = if body.is_ascii() {
                Some(ContentTransferEncoding::SevenBit)
            } else if m.eight_bit {
                Some(ContentTransferEncoding::EightBit)
            } else {
                None
            };
            let mut crlf = Vec::new();
            if let Some(encoding) = encoding
                && as_is(&mut crlf, body)
            {
                return SinglePart::builder()
                    .header(content_type)
                    .body(Body::dangerous_pre_encoded(crlf, encoding));
            }
            let chosen = Body::new(body.to_owned());
            let body = match chosen.encoding() {
                ContentTransferEncoding::SevenBit | ContentTransferEncoding::EightBit => {
                    Body::new_with_encoding(
                        body.to_owned(),
                        ContentTransferEncoding::QuotedPrintable,
                    )
                    .unwrap_or(chosen)
                }
                _ => chosen,
            };
            SinglePart::builder().header(content_type).body(body)
        };
        let to = Mailbox::new(m.to_name.map(str::to_owned), m.to_address.parse().unwrap());
        let mut builder = lettre::Message::builder()
            .message_id(Some(format!("<{}>", m.message_id)))
            .date(SystemTime::from(m.date))
            .from(m.from.clone());
        if let Some(reply_to) = m.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        builder
            .to(to)
            .subject(m.subject)
            .raw_header(HeaderValue::new(CONTENT_LANGUAGE, m.language.to_owned()))
            .multipart(
                MultiPart::alternative()
                    .boundary(boundary(m.message_id))
                    .singlepart(lettre_part(ContentType::TEXT_PLAIN, m.text))
                    .singlepart(lettre_part(ContentType::TEXT_HTML, m.html)),
            )
            .unwrap()
            .formatted()
    }

    #[test]
    fn messages_are_byte_for_byte_what_lettres_builder_made() {
        let from = from();
        let reply_to: Mailbox = "Privacy Team <privacy@example.org>".parse().unwrap();
        let long = format!("{}\n", "sus datos ".repeat(120));
        let texts = [
            "Hello\n\n.A line with a dot\nLast line without an end",
            "Hola José, tus datos: nombre y número de tarjeta.\r\nSegunda línea\n",
            long.as_str(),
            "one\rtwo",
            "nul\0here",
            "",
        ];
        let subjects = [
            "Notice of Data Breach",
            "Aviso de filtración de datos: lo sentimos",
        ];
        for text in texts {
            for subject in subjects {
                for eight_bit in [false, true] {
                    for with_reply in [false, true] {
                        let mut m = message(&from, subject);
                        m.text = text;
                        m.html = "<p>Hola José</p>\n<p>Adiós</p>";
                        m.eight_bit = eight_bit;
                        m.reply_to = with_reply.then_some(&reply_to);
                        if !with_reply {
                            m.to_name = None;
                        }
                        let built = build_message(&m).unwrap();
                        assert_eq!(
                            String::from_utf8_lossy(&built.bytes),
                            String::from_utf8_lossy(&with_lettre(&m)),
                            "text {text:?}, subject {subject:?}, 8-bit {eight_bit}"
                        );
                        assert_eq!(built.envelope.to().len(), 1);
                        assert_eq!(built.envelope.from(), Some(&from.email));
                    }
                }
            }
        }
    }

    #[test]
    fn an_eight_bit_relay_gets_utf8_text_as_it_is_and_long_lines_fall_back() {
        let from = from();
        let long_line = "ñ".repeat(600);
        let mut m = message(&from, "Notice");
        let text = "Hola José, tus datos: nombre y número de tarjeta.\n";
        m.text = text;
        let quoted = String::from_utf8(build_message(&m).unwrap().bytes).unwrap();
        assert!(quoted.contains("quoted-printable"), "{quoted}");
        m.eight_bit = true;
        let eight = String::from_utf8(build_message(&m).unwrap().bytes).unwrap();
        assert!(eight.contains("Content-Transfer-Encoding: 8bit"), "{eight}");
        assert!(eight.contains("Hola José, tus datos: nombre y número de tarjeta."));
        // A line over SMTP's 998-octet limit cannot go as 8-bit.
        m.text = &long_line;
        let fallback = String::from_utf8(build_message(&m).unwrap().bytes).unwrap();
        assert!(!fallback.contains("Content-Transfer-Encoding: 8bit\r\n\r\nñ"));
        assert!(!fallback.contains(&long_line), "the long line is encoded");
    }

    #[test]
    fn paragraphs_longer_than_76_octets_go_as_they_are_up_to_smtps_line_limit() {
        let from = from();
        let mut m = message(&from, "Notice");
        m.eight_bit = true;
        let paragraph = format!("Hola José, {}.\n\n.Fin", "sus datos ".repeat(40));
        m.text = &paragraph;
        m.html = "<p>Hello</p>";
        let text = String::from_utf8(build_message(&m).unwrap().bytes).unwrap();
        assert!(
            text.contains("Content-Transfer-Encoding: 8bit\r\n\r\nHola José, sus datos"),
            "{text}"
        );
        assert!(text.contains(".\r\n\r\n.Fin\r\n"), "LF became CRLF: {text}");
        assert!(
            text.contains("Content-Transfer-Encoding: 7bit\r\n\r\n<p>Hello</p>"),
            "an ASCII part needs no encoding: {text}"
        );
        // ASCII lines up to 998 octets go as 7-bit to any relay; one more octet cannot.
        m.eight_bit = false;
        let fits = "a".repeat(998);
        m.text = &fits;
        let text = String::from_utf8(build_message(&m).unwrap().bytes).unwrap();
        assert!(text.contains(&format!("7bit\r\n\r\n{fits}\r\n")), "{text}");
        let over = "a".repeat(999);
        m.text = &over;
        let text = String::from_utf8(build_message(&m).unwrap().bytes).unwrap();
        assert!(!text.contains(&over), "a 999-octet line is encoded");
        // A lone CR is not a line end; such a body is encoded.
        m.text = "one\rtwo";
        let text = String::from_utf8(build_message(&m).unwrap().bytes).unwrap();
        assert!(text.contains("one=0Dtwo"), "{text}");
    }

    #[test]
    fn a_header_injection_in_the_subject_stays_inside_the_subject() {
        let from = from();
        let built = build_message(&message(&from, "Notice\r\nBcc: evil@example.net")).unwrap();
        let text = String::from_utf8(built.bytes).unwrap();
        assert!(!text.contains("\r\nBcc:"), "{text}");
        assert_eq!(built.envelope.to().len(), 1);
    }

    #[test]
    fn errors_never_name_the_address() {
        let from = from();
        let mut bad = message(&from, "Notice");
        bad.to_address = "not an address jose";
        let err = build_message(&bad).unwrap_err();
        assert!(matches!(err, MimeError::InvalidRecipient));
        assert!(!err.to_string().contains("jose"), "{err}");
    }

    #[test]
    fn a_message_id_with_brackets_or_spaces_or_no_at_is_refused() {
        let from = from();
        for id in ["<a@b>", "a b@c", "no-at-sign", ""] {
            let mut bad = message(&from, "Notice");
            bad.message_id = id;
            assert!(
                matches!(build_message(&bad), Err(MimeError::InvalidMessageId)),
                "{id}"
            );
        }
    }

    #[test]
    fn the_language_becomes_content_language_and_a_bad_tag_is_refused() {
        let from = from();
        let built = build_message(&message(&from, "Notice")).unwrap();
        let text = String::from_utf8(built.bytes).unwrap();
        assert!(text.contains("\r\nContent-Language: es\r\n"), "{text}");
        let mut bad = message(&from, "Notice");
        bad.language = "es\r\nX-Evil: 1";
        assert!(matches!(
            build_message(&bad),
            Err(MimeError::InvalidLanguage)
        ));
    }
}
