//! Roles and the one table of who may do what, used by every page and API route.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Official,
    Unit,
    Leader,
}

/// Everything a signed-in user can ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read units, meetings, tasks, the dashboard and exports.
    Read,
    ManageUnits,
    ManageUsers,
    ManageTokens,
    ManageSettings,
    ReadAuditLog,
    RecordMeetings,
    EditTasks,
    ConfirmCompletion,
    DecideExtensions,
    /// Report progress or ask for an extension on a task of one's own unit.
    ReportProgress,
    RequestExtension,
    Comment,
    ClosePeriod,
    /// End a task's password-less report links (the office, and the lead unit for its own tasks).
    RevokeReportLinks,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Official, Role::Unit, Role::Leader];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Official => "official",
            Role::Unit => "unit",
            Role::Leader => "leader",
        }
    }

    /// The role × action table.
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => matches!(
                action,
                Read | ManageUnits | ManageUsers | ManageTokens | ManageSettings | ReadAuditLog
            ),
            Role::Official => matches!(
                action,
                Read | RecordMeetings
                    | EditTasks
                    | ConfirmCompletion
                    | DecideExtensions
                    | Comment
                    | ClosePeriod
                    | ReadAuditLog
                    | RevokeReportLinks
            ),
            Role::Unit => matches!(
                action,
                Read | ReportProgress | RequestExtension | Comment | RevokeReportLinks
            ),
            Role::Leader => matches!(action, Read | Comment),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}' (expected admin, official, unit or leader)")]
pub struct BadRole(pub String);

impl FromStr for Role {
    type Err = BadRole;
    fn from_str(s: &str) -> Result<Role, BadRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s.trim())
            .ok_or_else(|| BadRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyone_reads() {
        for r in Role::ALL {
            assert!(r.may(Action::Read));
        }
    }

    #[test]
    fn only_officials_change_tasks() {
        for r in Role::ALL {
            assert_eq!(r.may(Action::EditTasks), r == Role::Official);
            assert_eq!(r.may(Action::ConfirmCompletion), r == Role::Official);
            assert_eq!(r.may(Action::DecideExtensions), r == Role::Official);
        }
    }

    #[test]
    fn only_units_report() {
        for r in Role::ALL {
            assert_eq!(r.may(Action::ReportProgress), r == Role::Unit);
        }
    }

    #[test]
    fn leaders_only_read_and_comment() {
        assert!(Role::Leader.may(Action::Comment));
        assert!(!Role::Leader.may(Action::EditTasks));
        assert!(!Role::Leader.may(Action::ManageUnits));
    }

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.code().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
