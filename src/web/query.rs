//! Query strings parsed once into checked values; each bad value is named.
//!
//! Pages read a [`Params`] map, where an empty field of a form is absent. The
//! API reads each query into one struct that serde fills and utoipa documents
//! (`IntoParams`); [`Params::strict`] then refuses a blank value where the
//! document asks for one, and the same checks as the pages' run on it.

use chrono::NaiveDate;
use std::collections::HashMap;

use crate::domain::dates::parse_date;
use crate::domain::inbox::Waiting;
use crate::domain::period::PeriodError;
use crate::domain::{Invalid, Period, Status};
use crate::storage::tasks::{PageRequest, TaskFilter, UnitRole, MAX_PER_PAGE};
use crate::web::ApiError;

/// The `period` the pickers send for a range typed as `from` and `to`.
pub const CUSTOM_PERIOD: &str = "custom";

/// The raw query parameters.
pub struct Params(pub HashMap<String, String>);

/// API query parameters that may be sent blank: free text, where blank means "no filter".
const MAY_BE_BLANK: &[&str] = &["q"];

/// The pattern of a period's name in the API's document (ranges are `from`, `to`).
pub const PERIOD_PATTERN: &str = r"^[0-9]{4}(-([Hh][12]|[Qq][1-4]|0[1-9]|1[0-2]))?$";

/// The pattern of a unit's code (see `domain::unit::check_code`).
pub const CODE_PATTERN: &str = r"^[A-Za-z0-9_.-]+$";

/// The pattern of a unit's code where a blank one means "none" (a task waiting for its lead).
pub const CODE_OR_BLANK_PATTERN: &str = r"^[A-Za-z0-9_.-]*$";

/// The largest page number the API documents (a page past the last is empty).
pub const MAX_PAGE: i64 = 1_000_000;

impl Params {
    /// The parameters of an API query struct, each one given checked for
    /// blankness: a parameter sent without a value is refused, naming it.
    pub fn strict<Q: serde::Serialize>(query: &Q) -> Result<Params, ApiError> {
        let fields: HashMap<String, Option<String>> = serde_json::to_value(query)
            .and_then(serde_json::from_value)
            .map_err(|_| ApiError::Internal)?;
        let mut out = HashMap::new();
        for (name, value) in fields {
            let Some(value) = value else { continue };
            if value.trim().is_empty() && !MAY_BE_BLANK.contains(&name.as_str()) {
                return Err(ApiError::Invalid(Invalid::required(&name)));
            }
            out.insert(name, value);
        }
        Ok(Params(out))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, ApiError> {
        self.get(name)
            .map(|v| parse_date(v).map_err(|_| ApiError::Invalid(Invalid::bad_date(name, v))))
            .transpose()
    }

    pub fn number(&self, name: &str, default: i64) -> Result<i64, ApiError> {
        self.number_upto(name, default, i64::MAX)
    }

    /// A whole number from 1 to `max`, or `default` when absent.
    pub fn number_upto(&self, name: &str, default: i64, max: i64) -> Result<i64, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| ApiError::Invalid(Invalid::new(name, "err-number").arg("value", v))),
        }
    }

    /// `page` and `per_page` (at most [`MAX_PER_PAGE`], 50 by default).
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        Ok(PageRequest {
            page: self.number_upto("page", 1, MAX_PAGE)?,
            per_page: self.number_upto("per_page", 50, MAX_PER_PAGE)?,
        })
    }

    /// `period=2022-H2`, or `from` and `to` (with `period=custom` from the
    /// pickers); `None` when neither is given.
    pub fn period(&self) -> Result<Option<Period>, ApiError> {
        if let Some(name) = self.get("period").filter(|p| *p != CUSTOM_PERIOD) {
            return name.parse::<Period>().map(Some).map_err(|_| {
                ApiError::Invalid(Invalid::new("period", "err-period").arg("value", name))
            });
        }
        match (self.date("from")?, self.date("to")?) {
            (None, None) if self.get("period").is_some() => {
                Err(ApiError::Invalid(Invalid::required("from")))
            }
            (None, None) => Ok(None),
            (Some(from), Some(to)) => Period::new(from, to).map(Some).map_err(|_| {
                ApiError::Invalid(
                    Invalid::new("to", "err-period-reversed")
                        .arg("from", crate::domain::dates::format_vi(from))
                        .arg("to", crate::domain::dates::format_vi(to)),
                )
            }),
            (None, Some(_)) => Err(ApiError::Invalid(Invalid::new("from", "err-range-pair"))),
            (Some(_), None) => Err(ApiError::Invalid(Invalid::new("to", "err-range-pair"))),
        }
    }

    /// The as-of date of a period report (400 when before the period starts).
    pub fn as_of_for(&self, period: &Period, today: NaiveDate) -> Result<NaiveDate, ApiError> {
        period
            .as_of(self.date("as_of")?, today)
            .map_err(|e| match e {
                PeriodError::AsOfBeforeFrom { as_of, from } => ApiError::BadRequest(
                    Invalid::new("as_of", "err-as-of-before-from")
                        .arg("value", as_of)
                        .arg("from", from),
                ),
                _ => ApiError::Invalid(
                    Invalid::new("as_of", "err-period").arg("value", period.name()),
                ),
            })
    }

    /// `waiting=completion|extension|returned`: where a task stands in its workflow.
    pub fn waiting(&self) -> Result<Option<Waiting>, ApiError> {
        self.get("waiting")
            .map(|w| {
                Waiting::from_code(w).ok_or_else(|| {
                    ApiError::Invalid(Invalid::new("waiting", "err-waiting").arg("value", w))
                })
            })
            .transpose()
    }

    /// `status=overdue` or a comma-separated list.
    pub fn statuses(&self) -> Result<Vec<Status>, ApiError> {
        let Some(raw) = self.get("status") else {
            return Ok(Vec::new());
        };
        // An empty piece (`overdue,`) is no status: refused like any other.
        raw.split(',')
            .map(str::trim)
            .map(|s| {
                Status::from_code(s).ok_or_else(|| {
                    ApiError::Invalid(Invalid::new("status", "err-status").arg("value", s))
                })
            })
            .collect()
    }
}

/// The task filter of a query (`unit` is resolved by the caller) and its as-of date.
pub fn filter_from(
    params: &Params,
    unit_id: Option<i64>,
    today: NaiveDate,
) -> Result<(TaskFilter, NaiveDate), ApiError> {
    let period = params.period()?;
    let as_of = match &period {
        Some(p) => params.as_of_for(p, today)?,
        None => params.date("as_of")?.unwrap_or(today),
    };
    let unit_role = match params.get("unit_role") {
        None | Some("lead") => UnitRole::Lead,
        Some("any") => UnitRole::LeadOrCoordinator,
        Some(other) => {
            return Err(ApiError::Invalid(
                crate::domain::Invalid::new("unit_role", "err-unit-role").arg("value", other),
            ));
        }
    };
    let meeting_id = match params.get("meeting") {
        None => None,
        Some(_) => Some(params.number("meeting", 1)?),
    };
    Ok((
        TaskFilter {
            unit_id,
            unit_role,
            statuses: params.statuses()?,
            period,
            as_of: Some(as_of),
            query: params.get("q").map(str::to_string),
            meeting_id,
            overdue_first: false,
            viewer: Default::default(),
            waiting: params.waiting()?,
            open_only: false,
        },
        as_of,
    ))
}

/// A date of an API body: absent or null is `None`; a blank or malformed one
/// is refused, naming the field (the document says `format: date`).
pub fn body_date(field: &str, value: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    value
        .map(|v| parse_date(v).map_err(|_| ApiError::Invalid(Invalid::bad_date(field, v))))
        .transpose()
}
