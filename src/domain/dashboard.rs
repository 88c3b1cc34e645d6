//! What the dashboard derives from a period report, free of I/O: the order and
//! the rank of the units table, the age of overdue tasks, and the points of the
//! completion-over-time chart.

use chrono::NaiveDate;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::period::{Inclusion, Period};
use super::report::{classify, placement, Counts, ReportedTask};
use super::status::Status;

/// A column of the units table that it can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    Rank,
    Code,
    Name,
    Total,
    DoneOnTime,
    DoneLate,
    InProgress,
    Overdue,
    CarriedOver,
    Extended,
    CompletionRate,
    OnTimeRate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDir {
    Asc,
    Desc,
}

impl SortDir {
    pub fn code(self) -> &'static str {
        match self {
            SortDir::Asc => "asc",
            SortDir::Desc => "desc",
        }
    }

    pub fn from_code(code: &str) -> Option<SortDir> {
        match code.trim() {
            "asc" => Some(SortDir::Asc),
            "desc" => Some(SortDir::Desc),
            _ => None,
        }
    }

    pub fn flip(self) -> SortDir {
        match self {
            SortDir::Asc => SortDir::Desc,
            SortDir::Desc => SortDir::Asc,
        }
    }
}

impl SortKey {
    pub const ALL: [SortKey; 12] = [
        SortKey::Rank,
        SortKey::Code,
        SortKey::Name,
        SortKey::Total,
        SortKey::DoneOnTime,
        SortKey::DoneLate,
        SortKey::InProgress,
        SortKey::Overdue,
        SortKey::CarriedOver,
        SortKey::Extended,
        SortKey::CompletionRate,
        SortKey::OnTimeRate,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SortKey::Rank => "rank",
            SortKey::Code => "code",
            SortKey::Name => "name",
            SortKey::Total => "total",
            SortKey::DoneOnTime => "done_on_time",
            SortKey::DoneLate => "done_late",
            SortKey::InProgress => "in_progress",
            SortKey::Overdue => "overdue",
            SortKey::CarriedOver => "carried_over",
            SortKey::Extended => "extended",
            SortKey::CompletionRate => "completion_rate",
            SortKey::OnTimeRate => "on_time_rate",
        }
    }

    pub fn from_code(code: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.code() == code.trim())
    }

    /// The direction a first click on the column sorts in: names and ranks
    /// from the top, numbers from the largest.
    pub fn natural_dir(self) -> SortDir {
        match self {
            SortKey::Rank | SortKey::Code | SortKey::Name => SortDir::Asc,
            _ => SortDir::Desc,
        }
    }
}

/// `part / whole` compared exactly (no floating point): a/b against c/d. A
/// ratio over nothing is 0, as the report's rates are.
fn cmp_ratio(a: u64, b: u64, c: u64, d: u64) -> Ordering {
    let (a, b) = if b == 0 { (0, 1) } else { (a, b) };
    let (c, d) = if d == 0 { (0, 1) } else { (c, d) };
    (a as u128 * d as u128).cmp(&(c as u128 * b as u128))
}

/// How well a unit did, best first: completion rate, then on-time rate.
fn cmp_merit(a: &Counts, b: &Counts) -> Ordering {
    cmp_ratio(b.done(), b.total, a.done(), a.total)
        .then_with(|| cmp_ratio(b.done_on_time, b.total, a.done_on_time, a.total))
}

/// The rank of each unit by completion rate, then on-time rate (1 is best;
/// equal rates share a rank and the next rank is skipped: 1, 2, 2, 4). Units
/// without tasks in the period have no rank.
pub fn ranks(counts: &[Counts]) -> Vec<Option<u32>> {
    let mut ranked: Vec<usize> = (0..counts.len()).filter(|i| counts[*i].total > 0).collect();
    ranked.sort_by(|a, b| cmp_merit(&counts[*a], &counts[*b]));
    let mut out = vec![None; counts.len()];
    let mut rank = 0u32;
    for (position, i) in ranked.iter().enumerate() {
        let tied = position > 0 && cmp_merit(&counts[ranked[position - 1]], &counts[*i]).is_eq();
        if !tied {
            rank = position as u32 + 1;
        }
        out[*i] = Some(rank);
    }
    out
}

/// One row of the units table, as the ordering sees it.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub counts: &'a Counts,
    pub rank: Option<u32>,
}

/// The order of the rows for a sort column and direction, as indexes into
/// `rows`. Ties keep the code order; unranked rows stay last when sorting by rank.
pub fn order(rows: &[Row], key: SortKey, dir: SortDir) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    let by_value = |a: &Row, b: &Row| -> Ordering {
        let (ca, cb) = (a.counts, b.counts);
        match key {
            SortKey::Rank => Ordering::Equal,
            SortKey::Code => a.code.cmp(b.code),
            SortKey::Name => {
                crate::domain::text::fold(a.name).cmp(&crate::domain::text::fold(b.name))
            }
            SortKey::Total => ca.total.cmp(&cb.total),
            SortKey::DoneOnTime => ca.done_on_time.cmp(&cb.done_on_time),
            SortKey::DoneLate => ca.done_late.cmp(&cb.done_late),
            SortKey::InProgress => ca.in_progress.cmp(&cb.in_progress),
            SortKey::Overdue => ca.overdue.cmp(&cb.overdue),
            SortKey::CarriedOver => ca.carried_over.cmp(&cb.carried_over),
            SortKey::Extended => ca.extended.cmp(&cb.extended),
            SortKey::CompletionRate => cmp_ratio(ca.done(), ca.total, cb.done(), cb.total),
            SortKey::OnTimeRate => cmp_ratio(ca.done_on_time, ca.total, cb.done_on_time, cb.total),
        }
    };
    idx.sort_by(|i, j| {
        let (a, b) = (&rows[*i], &rows[*j]);
        let primary = if key == SortKey::Rank {
            match (a.rank, b.rank) {
                (Some(x), Some(y)) => match dir {
                    SortDir::Asc => x.cmp(&y),
                    SortDir::Desc => y.cmp(&x),
                },
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        } else {
            match dir {
                SortDir::Asc => by_value(a, b),
                SortDir::Desc => by_value(b, a),
            }
        };
        primary.then_with(|| a.code.cmp(b.code))
    });
    idx
}

/// How long an overdue task has been overdue as of the report's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgeBucket {
    /// 1 to 30 days.
    UpTo30,
    /// 31 to 60 days.
    UpTo60,
    /// 61 to 120 days.
    UpTo120,
    /// More than 120 days.
    Over120,
}

impl AgeBucket {
    pub const ALL: [AgeBucket; 4] = [
        AgeBucket::UpTo30,
        AgeBucket::UpTo60,
        AgeBucket::UpTo120,
        AgeBucket::Over120,
    ];

    /// The bucket of a number of days overdue (at least 1).
    pub fn of_days(days: i64) -> Option<AgeBucket> {
        match days {
            i64::MIN..=0 => None,
            1..=30 => Some(AgeBucket::UpTo30),
            31..=60 => Some(AgeBucket::UpTo60),
            61..=120 => Some(AgeBucket::UpTo120),
            _ => Some(AgeBucket::Over120),
        }
    }

    /// `1` to `4`, as used in links (`age=2`).
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    pub fn from_number(n: &str) -> Option<AgeBucket> {
        AgeBucket::ALL
            .into_iter()
            .find(|b| b.number().to_string() == n.trim())
    }

    /// The catalogue key of the bucket's label.
    pub fn label_key(self) -> &'static str {
        match self {
            AgeBucket::UpTo30 => "age-upto-30",
            AgeBucket::UpTo60 => "age-upto-60",
            AgeBucket::UpTo120 => "age-upto-120",
            AgeBucket::Over120 => "age-over-120",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            AgeBucket::UpTo30 => "overdue_upto_30",
            AgeBucket::UpTo60 => "overdue_upto_60",
            AgeBucket::UpTo120 => "overdue_upto_120",
            AgeBucket::Over120 => "overdue_over_120",
        }
    }
}

/// Overdue tasks counted by age bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgeCounts(pub [u64; 4]);

impl AgeCounts {
    pub fn get(&self, bucket: AgeBucket) -> u64 {
        self.0[bucket as usize]
    }

    pub fn add_to(&mut self, bucket: AgeBucket, n: u64) {
        self.0[bucket as usize] += n;
    }

    pub fn add(&mut self, other: &AgeCounts) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }

    /// Takes away the counts of `other`, which these hold.
    pub fn remove(&mut self, other: &AgeCounts) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a = a.saturating_sub(b);
        }
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

/// The age of an overdue task as of a date, from the status it has then.
fn age_of(task: &ReportedTask, status: Status, as_of: NaiveDate) -> Option<AgeBucket> {
    if status != Status::Overdue {
        return None;
    }
    AgeBucket::of_days(task.dates.days_left(as_of).map(|d| -d).unwrap_or(0))
}

/// The age of a task of a period's report when it is overdue as of `as_of`.
pub fn overdue_age(task: &ReportedTask, as_of: NaiveDate) -> Option<AgeBucket> {
    age_of(task, task.dates.status_as_of(as_of)?, as_of)
}

/// What one task adds to a report: every number of the report ([`tally`](super::report::tally),
/// [`overdue_ages`], [`count`]) and every list behind one ([`Drill::selects`])
/// is defined by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contribution {
    pub status: Status,
    pub inclusion: Inclusion,
    /// When overdue, for how long.
    pub age: Option<AgeBucket>,
}

/// How a task counts in a period's report as of a date; `None` outside it.
pub fn contribution(
    task: &ReportedTask,
    period: &Period,
    as_of: NaiveDate,
) -> Option<Contribution> {
    let (status, inclusion) = classify(task, period, as_of)?;
    Some(Contribution {
        status,
        inclusion,
        age: age_of(task, status, as_of),
    })
}

/// The overdue tasks of a period's report by lead unit and age, task by task.
pub fn overdue_ages<'a>(
    tasks: impl IntoIterator<Item = &'a ReportedTask>,
    period: &Period,
    as_of: NaiveDate,
) -> BTreeMap<i64, AgeCounts> {
    let mut out: BTreeMap<i64, AgeCounts> = BTreeMap::new();
    for t in tasks {
        if let Some(bucket) = contribution(t, period, as_of).and_then(|c| c.age) {
            out.entry(t.lead_unit_id).or_default().add_to(bucket, 1);
        }
    }
    out
}

/// The counts of one unit in a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub counts: Counts,
    /// The overdue tasks by age.
    pub ages: AgeCounts,
}

impl Tally {
    fn add(&mut self, task: &ReportedTask, c: Contribution) {
        self.counts.add_task(c.status, c.inclusion, task.extended);
        if let Some(age) = c.age {
            self.ages.add_to(age, 1);
        }
    }
}

/// A report's counts by unit brought up to date after some of its tasks
/// changed, by the counts of those tasks alone: `left` counted as they were,
/// `joined` as they are (a new task only joins). The same as counting every
/// task again: counts add up task by task.
pub fn tallies_moved(
    counted: &BTreeMap<i64, Tally>,
    left: &BTreeMap<i64, Tally>,
    joined: &BTreeMap<i64, Tally>,
) -> BTreeMap<i64, Tally> {
    let mut out = counted.clone();
    for (unit, t) in joined {
        let tally = out.entry(*unit).or_default();
        tally.counts.add(&t.counts);
        tally.ages.add(&t.ages);
    }
    for (unit, t) in left {
        if let Some(tally) = out.get_mut(unit) {
            tally.counts.remove(&t.counts);
            tally.ages.remove(&t.ages);
            // A unit is listed while it has a task in the report, as counting lists it.
            if tally.counts.total == 0 {
                out.remove(unit);
            }
        }
    }
    out
}

/// The totals of a chart's points brought up to date as [`tallies_moved`]
/// brings a report's counts.
pub fn points_moved(counted: &[Counts], left: &[Counts], joined: &[Counts]) -> Vec<Counts> {
    counted
        .iter()
        .zip(left.iter().zip(joined))
        .map(|(c, (l, j))| {
            let mut c = *c;
            c.add(j);
            c.remove(l);
            c
        })
        .collect()
}

/// Unit ids below this are counted in a vector indexed by the id (ids are
/// small numbers given in turn by the database); any other in a map.
const DIRECT_UNITS: i64 = 1 << 16;

/// Tallies by lead unit, accumulated without a map lookup per task.
#[derive(Default)]
struct ByUnit {
    direct: Vec<Tally>,
    other: BTreeMap<i64, Tally>,
}

impl ByUnit {
    fn at(&mut self, unit: i64) -> &mut Tally {
        match usize::try_from(unit) {
            Ok(i) if unit < DIRECT_UNITS => {
                if i >= self.direct.len() {
                    self.direct.resize(i + 1, Tally::default());
                }
                &mut self.direct[i]
            }
            _ => self.other.entry(unit).or_default(),
        }
    }

    /// The units with a task in the report, as [`tally`](super::report::tally) lists them.
    fn into_map(self) -> BTreeMap<i64, Tally> {
        let mut out = self.other;
        out.extend(
            (0i64..)
                .zip(self.direct)
                .filter(|(_, t)| t.counts.total > 0),
        );
        out
    }
}

/// Counts one chart point after another for one task.
struct Points<'p> {
    points: &'p [ProgressPoint],
    /// A report holding every point's tasks: a task out of it is in none.
    hull: Option<(Period, NaiveDate)>,
    totals: Vec<Counts>,
}

impl<'p> Points<'p> {
    fn new(points: &'p [ProgressPoint]) -> Points<'p> {
        // A task is in a point's report only when assigned by its end, not done
        // before its start and not cancelled by its date: out of the report
        // from the earliest start to the latest end as of the earliest date,
        // it is in none of them.
        let hull = points
            .iter()
            .fold(None, |hull: Option<(Period, NaiveDate)>, p| {
                Some(match hull {
                    None => (p.period, p.as_of),
                    Some((h, a)) => (
                        Period {
                            from: h.from.min(p.period.from),
                            to: h.to.max(p.period.to),
                        },
                        a.min(p.as_of),
                    ),
                })
            });
        Points {
            points,
            hull,
            totals: vec![Counts::default(); points.len()],
        }
    }

    fn add(&mut self, task: &ReportedTask) {
        if let Some((hull, as_of)) = &self.hull {
            if hull.inclusion(&task.dates, *as_of).is_none() {
                return;
            }
        }
        for (total, p) in self.totals.iter_mut().zip(self.points) {
            if let Some((status, _)) = classify(task, &p.period, p.as_of) {
                total.add_status(status, 1);
            }
        }
    }
}

/// The counts and overdue ages by lead unit of a report: [`tally`](super::report::tally) and
/// [`overdue_ages`] over the same tasks, in one walk.
pub fn count<'a>(
    tasks: impl IntoIterator<Item = &'a ReportedTask>,
    period: &Period,
    as_of: NaiveDate,
) -> BTreeMap<i64, Tally> {
    count_with_points(tasks, period, as_of, &[]).0
}

/// The totals of the points of a completion chart.
pub fn count_points<'a>(
    tasks: impl IntoIterator<Item = &'a ReportedTask>,
    points: &[ProgressPoint],
) -> Vec<Counts> {
    let mut chart = Points::new(points);
    for t in tasks {
        chart.add(t);
    }
    chart.totals
}

/// [`count`] and [`count_points`] over the same tasks, in one walk.
pub fn count_with_points<'a>(
    tasks: impl IntoIterator<Item = &'a ReportedTask>,
    period: &Period,
    as_of: NaiveDate,
    points: &[ProgressPoint],
) -> (BTreeMap<i64, Tally>, Vec<Counts>) {
    let mut by_unit = ByUnit::default();
    let mut chart = Points::new(points);
    // Internal iteration: over the snapshot's chunks it runs as two plain
    // loops instead of stepping a flattening iterator row by row (a tenth
    // faster at a million tasks, benches/README.md).
    tasks.into_iter().for_each(|t| {
        if let Some(c) = contribution(t, period, as_of) {
            by_unit.at(t.lead_unit_id).add(t, c);
        }
        if !points.is_empty() {
            chart.add(t);
        }
    });
    (by_unit.into_map(), chart.totals)
}

/// Which tasks of a report stand behind one of its numbers (beside the units
/// they are led by, which storage knows).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Drill {
    /// Tasks of any of these statuses; empty: every status.
    pub statuses: Vec<Status>,
    /// Only the tasks carried over from before the period.
    pub carried_over: bool,
    /// Only the tasks whose deadline was moved.
    pub extended: bool,
    /// Only the overdue tasks of this age.
    pub age: Option<AgeBucket>,
}

impl Drill {
    /// Whether the task is in the report and counted in the number drilled
    /// into: the same functions as the counts, so a list holds what its number says.
    pub fn selects(&self, task: &ReportedTask, period: &Period, as_of: NaiveDate) -> bool {
        self.selection(period, as_of).selects(task)
    }

    /// [`Drill::selects`] for one report, to be asked of many tasks: what
    /// the drill asks is read once, not for each task.
    pub fn selection(&self, period: &Period, as_of: NaiveDate) -> Selection {
        Selection {
            statuses: self.statuses.iter().fold(0, |m, s| m | 1 << *s as u8),
            carried_over: self.carried_over,
            extended: self.extended,
            age: self.age,
            period: *period,
            as_of,
        }
    }
}

/// A [`Drill`] of one report (its period and as-of date), ready to be asked
/// of every task.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    /// A bit per status wanted (`1 << status as u8`); none: every status.
    statuses: u8,
    carried_over: bool,
    extended: bool,
    age: Option<AgeBucket>,
    period: Period,
    as_of: NaiveDate,
}

impl Selection {
    /// See [`Drill::selects`].
    #[inline]
    pub fn selects(&self, task: &ReportedTask) -> bool {
        // `contribution` as flags joined with `&` (a list asks this of every
        // task: see `TaskDates::standing`), the age (a count of days) only
        // when asked.
        let (counted, status, inclusion) = placement(task, &self.period, self.as_of);
        let of_status = (self.statuses == 0) | (self.statuses >> status as u8 & 1 == 1);
        counted
            & of_status
            & (!self.carried_over | (inclusion == Inclusion::CarriedOver))
            & (!self.extended | task.extended)
            && self
                .age
                .is_none_or(|a| age_of(task, status, self.as_of) == Some(a))
    }
}

/// One point of the completion-over-time chart: the report of the period from
/// its start up to `period.to`, as of `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressPoint {
    pub period: Period,
    pub as_of: NaiveDate,
}

/// More points than this and the chart steps over months.
pub const MAX_POINTS: usize = 24;

/// The points of the completion-over-time chart of a report: the end of each
/// month of the period up to the as-of date (the as-of date itself in its own
/// month), each the period-to-date report; and the report itself when the
/// as-of date is after the period. Long periods step over months so that at
/// most [`MAX_POINTS`] month ends are shown, the last one always.
pub fn progress_points(period: &Period, as_of: NaiveDate) -> Vec<ProgressPoint> {
    let ends: Vec<NaiveDate> = period
        .months()
        .into_iter()
        .filter(|m| m.from <= as_of)
        .map(|m| m.to.min(as_of))
        .collect();
    let step = ends.len().div_ceil(MAX_POINTS).max(1);
    let last = ends.len().saturating_sub(1);
    let mut points: Vec<ProgressPoint> = ends
        .iter()
        .enumerate()
        .filter(|(i, _)| (last - i).is_multiple_of(step))
        .map(|(_, end)| ProgressPoint {
            period: Period {
                from: period.from,
                to: *end,
            },
            as_of: *end,
        })
        .collect();
    if as_of > period.to {
        points.push(ProgressPoint {
            period: *period,
            as_of,
        });
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::status::TaskDates;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn c(total: u64, on_time: u64, late: u64) -> Counts {
        Counts {
            total,
            done_on_time: on_time,
            done_late: late,
            in_progress: total - on_time - late,
            ..Counts::default()
        }
    }

    #[test]
    fn ranks_share_ties_and_skip() {
        // 2/3 done, 1/2 done, 2/4 done (same rate, same on-time rate), none, 1/1.
        let counts = [c(3, 2, 0), c(2, 1, 0), c(4, 2, 0), c(0, 0, 0), c(1, 1, 0)];
        assert_eq!(
            ranks(&counts),
            vec![Some(2), Some(3), Some(3), None, Some(1)]
        );
    }

    #[test]
    fn the_on_time_rate_breaks_a_tie_of_completion() {
        let counts = [c(2, 1, 1), c(2, 2, 0)];
        assert_eq!(ranks(&counts), vec![Some(2), Some(1)]);
    }

    #[test]
    fn rates_compare_exactly() {
        // 1/3 and 2/6 are equal even though their floating point values may differ.
        let counts = [c(3, 1, 0), c(6, 2, 0)];
        assert_eq!(ranks(&counts), vec![Some(1), Some(1)]);
    }

    fn rows<'a>(data: &'a [(&'a str, &'a str, Counts)], ranks: &[Option<u32>]) -> Vec<Row<'a>> {
        data.iter()
            .zip(ranks)
            .map(|((code, name, counts), rank)| Row {
                code,
                name,
                counts,
                rank: *rank,
            })
            .collect()
    }

    #[test]
    fn sorting_by_columns() {
        let data = [
            ("B", "Ban Tuyên giáo", c(3, 2, 0)),
            ("A", "Văn phòng", c(2, 1, 0)),
            ("C", "Ân Thi", c(0, 0, 0)),
            ("D", "Đảng ủy", c(4, 4, 0)),
        ];
        let counts: Vec<Counts> = data.iter().map(|r| r.2).collect();
        let rk = ranks(&counts);
        let rows = rows(&data, &rk);
        let codes = |idx: Vec<usize>| idx.into_iter().map(|i| rows[i].code).collect::<Vec<_>>();
        assert_eq!(
            codes(order(&rows, SortKey::Code, SortDir::Asc)),
            ["A", "B", "C", "D"]
        );
        assert_eq!(
            codes(order(&rows, SortKey::Total, SortDir::Desc)),
            ["D", "B", "A", "C"]
        );
        assert_eq!(
            codes(order(&rows, SortKey::Total, SortDir::Asc)),
            ["C", "A", "B", "D"]
        );
        assert_eq!(
            codes(order(&rows, SortKey::Rank, SortDir::Asc)),
            ["D", "B", "A", "C"]
        );
        // Unranked units stay last either way.
        assert_eq!(
            codes(order(&rows, SortKey::Rank, SortDir::Desc)),
            ["A", "B", "D", "C"]
        );
        assert_eq!(
            codes(order(&rows, SortKey::CompletionRate, SortDir::Desc)),
            ["D", "B", "A", "C"]
        );
        // Names sort without accents: Ân, Ban, Đảng, Văn.
        assert_eq!(
            codes(order(&rows, SortKey::Name, SortDir::Asc)),
            ["C", "B", "D", "A"]
        );
    }

    #[test]
    fn sort_codes_round_trip() {
        for k in SortKey::ALL {
            assert_eq!(SortKey::from_code(k.code()), Some(k));
        }
        assert_eq!(SortKey::from_code("nope"), None);
        assert_eq!(SortDir::from_code("desc"), Some(SortDir::Desc));
        assert_eq!(SortDir::Asc.flip(), SortDir::Desc);
    }

    #[test]
    fn age_buckets_by_days() {
        assert_eq!(AgeBucket::of_days(0), None);
        assert_eq!(AgeBucket::of_days(1), Some(AgeBucket::UpTo30));
        assert_eq!(AgeBucket::of_days(30), Some(AgeBucket::UpTo30));
        assert_eq!(AgeBucket::of_days(31), Some(AgeBucket::UpTo60));
        assert_eq!(AgeBucket::of_days(60), Some(AgeBucket::UpTo60));
        assert_eq!(AgeBucket::of_days(61), Some(AgeBucket::UpTo120));
        assert_eq!(AgeBucket::of_days(120), Some(AgeBucket::UpTo120));
        assert_eq!(AgeBucket::of_days(121), Some(AgeBucket::Over120));
        for b in AgeBucket::ALL {
            assert_eq!(AgeBucket::from_number(&b.number().to_string()), Some(b));
        }
    }

    #[test]
    fn a_drill_selects_what_its_number_counts() {
        let h2: Period = "2022-H2".parse().expect("period");
        let as_of = d("2022-12-31");
        let t = |assigned: &str, deadline: &str, completed: Option<&str>, extended: bool| {
            ReportedTask {
                lead_unit_id: 1,
                dates: TaskDates {
                    assigned_on: d(assigned),
                    deadline: Some(d(deadline)),
                    completed_on: completed.map(d),
                    cancelled_on: None,
                },
                extended,
            }
        };
        let tasks = [
            t("2022-07-07", "2022-12-30", None, false),
            t("2022-03-01", "2022-08-01", None, true),
            t("2022-07-07", "2022-08-01", Some("2022-09-01"), false),
            t("2022-01-01", "2022-02-01", Some("2022-03-01"), false),
        ];
        let picked = |drill: Drill| -> Vec<usize> {
            (0..tasks.len())
                .filter(|i| drill.selects(&tasks[*i], &h2, as_of))
                .collect()
        };
        assert_eq!(picked(Drill::default()), vec![0, 1, 2]);
        let overdue = Drill {
            statuses: vec![Status::Overdue],
            ..Drill::default()
        };
        assert_eq!(picked(overdue.clone()), vec![0, 1]);
        assert_eq!(
            picked(Drill {
                age: Some(AgeBucket::Over120),
                ..overdue
            }),
            vec![1]
        );
        let carried = Drill {
            carried_over: true,
            ..Drill::default()
        };
        assert_eq!(picked(carried), vec![1]);
        let extended = Drill {
            extended: true,
            ..Drill::default()
        };
        assert_eq!(picked(extended), vec![1]);
        // The counts say the same.
        let by_unit = count(&tasks, &h2, as_of);
        assert_eq!(by_unit[&1].counts.overdue, 2);
        assert_eq!(by_unit[&1].ages.get(AgeBucket::Over120), 1);
    }

    #[test]
    fn overdue_ages_follow_the_status() {
        let t = |deadline: &str, completed: Option<&str>| ReportedTask {
            lead_unit_id: 1,
            dates: TaskDates {
                assigned_on: d("2022-07-07"),
                deadline: Some(d(deadline)),
                completed_on: completed.map(d),
                cancelled_on: None,
            },
            extended: false,
        };
        let tasks = [
            t("2022-12-30", None),
            t("2022-11-30", None),
            t("2022-08-01", None),
            t("2022-08-01", Some("2022-09-01")),
            t("2023-01-30", None),
        ];
        let ages = overdue_ages(&tasks, &"2022-H2".parse().expect("period"), d("2022-12-31"));
        assert_eq!(ages[&1], AgeCounts([1, 1, 0, 1]));
    }

    #[test]
    fn progress_points_of_a_half_year() {
        let h2: Period = "2022-H2".parse().expect("period");
        let points = progress_points(&h2, d("2022-12-31"));
        assert_eq!(points.len(), 6);
        assert_eq!(points[0].period, "2022-07".parse().expect("p"));
        assert_eq!(points[0].as_of, d("2022-07-31"));
        assert_eq!(points[5].period, h2);
        // Up to the as-of date only, which ends its month's point.
        let points = progress_points(&h2, d("2022-09-10"));
        assert_eq!(points.len(), 3);
        assert_eq!(points[2].as_of, d("2022-09-10"));
        assert_eq!(points[2].period.to, d("2022-09-10"));
        // After the period: every month, then the report itself.
        let points = progress_points(&h2, d("2023-01-15"));
        assert_eq!(points.len(), 7);
        assert_eq!(
            points[6],
            ProgressPoint {
                period: h2,
                as_of: d("2023-01-15")
            }
        );
    }

    #[test]
    fn long_periods_step_over_months() {
        let p: Period = "2015-01-01..2022-12-31".parse().expect("period");
        let points = progress_points(&p, d("2022-12-31"));
        assert!(points.len() <= MAX_POINTS, "{}", points.len());
        assert_eq!(points.last().map(|x| x.as_of), Some(d("2022-12-31")));
        let p: Period = "2021-01-01..2022-12-31".parse().expect("period");
        assert_eq!(progress_points(&p, d("2022-12-31")).len(), 24);
    }

    #[test]
    fn counts_moved_by_the_changed_tasks_are_the_counts_of_every_task() {
        use crate::domain::xorshift::Xorshift;
        struct Gen(Xorshift);
        impl Gen {
            fn next(&mut self, n: u64) -> u64 {
                self.0.next(n)
            }
            fn day(&mut self) -> NaiveDate {
                d("2022-01-01") + chrono::Duration::days(self.next(540) as i64)
            }
            fn task(&mut self) -> ReportedTask {
                let assigned_on = self.day();
                let later = |g: &mut Gen| assigned_on + chrono::Duration::days(g.next(200) as i64);
                ReportedTask {
                    lead_unit_id: self.next(5) as i64,
                    dates: TaskDates {
                        assigned_on,
                        deadline: (self.next(6) != 0).then(|| later(self)),
                        completed_on: (self.next(3) == 0).then(|| later(self)),
                        cancelled_on: (self.next(9) == 0).then(|| later(self)),
                    },
                    extended: self.next(4) == 0,
                }
            }
        }
        let h2: Period = "2022-H2".parse().expect("period");
        let as_of = d("2022-12-31");
        let points = progress_points(&h2, as_of);
        let mut g = Gen(Xorshift(0x9E37_79B9_7F4A_7C15));
        let mut tasks: Vec<ReportedTask> = (0..400).map(|_| g.task()).collect();
        let (mut units, mut chart) = count_with_points(&tasks, &h2, as_of, &points);
        for step in 0..30 {
            // Some tasks change (their unit, dates, or out of the report), some are new.
            let mut left = Vec::new();
            let mut joined = Vec::new();
            for _ in 0..g.next(20) + 1 {
                let i = g.next(tasks.len() as u64 + 3) as usize;
                let task = g.task();
                match tasks.get_mut(i) {
                    Some(t) => {
                        left.push(*t);
                        *t = task;
                    }
                    None => tasks.push(task),
                }
                joined.push(task);
            }
            let (l_units, l_chart) = count_with_points(&left, &h2, as_of, &points);
            let (j_units, j_chart) = count_with_points(&joined, &h2, as_of, &points);
            units = tallies_moved(&units, &l_units, &j_units);
            chart = points_moved(&chart, &l_chart, &j_chart);
            let (all_units, all_chart) = count_with_points(&tasks, &h2, as_of, &points);
            assert_eq!(units, all_units, "step {step}");
            assert_eq!(chart, all_chart, "step {step}");
        }
    }
}
