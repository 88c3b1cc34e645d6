//! Users and their API tokens.

use diesel::prelude::*;

use super::audit::{AuditLog, Entry};
use super::models::User;
use super::schema::{api_tokens, units, users};
use super::sessions::EndSessions;
use super::{now, write_tx, Conn, Result, StorageError};
use crate::domain::{Invalid, Role};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub unit_code: Option<String>,
    pub password_hash: String,
}

/// A signed-in user with the code of their unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub user: User,
    pub unit_code: Option<String>,
}

impl Account {
    pub fn role(&self) -> Role {
        self.user.role()
    }
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Adds a user (from the command line or a seed); a unit user must name their unit.
pub fn create(conn: &mut Conn, new: &NewUser) -> Result<i64> {
    create_by(conn, new, None)
}

/// Adds a user, `by` an admin (the audit log names them).
pub fn create_by(conn: &mut Conn, new: &NewUser, by: Option<i64>) -> Result<i64> {
    let email = normalize_email(&new.email);
    if email.parse::<lettre::Address>().is_err() {
        return Err(Invalid::new("email", "err-email")
            .arg("value", &new.email)
            .into());
    }
    if new.name.trim().is_empty() {
        return Err(Invalid::required("name").into());
    }
    if new.role == Role::Unit && new.unit_code.is_none() {
        return Err(Invalid::new("unit", "err-unit-user-needs-unit").into());
    }
    write_tx(conn, |c| {
        let unit_id = new
            .unit_code
            .as_deref()
            .map(|code| super::units::id_for_field(c, "unit", code))
            .transpose()?;
        let taken = users::table
            .filter(users::email.eq(&email))
            .count()
            .get_result::<i64>(c)?
            > 0;
        if taken {
            return Err(StorageError::conflict("email", "err-email-taken"));
        }
        let at = now();
        let id: i64 = diesel::insert_into(users::table)
            .values((
                users::email.eq(&email),
                users::name.eq(new.name.trim()),
                users::role.eq(new.role.code()),
                users::unit_id.eq(unit_id),
                users::password_hash.eq(&new.password_hash),
                users::language.eq("vi"),
                users::active.eq(true),
                users::created_at.eq(at),
                users::updated_at.eq(at),
            ))
            .returning(users::id)
            .get_result(c)?;
        c.record_audit(&Entry {
            user_id: by,
            action: "user.create",
            entity: "user",
            entity_id: Some(id),
            task_id: None,
            details: serde_json::json!({"email": email, "role": new.role.code()}).to_string(),
        })?;
        Ok(id)
    })
}

pub fn by_email(conn: &mut Conn, email: &str) -> Result<Account> {
    let email = normalize_email(email);
    let found = users::table
        .left_join(units::table)
        .filter(users::email.eq(&email))
        .select((User::as_select(), units::code.nullable()))
        .first::<(User, Option<String>)>(conn)
        .optional()?;
    found
        .map(|(user, unit_code)| Account { user, unit_code })
        .ok_or(StorageError::NotFound)
}

/// Stores a new token for the user, made on the command line (`dondoc token
/// create`), and returns it; only its hash is kept.
pub fn create_token(conn: &mut Conn, user_id: i64, label: &str) -> Result<String> {
    insert_token(conn, user_id, label, None)
}

/// A token the signed-in user makes for themself (the only way on the web:
/// nobody makes a token that acts as someone else).
pub fn create_own_token(conn: &mut Conn, user_id: i64, label: &str) -> Result<String> {
    insert_token(conn, user_id, label, Some(user_id))
}

fn insert_token(conn: &mut Conn, user_id: i64, label: &str, by: Option<i64>) -> Result<String> {
    if label.chars().count() > 100 {
        return Err(Invalid::new("label", "err-too-long").arg("max", 100).into());
    }
    let (token, hash) = crate::auth::new_token();
    write_tx(conn, |c| {
        diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::user_id.eq(user_id),
                api_tokens::token_hash.eq(&hash),
                api_tokens::label.eq(label),
                api_tokens::created_at.eq(now()),
                api_tokens::created_by.eq(by),
            ))
            .execute(c)?;
        c.record_audit(&Entry {
            user_id: by,
            action: "token.create",
            entity: "user",
            entity_id: Some(user_id),
            task_id: None,
            details: serde_json::json!({
                "label": label,
                "via": if by.is_some() { "web" } else { "command line" },
            })
            .to_string(),
        })?;
        Ok::<_, StorageError>(())
    })?;
    Ok(token)
}

/// The active user a bearer token belongs to.
pub fn by_token(conn: &mut Conn, token: &str) -> Result<Account> {
    let hash = crate::auth::hash_token(token);
    let found = api_tokens::table
        .inner_join(users::table.left_join(units::table))
        .filter(api_tokens::token_hash.eq(&hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(users::active.eq(true))
        .select((
            api_tokens::id,
            api_tokens::last_used_at,
            User::as_select(),
            units::code.nullable(),
        ))
        .first::<(i64, Option<chrono::NaiveDateTime>, User, Option<String>)>(conn)
        .optional()?;
    let (token_id, last_used, user, unit_code) = found.ok_or(StorageError::NotFound)?;
    // Recording every use would make each read a write; once a minute is enough to show activity.
    let at = now();
    if last_used.is_none_or(|t| at - t > chrono::Duration::minutes(1)) {
        diesel::update(api_tokens::table.find(token_id))
            .set(api_tokens::last_used_at.eq(at))
            .execute(conn)?;
    }
    Ok(Account { user, unit_code })
}

/// An active user by id, for sessions.
pub fn active_by_id(conn: &mut Conn, id: i64) -> Result<Account> {
    let found = users::table
        .left_join(units::table)
        .filter(users::id.eq(id))
        .filter(users::active.eq(true))
        .select((User::as_select(), units::code.nullable()))
        .first::<(User, Option<String>)>(conn)
        .optional()?;
    found
        .map(|(user, unit_code)| Account { user, unit_code })
        .ok_or(StorageError::NotFound)
}

pub fn set_password(
    conn: &mut Conn,
    user_id: i64,
    password_hash: &str,
    by: Option<i64>,
) -> Result<()> {
    write_tx(conn, |c| {
        let n = diesel::update(users::table.find(user_id))
            .set((
                users::password_hash.eq(password_hash),
                users::updated_at.eq(now()),
            ))
            .execute(c)?;
        if n == 0 {
            return Err(StorageError::NotFound);
        }
        // A copied cookie must not outlive the password it was signed in with.
        c.end_sessions(user_id)?;
        c.record_audit(&Entry {
            user_id: by,
            action: "user.password",
            entity: "user",
            entity_id: Some(user_id),
            task_id: None,
            details: String::new(),
        })?;
        Ok(())
    })
}

pub fn set_language(conn: &mut Conn, user_id: i64, language: &str) -> Result<()> {
    diesel::update(users::table.find(user_id))
        .set(users::language.eq(language))
        .execute(conn)?;
    Ok(())
}

pub fn list_all(conn: &mut Conn) -> Result<Vec<Account>> {
    Ok(users::table
        .left_join(units::table)
        .order(users::email)
        .select((User::as_select(), units::code.nullable()))
        .load::<(User, Option<String>)>(conn)?
        .into_iter()
        .map(|(user, unit_code)| Account { user, unit_code })
        .collect())
}

/// Every user's name by email: histories name people, not their addresses.
pub fn names_by_email(conn: &mut Conn) -> Result<std::collections::HashMap<String, String>> {
    Ok(list_all(conn)?
        .into_iter()
        .map(|a| (a.user.email, a.user.name))
        .collect())
}

/// Changes a user's role, unit and whether they may sign in.
pub fn update(
    conn: &mut Conn,
    id: i64,
    role: Role,
    unit_code: Option<&str>,
    active: bool,
    by: Option<i64>,
) -> Result<()> {
    if role == Role::Unit && unit_code.is_none() {
        return Err(Invalid::new("unit", "err-unit-user-needs-unit").into());
    }
    write_tx(conn, |c| {
        let unit_id = unit_code
            .map(|code| super::units::id_for_field(c, "unit", code))
            .transpose()?;
        let before = users::table
            .find(id)
            .select((users::role, users::unit_id, users::active))
            .first::<(String, Option<i64>, bool)>(c)
            .optional()?
            .ok_or(StorageError::NotFound)?;
        diesel::update(users::table.find(id))
            .set((
                users::role.eq(role.code()),
                users::unit_id.eq(unit_id),
                users::active.eq(active),
                users::updated_at.eq(now()),
            ))
            .execute(c)?;
        // What a session may do was decided at sign-in: a new role, unit or a
        // deactivation starts over from the sign-in form.
        if before != (role.code().to_string(), unit_id, active) {
            c.end_sessions(id)?;
        }
        c.record_audit(&Entry {
            user_id: by,
            action: "user.update",
            entity: "user",
            entity_id: Some(id),
            task_id: None,
            details: serde_json::json!({"role": role.code(), "unit": unit_code, "active": active})
                .to_string(),
        })?;
        Ok(())
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    pub id: i64,
    pub user_email: String,
    pub label: String,
    pub created_at: chrono::NaiveDateTime,
    pub last_used_at: Option<chrono::NaiveDateTime>,
    pub revoked_at: Option<chrono::NaiveDateTime>,
}

pub fn list_tokens(conn: &mut Conn) -> Result<Vec<TokenInfo>> {
    tokens_where(conn, None)
}

/// The tokens of one user, for their account page.
pub fn list_own_tokens(conn: &mut Conn, user_id: i64) -> Result<Vec<TokenInfo>> {
    tokens_where(conn, Some(user_id))
}

fn tokens_where(conn: &mut Conn, user_id: Option<i64>) -> Result<Vec<TokenInfo>> {
    let mut q = api_tokens::table.inner_join(users::table).into_boxed();
    if let Some(u) = user_id {
        q = q.filter(api_tokens::user_id.eq(u));
    }
    Ok(q.order(api_tokens::id.desc())
        .select((
            api_tokens::id,
            users::email,
            api_tokens::label,
            api_tokens::created_at,
            api_tokens::last_used_at,
            api_tokens::revoked_at,
        ))
        .load::<(
            i64,
            String,
            String,
            chrono::NaiveDateTime,
            Option<chrono::NaiveDateTime>,
            Option<chrono::NaiveDateTime>,
        )>(conn)?
        .into_iter()
        .map(
            |(id, user_email, label, created_at, last_used_at, revoked_at)| TokenInfo {
                id,
                user_email,
                label,
                created_at,
                last_used_at,
                revoked_at,
            },
        )
        .collect())
}

pub fn revoke_token(conn: &mut Conn, id: i64, by: Option<i64>) -> Result<()> {
    revoke_token_where(conn, id, None, by)
}

/// Revokes a token of the user's own; another's is not found.
pub fn revoke_own_token(conn: &mut Conn, id: i64, user_id: i64) -> Result<()> {
    revoke_token_where(conn, id, Some(user_id), Some(user_id))
}

fn revoke_token_where(conn: &mut Conn, id: i64, owner: Option<i64>, by: Option<i64>) -> Result<()> {
    write_tx(conn, |c| {
        let target = api_tokens::table
            .find(id)
            .filter(api_tokens::revoked_at.is_null());
        let n = match owner {
            Some(u) => diesel::update(target.filter(api_tokens::user_id.eq(u)))
                .set(api_tokens::revoked_at.eq(now()))
                .execute(c)?,
            None => diesel::update(target)
                .set(api_tokens::revoked_at.eq(now()))
                .execute(c)?,
        };
        if n == 0 {
            return Err(StorageError::NotFound);
        }
        c.record_audit(&Entry {
            user_id: by,
            action: "token.revoke",
            entity: "token",
            entity_id: Some(id),
            task_id: None,
            details: String::new(),
        })?;
        Ok(())
    })
}

/// Sets the unit whose subtree a user's reports cover (`None`: the whole tree).
pub fn set_user_scope(
    conn: &mut Conn,
    email: &str,
    unit_code: Option<&str>,
    by: Option<i64>,
) -> Result<()> {
    let email = normalize_email(email);
    write_tx(conn, |c| {
        let unit_id = unit_code
            .map(|code| super::units::id_for_field(c, "unit", code))
            .transpose()?;
        let user_id: i64 = users::table
            .filter(users::email.eq(&email))
            .select(users::id)
            .first(c)
            .optional()?
            .ok_or(StorageError::NotFound)?;
        diesel::update(users::table.find(user_id))
            .set((
                users::scope_unit_id.eq(unit_id),
                users::updated_at.eq(super::now()),
            ))
            .execute(c)?;
        c.record_audit(&Entry {
            user_id: by,
            action: "user.scope",
            entity: "user",
            entity_id: Some(user_id),
            task_id: None,
            details: serde_json::json!({"scope": unit_code}).to_string(),
        })?;
        Ok(())
    })
}
