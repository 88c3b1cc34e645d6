//! Server-rendered pages (Tera templates embedded in the binary), the page
//! table that says which action each page needs, and the frame every page
//! shares: language, navigation by role, flash messages, error pages, and the
//! anti-forgery check on every form.

mod admin;
mod auth;
mod browse;
mod dashboard;
mod documents;
mod editing;
mod history;
mod holidays;
mod inbox;
mod meeting_new;
mod period_picker;
mod work;

use actix_session::SessionExt;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

use crate::domain::{Action, Role};
use crate::i18n::{self, Lang};
use crate::web::error::PageError;
use crate::web::session::{self, Visitor};
use crate::web::State;

/// Who may open a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Signed in, with a role that may do this.
    Signed(Action),
}

/// Registers each page and lists it in [`PAGES`] with the access it needs; the
/// [`session::PageUser`] extractor enforces the table.
macro_rules! page_routes {
    ($( $method:ident $path:literal => $handler:path, $access:expr ),* $(,)?) => {
        /// Every page: (method, path, access).
        pub const PAGES: &[(&str, &str, Access)] = &[$( (stringify!($method), $path, $access) ),*];

        fn register_pages(cfg: &mut web::ServiceConfig) {
            $( cfg.route($path, web::method(Method::$method).to($handler)); )*
        }
    };
}

use Access::{Public, Signed};
use Action::*;

page_routes! {
    GET "/" => browse::home, Public,
    GET "/login" => auth::login_form, Public,
    POST "/login" => auth::login, Public,
    POST "/logout" => auth::logout, Signed(Read),
    POST "/lang/{code}" => auth::switch_lang, Public,
    GET "/account/password" => auth::password_form, Signed(Read),
    POST "/account/password" => auth::change_password, Signed(Read),
    GET "/account" => auth::account, Signed(Read),
    POST "/account/sessions/end" => auth::end_all_sessions, Signed(Read),
    POST "/account/sessions/{id}/end" => auth::end_session, Signed(Read),
    POST "/account/tokens" => auth::create_token, Signed(Read),
    POST "/account/tokens/{id}/revoke" => auth::revoke_token, Signed(Read),
    GET "/inbox" => inbox::inbox, Signed(Read),
    GET "/inbox/mail/{id}" => inbox::mail, Signed(Read),
    GET "/dashboard" => dashboard::dashboard, Signed(Read),
    GET "/dashboard/print" => dashboard::print, Signed(Read),
    GET "/dashboard/export.csv" => dashboard::report_csv, Signed(Read),
    GET "/dashboard/export.xlsx" => dashboard::report_xlsx, Signed(Read),
    GET "/dashboard/tasks" => dashboard::tasks, Signed(Read),
    GET "/dashboard/tasks.csv" => dashboard::tasks_csv, Signed(Read),
    GET "/dashboard/tasks.xlsx" => dashboard::tasks_xlsx, Signed(Read),
    GET "/dashboard/report.docx" => documents::report_docx, Signed(Read),
    POST "/dashboard/close" => dashboard::close, Signed(ClosePeriod),
    POST "/dashboard/reopen" => dashboard::reopen, Signed(ClosePeriod),
    GET "/tasks" => browse::tasks, Signed(Read),
    GET "/tasks/new" => editing::new_task, Signed(EditTasks),
    POST "/tasks/new" => editing::post_new_task, Signed(EditTasks),
    GET "/tasks/{id}" => browse::task, Signed(Read),
    GET "/tasks/{id}/edit" => editing::edit_task, Signed(EditTasks),
    POST "/tasks/{id}/edit" => editing::post_edit_task, Signed(EditTasks),
    POST "/tasks/{id}/cancel" => editing::cancel_task, Signed(EditTasks),
    POST "/tasks/{id}/complete" => editing::complete_task, Signed(ConfirmCompletion),
    POST "/tasks/{id}/reports" => work::add_report, Signed(ReportProgress),
    POST "/tasks/{id}/extensions" => work::request_extension, Signed(RequestExtension),
    POST "/reports/{id}/return" => work::return_proposal, Signed(ConfirmCompletion),
    POST "/extensions/{id}/approve" => work::approve_extension, Signed(DecideExtensions),
    POST "/extensions/{id}/reject" => work::reject_extension, Signed(DecideExtensions),
    GET "/attachments/{id}" => work::attachment, Signed(Read),
    POST "/report-links/{id}/revoke" => work::revoke_link, Signed(RevokeReportLinks),
    GET "/tasks/{id}/report" => work::link_form, Public,
    POST "/tasks/{id}/report" => work::link_report, Public,
    GET "/meetings" => browse::meetings, Signed(Read),
    GET "/meetings/new" => meeting_new::new_meeting, Signed(RecordMeetings),
    POST "/meetings/new" => meeting_new::post_new_meeting, Signed(RecordMeetings),
    GET "/meetings/{id}" => browse::meeting, Signed(Read),
    GET "/meetings/{id}/documents/{doc}" => meeting_new::download_document, Signed(Read),
    GET "/meetings/{id}/edit" => editing::edit_meeting, Signed(RecordMeetings),
    POST "/meetings/{id}/edit" => editing::post_edit_meeting, Signed(RecordMeetings),
    GET "/meetings/{id}/tasks.docx" => documents::meeting_docx, Signed(Read),
    GET "/meetings/{id}/tasks.xlsx" => documents::meeting_xlsx, Signed(Read),
    GET "/units" => browse::units, Signed(Read),
    POST "/units/feed" => browse::new_feed, Signed(Read),
    GET "/admin" => admin::index, Signed(ManageUsers),
    GET "/admin/users" => admin::users, Signed(ManageUsers),
    POST "/admin/users" => admin::add_user, Signed(ManageUsers),
    POST "/admin/users/{id}" => admin::update_user, Signed(ManageUsers),
    POST "/admin/users/{id}/password" => admin::reset_password, Signed(ManageUsers),
    GET "/admin/units" => admin::units, Signed(ManageUnits),
    POST "/admin/units" => admin::save_unit, Signed(ManageUnits),
    POST "/admin/units/import" => admin::import_units, Signed(ManageUnits),
    GET "/admin/tokens" => admin::tokens, Signed(ManageTokens),
    POST "/admin/tokens/{id}/revoke" => admin::revoke_token, Signed(ManageTokens),
    GET "/admin/audit" => admin::audit, Signed(ReadAuditLog),
    GET "/admin/mail" => admin::mail, Signed(ManageSettings),
    POST "/admin/mail/{id}/send" => admin::send_again, Signed(ManageSettings),
    GET "/admin/report" => documents::settings, Signed(ManageSettings),
    POST "/admin/report" => documents::save_settings, Signed(ManageSettings),
    GET "/admin/holidays" => holidays::list, Signed(ManageSettings),
    POST "/admin/holidays" => holidays::add, Signed(ManageSettings),
    POST "/admin/holidays/{day}/remove" => holidays::remove, Signed(ManageSettings),
}

/// The action the matched page needs (`None` for public pages and unknown routes).
pub fn required_action(req: &HttpRequest) -> Option<Action> {
    let pattern = req.match_pattern()?;
    let method = req.method().as_str();
    PAGES.iter().find_map(|(m, p, access)| match access {
        Signed(action) if *m == method && *p == pattern => Some(*action),
        _ => None,
    })
}

/// Embeds templates by name, so that the binary runs from any folder.
macro_rules! embedded_templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../templates/", $name)))),*]
    };
}

/// Every page template.
const TEMPLATES: &[(&str, &str)] = embedded_templates![
    "base.html",
    "macros.html",
    "error.html",
    "login.html",
    "password.html",
    "account.html",
    "dashboard.html",
    "dashboard_parts.html",
    "dashboard_print.html",
    "dashboard_tasks.html",
    "tasks.html",
    "task.html",
    "meetings.html",
    "meeting.html",
    "units.html",
    "admin/index.html",
    "admin/users.html",
    "admin/units.html",
    "admin/tokens.html",
    "admin/audit.html",
    "admin/holidays.html",
    "admin/mail.html",
    "meeting_new.html",
    "meeting_edit.html",
    "task_form.html",
    "report_link.html",
    "inbox.html",
    "report_files.html",
    "admin/report.html",
    "inbox_mail.html",
];

/// The largest form body read. Conclusion texts are checked for length by the
/// forms themselves (with a message); this limit only stops abuse.
pub use work::UPLOAD_LIMIT;

pub const FORM_LIMIT: usize = 8 * 1024 * 1024;

const APP_CSS: &str = include_str!("../../../static/app.css");
/// The one script: a filter for the unit pickers (forms work without it).
const UNIT_PICKER_JS: &str = include_str!("../../../static/unit-picker.js");

pub fn templates() -> Result<tera::Tera, tera::Error> {
    let mut tera = tera::Tera::default();
    tera.add_raw_templates(TEMPLATES.to_vec())?;
    tera.autoescape_on(vec![".html"]);
    tera.register_function("t", i18n::tera_t);
    tera.register_filter("vidate", VietnameseDate);
    tera.register_function("period_label", period_label);
    Ok(tera)
}

/// `{{ period_label(name="2022-H2", lang=lang) }}`: "6 tháng cuối năm 2022";
/// a name that is not a period, as it is.
fn period_label(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let name = args.get("name").and_then(|v| v.as_str()).unwrap_or("");
    let lang = args
        .get("lang")
        .and_then(|v| v.as_str())
        .and_then(Lang::from_code)
        .unwrap_or_default();
    Ok(tera::Value::String(
        match name.parse::<crate::domain::Period>() {
            Ok(p) => period_picker::natural_name(&p, lang),
            Err(_) => name.to_string(),
        },
    ))
}

/// `{{ d | vidate }}`: `2022-12-31` as `31/12/2022`; anything else as it is.
struct VietnameseDate;

impl tera::Filter for VietnameseDate {
    fn filter(
        &self,
        value: &tera::Value,
        _: &HashMap<String, tera::Value>,
    ) -> tera::Result<tera::Value> {
        let text = value.as_str().unwrap_or("");
        Ok(tera::Value::String(
            match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(d) => crate::domain::dates::format_vi(d),
                // Not a date: escaped like any other text.
                Err(_) => tera::escape_html(text),
            },
        ))
    }

    /// Its output is digits and slashes, or escaped text.
    fn is_safe(&self) -> bool {
        true
    }
}

pub fn register(cfg: &mut web::ServiceConfig, sessions: session::Sessions) {
    cfg.route("/static/app.css", web::get().to(css))
        .route("/static/unit-picker.js", web::get().to(unit_picker_js))
        .service(
            web::scope("")
                .wrap(actix_web::middleware::from_fn(inbox::count_waiting))
                .wrap(actix_web::middleware::from_fn(check_csrf))
                .wrap(actix_web::middleware::from_fn(render_errors))
                .wrap(sessions)
                .wrap(actix_web::middleware::from_fn(sessions_unavailable))
                .configure(register_pages)
                .default_service(web::to(|| async {
                    Err::<HttpResponse, _>(PageError::NotFound)
                })),
        );
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
        ctx.insert("nav", &nav(account.role(), &here, inbox::badge(req)));
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
    let html = state.templates.render(name, ctx).map_err(|e| {
        tracing::error!("template {name}: {e:?}");
        PageError::Internal
    })?;
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
    let html = web::block(move || state.templates.render(name, &ctx))
        .await
        .map_err(|e| {
            tracing::error!("template {name}: {e}");
            PageError::Internal
        })?
        .map_err(|e| {
            tracing::error!("template {name}: {e:?}");
            PageError::Internal
        })?;
    Ok(html_page(actix_web::http::StatusCode::OK, html))
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
    let mut out: HashMap<String, String> = HashMap::new();
    for e in errors {
        let text = i18n::invalid(lang, e);
        out.entry(e.field.clone())
            .and_modify(|t| {
                t.push(' ');
                t.push_str(&text);
            })
            .or_insert(text);
    }
    out
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

async fn css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(APP_CSS)
}

async fn unit_picker_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(UNIT_PICKER_JS)
}

/// Every form that changes something carries the session's token, in the body
/// (`csrf=…`, url-encoded forms) or in the query (file uploads).
async fn check_csrf(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let session = req.get_session();
    let from_query = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned());
    let token = match from_query {
        Some(t) => Some(t),
        None => {
            let is_form = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
            if is_form {
                let body = req.extract::<web::Bytes>().await?;
                let token = url::form_urlencoded::parse(&body)
                    .find(|(k, _)| k == "csrf")
                    .map(|(_, v)| v.into_owned());
                req.set_payload(actix_web::dev::Payload::from(body));
                token
            } else {
                None
            }
        }
    };
    if token.is_some_and(|t| session::csrf_matches(&session, &t)) {
        Ok(next.call(req).await?.map_into_boxed_body())
    } else {
        let (req, _) = req.into_parts();
        let res = actix_web::ResponseError::error_response(&PageError::BadCsrf);
        Ok(ServiceResponse::new(req, res).map_into_boxed_body())
    }
}

/// Turns the plain answers of [`PageError`] into pages in the visitor's language.
async fn render_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let Some(error) = res.response().extensions().get::<PageError>().cloned() else {
        return Ok(res);
    };
    let (req, old) = res.into_parts();
    let state = req.app_data::<State>().cloned();
    let visitor = req.extensions().get::<Visitor>().cloned();
    let lang = visitor.as_ref().map(|v| v.lang).unwrap_or_else(|| {
        req.get_session()
            .get::<String>("lang")
            .ok()
            .flatten()
            .and_then(|l| Lang::from_code(&l))
            .unwrap_or_default()
    });
    let (title_key, text_key) = match error {
        PageError::Forbidden => ("error-403-title", "error-forbidden"),
        PageError::BadCsrf => ("error-403-title", "error-csrf"),
        PageError::NotFound => ("error-404-title", "error-not-found"),
        PageError::Unavailable => ("error-503-title", "error-unavailable-page"),
        _ => ("error-500-title", "error-internal"),
    };
    let ctx = match &visitor {
        Some(v) => frame(v, &req),
        None => {
            let mut c = bare_frame(lang, req.path());
            c.insert("csrf", &session::csrf_token(&req.get_session()));
            c
        }
    };
    let res = error_page(state.as_ref(), ctx, old.status(), (title_key, text_key));
    Ok(ServiceResponse::new(req, res))
}

/// The context of a page for a visitor whose session is unknown.
fn bare_frame(lang: Lang, here: &str) -> tera::Context {
    let mut c = tera::Context::new();
    c.insert("lang", lang.code());
    c.insert("other_lang", if lang == Lang::Vi { "en" } else { "vi" });
    c.insert("here", here);
    c.insert("csrf", "");
    c
}

/// An error page (plain text if even the template fails).
fn error_page(
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

/// The session layer reads the `sessions` table before any page runs, and
/// writes it after; when the database gives no connection its error never
/// reaches [`render_errors`]. It becomes the same 503 page here (in the
/// default language: the session that holds the visitor's is out of reach).
async fn sessions_unavailable(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Not the request itself: the router below needs to hold it alone.
    let state = req.app_data::<State>().cloned();
    let path = req.path().to_string();
    match next.call(req).await {
        Ok(res) => Ok(res.map_into_boxed_body()),
        Err(e) if session::is_store_unavailable(&e) => {
            let page = error_page(
                state.as_ref(),
                bare_frame(Lang::default(), &path),
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                ("error-503-title", "error-unavailable-page"),
            );
            Err(actix_web::error::InternalError::from_response("database unavailable", page).into())
        }
        Err(e) => Err(e),
    }
}
