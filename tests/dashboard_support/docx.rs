//! Reads a Word document back as a person would see its text: the paragraphs
//! and the tables of `word/document.xml`, in order. Written on `zip` and
//! `quick-xml` alone, independent of the crate that writes the documents.

use quick_xml::events::Event;
use std::io::{Cursor, Read};

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(String),
    /// Rows of cells; a cell's paragraphs are joined with a newline.
    Table(Vec<Vec<String>>),
}

/// The main part of a .docx file.
pub fn document_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a .docx is a zip file");
    let mut part = zip.by_name("word/document.xml").expect("word/document.xml");
    let mut xml = String::new();
    part.read_to_string(&mut xml).expect("utf-8 xml");
    xml
}

fn entity(name: &str) -> String {
    match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        n => n
            .strip_prefix("#x")
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default(),
    }
}

/// The blocks of the document body, top level only (a table's own tables are read as its text).
pub fn blocks(bytes: &[u8]) -> Vec<Block> {
    let xml = document_xml(bytes);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = Vec::new();
    let mut depth_tbl = 0usize;
    let mut text = String::new();
    let mut in_text = false;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cell: Vec<String> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed xml") {
            Event::Start(e) => match e.local_name().as_ref() {
                "tbl" => {
                    depth_tbl += 1;
                    if depth_tbl == 1 {
                        rows.clear();
                    }
                }
                "tr" if depth_tbl == 1 => rows.push(Vec::new()),
                "tc" if depth_tbl == 1 => cell.clear(),
                "p" => text.clear(),
                "t" => in_text = true,
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" => text.push('\t'),
                "br" => text.push('\n'),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => {
                    if depth_tbl == 0 {
                        out.push(Block::Paragraph(text.clone()));
                    } else {
                        cell.push(text.clone());
                    }
                }
                "tc" if depth_tbl == 1 => {
                    if let Some(row) = rows.last_mut() {
                        row.push(cell.join("\n").trim().to_string());
                    }
                }
                "tbl" => {
                    depth_tbl -= 1;
                    if depth_tbl == 0 {
                        out.push(Block::Table(rows.clone()));
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_text => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => text.push_str(&entity(&r.xml10_content())),
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The text of every paragraph outside tables.
pub fn paragraphs(blocks: &[Block]) -> Vec<&str> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p.as_str()),
            Block::Table(_) => None,
        })
        .collect()
}

/// The first table whose header row starts with these cells.
pub fn table_after<'a>(blocks: &'a [Block], heading_starts: &str) -> Option<&'a Vec<Vec<String>>> {
    let at = blocks
        .iter()
        .position(|b| matches!(b, Block::Paragraph(p) if p.starts_with(heading_starts)))?;
    match blocks.get(at + 1)? {
        Block::Table(rows) => Some(rows),
        Block::Paragraph(_) => None,
    }
}

/// How a row of a table is laid out across pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowLayout {
    /// `w:tblHeader`: repeated at the top of every page the table runs onto.
    pub header: bool,
    /// `w:cantSplit`: never broken across two pages.
    pub cant_split: bool,
}

fn local(name: &quick_xml::name::LocalName<'_>) -> String {
    let n: &str = name.as_ref();
    n.to_string()
}

/// The layout of every row of every top-level table, in order.
pub fn row_layouts(bytes: &[u8]) -> Vec<Vec<RowLayout>> {
    let xml = document_xml(bytes);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut tables: Vec<Vec<RowLayout>> = Vec::new();
    let mut depth = 0usize;
    loop {
        let (name, start) = match reader.read_event().expect("well-formed xml") {
            Event::Start(e) => (local(&e.local_name()), true),
            Event::Empty(e) => (local(&e.local_name()), false),
            Event::End(e) => {
                if local(&e.local_name()) == "tbl" {
                    depth -= 1;
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        match name.as_str() {
            "tbl" if start => {
                depth += 1;
                if depth == 1 {
                    tables.push(Vec::new());
                }
            }
            "tr" if depth == 1 => {
                if let Some(t) = tables.last_mut() {
                    t.push(RowLayout::default());
                }
            }
            "tblHeader" | "cantSplit" if depth == 1 => {
                if let Some(row) = tables.last_mut().and_then(|t| t.last_mut()) {
                    if name == "tblHeader" {
                        row.header = true;
                    } else {
                        row.cant_split = true;
                    }
                }
            }
            _ => {}
        }
    }
    tables
}
