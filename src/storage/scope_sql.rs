//! The period scope and the status as SQL, for the task list's filters
//! (`storage::tasks::list`, `/tasks?period=…&status=…`), which page through
//! SQL with its other filters (words, meeting, units). They restate
//! `Period::inclusion` and `TaskDates::status_as_of`;
//! `tests/dashboard_random.rs` holds the lists they select equal to the
//! counts of the domain functions on random data. The dashboard does not use
//! them: its numbers and lists come from the report's snapshot (`storage::report`).
//! Dates are written as literals formatted from `NaiveDate` (never from user
//! text), which both backends compare with their date columns.

use chrono::NaiveDate;

use crate::domain::Status;

pub(super) fn lit(date: NaiveDate) -> String {
    format!("'{}'", date.format("%Y-%m-%d"))
}

/// Tasks in the period's report as of `as_of` (giao trong kỳ or chuyển tiếp).
pub fn scope_sql(period: &crate::domain::Period, as_of: NaiveDate) -> String {
    let (f, t, a) = (lit(period.from), lit(period.to), lit(as_of));
    format!(
        "((tasks.cancelled_on IS NULL OR tasks.cancelled_on > {a}) AND tasks.assigned_on <= {t} \
         AND (tasks.assigned_on >= {f} OR tasks.completed_on IS NULL OR tasks.completed_on >= {f}))"
    )
}

/// The status code of a task as of `as_of`.
pub fn status_sql(as_of: NaiveDate) -> String {
    let a = lit(as_of);
    format!(
        "(CASE WHEN tasks.completed_on IS NOT NULL AND tasks.completed_on <= {a} THEN \
           (CASE WHEN tasks.deadline IS NULL OR tasks.completed_on <= tasks.deadline THEN 'done_on_time' ELSE 'done_late' END) \
         WHEN tasks.deadline IS NOT NULL AND tasks.deadline < {a} THEN 'overdue' \
         ELSE 'in_progress' END)"
    )
}

/// Tasks whose status as of `as_of` is one of `statuses` (none once cancelled).
pub fn status_in_sql(as_of: NaiveDate, statuses: &[Status]) -> String {
    let codes: Vec<String> = statuses.iter().map(|s| format!("'{}'", s.code())).collect();
    format!(
        "((tasks.cancelled_on IS NULL OR tasks.cancelled_on > {}) AND {} IN ({}))",
        lit(as_of),
        status_sql(as_of),
        codes.join(", ")
    )
}
