//! Reading the dashboard back as a person or a spreadsheet would: the units
//! table of the page, the CSV and XLSX exports.
#![allow(dead_code)]

use calamine::{Data, Reader, Xlsx};
use dondoc::domain::report::Counts;
use std::collections::BTreeMap;
use std::io::Cursor;

/// The text of an HTML fragment without its tags, entities of numbers decoded.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(out.trim())
}

/// An attribute's value as the browser reads it.
pub fn unescape(text: &str) -> String {
    text.replace("&#x2F;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The part of `html` from `start` to the next `end` (both excluded).
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = html.find(start)? + start.len();
    let j = html[i..].find(end)? + i;
    Some(&html[i..j])
}

/// The text of the cell of class `class` in a table row.
pub fn cell(row: &str, class: &str) -> Option<String> {
    between(row, &format!("class=\"{class}\">"), "</td>").map(strip_tags)
}

/// One row of the units table as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRow {
    pub code: String,
    pub rank: Option<u32>,
    pub counts: Counts,
    pub completion: String,
    pub on_time: String,
    /// Every link of the row.
    pub links: Vec<String>,
}

fn number(row: &str, class: &str) -> u64 {
    cell(row, class)
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no number in {class}: {row}"))
}

fn page_row(code: &str, row: &str) -> PageRow {
    let mut links = Vec::new();
    let mut rest = row;
    while let Some(href) = between(rest, "href=\"", "\"") {
        links.push(unescape(href));
        let at = rest.find("href=\"").unwrap_or(0) + 6;
        rest = &rest[at..];
    }
    PageRow {
        code: code.to_string(),
        rank: cell(row, "rank").and_then(|r| r.parse().ok()),
        counts: Counts {
            total: number(row, "n-total"),
            done_on_time: number(row, "n-done_on_time"),
            done_late: number(row, "n-done_late"),
            in_progress: number(row, "n-in_progress"),
            overdue: number(row, "n-overdue"),
            carried_over: number(row, "n-carried_over"),
            extended: number(row, "n-extended"),
        },
        completion: cell(row, "n-completion_rate").unwrap_or_default(),
        on_time: cell(row, "n-on_time_rate").unwrap_or_default(),
        links,
    }
}

/// The rows of the units table in the page's order, and its totals row.
pub fn units_table(html: &str) -> (Vec<PageRow>, PageRow) {
    let table = between(html, "id=\"units-table\"", "</table>").expect("units table");
    let mut rows = Vec::new();
    let mut rest = table;
    while let Some(at) = rest.find("data-unit=\"") {
        rest = &rest[at + "data-unit=\"".len()..];
        let code = &rest[..rest.find('"').expect("code end")];
        let row = &rest[..rest.find("</tr>").expect("row end")];
        rows.push(page_row(code, row));
    }
    let foot = between(table, "class=\"total-row\">", "</tr>").expect("totals row");
    (rows, page_row("", foot))
}

/// A rate as the Vietnamese page prints it.
pub fn vi_percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0).replace('.', ",")
}

/// The Vietnamese headers of the CSV exports and the short names the tests read them by.
const CSV_HEADERS: [(&str, &str); 26] = [
    ("Xếp hạng", "rank"),
    ("Mã đơn vị", "code"),
    ("Đơn vị", "name"),
    ("Tổng số", "total"),
    ("Hoàn thành đúng hạn", "done_on_time"),
    ("Hoàn thành quá hạn", "done_late"),
    ("Đang thực hiện trong hạn", "in_progress"),
    ("Quá hạn", "overdue"),
    ("Chuyển tiếp từ kỳ trước", "carried_over"),
    ("Được gia hạn", "extended"),
    ("Tỷ lệ hoàn thành (%)", "completion_rate_percent"),
    ("Tỷ lệ đúng hạn (%)", "on_time_rate_percent"),
    ("Quá hạn đến 30 ngày", "overdue_upto_30"),
    ("Quá hạn 31–60 ngày", "overdue_upto_60"),
    ("Quá hạn 61–120 ngày", "overdue_upto_120"),
    ("Quá hạn trên 120 ngày", "overdue_over_120"),
    ("Mã số", "id"),
    ("Số hiệu", "ref"),
    ("Nội dung", "content"),
    ("Mã đơn vị chủ trì", "lead_unit"),
    ("Đơn vị chủ trì", "lead_unit_name"),
    ("Mã đơn vị phối hợp", "coordinators"),
    ("Ngày giao", "assigned_on"),
    ("Thời hạn", "deadline"),
    ("Trạng thái", "status"),
    ("Số ngày quá hạn", "days_overdue"),
];

/// The rows of a Vietnamese CSV export, each cell under the short name of its
/// column (`code`, `total`, `ref`, …; the totals' code is ""), header first
/// as it is written.
pub fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let text = std::str::from_utf8(bytes).expect("utf-8");
    let text = text.strip_prefix('\u{feff}').expect("byte-order mark");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let short: Vec<String> = header
        .iter()
        .map(|h| {
            CSV_HEADERS
                .iter()
                .find(|(vi, _)| vi == h)
                .map_or_else(|| h.clone(), |(_, code)| code.to_string())
        })
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            short
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect();
    (header, rows)
}

pub fn csv_counts(row: &BTreeMap<String, String>) -> Counts {
    let n = |k: &str| {
        row[k]
            .parse::<u64>()
            .unwrap_or_else(|_| panic!("{k}: {row:?}"))
    };
    Counts {
        total: n("total"),
        done_on_time: n("done_on_time"),
        done_late: n("done_late"),
        in_progress: n("in_progress"),
        overdue: n("overdue"),
        carried_over: n("carried_over"),
        extended: n("extended"),
    }
}

/// A workbook's sheets as rows of cells.
pub struct Workbook {
    pub sheets: Vec<(String, Vec<Vec<Data>>)>,
}

impl Workbook {
    pub fn read(bytes: Vec<u8>) -> Workbook {
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("an XLSX file");
        let names = book.sheet_names();
        let sheets = names
            .into_iter()
            .map(|name| {
                let range = book.worksheet_range(&name).expect("sheet");
                let rows = range.rows().map(|r| r.to_vec()).collect();
                (name, rows)
            })
            .collect();
        Workbook { sheets }
    }

    pub fn sheet(&self, i: usize) -> &[Vec<Data>] {
        &self.sheets[i].1
    }
}

pub fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

pub fn num(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The counts written from column 3 on (total, the four statuses, carried over, extended).
pub fn xlsx_counts(row: &[Data]) -> Counts {
    let n = |i: usize| {
        let v = num(&row[i]);
        assert_eq!(v.fract(), 0.0, "a whole number: {v}");
        v as u64
    };
    Counts {
        total: n(3),
        done_on_time: n(4),
        done_late: n(5),
        in_progress: n(6),
        overdue: n(7),
        carried_over: n(8),
        extended: n(9),
    }
}

/// The rows of the report sheet by unit code (column 1), and the totals row
/// (the one whose column 2 reads `total_label`).
pub fn xlsx_report(
    sheet: &[Vec<Data>],
    total_label: &str,
) -> (Vec<(String, Vec<Data>)>, Vec<Data>) {
    let header = sheet
        .iter()
        .position(|r| r.len() > 1 && text(&r[1]) == "Mã đơn vị")
        .expect("header row");
    let mut units = Vec::new();
    let mut totals = None;
    for row in &sheet[header + 1..] {
        if text(&row[2]) == total_label {
            totals = Some(row.clone());
        } else if !text(&row[1]).is_empty() {
            units.push((text(&row[1]), row.clone()));
        }
    }
    (units, totals.expect("totals row"))
}
pub mod docx;
