use actix_web::web::{self, Json};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::tasks::TaskJson;
use super::ApiUser;
use crate::storage;
use crate::storage::meetings::MeetingSummary;
use crate::web::{ApiError, State};

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingJson {
    pub id: i64,
    pub title: String,
    pub held_on: NaiveDate,
    pub chair: String,
    /// The organising unit's code.
    pub organiser_unit: Option<String>,
    /// The document the conclusions were issued in, e.g. `Thông báo số 123-TB/TU`.
    pub document_ref: String,
    pub task_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingDetailJson {
    #[serde(flatten)]
    pub meeting: MeetingJson,
    /// The concluding text as written.
    pub conclusion_text: String,
    pub tasks: Vec<TaskJson>,
}

impl From<MeetingSummary> for MeetingJson {
    fn from(m: MeetingSummary) -> MeetingJson {
        MeetingJson {
            id: m.meeting.id,
            title: m.meeting.title,
            held_on: m.meeting.held_on,
            chair: m.meeting.chair,
            organiser_unit: m.organiser_unit,
            document_ref: m.meeting.document_ref,
            task_count: m.task_count,
        }
    }
}

/// Meetings, newest first.
#[utoipa::path(get, path = "/meetings", responses(
    (status = 200, body = Vec<MeetingJson>),
    (status = 401, body = crate::web::error::ErrorBody),
))]
pub async fn list(state: State, _user: ApiUser) -> Result<Json<Vec<MeetingJson>>, ApiError> {
    let meetings = state.into_inner().run(storage::meetings::list).await?;
    Ok(Json(meetings.into_iter().map(MeetingJson::from).collect()))
}

/// A meeting with its tasks.
#[utoipa::path(get, path = "/meetings/{id}", params(("id" = i64, Path)), responses(
    (status = 200, body = MeetingDetailJson),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 404, body = crate::web::error::ErrorBody),
))]
pub async fn get(
    state: State,
    _user: ApiUser,
    id: web::Path<i64>,
) -> Result<Json<MeetingDetailJson>, ApiError> {
    let today = state.config.today();
    let id = id.into_inner();
    let m = state
        .into_inner()
        .run(move |conn| storage::meetings::get(conn, id))
        .await?;
    let task_count = m.tasks.len() as i64;
    Ok(Json(MeetingDetailJson {
        meeting: MeetingJson::from(MeetingSummary {
            meeting: m.meeting.clone(),
            organiser_unit: m.organiser_unit,
            task_count,
        }),
        conclusion_text: m.meeting.conclusion_text,
        tasks: m
            .tasks
            .into_iter()
            .map(|t| TaskJson::new(t, today))
            .collect(),
    }))
}
