//! The tasks behind a number of the report (the dashboard's task lists, the
//! exports, the API): chosen from the report's snapshot by the same domain
//! functions as the number itself ([`Drill::selects`]), and by the reader's
//! visibility ([`Viewer::may_see`]).

use chrono::NaiveDate;
use diesel::prelude::*;
use std::collections::HashMap;
use std::sync::LazyLock;

use super::super::id_set::IdSet;
use super::super::schema::units;
use super::super::tasks::{TaskQueries, TaskRecord};
use super::super::visibility::Viewer;
use super::super::{with_conn, Conn, Result};
use super::pick::{self, KeptLists};
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

/// How many tasks of a report match, and the ids of one page of them (all
/// when `page` is `None`, else `(limit, offset)`), ordered by lead unit code
/// (tasks waiting for their lead last), deadline (ongoing last) and id. A
/// page is kept (see [`pick::first_seen_kept`]): the next ask of the same list,
/// after any change, moves it by the changed rows instead of walking them all.
pub fn report_task_ids(
    conn: &mut Conn,
    period: &Period,
    as_of: NaiveDate,
    q: &TaskQuery,
    page: Option<(i64, i64)>,
) -> Result<(i64, Vec<i64>)> {
    static KEPT: LazyLock<KeptLists<DrillList, ListKey>> = LazyLock::new(Default::default);
    let snap = snapshot::current(conn)?;
    let drill = q.drill();
    let in_units = IdSet::new(q.units.as_deref());
    let ranks = UnitRanks::read(conn)?;
    let (take, skip) = match page {
        Some((limit, offset)) => (
            usize::try_from(limit.max(0)).unwrap_or(usize::MAX),
            usize::try_from(offset.max(0)).unwrap_or(usize::MAX),
        ),
        None => (usize::MAX, 0),
    };
    let list = DrillList {
        period: *period,
        as_of,
        units: q.units.clone(),
        lead_unit: q.lead_unit,
        drill: drill.clone(),
        unit_order: ranks.order.clone(),
    };
    let selection = drill.selection(period, as_of);
    // Only the rows of the units listed are read.
    let one_unit = q.lead_unit.map(|u| IdSet::new(Some(&[u])));
    let leads = one_unit.as_ref().unwrap_or(&in_units);
    let (total, keys) = pick::first_seen_kept(
        conn,
        &snap,
        &snap.led_by(leads),
        Some((&*KEPT, list)),
        &q.viewer,
        skip.saturating_add(take),
        |r| {
            in_units.holds(r.task.lead_unit_id)
                && q.lead_unit.is_none_or(|u| u == r.task.lead_unit_id)
                && selection.selects(&r.task)
        },
        |r| ranks.key(r),
    )?;
    Ok((total, keys.into_iter().skip(skip).map(|k| k.3).collect()))
}

/// What a kept list of [`report_task_ids`] holds: everything its selection
/// and order depend on besides the rows and the reader.
#[derive(Debug, PartialEq, Eq, Hash)]
struct DrillList {
    period: Period,
    as_of: NaiveDate,
    units: Option<Vec<i64>>,
    lead_unit: Option<i64>,
    drill: Drill,
    /// The units' ids in the order of their codes.
    unit_order: Vec<i64>,
}

/// A task's place in a list: its lead unit's place in the order of codes,
/// ongoing after dated, its deadline, its id.
type ListKey = (usize, bool, NaiveDate, i64);

/// Each unit's place in the order of unit codes, looked up by id.
struct UnitRanks {
    /// The units' ids in the order of their codes.
    order: Vec<i64>,
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
            order: ids.clone(),
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
