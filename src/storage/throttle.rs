//! Sign-in buckets (see [`crate::domain::throttle`]), shared by every instance
//! through the database. Checking and counting happen in one transaction that
//! holds the buckets' rows, so that parallel attempts are counted one by one
//! and a burst of them gets no more tries than a sequence.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::login_buckets;
use super::{now, with_conn, write_tx, Conn, DbConn, Result};
use crate::domain::throttle::{Admission, Bucket};

/// Reads a bucket's row for the rest of the transaction.
fn lock_bucket(c: &mut DbConn, key: &str, at: NaiveDateTime) -> QueryResult<(f64, NaiveDateTime)> {
    let row = login_buckets::table
        .find(key)
        .select((login_buckets::level, login_buckets::updated_at));
    // PostgreSQL locks the row (`FOR UPDATE`, which SQLite has not), made first so
    // that there is one to lock even for a first attempt; SQLite's write
    // transaction (`BEGIN IMMEDIATE`) already holds the whole database.
    if let DbConn::Pg(pg) = c {
        diesel::insert_into(login_buckets::table)
            .values((
                login_buckets::key.eq(key),
                login_buckets::level.eq(0.0),
                login_buckets::updated_at.eq(at),
            ))
            .on_conflict_do_nothing()
            .execute(pg)?;
        return row.for_update().first(pg);
    }
    Ok(row.first(c).optional()?.unwrap_or((0.0, at)))
}

/// Writes a bucket's level. diesel builds `ON CONFLICT` only for a concrete
/// backend, hence the match on it.
fn save_level(c: &mut DbConn, key: &str, level: f64, at: NaiveDateTime) -> QueryResult<usize> {
    with_conn!(c, |c| diesel::insert_into(login_buckets::table)
        .values((
            login_buckets::key.eq(key),
            login_buckets::level.eq(level),
            login_buckets::updated_at.eq(at),
        ))
        .on_conflict(login_buckets::key)
        .do_update()
        .set((
            login_buckets::level.eq(level),
            login_buckets::updated_at.eq(at)
        ))
        .execute(c))
}

/// Pours one attempt into each bucket, or none if any would overflow; then
/// says how long to wait (the longest of the refusals).
pub fn attempt(conn: &mut Conn, buckets: &[(String, Bucket)]) -> Result<Option<Duration>> {
    let at = now();
    let mut buckets = buckets.to_vec();
    // One order for every transaction, so that two never wait for each other.
    buckets.sort_by(|a, b| a.0.cmp(&b.0));
    write_tx(conn, |c| {
        let mut levels = Vec::with_capacity(buckets.len());
        let mut wait: Option<Duration> = None;
        for (key, bucket) in &buckets {
            let (level, updated) = lock_bucket(c, key, at)?;
            match bucket.attempt(level, at - updated) {
                Admission::Go(new) => levels.push((key, new)),
                Admission::Wait(w) => wait = Some(wait.map_or(w, |v| v.max(w))),
            }
        }
        if wait.is_some() {
            return Ok(wait);
        }
        for (key, level) in levels {
            save_level(c, key, level, at)?;
        }
        Ok(None)
    })
}

/// After a successful sign-in: empties `clear` and takes the attempt back out of `refund`.
pub fn succeeded(conn: &mut Conn, clear: &[String], refund: &[(String, Bucket)]) -> Result<()> {
    let at = now();
    write_tx(conn, |c| {
        diesel::delete(login_buckets::table.filter(login_buckets::key.eq_any(clear))).execute(c)?;
        for (key, bucket) in refund {
            let (level, updated) = lock_bucket(c, key, at)?;
            let level = (bucket.drained(level, at - updated) - 1.0).max(0.0);
            diesel::update(login_buckets::table.find(key))
                .set((
                    login_buckets::level.eq(level),
                    login_buckets::updated_at.eq(at),
                ))
                .execute(c)?;
        }
        Ok(())
    })
}
