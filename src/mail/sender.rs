//! Delivers the outbox: claims due mails in small batches, sends each, and
//! marks it right after (so that a crash can at worst resend the one mail that
//! was on the wire). Failures back off (30 s doubling to 1 h) and end as dead
//! letters; a server that cannot be reached stops the pass, leaving the other
//! mails untouched for the next one.
//!
//! A pass runs several sending threads (4 by default): one SMTP conversation
//! spends most of its time waiting for replies.
//!
//! Several senders may run at once, in one process or many, on one database:
//! claims are exclusive (see [`crate::storage::outbox`]), so each mail goes out once.
//!
//! A claim's lease is short (a minute) and a heartbeat thread renews the claims
//! of a pass while it sends: a sender killed mid-pass delays its mails by one
//! lease, not by the length of the pass.

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use super::transport::Transport;
use super::MailError;
use crate::storage::outbox::{self, Failed, OutboxMail};
use crate::storage::{self, Db};

/// A minute: what a killed sender delays its mails by.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct DeliverOptions {
    /// Every pending mail now, ignoring back-off (after an outage).
    pub flush: bool,
    /// Mails claimed at a time.
    pub batch: i64,
    /// How long a claim holds unless renewed; another sender takes the mail
    /// again after it. The pass renews its claims every third of it.
    pub lease: Duration,
    /// Stop after this many tries (`None`: until nothing is due).
    pub max_tries: Option<usize>,
    /// Threads sending side by side, each with its own database connection and
    /// SMTP connection (an SMTP conversation waits for each reply).
    pub workers: usize,
}

impl Default for DeliverOptions {
    fn default() -> DeliverOptions {
        DeliverOptions {
            flush: false,
            batch: 20,
            lease: DEFAULT_LEASE,
            max_tries: None,
            workers: 4,
        }
    }
}

/// What a pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    /// Failed, to be tried again later.
    pub retrying: usize,
    /// Failed for good: dead letters.
    pub dead: usize,
    /// Sent, but the claim had been taken over meanwhile (the lease ran out).
    pub lost_claims: usize,
    /// Why the pass stopped early: the server could not be reached.
    pub unreachable: Option<String>,
}

/// A stable `Message-ID` per outbox key: a mail sent again after a crash is
/// recognisably the same mail.
pub fn message_id(key: &str, from: &Mailbox) -> String {
    let digest = hex::encode(Sha256::digest(key.as_bytes()));
    format!("<{}.dondoc@{}>", &digest[..32], from.email.domain())
}

/// The message of an outbox row: HTML with a text alternative.
pub fn build(from: &Mailbox, mail: &OutboxMail) -> Result<Message, String> {
    let to: Mailbox = mail
        .recipient
        .parse()
        .map_err(|e| format!("the recipient {} is not an address ({e})", mail.recipient))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(message_id(&mail.dedup_key, from)))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ))
        .multipart(MultiPart::alternative_plain_html(
            mail.body_text.clone(),
            mail.body_html.clone(),
        ))
        .map_err(|e| format!("cannot build the message: {e}"))
}

/// One pass over the due mails, by `options.workers` threads that claim and
/// send side by side (each claim is exclusive, so they never send a mail twice).
pub fn deliver(
    db: &Db,
    transport: &Transport,
    from: &Mailbox,
    options: &DeliverOptions,
) -> Result<Delivered, MailError> {
    if options.flush {
        let mut conn = db.conn()?;
        outbox::make_all_due(&mut conn)?;
    }
    // Mails that fail now are due again after this; they wait for the next pass.
    let started = storage::now();
    let pass = Pass {
        db,
        transport,
        from,
        options,
        started,
        stop: AtomicBool::new(false),
        tries: AtomicUsize::new(0),
        held: Mutex::new(HashMap::new()),
    };
    let workers = options.workers.max(1);
    let (finished, heartbeat_stop) = mpsc::channel::<()>();
    let results: Vec<Result<Delivered, MailError>> = std::thread::scope(|scope| {
        let heartbeat = scope.spawn(|| pass.renew_until(heartbeat_stop));
        let handles: Vec<_> = (0..workers).map(|_| scope.spawn(|| pass.run())).collect();
        let results = handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(MailError::SenderThread)))
            .collect();
        drop(finished);
        // The heartbeat only extends leases: its failure loses nothing (the
        // claims then run out and are taken again).
        let _ = heartbeat.join();
        results
    });
    let mut done = Delivered::default();
    for r in results {
        let r = r?;
        done.sent += r.sent;
        done.retrying += r.retrying;
        done.dead += r.dead;
        done.lost_claims += r.lost_claims;
        if done.unreachable.is_none() {
            done.unreachable = r.unreachable;
        }
    }
    let mails = &crate::metrics::METRICS.mails;
    for (outcome, n) in [
        ("sent", done.sent),
        ("retry", done.retrying),
        ("dead", done.dead),
    ] {
        mails.with_label_values(&[outcome]).inc_by(n as u64);
    }
    Ok(done)
}

/// What the threads of one pass share.
struct Pass<'a> {
    db: &'a Db,
    transport: &'a Transport,
    from: &'a Mailbox,
    options: &'a DeliverOptions,
    started: chrono::NaiveDateTime,
    /// Set when the server cannot be reached (or the try budget is spent): every thread stops.
    stop: AtomicBool,
    tries: AtomicUsize,
    /// The claims this pass holds, by id, with their tokens: what the heartbeat renews.
    held: Mutex<HashMap<i64, i32>>,
}

impl Pass<'_> {
    /// Renews the pass's claims every third of the lease until `stop` closes.
    /// A claim found lost (its lease ran out and another sender took it) is
    /// dropped, so the pass does not send it too.
    fn renew_until(&self, stop: mpsc::Receiver<()>) {
        let every = (self.options.lease / 3).max(Duration::from_millis(10));
        let mut conn = None;
        while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(every) {
            let held: Vec<(i64, i32)> = self.held_now().into_iter().collect();
            if held.is_empty() {
                continue;
            }
            if conn.is_none() {
                conn = self.db.conn().ok();
            }
            let Some(c) = conn.as_mut() else { continue };
            match outbox::renew(c, &held, self.options.lease) {
                Ok(kept) => {
                    let mut map = self.lock_held();
                    for (id, _) in held {
                        if !kept.contains(&id) {
                            map.remove(&id);
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!("cannot renew the claims on mails being sent: {e}");
                    conn = None;
                }
            }
        }
    }

    fn lock_held(&self) -> std::sync::MutexGuard<'_, HashMap<i64, i32>> {
        // The map stays consistent whatever a panicking thread left undone.
        self.held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn held_now(&self) -> HashMap<i64, i32> {
        self.lock_held().clone()
    }

    /// Whether the pass still holds this claim (the heartbeat drops lost ones).
    fn holds(&self, mail: &OutboxMail) -> bool {
        self.lock_held().get(&mail.id) == Some(&mail.attempts)
    }

    fn let_go(&self, mail: &OutboxMail) {
        self.lock_held().remove(&mail.id);
    }

    fn run(&self) -> Result<Delivered, MailError> {
        let result = self.send_batches();
        if result.is_err() {
            // Whatever this thread still holds runs out with its lease.
            self.lock_held().clear();
        }
        result
    }

    fn send_batches(&self) -> Result<Delivered, MailError> {
        let mut conn = self.db.conn()?;
        let options = self.options;
        let mut done = Delivered::default();
        while !self.stop.load(Ordering::SeqCst) {
            let batch =
                outbox::claim(&mut conn, options.batch.max(1), self.started, options.lease)?;
            if batch.is_empty() {
                break;
            }
            self.lock_held()
                .extend(batch.iter().map(|m| (m.id, m.attempts)));
            let mut rest = batch.into_iter();
            while let Some(mail) = rest.next() {
                if !self.holds(&mail) {
                    done.lost_claims += 1;
                    continue;
                }
                let _held = Held(self, &mail);
                let over_budget = options
                    .max_tries
                    .is_some_and(|max| self.tries.fetch_add(1, Ordering::SeqCst) >= max);
                if over_budget {
                    self.stop.store(true, Ordering::SeqCst);
                }
                // Budget spent or another thread found the server
                // unreachable: give the rest back.
                if over_budget || self.stop.load(Ordering::SeqCst) {
                    let again = if self.stop.load(Ordering::SeqCst) && !over_budget {
                        storage::now()
                            + chrono::Duration::seconds(outbox::FIRST_RETRY.as_secs() as i64)
                    } else {
                        self.started
                    };
                    outbox::release(&mut conn, mail.id, mail.attempts, again)?;
                    for other in rest.by_ref() {
                        outbox::release(&mut conn, other.id, other.attempts, again)?;
                        self.let_go(&other);
                    }
                    break;
                }
                let message = match build(self.from, &mail) {
                    Ok(m) => m,
                    Err(reason) => {
                        tracing::warn!(key = %mail.dedup_key, "dead letter: {reason}");
                        if outbox::mark_failed(&mut conn, mail.id, mail.attempts, &reason, true)?
                            == Failed::Dead
                        {
                            done.dead += 1;
                        }
                        continue;
                    }
                };
                match self.transport.send(mail.id, &message) {
                    Ok(()) => {
                        if mark_sent(&mut conn, &mail)? {
                            done.sent += 1;
                        } else {
                            done.lost_claims += 1;
                        }
                    }
                    Err(failure) => {
                        let outcome = outbox::mark_failed(
                            &mut conn,
                            mail.id,
                            mail.attempts,
                            &failure.message,
                            failure.permanent,
                        )?;
                        match outcome {
                            Failed::Retry(_) => done.retrying += 1,
                            Failed::Dead => {
                                tracing::warn!(key = %mail.dedup_key, "dead letter: {}", failure.message);
                                done.dead += 1
                            }
                            Failed::NotHeld => done.lost_claims += 1,
                        }
                        if failure.unreachable {
                            self.stop.store(true, Ordering::SeqCst);
                            let again = match outcome {
                                Failed::Retry(at) => at,
                                _ => {
                                    storage::now()
                                        + chrono::Duration::seconds(
                                            outbox::FIRST_RETRY.as_secs() as i64
                                        )
                                }
                            };
                            for other in rest.by_ref() {
                                outbox::release(&mut conn, other.id, other.attempts, again)?;
                                self.let_go(&other);
                            }
                            tracing::warn!(
                                "mail server unreachable ({}): {}",
                                self.transport.describe(),
                                failure.message
                            );
                            done.unreachable = Some(failure.message);
                            return Ok(done);
                        }
                    }
                }
            }
        }
        Ok(done)
    }
}

/// Lets go of a claim when its mail is done with, however that ends.
struct Held<'a, 'p>(&'a Pass<'p>, &'a OutboxMail);

impl Drop for Held<'_, '_> {
    fn drop(&mut self) {
        self.0.let_go(self.1);
    }
}

/// Marks a sent mail, trying a few times: a mail left `sending` would go out
/// again once its lease ends.
fn mark_sent(conn: &mut storage::Conn, mail: &OutboxMail) -> Result<bool, MailError> {
    let mut wait = Duration::from_millis(50);
    for attempt in 1..=5 {
        match outbox::mark_sent(conn, mail.id, mail.attempts) {
            Ok(held) => return Ok(held),
            Err(e) if attempt < 5 => {
                tracing::warn!(key = %mail.dedup_key, "sent, but not yet marked ({e}); trying again");
                std::thread::sleep(wait);
                wait *= 2;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(recipient: &str) -> OutboxMail {
        let at = storage::now();
        OutboxMail {
            id: 1,
            dedup_key: "reminder:2022-12-24:btg@x.vn".into(),
            recipient: recipient.into(),
            subject: "[Đôn đốc] 2 nhiệm vụ".into(),
            body_text: "văn bản".into(),
            body_html: "<p>văn bản</p>".into(),
            state: outbox::SENDING.into(),
            attempts: 1,
            next_attempt_at: at,
            last_error: String::new(),
            created_at: at,
            sent_at: None,
        }
    }

    #[test]
    fn messages_are_html_with_a_text_alternative() {
        let from: Mailbox = "Đôn đốc <dondoc@hanam.vn>".parse().expect("from");
        let m = build(&from, &row("btg@x.vn")).expect("message");
        let raw = String::from_utf8(m.formatted()).expect("utf-8");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("text/plain"));
        assert!(raw.contains("text/html"));
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert!(raw.contains(&message_id("reminder:2022-12-24:btg@x.vn", &from)));
        assert!(message_id("k", &from).ends_with(".dondoc@hanam.vn>"));
        assert_ne!(message_id("k1", &from), message_id("k2", &from));
    }

    #[test]
    fn a_bad_recipient_cannot_be_built() {
        let from: Mailbox = "dondoc@localhost".parse().expect("from");
        assert!(build(&from, &row("not an address")).is_err());
    }
}
