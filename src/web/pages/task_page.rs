//! The task page (`/tasks/{id}`): the task, its meeting, its history, the
//! work of its units, and the actions the reader may take; the same page again
//! after an action, with its errors and what was typed. Also a task as one
//! line of a list ([`TaskLine`]), shared by every list of tasks.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

use super::frame::PageUser;
use super::frame::{field_errors, frame, redirect, render, render_with_status};
use crate::domain::ids::TaskId;
use crate::domain::inbox::Stage;
use crate::domain::progress::{Decision, Review};
use crate::domain::Invalid;
use crate::domain::State as TaskState;
use crate::domain::Status;
use crate::i18n;
use crate::storage::tasks::TaskRecord;
use crate::storage::{self};
use crate::web::error::PageError;
use crate::web::session;
use crate::web::State;

#[derive(Debug, Serialize)]
pub struct TaskLine {
    id: i64,
    reference: String,
    content: String,
    /// `None`: shown as "chưa giao".
    lead_unit: Option<String>,
    coordinators: Vec<String>,
    assigned_on: NaiveDate,
    deadline: Option<NaiveDate>,
    original_deadline: Option<NaiveDate>,
    completed_on: Option<NaiveDate>,
    state: &'static str,
    status: Option<&'static str>,
    /// Days until the deadline while open and in time.
    days_left: Option<i64>,
    /// Days past the deadline while open and overdue.
    days_overdue: Option<i64>,
    percent: i32,
    /// "Mật", by its own flag or its meeting's: shown with a badge.
    confidential: bool,
}

impl TaskLine {
    pub fn new(r: TaskRecord, as_of: NaiveDate) -> TaskLine {
        let dates = r.task.dates();
        let status = dates.status_as_of(as_of);
        TaskLine {
            id: r.task.id,
            reference: r.task.reference,
            content: r.task.content,
            lead_unit: r.lead_unit,
            coordinators: r.coordinators,
            assigned_on: r.task.assigned_on,
            deadline: r.task.deadline,
            original_deadline: r.task.original_deadline,
            completed_on: r.task.completed_on,
            state: dates.state().code(),
            days_left: status
                .filter(|s| *s == Status::InProgress)
                .and_then(|_| dates.days_left(as_of)),
            days_overdue: status
                .filter(|s| *s == Status::Overdue)
                .and_then(|_| dates.days_left(as_of))
                .map(|d| -d),
            status: status.map(Status::code),
            percent: r.task.percent,
            confidential: r.task.confidential,
        }
    }
}

#[derive(Debug, Serialize)]
struct HistoryLine {
    at: String,
    user: Option<String>,
    action: String,
    /// What changed, one line a field: "Thời hạn: 31/12/2022 → 31/01/2023".
    changes: Vec<String>,
}

pub async fn task(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<TaskId>,
) -> Result<HttpResponse, PageError> {
    let ctx = task_context(&state, &req, &user, id.into_inner()).await?;
    render(&state, "task.html", &ctx)
}

/// What the task page shows: the task, its meeting, its history, and the
/// actions the user may take on it.
pub(super) async fn task_context(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    TaskId(id): TaskId,
) -> Result<tera::Context, PageError> {
    let today = state.config.today();
    let tz = state.config.tz;
    let account = user.account.clone();
    let lang = user.visitor.lang;
    let (record, history, meeting, stages, units, people) = state
        .run(move |conn| {
            let record = storage::tasks::get_for(conn, &account, id)?;
            let filter = storage::audit::AuditFilter {
                task_id: Some(id),
                ..Default::default()
            };
            let history = storage::audit::list(conn, &filter, 200)?;
            let meeting = match record.task.meeting_id {
                Some(m) => Some(storage::meetings::get(conn, m)?.meeting),
                None => None,
            };
            let open = record.task.dates().state() == TaskState::Open;
            let stages = storage::inbox::stages(conn, id, open)?;
            let units = storage::units::list(conn)?;
            let people = storage::users::names_by_email(conn)?;
            Ok((record, history, meeting, stages, units, people))
        })
        .await?;
    let mut ctx = frame(&user.visitor, req);
    let task_state = record.task.dates().state();
    ctx.insert(
        "may_edit",
        &(task_state != TaskState::Cancelled && user.may(crate::domain::Action::EditTasks)),
    );
    ctx.insert(
        "may_complete",
        &(task_state == TaskState::Open && user.may(crate::domain::Action::ConfirmCompletion)),
    );
    ctx.insert("version", &record.task.version);
    ctx.insert("stages", &stages);
    let unit_names: HashMap<String, String> = units
        .into_iter()
        .map(|u| (u.unit.code, u.unit.name))
        .collect();
    ctx.insert("unit_names", &unit_names);
    ctx.insert(
        "completion_waiting",
        &stages.iter().find_map(|s| match s {
            Stage::CompletionWaiting {
                report_id,
                completed_on,
                proposed_on,
            } => Some((report_id, completed_on.unwrap_or(*proposed_on))),
            _ => None,
        }),
    );
    ctx.insert(
        "extension_waiting",
        &stages.iter().find_map(|s| match s {
            Stage::ExtensionWaiting {
                extension_id,
                new_deadline,
            } => Some((extension_id, new_deadline)),
            _ => None,
        }),
    );
    ctx.insert("today", &today);
    ctx.insert("typed", &HashMap::<String, String>::new());
    ctx.insert("expected_output", &record.task.expected_output);
    ctx.insert("cancel_reason", &record.task.cancel_reason);
    ctx.insert("cancelled_on", &record.task.cancelled_on);
    work_context(state, user, &record, &mut ctx).await?;
    ctx.insert("task", &TaskLine::new(record, today));
    ctx.insert("meeting", &meeting.map(|m| (m.id, m.title)));
    ctx.insert(
        "history",
        &history
            .into_iter()
            .map(|h| HistoryLine {
                at: super::frame::local_time(tz, h.at),
                user: h.user_email.map(|e| people.get(&e).cloned().unwrap_or(e)),
                changes: super::history::describe_details(lang, &h.action, &h.details, &unit_names),
                action: h.action,
            })
            .collect::<Vec<_>>(),
    );
    Ok(ctx)
}

/// What the task page shows of the work: reports, requests, and what the user may do.
pub(super) async fn work_context(
    state: &State,
    user: &PageUser,
    task: &storage::tasks::TaskRecord,
    ctx: &mut tera::Context,
) -> Result<(), PageError> {
    let id = task.task.id;
    let (reports, extensions) = state
        .run(move |conn| {
            Ok((
                storage::progress::reports(conn, id)?,
                storage::progress::extensions(conn, id)?,
            ))
        })
        .await?;
    let open = task.task.dates().state() == TaskState::Open;
    let part = user.account.unit_code.as_deref().and_then(|u| {
        crate::domain::progress::unit_part(u, task.lead_unit.as_deref(), &task.coordinators)
    });
    let may_report = open && part.is_some() && user.may(crate::domain::Action::ReportProgress);
    let pending_extension = extensions.iter().any(|e| e.state == Decision::Pending);
    let may_extend = open
        && part == Some(crate::domain::progress::UnitPart::Lead)
        && task.task.deadline.is_some()
        && !pending_extension
        && user.may(crate::domain::Action::RequestExtension);
    // One proposal waits at a time: the unit reports, but does not propose again.
    let proposal_waits = reports
        .iter()
        .any(|r| r.stored.review_state == Some(Review::Pending));
    ctx.insert("may_propose", &(may_report && !proposal_waits));
    ctx.insert("may_report", &may_report);
    ctx.insert("may_extend", &may_extend);
    ctx.insert(
        "may_decide",
        &(open && user.may(crate::domain::Action::DecideExtensions)),
    );
    ctx.insert(
        "may_review",
        &(open && user.may(crate::domain::Action::ConfirmCompletion)),
    );
    let view: Vec<HashMap<&str, serde_json::Value>> = reports
        .iter()
        .map(|report| {
            let r = &report.stored;
            HashMap::from([
                ("id", r.id.into()),
                ("unit", r.unit.clone().into()),
                ("by", r.user_name.clone().into()),
                ("on", r.reported_on.to_string().into()),
                ("percent", r.percent.into()),
                ("note", r.note.clone().into()),
                ("proposal", r.proposes_completion.into()),
                (
                    "completed_on",
                    r.proposed_completed_on.map(|d| d.to_string()).into(),
                ),
                ("state", r.review_state.map(Review::code).into()),
                ("review_note", r.review_note.clone().into()),
                ("attachment", r.attachment_name.clone().into()),
                ("coordinator", report.by_coordinator.into()),
            ])
        })
        .collect();
    ctx.insert("reports", &view);
    let exts: Vec<HashMap<&str, serde_json::Value>> = extensions
        .iter()
        .map(|e| {
            HashMap::from([
                ("id", e.id.into()),
                ("unit", e.unit.clone().into()),
                ("from", e.current_deadline.map(|d| d.to_string()).into()),
                ("to", e.new_deadline.to_string().into()),
                ("reason", e.reason.clone().into()),
                ("state", e.state.code().into()),
                ("note", e.decision_note.clone().into()),
            ])
        })
        .collect();
    ctx.insert("extensions", &exts);
    // The office, and the lead unit, see who holds a live report link and may end it.
    let may_revoke = user.may(crate::domain::Action::RevokeReportLinks)
        && (user.role() == crate::domain::Role::Official
            || part == Some(crate::domain::progress::UnitPart::Lead));
    let links = if may_revoke {
        state
            .run(move |conn| storage::report_links::live_for_task(conn, id))
            .await?
    } else {
        Vec::new()
    };
    let tz = state.config.tz;
    let local = |at| super::frame::local_time(tz, at);
    let links: Vec<HashMap<&str, serde_json::Value>> = links
        .into_iter()
        .map(|l| {
            HashMap::from([
                ("id", l.id.into()),
                ("unit", l.unit.into()),
                ("unit_name", l.unit_name.into()),
                ("sent", local(l.created_at).into()),
                ("expires", local(l.expires_at).into()),
            ])
        })
        .collect();
    ctx.insert("may_revoke_links", &may_revoke);
    ctx.insert("report_links", &links);
    Ok(())
}

/// The task page again with an action's error and what was typed.
pub(super) async fn task_page_with_error(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    id: TaskId,
    error: Invalid,
    typed: (&str, &str),
) -> Result<HttpResponse, PageError> {
    task_page_with_errors(state, req, user, id, &[error], &[typed]).await
}

/// A change to a task (`act`) and the end of it: back to the task with a
/// message, or the task page again with the user's error and what was typed.
pub(super) async fn task_action<T: Send + 'static>(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    task_id: TaskId,
    act: impl FnOnce(&mut storage::Conn) -> storage::Result<T> + Send + 'static,
    done_key: &str,
    typed: &[(&str, &str)],
) -> Result<HttpResponse, PageError> {
    match state.run(act).await {
        Ok(_) => {
            session::flash(
                &user.visitor.session,
                "ok",
                i18n::text(user.visitor.lang, done_key),
            );
            // A decision taken from the inbox goes back there (`?next=/inbox`).
            let next = url::form_urlencoded::parse(req.query_string().as_bytes())
                .find(|(k, _)| k == "next")
                .map(|(_, v)| super::frame::safe_next(Some(&v)));
            Ok(redirect(
                &next.unwrap_or_else(|| format!("/tasks/{task_id}")),
            ))
        }
        Err(e) => {
            task_page_with_errors(
                state,
                req,
                user,
                task_id,
                &[super::frame::fixable(e)?],
                typed,
            )
            .await
        }
    }
}

/// The task page again with a form's errors and everything typed in it.
pub(super) async fn task_page_with_errors(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    id: TaskId,
    errors: &[Invalid],
    typed: &[(&str, &str)],
) -> Result<HttpResponse, PageError> {
    let mut ctx = task_context(state, req, user, id).await?;
    ctx.insert("errors", &field_errors(user.visitor.lang, errors));
    let typed: HashMap<String, String> = typed
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ctx.insert("typed", &typed);
    render_with_status(state, "task.html", &ctx, StatusCode::UNPROCESSABLE_ENTITY)
}
