//! Query strings parsed once into checked values; each bad value is named.

use chrono::NaiveDate;
use std::collections::HashMap;

use crate::domain::dates::parse_date;
use crate::domain::inbox::Waiting;
use crate::domain::period::PeriodError;
use crate::domain::{Invalid, Period, Status};
use crate::storage::tasks::{TaskFilter, UnitRole};
use crate::web::ApiError;

/// The `period` the pickers send for a range typed as `from` and `to`.
pub const CUSTOM_PERIOD: &str = "custom";

/// The raw query parameters.
pub struct Params(pub HashMap<String, String>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, ApiError> {
        self.get(name)
            .map(|v| parse_date(v).map_err(|_| ApiError::Invalid(Invalid::bad_date(name, v))))
            .transpose()
    }

    pub fn number(&self, name: &str, default: i64) -> Result<i64, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => {
                v.parse::<i64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    ApiError::Invalid(Invalid::new(name, "err-number").arg("value", v))
                })
            }
        }
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
                    Invalid::new("to", "err-period").arg("value", format!("{from}..{to}")),
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
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
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
