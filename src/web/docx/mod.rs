//! The Word documents: the period report in the official layout
//! ([`report`]) and a meeting's appendix of tasks ([`appendix`]). This module
//! holds what both share: the page, the fonts, the official heading, the
//! signature block and the ruled tables. The layout's rules (which lines,
//! which punctuation) are the pure functions of `domain::report_doc`.

pub mod appendix;
pub mod report;

use chrono::NaiveDate;
use docx_rs::{
    AlignmentType, BorderType, Docx, Header, HeightRule, LineSpacing, PageMargin, PageNum,
    Paragraph, ParagraphBorder, ParagraphBorderPosition, Run, RunFonts, SpecialIndentType, Table,
    TableAlignmentType, TableCell, TableLayoutType, TableRow, VAlignType, WidthType,
};

use crate::domain::report_doc::{self as rules, DocSettings, Layout};
use crate::i18n::{self, Lang};

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
#[error("writing the document: {0}")]
pub struct DocError(pub String);

pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

const FONT: &str = "Times New Roman";

/// Twips (1/20 pt) in a millimetre.
const MM: f64 = 56.7;

fn mm(v: f64) -> i32 {
    (v * MM).round() as i32
}

/// An A4 page with the prescribed margins: top and bottom 20 mm, left 30 mm,
/// right 15 mm (both layouts allow 20–25, 30–35 and 15–20 mm).
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub landscape: bool,
}

impl Page {
    fn size(self) -> (u32, u32) {
        if self.landscape {
            (16838, 11906)
        } else {
            (11906, 16838)
        }
    }

    /// The width between the margins, in twips.
    pub fn text_width(self) -> usize {
        (self.size().0 as i32 - mm(30.0) - mm(15.0)) as usize
    }

    /// A document with this page, Times New Roman at `size` half-points, and
    /// the page number at the top of every page but the first.
    pub fn document(self, size: usize) -> Docx {
        let (w, h) = self.size();
        let number = Paragraph::new()
            .align(AlignmentType::Center)
            .add_page_num(PageNum::new());
        let docx = Docx::new()
            .page_size(w, h)
            .page_margin(
                PageMargin::new()
                    .top(mm(20.0))
                    .bottom(mm(20.0))
                    .left(mm(30.0))
                    .right(mm(15.0))
                    .header(mm(10.0))
                    .footer(mm(10.0)),
            )
            .default_fonts(
                RunFonts::new()
                    .ascii(FONT)
                    .hi_ansi(FONT)
                    .cs(FONT)
                    .east_asia(FONT),
            )
            .default_size(size)
            .header(Header::new().add_paragraph(number))
            .first_header(Header::new())
            .title_pg();
        if self.landscape {
            docx.page_orient(docx_rs::PageOrientationType::Landscape)
        } else {
            docx
        }
    }
}

/// How a piece of text is set.
#[derive(Debug, Clone, Copy, Default)]
pub struct Look {
    /// Half-points.
    pub size: usize,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
}

impl Look {
    pub fn size(pt: f64) -> Look {
        Look {
            size: (pt * 2.0).round() as usize,
            ..Look::default()
        }
    }
    pub fn bold(self) -> Look {
        Look { bold: true, ..self }
    }
    pub fn italic(self) -> Look {
        Look {
            italic: true,
            ..self
        }
    }
    pub fn underline(self) -> Look {
        Look {
            underline: true,
            ..self
        }
    }
}

pub fn run(text: &str, look: Look) -> Run {
    let mut r = Run::new().add_text(text).size(look.size);
    if look.bold {
        r = r.bold();
    }
    if look.italic {
        r = r.italic();
    }
    if look.underline {
        r = r.underline("single");
    }
    r
}

/// Spacing before and after, in points, at single line spacing.
fn spacing(before: f64, after: f64) -> LineSpacing {
    LineSpacing::new()
        .before((before * 20.0) as u32)
        .after((after * 20.0) as u32)
        .line(240)
        .line_rule(docx_rs::LineSpacingType::Auto)
}

/// A centred line of text, no space around it.
pub fn centred(text: &str, look: Look) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Center)
        .line_spacing(spacing(0.0, 0.0))
        .add_run(run(text, look))
}

/// A paragraph of the body: justified, the first line indented 10 mm, 6 pt after.
pub fn body(text: &str, look: Look) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(mm(10.0))),
            None,
            None,
        )
        .line_spacing(
            LineSpacing::new()
                .before(0)
                .after(120)
                .line(276)
                .line_rule(docx_rs::LineSpacingType::Auto),
        )
        .add_run(run(text, look))
}

/// A heading of the body (`I. KẾT QUẢ…`, `1. Tình hình chung`), kept with what follows.
pub fn section(text: &str, look: Look) -> Paragraph {
    body(text, look.bold()).keep_next(true)
}

/// A short centred rule: under the issuer and under the trích yếu (state
/// layout). `width` is the rule's length within a column of `column` twips.
pub fn rule(width: usize, column: usize) -> Paragraph {
    let side = (column.saturating_sub(width) / 2) as i32;
    Paragraph::new()
        .line_spacing(spacing(3.0, 0.0))
        .indent(Some(side), None, Some(side), None)
        .set_borders(
            docx_rs::ParagraphBorders::with_empty().set(
                ParagraphBorder::new(ParagraphBorderPosition::Top)
                    .val(BorderType::Single)
                    .size(6)
                    .space(1),
            ),
        )
        .add_run(Run::new().add_text("").size(8))
}

/// A table without lines, of these column widths (twips).
fn layout_table(widths: &[usize], rows: Vec<TableRow>) -> Table {
    Table::without_borders(rows)
        .set_grid(widths.to_vec())
        .width(widths.iter().sum(), WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
}

fn cell(width: usize, paragraphs: Vec<Paragraph>) -> TableCell {
    paragraphs.into_iter().fold(
        TableCell::new().width(width, WidthType::Dxa),
        TableCell::add_paragraph,
    )
}

/// The sizes of each layout (points): body, the national heading, the
/// issuer's names, the document's kind.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub body: f64,
    pub national: f64,
    pub names: f64,
    pub kind: f64,
    /// "Nơi nhận" and its lines.
    pub recipients_label: f64,
    pub recipients: f64,
}

pub fn sizes(layout: Layout) -> Sizes {
    match layout {
        // Nghị định 30: Quốc hiệu 12–13, tiêu ngữ and body 13–14, Nơi nhận 12 and 11.
        Layout::State => Sizes {
            body: 14.0,
            national: 12.0,
            names: 12.5,
            kind: 14.0,
            recipients_label: 12.0,
            recipients: 11.0,
        },
        // Hướng dẫn 36: "ĐẢNG CỘNG SẢN VIỆT NAM" 15, names and body 14, the kind 15–16.
        Layout::Party => Sizes {
            body: 14.0,
            national: 15.0,
            names: 14.0,
            kind: 16.0,
            recipients_label: 14.0,
            recipients: 12.0,
        },
    }
}

fn t(lang: Lang, key: &str) -> String {
    i18n::text(lang, key)
}

/// The heading: the issuer on the left (the body above it, the issuer, the
/// rule or the star, the number), the national heading on the right (Quốc
/// hiệu and tiêu ngữ, or the Party's name) with the place and date. Two rows,
/// so that the number and the date sit on one line.
pub fn heading(settings: &DocSettings, date: NaiveDate, lang: Lang, width: usize) -> Table {
    let layout = settings.layout;
    let s = sizes(layout);
    let left_w = width * 38 / 100;
    let right_w = width - left_w;
    let names = Look::size(s.names);
    let dots = "…………";
    let or_dots = |v: &str| {
        if v.is_empty() {
            dots.to_string()
        } else {
            rules::upper(v)
        }
    };
    let mut left = Vec::new();
    if !settings.parent_body.is_empty() {
        left.push(centred(&rules::upper(&settings.parent_body), names));
    }
    left.push(centred(&or_dots(&settings.issuer), names.bold()));
    let mut right = Vec::new();
    match layout {
        Layout::State => {
            left.push(rule(width * 12 / 100, left_w));
            right.push(centred(
                &t(lang, "report-doc-state-title"),
                Look::size(s.national).bold(),
            ));
            right.push(centred(
                &t(lang, "report-doc-state-motto"),
                Look::size(13.0).bold().underline(),
            ));
        }
        Layout::Party => {
            left.push(centred("*", names));
            right.push(centred(
                &t(lang, "report-doc-party-title"),
                Look::size(s.national).bold().underline(),
            ));
        }
    }
    let number = centred(
        &rules::number_line(layout, &settings.issuer_short),
        Look::size(s.names),
    );
    let date_line = centred(
        &rules::place_date(layout, &settings.place, date, lang),
        Look::size(s.body).italic(),
    );
    let gap = || centred("", Look::size(6.0));
    layout_table(
        &[left_w, right_w],
        vec![
            TableRow::new(vec![
                cell(left_w, left).vertical_align(VAlignType::Top),
                cell(right_w, right).vertical_align(VAlignType::Top),
            ]),
            TableRow::new(vec![
                cell(left_w, vec![gap(), number]),
                cell(right_w, vec![gap(), date_line]),
            ]),
        ],
    )
}

/// "Nơi nhận" on the left, the signer on the right (authority, title, room
/// to sign, name).
pub fn signature(settings: &DocSettings, lang: Lang, width: usize) -> Table {
    let layout = settings.layout;
    let s = sizes(layout);
    let left_w = width * 45 / 100;
    let right_w = width - left_w;
    let label = match layout {
        Layout::State => Look::size(s.recipients_label).bold().italic(),
        Layout::Party => Look::size(s.recipients_label).underline(),
    };
    let mut left = vec![Paragraph::new()
        .line_spacing(spacing(6.0, 0.0))
        .add_run(run(&t(lang, "report-doc-recipients"), label))];
    for r in rules::recipient_lines(layout, &settings.recipients) {
        left.push(
            Paragraph::new()
                .line_spacing(spacing(0.0, 0.0))
                .add_run(run(&r, Look::size(s.recipients))),
        );
    }
    let title = Look::size(s.body).bold();
    let mut right = vec![centred("", Look::size(6.0))];
    if !settings.signer_authority.is_empty() {
        right.push(centred(&rules::upper(&settings.signer_authority), title));
    }
    right.push(centred(&rules::upper(&settings.signer_title), title));
    for _ in 0..4 {
        right.push(centred("", Look::size(s.body)));
    }
    let name = if settings.signer_name.is_empty() {
        "…………"
    } else {
        &settings.signer_name
    };
    right.push(centred(name, title));
    layout_table(
        &[left_w, right_w],
        vec![TableRow::new(vec![
            cell(left_w, left),
            cell(right_w, right),
        ])],
    )
}

/// One cell of a ruled table.
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub align: AlignmentType,
}

impl Cell {
    pub fn left(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            align: AlignmentType::Left,
        }
    }
    pub fn centre(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            align: AlignmentType::Center,
        }
    }
    pub fn right(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            align: AlignmentType::Right,
        }
    }
}

/// A ruled table: a bold header row, the rows, and a
/// bold last row when `total` is given.
pub fn grid(
    widths: &[usize],
    header: &[String],
    rows: Vec<Vec<Cell>>,
    total: Option<Vec<Cell>>,
    pt: f64,
) -> Table {
    let look = Look::size(pt);
    // Headers of narrow columns wrap less a point smaller.
    let header_look = Look::size(pt - 1.0).bold();
    let line = |c: &Cell, look: Look| {
        Paragraph::new()
            .align(c.align)
            .line_spacing(spacing(1.0, 1.0))
            .add_run(run(&c.text, look))
    };
    let mut out = vec![TableRow::new(
        header
            .iter()
            .zip(widths)
            .map(|(h, w)| {
                cell(*w, vec![line(&Cell::centre(h.clone()), header_look)])
                    .vertical_align(VAlignType::Center)
            })
            .collect(),
    )
    .cant_split()
    .row_height(HEADER_MARK)
    .height_rule(HeightRule::Auto)];
    let mut add = |cells: &[Cell], look: Look| {
        out.push(
            TableRow::new(
                cells
                    .iter()
                    .zip(widths)
                    .map(|(c, w)| cell(*w, vec![line(c, look)]))
                    .collect(),
            )
            .cant_split(),
        );
    };
    for r in &rows {
        add(r, look);
    }
    if let Some(total) = total {
        add(&total, look.bold());
    }
    // Narrow margins in the cells: a number column is barely wider than its header.
    Table::new(out)
        .margins(docx_rs::TableCellMargins::new().margin(0, 40, 0, 40))
        .set_grid(widths.to_vec())
        .width(widths.iter().sum(), WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
}

/// docx-rs 0.4 cannot mark a table's header row (`w:tblHeader`: Word and
/// LibreOffice repeat it at the top of every page the table runs onto). A
/// header row carries a height whose rule says "by the content" (so the value
/// is ignored), and [`pack`] turns exactly that mark into `w:tblHeader`.
const HEADER_MARK: f32 = 1.0;

fn header_mark_xml() -> String {
    format!(r#"<w:trHeight w:val="{HEADER_MARK}" w:hRule="auto" />"#)
}

/// Makes the marked rows of `document.xml` header rows.
fn repeat_header_rows(document: &str) -> String {
    document.replace(&header_mark_xml(), "<w:tblHeader />")
}

/// The document as bytes.
pub fn pack(docx: Docx) -> Result<Vec<u8>, DocError> {
    let mut parts = docx.build();
    let document = String::from_utf8(std::mem::take(&mut parts.document))
        .map_err(|e| DocError(e.to_string()))?;
    parts.document = repeat_header_rows(&document).into_bytes();
    let mut buf = std::io::Cursor::new(Vec::new());
    parts.pack(&mut buf).map_err(|e| DocError(e.to_string()))?;
    Ok(buf.into_inner())
}

/// A date as written in the documents, or the text for none.
pub fn date_or(date: Option<NaiveDate>, none: &str) -> String {
    date.map(crate::domain::dates::format_vi)
        .unwrap_or_else(|| none.to_string())
}
