//! The audit log: who changed what, when.

use diesel::prelude::*;

use super::schema::audit_log;
use super::{impl_for_backends, now, with_conn, DbConn};

/// One change, written in the same transaction as the change itself.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub user_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub task_id: Option<i64>,
    /// What changed, as JSON.
    pub details: String,
}

pub trait AuditLog {
    fn record_audit(&mut self, entry: &Entry) -> QueryResult<()>;
}

// Implemented per backend while `report.rs` records an entry on a concrete
// connection; [`DbConn`] passes the call on.
impl_for_backends!(AuditLog {
    fn record_audit(&mut self, e: &Entry) -> QueryResult<()> {
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::at.eq(now()),
                audit_log::user_id.eq(e.user_id),
                audit_log::action.eq(e.action),
                audit_log::entity.eq(e.entity),
                audit_log::entity_id.eq(e.entity_id),
                audit_log::task_id.eq(e.task_id),
                audit_log::details.eq(&e.details),
            ))
            .execute(self)?;
        Ok(())
    }
});

impl AuditLog for DbConn {
    fn record_audit(&mut self, entry: &Entry) -> QueryResult<()> {
        with_conn!(self, |c| c.record_audit(entry))
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub user_email: Option<String>,
    pub task_id: Option<i64>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub id: i64,
    pub at: chrono::NaiveDateTime,
    pub user_email: Option<String>,
    pub user_name: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub task_id: Option<i64>,
    pub details: String,
}

/// The newest entries first, at most `limit`. Dates are UTC calendar days.
pub fn list(
    conn: &mut super::Conn,
    filter: &AuditFilter,
    limit: i64,
) -> super::Result<Vec<AuditRow>> {
    use super::schema::users;
    let mut q = audit_log::table.left_join(users::table).into_boxed();
    if let Some(email) = &filter.user_email {
        q = q.filter(users::email.eq(email.trim().to_lowercase()));
    }
    if let Some(task) = filter.task_id {
        q = q.filter(audit_log::task_id.eq(task));
    }
    if let Some(from) = filter.from.and_then(|d| d.and_hms_opt(0, 0, 0)) {
        q = q.filter(audit_log::at.ge(from));
    }
    if let Some(to) = filter
        .to
        .and_then(|d| d.succ_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        q = q.filter(audit_log::at.lt(to));
    }
    let rows = q
        .order(audit_log::id.desc())
        .limit(limit)
        .select((
            audit_log::id,
            audit_log::at,
            users::email.nullable(),
            users::name.nullable(),
            audit_log::action,
            audit_log::entity,
            audit_log::entity_id,
            audit_log::task_id,
            audit_log::details,
        ))
        .load::<(
            i64,
            chrono::NaiveDateTime,
            Option<String>,
            Option<String>,
            String,
            String,
            Option<i64>,
            Option<i64>,
            String,
        )>(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, at, user_email, user_name, action, entity, entity_id, task_id, details)| {
                AuditRow {
                    id,
                    at,
                    user_email,
                    user_name,
                    action,
                    entity,
                    entity_id,
                    task_id,
                    details,
                }
            },
        )
        .collect())
}
