//! Password-less report links, stored by id: a link in a reminder opens one
//! task's report form for one unit while the link is neither revoked nor
//! expired, the task is still open and the unit still leads or coordinates it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{report_links, task_coordinators, tasks};
use super::{impl_for_backends, now, with_conn, Conn, Result, StorageError};

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

impl_for_backends!(ReportLinks {
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
            report_links::table.filter(report_links::expires_at.lt(now() - chrono::Duration::days(1))),
        )
        .execute(self)
    }
});

/// Whether link `id` still grants `unit_id` a report on `task_id`; `NotFound` if not.
pub fn check(conn: &mut Conn, id: i64, task_id: i64, unit_id: i64) -> Result<()> {
    let at = now();
    let ok = with_conn!(&mut **conn, c => {
        let live = report_links::table
            .filter(report_links::id.eq(id))
            .filter(report_links::task_id.eq(task_id))
            .filter(report_links::unit_id.eq(unit_id))
            .filter(report_links::revoked_at.is_null())
            .filter(report_links::expires_at.gt(at))
            .count()
            .get_result::<i64>(c)?
            > 0;
        let coordinates = task_coordinators::table
            .filter(task_coordinators::task_id.eq(task_id))
            .filter(task_coordinators::unit_id.eq(unit_id))
            .count()
            .get_result::<i64>(c)?
            > 0;
        let open_for_unit = tasks::table
            .find(task_id)
            .filter(tasks::completed_on.is_null())
            .filter(tasks::cancelled_on.is_null())
            .select(tasks::lead_unit_id)
            .first::<Option<i64>>(c)
            .optional()?
            .is_some_and(|lead| lead == Some(unit_id) || coordinates);
        Ok::<_, diesel::result::Error>(live && open_for_unit)
    })?;
    if ok {
        Ok(())
    } else {
        Err(StorageError::NotFound)
    }
}

/// Revokes one link; `NotFound` if it is unknown or already revoked.
pub fn revoke(conn: &mut Conn, id: i64) -> Result<()> {
    let n = with_conn!(&mut **conn, c => diesel::update(
        report_links::table.find(id).filter(report_links::revoked_at.is_null()),
    )
    .set(report_links::revoked_at.eq(now()))
    .execute(c))?;
    if n == 0 {
        return Err(StorageError::NotFound);
    }
    Ok(())
}

/// Revokes every live link of a task; how many.
pub fn revoke_for_task(conn: &mut Conn, task_id: i64) -> Result<usize> {
    Ok(with_conn!(&mut **conn, c => diesel::update(
        report_links::table
            .filter(report_links::task_id.eq(task_id))
            .filter(report_links::revoked_at.is_null()),
    )
    .set(report_links::revoked_at.eq(now()))
    .execute(c))?)
}

/// A new link outside any other change (the planner makes its links in its
/// own transaction through [`ReportLinks`]); its id.
pub fn create(
    conn: &mut Conn,
    task_id: i64,
    unit_id: i64,
    expires_at: NaiveDateTime,
) -> Result<i64> {
    Ok(with_conn!(&mut **conn, c => c.new_report_link(task_id, unit_id, expires_at))?)
}
