//! Meetings and the tasks their conclusions became.

use diesel::prelude::*;

use super::audit::{AuditLog, Entry};
use super::files::StoredFile;
use super::models::Meeting;
use super::schema::{meeting_documents, meetings, tasks, units};
use super::tasks::{insert_tasks, task_ids_by_reference, NewTask, TaskQueries, TaskRecord};
use super::units::unit_ids_by_code;
use super::users::Account;
use super::visibility::{check_meeting, visible_tasks, Viewer};
use super::{now, write_tx, Conn, Result, StorageError};
pub use crate::domain::meeting::MeetingInput;
use crate::domain::task::TaskInput;
use crate::domain::Invalid;

#[derive(Debug, Clone, PartialEq)]
pub struct MeetingSummary {
    pub meeting: Meeting,
    pub organiser_unit: Option<String>,
    pub task_count: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MeetingWithTasks {
    pub meeting: Meeting,
    pub organiser_unit: Option<String>,
    pub tasks: Vec<TaskRecord>,
    /// The conclusion document it was recorded from (the signed Thông báo), if uploaded.
    pub documents: Vec<MeetingDocument>,
}

/// A document kept with a meeting; the file lies under the files folder.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, serde::Serialize)]
pub struct MeetingDocument {
    pub id: i64,
    pub meeting_id: i64,
    pub name: String,
    #[serde(skip)]
    pub path: String,
    pub size: i64,
}

/// The columns of a [`MeetingDocument`], in its order.
const DOCUMENT_COLUMNS: (
    meeting_documents::id,
    meeting_documents::meeting_id,
    meeting_documents::file_name,
    meeting_documents::file_path,
    meeting_documents::file_size,
) = (
    meeting_documents::id,
    meeting_documents::meeting_id,
    meeting_documents::file_name,
    meeting_documents::file_path,
    meeting_documents::file_size,
);

/// One document of a meeting, for download.
pub fn document(conn: &mut Conn, id: i64) -> Result<MeetingDocument> {
    meeting_documents::table
        .find(id)
        .select(DOCUMENT_COLUMNS)
        .first::<MeetingDocument>(conn)
        .optional()?
        .ok_or(StorageError::NotFound)
}

pub fn list(conn: &mut Conn) -> Result<Vec<MeetingSummary>> {
    let rows: Vec<(Meeting, Option<String>)> = meetings::table
        .left_join(units::table)
        .order((meetings::held_on.desc(), meetings::id.desc()))
        .select((Meeting::as_select(), units::code.nullable()))
        .load(conn)?;
    let counts: std::collections::HashMap<i64, i64> = tasks::table
        .filter(tasks::meeting_id.is_not_null())
        .group_by(tasks::meeting_id)
        .select((
            tasks::meeting_id.assume_not_null(),
            diesel::dsl::count_star(),
        ))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(meeting, organiser_unit)| MeetingSummary {
            task_count: counts.get(&meeting.id).copied().unwrap_or(0),
            meeting,
            organiser_unit,
        })
        .collect())
}

pub fn get(conn: &mut Conn, id: i64) -> Result<MeetingWithTasks> {
    let found: Option<(Meeting, Option<String>)> = meetings::table
        .left_join(units::table)
        .filter(meetings::id.eq(id))
        .select((Meeting::as_select(), units::code.nullable()))
        .first(conn)
        .optional()?;
    let Some((meeting, organiser_unit)) = found else {
        return Err(StorageError::NotFound);
    };
    let ids: Vec<i64> = tasks::table
        .filter(tasks::meeting_id.eq(id))
        .order(tasks::id)
        .select(tasks::id)
        .load(conn)?;
    let tasks = conn.load_records(&ids)?;
    let documents = meeting_documents::table
        .filter(meeting_documents::meeting_id.eq(id))
        .order(meeting_documents::id)
        .select(DOCUMENT_COLUMNS)
        .load::<MeetingDocument>(conn)?;
    Ok(MeetingWithTasks {
        meeting,
        organiser_unit,
        tasks,
        documents,
    })
}

/// The meetings this account may read, each with the number of its tasks it may read.
pub fn list_for(conn: &mut Conn, account: &Account) -> Result<Vec<MeetingSummary>> {
    let viewer = Viewer::for_account(conn, account)?;
    let mut all = list(conn)?;
    let Some(condition) = viewer.meeting_sql() else {
        return Ok(all);
    };
    let visible: std::collections::HashSet<i64> = meetings::table
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&condition))
        .select(meetings::id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    all.retain(|m| visible.contains(&m.meeting.id));
    if let Some(tasks_condition) = viewer.task_sql() {
        let counts: std::collections::HashMap<Option<i64>, i64> = tasks::table
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                &tasks_condition,
            ))
            .group_by(tasks::meeting_id)
            .select((tasks::meeting_id, diesel::dsl::count_star()))
            .load::<(Option<i64>, i64)>(conn)?
            .into_iter()
            .collect();
        for m in &mut all {
            m.task_count = counts.get(&Some(m.meeting.id)).copied().unwrap_or(0);
        }
    }
    Ok(all)
}

/// A meeting with the tasks this account may read; `NotFound` if it may read none of it.
pub fn get_for(conn: &mut Conn, account: &Account, id: i64) -> Result<MeetingWithTasks> {
    let viewer = Viewer::for_account(conn, account)?;
    check_meeting(conn, &viewer, id)?;
    let mut m = get(conn, id)?;
    let ids: Vec<i64> = m.tasks.iter().map(|t| t.task.id).collect();
    let keep: std::collections::HashSet<i64> =
        visible_tasks(conn, &viewer, &ids)?.into_iter().collect();
    m.tasks.retain(|t| keep.contains(&t.task.id));
    Ok(m)
}

/// Records a meeting and the tasks its conclusion became, all or nothing.
/// Task references default to `<prefix>-<nn>` numbered in order; the prefix
/// defaults to `HOP<meeting id>`. `document`, already on disk, is linked to the meeting.
pub fn create_with_tasks(
    conn: &mut Conn,
    input: &MeetingInput,
    tasks_in: &[TaskInput],
    reference_prefix: Option<&str>,
    user_id: Option<i64>,
    document: Option<&StoredFile>,
) -> Result<i64> {
    write_tx(conn, |c| {
        let units = unit_ids_by_code(c)?;
        let organiser_unit_id = organiser_id(&units, input)?;
        let at = now();
        let meeting_id: i64 = diesel::insert_into(meetings::table)
            .values((
                meetings::title.eq(input.title.trim()),
                meetings::held_on.eq(input.held_on),
                meetings::chair.eq(input.chair.trim()),
                meetings::organiser_unit_id.eq(organiser_unit_id),
                meetings::document_ref.eq(input.document_ref.trim()),
                meetings::conclusion_text.eq(&input.conclusion_text),
                meetings::confidential.eq(input.confidential),
                meetings::created_by.eq(user_id),
                meetings::created_at.eq(at),
                meetings::updated_at.eq(at),
            ))
            .returning(meetings::id)
            .get_result(c)?;
        let prefix = reference_prefix
            .map(str::to_string)
            .unwrap_or_else(|| format!("HOP{meeting_id}"));
        let mut rows = Vec::with_capacity(tasks_in.len());
        for (i, t) in tasks_in.iter().enumerate() {
            let reference = t
                .reference
                .clone()
                .unwrap_or_else(|| format!("{prefix}-{:02}", i + 1));
            let row = NewTask::resolve(t, reference, &units, Some(meeting_id), user_id).map_err(
                |mut e| {
                    e.field = format!("tasks[{i}].{}", e.field);
                    e
                },
            )?;
            rows.push(row);
        }
        let refs: Vec<&str> = rows.iter().map(|(t, _)| t.reference.as_str()).collect();
        if let Some(taken) = task_ids_by_reference(c, &refs)?.keys().next() {
            return Err(StorageError::Conflict {
                field: format!("ref:{taken}"),
                key: "err-reference-taken",
            });
        }
        insert_tasks(c, &rows)?;
        if let Some(file) = document {
            diesel::insert_into(meeting_documents::table)
                .values((
                    meeting_documents::meeting_id.eq(meeting_id),
                    meeting_documents::file_name.eq(&file.name),
                    meeting_documents::file_path.eq(&file.path),
                    meeting_documents::file_size.eq(file.size),
                    meeting_documents::uploaded_by.eq(user_id),
                    meeting_documents::created_at.eq(at),
                ))
                .execute(c)?;
        }
        c.record_audit(&Entry {
            user_id,
            action: "meeting.create",
            entity: "meeting",
            entity_id: Some(meeting_id),
            task_id: None,
            details: serde_json::json!({
                "title": input.title,
                "tasks": rows.len(),
                "document": document.map(|d| &d.name),
                "confidential": input.confidential,
            })
            .to_string(),
        })?;
        Ok(meeting_id)
    })
}

/// The id of the meeting's organising unit, given by its code.
fn organiser_id(
    units: &std::collections::HashMap<String, i64>,
    input: &MeetingInput,
) -> Result<Option<i64>> {
    let Some(code) = &input.organiser_unit else {
        return Ok(None);
    };
    let id = units.get(code).ok_or_else(|| {
        StorageError::Invalid(Invalid::new("organiser_unit", "err-unknown-unit").arg("value", code))
    })?;
    Ok(Some(*id))
}

/// Changes a meeting's details (not its tasks).
pub fn update(conn: &mut Conn, id: i64, input: &MeetingInput, user_id: Option<i64>) -> Result<()> {
    write_tx(conn, |c| {
        let units = unit_ids_by_code(c)?;
        let organiser_unit_id = organiser_id(&units, input)?;
        let n = diesel::update(meetings::table.find(id))
            .set((
                meetings::title.eq(&input.title),
                meetings::held_on.eq(input.held_on),
                meetings::chair.eq(&input.chair),
                meetings::organiser_unit_id.eq(organiser_unit_id),
                meetings::document_ref.eq(&input.document_ref),
                meetings::conclusion_text.eq(&input.conclusion_text),
                // Its tasks follow: a task of a confidential meeting reads as confidential
                // (`visibility::CONFIDENTIAL`), whatever its own flag says.
                meetings::confidential.eq(input.confidential),
                meetings::updated_at.eq(now()),
            ))
            .execute(c)?;
        if n == 0 {
            return Err(StorageError::NotFound);
        }
        c.record_audit(&Entry {
            user_id,
            action: "meeting.update",
            entity: "meeting",
            entity_id: Some(id),
            task_id: None,
            details: serde_json::json!({
                "title": input.title,
                "held_on": input.held_on,
                "confidential": input.confidential,
            })
            .to_string(),
        })?;
        Ok(())
    })
}
