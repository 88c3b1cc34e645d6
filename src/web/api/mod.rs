//! The JSON API under `/api/v1`, behind bearer tokens, described by the
//! OpenAPI document at `/api/v1/openapi.json`.

mod auth;
pub mod conclusions;
pub mod dashboard;
pub mod inbox;
pub mod meetings;
pub mod progress;
pub mod tasks;
pub mod units;

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::OpenApi;

use super::error::{ApiError, ErrorBody};
use crate::domain::{Action, Invalid};
pub use auth::ApiUser;

/// Registers each route and lists it in [`ROUTES`], so that the route table
/// can be held against the OpenAPI document.
macro_rules! api_routes {
    ($( $method:ident $path:literal => $handler:path, $access:expr ),* $(,)?) => {
        /// Every route of the API: (method, path under `/api/v1`, access), enforced by [`ApiUser`].
        pub const ROUTES: &[(&str, &str, Access)] = &[$( (stringify!($method), $path, $access) ),*];

        pub fn register(cfg: &mut web::ServiceConfig) {
            $( cfg.route($path, web::method(Method::$method).to($handler)); )*
        }
    };
}

use crate::web::pages::Access::{self, Public, Signed};
use Action::*;

api_routes! {
    GET "/openapi.json" => openapi_json, Public,
    GET "/units" => units::list, Signed(Read),
    GET "/meetings" => meetings::list, Signed(Read),
    POST "/meetings" => meetings::create, Signed(RecordMeetings),
    GET "/meetings/{id}" => meetings::get, Signed(Read),
    POST "/conclusions/parse" => conclusions::parse, Signed(RecordMeetings),
    GET "/tasks" => tasks::list, Signed(Read),
    POST "/tasks" => tasks::create, Signed(EditTasks),
    GET "/tasks/{id}" => tasks::get, Signed(Read),
    PATCH "/tasks/{id}" => tasks::update, Signed(EditTasks),
    POST "/tasks/{id}/cancel" => tasks::cancel, Signed(EditTasks),
    POST "/tasks/{id}/complete" => tasks::complete, Signed(ConfirmCompletion),
    POST "/tasks/{id}/reports" => progress::report, Signed(ReportProgress),
    POST "/tasks/{id}/extensions" => progress::request_extension, Signed(RequestExtension),
    POST "/extensions/{id}/approve" => progress::approve, Signed(DecideExtensions),
    POST "/extensions/{id}/reject" => progress::reject, Signed(DecideExtensions),
    POST "/reports/{id}/return" => progress::return_proposal, Signed(ConfirmCompletion),
    GET "/dashboard" => dashboard::get, Signed(Read),
    GET "/inbox" => inbox::get, Signed(Read),
}

/// The action the matched API route needs.
pub fn required_action(req: &HttpRequest) -> Option<Action> {
    let pattern = req.match_pattern()?;
    let path = pattern.strip_prefix("/api/v1").unwrap_or(&pattern);
    let method = req.method().as_str();
    ROUTES.iter().find_map(|(m, p, access)| match access {
        Signed(action) if *m == method && *p == path => Some(*action),
        _ => None,
    })
}

#[derive(OpenApi)]
#[openapi(
    info(title = "dondoc API", description = "Meeting conclusions tracked as tasks: units, meetings, tasks and the period dashboard."),
    servers((url = "/api/v1")),
    paths(
        openapi_json,
        units::list,
        meetings::list,
        meetings::create,
        meetings::get,
        conclusions::parse,
        tasks::list,
        tasks::create,
        tasks::get,
        tasks::update,
        tasks::cancel,
        tasks::complete,
        progress::report,
        progress::request_extension,
        progress::approve,
        progress::reject,
        progress::return_proposal,
        dashboard::get,
        inbox::get,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document of this API.
#[utoipa::path(get, path = "/openapi.json", security(()), responses((status = 200, description = "The OpenAPI 3.1 document")))]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// A body that is not the JSON a route expects: 422 naming the body; one
/// over the size limit: 413.
pub fn json_error(err: actix_web::error::JsonPayloadError, req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError::{Overflow, OverflowKnownLength};
    if let Overflow { limit } | OverflowKnownLength { limit, .. } = &err {
        let lang = crate::web::request_lang(req);
        let body = ErrorBody {
            error: "too_large",
            message: crate::i18n::text_with(
                lang,
                "security-body-too-large",
                &[("max", (limit / (1024 * 1024)).to_string())],
            ),
            field: Some("body".into()),
        };
        let res = HttpResponse::PayloadTooLarge().json(body);
        return actix_web::error::InternalError::from_response(err, res).into();
    }
    let detail = match &err {
        actix_web::error::JsonPayloadError::Deserialize(e) => e.to_string(),
        other => other.to_string(),
    };
    ApiError::Invalid(Invalid::new("body", "err-json").arg("value", detail)).into()
}
