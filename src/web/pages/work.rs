//! Units at work on the task page: progress reports with attachments,
//! proposals of completion and the office's answer, extension requests and
//! their decision; and the attachments themselves.

use actix_multipart::form::{tempfile::TempFile, text::Text, MultipartForm};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Read;

use super::frame::redirect;
use super::frame::PageUser;
use super::task_page::{task_action, task_page_with_errors};
use crate::domain::attachment;
use crate::domain::ids::{ExtensionId, ReportId, TaskId};
use crate::domain::progress::{ExtensionInput, RawReport, ReportInput};
use crate::domain::task::check_reason;
use crate::domain::Invalid;
use crate::i18n;
use crate::mail;
use crate::storage;
use crate::web::error::PageError;
use crate::web::session;
use crate::web::State;

#[derive(Debug, MultipartForm)]
pub struct ReportForm {
    percent: Option<Text<String>>,
    note: Option<Text<String>>,
    proposes_completion: Option<Text<String>>,
    completed_on: Option<Text<String>>,
    #[multipart(limit = "64MB")]
    attachment: Option<TempFile>,
    /// A photo taken with a phone's camera (`capture`): the report's file when
    /// no other file is attached.
    #[multipart(limit = "64MB")]
    photo: Option<TempFile>,
}

fn text(t: &Option<Text<String>>) -> String {
    t.as_ref().map(|t| t.0.clone()).unwrap_or_default()
}

/// Reads an uploaded file and checks it; `None` when no file was chosen.
fn read_upload(file: &mut TempFile, field: &str) -> Result<Upload, Invalid> {
    let name = file.file_name.clone().unwrap_or_default();
    if name.is_empty() && file.size == 0 {
        return Ok(None);
    }
    let mut head = vec![0u8; file.size.min(512)];
    let f = file.file.as_file_mut();
    f.read_exact(&mut head)
        .map_err(|_| Invalid::new(field, "err-file-empty"))?;
    attachment::check(field, &name, file.size, &head)?;
    let mut bytes = head;
    f.read_to_end(&mut bytes)
        .map_err(|_| Invalid::new(field, "err-file-empty"))?;
    Ok(Some((name, bytes)))
}

/// A checked file: its name as sent and its bytes.
type Upload = Option<(String, Vec<u8>)>;

/// A report form as sent, from the task page or from a signed link.
struct SentReport {
    percent: String,
    note: String,
    completed_on: String,
    proposes: bool,
    /// The one file of the report (attached or photographed), checked.
    upload: Result<Upload, Invalid>,
}

impl SentReport {
    fn read(form: ReportForm) -> SentReport {
        let mut form = form;
        let attached = form
            .attachment
            .as_mut()
            .map(|f| read_upload(f, "attachment"))
            .transpose()
            .map(Option::flatten);
        let photo = form
            .photo
            .as_mut()
            .map(|f| read_upload(f, "photo"))
            .transpose()
            .map(Option::flatten);
        // A report keeps one file.
        let upload = match (attached, photo) {
            (Err(e), _) | (_, Err(e)) => Err(e),
            (Ok(Some(_)), Ok(Some(_))) => Err(Invalid::new("photo", "phone-err-one-file")),
            (Ok(a), Ok(p)) => Ok(a.or(p)),
        };
        SentReport {
            percent: text(&form.percent),
            note: text(&form.note),
            completed_on: text(&form.completed_on),
            proposes: form.proposes_completion.is_some(),
            upload,
        }
    }

    /// What was typed, to put back in the form with its errors.
    fn typed(&self) -> [(&'static str, &str); 4] {
        [
            ("percent", self.percent.as_str()),
            ("note", self.note.as_str()),
            ("completed_on", self.completed_on.as_str()),
            ("proposes_completion", if self.proposes { "1" } else { "" }),
        ]
    }

    /// The report checked (every field's error at once) and its file, taken
    /// out of the form.
    fn check(
        &mut self,
        assigned_on: chrono::NaiveDate,
        today: chrono::NaiveDate,
    ) -> Result<(ReportInput, Upload), Vec<Invalid>> {
        let mut errors = Vec::new();
        let input = ReportInput::parse(
            &RawReport {
                percent: &self.percent,
                note: &self.note,
                proposes_completion: self.proposes,
                completed_on: &self.completed_on,
            },
            Some(assigned_on),
            today,
        )
        .map_err(|e| errors.extend(e))
        .ok();
        let upload = std::mem::replace(&mut self.upload, Ok(None))
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        match input {
            Some(input) if errors.is_empty() => Ok((input, upload)),
            _ => Err(errors),
        }
    }
}

/// Records a report (`add`) with its upload: the file is kept first and
/// removed again when the report is not written.
async fn save_report(
    state: &State,
    upload: Upload,
    today: chrono::NaiveDate,
    add: impl FnOnce(&mut storage::Conn, Option<&storage::files::StoredFile>) -> storage::Result<i64>
        + Send
        + 'static,
) -> Result<i64, crate::web::ApiError> {
    let files = state.config.files();
    state
        .run(move |conn| {
            let file = upload
                .as_ref()
                .map(|(name, bytes)| (name.as_str(), bytes.as_slice()));
            storage::files::save_for(conn, &files, file, today, add)
        })
        .await
}

/// The error of a form that could not be read: only an upload over the limit does that.
fn unreadable_upload() -> Invalid {
    Invalid::new("attachment", "err-file-too-big").arg("max", attachment::MAX_BYTES / (1024 * 1024))
}

/// The form is taken as a `Result` so that a broken upload is answered on
/// the page, after the permission check.
pub async fn add_report(
    state: State,
    req: HttpRequest,
    user: PageUser,
    task: web::Path<TaskId>,
    form: Result<MultipartForm<ReportForm>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let task = task.into_inner();
    let TaskId(id) = task;
    let Ok(form) = form else {
        return task_page_with_errors(&state, &req, &user, task, &[unreadable_upload()], &[]).await;
    };
    let mut sent = SentReport::read(form.into_inner());
    let today = state.config.today();
    let assigned_on = {
        state
            .run(move |conn| storage::tasks::assigned_on(conn, id))
            .await?
    };
    let (input, upload) = match sent.check(assigned_on, today) {
        Ok(ok) => ok,
        Err(errors) => {
            return task_page_with_errors(&state, &req, &user, task, &errors, &sent.typed()).await;
        }
    };
    let account = user.account.clone();
    let base_url = state.config.base_url.clone();
    let result = save_report(&state, upload, today, move |conn, stored| {
        storage::progress::add_report(
            conn,
            id,
            &account,
            &input,
            stored,
            today,
            &mail::events::maker(&base_url),
        )
    })
    .await;
    match result {
        Ok(_) => {
            let key = if sent.proposes {
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
            let error = super::frame::fixable(e)?;
            task_page_with_errors(&state, &req, &user, task, &[error], &sent.typed()).await
        }
    }
}

/// Returning a proposal of completion: why.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReturnForm {
    return_reason: String,
}

pub async fn return_proposal(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<ReportId>,
    form: web::Form<ReturnForm>,
) -> Result<HttpResponse, PageError> {
    let ReportId(report_id) = id.into_inner();
    let typed = form.into_inner().return_reason;
    let report = state
        .run(move |conn| storage::progress::report(conn, report_id))
        .await?;
    let task_id = TaskId(report.stored.task_id);
    let reason = ("return_reason", typed.as_str());
    answer(
        &state,
        &req,
        &user,
        task_id,
        reason,
        true,
        "report-returned",
        move |conn, reason, by, mails| {
            storage::progress::return_proposal(conn, report_id, reason, by, mails)
        },
    )
    .await
}

/// The office's answer to a unit (`act`, given the reason, who answers and
/// the mails to send): the reason (`field` and what was typed) checked when
/// `required`, then back to the task, or the task page with what went wrong.
#[allow(clippy::too_many_arguments)]
async fn answer(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    task_id: TaskId,
    (field, typed): (&str, &str),
    required: bool,
    done_key: &str,
    act: impl FnOnce(&mut storage::Conn, &str, i64, storage::progress::MailMaker) -> storage::Result<i64>
        + Send
        + 'static,
) -> Result<HttpResponse, PageError> {
    let reason = if required {
        match check_reason(field, typed) {
            Ok(r) => r,
            Err(e) => {
                return task_page_with_errors(state, req, user, task_id, &[e], &[(field, typed)])
                    .await
            }
        }
    } else {
        typed.trim().to_string()
    };
    let by = user.account.user.id;
    let base_url = state.config.base_url.clone();
    let act =
        move |conn: &mut storage::Conn| act(conn, &reason, by, &mail::events::maker(&base_url));
    task_action(state, req, user, task_id, act, done_key, &[(field, typed)]).await
}

/// Asking for a later deadline: the date and why.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExtensionForm {
    new_deadline: String,
    extension_reason: String,
}

pub async fn request_extension(
    state: State,
    req: HttpRequest,
    user: PageUser,
    task: web::Path<TaskId>,
    form: web::Form<ExtensionForm>,
) -> Result<HttpResponse, PageError> {
    let task = task.into_inner();
    let TaskId(task_id) = task;
    let ExtensionForm {
        new_deadline,
        extension_reason: reason,
    } = form.into_inner();
    let typed = [
        ("new_deadline", new_deadline.as_str()),
        ("extension_reason", reason.as_str()),
    ];
    let deadline = state
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
            return task_page_with_errors(&state, &req, &user, task, &errors, &typed).await;
        }
    };
    let account = user.account.clone();
    let base_url = state.config.base_url.clone();
    let request = move |conn: &mut storage::Conn| {
        storage::progress::request_extension(
            conn,
            task_id,
            &account,
            &input,
            &mail::events::maker(&base_url),
        )
    };
    task_action(
        &state,
        &req,
        &user,
        task,
        request,
        "extension-requested",
        &typed,
    )
    .await
}

/// The office's answer to an extension request: a note (required to refuse).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision_note: String,
}

async fn decide(
    state: State,
    req: HttpRequest,
    user: PageUser,
    ExtensionId(ext_id): ExtensionId,
    approve: bool,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    let typed = form.into_inner().decision_note;
    let task_id = TaskId(
        state
            .run(move |conn| storage::progress::extension_task(conn, ext_id))
            .await?,
    );
    let done_key = if approve {
        "extension-approved"
    } else {
        "extension-rejected"
    };
    let note = ("decision_note", typed.as_str());
    answer(
        &state,
        &req,
        &user,
        task_id,
        note,
        !approve,
        done_key,
        move |conn, note, by, mails| {
            storage::progress::decide_extension(conn, ext_id, approve, note, by, mails)
        },
    )
    .await
}

pub async fn approve_extension(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<ExtensionId>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    decide(state, req, user, id.into_inner(), true, form).await
}

pub async fn reject_extension(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<ExtensionId>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    decide(state, req, user, id.into_inner(), false, form).await
}

/// An attachment, to users who may see its task.
pub async fn attachment(
    state: State,
    user: PageUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    Ok(crate::web::files::attachment(&state, user.account.clone(), id.into_inner()).await?)
}

/// "Thu hồi": ends one password-less report link of a task (see
/// `storage::report_links::revoke_by` for who may end which).
pub async fn revoke_link(
    state: State,
    user: PageUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let lead_unit = match user.role() {
        crate::domain::Role::Official => None,
        // A unit's user without a unit leads nothing: no link is theirs to end.
        _ => Some(user.account.user.unit_id.ok_or(PageError::NotFound)?),
    };
    let by = user.account.user.id;
    let task_id = state
        .run(move |conn| storage::report_links::revoke_by(conn, id, lead_unit, Some(by)))
        .await?;
    session::flash(
        &user.visitor.session,
        "ok",
        i18n::text(user.visitor.lang, "link-revoked-done"),
    );
    Ok(redirect(&format!("/tasks/{task_id}#report-links")))
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
    let (link_id, unit_id) = (link.id, link.unit_id);
    state
        .run(move |conn| {
            if let Err(e) = storage::report_links::check(conn, link_id, task_id, unit_id) {
                // Its holder is told plainly that the link was ended on purpose.
                return match storage::report_links::is_revoked(conn, link_id, task_id)? {
                    true => Ok(Err("link-revoked")),
                    false => Err(e),
                };
            }
            let task = storage::tasks::get(conn, task_id)?;
            let unit = storage::units::list(conn)?
                .into_iter()
                .find(|u| u.unit.id == unit_id)
                .map(|u| u.unit.code)
                .ok_or(storage::StorageError::NotFound)?;
            Ok(Ok((task, unit)))
        })
        .await
        .unwrap_or_else(|e| {
            Err(match e {
                // Not the link's fault: its holder is told to try again shortly.
                crate::web::ApiError::Unavailable => LINK_UNAVAILABLE,
                _ => "link-invalid",
            })
        })
}

/// Why a link page cannot show its form when the database is down.
const LINK_UNAVAILABLE: &str = "error-unavailable-page";

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
    let mut ctx = super::frame::frame(visitor, req);
    let status = match link_grant(state, task_id, token).await {
        Ok((task, unit)) => {
            ctx.insert(
                "task",
                &super::task_page::TaskLine::new(task, state.config.today()),
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
            ctx.insert("link_error", key);
            if key == LINK_UNAVAILABLE {
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE
            } else {
                // Like a bad token: the credential (the link) is missing or no good.
                actix_web::http::StatusCode::UNAUTHORIZED
            }
        }
    };
    ctx.insert("errors", &super::frame::field_errors(visitor.lang, errors));
    let typed: HashMap<String, String> = typed
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ctx.insert("typed", &typed);
    ctx.insert("done", &done);
    super::frame::render_with_status(state, "report_link.html", &ctx, status)
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

/// The report sent from a signed link: the same form as on the task page,
/// its file included.
pub async fn link_report(
    state: State,
    req: HttpRequest,
    visitor: session::Visitor,
    id: web::Path<i64>,
    query: web::Query<LinkQuery>,
    form: Result<MultipartForm<ReportForm>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let task_id = id.into_inner();
    let page = |errors: Vec<Invalid>, typed: Vec<(&'static str, String)>, done: bool| {
        let (state, req, visitor, token) = (&state, &req, &visitor, &query.t);
        async move {
            let typed: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
            link_page(state, req, visitor, task_id, token, &errors, &typed, done).await
        }
    };
    let Ok(form) = form else {
        return page(vec![unreadable_upload()], vec![], false).await;
    };
    let mut sent = SentReport::read(form.into_inner());
    let Ok((task, unit)) = link_grant(&state, task_id, &query.t).await else {
        return page(vec![], sent_typed(&sent), false).await;
    };
    let today = state.config.today();
    let (input, upload) = match sent.check(task.task.assigned_on, today) {
        Ok(ok) => ok,
        Err(errors) => return page(errors, sent_typed(&sent), false).await,
    };
    let base_url = state.config.base_url.clone();
    match save_report(&state, upload, today, move |conn, stored| {
        storage::progress::add_report_as(
            conn,
            task_id,
            None,
            &unit,
            &input,
            stored,
            today,
            &mail::events::maker(&base_url),
        )
    })
    .await
    {
        Ok(_) => page(vec![], vec![], true).await,
        Err(e) => {
            let error = super::frame::fixable(e)?;
            page(vec![error], sent_typed(&sent), false).await
        }
    }
}

/// What was typed in a report form, owned.
fn sent_typed(sent: &SentReport) -> Vec<(&'static str, String)> {
    sent.typed()
        .iter()
        .map(|(k, v)| (*k, v.to_string()))
        .collect()
}
