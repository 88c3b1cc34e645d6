//! The frame every page shares: its context (language, navigation, the
//! inbox badge, flashes), rendering, redirects, field errors, error pages,
//! and the signed-in user a page's table entry lets in ([`PageUser`]).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use crate::domain::{Action, Role};
use crate::i18n::{self, Lang};
use crate::storage::users::Account;
use crate::web::access::{self, Routes};
use crate::web::error::PageError;
use crate::web::session::{self, Visitor};
use crate::web::State;

/// The page table, as app data for [`PageUser`] (registered with the routes).
#[derive(Clone, Copy)]
pub struct PageTable(pub Routes);

/// How many entries ask for the reader's action, for the navigation's badge.
#[derive(Debug, Clone, Copy)]
pub struct Badge(pub i64);

/// The badge of this request, if it was counted.
pub fn badge(req: &HttpRequest) -> Option<i64> {
    req.extensions().get::<Badge>().map(|b| b.0)
}

#[derive(Debug, Serialize)]
struct NavItem {
    href: &'static str,
    key: &'static str,
    current: bool,
    /// Entries waiting (the inbox item only).
    badge: Option<i64>,
}

#[derive(Debug, Serialize)]
struct FrameUser {
    name: String,
    email: String,
    role: Role,
    unit: Option<String>,
}

/// The navigation a role sees; `here` is the path with its query, so that a
/// unit's own list (`/tasks?mine=1`) is marked rather than every task.
fn nav(role: Role, here: &str, badge: Option<i64>) -> Vec<NavItem> {
    let mut items: Vec<(&'static str, &'static str)> = vec![
        ("/dashboard", "nav-dashboard"),
        ("/tasks", "nav-tasks"),
        ("/meetings", "nav-meetings"),
        ("/units", "nav-units"),
    ];
    if role.may(Action::ReportProgress) {
        items.insert(0, ("/tasks?mine=1", "nav-mine"));
    }
    if !crate::domain::inbox::kinds_for(role).is_empty() {
        items.insert(0, ("/inbox", "nav-inbox"));
    }
    if role.may(Action::ManageUsers) {
        items.push(("/admin", "nav-admin"));
    } else if role.may(Action::ReadAuditLog) {
        items.push(("/admin/audit", "nav-audit"));
    }
    let (path, query) = here.split_once('?').unwrap_or((here, ""));
    let mine = url::form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "mine");
    items
        .into_iter()
        .map(|(href, key)| NavItem {
            href,
            key,
            current: match href.split_once('?') {
                Some((p, _)) => path == p && mine,
                None => {
                    !(href == "/tasks" && path == href && mine)
                        && (path == href || path.starts_with(&format!("{href}/")))
                }
            },
            badge: (href == "/inbox").then_some(badge).flatten(),
        })
        .collect()
}

/// The context every page starts from.
pub fn frame(visitor: &Visitor, req: &HttpRequest) -> tera::Context {
    let mut ctx = tera::Context::new();
    let lang = visitor.lang;
    ctx.insert("lang", lang.code());
    ctx.insert("other_lang", if lang == Lang::Vi { "en" } else { "vi" });
    ctx.insert("csrf", &session::csrf_token(&visitor.session));
    ctx.insert("path", req.path());
    let here = match req.query_string() {
        "" => req.path().to_string(),
        q => format!("{}?{q}", req.path()),
    };
    ctx.insert("here", &here);
    ctx.insert("flashes", &session::take_flashes(&visitor.session));
    // Forms read `errors[field]`; a page without errors has an empty map.
    ctx.insert("errors", &HashMap::<String, String>::new());
    if let Some(account) = &visitor.account {
        ctx.insert(
            "user",
            &FrameUser {
                name: account.user.name.clone(),
                email: account.user.email.clone(),
                role: account.role(),
                unit: account.unit_code.clone(),
            },
        );
        ctx.insert("nav", &nav(account.role(), &here, badge(req)));
    }
    ctx
}

pub fn render(state: &State, name: &str, ctx: &tera::Context) -> Result<HttpResponse, PageError> {
    render_with_status(state, name, ctx, actix_web::http::StatusCode::OK)
}

pub fn render_with_status(
    state: &State,
    name: &str,
    ctx: &tera::Context,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, PageError> {
    let html = state
        .templates
        .render(name, ctx)
        .map_err(|e| template_failed(name, e))?;
    Ok(html_page(status, html))
}

/// [`render`] for the pages read most under load (the dashboard, task lists):
/// rendered on the blocking pool, so that the server's few request workers
/// (one per core) go on answering other requests, writes above all, instead
/// of each waiting behind every page rendering on its worker.
pub async fn render_aside(
    state: &State,
    name: &'static str,
    ctx: tera::Context,
) -> Result<HttpResponse, PageError> {
    let state = state.clone();
    let html = actix_web::web::block(move || state.templates.render(name, &ctx))
        .await
        .map_err(|e| template_failed(name, e))?
        .map_err(|e| template_failed(name, e))?;
    Ok(html_page(actix_web::http::StatusCode::OK, html))
}

/// A page that could not be rendered: logged with its cause, shown as a server error.
fn template_failed(name: &str, e: impl std::fmt::Debug) -> PageError {
    tracing::error!("template {name}: {e:?}");
    PageError::Internal
}

fn html_page(status: actix_web::http::StatusCode, html: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html)
}

/// The user's own error in an answer (a field to fix), or a page error.
pub fn fixable(e: crate::web::ApiError) -> Result<crate::domain::Invalid, PageError> {
    use crate::web::ApiError;
    match e {
        ApiError::Invalid(i) | ApiError::Conflict(i) | ApiError::BadRequest(i) => Ok(i),
        other => Err(other.into()),
    }
}

/// Field errors of a form, by field, in the visitor's language.
pub fn field_errors(lang: Lang, errors: &[crate::domain::Invalid]) -> HashMap<String, String> {
    field_messages(errors, |e| i18n::invalid(lang, e))
}

/// The messages of a form's errors by field (`said` words one), a field's
/// messages one after the other.
pub fn field_messages(
    errors: &[crate::domain::Invalid],
    said: impl Fn(&crate::domain::Invalid) -> String,
) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for e in errors {
        let text = said(e);
        out.entry(e.field.clone())
            .and_modify(|t| {
                t.push(' ');
                t.push_str(&text);
            })
            .or_insert(text);
    }
    out
}

/// A stored time (UTC) as the office reads it: in its time zone, day first.
pub fn local_time(tz: chrono_tz::Tz, at: chrono::NaiveDateTime) -> String {
    at.and_utc()
        .with_timezone(&tz)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// A local path to go back to after a form; anything else goes home.
///
/// The path is resolved the way a browser would resolve it (`/\\x`, `/%09/x`
/// after decoding, `//x` all leave the site) and kept only if it stays on this
/// origin; control characters are refused outright (a browser drops a tab, and
/// a line break cannot go into a header). What comes back is the resolved,
/// percent-encoded path and query.
pub fn safe_next(next: Option<&str>) -> String {
    // Home is the signed-in user's inbox ("/" leads there).
    const HOME: &str = "/";
    let Some(next) = next else {
        return HOME.into();
    };
    if !next.starts_with('/') || next.chars().any(char::is_control) {
        return HOME.into();
    }
    // The app's routes sit at the root of its origin, so any origin stands for it.
    let Ok(base) = url::Url::parse("http://dondoc.invalid/") else {
        return HOME.into();
    };
    match base.join(next) {
        Ok(u) if u.origin() == base.origin() => u[url::Position::BeforePath..].to_string(),
        _ => HOME.into(),
    }
}

/// The context of a page for a visitor whose session is unknown.
pub fn bare_frame(lang: Lang, here: &str) -> tera::Context {
    let mut c = tera::Context::new();
    c.insert("lang", lang.code());
    c.insert("other_lang", if lang == Lang::Vi { "en" } else { "vi" });
    c.insert("here", here);
    c.insert("csrf", "");
    c
}

/// An error page (plain text if even the template fails).
pub fn error_page(
    state: Option<&State>,
    mut ctx: tera::Context,
    status: actix_web::http::StatusCode,
    (title_key, text_key): (&str, &str),
) -> HttpResponse {
    ctx.insert("title_key", title_key);
    ctx.insert("text_key", text_key);
    ctx.insert("status", &status.as_u16());
    let lang = ctx
        .get("lang")
        .and_then(|l| l.as_str())
        .and_then(Lang::from_code)
        .unwrap_or_default();
    let mut res = match state.and_then(|s| s.templates.render("error.html", &ctx).ok()) {
        Some(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        None => HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(i18n::text(lang, text_key)),
    };
    if status == actix_web::http::StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
    }
    res
}

/// A signed-in user allowed to open the requested page (by the page table).
#[derive(Clone)]
pub struct PageUser {
    pub account: Account,
    pub visitor: Visitor,
}

impl PageUser {
    pub fn role(&self) -> Role {
        self.account.role()
    }

    pub fn may(&self, action: Action) -> bool {
        self.role().may(action)
    }
}

impl FromRequest for PageUser {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<PageUser, PageError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let visitor = Visitor::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let visitor = visitor.await?;
            let Some(account) = visitor.account.clone() else {
                let next = match req.query_string() {
                    "" => req.path().to_string(),
                    q => format!("{}?{q}", req.path()),
                };
                return Err(PageError::SignIn {
                    next,
                    expired: visitor.expired,
                });
            };
            let action = req
                .app_data::<PageTable>()
                .and_then(|table| access::required_action(table.0, &req, ""))
                .ok_or(PageError::NotFound)?;
            if !account.role().may(action) {
                return Err(PageError::Forbidden);
            }
            Ok(PageUser { account, visitor })
        })
    }
}
