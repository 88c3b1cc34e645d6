//! `/admin/holidays`: the working-day calendar. The statutory public holidays
//! of this year and the next are shown (computed, Tết by the lunar
//! calendar); the admin adds the days off and make-up working days the
//! Government announces, which relative deadlines ("trong 15 ngày làm
//! việc") then count with.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::frame::PageUser;
use super::frame::{field_errors, frame, redirect, render_with_status};
use crate::domain::dates::parse_date;
use crate::domain::holidays::{holidays_in, Holiday};
use crate::domain::Invalid;
use crate::i18n;
use crate::storage;
use crate::web::error::PageError;
use crate::web::session;
use crate::web::State;

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct HolidayForm {
    #[serde(default)]
    holiday_day: String,
    /// `off` or `working`.
    #[serde(default)]
    holiday_kind: String,
    #[serde(default)]
    note: String,
}

#[derive(Debug, Serialize)]
struct EditRow {
    day: String,
    iso: String,
    working: bool,
    note: String,
}

#[derive(Debug, Serialize)]
struct StatutoryRow {
    day: String,
    name: &'static str,
}

fn holiday_key(h: Holiday) -> &'static str {
    match h {
        Holiday::NewYear => "holidays-new-year",
        Holiday::Tet => "holidays-tet",
        Holiday::HungKings => "holidays-hung-kings",
        Holiday::Reunification => "holidays-reunification",
        Holiday::Labour => "holidays-labour",
        Holiday::National => "holidays-national",
        Holiday::Compensatory => "holidays-compensatory",
    }
}

async fn page(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    form: Option<(&HolidayForm, Vec<Invalid>)>,
) -> Result<HttpResponse, PageError> {
    let edits = state.run(storage::holidays::list).await?;
    let year = state.config.today().year();
    let statutory: Vec<StatutoryRow> = [year, year + 1]
        .into_iter()
        .flat_map(holidays_in)
        .map(|(d, h)| StatutoryRow {
            day: d.format("%d/%m/%Y").to_string(),
            name: holiday_key(h),
        })
        .collect();
    let rows: Vec<EditRow> = edits
        .into_iter()
        .map(|e| EditRow {
            day: e.day.format("%d/%m/%Y").to_string(),
            iso: e.day.format("%Y-%m-%d").to_string(),
            working: e.working,
            note: e.note,
        })
        .collect();
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("edits", &rows);
    ctx.insert("statutory", &statutory);
    let status = match &form {
        Some((f, errors)) => {
            ctx.insert("form", f);
            ctx.insert("errors", &field_errors(user.visitor.lang, errors));
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
        }
        None => {
            ctx.insert("form", &HolidayForm::default());
            ctx.insert(
                "errors",
                &std::collections::HashMap::<String, String>::new(),
            );
            actix_web::http::StatusCode::OK
        }
    };
    render_with_status(state, "admin/holidays.html", &ctx, status)
}

pub async fn list(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    page(&state, &req, &user, None).await
}

pub async fn add(
    state: State,
    req: HttpRequest,
    user: PageUser,
    form: web::Form<HolidayForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let mut errors = Vec::new();
    let day = if form.holiday_day.trim().is_empty() {
        errors.push(Invalid::required("holiday_day"));
        None
    } else {
        parse_date(&form.holiday_day)
            .map_err(|_| errors.push(Invalid::bad_date("holiday_day", &form.holiday_day)))
            .ok()
    };
    let working = match form.holiday_kind.as_str() {
        "working" => true,
        "off" => false,
        _ => {
            errors.push(Invalid::required("holiday_kind"));
            false
        }
    };
    let note: String = form.note.trim().chars().take(200).collect();
    let Some(day) = day.filter(|_| errors.is_empty()) else {
        return page(&state, &req, &user, Some((&form, errors))).await;
    };
    state
        .run(move |conn| storage::holidays::set(conn, day, working, &note))
        .await?;
    session::flash(
        &user.visitor.session,
        "ok",
        i18n::text(user.visitor.lang, "holidays-saved"),
    );
    Ok(redirect("/admin/holidays"))
}

pub async fn remove(
    state: State,
    user: PageUser,
    day: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    if let Ok(day) = parse_date(&day.into_inner()) {
        state
            .run(move |conn| storage::holidays::remove(conn, day))
            .await?;
        session::flash(
            &user.visitor.session,
            "ok",
            i18n::text(user.visitor.lang, "holidays-removed"),
        );
    }
    Ok(redirect("/admin/holidays"))
}
