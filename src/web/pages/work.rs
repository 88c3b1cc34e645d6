//! Units at work on the task page: progress reports with attachments,
//! proposals of completion and the office's answer, extension requests and
//! their decision; and the attachments themselves.

use actix_multipart::form::{tempfile::TempFile, text::Text, MultipartForm};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::HashMap;
use std::io::Read;

use super::editing::{after_task_action, task_page_with_errors};
use super::redirect;
use crate::domain::attachment;
use crate::domain::progress::{ExtensionInput, RawReport, ReportInput};
use crate::domain::task::check_reason;
use crate::domain::Invalid;
use crate::i18n;
use crate::storage;
use crate::web::api::progress::mail_maker;
use crate::web::error::PageError;
use crate::web::session::{self, PageUser};
use crate::web::State;

/// The most a request may upload before it is cut off; a file over
/// [`attachment::MAX_BYTES`] is refused with a message, the form kept.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

#[derive(Debug, MultipartForm)]
pub struct ReportForm {
    percent: Option<Text<String>>,
    note: Option<Text<String>>,
    proposes_completion: Option<Text<String>>,
    completed_on: Option<Text<String>>,
    #[multipart(limit = "64MB")]
    attachment: Option<TempFile>,
}

fn text(t: &Option<Text<String>>) -> String {
    t.as_ref().map(|t| t.0.clone()).unwrap_or_default()
}

/// Reads an uploaded file and checks it; `None` when no file was chosen.
fn read_upload(file: &mut TempFile) -> Result<Option<(String, Vec<u8>)>, Invalid> {
    let name = file.file_name.clone().unwrap_or_default();
    if name.is_empty() && file.size == 0 {
        return Ok(None);
    }
    let mut head = vec![0u8; file.size.min(512)];
    let f = file.file.as_file_mut();
    f.read_exact(&mut head)
        .map_err(|_| Invalid::new("attachment", "err-file-empty"))?;
    attachment::check("attachment", &name, file.size, &head)?;
    let mut bytes = head;
    f.read_to_end(&mut bytes)
        .map_err(|_| Invalid::new("attachment", "err-file-empty"))?;
    Ok(Some((name, bytes)))
}

/// The form is taken as a `Result` so that a broken upload is answered on
/// the page, after the permission check.
pub async fn add_report(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
    form: Result<MultipartForm<ReportForm>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let Ok(form) = form else {
        return task_page_with_errors(
            &state,
            &req,
            &user,
            id,
            &[Invalid::new("attachment", "err-file-too-big")
                .arg("max", attachment::MAX_BYTES / (1024 * 1024))],
            &[],
        )
        .await;
    };
    let mut form = form.into_inner();
    let (percent, note, completed_on) = (
        text(&form.percent),
        text(&form.note),
        text(&form.completed_on),
    );
    let proposes = form.proposes_completion.is_some();
    let typed = [
        ("percent", percent.as_str()),
        ("note", note.as_str()),
        ("completed_on", completed_on.as_str()),
        ("proposes_completion", if proposes { "1" } else { "" }),
    ];
    let today = state.config.today();
    let assigned_on = {
        let st = state.clone().into_inner();
        st.run(move |conn| Ok(storage::tasks::get(conn, id)?.task.assigned_on))
            .await?
    };
    let mut errors = Vec::new();
    let input = ReportInput::parse(
        &RawReport {
            percent: &percent,
            note: &note,
            proposes_completion: proposes,
            completed_on: &completed_on,
        },
        assigned_on,
        today,
    )
    .map_err(|e| errors.extend(e))
    .ok();
    let upload = match form.attachment.as_mut().map(read_upload).transpose() {
        Ok(u) => u.flatten(),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let Some(input) = input.filter(|_| errors.is_empty()) else {
        return task_page_with_errors(&state, &req, &user, id, &errors, &typed).await;
    };
    let files_dir = state.config.files_dir.clone();
    let stored = match upload {
        Some((name, bytes)) => match storage::files::save(&files_dir, &name, &bytes, today) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!("{e}");
                return Err(PageError::Internal);
            }
        },
        None => None,
    };
    let account = user.account.clone();
    let st = state.clone().into_inner();
    let maker_state = st.clone();
    let saved = stored.clone();
    let result = st
        .run(move |conn| {
            storage::progress::add_report(
                conn,
                id,
                &account,
                &input,
                saved.as_ref(),
                today,
                &mail_maker(&maker_state),
            )
        })
        .await;
    match result {
        Ok(_) => {
            let key = if proposes {
                "report-proposed"
            } else {
                "report-saved"
            };
            session::flash(
                &user.visitor.session,
                "ok",
                i18n::text(user.visitor.lang, key),
            );
            Ok(redirect(&format!("/tasks/{id}")))
        }
        Err(e) => {
            if let Some(s) = &stored {
                storage::files::discard(&files_dir, s);
            }
            let error = super::fixable(e)?;
            task_page_with_errors(&state, &req, &user, id, &[error], &typed).await
        }
    }
}

type Pairs = web::Form<Vec<(String, String)>>;

fn field(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

pub async fn return_proposal(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
    form: Pairs,
) -> Result<HttpResponse, PageError> {
    let report_id = id.into_inner();
    let typed = field(&form, "return_reason");
    let st = state.clone().into_inner();
    let report = st
        .run(move |conn| storage::progress::report(conn, report_id))
        .await?;
    let task_id = report.task_id;
    let reason = match check_reason("return_reason", &typed) {
        Ok(r) => r,
        Err(e) => {
            return task_page_with_errors(
                &state,
                &req,
                &user,
                task_id,
                &[e],
                &[("return_reason", &typed)],
            )
            .await
        }
    };
    let by = user.account.user.id;
    let maker_state = st.clone();
    let result = st
        .run(move |conn| {
            storage::progress::return_proposal(
                conn,
                report_id,
                &reason,
                by,
                &mail_maker(&maker_state),
            )
        })
        .await;
    after_task_action(
        &state,
        &req,
        &user,
        task_id,
        result,
        "report-returned",
        &[("return_reason", &typed)],
    )
    .await
}

pub async fn request_extension(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
    form: Pairs,
) -> Result<HttpResponse, PageError> {
    let task_id = id.into_inner();
    let (new_deadline, reason) = (
        field(&form, "new_deadline"),
        field(&form, "extension_reason"),
    );
    let typed = [
        ("new_deadline", new_deadline.as_str()),
        ("extension_reason", reason.as_str()),
    ];
    let st = state.clone().into_inner();
    let deadline = st
        .run(move |conn| Ok(storage::tasks::get(conn, task_id)?.task.deadline))
        .await?;
    let input = match ExtensionInput::parse(&new_deadline, &reason, deadline) {
        Ok(i) => i,
        Err(errors) => {
            let errors: Vec<Invalid> = errors
                .into_iter()
                .map(|mut e| {
                    if e.field == "reason" {
                        e.field = "extension_reason".into();
                    }
                    e
                })
                .collect();
            return task_page_with_errors(&state, &req, &user, task_id, &errors, &typed).await;
        }
    };
    let account = user.account.clone();
    let maker_state = st.clone();
    let result = st
        .run(move |conn| {
            storage::progress::request_extension(
                conn,
                task_id,
                &account,
                &input,
                &mail_maker(&maker_state),
            )
        })
        .await;
    after_task_action(
        &state,
        &req,
        &user,
        task_id,
        result,
        "extension-requested",
        &typed,
    )
    .await
}

async fn decide(
    state: State,
    req: HttpRequest,
    user: PageUser,
    ext_id: i64,
    approve: bool,
    form: Pairs,
) -> Result<HttpResponse, PageError> {
    let typed = field(&form, "decision_note");
    let st = state.clone().into_inner();
    let task_id: i64 = st
        .run(move |conn| {
            let all = storage::progress::extension_task(conn, ext_id)?;
            Ok(all)
        })
        .await?;
    let note = if approve {
        typed.trim().to_string()
    } else {
        match check_reason("decision_note", &typed) {
            Ok(r) => r,
            Err(e) => {
                return task_page_with_errors(
                    &state,
                    &req,
                    &user,
                    task_id,
                    &[e],
                    &[("decision_note", &typed)],
                )
                .await
            }
        }
    };
    let by = user.account.user.id;
    let maker_state = st.clone();
    let result = st
        .run(move |conn| {
            storage::progress::decide_extension(
                conn,
                ext_id,
                approve,
                &note,
                by,
                &mail_maker(&maker_state),
            )
        })
        .await;
    after_task_action(
        &state,
        &req,
        &user,
        task_id,
        result,
        if approve {
            "extension-approved"
        } else {
            "extension-rejected"
        },
        &[("decision_note", &typed)],
    )
    .await
}

pub async fn approve_extension(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
    form: Pairs,
) -> Result<HttpResponse, PageError> {
    decide(state, req, user, id.into_inner(), true, form).await
}

pub async fn reject_extension(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
    form: Pairs,
) -> Result<HttpResponse, PageError> {
    decide(state, req, user, id.into_inner(), false, form).await
}

/// An attachment, to users who may see its task (every signed-in user may read tasks).
pub async fn attachment(
    state: State,
    _user: PageUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let report_id = id.into_inner();
    let report = state
        .clone()
        .into_inner()
        .run(move |conn| storage::progress::report(conn, report_id))
        .await?;
    let (Some(name), Some(path)) = (report.attachment_name, report.attachment_path) else {
        return Err(PageError::NotFound);
    };
    let full =
        storage::files::resolve(&state.config.files_dir, &path).ok_or(PageError::NotFound)?;
    let bytes = web::block(move || std::fs::read(full))
        .await?
        .map_err(|_| PageError::NotFound)?;
    let kind = name
        .rsplit_once('.')
        .and_then(|(_, _)| {
            attachment::check(
                "attachment",
                &name,
                bytes.len().max(1),
                &bytes[..bytes.len().min(512)],
            )
            .ok()
        })
        .map(attachment::Kind::content_type)
        .unwrap_or("application/octet-stream");
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    Ok(HttpResponse::Ok()
        .content_type(kind)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename*=UTF-8''{encoded}"),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
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
        .clone()
        .into_inner()
        .run(move |conn| {
            Ok((
                storage::progress::reports(conn, id)?,
                storage::progress::extensions(conn, id)?,
            ))
        })
        .await?;
    let open = task.task.cancelled_on.is_none() && task.task.completed_on.is_none();
    let part =
        user.account.unit_code.as_deref().and_then(|u| {
            crate::domain::progress::unit_part(u, &task.lead_unit, &task.coordinators)
        });
    let may_report = open && part.is_some() && user.may(crate::domain::Action::ReportProgress);
    let pending_extension = extensions
        .iter()
        .any(|e| e.state == storage::progress::PENDING);
    let may_extend = open
        && part == Some(crate::domain::progress::UnitPart::Lead)
        && task.task.deadline.is_some()
        && !pending_extension
        && user.may(crate::domain::Action::RequestExtension);
    // One proposal waits at a time: the unit reports, but does not propose again.
    let proposal_waits = reports
        .iter()
        .any(|r| r.review_state.as_deref() == Some(storage::progress::PENDING));
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
        .map(|r| {
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
                ("state", r.review_state.clone().into()),
                ("review_note", r.review_note.clone().into()),
                ("attachment", r.attachment_name.clone().into()),
                ("coordinator", r.by_coordinator.into()),
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
                ("state", e.state.clone().into()),
                ("note", e.decision_note.clone().into()),
            ])
        })
        .collect();
    ctx.insert("extensions", &exts);
    Ok(())
}

/// The task and unit a signed report link grants, or the reason it does not.
async fn link_grant(
    state: &State,
    task_id: i64,
    token: &str,
) -> Result<(storage::tasks::TaskRecord, String), &'static str> {
    let link = crate::mail::link::verify(&state.secret_key, token, chrono::Utc::now()).map_err(
        |e| match e {
            crate::mail::link::LinkError::Expired => "link-expired",
            _ => "link-invalid",
        },
    )?;
    if link.task_id != task_id {
        return Err("link-invalid");
    }
    let unit_id = link.unit_id;
    state
        .clone()
        .into_inner()
        .run(move |conn| {
            let task = storage::tasks::get(conn, task_id)?;
            let unit = storage::units::list(conn)?
                .into_iter()
                .find(|u| u.unit.id == unit_id)
                .map(|u| u.unit.code)
                .ok_or(storage::StorageError::NotFound)?;
            Ok((task, unit))
        })
        .await
        .map_err(|_| "link-invalid")
}

#[derive(Debug, serde::Deserialize)]
pub struct LinkQuery {
    #[serde(default)]
    t: String,
}

#[allow(clippy::too_many_arguments)]
async fn link_page(
    state: &State,
    req: &HttpRequest,
    visitor: &session::Visitor,
    task_id: i64,
    token: &str,
    errors: &[Invalid],
    typed: &[(&str, &str)],
    done: bool,
) -> Result<HttpResponse, PageError> {
    let mut ctx = super::frame(visitor, req);
    let status = match link_grant(state, task_id, token).await {
        Ok((task, unit)) => {
            ctx.insert(
                "task",
                &super::browse::TaskLine::new(task, state.config.today()),
            );
            ctx.insert("unit", &unit);
            ctx.insert("token", token);
            if errors.is_empty() {
                actix_web::http::StatusCode::OK
            } else {
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
            }
        }
        Err(key) => {
            // Like a bad token: the credential (the link) is missing or no good.
            ctx.insert("link_error", key);
            actix_web::http::StatusCode::UNAUTHORIZED
        }
    };
    ctx.insert("errors", &super::field_errors(visitor.lang, errors));
    let typed: HashMap<String, String> = typed
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ctx.insert("typed", &typed);
    ctx.insert("done", &done);
    super::render_with_status(state, "report_link.html", &ctx, status)
}

/// The report form a reminder links to: no password, for one task and one unit, until the link expires.
pub async fn link_form(
    state: State,
    req: HttpRequest,
    visitor: session::Visitor,
    id: web::Path<i64>,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, PageError> {
    link_page(
        &state,
        &req,
        &visitor,
        id.into_inner(),
        &query.t,
        &[],
        &[],
        false,
    )
    .await
}

/// The report a signed link sends: a multipart form with an optional
/// attachment (the page's own form), or a plain form without one.
pub async fn link_report(
    state: State,
    req: HttpRequest,
    visitor: session::Visitor,
    id: web::Path<i64>,
    query: web::Query<LinkQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    use actix_web::FromRequest;
    let task_id = id.into_inner();
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut payload = payload.into_inner();
    let mut upload_error = None;
    let (percent, note, completed_on, proposes, mut file) = if multipart {
        match MultipartForm::<ReportForm>::from_request(&req, &mut payload).await {
            Ok(form) => {
                let f = form.into_inner();
                (
                    text(&f.percent),
                    text(&f.note),
                    text(&f.completed_on),
                    f.proposes_completion.is_some(),
                    f.attachment,
                )
            }
            Err(_) => {
                upload_error = Some(
                    Invalid::new("attachment", "err-file-too-big")
                        .arg("max", attachment::MAX_BYTES / (1024 * 1024)),
                );
                (String::new(), String::new(), String::new(), false, None)
            }
        }
    } else {
        // A body that is no form reads as an empty one: its fields are named as missing.
        let form = Pairs::from_request(&req, &mut payload)
            .await
            .map(|f| f.into_inner())
            .unwrap_or_default();
        (
            field(&form, "percent"),
            field(&form, "note"),
            field(&form, "completed_on"),
            !field(&form, "proposes_completion").is_empty(),
            None,
        )
    };
    let typed = [
        ("percent", percent.as_str()),
        ("note", note.as_str()),
        ("completed_on", completed_on.as_str()),
        ("proposes_completion", if proposes { "1" } else { "" }),
    ];
    let Ok((task, unit)) = link_grant(&state, task_id, &query.t).await else {
        return link_page(
            &state,
            &req,
            &visitor,
            task_id,
            &query.t,
            &[],
            &typed,
            false,
        )
        .await;
    };
    let today = state.config.today();
    let mut errors: Vec<Invalid> = upload_error.into_iter().collect();
    let input = ReportInput::parse(
        &RawReport {
            percent: &percent,
            note: &note,
            proposes_completion: proposes,
            completed_on: &completed_on,
        },
        task.task.assigned_on,
        today,
    )
    .map_err(|e| errors.extend(e))
    .ok();
    let upload = match file.as_mut().map(read_upload).transpose() {
        Ok(u) => u.flatten(),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let Some(input) = input.filter(|_| errors.is_empty()) else {
        return link_page(
            &state, &req, &visitor, task_id, &query.t, &errors, &typed, false,
        )
        .await;
    };
    let files_dir = state.config.files_dir.clone();
    let stored = match upload {
        Some((name, bytes)) => match storage::files::save(&files_dir, &name, &bytes, today) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!("{e}");
                return Err(PageError::Internal);
            }
        },
        None => None,
    };
    let saved = stored.clone();
    let st = state.clone().into_inner();
    let maker_state = st.clone();
    match st
        .run(move |conn| {
            storage::progress::add_report_as(
                conn,
                task_id,
                None,
                &unit,
                &input,
                saved.as_ref(),
                today,
                &mail_maker(&maker_state),
            )
        })
        .await
    {
        Ok(_) => link_page(&state, &req, &visitor, task_id, &query.t, &[], &[], true).await,
        Err(e) => {
            if let Some(s) = &stored {
                storage::files::discard(&files_dir, s);
            }
            let error = super::fixable(e)?;
            link_page(
                &state,
                &req,
                &visitor,
                task_id,
                &query.t,
                &[error],
                &typed,
                false,
            )
            .await
        }
    }
}
