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
    let ranks = UnitRanks::read(conn)?;
    let (take, skip) = match page {
        Some((limit, offset)) => (
            usize::try_from(limit.max(0)).unwrap_or(usize::MAX),
            usize::try_from(offset.max(0)).unwrap_or(usize::MAX),
        ),
        None => (usize::MAX, 0),
    };
    // One walk: every match is counted, and only the first `skip + take` in
    // the list's order are kept.
    let mut first = First::new(skip.saturating_add(take));
    let mut total = 0i64;
    // Confidential tasks whose reader's sight depends on their coordinators,
    // which the snapshot does not hold: decided after the walk, on those few.
    let mut undecided: Vec<&Row> = Vec::new();
    for r in snap.rows() {
        if !in_units.holds(r.task.lead_unit_id)
            || q.lead_unit.is_some_and(|u| u != r.task.lead_unit_id)
            || !drill.selects(&r.task, period, as_of)
        {
            continue;
        }
        let mut asks_coordinators = false;
        let seen = q.viewer.may_see(&r.sighted(), || {
            asks_coordinators = true;
            Vec::new()
        });
        if asks_coordinators {
            undecided.push(r);
        } else if seen {
            total += 1;
            first.offer(ranks.key(r));
        }
    }
    let ids: Vec<i64> = undecided.iter().map(|r| r.id).collect();
    let coordinators = coordinators_of(conn, &ids)?;
    for r in undecided {
        let of_task = || coordinators.get(&r.id).cloned().unwrap_or_default();
        if q.viewer.may_see(&r.sighted(), of_task) {
            total += 1;
            first.offer(ranks.key(r));
        }
    }
    let ids = first.sorted().into_iter().skip(skip).map(|k| k.3).collect();
    Ok((total, ids))
}

/// A task's place in a list: its lead unit's place in the order of codes,
/// ongoing after dated, its deadline, its id.
type ListKey = (usize, bool, NaiveDate, i64);

/// The first `n` keys offered, in order, kept without holding the others.
struct First {
    n: usize,
    /// A max-heap of the kept keys while bounded; every key when `n` is unbounded.
    kept: std::collections::BinaryHeap<ListKey>,
}

impl First {
    fn new(n: usize) -> First {
        First {
            n,
            kept: std::collections::BinaryHeap::new(),
        }
    }

    fn offer(&mut self, key: ListKey) {
        if self.kept.len() < self.n {
            self.kept.push(key);
        } else if let Some(mut last) = self.kept.peek_mut() {
            if key < *last {
                *last = key;
            }
        }
    }

    fn sorted(self) -> Vec<ListKey> {
        self.kept.into_sorted_vec()
    }
}

/// Each unit's place in the order of unit codes, looked up by id.
struct UnitRanks {
    /// By id, for the small ids a database gives in turn; `usize::MAX`: none.
    direct: Vec<usize>,
    other: HashMap<i64, usize>,
}

/// Ids below this are looked up in a vector, any other in a map.
const DIRECT_IDS: i64 = 1 << 16;

impl UnitRanks {
    fn read(conn: &mut Conn) -> Result<UnitRanks> {
        let ids: Vec<i64> = with_conn!(&mut **conn, c => units::table
            .order(units::code.asc())
            .select(units::id)
            .load(c))?;
        let mut ranks = UnitRanks {
            direct: Vec::new(),
            other: HashMap::new(),
        };
        for (rank, id) in ids.into_iter().enumerate() {
            match usize::try_from(id) {
                Ok(i) if id < DIRECT_IDS => {
                    if i >= ranks.direct.len() {
                        ranks.direct.resize(i + 1, usize::MAX);
                    }
                    ranks.direct[i] = rank;
                }
                _ => {
                    ranks.other.insert(id, rank);
                }
            }
        }
        Ok(ranks)
    }

    /// The unit's place; tasks waiting for their lead (or of an unknown unit) last.
    fn of(&self, unit: i64) -> usize {
        match usize::try_from(unit) {
            Ok(i) if unit < DIRECT_IDS => self.direct.get(i).copied().unwrap_or(usize::MAX),
            _ => self.other.get(&unit).copied().unwrap_or(usize::MAX),
        }
    }

    fn key(&self, r: &Row) -> ListKey {
        let deadline = r.task.dates.deadline;
        (
            self.of(r.task.lead_unit_id),
            deadline.is_none(),
            deadline.unwrap_or(NaiveDate::MIN),
            r.id,
        )
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: i64) -> ListKey {
        // Units, then dated before ongoing, then deadline, then id.
        let d = NaiveDate::from_ymd_opt(2022, 1, 1).expect("date") + chrono::Duration::days(i % 7);
        ((i % 3) as usize, i % 5 == 0, d, i)
    }

    #[test]
    fn the_first_keys_are_kept_in_order_and_no_others() {
        let mut all: Vec<ListKey> = (0..1000).map(|i| key((i * 7919) % 1000)).collect();
        for n in [0, 1, 50, 999, 1000, 5000, usize::MAX] {
            let mut first = First::new(n);
            for k in &all {
                first.offer(*k);
            }
            let kept = first.sorted();
            all.sort_unstable();
            assert_eq!(kept, all[..n.min(all.len())].to_vec(), "n = {n}");
        }
    }
}
