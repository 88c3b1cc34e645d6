//! The counts of a period report: per lead unit and in total.

use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

use super::period::{Inclusion, Period};
use super::status::{Status, TaskDates};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: u64,
    pub done_on_time: u64,
    pub done_late: u64,
    pub in_progress: u64,
    pub overdue: u64,
    pub carried_over: u64,
    pub extended: u64,
}

/// The key under which [`tally`] counts the tasks that wait for their lead unit:
/// unit ids start at 1 on both backends, so no unit row ever matches it and these
/// tasks reach the totals only.
pub const NO_LEAD: i64 = 0;

/// What the report needs to know of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportedTask {
    pub lead_unit_id: i64,
    pub dates: TaskDates,
    /// The deadline was moved at least once.
    pub extended: bool,
}

impl Counts {
    /// The counts in the order of the report's columns: total, done on
    /// time, done late, in progress, overdue, carried over, extended.
    pub fn columns(&self) -> [u64; 7] {
        [
            self.total,
            self.done_on_time,
            self.done_late,
            self.in_progress,
            self.overdue,
            self.carried_over,
            self.extended,
        ]
    }

    pub fn add_status(&mut self, status: Status, n: u64) {
        self.total += n;
        match status {
            Status::DoneOnTime => self.done_on_time += n,
            Status::DoneLate => self.done_late += n,
            Status::InProgress => self.in_progress += n,
            Status::Overdue => self.overdue += n,
        }
    }

    pub fn add(&mut self, other: &Counts) {
        *self = self.each(other, |a, b| a + b);
    }

    /// Takes away the counts of `other`, which these hold (the tasks
    /// counted in `other` left the tasks counted here).
    pub fn remove(&mut self, other: &Counts) {
        *self = self.each(other, u64::saturating_sub);
    }

    /// `f` of each column of these counts and the same column of `other`.
    fn each(&self, other: &Counts, f: impl Fn(u64, u64) -> u64) -> Counts {
        let (a, b) = (self.columns(), other.columns());
        let [total, done_on_time, done_late, in_progress, overdue, carried_over, extended] =
            std::array::from_fn(|i| f(a[i], b[i]));
        Counts {
            total,
            done_on_time,
            done_late,
            in_progress,
            overdue,
            carried_over,
            extended,
        }
    }

    pub fn count_of(&self, status: Status) -> u64 {
        match status {
            Status::DoneOnTime => self.done_on_time,
            Status::DoneLate => self.done_late,
            Status::InProgress => self.in_progress,
            Status::Overdue => self.overdue,
        }
    }

    pub fn done(&self) -> u64 {
        self.done_on_time + self.done_late
    }

    /// (done on time + done late) / total; 0 when there is nothing to count.
    pub fn completion_rate(&self) -> f64 {
        ratio(self.done(), self.total)
    }

    /// done on time / total; 0 when there is nothing to count.
    pub fn on_time_rate(&self) -> f64 {
        ratio(self.done_on_time, self.total)
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Where one task stands in a report: its status as of the report's date and
/// how it entered the period; `None` when the report does not count it.
pub fn classify(
    task: &ReportedTask,
    period: &Period,
    as_of: NaiveDate,
) -> Option<(Status, Inclusion)> {
    let (counted, status, inclusion) = placement(task, period, as_of);
    counted.then_some((status, inclusion))
}

/// [`classify`] as flags, for a walk over every task (see
/// [`TaskDates::standing`](super::TaskDates::standing)): whether the report
/// counts the task, and where it would stand (meaningless when not counted).
pub fn placement(
    task: &ReportedTask,
    period: &Period,
    as_of: NaiveDate,
) -> (bool, Status, Inclusion) {
    // Counted excludes a task cancelled by `as_of`, the one case where its
    // status means nothing.
    let (counted, inclusion) = period.placing(&task.dates, as_of);
    let (_, status) = task.dates.standing(as_of);
    (counted, status, inclusion)
}

impl Counts {
    /// Counts one task of the report, as [`classify`] placed it.
    pub fn add_task(&mut self, status: Status, inclusion: Inclusion, extended: bool) {
        self.add_status(status, 1);
        self.carried_over += u64::from(inclusion == Inclusion::CarriedOver);
        self.extended += u64::from(extended);
    }
}

/// The report computed task by task: the reference every query path is checked against.
pub fn tally<'a>(
    tasks: impl IntoIterator<Item = &'a ReportedTask>,
    period: &Period,
    as_of: NaiveDate,
) -> BTreeMap<i64, Counts> {
    let mut by_unit: BTreeMap<i64, Counts> = BTreeMap::new();
    for task in tasks {
        if let Some((status, inclusion)) = classify(task, period, as_of) {
            by_unit.entry(task.lead_unit_id).or_default().add_task(
                status,
                inclusion,
                task.extended,
            );
        }
    }
    by_unit
}

pub fn total<'a>(counts: impl IntoIterator<Item = &'a Counts>) -> Counts {
    let mut sum = Counts::default();
    for c in counts {
        sum.add(c);
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn t(
        unit: i64,
        assigned: &str,
        deadline: Option<&str>,
        completed: Option<&str>,
        extended: bool,
    ) -> ReportedTask {
        ReportedTask {
            lead_unit_id: unit,
            dates: TaskDates {
                assigned_on: d(assigned),
                deadline: deadline.map(d),
                completed_on: completed.map(d),
                cancelled_on: None,
            },
            extended,
        }
    }

    #[test]
    fn a_small_report() {
        let tasks = vec![
            t(
                1,
                "2022-07-07",
                Some("2022-12-31"),
                Some("2022-11-01"),
                false,
            ),
            t(
                1,
                "2022-07-07",
                Some("2022-12-31"),
                Some("2023-01-05"),
                true,
            ),
            t(1, "2022-03-01", Some("2022-09-30"), None, false),
            t(2, "2022-07-07", None, None, false),
            t(
                2,
                "2022-01-07",
                Some("2022-03-31"),
                Some("2022-03-01"),
                false,
            ),
        ];
        let by_unit = tally(&tasks, &"2022-H2".parse().expect("period"), d("2022-12-31"));
        let u1 = by_unit[&1];
        assert_eq!(
            (
                u1.total,
                u1.done_on_time,
                u1.done_late,
                u1.in_progress,
                u1.overdue
            ),
            (3, 1, 0, 1, 1)
        );
        assert_eq!((u1.carried_over, u1.extended), (1, 1));
        let u2 = by_unit[&2];
        assert_eq!((u2.total, u2.in_progress), (1, 1));
        let all = total(by_unit.values());
        assert_eq!(all.total, 4);
        assert!((all.completion_rate() - 0.25).abs() < 1e-12);
        assert!((all.on_time_rate() - 0.25).abs() < 1e-12);
    }

    #[test]
    fn rates_are_zero_when_empty() {
        let empty = Counts::default();
        assert_eq!(empty.completion_rate(), 0.0);
        assert_eq!(empty.on_time_rate(), 0.0);
    }

    fn arb_date() -> impl Strategy<Value = NaiveDate> {
        (0i64..1500).prop_map(|n| d("2021-01-01") + chrono::Duration::days(n))
    }

    fn arb_task() -> impl Strategy<Value = ReportedTask> {
        (
            0i64..5,
            arb_date(),
            proptest::option::of(0i64..400),
            proptest::option::of(0i64..500),
            proptest::option::of(0i64..500),
            any::<bool>(),
        )
            .prop_map(
                |(unit, assigned, deadline, completed, cancelled, extended)| ReportedTask {
                    lead_unit_id: unit,
                    dates: TaskDates {
                        assigned_on: assigned,
                        deadline: deadline.map(|n| assigned + chrono::Duration::days(n)),
                        completed_on: completed.map(|n| assigned + chrono::Duration::days(n)),
                        cancelled_on: cancelled.map(|n| assigned + chrono::Duration::days(n)),
                    },
                    extended,
                },
            )
    }

    proptest! {
        #[test]
        fn statuses_partition_the_total(tasks in proptest::collection::vec(arb_task(), 0..60), start in 0i64..1200, len in 0i64..400, after in 0i64..500) {
            let from = d("2021-01-01") + chrono::Duration::days(start);
            let period = Period::new(from, from + chrono::Duration::days(len)).expect("period");
            let as_of = from + chrono::Duration::days(after);
            let by_unit = tally(&tasks, &period, as_of);
            let sum = total(by_unit.values());
            prop_assert_eq!(sum.total, sum.done_on_time + sum.done_late + sum.in_progress + sum.overdue);
            prop_assert!(sum.carried_over <= sum.total);
            prop_assert!(sum.extended <= sum.total);
            let in_scope = tasks.iter().filter(|t| period.inclusion(&t.dates, as_of).is_some()).count() as u64;
            prop_assert_eq!(sum.total, in_scope);
            prop_assert!(sum.completion_rate() >= sum.on_time_rate());
            prop_assert!(sum.completion_rate() <= 1.0);
        }

        #[test]
        fn a_done_task_stays_done_later(task in arb_task(), a in 0i64..600, b in 0i64..600) {
            let base = task.dates.assigned_on;
            let (early, late) = (base + chrono::Duration::days(a.min(b)), base + chrono::Duration::days(a.max(b)));
            if let (Some(s1), Some(s2)) = (task.dates.status_as_of(early), task.dates.status_as_of(late)) {
                if s1.is_done() {
                    prop_assert_eq!(s1, s2);
                }
                if s1 == Status::Overdue {
                    prop_assert!(s2 == Status::Overdue || s2 == Status::DoneLate);
                }
            }
        }
    }
}
