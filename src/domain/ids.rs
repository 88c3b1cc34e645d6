//! Ids of stored records, one type each, so that a handler cannot pass a
//! progress report's id where a task's is wanted. Read from a path or a form
//! as the plain number they wrap.

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($( $(#[$meta:meta])* $name:ident; )*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
            #[serde(transparent)]
            pub struct $name(pub i64);

            impl std::fmt::Display for $name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    self.0.fmt(f)
                }
            }
        )*
    };
}

ids! {
    /// A task.
    TaskId;
    /// A unit's progress report on a task (a proposal of completion among them).
    ReportId;
    /// A request for a later deadline.
    ExtensionId;
    /// A meeting.
    MeetingId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_and_prints_as_its_number() {
        let id: TaskId = serde_json::from_str("42").expect("id");
        assert_eq!(id, TaskId(42));
        assert_eq!(id.to_string(), "42");
        assert_eq!(serde_json::to_string(&ReportId(7)).expect("json"), "7");
    }
}
