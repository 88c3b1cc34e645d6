//! The mail outbox: every mail is written here first, in the same transaction
//! as what caused it, under a unique key; senders claim due rows, send them,
//! and mark them.
//!
//! States: `pending` (waiting for its `next_attempt_at`), `sending` (claimed;
//! `next_attempt_at` is then the end of the claim's lease), `sent`, `dead`
//! (failed for good: shown to admins, who may send it again).
//!
//! - A key is enqueued once (`ON CONFLICT DO NOTHING`), so a mail already sent
//!   is never queued again.
//! - Claims are exclusive: PostgreSQL skips rows another sender has locked
//!   (`FOR UPDATE SKIP LOCKED`), SQLite claims inside an immediate transaction.
//! - Each claim adds one to `attempts`, which is the claim's token: a sender may
//!   only mark rows it still holds. A sender that dies between sending and
//!   marking leaves its row `sending`; once the lease is over another sender
//!   takes it again. That is the only way a mail can go out twice, and it never
//!   happens to a row marked `sent`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::time::Duration;

use super::schema::mail_outbox;
use super::{now, with_conn, write_tx, Conn, DbConn, Result, StorageError};

pub const PENDING: &str = "pending";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const DEAD: &str = "dead";

/// The first retry waits this long; each next one twice as long…
pub const FIRST_RETRY: Duration = Duration::from_secs(30);
/// …up to this.
pub const MAX_RETRY: Duration = Duration::from_secs(3600);
/// A mail that failed this many times is dead: 30 s, 1, 2, 4, 8, 16, 32 min,
/// then 1 h twice (≈ 3 h in all).
pub const MAX_ATTEMPTS: i32 = 10;

/// How long to wait before the next try of a mail that failed its `attempts`-th try.
pub fn retry_delay(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 32) as u32 - 1;
    FIRST_RETRY
        .checked_mul(1u32 << doublings.min(20))
        .unwrap_or(MAX_RETRY)
        .min(MAX_RETRY)
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = mail_outbox)]
pub struct OutboxMail {
    pub id: i64,
    pub dedup_key: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub state: String,
    /// Tries so far (the current claim included); the token of the current claim.
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: String,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// A mail to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    /// Unique: the same key is never queued twice.
    pub dedup_key: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// Called inside the caller's transaction ([`crate::storage::write_tx()`]), so that
/// the mail is queued if and only if what caused it is written.
pub trait Outbox {
    /// Queues a mail; `false` when its key is already taken (nothing written).
    fn enqueue_mail(&mut self, mail: &NewMail) -> QueryResult<bool>;
    /// The keys taken that start with `prefix` (LIKE wildcards in it are matched literally).
    fn outbox_keys_with_prefix(&mut self, prefix: &str) -> QueryResult<Vec<String>>;
}

impl Outbox for DbConn {
    fn enqueue_mail(&mut self, mail: &NewMail) -> QueryResult<bool> {
        let at = now();
        // diesel builds `ON CONFLICT` only for a concrete backend.
        let inserted = with_conn!(self, |c| diesel::insert_into(mail_outbox::table)
            .values((
                mail_outbox::dedup_key.eq(&mail.dedup_key),
                mail_outbox::recipient.eq(&mail.recipient),
                mail_outbox::subject.eq(&mail.subject),
                mail_outbox::body_text.eq(&mail.body_text),
                mail_outbox::body_html.eq(&mail.body_html),
                mail_outbox::state.eq(PENDING),
                mail_outbox::attempts.eq(0),
                mail_outbox::next_attempt_at.eq(at),
                mail_outbox::last_error.eq(""),
                mail_outbox::created_at.eq(at),
            ))
            .on_conflict(mail_outbox::dedup_key)
            .do_nothing()
            .execute(c))?;
        Ok(inserted == 1)
    }

    fn outbox_keys_with_prefix(&mut self, prefix: &str) -> QueryResult<Vec<String>> {
        mail_outbox::table
            .filter(
                mail_outbox::dedup_key
                    .like(like_prefix(prefix))
                    .escape('\\'),
            )
            .select(mail_outbox::dedup_key)
            .load(self)
    }
}

fn like_prefix(prefix: &str) -> String {
    let mut p = String::with_capacity(prefix.len() + 1);
    for ch in prefix.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// Queues one mail in a transaction of its own; `false` when the key is taken.
pub fn enqueue(conn: &mut Conn, mail: &NewMail) -> Result<bool> {
    Ok(write_tx(conn, |c| c.enqueue_mail(mail))?)
}

/// Claims up to `limit` mails for sending: pending ones due at `due_by`, and
/// those whose sender's lease ran out. Each comes back `sending`, with its
/// `attempts` (the claim's token) counted and its lease ending after `lease`.
pub fn claim(
    conn: &mut Conn,
    limit: i64,
    due_by: NaiveDateTime,
    lease: Duration,
) -> Result<Vec<OutboxMail>> {
    use mail_outbox::dsl as o;
    let at = now();
    let lease_end = at + chrono_duration(lease);
    let due = o::state
        .eq(PENDING)
        .and(o::next_attempt_at.le(due_by))
        .or(o::state.eq(SENDING).and(o::next_attempt_at.le(at)));
    write_tx(conn, |c| {
        let candidates = o::mail_outbox
            .filter(due)
            .order((o::next_attempt_at, o::id))
            .limit(limit)
            .select(o::id);
        // PostgreSQL passes over the rows another sender is claiming (`FOR UPDATE
        // SKIP LOCKED`, which SQLite has not); SQLite's write transaction
        // (`BEGIN IMMEDIATE`) already holds the whole database.
        let ids: Vec<i64> = match c {
            DbConn::Pg(pg) => candidates.for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(_) => candidates.load(c)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // diesel builds `RETURNING` of a whole row (`as_returning`) only for a concrete backend.
        let mut rows: Vec<OutboxMail> = with_conn!(c, |c| diesel::update(
            o::mail_outbox.filter(o::id.eq_any(&ids))
        )
        .set((
            o::state.eq(SENDING),
            o::attempts.eq(o::attempts + 1),
            o::next_attempt_at.eq(lease_end),
        ))
        .returning(OutboxMail::as_returning())
        .get_results(c))?;
        rows.sort_by_key(|m| m.id);
        Ok(rows)
    })
}

/// The mail a sender claimed, as long as the claim is still its own: a claim's
/// token is the try number it set, so once the lease ran out and another sender
/// claimed the mail again, this matches nothing.
#[diesel::dsl::auto_type(no_type_alias)]
fn held_claim(id: i64, token: i32) -> _ {
    let sending: &'static str = SENDING;
    mail_outbox::table.filter(
        mail_outbox::id
            .eq(id)
            .and(mail_outbox::state.eq(sending))
            .and(mail_outbox::attempts.eq(token)),
    )
}

/// Extends the lease of the claims a sender still holds (`(id, token)` pairs)
/// to `lease` from now; returns the ids it still holds. A sender renews while it
/// works, so its lease can be short: if it dies, its mails wait a lease, not an hour.
pub fn renew(conn: &mut Conn, held: &[(i64, i32)], lease: Duration) -> Result<Vec<i64>> {
    use mail_outbox::dsl as o;
    let lease_end = now() + chrono_duration(lease);
    let mut kept = Vec::with_capacity(held.len());
    for &(id, token) in held {
        let n = diesel::update(held_claim(id, token))
            .set(o::next_attempt_at.eq(lease_end))
            .execute(conn)?;
        if n == 1 {
            kept.push(id);
        }
    }
    Ok(kept)
}

/// Mails claimed by a sender whose lease still runs: how many, and when the
/// last lease ends (`remind --flush` says so instead of waiting silently).
pub fn held(conn: &mut Conn) -> Result<(i64, Option<NaiveDateTime>)> {
    use mail_outbox::dsl as o;
    let at = now();
    let (n, until): (i64, Option<NaiveDateTime>) = o::mail_outbox
        .filter(o::state.eq(SENDING).and(o::next_attempt_at.gt(at)))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(o::next_attempt_at),
        ))
        .first(conn)?;
    Ok((n, until))
}

/// Deletes sent mails older than `before` (their content is no longer needed:
/// the reminder rows keep what was sent to whom); returns how many.
pub fn prune_sent(conn: &mut Conn, before: NaiveDateTime) -> Result<usize> {
    use mail_outbox::dsl as o;
    Ok(
        diesel::delete(o::mail_outbox.filter(o::state.eq(SENT).and(o::sent_at.lt(before))))
            .execute(conn)?,
    )
}

/// Makes every pending mail due now (`remind --flush`: after an outage, no
/// waiting for back-off). Returns how many were waiting.
pub fn make_all_due(conn: &mut Conn) -> Result<usize> {
    use mail_outbox::dsl as o;
    let at = now();
    Ok(
        diesel::update(o::mail_outbox.filter(o::state.eq(PENDING).and(o::next_attempt_at.gt(at))))
            .set(o::next_attempt_at.eq(at))
            .execute(conn)?,
    )
}

/// Marks a claimed mail sent; `false` when the claim was lost (its lease ran out and
/// another sender took it), in which case nothing changes.
pub fn mark_sent(conn: &mut Conn, id: i64, token: i32) -> Result<bool> {
    use mail_outbox::dsl as o;
    let n = diesel::update(held_claim(id, token))
        .set((
            o::state.eq(SENT),
            o::sent_at.eq(Some(now())),
            o::last_error.eq(""),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// What became of a mail that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// Tried again at this time.
    Retry(NaiveDateTime),
    Dead,
    /// The claim was lost; nothing changed.
    NotHeld,
}

/// Records a failed try of a claimed mail: back to `pending` after the back-off,
/// or `dead` when `permanent` (the server refused it for good) or out of tries.
pub fn mark_failed(
    conn: &mut Conn,
    id: i64,
    token: i32,
    error: &str,
    permanent: bool,
) -> Result<Failed> {
    use mail_outbox::dsl as o;
    let at = now();
    let error: String = error.chars().take(2000).collect();
    let (state, next, outcome) = if permanent || token >= MAX_ATTEMPTS {
        (DEAD, at, Failed::Dead)
    } else {
        let next = at + chrono_duration(retry_delay(token));
        (PENDING, next, Failed::Retry(next))
    };
    let n = diesel::update(held_claim(id, token))
        .set((
            o::state.eq(state),
            o::next_attempt_at.eq(next),
            o::last_error.eq(&error),
        ))
        .execute(conn)?;
    Ok(if n == 1 { outcome } else { Failed::NotHeld })
}

/// Gives back a claimed mail that was not tried (its try is not counted).
pub fn release(
    conn: &mut Conn,
    id: i64,
    token: i32,
    next_attempt_at: NaiveDateTime,
) -> Result<bool> {
    use mail_outbox::dsl as o;
    let n = diesel::update(held_claim(id, token))
        .set((
            o::state.eq(PENDING),
            o::attempts.eq(token - 1),
            o::next_attempt_at.eq(next_attempt_at),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The dead letters, newest first.
pub fn dead_letters(conn: &mut Conn, limit: i64) -> Result<Vec<OutboxMail>> {
    use mail_outbox::dsl as o;
    Ok(o::mail_outbox
        .filter(o::state.eq(DEAD))
        .order((o::created_at.desc(), o::id.desc()))
        .limit(limit)
        .select(OutboxMail::as_select())
        .load(conn)?)
}

/// "Send again": a dead letter goes back to the queue, due now, with its tries
/// counted from zero. Only dead letters can be sent again (a 409 otherwise).
pub fn send_again(conn: &mut Conn, id: i64) -> Result<()> {
    use mail_outbox::dsl as o;
    let n = diesel::update(o::mail_outbox.filter(o::id.eq(id).and(o::state.eq(DEAD))))
        .set((
            o::state.eq(PENDING),
            o::attempts.eq(0),
            o::next_attempt_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 1 {
        return Ok(());
    }
    match get(conn, id) {
        Ok(_) => Err(StorageError::conflict("id", "err-mail-not-dead")),
        Err(e) => Err(e),
    }
}

pub fn get(conn: &mut Conn, id: i64) -> Result<OutboxMail> {
    use mail_outbox::dsl as o;
    o::mail_outbox
        .find(id)
        .select(OutboxMail::as_select())
        .first(conn)
        .optional()?
        .ok_or(StorageError::NotFound)
}

pub fn by_key(conn: &mut Conn, key: &str) -> Result<OutboxMail> {
    use mail_outbox::dsl as o;
    o::mail_outbox
        .filter(o::dedup_key.eq(key))
        .select(OutboxMail::as_select())
        .first(conn)
        .optional()?
        .ok_or(StorageError::NotFound)
}

/// How many mails are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: i64,
    pub sending: i64,
    pub sent: i64,
    pub dead: i64,
}

pub fn counts(conn: &mut Conn) -> Result<Counts> {
    use mail_outbox::dsl as o;
    let rows: Vec<(String, i64)> = o::mail_outbox
        .group_by(o::state)
        .select((o::state, diesel::dsl::count_star()))
        .load(conn)?;
    let mut counts = Counts::default();
    for (state, n) in rows {
        match state.as_str() {
            PENDING => counts.pending = n,
            SENDING => counts.sending = n,
            SENT => counts.sent = n,
            DEAD => counts.dead = n,
            _ => {}
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_30_seconds_to_an_hour() {
        let secs: Vec<u64> = (1..=MAX_ATTEMPTS)
            .map(|a| retry_delay(a).as_secs())
            .collect();
        assert_eq!(
            secs,
            vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
        );
        assert_eq!(retry_delay(0).as_secs(), 30);
        assert_eq!(retry_delay(i32::MAX).as_secs(), 3600);
        assert_eq!(retry_delay(-5).as_secs(), 30);
    }

    #[test]
    fn like_prefix_escapes_wildcards() {
        assert_eq!(
            like_prefix("reminder:2022-12-24:a_b%c@x.vn"),
            "reminder:2022-12-24:a\\_b\\%c@x.vn%"
        );
    }
}
