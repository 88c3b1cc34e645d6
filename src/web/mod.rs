//! The web UI and the JSON API. Handlers only parse, call storage, and render.

pub mod access;
pub mod api;
pub mod chart;
pub mod conclusion;
pub mod docx;
pub mod error;
pub mod export;
pub mod files;
pub mod ics;
pub mod ops;
pub mod pages;
pub mod query;
pub mod report;
pub mod schema;
pub mod session;
pub mod stream;
pub mod turns;
pub mod upload;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{self, Next};
use actix_web::{web, App, HttpMessage, HttpResponse, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;

use crate::config::Config;
use crate::i18n::Lang;
use crate::storage::{Conn, Db, StorageError};
pub use error::ApiError;

pub struct AppState {
    pub db: Db,
    pub config: Config,
    pub templates: tera::Tera,
    /// Signs and encrypts session cookies.
    pub secret_key: String,
    /// The task-list exports running now, at most `DONDOC_MAX_EXPORTS`.
    pub exports: stream::ExportSlots,
}

pub type State = web::Data<AppState>;

impl AppState {
    /// Runs storage work on the blocking pool with a pooled connection.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T, StorageError> + Send + 'static,
    {
        let db = self.db.clone();
        let result = web::block(move || {
            let mut conn = db.conn()?;
            f(&mut conn)
        })
        .await?;
        Ok(result?)
    }
}

/// The language a request is answered in: the signed-in user's, else the browser's.
pub fn request_lang(req: &actix_web::HttpRequest) -> Lang {
    if let Some(lang) = req.extensions().get::<Lang>() {
        return *lang;
    }
    browser_lang(req).unwrap_or_default()
}

/// The language of `Accept-Language` we speak that the browser ranks highest
/// (by its `q` weights), if any.
fn browser_lang(req: &actix_web::HttpRequest) -> Option<Lang> {
    use actix_web::http::header::{AcceptLanguage, Header, Preference};
    let ranked = AcceptLanguage::parse(req).ok()?.ranked();
    ranked.into_iter().find_map(|p| match p {
        Preference::Specific(tag) => Lang::from_code(tag.primary_language()),
        Preference::Any => None,
    })
}

/// Re-renders API errors in the caller's language (see [`ApiError::error_response`]).
async fn localize_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let error = res.response().extensions().get::<ApiError>().cloned();
    match error {
        Some(e) => {
            let lang = request_lang(res.request());
            if lang == Lang::Vi {
                return Ok(res);
            }
            let (req, old) = res.into_parts();
            let mut new = HttpResponse::build(old.status()).json(e.body(lang));
            for (name, value) in old.headers() {
                if name != actix_web::http::header::CONTENT_LENGTH
                    && name != actix_web::http::header::CONTENT_TYPE
                {
                    new.headers_mut().insert(name.clone(), value.clone());
                }
            }
            Ok(ServiceResponse::new(req, new))
        }
        None => Ok(res),
    }
}

pub fn configure(cfg: &mut web::ServiceConfig, sessions: session::Sessions) {
    cfg.route("/healthz", web::get().to(ops::healthz))
        .route("/readyz", web::get().to(ops::readyz))
        .route("/metrics", web::get().to(ops::metrics))
        .service(
            web::scope("/api/v1")
                .wrap(middleware::from_fn(localize_errors))
                .app_data(
                    web::JsonConfig::default()
                        .limit(4 * 1024 * 1024)
                        .error_handler(api::json_error),
                )
                .app_data(
                    web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()),
                )
                .app_data(web::QueryConfig::default().error_handler(api::query_error))
                .configure(api::register)
                .default_service(web::to(api::no_route)),
        )
        .configure(ics::register)
        .configure(|cfg| pages::register(cfg, sessions));
}

/// Reads (GET, HEAD) take their turn past a few at once; writes and the
/// health checks never wait; on PostgreSQL a write holds a read's place while
/// it runs (`turns`). Under a crowd of readers a write otherwise
/// queued behind every read in progress at each of its steps (session,
/// sign-in check, query, answer), so that four writers beside ninety-six
/// readers got four percent of the server. A waiting read costs nothing.
async fn reads_in_turn(
    turns: Arc<turns::Turns>,
    req: actix_web::dev::ServiceRequest,
    next: middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let read = matches!(
        *req.method(),
        actix_web::http::Method::GET | actix_web::http::Method::HEAD
    );
    let checked = ["/healthz", "/readyz", "/metrics"].contains(&req.path());
    // Held until the answer is ready (a streamed body goes on without it).
    let _turn = match (read, checked) {
        (_, true) => None,
        (true, false) => Some(turns.read().await),
        (false, false) => Some(turns.write()),
    };
    next.call(req).await
}

/// How long an idle connection is kept open. Longer than the idle time of
/// the clients and proxies in front (nginx keeps an upstream connection 60 s,
/// Go's and browsers' pools about as long), so that they close an idle
/// connection first: when the server closes it at the moment a client sends
/// on it, the request is lost ("connection closed before message completed"),
/// and a proxy answers 502.
const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(75);

/// Binds the listener and builds the server; the caller runs or spawns it.
pub fn start(state: AppState, listener: TcpListener) -> std::io::Result<actix_web::dev::Server> {
    let secure = state.config.base_url.starts_with("https://");
    let secret = state.secret_key.clone();
    let store = session::DbSessionStore::new(state.db.clone(), state.config.session_lifetime());
    // On PostgreSQL a write's statements wait in the same server as the
    // reads': there a write holds a read's place. SQLite's writes take their
    // own lock and are short; there the reads keep every place, which their
    // slowest answers need.
    let for_writes = match state.db.backend() {
        crate::storage::Backend::Postgres => state.config.reads_at_once / 2,
        crate::storage::Backend::Sqlite => 0,
    };
    let turns = turns::Turns::new(state.config.reads_at_once, for_writes);
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let sessions = session::middleware(&secret, secure, store.clone());
        let turns = turns.clone();
        App::new()
            .app_data(data.clone())
            .app_data(web::FormConfig::default().limit(pages::FORM_LIMIT))
            .app_data(web::PayloadConfig::default().limit(pages::FORM_LIMIT))
            .app_data(actix_multipart::form::MultipartFormConfig::default().total_limit(upload::UPLOAD_LIMIT))
            .wrap(middleware::from_fn(move |req, next| {
                reads_in_turn(turns.clone(), req, next)
            }))
            .wrap(middleware::DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("Referrer-Policy", "same-origin"))
                .add(("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"))
                .add(("X-Frame-Options", "DENY")))
            .wrap(middleware::Compress::default())
            .wrap(middleware::from_fn(ops::observe))
            .wrap(tracing_actix_web_logger())
            .configure(|cfg| configure(cfg, sessions))
    })
    .listen(listener)?
    .keep_alive(KEEP_ALIVE)
    .shutdown_timeout(5)
    .run();
    Ok(server)
}

/// The access log: the method and the path, never the query string, which
/// may carry a report link's token or a form's anti-forgery token; last, the
/// request id (`X-Request-Id`, set by [`ops::observe`]).
fn tracing_actix_web_logger() -> middleware::Logger {
    middleware::Logger::new("%a \"%{method}xi %U\" %s %b %Dms %{x-request-id}o")
        .custom_request_replace("method", |req| req.method().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn lang_of(header: &str) -> Lang {
        let req = TestRequest::default()
            .insert_header(("Accept-Language", header))
            .to_http_request();
        request_lang(&req)
    }

    #[test]
    fn browser_language_by_rank_vietnamese_otherwise() {
        assert_eq!(
            request_lang(&TestRequest::default().to_http_request()),
            Lang::Vi
        );
        assert_eq!(lang_of("fr-FR,fr;q=0.9"), Lang::Vi);
        assert_eq!(lang_of("en-US,en;q=0.9,vi;q=0.8"), Lang::En);
        assert_eq!(lang_of("vi-VN, en"), Lang::Vi);
        // Weights rank, not the order written.
        assert_eq!(lang_of("en;q=0.2, vi;q=0.9"), Lang::Vi);
        assert_eq!(lang_of("fr, *;q=0.5, en;q=0.7"), Lang::En);
    }
}
