use actix_web::web::{self, Json};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

use super::ApiUser;
use crate::domain::report::Counts;
use crate::domain::Period;
use crate::storage;
use crate::web::query::Params;
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

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardJson {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The period's name (2022-H2, …, or FROM..TO).
    pub period: String,
    pub as_of: NaiveDate,
    pub totals: CountsJson,
    /// Every active unit (zeros included), by code.
    pub units: Vec<UnitCountsJson>,
}

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DashboardParams {
    /// 2022-H2 (default: the current half-year), 2022-Q3, 2022-09, 2022 or FROM..TO.
    period: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    /// Default: the earlier of today and the period's end; before the period's start is a 400.
    as_of: Option<NaiveDate>,
    /// A unit code: that unit and the units under it.
    unit: Option<String>,
}

/// The period report: counts by lead unit and in total.
#[utoipa::path(get, path = "/dashboard", params(DashboardParams), responses(
    (status = 200, body = DashboardJson),
    (status = 400, body = crate::web::error::ErrorBody, description = "as_of before the period"),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 422, body = crate::web::error::ErrorBody),
))]
pub async fn get(
    state: State,
    _user: ApiUser,
    query: web::Query<HashMap<String, String>>,
) -> Result<Json<DashboardJson>, ApiError> {
    let params = Params(query.into_inner());
    let today = state.config.today();
    let period = params
        .period()?
        .unwrap_or_else(|| Period::half_year_of(today));
    let as_of = params.as_of_for(&period, today)?;
    let unit_code = params.get("unit").map(str::to_string);
    let report = state
        .into_inner()
        .run(move |conn| {
            let root = match unit_code {
                None => None,
                Some(code) => Some(storage::units::id_for_field(conn, "unit", &code)?),
            };
            storage::report::period_report(conn, &period, as_of, root)
        })
        .await?;
    Ok(Json(DashboardJson {
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
    }))
}
