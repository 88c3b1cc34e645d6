//! One walk of the report's rows for a list of tasks: the rows a list selects
//! and its reader may see are counted, and only the first of them in the
//! list's order are kept. The dashboard's drill-down lists and the task list
//! both walk this way, so their statuses and periods are the domain's.

use diesel::prelude::*;
use std::collections::{BinaryHeap, HashMap};
use std::hash::Hash;
use std::sync::Mutex;

use super::super::schema::task_coordinators;
use super::super::visibility::{Sight, Viewer};
use super::super::{in_chunks, Conn, DbConn, Result, IN_CHUNK};
use super::snapshot::{Part, Row, Rows, Snapshot};

/// The rows of `rows` that `selects` keeps and `viewer` may see: how many,
/// and the first `n` of their keys in order (`usize::MAX`: all of them).
/// `rows` must hold every row `selects` may keep: the snapshot's `all()`,
/// or only some units' rows (`led_by`) or some tasks' (`of_ids`).
pub fn first_seen<K: Ord + Send>(
    conn: &mut Conn,
    rows: &Part<'_>,
    viewer: &Viewer,
    n: usize,
    selects: impl Fn(&Row) -> bool + Sync,
    key: impl Fn(&Row) -> K + Sync,
) -> Result<(i64, Vec<K>)> {
    let sight = viewer.sight();
    let runs = match rows.len() < APART_FROM {
        true => 1,
        false => std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_RUNS),
    };
    let Walk {
        mut first,
        mut total,
        undecided,
    } = walk(rows, runs, n, &sight, &selects, &key);
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

/// [`first_seen`] for a list that is asked for again and again (a page of
/// a drill-down, an inbox's kind): its count and first keys are kept under
/// `list` in `lists`, and a later ask is answered from them, moved by the
/// rows changed since, without a walk. `list` must tell everything
/// `selects` and `key` depend on besides the row and the viewer (which is
/// part of the key already). `None` walks, as [`first_seen`], over `rows`
/// (of `snap`).
#[allow(clippy::too_many_arguments)]
pub fn first_seen_kept<Q: Eq + Hash, K: Ord + Clone + Send>(
    conn: &mut Conn,
    snap: &Snapshot,
    rows: &Part<'_>,
    kept: Option<(&KeptLists<Q, K>, Q)>,
    viewer: &Viewer,
    n: usize,
    selects: impl Fn(&Row) -> bool + Sync,
    key: impl Fn(&Row) -> K + Sync,
) -> Result<(i64, Vec<K>)> {
    let Some((lists, list)) = kept.filter(|_| n <= MAX_KEPT_KEYS) else {
        return first_seen(conn, rows, viewer, n, selects, key);
    };
    let at = Held {
        token: snap.token.clone(),
        lineage: snap.lineage,
        viewer: viewer.clone(),
        list,
    };
    if let Some(found) = lists.answer(&at, snap, n, &viewer.sight(), &selects, &key) {
        return Ok(found);
    }
    // Some keys past the page, so that the rows leaving it later are
    // replaced from them instead of by a walk.
    let want = match n {
        0 => 0,
        n => n + SPARE_KEYS,
    };
    let (total, mut first) = first_seen(conn, rows, viewer, want, &selects, &key)?;
    lists.keep(
        at,
        KeptList {
            version: snap.version,
            total,
            first: first.clone(),
        },
    );
    first.truncate(n);
    Ok((total, first))
}

/// Lists longer than this are walked each time, not kept (an export's).
const MAX_KEPT_KEYS: usize = 1000;

/// Keys kept past the ones asked for.
const SPARE_KEYS: usize = 200;

/// More kept lists than this and they start over.
const MAX_KEPT_LISTS: usize = 256;

/// The lists [`first_seen_kept`] keeps, by what they list.
pub struct KeptLists<Q, K>(Mutex<HashMap<Held<Q>, KeptList<K>>>);

impl<Q, K> Default for KeptLists<Q, K> {
    fn default() -> Self {
        KeptLists(Mutex::new(HashMap::new()))
    }
}

/// What a kept list lists: the database and read of its rows, its reader,
/// its selection and order.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Held<Q> {
    token: String,
    lineage: u64,
    viewer: Viewer,
    list: Q,
}

/// A list's count and first keys at one version of the snapshot.
#[derive(Debug, Clone, PartialEq)]
struct KeptList<K> {
    version: i64,
    total: i64,
    /// The list's first keys in order: all of them when as many as `total`.
    first: Vec<K>,
}

impl<Q: Eq + Hash, K: Ord + Clone> KeptLists<Q, K> {
    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<Held<Q>, KeptList<K>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The count and first `n` keys of the list kept under `at`, brought to
    /// the snapshot's version; `None` when none is kept, when the rows
    /// changed since are no longer told, when one of them asks for its
    /// coordinators, or when too few keys are left. The lock is let go
    /// while the list is moved.
    fn answer(
        &self,
        at: &Held<Q>,
        snap: &Snapshot,
        n: usize,
        sight: &Sight,
        selects: &impl Fn(&Row) -> bool,
        key: &impl Fn(&Row) -> K,
    ) -> Option<(i64, Vec<K>)> {
        let kept = self.held().get(at)?.clone();
        let list = match kept.version == snap.version {
            true => kept,
            false => {
                let changed = snap.changed_since(kept.version)?;
                let list = kept.moved(snap.version, &changed, sight, selects, key)?;
                self.keep_at(at, &list);
                list
            }
        };
        let all = usize::try_from(list.total).is_ok_and(|t| t == list.first.len());
        (all || list.first.len() >= n).then(|| {
            let mut first = list.first;
            first.truncate(n);
            (list.total, first)
        })
    }

    fn keep(&self, at: Held<Q>, list: KeptList<K>) {
        let mut held = self.held();
        if held.get(&at).is_some_and(|l| l.version > list.version) {
            return;
        }
        if held.len() >= MAX_KEPT_LISTS && !held.contains_key(&at) {
            held.clear();
        }
        held.insert(at, list);
    }

    /// As [`KeptLists::keep`], for a list already held under `at`.
    fn keep_at(&self, at: &Held<Q>, list: &KeptList<K>) {
        if let Some(l) = self.held().get_mut(at) {
            if l.version < list.version {
                *l = list.clone();
            }
        }
    }
}

impl<K: Ord + Clone> KeptList<K> {
    /// The list at `version`, after the `changed` rows (each as it was,
    /// `None` when new, and as it is); `None` when the sight of one of them
    /// asks for its coordinators.
    fn moved(
        &self,
        version: i64,
        changed: &[(Option<Row>, Row)],
        sight: &Sight,
        selects: impl Fn(&Row) -> bool,
        key: impl Fn(&Row) -> K,
    ) -> Option<KeptList<K>> {
        let listed = |r: &Row| match selects(r) {
            false => Some(false),
            true => seen_by_row(sight, r),
        };
        let mut list = self.clone();
        list.version = version;
        // The rows that leave first: the keys left are then the first of
        // the list, and a row that comes back takes its place among them.
        for (was, _) in changed {
            let Some(was) = was else { continue };
            if listed(was)? {
                list.total -= 1;
                if let Ok(i) = list.first.binary_search(&key(was)) {
                    list.first.remove(i);
                }
            }
        }
        for (_, is) in changed {
            if listed(is)? {
                let all = usize::try_from(list.total).is_ok_and(|t| t == list.first.len());
                list.total += 1;
                let k = key(is);
                // Past the last key kept, a row of the list not kept may come first.
                if let Err(i) = list.first.binary_search(&k) {
                    if all || i < list.first.len() {
                        list.first.insert(i, k);
                    }
                }
            }
        }
        Some(list)
    }
}

/// The walk of [`first_seen`] over the rows, in `runs` runs at once.
fn walk<'s, K: Ord + Send>(
    rows: &Part<'s>,
    runs: usize,
    n: usize,
    sight: &Sight,
    selects: &(impl Fn(&Row) -> bool + Sync),
    key: &(impl Fn(&Row) -> K + Sync),
) -> Walk<'s, K> {
    let walks = apart(rows, runs, |rows| {
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

/// `walk` over every row of `rows` in at most `runs` runs, walked at once
/// (the first on this thread); the results in the runs' order.
fn apart<'s, T: Send>(rows: &Part<'s>, runs: usize, walk: impl Fn(Rows<'s>) -> T + Sync) -> Vec<T> {
    let mut runs = rows.runs(runs).into_iter();
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
                let w = walk(&snap.all(), runs, 50, sight, &selects, &key);
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
            walk(
                &empty.all(),
                4,
                50,
                &sights[0],
                &|_: &Row| true,
                &|r: &Row| r.id
            )
            .total,
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

    #[test]
    fn a_list_moved_by_the_changed_rows_is_the_list_of_every_row() {
        use crate::domain::report::ReportedTask;
        use crate::domain::xorshift::Xorshift;
        use crate::domain::TaskDates;
        use chrono::NaiveDate;
        struct Gen(Xorshift);
        impl Gen {
            fn next(&mut self, n: u64) -> u64 {
                self.0.next(n)
            }
            fn row(&mut self, id: i64) -> Row {
                let day = |d: u64| NaiveDate::from_num_days_from_ce_opt(1 + d as i32);
                Row {
                    id,
                    task: ReportedTask {
                        lead_unit_id: self.next(4) as i64,
                        dates: TaskDates {
                            assigned_on: day(0).unwrap_or_default(),
                            deadline: day(self.next(40)),
                            completed_on: None,
                            cancelled_on: None,
                        },
                        extended: false,
                    },
                    confidential: self.next(5) == 0,
                }
            }
        }
        let selects = |r: &Row| {
            r.task.lead_unit_id != 2
                && r.task.dates.deadline < NaiveDate::from_num_days_from_ce_opt(21)
        };
        let key = |r: &Row| (r.task.dates.deadline, r.id);
        for viewer in [Viewer::All, Viewer::Open] {
            let sight = viewer.sight();
            let listed = |s: &Snapshot| {
                let mut keys: Vec<_> = s
                    .rows()
                    .filter(|r| selects(r) && sight.holds(&r.sighted(), Vec::new))
                    .map(key)
                    .collect();
                keys.sort_unstable();
                keys
            };
            for n in [0, 1, 5, 40, usize::MAX] {
                let mut g = Gen(Xorshift(0x2545_F491_4F6C_DD1D));
                let mut s = Snapshot::of_rows((1..=500).map(|id| g.row(id)).collect());
                let all = listed(&s);
                let first = KeptList {
                    version: s.version,
                    total: all.len() as i64,
                    first: all[..n.min(all.len())].to_vec(),
                };
                let mut kept = first.clone();
                for step in 0..20 {
                    let changed: Vec<Row> = (0..g.next(30) + 1)
                        .map(|_| {
                            let id = 1 + g.next(600) as i64;
                            g.row(id)
                        })
                        .collect();
                    s.apply(s.version + 1 + (step % 3), changed);
                    let all = listed(&s);
                    // Moved step by step, and in one move from the first version.
                    for from in [&kept, &first] {
                        let changed = s.changed_since(from.version).expect("kept");
                        let moved = from
                            .moved(s.version, &changed, &sight, selects, key)
                            .expect("told by the rows");
                        assert_eq!(moved.total, all.len() as i64, "n = {n}, step {step}");
                        assert_eq!(
                            moved.first,
                            all[..moved.first.len()],
                            "n = {n}, step {step}"
                        );
                        if n == usize::MAX {
                            assert_eq!(moved.first.len(), all.len(), "the whole list stays whole");
                        }
                    }
                    kept = kept
                        .moved(
                            s.version,
                            &s.changed_since(kept.version).expect("kept"),
                            &sight,
                            selects,
                            key,
                        )
                        .expect("told by the rows");
                }
            }
        }
    }

    #[test]
    fn a_kept_list_answers_while_it_holds_the_keys_asked_for() {
        use crate::domain::report::ReportedTask;
        use crate::domain::TaskDates;
        let row = |id: i64, unit: i64| Row {
            id,
            task: ReportedTask {
                lead_unit_id: unit,
                dates: TaskDates {
                    assigned_on: chrono::NaiveDate::MIN,
                    deadline: None,
                    completed_on: None,
                    cancelled_on: None,
                },
                extended: false,
            },
            confidential: false,
        };
        let mut s = Snapshot::of_rows((1..=10).map(|id| row(id, 1)).collect());
        let lists: KeptLists<u8, i64> = KeptLists::default();
        let at = |s: &Snapshot| Held {
            token: s.token.clone(),
            lineage: s.lineage,
            viewer: Viewer::All,
            list: 0u8,
        };
        let sight = Viewer::All.sight();
        let selects = |r: &Row| r.task.lead_unit_id == 1;
        let key = |r: &Row| r.id;
        let answer = |s: &Snapshot, n| lists.answer(&at(s), s, n, &sight, &selects, &key);
        assert_eq!(answer(&s, 3), None, "nothing kept yet");
        let first = KeptList {
            version: s.version,
            total: 10,
            first: vec![1, 2, 3, 4],
        };
        lists.keep(at(&s), first.clone());
        assert_eq!(answer(&s, 3), Some((10, vec![1, 2, 3])));
        assert_eq!(answer(&s, 4), Some((10, vec![1, 2, 3, 4])));
        assert_eq!(answer(&s, 5), None, "more keys than kept");
        // Two rows leave the list: one kept, one past the kept keys.
        s.apply(2, vec![row(2, 9), row(7, 9)]);
        assert_eq!(answer(&s, 3), Some((8, vec![1, 3, 4])));
        assert_eq!(answer(&s, 4), None, "the keys left are too few");
        // The moved list is kept at the new version; an older one does not replace it.
        lists.keep(at(&s), first);
        assert_eq!(answer(&s, 3), Some((8, vec![1, 3, 4])));
        // Another read of the rows (as after a restore) keeps nothing of the first.
        let again = Snapshot::of_rows((1..=10).map(|id| row(id, 1)).collect());
        assert_eq!(answer(&again, 1), None);
    }
}
