//! Wiring: settings → database → state → router → listener.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use sea_orm::DatabaseConnection;
use secrecy::SecretString;
use tokio::net::TcpListener;

use crate::auth::{LoginPolicy, TokenKeys};
use crate::domain::Clock;
use crate::http::{self, metrics::Metrics};
use crate::settings::Settings;
use crate::store;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub tokens: TokenKeys,
    pub login_policy: LoginPolicy,
    /// Server secret mixed into digests of sign-in addresses.
    pub pepper: SecretString,
    pub metrics: Arc<Metrics>,
    pub max_body_bytes: usize,
    /// The data directory (`CANDOR_DATA_DIR`): the SQLite database, outboxes and import files.
    pub data_dir: PathBuf,
    /// Computes mapping runs in the background.
    pub mapping: crate::mapping::Worker,
    /// The rules pack (loaded once at startup) and the organization's declared traits.
    pub obligations: crate::obligation::ObligationConfig,
    /// The regulator report templates, compiled at startup.
    pub reports: crate::obligation::ReportTemplates,
    /// Raises duty alerts and mails them, in the background.
    pub alerts: crate::obligation::AlertWorker,
    /// Notice templates, the organization's details and the linter's limits.
    pub notices: crate::notice::drafts::NoticeConfig,
    /// What a send stamps on its campaign (sender, link lifetime).
    pub sending: crate::delivery::SendSettings,
    /// Sends the outbox (in the background when `CANDOR_DELIVERY_WORKER` is on).
    pub delivery: crate::delivery::Worker,
    /// The bearer token of the bounce webhook; `None`: the webhook is off.
    pub bounce_token: Option<SecretString>,
    /// Sends survey invitations and reminders when due (in the background when
    /// `CANDOR_SURVEY_WORKER` is on).
    pub surveys: crate::survey::Surveys,
    /// The playbooks, checked at startup.
    pub playbooks: Arc<crate::playbook::Playbooks>,
    /// Attaches playbooks and advances their runs (in the background when
    /// `CANDOR_PLAYBOOK_WORKER` is on).
    pub runner: crate::playbook::run::Runner,
    /// Whether playbooks attach themselves by their `applies_when`.
    pub playbook_auto_attach: bool,
}

/// A built application, bound to its port but not yet serving.
pub struct App {
    listener: TcpListener,
    state: AppState,
    run_delivery: bool,
    run_surveys: bool,
    run_playbooks: bool,
}

/// Connects to the configured database (creating the data directory for SQLite) and brings
/// its schema up to date.
pub async fn open_database(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    if settings.uses_embedded_database() {
        settings.ensure_data_dir()?;
    }
    let db = store::connect(&settings.database_url(), settings.database_max_connections)
        .await
        .context("cannot open the database (check CANDOR_DATABASE_URL)")
        .map_err(|e| with_data_dir_problem(settings, e))?;
    store::migrate(&db)
        .await
        .context("database migration failed")
        .map_err(|e| with_data_dir_problem(settings, e))?;
    Ok(db)
}

/// Names what is wrong with the data directory when the embedded database cannot be opened:
/// SQLite says only "unable to open database file" or "disk I/O error" on a read-only or
/// full disk, which sends people looking at the URL instead.
fn with_data_dir_problem(settings: &Settings, err: anyhow::Error) -> anyhow::Error {
    if !settings.uses_embedded_database() {
        return err;
    }
    let dir = &settings.data_dir;
    let probe = dir.join(format!(".candor-write-check-{}", std::process::id()));
    let written = std::fs::write(&probe, b"candor");
    let _ = std::fs::remove_file(&probe);
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::ReadOnlyFilesystem => err.context(format!(
            "the data directory {} is on a read-only file system (CANDOR_DATA_DIR)",
            dir.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::StorageFull => err.context(format!(
            "the data directory {} is full: no space left on the device (CANDOR_DATA_DIR)",
            dir.display()
        )),
        Err(e) => err.context(format!(
            "cannot write in the data directory {} (CANDOR_DATA_DIR): {e}",
            dir.display()
        )),
        Ok(()) => err,
    }
}

impl App {
    /// Opens the database, runs migrations and binds the listener.
    pub async fn build(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        settings.validate()?;
        // The rules pack and the traits checked against it, before anything is opened.
        let obligations = load_obligations(settings)?;
        let secret = settings.resolve_jwt_secret()?;
        let db = open_database(settings).await?;
        let listener = TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("cannot listen on {} (CANDOR_ADDR)", settings.addr))?;
        let tokens = TokenKeys::new(
            &secret,
            &settings.jwt_issuer,
            &settings.jwt_audience,
            chrono::Duration::minutes(settings.jwt_ttl_minutes),
        );
        let mapping = crate::mapping::Worker::new(
            db.clone(),
            clock.clone(),
            crate::mapping::MappingConfig {
                work_mem: settings.mapping_work_mem.clone(),
                ..crate::mapping::MappingConfig::default()
            },
        );
        let reports = crate::obligation::ReportTemplates::load()
            .context("the regulator report templates do not compile")?;
        let alerts = alert_worker(settings, &db, &clock, &obligations)?;
        let notices = notice_config(settings)?;
        let playbooks = Arc::new(load_playbooks(settings, &notices)?);
        let (sending, delivery) = delivery(settings, &db, &clock, &secret)?;
        let metrics = Arc::new(Metrics::with_delivery(delivery.counters()));
        let surveys = crate::survey::Surveys::new(
            db.clone(),
            clock.clone(),
            notices.clone(),
            obligations.clone(),
            sending.clone(),
            delivery.clone(),
        );
        let escalation = crate::playbook::run::EscalationConfig {
            mailer: staff_mailer(settings)?,
            from: settings
                .mail_from
                .parse()
                .map_err(|_| crate::settings::SettingsError::BadMailFrom)?,
            webhook: settings.chat_webhook()?,
            public_url: settings.public_url.clone(),
            http: crate::playbook::run::EscalationConfig::http_client(),
        };
        let runner = crate::playbook::run::Runner::new(
            db.clone(),
            clock.clone(),
            playbooks.clone(),
            obligations.clone(),
            crate::playbook::run::Services {
                mapping: mapping.clone(),
                notices: notices.clone(),
                sending: sending.clone(),
                delivery: delivery.clone(),
                surveys: surveys.clone(),
                reports: reports.clone(),
                escalation,
            },
        )
        .map_err(|e| anyhow::anyhow!("the notice templates cannot be read: {e}"))?;
        let state = AppState {
            runner,
            playbook_auto_attach: settings.playbook_auto_attach,
            playbooks,
            surveys,
            notices,
            sending,
            delivery,
            bounce_token: settings.bounce_webhook_token.clone(),
            db,
            clock,
            mapping,
            obligations,
            reports,
            alerts,
            tokens,
            login_policy: LoginPolicy {
                max_failures_per_account: settings.login_max_failures_per_account,
                max_failures_per_address: settings.login_max_failures_per_address,
                window: chrono::Duration::minutes(settings.login_window_minutes),
            },
            pepper: derive_pepper(&secret),
            metrics,
            max_body_bytes: settings.max_body_bytes,
            data_dir: settings.data_dir.clone(),
        };
        Ok(App {
            listener,
            state,
            run_delivery: settings.delivery_worker,
            run_surveys: settings.survey_worker,
            run_playbooks: settings.playbook_worker,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The shared state (tests reach the database through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests and closes the pool.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let db = self.state.db.clone();
        let sweep = self.state.mapping.start_sweep();
        let alert_sweep = self.state.alerts.start_sweep();
        let delivery = self.run_delivery.then(|| self.state.delivery.start());
        let surveys = self.run_surveys.then(|| self.state.surveys.start());
        let playbooks = self.run_playbooks.then(|| self.state.runner.start());
        let router = http::router(self.state);
        axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        sweep.abort();
        alert_sweep.abort();
        for task in [delivery, surveys, playbooks].into_iter().flatten() {
            task.abort();
        }
        if let Err(e) = db.close().await {
            tracing::warn!(error = %e, "closing the database pool failed");
        }
        Ok(())
    }
}

/// The embedded rules pack and the organization's traits, checked against it.
pub fn load_obligations(
    settings: &Settings,
) -> anyhow::Result<crate::obligation::ObligationConfig> {
    let pack = crate::rules::Pack::embedded()
        .map_err(|e| anyhow::anyhow!("the embedded rules pack is not valid:\n{e}"))?;
    let traits = settings.organization_traits(pack.traits())?;
    Ok(crate::obligation::ObligationConfig {
        pack: Arc::new(pack),
        traits: Arc::new(traits),
        contact: settings.organization_contact.clone(),
    })
}

/// The playbooks (the shipped ones, or `CANDOR_PLAYBOOKS`), checked against the notice
/// templates in use: Candor does not start with a playbook that does not validate.
pub fn load_playbooks(
    settings: &Settings,
    notices: &crate::notice::drafts::NoticeConfig,
) -> anyhow::Result<crate::playbook::Playbooks> {
    use crate::playbook::Playbooks;
    let templates = notices
        .base_templates()
        .map_err(|e| anyhow::anyhow!("the notice templates cannot be read: {e}"))?;
    let loaded = match &settings.playbooks {
        Some(dir) => Playbooks::load_dir(dir, &templates),
        None => Playbooks::embedded_for(&templates),
    };
    loaded.map_err(|e| anyhow::anyhow!("{e} (CANDOR_PLAYBOOKS)"))
}

/// The notice settings, with the templates checked: Candor does not start with templates that
/// do not compile or a tone list that does not parse.
pub fn notice_config(settings: &Settings) -> anyhow::Result<crate::notice::drafts::NoticeConfig> {
    use crate::notice::drafts::{NoticeConfig, TemplateSource};
    let templates = match &settings.notice_templates {
        Some(dir) => TemplateSource::Dir(dir.clone()),
        None => TemplateSource::Embedded,
    };
    let source = match &templates {
        TemplateSource::Dir(dir) => crate::notice::templates::TemplateSet::load_dir(dir)
            .map_err(|e| anyhow::anyhow!("{e} (CANDOR_NOTICE_TEMPLATES)"))?,
        TemplateSource::Embedded => crate::notice::templates::TemplateSet::embedded(),
    };
    if let Err(problems) = source.compile() {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        anyhow::bail!(
            "the notice templates do not compile:\n  {}",
            list.join("\n  ")
        );
    }
    let tone = match source.get(crate::notice::templates::TONE_FILE) {
        Some(text) => crate::notice::lint::tone::ToneList::parse(text),
        None => crate::notice::lint::tone::ToneList::embedded(),
    }
    .map_err(|e| anyhow::anyhow!("the tone list (tone.toml) is not valid: {e}"))?;
    let config = NoticeConfig {
        templates,
        organization: crate::notice::context::Organization {
            name: settings.organization_name.trim().to_owned(),
            website: Some(settings.organization_website.trim().to_owned())
                .filter(|w| !w.is_empty()),
        },
        public_url: settings.public_url.trim_end_matches('/').to_owned(),
        default_contact: settings.organization_contact.clone(),
        limits: crate::notice::lint::readability::ReadabilityLimits {
            max_grade: settings.notice_max_grade,
            max_sentence_words: settings.notice_max_sentence_words,
        },
        tone: Arc::new(tone),
    };
    Ok(config)
}

/// The sender of notices and the outbox worker: SMTP when `CANDOR_SMTP_URL` is set, else
/// `.eml` files under the data directory; letters always go to the data directory.
pub fn delivery(
    settings: &Settings,
    db: &DatabaseConnection,
    clock: &Arc<dyn Clock>,
    secret: &SecretString,
) -> anyhow::Result<(crate::delivery::SendSettings, crate::delivery::Worker)> {
    use crate::delivery::{self, DeliveryConfig, transport::EmailTransport};
    use secrecy::ExposeSecret;
    let name = settings.organization_name.trim();
    let from = lettre::message::Mailbox::new(
        Some(name.to_owned()).filter(|n| !n.is_empty()),
        settings.notice_from_address()?,
    );
    let email = match settings
        .smtp_url
        .as_ref()
        .map(|u| u.expose_secret().trim().to_owned())
        .filter(|u| !u.is_empty())
    {
        Some(url) => EmailTransport::Smtp(Arc::new(
            delivery::transport::SmtpRelay::from_url(&url)
                .map_err(|e| anyhow::anyhow!("CANDOR_SMTP_URL: {e}"))?
                .with_timeout(std::time::Duration::from_secs(
                    settings.smtp_timeout_seconds,
                )),
        )),
        None => EmailTransport::File(delivery::notice_outbox(&settings.data_dir)),
    };
    let config = DeliveryConfig {
        email,
        postal_dir: delivery::postal_outbox(&settings.data_dir),
        link_keys: delivery::LinkKeys::derive(secret),
        concurrency: settings.delivery_concurrency,
        rate_per_second: settings.delivery_rate,
        batch: settings.delivery_batch,
        lease: chrono::Duration::seconds(settings.delivery_lease_seconds),
        retry: crate::domain::delivery::RetryPolicy {
            base: chrono::Duration::seconds(settings.delivery_retry_base_seconds),
            max_delay: chrono::Duration::seconds(settings.delivery_retry_max_seconds),
            max_attempts: settings.delivery_max_attempts,
        },
        auto_pause: delivery::AutoPause {
            threshold: settings.delivery_auto_pause_rate,
            ..delivery::AutoPause::default()
        },
        poll: std::time::Duration::from_secs(2),
        worker_id: format!("{}-{}", hostname(), uuid::Uuid::new_v4().simple()),
    };
    let sending = delivery::SendSettings {
        from,
        link_ttl: chrono::Duration::days(settings.notice_link_days),
    };
    Ok((
        sending,
        delivery::Worker::new(db.clone(), clock.clone(), config),
    ))
}

/// This machine's name, for naming leases (which instance holds a row).
fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "candor".to_owned())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        // With the `-` and 32 hex digits of the worker's id, within the 64 a lease owner has.
        .take(31)
        .collect()
}

/// The duty alert worker, mailing through SMTP when `CANDOR_SMTP_URL` is set, else into the
/// data directory's outbox.
fn alert_worker(
    settings: &Settings,
    db: &DatabaseConnection,
    clock: &Arc<dyn Clock>,
    obligations: &crate::obligation::ObligationConfig,
) -> anyhow::Result<crate::obligation::AlertWorker> {
    let mailer = staff_mailer(settings)?;
    let from = settings
        .mail_from
        .parse()
        .map_err(|_| crate::settings::SettingsError::BadMailFrom)?;
    Ok(crate::obligation::AlertWorker::new(
        db.clone(),
        clock.clone(),
        obligations.clone(),
        crate::obligation::AlertConfig {
            window: chrono::Duration::hours(settings.duty_alert_hours),
            from,
        },
        mailer,
    ))
}

/// Staff mail: the SMTP relay, or `.eml` files under the data directory.
fn staff_mailer(settings: &Settings) -> anyhow::Result<crate::mail::Mailer> {
    use secrecy::ExposeSecret;
    let smtp_url = settings
        .smtp_url
        .as_ref()
        .map(|u| u.expose_secret().to_owned());
    Ok(crate::mail::Mailer::new(
        smtp_url.as_deref(),
        &settings.data_dir,
    )?)
}

/// The key for sign-in digests, derived from the token secret with its own label so that the
/// digests never expose the signing key itself.
fn derive_pepper(secret: &SecretString) -> SecretString {
    use secrecy::ExposeSecret;
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"candor sign-in digest key\0");
    hasher.update(secret.expose_secret().as_bytes());
    SecretString::from(hex::encode(hasher.finalize()))
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
