//! `/dashboard`: the period report leaders read, print and export.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

use super::browse::query_error;
use super::{field_errors, frame, render, render_with_status};
use crate::domain::{Period, Status};
use crate::storage;
use crate::web::error::PageError;
use crate::web::query::Params;
use crate::web::session::PageUser;
use crate::web::State;

#[derive(Debug, Serialize)]
struct UnitLine {
    code: String,
    name: String,
    counts: crate::web::api::dashboard::CountsJson,
}

pub async fn dashboard(
    state: State,
    req: HttpRequest,
    user: PageUser,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let params = Params(query.into_inner());
    let today = state.config.today();
    let mut ctx = frame(&user.visitor, &req);
    ctx.insert("query", &params.0);
    let resolved = params
        .period()
        .map(|p| p.unwrap_or_else(|| Period::half_year_of(today)))
        .and_then(|p| params.as_of_for(&p, today).map(|a| (p, a)));
    let (period, as_of) = match resolved {
        Ok(v) => v,
        Err(e) => {
            let invalid = query_error(e)?;
            ctx.insert("errors", &field_errors(user.visitor.lang, &[invalid]));
            return render_with_status(
                &state,
                "dashboard.html",
                &ctx,
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let report = state
        .clone()
        .into_inner()
        .run(move |conn| storage::report::period_report(conn, &period, as_of, None))
        .await?;
    let lines: Vec<UnitLine> = report
        .units
        .into_iter()
        .map(|u| UnitLine {
            code: u.unit.unit.code,
            name: u.unit.unit.name,
            counts: u.counts.into(),
        })
        .collect();
    ctx.insert("period", &period.name());
    ctx.insert("from", &period.from);
    ctx.insert("to", &period.to);
    ctx.insert("as_of", &as_of);
    ctx.insert(
        "totals",
        &crate::web::api::dashboard::CountsJson::from(report.totals),
    );
    ctx.insert("units", &lines);
    ctx.insert("statuses", &Status::ALL.map(|s| s.code()));
    ctx.insert("periods", &recent_periods(today));
    render(&state, "dashboard.html", &ctx)
}

/// Half-years and quarters around today, for the period picker.
fn recent_periods(today: NaiveDate) -> Vec<String> {
    use chrono::Datelike;
    let y = today.year();
    let mut out = Vec::new();
    for year in (y - 4..=y).rev() {
        out.push(format!("{year}-H2"));
        out.push(format!("{year}-H1"));
    }
    for q in (1..=4).rev() {
        out.push(format!("{y}-Q{q}"));
    }
    out
}
