//! Reminder mails: planned from the policy ([`planner`]), written to the outbox
//! in the transaction that records the reminders, rendered from templates
//! ([`render`]), and delivered with retries ([`sender`]) over SMTP or into
//! `.eml` files ([`transport`]). [`worker`] runs the same work on an interval
//! inside `serve`; [`link`] signs the per-task report links.

pub mod events;
pub mod link;
pub mod planner;
pub mod reminder_mail;
pub mod render;
pub mod sender;
pub mod transport;
pub mod worker;

use chrono::NaiveDate;
use lettre::message::Mailbox;

use crate::config::Config;
use crate::domain::reminder::Policy;
use crate::storage::{self, Db, StorageError};

pub use planner::{Plan, Queued};
pub use sender::{DeliverOptions, Delivered};
pub use transport::Transport;

/// The errors of the mail layer.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// A setting that only shows its fault when mail is set up (one line, naming the variable).
    #[error("{variable}: {message}")]
    Config {
        variable: &'static str,
        message: String,
    },
    #[error("mail template {0}")]
    Template(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("a mail sending thread stopped unexpectedly")]
    SenderThread,
}

impl From<diesel::result::Error> for MailError {
    fn from(e: diesel::result::Error) -> MailError {
        MailError::Storage(StorageError::Db(e))
    }
}

/// Everything needed to plan, render and deliver reminder mails.
pub struct Mailer {
    pub policy: Policy,
    /// Without a trailing slash.
    pub base_url: String,
    /// Signs the report links.
    pub secret_key: String,
    pub from: Mailbox,
    pub tz: chrono_tz::Tz,
    pub transport: Transport,
    renderer: render::Renderer,
    /// Sent mails and reminder records older than this are deleted.
    pub retention: chrono::Days,
}

impl Mailer {
    pub fn new(config: &Config, secret_key: String) -> Result<Mailer, MailError> {
        Ok(Mailer {
            policy: config.reminder_policy.clone(),
            base_url: config.base_url.clone(),
            secret_key,
            from: config.mail_from.clone(),
            tz: config.tz,
            transport: Transport::from_config(config)?,
            renderer: render::Renderer::new()?,
            retention: chrono::Days::new(u64::from(config.mail_retention_days)),
        })
    }

    pub fn with_transport(mut self, transport: Transport) -> Mailer {
        self.transport = transport;
        self
    }

    pub fn renderer(&self) -> &render::Renderer {
        &self.renderer
    }

    /// Today in the configured time zone.
    pub fn today(&self) -> NaiveDate {
        chrono::Utc::now().with_timezone(&self.tz).date_naive()
    }

    /// Records the reminders due on `on` and queues their mails (one per recipient).
    pub fn queue(&self, db: &Db, on: NaiveDate) -> Result<Queued, MailError> {
        let mut conn = db.conn()?;
        planner::queue(self, &mut conn, on, on)
    }

    /// What [`Mailer::queue`] would queue on `on`, writing nothing.
    pub fn preview(&self, db: &Db, on: NaiveDate) -> Result<Plan, MailError> {
        let mut conn = db.conn()?;
        planner::preview(self, &mut conn, on, on)
    }

    /// Delivers the outbox's due mails.
    pub fn deliver(&self, db: &Db, options: &DeliverOptions) -> Result<Delivered, MailError> {
        sender::deliver(db, &self.transport, &self.from, options)
    }

    /// Queues what is due on `on`, then delivers the outbox (`flush`: all pending
    /// mails now, whatever their back-off).
    pub fn remind(
        &self,
        db: &Db,
        on: NaiveDate,
        flush: bool,
    ) -> Result<(Queued, Delivered), MailError> {
        let queued = self.queue(db, on)?;
        Ok((queued, self.deliver_all(db, flush)?))
    }

    /// The daily run (`serve`'s worker, `remind` without a date): today's
    /// reminders, with those of the days since the last run that were missed
    /// (a server down for a day delays its reminders instead of losing them),
    /// then the outbox, then housekeeping.
    pub fn remind_today(&self, db: &Db, flush: bool) -> Result<(Queued, Delivered), MailError> {
        let today = self.today();
        let mut conn = db.conn()?;
        let last = storage::reminders::last_run(&mut conn)?;
        let missed_from = last
            .and_then(|last| last.succ_opt())
            .map_or(today, |next| next.min(today));
        let queued = planner::queue(self, &mut conn, today, missed_from)?;
        // Once a day is enough: `serve` runs this every few minutes.
        if last.is_none_or(|last| last < today) {
            storage::reminders::set_last_run(&mut conn, today)?;
            self.prune(&mut conn, today)?;
        }
        drop(conn);
        Ok((queued, self.deliver_all(db, flush)?))
    }

    /// Deletes sent mails and reminder records older than the retention period.
    pub fn prune(&self, conn: &mut storage::Conn, today: NaiveDate) -> Result<(), MailError> {
        let before = today - self.retention;
        let mails = storage::outbox::prune_sent(conn, before.and_time(chrono::NaiveTime::MIN))?;
        let reminders = storage::reminders::prune(conn, before)?;
        if mails + reminders > 0 {
            tracing::info!(
                "pruned {mails} sent mails and {reminders} reminder records before {before}"
            );
        }
        Ok(())
    }

    fn deliver_all(&self, db: &Db, flush: bool) -> Result<Delivered, MailError> {
        self.deliver(
            db,
            &DeliverOptions {
                flush,
                ..DeliverOptions::default()
            },
        )
    }
}

/// The app's secret key: `DONDOC_SECRET_KEY`, else the one generated on first
/// start and kept in the database (the same one the web app signs with).
pub fn secret_key(config: &Config, db: &Db) -> Result<String, StorageError> {
    if let Some(key) = &config.secret_key {
        return Ok(key.clone());
    }
    let mut conn = db.conn()?;
    storage::settings::get_or_insert(&mut conn, "secret_key", &crate::auth::random_secret(64))
}
