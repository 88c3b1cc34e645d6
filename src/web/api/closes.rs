//! Period closes ("chốt số liệu"): the frozen reports, and freezing and
//! reopening a period as the dashboard page does.

use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dashboard::{CountsJson, UnitCountsJson};
use super::{doc, ApiUser};
use crate::domain::Period;
use crate::storage;
use crate::storage::closes::Frozen;
use crate::web::query::{as_of_for, Blank, PageQuery, PeriodFields};
use crate::web::{ApiError, State};

/// A period's report as it was frozen.
#[derive(Debug, Serialize, ToSchema)]
pub struct CloseJson {
    pub id: i64,
    /// The period's name (2022-H2, …, or FROM..TO).
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: NaiveDate,
    /// When it was frozen (UTC).
    pub closed_at: chrono::DateTime<chrono::Utc>,
    /// Who froze it, by name.
    pub closed_by: Option<String>,
    pub note: String,
    /// The frozen totals of the units in the reader's scope.
    pub totals: CountsJson,
    /// The units in the reader's scope as they were frozen, by code.
    pub units: Vec<UnitCountsJson>,
}

impl CloseJson {
    fn new(f: &Frozen, in_scope: Option<&[i64]>) -> CloseJson {
        let (totals, _) = f.totals(in_scope);
        CloseJson {
            id: f.close.id,
            period: f.close.period.name(),
            from: f.close.period.from,
            to: f.close.period.to,
            as_of: f.close.as_of,
            closed_at: f.close.closed_at.and_utc(),
            closed_by: f.close.closed_by.clone(),
            note: f.close.note.clone(),
            totals: totals.into(),
            units: f
                .units_in(in_scope)
                .map(|u| UnitCountsJson {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    counts: u.counts.into(),
                })
                .collect(),
        }
    }
}

/// The units of the scope under `scope_root` (the reader's account's;
/// `None`: the whole tree).
fn scope_of(
    conn: &mut storage::Conn,
    scope_root: Option<i64>,
) -> storage::Result<Option<Vec<i64>>> {
    let units = storage::units::list(conn)?;
    Ok(storage::dashboard::resolve_units(&units, scope_root, None)?.1)
}

/// Every frozen report, the latest period first, with the figures of the reader's scope.
#[utoipa::path(get, path = "/closes", params(PageQuery), responses(
    (status = 200, body = super::paging::PageJson<CloseJson>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
))]
pub async fn list(
    state: State,
    user: ApiUser,
    req: HttpRequest,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.parse(Blank::Refused)?;
    let scope_root = user.0.user.scope_unit_id;
    let (closes, scope) = state
        .run(move |conn| {
            Ok((
                storage::closes::list_frozen(conn)?,
                scope_of(conn, scope_root)?,
            ))
        })
        .await?;
    let all = closes
        .iter()
        .map(|f| CloseJson::new(f, scope.as_deref()))
        .collect();
    Ok(super::paging::respond(
        &req,
        super::paging::slice(all, page),
    ))
}

/// Freezing a period.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewCloseJson {
    /// Checked after the caller's role, like every field (an empty body reads as `{}`).
    #[serde(default)]
    #[schema(schema_with = doc::period, required = true)]
    pub period: String,
    /// The date the figures are frozen as of: within the period, not after
    /// today (default: the earlier of today and the period's end).
    #[serde(default)]
    #[schema(value_type = Option<doc::DateText>, inline)]
    pub as_of: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

/// Freezes a period's report as of a date (officials); one close per period.
#[utoipa::path(post, path = "/closes", request_body = NewCloseJson, responses(
    (status = 201, body = CloseJson),
    (status = 400, body = crate::web::error::ErrorBody, description = "`as_of` before the period's start"),
    (status = 409, body = crate::web::error::ErrorBody, description = "the period is closed already"),
))]
pub async fn close(
    state: State,
    user: ApiUser,
    body: super::Body<NewCloseJson>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let today = state.config.today();
    // Blank is not "the default" here: the document says a date or nothing.
    let as_of = crate::web::query::date("as_of", body.as_of.as_deref())?;
    let period: Period = PeriodFields {
        period: Some(body.period.trim()).filter(|p| !p.is_empty()),
        ..PeriodFields::default()
    }
    .parse()?
    .ok_or_else(|| ApiError::Invalid(crate::domain::Invalid::required("period")))?;
    let as_of = as_of_for(&period, as_of, today)?;
    let (user_id, scope_root) = (user.0.user.id, user.0.user.scope_unit_id);
    let (frozen, scope) = state
        .run(move |conn| {
            storage::closes::close(conn, &period, as_of, &body.note, Some(user_id), today)?;
            let frozen =
                storage::closes::frozen(conn, &period)?.ok_or(storage::StorageError::NotFound)?;
            Ok((frozen, scope_of(conn, scope_root)?))
        })
        .await?;
    Ok(HttpResponse::Created().json(CloseJson::new(&frozen, scope.as_deref())))
}

/// Reopens a period (officials): its close is removed, the audit log keeps it.
#[utoipa::path(delete, path = "/closes/{id}", params(("id" = i64, Path, minimum = 1)), responses(
    (status = 204, description = "Reopened"),
))]
pub async fn reopen(
    state: State,
    user: ApiUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (id, by) = (id.into_inner(), user.0.user.id);
    state
        .run(move |conn| storage::closes::reopen_by_id(conn, id, Some(by)))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
