//! `/dashboard`: the period report leaders read, print and export, the list
//! of the tasks behind its numbers, and the period close ("chốt số liệu").
//! The page, the print view and the exports are built from one
//! [`View`](crate::web::report::View) of one `storage::dashboard::dashboard` call.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::drawn;
use super::frame::fixable as query_error;
use super::frame::PageUser;
use super::frame::{field_errors, frame, redirect, render, render_aside, render_with_status};
use super::period_picker;
use super::task_page::TaskLine;
use crate::domain::dashboard::AgeBucket;
use crate::domain::{Action, Invalid, Status};
use crate::i18n::{self, Lang};
use crate::storage::dashboard::{Dashboard, DashboardRequest, Scope};
use crate::storage::report::TaskQuery;
use crate::storage::{self, StorageError};
use crate::web::error::PageError;
use crate::web::export::{self, TaskRow};
use crate::web::query::{self, Blank, ByPage, PeriodFields, Query as Sent, ReportQuery};
use crate::web::report::{self as view, DashboardQuery, Query, UnitRef, View};
use crate::web::session;
use crate::web::stream;
use crate::web::{ApiError, State};

/// Rows per page of the drill-down list.
const PER_PAGE: i64 = 50;

/// Why a dashboard request cannot be answered: the user's input, or the server.
pub(super) enum Failure {
    Input(Invalid),
    Page(PageError),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Failure {
        match query_error(e) {
            Ok(i) => Failure::Input(i),
            Err(p) => Failure::Page(p),
        }
    }
}

/// Parses the request and reads the reader's dashboard.
pub(super) async fn resolve(
    state: &State,
    user: &PageUser,
    sent: &DashboardQuery,
    progress: bool,
) -> Result<(Query, Dashboard), Failure> {
    let q = sent.parse(state.config.today())?;
    let request = DashboardRequest {
        period: q.period,
        as_of: q.as_of,
        unit: q.unit.clone(),
        scope_root: user.account.user.scope_unit_id,
        progress,
        frozen: true,
    };
    let data = state
        .run(move |conn| storage::dashboard::dashboard(conn, &request))
        .await?;
    Ok((q, data))
}

/// The sent report, read and laid out (`progress`: with the months of
/// progress); or, in `Ok(Err(_))`, the form again with the field at fault.
pub(super) async fn laid_out(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    sent: &Sent<DashboardQuery, ByPage>,
    progress: bool,
) -> Result<Result<(Query, Dashboard, View), HttpResponse>, PageError> {
    match resolve(state, user, sent, progress).await {
        Ok((q, data)) => {
            let view = View::build(&q, &data, user.visitor.lang, state.config.tz);
            Ok(Ok((q, data, view)))
        }
        Err(f) => form_error(state, req, user, (&**sent, &sent.report), f).map(Err),
    }
}

/// The dashboard form again, with the message of the field at fault and
/// what was typed (`sent`, the whole query; `report`, its report's part).
pub(super) fn form_error(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    (sent, report): (&impl Serialize, &ReportQuery),
    failure: Failure,
) -> Result<HttpResponse, PageError> {
    let invalid = match failure {
        Failure::Input(i) => i,
        Failure::Page(p) => return Err(p),
    };
    let lang = user.visitor.lang;
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("query", sent);
    ctx.insert("errors", &field_errors(lang, &[invalid]));
    ctx.insert(
        "picker",
        &period_picker::picker(report.period_typed(), None, state.config.today(), lang),
    );
    render_with_status(
        state,
        "dashboard.html",
        &ctx,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

fn now_printed(state: &State) -> String {
    chrono::Utc::now()
        .with_timezone(&state.config.tz)
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

/// What the page and its print view show of a report: its fields (`v`),
/// the statuses and whose tasks it counts.
fn report_frame(
    user: &PageUser,
    req: &HttpRequest,
    v: &impl Serialize,
    scope_line: &str,
) -> tera::Context {
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("v", v);
    ctx.insert("statuses", &Status::ALL.map(|s| s.code()));
    ctx.insert("scope_line", scope_line);
    ctx
}

pub async fn dashboard(
    state: State,
    req: HttpRequest,
    user: PageUser,
    sent: Sent<DashboardQuery, ByPage>,
) -> Result<HttpResponse, PageError> {
    let (q, data) = match resolve(&state, &user, &sent, true).await {
        Ok(v) => v,
        Err(f) => return form_error(&state, &req, &user, (&*sent, &sent.report), f),
    };
    let lang = user.visitor.lang;
    // The report's sections come drawn (src/web/pages/drawn.rs); the page
    // adds the reader's own frame, forms and links around them.
    let drawn = drawn::drawn(&state, q.clone(), data, lang)
        .await
        .map_err(|e| {
            tracing::error!("dashboard drawing: {e:?}");
            PageError::Internal
        })?;
    let mut ctx = report_frame(&user, &req, &drawn.head, &drawn.scope_line);
    ctx.insert("query", &*sent);
    ctx.insert("drawn", &*drawn);
    ctx.insert(
        "picker",
        &period_picker::picker(
            sent.report.period_typed(),
            Some(q.period),
            state.config.today(),
            lang,
        ),
    );
    ctx.insert("may_close", &user.may(Action::ClosePeriod));
    ctx.insert("today", &state.config.today());
    ctx.insert(
        "as_of_choices",
        &as_of_choices(&q, state.config.today(), lang),
    );
    render_aside(&state, "dashboard.html", ctx).await
}

/// A quicker way to another as-of date of the same report.
#[derive(Debug, Serialize)]
struct AsOfChoice {
    label: String,
    href: String,
}

/// The report as of the end of the period, and as of today, when they differ
/// from the date shown (e.g. how a past half-year's tasks stand now).
fn as_of_choices(q: &Query, today: NaiveDate, lang: Lang) -> Vec<AsOfChoice> {
    let mut out = Vec::new();
    let vi = crate::domain::dates::format_vi;
    let mut dates = Vec::new();
    if q.period.to <= today {
        dates.push((q.period.to, "dashboard-as-of-end"));
    }
    if today != q.period.to {
        dates.push((today, "dashboard-as-of-today"));
    }
    for (date, key) in dates {
        if date == q.as_of || date < q.period.from {
            continue;
        }
        let mut other = q.clone();
        other.as_of = date;
        out.push(AsOfChoice {
            label: i18n::text_with(lang, key, &[("date", vi(date))]),
            href: view::url("/dashboard", &other.with_order(&[])),
        });
    }
    out
}

/// The report laid out for A4 landscape paper, with the period, the as-of
/// date and the time it was printed.
pub async fn print(
    state: State,
    req: HttpRequest,
    user: PageUser,
    sent: Sent<DashboardQuery, ByPage>,
) -> Result<HttpResponse, PageError> {
    let (_, _, view) = match laid_out(&state, &req, &user, &sent, true).await? {
        Ok(laid) => laid,
        Err(form) => return Ok(form),
    };
    let scope_line = export::scope_line(view.root.as_ref(), user.visitor.lang);
    let mut ctx = report_frame(&user, &req, &view, &scope_line);
    ctx.insert("printed_at", &now_printed(&state));
    render(&state, "dashboard_print.html", &ctx)
}

/// A file to download, named after the report.
pub(super) fn download(body: Vec<u8>, content_type: &str, name: &str) -> HttpResponse {
    attachment(content_type, name).body(body)
}

/// A file sent as it is produced (chunked), named after the report.
fn download_stream<S>(body: S, content_type: &str, name: &str) -> HttpResponse
where
    S: futures_util::Stream<Item = std::io::Result<web::Bytes>> + 'static,
{
    attachment(content_type, name).streaming(body)
}

/// The headers of a download: its type, no caching, a safe file name.
fn attachment(content_type: &str, name: &str) -> actix_web::HttpResponseBuilder {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut res = HttpResponse::Ok();
    res.content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{safe}\""),
        ));
    res
}

pub(super) fn file_name(q: &Query, what: &str, ext: &str) -> String {
    let unit = q
        .unit
        .as_deref()
        .map(|u| format!("-{u}"))
        .unwrap_or_default();
    format!("dondoc-{what}-{}{unit}-{}.{ext}", q.period.name(), q.as_of)
}

const CSV: &str = "text/csv; charset=utf-8";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(super) fn export_failed(what: &str, e: impl std::fmt::Display) -> PageError {
    tracing::error!("{what}: {e}");
    PageError::Internal
}

/// The report as on the page (same order), as CSV.
pub async fn report_csv(
    state: State,
    req: HttpRequest,
    user: PageUser,
    sent: Sent<DashboardQuery, ByPage>,
) -> Result<HttpResponse, PageError> {
    let (q, _, view) = match laid_out(&state, &req, &user, &sent, false).await? {
        Ok(laid) => laid,
        Err(form) => return Ok(form),
    };
    let lang = user.visitor.lang;
    let body = export::report_csv(&view, lang).map_err(|e| export_failed("report csv", e))?;
    Ok(download(body, CSV, &file_name(&q, "bao-cao", "csv")))
}

/// The report as on the page, with its months, ages and frozen report, as XLSX.
pub async fn report_xlsx(
    state: State,
    req: HttpRequest,
    user: PageUser,
    sent: Sent<DashboardQuery, ByPage>,
) -> Result<HttpResponse, PageError> {
    let (q, _, view) = match laid_out(&state, &req, &user, &sent, true).await? {
        Ok(laid) => laid,
        Err(form) => return Ok(form),
    };
    let lang = user.visitor.lang;
    let printed_at = now_printed(&state);
    let body = web::block(move || export::report_xlsx(&view, lang, &printed_at))
        .await
        .map_err(|e| export_failed("report xlsx", e))?
        .map_err(|e| export_failed("report xlsx", e))?;
    Ok(download(body, XLSX, &file_name(&q, "bao-cao", "xlsx")))
}

/// The query of the drill-down list and its exports: the dashboard's, and
/// what the list narrows to (one lead unit, statuses, carried over,
/// extended, an age of overdue tasks) and its page.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct DrillQuery {
    #[serde(flatten)]
    dashboard: DashboardQuery,
    #[serde(skip_serializing_if = "Option::is_none")]
    lead_unit: Option<String>,
    #[serde(
        default,
        deserialize_with = "query::one_or_many",
        skip_serializing_if = "Option::is_none"
    )]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    carried: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extended: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    age: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

/// What the drill-down list narrows to beyond the report, checked.
#[derive(Debug, Clone)]
struct ListFilter {
    lead_unit: Option<String>,
    statuses: Vec<Status>,
    carried_over: bool,
    extended: bool,
    age: Option<AgeBucket>,
}

/// `1` is yes; absent, blank or `0` no.
fn flag(name: &str, value: &Option<String>) -> Result<bool, ApiError> {
    match query::typed(value) {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(ApiError::Invalid(
            Invalid::new(name, "err-flag").arg("value", other),
        )),
    }
}

impl DrillQuery {
    fn filter(&self) -> Result<ListFilter, ApiError> {
        let age = match query::typed(&self.age) {
            None => None,
            Some(a) => Some(AgeBucket::from_number(a).ok_or_else(|| {
                ApiError::Invalid(Invalid::new("age", "err-age").arg("value", a))
            })?),
        };
        Ok(ListFilter {
            lead_unit: query::typed(&self.lead_unit).map(str::to_string),
            statuses: query::statuses(query::typed(&self.status))?,
            carried_over: flag("carried", &self.carried)?,
            extended: flag("extended", &self.extended)?,
            age,
        })
    }

    /// The report, the list's filter and its page.
    fn parse(&self, today: NaiveDate) -> Result<(Query, ListFilter, i64), ApiError> {
        let page = query::PageQuery {
            page: self.page.clone(),
            per_page: None,
        }
        .parse(Blank::Absent)?;
        Ok((self.dashboard.parse(today)?, self.filter()?, page.page))
    }

    /// The form shown again with an error: what was typed, and its report's part.
    fn typed(&self) -> (&Self, &ReportQuery) {
        (self, &self.dashboard.report)
    }
}

/// One page of the tasks behind a number of a reader's report.
/// The period line of a task list: what the page shows of the report's
/// heading, without building the report's view.
#[derive(Debug, Serialize)]
struct ListHead {
    period: String,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
}

struct Listed {
    total: i64,
    records: Vec<storage::tasks::TaskRecord>,
    names: HashMap<String, String>,
    scope: Scope,
}

/// The tasks behind a number of the reader's report: the filter read
/// against their scope (a lead unit must lie within it).
fn task_query(
    conn: &mut storage::Conn,
    scope: &Scope,
    filter: ListFilter,
    account: &storage::users::Account,
) -> Result<TaskQuery, StorageError> {
    let lead_unit = match &filter.lead_unit {
        None => None,
        Some(code) => {
            let unit = scope
                .choices
                .iter()
                .find(|u| &u.unit.code == code)
                .ok_or_else(|| {
                    StorageError::Invalid(
                        Invalid::new("lead_unit", "err-unit-outside-scope").arg("value", code),
                    )
                })?;
            Some(unit.unit.id)
        }
    };
    Ok(TaskQuery {
        units: scope.unit_ids.clone(),
        lead_unit,
        statuses: filter.statuses,
        carried_over: filter.carried_over,
        extended: filter.extended,
        age: filter.age,
        viewer: storage::visibility::Viewer::for_account(conn, account)?,
    })
}

fn request_of(q: &Query, user: &PageUser) -> DashboardRequest {
    DashboardRequest {
        period: q.period,
        as_of: q.as_of,
        unit: q.unit.clone(),
        scope_root: user.account.user.scope_unit_id,
        progress: false,
        frozen: false,
    }
}

/// One page of the tasks behind a number of a reader's report.
async fn list_tasks(
    state: &State,
    user: &PageUser,
    q: &Query,
    filter: ListFilter,
    page: i64,
) -> Result<Listed, Failure> {
    let request = request_of(q, user);
    let account = user.account.clone();
    Ok(state
        .run(move |conn| {
            // A list needs the reader's scope, not the report's numbers.
            let (scope, _) =
                storage::dashboard::scope(conn, request.scope_root, request.unit.as_deref())?;
            let tq = task_query(conn, &scope, filter, &account)?;
            let paging = (PER_PAGE, (page - 1).saturating_mul(PER_PAGE));
            let (total, ids) = storage::report::report_task_ids(
                conn,
                &request.period,
                request.as_of,
                &tq,
                Some(paging),
            )?;
            let records = storage::report::load_tasks(conn, &ids)?;
            let names = scope.unit_names();
            Ok(Listed {
                total,
                records,
                names,
                scope,
            })
        })
        .await?)
}

/// A label of what the list holds, e.g. "Quá hạn · 31–60 ngày".
fn describe(filter: &ListFilter, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let labels: Vec<String> = filter
        .statuses
        .iter()
        .map(|s| i18n::text(lang, &format!("status-{}", s.code())))
        .collect();
    if !labels.is_empty() {
        out.push(labels.join(", "));
    }
    if filter.carried_over {
        out.push(i18n::text(lang, "count-carried-over"));
    }
    if filter.extended {
        out.push(i18n::text(lang, "count-extended"));
    }
    if let Some(b) = filter.age {
        out.push(i18n::text_with(
            lang,
            "dashboard-age-filter",
            &[("age", i18n::text(lang, b.label_key()))],
        ));
    }
    out
}

/// What a drill-down list holds, in one line: "6 tháng cuối năm 2022 · tính
/// đến 31/12/2022 · Ban Tuyên giáo · Quá hạn: 3".
fn heading(
    q: &Query,
    root: Option<&UnitRef>,
    lead_name: Option<String>,
    filter: &ListFilter,
    total: i64,
    lang: Lang,
) -> String {
    let unit = lead_name
        .or_else(|| root.map(|u| u.name.clone()))
        .unwrap_or_else(|| i18n::text(lang, "dashboard-list-all-units"));
    let what = describe(filter, lang);
    let what = if what.is_empty() {
        i18n::text(lang, "count-total")
    } else {
        what.join(" · ")
    };
    [
        period_picker::natural_name(&q.period, lang),
        i18n::text_with(
            lang,
            "dashboard-list-as-of",
            &[("date", crate::domain::dates::format_vi(q.as_of))],
        ),
        unit,
        i18n::text_with(
            lang,
            "dashboard-list-count",
            &[("what", what), ("n", total.to_string())],
        ),
    ]
    .join(" · ")
}

/// `/dashboard/tasks`: the tasks behind a number of the report.
pub async fn tasks(
    state: State,
    req: HttpRequest,
    user: PageUser,
    sent: Sent<DrillQuery, ByPage>,
) -> Result<HttpResponse, PageError> {
    let lang = user.visitor.lang;
    let result = match sent.parse(state.config.today()) {
        Ok((q, filter, page)) => list_tasks(&state, &user, &q, filter.clone(), page)
            .await
            .map(|l| (q, l, filter, page)),
        Err(e) => Err(Failure::from(e)),
    };
    let mut ctx = frame(&user.visitor, &req);
    ctx.insert("query", &*sent);
    let (q, listed, filter, page) = match result {
        Ok(v) => v,
        Err(Failure::Page(p)) => return Err(p),
        Err(Failure::Input(i)) => {
            ctx.insert("errors", &field_errors(lang, &[i]));
            ctx.insert("tasks", &Vec::<TaskLine>::new());
            return render_with_status(
                &state,
                "dashboard_tasks.html",
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let view = ListHead {
        period: q.period.name(),
        from: q.period.from,
        to: q.period.to,
        as_of: q.as_of,
    };
    let root = listed.scope.root.as_ref().map(|u| UnitRef {
        code: u.unit.code.clone(),
        name: u.unit.name.clone(),
    });
    let pages = ((listed.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let keep = query::link_query(&DrillQuery {
        page: None,
        ..sent.into_inner()
    });
    ctx.insert("v", &view);
    ctx.insert("filters", &describe(&filter, lang));
    let lead_name = filter
        .lead_unit
        .as_ref()
        .and_then(|c| listed.names.get(c))
        .cloned();
    ctx.insert(
        "lead_unit",
        &filter
            .lead_unit
            .as_ref()
            .map(|c| (c.clone(), lead_name.clone().unwrap_or_default())),
    );
    ctx.insert("total", &listed.total);
    ctx.insert("page", &page);
    ctx.insert("pages", &pages);
    ctx.insert("csv", &format!("/dashboard/tasks.csv?{keep}"));
    ctx.insert("xlsx", &format!("/dashboard/tasks.xlsx?{keep}"));
    ctx.insert("page_query", &keep);
    ctx.insert("back", &view::url("/dashboard", &q.with_order(&[])));
    ctx.insert(
        "heading",
        &heading(&q, root.as_ref(), lead_name, &filter, listed.total, lang),
    );
    ctx.insert("unit_names", &listed.names);
    ctx.insert(
        "tasks",
        &listed
            .records
            .into_iter()
            .map(|r| TaskLine::new(r, q.as_of))
            .collect::<Vec<_>>(),
    );
    ctx.insert("scope_line", &export::scope_line(root.as_ref(), lang));
    render(&state, "dashboard_tasks.html", &ctx)
}

/// Tasks read per database round while an export is produced: few rounds,
/// little held (also the chunk of `storage::report::load_tasks`).
const ROWS_PER_READ: usize = 1000;

/// What an export lists, resolved before its response starts (so that bad
/// input is still answered with the form and its message).
struct ExportList {
    q: Query,
    view: View,
    tq: TaskQuery,
    names: HashMap<String, String>,
}

async fn export_list(
    state: &State,
    user: &PageUser,
    sent: &DrillQuery,
) -> Result<ExportList, Failure> {
    let (q, filter, _) = sent.parse(state.config.today())?;
    let request = request_of(&q, user);
    let account = user.account.clone();
    let (data, tq) = state
        .run(move |conn| {
            let data = storage::dashboard::dashboard(conn, &request)?;
            let tq = task_query(conn, &data.scope, filter, &account)?;
            Ok::<_, StorageError>((data, tq))
        })
        .await?;
    let view = View::build(&q, &data, user.visitor.lang, state.config.tz);
    Ok(ExportList {
        q,
        view,
        tq,
        names: data.scope.unit_names(),
    })
}

impl ExportList {
    /// Every task of the list, in the list's order: the ids first (8 bytes a
    /// task), then the tasks of each [`ROWS_PER_READ`] of them on a connection
    /// taken for that read only (a client that reads slowly holds none).
    fn each_row(
        &self,
        db: &storage::Db,
        mut write: impl FnMut(&TaskRow) -> Result<(), String>,
    ) -> Result<(), String> {
        let q = &self.q;
        let (_, ids) = db
            .conn()
            .and_then(|mut conn| {
                storage::report::report_task_ids(&mut conn, &q.period, q.as_of, &self.tq, None)
            })
            .map_err(|e| e.to_string())?;
        for slice in ids.chunks(ROWS_PER_READ) {
            let records = db
                .conn()
                .and_then(|mut conn| storage::report::load_tasks(&mut conn, slice))
                .map_err(|e| e.to_string())?;
            for r in records {
                write(&TaskRow::new(r, &self.names, &q.period, q.as_of))?;
            }
        }
        Ok(())
    }
}

/// A task list's export: a free slot (else 503), the list, then `produce`
/// writing the file while it is sent.
async fn export<F>(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    sent: DrillQuery,
    (what, ext, content_type): (&'static str, &str, &str),
    produce: F,
) -> Result<HttpResponse, PageError>
where
    F: FnOnce(ExportList, &mut stream::Sink) -> Result<(), String> + Send + 'static,
{
    let slot = state.exports.try_take().ok_or(PageError::Busy)?;
    let list = match export_list(state, user, &sent).await {
        Ok(v) => v,
        Err(f) => return form_error(state, req, user, sent.typed(), f),
    };
    let name = file_name(&list.q, "nhiem-vu", ext);
    let body = stream::produce(what, slot, move |sink| produce(list, sink))
        .await
        .map_err(|e| export_failed(what, e))?;
    Ok(download_stream(body, content_type, &name))
}

/// The tasks behind a number of the report as CSV, sent row by row.
pub async fn tasks_csv(
    state: State,
    req: HttpRequest,
    user: PageUser,
    sent: Sent<DrillQuery, ByPage>,
) -> Result<HttpResponse, PageError> {
    let (lang, db) = (user.visitor.lang, state.db.clone());
    export(
        &state,
        &req,
        &user,
        sent.into_inner(),
        ("tasks csv", "csv", CSV),
        move |list, sink| {
            let mut csv = export::TasksCsv::new(sink, lang)?;
            list.each_row(&db, |r| csv.row(r))?;
            csv.finish().map(drop)
        },
    )
    .await
}

/// The tasks behind a number of the report as a workbook, written to a
/// temporary file (removed when sent) and sent from it.
pub async fn tasks_xlsx(
    state: State,
    req: HttpRequest,
    user: PageUser,
    sent: Sent<DrillQuery, ByPage>,
) -> Result<HttpResponse, PageError> {
    let (lang, db, printed_at) = (user.visitor.lang, state.db.clone(), now_printed(&state));
    export(
        &state,
        &req,
        &user,
        sent.into_inner(),
        ("tasks xlsx", "xlsx", XLSX),
        move |list, sink| {
            let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
            let mut book = export::TasksXlsx::new(&list.view, lang, &printed_at).map_err(e)?;
            list.each_row(&db, |r| book.row(r).map_err(e))?;
            let mut file = tempfile::tempfile().map_err(|e| e.to_string())?;
            book.finish(&mut file).map_err(e)?;
            stream::send_file(file, sink)
        },
    )
    .await
}

/// The message of a refused close or reopen, in the user's language.
fn refusal(lang: Lang, e: ApiError) -> Result<String, PageError> {
    match e {
        ApiError::Invalid(i) | ApiError::BadRequest(i) | ApiError::Conflict(i) => {
            Ok(i18n::invalid(lang, &i))
        }
        ApiError::NotFound => Ok(i18n::text(lang, "dashboard-not-closed")),
        other => Err(other.into()),
    }
}

/// The close and reopen forms: the period (and, to close, the as-of date and a note).
#[derive(Debug, Default, Deserialize)]
pub struct CloseForm {
    #[serde(flatten)]
    report: ReportQuery,
    #[serde(default)]
    note: String,
}

/// The period a close or reopen form names; without a good one, back to the
/// dashboard with the message.
fn required_period(
    form: &CloseForm,
    lang: Lang,
    session: &actix_session::Session,
) -> Result<Result<crate::domain::Period, HttpResponse>, PageError> {
    let fields: PeriodFields = form.report.period_typed();
    let message = match fields.parse() {
        Ok(Some(p)) => return Ok(Ok(p)),
        Ok(None) => i18n::invalid(lang, &Invalid::required("period")),
        Err(e) => refusal(lang, e)?,
    };
    session::flash(session, "error", message);
    Ok(Err(redirect("/dashboard")))
}

/// `POST /dashboard/close`: an official freezes the period's report as of a date.
pub async fn close(
    state: State,
    user: PageUser,
    form: web::Form<CloseForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let lang = user.visitor.lang;
    let today = state.config.today();
    let session = &user.visitor.session;
    let period = match required_period(&form, lang, session)? {
        Ok(p) => p,
        Err(back) => return Ok(back),
    };
    let as_of = query::date("as_of", query::typed(&form.report.as_of))
        .and_then(|as_of| query::as_of_for(&period, as_of, today));
    let as_of = match as_of {
        Ok(a) => a,
        Err(e) => {
            session::flash(session, "error", refusal(lang, e)?);
            return Ok(redirect(&view::url(
                "/dashboard",
                &[("period", period.name())],
            )));
        }
    };
    let note = form.note;
    let user_id = user.account.user.id;
    let result = state
        .run(move |conn| storage::closes::close(conn, &period, as_of, &note, Some(user_id), today))
        .await;
    match result {
        Ok(_) => session::flash(
            session,
            "ok",
            i18n::text_with(
                lang,
                "dashboard-closed",
                &[
                    ("period", period.name()),
                    ("as_of", crate::domain::dates::format_vi(as_of)),
                ],
            ),
        ),
        Err(e) => session::flash(session, "error", refusal(lang, e)?),
    }
    Ok(redirect(&view::url(
        "/dashboard",
        &[("period", period.name()), ("as_of", as_of.to_string())],
    )))
}

/// `POST /dashboard/reopen`: removes a period's close (the audit log keeps it).
pub async fn reopen(
    state: State,
    user: PageUser,
    form: web::Form<CloseForm>,
) -> Result<HttpResponse, PageError> {
    let lang = user.visitor.lang;
    let session = &user.visitor.session;
    let period = match required_period(&form, lang, session)? {
        Ok(p) => p,
        Err(back) => return Ok(back),
    };
    let user_id = user.account.user.id;
    let result = state
        .run(move |conn| storage::closes::reopen(conn, &period, Some(user_id)))
        .await;
    match result {
        Ok(()) => session::flash(
            session,
            "ok",
            i18n::text_with(lang, "dashboard-reopened", &[("period", period.name())]),
        ),
        Err(e) => session::flash(session, "error", refusal(lang, e)?),
    }
    Ok(redirect(&view::url(
        "/dashboard",
        &[("period", period.name())],
    )))
}
