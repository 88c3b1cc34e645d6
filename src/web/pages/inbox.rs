//! "Cần xử lý" (`/inbox`): the home page after sign-in, listing what waits
//! for the reader; and the count of it in the navigation of every page.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;

use super::{frame, render};
use crate::domain::inbox::{kinds_for, Kind};
use crate::domain::Role;
use crate::storage;
use crate::storage::inbox::Item;
use crate::web::error::PageError;
use crate::web::session::{PageUser, Visitor};
use crate::web::State;

/// How many entries ask for the reader's action, for the navigation's badge.
#[derive(Debug, Clone, Copy)]
pub struct Badge(pub i64);

/// Counts the reader's inbox before a page is drawn, so that the frame can
/// show it; a failure only leaves the badge out.
pub async fn count_waiting(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.method() == Method::GET {
        if let (Ok(visitor), Some(state)) = (
            req.extract::<Visitor>().await,
            req.app_data::<State>().cloned(),
        ) {
            if let Some(account) = visitor.account {
                let today = state.config.today();
                let found = state
                    .into_inner()
                    .run(move |conn| {
                        storage::inbox::inbox(conn, account.role(), account.user.unit_id, today)
                    })
                    .await;
                if let Ok(inbox) = found {
                    req.extensions_mut().insert(Badge(inbox.waiting()));
                }
            }
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The badge of this request, if it was counted.
pub fn badge(req: &HttpRequest) -> Option<i64> {
    req.extensions().get::<Badge>().map(|b| b.0)
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
    let unit_id = user.account.user.unit_id;
    let found = state
        .clone()
        .into_inner()
        .run(move |conn| storage::inbox::inbox(conn, role, unit_id, today))
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
    render(&state, "inbox.html", &ctx)
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
