//! The postal channel: one text file per letter for a print-and-mail vendor, and the vendor's
//! CSV manifest listing every letter with its address.

use std::io::Write;
use std::path::Path;

use chrono::SecondsFormat;

use super::Outcome;
use super::file::{file_stem, write_atomically};

/// One letter to write. Borrowed from the outbox row and its rendered notice.
#[derive(Debug, Clone, Copy)]
pub struct PostalLetter<'a> {
    /// Stable per outbox row, e.g. "candor.<campaign>.<row>"; names the file.
    pub letter_id: &'a str,
    pub name: Option<&'a str>,
    pub line1: &'a str,
    pub city: &'a str,
    pub region: &'a str,
    pub postal_code: &'a str,
    pub country: &'a str,
    pub subject: &'a str,
    /// The text body, UTF-8.
    pub text: &'a str,
    /// The letter's language ("en", "es"); the manifest carries it for the vendor.
    pub language: &'a str,
}

/// Writes `<dir>/<letter_id>.txt` atomically: the address block, a blank line, the subject, a
/// blank line, the text body (UTF-8, `\n` line ends). A rewrite of the same letter replaces its
/// file. Returns `Accepted { reply: "letter written to <file>" }`, or `Transient` on an I/O
/// error (naming the error's kind, never the folder).
///
/// Blocking (it writes and syncs a file): call it from `tokio::task::spawn_blocking`.
pub fn write_letter(dir: &Path, letter: &PostalLetter) -> Outcome {
    let name = format!("{}.txt", file_stem(letter.letter_id));
    match write_atomically(dir, &name, render(letter).as_bytes()) {
        Ok(()) => Outcome::Accepted {
            reply: format!("letter written to {name}"),
        },
        Err(err) => Outcome::Transient {
            reason: format!("cannot write {name}: {}", err.kind()),
        },
    }
}

/// The letter's text. Address fields and subject are made single-line (a stray line break in
/// imported data must not shift the address block).
fn render(letter: &PostalLetter) -> String {
    let mut out = String::with_capacity(letter.text.len() + 256);
    let mut line = |value: &str| {
        let value = one_line(value);
        if !value.is_empty() {
            out.push_str(&value);
            out.push('\n');
        }
    };
    line(letter.name.unwrap_or_default());
    line(letter.line1);
    let region_code = [letter.region, letter.postal_code]
        .map(one_line)
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let city = one_line(letter.city);
    match (city.is_empty(), region_code.is_empty()) {
        (false, false) => line(&format!("{city}, {region_code}")),
        (false, true) => line(&city),
        (true, _) => line(&region_code),
    }
    line(letter.country);
    out.push('\n');
    out.push_str(&one_line(letter.subject));
    out.push_str("\n\n");
    let text = letter.text.replace("\r\n", "\n").replace('\r', "\n");
    out.push_str(&text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn one_line(value: &str) -> String {
    let spaced: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One row of the vendor's manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalManifestRow {
    pub letter_id: String,
    pub name: String,
    pub line1: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
    pub language: String,
    /// The letter's file name, as `write_letter` reported it.
    pub file: String,
    pub written_at: chrono::DateTime<chrono::Utc>,
}

const MANIFEST_HEADER: [&str; 10] = [
    "letter_id",
    "name",
    "line1",
    "city",
    "region",
    "postal_code",
    "country",
    "language",
    "file",
    "written_at",
];

/// The vendor's manifest: a CSV with a header row (written even when there are no letters),
/// one row per letter, RFC 4180 quoting and CRLF line ends; `written_at` in RFC 3339 UTC.
pub fn write_manifest<W: Write>(
    out: W,
    rows: impl IntoIterator<Item = PostalManifestRow>,
) -> Result<(), csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(MANIFEST_HEADER)?;
    for row in rows {
        let written_at = row.written_at.to_rfc3339_opts(SecondsFormat::Secs, true);
        writer.write_record([
            row.letter_id.as_str(),
            &row.name,
            &row.line1,
            &row.city,
            &row.region,
            &row.postal_code,
            &row.country,
            &row.language,
            &row.file,
            &written_at,
        ])?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_in_address_fields_do_not_shift_the_address_block() {
        let letter = PostalLetter {
            letter_id: "candor.1.2",
            name: Some("Ana\r\nRuiz"),
            line1: "1 Main St",
            city: "Springfield",
            region: "",
            postal_code: "62704",
            country: "US",
            subject: "Notice",
            text: "Body\r\nline 2",
            language: "en",
        };
        assert_eq!(
            render(&letter),
            "Ana Ruiz\n1 Main St\nSpringfield, 62704\nUS\n\nNotice\n\nBody\nline 2\n"
        );
    }
}
