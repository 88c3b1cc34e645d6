//! "Báo cáo kết quả thực hiện kết luận, chỉ đạo" for a period: the official
//! heading, the clerk's opening sentences, the units table of the dashboard
//! (same [`View`], same order and ranks), the lists a review needs (overdue,
//! completed late, extended, carried over), a closing section left for the
//! office to write, and the signature block.

use super::{body, centred, grid, heading, pack, rule, section, signature, sizes, Cell, DocError};
use super::{date_or, Look, Page};
use crate::domain::report_doc::{self as rules, DocSettings, Layout};
use crate::domain::{Period, Status};
use crate::i18n::{self, Lang};
use crate::web::export::TaskRow;
use crate::web::report::View;
use chrono::NaiveDate;

/// A task of one of the report's lists, with its unit's last report.
#[derive(Debug, Clone)]
pub struct Listed {
    pub row: TaskRow,
    /// Date, percent and text of the last progress report.
    pub last_report: Option<(NaiveDate, i32, String)>,
}

/// The lists of the report, each the tasks behind one of its numbers.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub overdue: Vec<Listed>,
    pub done_late: Vec<Listed>,
    pub extended: Vec<Listed>,
    pub carried_over: Vec<Listed>,
}

/// Writes the table of one of the lists.
type ListTable<'d> = fn(&ReportDoc<'d>, usize, &[Listed]) -> docx_rs::Table;

/// What the document is made of.
pub struct ReportDoc<'a> {
    pub view: &'a View,
    pub period: Period,
    pub lists: &'a Lists,
    pub settings: &'a DocSettings,
    pub lang: Lang,
    /// The date the document is dated.
    pub today: NaiveDate,
}

fn t(lang: Lang, key: &str) -> String {
    i18n::text(lang, key)
}

fn tw(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    i18n::text_with(lang, key, args)
}

fn status_label(lang: Lang, status: Option<Status>) -> String {
    match status {
        Some(s) => t(lang, &format!("status-{}", s.code())),
        None => t(lang, "report-doc-cancelled"),
    }
}

/// The lead unit of a listed task: its name, the code second.
fn lead_label(row: &TaskRow) -> String {
    crate::domain::unit::label(
        &row.lead_unit_name,
        row.record.lead_unit.as_deref().unwrap_or(""),
    )
}

/// Table columns as shares of the text width (they add up to 1000). A date
/// column takes 150, so that "31/12/2022" stays on one line at 12 pt.
fn widths(width: usize, shares: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = shares.iter().map(|s| width * s / 1000).collect();
    let used: usize = out.iter().sum();
    if let Some(first_wide) = out.get_mut(1) {
        *first_wide += width.saturating_sub(used);
    }
    out
}

impl ReportDoc<'_> {
    pub fn write(&self) -> Result<Vec<u8>, DocError> {
        let lang = self.lang;
        let layout = self.settings.layout;
        let s = sizes(layout);
        let page = Page { landscape: false };
        let width = page.text_width();
        let text = Look::size(s.body);
        let view = self.view;
        let phrase = rules::period_phrase(&self.period, lang);
        let vi = crate::domain::dates::format_vi;

        let mut doc = page
            .document(s.body as usize * 2)
            .add_table(heading(self.settings, self.today, lang, width))
            .add_paragraph(centred("", text))
            .add_paragraph(centred(
                &rules::upper(&t(lang, "report-doc-kind")),
                Look::size(s.kind).bold(),
            ))
            .add_paragraph(centred(
                &tw(lang, "report-doc-subject", &[("period", phrase.clone())]),
                text.bold(),
            ));
        if let Some(root) = &view.root {
            doc = doc.add_paragraph(centred(
                &tw(lang, "report-doc-scope", &[("name", root.name.clone())]),
                text.italic(),
            ));
        }
        doc = match layout {
            Layout::State => doc.add_paragraph(rule(width / 5, width)),
            Layout::Party => doc.add_paragraph(centred("-----", text)),
        };
        doc = doc.add_paragraph(centred("", text));

        let issuer = if self.settings.issuer.is_empty() {
            "…".to_string()
        } else {
            self.settings.issuer.clone()
        };
        doc = doc
            .add_paragraph(section(&t(lang, "report-doc-part-results"), text))
            .add_paragraph(section(&t(lang, "report-doc-general"), text))
            .add_paragraph(body(
                &tw(
                    lang,
                    "report-doc-intro",
                    &[
                        ("issuer", issuer.clone()),
                        ("period", phrase.clone()),
                        ("from", vi(view.from)),
                        ("to", vi(view.to)),
                    ],
                ),
                text,
            ))
            .add_paragraph(body(
                &rules::summary(&view.totals.counts, view.as_of, lang),
                text,
            ));
        if let Some(frozen) = &view.frozen {
            let note = format!(
                "{} {}",
                tw(
                    lang,
                    "report-doc-frozen",
                    &[
                        ("as_of", vi(frozen.as_of)),
                        ("at", frozen.closed_at.clone())
                    ],
                ),
                rules::summary(&frozen.totals.counts, frozen.as_of, lang)
            );
            doc = doc.add_paragraph(body(&note, text.italic()));
        }

        doc = doc
            .add_paragraph(section(&t(lang, "report-doc-by-unit"), text))
            .add_table(self.units_table(width));

        let empty = || body(&t(lang, "report-doc-none"), text.italic());
        let lists: [(&str, &[Listed], ListTable<'_>); 4] = [
            (
                "report-doc-overdue",
                &self.lists.overdue,
                Self::overdue_table,
            ),
            (
                "report-doc-done-late",
                &self.lists.done_late,
                Self::late_table,
            ),
            (
                "report-doc-extended",
                &self.lists.extended,
                Self::extended_table,
            ),
            (
                "report-doc-carried-over",
                &self.lists.carried_over,
                Self::carried_table,
            ),
        ];
        for (i, (key, rows, table)) in lists.into_iter().enumerate() {
            doc = doc.add_paragraph(
                section(
                    &tw(
                        lang,
                        key,
                        &[
                            ("n", (i + 3).to_string()),
                            ("count", rows.len().to_string()),
                        ],
                    ),
                    text,
                )
                .line_spacing(
                    docx_rs::LineSpacing::new()
                        .before(120)
                        .after(120)
                        .line(276)
                        .line_rule(docx_rs::LineSpacingType::Auto),
                ),
            );
            doc = if rows.is_empty() {
                doc.add_paragraph(empty())
            } else {
                doc.add_table(table(self, width, rows))
            };
        }

        doc = doc
            .add_paragraph(centred("", text))
            .add_paragraph(section(&t(lang, "report-doc-part-next"), text))
            .add_paragraph(body(&t(lang, "report-doc-next-placeholder"), text.italic()))
            .add_paragraph(body(
                &t(lang, "report-doc-proposals-placeholder"),
                text.italic(),
            ))
            .add_paragraph(body(
                &tw(
                    lang,
                    "report-doc-closing",
                    &[("issuer", issuer), ("period", phrase)],
                ),
                text,
            ))
            .add_table(signature(self.settings, lang, width));
        pack(doc)
    }

    /// The dashboard's units table: rank, unit, the counts and both rates, and the totals.
    fn units_table(&self, width: usize) -> docx_rs::Table {
        let lang = self.lang;
        let header: Vec<String> = [
            "report-doc-rank",
            "field-unit",
            "count-total",
            "status-done_on_time",
            "status-done_late",
            "status-in_progress",
            "status-overdue",
            "count-carried-over",
            "count-extended",
            "count-completion-rate",
            "count-on-time-rate",
        ]
        .iter()
        .map(|k| t(lang, k))
        .collect();
        let numbers = |n: &crate::web::report::Numbers| -> Vec<Cell> {
            n.counts
                .columns()
                .iter()
                .map(|v| Cell::centre(v.to_string()))
                .chain([
                    Cell::centre(n.completion.clone()),
                    Cell::centre(n.on_time.clone()),
                ])
                .collect()
        };
        let rows = self
            .view
            .lines
            .iter()
            .map(|l| {
                let mut cells = vec![
                    Cell::centre(l.rank.map(|r| r.to_string()).unwrap_or_default()),
                    Cell::left(crate::domain::unit::label(&l.name, &l.code)),
                ];
                cells.extend(numbers(&l.n));
                cells
            })
            .collect();
        let mut total = vec![Cell::centre(""), Cell::left(t(lang, "dashboard-total-row"))];
        total.extend(numbers(&self.view.totals));
        grid(
            &widths(width, &[65, 240, 60, 75, 75, 80, 60, 85, 70, 95, 95]),
            &header,
            rows,
            Some(total),
            11.0,
        )
    }

    fn list_header(&self, keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| t(self.lang, k)).collect()
    }

    /// A list of tasks: each one's number, content and lead unit, then the
    /// list's own three columns (`own`, headed by `headers`); `shares` are
    /// the six columns' widths.
    fn list_table(
        &self,
        width: usize,
        rows: &[Listed],
        shares: &[usize; 6],
        headers: [&str; 3],
        own: impl Fn(&Listed) -> [Cell; 3],
    ) -> docx_rs::Table {
        let cells = rows
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut cells = vec![
                    Cell::centre((i + 1).to_string()),
                    Cell::left(l.row.record.task.content.clone()),
                    Cell::left(lead_label(&l.row)),
                ];
                cells.extend(own(l));
                cells
            })
            .collect();
        let mut header =
            self.list_header(&["report-doc-number", "report-doc-content", "field-lead-unit"]);
        header.extend(self.list_header(&headers));
        grid(&widths(width, shares), &header, cells, None, 12.0)
    }

    fn overdue_table(&self, width: usize, rows: &[Listed]) -> docx_rs::Table {
        let lang = self.lang;
        let vi = crate::domain::dates::format_vi;
        let headers = [
            "field-deadline",
            "dashboard-days-overdue",
            "report-doc-last-report",
        ];
        self.list_table(width, rows, &[55, 330, 170, 150, 95, 200], headers, |l| {
            let last = match &l.last_report {
                Some((on, percent, note)) => {
                    let note = note.trim();
                    if note.is_empty() {
                        format!("{}: {percent}%", vi(*on))
                    } else {
                        format!("{}: {percent}% – {note}", vi(*on))
                    }
                }
                None => t(lang, "report-doc-no-report"),
            };
            [
                Cell::centre(date_or(l.row.record.task.deadline, "")),
                Cell::centre(l.row.days_overdue.unwrap_or(0).to_string()),
                Cell::left(last),
            ]
        })
    }

    fn late_table(&self, width: usize, rows: &[Listed]) -> docx_rs::Table {
        let headers = [
            "field-deadline",
            "field-completed-on",
            "report-doc-days-late",
        ];
        self.list_table(width, rows, &[55, 360, 180, 150, 150, 105], headers, |l| {
            let task = &l.row.record.task;
            let late = match (task.deadline, task.completed_on) {
                (Some(d), Some(c)) => rules::days_after(d, c).to_string(),
                _ => String::new(),
            };
            [
                Cell::centre(date_or(task.deadline, "")),
                Cell::centre(date_or(task.completed_on, "")),
                Cell::centre(late),
            ]
        })
    }

    fn extended_table(&self, width: usize, rows: &[Listed]) -> docx_rs::Table {
        let lang = self.lang;
        let headers = [
            "field-original-deadline",
            "report-doc-new-deadline",
            "field-status",
        ];
        self.list_table(width, rows, &[55, 330, 175, 150, 150, 140], headers, |l| {
            let task = &l.row.record.task;
            [
                Cell::centre(date_or(task.original_deadline, "")),
                Cell::centre(date_or(task.deadline, &t(lang, "report-doc-ongoing"))),
                Cell::left(status_label(lang, l.row.status)),
            ]
        })
    }

    fn carried_table(&self, width: usize, rows: &[Listed]) -> docx_rs::Table {
        let lang = self.lang;
        let headers = ["field-assigned-on", "field-deadline", "field-status"];
        self.list_table(width, rows, &[55, 330, 175, 150, 150, 140], headers, |l| {
            let task = &l.row.record.task;
            [
                Cell::centre(date_or(Some(task.assigned_on), "")),
                Cell::centre(date_or(task.deadline, &t(lang, "report-doc-ongoing"))),
                Cell::left(status_label(lang, l.row.status)),
            ]
        })
    }
}
