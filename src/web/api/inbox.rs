//! `GET /inbox`: what waits for the caller ("Cần xử lý").

use actix_web::web::Json;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::ApiUser;
use crate::domain::progress::Decision;
use crate::storage;
use crate::web::{ApiError, State};

/// One entry of the inbox.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct InboxItemDoc {
    #[schema(schema_with = super::doc::inbox_kind)]
    kind: String,
    task_id: i64,
    #[serde(rename = "ref")]
    #[schema(rename = "ref")]
    reference: String,
    content: String,
    /// The unit concerned: the proposing or requesting unit, else the lead unit (code); null for no_lead.
    unit: Option<String>,
    unit_name: Option<String>,
    deadline: Option<NaiveDate>,
    /// Days past the deadline (overdue) or left before it (due_soon).
    days: Option<i64>,
    /// The proposal to confirm or return (completion_waiting, returned).
    report_id: Option<i64>,
    /// The request to approve or reject (extension_waiting, decided).
    extension_id: Option<i64>,
    /// When the proposal or request was made (or decided).
    requested_on: Option<NaiveDate>,
    /// The proposed completion date, or the deadline asked for.
    date: Option<NaiveDate>,
    /// The unit's reason, or the office's reason or note.
    note: Option<String>,
    /// approved or rejected (decided).
    #[schema(schema_with = decision)]
    decision: Option<String>,
    /// The caller's unit coordinates the task rather than leads it.
    coordinator: Option<bool>,
}

fn decision() -> utoipa::openapi::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::schema::Type::String,
            utoipa::openapi::schema::Type::Null,
        ]))
        .enum_values(Some([
            Some(Decision::Approved.code()),
            Some(Decision::Rejected.code()),
            None,
        ]))
        .build()
}

/// What waits for the caller.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct InboxDoc {
    /// Entries of each kind the caller's role sees, zeros included; the
    /// list holds at most 200 entries of a kind.
    #[schema(value_type = BTreeMap<String, i64>)]
    counts: BTreeMap<String, i64>,
    items: Vec<InboxItemDoc>,
}

/// What waits for the caller: for officials, proposals of completion and
/// extension requests to decide and tasks with no lead unit; for units,
/// returned proposals, decisions on their requests (14 days), overdue tasks
/// and tasks due within 7 days; for leaders, overdue tasks.
#[utoipa::path(get, path = "/inbox", responses(
    (status = 200, body = InboxDoc),
))]
pub async fn get(state: State, user: ApiUser) -> Result<Json<storage::inbox::Inbox>, ApiError> {
    let today = state.config.today();
    let account = user.0;
    let found = state
        .run(move |conn| storage::inbox::inbox(conn, &account, today))
        .await?;
    Ok(Json(found))
}
