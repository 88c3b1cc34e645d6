//! Who may read which task and meeting. Two limits, one place:
//!
//! - A confidential ("mật") task, or any task of a confidential meeting, is
//!   read only by officials, by leaders whose scope holds its lead unit, and
//!   by the users of its lead and coordinating units. Admins do not read it.
//! - A leader with a scope (`users.scope_unit_id`) reads only the tasks whose
//!   lead unit lies in that unit's subtree, and the meetings that have one.
//!
//! The rule is written once, as a [`Sight`] per [`Viewer`]; it is said to
//! the database by [`Sight::to_sql`] ([`Viewer::task_sql`], the filter every
//! task query adds) and decided on a task already read by [`Sight::holds`]
//! ([`Viewer::may_see`], for the report's lists, from its snapshot).
//! `tests/dashboard_random.rs` holds the two equal on random tasks.

use diesel::prelude::*;

use super::id_set::IdSet;
use super::schema::{meetings, tasks};
use super::users::Account;
use super::{audit::AuditLog, audit::Entry, now, write_tx, Conn, Result, StorageError};
use super::{in_chunks, IN_CHUNK};
use crate::domain::Role;

/// What a reader may see, resolved once per request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Viewer {
    /// Everything (officials, leaders without a scope, the system itself).
    #[default]
    All,
    /// Nothing confidential (admins; users without a unit).
    Open,
    /// A unit's users: what is not confidential, and their unit's own tasks.
    Unit(i64),
    /// A scoped leader: the tasks led by these units, confidential or not.
    Scope(Vec<i64>),
}

/// The SQL that says a task (the `tasks` row of the query) is confidential.
pub const CONFIDENTIAL: &str = "(tasks.confidential = TRUE OR EXISTS (SELECT 1 FROM meetings cm \
     WHERE cm.id = tasks.meeting_id AND cm.confidential = TRUE))";

/// The SQL that says a task is confidential because its meeting is.
const BY_MEETING: &str = "EXISTS (SELECT 1 FROM meetings cm \
     WHERE cm.id = tasks.meeting_id AND cm.confidential = TRUE)";

/// What [`Sight::holds`] needs to know of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sighted {
    /// By the task's own flag or its meeting's.
    pub confidential: bool,
    pub lead_unit_id: Option<i64>,
}

/// Which tasks a viewer may read, as a small rule over a task: the one
/// statement of the rule, read both as SQL and on tasks in hand.
///
/// Every leaf's SQL is true or false, never NULL (a task without a lead
/// unit is led by no unit), so that `NOT` and `OR` mean in SQL what they
/// mean in Rust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sight {
    Everything,
    Nothing,
    /// The task is confidential, by its own flag or its meeting's.
    Confidential,
    LeadIs(i64),
    /// The unit is among the task's coordinating units.
    CoordinatedBy(i64),
    /// The task's lead unit is one of these.
    LeadIn(IdSet),
    Not(Box<Sight>),
    Or(Vec<Sight>),
}

impl Sight {
    /// The rule as a condition on the `tasks` row of a query.
    pub fn to_sql(&self) -> String {
        match self {
            Sight::Everything => "1 = 1".into(),
            Sight::Nothing => "1 = 0".into(),
            Sight::Confidential => CONFIDENTIAL.into(),
            Sight::LeadIs(u) => {
                format!("(tasks.lead_unit_id IS NOT NULL AND tasks.lead_unit_id = {u})")
            }
            Sight::CoordinatedBy(u) => format!(
                "EXISTS (SELECT 1 FROM task_coordinators vc \
                 WHERE vc.task_id = tasks.id AND vc.unit_id = {u})"
            ),
            Sight::LeadIn(ids) => match ids.ids() {
                None => Sight::Everything.to_sql(),
                Some([]) => Sight::Nothing.to_sql(),
                Some(ids) => format!(
                    "(tasks.lead_unit_id IS NOT NULL AND tasks.lead_unit_id IN ({}))",
                    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                ),
            },
            Sight::Not(rule) => format!("NOT {}", rule.to_sql()),
            Sight::Or(rules) if rules.is_empty() => Sight::Nothing.to_sql(),
            Sight::Or(rules) => format!(
                "({})",
                rules
                    .iter()
                    .map(Sight::to_sql)
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ),
        }
    }

    /// Whether the rule holds for a task in hand. `coordinators` are asked
    /// for at most once, and only when the answer depends on them: the
    /// branches of an `Or` are tried in order, up to the first that holds.
    pub fn holds(&self, task: &Sighted, coordinators: impl FnOnce() -> Vec<i64>) -> bool {
        let mut coordinators = Coordinators {
            ask: Some(coordinators),
            units: Vec::new(),
        };
        self.decide(task, &mut coordinators)
    }

    fn decide<F: FnOnce() -> Vec<i64>>(
        &self,
        task: &Sighted,
        coordinators: &mut Coordinators<F>,
    ) -> bool {
        match self {
            Sight::Everything => true,
            Sight::Nothing => false,
            Sight::Confidential => task.confidential,
            Sight::LeadIs(u) => task.lead_unit_id == Some(*u),
            Sight::CoordinatedBy(u) => coordinators.get().contains(u),
            Sight::LeadIn(ids) => task.lead_unit_id.is_some_and(|l| ids.holds(l)),
            Sight::Not(rule) => !rule.decide(task, coordinators),
            Sight::Or(rules) => rules.iter().any(|r| r.decide(task, coordinators)),
        }
    }
}

/// A task's coordinating units, asked for when first needed.
struct Coordinators<F> {
    ask: Option<F>,
    units: Vec<i64>,
}

impl<F: FnOnce() -> Vec<i64>> Coordinators<F> {
    fn get(&mut self) -> &[i64] {
        if let Some(ask) = self.ask.take() {
            self.units = ask();
        }
        &self.units
    }
}

impl Viewer {
    pub fn for_account(conn: &mut Conn, account: &Account) -> Result<Viewer> {
        Ok(match account.role() {
            Role::Official => Viewer::All,
            Role::Admin => Viewer::Open,
            Role::Unit => match account.user.unit_id {
                Some(u) => Viewer::Unit(u),
                None => Viewer::Open,
            },
            Role::Leader => match account.user.scope_unit_id {
                None => Viewer::All,
                Some(root) => {
                    let units = super::units::list(conn)?;
                    Viewer::Scope(crate::domain::unit::subtree(
                        units.iter().map(|u| (u.unit.id, u.unit.parent_id)),
                        root,
                    ))
                }
            },
        })
    }

    /// What this viewer may read.
    pub fn sight(&self) -> Sight {
        let open = || Sight::Not(Box::new(Sight::Confidential));
        match self {
            Viewer::All => Sight::Everything,
            Viewer::Open => open(),
            Viewer::Unit(u) => Sight::Or(vec![open(), Sight::LeadIs(*u), Sight::CoordinatedBy(*u)]),
            Viewer::Scope(ids) if ids.is_empty() => Sight::Nothing,
            Viewer::Scope(ids) => Sight::LeadIn(IdSet::new(Some(ids))),
        }
    }

    /// A condition on `tasks` for what this viewer may read; `None`: everything.
    pub fn task_sql(&self) -> Option<String> {
        match self.sight() {
            Sight::Everything => None,
            sight => Some(sight.to_sql()),
        }
    }

    /// Whether this viewer may read a task in hand (see [`Sight::holds`]);
    /// a walk over many tasks takes [`Viewer::sight`] once instead.
    pub fn may_see(&self, task: &Sighted, coordinators: impl FnOnce() -> Vec<i64>) -> bool {
        self.sight().holds(task, coordinators)
    }

    /// A condition on `meetings`: a confidential meeting is read by whoever
    /// may read one of its tasks (and by officials); a scoped leader reads
    /// the meetings with a task in scope.
    pub fn meeting_sql(&self) -> Option<String> {
        let tasks = self.task_sql()?;
        let any_task = format!(
            "EXISTS (SELECT 1 FROM tasks WHERE tasks.meeting_id = meetings.id AND {tasks})"
        );
        Some(match self {
            Viewer::Scope(_) => any_task,
            _ => format!("(meetings.confidential = FALSE OR {any_task})"),
        })
    }
}

/// `NotFound` unless the viewer may read the task (it is not told it exists).
pub fn check_task(conn: &mut Conn, viewer: &Viewer, task_id: i64) -> Result<()> {
    found_under(viewer.task_sql(), |condition| {
        count_where(conn, task_id, condition)
    })
}

/// `NotFound` unless the viewer may read the meeting.
pub fn check_meeting(conn: &mut Conn, viewer: &Viewer, meeting_id: i64) -> Result<()> {
    found_under(viewer.meeting_sql(), |condition| {
        let n: i64 = meetings::table
            .filter(meetings::id.eq(meeting_id))
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(condition))
            .count()
            .get_result(conn)?;
        Ok(n > 0)
    })
}

/// `NotFound` when the viewer's `condition` leaves the record out (`holds`);
/// no condition, nothing to check.
fn found_under(condition: Option<String>, holds: impl FnOnce(&str) -> Result<bool>) -> Result<()> {
    let Some(condition) = condition else {
        return Ok(());
    };
    if !holds(&condition)? {
        return Err(StorageError::NotFound);
    }
    Ok(())
}

/// The ids among `ids` that the viewer may read, in their order.
pub fn visible_tasks(conn: &mut Conn, viewer: &Viewer, ids: &[i64]) -> Result<Vec<i64>> {
    let Some(condition) = viewer.task_sql() else {
        return Ok(ids.to_vec());
    };
    let seen: std::collections::HashSet<i64> = in_chunks(ids, IN_CHUNK, |chunk| {
        tasks::table
            .filter(tasks::id.eq_any(chunk))
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&condition))
            .select(tasks::id)
            .load::<i64>(conn)
    })?;
    Ok(ids.iter().copied().filter(|i| seen.contains(i)).collect())
}

/// What a mail says instead of a confidential task's content: mails leave
/// the system, so they carry no content, only where to sign in and read it.
pub fn mail_placeholder() -> String {
    format!(
        "{} / {}",
        crate::i18n::text(crate::i18n::Lang::Vi, "security-mail-confidential"),
        crate::i18n::text(crate::i18n::Lang::En, "security-mail-confidential")
    )
}

/// Marks a task confidential or not, audit-logged.
pub fn set_task_confidential(
    conn: &mut Conn,
    id: i64,
    confidential: bool,
    by: Option<i64>,
) -> Result<()> {
    write_tx(conn, |c| {
        let n = diesel::update(tasks::table.find(id))
            .set((
                tasks::confidential.eq(confidential),
                tasks::updated_at.eq(now()),
            ))
            .execute(c)?;
        if n == 0 {
            return Err(StorageError::NotFound);
        }
        c.record_audit(&Entry {
            user_id: by,
            action: "task.confidential",
            entity: "task",
            entity_id: Some(id),
            task_id: Some(id),
            details: serde_json::json!({"confidential": confidential}).to_string(),
        })?;
        Ok(())
    })
}

/// Sets a task's own flag when it differs, audit-logged. A task of a
/// confidential meeting stays confidential whatever is asked: the meeting is
/// what is changed then.
pub fn change_task_confidential(
    conn: &mut Conn,
    id: i64,
    confidential: bool,
    by: Option<i64>,
) -> Result<()> {
    let own: Option<bool> = tasks::table
        .find(id)
        .select(tasks::confidential)
        .first(conn)
        .optional()?;
    let own = own.ok_or(StorageError::NotFound)?;
    if own == confidential || confidential_by_meeting(conn, id)? {
        return Ok(());
    }
    set_task_confidential(conn, id, confidential, by)
}

/// Whether a task is confidential, by its own flag or its meeting's.
pub fn task_is_confidential(conn: &mut Conn, id: i64) -> Result<bool> {
    count_where(conn, id, CONFIDENTIAL)
}

/// Whether a task is confidential because its meeting is.
pub fn confidential_by_meeting(conn: &mut Conn, id: i64) -> Result<bool> {
    count_where(conn, id, BY_MEETING)
}

fn count_where(conn: &mut Conn, id: i64, condition: &str) -> Result<bool> {
    let n: i64 = tasks::table
        .filter(tasks::id.eq(id))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(condition))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The confidential tasks among `ids` (to mark them in lists built elsewhere).
pub fn confidential_among(conn: &mut Conn, ids: &[i64]) -> Result<std::collections::HashSet<i64>> {
    Ok(in_chunks(ids, IN_CHUNK, |chunk| {
        tasks::table
            .filter(tasks::id.eq_any(chunk))
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(CONFIDENTIAL))
            .select(tasks::id)
            .load::<i64>(conn)
    })?)
}

/// Audit entries with the details of what the account may not read blanked
/// (an admin reads the log, not the confidential tasks and meetings in it).
pub fn redact_audit(
    conn: &mut Conn,
    account: &Account,
    mut rows: Vec<super::audit::AuditRow>,
) -> Result<Vec<super::audit::AuditRow>> {
    let viewer = Viewer::for_account(conn, account)?;
    if viewer == Viewer::All {
        return Ok(rows);
    }
    let task_ids: Vec<i64> = rows.iter().filter_map(|r| r.task_id).collect();
    let tasks_ok: std::collections::HashSet<i64> = visible_tasks(conn, &viewer, &task_ids)?
        .into_iter()
        .collect();
    let mut meetings_ok = std::collections::HashMap::new();
    for r in &mut rows {
        let hidden = match (r.task_id, r.entity.as_str(), r.entity_id) {
            (Some(t), _, _) => !tasks_ok.contains(&t),
            (None, "meeting", Some(m)) => {
                let ok = match meetings_ok.get(&m) {
                    Some(ok) => *ok,
                    None => {
                        let ok = check_meeting(conn, &viewer, m).is_ok();
                        meetings_ok.insert(m, ok);
                        ok
                    }
                };
                !ok
            }
            _ => false,
        };
        if hidden {
            r.details = String::new();
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn each_viewer_has_its_condition() {
        assert_eq!(Viewer::All.task_sql(), None);
        assert_eq!(Viewer::All.meeting_sql(), None);
        let open = Viewer::Open.task_sql().expect("sql");
        assert_eq!(open, format!("NOT {CONFIDENTIAL}"));
        let unit = Viewer::Unit(7).task_sql().expect("sql");
        assert!(
            unit.starts_with(&format!("(NOT {CONFIDENTIAL} OR "))
                && unit.contains("tasks.lead_unit_id = 7")
                && unit.contains("vc.unit_id = 7"),
            "{unit}"
        );
        let scope = Viewer::Scope(vec![2, 3]).task_sql().expect("sql");
        assert!(scope.contains("tasks.lead_unit_id IN (2,3)"), "{scope}");
        assert_eq!(Viewer::Scope(vec![]).task_sql().as_deref(), Some("1 = 0"));
        assert_eq!(Sight::LeadIn(IdSet::new(Some(&[]))).to_sql(), "1 = 0");
        assert_eq!(Sight::Or(vec![]).to_sql(), "1 = 0");
        let m = Viewer::Unit(7).meeting_sql().expect("sql");
        assert!(
            m.starts_with("(meetings.confidential = FALSE OR EXISTS"),
            "{m}"
        );
        let m = Viewer::Scope(vec![2]).meeting_sql().expect("sql");
        assert!(m.starts_with("EXISTS") && m.contains("IN (2)"), "{m}");
    }

    /// Every task shape the rule distinguishes: confidential or not, led by
    /// unit 7, by another unit or by none, coordinated by 7 or not.
    fn shapes() -> Vec<(Sighted, Vec<i64>)> {
        let mut out = Vec::new();
        for confidential in [false, true] {
            for lead_unit_id in [None, Some(7), Some(8)] {
                for coordinators in [vec![], vec![7], vec![8, 9]] {
                    out.push((
                        Sighted {
                            confidential,
                            lead_unit_id,
                        },
                        coordinators,
                    ));
                }
            }
        }
        out
    }

    #[test]
    fn each_viewer_reads_what_the_rule_says() {
        for (task, coordinators) in shapes() {
            let sees = |v: &Viewer| v.may_see(&task, || coordinators.clone());
            let case = format!("{task:?}, coordinated by {coordinators:?}");
            assert!(sees(&Viewer::All), "{case}");
            assert_eq!(sees(&Viewer::Open), !task.confidential, "{case}");
            let unit_part = task.lead_unit_id == Some(7) || coordinators.contains(&7);
            assert_eq!(
                sees(&Viewer::Unit(7)),
                !task.confidential || unit_part,
                "{case}"
            );
            // A leader's scope is the lead unit's, confidential or not; a
            // coordinating unit in scope does not open the task.
            let in_scope = task.lead_unit_id.is_some_and(|l| [7, 9].contains(&l));
            assert_eq!(sees(&Viewer::Scope(vec![7, 9])), in_scope, "{case}");
            assert!(!sees(&Viewer::Scope(vec![])), "{case}");
        }
    }

    #[test]
    fn coordinators_are_asked_once_and_only_when_they_decide() {
        for (task, coordinators) in shapes() {
            for viewer in [
                Viewer::All,
                Viewer::Open,
                Viewer::Unit(7),
                Viewer::Scope(vec![7]),
            ] {
                let asked = Cell::new(0);
                viewer.may_see(&task, || {
                    asked.set(asked.get() + 1);
                    coordinators.clone()
                });
                let needed =
                    viewer == Viewer::Unit(7) && task.confidential && task.lead_unit_id != Some(7);
                assert_eq!(asked.get(), usize::from(needed), "{viewer:?}, {task:?}");
            }
        }
        // Asked for in two branches, read once.
        let twice = Sight::Or(vec![Sight::CoordinatedBy(1), Sight::CoordinatedBy(7)]);
        let asked = Cell::new(0);
        let task = Sighted {
            confidential: true,
            lead_unit_id: None,
        };
        assert!(twice.holds(&task, || {
            asked.set(asked.get() + 1);
            vec![7]
        }));
        assert_eq!(asked.get(), 1);
    }

    #[test]
    fn not_and_or_compose() {
        let nobody = Sighted {
            confidential: false,
            lead_unit_id: None,
        };
        let led = Sighted {
            confidential: true,
            lead_unit_id: Some(3),
        };
        let none = Vec::<i64>::new;
        // A task without a lead is led by no unit, so the negation holds:
        // the SQL says the same, its lead leaves are never NULL.
        let not_led_by_3 = Sight::Not(Box::new(Sight::LeadIs(3)));
        assert!(not_led_by_3.holds(&nobody, none));
        assert!(!not_led_by_3.holds(&led, none));
        assert!(not_led_by_3.to_sql().contains("IS NOT NULL"));
        let not_in = Sight::Not(Box::new(Sight::LeadIn(IdSet::new(Some(&[3, 4])))));
        assert!(not_in.holds(&nobody, none));
        assert!(!not_in.holds(&led, none));
        assert!(!Sight::Or(vec![]).holds(&led, none));
        assert!(Sight::Not(Box::new(Sight::Nothing)).holds(&nobody, none));
        assert!(!Sight::Not(Box::new(Sight::Everything)).holds(&nobody, none));
        let either = Sight::Or(vec![Sight::Confidential, Sight::LeadIs(5)]);
        assert!(either.holds(&led, none));
        assert!(!either.holds(&nobody, none));
        assert_eq!(
            either.to_sql(),
            format!(
                "({CONFIDENTIAL} OR (tasks.lead_unit_id IS NOT NULL AND tasks.lead_unit_id = 5))"
            )
        );
    }
}
