//! Sign-in, sign-out, the language switch and the password change.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::frame::PageUser;
use super::frame::{frame, redirect, render, render_with_status, safe_next};
use crate::domain::throttle;
use crate::i18n::{self, Lang};
use crate::storage::{self, StorageError};
use crate::web::error::PageError;
use crate::web::session::{self, Visitor};
use crate::web::State;

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    expired: Option<String>,
}

pub async fn login_form(
    state: State,
    req: HttpRequest,
    visitor: Visitor,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    if visitor.account.is_some() {
        return Ok(redirect(&safe_next(query.next.as_deref())));
    }
    let mut ctx = frame(&visitor, &req);
    ctx.insert("next", &safe_next(query.next.as_deref()));
    if query.expired.is_some() {
        ctx.insert("notice", &i18n::text(visitor.lang, "login-expired"));
    }
    render(&state, "login.html", &ctx)
}

/// A real hash to verify against when there is no such user, so that the
/// time taken does not tell whether the email exists.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| crate::auth::hash_password(&crate::auth::random_secret(16)))
}

enum Outcome {
    SignedIn(Box<storage::users::Account>),
    Wrong,
    Wait(chrono::Duration),
}

pub async fn login(
    state: State,
    req: HttpRequest,
    visitor: Visitor,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let email = storage::users::normalize_email(&form.email);
    let address = session::client_address(&req);
    let buckets = throttle::keys(&email, &address);
    let password = form.password.clone();
    let outcome = state
        .run(move |conn| {
            // Counted before the password is checked, in one transaction: parallel
            // guesses get no more tries than one after the other.
            if let Some(wait) = storage::throttle::attempt(conn, &buckets)? {
                return Ok(Outcome::Wait(wait));
            }
            let account = match storage::users::by_email(conn, &email) {
                Ok(a) => Some(a),
                Err(StorageError::NotFound) => None,
                Err(e) => return Err(e),
            };
            let hash = account.as_ref().map(|a| a.user.password_hash.as_str());
            let good =
                crate::auth::verify_password(&password, hash.unwrap_or_else(|| decoy_hash()));
            match account.filter(|a| good && a.user.active) {
                Some(a) => {
                    let [account_key, pair_key, address_bucket] = buckets;
                    storage::throttle::succeeded(
                        conn,
                        &[account_key.0, pair_key.0],
                        &[address_bucket],
                    )?;
                    Ok(Outcome::SignedIn(Box::new(a)))
                }
                None => Ok(Outcome::Wrong),
            }
        })
        .await?;
    let lang = visitor.lang;
    let retry_after = match &outcome {
        Outcome::Wait(wait) => Some(wait.num_seconds().max(1)),
        _ => None,
    };
    let (status, message) = match outcome {
        Outcome::SignedIn(account) => {
            session::sign_in(&visitor.session, &req, &account);
            if let Some(l) = Lang::from_code(&account.user.language) {
                if visitor
                    .session
                    .get::<String>("lang")
                    .ok()
                    .flatten()
                    .is_none()
                {
                    session::set_lang(&visitor.session, l);
                }
            }
            return Ok(redirect(&safe_next(form.next.as_deref())));
        }
        Outcome::Wrong => (
            actix_web::http::StatusCode::UNAUTHORIZED,
            i18n::text(lang, "login-wrong"),
        ),
        Outcome::Wait(wait) => {
            let minutes = (wait.num_seconds().max(1) + 59) / 60;
            (
                actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                i18n::text_with(lang, "login-throttled", &[("minutes", minutes.to_string())]),
            )
        }
    };
    let mut ctx = frame(&visitor, &req);
    ctx.insert("error", &message);
    ctx.insert("email", &form.email);
    ctx.insert("next", &safe_next(form.next.as_deref()));
    let mut res = render_with_status(&state, "login.html", &ctx, status)?;
    if let Some(seconds) = retry_after {
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&seconds.to_string()) {
            res.headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, v);
        }
    }
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct LangForm {
    next: Option<String>,
}

/// A POST (with the session's token): it changes the user's stored language,
/// which a link followed from elsewhere must not do.
pub async fn switch_lang(
    state: State,
    visitor: Visitor,
    code: web::Path<String>,
    query: web::Form<LangForm>,
) -> Result<HttpResponse, PageError> {
    let lang = Lang::from_code(&code).ok_or(PageError::NotFound)?;
    session::set_lang(&visitor.session, lang);
    if let Some(account) = &visitor.account {
        let id = account.user.id;
        state
            .run(move |conn| storage::users::set_language(conn, id, lang.code()))
            .await?;
    }
    let next = match query.next.as_deref() {
        Some(n) => safe_next(Some(n)),
        None if visitor.account.is_some() => "/dashboard".into(),
        None => "/login".into(),
    };
    Ok(redirect(&next))
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn password_form(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    render(&state, "password.html", &frame(&user.visitor, &req))
}

pub async fn change_password(
    state: State,
    req: HttpRequest,
    user: PageUser,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let lang = user.visitor.lang;
    let form = form.into_inner();
    let mut errors: Vec<(String, String)> = Vec::new();
    if !crate::auth::verify_password(&form.current, &user.account.user.password_hash) {
        errors.push(("current".into(), i18n::text(lang, "password-current-wrong")));
    }
    if let Err(e) = crate::auth::check_password_strength("new", &form.new) {
        errors.push(("new".into(), i18n::invalid(lang, &e)));
    } else if form.new != form.confirm {
        errors.push(("confirm".into(), i18n::text(lang, "password-mismatch")));
    }
    if !errors.is_empty() {
        let mut ctx = frame(&user.visitor, &req);
        ctx.insert(
            "errors",
            &errors
                .into_iter()
                .collect::<std::collections::HashMap<_, _>>(),
        );
        return render_with_status(
            &state,
            "password.html",
            &ctx,
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let id = user.account.user.id;
    let hash = crate::auth::hash_password(&form.new);
    state
        .run(move |conn| storage::users::set_password(conn, id, &hash, Some(id)))
        .await?;
    // Every session of the user ended with the old password; this one goes on under a new key.
    session::renew(&user.visitor.session);
    session::flash(
        &user.visitor.session,
        "ok",
        i18n::text(lang, "password-changed"),
    );
    Ok(redirect("/dashboard"))
}

pub async fn logout(user: PageUser) -> HttpResponse {
    session::sign_out(&user.visitor.session);
    session::flash(
        &user.visitor.session,
        "ok",
        i18n::text(user.visitor.lang, "logout-done"),
    );
    redirect("/login")
}

#[derive(Debug, Serialize)]
struct SessionRow {
    id: String,
    user_agent: String,
    address: String,
    created_at: String,
    last_seen_at: String,
    current: bool,
}

#[derive(Debug, Serialize)]
struct TokenRow {
    id: i64,
    label: String,
    created_at: String,
    last_used_at: Option<String>,
    revoked: bool,
}

/// The account page: the user's live sessions (to end them) and their own API
/// tokens (to make and revoke them). A new token is shown once, on the answer
/// to the form that made it.
async fn account_page(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    new_token: Option<String>,
) -> Result<HttpResponse, PageError> {
    let (id, life, tz) = (
        user.account.user.id,
        state.config.session_lifetime(),
        state.config.tz,
    );
    let (sessions, tokens) = state
        .run(move |conn| {
            Ok((
                storage::sessions::list_for_user(conn, id, life)?,
                storage::users::list_own_tokens(conn, id)?,
            ))
        })
        .await?;
    let local = |t| super::frame::local_time(tz, t);
    let current = session::public_id(&user.visitor.session);
    let sessions: Vec<SessionRow> = sessions
        .into_iter()
        .map(|s| SessionRow {
            current: current.as_deref() == Some(s.public_id.as_str()),
            id: s.public_id,
            user_agent: s.user_agent,
            address: s.address,
            created_at: local(s.created_at),
            last_seen_at: local(s.last_seen_at),
        })
        .collect();
    let tokens: Vec<TokenRow> = tokens
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            label: t.label,
            created_at: local(t.created_at),
            last_used_at: t.last_used_at.map(local),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("sessions", &sessions);
    ctx.insert("tokens", &tokens);
    ctx.insert("new_token", &new_token);
    render(state, "account.html", &ctx)
}

pub async fn account(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    account_page(&state, &req, &user, None).await
}

/// "Sign out everywhere": every session of the user ends, this one too.
pub async fn end_all_sessions(state: State, user: PageUser) -> Result<HttpResponse, PageError> {
    let id = user.account.user.id;
    state
        .run(move |conn| storage::sessions::end_all(conn, id))
        .await?;
    session::sign_out(&user.visitor.session);
    session::flash(
        &user.visitor.session,
        "ok",
        i18n::text(user.visitor.lang, "security-signed-out-everywhere"),
    );
    Ok(redirect("/login"))
}

/// Ends one of the user's sessions (another browser); ending this one is signing out.
pub async fn end_session(
    state: State,
    user: PageUser,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (id, public_id) = (user.account.user.id, path.into_inner());
    if session::public_id(&user.visitor.session).as_deref() == Some(public_id.as_str()) {
        return Ok(logout(user).await);
    }
    let n = state
        .run(move |conn| storage::sessions::end_one(conn, id, &public_id))
        .await?;
    if n == 0 {
        return Err(PageError::NotFound);
    }
    session::flash(
        &user.visitor.session,
        "ok",
        i18n::text(user.visitor.lang, "security-session-ended"),
    );
    Ok(redirect("/account"))
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    label: String,
}

/// A token for the signed-in user themself: it acts with their role, as them.
pub async fn create_token(
    state: State,
    req: HttpRequest,
    user: PageUser,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    let id = user.account.user.id;
    let label = match form.label.trim() {
        "" => "web".to_string(),
        l => l.to_string(),
    };
    match state
        .run(move |conn| storage::users::create_own_token(conn, id, &label))
        .await
    {
        // Shown once, on this page only: not in a redirect or a flash that could be logged.
        Ok(token) => account_page(&state, &req, &user, Some(token)).await,
        Err(e) => {
            let invalid = super::frame::fixable(e)?;
            session::flash(
                &user.visitor.session,
                "error",
                i18n::invalid(user.visitor.lang, &invalid),
            );
            Ok(redirect("/account"))
        }
    }
}

pub async fn revoke_token(
    state: State,
    user: PageUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let (token, id) = (path.into_inner(), user.account.user.id);
    state
        .run(move |conn| storage::users::revoke_own_token(conn, token, id))
        .await?;
    session::flash(
        &user.visitor.session,
        "ok",
        i18n::text(user.visitor.lang, "admin-token-revoked"),
    );
    Ok(redirect("/account"))
}

#[cfg(test)]
mod tests {
    use super::super::frame::safe_next;

    #[test]
    fn local_paths_are_kept() {
        assert_eq!(safe_next(Some("/tasks")), "/tasks");
        assert_eq!(
            safe_next(Some("/tasks?status=overdue&q=a b")),
            "/tasks?status=overdue&q=a%20b"
        );
        assert_eq!(safe_next(Some("/tasks/3#reports")), "/tasks/3#reports");
        assert_eq!(safe_next(Some("/a/../tasks")), "/tasks");
    }

    #[test]
    fn anything_leaving_the_site_goes_home() {
        for bad in [
            "//evil.example/",
            "/\\evil.example/",
            "\\\\evil.example",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\r\nSet-Cookie: x=1",
            "/x\u{0}",
            "https://evil.example/",
            "evil.example",
            "javascript:alert(1)",
            " /tasks",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn encoded_tricks_stay_local() {
        // Still encoded: the browser does not decode them into a host.
        let out = safe_next(Some("/%09/evil.example/"));
        assert!(out.starts_with("/%09/"), "{out}");
        let out = safe_next(Some("/%2F%2Fevil.example"));
        assert!(out.starts_with("/%2F"), "{out}");
    }
}
