//! The report's rows, kept in the process: one small row per task (its lead
//! unit, its dates, whether its deadline moved, whether it is confidential).
//! Every number of the dashboard and every list behind one is computed from
//! these rows by the domain's functions.
//!
//! A snapshot belongs to one database (`report_state.token`) and one data
//! version (`report_state.version`). The first use reads every task; later
//! uses read only the rows stamped after the snapshot's version
//! (`tasks.report_stamp`, set by triggers in the transaction of the change,
//! see `migrations/*/2026-12-02-000710_report_stamp`), so a change costs the
//! read of the changed rows. The stamp lives in the database, not in the
//! process, so several processes on one database each stay exact. A deletion
//! leaves no stamp: the database counts deletions, and when the count moves
//! (or the version goes back, as after a restore) everything is read again.

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use super::super::id_set::IdSet;
use super::super::schema::{report_state, tasks};
use super::super::visibility::{Sighted, CONFIDENTIAL};
use super::super::{impl_for_backends, with_conn, DbConn};
use crate::domain::report::{ReportedTask, NO_LEAD};
use crate::domain::TaskDates;

/// One task as the report sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub task: ReportedTask,
    /// By the task's own flag or its meeting's.
    pub confidential: bool,
}

impl Row {
    /// What visibility needs of the task.
    pub fn sighted(&self) -> Sighted {
        let lead = self.task.lead_unit_id;
        Sighted {
            confidential: self.confidential,
            lead_unit_id: (lead != NO_LEAD).then_some(lead),
        }
    }
}

/// Rows per chunk: a refresh copies the chunks it changes, not the whole
/// snapshot, while readers of the previous version keep theirs.
const CHUNK: usize = 4096;

/// The rows of every task of one database at one data version, by id.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub token: String,
    pub version: i64,
    /// Which full read of the rows this snapshot was refreshed from, unique
    /// in the process: a version read again after a restore is another
    /// lineage, so nothing kept of the first read is taken for it.
    pub lineage: u64,
    deletions: i64,
    rows: Chunks,
    /// The same rows by lead unit (the tasks waiting for their lead under
    /// [`NO_LEAD`]): a list or count of some units reads only theirs.
    led: HashMap<i64, Chunks>,
    /// The last refreshes, oldest first, each leading to the next: a count
    /// kept at an earlier version is brought here by its rows alone.
    recent: Vec<Arc<Refresh>>,
}

/// The rows one refresh changed, each as it was (`None`: new) and as it is.
#[derive(Debug)]
pub struct Refresh {
    from: i64,
    rows: Vec<(Option<Row>, Row)>,
}

/// A count kept across this many refreshes, or this many changed rows, is
/// counted again instead: past them, the walk of every row is as cheap.
const RECENT_REFRESHES: usize = 64;
const RECENT_ROWS: usize = 16 * 1024;

/// Rows in id order, in chunks: a change copies the chunk it changes, not
/// every row, while readers of the previous version keep theirs.
#[derive(Debug, Clone, Default)]
struct Chunks(Vec<Arc<Vec<Row>>>);

impl Chunks {
    /// Of rows in id order.
    fn of(rows: &[Row]) -> Chunks {
        Chunks(rows.chunks(CHUNK).map(|c| Arc::new(c.to_vec())).collect())
    }

    /// The chunk that holds the id, or would: the last one starting at or before it.
    fn chunk_of(&self, id: i64) -> Option<usize> {
        self.0
            .partition_point(|c| c.first().is_some_and(|f| f.id <= id))
            .checked_sub(1)
    }

    fn get(&self, id: i64) -> Option<&Row> {
        let chunk = &self.0[self.chunk_of(id)?];
        chunk
            .binary_search_by_key(&id, |r| r.id)
            .ok()
            .map(|j| &chunk[j])
    }

    /// Puts a row in place of the one of its id, or adds it.
    fn put(&mut self, row: Row) {
        let Some(last) = self.0.len().checked_sub(1) else {
            self.0.push(Arc::new(vec![row]));
            return;
        };
        let i = self.chunk_of(row.id).unwrap_or(0).min(last);
        let chunk = Arc::make_mut(&mut self.0[i]);
        match chunk.binary_search_by_key(&row.id, |r| r.id) {
            Ok(j) => chunk[j] = row,
            Err(j) => {
                chunk.insert(j, row);
                if chunk.len() >= 2 * CHUNK {
                    let tail = chunk.split_off(CHUNK);
                    self.0.insert(i + 1, Arc::new(tail));
                }
            }
        }
    }

    /// Takes out the row of this id, if held; no chunk is left empty.
    fn remove(&mut self, id: i64) {
        let Some(i) = self.chunk_of(id) else { return };
        let Ok(j) = self.0[i].binary_search_by_key(&id, |r| r.id) else {
            return;
        };
        let chunk = Arc::make_mut(&mut self.0[i]);
        chunk.remove(j);
        if chunk.is_empty() {
            self.0.remove(i);
        }
    }

    fn len(&self) -> usize {
        self.0.iter().map(|c| c.len()).sum()
    }

    fn slices(&self) -> impl Iterator<Item = &[Row]> {
        self.0.iter().map(|c| c.as_slice())
    }
}

/// Some of a snapshot's rows, as runs each in id order: what a walk reads.
#[derive(Debug, Clone)]
pub struct Part<'s>(Vec<&'s [Row]>);

impl<'s> Part<'s> {
    pub fn rows(&self) -> Rows<'s> {
        Rows::of(self.0.clone())
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(|s| s.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|s| s.is_empty())
    }

    /// These rows and `other`'s, which must hold none of these.
    pub fn with(mut self, other: Part<'s>) -> Part<'s> {
        self.0.extend(other.0);
        self
    }

    /// The rows in at most `parts` runs of about as many rows, to be walked
    /// apart, on several cores.
    pub fn runs(&self, parts: usize) -> Vec<Rows<'s>> {
        let per_run = self.len().div_ceil(parts.max(1)).max(1);
        let mut runs = Vec::new();
        let mut run = Vec::new();
        let mut in_run = 0;
        for slice in &self.0 {
            run.push(*slice);
            in_run += slice.len();
            if in_run >= per_run {
                runs.push(Rows::of(std::mem::take(&mut run)));
                in_run = 0;
            }
        }
        if !run.is_empty() {
            runs.push(Rows::of(run));
        }
        runs
    }
}

/// A run of a snapshot's rows.
#[derive(Debug, Clone)]
pub struct Rows<'s> {
    chunks: std::vec::IntoIter<&'s [Row]>,
    rows: std::slice::Iter<'s, Row>,
}

impl<'s> Rows<'s> {
    fn of(chunks: Vec<&'s [Row]>) -> Rows<'s> {
        Rows {
            chunks: chunks.into_iter(),
            rows: [].iter(),
        }
    }
}

impl<'s> Iterator for Rows<'s> {
    type Item = &'s Row;

    fn next(&mut self) -> Option<&'s Row> {
        loop {
            if let Some(r) = self.rows.next() {
                return Some(r);
            }
            self.rows = self.chunks.next()?.iter();
        }
    }

    // Internal iteration (and so `for_each`, `count`, `filter`'s folds) runs
    // each chunk's slice loop: faster than a `next` per row for a full walk.
    fn fold<B, F: FnMut(B, &'s Row) -> B>(self, init: B, mut f: F) -> B {
        let mut acc = self.rows.fold(init, &mut f);
        for chunk in self.chunks {
            acc = chunk.iter().fold(acc, &mut f);
        }
        acc
    }
}

impl Snapshot {
    /// Every row, in id order.
    pub fn rows(&self) -> Rows<'_> {
        self.all().rows()
    }

    /// Every row.
    pub fn all(&self) -> Part<'_> {
        Part(self.rows.slices().collect())
    }

    /// The rows led by one of `units` (every row when the set holds every
    /// id): only those are read.
    pub fn led_by(&self, units: &IdSet) -> Part<'_> {
        match units.ids() {
            None => self.all(),
            Some(ids) => Part(
                ids.iter()
                    .filter_map(|u| self.led.get(u))
                    .flat_map(Chunks::slices)
                    .collect(),
            ),
        }
    }

    /// The rows of these tasks that the snapshot holds.
    pub fn of_ids(&self, ids: &[i64]) -> Part<'_> {
        Part(
            ids.iter()
                .filter_map(|id| self.get(*id))
                .map(std::slice::from_ref)
                .collect(),
        )
    }

    /// The row of one task, if the snapshot holds it.
    pub fn get(&self, id: i64) -> Option<&Row> {
        self.rows.get(id)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.0.is_empty()
    }

    fn of(state: &State, mut rows: Vec<Row>) -> Snapshot {
        rows.sort_unstable_by_key(|r| r.id);
        let mut by_lead: HashMap<i64, Vec<Row>> = HashMap::new();
        for r in &rows {
            by_lead.entry(r.task.lead_unit_id).or_default().push(*r);
        }
        static READS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Snapshot {
            token: state.token.clone(),
            version: state.version,
            lineage: READS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            deletions: state.deletions,
            rows: Chunks::of(&rows),
            led: by_lead
                .into_iter()
                .map(|(unit, rows)| (unit, Chunks::of(&rows)))
                .collect(),
            recent: Vec::new(),
        }
    }

    /// The rows changed from `version` to this snapshot's, each as it was
    /// then (`None`: new) and as it is now; `None` when the refreshes kept do
    /// not reach back to `version` (or it is newer than this snapshot).
    pub fn changed_since(&self, version: i64) -> Option<Vec<(Option<Row>, Row)>> {
        let first = match version == self.version {
            true => self.recent.len(),
            false => self.recent.iter().position(|r| r.from == version)?,
        };
        // By id: the row as it was at `version` and as it is now.
        let mut changed: HashMap<i64, (Option<Row>, Row)> = HashMap::new();
        for refresh in &self.recent[first..] {
            for (was, is) in &refresh.rows {
                changed
                    .entry(is.id)
                    .and_modify(|c| c.1 = *is)
                    .or_insert((*was, *is));
            }
        }
        Some(changed.into_values().collect())
    }

    /// Applies one refresh's rows and remembers them (a bounded few).
    pub(super) fn apply(&mut self, version: i64, changed: Vec<Row>) {
        let rows: Vec<(Option<Row>, Row)> = changed
            .into_iter()
            .map(|row| (self.put(row), row))
            .collect();
        self.recent.push(Arc::new(Refresh {
            from: self.version,
            rows,
        }));
        self.version = version;
        let mut kept_rows = 0;
        let keep = self
            .recent
            .iter()
            .rev()
            .take(RECENT_REFRESHES)
            .take_while(|r| {
                kept_rows += r.rows.len();
                kept_rows <= RECENT_ROWS
            })
            .count();
        self.recent.drain(..self.recent.len() - keep);
    }

    /// A snapshot of these rows, for the tests of what walks them.
    #[cfg(test)]
    pub(crate) fn of_rows(rows: Vec<Row>) -> Snapshot {
        let state = State {
            token: "test".into(),
            version: 1,
            deletions: 0,
        };
        Snapshot::of(&state, rows)
    }

    fn is_at(&self, state: &State) -> bool {
        self.version == state.version && self.deletions == state.deletions
    }

    /// Puts a row in place of the one of its id, or adds it; the row it
    /// replaced.
    fn put(&mut self, row: Row) -> Option<Row> {
        let old = self.rows.get(row.id).copied();
        self.rows.put(row);
        let lead = row.task.lead_unit_id;
        if let Some(was) = old.map(|o| o.task.lead_unit_id).filter(|u| *u != lead) {
            if let Some(rows) = self.led.get_mut(&was) {
                rows.remove(row.id);
                if rows.0.is_empty() {
                    self.led.remove(&was);
                }
            }
        }
        self.led.entry(lead).or_default().put(row);
        old
    }
}

/// The version of a database's report data, as `report_state` holds it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct State {
    pub token: String,
    pub version: i64,
    deletions: i64,
}

/// A date handed over as its day number (as [`chrono::Datelike::num_days_from_ce`]).
/// SQLite keeps dates as text: its own date function reads them much faster
/// than parsing each cell on our side.
trait DaySql {
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

type DayRow = (
    i64,
    i64,
    i32,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    i32,
    i32,
);

fn row_of(raw: DayRow) -> Row {
    let (id, lead_unit_id, assigned_on, deadline, completed_on, cancelled_on, extended, secret) =
        raw;
    Row {
        id,
        task: ReportedTask {
            lead_unit_id,
            dates: TaskDates {
                assigned_on: from_day(assigned_on),
                deadline: deadline.map(from_day),
                completed_on: completed_on.map(from_day),
                cancelled_on: cancelled_on.map(from_day),
            },
            extended: extended != 0,
        },
        confidential: secret != 0,
    }
}

pub(super) trait SnapshotQueries {
    fn report_state(&mut self) -> QueryResult<State>;
    /// The rows stamped after `since`; every row for `None`.
    fn rows_since(&mut self, since: Option<i64>) -> QueryResult<Vec<Row>>;
}

impl_for_backends!(SnapshotQueries {
    fn report_state(&mut self) -> QueryResult<State> {
        // Through the query builder, so that PostgreSQL keeps it prepared:
        // every page asks it.
        report_state::table
            .find(1)
            .select((report_state::token, report_state::version, report_state::deletions))
            .first(self)
    }

    fn rows_since(&mut self, since: Option<i64>) -> QueryResult<Vec<Row>> {
        let changed = match since {
            Some(v) => format!("tasks.report_stamp > {v}"),
            None => "1 = 1".to_string(),
        };
        Ok(tasks::table
            .filter(sql::<diesel::sql_types::Bool>(&changed))
            .select((
                tasks::id,
                // A task waiting for its lead counts in the totals under no unit.
                sql::<BigInt>(&format!("COALESCE(tasks.lead_unit_id, {NO_LEAD})")),
                sql::<Integer>(&Self::day("tasks.assigned_on")),
                sql::<Nullable<Integer>>(&Self::day("tasks.deadline")),
                sql::<Nullable<Integer>>(&Self::day("tasks.completed_on")),
                sql::<Nullable<Integer>>(&Self::day("tasks.cancelled_on")),
                sql::<Integer>("(CASE WHEN tasks.original_deadline IS NULL THEN 0 ELSE 1 END)"),
                sql::<Integer>(&format!("(CASE WHEN {CONFIDENTIAL} THEN 1 ELSE 0 END)")),
            ))
            .load::<DayRow>(self)?
            .into_iter()
            .map(row_of)
            .collect())
    }
});

/// Reads that see one state of the database from their first statement to
/// their last, so that a snapshot never claims a version newer than its rows.
trait Consistent: Sized {
    fn consistent<T>(&mut self, f: impl FnOnce(&mut Self) -> QueryResult<T>) -> QueryResult<T>;
}

impl Consistent for diesel::PgConnection {
    fn consistent<T>(&mut self, f: impl FnOnce(&mut Self) -> QueryResult<T>) -> QueryResult<T> {
        self.build_transaction()
            .repeatable_read()
            .read_only()
            .run(f)
    }
}

impl Consistent for diesel::SqliteConnection {
    fn consistent<T>(&mut self, f: impl FnOnce(&mut Self) -> QueryResult<T>) -> QueryResult<T> {
        // A read transaction in WAL mode sees the database as of its first read.
        self.transaction(f)
    }
}

/// The snapshot brought to the state the connection sees: the held one when
/// it is current, the held one with the rows changed since, or every row.
fn refreshed<C: SnapshotQueries>(
    c: &mut C,
    held: Option<Arc<Snapshot>>,
) -> QueryResult<Arc<Snapshot>> {
    let state = c.report_state()?;
    match held {
        Some(s) if s.is_at(&state) => Ok(s),
        // Versions only grow, and deletions leave no stamp: otherwise read all.
        Some(s) if s.deletions == state.deletions && s.version < state.version => {
            let changed = c.rows_since(Some(s.version))?;
            let mut next = Snapshot::clone(&s);
            drop(s);
            next.apply(state.version, changed);
            Ok(Arc::new(next))
        }
        _ => Ok(Arc::new(Snapshot::of(&state, c.rows_since(None)?))),
    }
}

static HELD: LazyLock<Mutex<HashMap<String, Arc<Snapshot>>>> = LazyLock::new(Default::default);

/// One refresh at a time per database: requests arriving after a change wait
/// for the first one's read instead of each reading the same rows.
static REFRESHING: LazyLock<Mutex<HashMap<String, Arc<Mutex<()>>>>> =
    LazyLock::new(Default::default);

fn held(token: &str) -> Option<Arc<Snapshot>> {
    HELD.lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(token)
        .cloned()
}

/// Keeps a snapshot in place of the database's previous one. Refreshes run
/// one at a time per database, each reading after the one before, so the
/// last is the newest (or, after a restore, the only true one).
fn keep(snapshot: &Arc<Snapshot>) {
    HELD.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(snapshot.token.clone(), snapshot.clone());
}

/// The snapshot of the database as it is now. Outside a transaction only:
/// the refresh opens its own.
pub fn current(conn: &mut DbConn) -> QueryResult<Arc<Snapshot>> {
    with_conn!(conn, c => {
        let state = c.report_state()?;
        if let Some(s) = held(&state.token).filter(|s| s.is_at(&state)) {
            return Ok(s);
        }
        let gate = REFRESHING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(state.token.clone())
            .or_default()
            .clone();
        let _one = gate.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = c.consistent(|c| refreshed(c, held(&state.token)))?;
        keep(&fresh);
        Ok(fresh)
    })
}

/// The snapshot as a transaction in progress sees it (its own changes
/// included); not kept, since the transaction may still roll back.
pub(super) fn within<C: SnapshotQueries>(c: &mut C) -> QueryResult<Arc<Snapshot>> {
    let token = c.report_state()?.token;
    refreshed(c, held(&token))
}

/// [`within`] on either backend: for readers that run inside a write
/// transaction (the reminder planner).
pub fn within_transaction(conn: &mut DbConn) -> QueryResult<Arc<Snapshot>> {
    with_conn!(conn, c => within(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, unit: i64) -> Row {
        Row {
            id,
            task: ReportedTask {
                lead_unit_id: unit,
                dates: TaskDates {
                    assigned_on: NaiveDate::MIN,
                    deadline: None,
                    completed_on: None,
                    cancelled_on: None,
                },
                extended: false,
            },
            confidential: false,
        }
    }

    #[test]
    fn rows_stay_in_id_order_through_puts() {
        let state = State {
            token: "t".into(),
            version: 1,
            deletions: 0,
        };
        let mut s = Snapshot::of(&state, (1..=10_000).rev().map(|i| row(i * 2, 1)).collect());
        let before = s.clone();
        for id in [1, 3, 20_001, 9_999, 20_000, 30_000] {
            s.put(row(id, 2));
        }
        for i in 0..(3 * CHUNK as i64) {
            s.put(row(40_000 + i, 3));
        }
        let ids: Vec<i64> = s.rows().map(|r| r.id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(s.len(), 10_000 + 5 + 3 * CHUNK);
        assert_eq!(s.get(20_000).map(|r| r.task.lead_unit_id), Some(2));
        assert_eq!(s.get(4).map(|r| r.task.lead_unit_id), Some(1));
        assert!(s.get(0).is_none() && s.get(5).is_none() && s.get(90_000).is_none());
        assert!(ids.iter().all(|id| s.get(*id).is_some_and(|r| r.id == *id)));
        assert!(s
            .rows
            .0
            .iter()
            .all(|c| !c.is_empty() && c.len() < 2 * CHUNK));
        // The snapshot it came from is untouched.
        assert_eq!(before.len(), 10_000);
        assert!(before.rows().all(|r| r.task.lead_unit_id == 1));
    }

    #[test]
    fn the_rows_of_some_units_are_the_rows_they_lead_through_every_change() {
        use crate::domain::xorshift::Xorshift;
        let mut rng = Xorshift(11);
        let units = [NO_LEAD, 1, 2, 3, 70_000];
        let mut pick = |n: u64| rng.next(n);
        let mut s = Snapshot::of(
            &state(1),
            (1..=3_000)
                .map(|i| row(i * 3, units[pick(5) as usize]))
                .collect(),
        );
        for v in 2..60 {
            // Some rows move to another unit, some are new.
            let changed: Vec<Row> = (0..pick(400))
                .map(|_| row(pick(12_000) as i64, units[pick(5) as usize]))
                .collect();
            s.apply(v, changed);
            let every: Vec<Row> = s.rows().copied().collect();
            for set in [vec![1], vec![2, 3], vec![NO_LEAD, 70_000], vec![4], vec![]] {
                let led = IdSet::new(Some(&set));
                let mut ids: Vec<i64> = s.led_by(&led).rows().map(|r| r.id).collect();
                ids.sort_unstable();
                let want: Vec<i64> = every
                    .iter()
                    .filter(|r| led.holds(r.task.lead_unit_id))
                    .map(|r| r.id)
                    .collect();
                assert_eq!(ids, want, "units {set:?} at {v}");
                assert_eq!(s.led_by(&led).len(), want.len());
            }
            assert_eq!(s.led_by(&IdSet::new(None)).len(), every.len());
            assert!(s.led.values().all(|c| c.0.iter().all(|c| !c.is_empty())));
        }
        let some: Vec<i64> = (0..20).map(|i| i * 5).chain([1_000_000]).collect();
        let found: Vec<i64> = s.of_ids(&some).rows().map(|r| r.id).collect();
        let held: Vec<i64> = some.into_iter().filter(|id| s.get(*id).is_some()).collect();
        assert!(!held.is_empty());
        assert_eq!(found, held);
    }

    #[test]
    fn a_part_is_walked_in_runs_of_about_as_many_rows() {
        let s = Snapshot::of(
            &state(1),
            (1..=10 * CHUNK as i64).map(|i| row(i, 1)).collect(),
        );
        for parts in [1, 2, 3, 4, 7] {
            let runs = s.all().runs(parts);
            assert!(runs.len() <= parts, "{parts}");
            let ids: Vec<i64> = runs.into_iter().flatten().map(|r| r.id).collect();
            assert_eq!(ids, (1..=10 * CHUNK as i64).collect::<Vec<_>>());
        }
        assert!(Snapshot::default().all().runs(4).is_empty());
    }

    fn state(version: i64) -> State {
        State {
            token: "t".into(),
            version,
            deletions: 0,
        }
    }

    #[test]
    fn the_rows_changed_since_a_version_are_told_as_they_were_and_are() {
        let mut s = Snapshot::of(&state(5), (1..=100).map(|i| row(i, 1)).collect());
        assert_eq!(s.changed_since(5), Some(Vec::new()));
        assert_eq!(s.changed_since(4), None, "older than the first read");
        s.apply(6, vec![row(3, 2), row(200, 2)]);
        s.apply(9, vec![row(3, 3), row(4, 3)]);
        let mut since_5 = s.changed_since(5).expect("kept");
        since_5.sort_by_key(|(_, is)| is.id);
        assert_eq!(
            since_5,
            vec![
                (Some(row(3, 1)), row(3, 3)),
                (Some(row(4, 1)), row(4, 3)),
                (None, row(200, 2)),
            ]
        );
        let mut since_6 = s.changed_since(6).expect("kept");
        since_6.sort_by_key(|(_, is)| is.id);
        assert_eq!(
            since_6,
            vec![(Some(row(3, 2)), row(3, 3)), (Some(row(4, 1)), row(4, 3))]
        );
        assert_eq!(s.changed_since(7), None, "no snapshot was at version 7");
        assert_eq!(s.changed_since(10), None, "newer than the snapshot");
        // Only the last refreshes are kept.
        for v in 10..(10 + RECENT_REFRESHES as i64) {
            s.apply(v, vec![row(5, v)]);
        }
        assert_eq!(s.changed_since(5), None);
        assert_eq!(s.changed_since(9).map(|c| c.len()), Some(1));
        s.apply(
            100,
            (1..=RECENT_ROWS as i64 + 1).map(|i| row(i, 4)).collect(),
        );
        assert_eq!(s.changed_since(99), None, "a refresh too large is not kept");
        assert_eq!(s.changed_since(100), Some(Vec::new()));
    }

    #[test]
    fn day_numbers_round_trip() {
        use chrono::Datelike;
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
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
}
