//! The reminder policy: which reminders a task is due on a date, and who gets
//! them. Pure: the planner (`mail::planner`) turns these answers into mails.
//!
//! Defaults (all configurable): 7, 3 and 1 days before the deadline and on the
//! day itself; then every 3 days while overdue; from 7 days overdue on, each
//! overdue reminder also goes to the unit head and the official who assigned
//! the task (escalation). A weekly digest per unit on Mondays.

use chrono::{Datelike, NaiveDate, Weekday};
use std::fmt;

use super::status::TaskDates;

/// The most days before a deadline, or between overdue reminders, that a policy may name.
pub const MAX_DAYS: u32 = 366;

/// How many missed days a reminder run catches up (see [`Policy::due_catching_up`]).
pub const MAX_CATCH_UP_DAYS: u64 = 7;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Days before the deadline that get a reminder (0: on the day), distinct, largest first.
    days_before: Vec<u32>,
    /// While overdue, a reminder every this many days (counted from the deadline).
    overdue_every: u32,
    /// From this many days overdue, overdue reminders are escalated.
    escalate_after: u32,
    /// The weekday of the weekly digest; `None`: no digest.
    digest_day: Option<Weekday>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("'{0}' is not a list of whole days between 0 and {MAX_DAYS} (e.g. 7,3,1,0)")]
    Days(String),
    #[error("'{0}' is not a whole number of days between 1 and {MAX_DAYS}")]
    Every(String),
    #[error("'{0}' is not a whole number of days between 0 and {MAX_DAYS}")]
    EscalateAfter(String),
    #[error("'{0}' is not a weekday (mon, tue, wed, thu, fri, sat, sun) or 'off'")]
    DigestDay(String),
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            days_before: vec![7, 3, 1, 0],
            overdue_every: 3,
            escalate_after: 7,
            digest_day: Some(Weekday::Mon),
        }
    }
}

/// A reminder a task is due on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Due {
    /// `days` (≥ 1) days before the deadline.
    Before { days: u32 },
    /// On the deadline.
    Today,
    /// `days` (≥ 1) days after the deadline; `escalate`: also to the unit head and the assigning official.
    Overdue { days: u32, escalate: bool },
}

/// What a reminder is, as recorded (`reminders.kind`) and told in mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Before,
    Due,
    Overdue,
    /// An overdue task reported to the unit head or the assigning official.
    Escalation,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Before, Kind::Due, Kind::Overdue, Kind::Escalation];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Before => "before",
            Kind::Due => "due",
            Kind::Overdue => "overdue",
            Kind::Escalation => "escalation",
        }
    }

    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Who hears of a task's reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Audience {
    /// The lead unit (đơn vị chủ trì).
    Lead,
    /// A coordinating unit (đơn vị phối hợp).
    Coordinator,
    /// The head of the lead unit: escalations only.
    UnitHead,
    /// The official who assigned the task: escalations only.
    AssigningOfficial,
}

impl Audience {
    /// Whether this audience reports progress on the task (and so gets the report link).
    pub fn reports(self) -> bool {
        matches!(self, Audience::Lead | Audience::Coordinator)
    }

    /// When one address is several audiences of one task, the one it is told as.
    pub fn rank(self) -> u8 {
        match self {
            Audience::Lead => 3,
            Audience::UnitHead => 2,
            Audience::AssigningOfficial => 1,
            Audience::Coordinator => 0,
        }
    }
}

impl Due {
    /// Days before (positive) or after (negative) the deadline.
    pub fn days_left(self) -> i64 {
        match self {
            Due::Before { days } => i64::from(days),
            Due::Today => 0,
            Due::Overdue { days, .. } => -i64::from(days),
        }
    }

    /// The kind recorded for one audience of this reminder.
    pub fn kind_for(self, audience: Audience) -> Kind {
        match (self, audience) {
            (_, Audience::UnitHead | Audience::AssigningOfficial) => Kind::Escalation,
            (Due::Before { .. }, _) => Kind::Before,
            (Due::Today, _) => Kind::Due,
            (Due::Overdue { .. }, _) => Kind::Overdue,
        }
    }

    /// Who is told: the lead and coordinating units always; the unit head and the
    /// assigning official too once the reminder is escalated.
    pub fn audiences(self) -> &'static [Audience] {
        match self {
            Due::Overdue { escalate: true, .. } => &[
                Audience::Lead,
                Audience::Coordinator,
                Audience::UnitHead,
                Audience::AssigningOfficial,
            ],
            _ => &[Audience::Lead, Audience::Coordinator],
        }
    }
}

/// Where an open task stands in a unit's weekly digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigestSection {
    Overdue,
    /// The deadline is within the policy's first reminder (7 days by default).
    DueSoon,
    /// Open, with a later deadline or none.
    Open,
}

impl DigestSection {
    pub fn code(self) -> &'static str {
        match self {
            DigestSection::Overdue => "overdue",
            DigestSection::DueSoon => "due_soon",
            DigestSection::Open => "open",
        }
    }
}

impl Policy {
    pub fn new(
        days_before: &[u32],
        overdue_every: u32,
        escalate_after: u32,
        digest_day: Option<Weekday>,
    ) -> Result<Policy, PolicyError> {
        if days_before.iter().any(|d| *d > MAX_DAYS) {
            return Err(PolicyError::Days(
                days_before
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ));
        }
        if overdue_every == 0 || overdue_every > MAX_DAYS {
            return Err(PolicyError::Every(overdue_every.to_string()));
        }
        if escalate_after > MAX_DAYS {
            return Err(PolicyError::EscalateAfter(escalate_after.to_string()));
        }
        let mut days = days_before.to_vec();
        days.sort_unstable_by(|a, b| b.cmp(a));
        days.dedup();
        Ok(Policy {
            days_before: days,
            overdue_every,
            escalate_after,
            digest_day,
        })
    }

    /// `7,3,1,0` (spaces allowed; empty: no reminders before the deadline).
    pub fn parse_days(raw: &str) -> Result<Vec<u32>, PolicyError> {
        let bad = || PolicyError::Days(raw.trim().to_string());
        if raw.trim().is_empty() {
            return Ok(Vec::new());
        }
        raw.split(',')
            .map(|part| {
                let part = part.trim();
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                part.parse::<u32>()
                    .ok()
                    .filter(|d| *d <= MAX_DAYS)
                    .ok_or_else(bad)
            })
            .collect()
    }

    pub fn parse_every(raw: &str) -> Result<u32, PolicyError> {
        parse_count(raw)
            .filter(|d| (1..=MAX_DAYS).contains(d))
            .ok_or_else(|| PolicyError::Every(raw.trim().to_string()))
    }

    pub fn parse_escalate_after(raw: &str) -> Result<u32, PolicyError> {
        parse_count(raw)
            .filter(|d| *d <= MAX_DAYS)
            .ok_or_else(|| PolicyError::EscalateAfter(raw.trim().to_string()))
    }

    /// `mon`…`sun` (or the full English name, any case), or `off`.
    pub fn parse_digest_day(raw: &str) -> Result<Option<Weekday>, PolicyError> {
        let v = raw.trim().to_ascii_lowercase();
        if v == "off" || v == "none" {
            return Ok(None);
        }
        v.parse::<Weekday>()
            .map(Some)
            .map_err(|_| PolicyError::DigestDay(raw.trim().to_string()))
    }

    pub fn days_before(&self) -> &[u32] {
        &self.days_before
    }

    pub fn overdue_every(&self) -> u32 {
        self.overdue_every
    }

    pub fn escalate_after(&self) -> u32 {
        self.escalate_after
    }

    pub fn digest_day(&self) -> Option<Weekday> {
        self.digest_day
    }

    /// The reminder a task is due on `on`, if any. Tasks done or cancelled as of
    /// that date (by [`TaskDates::status_as_of`]), not yet assigned, or without
    /// a deadline get none.
    pub fn due(&self, task: &TaskDates, on: NaiveDate) -> Option<Due> {
        let due = self.standing(task, on)?;
        let on_schedule = match due {
            Due::Today => self.days_before.contains(&0),
            Due::Before { days } => self.days_before.contains(&days),
            Due::Overdue { days, .. } => days % self.overdue_every == 0,
        };
        on_schedule.then_some(due)
    }

    /// Like [`Policy::due`], when no reminder run happened on the days from
    /// `missed_from` to the day before `on` (the server was down): a reminder
    /// that fell on such a day is sent on `on`, worded as of `on`, so that a
    /// missed day delays a reminder instead of losing it. At most
    /// [`MAX_CATCH_UP_DAYS`] days are looked back.
    pub fn due_catching_up(
        &self,
        task: &TaskDates,
        on: NaiveDate,
        missed_from: NaiveDate,
    ) -> Option<Due> {
        if let Some(due) = self.due(task, on) {
            return Some(due);
        }
        let first = missed_from.max(on - chrono::Days::new(MAX_CATCH_UP_DAYS));
        first
            .iter_days()
            .take_while(|day| *day < on)
            .any(|day| self.due(task, day).is_some())
            .then(|| self.standing(task, on))
            .flatten()
    }

    /// Where an open task stands on `on` relative to its deadline, whether or
    /// not a reminder is scheduled that day.
    fn standing(&self, task: &TaskDates, on: NaiveDate) -> Option<Due> {
        task.open_on(on)?;
        let left = task.days_left(on)?;
        if left >= 0 {
            let left = u32::try_from(left).ok()?;
            return Some(if left == 0 {
                Due::Today
            } else {
                Due::Before { days: left }
            });
        }
        let late = u32::try_from(-left).ok()?;
        Some(Due::Overdue {
            days: late,
            escalate: late >= self.escalate_after,
        })
    }

    /// Whether `on` is the day of the weekly digest.
    pub fn is_digest_day(&self, on: NaiveDate) -> bool {
        self.digest_day == Some(on.weekday())
    }

    /// How far ahead a deadline counts as "due soon" in the digest: the first reminder's day (at least 1).
    pub fn due_soon_days(&self) -> u32 {
        self.days_before.first().copied().unwrap_or(0).max(1)
    }

    /// Where a task stands in the digest of `on`; `None` when it is not open then.
    pub fn digest_section(&self, task: &TaskDates, on: NaiveDate) -> Option<DigestSection> {
        task.open_on(on)?;
        Some(match task.days_left(on) {
            Some(left) if left < 0 => DigestSection::Overdue,
            Some(left) if left <= i64::from(self.due_soon_days()) => DigestSection::DueSoon,
            _ => DigestSection::Open,
        })
    }
}

fn parse_count(raw: &str) -> Option<u32> {
    let v = raw.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn open(deadline: &str) -> TaskDates {
        TaskDates {
            assigned_on: d("2022-07-07"),
            deadline: Some(d(deadline)),
            completed_on: None,
            cancelled_on: None,
        }
    }

    /// Every day from `from` to `to` with its reminder.
    fn sweep(p: &Policy, t: &TaskDates, from: &str, to: &str) -> Vec<(i64, Due)> {
        let (from, to) = (d(from), d(to));
        from.iter_days()
            .take_while(|day| *day <= to)
            .filter_map(|day| {
                p.due(t, day)
                    .map(|due| ((day - d("2022-12-31")).num_days(), due))
            })
            .collect()
    }

    #[test]
    fn a_missed_day_is_caught_up_worded_as_of_the_run() {
        let p = Policy::default();
        let t = open("2022-12-31");
        // Runs on 24/12 (7 days before), then none until 26/12: the 3-days-before
        // reminder of 28/12 is not missed yet; on 29/12 it is, and goes out as "2 days".
        assert_eq!(
            p.due_catching_up(&t, d("2022-12-26"), d("2022-12-25")),
            None
        );
        assert_eq!(
            p.due_catching_up(&t, d("2022-12-29"), d("2022-12-25")),
            Some(Due::Before { days: 2 })
        );
        // Nothing missed: exactly the day's own reminder.
        assert_eq!(
            p.due_catching_up(&t, d("2022-12-29"), d("2022-12-29")),
            None
        );
        assert_eq!(
            p.due_catching_up(&t, d("2022-12-28"), d("2022-12-26")),
            Some(Due::Before { days: 3 })
        );
        // Overdue: the reminder of 3/1 (3 days late) missed, sent on 4/1 as 4 days late.
        assert_eq!(
            p.due_catching_up(&t, d("2023-01-04"), d("2023-01-03")),
            Some(Due::Overdue {
                days: 4,
                escalate: false
            })
        );
        // A gap longer than the catch-up window looks back only that far.
        assert_eq!(
            p.due_catching_up(&t, d("2023-01-14"), d("2022-12-01")),
            Some(Due::Overdue {
                days: 14,
                escalate: true
            })
        );
        assert!(p
            .due_catching_up(&open("2022-10-10"), d("2022-12-01"), d("2022-11-01"))
            .is_some());
        // A task done before the run gets nothing, whatever was missed.
        let mut done = open("2022-12-31");
        done.completed_on = Some(d("2022-12-27"));
        assert_eq!(
            p.due_catching_up(&done, d("2022-12-29"), d("2022-12-25")),
            None
        );
    }

    #[test]
    fn default_policy_days_around_a_deadline() {
        let p = Policy::default();
        let t = open("2022-12-31");
        let got = sweep(&p, &t, "2022-12-01", "2023-01-31");
        let want = vec![
            (-7, Due::Before { days: 7 }),
            (-3, Due::Before { days: 3 }),
            (-1, Due::Before { days: 1 }),
            (0, Due::Today),
            (
                3,
                Due::Overdue {
                    days: 3,
                    escalate: false,
                },
            ),
            (
                6,
                Due::Overdue {
                    days: 6,
                    escalate: false,
                },
            ),
            (
                9,
                Due::Overdue {
                    days: 9,
                    escalate: true,
                },
            ),
            (
                12,
                Due::Overdue {
                    days: 12,
                    escalate: true,
                },
            ),
            (
                15,
                Due::Overdue {
                    days: 15,
                    escalate: true,
                },
            ),
            (
                18,
                Due::Overdue {
                    days: 18,
                    escalate: true,
                },
            ),
            (
                21,
                Due::Overdue {
                    days: 21,
                    escalate: true,
                },
            ),
            (
                24,
                Due::Overdue {
                    days: 24,
                    escalate: true,
                },
            ),
            (
                27,
                Due::Overdue {
                    days: 27,
                    escalate: true,
                },
            ),
            (
                30,
                Due::Overdue {
                    days: 30,
                    escalate: true,
                },
            ),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn done_tasks_get_nothing_from_their_completion_day() {
        let p = Policy::default();
        let mut t = open("2022-12-31");
        t.completed_on = Some(d("2022-12-28"));
        assert_eq!(p.due(&t, d("2022-12-24")), Some(Due::Before { days: 7 }));
        assert_eq!(p.due(&t, d("2022-12-28")), None);
        assert_eq!(p.due(&t, d("2022-12-30")), None);
        assert_eq!(p.due(&t, d("2022-12-31")), None);
        assert_eq!(p.due(&t, d("2023-01-03")), None);
        // Done late: reminders while overdue, none after.
        t.completed_on = Some(d("2023-01-05"));
        assert!(p.due(&t, d("2023-01-03")).is_some());
        assert_eq!(p.due(&t, d("2023-01-06")), None);
        assert_eq!(p.digest_section(&t, d("2023-01-09")), None);
    }

    #[test]
    fn cancelled_tasks_get_nothing_from_their_cancellation_day() {
        let p = Policy::default();
        let mut t = open("2022-12-31");
        t.cancelled_on = Some(d("2022-12-20"));
        assert_eq!(sweep(&p, &t, "2022-12-20", "2023-03-01"), vec![]);
        assert_eq!(p.digest_section(&t, d("2022-12-26")), None);
    }

    #[test]
    fn ongoing_tasks_get_no_deadline_reminders_but_appear_in_the_digest() {
        let p = Policy::default();
        let t = TaskDates {
            deadline: None,
            ..open("2022-12-31")
        };
        assert_eq!(sweep(&p, &t, "2022-07-01", "2023-12-31"), vec![]);
        assert_eq!(
            p.digest_section(&t, d("2022-07-11")),
            Some(DigestSection::Open)
        );
    }

    #[test]
    fn nothing_before_the_task_is_assigned() {
        let p = Policy::default();
        let t = TaskDates {
            assigned_on: d("2022-12-29"),
            ..open("2022-12-31")
        };
        // The 7- and 3-day reminders fall before the assignment.
        let got = sweep(&p, &t, "2022-12-01", "2023-01-01");
        assert_eq!(got, vec![(-1, Due::Before { days: 1 }), (0, Due::Today)]);
        assert_eq!(p.digest_section(&t, d("2022-12-26")), None);
    }

    #[test]
    fn configured_days_and_intervals() {
        let p = Policy::new(&[0, 14, 14, 2], 1, 2, None).expect("policy");
        assert_eq!(p.days_before(), &[14, 2, 0]);
        let t = open("2022-12-31");
        let got = sweep(&p, &t, "2022-12-01", "2023-01-03");
        assert_eq!(
            got,
            vec![
                (-14, Due::Before { days: 14 }),
                (-2, Due::Before { days: 2 }),
                (0, Due::Today),
                (
                    1,
                    Due::Overdue {
                        days: 1,
                        escalate: false
                    }
                ),
                (
                    2,
                    Due::Overdue {
                        days: 2,
                        escalate: true
                    }
                ),
                (
                    3,
                    Due::Overdue {
                        days: 3,
                        escalate: true
                    }
                ),
            ]
        );
        assert_eq!(p.due_soon_days(), 14);
        assert!(!p.is_digest_day(d("2022-12-26")));
    }

    #[test]
    fn no_reminders_before_when_the_list_is_empty() {
        let p = Policy::new(&[], 3, 0, Some(Weekday::Fri)).expect("policy");
        let t = open("2022-12-31");
        assert_eq!(
            sweep(&p, &t, "2022-12-01", "2023-01-03"),
            vec![(
                3,
                Due::Overdue {
                    days: 3,
                    escalate: true
                }
            )]
        );
        assert_eq!(p.due_soon_days(), 1);
        assert!(p.is_digest_day(d("2022-12-30")));
    }

    #[test]
    fn escalation_starts_at_the_configured_day() {
        let p = Policy::default();
        let t = open("2022-12-31");
        // 6 days overdue: not yet; 9 days (the next overdue reminder after 7): yes.
        assert_eq!(
            p.due(&t, d("2023-01-06")),
            Some(Due::Overdue {
                days: 6,
                escalate: false
            })
        );
        assert_eq!(
            p.due(&t, d("2023-01-09")),
            Some(Due::Overdue {
                days: 9,
                escalate: true
            })
        );
        let every_day = Policy::new(&[0], 1, 7, None).expect("policy");
        assert_eq!(
            every_day.due(&t, d("2023-01-06")),
            Some(Due::Overdue {
                days: 6,
                escalate: false
            })
        );
        assert_eq!(
            every_day.due(&t, d("2023-01-07")),
            Some(Due::Overdue {
                days: 7,
                escalate: true
            })
        );
    }

    #[test]
    fn audiences_and_kinds() {
        let before = Due::Before { days: 3 };
        assert_eq!(before.audiences(), &[Audience::Lead, Audience::Coordinator]);
        assert_eq!(before.kind_for(Audience::Lead), Kind::Before);
        assert_eq!(Due::Today.kind_for(Audience::Coordinator), Kind::Due);
        let late = Due::Overdue {
            days: 3,
            escalate: false,
        };
        assert_eq!(late.audiences().len(), 2);
        assert_eq!(late.kind_for(Audience::Lead), Kind::Overdue);
        let escalated = Due::Overdue {
            days: 9,
            escalate: true,
        };
        assert_eq!(escalated.audiences().len(), 4);
        assert_eq!(escalated.kind_for(Audience::UnitHead), Kind::Escalation);
        assert_eq!(
            escalated.kind_for(Audience::AssigningOfficial),
            Kind::Escalation
        );
        assert_eq!(escalated.kind_for(Audience::Lead), Kind::Overdue);
        assert_eq!(escalated.days_left(), -9);
        assert!(Audience::Lead.reports() && Audience::Coordinator.reports());
        assert!(!Audience::UnitHead.reports() && !Audience::AssigningOfficial.reports());
        for k in Kind::ALL {
            assert_eq!(Kind::from_code(k.code()), Some(k));
        }
        assert_eq!(Kind::from_code("digest"), None);
    }

    #[test]
    fn digest_sections() {
        let p = Policy::default();
        let monday = d("2022-12-26");
        assert!(p.is_digest_day(monday));
        assert!(!p.is_digest_day(d("2022-12-27")));
        assert_eq!(
            p.digest_section(&open("2022-12-25"), monday),
            Some(DigestSection::Overdue)
        );
        assert_eq!(
            p.digest_section(&open("2022-12-26"), monday),
            Some(DigestSection::DueSoon)
        );
        assert_eq!(
            p.digest_section(&open("2023-01-02"), monday),
            Some(DigestSection::DueSoon)
        );
        assert_eq!(
            p.digest_section(&open("2023-01-03"), monday),
            Some(DigestSection::Open)
        );
    }

    #[test]
    fn parsing_the_variables() {
        assert_eq!(Policy::parse_days("7,3,1,0"), Ok(vec![7, 3, 1, 0]));
        assert_eq!(Policy::parse_days(" 14, 7 ,0 "), Ok(vec![14, 7, 0]));
        assert_eq!(Policy::parse_days(""), Ok(vec![]));
        for bad in ["7,,3", "-1", "7;3", "x", "1000", "3.5", "+3"] {
            assert!(Policy::parse_days(bad).is_err(), "{bad}");
        }
        assert_eq!(Policy::parse_every("3"), Ok(3));
        for bad in ["0", "-3", "", "abc", "367"] {
            assert!(Policy::parse_every(bad).is_err(), "{bad}");
        }
        assert_eq!(Policy::parse_escalate_after("0"), Ok(0));
        assert!(Policy::parse_escalate_after("9999").is_err());
        assert_eq!(Policy::parse_digest_day("MON"), Ok(Some(Weekday::Mon)));
        assert_eq!(Policy::parse_digest_day("friday"), Ok(Some(Weekday::Fri)));
        assert_eq!(Policy::parse_digest_day("off"), Ok(None));
        assert!(Policy::parse_digest_day("thu2").is_err());
        assert!(Policy::new(&[400], 3, 7, None).is_err());
        assert!(Policy::new(&[7], 0, 7, None).is_err());
    }

    fn arb_task() -> impl Strategy<Value = TaskDates> {
        let base = d("2022-01-01");
        (
            0i64..200,
            proptest::option::of(0i64..300),
            proptest::option::of(0i64..400),
            proptest::option::of(0i64..400),
        )
            .prop_map(move |(a, dl, c, x)| {
                let day = |n: i64| base + chrono::Duration::days(n);
                TaskDates {
                    assigned_on: day(a),
                    deadline: dl.map(|n| day(a + n)),
                    completed_on: c.map(|n| day(a + n)),
                    cancelled_on: x.map(|n| day(a + n)),
                }
            })
    }

    fn arb_policy() -> impl Strategy<Value = Policy> {
        (
            proptest::collection::vec(0u32..30, 0..6),
            1u32..10,
            0u32..20,
        )
            .prop_map(|(days, every, esc)| {
                Policy::new(&days, every, esc, Some(Weekday::Mon)).expect("policy")
            })
    }

    proptest! {
        #[test]
        fn reminders_agree_with_the_status_function(p in arb_policy(), t in arb_task(), offset in 0i64..500) {
            let on = d("2022-01-01") + chrono::Duration::days(offset);
            if let Some(due) = p.due(&t, on) {
                let status = t.status_as_of(on);
                prop_assert!(matches!(status, Some(crate::domain::Status::InProgress | crate::domain::Status::Overdue)));
                prop_assert!(t.assigned_on <= on);
                prop_assert_eq!(t.days_left(on), Some(due.days_left()));
                match due {
                    Due::Before { days } => prop_assert!(days > 0 && p.days_before().contains(&days)),
                    Due::Today => prop_assert!(p.days_before().contains(&0)),
                    Due::Overdue { days, escalate } => {
                        prop_assert_eq!(status, Some(crate::domain::Status::Overdue));
                        prop_assert_eq!(days % p.overdue_every(), 0);
                        prop_assert_eq!(escalate, days >= p.escalate_after());
                    }
                }
                prop_assert!(p.digest_section(&t, on).is_some());
            }
        }

        #[test]
        fn an_open_task_gets_each_configured_day_once(p in arb_policy(), t in arb_task()) {
            let t = TaskDates { completed_on: None, cancelled_on: None, ..t };
            let Some(deadline) = t.deadline else { return Ok(()) };
            let mut before = Vec::new();
            let mut day = t.assigned_on;
            while day <= deadline {
                if let Some(due) = p.due(&t, day) {
                    before.push(due.days_left() as u32);
                }
                day = day.succ_opt().expect("date");
            }
            let want: Vec<u32> = p
                .days_before()
                .iter()
                .copied()
                .filter(|n| deadline - chrono::Duration::days(i64::from(*n)) >= t.assigned_on)
                .collect();
            prop_assert_eq!(before, want);
            // Overdue: exactly one every `overdue_every` days over the next 60 days.
            let after = (1..=60u32)
                .filter(|n| p.due(&t, deadline + chrono::Duration::days(i64::from(*n))).is_some())
                .count() as u32;
            prop_assert_eq!(after, 60 / p.overdue_every());
        }
    }
}
