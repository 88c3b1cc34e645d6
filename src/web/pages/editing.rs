//! Officials' forms: meeting details, and tasks (add, change, cancel, confirm
//! done). A new meeting from its conclusion is `meeting_new.rs`.
//! A form that fails keeps everything typed and names each field at fault.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::forms::{codes_list, picked_codes, Form};
use super::frame::PageUser;
use super::frame::{field_errors, frame, redirect, render_with_status};
use super::meeting_new::MeetingDraft;
use super::task_page::{task_action, task_page_with_error};
use crate::domain::dates::parse_date;
use crate::domain::ids::{MeetingId, TaskId};
use crate::domain::meeting::MeetingInput;
use crate::domain::task::{check_reason, RawTask, TaskChange, TaskInput};
use crate::domain::Invalid;
use crate::i18n;
use crate::storage::{self, StorageError};
use crate::web::error::PageError;
use crate::web::session;
use crate::web::State;

/// A form's fields as sent, in order: the meeting forms, whose review table
/// numbers its fields (`content_0`, `lead_0`, …), read them as
/// [`MeetingDraft::read`] does for the new meeting's multipart form.
type Pairs = web::Form<Vec<(String, String)>>;

pub(super) async fn unit_options(state: &State) -> Result<Vec<(String, String)>, PageError> {
    let units = state.run(storage::units::list).await?;
    Ok(units
        .into_iter()
        .filter(|u| u.unit.active)
        .map(|u| (u.unit.code, u.unit.name))
        .collect())
}

// ---------------------------------------------------------------- meetings

async fn meeting_edit_form(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    id: i64,
    draft: &MeetingDraft,
    errors: &[Invalid],
) -> Result<HttpResponse, PageError> {
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("id", &id);
    ctx.insert("draft", draft);
    ctx.insert("units", &unit_options(state).await?);
    ctx.insert("errors", &field_errors(user.visitor.lang, errors));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with_status(state, "meeting_edit.html", &ctx, status)
}

pub async fn edit_meeting(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<MeetingId>,
) -> Result<HttpResponse, PageError> {
    let MeetingId(id) = id.into_inner();
    let m = state
        .run(move |conn| storage::meetings::get(conn, id))
        .await?;
    let draft = MeetingDraft {
        title: m.meeting.title,
        held_on: m.meeting.held_on.to_string(),
        chair: m.meeting.chair,
        organiser_unit: m.organiser_unit.unwrap_or_default(),
        document_ref: m.meeting.document_ref,
        conclusion_text: m.meeting.conclusion_text,
        confidential: m.meeting.confidential,
        ..Default::default()
    };
    meeting_edit_form(&state, &req, &user, id, &draft, &[]).await
}

pub async fn post_edit_meeting(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<MeetingId>,
    form: Pairs,
) -> Result<HttpResponse, PageError> {
    let MeetingId(id) = id.into_inner();
    let draft = MeetingDraft::read(&form.into_inner());
    let errors = match MeetingInput::parse(&draft.raw()) {
        Err(errors) => errors,
        Ok(input) => {
            let by = user.account.user.id;
            match state
                .run(move |conn| storage::meetings::update(conn, id, &input, Some(by)))
                .await
            {
                Ok(()) => {
                    session::flash(
                        &user.visitor.session,
                        "ok",
                        i18n::text(user.visitor.lang, "admin-saved"),
                    );
                    return Ok(redirect(&format!("/meetings/{id}")));
                }
                Err(e) => vec![super::frame::fixable(e)?],
            }
        }
    };
    meeting_edit_form(&state, &req, &user, id, &draft, &errors).await
}

// ---------------------------------------------------------------- tasks

#[derive(Debug, Clone, Default, Serialize)]
struct TaskDraft {
    content: String,
    lead_unit: String,
    coordinators: String,
    assigned_on: String,
    deadline: String,
    expected_output: String,
    version: String,
    /// "Mật": read only by officials, leaders in scope and its own units.
    confidential: bool,
}

/// The task form as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TaskForm {
    content: String,
    lead_unit: String,
    /// One value per ticked box, or codes typed in one field.
    coordinators: Vec<String>,
    assigned_on: String,
    deadline: String,
    expected_output: String,
    version: String,
    /// Ticked: any value.
    confidential: String,
}

impl TaskDraft {
    fn read(form: TaskForm) -> TaskDraft {
        TaskDraft {
            coordinators: picked_codes(&form.coordinators),
            content: form.content,
            lead_unit: form.lead_unit,
            assigned_on: form.assigned_on,
            deadline: form.deadline,
            expected_output: form.expected_output,
            version: form.version,
            confidential: !form.confidential.is_empty(),
        }
    }

    fn of(r: &storage::tasks::TaskRecord) -> TaskDraft {
        TaskDraft {
            content: r.task.content.clone(),
            lead_unit: r.lead_unit.clone().unwrap_or_default(),
            coordinators: r.coordinators.join(", "),
            assigned_on: r.task.assigned_on.to_string(),
            deadline: r.task.deadline.map(|d| d.to_string()).unwrap_or_default(),
            expected_output: r.task.expected_output.clone(),
            version: r.task.version.to_string(),
            confidential: r.task.confidential,
        }
    }

    fn input(&self, today: chrono::NaiveDate) -> Result<TaskInput, Vec<Invalid>> {
        let coordinators = codes_list(&self.coordinators);
        TaskInput::parse(
            &RawTask {
                content: &self.content,
                lead_unit: &self.lead_unit,
                coordinators: &coordinators,
                assigned_on: &self.assigned_on,
                deadline: &self.deadline,
                expected_output: &self.expected_output,
                ..Default::default()
            },
            crate::domain::task::Needs::FORM,
            today,
        )
    }
}

async fn task_form(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    task_id: Option<i64>,
    draft: &TaskDraft,
    errors: &[Invalid],
    conflict: Option<TaskDraft>,
) -> Result<HttpResponse, PageError> {
    // A task of a confidential meeting is confidential with it: the box is shown ticked and fixed.
    let by_meeting = match task_id {
        Some(id) => {
            state
                .run(move |conn| storage::visibility::confidential_by_meeting(conn, id))
                .await?
        }
        None => false,
    };
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("task_id", &task_id);
    ctx.insert("draft", draft);
    ctx.insert("confidential_by_meeting", &by_meeting);
    ctx.insert("units", &unit_options(state).await?);
    ctx.insert("errors", &field_errors(user.visitor.lang, errors));
    ctx.insert("conflict", &conflict);
    let status = match (&conflict, errors.is_empty()) {
        (Some(_), _) => StatusCode::CONFLICT,
        (None, false) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, true) => StatusCode::OK,
    };
    render_with_status(state, "task_form.html", &ctx, status)
}

pub async fn new_task(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    let draft = TaskDraft {
        assigned_on: state.config.today().to_string(),
        ..Default::default()
    };
    task_form(&state, &req, &user, None, &draft, &[], None).await
}

pub async fn post_new_task(
    state: State,
    req: HttpRequest,
    user: PageUser,
    form: Form<TaskForm>,
) -> Result<HttpResponse, PageError> {
    let draft = TaskDraft::read(form.into_inner());
    let today = state.config.today();
    let errors = match draft.input(today) {
        Err(errors) => errors,
        Ok(input) => {
            let (by, confidential) = (user.account.user.id, draft.confidential);
            match state
                .run(move |conn| {
                    storage::tasks::create_with(conn, &input, None, Some(by), confidential)
                })
                .await
            {
                Ok(record) => {
                    session::flash(
                        &user.visitor.session,
                        "ok",
                        i18n::text_with(
                            user.visitor.lang,
                            "task-created",
                            &[("reference", record.task.reference.clone())],
                        ),
                    );
                    return Ok(redirect(&format!("/tasks/{}", record.task.id)));
                }
                Err(e) => vec![super::frame::fixable(e)?],
            }
        }
    };
    task_form(&state, &req, &user, None, &draft, &errors, None).await
}

pub async fn edit_task(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<TaskId>,
) -> Result<HttpResponse, PageError> {
    let TaskId(id) = id.into_inner();
    let record = state.run(move |conn| storage::tasks::get(conn, id)).await?;
    if record.task.cancelled_on.is_some() {
        return Ok(redirect(&format!("/tasks/{id}")));
    }
    task_form(
        &state,
        &req,
        &user,
        Some(id),
        &TaskDraft::of(&record),
        &[],
        None,
    )
    .await
}

pub async fn post_edit_task(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<TaskId>,
    form: Form<TaskForm>,
) -> Result<HttpResponse, PageError> {
    let TaskId(id) = id.into_inner();
    let mut draft = TaskDraft::read(form.into_inner());
    let today = state.config.today();
    let Ok(version) = draft.version.trim().parse::<i32>() else {
        return task_form(
            &state,
            &req,
            &user,
            Some(id),
            &draft,
            &[Invalid::required("version")],
            None,
        )
        .await;
    };
    let input = match draft.input(today) {
        Ok(i) => i,
        Err(errors) => {
            return task_form(&state, &req, &user, Some(id), &draft, &errors, None).await
        }
    };
    let change = TaskChange {
        content: Some(input.content),
        lead_unit: Some(input.lead_unit),
        coordinators: Some(input.coordinators),
        assigned_on: Some(input.assigned_on),
        deadline: Some(input.deadline),
        expected_output: Some(input.expected_output),
    };
    let (by, confidential) = (user.account.user.id, draft.confidential);
    let result = state
        .run(move |conn| {
            match storage::tasks::update(conn, id, version, &change, today, Some(by)) {
                Err(StorageError::StaleVersion { .. }) => Ok(Err(storage::tasks::get(conn, id)?)),
                Err(e) => Err(e),
                Ok(record) => {
                    storage::visibility::change_task_confidential(
                        conn,
                        id,
                        confidential,
                        Some(by),
                    )?;
                    Ok(Ok(record))
                }
            }
        })
        .await;
    match result {
        Ok(Ok(_)) => {
            session::flash(
                &user.visitor.session,
                "ok",
                i18n::text(user.visitor.lang, "admin-saved"),
            );
            Ok(redirect(&format!("/tasks/{id}")))
        }
        // Someone saved first: show both versions; what was typed stays in the form,
        // now against the current version so that sending it again overwrites knowingly.
        Ok(Err(current)) => {
            let theirs = TaskDraft::of(&current);
            draft.version = theirs.version.clone();
            task_form(&state, &req, &user, Some(id), &draft, &[], Some(theirs)).await
        }
        Err(e) => {
            let errors = vec![super::frame::fixable(e)?];
            task_form(&state, &req, &user, Some(id), &draft, &errors, None).await
        }
    }
}

/// Cancelling a task: why, and the version the official saw.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CancelForm {
    reason: String,
    version: String,
}

pub async fn cancel_task(
    state: State,
    req: HttpRequest,
    user: PageUser,
    task: web::Path<TaskId>,
    form: Form<CancelForm>,
) -> Result<HttpResponse, PageError> {
    let task = task.into_inner();
    let TaskId(id) = task;
    let CancelForm {
        reason: typed,
        version,
    } = form.into_inner();
    let version = version.parse::<i32>().ok();
    let reason = match check_reason("reason", &typed) {
        Ok(r) => r,
        Err(e) => {
            return task_page_with_error(&state, &req, &user, task, e, ("reason", &typed)).await
        }
    };
    let (today, by) = (state.config.today(), user.account.user.id);
    task_action(
        &state,
        &req,
        &user,
        task,
        move |conn| storage::tasks::cancel(conn, id, version, &reason, today, Some(by)),
        "task-cancelled",
        &[("reason", &typed)],
    )
    .await
}

/// Confirming a task done: on which day (today when blank), and the version seen.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CompleteForm {
    completed_on: String,
    version: String,
}

pub async fn complete_task(
    state: State,
    req: HttpRequest,
    user: PageUser,
    task: web::Path<TaskId>,
    form: Form<CompleteForm>,
) -> Result<HttpResponse, PageError> {
    let task = task.into_inner();
    let TaskId(id) = task;
    let CompleteForm {
        completed_on: typed,
        version,
    } = form.into_inner();
    let version = version.parse::<i32>().ok();
    let today = state.config.today();
    let on = if typed.trim().is_empty() {
        today
    } else {
        match parse_date(&typed) {
            Ok(d) => d,
            Err(_) => {
                return task_page_with_error(
                    &state,
                    &req,
                    &user,
                    task,
                    Invalid::bad_date("completed_on", &typed),
                    ("completed_on", &typed),
                )
                .await
            }
        }
    };
    let by = user.account.user.id;
    task_action(
        &state,
        &req,
        &user,
        task,
        move |conn| storage::progress::complete(conn, id, version, on, today, Some(by)),
        "task-completed",
        &[("completed_on", &typed)],
    )
    .await
}
