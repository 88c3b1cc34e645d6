//! Password-less report links, stored by id: a link in a reminder opens one
//! task's report form for one unit while the link is neither revoked nor
//! expired, the task is still open and the unit still leads or coordinates it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit::{AuditLog, Entry};
use super::schema::{report_links, tasks, units};
use super::{now, write_tx, Conn, DbConn, Result, StorageError};
use crate::domain::progress::unit_part;
use crate::domain::State;

/// Makes links inside the transaction that queues the mail carrying them.
pub trait ReportLinks {
    /// A new link for `unit_id` on `task_id`, valid until `expires_at`; its id.
    fn new_report_link(
        &mut self,
        task_id: i64,
        unit_id: i64,
        expires_at: NaiveDateTime,
    ) -> QueryResult<i64>;
    /// Forgets links that expired more than a day ago.
    fn prune_report_links(&mut self) -> QueryResult<usize>;
}

impl ReportLinks for DbConn {
    fn new_report_link(
        &mut self,
        task_id: i64,
        unit_id: i64,
        expires_at: NaiveDateTime,
    ) -> QueryResult<i64> {
        diesel::insert_into(report_links::table)
            .values((
                report_links::task_id.eq(task_id),
                report_links::unit_id.eq(unit_id),
                report_links::created_at.eq(now()),
                report_links::expires_at.eq(expires_at),
            ))
            .returning(report_links::id)
            .get_result(self)
    }

    fn prune_report_links(&mut self) -> QueryResult<usize> {
        diesel::delete(
            report_links::table
                .filter(report_links::expires_at.lt(now() - chrono::Duration::days(1))),
        )
        .execute(self)
    }
}

/// Whether link `id` still grants `unit_id` a report on `task_id`; `NotFound` if not.
pub fn check(conn: &mut Conn, id: i64, task_id: i64, unit_id: i64) -> Result<()> {
    let at = now();
    let live = report_links::table
        .filter(report_links::id.eq(id))
        .filter(report_links::task_id.eq(task_id))
        .filter(report_links::unit_id.eq(unit_id))
        .filter(report_links::revoked_at.is_null())
        .filter(report_links::expires_at.gt(at))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !live {
        return Err(StorageError::NotFound);
    }
    let unit: Option<String> = units::table
        .find(unit_id)
        .select(units::code)
        .first(conn)
        .optional()?;
    let task = super::tasks::get(conn, task_id)?;
    let open_for_unit = task.task.dates().state() == State::Open
        && unit.is_some_and(|u| {
            unit_part(&u, task.lead_unit.as_deref(), &task.coordinators).is_some()
        });
    if open_for_unit {
        Ok(())
    } else {
        Err(StorageError::NotFound)
    }
}

/// A link that still works, as the task page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LiveLink {
    pub id: i64,
    /// The unit it was sent to (its mail goes to the unit's addresses).
    pub unit: String,
    pub unit_name: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// The links of a task that are neither revoked nor expired, newest first.
pub fn live_for_task(conn: &mut Conn, task_id: i64) -> Result<Vec<LiveLink>> {
    let at = now();
    let rows: Vec<(i64, String, String, NaiveDateTime, NaiveDateTime)> = report_links::table
        .inner_join(units::table.on(units::id.eq(report_links::unit_id)))
        .filter(report_links::task_id.eq(task_id))
        .filter(report_links::revoked_at.is_null())
        .filter(report_links::expires_at.gt(at))
        .order(report_links::id.desc())
        .select((
            report_links::id,
            units::code,
            units::name,
            report_links::created_at,
            report_links::expires_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, unit, unit_name, created_at, expires_at)| LiveLink {
            id,
            unit,
            unit_name,
            created_at,
            expires_at,
        })
        .collect())
}

/// Whether link `id` of `task_id` was revoked (to tell its holder why it no longer works).
pub fn is_revoked(conn: &mut Conn, id: i64, task_id: i64) -> Result<bool> {
    let n: i64 = report_links::table
        .filter(report_links::id.eq(id))
        .filter(report_links::task_id.eq(task_id))
        .filter(report_links::revoked_at.is_not_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Revokes a live link from the task page, audit-logged; its task's id.
/// `lead_unit`: the revoker is that unit's user, who may revoke only the
/// links of a task their unit leads. `NotFound` for anything else, so that
/// the ids of other tasks' links tell nothing.
pub fn revoke_by(conn: &mut Conn, id: i64, lead_unit: Option<i64>, by: Option<i64>) -> Result<i64> {
    let at = now();
    write_tx(conn, |c| {
        let found: Option<(i64, i64, Option<i64>)> = report_links::table
            .inner_join(tasks::table)
            .filter(report_links::id.eq(id))
            .filter(report_links::revoked_at.is_null())
            .filter(report_links::expires_at.gt(at))
            .select((
                report_links::task_id,
                report_links::unit_id,
                tasks::lead_unit_id,
            ))
            .first(c)
            .optional()?;
        let Some((task_id, unit_id, lead)) = found else {
            return Err(StorageError::NotFound);
        };
        if lead_unit.is_some_and(|u| lead != Some(u)) {
            return Err(StorageError::NotFound);
        }
        diesel::update(report_links::table.find(id))
            .set(report_links::revoked_at.eq(at))
            .execute(c)?;
        c.record_audit(&Entry {
            user_id: by,
            action: "task.link_revoke",
            entity: "task",
            entity_id: Some(task_id),
            task_id: Some(task_id),
            details: serde_json::json!({"link": id, "unit_id": unit_id}).to_string(),
        })?;
        Ok(task_id)
    })
}

/// Revokes one link; `NotFound` if it is unknown or already revoked.
pub fn revoke(conn: &mut Conn, id: i64) -> Result<()> {
    let n = diesel::update(
        report_links::table
            .find(id)
            .filter(report_links::revoked_at.is_null()),
    )
    .set(report_links::revoked_at.eq(now()))
    .execute(conn)?;
    if n == 0 {
        return Err(StorageError::NotFound);
    }
    Ok(())
}

/// Revokes every live link of a task; how many.
pub fn revoke_for_task(conn: &mut Conn, task_id: i64) -> Result<usize> {
    Ok(diesel::update(
        report_links::table
            .filter(report_links::task_id.eq(task_id))
            .filter(report_links::revoked_at.is_null()),
    )
    .set(report_links::revoked_at.eq(now()))
    .execute(conn)?)
}

/// A new link outside any other change (the planner makes its links in its
/// own transaction through [`ReportLinks`]); its id.
pub fn create(
    conn: &mut Conn,
    task_id: i64,
    unit_id: i64,
    expires_at: NaiveDateTime,
) -> Result<i64> {
    Ok(conn.new_report_link(task_id, unit_id, expires_at)?)
}
