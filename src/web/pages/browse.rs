//! The pages everyone signed in reads: dashboard, tasks, meetings, units.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

use super::{field_errors, frame, redirect, render, render_aside, render_with_status};
use crate::domain::inbox::Stage;
use crate::domain::Status;
use crate::storage::tasks::{PageRequest, TaskRecord, UnitRole};
use crate::storage::{self};
use crate::web::error::PageError;
use crate::web::query::{filter_from, Params};
use crate::web::session::{PageUser, Visitor};
use crate::web::State;

/// Where a signed-in user starts: what waits for them ("Cần xử lý"); an
/// administrator, who has nothing to decide, starts on the admin pages.
pub async fn home(visitor: Visitor) -> HttpResponse {
    redirect(match visitor.role() {
        None => "/login",
        Some(crate::domain::Role::Admin) => "/admin",
        Some(_) => "/inbox",
    })
}

#[derive(Debug, Serialize)]
pub struct TaskLine {
    id: i64,
    reference: String,
    content: String,
    /// `None`: shown as "chưa giao".
    lead_unit: Option<String>,
    coordinators: Vec<String>,
    assigned_on: NaiveDate,
    deadline: Option<NaiveDate>,
    original_deadline: Option<NaiveDate>,
    completed_on: Option<NaiveDate>,
    state: &'static str,
    status: Option<&'static str>,
    /// Days until the deadline while open and in time.
    days_left: Option<i64>,
    /// Days past the deadline while open and overdue.
    days_overdue: Option<i64>,
    percent: i32,
    /// "Mật", by its own flag or its meeting's: shown with a badge.
    confidential: bool,
}

impl TaskLine {
    pub fn new(r: TaskRecord, as_of: NaiveDate) -> TaskLine {
        let dates = r.task.dates();
        let status = dates.status_as_of(as_of);
        TaskLine {
            id: r.task.id,
            reference: r.task.reference,
            content: r.task.content,
            lead_unit: r.lead_unit,
            coordinators: r.coordinators,
            assigned_on: r.task.assigned_on,
            deadline: r.task.deadline,
            original_deadline: r.task.original_deadline,
            completed_on: r.task.completed_on,
            state: dates.state().code(),
            days_left: status
                .filter(|s| *s == Status::InProgress)
                .and_then(|_| dates.days_left(as_of)),
            days_overdue: status
                .filter(|s| *s == Status::Overdue)
                .and_then(|_| dates.days_left(as_of))
                .map(|d| -d),
            status: status.map(Status::code),
            percent: r.task.percent,
            confidential: r.task.confidential,
        }
    }
}

pub async fn tasks(
    state: State,
    req: HttpRequest,
    user: PageUser,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let params = Params(query.into_inner());
    let today = state.config.today();
    let lang = user.visitor.lang;
    let mut ctx = frame(&user.visitor, &req);
    ctx.insert("query", &params.0);
    ctx.insert("statuses", &Status::ALL.map(|s| s.code()));
    ctx.insert(
        "waitings",
        &crate::domain::inbox::Waiting::ALL.map(|w| w.code()),
    );
    let mine = params.get("mine").is_some();
    ctx.insert(
        "picker",
        &super::period_picker::picker(&params, None, today, lang).optional(),
    );
    let parsed = filter_from(&params, None, today).and_then(|f| {
        let page = PageRequest {
            page: params.number("page", 1)?,
            per_page: params.number("per_page", 50)?,
        };
        Ok((f, page))
    });
    let ((mut filter, as_of), page) = match parsed {
        Ok(v) => v,
        Err(e) => {
            ctx.insert("errors", &field_errors(lang, &[super::fixable(e)?]));
            ctx.insert("tasks", &Vec::<TaskLine>::new());
            ctx.insert("units", &Vec::<(String, String)>::new());
            return render_with_status(
                &state,
                "tasks.html",
                &ctx,
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let unit_code = if mine {
        user.account.unit_code.clone()
    } else {
        params.get("unit").map(str::to_string)
    };
    // A unit starts on its open work; finished tasks are one toggle away.
    let show_done = params.get("done").is_some();
    if mine {
        filter.unit_role = UnitRole::LeadOrCoordinator;
        filter.overdue_first = true;
        filter.open_only = !show_done;
    }
    let account = user.account.clone();
    let result = state
        .clone()
        .into_inner()
        .run(move |conn| {
            let units = storage::units::list(conn)?;
            if let Some(code) = unit_code {
                filter.unit_id = Some(storage::units::id_for_field(conn, "unit", &code)?);
            }
            let found = storage::visibility::list_for(conn, &account, filter, page, today)?;
            let ids: Vec<i64> = found.items.iter().map(|r| r.task.id).collect();
            let latest = storage::progress::latest_reports(conn, &ids)?;
            Ok((units, found, latest))
        })
        .await;
    let (units, found, latest) = match result {
        Ok(v) => v,
        Err(e) => {
            ctx.insert("errors", &field_errors(lang, &[super::fixable(e)?]));
            ctx.insert("tasks", &Vec::<TaskLine>::new());
            ctx.insert("units", &Vec::<(String, String)>::new());
            return render_with_status(
                &state,
                "tasks.html",
                &ctx,
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let pages = (found.total + found.per_page - 1) / found.per_page;
    ctx.insert(
        "unit_names",
        &units
            .iter()
            .map(|u| (u.unit.code.clone(), u.unit.name.clone()))
            .collect::<HashMap<_, _>>(),
    );
    ctx.insert(
        "units",
        &units
            .iter()
            .map(|u| (u.unit.code.clone(), u.unit.name.clone()))
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "tasks",
        &found
            .items
            .into_iter()
            .map(|r| TaskLine::new(r, as_of))
            .collect::<Vec<_>>(),
    );
    let latest: HashMap<String, (String, i32, String)> = latest
        .into_iter()
        .map(|(id, (on, percent, note))| (id.to_string(), (on.to_string(), percent, note)))
        .collect();
    ctx.insert("latest", &latest);
    ctx.insert("total", &found.total);
    ctx.insert("page", &found.page);
    ctx.insert("pages", &pages.max(1));
    ctx.insert("as_of", &as_of);
    ctx.insert("mine", &mine);
    ctx.insert("show_done", &show_done);
    ctx.insert(
        "waitings",
        &crate::domain::inbox::Waiting::ALL.map(|w| w.code()),
    );
    let base: Vec<(String, String)> = params
        .0
        .iter()
        .filter(|(k, _)| k.as_str() != "page")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    ctx.insert(
        "page_query",
        &url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(base)
            .finish(),
    );
    render_aside(&state, "tasks.html", ctx).await
}

#[derive(Debug, Serialize)]
struct HistoryLine {
    at: String,
    user: Option<String>,
    action: String,
    /// What changed, one line a field: "Thời hạn: 31/12/2022 → 31/01/2023".
    changes: Vec<String>,
}

pub async fn task(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let ctx = task_context(&state, &req, &user, id.into_inner()).await?;
    render(&state, "task.html", &ctx)
}

/// What the task page shows: the task, its meeting, its history, and the
/// actions the user may take on it.
pub(super) async fn task_context(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    id: i64,
) -> Result<tera::Context, PageError> {
    let today = state.config.today();
    let tz = state.config.tz;
    let account = user.account.clone();
    let lang = user.visitor.lang;
    let (record, history, meeting, stages, units, people) = state
        .clone()
        .into_inner()
        .run(move |conn| {
            let record = storage::visibility::task_for(conn, &account, id)?;
            let filter = storage::audit::AuditFilter {
                task_id: Some(id),
                ..Default::default()
            };
            let history = storage::audit::list(conn, &filter, 200)?;
            let meeting = match record.task.meeting_id {
                Some(m) => Some(storage::meetings::get(conn, m)?.meeting),
                None => None,
            };
            let open = record.task.completed_on.is_none() && record.task.cancelled_on.is_none();
            let stages = storage::inbox::stages(conn, id, open)?;
            let units = storage::units::list(conn)?;
            let people = storage::users::names_by_email(conn)?;
            Ok((record, history, meeting, stages, units, people))
        })
        .await?;
    let mut ctx = frame(&user.visitor, req);
    let open = record.task.cancelled_on.is_none();
    ctx.insert(
        "may_edit",
        &(open && user.may(crate::domain::Action::EditTasks)),
    );
    ctx.insert(
        "may_complete",
        &(open
            && record.task.completed_on.is_none()
            && user.may(crate::domain::Action::ConfirmCompletion)),
    );
    ctx.insert("version", &record.task.version);
    ctx.insert("stages", &stages);
    let unit_names: HashMap<String, String> = units
        .into_iter()
        .map(|u| (u.unit.code, u.unit.name))
        .collect();
    ctx.insert("unit_names", &unit_names);
    ctx.insert(
        "completion_waiting",
        &stages.iter().find_map(|s| match s {
            Stage::CompletionWaiting {
                report_id,
                completed_on,
                proposed_on,
            } => Some((report_id, completed_on.unwrap_or(*proposed_on))),
            _ => None,
        }),
    );
    ctx.insert(
        "extension_waiting",
        &stages.iter().find_map(|s| match s {
            Stage::ExtensionWaiting {
                extension_id,
                new_deadline,
            } => Some((extension_id, new_deadline)),
            _ => None,
        }),
    );
    ctx.insert("today", &today);
    ctx.insert("typed", &HashMap::<String, String>::new());
    ctx.insert("expected_output", &record.task.expected_output);
    ctx.insert("cancel_reason", &record.task.cancel_reason);
    ctx.insert("cancelled_on", &record.task.cancelled_on);
    super::work::work_context(state, user, &record, &mut ctx).await?;
    ctx.insert("task", &TaskLine::new(record, today));
    ctx.insert("meeting", &meeting.map(|m| (m.id, m.title)));
    ctx.insert(
        "history",
        &history
            .into_iter()
            .map(|h| HistoryLine {
                at: h
                    .at
                    .and_utc()
                    .with_timezone(&tz)
                    .format("%d/%m/%Y %H:%M")
                    .to_string(),
                user: h.user_email.map(|e| people.get(&e).cloned().unwrap_or(e)),
                changes: super::history::describe_details(lang, &h.action, &h.details, &unit_names),
                action: h.action,
            })
            .collect::<Vec<_>>(),
    );
    Ok(ctx)
}

pub async fn meetings(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    let account = user.account.clone();
    let list = state
        .clone()
        .into_inner()
        .run(move |conn| storage::visibility::meetings_for(conn, &account))
        .await?;
    let mut ctx = frame(&user.visitor, &req);
    ctx.insert(
        "meetings",
        &list
            .into_iter()
            .map(crate::web::api::meetings::MeetingJson::from)
            .collect::<Vec<_>>(),
    );
    render(&state, "meetings.html", &ctx)
}

pub async fn meeting(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let today = state.config.today();
    let account = user.account.clone();
    let m = state
        .clone()
        .into_inner()
        .run(move |conn| storage::visibility::meeting_for(conn, &account, id))
        .await?;
    let mut ctx = frame(&user.visitor, &req);
    ctx.insert(
        "meeting",
        &crate::web::api::meetings::MeetingJson::from(storage::meetings::MeetingSummary {
            task_count: m.tasks.len() as i64,
            meeting: m.meeting.clone(),
            organiser_unit: m.organiser_unit.clone(),
        }),
    );
    ctx.insert("conclusion_text", &m.meeting.conclusion_text);
    ctx.insert("documents", &m.documents);
    ctx.insert(
        "tasks",
        &m.tasks
            .into_iter()
            .map(|t| TaskLine::new(t, today))
            .collect::<Vec<_>>(),
    );
    render(&state, "meeting.html", &ctx)
}

pub async fn units(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    units_page(&state, &req, &user, None).await
}

/// The unit tree; for a user of a unit, their unit's calendar feed: when its
/// address was made and a button for a new one (the address itself is shown
/// once, right after it is made, since only its hash is kept).
async fn units_page(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    new_secret: Option<String>,
) -> Result<HttpResponse, PageError> {
    let own = user.account.user.unit_id;
    let (units, feed_created) = state
        .clone()
        .into_inner()
        .run(move |conn| {
            let created = match own {
                Some(u) => storage::calendar::feed_created(conn, u)?,
                None => None,
            };
            Ok((storage::units::list(conn)?, created))
        })
        .await?;
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("units", &super::admin::unit_tree(units));
    ctx.insert("has_unit", &own.is_some());
    ctx.insert(
        "feed_created",
        &feed_created.map(|t| {
            t.and_utc()
                .with_timezone(&state.config.tz)
                .format("%d/%m/%Y %H:%M")
                .to_string()
        }),
    );
    ctx.insert(
        "feed_url",
        &new_secret.map(|s| crate::web::ics::feed_url(&state.config.base_url, &s)),
    );
    render(state, "units.html", &ctx)
}

/// A new feed address for the user's own unit: the old one stops working.
pub async fn new_feed(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    // Without a unit there is no feed to renew.
    let unit = user.account.user.unit_id.ok_or(PageError::NotFound)?;
    let secret = state
        .clone()
        .into_inner()
        .run(move |conn| storage::calendar::rotate_secret(conn, unit))
        .await?;
    units_page(&state, &req, &user, Some(secret)).await
}
