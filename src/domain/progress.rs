//! Units' progress reports, proposals of completion, and extension requests,
//! as they come in; and who may report on a task.

use chrono::NaiveDate;

use super::dates::{format_vi, parse_date};
use super::task::keep;
use super::Invalid;

pub const MAX_NOTE_LEN: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    pub percent: i32,
    pub note: String,
    /// The unit says the task is done (on this date, default the report's day).
    pub proposes_completion: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct RawReport<'a> {
    pub percent: &'a str,
    pub note: &'a str,
    pub proposes_completion: bool,
    /// Empty: today.
    pub completed_on: &'a str,
}

fn check_percent(field: &str, raw: &str) -> Result<i32, Invalid> {
    let t = raw.trim().trim_end_matches('%').trim();
    if t.is_empty() {
        return Err(Invalid::required(field));
    }
    match t.parse::<i32>() {
        Ok(p) if (0..=100).contains(&p) => Ok(p),
        _ => Err(Invalid::new(field, "err-percent").arg("value", raw.trim())),
    }
}

/// A completion dated before the task was assigned.
fn before_assignment(done: NaiveDate, assigned_on: NaiveDate) -> Option<Invalid> {
    (done < assigned_on).then(|| {
        Invalid::new("completed_on", "err-before-assigned")
            .arg("value", format_vi(done))
            .arg("assigned", format_vi(assigned_on))
    })
}

impl ReportInput {
    /// `today` bounds the proposed completion date, and so does the task's
    /// `assigned_on` when the caller has it at hand; the report's writer
    /// checks that bound against the stored task in any case
    /// ([`ReportInput::check_assigned`]).
    pub fn parse(
        raw: &RawReport,
        assigned_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<ReportInput, Vec<Invalid>> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let mut percent = keep(e, check_percent("percent", raw.percent));
        let note = raw.note.trim();
        if note.chars().count() > MAX_NOTE_LEN {
            e.push(Invalid::new("note", "err-too-long").arg("max", MAX_NOTE_LEN));
        }
        let proposes_completion = if raw.proposes_completion {
            // Proposing completion means the work is all done.
            percent = percent.map(|_| 100);
            let on = if raw.completed_on.trim().is_empty() {
                Some(today)
            } else {
                keep(
                    e,
                    parse_date(raw.completed_on)
                        .map_err(|_| Invalid::bad_date("completed_on", raw.completed_on)),
                )
            };
            if let Some(d) = on {
                if let Some(early) = assigned_on.and_then(|a| before_assignment(d, a)) {
                    e.push(early);
                } else if d > today {
                    e.push(
                        Invalid::new("completed_on", "err-in-future").arg("value", format_vi(d)),
                    );
                }
            }
            on
        } else {
            None
        };
        match (percent, errors.is_empty()) {
            (Some(percent), true) => Ok(ReportInput {
                percent,
                note: note.to_string(),
                proposes_completion,
            }),
            _ => Err(errors),
        }
    }
}

impl ReportInput {
    /// A proposed completion is not dated before the task's assignment.
    pub fn check_assigned(&self, assigned_on: NaiveDate) -> Result<(), Invalid> {
        match self
            .proposes_completion
            .and_then(|d| before_assignment(d, assigned_on))
        {
            Some(early) => Err(early),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionInput {
    pub new_deadline: NaiveDate,
    pub reason: String,
}

impl ExtensionInput {
    /// A new deadline later than the current one (an ongoing task has nothing to extend).
    pub fn parse(
        new_deadline: &str,
        reason: &str,
        current: Option<NaiveDate>,
    ) -> Result<ExtensionInput, Vec<Invalid>> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let date = if new_deadline.trim().is_empty() {
            e.push(Invalid::required("new_deadline"));
            None
        } else {
            keep(
                e,
                parse_date(new_deadline)
                    .map_err(|_| Invalid::bad_date("new_deadline", new_deadline)),
            )
        };
        let reason = keep(e, super::task::check_reason("reason", reason));
        match current {
            None => e.push(Invalid::new("new_deadline", "err-extend-ongoing")),
            Some(c) => {
                if let Some(d) = date.filter(|d| *d <= c) {
                    e.push(
                        Invalid::new("new_deadline", "err-extend-earlier")
                            .arg("value", format_vi(d))
                            .arg("deadline", format_vi(c)),
                    );
                }
            }
        }
        match (date, reason, errors.is_empty()) {
            (Some(new_deadline), Some(reason), true) => Ok(ExtensionInput {
                new_deadline,
                reason,
            }),
            _ => Err(errors),
        }
    }
}

/// How a unit stands to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitPart {
    Lead,
    Coordinator,
}

/// A unit's part in a task, if it has one: only those units report on it.
pub fn unit_part(unit: &str, lead: Option<&str>, coordinators: &[String]) -> Option<UnitPart> {
    if lead == Some(unit) {
        Some(UnitPart::Lead)
    } else if coordinators.iter().any(|c| c == unit) {
        Some(UnitPart::Coordinator)
    } else {
        None
    }
}

/// Where a proposal of completion stands (`docs/workflow.md`): it waits for
/// the office, which confirms it or returns it with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    Pending,
    Confirmed,
    Returned,
}

impl Review {
    pub const ALL: [Review; 3] = [Review::Pending, Review::Confirmed, Review::Returned];

    /// The name stored, shown to templates and written by the API.
    pub fn code(self) -> &'static str {
        match self {
            Review::Pending => "pending",
            Review::Confirmed => "confirmed",
            Review::Returned => "returned",
        }
    }

    pub fn from_code(code: &str) -> Option<Review> {
        Review::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// Where an extension request stands: it waits, or the office approved or
/// rejected it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Pending,
    Approved,
    Rejected,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Decision::Pending, Decision::Approved, Decision::Rejected];

    /// The name stored, shown to templates and written by the API.
    pub fn code(self) -> &'static str {
        match self {
            Decision::Pending => "pending",
            Decision::Approved => "approved",
            Decision::Rejected => "rejected",
        }
    }

    pub fn from_code(code: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.code() == code)
    }
}

/// Written as its code (the API's reports).
impl serde::Serialize for Review {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// Written as its code (the API's requests, the inbox's entries).
impl serde::Serialize for Decision {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).expect("date")
    }

    fn report(percent: &str, propose: bool, on: &str) -> Result<ReportInput, Vec<Invalid>> {
        ReportInput::parse(
            &RawReport {
                percent,
                note: " Đã xong dự thảo ",
                proposes_completion: propose,
                completed_on: on,
            },
            Some(d("2022-07-07")),
            d("2022-12-01"),
        )
    }

    fn fields(r: Result<ReportInput, Vec<Invalid>>) -> Vec<String> {
        r.expect_err("invalid")
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn percent_between_0_and_100() {
        assert_eq!(report("60", false, "").expect("ok").percent, 60);
        assert_eq!(report(" 60% ", false, "").expect("ok").percent, 60);
        assert_eq!(report("0", false, "").expect("ok").note, "Đã xong dự thảo");
        for bad in ["150", "-1", "sáu mươi", "60.5", ""] {
            assert_eq!(fields(report(bad, false, "")), ["percent"], "{bad}");
        }
    }

    #[test]
    fn a_proposal_is_all_done_on_a_past_date() {
        let r = report("80", true, "").expect("ok");
        assert_eq!(
            (r.percent, r.proposes_completion),
            (100, Some(d("2022-12-01")))
        );
        assert_eq!(
            report("80", true, "20/11/2022")
                .expect("ok")
                .proposes_completion,
            Some(d("2022-11-20"))
        );
        assert_eq!(fields(report("80", true, "2022-07-01")), ["completed_on"]);
        assert_eq!(fields(report("80", true, "2023-01-01")), ["completed_on"]);
        assert_eq!(fields(report("80", true, "31/02/2022")), ["completed_on"]);
        assert_eq!(
            report("80", false, "garbage")
                .expect("ignored without a proposal")
                .proposes_completion,
            None
        );
    }

    #[test]
    fn notes_are_bounded() {
        let long = "x".repeat(MAX_NOTE_LEN + 1);
        let r = ReportInput::parse(
            &RawReport {
                percent: "10",
                note: &long,
                ..Default::default()
            },
            Some(d("2022-07-07")),
            d("2022-12-01"),
        );
        assert_eq!(fields(r), ["note"]);
    }

    #[test]
    fn a_completion_before_the_assignment_is_refused_when_read_or_when_written() {
        let raw = RawReport {
            percent: "100",
            proposes_completion: true,
            completed_on: "01/07/2022",
            ..Default::default()
        };
        let (assigned, today) = (d("2022-07-07"), d("2022-12-01"));
        let early = ReportInput::parse(&raw, Some(assigned), today).expect_err("early");
        assert_eq!(early[0].key, "err-before-assigned");
        // Without the task at hand the date passes the reading, and the writer refuses it.
        let read = ReportInput::parse(&raw, None, today).expect("read without the task");
        let refused = read
            .check_assigned(assigned)
            .expect_err("refused when written");
        assert_eq!(
            (refused.field.as_str(), refused.key),
            ("completed_on", "err-before-assigned")
        );
        assert_eq!(read.check_assigned(d("2022-07-01")), Ok(()));
        let plain = ReportInput::parse(
            &RawReport {
                percent: "40",
                ..Default::default()
            },
            None,
            today,
        )
        .expect("plain report");
        assert_eq!(plain.check_assigned(d("2022-11-30")), Ok(()));
    }

    #[test]
    fn extensions_move_the_deadline_later() {
        let ok =
            ExtensionInput::parse("2023-03-31", "Chờ ý kiến Trung ương", Some(d("2022-12-31")))
                .expect("ok");
        assert_eq!(ok.new_deadline, d("2023-03-31"));
        let names = |r: Result<ExtensionInput, Vec<Invalid>>| {
            r.expect_err("bad")
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(ExtensionInput::parse(
                "2022-12-31",
                "x",
                Some(d("2022-12-31"))
            )),
            ["new_deadline"]
        );
        assert_eq!(
            names(ExtensionInput::parse("", " ", Some(d("2022-12-31")))),
            ["new_deadline", "reason"]
        );
        assert_eq!(
            names(ExtensionInput::parse("2023-01-31", "x", None)),
            ["new_deadline"]
        );
        assert_eq!(
            names(ExtensionInput::parse(
                "31/02/2023",
                "x",
                Some(d("2022-12-31"))
            )),
            ["new_deadline"]
        );
    }

    #[test]
    fn each_state_reads_back_from_its_code() {
        for r in Review::ALL {
            assert_eq!(Review::from_code(r.code()), Some(r));
        }
        for d in Decision::ALL {
            assert_eq!(Decision::from_code(d.code()), Some(d));
        }
        assert_eq!(Review::from_code("approved"), None);
        assert_eq!(Decision::from_code("confirmed"), None);
        assert_eq!(
            serde_json::to_value(Decision::Approved).expect("json"),
            serde_json::json!("approved")
        );
    }

    #[test]
    fn only_the_lead_and_coordinators_have_a_part() {
        let coordinators = vec!["VPTU".to_string()];
        assert_eq!(
            unit_part("BTGTU", Some("BTGTU"), &coordinators),
            Some(UnitPart::Lead)
        );
        assert_eq!(
            unit_part("VPTU", Some("BTGTU"), &coordinators),
            Some(UnitPart::Coordinator)
        );
        assert_eq!(unit_part("TUPL", Some("BTGTU"), &coordinators), None);
        // A task waiting for its lead: its coordinators still report.
        assert_eq!(
            unit_part("VPTU", None, &coordinators),
            Some(UnitPart::Coordinator)
        );
        assert_eq!(unit_part("BTGTU", None, &coordinators), None);
    }
}
