//! The audit log: who changed what, when.

use diesel::prelude::*;

use super::schema::audit_log;
use super::{impl_for_backends, now};

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
