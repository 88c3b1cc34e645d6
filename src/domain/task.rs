//! A task as it comes in (CSV row, form, API), checked once.

use chrono::NaiveDate;

use super::dates::parse_optional_date;
use super::unit::{check_code, split_list};
use super::Invalid;

pub const MAX_CONTENT_LEN: usize = 10_000;
pub const MAX_REF_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskInput {
    pub reference: Option<String>,
    pub content: String,
    /// `None`: "chưa có đơn vị chủ trì", a directive whose lead is still to be chosen.
    pub lead_unit: Option<String>,
    pub coordinators: Vec<String>,
    pub assigned_on: NaiveDate,
    pub deadline: Option<NaiveDate>,
    /// Set only when the deadline was moved.
    pub original_deadline: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub cancelled_on: Option<NaiveDate>,
    pub expected_output: String,
}

/// What a source must give beyond the content and the assignment date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// Imports: the reference is what makes re-imports idempotent.
    pub reference: bool,
    /// Imports move over a tracked spreadsheet, where every row has its lead; forms and
    /// the API may confirm a directive whose lead is chosen later.
    pub lead: bool,
}

impl Needs {
    pub const IMPORT: Needs = Needs {
        reference: true,
        lead: true,
    };
    pub const FORM: Needs = Needs {
        reference: false,
        lead: false,
    };
}

/// The lead of a form or row: empty is "no lead yet" unless `required`.
pub fn check_lead(field: &str, code: &str, required: bool) -> Result<Option<String>, Invalid> {
    if code.trim().is_empty() && !required {
        return Ok(None);
    }
    check_code(field, code).map(Some)
}

/// The raw text of each field, as typed; dates as `YYYY-MM-DD` or `dd/mm/yyyy`.
#[derive(Debug, Clone, Default)]
pub struct RawTask<'a> {
    pub reference: &'a str,
    pub content: &'a str,
    pub lead_unit: &'a str,
    /// `|`-separated codes.
    pub coordinators: &'a str,
    pub assigned_on: &'a str,
    pub deadline: &'a str,
    pub original_deadline: &'a str,
    pub completed_on: &'a str,
    pub cancelled_on: &'a str,
    pub expected_output: &'a str,
}

pub fn check_reference(field: &str, reference: &str) -> Result<Option<String>, Invalid> {
    let r = reference.trim();
    if r.is_empty() {
        return Ok(None);
    }
    if r.chars().count() > MAX_REF_LEN || r.chars().any(char::is_control) {
        return Err(Invalid::new(field, "err-reference").arg("max", MAX_REF_LEN));
    }
    Ok(Some(r.to_string()))
}

pub fn check_content(field: &str, content: &str) -> Result<String, Invalid> {
    let c = content.trim();
    if c.is_empty() {
        return Err(Invalid::required(field));
    }
    if c.chars().count() > MAX_CONTENT_LEN {
        return Err(Invalid::new(field, "err-too-long").arg("max", MAX_CONTENT_LEN));
    }
    Ok(c.to_string())
}

/// The date rules every task obeys, wherever it comes from.
pub fn check_dates(task: &TaskInput, today: NaiveDate) -> Vec<Invalid> {
    let mut errors = Vec::new();
    let assigned = task.assigned_on;
    let not_before_assigned = |field: &str, date: Option<NaiveDate>, errors: &mut Vec<Invalid>| {
        if let Some(d) = date.filter(|d| *d < assigned) {
            errors.push(
                Invalid::new(field, "err-before-assigned")
                    .arg("value", super::dates::format_vi(d))
                    .arg("assigned", super::dates::format_vi(assigned)),
            );
        }
    };
    not_before_assigned("deadline", task.deadline, &mut errors);
    not_before_assigned("original_deadline", task.original_deadline, &mut errors);
    not_before_assigned("completed_on", task.completed_on, &mut errors);
    not_before_assigned("cancelled_on", task.cancelled_on, &mut errors);
    for (field, date) in [
        ("completed_on", task.completed_on),
        ("cancelled_on", task.cancelled_on),
    ] {
        if let Some(d) = date.filter(|d| *d > today) {
            errors.push(
                Invalid::new(field, "err-in-future").arg("value", super::dates::format_vi(d)),
            );
        }
    }
    if task.original_deadline.is_some() && task.deadline.is_none() {
        errors.push(Invalid::new(
            "original_deadline",
            "err-original-without-deadline",
        ));
    }
    errors
}

/// The value, or `None` with its error collected.
pub fn keep<T>(errors: &mut Vec<Invalid>, r: Result<T, Invalid>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

impl TaskInput {
    /// Every problem of the row, not just the first.
    pub fn parse(raw: &RawTask, needs: Needs, today: NaiveDate) -> Result<TaskInput, Vec<Invalid>> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let reference = keep(e, check_reference("ref", raw.reference)).flatten();
        let content = keep(e, check_content("content", raw.content));
        let lead_unit = keep(e, check_lead("lead_unit", raw.lead_unit, needs.lead));
        let date = |field: &str, value: &str| {
            parse_optional_date(value).map_err(|_| Invalid::bad_date(field, value))
        };
        let assigned_on = keep(e, date("assigned_on", raw.assigned_on)).flatten();
        let deadline = keep(e, date("deadline", raw.deadline)).flatten();
        let original_deadline = keep(e, date("original_deadline", raw.original_deadline)).flatten();
        let completed_on = keep(e, date("completed_on", raw.completed_on)).flatten();
        let cancelled_on = keep(e, date("cancelled_on", raw.cancelled_on)).flatten();
        let mut coordinators = Vec::new();
        for code in split_list(raw.coordinators) {
            if let Some(code) = keep(e, check_code("coordinators", &code)) {
                coordinators.push(code);
            }
        }
        if needs.reference && reference.is_none() && raw.reference.trim().is_empty() {
            errors.push(Invalid::required("ref"));
        }
        if assigned_on.is_none() && raw.assigned_on.trim().is_empty() {
            errors.push(Invalid::required("assigned_on"));
        }
        if let Some(Some(lead)) = &lead_unit {
            if coordinators.contains(lead) {
                errors
                    .push(Invalid::new("coordinators", "err-lead-coordinates").arg("value", lead));
            }
        }
        let (Some(content), Some(lead_unit), Some(assigned_on), true) =
            (content, lead_unit, assigned_on, errors.is_empty())
        else {
            return Err(errors);
        };
        let task = TaskInput {
            reference,
            content,
            lead_unit,
            coordinators,
            assigned_on,
            deadline,
            // A recorded original equal to the deadline means the deadline never moved.
            original_deadline: original_deadline.filter(|o| Some(*o) != deadline),
            completed_on,
            cancelled_on,
            expected_output: raw.expected_output.trim().to_string(),
        };
        let errors = check_dates(&task, today);
        if errors.is_empty() {
            Ok(task)
        } else {
            Err(errors)
        }
    }
}

/// A change to a task's assignment: only the given fields change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskChange {
    pub content: Option<String>,
    /// `Some(None)` takes the lead away (the task waits for one).
    pub lead_unit: Option<Option<String>>,
    pub coordinators: Option<Vec<String>>,
    pub assigned_on: Option<NaiveDate>,
    /// `Some(None)` makes the task ongoing (no deadline).
    pub deadline: Option<Option<NaiveDate>>,
    pub expected_output: Option<String>,
}

impl TaskChange {
    /// The task as it would be after the change, checked like a new one.
    pub fn apply(&self, current: &TaskInput, today: NaiveDate) -> Result<TaskInput, Vec<Invalid>> {
        let mut errors = Vec::new();
        let mut next = current.clone();
        if let Some(content) = &self.content {
            if let Some(c) = keep(&mut errors, check_content("content", content)) {
                next.content = c;
            }
        }
        match &self.lead_unit {
            Some(Some(lead)) => {
                if let Some(code) = keep(&mut errors, check_code("lead_unit", lead)) {
                    next.lead_unit = Some(code);
                }
            }
            Some(None) => next.lead_unit = None,
            None => {}
        }
        if let Some(coordinators) = &self.coordinators {
            let mut codes: Vec<String> = Vec::new();
            for c in coordinators {
                if let Some(code) = keep(&mut errors, check_code("coordinators", c)) {
                    if !codes.contains(&code) {
                        codes.push(code);
                    }
                }
            }
            next.coordinators = codes;
        }
        if let Some(a) = self.assigned_on {
            next.assigned_on = a;
        }
        if let Some(d) = self.deadline {
            next.deadline = d;
            if next.deadline.is_none() {
                next.original_deadline = None;
            }
        }
        if let Some(e) = &self.expected_output {
            next.expected_output = e.trim().to_string();
        }
        if let Some(lead) = next
            .lead_unit
            .as_ref()
            .filter(|l| next.coordinators.contains(l))
        {
            errors.push(Invalid::new("coordinators", "err-lead-coordinates").arg("value", lead));
        }
        errors.extend(check_dates(&next, today));
        if errors.is_empty() {
            Ok(next)
        } else {
            Err(errors)
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == TaskChange::default()
    }
}

pub const MAX_REASON_LEN: usize = 2_000;

/// A reason (for a cancellation, a return, a rejection): required, bounded.
pub fn check_reason(field: &str, reason: &str) -> Result<String, Invalid> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(Invalid::required(field));
    }
    if r.chars().count() > MAX_REASON_LEN {
        return Err(Invalid::new(field, "err-too-long").arg("max", MAX_REASON_LEN));
    }
    Ok(r.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
    }

    fn raw<'a>() -> RawTask<'a> {
        RawTask {
            reference: "TG-2022-01",
            content: "Tổ chức quán triệt nghị quyết",
            lead_unit: "BTGTU",
            coordinators: "VPTU|TUPL",
            assigned_on: "07/07/2022",
            deadline: "2022-12-31",
            ..Default::default()
        }
    }

    fn fields(errors: &[Invalid]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_good_row() {
        let t = TaskInput::parse(&raw(), Needs::IMPORT, today()).expect("valid");
        assert_eq!(t.reference.as_deref(), Some("TG-2022-01"));
        assert_eq!(t.coordinators, vec!["VPTU", "TUPL"]);
        assert_eq!(
            t.assigned_on,
            NaiveDate::from_ymd_opt(2022, 7, 7).expect("date")
        );
        assert_eq!(t.original_deadline, None);
    }

    #[test]
    fn bad_cells_are_named() {
        let mut r = raw();
        r.content = "";
        r.deadline = "31/02/2022";
        r.lead_unit = "";
        let errors = TaskInput::parse(&r, Needs::IMPORT, today()).expect_err("invalid");
        assert_eq!(fields(&errors), vec!["content", "lead_unit", "deadline"]);
        assert_eq!(errors[2].key, "err-date");
    }

    #[test]
    fn the_reference_is_required_for_imports_only() {
        let mut r = raw();
        r.reference = " ";
        assert!(TaskInput::parse(&r, Needs::FORM, today()).is_ok());
        assert_eq!(
            fields(&TaskInput::parse(&r, Needs::IMPORT, today()).expect_err("ref")),
            vec!["ref"]
        );
    }

    #[test]
    fn the_lead_is_required_for_imports_only() {
        let mut r = raw();
        r.lead_unit = "  ";
        assert_eq!(
            fields(&TaskInput::parse(&r, Needs::IMPORT, today()).expect_err("lead")),
            vec!["lead_unit"]
        );
        let t = TaskInput::parse(&r, Needs::FORM, today()).expect("no lead yet");
        assert_eq!(t.lead_unit, None);
        assert_eq!(t.coordinators, vec!["VPTU", "TUPL"]);
        r.lead_unit = "Ban TG";
        assert_eq!(
            TaskInput::parse(&r, Needs::FORM, today()).expect_err("bad code")[0].key,
            "err-unit-code"
        );
    }

    #[test]
    fn a_change_may_take_the_lead_away_or_give_one() {
        let t = TaskInput::parse(&raw(), Needs::IMPORT, today()).expect("valid");
        let away = TaskChange {
            lead_unit: Some(None),
            ..Default::default()
        };
        let waiting = away.apply(&t, today()).expect("no lead");
        assert_eq!(waiting.lead_unit, None);
        let give = TaskChange {
            lead_unit: Some(Some("VPTU".into())),
            ..Default::default()
        };
        assert_eq!(
            give.apply(&waiting, today()).expect_err("coordinates")[0].key,
            "err-lead-coordinates"
        );
        let give = TaskChange {
            lead_unit: Some(Some("SOTC".into())),
            ..Default::default()
        };
        assert_eq!(
            give.apply(&waiting, today())
                .expect("lead")
                .lead_unit
                .as_deref(),
            Some("SOTC")
        );
    }

    #[test]
    fn dates_follow_the_assignment() {
        let mut r = raw();
        r.deadline = "2022-07-06";
        r.completed_on = "2022-07-01";
        let errors = TaskInput::parse(&r, Needs::IMPORT, today()).expect_err("before");
        assert_eq!(fields(&errors), vec!["deadline", "completed_on"]);
        assert!(errors.iter().all(|e| e.key == "err-before-assigned"));
    }

    #[test]
    fn no_completion_in_the_future() {
        let mut r = raw();
        r.completed_on = "2026-01-02";
        let errors = TaskInput::parse(&r, Needs::IMPORT, today()).expect_err("future");
        assert_eq!(errors[0].key, "err-in-future");
    }

    #[test]
    fn the_lead_does_not_coordinate() {
        let mut r = raw();
        r.coordinators = "VPTU|BTGTU";
        let errors = TaskInput::parse(&r, Needs::IMPORT, today()).expect_err("lead");
        assert_eq!(errors[0].key, "err-lead-coordinates");
    }

    #[test]
    fn a_change_applies_only_its_fields_and_is_checked() {
        let t = TaskInput::parse(&raw(), Needs::IMPORT, today()).expect("valid");
        let change = TaskChange {
            content: Some("  Nội dung mới ".into()),
            deadline: Some(None),
            ..Default::default()
        };
        let next = change.apply(&t, today()).expect("valid change");
        assert_eq!(next.content, "Nội dung mới");
        assert_eq!(next.deadline, None);
        assert_eq!(next.lead_unit, t.lead_unit);
        let bad = TaskChange {
            content: Some(" ".into()),
            deadline: Some(NaiveDate::from_ymd_opt(2022, 1, 1)),
            coordinators: Some(vec!["BTGTU".into()]),
            ..Default::default()
        };
        let errors = bad.apply(&t, today()).expect_err("invalid");
        assert_eq!(fields(&errors), vec!["content", "coordinators", "deadline"]);
        assert!(TaskChange::default().is_empty());
    }

    #[test]
    fn reasons_are_required_and_bounded() {
        assert_eq!(
            check_reason("reason", "  Trùng nhiệm vụ khác "),
            Ok("Trùng nhiệm vụ khác".into())
        );
        assert!(check_reason("reason", " ").is_err());
        assert!(check_reason("reason", &"x".repeat(MAX_REASON_LEN + 1)).is_err());
    }

    #[test]
    fn an_original_deadline_equal_to_the_deadline_is_no_extension() {
        let mut r = raw();
        r.original_deadline = "31/12/2022";
        assert_eq!(
            TaskInput::parse(&r, Needs::IMPORT, today())
                .expect("valid")
                .original_deadline,
            None
        );
        r.original_deadline = "2022-09-30";
        assert!(TaskInput::parse(&r, Needs::IMPORT, today())
            .expect("valid")
            .original_deadline
            .is_some());
        r.deadline = "";
        assert_eq!(
            TaskInput::parse(&r, Needs::IMPORT, today()).expect_err("no deadline")[0].key,
            "err-original-without-deadline"
        );
    }
}
