//! Bearer tokens: `Authorization: Bearer <token>` names the calling user.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use std::future::Future;
use std::pin::Pin;

use crate::domain::{Action, Role};
use crate::i18n::Lang;
use crate::storage;
use crate::storage::users::Account;
use crate::web::{ApiError, State};

#[derive(Debug, Clone)]
pub struct ApiUser(pub Account);

impl ApiUser {
    pub fn role(&self) -> Role {
        self.0.role()
    }

    /// 403 unless the user's role may do `action`.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if self.role().may(action) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<ApiUser, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let token = bearer(&req).ok_or(ApiError::Unauthorized)?;
            let state = req
                .app_data::<State>()
                .ok_or(ApiError::Internal)?
                .clone()
                .into_inner();
            let account = state
                .run(move |conn| storage::users::by_token(conn, &token))
                .await
                .map_err(|e| match e {
                    ApiError::NotFound => ApiError::Unauthorized,
                    other => other,
                })?;
            let lang = Lang::from_code(&account.user.language).unwrap_or_default();
            req.extensions_mut().insert(lang);
            let action = super::required_action(&req).ok_or(ApiError::NotFound)?;
            if !account.role().may(action) {
                return Err(ApiError::Forbidden);
            }
            Ok(ApiUser(account))
        })
    }
}
