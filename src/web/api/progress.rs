use actix_web::web::{self, Json};
use actix_web::HttpResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiUser;
use crate::domain::progress::{ExtensionInput, RawReport, ReportInput};
use crate::domain::task::check_reason;
use crate::storage;
use crate::web::{ApiError, State};

/// How the storage layer gets its event mails made.
pub fn mail_maker(
    state: &crate::web::AppState,
) -> impl Fn(&storage::progress::Event) -> Vec<storage::outbox::NewMail> + Sync {
    let base = state.config.base_url.clone();
    move |event| crate::mail::events::mails(&base, event)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReportJson {
    /// 0 to 100.
    #[serde(default)]
    #[schema(value_type = i32)]
    pub percent: serde_json::Value,
    #[serde(default)]
    pub note: String,
    /// The unit says the task is done; an official confirms or returns it.
    #[serde(default)]
    pub proposes_completion: bool,
    /// With a proposal: the day it was done (default today).
    #[serde(default)]
    pub completed_on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedJson {
    pub id: i64,
    pub task_id: i64,
}

/// A progress report by the lead or a coordinating unit (unit users).
#[utoipa::path(post, path = "/tasks/{id}/reports", params(("id" = i64, Path)), request_body = ReportJson, responses(
    (status = 201, body = CreatedJson),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 403, body = crate::web::error::ErrorBody, description = "not a unit of this task"),
    (status = 404, body = crate::web::error::ErrorBody),
    (status = 409, body = crate::web::error::ErrorBody, description = "the task is done or cancelled, or a proposal waits"),
    (status = 422, body = crate::web::error::ErrorBody),
))]
pub async fn report(
    state: State,
    user: ApiUser,
    id: web::Path<i64>,
    body: Json<ReportJson>,
) -> Result<HttpResponse, ApiError> {
    let task_id = id.into_inner();
    let today = state.config.today();
    let percent = match &body.percent {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    let st = state.into_inner();
    let account = user.0;
    let (note, proposes, completed_on) = (
        body.note.clone(),
        body.proposes_completion,
        body.completed_on.clone().unwrap_or_default(),
    );
    let maker_state = st.clone();
    let report_id = st
        .run(move |conn| {
            let task = storage::tasks::get(conn, task_id)?;
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
            .map_err(|mut e| storage::StorageError::Invalid(e.remove(0)))?;
            storage::progress::add_report(
                conn,
                task_id,
                &account,
                &input,
                None,
                today,
                &mail_maker(&maker_state),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedJson {
        id: report_id,
        task_id,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ExtensionJson {
    /// YYYY-MM-DD or dd/mm/yyyy, after the current deadline.
    #[serde(default)]
    pub new_deadline: String,
    #[serde(default)]
    pub reason: String,
}

/// The lead unit asks for a later deadline (one waiting request per task).
#[utoipa::path(post, path = "/tasks/{id}/extensions", params(("id" = i64, Path)), request_body = ExtensionJson, responses(
    (status = 201, body = CreatedJson),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 403, body = crate::web::error::ErrorBody),
    (status = 404, body = crate::web::error::ErrorBody),
    (status = 409, body = crate::web::error::ErrorBody),
    (status = 422, body = crate::web::error::ErrorBody),
))]
pub async fn request_extension(
    state: State,
    user: ApiUser,
    id: web::Path<i64>,
    body: Json<ExtensionJson>,
) -> Result<HttpResponse, ApiError> {
    let task_id = id.into_inner();
    let st = state.into_inner();
    let maker_state = st.clone();
    let account = user.0;
    let body = body.into_inner();
    let ext_id = st
        .run(move |conn| {
            let task = storage::tasks::get(conn, task_id)?;
            let input = ExtensionInput::parse(&body.new_deadline, &body.reason, task.task.deadline)
                .map_err(|mut e| storage::StorageError::Invalid(e.remove(0)))?;
            storage::progress::request_extension(
                conn,
                task_id,
                &account,
                &input,
                &mail_maker(&maker_state),
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
    pub reason: String,
}

async fn decide(
    state: State,
    user: ApiUser,
    id: i64,
    approve: bool,
    reason: String,
) -> Result<Json<super::tasks::TaskJson>, ApiError> {
    let reason = if approve {
        reason.trim().to_string()
    } else {
        check_reason("reason", &reason)?
    };
    let today = state.config.today();
    let st = state.into_inner();
    let maker_state = st.clone();
    let by = user.0.user.id;
    let record = st
        .run(move |conn| {
            let task_id = storage::progress::decide_extension(
                conn,
                id,
                approve,
                &reason,
                by,
                &mail_maker(&maker_state),
            )?;
            storage::tasks::get(conn, task_id)
        })
        .await?;
    Ok(Json(super::tasks::TaskJson::new(record, today)))
}

/// Approves an extension request: the deadline moves, the original is kept (officials).
#[utoipa::path(post, path = "/extensions/{id}/approve", params(("id" = i64, Path)), request_body = DecisionJson, responses(
    (status = 200, body = super::tasks::TaskJson),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 403, body = crate::web::error::ErrorBody),
    (status = 404, body = crate::web::error::ErrorBody),
    (status = 409, body = crate::web::error::ErrorBody, description = "already decided"),
))]
pub async fn approve(
    state: State,
    user: ApiUser,
    id: web::Path<i64>,
    body: Option<Json<DecisionJson>>,
) -> Result<Json<super::tasks::TaskJson>, ApiError> {
    decide(
        state,
        user,
        id.into_inner(),
        true,
        body.map(|b| b.into_inner().reason).unwrap_or_default(),
    )
    .await
}

/// Rejects an extension request with a reason; nothing changes (officials).
#[utoipa::path(post, path = "/extensions/{id}/reject", params(("id" = i64, Path)), request_body = DecisionJson, responses(
    (status = 200, body = super::tasks::TaskJson),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 403, body = crate::web::error::ErrorBody),
    (status = 404, body = crate::web::error::ErrorBody),
    (status = 409, body = crate::web::error::ErrorBody),
    (status = 422, body = crate::web::error::ErrorBody),
))]
pub async fn reject(
    state: State,
    user: ApiUser,
    id: web::Path<i64>,
    body: Json<DecisionJson>,
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
#[utoipa::path(post, path = "/reports/{id}/return", params(("id" = i64, Path)), request_body = DecisionJson, responses(
    (status = 200, body = super::tasks::TaskJson),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 403, body = crate::web::error::ErrorBody),
    (status = 404, body = crate::web::error::ErrorBody),
    (status = 409, body = crate::web::error::ErrorBody, description = "not a waiting proposal"),
    (status = 422, body = crate::web::error::ErrorBody),
))]
pub async fn return_proposal(
    state: State,
    user: ApiUser,
    id: web::Path<i64>,
    body: Json<DecisionJson>,
) -> Result<Json<super::tasks::TaskJson>, ApiError> {
    let reason = check_reason("reason", &body.reason)?;
    let today = state.config.today();
    let st = state.into_inner();
    let maker_state = st.clone();
    let (id, by) = (id.into_inner(), user.0.user.id);
    let record = st
        .run(move |conn| {
            let task_id = storage::progress::return_proposal(
                conn,
                id,
                &reason,
                by,
                &mail_maker(&maker_state),
            )?;
            storage::tasks::get(conn, task_id)
        })
        .await?;
    Ok(Json(super::tasks::TaskJson::new(record, today)))
}
