use actix_web::web::{self, Json};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

use super::ApiUser;
use crate::domain::Status;
use crate::storage;
use crate::storage::tasks::{PageRequest, TaskRecord};
use crate::web::query::{filter_from, Params};
use crate::web::{ApiError, State};

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskJson {
    pub id: i64,
    /// The stable external reference.
    #[serde(rename = "ref")]
    #[schema(rename = "ref")]
    pub reference: String,
    pub content: String,
    /// The lead unit's code; null while the task waits for its lead ("chưa giao").
    pub lead_unit: Option<String>,
    /// The coordinating units' codes.
    pub coordinators: Vec<String>,
    pub assigned_on: NaiveDate,
    /// The current deadline; null for ongoing tasks (thường xuyên).
    pub deadline: Option<NaiveDate>,
    /// The deadline before it was first extended; null if never extended.
    pub original_deadline: Option<NaiveDate>,
    /// open, done or cancelled.
    pub state: String,
    pub completed_on: Option<NaiveDate>,
    /// Status as of the request's `as_of` (default today); null when cancelled by then.
    #[schema(value_type = Option<String>, example = "overdue")]
    pub status: Option<Status>,
    pub percent: i32,
    /// For `PATCH`: send it back; a stale one is a 409.
    pub version: i32,
    pub meeting_id: Option<i64>,
    /// Confidential ("mật"): read only by officials, leaders in scope and its lead and coordinating units.
    pub confidential: bool,
}

impl TaskJson {
    pub fn new(r: TaskRecord, as_of: NaiveDate) -> TaskJson {
        let dates = r.task.dates();
        TaskJson {
            id: r.task.id,
            reference: r.task.reference,
            content: r.task.content,
            lead_unit: r.lead_unit,
            coordinators: r.coordinators,
            assigned_on: r.task.assigned_on,
            deadline: r.task.deadline,
            original_deadline: r.task.original_deadline,
            state: dates.state().code().to_string(),
            completed_on: r.task.completed_on,
            status: dates.status_as_of(as_of),
            percent: r.task.percent,
            version: r.task.version,
            meeting_id: r.task.meeting_id,
            confidential: r.task.confidential,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskJson>,
    /// How many tasks match, over all pages.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TaskListParams {
    /// Lead unit code.
    unit: Option<String>,
    /// `lead` (default) or `any` (lead or coordinator) for `unit`.
    unit_role: Option<String>,
    /// done_on_time, done_late, in_progress, overdue; comma-separated for several.
    status: Option<String>,
    /// 2022-H2, 2022-Q3, 2022-09, 2022 or FROM..TO: the tasks of that period's report.
    period: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    /// The date statuses are computed for (default: today, or the period's default).
    as_of: Option<NaiveDate>,
    /// Words in the content or reference; accents and case are ignored.
    q: Option<String>,
    meeting: Option<i64>,
    /// Where the task stands in its workflow: `completion` (a proposal of
    /// completion waits), `extension` (an extension request waits) or
    /// `returned` (the last proposal was returned). Open tasks only.
    waiting: Option<String>,
    page: Option<i64>,
    /// At most 500 (default 50).
    per_page: Option<i64>,
}

/// Tasks, filtered and paginated, ordered by deadline.
#[utoipa::path(get, path = "/tasks", params(TaskListParams), responses(
    (status = 200, body = TaskPage),
    (status = 400, body = crate::web::error::ErrorBody, description = "as_of before the period"),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 422, body = crate::web::error::ErrorBody),
))]
pub async fn list(
    state: State,
    user: ApiUser,
    query: web::Query<HashMap<String, String>>,
) -> Result<Json<TaskPage>, ApiError> {
    let params = Params(query.into_inner());
    let today = state.config.today();
    let page = PageRequest {
        page: params.number("page", 1)?,
        per_page: params.number("per_page", 50)?,
    };
    let unit_code = params.get("unit").map(str::to_string);
    let (mut filter, as_of) = filter_from(&params, None, today)?;
    let found = state
        .into_inner()
        .run(move |conn| {
            if let Some(code) = unit_code {
                filter.unit_id = Some(storage::units::id_for_field(conn, "unit", &code)?);
            }
            storage::visibility::list_for(conn, &user.0, filter, page, today)
        })
        .await?;
    Ok(Json(TaskPage {
        items: found
            .items
            .into_iter()
            .map(|r| TaskJson::new(r, as_of))
            .collect(),
        total: found.total,
        page: found.page,
        per_page: found.per_page,
    }))
}

/// One task.
#[utoipa::path(get, path = "/tasks/{id}", params(("id" = i64, Path), ("as_of" = Option<NaiveDate>, Query)), responses(
    (status = 200, body = TaskJson),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 404, body = crate::web::error::ErrorBody),
))]
pub async fn get(
    state: State,
    user: ApiUser,
    id: web::Path<i64>,
    query: web::Query<HashMap<String, String>>,
) -> Result<Json<TaskJson>, ApiError> {
    let params = Params(query.into_inner());
    let as_of = params
        .date("as_of")?
        .unwrap_or_else(|| state.config.today());
    let id = id.into_inner();
    let record = state
        .into_inner()
        .run(move |conn| storage::visibility::task_for(conn, &user.0, id))
        .await?;
    Ok(Json(TaskJson::new(record, as_of)))
}

/// A JSON value that was present in the body (`null` included).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde::Deserialize::deserialize(d).map(Some)
}

/// A new task. Dates are YYYY-MM-DD or dd/mm/yyyy.
#[derive(Debug, Default, serde::Deserialize, ToSchema)]
pub struct NewTaskJson {
    /// Stable external reference; generated when absent.
    #[serde(rename = "ref", default)]
    #[schema(rename = "ref")]
    pub reference: Option<String>,
    #[serde(default)]
    pub content: String,
    /// Absent, null or empty: the task waits for its lead.
    #[serde(default)]
    pub lead_unit: Option<String>,
    #[serde(default)]
    pub coordinators: Vec<String>,
    /// Default: today.
    #[serde(default)]
    pub assigned_on: Option<String>,
    /// Absent or null: ongoing (thường xuyên).
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub expected_output: Option<String>,
    #[serde(default)]
    pub meeting_id: Option<i64>,
    /// Confidential ("mật"); default false.
    #[serde(default)]
    pub confidential: bool,
}

impl NewTaskJson {
    /// The task checked like any other input; errors name `<prefix><field>`.
    /// Without an assignment date it is assigned on `assigned_by_default`.
    pub fn to_input(
        &self,
        assigned_by_default: NaiveDate,
        today: NaiveDate,
        prefix: &str,
    ) -> Result<crate::domain::task::TaskInput, Vec<crate::domain::Invalid>> {
        let coordinators = self.coordinators.join("|");
        let default_text = assigned_by_default.to_string();
        let raw = crate::domain::task::RawTask {
            reference: self.reference.as_deref().unwrap_or(""),
            content: &self.content,
            lead_unit: self.lead_unit.as_deref().unwrap_or(""),
            coordinators: &coordinators,
            assigned_on: self.assigned_on.as_deref().unwrap_or(&default_text),
            deadline: self.deadline.as_deref().unwrap_or(""),
            expected_output: self.expected_output.as_deref().unwrap_or(""),
            ..Default::default()
        };
        crate::domain::task::TaskInput::parse(&raw, crate::domain::task::Needs::FORM, today)
            .map_err(|errors| {
                errors
                    .into_iter()
                    .map(|mut e| {
                        e.field = format!("{prefix}{}", e.field);
                        e
                    })
                    .collect()
            })
    }
}

pub fn first(mut errors: Vec<crate::domain::Invalid>) -> ApiError {
    ApiError::Invalid(errors.remove(0))
}

/// Adds a task (officials).
#[utoipa::path(post, path = "/tasks", request_body = NewTaskJson, responses(
    (status = 201, body = TaskJson),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 403, body = crate::web::error::ErrorBody),
    (status = 409, body = crate::web::error::ErrorBody, description = "the reference is taken"),
    (status = 422, body = crate::web::error::ErrorBody),
))]
pub async fn create(
    state: State,
    user: ApiUser,
    body: Json<NewTaskJson>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let today = state.config.today();
    let input = body.to_input(today, today, "").map_err(first)?;
    let (meeting_id, confidential) = (body.meeting_id, body.confidential);
    let by = user.0.user.id;
    let record = state
        .into_inner()
        .run(move |conn| {
            if let Some(m) = meeting_id {
                storage::meetings::get(conn, m).map_err(|e| match e {
                    storage::StorageError::NotFound => {
                        crate::domain::Invalid::new("meeting_id", "err-unknown-meeting")
                            .arg("value", m)
                            .into()
                    }
                    other => other,
                })?;
            }
            storage::tasks::create_with(conn, &input, meeting_id, Some(by), confidential)
        })
        .await?;
    Ok(actix_web::HttpResponse::Created().json(TaskJson::new(record, today)))
}

/// A change to a task: only the fields given change. `version` is required.
#[derive(Debug, Default, serde::Deserialize, ToSchema)]
pub struct TaskPatchJson {
    /// The version read; a stale one is a 409.
    pub version: Option<i32>,
    #[serde(default)]
    pub content: Option<String>,
    /// A unit's code; an empty string takes the lead away (the task waits for one).
    #[serde(default)]
    pub lead_unit: Option<String>,
    #[serde(default)]
    pub coordinators: Option<Vec<String>>,
    #[serde(default)]
    pub assigned_on: Option<String>,
    /// A date, or null to make the task ongoing.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub deadline: Option<serde_json::Value>,
    #[serde(default)]
    pub expected_output: Option<String>,
    /// Confidential ("mật") or not.
    #[serde(default)]
    pub confidential: Option<bool>,
}

impl TaskPatchJson {
    fn change(&self) -> Result<crate::domain::task::TaskChange, ApiError> {
        use crate::domain::dates::parse_date;
        use crate::domain::Invalid;
        let date = |field: &str, v: &str| {
            parse_date(v).map_err(|_| ApiError::Invalid(Invalid::bad_date(field, v)))
        };
        let deadline = match &self.deadline {
            None => None,
            Some(serde_json::Value::Null) => Some(None),
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => Some(None),
            Some(serde_json::Value::String(s)) => Some(Some(date("deadline", s)?)),
            Some(other) => {
                return Err(ApiError::Invalid(Invalid::bad_date(
                    "deadline",
                    &other.to_string(),
                )))
            }
        };
        Ok(crate::domain::task::TaskChange {
            content: self.content.clone(),
            lead_unit: self
                .lead_unit
                .as_ref()
                .map(|l| Some(l.clone()).filter(|l| !l.trim().is_empty())),
            coordinators: self.coordinators.clone(),
            assigned_on: self
                .assigned_on
                .as_deref()
                .map(|a| date("assigned_on", a))
                .transpose()?,
            deadline,
            expected_output: self.expected_output.clone(),
        })
    }
}

/// Changes a task (officials), if `version` is still current.
#[utoipa::path(patch, path = "/tasks/{id}", params(("id" = i64, Path)), request_body = TaskPatchJson, responses(
    (status = 200, body = TaskJson),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 403, body = crate::web::error::ErrorBody),
    (status = 404, body = crate::web::error::ErrorBody),
    (status = 409, body = crate::web::error::ErrorBody, description = "stale version, or a cancelled task"),
    (status = 422, body = crate::web::error::ErrorBody),
))]
pub async fn update(
    state: State,
    user: ApiUser,
    id: web::Path<i64>,
    body: Json<TaskPatchJson>,
) -> Result<Json<TaskJson>, ApiError> {
    let version = body
        .version
        .ok_or_else(|| ApiError::Invalid(crate::domain::Invalid::required("version")))?;
    let change = body.change()?;
    let confidential = body.confidential;
    let today = state.config.today();
    let (id, by) = (id.into_inner(), user.0.user.id);
    let record = state
        .into_inner()
        .run(move |conn| {
            let record = storage::tasks::update(conn, id, version, &change, today, Some(by))?;
            match confidential {
                Some(c) if c != record.task.confidential => {
                    storage::visibility::change_task_confidential(conn, id, c, Some(by))?;
                    storage::tasks::get(conn, id)
                }
                _ => Ok(record),
            }
        })
        .await?;
    Ok(Json(TaskJson::new(record, today)))
}

#[derive(Debug, Default, serde::Deserialize, ToSchema)]
pub struct CancelJson {
    #[serde(default)]
    pub reason: String,
    /// Optional: refuse if the task changed since this version.
    #[serde(default)]
    pub version: Option<i32>,
}

/// Cancels a task with a reason (officials); it leaves every count.
#[utoipa::path(post, path = "/tasks/{id}/cancel", params(("id" = i64, Path)), request_body = CancelJson, responses(
    (status = 200, body = TaskJson),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 403, body = crate::web::error::ErrorBody),
    (status = 404, body = crate::web::error::ErrorBody),
    (status = 409, body = crate::web::error::ErrorBody),
    (status = 422, body = crate::web::error::ErrorBody),
))]
pub async fn cancel(
    state: State,
    user: ApiUser,
    id: web::Path<i64>,
    body: Json<CancelJson>,
) -> Result<Json<TaskJson>, ApiError> {
    let reason = crate::domain::task::check_reason("reason", &body.reason)?;
    let today = state.config.today();
    let (id, by, version) = (id.into_inner(), user.0.user.id, body.version);
    let record = state
        .into_inner()
        .run(move |conn| storage::tasks::cancel(conn, id, version, &reason, today, Some(by)))
        .await?;
    Ok(Json(TaskJson::new(record, today)))
}

#[derive(Debug, Default, serde::Deserialize, ToSchema)]
pub struct CompleteJson {
    /// Default: today. Not before the assignment, not in the future.
    #[serde(default)]
    pub completed_on: Option<String>,
    #[serde(default)]
    pub version: Option<i32>,
}

/// Confirms a task as done on a date (officials).
#[utoipa::path(post, path = "/tasks/{id}/complete", params(("id" = i64, Path)), request_body = CompleteJson, responses(
    (status = 200, body = TaskJson),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 403, body = crate::web::error::ErrorBody),
    (status = 404, body = crate::web::error::ErrorBody),
    (status = 409, body = crate::web::error::ErrorBody),
    (status = 422, body = crate::web::error::ErrorBody),
))]
pub async fn complete(
    state: State,
    user: ApiUser,
    id: web::Path<i64>,
    body: Json<CompleteJson>,
) -> Result<Json<TaskJson>, ApiError> {
    let today = state.config.today();
    let on = match body
        .completed_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => today,
        Some(v) => crate::domain::dates::parse_date(v)
            .map_err(|_| crate::domain::Invalid::bad_date("completed_on", v))?,
    };
    let (id, by, version) = (id.into_inner(), user.0.user.id, body.version);
    let record = state
        .into_inner()
        .run(move |conn| storage::tasks::complete(conn, id, version, on, today, Some(by)))
        .await?;
    Ok(Json(TaskJson::new(record, today)))
}
