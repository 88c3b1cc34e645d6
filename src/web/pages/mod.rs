//! Server-rendered pages (Tera templates embedded in the binary).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::HashMap;

use crate::i18n::{self, Lang};
use crate::web::{request_lang, State};

/// Every template, embedded so that the binary runs from any folder.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../templates/base.html")),
    ("login.html", include_str!("../../../templates/login.html")),
];

const APP_CSS: &str = include_str!("../../../static/app.css");

pub fn templates() -> Result<tera::Tera, tera::Error> {
    let mut tera = tera::Tera::default();
    tera.add_raw_templates(TEMPLATES.to_vec())?;
    tera.autoescape_on(vec![".html"]);
    tera.register_function("t", translate);
    Ok(tera)
}

/// `{{ t(key="login-title", lang=lang, n=3) }}`: a catalogue text; other
/// arguments become the message's arguments.
fn translate(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let key = args
        .get("key")
        .and_then(|v| v.as_str())
        .ok_or_else(|| tera::Error::msg("t(): missing key"))?;
    let lang = args
        .get("lang")
        .and_then(|v| v.as_str())
        .and_then(Lang::from_code)
        .unwrap_or_default();
    let params: Vec<(&str, String)> = args
        .iter()
        .filter(|(name, _)| name.as_str() != "key" && name.as_str() != "lang")
        .map(|(name, value)| {
            let text = match value {
                tera::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (name.as_str(), text)
        })
        .collect();
    Ok(tera::Value::String(i18n::text_with(lang, key, &params)))
}

pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/login", web::get().to(login_form))
        .route("/static/app.css", web::get().to(css));
}

/// A page's language: `?lang=` first (the switch), then the request's.
fn page_lang(req: &HttpRequest) -> Lang {
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("lang").and_then(|l| Lang::from_code(l)))
        .unwrap_or_else(|| request_lang(req))
}

pub fn render(state: &State, name: &str, lang: Lang, mut ctx: tera::Context) -> HttpResponse {
    ctx.insert("lang", lang.code());
    ctx.insert(
        "other_lang",
        match lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        },
    );
    match state.templates.render(name, &ctx) {
        Ok(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => {
            tracing::error!("template {name}: {e:?}");
            HttpResponse::InternalServerError().body(crate::i18n::text(lang, "error-internal"))
        }
    }
}

async fn home() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/login"))
        .finish()
}

async fn login_form(state: State, req: HttpRequest) -> HttpResponse {
    render(&state, "login.html", page_lang(&req), tera::Context::new())
}

async fn css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(APP_CSS)
}
