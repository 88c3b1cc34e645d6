//! Tasks: lists with the filters of the API and pages, reads and writes.

use chrono::NaiveDate;
use diesel::prelude::*;
use std::collections::HashMap;

use super::audit::{AuditLog, Entry};
use super::id_set::IdSet;
use super::models::Task;
use super::report::pick;
use super::report::snapshot;
use super::schema::{meetings, task_coordinators, tasks, units};
use super::users::Account;
use super::visibility::{check_task, Viewer};
use super::{
    impl_for_backends, now, with_conn, write_tx, Conn, DbConn, MultiBackend, Result, StorageError,
};
use crate::domain::task::TaskInput;
use crate::domain::text::fold;
use crate::domain::{Invalid, Period, State, Status};

/// A task with its units named by code.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    pub task: Task,
    /// `None` while the task waits for its lead ("chưa giao").
    pub lead_unit: Option<String>,
    pub coordinators: Vec<String>,
}

/// Which tasks of a unit: those it leads, or also those it coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnitRole {
    #[default]
    Lead,
    LeadOrCoordinator,
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub unit_id: Option<i64>,
    pub unit_role: UnitRole,
    /// Status as of `as_of`; empty means any (cancelled tasks included).
    pub statuses: Vec<Status>,
    /// The tasks of a period's report, as of `as_of`.
    pub period: Option<Period>,
    pub as_of: Option<NaiveDate>,
    /// Words to find in the content or reference, accents and case ignored.
    pub query: Option<String>,
    pub meeting_id: Option<i64>,
    /// Overdue tasks first (a unit's own list), then by deadline.
    pub overdue_first: bool,
    /// Who reads the list: confidential tasks and a leader's scope.
    pub viewer: Viewer,
    /// Where the task stands in its workflow (a proposal or request waiting).
    pub waiting: Option<crate::domain::inbox::Waiting>,
    /// Open tasks only (a unit's own list, before "show finished").
    pub open_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

pub const MAX_PER_PAGE: i64 = 500;

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The text a task is found by: folded content and reference.
pub fn search_text(reference: &str, content: &str) -> String {
    fold(&format!("{reference} {content}"))
}

/// Escapes LIKE wildcards in user text (the backslash is declared as the escape).
fn like_pattern(words: &str) -> String {
    let mut p = String::from("%");
    for ch in fold(words).chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// A task ready to be written: units resolved to ids.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = tasks)]
pub struct NewTask {
    pub reference: String,
    pub meeting_id: Option<i64>,
    pub content: String,
    pub search_text: String,
    pub lead_unit_id: Option<i64>,
    pub assigned_on: NaiveDate,
    pub deadline: Option<NaiveDate>,
    pub original_deadline: Option<NaiveDate>,
    pub expected_output: String,
    pub completed_on: Option<NaiveDate>,
    pub cancelled_on: Option<NaiveDate>,
    pub percent: i32,
    pub assigned_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl NewTask {
    /// Resolves the unit codes of `input`; an unknown code is named by its field.
    pub fn resolve(
        input: &TaskInput,
        reference: String,
        units: &HashMap<String, i64>,
        meeting_id: Option<i64>,
        assigned_by: Option<i64>,
    ) -> Result<(NewTask, Vec<i64>), Invalid> {
        let lead_unit_id = input
            .lead_unit
            .as_ref()
            .map(|code| {
                units
                    .get(code)
                    .copied()
                    .ok_or_else(|| Invalid::new("lead_unit", "err-unknown-unit").arg("value", code))
            })
            .transpose()?;
        let coordinators = input
            .coordinators
            .iter()
            .map(|code| {
                units.get(code).copied().ok_or_else(|| {
                    Invalid::new("coordinators", "err-unknown-unit").arg("value", code)
                })
            })
            .collect::<Result<Vec<i64>, Invalid>>()?;
        let at = now();
        Ok((
            NewTask {
                search_text: search_text(&reference, &input.content),
                reference,
                meeting_id,
                content: input.content.clone(),
                lead_unit_id,
                assigned_on: input.assigned_on,
                deadline: input.deadline,
                original_deadline: input.original_deadline,
                expected_output: input.expected_output.clone(),
                completed_on: input.completed_on,
                cancelled_on: input.cancelled_on,
                percent: if input.completed_on.is_some() { 100 } else { 0 },
                assigned_by,
                created_at: at,
                updated_at: at,
            },
            coordinators,
        ))
    }
}

/// Rows per INSERT: under both backends' limits on bound values.
const INSERT_CHUNK: usize = 1000;

/// Inserts tasks (in one statement per chunk) with their coordinators; returns their ids in order.
pub fn insert_tasks(c: &mut DbConn, rows: &[(NewTask, Vec<i64>)]) -> QueryResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(INSERT_CHUNK) {
        let new: Vec<&NewTask> = chunk.iter().map(|(t, _)| t).collect();
        // A multi-row INSERT is built per backend (SQLite has no `DEFAULT` in `VALUES`).
        with_conn!(&mut *c, |c| diesel::insert_into(tasks::table)
            .values(new)
            .execute(c))?;
        let refs: Vec<&str> = chunk.iter().map(|(t, _)| t.reference.as_str()).collect();
        let by_ref = task_ids_by_reference(c, &refs)?;
        let mut links = Vec::new();
        for (t, coordinators) in chunk {
            let id = by_ref
                .get(&t.reference)
                .copied()
                .ok_or(diesel::result::Error::NotFound)?;
            ids.push(id);
            links.extend(coordinators.iter().map(|u| {
                (
                    task_coordinators::task_id.eq(id),
                    task_coordinators::unit_id.eq(*u),
                )
            }));
        }
        for part in links.chunks(INSERT_CHUNK) {
            with_conn!(&mut *c, |c| diesel::insert_into(task_coordinators::table)
                .values(part.to_vec())
                .execute(c))?;
        }
    }
    Ok(ids)
}

pub fn task_ids_by_reference(c: &mut DbConn, refs: &[&str]) -> QueryResult<HashMap<String, i64>> {
    super::in_chunks(refs, INSERT_CHUNK, |chunk| {
        tasks::table
            .filter(tasks::reference.eq_any(chunk))
            .select((tasks::reference, tasks::id))
            .load::<(String, i64)>(c)
    })
}

pub fn set_coordinators(c: &mut DbConn, task_id: i64, unit_ids: &[i64]) -> QueryResult<()> {
    diesel::delete(task_coordinators::table.filter(task_coordinators::task_id.eq(task_id)))
        .execute(c)?;
    let rows: Vec<_> = unit_ids
        .iter()
        .map(|u| {
            (
                task_coordinators::task_id.eq(task_id),
                task_coordinators::unit_id.eq(*u),
            )
        })
        .collect();
    if !rows.is_empty() {
        // A multi-row INSERT is built per backend (SQLite has no `DEFAULT` in `VALUES`).
        with_conn!(c, |c| diesel::insert_into(task_coordinators::table)
            .values(rows)
            .execute(c))?;
    }
    Ok(())
}

pub trait TaskQueries {
    fn load_records(&mut self, ids: &[i64]) -> QueryResult<Vec<TaskRecord>>;
}

// Implemented per backend while `report.rs` loads records on a concrete
// connection; [`DbConn`] passes the call on.
impl_for_backends!(TaskQueries {
    fn load_records(&mut self, ids: &[i64]) -> QueryResult<Vec<TaskRecord>> {
        // Joined rather than the SQL of `visibility::CONFIDENTIAL`, so that
        // PostgreSQL keeps the query prepared: every write and list loads it.
        let rows: Vec<(Task, Option<String>, Option<bool>)> = tasks::table
            .left_join(units::table)
            .left_join(meetings::table.on(tasks::meeting_id.eq(meetings::id.nullable())))
            .filter(tasks::id.eq_any(ids))
            .select((
                Task::as_select(),
                units::code.nullable(),
                meetings::confidential.nullable(),
            ))
            .load(self)?;
        // A task of a confidential meeting reads as confidential wherever it goes
        // (pages, API, mails).
        let rows = rows.into_iter().map(|(mut task, code, by_meeting)| {
            task.confidential |= by_meeting == Some(true);
            (task, code)
        });
        let mut coordinators: HashMap<i64, Vec<String>> = HashMap::new();
        for (task_id, code) in task_coordinators::table
            .inner_join(units::table)
            .filter(task_coordinators::task_id.eq_any(ids))
            .order(units::code)
            .select((task_coordinators::task_id, units::code))
            .load::<(i64, String)>(self)?
        {
            coordinators.entry(task_id).or_default().push(code);
        }
        let mut by_id: HashMap<i64, TaskRecord> = rows
            .into_iter()
            .map(|(task, lead_unit)| {
                let coordinators = coordinators.remove(&task.id).unwrap_or_default();
                (task.id, TaskRecord { task, lead_unit, coordinators })
            })
            .collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }
});

impl TaskQueries for DbConn {
    fn load_records(&mut self, ids: &[i64]) -> QueryResult<Vec<TaskRecord>> {
        with_conn!(self, |c| c.load_records(ids))
    }
}

/// The tasks matching a filter, one page, ordered by deadline (ongoing last).
///
/// Period, status, lead unit, open or not, the order and who may read come
/// from the report's rows by the domain's rules (`Period::inclusion`,
/// `TaskDates::status_as_of`), as the dashboard's numbers do; the filters the
/// rows do not hold (words, meeting, the coordinated tasks) are asked of SQL
/// first, as the ids they allow; a waiting proposal or request is told by
/// `stages`, the inbox's rule.
pub fn list(
    conn: &mut Conn,
    filter: &TaskFilter,
    page: PageRequest,
    today: NaiveDate,
) -> Result<Page<TaskRecord>> {
    let as_of = filter.as_of.unwrap_or(today);
    let per_page = page.per_page.clamp(1, MAX_PER_PAGE);
    let page_no = page.page.max(1);
    let offset = (page_no - 1).saturating_mul(per_page);
    let snap = snapshot::current(conn)?;
    let allowed = allowed_ids(conn, &snap, filter)?;
    let coordinated: Vec<i64> = match (filter.unit_id, filter.unit_role) {
        (Some(unit), UnitRole::LeadOrCoordinator) => task_coordinators::table
            .filter(task_coordinators::unit_id.eq(unit))
            .order(task_coordinators::task_id)
            .select(task_coordinators::task_id)
            .load(&mut **conn)?,
        _ => Vec::new(),
    };
    // The fewest rows that hold every task of the list are read: the ids
    // allowed when they are few, else the unit's tasks, else every task.
    let rows = match (&allowed, filter.unit_id) {
        (Some(ids), _) if ids.len() <= snap.len() / FEW_IDS => snap.of_ids(ids),
        (_, Some(unit)) => {
            let led_elsewhere: Vec<i64> = coordinated
                .iter()
                .copied()
                .filter(|id| snap.get(*id).is_some_and(|r| r.task.lead_unit_id != unit))
                .collect();
            snap.led_by(&IdSet::new(Some(&[unit])))
                .with(snap.of_ids(&led_elsewhere))
        }
        _ => snap.all(),
    };
    let allowed = IdSet::new(allowed.as_deref());
    let coordinated = IdSet::new(Some(&coordinated));
    let take = usize::try_from(offset.saturating_add(per_page)).unwrap_or(usize::MAX);
    let (total, keys) = pick::first_seen(
        conn,
        &rows,
        &filter.viewer,
        take,
        |r| {
            let dates = &r.task.dates;
            allowed.holds(r.id)
                && filter
                    .unit_id
                    .is_none_or(|unit| r.task.lead_unit_id == unit || coordinated.holds(r.id))
                && filter
                    .period
                    .is_none_or(|p| p.inclusion(dates, as_of).is_some())
                && (filter.statuses.is_empty()
                    || dates
                        .status_as_of(as_of)
                        .is_some_and(|s| filter.statuses.contains(&s)))
                && (!filter.open_only || dates.state() == State::Open)
        },
        |r| {
            let dates = &r.task.dates;
            let overdue = dates.status_as_of(as_of) == Some(Status::Overdue);
            (
                filter.overdue_first && !overdue,
                dates.deadline.is_none(),
                dates.deadline,
                r.id,
            )
        },
    )?;
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let ids: Vec<i64> = keys.into_iter().skip(skip).map(|k| k.3).collect();
    let records = conn.load_records(&ids)?;
    Ok(Page {
        items: records,
        total,
        page: page_no,
        per_page,
    })
}

/// Ids allowed by SQL are read one by one when at most one task in this
/// many; more, and reading every row in turn is as fast.
const FEW_IDS: usize = 8;

/// The ids the filters the report's rows do not hold allow, in order; `None`
/// when no such filter is set. Words and meeting are asked of SQL; where a
/// task stands in its workflow is decided by `stages` on its rows.
fn allowed_ids(
    conn: &mut Conn,
    snap: &snapshot::Snapshot,
    filter: &TaskFilter,
) -> Result<Option<Vec<i64>>> {
    let words = filter
        .query
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty());
    let waiting = filter
        .waiting
        .map(|w| super::stages::waiting_ids(conn, snap, w))
        .transpose()?;
    if words.is_none() && filter.meeting_id.is_none() {
        return Ok(waiting);
    }
    let mut q = tasks::table.into_boxed::<MultiBackend>();
    if let Some(words) = words {
        q = q.filter(tasks::search_text.like(like_pattern(words)).escape('\\'));
    }
    if let Some(m) = filter.meeting_id {
        q = q.filter(tasks::meeting_id.eq(m));
    }
    let found: Vec<i64> = q.select(tasks::id).order(tasks::id).load(&mut **conn)?;
    Ok(Some(match waiting {
        Some(ids) => found
            .into_iter()
            .filter(|id| ids.binary_search(id).is_ok())
            .collect(),
        None => found,
    }))
}

pub fn get(conn: &mut Conn, id: i64) -> Result<TaskRecord> {
    let mut found = conn.load_records(&[id])?;
    found.pop().ok_or(StorageError::NotFound)
}

/// The day a task was assigned, which a unit's report may not precede.
pub fn assigned_on(conn: &mut Conn, id: i64) -> Result<NaiveDate> {
    tasks::table
        .find(id)
        .select(tasks::assigned_on)
        .first(&mut **conn)
        .optional()?
        .ok_or(StorageError::NotFound)
}

/// A task as this account may read it; `NotFound` otherwise.
pub fn get_for(conn: &mut Conn, account: &Account, id: i64) -> Result<TaskRecord> {
    let viewer = Viewer::for_account(conn, account)?;
    check_task(conn, &viewer, id)?;
    get(conn, id)
}

/// A page of tasks as this account may read them.
pub fn list_for(
    conn: &mut Conn,
    account: &Account,
    mut filter: TaskFilter,
    page: PageRequest,
    today: NaiveDate,
) -> Result<Page<TaskRecord>> {
    filter.viewer = Viewer::for_account(conn, account)?;
    list(conn, &filter, page, today)
}

/// Adds one task (with a generated reference when none is given).
pub fn create(
    conn: &mut Conn,
    input: &TaskInput,
    meeting_id: Option<i64>,
    user_id: Option<i64>,
) -> Result<TaskRecord> {
    create_with(conn, input, meeting_id, user_id, false)
}

/// Adds one task, confidential from the start if asked (never readable by all in between).
pub fn create_with(
    conn: &mut Conn,
    input: &TaskInput,
    meeting_id: Option<i64>,
    user_id: Option<i64>,
    confidential: bool,
) -> Result<TaskRecord> {
    let id = write_tx(conn, |c| {
        let units = super::units::unit_ids_by_code(c)?;
        let generated = input.reference.is_none();
        let reference = input
            .reference
            .clone()
            .unwrap_or_else(|| format!("tmp-{}", crate::auth::random_secret(12)));
        if !generated && !task_ids_by_reference(c, &[reference.as_str()])?.is_empty() {
            return Err(StorageError::conflict("ref", "err-reference-taken"));
        }
        let row = NewTask::resolve(input, reference, &units, meeting_id, user_id)?;
        let id = insert_tasks(c, &[row])?
            .pop()
            .ok_or(diesel::result::Error::NotFound)?;
        if confidential {
            diesel::update(tasks::table.find(id))
                .set(tasks::confidential.eq(true))
                .execute(c)?;
        }
        if generated {
            let reference = format!("NV-{id:06}");
            diesel::update(tasks::table.find(id))
                .set((
                    tasks::search_text.eq(search_text(&reference, &input.content)),
                    tasks::reference.eq(reference),
                ))
                .execute(c)?;
        }
        c.record_audit(&Entry {
            user_id,
            action: "task.create",
            entity: "task",
            entity_id: Some(id),
            task_id: Some(id),
            details: serde_json::json!({
                "content": input.content,
                "lead_unit": input.lead_unit,
                "deadline": input.deadline,
            })
            .to_string(),
        })?;
        Ok::<_, StorageError>(id)
    })?;
    get(conn, id)
}

impl TaskRecord {
    /// The task as input, for changes to be applied to.
    pub fn as_input(&self) -> TaskInput {
        let t = &self.task;
        TaskInput {
            reference: Some(t.reference.clone()),
            content: t.content.clone(),
            lead_unit: self.lead_unit.clone(),
            coordinators: self.coordinators.clone(),
            assigned_on: t.assigned_on,
            deadline: t.deadline,
            original_deadline: t.original_deadline,
            completed_on: t.completed_on,
            cancelled_on: t.cancelled_on,
            expected_output: t.expected_output.clone(),
        }
    }
}

/// Loads the task for a change in the same transaction, refusing a stale
/// version (when one is given) and a cancelled task.
pub(super) fn open_for_change(c: &mut DbConn, id: i64, version: Option<i32>) -> Result<TaskRecord> {
    let record = c.load_records(&[id])?.pop().ok_or(StorageError::NotFound)?;
    if let Some(given) = version.filter(|v| *v != record.task.version) {
        return Err(StorageError::StaleVersion {
            given,
            current: record.task.version,
        });
    }
    if record.task.cancelled_on.is_some() {
        return Err(StorageError::conflict("state", "err-task-cancelled"));
    }
    Ok(record)
}

/// Changes a task's assignment if `version` is still the current one.
pub fn update(
    conn: &mut Conn,
    id: i64,
    version: i32,
    change: &crate::domain::task::TaskChange,
    today: NaiveDate,
    user_id: Option<i64>,
) -> Result<TaskRecord> {
    let (record, coordinators_changed) = write_tx(conn, |c| {
        let current = open_for_change(c, id, Some(version))?;
        let next = change
            .apply(&current.as_input(), today)
            .map_err(|mut e| StorageError::Invalid(e.remove(0)))?;
        let before = current.as_input();
        let coordinators_changed = next.coordinators != before.coordinators;
        // Units are looked up only when the change names other ones; the
        // coordinators are resolved only to be written again.
        let units_named = coordinators_changed || next.lead_unit != before.lead_unit;
        let units = match (units_named, &next.lead_unit, current.task.lead_unit_id) {
            (true, _, _) => super::units::unit_ids_by_code(c)?,
            (false, Some(code), Some(id)) => HashMap::from([(code.clone(), id)]),
            (false, _, _) => HashMap::new(),
        };
        let resolving = match coordinators_changed {
            true => std::borrow::Cow::Borrowed(&next),
            false => std::borrow::Cow::Owned(TaskInput {
                coordinators: Vec::new(),
                ..next.clone()
            }),
        };
        let (row, coordinators) = NewTask::resolve(
            &resolving,
            current.task.reference.clone(),
            &units,
            current.task.meeting_id,
            None,
        )?;
        if coordinators_changed {
            set_coordinators(c, id, &coordinators)?;
        }
        c.record_audit(&Entry {
            user_id,
            action: "task.update",
            entity: "task",
            entity_id: Some(id),
            task_id: Some(id),
            details: changes_json(&before, &next),
        })?;
        // Last: the task's update takes the report's version row (its
        // trigger) until the commit, so every other writer waits on it for
        // this statement and the commit only. It holds the version too: a
        // change committed since `open_for_change` read the task leaves no
        // row to update, and this one is refused as stale.
        // diesel builds `RETURNING` of a whole row only for a concrete backend.
        let updated: Option<Task> = with_conn!(c, |c| diesel::update(
            tasks::table.find(id).filter(tasks::version.eq(version))
        )
        .set((
            tasks::content.eq(&row.content),
            tasks::search_text.eq(&row.search_text),
            tasks::lead_unit_id.eq(row.lead_unit_id),
            tasks::assigned_on.eq(row.assigned_on),
            tasks::deadline.eq(row.deadline),
            tasks::original_deadline.eq(row.original_deadline),
            tasks::expected_output.eq(&row.expected_output),
            tasks::version.eq(version + 1),
            tasks::updated_at.eq(now()),
        ))
        .returning(Task::as_returning())
        .get_result(c)
        .optional())?;
        let Some(mut task) = updated else {
            let current = tasks::table.find(id).select(tasks::version).first(c)?;
            return Err(StorageError::StaleVersion {
                given: version,
                current,
            });
        };
        // The task as the update left it, told as a read would tell it: its
        // meeting's flag (unchanged here) and the lead's code it names.
        task.confidential = current.task.confidential;
        let record = TaskRecord {
            task,
            lead_unit: next.lead_unit.clone(),
            coordinators: current.coordinators,
        };
        Ok::<_, StorageError>((record, coordinators_changed))
    })?;
    // New coordinators are read back in the order every read gives them.
    match coordinators_changed {
        true => get(conn, id),
        false => Ok(record),
    }
}

/// What changed, as `{field: [before, after]}`.
fn changes_json(before: &TaskInput, after: &TaskInput) -> String {
    let mut out = serde_json::Map::new();
    let mut put = |k: &str, a: serde_json::Value, b: serde_json::Value| {
        if a != b {
            out.insert(k.to_string(), serde_json::json!([a, b]));
        }
    };
    put(
        "content",
        before.content.clone().into(),
        after.content.clone().into(),
    );
    put(
        "lead_unit",
        before.lead_unit.clone().into(),
        after.lead_unit.clone().into(),
    );
    put(
        "coordinators",
        before.coordinators.clone().into(),
        after.coordinators.clone().into(),
    );
    put(
        "assigned_on",
        before.assigned_on.to_string().into(),
        after.assigned_on.to_string().into(),
    );
    put(
        "deadline",
        serde_json::json!(before.deadline),
        serde_json::json!(after.deadline),
    );
    put(
        "expected_output",
        before.expected_output.clone().into(),
        after.expected_output.clone().into(),
    );
    serde_json::Value::Object(out).to_string()
}

/// Cancels an open task with a reason; it leaves every count from that day.
pub fn cancel(
    conn: &mut Conn,
    id: i64,
    version: Option<i32>,
    reason: &str,
    on: NaiveDate,
    user_id: Option<i64>,
) -> Result<TaskRecord> {
    write_tx(conn, |c| {
        let current = open_for_change(c, id, version)?;
        if on < current.task.assigned_on {
            return Err(Invalid::new("cancelled_on", "err-before-assigned")
                .arg("value", crate::domain::dates::format_vi(on))
                .arg(
                    "assigned",
                    crate::domain::dates::format_vi(current.task.assigned_on),
                )
                .into());
        }
        diesel::update(tasks::table.find(id))
            .set((
                tasks::cancelled_on.eq(Some(on)),
                tasks::cancel_reason.eq(reason),
                tasks::version.eq(current.task.version + 1),
                tasks::updated_at.eq(now()),
            ))
            .execute(c)?;
        c.record_audit(&Entry {
            user_id,
            action: "task.cancel",
            entity: "task",
            entity_id: Some(id),
            task_id: Some(id),
            details: serde_json::json!({"reason": reason, "cancelled_on": on}).to_string(),
        })?;
        Ok::<_, StorageError>(())
    })?;
    get(conn, id)
}
