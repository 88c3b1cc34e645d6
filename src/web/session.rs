//! Browser sessions: the cookie carries only a random key (signed and
//! encrypted with the secret key); what the session holds (who is signed in,
//! the language, the anti-forgery token, flash messages) lives in the
//! `sessions` table, so that every instance shares it and a session can be
//! ended from anywhere: sign-out, a new password, a deactivation, a role
//! change, or "sign out everywhere". A session ends after `DONDOC_SESSION_IDLE`
//! seconds unused, and `DONDOC_SESSION_MAX` seconds after sign-in whatever
//! happens (see `docs/security.md`).

use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_session::{Session, SessionExt, SessionMiddleware};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use subtle::ConstantTimeEq;

use crate::domain::Role;
use crate::i18n::Lang;
use crate::storage::sessions::{Facts, Lifetime};
use crate::storage::users::Account;
use crate::storage::{self, Db, StorageError};
use crate::web::error::PageError;
use crate::web::State;

const USER_ID: &str = "uid";
/// A random id of the session that can be shown (the key never is).
const PUBLIC_ID: &str = "sid";
const USER_AGENT: &str = "ua";
const ADDRESS: &str = "addr";
const LANG: &str = "lang";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";
pub const COOKIE_NAME: &str = "dondoc";
/// The values that say who is signed in: dropped when a session that was
/// ended meanwhile would be written again.
const IDENTITY: [&str; 4] = [USER_ID, PUBLIC_ID, USER_AGENT, ADDRESS];

pub type Sessions = SessionMiddleware<DbSessionStore>;

pub fn middleware(secret: &str, secure: bool, store: DbSessionStore) -> Sessions {
    let max = store.life.max.num_seconds();
    SessionMiddleware::builder(store, Key::derive_from(secret.as_bytes()))
        .cookie_name(COOKIE_NAME.into())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(secure)
        .cookie_content_security(CookieContentSecurity::Private)
        // The cookie may outlive a browser restart; the server decides when the session ends.
        .session_lifecycle(
            PersistentSession::default()
                .session_ttl(actix_web::cookie::time::Duration::seconds(max)),
        )
        .build()
}

/// The sessions table cannot be reached because the database gives no connection.
#[derive(Debug, thiserror::Error)]
#[error("sessions: the database is unavailable")]
pub struct StoreUnavailable;

/// Whether the session layer failed for [`StoreUnavailable`] (loading,
/// saving or updating). actix-session wraps its store's errors in an opaque
/// 500 that only keeps them for their text, so the text is what tells.
pub fn is_store_unavailable(e: &actix_web::Error) -> bool {
    format!("{e:?}").contains(&StoreUnavailable.to_string())
}

/// Sessions in the database, behind actix-session's storage interface.
#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    life: Lifetime,
}

impl DbSessionStore {
    pub fn new(db: Db, life: Lifetime) -> DbSessionStore {
        DbSessionStore { db, life }
    }

    async fn run<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut storage::Conn) -> Result<T, StorageError> + Send + 'static,
    {
        let db = self.db.clone();
        let result = web::block(move || {
            let mut conn = db.conn()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| anyhow::anyhow!("sessions: {e}"))?;
        result.map_err(|e| {
            if e.is_unavailable() {
                tracing::error!("sessions: {e}");
                anyhow::Error::new(StoreUnavailable)
            } else {
                anyhow::anyhow!("sessions: {e}")
            }
        })
    }

    async fn insert(&self, state: &HashMap<String, String>) -> anyhow::Result<SessionKey> {
        let key = crate::auth::random_secret(32);
        let hash = crate::auth::hash_token(&key);
        let json = serde_json::to_string(state)?;
        let facts = facts(state);
        let life = self.life;
        self.run(move |conn| storage::sessions::insert(conn, &hash, &json, &facts, life))
            .await?;
        SessionKey::try_from(key).map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// The columns a session's values fill.
fn facts(state: &HashMap<String, String>) -> Facts {
    let text = |k: &str| {
        state
            .get(k)
            .and_then(|v| serde_json::from_str::<String>(v).ok())
            .unwrap_or_default()
    };
    Facts {
        user_id: state
            .get(USER_ID)
            .and_then(|v| serde_json::from_str::<i64>(v).ok()),
        public_id: text(PUBLIC_ID),
        user_agent: text(USER_AGENT),
        address: text(ADDRESS),
    }
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        let hash = crate::auth::hash_token(key.as_ref());
        let life = self.life;
        let json = self
            .run(move |conn| storage::sessions::load(conn, &hash, life))
            .await
            .map_err(LoadError::Other)?;
        match json {
            None => Ok(None),
            Some(json) => serde_json::from_str(&json)
                .map(Some)
                .map_err(|e| LoadError::Deserialization(e.into())),
        }
    }

    async fn save(
        &self,
        state: HashMap<String, String>,
        _ttl: &actix_web::cookie::time::Duration,
    ) -> Result<SessionKey, SaveError> {
        self.insert(&state).await.map_err(SaveError::Other)
    }

    async fn update(
        &self,
        key: SessionKey,
        mut state: HashMap<String, String>,
        _ttl: &actix_web::cookie::time::Duration,
    ) -> Result<SessionKey, UpdateError> {
        let hash = crate::auth::hash_token(key.as_ref());
        let json =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let facts = facts(&state);
        let found = self
            .run(move |conn| storage::sessions::update(conn, &hash, &json, &facts))
            .await
            .map_err(UpdateError::Other)?;
        if found {
            return Ok(key);
        }
        // Ended while this request ran: what it wrote (a language, a message)
        // goes to a new session, but nobody is signed in there.
        for k in IDENTITY {
            state.remove(k);
        }
        self.insert(&state).await.map_err(UpdateError::Other)
    }

    async fn update_ttl(
        &self,
        _key: &SessionKey,
        _ttl: &actix_web::cookie::time::Duration,
    ) -> anyhow::Result<()> {
        // Use is recorded when the session is loaded.
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> anyhow::Result<()> {
        let hash = crate::auth::hash_token(key.as_ref());
        self.run(move |conn| storage::sessions::delete(conn, &hash))
            .await
    }
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
    // Removing marks the session changed, and a changed session is written
    // back: only when there was something to take, or every page view would
    // be a write (on SQLite, one more turn of the single write lock).
    if session.contains_key(FLASH) {
        session.remove(FLASH);
    }
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
        // Compared in constant time: a byte-by-byte early exit would let a
        // page measure how much of a guessed token is right.
        Ok(Some(token)) => bool::from(token.as_bytes().ct_eq(given.as_bytes())),
        _ => false,
    }
}

/// The address a request came from, as the sign-in throttle counts it and the
/// sessions list shows it: the peer's, or the client's as named by a trusted
/// reverse proxy (`DONDOC_TRUSTED_PROXIES`, see `domain::client`).
pub fn client_address(req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return String::new();
    };
    let Some(state) = req.app_data::<State>() else {
        return peer.to_string();
    };
    let proxies = &state.config.trusted_proxies;
    if proxies.is_empty() {
        return peer.to_string();
    }
    let lines: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    proxies.client(peer, &lines).to_string()
}

pub fn sign_in(session: &Session, req: &HttpRequest, account: &Account) {
    // A new session on sign-in: nothing of the anonymous one carries over but the language.
    let lang: Option<String> = session.get(LANG).ok().flatten();
    session.clear();
    session.renew();
    let agent: String = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    let _ = session.insert(USER_ID, account.user.id);
    let _ = session.insert(PUBLIC_ID, crate::auth::random_secret(12));
    let _ = session.insert(USER_AGENT, agent);
    let _ = session.insert(ADDRESS, client_address(req));
    if let Some(lang) = lang {
        let _ = session.insert(LANG, lang);
    }
}

/// Ends this session (its row is deleted); the browser keeps only its language.
pub fn sign_out(session: &Session) {
    let lang: Option<String> = session.get(LANG).ok().flatten();
    session.clear();
    session.renew();
    if let Some(lang) = lang {
        let _ = session.insert(LANG, lang);
    }
}

/// The public id of this session, to mark it in the list of the user's sessions.
pub fn public_id(session: &Session) -> Option<String> {
    session.get(PUBLIC_ID).ok().flatten()
}

/// Moves the session to a new key, values kept (after the user's other sessions were ended).
pub fn renew(session: &Session) {
    session.renew();
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
    /// The request carried the cookie of a session that has ended.
    pub expired: bool,
}

impl Visitor {
    pub fn role(&self) -> Option<Role> {
        self.account.as_ref().map(Account::role)
    }
}

async fn load_visitor(req: &HttpRequest) -> Result<Visitor, PageError> {
    Ok(visitor_with(req, |_, _| ()).await?.0)
}

/// The visitor of a request, and for a signed-in visitor what `also` reads
/// on the same database connection right after the account (one call to
/// the database where two would do). The visitor is kept for the request.
pub async fn visitor_with<T: Send + 'static>(
    req: &HttpRequest,
    also: impl FnOnce(&mut storage::Conn, &Account) -> T + Send + 'static,
) -> Result<(Visitor, Option<T>), PageError> {
    let session = req.get_session();
    let state = req
        .app_data::<State>()
        .ok_or(PageError::Internal)?
        .clone()
        .into_inner();
    // A cookie whose session the server no longer has: it expired or was ended.
    let expired = req.cookie(COOKIE_NAME).is_some() && session.entries().is_empty();
    let user_id: Option<i64> = session.get(USER_ID).ok().flatten();
    let (account, also) = match user_id {
        Some(id) => match state
            .run(move |conn| {
                let account = storage::users::active_by_id(conn, id)?;
                let also = also(conn, &account);
                Ok((account, also))
            })
            .await
        {
            Ok((a, also)) => (Some(a), Some(also)),
            Err(crate::web::ApiError::NotFound) => {
                sign_out(&session);
                (None, None)
            }
            Err(e) => return Err(e.into()),
        },
        None => (None, None),
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
    let visitor = Visitor {
        account,
        lang,
        session,
        expired,
    };
    req.extensions_mut().insert(visitor.clone());
    Ok((visitor, also))
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
            load_visitor(&req).await
        })
    }
}
