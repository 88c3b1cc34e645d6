//! Failed sign-in counters, shared by every instance through the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::login_throttle;
use super::{now, with_conn, write_tx, Conn, Result};
use crate::domain::throttle::ThrottlePolicy;

/// When the key may try again, if it is waiting now.
pub fn locked_until(conn: &mut Conn, key: &str) -> Result<Option<NaiveDateTime>> {
    let at = now();
    let until = with_conn!(&mut **conn, c => login_throttle::table
        .filter(login_throttle::key.eq(key))
        .select(login_throttle::locked_until)
        .first::<Option<NaiveDateTime>>(c)
        .optional())?
    .flatten();
    Ok(until.filter(|u| *u > at))
}

/// Counts one more failure and sets the wait the policy imposes.
pub fn record_failure(conn: &mut Conn, key: &str, policy: &ThrottlePolicy) -> Result<()> {
    let at = now();
    write_tx!(&mut **conn, c => {
        let failures: i32 = login_throttle::table
            .filter(login_throttle::key.eq(key))
            .select(login_throttle::failures)
            .first::<i32>(c)
            .optional()?
            .unwrap_or(0)
            .saturating_add(1);
        let locked_until = policy.wait_after(failures.max(0) as u32).map(|w| at + w);
        diesel::delete(login_throttle::table.filter(login_throttle::key.eq(key))).execute(c)?;
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::key.eq(key),
                login_throttle::failures.eq(failures),
                login_throttle::locked_until.eq(locked_until),
                login_throttle::updated_at.eq(at),
            ))
            .execute(c)?;
        Ok(())
    })
}

pub fn clear(conn: &mut Conn, key: &str) -> Result<()> {
    with_conn!(&mut **conn, c => diesel::delete(login_throttle::table.filter(login_throttle::key.eq(key))).execute(c))?;
    Ok(())
}
