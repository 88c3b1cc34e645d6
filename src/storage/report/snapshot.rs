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
    chunks: Vec<Arc<Vec<Row>>>,
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

/// A run of a snapshot's rows, in id order.
#[derive(Debug, Clone)]
pub struct Rows<'s> {
    chunks: std::slice::Iter<'s, Arc<Vec<Row>>>,
    rows: std::slice::Iter<'s, Row>,
}

impl<'s> Rows<'s> {
    fn of(chunks: &'s [Arc<Vec<Row>>]) -> Rows<'s> {
        Rows {
            chunks: chunks.iter(),
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
    pub fn rows(&self) -> Rows<'_> {
        Rows::of(&self.chunks)
    }

    /// Every row in at most `parts` runs of about as many rows, one after
    /// the other in id order: to be walked apart, on several cores.
    pub fn runs(&self, parts: usize) -> Vec<Rows<'_>> {
        let per_run = self.chunks.len().div_ceil(parts.max(1)).max(1);
        self.chunks.chunks(per_run).map(Rows::of).collect()
    }

    /// The row of one task, if the snapshot holds it.
    pub fn get(&self, id: i64) -> Option<&Row> {
        // The chunk that would hold the id: the last one starting at or before it.
        let i = self
            .chunks
            .partition_point(|c| c.first().is_some_and(|f| f.id <= id))
            .checked_sub(1)?;
        let chunk = &self.chunks[i];
        chunk
            .binary_search_by_key(&id, |r| r.id)
            .ok()
            .map(|j| &chunk[j])
    }

    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    fn of(state: &State, mut rows: Vec<Row>) -> Snapshot {
        rows.sort_unstable_by_key(|r| r.id);
        static READS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Snapshot {
            token: state.token.clone(),
            version: state.version,
            lineage: READS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            deletions: state.deletions,
            chunks: rows.chunks(CHUNK).map(|c| Arc::new(c.to_vec())).collect(),
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
            .map(|row| {
                let old = self.get(row.id).copied();
                self.put(row);
                (old, row)
            })
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

    /// Puts a row in place of the one of its id, or adds it.
    fn put(&mut self, row: Row) {
        let Some(last) = self.chunks.len().checked_sub(1) else {
            self.chunks.push(Arc::new(vec![row]));
            return;
        };
        // The chunk that holds the id, or would: the last one starting at or before it.
        let i = self
            .chunks
            .partition_point(|c| c.first().is_some_and(|f| f.id <= row.id))
            .saturating_sub(1)
            .min(last);
        let chunk = Arc::make_mut(&mut self.chunks[i]);
        match chunk.binary_search_by_key(&row.id, |r| r.id) {
            Ok(j) => chunk[j] = row,
            Err(j) => {
                chunk.insert(j, row);
                if chunk.len() >= 2 * CHUNK {
                    let tail = chunk.split_off(CHUNK);
                    self.chunks.insert(i + 1, Arc::new(tail));
                }
            }
        }
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
            .chunks
            .iter()
            .all(|c| !c.is_empty() && c.len() < 2 * CHUNK));
        // The snapshot it came from is untouched.
        assert_eq!(before.len(), 10_000);
        assert!(before.rows().all(|r| r.task.lead_unit_id == 1));
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
