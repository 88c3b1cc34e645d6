use actix_web::web::{self, Json};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{doc, ApiUser};
use crate::domain::ids::TaskId;
use crate::domain::Status;
use crate::storage;
use crate::storage::tasks::TaskRecord;
use crate::web::query::{date, Blank, PageQuery, Query, TaskList, TaskListQuery};
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
    #[schema(schema_with = doc::state)]
    pub state: String,
    pub completed_on: Option<NaiveDate>,
    /// Status as of the request's `as_of` (default today); null when cancelled by then.
    #[schema(schema_with = nullable_status)]
    pub status: Option<Status>,
    #[schema(minimum = 0, maximum = 100)]
    pub percent: i32,
    /// For `PATCH`: send it back; a stale one is a 409.
    pub version: i32,
    pub meeting_id: Option<i64>,
    /// Confidential ("mật"): read only by officials, leaders in scope and its lead and coordinating units.
    pub confidential: bool,
}

fn nullable_status() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::Schema::OneOf(
        utoipa::openapi::schema::OneOfBuilder::new()
            .item(doc::status())
            .item(utoipa::openapi::schema::Object::with_type(
                utoipa::openapi::schema::Type::Null,
            ))
            .build(),
    )
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

/// Tasks, filtered and paginated, ordered by deadline.
#[utoipa::path(get, path = "/tasks", params(TaskListQuery), responses(
    (status = 200, body = super::paging::PageJson<TaskJson>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
    (status = 400, body = crate::web::error::ErrorBody, description = "`as_of` before the period's start (given, or today by default for a period that has not started)"),
))]
pub async fn list(
    state: State,
    user: ApiUser,
    req: actix_web::HttpRequest,
    query: Query<TaskListQuery>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let today = state.config.today();
    let TaskList {
        mut filter,
        as_of,
        unit,
        page,
    } = query.parse(Blank::Refused, today)?;
    let found = state
        .run(move |conn| {
            if let Some(code) = unit {
                filter.unit_id = Some(storage::units::id_for_field(conn, "unit", &code)?);
            }
            storage::tasks::list_for(conn, &user.0, filter, page, today)
        })
        .await?;
    let found = storage::tasks::Page {
        items: found
            .items
            .into_iter()
            .map(|r| TaskJson::new(r, as_of))
            .collect(),
        total: found.total,
        page: found.page,
        per_page: found.per_page,
    };
    Ok(super::paging::respond(&req, found))
}

/// `as_of` of a single task's read.
#[derive(Debug, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// The date the status is computed for (default today).
    #[param(value_type = Option<doc::DateText>, inline)]
    pub as_of: Option<String>,
}

/// One task.
#[utoipa::path(get, path = "/tasks/{id}", params(("id" = i64, Path, minimum = 1), AsOfQuery), responses(
    (status = 200, body = TaskJson),
))]
pub async fn get(
    state: State,
    user: ApiUser,
    id: web::Path<TaskId>,
    query: web::Query<AsOfQuery>,
) -> Result<Json<TaskJson>, ApiError> {
    let as_of = date("as_of", Blank::Refused.given("as_of", &query.as_of)?)?
        .unwrap_or_else(|| state.config.today());
    let TaskId(id) = id.into_inner();
    let record = state
        .run(move |conn| storage::tasks::get_for(conn, &user.0, id))
        .await?;
    Ok(Json(TaskJson::new(record, as_of)))
}

/// A JSON value that was present in the body (`null` included).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde::Deserialize::deserialize(d).map(Some)
}

/// A new task.
#[derive(Debug, Default, serde::Deserialize, ToSchema)]
pub struct NewTaskJson {
    /// Stable external reference; generated when absent or blank.
    #[serde(rename = "ref", default)]
    #[schema(
        rename = "ref",
        max_length = 64,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reference: Option<String>,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 10000, pattern = r"\S")]
    pub content: String,
    /// A unit's code. Absent, null or empty: the task waits for its lead.
    #[serde(default)]
    #[schema(max_length = 32, pattern = r"^[A-Za-z0-9_.-]*$")]
    pub lead_unit: Option<String>,
    /// Units' codes; never the lead unit.
    #[serde(default)]
    #[schema(schema_with = coordinator_codes)]
    pub coordinators: Vec<String>,
    /// Default: today (for a meeting's task: the meeting's date).
    #[serde(default)]
    #[schema(value_type = Option<doc::DateText>, inline)]
    pub assigned_on: Option<String>,
    /// Absent or null: ongoing (thường xuyên). Not before `assigned_on`.
    #[serde(default)]
    #[schema(value_type = Option<doc::DateText>, inline)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub expected_output: Option<String>,
    /// The meeting the task comes from, by its id.
    #[serde(default, deserialize_with = "super::whole_number")]
    #[schema(minimum = 1)]
    pub meeting_id: Option<i64>,
    /// Confidential ("mật"); default false.
    #[serde(default)]
    pub confidential: bool,
}

fn nullable_coordinator_codes() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::schema::Type::Array,
            utoipa::openapi::schema::Type::Null,
        ]))
        .items(doc::unit_code())
        .build()
}

fn coordinator_codes() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(doc::unit_code())
        .build()
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
        // Ids start at 1, as the document says (a meeting's own tasks ignore the field).
        if let Some(id) = self.meeting_id.filter(|id| *id < 1) {
            return Err(vec![crate::domain::Invalid::new(
                format!("{prefix}meeting_id"),
                "err-number",
            )
            .arg("value", id)]);
        }
        // A blank date is not "none" here: the document says `format: date` or null.
        for (field, value) in [
            ("assigned_on", &self.assigned_on),
            ("deadline", &self.deadline),
        ] {
            if let Some(v) = value.as_deref().filter(|v| v.trim().is_empty()) {
                return Err(vec![crate::domain::Invalid::bad_date(
                    &format!("{prefix}{field}"),
                    v,
                )]);
            }
        }
        // Each code checked as given (a blank one would vanish from the joined list).
        for code in &self.coordinators {
            crate::domain::unit::check_code(&format!("{prefix}coordinators"), code)
                .map_err(|e| vec![e])?;
        }
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
    (status = 404, body = crate::web::error::ErrorBody, description = "no meeting has the id in `meeting_id`"),
    (status = 409, body = crate::web::error::ErrorBody, description = "the reference is taken"),
))]
pub async fn create(
    state: State,
    user: ApiUser,
    body: super::Body<NewTaskJson>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let today = state.config.today();
    let input = body.to_input(today, today, "").map_err(first)?;
    let (meeting_id, confidential) = (body.meeting_id, body.confidential);
    let by = user.0.user.id;
    let record = state
        .run(move |conn| {
            // An id that names no meeting is a 404, as the document says.
            if let Some(m) = meeting_id {
                storage::meetings::get(conn, m)?;
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
    #[serde(default, deserialize_with = "super::whole_number")]
    #[schema(value_type = i32, required = true)]
    pub version: Option<i32>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 10000, pattern = r"\S")]
    pub content: Option<String>,
    /// A unit's code; an empty string takes the lead away (the task waits for one).
    #[serde(default)]
    #[schema(max_length = 32, pattern = r"^[A-Za-z0-9_.-]*$")]
    pub lead_unit: Option<String>,
    /// Absent or null: unchanged.
    #[serde(default)]
    #[schema(schema_with = nullable_coordinator_codes)]
    pub coordinators: Option<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<doc::DateText>, inline)]
    pub assigned_on: Option<String>,
    /// A date, or null to make the task ongoing.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<doc::DateText>, inline)]
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
#[utoipa::path(patch, path = "/tasks/{id}", params(("id" = i64, Path, minimum = 1)), request_body = TaskPatchJson, responses(
    (status = 200, body = TaskJson),
    (status = 409, body = crate::web::error::ErrorBody, description = "a stale version, or a cancelled task"),
))]
pub async fn update(
    state: State,
    user: ApiUser,
    id: web::Path<TaskId>,
    body: super::Body<TaskPatchJson>,
) -> Result<Json<TaskJson>, ApiError> {
    let version = body
        .version
        .ok_or_else(|| ApiError::Invalid(crate::domain::Invalid::required("version")))?;
    let change = body.change()?;
    let confidential = body.confidential;
    let today = state.config.today();
    let (id, by) = (id.into_inner().0, user.0.user.id);
    let record = state
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
    #[schema(required = true, min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
    /// Optional: refuse if the task changed since this version.
    #[serde(default, deserialize_with = "super::whole_number")]
    pub version: Option<i32>,
}

/// Cancels a task with a reason (officials); it leaves every count.
#[utoipa::path(post, path = "/tasks/{id}/cancel", params(("id" = i64, Path, minimum = 1)), request_body = CancelJson, responses(
    (status = 200, body = TaskJson),
    (status = 409, body = crate::web::error::ErrorBody),
))]
pub async fn cancel(
    state: State,
    user: ApiUser,
    id: web::Path<TaskId>,
    body: super::Body<CancelJson>,
) -> Result<Json<TaskJson>, ApiError> {
    let reason = crate::domain::task::check_reason("reason", &body.reason)?;
    let today = state.config.today();
    let (id, by, version) = (id.into_inner().0, user.0.user.id, body.version);
    let record = state
        .run(move |conn| storage::tasks::cancel(conn, id, version, &reason, today, Some(by)))
        .await?;
    Ok(Json(TaskJson::new(record, today)))
}

#[derive(Debug, Default, serde::Deserialize, ToSchema)]
pub struct CompleteJson {
    /// Default: today. Not before the assignment, not in the future.
    #[serde(default)]
    #[schema(value_type = Option<doc::DateText>, inline)]
    pub completed_on: Option<String>,
    #[serde(default, deserialize_with = "super::whole_number")]
    pub version: Option<i32>,
}

/// Confirms a task as done on a date (officials).
#[utoipa::path(post, path = "/tasks/{id}/complete", params(("id" = i64, Path, minimum = 1)), request_body = CompleteJson, responses(
    (status = 200, body = TaskJson),
    (status = 409, body = crate::web::error::ErrorBody),
))]
pub async fn complete(
    state: State,
    user: ApiUser,
    id: web::Path<TaskId>,
    body: super::Body<CompleteJson>,
) -> Result<Json<TaskJson>, ApiError> {
    let today = state.config.today();
    let on = date("completed_on", body.completed_on.as_deref())?.unwrap_or(today);
    let (id, by, version) = (id.into_inner().0, user.0.user.id, body.version);
    let record = state
        .run(move |conn| storage::progress::complete(conn, id, version, on, today, Some(by)))
        .await?;
    Ok(Json(TaskJson::new(record, today)))
}

/// One entry of a task's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryJson {
    pub id: i64,
    /// When (UTC).
    pub at: chrono::DateTime<chrono::Utc>,
    /// Who, by name; null for the system (imports, signed report links).
    pub by: Option<String>,
    /// What happened, e.g. `task.update`, `report.add`, `extension.approve`.
    pub action: String,
    /// What changed: field names with their old and new values.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// The history of a task, newest first (its last 200 changes), as the task page shows it.
#[utoipa::path(get, path = "/tasks/{id}/history", params(("id" = i64, Path, minimum = 1), PageQuery), responses(
    (status = 200, body = super::paging::PageJson<HistoryJson>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
))]
pub async fn history(
    state: State,
    user: ApiUser,
    req: actix_web::HttpRequest,
    id: web::Path<TaskId>,
    query: web::Query<PageQuery>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let page = query.parse(Blank::Refused)?;
    let TaskId(id) = id.into_inner();
    let (rows, people) = state
        .run(move |conn| {
            storage::tasks::get_for(conn, &user.0, id)?;
            let filter = storage::audit::AuditFilter {
                task_id: Some(id),
                ..Default::default()
            };
            let rows = storage::audit::list(conn, &filter, 200)?;
            Ok((rows, storage::users::names_by_email(conn)?))
        })
        .await?;
    let entries = rows
        .into_iter()
        .map(|r| HistoryJson {
            id: r.id,
            at: r.at.and_utc(),
            by: r.user_email.map(|e| people.get(&e).cloned().unwrap_or(e)),
            action: r.action,
            details: serde_json::from_str::<serde_json::Value>(&r.details)
                .ok()
                .filter(serde_json::Value::is_object)
                .unwrap_or_else(|| serde_json::json!({})),
        })
        .collect();
    Ok(super::paging::respond(
        &req,
        super::paging::slice(entries, page),
    ))
}
