//! `GET /users`: the accounts, as the admin's user page lists them.

use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::{doc, ApiUser};
use crate::storage;
use crate::storage::users::Account;
use crate::web::query::{Blank, PageQuery};
use crate::web::{ApiError, State};

#[derive(Debug, Serialize, ToSchema)]
pub struct UserJson {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[schema(schema_with = doc::role)]
    pub role: String,
    /// The unit of a unit user, by code.
    pub unit: Option<String>,
    /// `vi` or `en`.
    pub language: String,
    /// Whether the account may sign in.
    pub active: bool,
    /// When it was made (UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<Account> for UserJson {
    fn from(a: Account) -> UserJson {
        UserJson {
            role: a.role().code().to_string(),
            id: a.user.id,
            email: a.user.email,
            name: a.user.name,
            unit: a.unit_code,
            language: a.user.language,
            active: a.user.active,
            created_at: a.user.created_at.and_utc(),
        }
    }
}

/// Every account, by email (admins).
#[utoipa::path(get, path = "/users", params(PageQuery), responses(
    (status = 200, body = super::paging::PageJson<UserJson>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
))]
pub async fn list(
    state: State,
    _user: ApiUser,
    req: HttpRequest,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.parse(Blank::Refused)?;
    let all = state.run(storage::users::list_all).await?;
    let all = all.into_iter().map(UserJson::from).collect();
    Ok(super::paging::respond(
        &req,
        super::paging::slice(all, page),
    ))
}
