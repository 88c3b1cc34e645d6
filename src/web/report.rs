//! The dashboard as people read it, built once for the page, the print view
//! and the exports: the request (period, as-of date, unit, order), the report
//! of the reader's scope from `storage::dashboard::dashboard`, the order and rank
//! of the units, the charts, the frozen report beside the live one, and the
//! drill-down link behind every number.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::domain::dashboard::{order, ranks, AgeBucket, AgeCounts, Row, SortDir, SortKey};
use crate::domain::report::Counts;
use crate::domain::text::escape_markup;
use crate::domain::{Invalid, Period, Status};
use crate::i18n::{self, Lang};
use crate::storage::dashboard::Dashboard;
use crate::web::chart::{self, Bar, Texts};
use crate::web::query::{Blank, Report, ReportQuery};
use crate::web::ApiError;

/// The dashboard's query as sent: the report's, and the order of its units.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct DashboardQuery {
    #[serde(flatten)]
    pub report: ReportQuery,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
}

/// What a dashboard request asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub period: Period,
    pub as_of: NaiveDate,
    /// A unit code: that unit's subtree (within the reader's scope).
    pub unit: Option<String>,
    pub sort: SortKey,
    pub dir: SortDir,
}

impl DashboardQuery {
    /// `period` (or `from` and `to`; the current half-year by default),
    /// `as_of`, `unit`, `sort` and `dir`; each bad value is named, a blank
    /// one is no choice.
    pub fn parse(&self, today: NaiveDate) -> Result<Query, ApiError> {
        let Report {
            period,
            as_of,
            unit,
        } = self.report.parse(Blank::Absent, today)?;
        let sort = match Blank::Absent.given("sort", &self.sort)? {
            None => SortKey::Code,
            Some(s) => SortKey::from_code(s).ok_or_else(|| {
                ApiError::Invalid(Invalid::new("sort", "err-sort").arg("value", s))
            })?,
        };
        let dir = match Blank::Absent.given("dir", &self.dir)? {
            None => sort.natural_dir(),
            Some(s) => SortDir::from_code(s).ok_or_else(|| {
                ApiError::Invalid(Invalid::new("dir", "err-sort").arg("value", s))
            })?,
        };
        Ok(Query {
            period,
            as_of,
            unit,
            sort,
            dir,
        })
    }
}

impl Query {
    /// The query string of the report (period, as-of date, unit), for links.
    pub fn base(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            ("period", self.period.name()),
            ("as_of", self.as_of.to_string()),
        ];
        if let Some(u) = &self.unit {
            pairs.push(("unit", u.clone()));
        }
        pairs
    }

    /// The report's query with its order, plus `extra`.
    pub fn with_order(&self, extra: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
        let mut pairs = self.base();
        pairs.push(("sort", self.sort.code().to_string()));
        pairs.push(("dir", self.dir.code().to_string()));
        pairs.extend(extra.iter().cloned());
        pairs
    }
}

/// `path?k=v&…`, every value encoded.
pub fn url(path: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return path.to_string();
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish();
    format!("{path}?{query}")
}

/// A rate as people read it: one decimal, a comma in Vietnamese.
pub use crate::domain::report_doc::percent;

/// What a drill-down list narrows to beyond status and lead unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    All,
    CarriedOver,
    Extended,
    Age(AgeBucket),
}

/// Builds the link to the tasks behind a number: every number opens the
/// same list (`/dashboard/tasks`), headed by what it counts, with the way
/// back to the dashboard as it was (period, as-of date, unit, order). The
/// common start of the links is encoded once: a page has thousands of them.
#[derive(Debug, Clone)]
pub struct Drill {
    /// `?period=…&as_of=…[&unit=…]&sort=…&dir=…` after the list's path.
    list_base: String,
    unit: Option<String>,
    order: String,
}

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

impl Drill {
    pub fn new(q: &Query) -> Drill {
        let order = format!("&sort={}&dir={}", q.sort.code(), q.dir.code());
        Drill::build(q.period, q.as_of, q.unit.clone(), order)
    }

    fn build(period: Period, as_of: NaiveDate, unit: Option<String>, order: String) -> Drill {
        let mut list_base = format!(
            "/dashboard/tasks?period={}&as_of={as_of}",
            enc(&period.name())
        );
        if let Some(u) = &unit {
            list_base.push_str("&unit=");
            list_base.push_str(&enc(u));
        }
        list_base.push_str(&order);
        Drill {
            list_base,
            unit,
            order,
        }
    }

    fn at(&self, period: Period, as_of: NaiveDate) -> Drill {
        Drill::build(period, as_of, self.unit.clone(), self.order.clone())
    }

    pub fn link(&self, lead: Option<&str>, statuses: &[Status], only: Only) -> String {
        let mut out = self.list_base.clone();
        if let Some(code) = lead {
            out.push_str("&lead_unit=");
            out.push_str(&enc(code));
        }
        for (i, s) in statuses.iter().enumerate() {
            out.push_str(if i == 0 { "&status=" } else { "%2C" });
            out.push_str(s.code());
        }
        match only {
            Only::All => {}
            Only::CarriedOver => out.push_str("&carried=1"),
            Only::Extended => out.push_str("&extended=1"),
            Only::Age(b) => {
                out.push_str("&age=");
                out.push_str(&b.number().to_string());
            }
        }
        out
    }
}

/// The link behind each number of a line, written for an HTML attribute
/// (`&amp;`): a page has thousands, and their parts are percent-encoded, so
/// templates print them as they are.
#[derive(Debug, Clone, Serialize)]
pub struct Links {
    pub total: String,
    pub done_on_time: String,
    pub done_late: String,
    pub in_progress: String,
    pub overdue: String,
    pub carried_over: String,
    pub extended: String,
    pub completion_rate: String,
    pub on_time_rate: String,
}

impl Links {
    fn new(drill: &Drill, lead: Option<&str>) -> Links {
        let s = |st: &[Status]| escape_markup(&drill.link(lead, st, Only::All));
        Links {
            total: s(&[]),
            done_on_time: s(&[Status::DoneOnTime]),
            done_late: s(&[Status::DoneLate]),
            in_progress: s(&[Status::InProgress]),
            overdue: s(&[Status::Overdue]),
            carried_over: escape_markup(&drill.link(lead, &[], Only::CarriedOver)),
            extended: escape_markup(&drill.link(lead, &[], Only::Extended)),
            completion_rate: s(&[Status::DoneOnTime, Status::DoneLate]),
            on_time_rate: s(&[Status::DoneOnTime]),
        }
    }
}

/// The numbers of a line (a unit, or the totals), with rates as printed.
#[derive(Debug, Clone, Serialize)]
pub struct Numbers {
    #[serde(flatten)]
    pub counts: Counts,
    /// The completion rate as printed (`45,5%`).
    pub completion: String,
    pub on_time: String,
    /// Overdue tasks by age: ≤ 30, 31–60, 61–120, > 120 days.
    pub ages: [u64; 4],
}

impl Numbers {
    pub fn new(counts: Counts, ages: AgeCounts, lang: Lang) -> Numbers {
        Numbers {
            completion: percent(counts.completion_rate(), lang),
            on_time: percent(counts.on_time_rate(), lang),
            counts,
            ages: ages.0,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub rank: Option<u32>,
    pub code: String,
    pub name: String,
    pub active: bool,
    pub n: Numbers,
    pub links: Links,
}

/// A column header of the units table: its sort link and state.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub key: &'static str,
    pub label: String,
    pub href: String,
    /// `ascending` or `descending` on the sorted column.
    pub aria_sort: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// `07/2022` for a month's end, else the date.
    pub label: String,
    pub period: String,
    pub as_of: NaiveDate,
    pub n: Numbers,
    pub links: Links,
}

#[derive(Debug, Clone, Serialize)]
pub struct Age {
    pub label: String,
    pub count: u64,
    pub link: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrozenLine {
    pub code: String,
    pub name: String,
    pub n: Numbers,
}

/// One row of the comparison of the frozen and the live report.
#[derive(Debug, Clone, Serialize)]
pub struct Compare {
    pub label: String,
    pub frozen: String,
    pub live: String,
    /// `+3`, `−2`, `+1,5 điểm` or empty when unchanged.
    pub change: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrozenView {
    pub as_of: NaiveDate,
    /// Local time, as printed.
    pub closed_at: String,
    pub closed_by: Option<String>,
    pub note: String,
    pub totals: Numbers,
    pub lines: Vec<FrozenLine>,
    pub compare: Vec<Compare>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Charts {
    pub units: String,
    /// How many units the units chart shows, of how many with tasks.
    pub units_shown: usize,
    pub units_with_tasks: usize,
    pub progress: String,
    pub ages: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

/// Everything the page, the print view and the exports show.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: NaiveDate,
    pub unit: Option<String>,
    /// The root of the report; `None` for the whole tree.
    pub root: Option<UnitRef>,
    pub totals: Numbers,
    pub total_links: Links,
    pub lines: Vec<Line>,
    pub sort: &'static str,
    pub dir: &'static str,
    pub headers: Vec<Header>,
    pub progress: Vec<Point>,
    pub ages: Vec<Age>,
    pub frozen: Option<FrozenView>,
    pub charts: Charts,
    /// The units the reader may narrow the report to.
    pub choices: Vec<UnitRef>,
    /// The export and print links of this very report.
    pub exports: Exports,
}

#[derive(Debug, Clone, Serialize)]
pub struct Exports {
    pub csv: String,
    /// The report as a Word document in the official layout.
    pub docx: String,
    pub xlsx: String,
    pub tasks_csv: String,
    pub tasks_xlsx: String,
    pub print: String,
}

/// The most units the units chart draws (the table has them all).
pub const CHART_UNITS: usize = 40;

fn t(lang: Lang, key: &str) -> String {
    i18n::text(lang, key)
}

fn status_labels(lang: Lang) -> [String; 4] {
    Status::ALL.map(|s| t(lang, &format!("status-{}", s.code())))
}

/// The label of a sort column.
fn header_label(lang: Lang, key: SortKey) -> String {
    let k = match key {
        SortKey::Rank => "dashboard-rank".to_string(),
        SortKey::Code => "field-code".to_string(),
        SortKey::Name => "field-unit".to_string(),
        SortKey::Total => "count-total".to_string(),
        SortKey::CarriedOver => "count-carried-over".to_string(),
        SortKey::Extended => "count-extended".to_string(),
        SortKey::CompletionRate => "count-completion-rate".to_string(),
        SortKey::OnTimeRate => "count-on-time-rate".to_string(),
        other => format!("status-{}", other.code()),
    };
    t(lang, &k)
}

/// A change between two counts: `+3`, `−2`, or empty.
fn change(live: u64, frozen: u64) -> String {
    match live.cmp(&frozen) {
        std::cmp::Ordering::Equal => String::new(),
        std::cmp::Ordering::Greater => format!("+{}", live - frozen),
        std::cmp::Ordering::Less => format!("−{}", frozen - live),
    }
}

/// A change between two rates, in percentage points.
fn rate_change(live: f64, frozen: f64, lang: Lang) -> String {
    let points = (live - frozen) * 100.0;
    if points.abs() < 0.05 {
        return String::new();
    }
    let text = format!(
        "{}{:.1}",
        if points > 0.0 { "+" } else { "−" },
        points.abs()
    );
    let text = if lang == Lang::Vi {
        text.replace('.', ",")
    } else {
        text
    };
    i18n::text_with(lang, "dashboard-points", &[("n", text)])
}

fn compare(frozen: &Counts, live: &Counts, lang: Lang) -> Vec<Compare> {
    let mut rows: Vec<Compare> = vec![("count-total", frozen.total, live.total)]
        .into_iter()
        .chain(Status::ALL.iter().map(|s| {
            let key: &'static str = match s {
                Status::DoneOnTime => "status-done_on_time",
                Status::DoneLate => "status-done_late",
                Status::InProgress => "status-in_progress",
                Status::Overdue => "status-overdue",
            };
            (key, frozen.count_of(*s), live.count_of(*s))
        }))
        .chain([
            ("count-carried-over", frozen.carried_over, live.carried_over),
            ("count-extended", frozen.extended, live.extended),
        ])
        .map(|(key, f, l)| Compare {
            label: t(lang, key),
            frozen: f.to_string(),
            live: l.to_string(),
            change: change(l, f),
        })
        .collect();
    rows.push(Compare {
        label: t(lang, "count-completion-rate"),
        frozen: percent(frozen.completion_rate(), lang),
        live: percent(live.completion_rate(), lang),
        change: rate_change(live.completion_rate(), frozen.completion_rate(), lang),
    });
    rows.push(Compare {
        label: t(lang, "count-on-time-rate"),
        frozen: percent(frozen.on_time_rate(), lang),
        live: percent(live.on_time_rate(), lang),
        change: rate_change(live.on_time_rate(), frozen.on_time_rate(), lang),
    });
    rows
}

/// Whether a date is the last day of its month.
fn month_end(d: NaiveDate) -> bool {
    d.succ_opt()
        .is_some_and(|n| n.format("%d").to_string() == "01")
}

impl View {
    pub fn build(q: &Query, data: &Dashboard, lang: Lang, tz: chrono_tz::Tz) -> View {
        let report = &data.report;
        let drill = Drill::new(q);
        let counts: Vec<Counts> = report.units.iter().map(|u| u.counts).collect();
        let rank = ranks(&counts);
        let rows: Vec<Row> = report
            .units
            .iter()
            .zip(&rank)
            .map(|(u, r)| Row {
                code: &u.unit.unit.code,
                name: &u.unit.unit.name,
                counts: &u.counts,
                rank: *r,
            })
            .collect();
        let lines: Vec<Line> = order(&rows, q.sort, q.dir)
            .into_iter()
            .map(|i| {
                let u = &report.units[i];
                Line {
                    rank: rank[i],
                    code: u.unit.unit.code.clone(),
                    name: u.unit.unit.name.clone(),
                    active: u.unit.unit.active,
                    n: Numbers::new(u.counts, u.ages, lang),
                    links: Links::new(&drill, Some(&u.unit.unit.code)),
                }
            })
            .collect();
        let headers = SortKey::ALL
            .iter()
            .filter(|k| **k != SortKey::Code)
            .map(|key| {
                let dir = if *key == q.sort {
                    q.dir.flip()
                } else {
                    key.natural_dir()
                };
                let mut pairs = q.base();
                pairs.push(("sort", key.code().to_string()));
                pairs.push(("dir", dir.code().to_string()));
                Header {
                    key: key.code(),
                    label: header_label(lang, *key),
                    href: format!("{}#units-h", url("/dashboard", &pairs)),
                    aria_sort: (*key == q.sort).then_some(match q.dir {
                        SortDir::Asc => "ascending",
                        SortDir::Desc => "descending",
                    }),
                }
            })
            .collect();
        let progress: Vec<Point> = data
            .progress
            .iter()
            .map(|(p, c)| Point {
                label: if month_end(p.as_of) && p.as_of <= q.period.to {
                    p.as_of.format("%m/%Y").to_string()
                } else {
                    crate::domain::dates::format_vi(p.as_of)
                },
                period: p.period.name(),
                as_of: p.as_of,
                n: Numbers::new(*c, AgeCounts::default(), lang),
                links: Links::new(&drill.at(p.period, p.as_of), None),
            })
            .collect();
        let ages: Vec<Age> = AgeBucket::ALL
            .iter()
            .map(|b| Age {
                label: t(lang, b.label_key()),
                count: report.ages.get(*b),
                link: drill.link(None, &[Status::Overdue], Only::Age(*b)),
            })
            .collect();
        let frozen = data.frozen.as_ref().map(|f| {
            let (fc, fa) = f.totals(data.scope.unit_ids.as_deref());
            FrozenView {
                as_of: f.close.as_of,
                closed_at: local_time(f.close.closed_at, tz),
                closed_by: f.close.closed_by.clone(),
                note: f.close.note.clone(),
                totals: Numbers::new(fc, fa, lang),
                lines: f
                    .units_in(data.scope.unit_ids.as_deref())
                    .map(|u| FrozenLine {
                        code: u.code.clone(),
                        name: u.name.clone(),
                        n: Numbers::new(u.counts, u.ages, lang),
                    })
                    .collect(),
                compare: compare(&fc, &report.totals, lang),
            }
        });
        let charts = charts(q, &lines, &progress, &ages, lang);
        let ordered = q.with_order(&[]);
        View {
            period: q.period.name(),
            from: q.period.from,
            to: q.period.to,
            as_of: q.as_of,
            unit: q.unit.clone(),
            root: data.scope.root.as_ref().map(|u| UnitRef {
                code: u.unit.code.clone(),
                name: u.unit.name.clone(),
            }),
            totals: Numbers::new(report.totals, report.ages, lang),
            total_links: Links::new(&drill, None),
            lines,
            sort: q.sort.code(),
            dir: q.dir.code(),
            headers,
            progress,
            ages,
            frozen,
            charts,
            choices: data
                .scope
                .choices
                .iter()
                .map(|u| UnitRef {
                    code: u.unit.code.clone(),
                    name: u.unit.name.clone(),
                })
                .collect(),
            exports: Exports {
                csv: url("/dashboard/export.csv", &ordered),
                docx: url("/dashboard/report.docx", &ordered),
                xlsx: url("/dashboard/export.xlsx", &ordered),
                tasks_csv: url("/dashboard/tasks.csv", &q.base()),
                tasks_xlsx: url("/dashboard/tasks.xlsx", &q.base()),
                print: url("/dashboard/print", &ordered),
            },
        }
    }
}

/// A stored UTC time in the configured zone, as printed (`14:05 27/11/2026`).
pub fn local_time(utc: NaiveDateTime, tz: chrono_tz::Tz) -> String {
    utc.and_utc()
        .with_timezone(&tz)
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

fn charts(q: &Query, lines: &[Line], progress: &[Point], ages: &[Age], lang: Lang) -> Charts {
    let statuses = status_labels(lang);
    let with_tasks: Vec<&Line> = lines.iter().filter(|l| l.n.counts.total > 0).collect();
    let shown: Vec<&&Line> = with_tasks.iter().take(CHART_UNITS).collect();
    let bars: Vec<Bar> = shown
        .iter()
        .map(|l| Bar {
            label: l.name.clone(),
            note: format!("{} · {}", l.n.counts.total, l.n.completion),
            counts: l.n.counts,
        })
        .collect();
    let units_texts = Texts {
        title: t(lang, "chart-units-title"),
        desc: i18n::text_with(
            lang,
            "chart-units-desc",
            &[
                ("shown", shown.len().to_string()),
                ("units", with_tasks.len().to_string()),
            ],
        ),
        statuses: statuses.clone(),
    };
    // Both renderings; the style sheet shows the phone's or the desktop's.
    let units = chart::units_chart("chart-units", &bars, &units_texts)
        + &chart::units_chart_narrow("chart-units", &bars, &units_texts);
    let point_bars: Vec<Bar> = progress
        .iter()
        .map(|p| Bar {
            label: p.label.clone(),
            note: p.n.completion.clone(),
            counts: p.n.counts,
        })
        .collect();
    let progress_desc = progress
        .iter()
        .map(|p| {
            i18n::text_with(
                lang,
                "chart-progress-point",
                &[
                    ("label", p.label.clone()),
                    (
                        "done",
                        (p.n.counts.done_on_time + p.n.counts.done_late).to_string(),
                    ),
                    ("total", p.n.counts.total.to_string()),
                    ("rate", p.n.completion.clone()),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let progress_texts = Texts {
        title: i18n::text_with(lang, "chart-progress-title", &[("period", q.period.name())]),
        desc: progress_desc,
        statuses: statuses.clone(),
    };
    let progress_svg = chart::progress_chart("chart-progress", &point_bars, &progress_texts)
        + &chart::progress_chart_narrow("chart-progress", &point_bars, &progress_texts);
    let ages_desc = ages
        .iter()
        .map(|a| format!("{}: {}", a.label, a.count))
        .collect::<Vec<_>>()
        .join("; ");
    let buckets: Vec<(String, u64)> = ages.iter().map(|a| (a.label.clone(), a.count)).collect();
    let ages_texts = Texts {
        title: i18n::text_with(
            lang,
            "chart-ages-title",
            &[("as_of", crate::domain::dates::format_vi(q.as_of))],
        ),
        desc: ages_desc,
        statuses,
    };
    let ages_svg = chart::ages_chart("chart-ages", &buckets, &ages_texts)
        + &chart::ages_chart_narrow("chart-ages", &buckets, &ages_texts);
    Charts {
        units,
        units_shown: shown.len(),
        units_with_tasks: with_tasks.len(),
        progress: progress_svg,
        ages: ages_svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn q(unit: Option<&str>) -> Query {
        Query {
            period: "2022-H2".parse().expect("period"),
            as_of: d("2022-12-31"),
            unit: unit.map(str::to_string),
            sort: SortKey::Code,
            dir: SortDir::Asc,
        }
    }

    #[test]
    fn every_number_opens_the_same_list_that_leads_back() {
        let whole = Drill::new(&q(None));
        assert_eq!(
            whole.link(Some("BTGTU"), &[Status::Overdue], Only::All),
            "/dashboard/tasks?period=2022-H2&as_of=2022-12-31&sort=code&dir=asc&lead_unit=BTGTU&status=overdue"
        );
        assert_eq!(
            whole.link(None, &[Status::DoneOnTime, Status::DoneLate], Only::All),
            "/dashboard/tasks?period=2022-H2&as_of=2022-12-31&sort=code&dir=asc&status=done_on_time%2Cdone_late"
        );
        assert_eq!(
            whole.link(None, &[], Only::CarriedOver),
            "/dashboard/tasks?period=2022-H2&as_of=2022-12-31&sort=code&dir=asc&carried=1"
        );
        let sub = Drill::new(&q(Some("VPTU")));
        assert_eq!(
            sub.link(None, &[Status::Overdue], Only::Age(AgeBucket::UpTo60)),
            "/dashboard/tasks?period=2022-H2&as_of=2022-12-31&unit=VPTU&sort=code&dir=asc&status=overdue&age=2"
        );
        assert_eq!(
            sub.at("2022-Q3".parse().expect("period"), d("2022-09-30"))
                .link(Some("VPTU"), &[], Only::All),
            "/dashboard/tasks?period=2022-Q3&as_of=2022-09-30&unit=VPTU&sort=code&dir=asc&lead_unit=VPTU"
        );
    }

    #[test]
    fn every_catalogue_key_of_the_dashboard_exists() {
        let sources = [
            include_str!("report.rs"),
            include_str!("export.rs"),
            include_str!("pages/dashboard.rs"),
            include_str!("../storage/report/mod.rs"),
            include_str!("../storage/closes.rs"),
            include_str!("../domain/dashboard.rs"),
        ];
        let prefixes = [
            "err-",
            "dashboard-",
            "chart-",
            "xlsx-",
            "age-",
            "period-",
            "count-",
            "field-",
        ];
        let mut checked = 0;
        for src in sources {
            for part in src.split('"').skip(1).step_by(2) {
                // The ids of the charts in the page are not keys.
                let chart_id = ["chart-units", "chart-progress", "chart-ages"].contains(&part);
                let looks_like_key = !chart_id
                    && prefixes.iter().any(|p| part.starts_with(p))
                    && part.len() > 5
                    && !part.ends_with('-')
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if looks_like_key {
                    for lang in Lang::ALL {
                        assert!(
                            i18n::has_key(lang, part),
                            "{part} missing in {}",
                            lang.code()
                        );
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 40, "{checked}");
        for key in ["yes", "status-overdue", "dashboard-total-row"] {
            assert!(i18n::has_key(Lang::En, key));
        }
    }

    #[test]
    fn percentages_read_as_people_write_them() {
        assert_eq!(percent(0.4545, Lang::Vi), "45,5%");
        assert_eq!(percent(0.4545, Lang::En), "45.5%");
        assert_eq!(percent(0.0, Lang::Vi), "0,0%");
        assert_eq!(change(5, 3), "+2");
        assert_eq!(change(3, 5), "−2");
        assert_eq!(change(3, 3), "");
    }

    #[test]
    fn query_defaults_and_errors() {
        let query = |q: &str| -> DashboardQuery {
            actix_web::web::Query::<DashboardQuery>::from_query(q)
                .expect("query")
                .into_inner()
        };
        let today = d("2026-11-27");
        let got = query("").parse(today).expect("defaults");
        assert_eq!(got.period, "2026-H2".parse().expect("p"));
        assert_eq!(got.as_of, today);
        assert_eq!((got.sort, got.dir), (SortKey::Code, SortDir::Asc));
        let got = query("sort=overdue&dir=").parse(today).expect("sort");
        assert_eq!((got.sort, got.dir), (SortKey::Overdue, SortDir::Desc));
        for q in ["sort=x", "dir=up", "period=2022-H3", "as_of=2026-01-01"] {
            assert!(query(q).parse(today).is_err(), "{q}");
        }
    }
}
