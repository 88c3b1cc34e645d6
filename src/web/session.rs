//! Browser sessions: a cookie signed and encrypted with the secret key, that
//! expires after inactivity; who is signed in, in which language, with which
//! anti-forgery token; and flash messages for the next page.

use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionExt, SessionMiddleware};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;

use crate::domain::{Action, Role};
use crate::i18n::Lang;
use crate::storage::users::Account;
use crate::storage::{self, StorageError};
use crate::web::error::PageError;
use crate::web::State;

/// A session unused this long is signed out.
pub const IDLE_MINUTES: i64 = 120;
const USER_ID: &str = "uid";
const LAST_SEEN: &str = "seen";
const LANG: &str = "lang";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";
pub const COOKIE_NAME: &str = "dondoc";

pub fn middleware(secret: &str, secure: bool) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(
        CookieSessionStore::default(),
        Key::derive_from(secret.as_bytes()),
    )
    .cookie_name(COOKIE_NAME.into())
    .cookie_http_only(true)
    .cookie_same_site(SameSite::Lax)
    .cookie_secure(secure)
    .cookie_content_security(CookieContentSecurity::Private)
    // The cookie may outlive a browser restart; inactivity is checked on each request.
    .session_lifecycle(
        PersistentSession::default().session_ttl(actix_web::cookie::time::Duration::days(1)),
    )
    .build()
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    /// `ok` or `error`.
    pub kind: String,
    pub text: String,
}

pub fn flash(session: &Session, kind: &str, text: String) {
    let mut list: Vec<Flash> = session.get(FLASH).ok().flatten().unwrap_or_default();
    list.push(Flash {
        kind: kind.into(),
        text,
    });
    let _ = session.insert(FLASH, list);
}

pub fn take_flashes(session: &Session) -> Vec<Flash> {
    let list = session.get(FLASH).ok().flatten().unwrap_or_default();
    session.remove(FLASH);
    list
}

/// The session's anti-forgery token, created on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF) {
        return token;
    }
    let token = crate::auth::random_secret(32);
    let _ = session.insert(CSRF, &token);
    token
}

pub fn csrf_matches(session: &Session, given: &str) -> bool {
    match session.get::<String>(CSRF) {
        Ok(Some(token)) => constant_time_eq(token.as_bytes(), given.as_bytes()),
        _ => false,
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn sign_in(session: &Session, account: &Account) {
    // A new session on sign-in: nothing of the anonymous one carries over but the language.
    let lang: Option<String> = session.get(LANG).ok().flatten();
    session.clear();
    session.renew();
    let _ = session.insert(USER_ID, account.user.id);
    let _ = session.insert(LAST_SEEN, chrono::Utc::now().timestamp());
    if let Some(lang) = lang {
        let _ = session.insert(LANG, lang);
    }
}

pub fn sign_out(session: &Session) {
    let lang: Option<String> = session.get(LANG).ok().flatten();
    session.clear();
    session.renew();
    if let Some(lang) = lang {
        let _ = session.insert(LANG, lang);
    }
}

pub fn set_lang(session: &Session, lang: Lang) {
    let _ = session.insert(LANG, lang.code());
}

/// Whoever asks for a page: signed in or not, with their language.
#[derive(Clone)]
pub struct Visitor {
    pub account: Option<Account>,
    pub lang: Lang,
    pub session: Session,
    /// The session expired for inactivity on this request.
    pub expired: bool,
}

impl Visitor {
    pub fn role(&self) -> Option<Role> {
        self.account.as_ref().map(Account::role)
    }
}

async fn load_visitor(req: &HttpRequest) -> Result<Visitor, PageError> {
    let session = req.get_session();
    let state = req
        .app_data::<State>()
        .ok_or(PageError::Internal)?
        .clone()
        .into_inner();
    let now = chrono::Utc::now().timestamp();
    let user_id: Option<i64> = session.get(USER_ID).ok().flatten();
    let seen: i64 = session.get(LAST_SEEN).ok().flatten().unwrap_or(0);
    let mut expired = false;
    let account = match user_id {
        Some(_) if now - seen > IDLE_MINUTES * 60 => {
            sign_out(&session);
            expired = true;
            None
        }
        Some(id) => match state
            .run(move |conn| storage::users::active_by_id(conn, id))
            .await
        {
            Ok(a) => {
                let _ = session.insert(LAST_SEEN, now);
                Some(a)
            }
            Err(crate::web::ApiError::NotFound) => {
                sign_out(&session);
                None
            }
            Err(_) => return Err(PageError::Internal),
        },
        None => None,
    };
    let session_lang: Option<Lang> = session
        .get::<String>(LANG)
        .ok()
        .flatten()
        .and_then(|l| Lang::from_code(&l));
    let lang = session_lang
        .or_else(|| {
            account
                .as_ref()
                .and_then(|a| Lang::from_code(&a.user.language))
        })
        // Pages are Vietnamese unless the user chose English (not the browser).
        .unwrap_or_default();
    req.extensions_mut().insert(lang);
    Ok(Visitor {
        account,
        lang,
        session,
        expired,
    })
}

impl FromRequest for Visitor {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Visitor, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some(v) = req.extensions().get::<Visitor>() {
                return Ok(v.clone());
            }
            let v = load_visitor(&req).await?;
            req.extensions_mut().insert(v.clone());
            Ok(v)
        })
    }
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
            let action = super::pages::required_action(&req).ok_or(PageError::NotFound)?;
            if !account.role().may(action) {
                return Err(PageError::Forbidden);
            }
            Ok(PageUser { account, visitor })
        })
    }
}

impl From<StorageError> for PageError {
    fn from(e: StorageError) -> PageError {
        match e {
            StorageError::NotFound => PageError::NotFound,
            StorageError::Forbidden => PageError::Forbidden,
            other => {
                tracing::error!("storage error on a page: {other}");
                PageError::Internal
            }
        }
    }
}
