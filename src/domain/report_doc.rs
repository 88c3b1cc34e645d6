//! The written report of a period as a clerk types it: the layout of the
//! official heading (a state body's per Nghị định 30/2020/NĐ-CP, a Party
//! body's per Hướng dẫn 36-HD/VPTW), the organisation's names that fill it,
//! and the sentences that put the report's numbers into words. Pure: the
//! numbers come in, text comes out; the Word file is written elsewhere.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::period::Period;
use super::report::Counts;
use super::Invalid;
use super::Lang;

/// Which official layout the documents follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// A state body: Nghị định 30/2020/NĐ-CP.
    #[default]
    State,
    /// A Party body: Hướng dẫn 36-HD/VPTW.
    Party,
}

impl Layout {
    pub const ALL: [Layout; 2] = [Layout::State, Layout::Party];

    pub fn code(self) -> &'static str {
        match self {
            Layout::State => "state",
            Layout::Party => "party",
        }
    }

    pub fn from_code(code: &str) -> Option<Layout> {
        Layout::ALL.into_iter().find(|l| l.code() == code.trim())
    }
}

/// The organisation's names that fill the heading and the signature block.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DocSettings {
    pub layout: Layout,
    /// Cơ quan chủ quản (state) or the Party committee above (party), e.g. "Tỉnh ủy Hà Nam".
    pub parent_body: String,
    /// Cơ quan ban hành, e.g. "Ban Tuyên giáo".
    pub issuer: String,
    /// The issuer's abbreviation in the document number, e.g. "BTGTU".
    pub issuer_short: String,
    /// Địa danh, e.g. "Hà Nam".
    pub place: String,
    /// Thẩm quyền ký, e.g. "K/T TRƯỞNG BAN" or "T/M BAN THƯỜNG VỤ"; may be empty.
    pub signer_authority: String,
    /// Chức vụ người ký, e.g. "Trưởng Ban".
    pub signer_title: String,
    pub signer_name: String,
    /// Nơi nhận, one a line, without the leading dash.
    pub recipients: Vec<String>,
}

/// The longest a name may be.
pub const MAX_NAME: usize = 200;
/// The most recipients listed.
pub const MAX_RECIPIENTS: usize = 20;

/// The settings form as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RawDocSettings {
    pub layout: String,
    pub parent_body: String,
    pub issuer: String,
    pub issuer_short: String,
    pub place: String,
    pub signer_authority: String,
    pub signer_title: String,
    pub signer_name: String,
    /// One recipient a line.
    pub recipients: String,
}

impl From<&DocSettings> for RawDocSettings {
    fn from(s: &DocSettings) -> RawDocSettings {
        RawDocSettings {
            layout: s.layout.code().to_string(),
            parent_body: s.parent_body.clone(),
            issuer: s.issuer.clone(),
            issuer_short: s.issuer_short.clone(),
            place: s.place.clone(),
            signer_authority: s.signer_authority.clone(),
            signer_title: s.signer_title.clone(),
            signer_name: s.signer_name.clone(),
            recipients: s.recipients.join("\n"),
        }
    }
}

/// One line of text: trimmed, inner runs of spaces kept as typed.
fn line(field: &str, value: &str, required: bool, errors: &mut Vec<Invalid>) -> String {
    let v = value.trim();
    if required && v.is_empty() {
        errors.push(Invalid::required(field));
    } else if v.chars().count() > MAX_NAME {
        errors.push(Invalid::new(field, "err-too-long").arg("max", MAX_NAME.to_string()));
    } else if v.chars().any(char::is_control) {
        errors.push(Invalid::new(field, "report-doc-err-one-line"));
    }
    v.to_string()
}

impl RawDocSettings {
    /// Checks every field and names each one at fault.
    pub fn validate(&self) -> Result<DocSettings, Vec<Invalid>> {
        let mut errors = Vec::new();
        let layout = Layout::from_code(&self.layout);
        if layout.is_none() {
            errors.push(Invalid::new("layout", "report-doc-err-layout").arg("value", &self.layout));
        }
        let parent_body = line("parent_body", &self.parent_body, false, &mut errors);
        let issuer = line("issuer", &self.issuer, true, &mut errors);
        let issuer_short = line("issuer_short", &self.issuer_short, true, &mut errors);
        let short_ok = issuer_short
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '&'));
        if !issuer_short.is_empty() && (!short_ok || issuer_short.chars().count() > 30) {
            errors.push(
                Invalid::new("issuer_short", "report-doc-err-short").arg("value", &issuer_short),
            );
        }
        let place = line("place", &self.place, true, &mut errors);
        let signer_authority = line(
            "signer_authority",
            &self.signer_authority,
            false,
            &mut errors,
        );
        let signer_title = line("signer_title", &self.signer_title, true, &mut errors);
        let signer_name = line("signer_name", &self.signer_name, false, &mut errors);
        let recipients: Vec<String> = self
            .recipients
            .lines()
            .map(|l| l.trim().trim_start_matches(['-', '+', '•']).trim())
            .map(|l| l.trim_end_matches([';', ',', '.']).trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        if recipients.len() > MAX_RECIPIENTS {
            errors.push(
                Invalid::new("recipients", "report-doc-err-recipients")
                    .arg("max", MAX_RECIPIENTS.to_string()),
            );
        }
        if recipients.iter().any(|r| r.chars().count() > MAX_NAME) {
            errors
                .push(Invalid::new("recipients", "err-too-long").arg("max", MAX_NAME.to_string()));
        }
        match (layout, errors.is_empty()) {
            (Some(layout), true) => Ok(DocSettings {
                layout,
                parent_body,
                issuer,
                issuer_short,
                place,
                signer_authority,
                signer_title,
                signer_name,
                recipients,
            }),
            _ => Err(errors),
        }
    }
}

/// Vietnamese capitals (`Ban Tuyên giáo` → `BAN TUYÊN GIÁO`): headings are set in capitals.
pub fn upper(text: &str) -> String {
    text.to_uppercase()
}

/// The document number line, left for the office to number: `Số: …/BC-BTGTU`
/// (state) or `Số …-BC/BTGTU` (Party).
pub fn number_line(layout: Layout, issuer_short: &str) -> String {
    let short = if issuer_short.is_empty() {
        "…"
    } else {
        issuer_short
    };
    match layout {
        Layout::State => format!("Số: …/BC-{short}"),
        Layout::Party => format!("Số …-BC/{short}"),
    }
}

/// `Hà Nam, ngày 07 tháng 02 năm 2022`. A state body writes a zero before
/// days under 10 and the months 1 and 2 (Nghị định 30, Phụ lục I); a Party
/// body before every day and month under 10 (Hướng dẫn 36).
pub fn place_date(layout: Layout, place: &str, date: NaiveDate, lang: Lang) -> String {
    let place = if place.is_empty() { "…" } else { place };
    let (d, m, y) = (date.day(), date.month(), date.year());
    match lang {
        Lang::En => format!("{place}, {}", date.format("%d/%m/%Y")),
        Lang::Vi => {
            let month = match (layout, m) {
                (Layout::State, 1 | 2) | (Layout::Party, 1..=9) => format!("{m:02}"),
                _ => m.to_string(),
            };
            format!("{place}, ngày {d:02} tháng {month} năm {y}")
        }
    }
}

/// Recipients as listed under "Nơi nhận": a dash before each, a state body
/// ends the lines with `;`, a Party body with `,`, and the last with `.`.
pub fn recipient_lines(layout: Layout, recipients: &[String]) -> Vec<String> {
    let sep = match layout {
        Layout::State => ';',
        Layout::Party => ',',
    };
    let n = recipients.len();
    recipients
        .iter()
        .enumerate()
        .map(|(i, r)| format!("- {r}{}", if i + 1 == n { '.' } else { sep }))
        .collect()
}

/// A number with one decimal and the reader's decimal mark: `57,1` or `57.1`.
pub fn decimal(value: f64, lang: Lang) -> String {
    let text = format!("{value:.1}");
    match lang {
        Lang::Vi => text.replace('.', ","),
        Lang::En => text,
    }
}

/// A rate as people read it: `57,1%` (Vietnamese) or `57.1%`.
pub fn percent(rate: f64, lang: Lang) -> String {
    format!("{}%", decimal(rate * 100.0, lang))
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

/// The period as a report names it: `6 tháng cuối năm 2022`, `quý III năm
/// 2022`, `tháng 9 năm 2022`, `năm 2022`, or its two dates.
pub fn period_phrase(period: &Period, lang: Lang) -> String {
    let name = period.name();
    let y = period.from.year();
    let vi = crate::domain::dates::format_vi;
    let month_name = |m: u32| {
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ][(m as usize).saturating_sub(1).min(11)]
    };
    let kind = name.strip_prefix(&format!("{y}")).unwrap_or("..");
    match (lang, kind) {
        (Lang::Vi, "") => format!("năm {y}"),
        (Lang::Vi, "-H1") => format!("6 tháng đầu năm {y}"),
        (Lang::Vi, "-H2") => format!("6 tháng cuối năm {y}"),
        (Lang::En, "") => format!("the year {y}"),
        (Lang::En, "-H1") => format!("the first half of {y}"),
        (Lang::En, "-H2") => format!("the second half of {y}"),
        (_, q) if q.starts_with("-Q") => {
            let n = q[2..].parse::<usize>().unwrap_or(1).clamp(1, 4);
            match lang {
                Lang::Vi => format!("quý {} năm {y}", ROMAN[n - 1]),
                Lang::En => format!(
                    "the {} quarter of {y}",
                    ["first", "second", "third", "fourth"][n - 1]
                ),
            }
        }
        (_, m) if m.len() == 3 && !m.contains("..") => match lang {
            Lang::Vi => format!("tháng {} năm {y}", period.from.month()),
            Lang::En => format!("{} {y}", month_name(period.from.month())),
        },
        (Lang::Vi, _) => format!("từ ngày {} đến ngày {}", vi(period.from), vi(period.to)),
        (Lang::En, _) => format!("the period from {} to {}", vi(period.from), vi(period.to)),
    }
}

/// `n nhiệm vụ` / `1 task`, `n tasks`.
fn tasks(n: u64, lang: Lang) -> String {
    match (lang, n) {
        (Lang::Vi, _) => format!("{n} nhiệm vụ"),
        (Lang::En, 1) => "1 task".to_string(),
        (Lang::En, _) => format!("{n} tasks"),
    }
}

/// The opening sentences of the report, as a clerk writes them: the totals,
/// how many were carried over, done (with the completion rate), done on time
/// (with the on-time rate) and late, still in time, overdue, and extended.
/// Parts that are zero are said plainly or left out, never as "0 (0,0%)".
pub fn summary(counts: &Counts, as_of: NaiveDate, lang: Lang) -> String {
    let date = crate::domain::dates::format_vi(as_of);
    let c = counts;
    if c.total == 0 {
        return match lang {
            Lang::Vi => format!("Tính đến ngày {date}, không có nhiệm vụ nào trong kỳ báo cáo."),
            Lang::En => format!("As of {date}, there are no tasks in the period."),
        };
    }
    // Which parts are said is the same in every language; `said` words them.
    let mut parts = vec![Part::Total];
    if c.carried_over > 0 {
        parts.push(Part::CarriedOver);
    }
    if c.done() == 0 {
        parts.push(Part::NoneDone);
    } else {
        parts.push(Part::Done);
        if c.done_late > 0 {
            parts.push(Part::DoneLate);
        }
    }
    if c.in_progress > 0 {
        parts.push(Part::InProgress);
    }
    parts.push(if c.overdue > 0 {
        Part::Overdue
    } else {
        Part::NoneOverdue
    });
    if c.extended > 0 {
        parts.push(Part::Extended);
    }
    parts
        .into_iter()
        .map(|part| said(part, c, &date, lang))
        .collect()
}

/// A part of the [`summary`], in the order it is said.
#[derive(Debug, Clone, Copy)]
enum Part {
    Total,
    CarriedOver,
    NoneDone,
    Done,
    DoneLate,
    InProgress,
    Overdue,
    NoneOverdue,
    Extended,
}

/// A part of the summary in words, with its numbers.
fn said(part: Part, c: &Counts, date: &str, lang: Lang) -> String {
    let p = |rate: f64| percent(rate, lang);
    let assigned = c.total - c.carried_over.min(c.total);
    match (lang, part) {
        (Lang::Vi, Part::Total) => {
            format!("Tính đến ngày {date}, tổng số {}", tasks(c.total, lang))
        }
        (Lang::Vi, Part::CarriedOver) => format!(
            " (giao trong kỳ {assigned}, chuyển tiếp từ kỳ trước {})",
            c.carried_over
        ),
        (Lang::Vi, Part::NoneDone) => "; chưa hoàn thành nhiệm vụ nào".to_string(),
        (Lang::Vi, Part::Done) => format!(
            "; đã hoàn thành {} ({}), trong đó đúng hạn {} ({})",
            c.done(),
            p(c.completion_rate()),
            c.done_on_time,
            p(c.on_time_rate())
        ),
        (Lang::Vi, Part::DoneLate) => format!(", quá hạn {}", c.done_late),
        (Lang::Vi, Part::InProgress) => format!("; đang thực hiện trong hạn {}", c.in_progress),
        (Lang::Vi, Part::Overdue) => format!("; quá hạn chưa hoàn thành {}.", c.overdue),
        (Lang::Vi, Part::NoneOverdue) => "; không có nhiệm vụ quá hạn chưa hoàn thành.".to_string(),
        (Lang::Vi, Part::Extended) => format!(
            " Có {} được gia hạn thời gian thực hiện.",
            tasks(c.extended, lang)
        ),
        (Lang::En, Part::Total) => {
            format!("As of {date}, there are {} in total", tasks(c.total, lang))
        }
        (Lang::En, Part::CarriedOver) => format!(
            " ({assigned} assigned in the period, {} carried over)",
            c.carried_over
        ),
        (Lang::En, Part::NoneDone) => "; none has been completed yet".to_string(),
        (Lang::En, Part::Done) => format!(
            "; {} completed ({}), of which {} on time ({})",
            c.done(),
            p(c.completion_rate()),
            c.done_on_time,
            p(c.on_time_rate())
        ),
        (Lang::En, Part::DoneLate) => format!(" and {} late", c.done_late),
        (Lang::En, Part::InProgress) => {
            format!("; {} in progress within the deadline", c.in_progress)
        }
        (Lang::En, Part::Overdue) => format!("; {} overdue and not completed.", c.overdue),
        (Lang::En, Part::NoneOverdue) => "; none is overdue.".to_string(),
        (Lang::En, Part::Extended) => {
            let verb = if c.extended == 1 { "was" } else { "were" };
            format!(" {} {verb} given more time.", tasks(c.extended, lang))
        }
    }
}

/// The days between a deadline and a later date (0 when not later).
pub fn days_after(deadline: NaiveDate, date: NaiveDate) -> i64 {
    (date - deadline).num_days().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn counts(total: u64, on_time: u64, late: u64, in_progress: u64, overdue: u64) -> Counts {
        Counts {
            total,
            done_on_time: on_time,
            done_late: late,
            in_progress,
            overdue,
            carried_over: 0,
            extended: 0,
        }
    }

    #[test]
    fn a_clerk_writes_the_totals_with_decimal_commas() {
        let mut c = counts(14, 6, 2, 3, 3);
        c.carried_over = 2;
        c.extended = 1;
        assert_eq!(
            summary(&c, d("2022-12-31"), Lang::Vi),
            "Tính đến ngày 31/12/2022, tổng số 14 nhiệm vụ (giao trong kỳ 12, chuyển tiếp từ kỳ trước 2); \
             đã hoàn thành 8 (57,1%), trong đó đúng hạn 6 (42,9%), quá hạn 2; đang thực hiện trong hạn 3; \
             quá hạn chưa hoàn thành 3. Có 1 nhiệm vụ được gia hạn thời gian thực hiện."
        );
        assert_eq!(
            summary(&c, d("2022-12-31"), Lang::En),
            "As of 31/12/2022, there are 14 tasks in total (12 assigned in the period, 2 carried over); \
             8 completed (57.1%), of which 6 on time (42.9%) and 2 late; 3 in progress within the deadline; \
             3 overdue and not completed. 1 task was given more time."
        );
    }

    #[test]
    fn zero_parts_are_said_plainly_or_left_out() {
        let all_done = counts(8, 8, 0, 0, 0);
        assert_eq!(
            summary(&all_done, d("2022-12-31"), Lang::Vi),
            "Tính đến ngày 31/12/2022, tổng số 8 nhiệm vụ; đã hoàn thành 8 (100,0%), trong đó đúng hạn 8 (100,0%); \
             không có nhiệm vụ quá hạn chưa hoàn thành."
        );
        let none_done = counts(3, 0, 0, 1, 2);
        let text = summary(&none_done, d("2022-08-01"), Lang::Vi);
        assert!(text.contains("chưa hoàn thành nhiệm vụ nào"), "{text}");
        assert!(!text.contains("0,0%"), "{text}");
        assert!(text.ends_with("quá hạn chưa hoàn thành 2."), "{text}");
        let empty = Counts::default();
        assert_eq!(
            summary(&empty, d("2022-08-01"), Lang::Vi),
            "Tính đến ngày 01/08/2022, không có nhiệm vụ nào trong kỳ báo cáo."
        );
        assert!(
            summary(&counts(1, 0, 0, 1, 0), d("2022-08-01"), Lang::En).contains("1 task in total")
        );
    }

    #[test]
    fn numbers_and_dates_as_each_layout_writes_them() {
        assert_eq!(number_line(Layout::State, "SNV"), "Số: …/BC-SNV");
        assert_eq!(number_line(Layout::Party, "BTGTU"), "Số …-BC/BTGTU");
        assert_eq!(number_line(Layout::Party, ""), "Số …-BC/…");
        let feb = d("2022-02-07");
        assert_eq!(
            place_date(Layout::State, "Hà Nam", feb, Lang::Vi),
            "Hà Nam, ngày 07 tháng 02 năm 2022"
        );
        let jul = d("2022-07-07");
        assert_eq!(
            place_date(Layout::State, "Hà Nam", jul, Lang::Vi),
            "Hà Nam, ngày 07 tháng 7 năm 2022"
        );
        assert_eq!(
            place_date(Layout::Party, "Hà Nam", jul, Lang::Vi),
            "Hà Nam, ngày 07 tháng 07 năm 2022"
        );
        let dec = d("2022-12-15");
        assert_eq!(
            place_date(Layout::Party, "Hà Nam", dec, Lang::Vi),
            "Hà Nam, ngày 15 tháng 12 năm 2022"
        );
        assert_eq!(
            place_date(Layout::State, "", dec, Lang::En),
            "…, 15/12/2022"
        );
    }

    #[test]
    fn recipients_end_as_each_layout_ends_them() {
        let r = vec!["Như trên".to_string(), "Lưu: VT".to_string()];
        assert_eq!(
            recipient_lines(Layout::State, &r),
            ["- Như trên;", "- Lưu: VT."]
        );
        assert_eq!(
            recipient_lines(Layout::Party, &r),
            ["- Như trên,", "- Lưu: VT."]
        );
        assert!(recipient_lines(Layout::Party, &[]).is_empty());
    }

    #[test]
    fn periods_are_named_as_reports_name_them() {
        let p = |s: &str| s.parse::<Period>().expect("period");
        assert_eq!(
            period_phrase(&p("2022-H2"), Lang::Vi),
            "6 tháng cuối năm 2022"
        );
        assert_eq!(
            period_phrase(&p("2022-H1"), Lang::Vi),
            "6 tháng đầu năm 2022"
        );
        assert_eq!(period_phrase(&p("2022-Q3"), Lang::Vi), "quý III năm 2022");
        assert_eq!(period_phrase(&p("2022-09"), Lang::Vi), "tháng 9 năm 2022");
        assert_eq!(period_phrase(&p("2022"), Lang::Vi), "năm 2022");
        assert_eq!(
            period_phrase(&p("2021-06-15..2023-03-20"), Lang::Vi),
            "từ ngày 15/06/2021 đến ngày 20/03/2023"
        );
        assert_eq!(
            period_phrase(&p("2022-H2"), Lang::En),
            "the second half of 2022"
        );
        assert_eq!(
            period_phrase(&p("2022-Q4"), Lang::En),
            "the fourth quarter of 2022"
        );
        assert_eq!(period_phrase(&p("2022-09"), Lang::En), "September 2022");
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let ok = RawDocSettings {
            layout: "party".into(),
            parent_body: "Tỉnh ủy Hà Nam".into(),
            issuer: " Ban Tuyên giáo ".into(),
            issuer_short: "BTGTU".into(),
            place: "Hà Nam".into(),
            signer_authority: String::new(),
            signer_title: "Trưởng Ban".into(),
            signer_name: "Lê Thị Thanh Hà".into(),
            recipients: "- Thường trực Tỉnh ủy (để b/c),\n\n- Lưu Văn phòng Ban.\n".into(),
        };
        let s = ok.validate().expect("valid");
        assert_eq!(s.layout, Layout::Party);
        assert_eq!(s.issuer, "Ban Tuyên giáo");
        assert_eq!(
            s.recipients,
            ["Thường trực Tỉnh ủy (để b/c)", "Lưu Văn phòng Ban"]
        );
        assert_eq!(RawDocSettings::from(&s).validate().expect("round trip"), s);
        let bad = RawDocSettings {
            layout: "royal".into(),
            issuer: String::new(),
            issuer_short: "B T".into(),
            place: "x".repeat(MAX_NAME + 1),
            signer_title: "a\u{7}b".into(),
            recipients: "x\n".repeat(MAX_RECIPIENTS + 1),
            ..ok
        };
        let errors = bad.validate().expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "layout",
                "issuer",
                "issuer_short",
                "place",
                "signer_title",
                "recipients"
            ]
        );
    }

    #[test]
    fn rates_and_days() {
        assert_eq!(percent(0.4545, Lang::Vi), "45,5%");
        assert_eq!(percent(0.4545, Lang::En), "45.5%");
        assert_eq!(percent(0.0, Lang::Vi), "0,0%");
        assert_eq!(days_after(d("2022-12-31"), d("2023-01-16")), 16);
        assert_eq!(days_after(d("2022-12-31"), d("2022-12-01")), 0);
        assert_eq!(upper("Ban Tuyên giáo Tỉnh ủy"), "BAN TUYÊN GIÁO TỈNH ỦY");
        assert_eq!(Layout::from_code("party"), Some(Layout::Party));
        assert_eq!(Layout::from_code("x"), None);
    }
}
