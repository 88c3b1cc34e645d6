use actix_web::web::{self, Json};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::tasks::TaskJson;
use super::{doc, ApiUser};
use crate::domain::ids::MeetingId;
use crate::storage;
use crate::storage::meetings::MeetingSummary;
pub use crate::web::schema::MeetingJson;
use crate::web::{ApiError, State};

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingDetailJson {
    #[serde(flatten)]
    pub meeting: MeetingJson,
    /// The concluding text as written.
    pub conclusion_text: String,
    pub tasks: Vec<TaskJson>,
}

/// Meetings, newest first.
#[utoipa::path(get, path = "/meetings", responses(
    (status = 200, body = Vec<MeetingJson>),
))]
pub async fn list(state: State, user: ApiUser) -> Result<Json<Vec<MeetingJson>>, ApiError> {
    let meetings = state
        .run(move |conn| storage::meetings::list_for(conn, &user.0))
        .await?;
    Ok(Json(meetings.into_iter().map(MeetingJson::from).collect()))
}

/// A meeting with its tasks.
#[utoipa::path(get, path = "/meetings/{id}", params(("id" = i64, Path, minimum = 1)), responses(
    (status = 200, body = MeetingDetailJson),
))]
pub async fn get(
    state: State,
    user: ApiUser,
    id: web::Path<MeetingId>,
) -> Result<Json<MeetingDetailJson>, ApiError> {
    let today = state.config.today();
    let MeetingId(id) = id.into_inner();
    let m = state
        .run(move |conn| storage::meetings::get_for(conn, &user.0, id))
        .await?;
    Ok(Json(detail_json(m, today)))
}

/// A meeting with the tasks its conclusion became, created together.
#[derive(Debug, Default, serde::Deserialize, ToSchema)]
pub struct NewMeetingJson {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 500, pattern = r"\S")]
    pub title: String,
    #[serde(default)]
    #[schema(value_type = doc::DateText, inline, required = true)]
    pub held_on: String,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub chair: String,
    /// The organising unit's code.
    #[serde(default)]
    #[schema(max_length = 32, pattern = r"^[A-Za-z0-9_.-]*$")]
    pub organiser_unit: Option<String>,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub document_ref: String,
    /// The concluding text as written (at most 204800 bytes of UTF-8).
    #[serde(default)]
    #[schema(max_length = 204800)]
    pub conclusion_text: String,
    #[serde(default)]
    pub tasks: Vec<super::tasks::NewTaskJson>,
    /// Confidential ("mật"), with all its tasks; default false.
    #[serde(default)]
    pub confidential: bool,
}

/// Records a meeting and its tasks in one transaction (officials).
#[utoipa::path(post, path = "/meetings", request_body = NewMeetingJson, responses(
    (status = 201, body = MeetingDetailJson),
    (status = 409, body = crate::web::error::ErrorBody, description = "a task's reference is taken"),
))]
pub async fn create(
    state: State,
    user: ApiUser,
    body: super::Body<NewMeetingJson>,
) -> Result<actix_web::HttpResponse, ApiError> {
    use crate::domain::meeting::{MeetingInput, RawMeeting};
    let body = body.into_inner();
    let today = state.config.today();
    let meeting = MeetingInput::parse(&RawMeeting {
        title: &body.title,
        held_on: &body.held_on,
        chair: &body.chair,
        organiser_unit: body.organiser_unit.as_deref().unwrap_or(""),
        document_ref: &body.document_ref,
        conclusion_text: &body.conclusion_text,
        // Confidential from its first moment: written with the meeting, in one transaction.
        confidential: body.confidential,
    })
    .map_err(|mut e| ApiError::Invalid(e.remove(0)))?;
    let mut tasks = Vec::with_capacity(body.tasks.len());
    for (i, t) in body.tasks.iter().enumerate() {
        tasks.push(
            t.to_input(meeting.held_on, today, &format!("tasks[{i}]."))
                .map_err(super::tasks::first)?,
        );
    }
    let by = user.0.user.id;
    let detail = state
        .run(move |conn| {
            let id =
                storage::meetings::create_with_tasks(conn, &meeting, &tasks, None, Some(by), None)?;
            storage::meetings::get(conn, id)
        })
        .await?;
    Ok(actix_web::HttpResponse::Created().json(detail_json(detail, today)))
}

pub fn detail_json(m: storage::meetings::MeetingWithTasks, as_of: NaiveDate) -> MeetingDetailJson {
    let task_count = m.tasks.len() as i64;
    MeetingDetailJson {
        meeting: MeetingJson::from(MeetingSummary {
            meeting: m.meeting.clone(),
            organiser_unit: m.organiser_unit,
            task_count,
        }),
        conclusion_text: m.meeting.conclusion_text,
        tasks: m
            .tasks
            .into_iter()
            .map(|t| TaskJson::new(t, as_of))
            .collect(),
    }
}

/// A change to a meeting's details (not its tasks): only the fields given change.
#[derive(Debug, Default, serde::Deserialize, ToSchema)]
pub struct MeetingPatchJson {
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub title: Option<String>,
    #[schema(value_type = Option<doc::DateText>, inline)]
    pub held_on: Option<String>,
    #[schema(max_length = 300)]
    pub chair: Option<String>,
    /// A unit's code; an empty string removes it.
    #[schema(max_length = 32, pattern = r"^[A-Za-z0-9_.-]*$")]
    pub organiser_unit: Option<String>,
    #[schema(max_length = 300)]
    pub document_ref: Option<String>,
    /// The concluding text as written (at most 204800 bytes of UTF-8).
    #[schema(max_length = 204800)]
    pub conclusion_text: Option<String>,
}

/// Changes a meeting's details, as its edit page does (officials).
#[utoipa::path(patch, path = "/meetings/{id}", params(("id" = i64, Path, minimum = 1)), request_body = MeetingPatchJson, responses(
    (status = 200, body = MeetingDetailJson),
    (status = 404, body = crate::web::error::ErrorBody, description = "no such meeting"),
))]
pub async fn update(
    state: State,
    user: ApiUser,
    id: web::Path<MeetingId>,
    body: super::Body<MeetingPatchJson>,
) -> Result<Json<MeetingDetailJson>, ApiError> {
    use crate::domain::meeting::{MeetingInput, RawMeeting};
    let today = state.config.today();
    let (id, by) = (id.into_inner().0, user.0.user.id);
    let patch = body.into_inner();
    let detail = state
        .run(move |conn| {
            let current = storage::meetings::get_for(conn, &user.0, id)?;
            let m = &current.meeting;
            let held_on = m.held_on.to_string();
            let organiser = current.organiser_unit.clone().unwrap_or_default();
            let raw = RawMeeting {
                title: patch.title.as_deref().unwrap_or(&m.title),
                held_on: patch.held_on.as_deref().unwrap_or(&held_on),
                chair: patch.chair.as_deref().unwrap_or(&m.chair),
                organiser_unit: patch.organiser_unit.as_deref().unwrap_or(&organiser),
                document_ref: patch.document_ref.as_deref().unwrap_or(&m.document_ref),
                conclusion_text: patch
                    .conclusion_text
                    .as_deref()
                    .unwrap_or(&m.conclusion_text),
                confidential: m.confidential,
            };
            let input = MeetingInput::parse(&raw)
                .map_err(|mut e| storage::StorageError::Invalid(e.remove(0)))?;
            storage::meetings::update(conn, id, &input, Some(by))?;
            storage::meetings::get_for(conn, &user.0, id)
        })
        .await?;
    Ok(Json(detail_json(detail, today)))
}
