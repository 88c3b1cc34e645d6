//! A meeting's appendix: "Phụ lục: danh mục nhiệm vụ theo Thông báo kết
//! luận …", one row per task (number, content, lead unit, coordinators,
//! deadline, status as of a date), as a Word document (A4 landscape) and as a
//! workbook. Both are written from the same [`Appendix`] rows.

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatBorder, Workbook};
use std::collections::HashMap;

use super::{centred, date_or, grid, pack, sizes, Cell, DocError, Look, Page};
use crate::domain::report_doc::{self as rules, DocSettings};
use crate::domain::Status;
use crate::i18n::{self, Lang};
use crate::storage::meetings::MeetingWithTasks;

/// One task of the appendix, as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: usize,
    pub reference: String,
    pub content: String,
    pub lead: String,
    pub coordinators: String,
    pub deadline: Option<NaiveDate>,
    /// The deadline before an approved extension.
    pub original_deadline: Option<NaiveDate>,
    pub status: String,
}

/// The appendix of a meeting as of a date.
#[derive(Debug, Clone)]
pub struct Appendix {
    /// "Danh mục nhiệm vụ theo Thông báo số 123-TB/TU".
    pub subject: String,
    /// "(Tình trạng tính đến ngày 01/12/2026)".
    pub as_of_line: String,
    pub rows: Vec<Row>,
}

fn t(lang: Lang, key: &str) -> String {
    i18n::text(lang, key)
}

impl Appendix {
    /// `names`: unit names by code (a code without a name is printed as it is).
    pub fn new(
        m: &MeetingWithTasks,
        names: &HashMap<String, String>,
        as_of: NaiveDate,
        lang: Lang,
    ) -> Appendix {
        let vi = crate::domain::dates::format_vi;
        let name = |code: &str| {
            crate::domain::unit::label(names.get(code).map_or("", String::as_str), code)
        };
        let source = if m.meeting.document_ref.trim().is_empty() {
            i18n::text_with(
                lang,
                "report-doc-appendix-meeting",
                &[
                    ("title", m.meeting.title.clone()),
                    ("date", vi(m.meeting.held_on)),
                ],
            )
        } else {
            m.meeting.document_ref.trim().to_string()
        };
        let rows = m
            .tasks
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let task = &r.task;
                let status: Option<Status> = task.dates().status_as_of(as_of);
                Row {
                    number: i + 1,
                    reference: task.reference.clone(),
                    content: task.content.clone(),
                    lead: r
                        .lead_unit
                        .as_deref()
                        .map(name)
                        .unwrap_or_else(|| i18n::text(lang, "documents-no-lead")),
                    coordinators: r
                        .coordinators
                        .iter()
                        .map(|c| name(c))
                        .collect::<Vec<_>>()
                        .join("; "),
                    deadline: task.deadline,
                    original_deadline: task.original_deadline,
                    status: match status {
                        Some(s) => t(lang, &format!("status-{}", s.code())),
                        None => t(lang, "report-doc-cancelled"),
                    },
                }
            })
            .collect();
        Appendix {
            subject: i18n::text_with(lang, "report-doc-appendix-subject", &[("source", source)]),
            as_of_line: i18n::text_with(lang, "report-doc-appendix-as-of", &[("date", vi(as_of))]),
            rows,
        }
    }

    fn header(lang: Lang) -> Vec<String> {
        [
            "report-doc-number",
            "report-doc-content",
            "field-lead-unit",
            "field-coordinators",
            "field-deadline",
            "report-doc-status-today",
        ]
        .iter()
        .map(|k| t(lang, k))
        .collect()
    }

    /// The deadline as printed: the date, "thường xuyên", and the original when it moved.
    fn deadline_text(row: &Row, lang: Lang) -> String {
        let current = date_or(row.deadline, &t(lang, "report-doc-ongoing"));
        match row.original_deadline {
            Some(o) => i18n::text_with(
                lang,
                "report-doc-extended-from",
                &[
                    ("date", current),
                    ("original", crate::domain::dates::format_vi(o)),
                ],
            ),
            None => current,
        }
    }

    /// The appendix as a Word document, A4 landscape, in the layout's sizes.
    pub fn docx(&self, settings: &DocSettings, lang: Lang) -> Result<Vec<u8>, DocError> {
        let s = sizes(settings.layout);
        let page = Page { landscape: true };
        let width = page.text_width();
        let text = Look::size(s.body);
        let mut doc = page.document(s.body as usize * 2);
        if !settings.issuer.is_empty() {
            doc = doc.add_paragraph(docx_rs::Paragraph::new().add_run(super::run(
                &rules::upper(&settings.issuer),
                Look::size(12.0).bold(),
            )));
        }
        doc = doc
            .add_paragraph(centred(
                &rules::upper(&t(lang, "report-doc-appendix")),
                text.bold(),
            ))
            .add_paragraph(centred(&self.subject, text.bold()))
            .add_paragraph(centred(&self.as_of_line, text.italic()))
            .add_paragraph(centred("", text));
        let rows: Vec<Vec<Cell>> = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    Cell::centre(r.number.to_string()),
                    Cell::left(r.content.clone()),
                    Cell::left(r.lead.clone()),
                    Cell::left(r.coordinators.clone()),
                    Cell::centre(Self::deadline_text(r, lang)),
                    Cell::left(r.status.clone()),
                ]
            })
            .collect();
        let shares = [45, 455, 150, 150, 95, 105];
        let mut widths: Vec<usize> = shares.iter().map(|p| width * p / 1000).collect();
        widths[1] += width - widths.iter().sum::<usize>();
        doc = if rows.is_empty() {
            doc.add_paragraph(super::body(&t(lang, "report-doc-none"), text.italic()))
        } else {
            doc.add_table(grid(&widths, &Self::header(lang), rows, None, 12.0))
        };
        pack(doc)
    }

    /// The appendix as a workbook: one sheet, deadlines as dates.
    pub fn xlsx(&self, lang: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(t(lang, "report-doc-appendix"))?;
        sheet.set_landscape();
        sheet.set_paper_size(9);
        sheet.set_print_fit_to_pages(1, 0);
        let bold = Format::new().set_bold();
        let header_format = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_background_color("#E9EEF4")
            .set_border(FormatBorder::Thin);
        let wrap = Format::new().set_text_wrap();
        let date = Format::new().set_num_format("dd/mm/yyyy");
        sheet.write_string_with_format(
            0,
            0,
            rules::upper(&t(lang, "report-doc-appendix")),
            &bold,
        )?;
        sheet.write_string_with_format(1, 0, &self.subject, &bold)?;
        sheet.write_string(2, 0, &self.as_of_line)?;
        let top = 4;
        let mut header = vec![t(lang, "report-doc-number"), t(lang, "field-ref")];
        header.extend(Self::header(lang).into_iter().skip(1));
        header.push(t(lang, "field-original-deadline"));
        for (i, h) in header.iter().enumerate() {
            sheet.write_string_with_format(top, i as u16, h, &header_format)?;
        }
        for (i, r) in self.rows.iter().enumerate() {
            let row = top + 1 + i as u32;
            sheet.write_number(row, 0, r.number as f64)?;
            sheet.write_string(row, 1, &r.reference)?;
            sheet.write_string_with_format(row, 2, &r.content, &wrap)?;
            sheet.write_string(row, 3, &r.lead)?;
            sheet.write_string_with_format(row, 4, &r.coordinators, &wrap)?;
            match r.deadline {
                Some(d) => sheet.write_date_with_format(row, 5, d, &date)?,
                None => sheet.write_string(row, 5, t(lang, "report-doc-ongoing"))?,
            };
            sheet.write_string(row, 6, &r.status)?;
            if let Some(o) = r.original_deadline {
                sheet.write_date_with_format(row, 7, o, &date)?;
            }
        }
        for (i, w) in [6.0, 18.0, 70.0, 28.0, 32.0, 12.0, 24.0, 14.0]
            .iter()
            .enumerate()
        {
            sheet.set_column_width(i as u16, *w)?;
        }
        sheet.set_freeze_panes(top + 1, 0)?;
        sheet.set_repeat_rows(top, top)?;
        book.save_to_buffer()
    }
}
