//! The Word documents and where their names are set: the period report
//! (`/dashboard/report.docx`, built from the dashboard's own report and the
//! drill-down lists behind its numbers), a meeting's appendix of tasks
//! (`/meetings/{id}/tasks.docx` and `.xlsx`), and `/admin/report`, where an
//! admin chooses the layout and types the organisation's names.

use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::HashMap;

use super::dashboard::{download, export_failed, file_name, laid_out};
use super::frame::PageUser;
use super::frame::{frame, redirect, render_with_status};
use crate::domain::ids::MeetingId;
use crate::domain::report_doc::{DocSettings, Layout, RawDocSettings};
use crate::domain::{Invalid, Status};
use crate::i18n::{self, Lang};
use crate::storage::report::TaskQuery;
use crate::storage::{self, Conn, StorageError};
use crate::web::docx::appendix::Appendix;
use crate::web::docx::report::{Listed, Lists, ReportDoc};
use crate::web::docx::DOCX;
use crate::web::error::PageError;
use crate::web::export::TaskRow;
use crate::web::query::{ByPage, Query};
use crate::web::report::DashboardQuery;
use crate::web::session;
use crate::web::State;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `GET /dashboard/report.docx`: the report of the dashboard's parameters in
/// the official layout. Its numbers are the
/// [`View`](crate::web::report::View)'s; its lists are the tasks behind the
/// overdue, done-late, extended and carried-over numbers, read as the
/// dashboard's drill-down reads them.
pub async fn report_docx(
    state: State,
    req: HttpRequest,
    user: PageUser,
    sent: Query<DashboardQuery, ByPage>,
) -> Result<HttpResponse, PageError> {
    let (q, data, view) = match laid_out(&state, &req, &user, &sent, false).await? {
        Ok(laid) => laid,
        Err(form) => return Ok(form),
    };
    let lang = user.visitor.lang;
    let names = data.scope.unit_names();
    let (period, as_of, units) = (q.period, q.as_of, data.scope.unit_ids.clone());
    let account = user.account.clone();
    let (lists, settings) = state
        .run(move |conn| {
            // The lists name tasks: confidential ones only for those who may read them.
            let viewer = storage::visibility::Viewer::for_account(conn, &account)?;
            let mut list = |tq: TaskQuery| -> Result<Vec<TaskRow>, StorageError> {
                let (_, ids) = storage::report::report_task_ids(conn, &period, as_of, &tq, None)?;
                Ok(storage::report::load_tasks(conn, &ids)?
                    .into_iter()
                    .map(|r| TaskRow::new(r, &names, &period, as_of))
                    .collect())
            };
            let base = TaskQuery {
                units,
                viewer,
                ..TaskQuery::default()
            };
            let overdue = list(TaskQuery {
                statuses: vec![Status::Overdue],
                ..base.clone()
            })?;
            let done_late = list(TaskQuery {
                statuses: vec![Status::DoneLate],
                ..base.clone()
            })?;
            let extended = list(TaskQuery {
                extended: true,
                ..base.clone()
            })?;
            let carried_over = list(TaskQuery {
                carried_over: true,
                ..base
            })?;
            let ids: Vec<i64> = overdue.iter().map(|r| r.record.task.id).collect();
            let mut last = storage::progress::latest_reports(conn, &ids)?;
            let plain = |rows: Vec<TaskRow>| -> Vec<Listed> {
                rows.into_iter()
                    .map(|row| Listed {
                        row,
                        last_report: None,
                    })
                    .collect()
            };
            let lists = Lists {
                overdue: overdue
                    .into_iter()
                    .map(|row| Listed {
                        last_report: last.remove(&row.record.task.id),
                        row,
                    })
                    .collect(),
                done_late: plain(done_late),
                extended: plain(extended),
                carried_over: plain(carried_over),
            };
            Ok((lists, storage::settings::documents(conn)?))
        })
        .await?;
    let today = state.config.today();
    let body = web::block(move || {
        ReportDoc {
            view: &view,
            period: q.period,
            lists: &lists,
            settings: &settings,
            lang,
            today,
        }
        .write()
    })
    .await
    .map_err(|e| export_failed("report docx", e))?
    .map_err(|e| export_failed("report docx", e))?;
    Ok(download(body, DOCX, &file_name(&q, "bao-cao", "docx")))
}

/// A meeting with the tasks `account` may read (as on the meeting page), the
/// names of the units, and the document settings.
fn appendix_of(
    conn: &mut Conn,
    account: &crate::storage::users::Account,
    id: i64,
    today: chrono::NaiveDate,
    lang: Lang,
) -> Result<(Appendix, DocSettings), StorageError> {
    let meeting = storage::meetings::get_for(conn, account, id)?;
    let names: HashMap<String, String> = storage::units::list(conn)?
        .into_iter()
        .map(|u| (u.unit.code, u.unit.name))
        .collect();
    let settings = storage::settings::documents(conn)?;
    Ok((Appendix::new(&meeting, &names, today, lang), settings))
}

/// `GET /meetings/{id}/tasks.docx`: the meeting's tasks as an appendix, status as of today.
pub async fn meeting_docx(
    state: State,
    user: PageUser,
    id: web::Path<MeetingId>,
) -> Result<HttpResponse, PageError> {
    appendix_file(
        &state,
        &user,
        id.into_inner(),
        ("appendix docx", "docx", DOCX),
        |a, settings, lang| a.docx(settings, lang).map_err(|e| e.to_string()),
    )
    .await
}

/// `GET /meetings/{id}/tasks.xlsx`: the same appendix as a workbook.
pub async fn meeting_xlsx(
    state: State,
    user: PageUser,
    id: web::Path<MeetingId>,
) -> Result<HttpResponse, PageError> {
    appendix_file(
        &state,
        &user,
        id.into_inner(),
        ("appendix xlsx", "xlsx", XLSX),
        |a, _, lang| a.xlsx(lang).map_err(|e| e.to_string()),
    )
    .await
}

/// A meeting's appendix as a file to download, written by `write` off the
/// request's thread (`what` names it in the log, `ext` ends its name).
async fn appendix_file(
    state: &State,
    user: &PageUser,
    MeetingId(id): MeetingId,
    (what, ext, content_type): (&'static str, &str, &str),
    write: impl FnOnce(&Appendix, &DocSettings, Lang) -> Result<Vec<u8>, String> + Send + 'static,
) -> Result<HttpResponse, PageError> {
    let (today, lang) = (state.config.today(), user.visitor.lang);
    let account = user.account.clone();
    let (appendix, settings) = state
        .run(move |conn| appendix_of(conn, &account, id, today, lang))
        .await?;
    let body = web::block(move || write(&appendix, &settings, lang))
        .await
        .map_err(|e| export_failed(what, e))?
        .map_err(|e| export_failed(what, e))?;
    Ok(download(
        body,
        content_type,
        &format!("dondoc-phu-luc-hop-{id}-{today}.{ext}"),
    ))
}

/// The labels of the settings form, by field.
const FIELDS: [(&str, &str); 9] = [
    ("layout", "report-doc-field-layout"),
    ("parent_body", "report-doc-field-parent-body"),
    ("issuer", "report-doc-field-issuer"),
    ("issuer_short", "report-doc-field-issuer-short"),
    ("place", "report-doc-field-place"),
    ("signer_authority", "report-doc-field-signer-authority"),
    ("signer_title", "report-doc-field-signer-title"),
    ("signer_name", "report-doc-field-signer-name"),
    ("recipients", "report-doc-field-recipients"),
];

/// The messages of the form's errors by field, each naming its field.
fn messages(lang: Lang, errors: &[Invalid]) -> HashMap<String, String> {
    super::frame::field_messages(errors, |e| {
        let label = FIELDS
            .iter()
            .find(|(f, _)| *f == e.field)
            .map(|(_, key)| i18n::text(lang, key))
            .unwrap_or_else(|| e.field.clone());
        let mut args: Vec<(&str, String)> = e.args.iter().map(|(k, v)| (*k, v.clone())).collect();
        args.push(("field", label));
        i18n::text_with(lang, e.key, &args)
    })
}

fn settings_page(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    form: &RawDocSettings,
    errors: &[Invalid],
) -> Result<HttpResponse, PageError> {
    let lang = user.visitor.lang;
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("form", form);
    ctx.insert("errors", &messages(lang, errors));
    ctx.insert("layouts", &Layout::ALL.map(|l| l.code()));
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with_status(state, "admin/report.html", &ctx, status)
}

/// `GET /admin/report`: the layout and names of the Word documents.
pub async fn settings(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    let current = state.run(storage::settings::documents).await?;
    settings_page(&state, &req, &user, &RawDocSettings::from(&current), &[])
}

/// `POST /admin/report`: saves them, or shows the form again with what was typed.
pub async fn save_settings(
    state: State,
    req: HttpRequest,
    user: PageUser,
    form: web::Form<RawDocSettings>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let valid = match form.validate() {
        Ok(v) => v,
        Err(errors) => return settings_page(&state, &req, &user, &form, &errors),
    };
    let by = user.account.user.id;
    state
        .run(move |conn| storage::settings::set_documents(conn, &valid, Some(by)))
        .await?;
    session::flash(
        &user.visitor.session,
        "ok",
        i18n::text(user.visitor.lang, "report-doc-saved"),
    );
    Ok(redirect("/admin/report"))
}
