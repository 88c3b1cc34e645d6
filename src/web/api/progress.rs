use actix_web::web::{self, Json};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{doc, ApiUser};
use crate::domain::ids::{ExtensionId, ReportId, TaskId};
use crate::domain::progress::{Decision, Review};
use crate::domain::progress::{ExtensionInput, RawReport, ReportInput};
use crate::domain::task::check_reason;
use crate::domain::{attachment, Invalid};
use crate::mail;
use crate::storage;
use crate::web::query::{Blank, PageQuery};
use crate::web::upload;
use crate::web::{ApiError, State};

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReportJson {
    /// 0 to 100.
    #[serde(default)]
    #[schema(value_type = i32, required = true, minimum = 0, maximum = 100)]
    pub percent: serde_json::Value,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub note: String,
    /// The unit says the task is done; an official confirms or returns it.
    #[serde(default)]
    pub proposes_completion: bool,
    /// With a proposal: the day it was done (default today).
    #[serde(default)]
    #[schema(value_type = Option<doc::DateText>, inline)]
    pub completed_on: Option<String>,
}

/// The same report as a form with its file (`multipart/form-data`); no other field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ReportUpload {
    #[schema(minimum = 0, maximum = 100)]
    pub percent: i32,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub note: String,
    /// `true` (or `1`, `on`) to propose completion.
    #[serde(default)]
    pub proposes_completion: bool,
    /// With a proposal: the day it was done (default today).
    #[serde(default)]
    #[schema(value_type = doc::DateText, inline)]
    pub completed_on: Option<NaiveDate>,
    /// A document or a scan: .pdf, .docx, .xlsx, .pptx, .odt, .ods, .odp, .doc,
    /// .xls, .ppt, .jpg, .png, .txt or .csv, whose content is of that kind; at
    /// most 10 MB. An empty part is no file.
    #[serde(default)]
    #[schema(value_type = String, format = Binary)]
    pub attachment: Option<Vec<u8>>,
}

/// The fields of [`ReportUpload`] besides its file.
const REPORT_FIELDS: &[&str] = &["percent", "note", "proposes_completion", "completed_on"];

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedJson {
    pub id: i64,
    pub task_id: i64,
}

/// A report as sent, by JSON or by a form with its file.
struct SentReport {
    percent: String,
    note: String,
    proposes: bool,
    completed_on: String,
    file: Option<upload::Upload>,
}

/// A file over the limit: 413, naming the field.
fn too_big() -> ApiError {
    ApiError::TooLarge(
        Invalid::new("attachment", "err-file-too-big")
            .arg("max", attachment::MAX_BYTES / (1024 * 1024)),
    )
}

/// The most text a multipart report may carry beside its file.
const REPORT_TEXT_LIMIT: usize = 64 * 1024;

impl SentReport {
    async fn read(
        req: &HttpRequest,
        payload: web::Payload,
    ) -> Result<SentReport, actix_web::Error> {
        if !upload::is_multipart(req) {
            // The JSON extractor keeps the API's own answers to a bad body (422, 413).
            let body = super::Body::<ReportJson>::from_request(req, &mut payload.into_inner())
                .await?
                .into_inner();
            let percent = match body.percent {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => String::new(),
                // `40.0` is the integer 40 to JSON Schema.
                serde_json::Value::Number(n) => match n.as_f64() {
                    Some(f) if n.as_i64().is_none() && f.fract() == 0.0 && f.abs() <= 1000.0 => {
                        (f as i64).to_string()
                    }
                    _ => n.to_string(),
                },
                other => other.to_string(),
            };
            return Ok(SentReport {
                percent,
                note: body.note,
                proposes: body.proposes_completion,
                completed_on: body.completed_on.unwrap_or_default(),
                file: None,
            });
        }
        let form = match upload::read(req, payload, "attachment", REPORT_TEXT_LIMIT).await {
            Ok(form) => form,
            Err(upload::BodyError::TooLarge) => return Err(too_big().into()),
            Err(upload::BodyError::Malformed(detail)) => {
                return Err(ApiError::BadRequest(
                    Invalid::new("body", "documents-err-body").arg("value", detail),
                )
                .into())
            }
        };
        if form.file_too_big {
            return Err(too_big().into());
        }
        if let Some(field) = form.unknown_field(REPORT_FIELDS) {
            return Err(ApiError::Invalid(Invalid::new(field, "err-unknown-field")).into());
        }
        let proposes = match form.value("proposes_completion").trim() {
            "" | "false" | "0" | "off" => false,
            "true" | "1" | "on" => true,
            other => {
                return Err(ApiError::Invalid(
                    Invalid::new("proposes_completion", "err-flag").arg("value", other),
                )
                .into())
            }
        };
        Ok(SentReport {
            percent: form.value("percent"),
            note: form.value("note"),
            proposes,
            completed_on: form.value("completed_on"),
            file: form.file.filter(|f| !f.bytes.is_empty()),
        })
    }
}

/// A progress report by the lead or a coordinating unit (unit users): JSON,
/// or a form with the report's file in `attachment`.
#[utoipa::path(post, path = "/tasks/{id}/reports", params(("id" = i64, Path, minimum = 1)),
    request_body(content(
        (ReportJson = "application/json"),
        (ReportUpload = "multipart/form-data"),
    )),
    responses(
        (status = 201, body = CreatedJson),
        (status = 400, body = crate::web::error::ErrorBody, description = "the multipart body cannot be read"),
        (status = 403, body = crate::web::error::ErrorBody, description = "not a unit of this task"),
        (status = 409, body = crate::web::error::ErrorBody, description = "the task is done or cancelled, or a proposal waits"),
))]
pub async fn report(
    state: State,
    user: ApiUser,
    id: web::Path<TaskId>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let TaskId(task_id) = id.into_inner();
    let today = state.config.today();
    let sent = SentReport::read(&req, payload).await?;
    if let Some(f) = &sent.file {
        attachment::check(
            "attachment",
            &f.name,
            f.bytes.len(),
            &f.bytes[..f.bytes.len().min(512)],
        )
        .map_err(ApiError::Invalid)?;
    }
    // The file is kept once the report is valid, and removed if it is not written.
    let files = state.config.files();
    let account = user.0;
    let base_url = state.config.base_url.clone();
    let raw = RawReport {
        percent: &sent.percent,
        note: &sent.note,
        proposes_completion: sent.proposes,
        completed_on: &sent.completed_on,
    };
    // A completion date is held to the task's assignment where the report is
    // written, in the same transaction.
    let input =
        ReportInput::parse(&raw, None, today).map_err(|mut e| ApiError::Invalid(e.remove(0)))?;
    // One call to the database: the report written, the file kept with it.
    let report_id = state
        .run(move |conn| {
            let sent_file = sent
                .file
                .as_ref()
                .map(|f| (f.name.as_str(), f.bytes.as_slice()));
            storage::files::save_for(conn, &files, sent_file, today, |conn, stored| {
                storage::progress::add_report(
                    conn,
                    task_id,
                    &account,
                    &input,
                    stored,
                    today,
                    &mail::events::maker(&base_url),
                )
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedJson {
        id: report_id,
        task_id,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ExtensionJson {
    /// After the current deadline.
    #[serde(default)]
    #[schema(value_type = doc::DateText, inline, required = true)]
    pub new_deadline: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
}

/// The lead unit asks for a later deadline (one waiting request per task).
#[utoipa::path(post, path = "/tasks/{id}/extensions", params(("id" = i64, Path, minimum = 1)), request_body = ExtensionJson, responses(
    (status = 201, body = CreatedJson),
    (status = 403, body = crate::web::error::ErrorBody, description = "not the lead unit of this task"),
    (status = 409, body = crate::web::error::ErrorBody, description = "a request waits already, or the task is done or cancelled"),
))]
pub async fn request_extension(
    state: State,
    user: ApiUser,
    id: web::Path<TaskId>,
    body: super::Body<ExtensionJson>,
) -> Result<HttpResponse, ApiError> {
    let TaskId(task_id) = id.into_inner();
    let base_url = state.config.base_url.clone();
    let account = user.0;
    let body = body.into_inner();
    let ext_id = state
        .run(move |conn| {
            let task = storage::tasks::get(conn, task_id)?;
            let input = ExtensionInput::parse(&body.new_deadline, &body.reason, task.task.deadline)
                .map_err(|mut e| storage::StorageError::Invalid(e.remove(0)))?;
            storage::progress::request_extension(
                conn,
                task_id,
                &account,
                &input,
                &mail::events::maker(&base_url),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedJson {
        id: ext_id,
        task_id,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DecisionJson {
    /// Required to reject or return; optional to approve.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub reason: String,
}

async fn decide(
    state: State,
    user: ApiUser,
    ExtensionId(id): ExtensionId,
    approve: bool,
    reason: String,
) -> Result<Json<super::tasks::TaskJson>, ApiError> {
    let reason = if approve {
        reason.trim().to_string()
    } else {
        check_reason("reason", &reason)?
    };
    answer(&state, &user, reason, move |conn, reason, by, mails| {
        storage::progress::decide_extension(conn, id, approve, reason, by, mails)
    })
    .await
}

/// The office's answer to a unit (`act`, given the reason, who answers and
/// the mails to send, returns the task's id): the task as it stands after.
async fn answer(
    state: &State,
    user: &ApiUser,
    reason: String,
    act: impl FnOnce(&mut storage::Conn, &str, i64, storage::progress::MailMaker) -> storage::Result<i64>
        + Send
        + 'static,
) -> Result<Json<super::tasks::TaskJson>, ApiError> {
    let today = state.config.today();
    let base_url = state.config.base_url.clone();
    let by = user.0.user.id;
    let record = state
        .run(move |conn| {
            let task_id = act(conn, &reason, by, &mail::events::maker(&base_url))?;
            storage::tasks::get(conn, task_id)
        })
        .await?;
    Ok(Json(super::tasks::TaskJson::new(record, today)))
}

/// Approves an extension request: the deadline moves, the original is kept (officials).
#[utoipa::path(post, path = "/extensions/{id}/approve", params(("id" = i64, Path, minimum = 1)), request_body = DecisionJson, responses(
    (status = 200, body = super::tasks::TaskJson),
    (status = 409, body = crate::web::error::ErrorBody, description = "already decided"),
))]
pub async fn approve(
    state: State,
    user: ApiUser,
    id: web::Path<ExtensionId>,
    body: super::Body<DecisionJson>,
) -> Result<Json<super::tasks::TaskJson>, ApiError> {
    decide(state, user, id.into_inner(), true, body.into_inner().reason).await
}

/// A decision that needs its reason.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReasonJson {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
}

/// Rejects an extension request with a reason; nothing changes (officials).
#[utoipa::path(post, path = "/extensions/{id}/reject", params(("id" = i64, Path, minimum = 1)), request_body = ReasonJson, responses(
    (status = 200, body = super::tasks::TaskJson),
    (status = 409, body = crate::web::error::ErrorBody, description = "already decided"),
))]
pub async fn reject(
    state: State,
    user: ApiUser,
    id: web::Path<ExtensionId>,
    body: super::Body<ReasonJson>,
) -> Result<Json<super::tasks::TaskJson>, ApiError> {
    decide(
        state,
        user,
        id.into_inner(),
        false,
        body.into_inner().reason,
    )
    .await
}

/// Returns a proposal of completion to the unit with a reason (officials).
#[utoipa::path(post, path = "/reports/{id}/return", params(("id" = i64, Path, minimum = 1)), request_body = ReasonJson, responses(
    (status = 200, body = super::tasks::TaskJson),
    (status = 409, body = crate::web::error::ErrorBody, description = "not a waiting proposal"),
))]
pub async fn return_proposal(
    state: State,
    user: ApiUser,
    id: web::Path<ReportId>,
    body: super::Body<ReasonJson>,
) -> Result<Json<super::tasks::TaskJson>, ApiError> {
    let reason = check_reason("reason", &body.reason)?;
    let ReportId(id) = id.into_inner();
    answer(&state, &user, reason, move |conn, reason, by, mails| {
        storage::progress::return_proposal(conn, id, reason, by, mails)
    })
    .await
}

/// A unit's progress report on a task.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportReadJson {
    pub id: i64,
    pub task_id: i64,
    /// The reporting unit's code.
    pub unit: String,
    /// Who reported, by name; null for a report through a signed mail link.
    pub by: Option<String>,
    pub reported_on: chrono::NaiveDate,
    #[schema(minimum = 0, maximum = 100)]
    pub percent: i32,
    pub note: String,
    /// The unit says the task is done.
    pub proposes_completion: bool,
    /// With a proposal: the day the unit says it was done.
    pub proposed_completed_on: Option<chrono::NaiveDate>,
    /// With a proposal: pending, confirmed or returned.
    #[schema(schema_with = review_state)]
    pub review_state: Option<Review>,
    /// The office's reason when it returned the proposal.
    pub review_note: String,
    /// The attached file, read at `/attachments/{id}` with this report's id.
    pub attachment: Option<AttachmentJson>,
    /// The unit coordinates the task rather than leads it.
    pub by_coordinator: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentJson {
    pub name: String,
    /// In bytes.
    pub size: i64,
    /// Where to download it.
    pub url: String,
}

fn review_state() -> utoipa::openapi::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::schema::Type::String,
            utoipa::openapi::schema::Type::Null,
        ]))
        .enum_values(Some(
            Review::ALL
                .map(|r| Some(r.code()))
                .into_iter()
                .chain([None]),
        ))
        .build()
}

impl From<storage::progress::Report> for ReportReadJson {
    fn from(report: storage::progress::Report) -> ReportReadJson {
        let storage::progress::Report {
            stored: r,
            by_coordinator,
        } = report;
        let attachment = match (r.attachment_name, r.attachment_size) {
            (Some(name), size) => Some(AttachmentJson {
                name,
                size: size.unwrap_or(0),
                url: format!("/api/v1/attachments/{}", r.id),
            }),
            _ => None,
        };
        ReportReadJson {
            id: r.id,
            task_id: r.task_id,
            unit: r.unit,
            by: r.user_name,
            reported_on: r.reported_on,
            percent: r.percent,
            note: r.note,
            proposes_completion: r.proposes_completion,
            proposed_completed_on: r.proposed_completed_on,
            review_state: r.review_state,
            review_note: r.review_note,
            attachment,
            by_coordinator,
        }
    }
}

/// An extension request and its decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionReadJson {
    pub id: i64,
    pub task_id: i64,
    /// The requesting unit's code.
    pub unit: String,
    /// The deadline when it was asked.
    pub current_deadline: Option<chrono::NaiveDate>,
    pub new_deadline: chrono::NaiveDate,
    pub reason: String,
    #[schema(schema_with = extension_state)]
    pub state: Decision,
    /// The office's note or reason.
    pub decision_note: String,
    /// When it was asked (UTC).
    pub requested_at: chrono::DateTime<chrono::Utc>,
    /// When it was decided (UTC); null while it waits.
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn extension_state() -> utoipa::openapi::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(Decision::ALL.map(Decision::code)))
        .build()
}

impl From<storage::progress::Extension> for ExtensionReadJson {
    fn from(e: storage::progress::Extension) -> ExtensionReadJson {
        ExtensionReadJson {
            id: e.id,
            task_id: e.task_id,
            unit: e.unit,
            current_deadline: e.current_deadline,
            new_deadline: e.new_deadline,
            reason: e.reason,
            state: e.state,
            decision_note: e.decision_note,
            requested_at: e.created_at.and_utc(),
            decided_at: e.decided_at.map(|d| d.and_utc()),
        }
    }
}

/// A task's progress reports, newest first, as the task page shows them.
#[utoipa::path(get, path = "/tasks/{id}/reports", params(("id" = i64, Path, minimum = 1), PageQuery), responses(
    (status = 200, body = super::paging::PageJson<ReportReadJson>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
))]
pub async fn reports(
    state: State,
    user: ApiUser,
    req: actix_web::HttpRequest,
    id: web::Path<TaskId>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    task_rows_page::<_, ReportReadJson>(state, user, &req, id, query, storage::progress::reports)
        .await
}

/// One page of a task's rows, read by `load` once the caller may read the task.
async fn task_rows_page<T, J>(
    state: State,
    user: ApiUser,
    req: &actix_web::HttpRequest,
    id: web::Path<TaskId>,
    query: web::Query<PageQuery>,
    load: fn(&mut storage::Conn, i64) -> storage::Result<Vec<T>>,
) -> Result<HttpResponse, ApiError>
where
    T: Send + 'static,
    J: From<T> + serde::Serialize,
{
    let page = query.parse(Blank::Refused)?;
    let TaskId(id) = id.into_inner();
    let rows = state
        .run(move |conn| {
            storage::tasks::get_for(conn, &user.0, id)?;
            load(conn, id)
        })
        .await?;
    let all: Vec<J> = rows.into_iter().map(J::from).collect();
    Ok(super::paging::respond(req, super::paging::slice(all, page)))
}

/// A task's extension requests and their decisions, newest first.
#[utoipa::path(get, path = "/tasks/{id}/extensions", params(("id" = i64, Path, minimum = 1), PageQuery), responses(
    (status = 200, body = super::paging::PageJson<ExtensionReadJson>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
))]
pub async fn extensions(
    state: State,
    user: ApiUser,
    req: actix_web::HttpRequest,
    id: web::Path<TaskId>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    task_rows_page::<_, ExtensionReadJson>(
        state,
        user,
        &req,
        id,
        query,
        storage::progress::extensions,
    )
    .await
}

/// The file attached to a report (`id` is the report's), to whoever may read its task.
#[utoipa::path(get, path = "/attachments/{id}", params(("id" = i64, Path, minimum = 1, description = "The report's id")), responses(
    (status = 200, description = "The file, as an attachment (`Content-Disposition`)", content(
        (Vec<u8> = "application/pdf"),
        (Vec<u8> = "application/octet-stream"),
        (Vec<u8> = "image/jpeg"),
        (Vec<u8> = "image/png"),
        (String = "text/plain; charset=utf-8"),
    )),
))]
pub async fn attachment(
    state: State,
    user: ApiUser,
    id: web::Path<ReportId>,
) -> Result<HttpResponse, ApiError> {
    crate::web::files::attachment(&state, user.0, id.into_inner().0).await
}
