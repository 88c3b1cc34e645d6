//! One walk of the report's rows for a list of tasks: the rows a list selects
//! and its reader may see are counted, and only the first of them in the
//! list's order are kept. The dashboard's drill-down lists and the task list
//! both walk this way, so their statuses and periods are the domain's.

use diesel::prelude::*;
use std::collections::{BinaryHeap, HashMap};

use super::super::schema::task_coordinators;
use super::super::visibility::{Sight, Viewer};
use super::super::{in_chunks, Conn, DbConn, Result, IN_CHUNK};
use super::snapshot::{Row, Rows, Snapshot};

/// The rows of `snap` that `selects` keeps and `viewer` may see: how many,
/// and the first `n` of their keys in order (`usize::MAX`: all of them).
pub fn first_seen<K: Ord + Send>(
    conn: &mut Conn,
    snap: &Snapshot,
    viewer: &Viewer,
    n: usize,
    selects: impl Fn(&Row) -> bool + Sync,
    key: impl Fn(&Row) -> K + Sync,
) -> Result<(i64, Vec<K>)> {
    let sight = viewer.sight();
    let runs = match snap.len() < APART_FROM {
        true => 1,
        false => std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_RUNS),
    };
    let Walk {
        mut first,
        mut total,
        undecided,
    } = walk(snap, runs, n, &sight, &selects, &key);
    let ids: Vec<i64> = undecided.iter().map(|r| r.id).collect();
    let coordinators = coordinators_of(conn, &ids)?;
    for r in undecided {
        let of_task = || coordinators.get(&r.id).cloned().unwrap_or_default();
        if sight.holds(&r.sighted(), of_task) {
            total += 1;
            first.offer(key(r));
        }
    }
    Ok((total, first.sorted()))
}

/// The walk of [`first_seen`] over the rows, in `runs` runs at once.
fn walk<'s, K: Ord + Send>(
    snap: &'s Snapshot,
    runs: usize,
    n: usize,
    sight: &Sight,
    selects: &(impl Fn(&Row) -> bool + Sync),
    key: &(impl Fn(&Row) -> K + Sync),
) -> Walk<'s, K> {
    let walks = apart(snap, runs, |rows| {
        let mut walk = Walk::new(n);
        for r in rows {
            if !selects(r) {
                continue;
            }
            match seen_by_row(sight, r) {
                // Confidential tasks whose reader's sight depends on their
                // coordinators, which the snapshot does not hold: decided
                // after the walk, on those few.
                None => walk.undecided.push(r),
                Some(true) => {
                    walk.total += 1;
                    walk.first.offer(key(r));
                }
                Some(false) => {}
            }
        }
        walk
    });
    let mut all = Walk::new(n);
    for walk in walks {
        all.total += walk.total;
        for k in walk.first.kept {
            all.first.offer(k);
        }
        all.undecided.extend(walk.undecided);
    }
    all
}

/// What a walk found: how many rows it saw, the first of their keys, and
/// the rows whose sight asks for their coordinators.
struct Walk<'s, K> {
    first: First<K>,
    total: i64,
    undecided: Vec<&'s Row>,
}

impl<K: Ord> Walk<'_, K> {
    fn new(n: usize) -> Self {
        Walk {
            first: First::new(n),
            total: 0,
            undecided: Vec::new(),
        }
    }
}

/// Snapshots from this many rows are walked on several cores: below it,
/// starting a thread costs more than the walk it shares.
const APART_FROM: usize = 100_000;

/// At most this many runs, whatever the cores: a list is one request among
/// others.
const MAX_RUNS: usize = 4;

/// `walk` over every row of `snap` in at most `runs` runs, walked at once
/// (the first on this thread); the results in the runs' (id) order.
fn apart<'s, T: Send>(
    snap: &'s Snapshot,
    runs: usize,
    walk: impl Fn(Rows<'s>) -> T + Sync,
) -> Vec<T> {
    let mut runs = snap.runs(runs).into_iter();
    let Some(own) = runs.next() else {
        return Vec::new();
    };
    let walk = &walk;
    std::thread::scope(|s| {
        let others: Vec<_> = runs.map(|run| s.spawn(move || walk(run))).collect();
        let mut out = vec![walk(own)];
        for other in others {
            // A walk that panicked goes on panicking here, as it would have alone.
            out.push(
                other
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            );
        }
        out
    })
}

/// Whether `sight` holds a row, told by the row alone; `None` when it asks
/// for the task's coordinators, which the row does not hold.
fn seen_by_row(sight: &Sight, r: &Row) -> Option<bool> {
    let mut asks_coordinators = false;
    let seen = sight.holds(&r.sighted(), || {
        asks_coordinators = true;
        Vec::new()
    });
    (!asks_coordinators).then_some(seen)
}

/// How many more of the rows `selects` keeps and `viewer` may see there are
/// after the `changed` rows (each as it was, `None` when new, and as it is)
/// than before: a count of [`first_seen`] brought up to date by the changed
/// rows alone. `None` when the sight of one of them asks for its
/// coordinators.
pub fn count_moved(
    viewer: &Viewer,
    changed: &[(Option<Row>, Row)],
    selects: impl Fn(&Row) -> bool,
) -> Option<i64> {
    let sight = viewer.sight();
    let counts = |r: &Row| match selects(r) {
        false => Some(0),
        true => seen_by_row(&sight, r).map(i64::from),
    };
    let mut moved = 0;
    for (was, is) in changed {
        moved += counts(is)?;
        if let Some(was) = was {
            moved -= counts(was)?;
        }
    }
    Some(moved)
}

/// A set of ids (units, tasks) for a membership test per row; `None`
/// holds every id.
pub struct IdSet(Option<Vec<i64>>);

impl IdSet {
    pub fn new(ids: Option<&[i64]>) -> IdSet {
        IdSet(ids.map(|ids| {
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            ids.dedup();
            ids
        }))
    }

    pub fn holds(&self, id: i64) -> bool {
        self.0
            .as_ref()
            .is_none_or(|ids| ids.binary_search(&id).is_ok())
    }
}

/// The first `n` keys offered, in order, kept without holding the others.
struct First<K> {
    n: usize,
    /// A max-heap of the kept keys.
    kept: BinaryHeap<K>,
}

impl<K: Ord> First<K> {
    fn new(n: usize) -> First<K> {
        First {
            n,
            kept: BinaryHeap::new(),
        }
    }

    fn offer(&mut self, key: K) {
        if self.kept.len() < self.n {
            self.kept.push(key);
        } else if let Some(mut last) = self.kept.peek_mut() {
            if key < *last {
                *last = key;
            }
        }
    }

    fn sorted(self) -> Vec<K> {
        self.kept.into_sorted_vec()
    }
}

/// The coordinating units of these tasks.
/// The coordinating units of each of `ids` that has any, in unit id order.
pub(crate) fn coordinators_of(
    conn: &mut DbConn,
    ids: &[i64],
) -> diesel::QueryResult<HashMap<i64, Vec<i64>>> {
    let pairs: Vec<(i64, i64)> = in_chunks(ids, IN_CHUNK, |chunk| {
        task_coordinators::table
            .filter(task_coordinators::task_id.eq_any(chunk))
            .order((task_coordinators::task_id, task_coordinators::unit_id))
            .select((task_coordinators::task_id, task_coordinators::unit_id))
            .load::<(i64, i64)>(conn)
    })?;
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for (task, unit) in pairs {
        out.entry(task).or_default().push(unit);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_in_runs_finds_what_one_walk_finds() {
        use crate::domain::report::ReportedTask;
        use crate::domain::TaskDates;
        let day = |d: i32| chrono::NaiveDate::from_num_days_from_ce_opt(738_000 + d);
        let rows: Vec<Row> = (1..=20_000i64)
            .map(|id| Row {
                id: id * 3,
                task: ReportedTask {
                    lead_unit_id: id % 7,
                    dates: TaskDates {
                        assigned_on: day(0).unwrap_or_default(),
                        deadline: day(((id * 7919) % 365) as i32),
                        completed_on: None,
                        cancelled_on: None,
                    },
                    extended: false,
                },
                confidential: id % 11 == 0,
            })
            .collect();
        let snap = Snapshot::of_rows(rows);
        let sights = [
            Viewer::All.sight(),
            Viewer::Open.sight(),
            Viewer::Unit(3).sight(),
        ];
        for sight in &sights {
            let selects = |r: &Row| r.task.lead_unit_id != 2;
            let key = |r: &Row| (r.task.dates.deadline, r.id);
            let found = |runs: usize| {
                let w = walk(&snap, runs, 50, sight, &selects, &key);
                let undecided: Vec<i64> = w.undecided.iter().map(|r| r.id).collect();
                (w.total, w.first.sorted(), undecided)
            };
            let one = found(1);
            assert!(one.0 > 0 && one.1.len() == 50);
            for runs in [2, 3, 4, 64, 10_000] {
                assert_eq!(found(runs), one, "{runs} runs");
            }
        }
        let empty = Snapshot::default();
        assert_eq!(
            walk(&empty, 4, 50, &sights[0], &|_: &Row| true, &|r: &Row| r.id).total,
            0
        );
    }

    #[test]
    fn the_first_keys_are_kept_in_order_and_no_others() {
        let mut all: Vec<(u8, i64)> = (0..1000)
            .map(|i| (((i * 7919) % 7) as u8, (i * 31) % 1000))
            .collect();
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
