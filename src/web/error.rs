//! The one mapping from errors to HTTP answers. API errors are JSON
//! `{error, message, field?}` in the caller's language.

use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;

use crate::domain::Invalid;
use crate::i18n::{self, Lang};
use crate::storage::StorageError;

#[derive(Debug, Clone)]
pub enum ApiError {
    Unauthorized,
    Forbidden,
    NotFound,
    /// 405: the path has other methods, listed for the `Allow` header.
    MethodNotAllowed(String),
    /// 422: a field's value is wrong: of the wrong shape (`invalid`), or well
    /// formed but contradicting another value or what is stored
    /// (`contradiction`, [`Invalid::contradicts`]).
    Invalid(Invalid),
    /// 400: the request itself does not make sense (e.g. an as-of date before the period).
    BadRequest(Invalid),
    /// 409: a stale version or a value already taken.
    Conflict(Invalid),
    /// 413: a body or a file over its limit.
    TooLarge(Invalid),
    Unavailable,
    Internal,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: unauthorized, forbidden, not_found, method_not_allowed,
    /// invalid (a value of the wrong shape), contradiction (well-formed values
    /// that contradict each other or what is stored, still a 422), bad_request,
    /// conflict, too_large, unavailable, internal.
    #[schema(value_type = String, example = "invalid")]
    pub error: &'static str,
    /// A sentence for people, in the caller's language.
    pub message: String,
    /// The input field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::Invalid(e) if e.contradicts() => "contradiction",
            ApiError::Invalid(_) => "invalid",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooLarge(_) => "too_large",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal => "internal",
        }
    }

    pub fn body(&self, lang: Lang) -> ErrorBody {
        let (message, field) = match self {
            ApiError::Unauthorized => (i18n::text(lang, "error-unauthorized"), None),
            ApiError::Forbidden => (i18n::text(lang, "error-forbidden"), None),
            ApiError::NotFound => (i18n::text(lang, "error-not-found"), None),
            ApiError::MethodNotAllowed(allow) => (
                i18n::text_with(
                    lang,
                    "error-method-not-allowed",
                    &[("allow", allow.clone())],
                ),
                None,
            ),
            ApiError::Unavailable => (i18n::text(lang, "error-unavailable"), None),
            ApiError::Internal => (i18n::text(lang, "error-internal"), None),
            ApiError::Invalid(e)
            | ApiError::BadRequest(e)
            | ApiError::Conflict(e)
            | ApiError::TooLarge(e) => (i18n::invalid(lang, e), Some(e.field.clone())),
        };
        ErrorBody {
            error: self.code(),
            message,
            field,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Rendered in Vietnamese here; [`super::localize_errors`] re-renders it in
    /// the caller's language, which only the request knows.
    fn error_response(&self) -> HttpResponse<BoxBody> {
        let mut res = HttpResponse::build(self.status_code()).json(self.body(Lang::Vi));
        if matches!(self, ApiError::Unauthorized) {
            res.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static("Bearer"),
            );
        }
        if let ApiError::MethodNotAllowed(allow) = self {
            if let Ok(value) = actix_web::http::header::HeaderValue::from_str(allow) {
                res.headers_mut()
                    .insert(actix_web::http::header::ALLOW, value);
            }
        }
        res.extensions_mut().insert(self.clone());
        res
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> ApiError {
        match e {
            StorageError::NotFound => ApiError::NotFound,
            StorageError::Forbidden => ApiError::Forbidden,
            StorageError::Invalid(i) => ApiError::Invalid(i),
            StorageError::StaleVersion { current, .. } => ApiError::Conflict(
                Invalid::new("version", "err-stale-version").arg("current", current),
            ),
            StorageError::Conflict { field, key } => ApiError::Conflict(Invalid::new(field, key)),
            e if e.is_unavailable() => {
                tracing::error!("database unavailable: {e}");
                ApiError::Unavailable
            }
            other => {
                tracing::error!("storage error: {other}");
                ApiError::Internal
            }
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> ApiError {
        ApiError::Internal
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> ApiError {
        ApiError::Invalid(e)
    }
}

/// What a page answers when it cannot show itself; rendered as an HTML page in
/// the visitor's language by `pages::render_errors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    /// Not signed in (or signed out for inactivity): to the sign-in page, then back.
    SignIn {
        next: String,
        expired: bool,
    },
    Forbidden,
    NotFound,
    /// The form's anti-forgery token is missing or wrong (e.g. an old tab).
    BadCsrf,
    /// The database gives no connection: 503, "try again shortly", never a 500.
    Unavailable,
    /// As many exports as `DONDOC_MAX_EXPORTS` are being produced: 503, "try again shortly".
    Busy,
    Internal,
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn { .. } => StatusCode::SEE_OTHER,
            PageError::Forbidden | PageError::BadCsrf => StatusCode::FORBIDDEN,
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Unavailable | PageError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        if let PageError::SignIn { next, expired } = self {
            let mut location = format!(
                "/login?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            if *expired {
                location.push_str("&expired=1");
            }
            return HttpResponse::SeeOther()
                .insert_header((actix_web::http::header::LOCATION, location))
                .finish();
        }
        let mut res = HttpResponse::build(self.status_code())
            .content_type("text/plain; charset=utf-8")
            .body(self.status_code().canonical_reason().unwrap_or("error"));
        res.extensions_mut().insert(self.clone());
        res
    }
}

impl From<actix_web::error::BlockingError> for PageError {
    fn from(_: actix_web::error::BlockingError) -> PageError {
        PageError::Internal
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        match e {
            ApiError::NotFound => PageError::NotFound,
            ApiError::Forbidden => PageError::Forbidden,
            ApiError::Unauthorized => PageError::SignIn {
                next: "/".into(),
                expired: false,
            },
            ApiError::Unavailable => PageError::Unavailable,
            _ => PageError::Internal,
        }
    }
}

/// Through [`ApiError`], so that a storage error is judged (and logged) in one place.
impl From<StorageError> for PageError {
    fn from(e: StorageError) -> PageError {
        ApiError::from(e).into()
    }
}
