//! Sign-in, sign-out, the language switch and the password change.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{frame, redirect, render, render_with_status, safe_next};
use crate::domain::throttle::{PER_ACCOUNT, PER_ADDRESS};
use crate::i18n::{self, Lang};
use crate::storage::{self, StorageError};
use crate::web::error::PageError;
use crate::web::session::{self, PageUser, Visitor};
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
    Wait(chrono::NaiveDateTime),
}

pub async fn login(
    state: State,
    req: HttpRequest,
    visitor: Visitor,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let email = storage::users::normalize_email(&form.email);
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let (account_key, address_key) = (format!("account:{email}"), format!("address:{address}"));
    let password = form.password.clone();
    let outcome = state
        .clone()
        .into_inner()
        .run(move |conn| {
            let waits = [
                storage::throttle::locked_until(conn, &account_key)?,
                storage::throttle::locked_until(conn, &address_key)?,
            ];
            if let Some(until) = waits.into_iter().flatten().max() {
                return Ok(Outcome::Wait(until));
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
                    storage::throttle::clear(conn, &account_key)?;
                    Ok(Outcome::SignedIn(Box::new(a)))
                }
                None => {
                    storage::throttle::record_failure(conn, &account_key, &PER_ACCOUNT)?;
                    storage::throttle::record_failure(conn, &address_key, &PER_ADDRESS)?;
                    Ok(Outcome::Wrong)
                }
            }
        })
        .await?;
    let lang = visitor.lang;
    let (status, message) = match outcome {
        Outcome::SignedIn(account) => {
            session::sign_in(&visitor.session, &account);
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
        Outcome::Wait(until) => {
            let seconds = (until - chrono::Utc::now().naive_utc())
                .num_seconds()
                .max(1);
            let minutes = (seconds + 59) / 60;
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
    render_with_status(&state, "login.html", &ctx, status)
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

pub async fn switch_lang(
    state: State,
    visitor: Visitor,
    code: web::Path<String>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let lang = Lang::from_code(&code).ok_or(PageError::NotFound)?;
    session::set_lang(&visitor.session, lang);
    if let Some(account) = &visitor.account {
        let id = account.user.id;
        state
            .into_inner()
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
        .into_inner()
        .run(move |conn| storage::users::set_password(conn, id, &hash, Some(id)))
        .await?;
    session::flash(
        &user.visitor.session,
        "ok",
        i18n::text(lang, "password-changed"),
    );
    Ok(redirect("/dashboard"))
}
