//! The period picker of the dashboard and the task list: a select of the
//! periods people name ("6 tháng cuối năm 2022", "Quý III/2022",
//! "Tháng 9/2022", "Năm 2022") and a custom range typed as two dates
//! (`period=custom&from=…&to=…`). A plain form: it needs no script.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use crate::domain::dates::parse_date;
use crate::domain::Period;
use crate::i18n::{self, Lang};
use crate::web::query::{PeriodFields, CUSTOM_PERIOD};

/// What the picker shows.
#[derive(Debug, Serialize)]
pub struct Picker {
    /// "Any period" is offered (task lists); the dashboard always has one.
    optional: bool,
    groups: Vec<Group>,
    /// The custom range is the one chosen.
    custom: bool,
    /// The range's dates as typed or as the period's (ISO dates are shown dd/mm/yyyy).
    from: String,
    to: String,
}

#[derive(Debug, Serialize)]
struct Group {
    label: String,
    options: Vec<Choice>,
}

#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The name people call a period by, in the reader's language.
pub fn natural_name(period: &Period, lang: Lang) -> String {
    let (key, args) = period.natural();
    i18n::text_with(lang, key, &args)
}

/// Half-years, quarters, months and years around `today`, by kind, newest first.
fn offered(today: NaiveDate) -> Vec<(&'static str, Vec<Period>)> {
    let y = today.year();
    let halves = (y - 4..=y)
        .rev()
        .flat_map(|year| [2, 1].map(|h| Period::half_year(year, h)))
        .flatten()
        .collect();
    let quarters = [y, y - 1]
        .into_iter()
        .flat_map(|year| (1..=4).rev().map(move |q| Period::quarter(year, q)))
        .flatten()
        .collect();
    let mut months = Vec::new();
    let mut month = Period::month(y, today.month());
    while let Some(m) = month.filter(|_| months.len() < 12) {
        month = m
            .from
            .pred_opt()
            .and_then(|d| Period::month(d.year(), d.month()));
        months.push(m);
    }
    let years = (y - 2..=y).rev().filter_map(Period::year).collect();
    vec![
        ("period-group-half", halves),
        ("period-group-quarter", quarters),
        ("period-group-month", months),
        ("period-group-year", years),
    ]
}

/// Each group's name, with its periods: the period, its value, its name.
type NamedOffers = Vec<(String, Vec<(Period, String, String)>)>;

/// The named offers kept, by day and language.
type Kept = HashMap<(NaiveDate, Lang), Arc<NamedOffers>>;

/// The groups of [`offered`] with their names and each period's value and
/// name, in `lang`. They change with the day only, and every list and
/// dashboard page shows them: named once a day per language, not per page.
fn named_offers(today: NaiveDate, lang: Lang) -> Arc<NamedOffers> {
    static NAMED: LazyLock<Mutex<Kept>> = LazyLock::new(Default::default);
    let mut named = NAMED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = named.get(&(today, lang)) {
        return found.clone();
    }
    let offers: Arc<NamedOffers> = Arc::new(
        offered(today)
            .into_iter()
            .map(|(key, periods)| {
                let options = periods
                    .into_iter()
                    .map(|p| (p, p.name(), natural_name(&p, lang)))
                    .collect();
                (i18n::text(lang, key), options)
            })
            .collect(),
    );
    // Only today's are asked for again (a test's clock may move: keep a few days).
    if named.len() >= 8 {
        named.clear();
    }
    named.insert((today, lang), offers.clone());
    offers
}

/// The picker for a request: `current` is the period the page shows (the
/// dashboard's default included), if any.
pub fn picker(sent: PeriodFields, current: Option<Period>, today: NaiveDate, lang: Lang) -> Picker {
    let raw = sent.period;
    let typed_range =
        raw == Some(CUSTOM_PERIOD) || (raw.is_none() && (sent.from.is_some() || sent.to.is_some()));
    let current = current.or_else(|| raw.and_then(|r| r.parse().ok()));
    let selected = current.filter(|p| !typed_range && !p.name().contains(".."));
    let mut groups: Vec<Group> = named_offers(today, lang)
        .iter()
        .map(|(label, periods)| Group {
            label: label.clone(),
            options: periods
                .iter()
                .map(|(p, value, label)| Choice {
                    value: value.clone(),
                    label: label.clone(),
                    selected: Some(*p) == selected,
                })
                .collect(),
        })
        .collect();
    // A named period further back than the list still shows as chosen.
    if let Some(p) =
        selected.filter(|_| !groups.iter().any(|g| g.options.iter().any(|c| c.selected)))
    {
        groups.insert(
            0,
            Group {
                label: i18n::text(lang, "period-group-shown"),
                options: vec![Choice {
                    value: p.name(),
                    label: natural_name(&p, lang),
                    selected: true,
                }],
            },
        );
    }
    // A date typed as a date is kept as one (shown dd/mm/yyyy); anything else as typed.
    let typed = |raw: Option<&str>| {
        let raw = raw.unwrap_or_default();
        parse_date(raw).map_or_else(|_| raw.to_string(), |d| d.to_string())
    };
    let (custom, from, to) = match current {
        _ if typed_range => (true, typed(sent.from), typed(sent.to)),
        Some(p) if selected.is_none() => (true, p.from.to_string(), p.to.to_string()),
        _ => (false, String::new(), String::new()),
    };
    Picker {
        optional: false,
        groups,
        custom,
        from,
        to,
    }
}

impl Picker {
    /// Offers "any period" first (task lists).
    pub fn optional(mut self) -> Picker {
        self.optional = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent<'a>(
        period: Option<&'a str>,
        from: Option<&'a str>,
        to: Option<&'a str>,
    ) -> PeriodFields<'a> {
        PeriodFields { period, from, to }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn chosen(p: &Picker) -> Vec<(&str, &str)> {
        p.groups
            .iter()
            .flat_map(|g| &g.options)
            .filter(|c| c.selected)
            .map(|c| (c.value.as_str(), c.label.as_str()))
            .collect()
    }

    #[test]
    fn periods_are_offered_by_their_natural_names() {
        let p = picker(
            PeriodFields::default(),
            "2022-H2".parse().ok(),
            d(2022, 12, 1),
            Lang::Vi,
        );
        assert_eq!(chosen(&p), [("2022-H2", "6 tháng cuối năm 2022")]);
        let labels: Vec<&str> = p
            .groups
            .iter()
            .flat_map(|g| &g.options)
            .map(|c| c.label.as_str())
            .collect();
        for name in [
            "6 tháng đầu năm 2022",
            "Quý III/2022",
            "Tháng 9/2022",
            "Năm 2022",
        ] {
            assert!(labels.contains(&name), "{name}: {labels:?}");
        }
        assert_eq!(p.groups[2].options.len(), 12, "a year of months");
        assert!(!p.custom);
    }

    #[test]
    fn a_range_is_the_custom_choice_with_its_dates() {
        let typed = sent(Some("custom"), Some("01/07/2022"), Some("15/08/2022"));
        let p = picker(typed, None, d(2022, 12, 1), Lang::Vi);
        assert!(p.custom && chosen(&p).is_empty());
        assert_eq!(
            (p.from.as_str(), p.to.as_str()),
            ("2022-07-01", "2022-08-15")
        );
        let range = sent(Some("2022-07-01..2022-08-15"), None, None);
        let p = picker(range, None, d(2022, 12, 1), Lang::Vi);
        assert!(p.custom);
        assert_eq!(
            (p.from.as_str(), p.to.as_str()),
            ("2022-07-01", "2022-08-15")
        );
    }

    #[test]
    fn an_older_period_still_shows_as_chosen() {
        let p = picker(
            sent(Some("2015-H1"), None, None),
            None,
            d(2022, 12, 1),
            Lang::Vi,
        );
        assert_eq!(chosen(&p), [("2015-H1", "6 tháng đầu năm 2015")]);
        assert!(
            picker(PeriodFields::default(), None, d(2022, 12, 1), Lang::Vi)
                .optional()
                .optional
        );
    }
}
