use actix_web::web::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiUser;
use crate::domain::conclusion::{propose_items, Deadline, ItemFlag, ParseInput, UnitName};
use crate::domain::dates::parse_date;
use crate::domain::holidays::WorkCalendar;
use crate::domain::meeting::check_text;
use crate::domain::Invalid;
use crate::storage;
use crate::web::{ApiError, State};

#[derive(Debug, Deserialize, ToSchema)]
pub struct ParseRequest {
    /// The concluding text as written.
    #[serde(default)]
    pub text: String,
    /// YYYY-MM-DD or dd/mm/yyyy: phrases without a year mean this date's year.
    #[serde(default)]
    pub meeting_date: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposedItemJson {
    pub text: String,
    /// Suggested lead unit code, if the text names one.
    pub lead_unit: Option<String>,
    pub coordinators: Vec<String>,
    /// Suggested deadline; null for none or ongoing.
    pub deadline: Option<NaiveDate>,
    /// True when the text says "thường xuyên" (ongoing, no deadline).
    pub ongoing: bool,
    /// The words the deadline came from.
    pub deadline_phrase: Option<String>,
    /// `no_lead`, `group_addressee`: what the official should check.
    #[schema(value_type = Vec<String>)]
    pub flags: Vec<ItemFlag>,
    /// The group the directive is addressed to, as written ("các sở, ngành").
    pub addressee: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParseResponse {
    pub items: Vec<ProposedItemJson>,
    /// Lead-ins, headers, closings, assessments, page chrome: shown, not proposed.
    pub context: Vec<String>,
}

/// Proposes the items of a conclusion with units from the unit list,
/// counting working days with `calendar`.
pub fn propose(
    units: &[storage::units::UnitInfo],
    text: &str,
    meeting_date: NaiveDate,
    calendar: &WorkCalendar,
) -> ParseResponse {
    let names: Vec<UnitName> = units
        .iter()
        .filter(|u| u.unit.active)
        .map(|u| UnitName {
            code: u.unit.code.clone(),
            names: std::iter::once(u.unit.name.clone())
                .chain(u.aliases.iter().cloned())
                .collect(),
        })
        .collect();
    let input = ParseInput {
        meeting_date,
        units: &names,
        calendar,
    };
    let proposal = propose_items(text, &input);
    ParseResponse {
        items: proposal
            .items
            .into_iter()
            .map(|item| {
                let (deadline, ongoing, phrase) = match item.deadline {
                    Some(s) => match s.deadline {
                        Deadline::On(d) => (Some(d), false, Some(s.phrase)),
                        Deadline::Ongoing => (None, true, Some(s.phrase)),
                    },
                    None => (None, false, None),
                };
                ProposedItemJson {
                    text: crate::domain::text::capitalize_first(&item.text),
                    lead_unit: item.lead_unit,
                    coordinators: item.coordinators,
                    deadline,
                    ongoing,
                    deadline_phrase: phrase,
                    flags: item.flags,
                    addressee: item.addressee,
                }
            })
            .collect(),
        context: proposal.context.into_iter().map(|c| c.text).collect(),
    }
}

/// Proposes tasks from a concluding text: one item per directive, with suggested units and deadlines.
#[utoipa::path(post, path = "/conclusions/parse", request_body = ParseRequest, responses(
    (status = 200, body = ParseResponse),
    (status = 401, body = crate::web::error::ErrorBody),
    (status = 403, body = crate::web::error::ErrorBody),
    (status = 422, body = crate::web::error::ErrorBody),
))]
pub async fn parse(
    state: State,
    _user: ApiUser,
    body: Json<ParseRequest>,
) -> Result<Json<ParseResponse>, ApiError> {
    let body = body.into_inner();
    check_text("text", &body.text)?;
    let meeting_date = parse_date(&body.meeting_date)
        .map_err(|_| Invalid::bad_date("meeting_date", &body.meeting_date))?;
    let (units, calendar) = state
        .into_inner()
        .run(|conn| {
            Ok((
                storage::units::list(conn)?,
                storage::holidays::calendar(conn)?,
            ))
        })
        .await?;
    let text = body.text;
    let response =
        actix_web::web::block(move || propose(&units, &text, meeting_date, &calendar)).await?;
    Ok(Json(response))
}
