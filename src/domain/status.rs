//! The status of a task as of a date: computed, never stored.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The dates that decide a task's status. Every page, export, mail and API
/// answer goes through [`TaskDates::status_as_of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskDates {
    pub assigned_on: NaiveDate,
    /// The current deadline, after approved extensions; `None` for ongoing tasks.
    pub deadline: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub cancelled_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    DoneOnTime,
    DoneLate,
    InProgress,
    Overdue,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::DoneOnTime,
        Status::DoneLate,
        Status::InProgress,
        Status::Overdue,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::DoneOnTime => "done_on_time",
            Status::DoneLate => "done_late",
            Status::InProgress => "in_progress",
            Status::Overdue => "overdue",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn is_done(self) -> bool {
        matches!(self, Status::DoneOnTime | Status::DoneLate)
    }
}

/// The lifecycle state of a task today (not as of a past date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Open,
    Done,
    Cancelled,
}

impl State {
    pub fn code(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Done => "done",
            State::Cancelled => "cancelled",
        }
    }
}

impl TaskDates {
    /// `None` when the task is cancelled on or before `as_of`: cancelled tasks leave every count.
    pub fn status_as_of(&self, as_of: NaiveDate) -> Option<Status> {
        let (cancelled, status) = self.standing(as_of);
        (!cancelled).then_some(status)
    }

    /// Whether the task is cancelled by `as_of`, and its status then as the
    /// other dates give it (meaningless when cancelled). Done by `as_of`: on
    /// time, or late when completed after the deadline. Not done: overdue
    /// once the deadline has passed, else in progress. A task without a
    /// deadline (ongoing) is neither late nor overdue.
    ///
    /// Flags joined with `&` and `|`, not nested branches or an `Option`: a
    /// report and a list ask this of every task, and over a mix of statuses a
    /// branch on each date is guessed wrong for one task in two or three
    /// (`benches/counting.rs` measures the list's selection over a million).
    pub fn standing(&self, as_of: NaiveDate) -> (bool, Status) {
        // A date that never came is after every date.
        let completed = self.completed_on.unwrap_or(NaiveDate::MAX);
        let deadline = self.deadline.unwrap_or(NaiveDate::MAX);
        let done = completed <= as_of;
        let done_late = done & (completed > deadline);
        let overdue = !done & (deadline < as_of);
        // `Status::ALL`'s order: done on time, done late, in progress, overdue.
        let status = Status::ALL[usize::from(!done) << 1 | usize::from(done_late | overdue)];
        (self.is_cancelled_by(as_of), status)
    }

    /// The task's status on `on` while it is in force then: assigned by that
    /// day, neither done nor cancelled by it. What reminders are about.
    pub fn open_on(&self, on: NaiveDate) -> Option<Status> {
        if self.assigned_on > on {
            return None;
        }
        self.status_as_of(on).filter(|s| !s.is_done())
    }

    pub fn is_cancelled_by(&self, as_of: NaiveDate) -> bool {
        self.cancelled_on.unwrap_or(NaiveDate::MAX) <= as_of
    }

    /// The state recorded on the task, whatever the date.
    pub fn state(&self) -> State {
        if self.cancelled_on.is_some() {
            State::Cancelled
        } else if self.completed_on.is_some() {
            State::Done
        } else {
            State::Open
        }
    }

    /// Days until the deadline (negative once overdue), as of a date; `None` without a deadline.
    pub fn days_left(&self, as_of: NaiveDate) -> Option<i64> {
        self.deadline.map(|d| (d - as_of).num_days())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn task(deadline: Option<&str>, completed: Option<&str>, cancelled: Option<&str>) -> TaskDates {
        TaskDates {
            assigned_on: d("2022-07-07"),
            deadline: deadline.map(d),
            completed_on: completed.map(d),
            cancelled_on: cancelled.map(d),
        }
    }

    #[test]
    fn done_on_or_before_the_deadline_is_on_time() {
        let t = task(Some("2022-12-31"), Some("2022-12-31"), None);
        assert_eq!(t.status_as_of(d("2023-01-10")), Some(Status::DoneOnTime));
        let t = task(Some("2022-12-31"), Some("2022-10-01"), None);
        assert_eq!(t.status_as_of(d("2022-10-01")), Some(Status::DoneOnTime));
    }

    #[test]
    fn done_after_the_deadline_is_late() {
        let t = task(Some("2022-12-31"), Some("2023-01-01"), None);
        assert_eq!(t.status_as_of(d("2023-01-01")), Some(Status::DoneLate));
    }

    #[test]
    fn done_without_deadline_is_on_time() {
        let t = task(None, Some("2030-01-01"), None);
        assert_eq!(t.status_as_of(d("2030-01-01")), Some(Status::DoneOnTime));
    }

    #[test]
    fn completion_after_the_as_of_date_does_not_count_yet() {
        let t = task(Some("2022-12-31"), Some("2022-12-20"), None);
        assert_eq!(t.status_as_of(d("2022-12-19")), Some(Status::InProgress));
        let t = task(Some("2022-12-31"), Some("2023-02-01"), None);
        assert_eq!(t.status_as_of(d("2023-01-15")), Some(Status::Overdue));
    }

    #[test]
    fn open_on_the_deadline_day_is_still_in_time() {
        let t = task(Some("2022-12-31"), None, None);
        assert_eq!(t.status_as_of(d("2022-12-31")), Some(Status::InProgress));
        assert_eq!(t.status_as_of(d("2023-01-01")), Some(Status::Overdue));
    }

    #[test]
    fn ongoing_tasks_are_never_overdue() {
        let t = task(None, None, None);
        assert_eq!(t.status_as_of(d("2099-01-01")), Some(Status::InProgress));
    }

    #[test]
    fn cancelled_tasks_leave_counts_from_their_cancellation_day() {
        let t = task(Some("2022-12-31"), None, Some("2022-09-01"));
        assert_eq!(t.status_as_of(d("2022-08-31")), Some(Status::InProgress));
        assert_eq!(t.status_as_of(d("2022-09-01")), None);
        assert_eq!(t.state(), State::Cancelled);
    }

    /// Every order of a deadline, a completion, a cancellation (each on one
    /// of five days, or none) and an as-of date, against the rule as
    /// `docs/rules.md` words it, one question after the other.
    #[test]
    fn the_flags_give_the_rule_in_words_for_every_order_of_dates() {
        let day = |n: i64| d("2022-07-07") + chrono::Duration::days(n);
        let dates = || std::iter::once(None).chain((1..=5).map(|n| Some(day(n))));
        let in_words = |t: &TaskDates, as_of: NaiveDate| {
            if t.cancelled_on.is_some_and(|c| c <= as_of) {
                return None;
            }
            Some(match t.completed_on.filter(|c| *c <= as_of) {
                Some(completed) => match t.deadline {
                    Some(deadline) if completed > deadline => Status::DoneLate,
                    _ => Status::DoneOnTime,
                },
                None => match t.deadline {
                    Some(deadline) if deadline < as_of => Status::Overdue,
                    _ => Status::InProgress,
                },
            })
        };
        let mut asked = 0;
        for deadline in dates() {
            for completed_on in dates() {
                for cancelled_on in dates() {
                    let t = TaskDates {
                        assigned_on: day(0),
                        deadline,
                        completed_on,
                        cancelled_on,
                    };
                    for as_of in (0..=6).map(day) {
                        assert_eq!(
                            t.status_as_of(as_of),
                            in_words(&t, as_of),
                            "{t:?} as of {as_of}"
                        );
                        asked += 1;
                    }
                }
            }
        }
        assert_eq!(asked, 6 * 6 * 6 * 7);
    }

    #[test]
    fn state_follows_the_recorded_dates() {
        assert_eq!(task(None, None, None).state(), State::Open);
        assert_eq!(task(None, Some("2022-08-01"), None).state(), State::Done);
    }

    #[test]
    fn status_codes_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
            assert_eq!(serde_json::to_value(s).expect("json"), s.code());
        }
        assert_eq!(Status::from_code("late"), None);
    }

    #[test]
    fn days_left_counts_calendar_days() {
        let t = task(Some("2022-12-31"), None, None);
        assert_eq!(t.days_left(d("2022-12-24")), Some(7));
        assert_eq!(t.days_left(d("2023-01-03")), Some(-3));
        assert_eq!(task(None, None, None).days_left(d("2022-12-24")), None);
    }
}
