//! Queries read into one typed struct each: serde fills it, utoipa documents
//! the API's (`IntoParams`), and its `parse` turns it into checked values,
//! each error naming its field. A page and the API that read the same query
//! read the same struct — [`ReportQuery`] for the dashboard, [`TaskListQuery`]
//! for the task list, [`PageQuery`] for paging —; a page adds its own fields
//! around it (`#[serde(flatten)]`; utoipa's `IntoParams` cannot flatten, so
//! the API's structs list their fields whole).
//!
//! Fields are kept as the text sent, so that a form shown again with its
//! error keeps what was typed. A field sent blank is no filter on a page (an
//! empty input of a form) and refused by the API, naming it, where the
//! document asks for a value: see [`Blank`].

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use std::marker::PhantomData;
use utoipa::IntoParams;

use crate::domain::dates::{format_vi, parse_date};
use crate::domain::inbox::Waiting;
use crate::domain::period::PeriodError;
use crate::domain::{Invalid, Period, Status};
use crate::storage::tasks::{PageRequest, TaskFilter, UnitRole, MAX_PER_PAGE};
use crate::web::schema::{self, MAX_PAGE};
use crate::web::ApiError;

/// The `period` the pickers send for a range typed as `from` and `to`.
pub const CUSTOM_PERIOD: &str = "custom";

/// A query string read into `T` with serde_html_form, so that a list may be
/// sent as one field per value (`status=overdue&status=done_late`) as well
/// as comma-separated ([`one_or_many`]); actix's `web::Query`
/// (serde_urlencoded) refuses a repeated field. `R` answers a query that
/// cannot be read.
pub struct Query<T, R: Rejects = ByApi> {
    value: T,
    rejects: PhantomData<R>,
}

/// Who answers a query string that cannot be read.
pub trait Rejects {
    fn reject(detail: String) -> actix_web::Error;
}

/// The API: 422 naming the query, as for any value of the wrong shape.
pub enum ByApi {}

impl Rejects for ByApi {
    fn reject(detail: String) -> actix_web::Error {
        ApiError::Invalid(Invalid::new("query", "err-query").arg("value", detail)).into()
    }
}

/// A page: 400, as actix answers any other request it cannot read.
pub enum ByPage {}

impl Rejects for ByPage {
    fn reject(detail: String) -> actix_web::Error {
        actix_web::error::ErrorBadRequest(detail)
    }
}

impl<T, R: Rejects> Query<T, R> {
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T, R: Rejects> std::ops::Deref for Query<T, R> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: DeserializeOwned, R: Rejects> actix_web::FromRequest for Query<T, R> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(
            serde_html_form::from_str(req.query_string())
                .map(|value| Query {
                    value,
                    rejects: PhantomData,
                })
                .map_err(|e| R::reject(e.to_string())),
        )
    }
}

/// A list field sent once, comma-separated, or once per value: read as the
/// comma-separated text either way, so that it is checked, shown again and
/// put into links as one.
pub fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct Visitor;

    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a value, or several")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut values = Vec::new();
            while let Some(v) = seq.next_element::<String>()? {
                values.push(v);
            }
            Ok(Some(values.join(",")))
        }
    }

    d.deserialize_any(Visitor)
}

/// What a field sent without a value means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blank {
    /// A page's form: an empty input is no filter.
    Absent,
    /// The API: the document asks for a value, so a blank one is refused.
    Refused,
}

impl Blank {
    /// The value of a field, trimmed; `None` when absent (or blank on a page).
    pub fn given<'a>(
        self,
        name: &str,
        value: &'a Option<String>,
    ) -> Result<Option<&'a str>, ApiError> {
        match (typed(value), self) {
            (None, Blank::Refused) if value.is_some() => {
                Err(ApiError::Invalid(Invalid::required(name)))
            }
            (v, _) => Ok(v),
        }
    }
}

/// What was typed in a field, trimmed; `None` when absent or blank.
pub fn typed(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A date of a query or of an API body, named in its error: absent is
/// `None`, a blank or malformed one is refused (the document says `format: date`).
pub fn date(name: &str, value: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    value
        .map(|v| parse_date(v).map_err(|_| ApiError::Invalid(Invalid::bad_date(name, v))))
        .transpose()
}

/// A whole number from 1 to `max`, or `default` when absent.
fn number_upto(name: &str, value: Option<&str>, default: i64, max: i64) -> Result<i64, ApiError> {
    match value {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| ApiError::Invalid(Invalid::new(name, "err-number").arg("value", v))),
    }
}

/// `status=overdue` or a comma-separated list; an empty piece (`overdue,`)
/// is no status, refused like any other.
pub fn statuses(value: Option<&str>) -> Result<Vec<Status>, ApiError> {
    let Some(raw) = value else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .map(|s| {
            Status::from_code(s).ok_or_else(|| {
                ApiError::Invalid(Invalid::new("status", "err-status").arg("value", s))
            })
        })
        .collect()
}

/// The period asked for as sent: `period=2022-H2`, or `from` and `to` (with
/// `period=custom` from the pickers).
#[derive(Debug, Clone, Copy, Default)]
pub struct PeriodFields<'a> {
    pub period: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

impl PeriodFields<'_> {
    /// The period; `None` when neither a name nor a range is given.
    pub fn parse(&self) -> Result<Option<Period>, ApiError> {
        if let Some(name) = self.period.filter(|p| *p != CUSTOM_PERIOD) {
            return name.parse::<Period>().map(Some).map_err(|_| {
                ApiError::Invalid(Invalid::new("period", "err-period").arg("value", name))
            });
        }
        match (date("from", self.from)?, date("to", self.to)?) {
            (None, None) if self.period.is_some() => {
                Err(ApiError::Invalid(Invalid::required("from")))
            }
            (None, None) => Ok(None),
            (Some(from), Some(to)) => Period::new(from, to).map(Some).map_err(|_| {
                ApiError::Invalid(
                    Invalid::new("to", "err-period-reversed")
                        .arg("from", format_vi(from))
                        .arg("to", format_vi(to)),
                )
            }),
            (None, Some(_)) => Err(ApiError::Invalid(Invalid::new("from", "err-range-pair"))),
            (Some(_), None) => Err(ApiError::Invalid(Invalid::new("to", "err-range-pair"))),
        }
    }
}

fn period_fields<'a>(
    blank: Blank,
    period: &'a Option<String>,
    from: &'a Option<String>,
    to: &'a Option<String>,
) -> Result<PeriodFields<'a>, ApiError> {
    Ok(PeriodFields {
        period: blank.given("period", period)?,
        from: blank.given("from", from)?,
        to: blank.given("to", to)?,
    })
}

/// The as-of date of a period's report: the one sent, else the earlier of
/// today and the period's end; before the period starts is a 400.
pub fn as_of_for(
    period: &Period,
    as_of: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<NaiveDate, ApiError> {
    period.as_of(as_of, today).map_err(|e| match e {
        PeriodError::AsOfBeforeFrom { as_of, from } => ApiError::BadRequest(
            Invalid::new("as_of", "err-as-of-before-from")
                .arg("value", as_of)
                .arg("from", from),
        ),
        _ => ApiError::Invalid(Invalid::new("as_of", "err-period").arg("value", period.name())),
    })
}

/// The query of a period's report (`GET /dashboard`, the dashboard page and
/// everything printed or exported from it).
#[derive(Debug, Default, Clone, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Default: the current half-year.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::PeriodName>, inline)]
    pub period: Option<String>,
    /// With `to`: the report of any range of dates.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::DateText>, inline)]
    pub from: Option<String>,
    /// With `from`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::DateText>, inline)]
    pub to: Option<String>,
    /// Default: the earlier of today and the period's end. Before the
    /// period's start (given, or by default for a period to come) is a 400.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::DateText>, inline)]
    pub as_of: Option<String>,
    /// That unit and the units under it (within the reader's scope).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::UnitCode>, inline)]
    pub unit: Option<String>,
}

/// A report's period, as-of date and unit, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub period: Period,
    pub as_of: NaiveDate,
    /// A unit code: that unit's subtree (within the reader's scope).
    pub unit: Option<String>,
}

impl ReportQuery {
    /// The period as sent, blank fields read by `blank`.
    pub fn period_fields(&self, blank: Blank) -> Result<PeriodFields<'_>, ApiError> {
        period_fields(blank, &self.period, &self.from, &self.to)
    }

    /// The period as typed (for a picker shown again).
    pub fn period_typed(&self) -> PeriodFields<'_> {
        PeriodFields {
            period: typed(&self.period),
            from: typed(&self.from),
            to: typed(&self.to),
        }
    }

    /// The period (the current half-year by default), the as-of date and the unit.
    pub fn parse(&self, blank: Blank, today: NaiveDate) -> Result<Report, ApiError> {
        let period = self
            .period_fields(blank)?
            .parse()?
            .unwrap_or_else(|| Period::half_year_of(today));
        let as_of = date("as_of", blank.given("as_of", &self.as_of)?)?;
        Ok(Report {
            as_of: as_of_for(&period, as_of, today)?,
            period,
            unit: blank.given("unit", &self.unit)?.map(str::to_string),
        })
    }
}

/// The `page` and `per_page` of a list.
#[derive(Debug, Default, Clone, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::PageNumber>, inline)]
    pub page: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::PerPage>, inline)]
    pub per_page: Option<String>,
}

impl PageQuery {
    /// The page (from 1 to [`MAX_PAGE`]) and its size (at most
    /// [`MAX_PER_PAGE`], 50 by default).
    pub fn parse(&self, blank: Blank) -> Result<PageRequest, ApiError> {
        Ok(PageRequest {
            page: number_upto("page", blank.given("page", &self.page)?, 1, MAX_PAGE)?,
            per_page: number_upto(
                "per_page",
                blank.given("per_page", &self.per_page)?,
                50,
                MAX_PER_PAGE,
            )?,
        })
    }
}

/// The query of the task list (`GET /tasks` and the `/tasks` page).
#[derive(Debug, Default, Clone, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListQuery {
    /// Tasks of this unit (with `unit_role`: that it leads, or any part in).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::UnitCode>, inline)]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::UnitRoleCode>, inline)]
    pub unit_role: Option<String>,
    /// Tasks with these statuses as of `as_of`.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Option::is_none"
    )]
    #[param(value_type = Option<schema::StatusList>, inline, style = Form, explode = false)]
    pub status: Option<String>,
    /// The tasks of that period's report.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::PeriodName>, inline)]
    pub period: Option<String>,
    /// With `to`: the tasks of the report of any range of dates.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::DateText>, inline)]
    pub from: Option<String>,
    /// With `from`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::DateText>, inline)]
    pub to: Option<String>,
    /// The date statuses are computed for (default: today, or the earlier of today and the period's end).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::DateText>, inline)]
    pub as_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::SearchText>, inline)]
    pub q: Option<String>,
    /// The tasks of one meeting, by its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::Id>, inline)]
    pub meeting: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::WaitingCode>, inline)]
    pub waiting: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::PageNumber>, inline)]
    pub page: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<schema::PerPage>, inline)]
    pub per_page: Option<String>,
}

/// A task list's filter (its `unit` resolved by the caller), the date its
/// statuses are computed for, and the page asked for.
#[derive(Debug)]
pub struct TaskList {
    pub filter: TaskFilter,
    pub as_of: NaiveDate,
    pub unit: Option<String>,
    pub page: PageRequest,
}

impl TaskListQuery {
    /// The period as typed (for a picker shown again).
    pub fn period_typed(&self) -> PeriodFields<'_> {
        PeriodFields {
            period: typed(&self.period),
            from: typed(&self.from),
            to: typed(&self.to),
        }
    }

    pub fn parse(&self, blank: Blank, today: NaiveDate) -> Result<TaskList, ApiError> {
        let period = period_fields(blank, &self.period, &self.from, &self.to)?.parse()?;
        let as_of = date("as_of", blank.given("as_of", &self.as_of)?)?;
        let as_of = match &period {
            Some(p) => as_of_for(p, as_of, today)?,
            None => as_of.unwrap_or(today),
        };
        let unit_role = match blank.given("unit_role", &self.unit_role)? {
            None | Some("lead") => UnitRole::Lead,
            Some("any") => UnitRole::LeadOrCoordinator,
            Some(other) => {
                return Err(ApiError::Invalid(
                    Invalid::new("unit_role", "err-unit-role").arg("value", other),
                ));
            }
        };
        let meeting = blank.given("meeting", &self.meeting)?;
        let waiting = blank
            .given("waiting", &self.waiting)?
            .map(|w| {
                Waiting::from_code(w).ok_or_else(|| {
                    ApiError::Invalid(Invalid::new("waiting", "err-waiting").arg("value", w))
                })
            })
            .transpose()?;
        let filter = TaskFilter {
            unit_id: None,
            unit_role,
            statuses: statuses(blank.given("status", &self.status)?)?,
            period,
            as_of: Some(as_of),
            // Blank search text is no filter, for the API too.
            query: Blank::Absent.given("q", &self.q)?.map(str::to_string),
            meeting_id: meeting
                .map(|m| number_upto("meeting", Some(m), 1, i64::MAX))
                .transpose()?,
            overdue_first: false,
            viewer: Default::default(),
            waiting,
            open_only: false,
        };
        Ok(TaskList {
            filter,
            as_of,
            unit: blank.given("unit", &self.unit)?.map(str::to_string),
            page: PageQuery {
                page: self.page.clone(),
                per_page: self.per_page.clone(),
            }
            .parse(blank)?,
        })
    }
}

/// A query or form serialized for a link, without its blank fields.
pub fn link_query(query: &impl Serialize) -> String {
    let sent = serde_json::to_value(query).unwrap_or_default();
    let pairs = sent
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k, v.as_str()?.trim())))
        .filter(|(_, v)| !v.is_empty());
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn report(pairs: &str) -> ReportQuery {
        serde_html_form::from_str(pairs).expect("query")
    }

    fn list(query: &str) -> TaskListQuery {
        serde_html_form::from_str(query).expect("query")
    }

    fn field(e: ApiError) -> String {
        match e {
            ApiError::Invalid(i) | ApiError::BadRequest(i) => i.field,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_blank_field_is_no_filter_on_a_page_and_refused_by_the_api() {
        let today = d("2026-11-27");
        let q = report("period=&unit=&as_of=");
        let got = q.parse(Blank::Absent, today).expect("page");
        assert_eq!(got.period, Period::half_year_of(today));
        assert_eq!((got.as_of, got.unit), (today, None));
        let e = q.parse(Blank::Refused, today).expect_err("api");
        assert_eq!(field(e), "period");
    }

    #[test]
    fn each_bad_value_names_its_field() {
        let today = d("2026-11-27");
        for (query, name) in [
            ("period=2022-H3", "period"),
            ("period=custom", "from"),
            ("from=2022-01-01", "to"),
            ("to=2022-01-01", "from"),
            ("from=2022-02-01&to=2022-01-01", "to"),
            ("from=2022-02-31&to=2022-03-01", "from"),
            ("period=2022-H2&as_of=2022-01-01", "as_of"),
        ] {
            let e = report(query).parse(Blank::Absent, today).expect_err(query);
            assert_eq!(field(e), name, "{query}");
        }
        let got = report("period=custom&from=2022-01-05&to=2022-03-31")
            .parse(Blank::Refused, today)
            .expect("range");
        assert_eq!(got.period.name(), "2022-01-05..2022-03-31");
        assert_eq!(got.as_of, d("2022-03-31"));
    }

    #[test]
    fn a_task_list_reads_its_filters_and_its_page() {
        let today = d("2026-11-27");
        let q =
            list("status=overdue,done_late&unit_role=any&meeting=7&waiting=extension&q=+&page=2");
        let got = q.parse(Blank::Refused, today).expect("list");
        assert_eq!(got.filter.statuses, [Status::Overdue, Status::DoneLate]);
        assert_eq!(got.filter.unit_role, UnitRole::LeadOrCoordinator);
        assert_eq!(got.filter.meeting_id, Some(7));
        assert_eq!(got.filter.waiting, Some(Waiting::Extension));
        assert_eq!(got.filter.query, None);
        assert_eq!((got.page.page, got.page.per_page), (2, 50));
        assert_eq!(got.as_of, today);
        let repeated = list("status=overdue&status=done_late");
        assert_eq!(repeated.status.as_deref(), Some("overdue,done_late"));
        for (query, name) in [
            ("status=overdue,", "status"),
            ("unit_role=all", "unit_role"),
            ("meeting=0", "meeting"),
            ("waiting=x", "waiting"),
            ("per_page=100000", "per_page"),
            ("page=", "page"),
        ] {
            let e = list(query).parse(Blank::Refused, today).expect_err(query);
            assert_eq!(field(e), name, "{query}");
        }
    }
}
