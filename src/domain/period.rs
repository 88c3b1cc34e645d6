//! Reporting periods (`2022-H2`, `2022-Q3`, `2022-09`, `2022`, ranges) and the
//! rule that decides which tasks a period's report covers.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

use super::status::TaskDates;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("unknown period name '{0}' (expected e.g. 2022-H2, 2022-Q3, 2022-09, 2022 or 2022-07-01..2022-12-31)")]
    BadName(String),
    #[error("the period ends ({to}) before it starts ({from})")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("the as-of date {as_of} is before the period starts ({from})")]
    AsOfBeforeFrom { as_of: NaiveDate, from: NaiveDate },
}

/// How a task came into a period's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inclusion {
    /// Assigned within the period (giao trong kỳ).
    AssignedInPeriod,
    /// Assigned before the period and not completed before it started (chuyển tiếp).
    CarriedOver,
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn last_day_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    ymd(ny, nm, 1).and_then(|d| d.pred_opt())
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError::Reversed { from, to });
        }
        Ok(Period { from, to })
    }

    pub fn half_year(year: i32, half: u32) -> Option<Period> {
        let (fm, tm) = match half {
            1 => (1, 6),
            2 => (7, 12),
            _ => return None,
        };
        Some(Period {
            from: ymd(year, fm, 1)?,
            to: last_day_of_month(year, tm)?,
        })
    }

    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let first = quarter * 3 - 2;
        Some(Period {
            from: ymd(year, first, 1)?,
            to: last_day_of_month(year, first + 2)?,
        })
    }

    pub fn month(year: i32, month: u32) -> Option<Period> {
        Some(Period {
            from: ymd(year, month, 1)?,
            to: last_day_of_month(year, month)?,
        })
    }

    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            from: ymd(year, 1, 1)?,
            to: ymd(year, 12, 31)?,
        })
    }

    /// The half-year a date falls in: the default view of the dashboard.
    pub fn half_year_of(date: NaiveDate) -> Period {
        let half = if date.month() <= 6 { 1 } else { 2 };
        // Every valid date's year has both half-years.
        Period::half_year(date.year(), half).unwrap_or(Period {
            from: date,
            to: date,
        })
    }

    /// The as-of date of a report: the given one, or the earlier of today and the period's end.
    pub fn as_of(
        &self,
        requested: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<NaiveDate, PeriodError> {
        let as_of = requested.unwrap_or_else(|| today.min(self.to));
        if as_of < self.from {
            return Err(PeriodError::AsOfBeforeFrom {
                as_of,
                from: self.from,
            });
        }
        Ok(as_of)
    }

    /// Whether a task belongs in this period's report as of `as_of`, and how.
    pub fn inclusion(&self, task: &TaskDates, as_of: NaiveDate) -> Option<Inclusion> {
        let (counted, inclusion) = self.placing(task, as_of);
        counted.then_some(inclusion)
    }

    /// Whether a task is counted in this period's report as of `as_of`, and
    /// how it would be (meaningless when not counted): not when cancelled by
    /// then or assigned after the period; assigned in the period; or carried
    /// over from before it unless completed before it began. Flags, not
    /// branches, as in [`TaskDates::standing`]: asked of every task.
    pub fn placing(&self, task: &TaskDates, as_of: NaiveDate) -> (bool, Inclusion) {
        let in_period = task.assigned_on >= self.from;
        let done_before = task.completed_on.unwrap_or(NaiveDate::MAX) < self.from;
        let counted = !task.is_cancelled_by(as_of)
            & (task.assigned_on <= self.to)
            & (in_period | !done_before);
        let inclusion = match in_period {
            true => Inclusion::AssignedInPeriod,
            false => Inclusion::CarriedOver,
        };
        (counted, inclusion)
    }

    /// The canonical name when the period is a named one, else `from..to`.
    pub fn name(&self) -> String {
        let (y, m, d) = (self.from.year(), self.from.month(), self.from.day());
        let named = [
            (Period::year(y), format!("{y}")),
            (Period::half_year(y, 1), format!("{y}-H1")),
            (Period::half_year(y, 2), format!("{y}-H2")),
            (
                Period::quarter(y, m.div_ceil(3)),
                format!("{y}-Q{}", m.div_ceil(3)),
            ),
            (Period::month(y, m), format!("{y}-{m:02}")),
        ];
        if d == 1 {
            for (p, name) in named {
                if p == Some(*self) {
                    return name;
                }
            }
        }
        format!("{}..{}", self.from, self.to)
    }

    /// The catalogue key and arguments of the name people call the period by
    /// ("6 tháng cuối năm 2022", "Quý III/2022", "Tháng 9/2022", "Năm 2022",
    /// or a range of dates), read from [`Period::name`].
    pub fn natural(&self) -> (&'static str, Vec<(&'static str, String)>) {
        let name = self.name();
        let year = self.from.year().to_string();
        let part = |sep: &str| {
            name.split_once(sep)
                .map(|(_, n)| n.trim_start_matches('0').to_string())
        };
        if let Some(n) = part("-H") {
            ("period-half", vec![("n", n), ("year", year)])
        } else if let Some(n) = part("-Q") {
            ("period-quarter", vec![("n", n), ("year", year)])
        } else if name.len() == 4 {
            ("period-year", vec![("year", year)])
        } else if let Some(n) = part("-").filter(|_| name.len() == 7) {
            ("period-month", vec![("n", n), ("year", year)])
        } else {
            (
                "period-range",
                vec![
                    ("from", crate::domain::dates::format_vi(self.from)),
                    ("to", crate::domain::dates::format_vi(self.to)),
                ],
            )
        }
    }

    /// The months the period touches, each clipped to the period.
    pub fn months(&self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut start = self.from;
        while start <= self.to {
            let Some(end) = last_day_of_month(start.year(), start.month()) else {
                break;
            };
            let end = end.min(self.to);
            out.push(Period {
                from: start,
                to: end,
            });
            match end.succ_opt() {
                Some(next) => start = next,
                None => break,
            }
        }
        out
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Period, PeriodError> {
        let s = s.trim();
        let bad = || PeriodError::BadName(s.to_string());
        if let Some((a, b)) = s.split_once("..") {
            let from = super::dates::parse_date(a).map_err(|_| bad())?;
            let to = super::dates::parse_date(b).map_err(|_| bad())?;
            return Period::new(from, to);
        }
        let (year_part, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        if year_part.len() != 4 || !year_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year_part.parse().map_err(|_| bad())?;
        let number = |r: &str| -> Option<u32> {
            (!r.is_empty() && r.len() <= 2 && r.bytes().all(|b| b.is_ascii_digit()))
                .then(|| r.parse().ok())
                .flatten()
        };
        let period = match rest {
            None => Period::year(year),
            Some(r) => match r.as_bytes().first() {
                Some(b'H' | b'h') => number(&r[1..]).and_then(|h| Period::half_year(year, h)),
                Some(b'Q' | b'q') => number(&r[1..]).and_then(|q| Period::quarter(year, q)),
                _ if r.len() == 2 => number(r).and_then(|m| Period::month(year, m)),
                _ => None,
            },
        };
        period.ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn p(s: &str) -> Period {
        s.parse().expect("period")
    }

    #[test]
    fn natural_names_of_each_kind() {
        let args = |v: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
            v.iter().map(|(k, x)| (*k, x.to_string())).collect()
        };
        assert_eq!(
            p("2022-H1").natural(),
            ("period-half", args(&[("n", "1"), ("year", "2022")]))
        );
        assert_eq!(
            p("2022-H2").natural(),
            ("period-half", args(&[("n", "2"), ("year", "2022")]))
        );
        assert_eq!(
            p("2022-Q3").natural(),
            ("period-quarter", args(&[("n", "3"), ("year", "2022")]))
        );
        assert_eq!(
            p("2022-09").natural(),
            ("period-month", args(&[("n", "9"), ("year", "2022")]))
        );
        assert_eq!(
            p("2022-10").natural(),
            ("period-month", args(&[("n", "10"), ("year", "2022")]))
        );
        assert_eq!(
            p("2022").natural(),
            ("period-year", args(&[("year", "2022")]))
        );
        assert_eq!(
            p("2022-07-15..2022-08-31").natural(),
            (
                "period-range",
                args(&[("from", "15/07/2022"), ("to", "31/08/2022")])
            )
        );
    }

    #[test]
    fn named_periods() {
        assert_eq!(
            p("2022-H1"),
            Period {
                from: d("2022-01-01"),
                to: d("2022-06-30")
            }
        );
        assert_eq!(
            p("2022-H2"),
            Period {
                from: d("2022-07-01"),
                to: d("2022-12-31")
            }
        );
        assert_eq!(
            p("2022-Q1"),
            Period {
                from: d("2022-01-01"),
                to: d("2022-03-31")
            }
        );
        assert_eq!(
            p("2024-Q3"),
            Period {
                from: d("2024-07-01"),
                to: d("2024-09-30")
            }
        );
        assert_eq!(
            p("2024-02"),
            Period {
                from: d("2024-02-01"),
                to: d("2024-02-29")
            }
        );
        assert_eq!(
            p("2023-02"),
            Period {
                from: d("2023-02-01"),
                to: d("2023-02-28")
            }
        );
        assert_eq!(
            p("2022"),
            Period {
                from: d("2022-01-01"),
                to: d("2022-12-31")
            }
        );
        assert_eq!(p("2022-h2"), p("2022-H2"));
        assert_eq!(
            p("2022-07-15..2022-08-20"),
            Period {
                from: d("2022-07-15"),
                to: d("2022-08-20")
            }
        );
        assert_eq!(p("15/07/2022..20/08/2022"), p("2022-07-15..2022-08-20"));
    }

    #[test]
    fn bad_period_names() {
        for bad in [
            "",
            "2022-H3",
            "2022-Q0",
            "2022-Q5",
            "2022-13",
            "2022-00",
            "22-H1",
            "2022-",
            "H2-2022",
            "2022-H",
            "2022-1",
            "x..y",
            "2022-07-01..",
            "2022-H22",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad} should not parse");
        }
        assert!(matches!(
            "2022-12-31..2022-01-01".parse::<Period>(),
            Err(PeriodError::Reversed { .. })
        ));
    }

    #[test]
    fn names_round_trip() {
        for name in [
            "2022-H1",
            "2022-H2",
            "2022-Q1",
            "2022-Q4",
            "2022-09",
            "2022",
            "2022-07-15..2022-08-20",
            "2022-07-01..2022-08-31",
        ] {
            assert_eq!(p(name).name(), name);
            assert_eq!(p(name).to_string().parse::<Period>(), Ok(p(name)));
        }
    }

    #[test]
    fn half_year_of_a_date() {
        assert_eq!(Period::half_year_of(d("2022-07-07")), p("2022-H2"));
        assert_eq!(Period::half_year_of(d("2022-06-30")), p("2022-H1"));
    }

    #[test]
    fn as_of_defaults_to_the_earlier_of_today_and_the_end() {
        let h2 = p("2022-H2");
        assert_eq!(h2.as_of(None, d("2026-11-27")), Ok(d("2022-12-31")));
        assert_eq!(h2.as_of(None, d("2022-09-01")), Ok(d("2022-09-01")));
        assert_eq!(
            h2.as_of(Some(d("2022-08-01")), d("2026-01-01")),
            Ok(d("2022-08-01"))
        );
        // An as-of date after the period is allowed: late completions still count then.
        assert_eq!(
            h2.as_of(Some(d("2023-03-01")), d("2026-01-01")),
            Ok(d("2023-03-01"))
        );
        assert!(matches!(
            h2.as_of(Some(d("2022-06-30")), d("2026-01-01")),
            Err(PeriodError::AsOfBeforeFrom { .. })
        ));
        // Today before the period starts: the default as-of date is before `from`.
        assert!(h2.as_of(None, d("2022-05-01")).is_err());
    }

    fn task(assigned: &str, completed: Option<&str>, cancelled: Option<&str>) -> TaskDates {
        TaskDates {
            assigned_on: d(assigned),
            deadline: Some(d("2022-12-31")),
            completed_on: completed.map(d),
            cancelled_on: cancelled.map(d),
        }
    }

    #[test]
    fn scope_rules() {
        let h2 = p("2022-H2");
        let a = d("2022-12-31");
        assert_eq!(
            h2.inclusion(&task("2022-07-01", None, None), a),
            Some(Inclusion::AssignedInPeriod)
        );
        assert_eq!(
            h2.inclusion(&task("2022-12-31", None, None), a),
            Some(Inclusion::AssignedInPeriod)
        );
        assert_eq!(h2.inclusion(&task("2023-01-01", None, None), a), None);
        // Carried over: assigned before, still open, or completed inside the period.
        assert_eq!(
            h2.inclusion(&task("2022-03-01", None, None), a),
            Some(Inclusion::CarriedOver)
        );
        assert_eq!(
            h2.inclusion(&task("2022-03-01", Some("2022-07-01"), None), a),
            Some(Inclusion::CarriedOver)
        );
        assert_eq!(
            h2.inclusion(&task("2022-03-01", Some("2022-06-30"), None), a),
            None
        );
        // Completed after the as-of date is still carried over (it was open then).
        assert_eq!(
            h2.inclusion(&task("2022-03-01", Some("2023-02-01"), None), a),
            Some(Inclusion::CarriedOver)
        );
        // Cancelled on or before the as-of date: out; cancelled later: still in.
        assert_eq!(
            h2.inclusion(&task("2022-08-01", None, Some("2022-12-31")), a),
            None
        );
        assert_eq!(
            h2.inclusion(&task("2022-08-01", None, Some("2023-01-01")), a),
            Some(Inclusion::AssignedInPeriod)
        );
    }

    /// Every order of an assignment, a completion and a cancellation around a
    /// period's bounds and an as-of date, against the rule as `docs/rules.md`
    /// words it, one question after the other.
    #[test]
    fn the_flags_give_the_scope_in_words_for_every_order_of_dates() {
        let period = p("2022-H2");
        let days = [
            d("2022-06-29"),
            d("2022-06-30"),
            period.from,
            d("2022-09-15"),
            period.to,
            d("2023-01-01"),
        ];
        let in_words = |t: &TaskDates, as_of: NaiveDate| {
            if t.cancelled_on.is_some_and(|c| c <= as_of) || t.assigned_on > period.to {
                return None;
            }
            if t.assigned_on >= period.from {
                return Some(Inclusion::AssignedInPeriod);
            }
            match t.completed_on {
                Some(done) if done < period.from => None,
                _ => Some(Inclusion::CarriedOver),
            }
        };
        let maybe = || std::iter::once(None).chain(days.iter().copied().map(Some));
        for assigned_on in days {
            for completed_on in maybe().filter(|c| c.is_none_or(|c| c >= assigned_on)) {
                for cancelled_on in maybe().filter(|c| c.is_none_or(|c| c >= assigned_on)) {
                    let t = TaskDates {
                        assigned_on,
                        deadline: None,
                        completed_on,
                        cancelled_on,
                    };
                    for as_of in days {
                        assert_eq!(
                            period.inclusion(&t, as_of),
                            in_words(&t, as_of),
                            "{t:?} as of {as_of}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn months_of_a_period() {
        let months = p("2022-H2").months();
        assert_eq!(months.len(), 6);
        assert_eq!(months[0], p("2022-07"));
        assert_eq!(months[5], p("2022-12"));
        let part = p("2022-07-15..2022-08-10").months();
        assert_eq!(
            part,
            vec![p("2022-07-15..2022-07-31"), p("2022-08-01..2022-08-10")]
        );
    }
}
