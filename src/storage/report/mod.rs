//! The period report. Everything the dashboard shows comes from here: the
//! counts by unit (with the ages of overdue tasks), the completion over the
//! months, and the tasks behind any of these numbers. The page, the JSON API,
//! the print view and the exports all call these functions.
//!
//! Every number and every list is computed from the report's snapshot
//! ([`snapshot`]: a few bytes per task, kept in the process and brought up to
//! date from the rows changed since) by the domain's own functions
//! (`domain::dashboard::{count, count_points, count_with_points, Drill}`), so a number and the
//! list behind it cannot disagree. A computed report is kept until the data
//! version moves.

mod drill;
pub mod pick;
pub mod snapshot;

use chrono::NaiveDate;
use diesel::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::units::UnitInfo;
use super::{Conn, Result};
pub use crate::domain::dashboard::Tally;
use crate::domain::dashboard::{count, count_points, count_with_points, AgeCounts, ProgressPoint};
use crate::domain::report::{Counts, ReportedTask};
use crate::domain::Period;
pub use drill::{load_tasks, report_task_ids, TaskQuery};
use pick::IdSet;
use snapshot::Snapshot;

/// Reports already computed, by database and data version: a report is a pure
/// function of the tasks' units and dates, so one computed at a version stays
/// exact until the version moves (any change of those columns raises it, in
/// the same transaction). The version is the snapshot's own, so a report is
/// kept under exactly the version of the rows it was computed from.
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

/// The tasks of the snapshot led by these units (all for `None`).
fn tasks_of<'a>(
    snap: &'a Snapshot,
    units: &'a IdSet,
) -> impl Iterator<Item = &'a ReportedTask> + Clone {
    snap.rows()
        .map(|r| &r.task)
        .filter(|t| units.holds(t.lead_unit_id))
}

fn count_report(
    snap: &Snapshot,
    period: &Period,
    as_of: NaiveDate,
    units: Option<&[i64]>,
) -> BTreeMap<i64, Tally> {
    crate::metrics::METRICS.report_computations.inc();
    let units = IdSet::new(units);
    count(tasks_of(snap, &units), period, as_of)
}

fn count_chart(snap: &Snapshot, points: &[ProgressPoint], units: Option<&[i64]>) -> Vec<Counts> {
    crate::metrics::METRICS.report_computations.inc();
    let units = IdSet::new(units);
    count_points(tasks_of(snap, &units), points)
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

/// The counts by lead unit of a report, computed once per data version.
pub fn tallies(
    conn: &mut Conn,
    period: &Period,
    as_of: NaiveDate,
    units: Option<&[i64]>,
) -> Result<Arc<BTreeMap<i64, Tally>>> {
    let snap = snapshot::current(conn)?;
    let (token, version) = (&snap.token, snap.version);
    let key = tally_key(period, as_of, units);
    cache::once(
        token,
        || cache::tallies(token, version, &key),
        || {
            let fresh = Arc::new(count_report(&snap, period, as_of, units));
            cache::keep_tallies(token, version, key.clone(), fresh.clone());
            Ok(fresh)
        },
    )
}

/// The totals of the points of a completion chart, computed once per data version.
pub fn point_counts(
    conn: &mut Conn,
    points: &[ProgressPoint],
    units: Option<&[i64]>,
) -> Result<Arc<Vec<Counts>>> {
    let snap = snapshot::current(conn)?;
    let (token, version) = (&snap.token, snap.version);
    let key = points_key(points, units);
    cache::once(
        token,
        || cache::points(token, version, &key),
        || {
            let fresh = Arc::new(count_chart(&snap, points, units));
            cache::keep_points(token, version, key.clone(), fresh.clone());
            Ok(fresh)
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
            units,
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
/// computed unless already computed at this data version.
pub fn report_and_points(
    conn: &mut Conn,
    period: &Period,
    as_of: NaiveDate,
    points: &[ProgressPoint],
    units: Option<&[i64]>,
) -> Result<ReportAndPoints> {
    let snap = snapshot::current(conn)?;
    let (token, version) = (&snap.token, snap.version);
    let (report_key, points_key) = (tally_key(period, as_of, units), points_key(points, units));
    let known = || match (
        cache::tallies(token, version, &report_key),
        cache::points(token, version, &points_key),
    ) {
        (Some(report), Some(counts)) => Some((report, counts)),
        _ => None,
    };
    cache::once(token, known, || {
        let (report, counts) = match (
            cache::tallies(token, version, &report_key),
            cache::points(token, version, &points_key),
        ) {
            (Some(report), Some(counts)) => (report, counts),
            (Some(report), None) => (report, Arc::new(count_chart(&snap, points, units))),
            (None, Some(counts)) => (Arc::new(count_report(&snap, period, as_of, units)), counts),
            // Both from one walk over the rows.
            (None, None) => {
                crate::metrics::METRICS.report_computations.inc();
                let in_units = IdSet::new(units);
                let (report, counts) =
                    count_with_points(tasks_of(&snap, &in_units), period, as_of, points);
                (Arc::new(report), Arc::new(counts))
            }
        };
        cache::keep_tallies(token, version, report_key.clone(), report.clone());
        cache::keep_points(token, version, points_key.clone(), counts.clone());
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
    fn a_unit_set_holds_its_units() {
        let none = IdSet::new(Some(&[]));
        assert!(!none.holds(1));
        assert!(IdSet::new(None).holds(42));
        let some = IdSet::new(Some(&[4, 3, 3]));
        assert!(some.holds(3) && some.holds(4) && !some.holds(5));
    }
}
