//! The pages everyone signed in reads: dashboard, tasks, meetings, units.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::frame::PageUser;
use super::frame::{field_errors, frame, redirect, render, render_aside, render_with_status};
use super::task_page::TaskLine;
use crate::domain::ids::MeetingId;
use crate::domain::Status;
use crate::storage::meetings::MeetingSummary;
use crate::storage::tasks::UnitRole;
use crate::storage::{self};
use crate::web::error::PageError;
use crate::web::query::{link_query, typed, Blank, ByPage, Query, TaskList, TaskListQuery};
use crate::web::schema::MeetingJson;
use crate::web::session::Visitor;
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

/// The task list page's query: the API's, and the unit's own view.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct TasksPageQuery {
    #[serde(flatten)]
    list: TaskListQuery,
    /// The reader's unit's tasks, open ones first (any value).
    #[serde(skip_serializing_if = "Option::is_none")]
    mine: Option<String>,
    /// With `mine`: finished tasks too (any value).
    #[serde(skip_serializing_if = "Option::is_none")]
    done: Option<String>,
}

/// The task list with no rows and the message of the field at fault.
fn refused(
    state: &State,
    mut ctx: tera::Context,
    lang: crate::i18n::Lang,
    e: crate::web::ApiError,
) -> Result<HttpResponse, PageError> {
    ctx.insert("errors", &field_errors(lang, &[super::frame::fixable(e)?]));
    ctx.insert("tasks", &Vec::<TaskLine>::new());
    ctx.insert("units", &Vec::<(String, String)>::new());
    render_with_status(
        state,
        "tasks.html",
        &ctx,
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
    )
}

pub async fn tasks(
    state: State,
    req: HttpRequest,
    user: PageUser,
    sent: Query<TasksPageQuery, ByPage>,
) -> Result<HttpResponse, PageError> {
    let today = state.config.today();
    let lang = user.visitor.lang;
    let mut ctx = frame(&user.visitor, &req);
    ctx.insert("query", &*sent);
    ctx.insert("statuses", &Status::ALL.map(|s| s.code()));
    ctx.insert(
        "waitings",
        &crate::domain::inbox::Waiting::ALL.map(|w| w.code()),
    );
    let mine = typed(&sent.mine).is_some();
    ctx.insert(
        "picker",
        &super::period_picker::picker(sent.list.period_typed(), None, today, lang).optional(),
    );
    let TaskList {
        mut filter,
        as_of,
        unit,
        page,
    } = match sent.list.parse(Blank::Absent, today) {
        Ok(v) => v,
        Err(e) => return refused(&state, ctx, lang, e),
    };
    let unit_code = if mine {
        user.account.unit_code.clone()
    } else {
        unit
    };
    // A unit starts on its open work; finished tasks are one toggle away.
    let show_done = typed(&sent.done).is_some();
    if mine {
        filter.unit_role = UnitRole::LeadOrCoordinator;
        filter.overdue_first = true;
        filter.open_only = !show_done;
    }
    let account = user.account.clone();
    let result = state
        .run(move |conn| {
            let units = storage::units::list(conn)?;
            if let Some(code) = unit_code {
                filter.unit_id = Some(storage::units::id_among(&units, "unit", &code)?);
            }
            let found = storage::tasks::list_for(conn, &account, filter, page, today)?;
            let ids: Vec<i64> = found.items.iter().map(|r| r.task.id).collect();
            let latest = storage::progress::latest_reports(conn, &ids)?;
            Ok((units, found, latest))
        })
        .await;
    let (units, found, latest) = match result {
        Ok(v) => v,
        Err(e) => return refused(&state, ctx, lang, e),
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
    let mut others = sent.into_inner();
    others.list.page = None;
    ctx.insert("page_query", &link_query(&others));
    render_aside(&state, "tasks.html", ctx).await
}

pub async fn meetings(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    let account = user.account.clone();
    let list = state
        .run(move |conn| storage::meetings::list_for(conn, &account))
        .await?;
    let mut ctx = frame(&user.visitor, &req);
    ctx.insert(
        "meetings",
        &list.into_iter().map(MeetingJson::from).collect::<Vec<_>>(),
    );
    render(&state, "meetings.html", &ctx)
}

pub async fn meeting(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<MeetingId>,
) -> Result<HttpResponse, PageError> {
    let MeetingId(id) = id.into_inner();
    let today = state.config.today();
    let account = user.account.clone();
    let m = state
        .run(move |conn| storage::meetings::get_for(conn, &account, id))
        .await?;
    let mut ctx = frame(&user.visitor, &req);
    ctx.insert(
        "meeting",
        &MeetingJson::from(MeetingSummary {
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
        &feed_created.map(|t| super::frame::local_time(state.config.tz, t)),
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
        .run(move |conn| storage::calendar::rotate_secret(conn, unit))
        .await?;
    units_page(&state, &req, &user, Some(secret)).await
}
