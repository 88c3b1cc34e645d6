use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::ApiUser;
use crate::domain::report::Counts;
use crate::storage;
use crate::web::query::{Blank, Query, ReportQuery};
use crate::web::{ApiError, State};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountsJson {
    pub total: u64,
    pub done_on_time: u64,
    pub done_late: u64,
    pub in_progress: u64,
    pub overdue: u64,
    /// Assigned before the period and not completed before it started.
    pub carried_over: u64,
    /// Deadline moved at least once.
    pub extended: u64,
    /// (done_on_time + done_late) / total, 0 when total is 0.
    pub completion_rate: f64,
    /// done_on_time / total, 0 when total is 0.
    pub on_time_rate: f64,
}

impl From<Counts> for CountsJson {
    fn from(c: Counts) -> CountsJson {
        CountsJson {
            total: c.total,
            done_on_time: c.done_on_time,
            done_late: c.done_late,
            in_progress: c.in_progress,
            overdue: c.overdue,
            carried_over: c.carried_over,
            extended: c.extended,
            completion_rate: c.completion_rate(),
            on_time_rate: c.on_time_rate(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitCountsJson {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub counts: CountsJson,
}

/// A period's report as it was frozen ("chốt số liệu").
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedJson {
    pub as_of: NaiveDate,
    /// When it was frozen (UTC).
    pub closed_at: chrono::DateTime<chrono::Utc>,
    pub closed_by: Option<String>,
    pub note: String,
    pub totals: CountsJson,
    /// The units in the reader's scope as they were frozen, by code.
    pub units: Vec<UnitCountsJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardJson {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The period's name (2022-H2, …, or FROM..TO).
    pub period: String,
    pub as_of: NaiveDate,
    pub totals: CountsJson,
    /// Every active unit in the reader's scope (zeros included), by code.
    pub units: Vec<UnitCountsJson>,
    /// The frozen report when the period was closed, else null.
    pub closed: Option<ClosedJson>,
}

/// The period report: counts by lead unit and in total, for the units in the
/// reader's scope (the whole tree unless their account is limited to a subtree).
/// The answer carries an `ETag`; sent back in `If-None-Match`, an unchanged
/// report is a 304 without a body.
#[utoipa::path(get, path = "/dashboard", params(
    ReportQuery,
    ("If-None-Match" = Option<String>, Header, description = "The ETag of a report read before"),
), responses(
    (status = 200, body = DashboardJson, headers(("ETag" = String, description = "Changes when the report does"))),
    (status = 304, description = "The report is unchanged since the ETag sent", headers(("ETag" = String))),
    (status = 400, body = crate::web::error::ErrorBody, description = "`as_of` before the period's start (given, or today by default for a period that has not started)"),
))]
pub async fn get(
    state: State,
    user: ApiUser,
    req: actix_web::HttpRequest,
    query: Query<ReportQuery>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let report = query.parse(Blank::Refused, state.config.today())?;
    let request = storage::dashboard::DashboardRequest {
        period: report.period,
        as_of: report.as_of,
        unit: report.unit,
        scope_root: user.0.user.scope_unit_id,
        progress: false,
        frozen: true,
    };
    let data = state
        .run(move |conn| storage::dashboard::dashboard(conn, &request))
        .await?;
    let closed = data.frozen.as_ref().map(|f| {
        let (totals, _) = f.totals(data.scope.unit_ids.as_deref());
        ClosedJson {
            as_of: f.close.as_of,
            closed_at: f.close.closed_at.and_utc(),
            closed_by: f.close.closed_by.clone(),
            note: f.close.note.clone(),
            totals: totals.into(),
            units: f
                .units_in(data.scope.unit_ids.as_deref())
                .map(|u| UnitCountsJson {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    counts: u.counts.into(),
                })
                .collect(),
        }
    });
    let report = data.report;
    let body = DashboardJson {
        from: report.period.from,
        to: report.period.to,
        period: report.period.name(),
        as_of: report.as_of,
        totals: report.totals.into(),
        units: report
            .units
            .into_iter()
            .map(|u| UnitCountsJson {
                code: u.unit.unit.code,
                name: u.unit.unit.name,
                counts: u.counts.into(),
            })
            .collect(),
        closed,
    };
    Ok(super::etag::respond(&req, &body))
}
