//! The JSON API under `/api/v1`, behind bearer tokens, described by the
//! OpenAPI document at `/api/v1/openapi.json`.

mod auth;
pub mod closes;
pub mod conclusions;
pub mod dashboard;
pub mod doc;
mod etag;
pub mod inbox;
pub mod meetings;
pub mod paging;
pub mod progress;
pub mod tasks;
pub mod units;
pub mod users;

use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use utoipa::OpenApi;

use super::error::{ApiError, ErrorBody};
use crate::domain::{Action, Invalid, Role};
pub use auth::ApiUser;

/// One list makes the API: each line registers a route, names the action it
/// needs (enforced by [`ApiUser`]) and puts its handler's operation in the
/// OpenAPI document ([`ApiDoc`]), so the routes and the document cannot drift.
macro_rules! api_routes {
    ($( $method:ident $path:literal => $($handler:ident)::+, $access:expr ),* $(,)?) => {
        /// Every route of the API: (method, path under `/api/v1`, access).
        pub const ROUTES: &[(&str, &str, Access)] = &[$( (stringify!($method), $path, $access) ),*];

        pub fn register(cfg: &mut web::ServiceConfig) {
            $( cfg.route($path, web::method(Method::$method).to($($handler)::+)); )*
        }

        /// The OpenAPI document: the operations of [`ROUTES`], each
        /// completed by [`StandardAnswers`].
        #[derive(OpenApi)]
        #[openapi(
            info(title = "dondoc API", description = "Meeting conclusions tracked as tasks: units, meetings, tasks, the work of units on them, and the period dashboard. Errors are `{error, message, field?}` in the caller's language: 422 for a value of the wrong shape (`invalid`: the schemas say each shape; unit codes are listed as they are stored when the document is served) or for well-formed values that contradict each other, today or what is stored (`contradiction`: no schema can say it), 400 for an `as_of` before the period's start, 404 for a path or an id that names nothing the caller may read, 409 for a stale `version` or a state that forbids the change; a method a path does not have is a 405 with `Allow`."),
            servers((url = "/api/v1")),
            paths($($($handler)::+),*),
            components(schemas(ErrorBody)),
            modifiers(&BearerAuth, &StandardAnswers),
            security(("bearer" = []))
        )]
        pub struct ApiDoc;
    };
}

use crate::web::access::Access::{self, Public, Signed};
use Action::*;

api_routes! {
    GET "/openapi.json" => openapi_json, Public,
    GET "/units" => units::list, Signed(Read),
    GET "/users" => users::list, Signed(ManageUsers),
    GET "/meetings" => meetings::list, Signed(Read),
    POST "/meetings" => meetings::create, Signed(RecordMeetings),
    GET "/meetings/{id}" => meetings::get, Signed(Read),
    PATCH "/meetings/{id}" => meetings::update, Signed(RecordMeetings),
    POST "/conclusions/parse" => conclusions::parse, Signed(RecordMeetings),
    GET "/tasks" => tasks::list, Signed(Read),
    POST "/tasks" => tasks::create, Signed(EditTasks),
    GET "/tasks/{id}" => tasks::get, Signed(Read),
    PATCH "/tasks/{id}" => tasks::update, Signed(EditTasks),
    GET "/tasks/{id}/history" => tasks::history, Signed(Read),
    POST "/tasks/{id}/cancel" => tasks::cancel, Signed(EditTasks),
    POST "/tasks/{id}/complete" => tasks::complete, Signed(ConfirmCompletion),
    GET "/tasks/{id}/reports" => progress::reports, Signed(Read),
    POST "/tasks/{id}/reports" => progress::report, Signed(ReportProgress),
    GET "/tasks/{id}/extensions" => progress::extensions, Signed(Read),
    POST "/tasks/{id}/extensions" => progress::request_extension, Signed(RequestExtension),
    POST "/extensions/{id}/approve" => progress::approve, Signed(DecideExtensions),
    POST "/extensions/{id}/reject" => progress::reject, Signed(DecideExtensions),
    POST "/reports/{id}/return" => progress::return_proposal, Signed(ConfirmCompletion),
    GET "/attachments/{id}" => progress::attachment, Signed(Read),
    GET "/dashboard" => dashboard::get, Signed(Read),
    GET "/closes" => closes::list, Signed(Read),
    POST "/closes" => closes::close, Signed(ClosePeriod),
    DELETE "/closes/{id}" => closes::reopen, Signed(ClosePeriod),
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

/// The methods of the API's routes whose pattern matches `path` (under `/api/v1`).
pub fn methods_of(path: &str) -> Vec<&'static str> {
    ROUTES
        .iter()
        .filter(|(_, p, _)| actix_web::dev::ResourceDef::new(*p).is_match(path))
        .map(|(m, _, _)| *m)
        .collect()
}

/// What answers a request no route takes: 405 with `Allow` when the path
/// exists with other methods, else 404.
pub async fn no_route(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let path = req.path().strip_prefix("/api/v1").unwrap_or(req.path());
    let methods = methods_of(path);
    if methods.is_empty() {
        return Err(ApiError::NotFound);
    }
    Err(ApiError::MethodNotAllowed(methods.join(", ")))
}

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

/// Adds to each operation the refusals every route of its kind may answer,
/// read from the route table, so that no handler has to repeat them: 401
/// without a token, 403 when some role may not, 404 when the path names a
/// record, 422 when there is a query or a body to check, 413 for a body over
/// the limit.
struct StandardAnswers;

/// Whether a JSON body's schema (a reference to a component) has no
/// required field: such a body may be left out, and reads as `{}` ([`Body`]).
fn all_optional(
    body: &utoipa::openapi::request_body::RequestBody,
    components: Option<&utoipa::openapi::Components>,
) -> bool {
    use utoipa::openapi::{RefOr, Schema};
    let Some(RefOr::Ref(r)) = body
        .content
        .get("application/json")
        .and_then(|c| c.schema.as_ref())
    else {
        return false;
    };
    let name = r.ref_location.rsplit('/').next().unwrap_or_default();
    match components.and_then(|c| c.schemas.get(name)) {
        Some(RefOr::T(Schema::Object(o))) => o.required.is_empty(),
        _ => false,
    }
}

impl utoipa::Modify for StandardAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        let components = openapi.components.clone();
        for (method, path, access) in ROUTES {
            let Some(item) = openapi.paths.paths.get_mut(*path) else {
                continue;
            };
            let operation = match *method {
                "GET" => item.get.as_mut(),
                "POST" => item.post.as_mut(),
                "PATCH" => item.patch.as_mut(),
                "PUT" => item.put.as_mut(),
                "DELETE" => item.delete.as_mut(),
                _ => None,
            };
            let Some(op) = operation else { continue };
            let has_query = op
                .parameters
                .iter()
                .flatten()
                .any(|p| p.parameter_in == ParameterIn::Query);
            let has_body = op.request_body.is_some();
            if let Some(body) = op.request_body.as_mut() {
                if body.content.len() == 1 && all_optional(body, components.as_ref()) {
                    body.required = Some(utoipa::openapi::Required::False);
                }
            }
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error_response(description).into());
            };
            if let Signed(action) = access {
                add("401", "No token, or one that is not valid");
                if Role::ALL.iter().any(|r| !r.may(*action)) {
                    add("403", "The caller's role may not do this");
                }
            }
            if path.contains('{') {
                add("404", "Nothing the caller may read has this id");
            }
            if has_query || has_body {
                add(
                    "422",
                    "A value of the wrong shape (`invalid`), or well-formed values that contradict each other, today or what is stored (`contradiction`); `field` names it",
                );
            }
            if has_body {
                add("413", "The body is over the limit");
            }
        }
    }
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

/// The OpenAPI document of this API, with the unit codes stored now.
#[utoipa::path(get, path = "/openapi.json", security(()), responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn openapi_json(state: crate::web::State) -> Result<HttpResponse, ApiError> {
    let units = state.run(crate::storage::units::list).await?;
    let codes: Vec<String> = units.into_iter().map(|u| u.unit.code).collect();
    let doc = serde_json::to_value(ApiDoc::openapi()).map_err(|_| ApiError::Internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(doc::with_unit_codes(doc, &codes)))
}

/// The JSON body of a write: an object (serde would also read a struct from
/// an array), checked like the document says; an empty body is `{}`. Bad
/// JSON is answered by [`json_error`] (422, or 413 over the limit).
pub struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<Body<T>, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let empty = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_none_or(|v| v.as_bytes() == b"0")
            && !req.headers().contains_key(header::CONTENT_TYPE);
        let json = (!empty).then(|| web::Json::<serde_json::Value>::from_request(req, payload));
        Box::pin(async move {
            let value = match json {
                Some(json) => json.await?.into_inner(),
                None => serde_json::Value::Object(Default::default()),
            };
            let bad = |detail: String| -> actix_web::Error {
                ApiError::Invalid(Invalid::new("body", "err-json").arg("value", detail)).into()
            };
            if !value.is_object() {
                return Err(bad("an object is expected".into()));
            }
            serde_json::from_value(value)
                .map(Body)
                .map_err(|e| bad(e.to_string()))
        })
    }
}

impl<T> std::ops::Deref for Body<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Body<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// An optional whole number of a JSON body. JSON Schema counts `3.0` as an
/// integer, so it is read as 3; `3.5` is refused like any bad value.
pub fn whole_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    use serde::de::Error;
    let Some(n) = <Option<serde_json::Number> as serde::Deserialize>::deserialize(d)? else {
        return Ok(None);
    };
    n.as_i64()
        .or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        })
        .and_then(|i| T::try_from(i).ok())
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("{n} is not a whole number in range")))
}

/// A query string that does not fit its route's query (a repeated
/// parameter, bad encoding): 422 naming the query.
pub fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    use crate::web::query::Rejects;
    crate::web::query::ByApi::reject(err.to_string())
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
