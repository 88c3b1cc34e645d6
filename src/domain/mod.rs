//! The rules of dondoc, free of I/O: statuses, periods, reports, roles, the
//! conclusion parser and the reminder policy.

pub mod attachment;
pub mod audit;
pub mod client;
pub mod conclusion;
pub mod dashboard;
pub mod dates;
pub mod document;
pub mod holidays;
pub mod ids;
pub mod inbox;
pub mod invalid;
pub mod lang;
pub mod meeting;
pub mod period;
pub mod progress;
pub mod reminder;
pub mod report;
pub mod report_doc;
pub mod role;
pub mod status;
pub mod task;
pub mod text;
pub mod throttle;
pub mod unit;
#[cfg(test)]
pub(crate) mod xorshift;

pub use invalid::Invalid;
pub use lang::Lang;
pub use period::Period;
pub use role::{Action, Role};
pub use status::{State, Status, TaskDates};
