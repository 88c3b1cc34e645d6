use actix_web::web::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::ApiUser;
use crate::storage::{self, units::UnitInfo};
use crate::web::{ApiError, State};

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitJson {
    /// Short unique code, e.g. `VPTU`.
    pub code: String,
    pub name: String,
    /// The parent unit's code.
    pub parent: Option<String>,
    pub email: Option<String>,
    pub head_email: Option<String>,
    pub aliases: Vec<String>,
    pub active: bool,
}

impl From<UnitInfo> for UnitJson {
    fn from(u: UnitInfo) -> UnitJson {
        UnitJson {
            code: u.unit.code,
            name: u.unit.name,
            parent: u.parent_code,
            email: u.unit.email,
            head_email: u.unit.head_email,
            aliases: u.aliases,
            active: u.unit.active,
        }
    }
}

/// All units, by code.
#[utoipa::path(get, path = "/units", responses(
    (status = 200, body = Vec<UnitJson>),
))]
pub async fn list(state: State, _user: ApiUser) -> Result<Json<Vec<UnitJson>>, ApiError> {
    let units = state.run(storage::units::list).await?;
    Ok(Json(units.into_iter().map(UnitJson::from).collect()))
}
