//! The tasks behind a number of the report (the dashboard's task lists, the
//! exports, the API): chosen from the report's snapshot by the same domain
//! functions as the number itself ([`Drill::selects`]), and by the reader's
//! visibility ([`Viewer::may_see`]).

use chrono::NaiveDate;
use diesel::prelude::*;
use std::collections::HashMap;

use super::super::schema::{task_coordinators, units};
use super::super::tasks::{TaskQueries, TaskRecord};
use super::super::visibility::Viewer;
use super::super::{with_conn, Conn, Result};
use super::snapshot::{self, Row};
use crate::domain::dashboard::{AgeBucket, Drill};
use crate::domain::{Period, Status};

/// Which tasks of a report: the drill-down behind one of its numbers.
#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    /// The units in scope (a subtree); `None` for all.
    pub units: Option<Vec<i64>>,
    /// One lead unit.
    pub lead_unit: Option<i64>,
    /// Tasks of any of these statuses; empty: every status.
    pub statuses: Vec<Status>,
    /// Only the tasks carried over from before the period.
    pub carried_over: bool,
    /// Only the tasks whose deadline was moved.
    pub extended: bool,
    /// Only the overdue tasks of this age.
    pub age: Option<AgeBucket>,
    /// Who reads the list: confidential tasks and a leader's scope.
    pub viewer: Viewer,
}

impl TaskQuery {
    fn drill(&self) -> Drill {
        Drill {
            statuses: self.statuses.clone(),
            carried_over: self.carried_over,
            extended: self.extended,
            age: self.age,
        }
    }
}

/// A set of unit ids, for a membership test per row.
pub(super) struct UnitSet(Option<Vec<i64>>);

impl UnitSet {
    pub(super) fn new(units: Option<&[i64]>) -> UnitSet {
        UnitSet(units.map(|ids| {
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            ids.dedup();
            ids
        }))
    }

    pub(super) fn holds(&self, unit: i64) -> bool {
        self.0
            .as_ref()
            .is_none_or(|ids| ids.binary_search(&unit).is_ok())
    }
}

/// How many tasks of a report match, and the ids of one page of them (all
/// when `page` is `None`, else `(limit, offset)`), ordered by lead unit code
/// (tasks waiting for their lead last), deadline (ongoing last) and id.
pub fn report_task_ids(
    conn: &mut Conn,
    period: &Period,
    as_of: NaiveDate,
    q: &TaskQuery,
    page: Option<(i64, i64)>,
) -> Result<(i64, Vec<i64>)> {
    let snap = snapshot::current(conn)?;
    let drill = q.drill();
    let in_units = UnitSet::new(q.units.as_deref());
    let picked: Vec<&Row> = snap
        .rows()
        .filter(|r| in_units.holds(r.task.lead_unit_id))
        .filter(|r| q.lead_unit.is_none_or(|u| u == r.task.lead_unit_id))
        .filter(|r| drill.selects(&r.task, period, as_of))
        .collect();
    // Coordinators decide only for confidential tasks read by a unit's users:
    // read those few, not every task's.
    let asked: Vec<i64> = match q.viewer {
        Viewer::Unit(_) => picked
            .iter()
            .filter(|r| r.confidential)
            .map(|r| r.id)
            .collect(),
        _ => Vec::new(),
    };
    let coordinators = coordinators_of(conn, &asked)?;
    let rank = unit_ranks(conn)?;
    let mut keyed: Vec<((usize, bool, NaiveDate, i64), i64)> = picked
        .into_iter()
        .filter(|r| {
            q.viewer.may_see(&r.sighted(), || {
                coordinators.get(&r.id).cloned().unwrap_or_default()
            })
        })
        .map(|r| {
            let unit = rank
                .get(&r.task.lead_unit_id)
                .copied()
                .unwrap_or(usize::MAX);
            let deadline = r.task.dates.deadline;
            (
                (
                    unit,
                    deadline.is_none(),
                    deadline.unwrap_or(NaiveDate::MIN),
                    r.id,
                ),
                r.id,
            )
        })
        .collect();
    let total = keyed.len() as i64;
    let (take, skip) = match page {
        Some((limit, offset)) => (
            usize::try_from(limit.max(0)).unwrap_or(usize::MAX),
            usize::try_from(offset.max(0)).unwrap_or(usize::MAX),
        ),
        None => (usize::MAX, 0),
    };
    let end = skip.saturating_add(take).min(keyed.len());
    // Only the rows up to the page's end need their order.
    if end > 0 && end < keyed.len() {
        keyed.select_nth_unstable_by_key(end - 1, |k| k.0);
        keyed.truncate(end);
    }
    keyed.sort_unstable_by_key(|k| k.0);
    let ids = keyed.into_iter().skip(skip).map(|(_, id)| id).collect();
    Ok((total, ids))
}

/// Each unit's place in the order of unit codes.
fn unit_ranks(conn: &mut Conn) -> Result<HashMap<i64, usize>> {
    let ids: Vec<i64> = with_conn!(&mut **conn, c => units::table
        .order(units::code.asc())
        .select(units::id)
        .load(c))?;
    Ok(ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect())
}

/// The coordinating units of these tasks.
fn coordinators_of(conn: &mut Conn, ids: &[i64]) -> Result<HashMap<i64, Vec<i64>>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let pairs: Vec<(i64, i64)> = with_conn!(&mut **conn, c => task_coordinators::table
            .filter(task_coordinators::task_id.eq_any(chunk))
            .select((task_coordinators::task_id, task_coordinators::unit_id))
            .load(c))?;
        for (task, unit) in pairs {
            out.entry(task).or_default().push(unit);
        }
    }
    Ok(out)
}

/// The tasks of these ids with their units, in the given order.
pub fn load_tasks(conn: &mut Conn, ids: &[i64]) -> Result<Vec<TaskRecord>> {
    let mut out = Vec::with_capacity(ids.len());
    with_conn!(&mut **conn, c => {
        for chunk in ids.chunks(1000) {
            out.extend(c.load_records(chunk)?);
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(out)
}
