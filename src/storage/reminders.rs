//! What the reminder planner reads (open tasks with their units, the emails
//! and languages of the people to tell) and writes (each reminder, once).

use chrono::NaiveDate;
use diesel::prelude::*;
use std::collections::{HashMap, HashSet};

use super::schema::{reminders, tasks, units, users};
use super::{in_chunks, now, report, with_conn, Conn, DbConn, Result};
use crate::domain::report::NO_LEAD;
use crate::domain::TaskDates;

/// An open task as the planner needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenTask {
    pub id: i64,
    pub reference: String,
    pub content: String,
    pub lead_unit_id: i64,
    pub dates: TaskDates,
    pub assigned_by: Option<i64>,
    /// Coordinating units, by id.
    pub coordinators: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitContact {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub email: Option<String>,
    pub head_email: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserContact {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub language: String,
}

/// Everything the planner reads, in one consistent snapshot.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub tasks: Vec<OpenTask>,
    pub units: HashMap<i64, UnitContact>,
    /// Active users by id (assigning officials).
    pub users: HashMap<i64, UserContact>,
    /// The language of each active user's email (lower case), for mails to that address.
    pub languages: HashMap<String, String>,
}

/// One reminder to record: (task, kind, date, recipient).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReminderRow {
    pub task_id: i64,
    pub kind: String,
    pub on_date: NaiveDate,
    pub recipient: String,
}

/// Rows per INSERT: below both backends' limits on bound values (4 per row).
const CHUNK: usize = 2000;
/// Task ids per read of the chosen tasks.
const ID_CHUNK: usize = 1000;

pub trait ReminderQueries {
    /// The tasks not done nor cancelled as of `on` and assigned by then, with
    /// their coordinators, and every unit and active user.
    fn load_snapshot(&mut self, on: NaiveDate) -> QueryResult<Snapshot>;
    /// Records reminders, each once; returns those that were not recorded before.
    fn record_reminders(&mut self, rows: &[ReminderRow]) -> QueryResult<Vec<ReminderRow>>;
    /// The reminders already recorded for a date.
    fn reminders_on(&mut self, on: NaiveDate) -> QueryResult<HashSet<ReminderRow>>;
}

impl ReminderQueries for DbConn {
    fn load_snapshot(&mut self, on: NaiveDate) -> QueryResult<Snapshot> {
        // Which tasks are in force on `on` is the domain's rule
        // (`TaskDates::open_on`), asked of the report's rows; only those
        // tasks' words and people are read. A task waiting for its lead
        // reminds no one until an official picks the lead.
        let report_rows = report::snapshot::within_transaction(self)?;
        let ids: Vec<i64> = report_rows
            .rows()
            .filter(|r| r.task.lead_unit_id != NO_LEAD && r.task.dates.open_on(on).is_some())
            .map(|r| r.id)
            .collect();
        drop(report_rows);
        let placeholder = super::visibility::mail_placeholder();
        let mut coordinators = report::pick::coordinators_of(self, &ids)?;
        #[allow(clippy::type_complexity)]
        let rows: Vec<(
            i64,
            String,
            String,
            Option<i64>,
            NaiveDate,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<i64>,
            bool,
        )> = in_chunks(&ids, ID_CHUNK, |chunk| {
            tasks::table
                .filter(tasks::id.eq_any(chunk))
                .order(tasks::id)
                .select((
                    tasks::id,
                    tasks::reference,
                    tasks::content,
                    tasks::lead_unit_id,
                    tasks::assigned_on,
                    tasks::deadline,
                    tasks::completed_on,
                    tasks::cancelled_on,
                    tasks::assigned_by,
                    diesel::dsl::sql::<diesel::sql_types::Bool>(super::visibility::CONFIDENTIAL),
                ))
                .load(self)
        })?;
        let tasks: Vec<OpenTask> = rows
            .into_iter()
            .filter_map(
                |(
                    id,
                    reference,
                    content,
                    lead_unit_id,
                    assigned_on,
                    deadline,
                    completed_on,
                    cancelled_on,
                    assigned_by,
                    confidential,
                )| {
                    Some(OpenTask {
                        coordinators: coordinators.remove(&id).unwrap_or_default(),
                        id,
                        reference,
                        // Mails are the only readers of the snapshot: no content
                        // for a confidential task.
                        content: if confidential {
                            placeholder.clone()
                        } else {
                            content
                        },
                        lead_unit_id: lead_unit_id?,
                        dates: TaskDates {
                            assigned_on,
                            deadline,
                            completed_on,
                            cancelled_on,
                        },
                        assigned_by,
                    })
                },
            )
            .collect();
        let units = units::table
            .select((
                units::id,
                units::code,
                units::name,
                units::email,
                units::head_email,
                units::active,
            ))
            .load::<(i64, String, String, Option<String>, Option<String>, bool)>(self)?
            .into_iter()
            .map(|(id, code, name, email, head_email, active)| {
                (
                    id,
                    UnitContact {
                        id,
                        code,
                        name,
                        email: clean_email(email),
                        head_email: clean_email(head_email),
                        active,
                    },
                )
            })
            .collect();
        let mut languages = HashMap::new();
        let users = users::table
            .filter(users::active.eq(true))
            .select((users::id, users::email, users::name, users::language))
            .load::<(i64, String, String, String)>(self)?
            .into_iter()
            .map(|(id, email, name, language)| {
                let email = email.trim().to_lowercase();
                languages.insert(email.clone(), language.clone());
                (
                    id,
                    UserContact {
                        id,
                        email,
                        name,
                        language,
                    },
                )
            })
            .collect();
        Ok(Snapshot {
            tasks,
            units,
            users,
            languages,
        })
    }

    fn record_reminders(&mut self, rows: &[ReminderRow]) -> QueryResult<Vec<ReminderRow>> {
        let at = now();
        let mut fresh = Vec::new();
        for chunk in rows.chunks(CHUNK) {
            let values: Vec<_> = chunk
                .iter()
                .map(|r| {
                    (
                        reminders::task_id.eq(r.task_id),
                        reminders::kind.eq(&r.kind),
                        reminders::on_date.eq(r.on_date),
                        reminders::recipient.eq(&r.recipient),
                        reminders::created_at.eq(at),
                    )
                })
                .collect();
            // diesel builds a multi-row INSERT and `ON CONFLICT` only for a concrete backend.
            let inserted: Vec<(i64, String, NaiveDate, String)> = with_conn!(&mut *self, |c| {
                diesel::insert_into(reminders::table)
                    .values(values)
                    .on_conflict_do_nothing()
                    .returning((
                        reminders::task_id,
                        reminders::kind,
                        reminders::on_date,
                        reminders::recipient,
                    ))
                    .get_results(c)
            })?;
            fresh.extend(
                inserted
                    .into_iter()
                    .map(|(task_id, kind, on_date, recipient)| ReminderRow {
                        task_id,
                        kind,
                        on_date,
                        recipient,
                    }),
            );
        }
        Ok(fresh)
    }

    fn reminders_on(&mut self, on: NaiveDate) -> QueryResult<HashSet<ReminderRow>> {
        Ok(reminders::table
            .filter(reminders::on_date.eq(on))
            .select((
                reminders::task_id,
                reminders::kind,
                reminders::on_date,
                reminders::recipient,
            ))
            .load::<(i64, String, NaiveDate, String)>(self)?
            .into_iter()
            .map(|(task_id, kind, on_date, recipient)| ReminderRow {
                task_id,
                kind,
                on_date,
                recipient,
            })
            .collect())
    }
}

/// An address as mails are grouped by: trimmed, lower case; empty is none.
pub fn clean_email(email: Option<String>) -> Option<String> {
    email
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
}

pub fn snapshot(conn: &mut Conn, on: NaiveDate) -> Result<Snapshot> {
    Ok(conn.load_snapshot(on)?)
}

pub fn recorded_on(conn: &mut Conn, on: NaiveDate) -> Result<HashSet<ReminderRow>> {
    Ok(conn.reminders_on(on)?)
}

/// How many reminders are recorded in all (for tests and the command's summary).
pub fn count(conn: &mut Conn) -> Result<i64> {
    Ok(reminders::table.count().get_result(conn)?)
}

/// Deletes the reminder records of days before `before` (a day is never planned
/// again once past the catch-up window); returns how many.
pub fn prune(conn: &mut Conn, before: NaiveDate) -> Result<usize> {
    Ok(diesel::delete(reminders::table.filter(reminders::on_date.lt(before))).execute(conn)?)
}

/// The settings key of the last day the daily reminder run covered.
const LAST_RUN: &str = "reminders_last_run";

/// The last day the daily reminder run covered, if any.
pub fn last_run(conn: &mut Conn) -> Result<Option<NaiveDate>> {
    Ok(super::settings::get(conn, LAST_RUN)?
        .and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok()))
}

/// Records that the daily run covered `on` (never moving the mark back).
pub fn set_last_run(conn: &mut Conn, on: NaiveDate) -> Result<()> {
    if last_run(conn)?.is_some_and(|last| last >= on) {
        return Ok(());
    }
    super::settings::set(conn, LAST_RUN, &on.format("%Y-%m-%d").to_string())
}
