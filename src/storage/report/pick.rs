//! One walk of the report's rows for a list of tasks: the rows a list selects
//! and its reader may see are counted, and only the first of them in the
//! list's order are kept. The dashboard's drill-down lists and the task list
//! both walk this way, so their statuses and periods are the domain's.

use diesel::prelude::*;
use std::collections::{BinaryHeap, HashMap};

use super::super::schema::task_coordinators;
use super::super::visibility::Viewer;
use super::super::{in_chunks, Conn, DbConn, Result, IN_CHUNK};
use super::snapshot::{Row, Snapshot};

/// The rows of `snap` that `selects` keeps and `viewer` may see: how many,
/// and the first `n` of their keys in order (`usize::MAX`: all of them).
pub fn first_seen<K: Ord>(
    conn: &mut Conn,
    snap: &Snapshot,
    viewer: &Viewer,
    n: usize,
    selects: impl Fn(&Row) -> bool,
    key: impl Fn(&Row) -> K,
) -> Result<(i64, Vec<K>)> {
    let sight = viewer.sight();
    let mut first = First::new(n);
    let mut total = 0i64;
    // Confidential tasks whose reader's sight depends on their coordinators,
    // which the snapshot does not hold: decided after the walk, on those few.
    let mut undecided: Vec<&Row> = Vec::new();
    for r in snap.rows() {
        if !selects(r) {
            continue;
        }
        let mut asks_coordinators = false;
        let seen = sight.holds(&r.sighted(), || {
            asks_coordinators = true;
            Vec::new()
        });
        if asks_coordinators {
            undecided.push(r);
        } else if seen {
            total += 1;
            first.offer(key(r));
        }
    }
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
