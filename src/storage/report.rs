//! The period report. The predicates here are the SQL form of
//! `domain::period::Period::inclusion` and `domain::status::TaskDates::status_as_of`;
//! tests hold them equal on random data. Dates are written into the SQL as
//! literals formatted from `NaiveDate` (never from user text), which both
//! backends compare with their date columns.
//!
//! Everything the dashboard shows comes from here: the counts by unit (with
//! the ages of overdue tasks), the completion over the months, and the tasks
//! behind any of these numbers. The page, the JSON API, the print view and the
//! exports all call these functions. A report reads the dates of the tasks in
//! its scope (through the indexes of `scope_parts`) and counts them with the
//! domain's own functions; the result is kept until the data version moves.

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text};
use std::collections::{BTreeMap, HashMap};

use super::schema::{tasks, users};
use super::tasks::{TaskQueries, TaskRecord};
use super::units::{UnitInfo, UnitQueries};
use super::{impl_for_backends, with_conn, Conn, Result, StorageError};
use crate::domain::dashboard::{
    overdue_ages, progress_points, AgeBucket, AgeCounts, ProgressPoint,
};
use crate::domain::report::{tally, Counts, ReportedTask, NO_LEAD};
use crate::domain::{Invalid, Period, Status, TaskDates};

pub(super) fn lit(date: NaiveDate) -> String {
    format!("'{}'", date.format("%Y-%m-%d"))
}

/// Tasks in the period's report as of `as_of` (giao trong kỳ or chuyển tiếp).
pub fn scope_sql(period: &Period, as_of: NaiveDate) -> String {
    let (f, t, a) = (lit(period.from), lit(period.to), lit(as_of));
    format!(
        "((tasks.cancelled_on IS NULL OR tasks.cancelled_on > {a}) AND tasks.assigned_on <= {t} \
         AND (tasks.assigned_on >= {f} OR tasks.completed_on IS NULL OR tasks.completed_on >= {f}))"
    )
}

/// The scope of [`scope_sql`] cut in three disjoint parts, each of which an
/// index can read on its own: assigned in the period (by `assigned_on`), and
/// carried over while open or completed since (by `completed_on`). Scanning
/// them one by one reads the period's tasks instead of the whole history.
fn scope_parts(period: &Period, as_of: NaiveDate) -> [String; 3] {
    let scope = scope_sql(period, as_of);
    let f = lit(period.from);
    [
        format!("{scope} AND tasks.assigned_on >= {f}"),
        format!("{scope} AND tasks.assigned_on < {f} AND tasks.completed_on IS NULL"),
        format!("{scope} AND tasks.assigned_on < {f} AND tasks.completed_on >= {f}"),
    ]
}

/// Tasks not cancelled on or before `as_of`: those that have a status then.
pub fn not_cancelled_sql(as_of: NaiveDate) -> String {
    format!(
        "(tasks.cancelled_on IS NULL OR tasks.cancelled_on > {})",
        lit(as_of)
    )
}

/// The status code of a task as of `as_of`.
pub fn status_sql(as_of: NaiveDate) -> String {
    let a = lit(as_of);
    format!(
        "(CASE WHEN tasks.completed_on IS NOT NULL AND tasks.completed_on <= {a} THEN \
           (CASE WHEN tasks.deadline IS NULL OR tasks.completed_on <= tasks.deadline THEN 'done_on_time' ELSE 'done_late' END) \
         WHEN tasks.deadline IS NOT NULL AND tasks.deadline < {a} THEN 'overdue' \
         ELSE 'in_progress' END)"
    )
}

/// Tasks whose status as of `as_of` is one of `statuses`.
pub fn status_in_sql(as_of: NaiveDate, statuses: &[Status]) -> String {
    let codes: Vec<String> = statuses.iter().map(|s| format!("'{}'", s.code())).collect();
    format!(
        "({} AND {} IN ({}))",
        not_cancelled_sql(as_of),
        status_sql(as_of),
        codes.join(", ")
    )
}

/// Overdue tasks whose deadline puts them in `bucket` as of `as_of`.
pub fn age_sql(as_of: NaiveDate, bucket: AgeBucket) -> String {
    let (from, to) = bucket.deadlines(as_of);
    let lower = from
        .map(|f| format!(" AND tasks.deadline >= {}", lit(f)))
        .unwrap_or_default();
    format!(
        "({} AND tasks.deadline <= {}{lower})",
        status_in_sql(as_of, &[Status::Overdue]),
        lit(to)
    )
}

/// `AND tasks.lead_unit_id IN (…)` for a list of units; nothing for all units.
fn units_sql(units: Option<&[i64]>) -> String {
    match units {
        None => String::new(),
        Some([]) => " AND 1 = 0".to_string(),
        Some(ids) => {
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(" AND tasks.lead_unit_id IN ({})", ids.join(","))
        }
    }
}

#[derive(Debug, QueryableByName)]
struct StateRow {
    #[diesel(sql_type = Text)]
    token: String,
    #[diesel(sql_type = BigInt)]
    version: i64,
}

/// Reports already computed, by database and data version: a report is a pure
/// function of the tasks' units and dates, so one computed at a version stays
/// exact until the version moves (any change of those columns raises it, in
/// the same transaction). The version is read before the report, so a report
/// is never kept under a version newer than the data it was computed from.
mod cache {
    use super::{Counts, Tally};
    use chrono::NaiveDate;
    use std::collections::{BTreeMap, HashMap};
    use std::sync::{Arc, LazyLock, Mutex};

    /// A report: its period, as-of date and units (`None`: all).
    pub type TallyKey = (NaiveDate, NaiveDate, NaiveDate, Option<Vec<i64>>);
    /// The points of a completion chart and their units.
    pub type PointsKey = (Vec<(NaiveDate, NaiveDate, NaiveDate)>, Option<Vec<i64>>);

    /// Reports kept per database; past this, they are all dropped.
    const MAX_ENTRIES: usize = 256;

    #[derive(Default)]
    struct Store {
        version: i64,
        tallies: HashMap<TallyKey, Arc<BTreeMap<i64, Tally>>>,
        points: HashMap<PointsKey, Arc<Vec<Counts>>>,
    }

    static STORES: LazyLock<Mutex<HashMap<String, Store>>> = LazyLock::new(Default::default);

    /// Runs `f` on the store of a database at `version`; `None` when the store
    /// already holds a later version (the caller read an older one).
    fn with_store<T>(token: &str, version: i64, f: impl FnOnce(&mut Store) -> T) -> Option<T> {
        let mut stores = STORES.lock().unwrap_or_else(|e| e.into_inner());
        let store = stores.entry(token.to_string()).or_default();
        if store.version < version {
            *store = Store {
                version,
                ..Store::default()
            };
        }
        (store.version == version).then(|| f(store))
    }

    pub fn tallies(token: &str, version: i64, key: &TallyKey) -> Option<Arc<BTreeMap<i64, Tally>>> {
        with_store(token, version, |s| s.tallies.get(key).cloned()).flatten()
    }

    pub fn keep_tallies(
        token: &str,
        version: i64,
        key: TallyKey,
        value: Arc<BTreeMap<i64, Tally>>,
    ) {
        with_store(token, version, |s| {
            if s.tallies.len() >= MAX_ENTRIES {
                s.tallies.clear();
            }
            s.tallies.insert(key, value);
        });
    }

    /// One computation at a time per database: requests that miss the same
    /// report at the same version wait for the first one's result instead of
    /// each computing it (a change followed by many readers costs one report).
    static COMPUTING: LazyLock<Mutex<HashMap<String, Arc<Mutex<()>>>>> =
        LazyLock::new(Default::default);

    /// `lookup` if it finds it, else `compute` once: a caller that had to wait
    /// for another's computation looks again before computing.
    pub fn once<T, E>(
        token: &str,
        lookup: impl Fn() -> Option<T>,
        compute: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        if let Some(hit) = lookup() {
            return Ok(hit);
        }
        let gate = COMPUTING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(token.to_string())
            .or_default()
            .clone();
        let _one = gate.lock().unwrap_or_else(|e| e.into_inner());
        match lookup() {
            Some(hit) => Ok(hit),
            None => compute(),
        }
    }

    pub fn points(token: &str, version: i64, key: &PointsKey) -> Option<Arc<Vec<Counts>>> {
        with_store(token, version, |s| s.points.get(key).cloned()).flatten()
    }

    pub fn keep_points(token: &str, version: i64, key: PointsKey, value: Arc<Vec<Counts>>) {
        with_store(token, version, |s| {
            if s.points.len() >= MAX_ENTRIES {
                s.points.clear();
            }
            s.points.insert(key, value);
        });
    }
}

/// The counts by lead unit of a report, computed once per data version.
pub fn tallies(
    conn: &mut Conn,
    period: &Period,
    as_of: NaiveDate,
    units: Option<&[i64]>,
) -> Result<std::sync::Arc<BTreeMap<i64, Tally>>> {
    Ok(with_conn!(&mut **conn, c => {
        let (token, version) = c.data_version()?;
        let key = (period.from, period.to, as_of, units.map(<[i64]>::to_vec));
        cache::once(
            &token,
            || cache::tallies(&token, version, &key),
            || {
                let fresh = std::sync::Arc::new(c.report_tallies(period, as_of, units)?);
                cache::keep_tallies(&token, version, key.clone(), fresh.clone());
                Ok::<_, diesel::result::Error>(fresh)
            },
        )
    })?)
}

/// The totals of the points of a completion chart, computed once per data version.
pub fn point_counts(
    conn: &mut Conn,
    points: &[ProgressPoint],
    units: Option<&[i64]>,
) -> Result<std::sync::Arc<Vec<Counts>>> {
    Ok(with_conn!(&mut **conn, c => {
        let (token, version) = c.data_version()?;
        let key = (
            points.iter().map(|p| (p.period.from, p.period.to, p.as_of)).collect(),
            units.map(<[i64]>::to_vec),
        );
        cache::once(
            &token,
            || cache::points(&token, version, &key),
            || {
                let fresh = std::sync::Arc::new(c.point_totals(points, units)?);
                cache::keep_points(&token, version, key.clone(), fresh.clone());
                Ok::<_, diesel::result::Error>(fresh)
            },
        )
    })?)
}

/// The counts of one unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub counts: Counts,
    /// The overdue tasks by age.
    pub ages: AgeCounts,
}

/// What the report needs of each task in it: its lead unit, dates and
/// whether its deadline moved. Read once per report; the counts are then the
/// pure functions' own ([`tally`], [`overdue_ages`]), so the report equals
/// them by construction, and the SQL only decides which rows to read.
type DayRow = (i64, i32, Option<i32>, Option<i32>, Option<i32>, i32);

/// A date handed over as its day number (as [`chrono::Datelike::num_days_from_ce`]).
/// SQLite keeps dates as text: its own date function reads them much faster
/// than parsing each cell on our side, which made the read of a large report
/// twice as slow.
pub trait DaySql {
    fn day(column: &str) -> String;
}

impl DaySql for diesel::SqliteConnection {
    fn day(column: &str) -> String {
        // julianday('0001-01-01') is 1721425.5, the first day from the common era.
        format!("CAST(julianday({column}) - 1721424.5 AS INTEGER)")
    }
}

impl DaySql for diesel::PgConnection {
    fn day(column: &str) -> String {
        format!("({column} - DATE '0001-01-01' + 1)")
    }
}

fn from_day(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MIN)
}

fn reported(row: DayRow) -> ReportedTask {
    let (lead_unit_id, assigned_on, deadline, completed_on, cancelled_on, extended) = row;
    ReportedTask {
        lead_unit_id,
        dates: TaskDates {
            assigned_on: from_day(assigned_on),
            deadline: deadline.map(from_day),
            completed_on: completed_on.map(from_day),
            cancelled_on: cancelled_on.map(from_day),
        },
        extended: extended != 0,
    }
}

/// The counts by unit of a report, from rows that include its tasks.
pub fn count(rows: &[ReportedTask], period: &Period, as_of: NaiveDate) -> BTreeMap<i64, Tally> {
    let mut by_unit: BTreeMap<i64, Tally> = tally(rows, period, as_of)
        .into_iter()
        .map(|(unit, counts)| {
            (
                unit,
                Tally {
                    counts,
                    ages: AgeCounts::default(),
                },
            )
        })
        .collect();
    for (unit, ages) in overdue_ages(rows, period, as_of) {
        by_unit.entry(unit).or_default().ages = ages;
    }
    by_unit
}

/// The totals of the points of a completion chart, from rows that include their tasks.
pub fn count_points(rows: &[ReportedTask], points: &[ProgressPoint]) -> Vec<Counts> {
    let mut totals = vec![Counts::default(); points.len()];
    for t in rows {
        for (total, p) in totals.iter_mut().zip(points) {
            if p.period.inclusion(&t.dates, p.as_of).is_none() {
                continue;
            }
            if let Some(status) = t.dates.status_as_of(p.as_of) {
                total.add_status(status, 1);
            }
        }
    }
    totals
}

/// The rows a set of reports reads: the scope of the widest period as of the
/// earliest date holds the tasks of every report of the same start.
fn rows_scope(period: &Period, as_of: NaiveDate, points: &[ProgressPoint]) -> (Period, NaiveDate) {
    let to = points
        .iter()
        .map(|p| p.period.to)
        .fold(period.to, NaiveDate::max);
    let earliest = points.iter().map(|p| p.as_of).fold(as_of, NaiveDate::min);
    (
        Period {
            from: period.from,
            to,
        },
        earliest,
    )
}

/// The report's queries, for either backend (also inside a write transaction).
pub trait ReportQueries {
    /// The tasks of a period's report as of a date, for some units or all.
    fn report_rows(
        &mut self,
        period: &Period,
        as_of: NaiveDate,
        units: Option<&[i64]>,
    ) -> QueryResult<Vec<ReportedTask>>;

    /// The counts by lead unit of a period's report as of a date, for some units or all.
    fn report_tallies(
        &mut self,
        period: &Period,
        as_of: NaiveDate,
        units: Option<&[i64]>,
    ) -> QueryResult<BTreeMap<i64, Tally>>;

    /// Which database this is, and the version of its report data (raised by
    /// triggers in the same transaction as any change of a task's unit or dates).
    fn data_version(&mut self) -> QueryResult<(String, i64)>;

    /// The total counts of several reports of one period start at once.
    fn point_totals(
        &mut self,
        points: &[ProgressPoint],
        units: Option<&[i64]>,
    ) -> QueryResult<Vec<Counts>>;
}

impl_for_backends!(ReportQueries {
    fn report_rows(&mut self, period: &Period, as_of: NaiveDate, units: Option<&[i64]>) -> QueryResult<Vec<ReportedTask>> {
        crate::metrics::METRICS.report_computations.inc();
        let unit_filter = units_sql(units);
        let mut rows = Vec::new();
        // One part at a time, each read through its own index.
        for part in scope_parts(period, as_of) {
            rows.extend(
                tasks::table
                    .filter(sql::<Bool>(&format!("{part}{unit_filter}")))
                    .select((
                        // A task waiting for its lead counts in the totals under no unit.
                        sql::<BigInt>(&format!("COALESCE(tasks.lead_unit_id, {NO_LEAD})")),
                        sql::<Integer>(&Self::day("tasks.assigned_on")),
                        sql::<Nullable<Integer>>(&Self::day("tasks.deadline")),
                        sql::<Nullable<Integer>>(&Self::day("tasks.completed_on")),
                        sql::<Nullable<Integer>>(&Self::day("tasks.cancelled_on")),
                        sql::<Integer>("(CASE WHEN tasks.original_deadline IS NULL THEN 0 ELSE 1 END)"),
                    ))
                    .load::<DayRow>(self)?
                    .into_iter()
                    .map(reported),
            );
        }
        Ok(rows)
    }

    fn report_tallies(&mut self, period: &Period, as_of: NaiveDate, units: Option<&[i64]>) -> QueryResult<BTreeMap<i64, Tally>> {
        Ok(count(&self.report_rows(period, as_of, units)?, period, as_of))
    }

    fn data_version(&mut self) -> QueryResult<(String, i64)> {
        let row = diesel::sql_query("SELECT token, version FROM report_state WHERE id = 1").get_result::<StateRow>(self)?;
        Ok((row.token, row.version))
    }

    fn point_totals(&mut self, points: &[ProgressPoint], units: Option<&[i64]>) -> QueryResult<Vec<Counts>> {
        let Some(last) = points.last() else {
            return Ok(Vec::new());
        };
        let (scope, earliest) = rows_scope(&last.period, last.as_of, points);
        Ok(count_points(&self.report_rows(&scope, earliest, units)?, points))
    }
});

#[derive(Debug, Clone, PartialEq)]
pub struct UnitCounts {
    pub unit: UnitInfo,
    pub counts: Counts,
    pub ages: AgeCounts,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub period: Period,
    pub as_of: NaiveDate,
    pub totals: Counts,
    /// The overdue tasks of the report by age.
    pub ages: AgeCounts,
    /// Every active unit in scope (zeros included) and any other unit with tasks, by code.
    pub units: Vec<UnitCounts>,
}

/// The units of a subtree, root included.
pub fn subtree(units: &[UnitInfo], root: i64) -> Vec<i64> {
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for u in units {
        if let Some(p) = u.unit.parent_id {
            children.entry(p).or_default().push(u.unit.id);
        }
    }
    let mut out = vec![root];
    let mut seen: std::collections::HashSet<i64> = std::collections::HashSet::from([root]);
    let mut i = 0;
    while i < out.len() {
        if let Some(kids) = children.get(&out[i]) {
            for k in kids {
                if seen.insert(*k) {
                    out.push(*k);
                }
            }
        }
        i += 1;
    }
    out
}

/// Builds the report from the tallies of the units in scope.
pub fn assemble(
    period: &Period,
    as_of: NaiveDate,
    units: Vec<UnitInfo>,
    in_scope: Option<&[i64]>,
    by_unit: &BTreeMap<i64, Tally>,
) -> Report {
    let mut listed: Vec<UnitCounts> = units
        .into_iter()
        .filter(|u| in_scope.is_none_or(|ids| ids.contains(&u.unit.id)))
        .filter(|u| u.unit.active || by_unit.contains_key(&u.unit.id))
        .map(|u| {
            let tally = by_unit.get(&u.unit.id).copied().unwrap_or_default();
            UnitCounts {
                counts: tally.counts,
                ages: tally.ages,
                unit: u,
            }
        })
        .collect();
    listed.sort_by(|a, b| a.unit.unit.code.cmp(&b.unit.unit.code));
    let mut ages = AgeCounts::default();
    for t in by_unit.values() {
        ages.add(&t.ages);
    }
    Report {
        period: *period,
        as_of,
        totals: crate::domain::report::total(by_unit.values().map(|t| &t.counts)),
        ages,
        units: listed,
    }
}

/// A report and the points of its completion chart, from one read of the
/// tasks when neither was computed at this data version.
#[allow(clippy::type_complexity)]
pub fn report_and_points(
    conn: &mut Conn,
    period: &Period,
    as_of: NaiveDate,
    points: &[ProgressPoint],
    units: Option<&[i64]>,
) -> Result<(
    std::sync::Arc<BTreeMap<i64, Tally>>,
    std::sync::Arc<Vec<Counts>>,
)> {
    Ok(with_conn!(&mut **conn, c => {
        let (token, version) = c.data_version()?;
        let report_key = (period.from, period.to, as_of, units.map(<[i64]>::to_vec));
        let points_key = (
            points.iter().map(|p| (p.period.from, p.period.to, p.as_of)).collect(),
            units.map(<[i64]>::to_vec),
        );
        let known = || match (
            cache::tallies(&token, version, &report_key),
            cache::points(&token, version, &points_key),
        ) {
            (Some(report), Some(counts)) => Some((report, counts)),
            _ => None,
        };
        cache::once(&token, known, || {
            let (scope, earliest) = rows_scope(period, as_of, points);
            let rows = c.report_rows(&scope, earliest, units)?;
            let report = std::sync::Arc::new(count(&rows, period, as_of));
            let counts = std::sync::Arc::new(count_points(&rows, points));
            cache::keep_tallies(&token, version, report_key.clone(), report.clone());
            cache::keep_points(&token, version, points_key.clone(), counts.clone());
            Ok::<_, diesel::result::Error>((report, counts))
        })
    })?)
}

/// The report for a period as of a date, for all units or the subtree of one.
pub fn period_report(
    conn: &mut Conn,
    period: &Period,
    as_of: NaiveDate,
    root_unit: Option<i64>,
) -> Result<Report> {
    let units = with_conn!(&mut **conn, c => c.load_unit_infos())?;
    let in_scope = root_unit.map(|root| subtree(&units, root));
    let by_unit = tallies(conn, period, as_of, in_scope.as_deref())?;
    Ok(assemble(
        period,
        as_of,
        units,
        in_scope.as_deref(),
        &by_unit,
    ))
}

/// The completion over time of a report: the totals of each point of
/// [`progress_points`], for all units or the subtree of one.
pub fn progress(
    conn: &mut Conn,
    period: &Period,
    as_of: NaiveDate,
    root_unit: Option<i64>,
) -> Result<Vec<(ProgressPoint, Counts)>> {
    let points = progress_points(period, as_of);
    let in_scope = match root_unit {
        None => None,
        Some(root) => Some(subtree(
            &with_conn!(&mut **conn, c => c.load_unit_infos())?,
            root,
        )),
    };
    let totals = point_counts(conn, &points, in_scope.as_deref())?;
    Ok(points.into_iter().zip(totals.iter().copied()).collect())
}

/// What the dashboard of one reader shows.
#[derive(Debug, Clone)]
pub struct DashboardRequest {
    pub period: Period,
    pub as_of: NaiveDate,
    /// A unit code: that unit and the units under it (within the reader's scope).
    pub unit: Option<String>,
    /// The reader, whose scope bounds the report.
    pub user_id: i64,
    /// Also the completion over the months.
    pub progress: bool,
    /// Also the period's frozen report, if it was closed.
    pub frozen: bool,
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub report: Report,
    pub progress: Vec<(ProgressPoint, Counts)>,
    pub frozen: Option<super::closes::Frozen>,
    /// The root of the report (the requested unit, else the reader's scope); `None`: the whole tree.
    pub root: Option<UnitInfo>,
    /// The root of the reader's scope; `None`: the whole tree.
    pub scope_root: Option<i64>,
    /// The units of the report; `None`: every unit.
    pub unit_ids: Option<Vec<i64>>,
    /// The units the reader may narrow the report to, by code.
    pub choices: Vec<UnitInfo>,
}

impl Dashboard {
    /// The names of the report's units by code, for the task lists behind its numbers.
    pub fn unit_names(&self) -> HashMap<String, String> {
        self.choices
            .iter()
            .chain(self.report.units.iter().map(|u| &u.unit))
            .map(|u| (u.unit.code.clone(), u.unit.name.clone()))
            .collect()
    }
}

/// Resolves the units a reader's report covers: their scope, narrowed to the
/// subtree of `unit` when given (which must lie within their scope).
pub fn resolve_units(
    units: &[UnitInfo],
    scope_root: Option<i64>,
    unit: Option<&str>,
) -> Result<(Option<UnitInfo>, Option<Vec<i64>>)> {
    let in_scope = scope_root.map(|root| subtree(units, root));
    let root_id = match unit {
        None => scope_root,
        Some(code) => {
            let found = units.iter().find(|u| u.unit.code == code).ok_or_else(|| {
                StorageError::Invalid(Invalid::new("unit", "err-unknown-unit").arg("value", code))
            })?;
            if in_scope
                .as_ref()
                .is_some_and(|ids| !ids.contains(&found.unit.id))
            {
                return Err(StorageError::Invalid(
                    Invalid::new("unit", "err-unit-outside-scope").arg("value", code),
                ));
            }
            Some(found.unit.id)
        }
    };
    let root = root_id.and_then(|id| units.iter().find(|u| u.unit.id == id).cloned());
    Ok((root, root_id.map(|id| subtree(units, id))))
}

/// The dashboard of one reader: the report of their scope (or a subtree of
/// it), the completion over the months, and the frozen report.
pub fn dashboard(conn: &mut Conn, req: &DashboardRequest) -> Result<Dashboard> {
    let scope_root = user_scope(conn, req.user_id)?;
    let units = with_conn!(&mut **conn, c => c.load_unit_infos())?;
    let (root, unit_ids) = resolve_units(&units, scope_root, req.unit.as_deref())?;
    let (by_unit, totals) = if req.progress {
        let points = progress_points(&req.period, req.as_of);
        report_and_points(conn, &req.period, req.as_of, &points, unit_ids.as_deref())?
    } else {
        (
            tallies(conn, &req.period, req.as_of, unit_ids.as_deref())?,
            Default::default(),
        )
    };
    let frozen = if req.frozen {
        super::closes::frozen(conn, &req.period)?
    } else {
        None
    };
    let scope_ids = scope_root.map(|r| subtree(&units, r));
    let choices: Vec<UnitInfo> = units
        .iter()
        .filter(|u| {
            scope_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&u.unit.id))
        })
        .cloned()
        .collect();
    let progress = if req.progress {
        progress_points(&req.period, req.as_of)
            .into_iter()
            .zip(totals.iter().copied())
            .collect()
    } else {
        Vec::new()
    };
    Ok(Dashboard {
        report: assemble(&req.period, req.as_of, units, unit_ids.as_deref(), &by_unit),
        progress,
        frozen,
        root,
        scope_root,
        unit_ids,
        choices,
    })
}

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
    pub viewer: super::visibility::Viewer,
}

fn task_filter_sql(period: &Period, as_of: NaiveDate, q: &TaskQuery) -> String {
    let mut sql = scope_sql(period, as_of);
    sql.push_str(&units_sql(q.units.as_deref()));
    if let Some(unit) = q.lead_unit {
        sql.push_str(&format!(" AND tasks.lead_unit_id = {unit}"));
    }
    if let Some(visible) = q.viewer.task_sql() {
        sql.push_str(&format!(" AND {visible}"));
    }
    if !q.statuses.is_empty() {
        sql.push_str(&format!(" AND {}", status_in_sql(as_of, &q.statuses)));
    }
    if q.carried_over {
        sql.push_str(&format!(" AND tasks.assigned_on < {}", lit(period.from)));
    }
    if q.extended {
        sql.push_str(" AND tasks.original_deadline IS NOT NULL");
    }
    if let Some(bucket) = q.age {
        sql.push_str(&format!(" AND {}", age_sql(as_of, bucket)));
    }
    sql
}

/// How many tasks of a report match, and the ids of one page of them (all
/// when `page` is `None`), ordered by lead unit code, deadline (ongoing last) and id.
pub fn report_task_ids(
    conn: &mut Conn,
    period: &Period,
    as_of: NaiveDate,
    q: &TaskQuery,
    page: Option<(i64, i64)>,
) -> Result<(i64, Vec<i64>)> {
    use super::schema::units;
    let filter = task_filter_sql(period, as_of, q);
    Ok(with_conn!(&mut **conn, c => {
        let total: i64 = tasks::table.filter(sql::<Bool>(&filter)).count().get_result(c)?;
        let mut query = tasks::table
            .inner_join(units::table)
            .filter(sql::<Bool>(&filter))
            .select(tasks::id)
            .order((units::code.asc(), sql::<Bool>("tasks.deadline IS NULL"), tasks::deadline.asc(), tasks::id.asc()))
            .into_boxed();
        if let Some((limit, offset)) = page {
            query = query.limit(limit).offset(offset);
        }
        let ids: Vec<i64> = query.load(c)?;
        Ok::<_, diesel::result::Error>((total, ids))
    })?)
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

/// The unit whose subtree a user's reports cover; `None` for the whole tree.
pub fn user_scope(conn: &mut Conn, user_id: i64) -> Result<Option<i64>> {
    Ok(with_conn!(&mut **conn, c => users::table
        .find(user_id)
        .select(users::scope_unit_id)
        .first::<Option<i64>>(c)
        .optional())?
    .flatten())
}

/// Sets the unit whose subtree a user's reports cover (`None`: the whole tree).
pub fn set_user_scope(
    conn: &mut Conn,
    email: &str,
    unit_code: Option<&str>,
    by: Option<i64>,
) -> Result<()> {
    use super::audit::{AuditLog, Entry};
    use super::schema::units;
    let email = super::users::normalize_email(email);
    super::write_tx!(&mut **conn, c => {
        let unit_id = match unit_code {
            None => None,
            Some(code) => Some(
                units::table
                    .filter(units::code.eq(code))
                    .select(units::id)
                    .first::<i64>(c)
                    .optional()?
                    .ok_or_else(|| StorageError::Invalid(Invalid::new("unit", "err-unknown-unit").arg("value", code)))?,
            ),
        };
        let user_id: i64 = users::table
            .filter(users::email.eq(&email))
            .select(users::id)
            .first(c)
            .optional()?
            .ok_or(StorageError::NotFound)?;
        diesel::update(users::table.find(user_id))
            .set((users::scope_unit_id.eq(unit_id), users::updated_at.eq(super::now())))
            .execute(c)?;
        c.record_audit(&Entry {
            user_id: by,
            action: "user.scope",
            entity: "user",
            entity_id: Some(user_id),
            task_id: None,
            details: serde_json::json!({"scope": unit_code}).to_string(),
        })?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    /// Many requests missing one report at one version compute it once.
    #[test]
    fn a_report_missed_by_many_at_once_is_computed_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::{Arc, Barrier};
        let token = format!("test-{}", crate::auth::random_secret(8));
        let key = (d("2022-07-01"), d("2022-12-31"), d("2022-12-31"), None);
        let computed = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (token, key, computed, barrier) = (
                    token.clone(),
                    key.clone(),
                    computed.clone(),
                    barrier.clone(),
                );
                std::thread::spawn(move || {
                    barrier.wait();
                    cache::once(
                        &token,
                        || cache::tallies(&token, 7, &key),
                        || {
                            computed.fetch_add(1, Ordering::SeqCst);
                            let fresh = Arc::new(BTreeMap::new());
                            cache::keep_tallies(&token, 7, key.clone(), fresh.clone());
                            Ok::<_, ()>(fresh)
                        },
                    )
                    .expect("report")
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_parts_cover_the_scope_once() {
        let p: Period = "2022-H2".parse().expect("period");
        let parts = scope_parts(&p, d("2022-12-31"));
        assert!(parts
            .iter()
            .all(|s| s.starts_with(&scope_sql(&p, d("2022-12-31")))));
        assert!(parts[0].ends_with("tasks.assigned_on >= '2022-07-01'"));
        assert!(parts[1].contains("completed_on IS NULL"));
        assert!(parts[2].ends_with("tasks.completed_on >= '2022-07-01'"));
    }

    #[test]
    fn day_numbers_round_trip() {
        use chrono::Datelike;
        for s in [
            "0001-01-01",
            "1970-01-01",
            "2022-07-01",
            "2024-02-29",
            "2099-12-31",
        ] {
            assert_eq!(from_day(d(s).num_days_from_ce()), d(s));
        }
        assert_eq!(d("0001-01-01").num_days_from_ce(), 1);
    }

    #[test]
    fn an_empty_unit_list_selects_nothing() {
        assert_eq!(units_sql(Some(&[])), " AND 1 = 0");
        assert_eq!(units_sql(None), "");
        assert_eq!(units_sql(Some(&[3, 4])), " AND tasks.lead_unit_id IN (3,4)");
    }
}
