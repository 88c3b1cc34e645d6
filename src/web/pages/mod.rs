//! Server-rendered pages (Tera templates embedded in the binary), the page
//! table that says which action each page needs, and the frame every page
//! shares: language, navigation by role, flash messages, error pages, and the
//! anti-forgery check on every form.

mod admin;
mod auth;
mod browse;
mod dashboard;
mod documents;
mod drawn;
mod editing;
mod forms;
mod frame;
mod history;
mod holidays;
mod inbox;
mod meeting_new;
mod period_picker;
mod routes;
mod task_page;
mod work;

use actix_session::SessionExt;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use chrono::NaiveDate;
use std::collections::HashMap;

use crate::i18n::{self, Lang};
use crate::web::error::PageError;
use crate::web::session::{self, Visitor};
use crate::web::State;
use frame::{bare_frame, error_page, frame};

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
    "dashboard_drawn.html",
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
pub use routes::PAGES;

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
                .configure(routes::register)
                .default_service(web::to(|| async {
                    Err::<HttpResponse, _>(PageError::NotFound)
                })),
        );
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
        PageError::Busy => ("error-503-title", "error-exports-busy"),
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
