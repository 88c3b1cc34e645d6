//! Where a task stands in its workflow, as SQL: the conditions on proposals
//! of completion and extension requests that the inbox's kinds
//! (`storage::inbox`) and the task list's `waiting` filter
//! (`storage::tasks::list`, `/tasks?waiting=…`) share. They restate
//! [`crate::domain::inbox::stages`], the same rule on rows in hand. The states
//! are written by their stored codes (`Review::code`, `Decision::code`).

use crate::domain::inbox::Waiting;
use crate::domain::progress::{Decision, Review};

/// Open: neither done nor cancelled.
pub const OPEN_SQL: &str = "tasks.completed_on IS NULL AND tasks.cancelled_on IS NULL";

/// A proposal of completion (the `progress_reports` row named `r`) waiting for the office.
pub fn proposal_pending(r: &str) -> String {
    format!("{r}.review_state = '{}'", Review::Pending.code())
}

/// A proposal the office returned, while no newer proposal was reviewed
/// (the same rule as [`crate::domain::inbox::stages`]: the latest proposal decides).
pub fn proposal_returned(r: &str) -> String {
    format!(
        "{r}.review_state = '{}' AND NOT EXISTS (SELECT 1 FROM progress_reports r2 \
         WHERE r2.task_id = {r}.task_id AND r2.review_state IS NOT NULL AND r2.id > {r}.id)",
        Review::Returned.code()
    )
}

/// An extension request (the `extension_requests` row named `e`) waiting for a decision.
pub fn extension_pending(e: &str) -> String {
    format!("{e}.state = '{}'", Decision::Pending.code())
}

/// An extension request (the row named `e`) the office approved or rejected.
pub fn extension_decided(e: &str) -> String {
    format!(
        "{e}.state IN ('{}', '{}')",
        Decision::Approved.code(),
        Decision::Rejected.code()
    )
}

/// The `waiting` filter as SQL over `tasks`: the conditions of the inbox's
/// kinds, asked of any proposal or request of the task.
pub fn waiting_sql(w: Waiting) -> String {
    let cond = match w {
        Waiting::Completion => format!(
            "EXISTS (SELECT 1 FROM progress_reports r WHERE r.task_id = tasks.id AND {})",
            proposal_pending("r")
        ),
        Waiting::Extension => format!(
            "EXISTS (SELECT 1 FROM extension_requests e WHERE e.task_id = tasks.id AND {})",
            extension_pending("e")
        ),
        Waiting::Returned => format!(
            "EXISTS (SELECT 1 FROM progress_reports r WHERE r.task_id = tasks.id AND {})",
            proposal_returned("r")
        ),
    };
    format!("({OPEN_SQL} AND {cond})")
}
