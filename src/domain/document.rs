//! The text of a conclusion document: an uploaded .docx, a PDF with a text
//! layer, a .txt or .html file, or HTML pasted from a portal. Pure over bytes:
//! the caller reads the upload, this says what it holds or why it cannot.
//!
//! Paragraphs and list items come out one per line, with their numbering
//! ("1.", "a)", "-") written in front, because the parser splits directives
//! on exactly those line starts.

use std::collections::HashMap;

use super::Invalid;

/// The largest conclusion document taken, like report attachments.
pub const MAX_BYTES: usize = super::attachment::MAX_BYTES;

/// Fewer letters than this in a PDF means a scan: there is no text to propose from.
const MIN_LETTERS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Docx,
    Pdf,
    Text,
    Html,
}

impl Kind {
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Pdf => "application/pdf",
            Kind::Text => "text/plain; charset=utf-8",
            Kind::Html => "text/html; charset=utf-8",
        }
    }

    /// The kind a stored document's name says (it was checked when it came in).
    pub fn of_name(name: &str) -> Option<Kind> {
        match extension(name).as_str() {
            "docx" => Some(Kind::Docx),
            "pdf" => Some(Kind::Pdf),
            "txt" => Some(Kind::Text),
            "html" | "htm" => Some(Kind::Html),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is over the size limit")]
    TooBig,
    #[error("not a .docx, .pdf, .txt or .html file: {0}")]
    WrongKind(String),
    #[error("the PDF has no text layer (a scan)")]
    ScannedPdf,
    #[error("the document holds no text")]
    NoText,
    #[error("the document cannot be read: {0}")]
    Unreadable(String),
}

impl ExtractError {
    /// The error as a message about the form or API field `field`.
    pub fn invalid(&self, field: &str, name: &str) -> Invalid {
        let name = super::attachment::clean_name(name);
        match self {
            ExtractError::Empty => Invalid::new(field, "err-file-empty"),
            ExtractError::TooBig => {
                Invalid::new(field, "err-file-too-big").arg("max", MAX_BYTES / (1024 * 1024))
            }
            ExtractError::WrongKind(_) => {
                Invalid::new(field, "documents-err-kind").arg("value", name)
            }
            ExtractError::ScannedPdf => {
                Invalid::new(field, "documents-err-scanned").arg("value", name)
            }
            ExtractError::NoText => Invalid::new(field, "documents-err-no-text").arg("value", name),
            ExtractError::Unreadable(_) => {
                Invalid::new(field, "documents-err-unreadable").arg("value", name)
            }
        }
    }
}

/// What a document held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub kind: Kind,
    pub text: String,
}

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default()
}

/// The kind of an upload: its name and its first bytes must agree.
pub fn kind_of(name: &str, bytes: &[u8]) -> Result<Kind, ExtractError> {
    if bytes.is_empty() {
        return Err(ExtractError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(ExtractError::TooBig);
    }
    let wrong = || ExtractError::WrongKind(name.to_string());
    let kind = Kind::of_name(name).ok_or_else(wrong)?;
    let agrees = match kind {
        Kind::Docx => bytes.starts_with(b"PK\x03\x04"),
        Kind::Pdf => bytes.starts_with(b"%PDF-"),
        Kind::Text | Kind::Html => decode_text(bytes).is_some(),
    };
    if agrees {
        Ok(kind)
    } else {
        Err(wrong())
    }
}

/// Reads the text of an upload, checked by [`kind_of`].
pub fn extract(name: &str, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let kind = kind_of(name, bytes)?;
    let text = match kind {
        Kind::Docx => docx_text(bytes)?,
        Kind::Pdf => pdf_text(bytes)?,
        Kind::Text => {
            let text = decode_text(bytes).unwrap_or_default();
            if looks_like_html(&text) {
                html_to_text(&text)
            } else {
                text
            }
        }
        Kind::Html => html_to_text(&decode_text(bytes).unwrap_or_default()),
    };
    let text = tidy(&text);
    if text.trim().is_empty() {
        return Err(ExtractError::NoText);
    }
    Ok(Extracted { kind, text })
}

/// Text as pasted: HTML (copied from a portal's source, or saved as text) is
/// stripped to its text; anything else is kept as typed.
pub fn pasted_text(text: &str) -> String {
    if looks_like_html(text) {
        tidy(&html_to_text(text))
    } else {
        text.to_string()
    }
}

/// UTF-8 (with or without a byte-order mark) or UTF-16 with one; no NUL bytes in UTF-8.
fn decode_text(bytes: &[u8]) -> Option<String> {
    let utf16 = |bytes: &[u8], little: bool| -> Option<String> {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|p| {
                if little {
                    u16::from_le_bytes([p[0], p[1]])
                } else {
                    u16::from_be_bytes([p[0], p[1]])
                }
            })
            .collect();
        String::from_utf16(&units).ok()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if bytes.contains(&0) {
        return None;
    }
    std::str::from_utf8(bytes).ok().map(str::to_string)
}

/// Whether pasted text is markup rather than prose: it opens with a tag or a
/// doctype, or holds several block tags.
pub fn looks_like_html(text: &str) -> bool {
    let head = text.trim_start().to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return true;
    }
    let lower = text.to_ascii_lowercase();
    let tags = [
        "<p>", "<p ", "<div", "<br", "<li>", "<li ", "<td", "<span", "<h1", "<h2", "<h3",
        "<strong", "<b>",
    ];
    let found: usize = tags.iter().map(|t| lower.matches(t).count()).sum();
    head.starts_with('<') && found >= 1 || found >= 3
}

/// HTML to text: block elements and list items on their own lines, ordered
/// lists numbered ("1. "), other lists dashed ("- "), headings and links as
/// their bare text, no wrapping (lines end where the HTML's blocks do).
pub fn html_to_text(html: &str) -> String {
    html2text::config::with_decorator(Lines)
        .allow_width_overflow()
        .no_table_borders()
        .string_from_read(html.as_bytes(), 100_000)
        .unwrap_or_else(|_| strip_tags(html))
}

/// Renders markup as its text, keeping only what the parser reads: list markers.
#[derive(Debug, Clone, Copy)]
struct Lines;

impl html2text::render::TextDecorator for Lines {
    type Annotation = ();

    fn decorate_link_start(&mut self, _url: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_link_end(&mut self) -> String {
        String::new()
    }
    fn decorate_em_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_em_end(&self) -> String {
        String::new()
    }
    fn decorate_strong_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strong_end(&self) -> String {
        String::new()
    }
    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }
    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_code_end(&self) -> String {
        String::new()
    }
    fn decorate_preformat_first(&self) {}
    fn decorate_preformat_cont(&self) {}
    /// Images (photos of the meeting) are page chrome, not text.
    fn decorate_image(&mut self, _src: &str, _title: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }
    fn quote_prefix(&self) -> String {
        String::new()
    }
    fn unordered_item_prefix(&self) -> String {
        "- ".into()
    }
    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }
    fn make_subblock_decorator(&self) -> Self {
        Lines
    }
}

/// The last resort for markup html2text refused: drop everything between `<` and `>`.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut inside = false;
    for ch in html.chars() {
        match ch {
            '<' => inside = true,
            '>' if inside => {
                inside = false;
                out.push(' ');
            }
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// One line per paragraph: line ends unified, trailing spaces and runs of blank lines removed.
fn tidy(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let unified = text.replace("\r\n", "\n");
    for line in unified.split(['\n', '\r']) {
        let line = line.trim_end();
        if line.trim().is_empty() && out.last().is_none_or(|l| l.trim().is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

fn pdf_text(bytes: &[u8]) -> Result<String, ExtractError> {
    // The PDF reader panics on some malformed files: a broken upload is the
    // user's error to hear about, not a crash.
    let result = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes));
    let text = match result {
        Ok(Ok(text)) => text,
        Ok(Err(e)) => return Err(ExtractError::Unreadable(e.to_string())),
        Err(_) => return Err(ExtractError::Unreadable("malformed PDF".into())),
    };
    if text.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS {
        return Err(ExtractError::ScannedPdf);
    }
    Ok(pdf_lines(&text))
}

/// A PDF's text as lines: justified lines come out with runs of spaces
/// between words, and many writers' text comes out with a blank line after
/// every line. Runs of spaces become one; blank lines are dropped when they
/// follow (nearly) every line, as they then separate nothing.
fn pdf_lines(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let filled = lines.iter().filter(|l| !l.is_empty()).count();
    let gaps = lines
        .windows(2)
        .filter(|w| !w[0].is_empty() && w[1].is_empty())
        .count();
    let doubled = filled > 1 && gaps * 5 >= (filled - 1) * 4;
    lines
        .into_iter()
        .filter(|l| !(doubled && l.is_empty()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Numbering of Word's automatic lists: one counter per list and level.
struct Numbers<'a> {
    docx: &'a docx_rs::Docx,
    counters: HashMap<(usize, usize), usize>,
}

impl Numbers<'_> {
    /// The marker of the next item of list `id` at `level` ("1.", "a)", "-").
    fn next(&mut self, id: usize, level: usize) -> String {
        let n = {
            let c = self.counters.entry((id, level)).or_insert(0);
            *c += 1;
            *c
        };
        // A new item restarts the levels under it.
        self.counters
            .retain(|(list, l), _| *list != id || *l <= level);
        let format = self
            .docx
            .numberings
            .numberings
            .iter()
            .find(|n| n.id == id)
            .and_then(|n| {
                self.docx
                    .numberings
                    .abstract_nums
                    .iter()
                    .find(|a| a.id == n.abstract_num_id)
            })
            .and_then(|a| a.levels.iter().find(|l| l.level == level))
            .map(|l| l.format.val.clone())
            .unwrap_or_else(|| "decimal".into());
        marker(&format, n)
    }
}

fn marker(format: &str, n: usize) -> String {
    match format {
        "bullet" => "-".into(),
        "none" => String::new(),
        "lowerLetter" => format!("{})", letter(n)),
        "upperLetter" => format!("{}.", letter(n).to_uppercase()),
        "upperRoman" => format!("{}.", roman(n)),
        "lowerRoman" => format!("{}.", roman(n).to_lowercase()),
        _ => format!("{n}."),
    }
}

/// a, b, … z, aa, bb… as Word counts.
fn letter(n: usize) -> String {
    let n = n.max(1) - 1;
    let ch = (b'a' + (n % 26) as u8) as char;
    ch.to_string().repeat(n / 26 + 1)
}

fn roman(mut n: usize) -> String {
    const DIGITS: [(usize, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, digits) in DIGITS {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

fn run_text(run: &docx_rs::Run, out: &mut String) {
    use docx_rs::RunChild;
    for c in &run.children {
        match c {
            RunChild::Text(t) => out.push_str(&t.text),
            RunChild::Tab(_) | RunChild::PTab(_) => out.push('\t'),
            RunChild::Break(_) | RunChild::CarriageReturn(_) => out.push('\n'),
            _ => {}
        }
    }
}

fn paragraph_children_text(children: &[docx_rs::ParagraphChild], out: &mut String) {
    use docx_rs::{InsertChild, ParagraphChild};
    for c in children {
        match c {
            ParagraphChild::Run(r) => run_text(r, out),
            ParagraphChild::Insert(i) => {
                for c in &i.children {
                    if let InsertChild::Run(r) = c {
                        run_text(r, out);
                    }
                }
            }
            ParagraphChild::Hyperlink(h) => paragraph_children_text(&h.children, out),
            // Deleted and moved-away text of tracked changes is not the document's.
            _ => {}
        }
    }
}

fn paragraph_text(p: &docx_rs::Paragraph, numbers: &mut Numbers, out: &mut Vec<String>) {
    let mut line = String::new();
    if let Some(np) = &p.property.numbering_property {
        if let Some(id) = np.id.as_ref().map(|i| i.id).filter(|id| *id != 0) {
            let level = np.level.as_ref().map(|l| l.val).unwrap_or(0);
            let m = numbers.next(id, level);
            if !m.is_empty() {
                line.push_str(&m);
                line.push(' ');
            }
        }
    }
    paragraph_children_text(&p.children, &mut line);
    out.push(line);
}

fn table_text(t: &docx_rs::Table, numbers: &mut Numbers, out: &mut Vec<String>) {
    use docx_rs::{TableCellContent, TableChild, TableRowChild};
    for TableChild::TableRow(row) in &t.rows {
        for TableRowChild::TableCell(cell) in &row.cells {
            for c in &cell.children {
                match c {
                    TableCellContent::Paragraph(p) => paragraph_text(p, numbers, out),
                    TableCellContent::Table(t) => table_text(t, numbers, out),
                    _ => {}
                }
            }
        }
    }
}

fn docx_text(bytes: &[u8]) -> Result<String, ExtractError> {
    use docx_rs::DocumentChild;
    let read = std::panic::catch_unwind(|| docx_rs::read_docx(bytes));
    let docx = match read {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => return Err(ExtractError::Unreadable(e.to_string())),
        Err(_) => return Err(ExtractError::Unreadable("malformed document".into())),
    };
    let mut numbers = Numbers {
        docx: &docx,
        counters: HashMap::new(),
    };
    let mut lines = Vec::new();
    for child in &docx.document.children {
        match child {
            DocumentChild::Paragraph(p) => paragraph_text(p, &mut numbers, &mut lines),
            DocumentChild::Table(t) => table_text(t, &mut numbers, &mut lines),
            _ => {}
        }
    }
    Ok(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docx(build: impl FnOnce(docx_rs::Docx) -> docx_rs::Docx) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        build(docx_rs::Docx::new())
            .build()
            .pack(&mut buf)
            .expect("docx written");
        buf.into_inner()
    }

    fn para(text: &str) -> docx_rs::Paragraph {
        docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text(text))
    }

    #[test]
    fn a_docx_gives_one_line_per_paragraph_with_its_numbers() {
        use docx_rs::{AbstractNumbering, IndentLevel, Level, LevelJc, LevelText, NumberFormat};
        use docx_rs::{Numbering, NumberingId, Start};
        let bytes = docx(|d| {
            d.add_abstract_numbering(
                AbstractNumbering::new(10)
                    .add_level(Level::new(
                        0,
                        Start::new(1),
                        NumberFormat::new("decimal"),
                        LevelText::new("%1."),
                        LevelJc::new("left"),
                    ))
                    .add_level(Level::new(
                        1,
                        Start::new(1),
                        NumberFormat::new("lowerLetter"),
                        LevelText::new("%2)"),
                        LevelJc::new("left"),
                    )),
            )
            .add_numbering(Numbering::new(11, 10))
            .add_paragraph(para("Đồng chí Chủ tịch UBND tỉnh kết luận như sau:"))
            .add_paragraph(
                para("Giao Sở Tài chính chủ trì rà soát nợ đọng.")
                    .numbering(NumberingId::new(11), IndentLevel::new(0)),
            )
            .add_paragraph(
                para("Báo cáo trước ngày 15/6/2024.")
                    .numbering(NumberingId::new(11), IndentLevel::new(1)),
            )
            .add_paragraph(
                para("Sở Nội vụ tổ chức tập huấn.")
                    .numbering(NumberingId::new(11), IndentLevel::new(0)),
            )
            .add_paragraph(para(""))
            .add_paragraph(para("Nơi nhận: như trên."))
        });
        let got = extract("Thông báo kết luận.docx", &bytes).expect("docx text");
        assert_eq!(got.kind, Kind::Docx);
        assert_eq!(
            got.text,
            "Đồng chí Chủ tịch UBND tỉnh kết luận như sau:\n\
             1. Giao Sở Tài chính chủ trì rà soát nợ đọng.\n\
             a) Báo cáo trước ngày 15/6/2024.\n\
             2. Sở Nội vụ tổ chức tập huấn.\n\
             \n\
             Nơi nhận: như trên."
        );
    }

    #[test]
    fn a_docx_table_is_read_cell_by_cell() {
        use docx_rs::{Table, TableCell, TableRow};
        let bytes = docx(|d| {
            d.add_table(Table::new(vec![TableRow::new(vec![
                TableCell::new().add_paragraph(para("1")),
                TableCell::new().add_paragraph(para("Tổ chức hội nghị sơ kết")),
            ])]))
        });
        assert_eq!(
            extract("bang.docx", &bytes).expect("text").text,
            "1\nTổ chức hội nghị sơ kết"
        );
    }

    #[test]
    fn a_docx_without_text_says_so() {
        let bytes = docx(|d| d.add_paragraph(para("  ")));
        assert_eq!(extract("trang.docx", &bytes), Err(ExtractError::NoText));
    }

    #[test]
    fn names_and_contents_must_agree() {
        let wrong = |name: &str, bytes: &[u8]| {
            matches!(kind_of(name, bytes), Err(ExtractError::WrongKind(_)))
        };
        assert!(wrong("ket-luan.doc", b"\xD0\xCF\x11\xE0"));
        assert!(wrong("ket-luan.pdf", b"PK\x03\x04"));
        assert!(wrong("ket-luan.docx", b"%PDF-1.4"));
        assert!(wrong("ket-luan.exe", b"MZ"));
        assert!(wrong("ket-luan", b"text"));
        assert!(wrong("ket-luan.txt", b"\x00\x01binary"));
        assert_eq!(kind_of("a.TXT", "Kết luận".as_bytes()), Ok(Kind::Text));
        assert_eq!(kind_of("a.htm", b"<p>x</p>"), Ok(Kind::Html));
        assert_eq!(kind_of("a.pdf", b""), Err(ExtractError::Empty));
        let big = vec![b'a'; MAX_BYTES + 1];
        assert_eq!(kind_of("a.txt", &big), Err(ExtractError::TooBig));
    }

    #[test]
    fn text_files_in_utf8_or_utf16_are_read() {
        let bom8 = [
            &[0xEF, 0xBB, 0xBF][..],
            "Giao Sở Y tế\r\nthực hiện".as_bytes(),
        ]
        .concat();
        assert_eq!(
            extract("a.txt", &bom8).expect("utf-8").text,
            "Giao Sở Y tế\nthực hiện"
        );
        let mut bom16 = vec![0xFF, 0xFE];
        for u in "Sở Y tế".encode_utf16() {
            bom16.extend(u.to_le_bytes());
        }
        assert_eq!(extract("a.txt", &bom16).expect("utf-16").text, "Sở Y tế");
    }

    #[test]
    fn html_becomes_lines_without_markup() {
        let html = "<html><head><title>Cổng TTĐT</title><style>p{color:red}</style></head><body>\
            <h1>Kết luận của Chủ tịch UBND tỉnh</h1>\
            <p>Chủ tịch UBND tỉnh kết luận như sau:</p>\
            <ol><li>Giao <b>Sở Tài chính</b> chủ trì rà soát.</li>\
            <li>Sở Xây dựng hướng dẫn <a href=\"/x\">quy trình</a>.</li></ol>\
            <p>Ngày&nbsp;đăng: 06:19, 04/06/2010</p></body></html>";
        let text = extract("trang.html", html.as_bytes()).expect("html").text;
        assert!(!text.contains('<') && !text.contains("color:red"), "{text}");
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(
            lines.contains(&"Chủ tịch UBND tỉnh kết luận như sau:"),
            "{text}"
        );
        assert!(
            lines.contains(&"1. Giao Sở Tài chính chủ trì rà soát."),
            "{text}"
        );
        assert!(
            lines.contains(&"2. Sở Xây dựng hướng dẫn quy trình."),
            "{text}"
        );
    }

    #[test]
    fn pasted_html_is_stripped_and_prose_is_kept() {
        assert!(looks_like_html("<p>Giao Sở Y tế</p><p>Sở Nội vụ</p>"));
        assert!(looks_like_html("<!DOCTYPE html><html>…"));
        assert!(!looks_like_html(
            "Giao Sở Y tế chủ trì; báo cáo trước 15/6 (<30 ngày>)"
        ));
        assert!(!looks_like_html("1. Tổ chức hội nghị\n2. Rà soát"));
        assert_eq!(
            pasted_text("<p>Giao Sở Y tế chủ trì.</p><p>Sở Nội vụ phối hợp.</p><br>"),
            "Giao Sở Y tế chủ trì.\n\nSở Nội vụ phối hợp."
        );
        let prose = "1. Tổ chức hội nghị\n  2. Rà soát";
        assert_eq!(pasted_text(prose), prose);
    }

    #[test]
    fn a_pdf_without_text_is_a_scan_and_a_broken_one_is_unreadable() {
        // A one-page PDF that draws nothing: what a scanner's image-only page reads as.
        let empty = minimal_pdf("");
        assert_eq!(extract("scan.pdf", &empty), Err(ExtractError::ScannedPdf));
        assert!(matches!(
            extract("hong.pdf", b"%PDF-1.4\nnot really"),
            Err(ExtractError::Unreadable(_))
        ));
    }

    #[test]
    fn a_pdf_text_layer_is_read() {
        let pdf = minimal_pdf(
            "BT /F1 12 Tf 72 720 Td (1. To chuc hoi nghi so ket cong tac tuyen giao) Tj ET",
        );
        let text = extract("tb.pdf", &pdf).expect("text layer").text;
        assert!(text.contains("To chuc hoi nghi so ket"), "{text}");
    }

    /// A valid single-page PDF whose page draws `content` with Helvetica.
    fn minimal_pdf(content: &str) -> Vec<u8> {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> >>"
                .to_string(),
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len() + 1
            ),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
                .to_string(),
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for o in offsets {
            out.extend(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    #[test]
    fn errors_name_the_field() {
        let e = ExtractError::ScannedPdf.invalid("file", "../scan.pdf");
        assert_eq!((e.field.as_str(), e.key), ("file", "documents-err-scanned"));
        assert_eq!(e.args, vec![("value", "scan.pdf".to_string())]);
        assert_eq!(
            ExtractError::TooBig.invalid("file", "a.pdf").key,
            "err-file-too-big"
        );
    }

    #[test]
    fn pdf_lines_lose_justification_and_doubled_blank_lines() {
        assert_eq!(
            pdf_lines("1.  Văn  phòng  Tỉnh  ủy\n\n30/9/2022.\n\n2.  Sở  Y  tế\n\nKết thúc./."),
            "1. Văn phòng Tỉnh ủy\n30/9/2022.\n2. Sở Y tế\nKết thúc./."
        );
        // Blank lines that separate paragraphs (not every line) stay.
        assert_eq!(
            pdf_lines("Kết luận:\n1. Một\n2. Hai\n\nNơi nhận:\n- Như trên"),
            "Kết luận:\n1. Một\n2. Hai\n\nNơi nhận:\n- Như trên"
        );
    }

    #[test]
    fn markers_count_like_word() {
        assert_eq!(marker("decimal", 12), "12.");
        assert_eq!(marker("lowerLetter", 2), "b)");
        assert_eq!(marker("lowerLetter", 27), "aa)");
        assert_eq!(marker("upperRoman", 4), "IV.");
        assert_eq!(marker("bullet", 3), "-");
        assert_eq!(marker("none", 3), "");
    }
}
