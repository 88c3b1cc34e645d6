//! Browser sessions on the server: one row per session, found by the SHA-256
//! of the random key its cookie carries. Every instance reads the same rows,
//! so a session ended on one ends on all.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::sessions;
use super::{now, Conn, DbConn, Result};

/// How long a session lives: unused for `idle`, or `max` after it began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub idle: Duration,
    pub max: Duration,
}

impl Lifetime {
    /// Whether a session begun at `created` and last used at `seen` is still alive at `at`.
    pub fn alive(&self, created: NaiveDateTime, seen: NaiveDateTime, at: NaiveDateTime) -> bool {
        at - seen < self.idle && at - created < self.max
    }
}

/// Columns copied out of the session's values when it is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub user_id: Option<i64>,
    pub public_id: String,
    pub user_agent: String,
    pub address: String,
}

/// Recording every use would make each page a write; once a minute is enough.
const SEEN_EVERY: Duration = Duration::seconds(60);

/// The values of a live session; a dead one is deleted and reads as `None`.
pub fn load(conn: &mut Conn, key_hash: &str, life: Lifetime) -> Result<Option<String>> {
    let at = now();
    let row = sessions::table
        .filter(sessions::key_hash.eq(key_hash))
        .select((
            sessions::id,
            sessions::state,
            sessions::created_at,
            sessions::last_seen_at,
        ))
        .first::<(i64, String, NaiveDateTime, NaiveDateTime)>(conn)
        .optional()?;
    let Some((id, state, created, seen)) = row else {
        return Ok(None);
    };
    if !life.alive(created, seen, at) {
        diesel::delete(sessions::table.find(id)).execute(conn)?;
        return Ok(None);
    }
    if at - seen >= SEEN_EVERY {
        diesel::update(sessions::table.find(id))
            .set(sessions::last_seen_at.eq(at))
            .execute(conn)?;
    }
    Ok(Some(state))
}

/// A new session; also clears out dead ones, so that the table does not grow.
pub fn insert(
    conn: &mut Conn,
    key_hash: &str,
    state: &str,
    facts: &Facts,
    life: Lifetime,
) -> Result<()> {
    let at = now();
    diesel::delete(
        sessions::table.filter(
            sessions::last_seen_at
                .lt(at - life.idle)
                .or(sessions::created_at.lt(at - life.max)),
        ),
    )
    .execute(conn)?;
    diesel::insert_into(sessions::table)
        .values((
            sessions::key_hash.eq(key_hash),
            sessions::state.eq(state),
            sessions::user_id.eq(facts.user_id),
            sessions::public_id.eq(&facts.public_id),
            sessions::user_agent.eq(&facts.user_agent),
            sessions::address.eq(&facts.address),
            sessions::created_at.eq(at),
            sessions::last_seen_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes a session's new values; `false` when it no longer exists (ended
/// meanwhile: it is not brought back).
pub fn update(conn: &mut Conn, key_hash: &str, state: &str, facts: &Facts) -> Result<bool> {
    let n = diesel::update(sessions::table.filter(sessions::key_hash.eq(key_hash)))
        .set((
            sessions::state.eq(state),
            sessions::user_id.eq(facts.user_id),
            sessions::public_id.eq(&facts.public_id),
            sessions::user_agent.eq(&facts.user_agent),
            sessions::address.eq(&facts.address),
            sessions::last_seen_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(n > 0)
}

pub fn delete(conn: &mut Conn, key_hash: &str) -> Result<()> {
    diesel::delete(sessions::table.filter(sessions::key_hash.eq(key_hash))).execute(conn)?;
    Ok(())
}

/// Ends every session of a user (sign out everywhere, a new password, a
/// deactivation or a new role), inside the transaction of that change.
pub trait EndSessions {
    fn end_sessions(&mut self, user_id: i64) -> QueryResult<usize>;
}

impl EndSessions for DbConn {
    fn end_sessions(&mut self, user_id: i64) -> QueryResult<usize> {
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(self)
    }
}

/// Ends every session of a user.
pub fn end_all(conn: &mut Conn, user_id: i64) -> Result<usize> {
    Ok(conn.end_sessions(user_id)?)
}

/// Ends one session of a user, named by its public id.
pub fn end_one(conn: &mut Conn, user_id: i64, public_id: &str) -> Result<usize> {
    Ok(diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::public_id.eq(public_id)),
    )
    .execute(conn)?)
}

/// A live session of a user, for the account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub public_id: String,
    pub user_agent: String,
    pub address: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

/// The user's live sessions, most recently used first.
pub fn list_for_user(conn: &mut Conn, user_id: i64, life: Lifetime) -> Result<Vec<SessionInfo>> {
    let at = now();
    let rows = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .order(sessions::last_seen_at.desc())
        .select((
            sessions::public_id,
            sessions::user_agent,
            sessions::address,
            sessions::created_at,
            sessions::last_seen_at,
        ))
        .load::<(String, String, String, NaiveDateTime, NaiveDateTime)>(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, created, seen)| life.alive(*created, *seen, at))
        .map(
            |(public_id, user_agent, address, created_at, last_seen_at)| SessionInfo {
                public_id,
                user_agent,
                address,
                created_at,
                last_seen_at,
            },
        )
        .collect())
}

impl crate::config::Config {
    /// How long a session lasts idle and at most, as configured.
    pub fn session_lifetime(&self) -> Lifetime {
        Lifetime {
            idle: self.session_idle,
            max: self.session_max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("time")
    }

    #[test]
    fn idle_and_absolute_limits() {
        let life = Lifetime {
            idle: Duration::hours(2),
            max: Duration::hours(12),
        };
        let created = t("2026-12-01 08:00:00");
        assert!(life.alive(created, created, t("2026-12-01 09:59:59")));
        assert!(!life.alive(created, created, t("2026-12-01 10:00:00")));
        // Used all day long, it still ends twelve hours after it began.
        assert!(life.alive(created, t("2026-12-01 19:30:00"), t("2026-12-01 19:59:59")));
        assert!(!life.alive(created, t("2026-12-01 19:59:00"), t("2026-12-01 20:00:00")));
    }
}
