//! "Cần xử lý" (`/inbox`): the home page after sign-in, listing what waits
//! for the reader; and the count of it in the navigation of every page.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;

use super::frame::Badge;
use super::frame::PageUser;
use super::frame::{frame, render};
use crate::domain::inbox::{kinds_for, Kind};
use crate::domain::Role;
use crate::storage;
use crate::storage::inbox::Item;
use crate::web::error::PageError;
use crate::web::session;
use crate::web::State;

/// Counts what waits for the reader before a page is drawn, so that the
/// frame can show it: count queries only, on every page; a failure only
/// leaves the badge out.
pub async fn count_waiting(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.method() == Method::GET {
        if let Some(state) = req.app_data::<State>() {
            let today = state.config.today();
            // Read with the visitor's account, on its connection; a visitor
            // that cannot be read is the page's to answer.
            let read = session::visitor_with(req.request(), move |conn, account| {
                storage::inbox::waiting_count(conn, account, today).ok()
            })
            .await;
            if let Ok((_, Some(Some(n)))) = read {
                req.extensions_mut().insert(Badge(n));
            }
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[derive(Debug, Serialize)]
struct Section {
    kind: &'static str,
    count: i64,
    items: Vec<Item>,
    /// A leader's overdue tasks, by lead unit (name, entries).
    by_unit: Vec<(String, Vec<Item>)>,
}

pub async fn inbox(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    let today = state.config.today();
    let role = user.role();
    let account = user.account.clone();
    let now = storage::now();
    let since = now - chrono::Duration::days(FEED_DAYS);
    let (found, happenings, mails, last_visit) = state
        .run(move |conn| {
            let found = storage::inbox::inbox(conn, &account, today)?;
            let happenings = storage::inbox::happenings(conn, &account, since, 20)?;
            let addresses = addresses_of(conn, account.user.email.clone(), account.user.unit_id)?;
            let mails = storage::inbox::mails_to(conn, &addresses, 10)?;
            let last_visit = storage::inbox::visit(conn, account.user.id, now)?;
            Ok((found, happenings, mails, last_visit))
        })
        .await?;
    let mut ctx = frame(&user.visitor, &req);
    let sections: Vec<Section> = kinds_for(role)
        .iter()
        .map(|kind| {
            let items: Vec<Item> = found
                .items
                .iter()
                .filter(|i| i.kind == *kind)
                .cloned()
                .collect();
            let by_unit = if role == Role::Leader && *kind == Kind::Overdue {
                group_by_unit(&items)
            } else {
                Vec::new()
            };
            Section {
                kind: kind.code(),
                count: found.counts.get(kind.code()).copied().unwrap_or(0),
                items,
                by_unit,
            }
        })
        .collect();
    ctx.insert("sections", &sections);
    ctx.insert("waiting", &found.waiting());
    ctx.insert("today", &today);
    let tz = state.config.tz;
    let local = |at| super::frame::local_time(tz, at);
    let fresh = |at| is_new(at, last_visit);
    ctx.insert(
        "happenings",
        &happenings
            .into_iter()
            .map(|h| (local(h.at), fresh(h.at), h))
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "mails",
        &mails
            .into_iter()
            .map(|m| (local(m.at), m.id, m.subject, fresh(m.at)))
            .collect::<Vec<_>>(),
    );
    ctx.insert("last_visit", &last_visit.map(local));
    ctx.insert("feed_days", &FEED_DAYS);
    render(&state, "inbox.html", &ctx)
}

/// Whether something happened after the reader's previous visit; on a
/// first visit, everything is news.
fn is_new(at: chrono::NaiveDateTime, last_visit: Option<chrono::NaiveDateTime>) -> bool {
    last_visit.is_none_or(|seen| at > seen)
}

/// How far back the feed of what happened reaches.
const FEED_DAYS: i64 = 7;

/// The addresses a user's mails go to: their own, and their unit's.
fn addresses_of(
    conn: &mut storage::Conn,
    email: String,
    unit_id: Option<i64>,
) -> storage::Result<Vec<String>> {
    let mut out = vec![email];
    if let Some(u) = unit_id {
        out.extend(
            storage::units::list(conn)?
                .into_iter()
                .find(|info| info.unit.id == u)
                .and_then(|info| info.unit.email),
        );
    }
    Ok(out)
}

/// A mail the reader was sent, readable in the app (its text version).
pub async fn mail(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: actix_web::web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let email = user.account.user.email.clone();
    let unit_id = user.account.user.unit_id;
    let mail = state
        .run(move |conn| {
            let addresses = addresses_of(conn, email, unit_id)?;
            storage::inbox::mail_to(conn, id, &addresses)
        })
        .await?;
    let mut ctx = frame(&user.visitor, &req);
    ctx.insert("at", &super::frame::local_time(state.config.tz, mail.at));
    ctx.insert("mail", &mail);
    render(&state, "inbox_mail.html", &ctx)
}

/// Entries by lead unit name, the units with the oldest overdue task first;
/// within a unit, the longest overdue first.
fn group_by_unit(items: &[Item]) -> Vec<(String, Vec<Item>)> {
    let mut groups: Vec<(String, Vec<Item>)> = Vec::new();
    for item in items {
        let name = item.unit_name.clone().unwrap_or_default();
        match groups.iter_mut().find(|(n, _)| *n == name) {
            Some((_, list)) => list.push(item.clone()),
            None => groups.push((name, vec![item.clone()])),
        }
    }
    for (_, list) in &mut groups {
        list.sort_by_key(|i| std::cmp::Reverse(i.days.unwrap_or(0)));
    }
    groups.sort_by_key(|(name, list)| {
        (
            std::cmp::Reverse(list.first().and_then(|i| i.days).unwrap_or(0)),
            name.clone(),
        )
    });
    groups
}
