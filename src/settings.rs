//! Typed, layered configuration: defaults → `candor.toml` (or the file named by
//! `CANDOR_CONFIG`) → `CANDOR_*` environment variables.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// The shortest signing secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// Where Candor runs; production refuses unsafe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Production,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Every setting, with its default. Printed (`Debug`) and serialised with its secrets redacted,
/// the database URL's password included.
#[derive(Clone, Serialize, Deserialize)]
pub struct Settings {
    /// `CANDOR_ENV`: `development` (default) or `production`.
    pub env: Environment,
    /// `CANDOR_ADDR`: where the HTTP server listens.
    pub addr: SocketAddr,
    /// `CANDOR_DATA_DIR`: the embedded database, the generated development secret and (later)
    /// the file outbox live here.
    pub data_dir: PathBuf,
    /// `CANDOR_DATABASE_URL`: `sqlite://…` or `postgres://…`; default: SQLite in `data_dir`.
    #[serde(serialize_with = "redact_url")]
    pub database_url: Option<String>,
    /// `CANDOR_DATABASE_MAX_CONNECTIONS`.
    pub database_max_connections: u32,
    /// `CANDOR_JWT_SECRET`: the token signing secret (at least 32 bytes).
    #[serde(serialize_with = "redact")]
    pub jwt_secret: Option<SecretString>,
    /// `CANDOR_JWT_ISSUER`.
    pub jwt_issuer: String,
    /// `CANDOR_JWT_AUDIENCE`: the audience of staff tokens.
    pub jwt_audience: String,
    /// `CANDOR_JWT_TTL_MINUTES`: how long a staff token lives.
    pub jwt_ttl_minutes: i64,
    /// `CANDOR_LOGIN_MAX_FAILURES_PER_ACCOUNT` within the window.
    pub login_max_failures_per_account: u64,
    /// `CANDOR_LOGIN_MAX_FAILURES_PER_ADDRESS` within the window.
    pub login_max_failures_per_address: u64,
    /// `CANDOR_LOGIN_WINDOW_MINUTES`.
    pub login_window_minutes: i64,
    /// `CANDOR_MAX_BODY_BYTES`: the largest request body accepted.
    pub max_body_bytes: usize,
    /// `CANDOR_MAPPING_WORK_MEM`: the memory PostgreSQL may use for a mapping's hash tables
    /// (`work_mem`, e.g. `512MB`; empty keeps the server's own setting).
    pub mapping_work_mem: String,
    /// `CANDOR_ORGANIZATION_TRAITS`: comma-separated organization traits from the rules pack
    /// (`hipaa_covered_entity,sec_registrant`); sector regimes apply only with their trait.
    pub organization_traits: String,
    /// `CANDOR_ORGANIZATION_CONTACT`: the contact point named in regulator reports (a DPO or
    /// privacy office); empty: the report says it is missing.
    pub organization_contact: String,
    /// `CANDOR_DUTY_ALERT_HOURS`: a duty due within this many hours raises a "due soon" alert.
    pub duty_alert_hours: i64,
    /// `CANDOR_ORGANIZATION_NAME`: who notices come from ("Northwind Outfitters").
    pub organization_name: String,
    /// `CANDOR_ORGANIZATION_WEBSITE`: the organization's site, named in notices; may be empty.
    pub organization_website: String,
    /// `CANDOR_PUBLIC_URL`: where people's links in notices point (their incident page and
    /// survey); the address Candor is reached at from outside.
    pub public_url: String,
    /// `CANDOR_NOTICE_TEMPLATES`: a folder of notice templates to use instead of the shipped
    /// ones (same shape as `notice-templates/`); read on every use, so edits are seen.
    pub notice_templates: Option<PathBuf>,
    /// `CANDOR_PLAYBOOKS`: a folder of playbooks (`*.toml`) to use instead of the shipped
    /// ones; checked at startup like them.
    pub playbooks: Option<PathBuf>,
    /// `CANDOR_NOTICE_MAX_GRADE`: the highest reading grade a notice may have.
    pub notice_max_grade: f64,
    /// `CANDOR_NOTICE_MAX_SENTENCE_WORDS`: longer sentences get a lint warning.
    pub notice_max_sentence_words: usize,
    /// `CANDOR_SMTP_URL`: the relay for staff mail (`smtp://127.0.0.1:2525`,
    /// `smtps://user:pass@host`); unset: mail is written as `.eml` files under
    /// `<data_dir>/outbox/staff/`.
    #[serde(serialize_with = "redact")]
    pub smtp_url: Option<SecretString>,
    /// `CANDOR_MAIL_FROM`: the sender of staff mail.
    pub mail_from: String,
    /// `CANDOR_NOTICE_FROM`: the address notices come from (the organization's name is its
    /// display name); empty: the address of `CANDOR_MAIL_FROM`.
    pub notice_from: String,
    /// `CANDOR_SMTP_TIMEOUT_SECONDS`: how long one step of an SMTP conversation may take.
    pub smtp_timeout_seconds: u64,
    /// `CANDOR_DELIVERY_WORKER`: whether this instance sends the outbox (several instances
    /// may share a database; each claims its own rows).
    pub delivery_worker: bool,
    /// `CANDOR_SURVEY_WORKER`: whether this instance sends survey invitations and reminders
    /// when their schedule says they are due (instances sharing a database may all run it).
    pub survey_worker: bool,
    /// `CANDOR_PLAYBOOK_WORKER`: whether this instance advances playbook runs when a step falls
    /// due (instances sharing a database may all run it).
    pub playbook_worker: bool,
    /// `CANDOR_PLAYBOOK_AUTO_ATTACH`: whether a playbook attaches itself to an incident that
    /// meets its `applies_when` (when it is opened or changed, and when its scope is set);
    /// off: playbooks run only when someone attaches them.
    pub playbook_auto_attach: bool,
    /// `CANDOR_DELIVERY_CONCURRENCY`: sender tasks, each with its own relay connection.
    pub delivery_concurrency: usize,
    /// `CANDOR_DELIVERY_RATE`: messages per second across this instance's senders; 0: no cap.
    pub delivery_rate: u32,
    /// `CANDOR_DELIVERY_BATCH`: rows the worker's claimer claims at a time.
    pub delivery_batch: u64,
    /// `CANDOR_DELIVERY_LEASE_SECONDS`: how long a claim holds its rows.
    pub delivery_lease_seconds: i64,
    /// `CANDOR_DELIVERY_MAX_ATTEMPTS`: attempts in all before a message fails.
    pub delivery_max_attempts: u32,
    /// `CANDOR_DELIVERY_RETRY_BASE_SECONDS`: the wait after a first passing failure (it
    /// doubles with each further one).
    pub delivery_retry_base_seconds: i64,
    /// `CANDOR_DELIVERY_RETRY_MAX_SECONDS`: the longest wait between attempts.
    pub delivery_retry_max_seconds: i64,
    /// `CANDOR_DELIVERY_AUTO_PAUSE_RATE`: a campaign pauses itself when more than this share
    /// of its recent messages failed (0.0 to 1.0; 1.0 never pauses).
    pub delivery_auto_pause_rate: f64,
    /// `CANDOR_NOTICE_LINK_DAYS`: how long the links in notices work.
    pub notice_link_days: i64,
    /// `CANDOR_BOUNCE_WEBHOOK_TOKEN`: the bearer token a relay's bounce webhook presents;
    /// unset: the webhook is off.
    #[serde(serialize_with = "redact")]
    pub bounce_webhook_token: Option<SecretString>,
    /// `CANDOR_CHAT_WEBHOOK_URL`: a Slack- or Teams-compatible incoming webhook that overdue
    /// playbook steps are posted to (`{"text": …}`); unset: escalations go by mail and the
    /// timeline only. The address is a secret (it carries the webhook's token).
    #[serde(serialize_with = "redact")]
    pub chat_webhook_url: Option<SecretString>,
    /// `CANDOR_LOG`: a tracing filter such as `info` or `candor=debug,info`.
    pub log: String,
    /// `CANDOR_LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
}

fn redact<S: serde::Serializer>(value: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => s.serialize_some("[redacted]"),
        None => s.serialize_none(),
    }
}

/// A URL without its password.
fn redact_url<S: serde::Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    let Some(text) = value.as_deref() else {
        return s.serialize_none();
    };
    match url::Url::parse(text) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("redacted"));
            s.serialize_some(url.as_str())
        }
        Ok(_) => s.serialize_some(text),
        Err(_) => s.serialize_some("[unparsable, redacted]"),
    }
}

impl std::fmt::Debug for Settings {
    /// The settings as serialised: every secret redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match serde_json::to_value(self) {
            Ok(value) => write!(f, "Settings {value}"),
            Err(_) => f.write_str("Settings { .. }"),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            env: Environment::Development,
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("candor-data"),
            database_url: None,
            database_max_connections: 10,
            jwt_secret: None,
            jwt_issuer: "candor".into(),
            jwt_audience: "candor-staff".into(),
            jwt_ttl_minutes: 8 * 60,
            login_max_failures_per_account: 5,
            login_max_failures_per_address: 20,
            login_window_minutes: 15,
            max_body_bytes: 1024 * 1024,
            mapping_work_mem: crate::mapping::DEFAULT_WORK_MEM.into(),
            organization_traits: String::new(),
            organization_contact: String::new(),
            duty_alert_hours: 24,
            organization_name: String::new(),
            organization_website: String::new(),
            public_url: "http://localhost:8080".into(),
            notice_templates: None,
            playbooks: None,
            notice_max_grade: 8.0,
            notice_max_sentence_words: 25,
            smtp_url: None,
            mail_from: "Candor <candor@localhost>".into(),
            notice_from: String::new(),
            smtp_timeout_seconds: 30,
            delivery_worker: true,
            survey_worker: true,
            playbook_worker: true,
            playbook_auto_attach: true,
            delivery_concurrency: 8,
            delivery_rate: 0,
            delivery_batch: 1000,
            delivery_lease_seconds: 300,
            delivery_max_attempts: 8,
            delivery_retry_base_seconds: 60,
            delivery_retry_max_seconds: 3600,
            delivery_auto_pause_rate: 0.2,
            notice_link_days: 365,
            bounce_webhook_token: None,
            chat_webhook_url: None,
            log: "info,sea_orm_migration=warn,sqlx::postgres::notice=warn".into(),
            log_format: LogFormat::Text,
        }
    }
}

/// Configuration that cannot be used; the message names the setting.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration: {0}")]
    Load(Box<figment::Error>),
    #[error(
        "CANDOR_JWT_SECRET is not set: production (CANDOR_ENV=production) needs an explicit token secret of at least {MIN_SECRET_BYTES} bytes"
    )]
    MissingSecret,
    #[error("CANDOR_JWT_SECRET is {0} bytes long: it must be at least {MIN_SECRET_BYTES} bytes")]
    ShortSecret(usize),
    #[error("CANDOR_JWT_TTL_MINUTES must be between 1 and 10080 (one week)")]
    BadTtl,
    #[error(
        "CANDOR_MAPPING_WORK_MEM must be a size such as `512MB` (a number and kB, MB or GB), or empty"
    )]
    BadWorkMem,
    #[error("CANDOR_ORGANIZATION_TRAITS: unknown trait `{name}` (the rules pack knows: {known})")]
    UnknownTrait { name: String, known: String },
    #[error("CANDOR_DUTY_ALERT_HOURS must be between 1 and 720")]
    BadAlertHours,
    #[error("CANDOR_MAIL_FROM is not a valid mailbox (`Name <address@example.com>`)")]
    BadMailFrom,
    #[error("CANDOR_PUBLIC_URL must be an absolute http or https address")]
    BadPublicUrl,
    #[error("CANDOR_CHAT_WEBHOOK_URL must be an http:// or https:// address with a host")]
    BadChatWebhook,
    #[error("CANDOR_NOTICE_MAX_GRADE must be between 1 and 20")]
    BadMaxGrade,
    #[error("CANDOR_NOTICE_MAX_SENTENCE_WORDS must be between 8 and 100")]
    BadSentenceWords,
    #[error("CANDOR_NOTICE_FROM is not a valid email address")]
    BadNoticeFrom,
    #[error("CANDOR_{0} is out of range: {1}")]
    BadDelivery(&'static str, &'static str),
    #[error("data directory `{path}`: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A PostgreSQL memory size the mapping can pass to `SET work_mem`: digits then `kB`, `MB` or
/// `GB`, or empty.
fn valid_work_mem(value: &str) -> bool {
    if value.is_empty() {
        return true;
    }
    let digits = value.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &value[digits.len()..];
    !digits.is_empty()
        && digits.len() <= 9
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(unit, "kB" | "MB" | "GB")
}

impl Settings {
    /// Loads defaults, then the config file, then `CANDOR_*` variables.
    pub fn load() -> Result<Self, SettingsError> {
        let file = std::env::var_os("CANDOR_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("candor.toml"));
        Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("CANDOR_").ignore(&["config", "test_pg"]))
            .extract()
            .map_err(|e| SettingsError::Load(Box::new(e)))
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("candor.db").display()
            )
        })
    }

    /// Whether the database in force is the embedded SQLite file.
    pub fn uses_embedded_database(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }

    /// Checks the settings that cannot be checked by type alone.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if !(1..=7 * 24 * 60).contains(&self.jwt_ttl_minutes) {
            return Err(SettingsError::BadTtl);
        }
        if !valid_work_mem(&self.mapping_work_mem) {
            return Err(SettingsError::BadWorkMem);
        }
        if !(1..=720).contains(&self.duty_alert_hours) {
            return Err(SettingsError::BadAlertHours);
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(SettingsError::BadMailFrom);
        }
        match url::Url::parse(&self.public_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {}
            _ => return Err(SettingsError::BadPublicUrl),
        }
        self.chat_webhook()?;
        if !(1.0..=20.0).contains(&self.notice_max_grade) {
            return Err(SettingsError::BadMaxGrade);
        }
        if !(8..=100).contains(&self.notice_max_sentence_words) {
            return Err(SettingsError::BadSentenceWords);
        }
        self.notice_from_address()?;
        self.validate_delivery()
    }

    /// The chat webhook's address, when one is set: an `http` or `https` URL with a host.
    pub fn chat_webhook(&self) -> Result<Option<url::Url>, SettingsError> {
        use secrecy::ExposeSecret;
        let Some(raw) = self
            .chat_webhook_url
            .as_ref()
            .map(|u| u.expose_secret().trim().to_owned())
            .filter(|u| !u.is_empty())
        else {
            return Ok(None);
        };
        // The address is a secret: the error never repeats it.
        match url::Url::parse(&raw) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
                Ok(Some(u))
            }
            _ => Err(SettingsError::BadChatWebhook),
        }
    }

    /// The address notices come from.
    pub fn notice_from_address(&self) -> Result<lettre::Address, SettingsError> {
        if self.notice_from.trim().is_empty() {
            let from: lettre::message::Mailbox = self
                .mail_from
                .parse()
                .map_err(|_| SettingsError::BadMailFrom)?;
            return Ok(from.email);
        }
        self.notice_from
            .trim()
            .parse()
            .map_err(|_| SettingsError::BadNoticeFrom)
    }

    fn validate_delivery(&self) -> Result<(), SettingsError> {
        let bad = |name, why| Err(SettingsError::BadDelivery(name, why));
        if !(1..=256).contains(&self.delivery_concurrency) {
            return bad("DELIVERY_CONCURRENCY", "between 1 and 256");
        }
        if !(1..=10_000).contains(&self.delivery_batch) {
            return bad("DELIVERY_BATCH", "between 1 and 10000");
        }
        if !(10..=86_400).contains(&self.delivery_lease_seconds) {
            return bad("DELIVERY_LEASE_SECONDS", "between 10 and 86400");
        }
        if !(1..=100).contains(&self.delivery_max_attempts) {
            return bad("DELIVERY_MAX_ATTEMPTS", "between 1 and 100");
        }
        if self.delivery_retry_base_seconds < 1
            || self.delivery_retry_max_seconds < self.delivery_retry_base_seconds
        {
            return bad(
                "DELIVERY_RETRY_BASE_SECONDS",
                "at least 1, and no more than CANDOR_DELIVERY_RETRY_MAX_SECONDS",
            );
        }
        if !(0.0..=1.0).contains(&self.delivery_auto_pause_rate) {
            return bad("DELIVERY_AUTO_PAUSE_RATE", "between 0.0 and 1.0");
        }
        if !(1..=3650).contains(&self.notice_link_days) {
            return bad("NOTICE_LINK_DAYS", "between 1 and 3650");
        }
        if !(1..=3600).contains(&self.smtp_timeout_seconds) {
            return bad("SMTP_TIMEOUT_SECONDS", "between 1 and 3600");
        }
        Ok(())
    }

    /// The declared organization traits, each checked against the pack's vocabulary.
    pub fn organization_traits(
        &self,
        known: &BTreeMap<String, String>,
    ) -> Result<BTreeSet<String>, SettingsError> {
        let mut traits = BTreeSet::new();
        for name in self.organization_traits.split(',').map(str::trim) {
            if name.is_empty() {
                continue;
            }
            if !known.contains_key(name) {
                return Err(SettingsError::UnknownTrait {
                    name: name.to_owned(),
                    known: known.keys().cloned().collect::<Vec<_>>().join(", "),
                });
            }
            traits.insert(name.to_owned());
        }
        Ok(traits)
    }

    /// The token secret: the configured one, or in development one generated once and kept in
    /// the data directory. Production without an explicit secret of sufficient length refuses.
    pub fn resolve_jwt_secret(&self) -> Result<SecretString, SettingsError> {
        if let Some(secret) = &self.jwt_secret {
            let len = secret.expose_secret().len();
            if len < MIN_SECRET_BYTES {
                return Err(SettingsError::ShortSecret(len));
            }
            return Ok(secret.clone());
        }
        if self.env == Environment::Production {
            return Err(SettingsError::MissingSecret);
        }
        self.ensure_data_dir()?;
        load_or_create_secret(&self.data_dir.join("jwt-secret"))
    }

    /// Creates the data directory if it is missing.
    pub fn ensure_data_dir(&self) -> Result<(), SettingsError> {
        std::fs::create_dir_all(&self.data_dir).map_err(|source| SettingsError::DataDir {
            path: self.data_dir.clone(),
            source,
        })
    }
}

fn load_or_create_secret(path: &Path) -> Result<SecretString, SettingsError> {
    let io_err = |source| SettingsError::DataDir {
        path: path.to_owned(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(existing) if existing.trim().len() >= MIN_SECRET_BYTES => {
            return Ok(SecretString::from(existing.trim().to_owned()));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(e)),
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    write_private(path, &secret).map_err(io_err)?;
    Ok(SecretString::from(secret))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mapping_work_mem_must_be_a_postgresql_size() {
        for good in ["", "64kB", "512MB", "2GB"] {
            assert!(valid_work_mem(good), "{good}");
        }
        for bad in ["512", "MB", "1 GB", "5TB", "1GB'; DROP TABLE x; --"] {
            assert!(!valid_work_mem(bad), "{bad}");
        }
        let settings = Settings {
            mapping_work_mem: "lots".into(),
            ..Settings::default()
        };
        let err = settings.validate().unwrap_err();
        assert!(err.to_string().contains("CANDOR_MAPPING_WORK_MEM"), "{err}");
    }

    #[test]
    fn organization_traits_are_checked_against_the_pack_and_the_error_names_the_setting() {
        let known: BTreeMap<String, String> = [("sec_registrant", "x"), ("phr_vendor", "y")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let settings = Settings {
            organization_traits: " sec_registrant, ,phr_vendor ".into(),
            ..Settings::default()
        };
        let traits = settings.organization_traits(&known).unwrap();
        assert_eq!(traits.len(), 2);
        assert!(
            Settings::default()
                .organization_traits(&known)
                .unwrap()
                .is_empty()
        );
        let settings = Settings {
            organization_traits: "sec_registrant,bank".into(),
            ..Settings::default()
        };
        let err = settings
            .organization_traits(&known)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("CANDOR_ORGANIZATION_TRAITS") && err.contains("`bank`"),
            "{err}"
        );
    }

    #[test]
    fn production_refuses_to_start_without_a_secret_and_names_the_setting() {
        let settings = Settings {
            env: Environment::Production,
            ..Settings::default()
        };
        let err = settings.resolve_jwt_secret().unwrap_err();
        assert!(err.to_string().contains("CANDOR_JWT_SECRET"), "{err}");
    }

    #[test]
    fn a_short_secret_is_refused() {
        let settings = Settings {
            jwt_secret: Some(SecretString::from("too-short")),
            ..Settings::default()
        };
        assert!(matches!(
            settings.resolve_jwt_secret(),
            Err(SettingsError::ShortSecret(9))
        ));
    }

    #[test]
    fn development_creates_a_secret_once_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            data_dir: dir.path().join("data"),
            ..Settings::default()
        };
        let first = settings.resolve_jwt_secret().unwrap();
        let second = settings.resolve_jwt_secret().unwrap();
        assert_eq!(first.expose_secret(), second.expose_secret());
        assert!(first.expose_secret().len() >= MIN_SECRET_BYTES);
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let settings = Settings {
            jwt_secret: Some(SecretString::from("s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t")),
            ..Settings::default()
        };
        assert!(!format!("{settings:?}").contains("s3cr3t"));
    }
}
