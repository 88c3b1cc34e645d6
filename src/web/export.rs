//! The dashboard's exports: the report and the tasks behind it, as CSV and
//! XLSX, written from the same [`View`] the page shows. XLSX cells hold values
//! (numbers, dates, texts), never formulas, so every reader sees the numbers
//! without recalculating.

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::collections::HashMap;

use crate::domain::dashboard::AgeBucket;
use crate::domain::period::Inclusion;
use crate::domain::{Period, Status};
use crate::i18n::{self, Lang};
use crate::storage::tasks::TaskRecord;
use crate::web::report::{Numbers, UnitRef, View};

/// CSV files start with a byte-order mark so that spreadsheets read them as UTF-8.
const BOM: &str = "\u{feff}";

fn t(lang: Lang, key: &str) -> String {
    i18n::text(lang, key)
}

/// A rate as a percentage with one decimal, as the page rounds it.
fn percent_number(rate: f64) -> f64 {
    (rate * 1000.0).round() / 10.0
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    let mut buf = Vec::new();
    buf.extend_from_slice(BOM.as_bytes());
    csv::WriterBuilder::new().from_writer(buf)
}

/// A cell as written to CSV: text that a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a
/// leading apostrophe, so that it is shown as text and never evaluated.
pub fn csv_cell(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value.into(),
    }
}

/// Writes one row, every cell through [`csv_cell`].
fn csv_row<W, I, S>(w: &mut csv::Writer<W>, cells: I) -> Result<(), String>
where
    W: std::io::Write,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    w.write_record(cells.into_iter().map(|c| csv_cell(c.as_ref()).into_owned()))
        .map_err(|e| e.to_string())
}

fn csv_finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, String> {
    w.into_inner().map_err(|e| e.to_string())
}

fn numbers_cells(n: &Numbers) -> Vec<String> {
    let c = &n.counts;
    let mut cells: Vec<String> = c.columns().iter().map(u64::to_string).collect();
    cells.extend([
        format!("{:.1}", percent_number(c.completion_rate())),
        format!("{:.1}", percent_number(c.on_time_rate())),
    ]);
    cells.extend(n.ages.iter().map(u64::to_string));
    cells
}

/// The report as CSV: one row per unit in the page's order, then the totals
/// (rank and code empty). The header is in the reader's language, as the
/// workbook's; the values stay plain numbers (rates in percent, a decimal point).
pub fn report_csv(view: &View, lang: Lang) -> Result<Vec<u8>, String> {
    let mut w = csv_writer();
    csv_row(&mut w, report_header(lang, " (%)"))?;
    for line in &view.lines {
        let mut row = vec![
            line.rank.map(|r| r.to_string()).unwrap_or_default(),
            line.code.clone(),
            line.name.clone(),
        ];
        row.extend(numbers_cells(&line.n));
        csv_row(&mut w, &row)?;
    }
    let mut row = vec![String::new(), String::new(), t(lang, "dashboard-total-row")];
    row.extend(numbers_cells(&view.totals));
    csv_row(&mut w, &row)?;
    csv_finish(w)
}

/// One task of a report, as the task exports list it.
#[derive(Debug, Clone)]
pub struct TaskRow {
    pub record: TaskRecord,
    pub lead_unit_name: String,
    pub status: Option<Status>,
    pub carried_over: bool,
    /// Days past the deadline while overdue.
    pub days_overdue: Option<i64>,
}

impl TaskRow {
    /// A task's row, its lead unit named from `unit_names` (by code).
    pub fn new(
        record: TaskRecord,
        unit_names: &HashMap<String, String>,
        period: &Period,
        as_of: NaiveDate,
    ) -> TaskRow {
        let lead_unit_name = record
            .lead_unit
            .as_ref()
            .and_then(|code| unit_names.get(code))
            .cloned()
            .unwrap_or_default();
        let dates = record.task.dates();
        let status = dates.status_as_of(as_of);
        TaskRow {
            carried_over: period.inclusion(&dates, as_of) == Some(Inclusion::CarriedOver),
            days_overdue: status
                .filter(|s| *s == Status::Overdue)
                .and_then(|_| dates.days_left(as_of))
                .map(|d| -d),
            status,
            lead_unit_name,
            record,
        }
    }
}

/// The columns of the tasks CSV, as message keys of their headers.
const TASK_HEADERS: [&str; 14] = [
    "export-task-id",
    "field-ref",
    "field-content",
    "export-lead-unit-code",
    "field-lead-unit",
    "export-coordinator-codes",
    "field-assigned-on",
    "field-deadline",
    "field-original-deadline",
    "field-completed-on",
    "field-status",
    "count-carried-over",
    "dashboard-days-overdue",
    "field-percent",
];

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The tasks behind a report as CSV, written row by row to `out`: the header
/// in the reader's language, the values for machines (dates `YYYY-MM-DD`,
/// unit codes, lists separated by `|`, status codes, `1`/`0`).
pub struct TasksCsv<W: std::io::Write> {
    w: csv::Writer<W>,
}

impl<W: std::io::Write> TasksCsv<W> {
    /// Writes the byte-order mark and the header, and flushes them (the download starts at once).
    pub fn new(mut out: W, lang: Lang) -> Result<TasksCsv<W>, String> {
        out.write_all(BOM.as_bytes()).map_err(|e| e.to_string())?;
        let mut w = csv::WriterBuilder::new().from_writer(out);
        csv_row(&mut w, TASK_HEADERS.iter().map(|k| t(lang, k)))?;
        w.flush().map_err(|e| e.to_string())?;
        Ok(TasksCsv { w })
    }

    pub fn row(&mut self, r: &TaskRow) -> Result<(), String> {
        let task = &r.record.task;
        csv_row(
            &mut self.w,
            [
                task.id.to_string(),
                task.reference.clone(),
                task.content.clone(),
                r.record.lead_unit.clone().unwrap_or_default(),
                r.lead_unit_name.clone(),
                r.record.coordinators.join("|"),
                task.assigned_on.to_string(),
                date(task.deadline),
                date(task.original_deadline),
                date(task.completed_on),
                r.status.map(|s| s.code().to_string()).unwrap_or_default(),
                if r.carried_over { "1" } else { "0" }.to_string(),
                r.days_overdue.map(|d| d.to_string()).unwrap_or_default(),
                task.percent.to_string(),
            ],
        )
    }

    /// Writes out what is buffered and gives `out` back.
    pub fn finish(self) -> Result<W, String> {
        self.w.into_inner().map_err(|e| e.to_string())
    }
}

/// Formats of a workbook.
struct Formats {
    title: Format,
    bold: Format,
    header: Format,
    percent: Format,
    percent_bold: Format,
    number_bold: Format,
    date: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Formats {
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_background_color("#E9EEF4")
            .set_border(rust_xlsxwriter::FormatBorder::Thin);
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            header,
            percent: Format::new().set_num_format("0.0%"),
            percent_bold: Format::new().set_num_format("0.0%").set_bold(),
            number_bold: Format::new().set_bold(),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

/// The lines at the top of every sheet: the title, the period and its date, the scope, when.
fn heading(
    sheet: &mut Worksheet,
    f: &Formats,
    view: &View,
    title: &str,
    lang: Lang,
    printed_at: &str,
) -> Result<u32, XlsxError> {
    sheet.write_string_with_format(0, 0, title, &f.title)?;
    sheet.write_string(1, 0, period_line(view, view.as_of, lang))?;
    sheet.write_string(2, 0, scope_line(view.root.as_ref(), lang))?;
    sheet.write_string(
        3,
        0,
        i18n::text_with(
            lang,
            "dashboard-exported-at",
            &[("at", printed_at.to_string())],
        ),
    )?;
    Ok(5)
}

pub fn period_line(view: &View, as_of: NaiveDate, lang: Lang) -> String {
    let vi = crate::domain::dates::format_vi;
    i18n::text_with(
        lang,
        "dashboard-period-line",
        &[
            ("period", view.period.clone()),
            ("from", vi(view.from)),
            ("to", vi(view.to)),
            ("as_of", vi(as_of)),
        ],
    )
}

pub fn scope_line(root: Option<&UnitRef>, lang: Lang) -> String {
    match root {
        None => t(lang, "dashboard-scope-all"),
        Some(u) => i18n::text_with(
            lang,
            "dashboard-scope-subtree",
            &[("name", u.name.clone()), ("code", u.code.clone())],
        ),
    }
}

/// The header of the units table; `rate_unit` follows the two rates' names
/// (the CSV writes rates as percentages, the workbook as formatted fractions).
fn report_header(lang: Lang, rate_unit: &str) -> Vec<String> {
    let mut h = vec![
        t(lang, "dashboard-rank"),
        t(lang, "field-code"),
        t(lang, "field-unit"),
        t(lang, "count-total"),
    ];
    h.extend(
        Status::ALL
            .iter()
            .map(|s| t(lang, &format!("status-{}", s.code()))),
    );
    h.extend([
        t(lang, "count-carried-over"),
        t(lang, "count-extended"),
        format!("{}{rate_unit}", t(lang, "count-completion-rate")),
        format!("{}{rate_unit}", t(lang, "count-on-time-rate")),
    ]);
    h.extend(
        AgeBucket::ALL
            .iter()
            .map(|b| format!("{} {}", t(lang, "status-overdue"), t(lang, b.label_key()))),
    );
    h
}

/// Writes one line of counts from column 3 on.
fn write_numbers(
    sheet: &mut Worksheet,
    row: u32,
    n: &Numbers,
    f: &Formats,
    bold: bool,
) -> Result<(), XlsxError> {
    let c = &n.counts;
    let counts = c.columns();
    for (i, v) in counts.iter().enumerate() {
        if bold {
            sheet.write_number_with_format(row, 3 + i as u16, *v as f64, &f.number_bold)?;
        } else {
            sheet.write_number(row, 3 + i as u16, *v as f64)?;
        }
    }
    let pf = if bold { &f.percent_bold } else { &f.percent };
    sheet.write_number_with_format(row, 10, c.completion_rate(), pf)?;
    sheet.write_number_with_format(row, 11, c.on_time_rate(), pf)?;
    for (i, v) in n.ages.iter().enumerate() {
        if bold {
            sheet.write_number_with_format(row, 12 + i as u16, *v as f64, &f.number_bold)?;
        } else {
            sheet.write_number(row, 12 + i as u16, *v as f64)?;
        }
    }
    Ok(())
}

fn set_widths(sheet: &mut Worksheet, widths: &[f64]) -> Result<(), XlsxError> {
    for (i, w) in widths.iter().enumerate() {
        sheet.set_column_width(i as u16, *w)?;
    }
    Ok(())
}

fn print_setup(sheet: &mut Worksheet) {
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 0);
}

/// The report as a workbook: the units table with its totals (the first
/// sheet), the completion over the months, the overdue tasks by age, and the
/// frozen report when the period was closed.
pub fn report_xlsx(view: &View, lang: Lang, printed_at: &str) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    {
        let sheet = book.add_worksheet();
        sheet.set_name(t(lang, "xlsx-sheet-report"))?;
        print_setup(sheet);
        let top = heading(
            sheet,
            &f,
            view,
            &t(lang, "dashboard-title"),
            lang,
            printed_at,
        )?;
        for (i, h) in report_header(lang, "").iter().enumerate() {
            sheet.write_string_with_format(top, i as u16, h, &f.header)?;
        }
        let mut row = top + 1;
        for line in &view.lines {
            if let Some(r) = line.rank {
                sheet.write_number(row, 0, r as f64)?;
            }
            sheet.write_string(row, 1, &line.code)?;
            sheet.write_string(row, 2, &line.name)?;
            write_numbers(sheet, row, &line.n, &f, false)?;
            row += 1;
        }
        sheet.write_string_with_format(row, 2, t(lang, "dashboard-total-row"), &f.bold)?;
        write_numbers(sheet, row, &view.totals, &f, true)?;
        sheet.set_freeze_panes(top + 1, 3)?;
        sheet.autofilter(top, 0, row.saturating_sub(1).max(top), 15)?;
        set_widths(
            sheet,
            &[
                7.0, 10.0, 36.0, 9.0, 12.0, 12.0, 12.0, 10.0, 11.0, 10.0, 12.0, 12.0, 11.0, 11.0,
                11.0, 11.0,
            ],
        )?;
        sheet.set_repeat_rows(top, top)?;
    }
    {
        let sheet = book.add_worksheet();
        sheet.set_name(t(lang, "xlsx-sheet-progress"))?;
        print_setup(sheet);
        let top = heading(
            sheet,
            &f,
            view,
            &i18n::text_with(
                lang,
                "chart-progress-title",
                &[("period", view.period.clone())],
            ),
            lang,
            printed_at,
        )?;
        let mut header = vec![
            t(lang, "dashboard-point"),
            t(lang, "field-from"),
            t(lang, "field-as-of"),
            t(lang, "count-total"),
        ];
        header.extend(
            Status::ALL
                .iter()
                .map(|s| t(lang, &format!("status-{}", s.code()))),
        );
        header.extend([
            t(lang, "count-completion-rate"),
            t(lang, "count-on-time-rate"),
        ]);
        for (i, h) in header.iter().enumerate() {
            sheet.write_string_with_format(top, i as u16, h, &f.header)?;
        }
        for (i, p) in view.progress.iter().enumerate() {
            let row = top + 1 + i as u32;
            let c = &p.n.counts;
            sheet.write_string(row, 0, &p.label)?;
            sheet.write_date_with_format(row, 1, view.from, &f.date)?;
            sheet.write_date_with_format(row, 2, p.as_of, &f.date)?;
            for (j, v) in [
                c.total,
                c.done_on_time,
                c.done_late,
                c.in_progress,
                c.overdue,
            ]
            .iter()
            .enumerate()
            {
                sheet.write_number(row, 3 + j as u16, *v as f64)?;
            }
            sheet.write_number_with_format(row, 8, c.completion_rate(), &f.percent)?;
            sheet.write_number_with_format(row, 9, c.on_time_rate(), &f.percent)?;
        }
        set_widths(
            sheet,
            &[14.0, 12.0, 12.0, 9.0, 12.0, 12.0, 12.0, 10.0, 12.0, 12.0],
        )?;
    }
    {
        let sheet = book.add_worksheet();
        sheet.set_name(t(lang, "xlsx-sheet-ages"))?;
        print_setup(sheet);
        let title = i18n::text_with(
            lang,
            "chart-ages-title",
            &[("as_of", crate::domain::dates::format_vi(view.as_of))],
        );
        let top = heading(sheet, &f, view, &title, lang, printed_at)?;
        sheet.write_string_with_format(top, 0, t(lang, "dashboard-age"), &f.header)?;
        sheet.write_string_with_format(top, 1, t(lang, "dashboard-task-count"), &f.header)?;
        for (i, a) in view.ages.iter().enumerate() {
            let row = top + 1 + i as u32;
            sheet.write_string(row, 0, &a.label)?;
            sheet.write_number(row, 1, a.count as f64)?;
        }
        let row = top + 1 + view.ages.len() as u32;
        sheet.write_string_with_format(row, 0, t(lang, "dashboard-total-row"), &f.bold)?;
        sheet.write_number_with_format(
            row,
            1,
            view.ages.iter().map(|a| a.count).sum::<u64>() as f64,
            &f.number_bold,
        )?;
        set_widths(sheet, &[24.0, 14.0])?;
    }
    if let Some(frozen) = &view.frozen {
        let sheet = book.add_worksheet();
        sheet.set_name(t(lang, "xlsx-sheet-frozen"))?;
        print_setup(sheet);
        sheet.write_string_with_format(0, 0, t(lang, "dashboard-frozen-title"), &f.title)?;
        sheet.write_string(1, 0, period_line(view, frozen.as_of, lang))?;
        sheet.write_string(2, 0, scope_line(view.root.as_ref(), lang))?;
        sheet.write_string(
            3,
            0,
            i18n::text_with(
                lang,
                "dashboard-frozen-by",
                &[
                    ("at", frozen.closed_at.clone()),
                    ("by", frozen.closed_by.clone().unwrap_or_default()),
                ],
            ),
        )?;
        let top = 5;
        for (i, h) in report_header(lang, "").iter().enumerate().skip(1) {
            sheet.write_string_with_format(top, i as u16, h, &f.header)?;
        }
        let mut row = top + 1;
        for line in &frozen.lines {
            sheet.write_string(row, 1, &line.code)?;
            sheet.write_string(row, 2, &line.name)?;
            write_numbers(sheet, row, &line.n, &f, false)?;
            row += 1;
        }
        sheet.write_string_with_format(row, 2, t(lang, "dashboard-total-row"), &f.bold)?;
        write_numbers(sheet, row, &frozen.totals, &f, true)?;
        set_widths(
            sheet,
            &[
                2.0, 10.0, 36.0, 9.0, 12.0, 12.0, 12.0, 10.0, 11.0, 10.0, 12.0, 12.0, 11.0, 11.0,
                11.0, 11.0,
            ],
        )?;
    }
    book.save_to_buffer()
}

/// The tasks behind a report as a workbook (one sheet, dates as dates),
/// written row by row: the sheet is in the writer's constant-memory mode, each
/// row going to a temporary file once the next one starts, so a list of a
/// million tasks takes no more memory than a short one.
pub struct TasksXlsx {
    book: Workbook,
    f: Formats,
    lang: Lang,
    /// The header's row; the tasks follow it.
    top: u32,
    rows: u32,
}

impl TasksXlsx {
    pub fn new(view: &View, lang: Lang, printed_at: &str) -> Result<TasksXlsx, XlsxError> {
        let f = Formats::new();
        let mut book = Workbook::new();
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name(t(lang, "xlsx-sheet-tasks"))?;
        print_setup(sheet);
        let top = heading(
            sheet,
            &f,
            view,
            &t(lang, "dashboard-tasks-title"),
            lang,
            printed_at,
        )?;
        // The CSV's columns but its first (the id, for machines only).
        for (i, h) in TASK_HEADERS[1..].iter().enumerate() {
            sheet.write_string_with_format(top, i as u16, t(lang, h), &f.header)?;
        }
        sheet.set_freeze_panes(top + 1, 0)?;
        set_widths(
            sheet,
            &[
                16.0, 60.0, 10.0, 28.0, 16.0, 12.0, 12.0, 12.0, 12.0, 22.0, 10.0, 10.0, 8.0,
            ],
        )?;
        sheet.set_repeat_rows(top, top)?;
        Ok(TasksXlsx {
            book,
            f,
            lang,
            top,
            rows: 0,
        })
    }

    pub fn row(&mut self, r: &TaskRow) -> Result<(), XlsxError> {
        let (f, lang) = (&self.f, self.lang);
        let row = self.top + 1 + self.rows;
        let sheet = self.book.worksheet_from_index(0)?;
        let task = &r.record.task;
        sheet.write_string(row, 0, &task.reference)?;
        sheet.write_string_with_format(row, 1, &task.content, &f.wrap)?;
        sheet.write_string(row, 2, r.record.lead_unit.as_deref().unwrap_or(""))?;
        sheet.write_string(row, 3, &r.lead_unit_name)?;
        sheet.write_string(row, 4, r.record.coordinators.join(", "))?;
        sheet.write_date_with_format(row, 5, task.assigned_on, &f.date)?;
        for (col, d) in [
            (6u16, task.deadline),
            (7, task.original_deadline),
            (8, task.completed_on),
        ] {
            if let Some(d) = d {
                sheet.write_date_with_format(row, col, d, &f.date)?;
            }
        }
        if let Some(s) = r.status {
            sheet.write_string(row, 9, t(lang, &format!("status-{}", s.code())))?;
        }
        sheet.write_string(
            row,
            10,
            if r.carried_over {
                t(lang, "yes")
            } else {
                String::new()
            },
        )?;
        if let Some(d) = r.days_overdue {
            sheet.write_number(row, 11, d as f64)?;
        }
        sheet.write_number(row, 12, task.percent as f64)?;
        self.rows += 1;
        Ok(())
    }

    /// Sets the filter over the rows written and saves the workbook to `out`.
    pub fn finish<W>(mut self, out: W) -> Result<(), XlsxError>
    where
        W: std::io::Write + std::io::Seek + Send,
    {
        let (top, rows) = (self.top, self.rows);
        self.book
            .worksheet_from_index(0)?
            .autofilter(top, 0, top + rows.max(1), 12)?;
        self.book.save_to_writer(out)
    }
}

#[cfg(test)]
mod csv_cell_tests {
    use super::csv_cell;

    #[test]
    fn formulas_are_neutralised() {
        for bad in [
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+1+2",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(csv_cell(bad), format!("'{bad}"), "{bad:?}");
        }
    }

    #[test]
    fn plain_text_and_numbers_stay() {
        for good in [
            "Tổ chức hội nghị",
            "12",
            "2022-12-31",
            "",
            " =1",
            "a=b",
            "'quoted",
        ] {
            assert_eq!(csv_cell(good), good);
        }
    }
}
