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
    /// The lead unit's code.
    pub lead_unit: String,
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
    _user: ApiUser,
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
            storage::tasks::list(conn, &filter, page, today)
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
    _user: ApiUser,
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
        .run(move |conn| storage::tasks::get(conn, id))
        .await?;
    Ok(Json(TaskJson::new(record, as_of)))
}
