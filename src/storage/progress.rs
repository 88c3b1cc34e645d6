//! Units at work: progress reports, proposals of completion and the office's
//! answer (returning one, or completing the task, which confirms it), extension
//! requests and their decision. Each event queues the mail to whoever must act
//! next in the same transaction.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::audit::{AuditLog, Entry};
use super::files::StoredFile;
use super::outbox::{NewMail, Outbox};
use super::schema::{extension_requests, progress_reports, tasks, units, users};
use super::tasks::{TaskQueries, TaskRecord};
use super::users::Account;
use super::{now, write_tx, Conn, DbConn, Result, StorageError};
use crate::domain::progress::{unit_part, Decision, ExtensionInput, ReportInput, Review, UnitPart};
use crate::domain::{Invalid, Role, State};

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub stored: StoredReport,
    /// Reported by a coordinating unit, not the lead (any unit's report on a
    /// task that waits for its lead).
    pub by_coordinator: bool,
}

/// A report as stored.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct StoredReport {
    pub id: i64,
    pub task_id: i64,
    pub unit: String,
    pub user_name: Option<String>,
    pub reported_on: NaiveDate,
    pub percent: i32,
    pub note: String,
    pub proposes_completion: bool,
    pub proposed_completed_on: Option<NaiveDate>,
    /// With a proposal: where it stands.
    pub review_state: Option<Review>,
    pub review_note: String,
    pub attachment_name: Option<String>,
    pub attachment_path: Option<String>,
    pub attachment_size: Option<i64>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct Extension {
    pub id: i64,
    pub task_id: i64,
    pub unit: String,
    pub current_deadline: Option<NaiveDate>,
    pub new_deadline: NaiveDate,
    pub reason: String,
    pub state: Decision,
    pub decision_note: String,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
}

/// Who must hear of an event: addresses and the language of each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub language: String,
}

/// What an event's mails are made from.
pub struct Event<'a> {
    /// `report`, `proposal`, `returned`, `confirmed`, `extension`, `approved`, `rejected`.
    pub kind: &'static str,
    pub task: &'a TaskRecord,
    /// Unique per event, so that a mail is never queued twice for it.
    pub key: String,
    pub note: &'a str,
    /// The unit concerned (the proposing unit, else the lead), as people read
    /// it: "Ban Tuyên giáo Tỉnh ủy (BTGTU)"; empty for a task with no lead.
    pub unit: String,
    pub recipients: Vec<Recipient>,
}

/// Makes the mails of an event (rendering is the caller's; this layer stores).
pub type MailMaker<'m> = &'m (dyn Fn(&Event) -> Vec<NewMail> + Sync);

pub trait ProgressQueries {
    /// No one for a task waiting for its lead (`None`).
    fn unit_recipients(&mut self, unit_id: Option<i64>) -> QueryResult<Vec<Recipient>>;
    fn official_recipients(&mut self, assigned_by: Option<i64>) -> QueryResult<Vec<Recipient>>;
    fn queue(&mut self, mails: Vec<NewMail>) -> QueryResult<()>;
    /// A unit by its name, the code second; empty for none.
    fn unit_label(&mut self, unit_id: Option<i64>) -> QueryResult<String>;
    /// Marks the pending proposal of a task confirmed (inside the completion's transaction).
    fn confirm_pending(&mut self, task_id: i64, by: Option<i64>) -> QueryResult<usize>;
}

impl ProgressQueries for DbConn {
    /// The unit's address (in Vietnamese) and its users'.
    fn unit_recipients(&mut self, unit_id: Option<i64>) -> QueryResult<Vec<Recipient>> {
        let Some(unit_id) = unit_id else {
            return Ok(Vec::new());
        };
        let mut out: Vec<Recipient> = units::table
            .find(unit_id)
            .select(units::email)
            .first::<Option<String>>(self)
            .optional()?
            .flatten()
            .map(|email| Recipient {
                email,
                language: "vi".into(),
            })
            .into_iter()
            .collect();
        for (email, language) in users::table
            .filter(users::unit_id.eq(unit_id))
            .filter(users::active.eq(true))
            .filter(users::role.eq(Role::Unit.code()))
            .select((users::email, users::language))
            .load::<(String, String)>(self)?
        {
            if !out.iter().any(|r| r.email == email) {
                out.push(Recipient { email, language });
            }
        }
        Ok(out)
    }

    /// The official who assigned the task, or else every active official.
    fn official_recipients(&mut self, assigned_by: Option<i64>) -> QueryResult<Vec<Recipient>> {
        let assigning: Vec<(String, String)> = match assigned_by {
            Some(id) => users::table
                .filter(users::id.eq(id))
                .filter(users::active.eq(true))
                .filter(users::role.eq(Role::Official.code()))
                .select((users::email, users::language))
                .load(self)?,
            None => Vec::new(),
        };
        let rows = if assigning.is_empty() {
            users::table
                .filter(users::active.eq(true))
                .filter(users::role.eq(Role::Official.code()))
                .select((users::email, users::language))
                .load::<(String, String)>(self)?
        } else {
            assigning
        };
        Ok(rows
            .into_iter()
            .map(|(email, language)| Recipient { email, language })
            .collect())
    }

    fn queue(&mut self, mails: Vec<NewMail>) -> QueryResult<()> {
        for mail in &mails {
            self.enqueue_mail(mail)?;
        }
        Ok(())
    }

    fn unit_label(&mut self, unit_id: Option<i64>) -> QueryResult<String> {
        let Some(unit_id) = unit_id else {
            return Ok(String::new());
        };
        Ok(units::table
            .find(unit_id)
            .select((units::name, units::code))
            .first::<(String, String)>(self)
            .optional()?
            .map(|(name, code)| crate::domain::unit::label(&name, &code))
            .unwrap_or_default())
    }

    fn confirm_pending(&mut self, task_id: i64, by: Option<i64>) -> QueryResult<usize> {
        diesel::update(
            progress_reports::table
                .filter(progress_reports::task_id.eq(task_id))
                .filter(progress_reports::review_state.eq(Review::Pending)),
        )
        .set((
            progress_reports::review_state.eq(Review::Confirmed),
            progress_reports::reviewed_by.eq(by),
            progress_reports::reviewed_at.eq(Some(now())),
        ))
        .execute(self)
    }
}

fn load_open_task(c: &mut DbConn, task_id: i64) -> Result<TaskRecord> {
    let task = c
        .load_records(&[task_id])?
        .pop()
        .ok_or(StorageError::NotFound)?;
    match task.task.dates().state() {
        State::Open => Ok(task),
        State::Cancelled => Err(StorageError::conflict("state", "err-task-cancelled")),
        State::Done => Err(StorageError::conflict("state", "err-task-done")),
    }
}

/// The part the account's unit has in the task; a user of another unit may not act.
fn part_of(account: &Account, task: &TaskRecord) -> Result<UnitPart> {
    account
        .unit_code
        .as_deref()
        .and_then(|u| unit_part(u, task.lead_unit.as_deref(), &task.coordinators))
        .ok_or(StorageError::Forbidden)
}

/// Records a unit's report on a task (lead or coordinator); a proposal of
/// completion waits for the office. Returns the report's id.
pub fn add_report(
    conn: &mut Conn,
    task_id: i64,
    account: &Account,
    input: &ReportInput,
    file: Option<&StoredFile>,
    today: NaiveDate,
    mails: MailMaker,
) -> Result<i64> {
    let unit = account.unit_code.clone().ok_or(StorageError::Forbidden)?;
    add_report_as(
        conn,
        task_id,
        Some(account.user.id),
        &unit,
        input,
        file,
        today,
        mails,
    )
}

/// Records a report of a unit, by one of its users or through a signed link
/// (`user_id` is then `None`).
#[allow(clippy::too_many_arguments)]
pub fn add_report_as(
    conn: &mut Conn,
    task_id: i64,
    user_id: Option<i64>,
    unit_code: &str,
    input: &ReportInput,
    file: Option<&StoredFile>,
    today: NaiveDate,
    mails: MailMaker,
) -> Result<i64> {
    write_tx(conn, |c| {
        let task = load_open_task(c, task_id)?;
        let part = unit_part(unit_code, task.lead_unit.as_deref(), &task.coordinators)
            .ok_or(StorageError::Forbidden)?;
        input.check_assigned(task.task.assigned_on)?;
        if input.proposes_completion.is_some() {
            let pending: i64 = progress_reports::table
                .filter(progress_reports::task_id.eq(task_id))
                .filter(progress_reports::review_state.eq(Review::Pending))
                .count()
                .get_result(c)?;
            if pending > 0 {
                return Err(StorageError::conflict(
                    "proposes_completion",
                    "err-proposal-pending",
                ));
            }
        }
        // The lead unit's id is the task's; a coordinator's is looked up.
        let unit_id = match (part, task.task.lead_unit_id) {
            (UnitPart::Lead, Some(lead)) => lead,
            _ => units::table
                .filter(units::code.eq(unit_code))
                .select(units::id)
                .first::<i64>(c)?,
        };
        let id: i64 = diesel::insert_into(progress_reports::table)
            .values((
                progress_reports::task_id.eq(task_id),
                progress_reports::unit_id.eq(unit_id),
                progress_reports::user_id.eq(user_id),
                progress_reports::reported_on.eq(today),
                progress_reports::percent.eq(input.percent),
                progress_reports::note.eq(&input.note),
                progress_reports::proposes_completion.eq(input.proposes_completion.is_some()),
                progress_reports::proposed_completed_on.eq(input.proposes_completion),
                progress_reports::review_state
                    .eq(input.proposes_completion.map(|_| Review::Pending)),
                progress_reports::attachment_name.eq(file.map(|f| f.name.clone())),
                progress_reports::attachment_path.eq(file.map(|f| f.path.clone())),
                progress_reports::attachment_size.eq(file.map(|f| f.size)),
                progress_reports::created_at.eq(now()),
            ))
            .returning(progress_reports::id)
            .get_result(c)?;
        // The task's progress is its lead unit's; a coordinator reports on its own share.
        if part == UnitPart::Lead {
            diesel::update(tasks::table.find(task_id))
                .set((
                    tasks::percent.eq(input.percent),
                    tasks::updated_at.eq(now()),
                ))
                .execute(c)?;
        }
        let kind = if input.proposes_completion.is_some() {
            "proposal"
        } else {
            "report"
        };
        c.record_audit(&Entry {
            user_id,
            action: if kind == "proposal" {
                "task.propose"
            } else {
                "task.report"
            },
            entity: "report",
            entity_id: Some(id),
            task_id: Some(task_id),
            details: serde_json::json!({
                "percent": input.percent,
                "note": input.note,
                "unit": unit_code,
                "completed_on": input.proposes_completion,
            })
            .to_string(),
        })?;
        if kind == "proposal" {
            let recipients = c.official_recipients(task.task.assigned_by)?;
            let unit = c.unit_label(Some(unit_id))?;
            c.queue(mails(&Event {
                kind,
                task: &task,
                key: format!("event:proposal:{id}"),
                note: &input.note,
                unit,
                recipients,
            }))?;
        }
        Ok(id)
    })
}

/// The office returns a proposal of completion with a reason; the unit sees it.
pub fn return_proposal(
    conn: &mut Conn,
    report_id: i64,
    reason: &str,
    by: i64,
    mails: MailMaker,
) -> Result<i64> {
    write_tx(conn, |c| {
        let (task_id, state): (i64, Option<Review>) = progress_reports::table
            .find(report_id)
            .select((progress_reports::task_id, progress_reports::review_state))
            .first(c)
            .optional()?
            .ok_or(StorageError::NotFound)?;
        if state != Some(Review::Pending) {
            return Err(StorageError::conflict("report", "err-not-pending"));
        }
        let task = c
            .load_records(&[task_id])?
            .pop()
            .ok_or(StorageError::NotFound)?;
        diesel::update(progress_reports::table.find(report_id))
            .set((
                progress_reports::review_state.eq(Review::Returned),
                progress_reports::review_note.eq(reason),
                progress_reports::reviewed_by.eq(Some(by)),
                progress_reports::reviewed_at.eq(Some(now())),
            ))
            .execute(c)?;
        c.record_audit(&Entry {
            user_id: Some(by),
            action: "task.return",
            entity: "report",
            entity_id: Some(report_id),
            task_id: Some(task_id),
            details: serde_json::json!({"reason": reason}).to_string(),
        })?;
        let recipients = c.unit_recipients(task.task.lead_unit_id)?;
        let unit = c.unit_label(task.task.lead_unit_id)?;
        c.queue(mails(&Event {
            kind: "returned",
            task: &task,
            key: format!("event:returned:{report_id}"),
            note: reason,
            unit,
            recipients,
        }))?;
        Ok(task_id)
    })
}

/// Records a task as done on a date (confirmed by an official), and with it
/// the unit's proposal that waited, if any: one step over the task and its
/// reports, in one transaction.
pub fn complete(
    conn: &mut Conn,
    id: i64,
    version: Option<i32>,
    on: NaiveDate,
    today: NaiveDate,
    user_id: Option<i64>,
) -> Result<TaskRecord> {
    write_tx(conn, |c| {
        let current = super::tasks::open_for_change(c, id, version)?;
        if current.task.completed_on.is_some() {
            return Err(StorageError::conflict("state", "err-task-done"));
        }
        let mut next = current.as_input();
        next.completed_on = Some(on);
        if let Some(e) = crate::domain::task::check_dates(&next, today)
            .into_iter()
            .next()
        {
            return Err(e.into());
        }
        diesel::update(tasks::table.find(id))
            .set((
                tasks::completed_on.eq(Some(on)),
                tasks::percent.eq(100),
                tasks::version.eq(current.task.version + 1),
                tasks::updated_at.eq(now()),
            ))
            .execute(c)?;
        c.confirm_pending(id, user_id)?;
        c.record_audit(&Entry {
            user_id,
            action: "task.complete",
            entity: "task",
            entity_id: Some(id),
            task_id: Some(id),
            details: serde_json::json!({"completed_on": on}).to_string(),
        })?;
        Ok::<_, StorageError>(())
    })?;
    super::tasks::get(conn, id)
}

/// The lead unit asks for a later deadline; one request waits at a time.
pub fn request_extension(
    conn: &mut Conn,
    task_id: i64,
    account: &Account,
    input: &ExtensionInput,
    mails: MailMaker,
) -> Result<i64> {
    write_tx(conn, |c| {
        let task = load_open_task(c, task_id)?;
        if part_of(account, &task)? != UnitPart::Lead {
            return Err(StorageError::Forbidden);
        }
        let pending: i64 = extension_requests::table
            .filter(extension_requests::task_id.eq(task_id))
            .filter(extension_requests::state.eq(Decision::Pending))
            .count()
            .get_result(c)?;
        if pending > 0 {
            return Err(StorageError::conflict(
                "new_deadline",
                "err-extension-pending",
            ));
        }
        let id: i64 = diesel::insert_into(extension_requests::table)
            .values((
                extension_requests::task_id.eq(task_id),
                extension_requests::unit_id
                    .eq(task.task.lead_unit_id.ok_or(StorageError::Forbidden)?),
                extension_requests::requested_by.eq(Some(account.user.id)),
                extension_requests::current_deadline.eq(task.task.deadline),
                extension_requests::new_deadline.eq(input.new_deadline),
                extension_requests::reason.eq(&input.reason),
                extension_requests::state.eq(Decision::Pending),
                extension_requests::created_at.eq(now()),
            ))
            .returning(extension_requests::id)
            .get_result(c)?;
        c.record_audit(&Entry {
            user_id: Some(account.user.id),
            action: "task.extension_request",
            entity: "extension",
            entity_id: Some(id),
            task_id: Some(task_id),
            details:
                serde_json::json!({"new_deadline": input.new_deadline, "reason": input.reason})
                    .to_string(),
        })?;
        let recipients = c.official_recipients(task.task.assigned_by)?;
        let unit = c.unit_label(task.task.lead_unit_id)?;
        c.queue(mails(&Event {
            kind: "extension",
            task: &task,
            key: format!("event:extension:{id}"),
            note: &input.reason,
            unit,
            recipients,
        }))?;
        Ok(id)
    })
}

/// An official approves (the deadline moves; the first deadline is kept as the
/// original) or rejects (nothing changes) a waiting request.
pub fn decide_extension(
    conn: &mut Conn,
    extension_id: i64,
    approve: bool,
    note: &str,
    by: i64,
    mails: MailMaker,
) -> Result<i64> {
    write_tx(conn, |c| {
        let (task_id, state, new_deadline): (i64, Decision, NaiveDate) = extension_requests::table
            .find(extension_id)
            .select((
                extension_requests::task_id,
                extension_requests::state,
                extension_requests::new_deadline,
            ))
            .first(c)
            .optional()?
            .ok_or(StorageError::NotFound)?;
        if state != Decision::Pending {
            return Err(StorageError::conflict("extension", "err-extension-decided"));
        }
        let task = load_open_task(c, task_id)?;
        diesel::update(extension_requests::table.find(extension_id))
            .set((
                extension_requests::state.eq(if approve {
                    Decision::Approved
                } else {
                    Decision::Rejected
                }),
                extension_requests::decided_by.eq(Some(by)),
                extension_requests::decided_at.eq(Some(now())),
                extension_requests::decision_note.eq(note),
            ))
            .execute(c)?;
        if approve {
            diesel::update(tasks::table.find(task_id))
                .set((
                    tasks::original_deadline.eq(task.task.original_deadline.or(task.task.deadline)),
                    tasks::deadline.eq(Some(new_deadline)),
                    tasks::version.eq(task.task.version + 1),
                    tasks::updated_at.eq(now()),
                ))
                .execute(c)?;
        }
        c.record_audit(&Entry {
            user_id: Some(by),
            action: if approve {
                "task.extension_approve"
            } else {
                "task.extension_reject"
            },
            entity: "extension",
            entity_id: Some(extension_id),
            task_id: Some(task_id),
            details: serde_json::json!({"new_deadline": new_deadline, "note": note}).to_string(),
        })?;
        let recipients = c.unit_recipients(task.task.lead_unit_id)?;
        let kind = if approve { "approved" } else { "rejected" };
        // The mail approving an extension gives the new deadline: the task as it is now.
        let task = if approve {
            c.load_records(&[task_id])?
                .pop()
                .ok_or(StorageError::NotFound)?
        } else {
            task
        };
        let unit = c.unit_label(task.task.lead_unit_id)?;
        c.queue(mails(&Event {
            kind,
            task: &task,
            key: format!("event:{kind}:{extension_id}"),
            note,
            unit,
            recipients,
        }))?;
        Ok(task_id)
    })
}

/// A task's reports, newest first.
pub fn reports(conn: &mut Conn, task_id: i64) -> Result<Vec<Report>> {
    let rows = progress_reports::table
        .inner_join(units::table.on(units::id.eq(progress_reports::unit_id)))
        .left_join(users::table.on(users::id.nullable().eq(progress_reports::user_id)))
        .filter(progress_reports::task_id.eq(task_id))
        .order(progress_reports::id.desc())
        .select((
            progress_reports::id,
            progress_reports::task_id,
            units::code,
            users::name.nullable(),
            progress_reports::reported_on,
            progress_reports::percent,
            progress_reports::note,
            progress_reports::proposes_completion,
            progress_reports::proposed_completed_on,
            progress_reports::review_state,
            progress_reports::review_note,
            progress_reports::attachment_name,
            progress_reports::attachment_path,
            progress_reports::attachment_size,
            progress_reports::created_at,
        ))
        .load::<StoredReport>(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let task = super::tasks::get(conn, task_id)?;
    Ok(rows
        .into_iter()
        .map(|stored| Report {
            by_coordinator: unit_part(&stored.unit, task.lead_unit.as_deref(), &task.coordinators)
                != Some(UnitPart::Lead),
            stored,
        })
        .collect())
}

pub fn report(conn: &mut Conn, report_id: i64) -> Result<Report> {
    let task_id: i64 = progress_reports::table
        .find(report_id)
        .select(progress_reports::task_id)
        .first(conn)
        .optional()?
        .ok_or(StorageError::NotFound)?;
    reports(conn, task_id)?
        .into_iter()
        .find(|r| r.stored.id == report_id)
        .ok_or(StorageError::NotFound)
}

/// A task's extension requests, newest first.
pub fn extensions(conn: &mut Conn, task_id: i64) -> Result<Vec<Extension>> {
    Ok(extension_requests::table
        .inner_join(units::table.on(units::id.eq(extension_requests::unit_id)))
        .filter(extension_requests::task_id.eq(task_id))
        .order(extension_requests::id.desc())
        .select((
            extension_requests::id,
            extension_requests::task_id,
            units::code,
            extension_requests::current_deadline,
            extension_requests::new_deadline,
            extension_requests::reason,
            extension_requests::state,
            extension_requests::decision_note,
            extension_requests::created_at,
            extension_requests::decided_at,
        ))
        .load::<Extension>(conn)?)
}

/// The latest report of each task, for lists.
pub fn latest_reports(
    conn: &mut Conn,
    task_ids: &[i64],
) -> Result<std::collections::HashMap<i64, (NaiveDate, i32, String)>> {
    let rows: Vec<(i64, i64, NaiveDate, i32, String)> = progress_reports::table
        .filter(progress_reports::task_id.eq_any(task_ids))
        .order((progress_reports::task_id, progress_reports::id.desc()))
        .select((
            progress_reports::task_id,
            progress_reports::id,
            progress_reports::reported_on,
            progress_reports::percent,
            progress_reports::note,
        ))
        .load(conn)?;
    let mut out = std::collections::HashMap::new();
    for (task_id, _, on, percent, note) in rows {
        out.entry(task_id).or_insert((on, percent, note));
    }
    Ok(out)
}

/// The invalid-input error of a field, for callers that check before storing.
pub fn invalid(field: &str, key: &'static str) -> StorageError {
    StorageError::Invalid(Invalid::new(field, key))
}

/// The task an extension request is about.
pub fn extension_task(conn: &mut Conn, extension_id: i64) -> Result<i64> {
    extension_requests::table
        .find(extension_id)
        .select(extension_requests::task_id)
        .first::<i64>(conn)
        .optional()?
        .ok_or(StorageError::NotFound)
}
