//! `/admin`: users, units, API tokens and the audit log.

use actix_multipart::form::{bytes::Bytes as UploadBytes, MultipartForm};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::frame::PageUser;
use super::frame::{field_errors, frame, redirect, render, render_with_status};
use crate::domain::dates::parse_optional_date;
use crate::domain::unit::{RawUnit, UnitInput};
use crate::domain::{Invalid, Role};
use crate::i18n;
use crate::import::ImportError;
use crate::storage::{self, StorageError};
use crate::web::error::PageError;
use crate::web::session;
use crate::web::State;

const UNPROCESSABLE: actix_web::http::StatusCode =
    actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;

/// An admin's change (`act`): back to `to` with the message `done` (its key,
/// and the one value it names) said, or in `Ok(Err(_))` the field the store
/// refused.
async fn saved<T: Send + 'static>(
    state: &State,
    user: &PageUser,
    act: impl FnOnce(&mut storage::Conn) -> storage::Result<T> + Send + 'static,
    (key, name, value): (&str, &str, String),
    to: &str,
) -> Result<Result<HttpResponse, Invalid>, PageError> {
    match state.run(act).await {
        Ok(_) => {
            let said = i18n::text_with(user.visitor.lang, key, &[(name, value)]);
            session::flash(&user.visitor.session, "ok", said);
            Ok(Ok(redirect(to)))
        }
        Err(e) => super::frame::fixable(e).map(Err),
    }
}

/// A storage failure that is the user's to fix, as field errors; anything else is a page error.
fn input_errors(e: StorageError) -> Result<Vec<Invalid>, PageError> {
    match e {
        StorageError::Invalid(i) => Ok(vec![i]),
        StorageError::Conflict { field, key } => Ok(vec![Invalid::new(field, key)]),
        other => Err(other.into()),
    }
}

pub async fn index(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    render(&state, "admin/index.html", &frame(&user.visitor, &req))
}

#[derive(Debug, Serialize)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: Role,
    unit: Option<String>,
    active: bool,
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct NewUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    password: String,
}

async fn users_page(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    form: Option<(&NewUserForm, HashMap<String, String>)>,
) -> Result<HttpResponse, PageError> {
    let (accounts, units) = state
        .run(|conn| Ok((storage::users::list_all(conn)?, storage::units::list(conn)?)))
        .await?;
    let rows: Vec<UserRow> = accounts
        .into_iter()
        .map(|a| UserRow {
            role: a.role(),
            id: a.user.id,
            email: a.user.email,
            name: a.user.name,
            unit: a.unit_code,
            active: a.user.active,
        })
        .collect();
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("users", &rows);
    ctx.insert(
        "units",
        &units
            .iter()
            .map(|u| (u.unit.code.clone(), u.unit.name.clone()))
            .collect::<Vec<_>>(),
    );
    ctx.insert("roles", &Role::ALL.map(|r| r.code()));
    let status = match &form {
        Some((_, errors)) if !errors.is_empty() => UNPROCESSABLE,
        _ => actix_web::http::StatusCode::OK,
    };
    if let Some((values, errors)) = form {
        ctx.insert("form", values);
        ctx.insert("errors", &errors);
    }
    render_with_status(state, "admin/users.html", &ctx, status)
}

pub async fn users(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    users_page(&state, &req, &user, None).await
}

pub async fn add_user(
    state: State,
    req: HttpRequest,
    user: PageUser,
    form: web::Form<NewUserForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let lang = user.visitor.lang;
    let mut errors = Vec::new();
    let role = form
        .role
        .parse::<Role>()
        .map_err(|_| errors.push(Invalid::required("role")))
        .ok();
    if let Err(e) = crate::auth::check_password_strength("password", &form.password) {
        errors.push(e);
    }
    if let (Some(role), true) = (role, errors.is_empty()) {
        let by = user.account.user.id;
        let new = storage::users::NewUser {
            email: form.email.clone(),
            name: form.name.clone(),
            role,
            unit_code: Some(form.unit.trim().to_string()).filter(|u| !u.is_empty()),
            password_hash: crate::auth::hash_password(&form.password),
        };
        let done = ("admin-user-added", "email", form.email.trim().to_string());
        let create =
            move |conn: &mut storage::Conn| storage::users::create_by(conn, &new, Some(by));
        match saved(&state, &user, create, done, "/admin/users").await? {
            Ok(back) => return Ok(back),
            Err(i) => errors.push(i),
        }
    }
    let errors = field_errors(lang, &errors);
    users_page(
        &state,
        &req,
        &user,
        Some((
            &NewUserForm {
                password: String::new(),
                ..form
            },
            errors,
        )),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct UpdateUserForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    active: Option<String>,
}

pub async fn update_user(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
    form: web::Form<UpdateUserForm>,
) -> Result<HttpResponse, PageError> {
    let lang = user.visitor.lang;
    let id = id.into_inner();
    let by = user.account.user.id;
    let Ok(role) = form.role.parse::<Role>() else {
        return users_page(
            &state,
            &req,
            &user,
            Some((
                &NewUserForm::default(),
                field_errors(lang, &[Invalid::required("role")]),
            )),
        )
        .await;
    };
    let unit = Some(form.unit.trim().to_string()).filter(|u| !u.is_empty());
    let active = form.active.is_some();
    let result = state
        .run(move |conn| storage::users::update(conn, id, role, unit.as_deref(), active, Some(by)))
        .await;
    match result {
        Ok(()) => {
            session::flash(&user.visitor.session, "ok", i18n::text(lang, "admin-saved"));
            Ok(redirect("/admin/users"))
        }
        Err(crate::web::ApiError::Invalid(i)) => {
            users_page(
                &state,
                &req,
                &user,
                Some((&NewUserForm::default(), field_errors(lang, &[i]))),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ResetPasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn reset_password(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
    form: web::Form<ResetPasswordForm>,
) -> Result<HttpResponse, PageError> {
    let lang = user.visitor.lang;
    if let Err(e) = crate::auth::check_password_strength("password", &form.password) {
        return users_page(
            &state,
            &req,
            &user,
            Some((&NewUserForm::default(), field_errors(lang, &[e]))),
        )
        .await;
    }
    let (id, by, hash) = (
        id.into_inner(),
        user.account.user.id,
        crate::auth::hash_password(&form.password),
    );
    state
        .run(move |conn| storage::users::set_password(conn, id, &hash, Some(by)))
        .await?;
    session::flash(
        &user.visitor.session,
        "ok",
        i18n::text(lang, "admin-password-reset"),
    );
    Ok(redirect("/admin/users"))
}

#[derive(Debug, Serialize)]
pub(super) struct UnitRow {
    code: String,
    name: String,
    parent: Option<String>,
    email: Option<String>,
    head_email: Option<String>,
    aliases: String,
    active: bool,
    depth: usize,
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct UnitForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    head_email: String,
    #[serde(default)]
    aliases: String,
}

/// Units in tree order, each with its depth.
pub(super) fn unit_tree(units: Vec<storage::units::UnitInfo>) -> Vec<UnitRow> {
    let mut children: HashMap<Option<i64>, Vec<&storage::units::UnitInfo>> = HashMap::new();
    let ids: std::collections::HashSet<i64> = units.iter().map(|u| u.unit.id).collect();
    for u in &units {
        // A parent outside the list counts as a root, so nothing is hidden.
        let parent = u.unit.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(u);
    }
    let mut out = Vec::with_capacity(units.len());
    let mut stack: Vec<(&storage::units::UnitInfo, usize)> = children
        .get(&None)
        .map(|r| r.iter().rev().map(|u| (*u, 0)).collect())
        .unwrap_or_default();
    while let Some((u, depth)) = stack.pop() {
        if let Some(kids) = children.get(&Some(u.unit.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
        out.push(UnitRow {
            code: u.unit.code.clone(),
            name: u.unit.name.clone(),
            parent: u.parent_code.clone(),
            email: u.unit.email.clone(),
            head_email: u.unit.head_email.clone(),
            aliases: u.aliases.join(" | "),
            active: u.unit.active,
            depth,
        });
        if out.len() > units.len() {
            break;
        }
    }
    out
}

async fn units_page(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    form: Option<(&UnitForm, HashMap<String, String>)>,
    import_errors: Vec<String>,
) -> Result<HttpResponse, PageError> {
    let units = state.run(storage::units::list).await?;
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("units", &unit_tree(units));
    let failed = form.as_ref().is_some_and(|(_, e)| !e.is_empty()) || !import_errors.is_empty();
    if let Some((values, errors)) = form {
        ctx.insert("form", values);
        ctx.insert("errors", &errors);
    }
    ctx.insert("import_errors", &import_errors);
    render_with_status(
        state,
        "admin/units.html",
        &ctx,
        if failed {
            UNPROCESSABLE
        } else {
            actix_web::http::StatusCode::OK
        },
    )
}

pub async fn units(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    units_page(&state, &req, &user, None, Vec::new()).await
}

pub async fn save_unit(
    state: State,
    req: HttpRequest,
    user: PageUser,
    form: web::Form<UnitForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let lang = user.visitor.lang;
    let raw = RawUnit {
        code: &form.code,
        name: &form.name,
        parent: &form.parent,
        email: &form.email,
        head_email: &form.head_email,
        aliases: &form.aliases,
    };
    let errors = match UnitInput::parse(&raw) {
        Err(errors) => errors,
        Ok(input) => {
            let by = user.account.user.id;
            let done = ("admin-unit-saved", "code", form.code.trim().to_string());
            let save = move |conn: &mut storage::Conn| {
                storage::units::upsert_all(conn, &[input], Some(by))
            };
            match saved(&state, &user, save, done, "/admin/units").await? {
                Ok(back) => return Ok(back),
                Err(i) => vec![i],
            }
        }
    };
    units_page(
        &state,
        &req,
        &user,
        Some((&form, field_errors(lang, &errors))),
        Vec::new(),
    )
    .await
}

#[derive(Debug, MultipartForm)]
pub struct ImportUpload {
    #[multipart(limit = "10MB")]
    file: UploadBytes,
}

/// The upload is taken as a `Result` so that a bad upload is answered after
/// the permission check, on the page, and never before it.
pub async fn import_units(
    state: State,
    req: HttpRequest,
    user: PageUser,
    upload: Result<MultipartForm<ImportUpload>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let lang = user.visitor.lang;
    let Ok(upload) = upload else {
        return units_page(
            &state,
            &req,
            &user,
            None,
            vec![i18n::text(lang, "admin-upload-failed")],
        )
        .await;
    };
    let bytes = upload.into_inner().file.data.to_vec();
    let by = user.account.user.id;
    let result = state
        .run(move |conn| {
            Ok(crate::import::import_units(
                conn,
                bytes.as_slice(),
                Some(by),
            ))
        })
        .await?;
    let errors: Vec<String> = match result {
        Ok(counts) => {
            session::flash(
                &user.visitor.session,
                "ok",
                i18n::text_with(
                    lang,
                    "admin-units-imported",
                    &[
                        ("rows", counts.rows.to_string()),
                        ("changed", counts.changed.to_string()),
                    ],
                ),
            );
            return Ok(redirect("/admin/units"));
        }
        Err(ImportError::Rows(rows)) => rows
            .iter()
            .flat_map(|r| {
                r.errors.iter().map(move |e| {
                    i18n::text_with(
                        lang,
                        "import-line",
                        &[
                            ("line", r.line.to_string()),
                            ("message", i18n::invalid(lang, e)),
                        ],
                    )
                })
            })
            .collect(),
        Err(ImportError::Storage(e)) => input_errors(e)?
            .iter()
            .map(|i| i18n::invalid(lang, i))
            .collect(),
        Err(other) => vec![other.to_string()],
    };
    units_page(&state, &req, &user, None, errors).await
}

#[derive(Debug, Serialize)]
struct TokenRow {
    id: i64,
    user_email: String,
    label: String,
    created_at: String,
    last_used_at: Option<String>,
    revoked: bool,
}

/// Every token, to revoke; an admin makes none for anyone (each user makes
/// their own on their account page), so that no one acts under another's name.
async fn tokens_page(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
) -> Result<HttpResponse, PageError> {
    let tz = state.config.tz;
    let tokens = state.run(storage::users::list_tokens).await?;
    let local = |t| super::frame::local_time(tz, t);
    let rows: Vec<TokenRow> = tokens
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            user_email: t.user_email,
            label: t.label,
            created_at: local(t.created_at),
            last_used_at: t.last_used_at.map(local),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("tokens", &rows);
    render(state, "admin/tokens.html", &ctx)
}

pub async fn tokens(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    tokens_page(&state, &req, &user).await
}

pub async fn revoke_token(
    state: State,
    user: PageUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let (id, by) = (id.into_inner(), user.account.user.id);
    state
        .run(move |conn| storage::users::revoke_token(conn, id, Some(by)))
        .await?;
    session::flash(
        &user.visitor.session,
        "ok",
        i18n::text(user.visitor.lang, "admin-token-revoked"),
    );
    Ok(redirect("/admin/tokens"))
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct AuditQuery {
    #[serde(default)]
    user: String,
    #[serde(default)]
    task: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Debug, Serialize)]
struct AuditView {
    at: String,
    /// The person's name; their address second.
    user: Option<String>,
    user_email: Option<String>,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    task_id: Option<i64>,
    /// "field: old → new", one line a field.
    changes: Vec<String>,
}

pub const AUDIT_PAGE_ROWS: i64 = 500;

pub async fn audit(
    state: State,
    req: HttpRequest,
    user: PageUser,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    let query = query.into_inner();
    let lang = user.visitor.lang;
    let mut errors = Vec::new();
    let task_id = match query.task.trim() {
        "" => None,
        t => t
            .parse::<i64>()
            .map_err(|_| errors.push(Invalid::new("task", "err-number").arg("value", t)))
            .ok(),
    };
    let from = parse_optional_date(&query.from)
        .map_err(|_| errors.push(Invalid::bad_date("from", &query.from)))
        .ok()
        .flatten();
    let to = parse_optional_date(&query.to)
        .map_err(|_| errors.push(Invalid::bad_date("to", &query.to)))
        .ok()
        .flatten();
    let filter = storage::audit::AuditFilter {
        user_email: Some(query.user.trim().to_string()).filter(|u| !u.is_empty()),
        task_id,
        from,
        to,
    };
    let tz = state.config.tz;
    let account = user.account.clone();
    let (rows, unit_names) = if errors.is_empty() {
        state
            .run(move |conn| {
                let rows = storage::audit::list(conn, &filter, AUDIT_PAGE_ROWS)?;
                let rows = storage::visibility::redact_audit(conn, &account, rows)?;
                let names: HashMap<String, String> = storage::units::list(conn)?
                    .into_iter()
                    .map(|u| (u.unit.code, u.unit.name))
                    .collect();
                Ok((rows, names))
            })
            .await?
    } else {
        Default::default()
    };
    let view: Vec<AuditView> = rows
        .into_iter()
        .map(|r| AuditView {
            at: r
                .at
                .and_utc()
                .with_timezone(&tz)
                .format("%d/%m/%Y %H:%M:%S")
                .to_string(),
            user: r
                .user_name
                .filter(|n| !n.trim().is_empty())
                .or(r.user_email.clone()),
            user_email: r.user_email,
            changes: super::history::describe_details(lang, &r.action, &r.details, &unit_names),
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            task_id: r.task_id,
        })
        .collect();
    let mut ctx = frame(&user.visitor, &req);
    ctx.insert("rows", &view);
    ctx.insert("query", &query);
    ctx.insert("errors", &field_errors(lang, &errors));
    ctx.insert("limit", &AUDIT_PAGE_ROWS);
    render_with_status(
        &state,
        "admin/audit.html",
        &ctx,
        if errors.is_empty() {
            actix_web::http::StatusCode::OK
        } else {
            UNPROCESSABLE
        },
    )
}

#[derive(Debug, Serialize)]
struct DeadMail {
    id: i64,
    recipient: String,
    subject: String,
    attempts: i32,
    last_error: String,
    created_at: String,
}

/// `/admin/mail`: the outbox at a glance, and the mails that could not be
/// delivered, each with a "send again" button.
pub async fn mail(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    let tz = state.config.tz;
    let (counts, dead, unreachable) = state
        .run(|conn| {
            Ok((
                storage::outbox::counts(conn)?,
                storage::outbox::dead_letters(conn, 200)?,
                storage::units::without_email(conn)?,
            ))
        })
        .await?;
    let mut ctx = frame(&user.visitor, &req);
    ctx.insert(
        "counts",
        &[
            ("pending", counts.pending),
            ("sending", counts.sending),
            ("sent", counts.sent),
            ("dead", counts.dead),
        ],
    );
    ctx.insert(
        "dead",
        &dead
            .into_iter()
            .map(|m| DeadMail {
                id: m.id,
                recipient: m.recipient,
                subject: m.subject,
                attempts: m.attempts,
                last_error: m.last_error,
                created_at: super::frame::local_time(tz, m.created_at),
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "without_email",
        &unreachable
            .into_iter()
            .map(|u| (u.code, u.name))
            .collect::<Vec<_>>(),
    );
    render(&state, "admin/mail.html", &ctx)
}

pub async fn send_again(
    state: State,
    user: PageUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    state
        .run(move |conn| storage::outbox::send_again(conn, id))
        .await?;
    session::flash(
        &user.visitor.session,
        "ok",
        i18n::text(user.visitor.lang, "admin-mail-queued"),
    );
    Ok(redirect("/admin/mail"))
}
