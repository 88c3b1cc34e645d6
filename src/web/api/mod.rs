//! The JSON API under `/api/v1`, behind bearer tokens, described by the
//! OpenAPI document at `/api/v1/openapi.json`.

mod auth;
pub mod dashboard;
pub mod meetings;
pub mod query;
pub mod tasks;
pub mod units;

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::OpenApi;

use super::error::{ApiError, ErrorBody};
use crate::domain::Invalid;
pub use auth::ApiUser;

/// Registers each route and lists it in [`ROUTES`], so that the route table
/// can be held against the OpenAPI document.
macro_rules! api_routes {
    ($( $method:ident $path:literal => $handler:path ),* $(,)?) => {
        /// Every route of the API: (method, path under `/api/v1`).
        pub const ROUTES: &[(&str, &str)] = &[$( (stringify!($method), $path) ),*];

        pub fn register(cfg: &mut web::ServiceConfig) {
            $( cfg.route($path, web::method(Method::$method).to($handler)); )*
        }
    };
}

api_routes! {
    GET "/openapi.json" => openapi_json,
    GET "/units" => units::list,
    GET "/meetings" => meetings::list,
    GET "/meetings/{id}" => meetings::get,
    GET "/tasks" => tasks::list,
    GET "/tasks/{id}" => tasks::get,
    GET "/dashboard" => dashboard::get,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "dondoc API", description = "Meeting conclusions tracked as tasks: units, meetings, tasks and the period dashboard."),
    servers((url = "/api/v1")),
    paths(
        openapi_json,
        units::list,
        meetings::list,
        meetings::get,
        tasks::list,
        tasks::get,
        dashboard::get,
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

/// A body that is not the JSON a route expects: 422 naming the body.
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let detail = match &err {
        actix_web::error::JsonPayloadError::Deserialize(e) => e.to_string(),
        other => other.to_string(),
    };
    ApiError::Invalid(Invalid::new("body", "err-json").arg("value", detail)).into()
}
