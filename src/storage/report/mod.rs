//! The period report. Everything the dashboard shows comes from here: the
//! counts by unit (with the ages of overdue tasks), the completion over the
//! months, and the tasks behind any of these numbers. The page, the JSON API,
//! the print view and the exports all call these functions.
//!
//! Every number and every list is computed from the report's snapshot
//! ([`snapshot`]: a few bytes per task, kept in the process and brought up to
//! date from the rows changed since) by the domain's own functions
//! (`domain::dashboard::{count, count_points, count_with_points, Drill}`), so a number and the
//! list behind it cannot disagree. A computed report is kept; after a change
//! it is moved to the new data version by the rows the change touched (counts
//! add up task by task), not counted again.

mod drill;
pub mod pick;
pub mod snapshot;

use chrono::NaiveDate;
use diesel::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::id_set::IdSet;
use super::units::UnitInfo;
use super::{Conn, Result};
pub use crate::domain::dashboard::Tally;
use crate::domain::dashboard::{
    count, count_points, count_with_points, points_moved, tallies_moved, AgeCounts, ProgressPoint,
};
use crate::domain::report::{Counts, ReportedTask};
use crate::domain::Period;
pub use drill::{load_tasks, report_task_ids, TaskQuery};
use snapshot::Snapshot;

/// Reports already computed, by database: a report is a pure function of the
/// tasks' units and dates, so one computed at a version stays exact until the
/// version moves (any change of those columns raises it, in the same
/// transaction). A report is kept with the version and read of the rows it
/// was computed from; after a change it is moved to the new version by the
/// rows changed since (see [`at_snapshot`]).
mod cache {
    use super::{Counts, Tally};
    use chrono::NaiveDate;
    use std::collections::{BTreeMap, HashMap};
    use std::hash::Hash;
    use std::sync::{Arc, LazyLock, Mutex};

    /// A report: its period, as-of date and units (`None`: all).
    pub type TallyKey = (NaiveDate, NaiveDate, NaiveDate, Option<Vec<i64>>);
    /// The points of a completion chart and their units.
    pub type PointsKey = (Vec<(NaiveDate, NaiveDate, NaiveDate)>, Option<Vec<i64>>);

    /// Reports kept per database; past this, they are all dropped.
    const MAX_ENTRIES: usize = 256;

    /// A value computed from one version of one read of the rows
    /// (`Snapshot::lineage`).
    #[derive(Debug)]
    pub struct Kept<T> {
        pub version: i64,
        pub lineage: u64,
        pub value: Arc<T>,
    }

    impl<T> Clone for Kept<T> {
        fn clone(&self) -> Self {
            Kept {
                value: self.value.clone(),
                ..*self
            }
        }
    }

    #[derive(Default)]
    struct Store {
        tallies: HashMap<TallyKey, Kept<BTreeMap<i64, Tally>>>,
        points: HashMap<PointsKey, Kept<Vec<Counts>>>,
    }

    static STORES: LazyLock<Mutex<HashMap<String, Store>>> = LazyLock::new(Default::default);

    fn with_store<T>(token: &str, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut stores = STORES.lock().unwrap_or_else(|e| e.into_inner());
        f(stores.entry(token.to_string()).or_default())
    }

    /// Keeps a value unless one of a later version of the same or a later
    /// read is kept (the caller read older rows).
    fn keep<K: Hash + Eq, T>(map: &mut HashMap<K, Kept<T>>, key: K, kept: Kept<T>) {
        if map
            .get(&key)
            .is_some_and(|k| (k.lineage, k.version) > (kept.lineage, kept.version))
        {
            return;
        }
        if map.len() >= MAX_ENTRIES && !map.contains_key(&key) {
            map.clear();
        }
        map.insert(key, kept);
    }

    /// The report kept under `key`, of whatever version.
    pub fn tallies(token: &str, key: &TallyKey) -> Option<Kept<BTreeMap<i64, Tally>>> {
        with_store(token, |s| s.tallies.get(key).cloned())
    }

    pub fn keep_tallies(token: &str, key: TallyKey, kept: Kept<BTreeMap<i64, Tally>>) {
        with_store(token, |s| keep(&mut s.tallies, key, kept));
    }

    /// The chart's totals kept under `key`, of whatever version.
    pub fn points(token: &str, key: &PointsKey) -> Option<Kept<Vec<Counts>>> {
        with_store(token, |s| s.points.get(key).cloned())
    }

    pub fn keep_points(token: &str, key: PointsKey, kept: Kept<Vec<Counts>>) {
        with_store(token, |s| keep(&mut s.points, key, kept));
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
}

/// A value kept from the snapshot's own rows: exactly as kept when computed
/// at its version, else moved there by `moved` from the tasks of `units`
/// changed since (as they were, as they are); `None` when nothing is kept
/// from this read of the rows, or the changes since are no longer told.
fn at_snapshot<T>(
    snap: &Snapshot,
    kept: Option<cache::Kept<T>>,
    units: &IdSet,
    moved: impl FnOnce(&T, &[ReportedTask], &[ReportedTask]) -> T,
) -> Option<Arc<T>> {
    let kept = kept.filter(|k| k.lineage == snap.lineage)?;
    if kept.version == snap.version {
        return Some(kept.value);
    }
    let changed = snap.changed_since(kept.version)?;
    let ours = |r: &snapshot::Row| units.holds(r.task.lead_unit_id).then_some(r.task);
    let left: Vec<ReportedTask> = changed
        .iter()
        .filter_map(|(was, _)| was.as_ref().and_then(ours))
        .collect();
    let joined: Vec<ReportedTask> = changed.iter().filter_map(|(_, is)| ours(is)).collect();
    Some(Arc::new(moved(&kept.value, &left, &joined)))
}

/// The value as kept for the snapshot's version.
fn kept_at<T>(snap: &Snapshot, value: &Arc<T>) -> cache::Kept<T> {
    cache::Kept {
        version: snap.version,
        lineage: snap.lineage,
        value: value.clone(),
    }
}

/// A report's counts by unit kept under `key`, at the snapshot's version.
fn report_at(
    snap: &Snapshot,
    key: &TallyKey,
    period: &Period,
    as_of: NaiveDate,
    units: &IdSet,
) -> Option<Arc<BTreeMap<i64, Tally>>> {
    at_snapshot(
        snap,
        cache::tallies(&snap.token, key),
        units,
        |kept, left, joined| {
            tallies_moved(
                kept,
                &count(left, period, as_of),
                &count(joined, period, as_of),
            )
        },
    )
}

/// A chart's totals kept under `key`, at the snapshot's version.
fn chart_at(
    snap: &Snapshot,
    key: &PointsKey,
    points: &[ProgressPoint],
    units: &IdSet,
) -> Option<Arc<Vec<Counts>>> {
    at_snapshot(
        snap,
        cache::points(&snap.token, key),
        units,
        |kept, left, joined| {
            points_moved(
                kept,
                &count_points(left, points),
                &count_points(joined, points),
            )
        },
    )
}

/// Whether a kept value is the snapshot's own.
fn exact<T>(snap: &Snapshot, kept: Option<cache::Kept<T>>) -> Option<Arc<T>> {
    kept.filter(|k| k.lineage == snap.lineage && k.version == snap.version)
        .map(|k| k.value)
}

/// The tasks of the snapshot led by these units (all for `None`): only
/// theirs are read.
fn tasks_of<'a>(
    snap: &'a Snapshot,
    units: &IdSet,
) -> impl Iterator<Item = &'a ReportedTask> + Clone {
    snap.led_by(units).rows().map(|r| &r.task)
}

fn count_report(
    snap: &Snapshot,
    period: &Period,
    as_of: NaiveDate,
    units: &IdSet,
) -> BTreeMap<i64, Tally> {
    crate::metrics::METRICS.report_computations.inc();
    count(tasks_of(snap, units), period, as_of)
}

fn count_chart(snap: &Snapshot, points: &[ProgressPoint], units: &IdSet) -> Vec<Counts> {
    crate::metrics::METRICS.report_computations.inc();
    count_points(tasks_of(snap, units), points)
}

type TallyKey = cache::TallyKey;
type PointsKey = cache::PointsKey;

fn tally_key(period: &Period, as_of: NaiveDate, units: Option<&[i64]>) -> TallyKey {
    (period.from, period.to, as_of, units.map(<[i64]>::to_vec))
}

fn points_key(points: &[ProgressPoint], units: Option<&[i64]>) -> PointsKey {
    (
        points
            .iter()
            .map(|p| (p.period.from, p.period.to, p.as_of))
            .collect(),
        units.map(<[i64]>::to_vec),
    )
}

/// The counts by lead unit of a report, computed once per data version
/// (moved from the last one kept by the rows changed since).
pub fn tallies(
    conn: &mut Conn,
    period: &Period,
    as_of: NaiveDate,
    units: Option<&[i64]>,
) -> Result<Arc<BTreeMap<i64, Tally>>> {
    let snap = snapshot::current(conn)?;
    let token = &snap.token;
    let key = tally_key(period, as_of, units);
    cache::once(
        token,
        || exact(&snap, cache::tallies(token, &key)),
        || {
            let in_units = IdSet::new(units);
            let report = report_at(&snap, &key, period, as_of, &in_units)
                .unwrap_or_else(|| Arc::new(count_report(&snap, period, as_of, &in_units)));
            cache::keep_tallies(token, key.clone(), kept_at(&snap, &report));
            Ok(report)
        },
    )
}

/// The totals of the points of a completion chart, computed once per data
/// version (moved from the last one kept by the rows changed since).
pub fn point_counts(
    conn: &mut Conn,
    points: &[ProgressPoint],
    units: Option<&[i64]>,
) -> Result<Arc<Vec<Counts>>> {
    let snap = snapshot::current(conn)?;
    let token = &snap.token;
    let key = points_key(points, units);
    cache::once(
        token,
        || exact(&snap, cache::points(token, &key)),
        || {
            let in_units = IdSet::new(units);
            let counts = chart_at(&snap, &key, points, &in_units)
                .unwrap_or_else(|| Arc::new(count_chart(&snap, points, &in_units)));
            cache::keep_points(token, key.clone(), kept_at(&snap, &counts));
            Ok(counts)
        },
    )
}

/// The report's queries inside a transaction in progress (closing a period
/// freezes the counts its own transaction sees).
pub trait ReportQueries {
    /// The counts by lead unit of a period's report as of a date, for some units or all.
    fn report_tallies(
        &mut self,
        period: &Period,
        as_of: NaiveDate,
        units: Option<&[i64]>,
    ) -> QueryResult<BTreeMap<i64, Tally>>;
}

impl<C: snapshot::SnapshotQueries> ReportQueries for C {
    fn report_tallies(
        &mut self,
        period: &Period,
        as_of: NaiveDate,
        units: Option<&[i64]>,
    ) -> QueryResult<BTreeMap<i64, Tally>> {
        Ok(count_report(
            &*snapshot::within(self)?,
            period,
            as_of,
            &IdSet::new(units),
        ))
    }
}

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

/// The counts by unit of a report, and the totals of its chart's points.
pub type ReportAndPoints = (Arc<BTreeMap<i64, Tally>>, Arc<Vec<Counts>>);

/// A report and the points of its completion chart, from one snapshot, each
/// computed unless already computed at this data version (or moved from the
/// last one kept by the rows changed since).
pub fn report_and_points(
    conn: &mut Conn,
    period: &Period,
    as_of: NaiveDate,
    points: &[ProgressPoint],
    units: Option<&[i64]>,
) -> Result<ReportAndPoints> {
    let snap = snapshot::current(conn)?;
    let token = &snap.token;
    let (report_key, points_key) = (tally_key(period, as_of, units), points_key(points, units));
    let known = || {
        Some((
            exact(&snap, cache::tallies(token, &report_key))?,
            exact(&snap, cache::points(token, &points_key))?,
        ))
    };
    cache::once(token, known, || {
        let in_units = IdSet::new(units);
        let (report, counts) = match (
            report_at(&snap, &report_key, period, as_of, &in_units),
            chart_at(&snap, &points_key, points, &in_units),
        ) {
            (Some(report), Some(counts)) => (report, counts),
            (Some(report), None) => (report, Arc::new(count_chart(&snap, points, &in_units))),
            (None, Some(counts)) => (
                Arc::new(count_report(&snap, period, as_of, &in_units)),
                counts,
            ),
            // Both from one walk over the rows.
            (None, None) => {
                crate::metrics::METRICS.report_computations.inc();
                let (report, counts) =
                    count_with_points(tasks_of(&snap, &in_units), period, as_of, points);
                (Arc::new(report), Arc::new(counts))
            }
        };
        cache::keep_tallies(token, report_key.clone(), kept_at(&snap, &report));
        cache::keep_points(token, points_key.clone(), kept_at(&snap, &counts));
        Ok((report, counts))
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
                        || cache::tallies(&token, &key).map(|k| k.value),
                        || {
                            computed.fetch_add(1, Ordering::SeqCst);
                            let fresh = Arc::new(BTreeMap::new());
                            let kept = cache::Kept {
                                version: 7,
                                lineage: 1,
                                value: fresh.clone(),
                            };
                            cache::keep_tallies(&token, key.clone(), kept);
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
}
