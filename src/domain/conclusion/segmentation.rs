//! Segmentation: lines, list markers, blocks, prose cuts, lead-ins and headers.

use std::ops::Range;

use super::super::text;
use super::context;
use super::deadlines::{after_meeting, best, scan_deadlines, Precision};
pub(super) use super::structure::{
    is_inline_marker, is_roman, skip_inline_marker, Frame, FrameKind, HeaderUnit, Inherited,
    MarkerKind, Parser, Seg, SegKind,
};
use super::tokens::{any_at, Doc};
use super::units::is_modal;
use super::{ContextPiece, DeadlineSuggestion, ItemFlag, Proposal, ProposedItem, UnitName};

// ---------------------------------------------------------------------------
// Lines, list markers and blocks
// ---------------------------------------------------------------------------

pub(super) struct Line {
    /// First non-whitespace byte (== `last` for a blank line).
    pub(super) first: usize,
    /// End of the last non-whitespace character.
    pub(super) last: usize,
    pub(super) indent: usize,
    pub(super) marker: Option<(MarkerKind, usize)>,
}

pub(super) fn split_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for piece in text.split('\n') {
        let end = start + piece.len();
        let trimmed_start = piece.trim_start();
        let first = end - trimmed_start.len();
        let last = first + trimmed_start.trim_end().len();
        let indent = piece[..first - start]
            .chars()
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum();
        let marker = if first < last {
            parse_marker(text, first, last)
        } else {
            None
        };
        lines.push(Line {
            first,
            last,
            indent,
            marker,
        });
        start = end + 1;
    }
    lines
}

/// A list marker at `first`: its kind and where the content starts.
pub(super) fn parse_marker(text: &str, first: usize, last: usize) -> Option<(MarkerKind, usize)> {
    let s = text.get(first..last)?;
    let c0 = s.chars().next()?;
    let (kind, len) = match c0 {
        '-' | '–' | '—' | '+' | '•' | '·' | '●' | '○' | '▪' | '■' | '◦' | '►' | '➢' | '*' =>
        {
            let next = s[c0.len_utf8()..].chars().next();
            // "-Tổ chức" (no space) is a marker too; "-5%" or "--" are not.
            let ok = match next {
                None => true,
                Some(n) => n.is_whitespace() || (n.is_alphabetic() && c0 != '*'),
            };
            if !ok {
                return None;
            }
            let kind = match c0 {
                '-' | '–' | '—' => MarkerKind::Dash,
                '+' => MarkerKind::Plus,
                '*' => MarkerKind::Star,
                _ => MarkerKind::Bullet,
            };
            (kind, c0.len_utf8())
        }
        '(' => {
            let close = s.find(')')?;
            let inner = &s[1..close];
            let ok = (1..=2).contains(&inner.len()) && inner.chars().all(|c| c.is_ascii_digit())
                || inner.chars().count() == 1 && inner.chars().all(char::is_alphabetic)
                || is_roman(inner);
            if !ok {
                return None;
            }
            (MarkerKind::Parenthesized, close + 1)
        }
        _ if c0.is_ascii_digit() => parse_number_marker(s)?,
        _ if c0.is_alphabetic() => parse_letter_marker(s)?,
        _ => return None,
    };
    // Numbers and letters must be followed by whitespace (or end the line):
    // "2/2022", "1.000" or "a.m" are not markers. Bullets were checked above.
    let rest = &s[len..];
    let needs_space = !kind.is_bullet();
    if needs_space && !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let content = first + len + (rest.len() - rest.trim_start().len());
    Some((kind, content))
}

pub(super) fn is_lower_roman(s: &str) -> bool {
    (2..=5).contains(&s.len()) && s.chars().all(|c| matches!(c, 'i' | 'v' | 'x'))
}

/// `1.`, `2)`, `1.2.`, `1.2` (nested numbers need a following capital).
pub(super) fn parse_number_marker(s: &str) -> Option<(MarkerKind, usize)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut depth = 0u8;
    loop {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let digits = i - start;
        if digits == 0 || digits > 3 {
            return None;
        }
        depth += 1;
        match bytes.get(i) {
            Some(b'.') if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) && depth < 4 => i += 1,
            Some(&b @ (b'.' | b')')) => {
                return Some((
                    MarkerKind::Number {
                        depth,
                        close: b as char,
                    },
                    i + 1,
                ))
            }
            Some(b' ' | b'\t') if depth >= 2 => {
                let next = s[i..].trim_start().chars().next();
                return next
                    .filter(|c| c.is_uppercase())
                    .map(|_| (MarkerKind::Number { depth, close: ' ' }, i));
            }
            _ => return None,
        }
    }
}

/// `a)`, `b.`, `đ)`, `I.`, `II.`, `ii)`.
pub(super) fn parse_letter_marker(s: &str) -> Option<(MarkerKind, usize)> {
    let word_len = s.find(|c: char| !c.is_alphabetic()).unwrap_or(s.len());
    let word = &s[..word_len];
    let close = s[word_len..]
        .chars()
        .next()
        .filter(|c| matches!(c, '.' | ')'))?;
    let kind = if is_roman(word) {
        MarkerKind::Roman { upper: true, close }
    } else if is_lower_roman(word) {
        MarkerKind::Roman {
            upper: false,
            close,
        }
    } else if word.chars().count() == 1 {
        let c = word.chars().next()?;
        if !(c.is_ascii_alphabetic() || c == 'đ' || c == 'Đ') {
            return None;
        }
        MarkerKind::Letter {
            upper: c.is_uppercase(),
            close,
        }
    } else {
        return None;
    };
    Some((kind, word_len + 1))
}

/// A list item block, unpacked.
pub(super) struct ListItem {
    pub(super) span: Range<usize>,
    pub(super) indent: usize,
    pub(super) kind: MarkerKind,
    pub(super) content: usize,
}

pub(super) enum BlockKind {
    /// A list item: its marker and where its content starts.
    List {
        kind: MarkerKind,
        content: usize,
    },
    Prose,
}

/// A list item (marker line plus continuation lines) or a run of prose lines.
pub(super) struct Block {
    pub(super) kind: BlockKind,
    pub(super) span: Range<usize>,
    pub(super) indent: usize,
}

/// Whether `…` followed by a capital ends a sentence (and may start a new
/// item). `…` stays inside a piece (`docs/conclusions.md`); the stricter reading (never
/// split after `…`) would merge "… Quốc hội khóa XV… Tổ chức Tọa đàm …" in
/// the reference speech into one item. We split: after an enumeration's
/// `…`, a capitalised action verb starts a new directive.
pub(super) const SPLIT_AFTER_ELLIPSIS: bool = true;

pub(super) const TERMINAL: &[char] = &['.', ';', ':', '!', '?', '…'];

// ---------------------------------------------------------------------------
// Protected regions: quotes and parentheses
// ---------------------------------------------------------------------------

/// Unbalanced quotes must not swallow the rest of the text: an opener that
/// is not closed within this many bytes is forgotten.
pub(super) const MAX_QUOTE_BYTES: usize = 1500;
pub(super) const MAX_NESTING: usize = 16;

pub(super) fn closes(open: char, c: char) -> bool {
    match open {
        '“' | '"' => matches!(c, '”' | '"'),
        '„' => matches!(c, '“' | '”'),
        '«' => c == '»',
        '(' => c == ')',
        '[' => c == ']',
        _ => false,
    }
}

/// Byte ranges (outermost, sorted, disjoint) inside quotes or parentheses,
/// where we never split.
pub(super) fn protected_regions(text: &str, span: Range<usize>) -> Vec<Range<usize>> {
    let Some(s) = text.get(span.clone()) else {
        return Vec::new();
    };
    let mut stack: Vec<(usize, char)> = Vec::new();
    let mut found: Vec<Range<usize>> = Vec::new();
    for (off, c) in s.char_indices() {
        let pos = span.start + off;
        while stack
            .first()
            .is_some_and(|&(p, _)| pos - p > MAX_QUOTE_BYTES)
        {
            stack.remove(0);
        }
        if let Some(k) = stack.iter().rposition(|&(_, o)| closes(o, c)) {
            let (p, _) = stack[k];
            stack.truncate(k);
            found.push(p..pos + c.len_utf8());
            continue;
        }
        if matches!(c, '“' | '"' | '„' | '«' | '(' | '[') && stack.len() < MAX_NESTING {
            stack.push((pos, c));
        }
    }
    found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in found {
        match merged.last_mut() {
            Some(m) if r.start < m.end => m.end = m.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

// ---------------------------------------------------------------------------
// Parser: blocks → segments (items and context), with list/lead-in structure
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CutKind {
    Semicolon,
    Sentence,
    /// `eol`: nothing but whitespace follows on the line.
    Colon {
        eol: bool,
    },
}

pub(super) struct Cut {
    pub(super) at: usize,
    pub(super) kind: CutKind,
}

impl Parser<'_, '_> {
    pub(super) fn run(&mut self) {
        let lines = split_lines(self.doc.text);
        let blocks = self.group_blocks(&lines);
        for (k, block) in blocks.iter().enumerate() {
            self.para = k;
            match block.kind {
                BlockKind::List { kind, content } => {
                    let item = ListItem {
                        span: block.span.clone(),
                        indent: block.indent,
                        kind,
                        content,
                    };
                    self.list_item(item, blocks.get(k + 1))
                }
                BlockKind::Prose => self.prose(block.span.clone(), block.indent),
            }
        }
        repair_coverage(self.doc.text, &mut self.segs);
    }

    // ---- blocks ----

    pub(super) fn group_blocks(&self, lines: &[Line]) -> Vec<Block> {
        let mut blocks: Vec<Block> = Vec::new();
        let mut open = false;
        for line in lines {
            if line.first >= line.last {
                open = false; // a blank line ends the paragraph or list item
                continue;
            }
            if let Some((kind, content)) = line.marker {
                blocks.push(Block {
                    kind: BlockKind::List { kind, content },
                    span: line.first..line.last,
                    indent: line.indent,
                });
                open = true;
                continue;
            }
            if open {
                if let Some(b) = blocks.last_mut() {
                    if self.continues_block(b, line) {
                        b.span.end = line.last;
                        continue;
                    }
                }
            }
            blocks.push(Block {
                kind: BlockKind::Prose,
                span: line.first..line.last,
                indent: line.indent,
            });
            open = true;
        }
        blocks
    }

    /// Whether a plain line continues the block above it: always for prose;
    /// for a list item when the line starts in lowercase, is indented under
    /// the marker, or the item's text was cut mid-sentence (wrapped) — unless
    /// the item is a short title ("2. Nhiệm vụ thời gian tới", "a) Sở Y tế")
    /// and the line starts a sentence of its own.
    pub(super) fn continues_block(&self, b: &Block, line: &Line) -> bool {
        let text = self.doc.text;
        match b.kind {
            BlockKind::Prose => true,
            BlockKind::List { content, .. } => {
                let prev = text[..b.span.end].chars().next_back();
                let first = text[line.first..].chars().next();
                if first.is_some_and(char::is_lowercase) || line.indent > b.indent {
                    return true;
                }
                !prev.is_some_and(|c| TERMINAL.contains(&c)) && !self.is_title(content..b.span.end)
            }
        }
    }

    /// A short list line without final punctuation that does not start with
    /// a directive: a title, if lines follow under it. A section "Về …"
    /// ("1. Về hoàn thiện thể chế") may be longer.
    pub(super) fn is_title(&self, content: Range<usize>) -> bool {
        let doc = self.doc;
        let toks = doc.toks_in(content.clone());
        let body = doc.text.get(content).unwrap_or("").trim_end();
        let words = if doc.word_is(toks.start, toks.end, "ve") {
            20
        } else {
            8
        };
        doc.has_letter(toks.clone())
            && !body.ends_with(TERMINAL)
            && !body.ends_with(',')
            && doc.at_most_words(toks.clone(), words)
            && !self.verb_at(toks.start, toks.end)
    }

    /// Whether the block after a list item would sit under it: prose, or a
    /// deeper list, or a list marker of a kind not open at that indent.
    pub(super) fn opens_under(&self, next: &Block, indent: usize, kind: MarkerKind) -> bool {
        match next.kind {
            BlockKind::Prose => true,
            BlockKind::List {
                kind: next_kind, ..
            } => {
                next.indent > indent
                    || (next.indent == indent
                        && next_kind != kind
                        && !self
                            .stack
                            .iter()
                            .any(|f| f.kind == FrameKind::Marker(next_kind) && f.indent == indent))
            }
        }
    }

    // ---- output ----

    /// Adds a segment. A piece without letters (a stray "./.", a lone marker)
    /// is not an item of its own: it joins the segment before it, unless it
    /// is page chrome ("15/01/2025 08:30"), which stays apart.
    pub(super) fn emit(&mut self, span: Range<usize>, content: usize, kind: SegKind) {
        let span = self.doc.trim(span);
        if span.is_empty() {
            return;
        }
        let content = content.clamp(span.start, span.end);
        let chrome = || context::is_chrome_line(self.doc.text.get(span.clone()).unwrap_or(""));
        if !self.doc.has_letter(self.doc.toks_in(content..span.end)) && !chrome() {
            if let Some(last) = self.segs.last_mut() {
                last.span.end = last.span.end.max(span.end);
                return;
            }
            self.segs.push(Seg {
                span,
                content,
                kind: SegKind::Context,
                para: self.para,
            });
            return;
        }
        self.segs.push(Seg {
            span,
            content,
            kind,
            para: self.para,
        });
    }

    pub(super) fn inherited(&self) -> Inherited {
        Inherited {
            unit: self
                .stack
                .iter()
                .rev()
                .map(|f| &f.unit)
                .find(|u| **u != HeaderUnit::None)
                .cloned()
                .unwrap_or_default(),
            deadline: self.stack.iter().rev().find_map(|f| f.deadline.clone()),
        }
    }

    /// The deadline a header or lead-in passes on to the items under it. A
    /// bare year there names the subject ("về việc tặng quà Tết năm 2025 …
    /// có ý kiến như sau:"), not a deadline: it counts only after "trong",
    /// "cuối", "đến", "trước" or "hết".
    pub(super) fn header_deadline(&self, toks: Range<usize>) -> Option<DeadlineSuggestion> {
        let doc = self.doc;
        let found = scan_deadlines(doc, toks.clone(), &self.clock)
            .into_iter()
            .filter(|f| {
                f.precision != Precision::Year
                    || (f.toks.start > toks.start
                        && matches!(
                            doc.word(f.toks.start - 1, toks.end),
                            Some("trong" | "cuoi" | "den" | "truoc" | "het")
                        ))
                    || matches!(doc.word(f.toks.start, toks.end), Some("trong" | "cuoi"))
            })
            .collect();
        best(after_meeting(found, &self.clock)).map(|f| f.suggestion(self.doc, true))
    }

    // ---- list items ----

    pub(super) fn list_item(&mut self, item: ListItem, next: Option<&Block>) {
        let ListItem {
            span,
            indent,
            kind,
            content,
        } = item;
        let doc = self.doc;
        let content_toks = doc.toks_in(content..span.end);
        let body = doc.text.get(content..span.end).unwrap_or("").trim_end();
        let announced = (body.ends_with(':') && doc.has_letter(content_toks.clone()))
            || self.is_caps_heading(content_toks.clone());
        self.place_marker(indent, kind, announced);
        // A title without a colon is a header only if something sits under it.
        let is_header = announced
            || (self.is_title(content..span.end)
                && next.is_some_and(|n| self.opens_under(n, indent, kind)));
        let mut frame = Frame {
            indent,
            kind: FrameKind::Marker(kind),
            header: is_header,
            unit: HeaderUnit::None,
            deadline: None,
        };

        if is_header {
            let name_toks = without_trailing_colon(doc, content_toks.clone());
            frame.unit = self.lead_in_unit(name_toks);
            frame.deadline = self.header_deadline(content_toks);
            self.emit(span, content, SegKind::Context);
        } else if let Some((colon, unit)) = self.inline_unit_header(content..span.end) {
            // "1. Văn phòng Tỉnh ủy: chủ trì …": the unit part is context, the
            // rest one item led by that unit.
            let mut inh = self.inherited();
            inh.unit = unit.clone();
            frame.unit = unit;
            self.emit(span.start..colon, content, SegKind::Context);
            self.emit(colon..span.end, colon, SegKind::Item(inh));
        } else {
            let inh = self.inherited();
            let mut start = span.start;
            let mut at = content;
            for cut in self.unit_sentences(content..span.end) {
                self.emit(start..cut, at, SegKind::Item(inh.clone()));
                start = cut;
                at = cut;
            }
            self.emit(start..span.end, at, SegKind::Item(inh));
        }
        self.stack.push(frame);
    }

    /// Where sentences inside a list item open with a known unit and its
    /// verb ("1. Sở A chủ trì … . Sở B cân đối, tham mưu …"): one numbered
    /// point often gives several units their tasks, each a directive.
    pub(super) fn unit_sentences(&self, r: Range<usize>) -> Vec<usize> {
        let doc = self.doc;
        let regions = protected_regions(doc.text, r.clone());
        let sentences: Vec<usize> = self
            .find_cuts(r.clone(), &regions)
            .iter()
            .filter(|c| c.kind == CutKind::Sentence)
            .map(|c| c.at)
            .collect();
        let ends = sentences.iter().skip(1).copied().chain([r.end]);
        sentences
            .iter()
            .zip(ends)
            .filter(|&(&from, to)| {
                let toks = doc.toks_in(doc.trim(from..to));
                let mut i = toks.start;
                if let Some(j) = any_at(&self.lex.fillers, doc, i, toks.end) {
                    i = j;
                    while doc.punct(i, toks.end) == Some(',') {
                        i += 1;
                    }
                }
                // "Sở Tài chính chịu trách nhiệm trước …": who answers for
                // the directive before, not a new one.
                let answers = |u: usize| {
                    doc.word_is(u, toks.end, "chiu") && doc.word_is(u + 1, toks.end, "trach")
                };
                self.units
                    .match_at(doc, i, toks.end)
                    .is_some_and(|h| !answers(h.toks.end))
                    && self.opens_directive(i..toks.end)
            })
            .map(|(&from, _)| from)
            .collect()
    }

    /// Closes the list levels that a marker at this indent and of this kind
    /// ends. A marker of a kind already open at the same indent is a sibling;
    /// a new kind is a child. Bullets of the same kind right under a bullet
    /// header ("- Sở Tài chính:" then "- Rà soát …") are its items.
    pub(super) fn place_marker(&mut self, indent: usize, kind: MarkerKind, is_header: bool) {
        loop {
            while self.stack.last().is_some_and(|f| f.indent > indent) {
                self.stack.pop();
            }
            let Some(idx) = self
                .stack
                .iter()
                .rposition(|f| f.kind == FrameKind::Marker(kind) && f.indent == indent)
            else {
                break;
            };
            let f = &self.stack[idx];
            if f.header && !is_header && kind.is_bullet() && idx + 1 == self.stack.len() {
                break;
            }
            self.stack.truncate(idx);
        }
    }

    /// In a list item, a first colon (outside quotes) whose left side is a unit
    /// header: returns the byte after the colon and the unit.
    pub(super) fn inline_unit_header(&self, content: Range<usize>) -> Option<(usize, HeaderUnit)> {
        let doc = self.doc;
        let regions = protected_regions(doc.text, content.clone());
        let s = doc.text.get(content.clone())?;
        let colon = s
            .char_indices()
            .map(|(i, c)| (content.start + i, c))
            .find(|&(p, c)| {
                c == ':'
                    && !regions.iter().any(|r| r.contains(&p))
                    && doc.text[p + 1..].starts_with(char::is_whitespace)
            })?;
        let prefix = doc.toks_in(content.start..colon.0);
        let unit = self.unit_header(prefix);
        (unit != HeaderUnit::None).then_some((colon.0 + 1, unit))
    }

    /// A heading in capitals ("II. NHIỆM VỤ TRỌNG TÂM").
    pub(super) fn is_caps_heading(&self, toks: Range<usize>) -> bool {
        let doc = self.doc;
        if doc.word_count(toks.clone()) < 2 {
            return false;
        }
        let span = doc.byte_span(toks, 0);
        let s = doc.text.get(span).unwrap_or("");
        let letters = s.chars().filter(|c| c.is_alphabetic()).count();
        letters >= 4 && !s.chars().any(char::is_lowercase)
    }

    // ---- prose ----

    /// Prose right under a list header belongs to that header; after an
    /// ordinary list item it is back at the top level (under the lead-ins).
    pub(super) fn enter_prose(&mut self) {
        let is_marker = |f: &Frame| matches!(f.kind, FrameKind::Marker(_));
        if let Some(last) = self.stack.iter().rposition(is_marker) {
            if !self.stack[last].header {
                let first = self.stack.iter().position(is_marker).unwrap_or(last);
                self.stack.truncate(first);
            }
        }
    }

    /// A new lead-in replaces the lead-ins before it at the same place; a unit
    /// lead-in ("Sở Tài chính:") only replaces unit lead-ins, so the general
    /// lead-in's deadline keeps applying.
    pub(super) fn push_lead_in(&mut self, frame: Frame) {
        while let Some(top) = self.stack.last() {
            if top.kind != FrameKind::LeadIn
                || (frame.unit != HeaderUnit::None && top.unit == HeaderUnit::None)
            {
                break;
            }
            self.stack.pop();
        }
        self.stack.push(frame);
    }

    pub(super) fn prose(&mut self, span: Range<usize>, indent: usize) {
        self.enter_prose();
        let regions = protected_regions(self.doc.text, span.clone());
        let cuts = self.find_cuts(span.clone(), &regions);
        let bounds: Vec<usize> = std::iter::once(span.start)
            .chain(cuts.iter().map(|c| c.at))
            .chain(std::iter::once(span.end))
            .collect();
        let piece = |k: usize| bounds[k]..bounds[k + 1];
        let starts: Vec<bool> = (0..=cuts.len())
            .map(|k| k > 0 && self.starts_item(piece(k)))
            .collect();

        let mut active = vec![false; cuts.len()];
        let mut lead_in = vec![false; cuts.len()];
        for k in 0..cuts.len() {
            match cuts[k].kind {
                CutKind::Semicolon => active[k] = starts[k + 1],
                // A story or a quotation after a directive is not part of it:
                // cut so that it goes to context.
                CutKind::Sentence => active[k] = starts[k + 1] || self.narrates(piece(k + 1)),
                CutKind::Colon { eol } => {
                    // A lead-in is a whole sentence ending in ':' that introduces
                    // directives (or ends its line).
                    let sentence_start = k == 0
                        || match cuts[k - 1].kind {
                            CutKind::Sentence => true,
                            CutKind::Colon { .. } => lead_in[k - 1],
                            CutKind::Semicolon => false,
                        };
                    let has_text = self.doc.has_letter(self.doc.toks_in(piece(k)));
                    if sentence_start && has_text && (eol || starts[k + 1]) {
                        active[k] = true;
                        lead_in[k] = true;
                        if k > 0 && cuts[k - 1].kind == CutKind::Sentence {
                            active[k - 1] = true;
                        }
                    }
                }
            }
        }

        let mut seg_start = span.start;
        for k in 0..cuts.len() {
            if active[k] {
                self.prose_segment(seg_start..cuts[k].at, lead_in[k], indent);
                seg_start = cuts[k].at;
            }
        }
        self.prose_segment(seg_start..span.end, false, indent);
    }

    pub(super) fn prose_segment(&mut self, r: Range<usize>, lead_in: bool, indent: usize) {
        let toks = self.doc.toks_in(r.clone());
        if lead_in || self.is_caps_heading(toks.clone()) {
            let name_toks = without_trailing_colon(self.doc, toks.clone());
            let frame = Frame {
                indent,
                kind: FrameKind::LeadIn,
                header: true,
                unit: self.lead_in_unit(name_toks),
                deadline: self.header_deadline(toks),
            };
            self.emit(r.clone(), r.start, SegKind::Context);
            self.push_lead_in(frame);
        } else {
            // An inline marker ("; 2. Ban hành …") is not part of the text.
            let content = self
                .doc
                .tokens
                .get(skip_inline_marker(self.doc, toks.start, toks.end));
            let content = content
                .filter(|_| toks.start < toks.end)
                .map_or(r.start, |t| t.span.start);
            let inh = self.inherited();
            self.emit(r.clone(), content, SegKind::Item(inh));
        }
    }

    /// Candidate split points in prose, outside quotes and parentheses.
    pub(super) fn find_cuts(&self, span: Range<usize>, regions: &[Range<usize>]) -> Vec<Cut> {
        let text = self.doc.text;
        let mut cuts = Vec::new();
        let mut pos = span.start;
        let mut piece_start = span.start;
        let mut r = 0;
        while pos < span.end {
            while r < regions.len() && regions[r].end <= pos {
                r += 1;
            }
            if let Some(region) = regions.get(r).filter(|g| g.start <= pos) {
                // A sentence may end inside a quote: … “… mới.” Tổ chức …
                let end = region.end;
                let inner = text.get(region.start..end).unwrap_or("");
                let before_close = inner.chars().rev().nth(1);
                if before_close.is_some_and(|c| matches!(c, '.' | '!' | '?' | '…'))
                    && sentence_follows(text, end, span.end)
                {
                    cuts.push(Cut {
                        at: end,
                        kind: CutKind::Sentence,
                    });
                    piece_start = end;
                }
                pos = end;
                continue;
            }
            let Some(c) = text.get(pos..span.end).and_then(|s| s.chars().next()) else {
                break;
            };
            let next = pos + c.len_utf8();
            match c {
                ';' => {
                    cuts.push(Cut {
                        at: next,
                        kind: CutKind::Semicolon,
                    });
                    piece_start = next;
                }
                ':' if followed_by_space(text, next, span.end) => {
                    // Only the whitespace after the colon is looked at (linear time).
                    let after = &text[next..span.end];
                    let blank = &after[..after.len() - after.trim_start().len()];
                    let eol = blank.contains('\n') || blank.len() == after.len();
                    cuts.push(Cut {
                        at: next,
                        kind: CutKind::Colon { eol },
                    });
                    piece_start = next;
                }
                '.' | '…' | '!' | '?' => {
                    let run_end = next
                        + text[next..span.end]
                            .chars()
                            .take_while(|c| matches!(c, '.' | '…' | '!' | '?'))
                            .map(char::len_utf8)
                            .sum::<usize>();
                    if !SPLIT_AFTER_ELLIPSIS && (c == '…' || text[pos..run_end].contains("..")) {
                        pos = run_end;
                        continue;
                    }
                    let single_dot = c == '.' && run_end == next;
                    let is_end = sentence_follows(text, run_end, span.end)
                        && !(single_dot
                            && (abbreviation_before(text, pos)
                                || is_inline_marker(text.get(piece_start..pos).unwrap_or(""))));
                    if is_end {
                        cuts.push(Cut {
                            at: run_end,
                            kind: CutKind::Sentence,
                        });
                        piece_start = run_end;
                    }
                    pos = run_end;
                    continue;
                }
                _ => {}
            }
            pos = next;
        }
        cuts
    }

    /// Whether a prose piece opens a new directive: an action verb or a
    /// unit's name, possibly after an inline marker, an ordinal ("Một là,")
    /// or a filler ("Đồng thời,").
    pub(super) fn starts_item(&self, piece: Range<usize>) -> bool {
        let doc = self.doc;
        let toks = doc.toks_in(doc.trim(piece));
        let end = toks.end;
        let mut i = skip_inline_marker(doc, toks.start, end);
        if any_at(&self.lex.ordinals, doc, i, end).is_some() {
            return true;
        }
        let raw = doc.text.get(doc.byte_span(toks.clone(), 0)).unwrap_or("");
        // The closing formula stands apart from the last directive.
        if context::is_closing(raw) {
            return true;
        }
        // "Giám đốc các sở, Chủ tịch UBND các huyện chịu trách nhiệm trước
        // …": who answers for the directive before, not a new one.
        if any_at(&self.lex.titles, doc, i, end).is_some()
            && text::fold(raw).contains("chiu trach nhiem")
        {
            return false;
        }
        for _ in 0..2 {
            if let Some(j) = any_at(&self.lex.fillers, doc, i, end) {
                i = j;
                while doc.punct(i, end) == Some(',') {
                    i += 1;
                }
            }
        }
        let names_unit = |from: usize| {
            self.units.match_at(doc, from, end).is_some()
                || self.group_addressee(from..end).is_some_and(|g| {
                    // "Các sở, ngành …", "Đảng ủy các xã, thị trấn …"
                    g.start == from && {
                        let mut k = g.end;
                        while k < end
                            && (doc.punct(k, end) == Some(',') || is_modal(doc, k, end))
                            && !self.verb_at(k, end)
                        {
                            k += 1;
                        }
                        self.verb_at(k, end)
                    }
                })
        };
        // "Yêu cầu hoàn thành …", "Thời hạn: …", "Báo cáo kết quả …": the
        // directive before goes on, unless a new addressee is named.
        if any_at(&self.lex.follow_ups, doc, i, end).is_some() {
            let j = any_at(&self.lex.assign, doc, i, end).unwrap_or(i);
            return j > i && names_unit(j);
        }
        if self.completes(i..end) {
            return false;
        }
        if self.verb_at(i, end) || names_unit(i) {
            return true;
        }
        // "Về phía Sở Giáo dục và Đào tạo, cần …", "Riêng Ban Quản lý …, …".
        if let Some(j) = any_at(&self.lex.header_prefixes, doc, i, end) {
            if names_unit(j) {
                return true;
            }
        }
        // "Thời gian tới, Huyện ủy …", "Trong năm 2025, tập trung …": a
        // short time phrase before the addressee or the verb.
        let mut c = i;
        let mut n = 0;
        while c < end && n < 7 && doc.punct(c, end) != Some(',') {
            if doc.punct(c, end).is_some() {
                break;
            }
            c += 1;
            n += 1;
        }
        if doc.punct(c, end) == Some(',')
            && n > 0
            && (self.verb_at(c + 1, end) || names_unit(c + 1))
        {
            return true;
        }
        // "Đồng chí cũng yêu cầu Sở Nội vụ …", "Kết luận buổi làm việc,
        // Chủ tịch UBND tỉnh giao Sở …": an assignment early in the sentence.
        let mut k = i;
        let mut words = 0;
        while k < end && words < 16 {
            if matches!(doc.punct(k, end), Some(';' | ':')) {
                break;
            }
            if let Some(j) = any_at(&self.lex.assign, doc, k, end) {
                if names_unit(j) || names_unit(skip_time_phrase(doc, j, end)) {
                    return true;
                }
            }
            if doc.word(k, end).is_some() {
                words += 1;
            }
            k += 1;
        }
        false
    }

    /// A sentence that tells or reports instead of ordering ("Nhân dịp này,
    /// Chủ tịch UBND tỉnh đã tặng Bằng khen …", "“…”, đồng chí nhấn mạnh."),
    /// not a follow-up of the directive before ("Thời hạn: …").
    pub(super) fn narrates(&self, piece: Range<usize>) -> bool {
        let doc = self.doc;
        let toks = doc.toks_in(doc.trim(piece));
        let raw = doc.text.get(doc.byte_span(toks.clone(), 0)).unwrap_or("");
        // A line's chrome ("… tại hội nghị. Ảnh: T.L") is read with its line.
        any_at(&self.lex.follow_ups, doc, toks.start, toks.end).is_none()
            && !context::is_chrome_line(raw)
            && context::is_not_directive(raw, self.opens_directive(toks))
    }

    /// "…; thực hiện thường xuyên", "…; hoàn thành trong tháng 6": carrying
    /// out or completing, then when, and nothing else. The time of the
    /// directive before, not a new one ("…; hoàn thành đề án … trong quý
    /// III" names new work, and is).
    pub(super) fn completes(&self, toks: Range<usize>) -> bool {
        let doc = self.doc;
        let end = toks.end;
        let i = toks.start;
        let after = if (doc.word_is(i, end, "thuc") && doc.word_is(i + 1, end, "hien"))
            || (doc.word_is(i, end, "hoan") && doc.word_is(i + 1, end, "thanh"))
        {
            i + 2
        } else if doc.word_is(i, end, "xong") {
            i + 1
        } else {
            return false;
        };
        doc.at_most_words(toks.clone(), 10)
            && scan_deadlines(doc, toks, &self.clock)
                .iter()
                .map(|f| f.toks.start)
                .min()
                .is_some_and(|d| d >= after && doc.at_most_words(after..d, 2))
    }

    /// An action verb at token `i`. "Giao" (assign) followed by "thông" or
    /// "dịch" is traffic or a transaction, not an assignment.
    pub(super) fn verb_at(&self, i: usize, end: usize) -> bool {
        let doc = self.doc;
        match any_at(&self.lex.verbs, doc, i, end) {
            Some(j) if j == i + 1 && doc.word_is(i, end, "giao") => {
                !matches!(doc.word(j, end), Some("thong" | "dich"))
            }
            // "Tăng trưởng" is growth, a noun.
            Some(j) if j == i + 1 && doc.word_is(i, end, "tang") => {
                doc.word(j, end) != Some("truong")
            }
            Some(_) => true,
            None => false,
        }
    }

    // ---- final analysis of items ----

    /// Turns segments into proposals: what is not a directive goes to
    /// context (see [`super::context`]); each item gets its units, flags and
    /// deadline. Inside one paragraph, an item that names nobody keeps the
    /// addressee of the item before it ("Đề nghị Sở Nội vụ …; hoàn thành …").
    pub(super) fn finish(mut self, units: &[UnitName]) -> Proposal {
        let segs = std::mem::take(&mut self.segs);
        let text_of = |r: Range<usize>| self.doc.text.get(r).unwrap_or("");
        // Before the sentence that opens the body ("… kết luận như sau:")
        // stand the letterhead and the story of the meeting.
        // A lead-in announcing a list ("… một số nội dung sau:") opens it
        // only when no directive came before.
        // A meeting record's fields ("Chủ trì: …", "Thành phần: lãnh đạo
        // …") and what follows them in their paragraph are no directive.
        let mut directive_before = false;
        let mut record_para = None;
        let body = segs
            .iter()
            .position(|s| match s.kind {
                SegKind::Context => {
                    let raw = text_of(s.span.clone());
                    context::opens_body(raw) || (!directive_before && context::announces_list(raw))
                }
                _ if context::is_chrome_line(text_of(s.span.clone()))
                    || record_para == Some(s.para) =>
                {
                    record_para = Some(s.para);
                    false
                }
                SegKind::Item(_) => {
                    let content = s.content.clamp(s.span.start, s.span.end)..s.span.end;
                    directive_before |= self.opens_directive(self.doc.toks_in(content));
                    false
                }
            })
            .unwrap_or(0);
        let mut proposal = Proposal {
            items: Vec::new(),
            context: Vec::new(),
        };
        let next_raw: Vec<&str> = segs.iter().map(|s| text_of(s.span.clone())).collect();
        let mut closed = false;
        let mut started = false;
        let mut chrome_para: Option<usize> = None;
        // Under "Xem thêm:", "Tin liên quan": titles of other articles, up
        // to the first sentence.
        let mut related = false;
        // Under "… vẫn còn một số tồn tại, hạn chế:": the listed
        // shortcomings, up to the first line that is not a bulleted item
        // ("II. NHIỆM VỤ …", "1. Đề nghị …" end them).
        let mut shortcomings = false;
        let mut carry: Option<(usize, Option<usize>, Option<Range<usize>>)> = None;
        for (k, seg) in segs.into_iter().enumerate() {
            let raw = text_of(seg.span.clone());
            if context::is_chrome_line(raw) {
                chrome_para = Some(seg.para);
            }
            if context::opens_related_links(raw) {
                related = true;
            } else if related && raw.trim_end().ends_with(['.', ';', '!', '?']) {
                related = false;
            }
            let listed = seg.content > seg.span.start
                && raw.trim_start().starts_with(['-', '+', '•', '*', '–']);
            if context::opens_shortcomings(raw) {
                shortcomings = true;
            } else if !listed {
                shortcomings = false;
            }
            let SegKind::Item(inh) = &seg.kind else {
                closed |= context::is_closing(raw);
                proposal.context.push(ContextPiece {
                    text: collapse_whitespace(raw),
                    span: seg.span,
                });
                continue;
            };
            let content = seg.content.clamp(seg.span.start, seg.span.end)..seg.span.end;
            let toks = self.doc.toks_in(content.clone());
            let opens = self.opens_directive(toks.clone());
            closed |= context::is_closing(raw);
            // A headline: an unpunctuated line before the first sentence,
            // that either gives no order or stands over page chrome.
            let next_is_chrome = next_raw
                .get(k + 1)
                .is_some_and(|n| context::is_chrome_line(n) || context::opens_with_news_tag(n));
            let headline = !started
                && k + 1 < next_raw.len()
                && !raw
                    .trim_end()
                    .trim_end_matches(['”', '"', '»', ')', ']'])
                    .ends_with(['.', ';', '!', '?', '…', ':'])
                && !raw.contains('\n')
                && (!opens || next_is_chrome);
            let in_chrome = chrome_para == Some(seg.para);
            if k < body
                || closed
                || related
                || (shortcomings && listed)
                || context::announces_list(raw)
                || headline
                || in_chrome
                || context::is_not_directive(raw, opens)
            {
                proposal.context.push(ContextPiece {
                    text: collapse_whitespace(raw),
                    span: seg.span,
                });
                continue;
            }
            started = true;
            let own = best(after_meeting(
                scan_deadlines(self.doc, toks.clone(), &self.clock),
                &self.clock,
            ))
            .map(|f| f.suggestion(self.doc, false));
            let group = self.group_addressee(toks.clone());
            let (mut lead, coordinators) = self.assign_units(toks.clone(), &inh.unit);
            let mut group_span = group.map(|g| self.doc.byte_span(g, 0));
            if group_span.is_some() {
                lead = None;
            }
            let names_anyone =
                lead.is_some() || group_span.is_some() || self.addresses_unknown(toks.clone());
            match &carry {
                Some((para, l, g))
                    if !names_anyone
                        && *para == seg.para
                        && !matches!(inh.unit, HeaderUnit::Known { .. }) =>
                {
                    lead = *l;
                    group_span = g.clone();
                }
                _ => {}
            }
            // Under "• UBND các xã, phường:" or a lead-in asking a group.
            if let (None, None, HeaderUnit::Group(g)) = (lead, &group_span, &inh.unit) {
                if !names_anyone {
                    group_span = Some(g.clone());
                }
            }
            carry = Some((seg.para, lead, group_span.clone()));
            let code = |u: usize| units.get(u).map(|u| u.code.clone());
            let mut flags = Vec::new();
            if group_span.is_some() {
                flags.push(ItemFlag::GroupAddressee);
            }
            if lead.is_none() {
                flags.push(ItemFlag::NoLead);
            }
            proposal.items.push(ProposedItem {
                text: clean_item_text(text_of(content)),
                span: seg.span.clone(),
                lead_unit: lead.and_then(code),
                coordinators: coordinators
                    .into_iter()
                    .filter(|&c| Some(c) != lead)
                    .filter_map(code)
                    .collect(),
                deadline: own.or_else(|| inh.deadline.clone()),
                flags,
                addressee: group_span.map(|g| collapse_whitespace(text_of(g))),
            });
        }
        proposal
    }

    /// "Giao Văn phòng Huyện ủy …", "Phòng Tài chính chủ trì …": the item
    /// names its own addressee, one we do not know.
    pub(super) fn addresses_unknown(&self, toks: Range<usize>) -> bool {
        let doc = self.doc;
        let i = self.skip_item_prefixes(toks.start, toks.end);
        any_at(&self.lex.unit_types, doc, i, toks.end).is_some() && !self.verb_at(i, toks.end)
    }

    /// Whether an item starts like a directive: an action verb, maybe after
    /// its markers, "Giao …", a unit or a group, and a modal ("cần", "phải").
    pub(super) fn opens_directive(&self, toks: Range<usize>) -> bool {
        let doc = self.doc;
        let end = toks.end;
        let mut i = self.skip_item_prefixes(toks.start, end);
        for _ in 0..2 {
            if let Some(j) = any_at(&self.lex.fillers, doc, i, end) {
                i = j;
            }
            while doc.punct(i, end) == Some(',') {
                i += 1;
            }
        }
        if self.verb_at(i, end) {
            return true;
        }
        if let Some(h) = self.units.match_at(doc, i, end) {
            i = h.toks.end;
        } else if let Some(g) = self.group_addressee(i..end) {
            i = g.end;
        } else {
            return false;
        }
        while i < end
            && (doc.punct(i, end).is_some() || is_modal(doc, i, end))
            && !self.verb_at(i, end)
        {
            i += 1;
        }
        self.verb_at(i, end)
    }
}

/// Words that open a short time phrase before an addressee ("đề nghị thời
/// gian tới, Sở … tham mưu …").
const TIME_OPENERS: &[&str] = &[
    "thoi", "trong", "tu", "den", "truoc", "sau", "nam", "quy", "thang",
];

/// Skips a time phrase of at most five words and its comma at `i`; `i` when
/// there is none.
pub(super) fn skip_time_phrase(doc: &Doc, i: usize, end: usize) -> usize {
    if !doc.word(i, end).is_some_and(|w| TIME_OPENERS.contains(&w)) {
        return i;
    }
    let mut k = i;
    let mut words = 0;
    while k < end && words <= 5 {
        match doc.punct(k, end) {
            Some(',') => return k + 1,
            Some(_) => return i,
            None => words += 1,
        }
        k += 1;
    }
    i
}

pub(super) fn without_trailing_colon(doc: &Doc, toks: Range<usize>) -> Range<usize> {
    if toks.end > toks.start && doc.punct(toks.end - 1, toks.end) == Some(':') {
        toks.start..toks.end - 1
    } else {
        toks
    }
}

pub(super) fn followed_by_space(text: &str, at: usize, limit: usize) -> bool {
    at >= limit
        || text
            .get(at..limit)
            .is_some_and(|s| s.starts_with(char::is_whitespace))
}

/// After a sentence-ending mark at `at`: whitespace, then a capital letter
/// or a digit. ("… followed by lowercase" is a pause, not an end.)
pub(super) fn sentence_follows(text: &str, at: usize, limit: usize) -> bool {
    let Some(rest) = text.get(at..limit) else {
        return false;
    };
    if !rest.starts_with(char::is_whitespace) {
        return false;
    }
    // "… trước ngày 15/6. “Chúng ta …”": a quotation opens a sentence too.
    let next = rest
        .trim_start()
        .trim_start_matches(['“', '"', '«'])
        .chars()
        .next();
    next.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// "TP. Phủ Lý", "ThS. Nguyễn …", "v.v. Tổ chức": the dot is not a sentence end.
pub(super) fn abbreviation_before(text: &str, dot: usize) -> bool {
    let before = &text[..dot];
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric())
        .last()
        .map_or(dot, |(i, _)| i);
    let word = &before[word_start..];
    const ABBREVIATIONS: &[&str] = &[
        "tp", "tx", "tt", "ts", "ths", "pgs", "gs", "bs", "ks", "ncs", "th", "st",
    ];
    word == "v" || ABBREVIATIONS.contains(&text::fold(word).as_str())
}

/// Whitespace runs become single spaces.
pub(super) fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Item text: whitespace collapsed, the end-of-document mark `./.` and a
/// trailing `;` `.` `,` removed (an ellipsis stays: it is part of the text).
pub(super) fn clean_item_text(s: &str) -> String {
    let mut t = collapse_whitespace(s);
    loop {
        let before = t.len();
        if t.ends_with("./.") {
            t.truncate(t.len() - 3);
        } else if t.ends_with("/.") {
            t.truncate(t.len() - 2);
        } else if !t.ends_with("...") && t.ends_with([';', '.', ',']) {
            t.pop();
        }
        let trimmed = t.trim_end().len();
        t.truncate(trimmed);
        if t.len() == before {
            return t;
        }
    }
}

/// Makes sure that the segments are ordered, disjoint and cover every
/// non-blank character: whatever the rules above missed joins the segment
/// before it (or after it, at the very start).
pub(super) fn repair_coverage(text: &str, segs: &mut Vec<Seg>) {
    let non_blank = |r: Range<usize>| text.get(r).is_some_and(|s| !s.trim().is_empty());
    let mut prev_end = 0;
    for k in 0..segs.len() {
        if segs[k].span.start < prev_end {
            segs[k].span.start = prev_end.min(segs[k].span.end);
        }
        let gap = prev_end..segs[k].span.start;
        if non_blank(gap.clone()) {
            let trimmed = trim_range(text, gap);
            if k > 0 {
                segs[k - 1].span.end = trimmed.end;
            } else {
                segs[k].span.start = trimmed.start;
            }
        }
        prev_end = segs[k].span.end.max(prev_end);
    }
    if non_blank(prev_end..text.len()) {
        let trimmed = trim_range(text, prev_end..text.len());
        match segs.last_mut() {
            Some(last) => last.span.end = trimmed.end,
            None => segs.push(Seg {
                span: trimmed.clone(),
                content: trimmed.start,
                kind: SegKind::Context,
                para: 0,
            }),
        }
    }
    segs.retain(|s| s.span.start < s.span.end);
}

pub(super) fn trim_range(text: &str, r: Range<usize>) -> Range<usize> {
    let s = text.get(r.clone()).unwrap_or("");
    let start = r.start + (s.len() - s.trim_start().len());
    let end = r.end - (s.len() - s.trim_end().len());
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::*;

    // ---- splitting ----

    #[test]
    fn numbered_list_items_are_not_split_further() {
        let text = "Đồng chí Chủ tịch kết luận:\n\
            1. Sở Tài chính chủ trì, phối hợp với Văn phòng Tỉnh ủy rà soát kinh phí; hoàn thành trước ngày 15/8/2022.\n\
            2. Ban Tuyên giáo Tỉnh ủy tổ chức hội nghị báo cáo viên trong quý III.\n\
            3. Các đơn vị thực hiện nghiêm chế độ báo cáo thường xuyên.";
        let p = parse(text);
        assert_eq!(
            texts(&p),
            [
                "Sở Tài chính chủ trì, phối hợp với Văn phòng Tỉnh ủy rà soát kinh phí; hoàn thành trước ngày 15/8/2022",
                "Ban Tuyên giáo Tỉnh ủy tổ chức hội nghị báo cáo viên trong quý III",
                "Các đơn vị thực hiện nghiêm chế độ báo cáo thường xuyên",
            ]
        );
        assert_eq!(p.context.len(), 1);
        let [a, b, c] = &p.items[..] else {
            panic!("three items")
        };
        assert_eq!(a.lead_unit.as_deref(), Some("STC"));
        assert_eq!(a.coordinators, ["VPTU"]);
        assert_eq!(on(&a.deadline), Some(Deadline::On(date(2022, 8, 15))));
        assert_eq!(
            a.deadline.as_ref().map(|d| d.phrase.as_str()),
            Some("trước ngày 15/8/2022")
        );
        assert_eq!(b.lead_unit.as_deref(), Some("BTGTU"));
        assert_eq!(on(&b.deadline), Some(Deadline::On(date(2022, 9, 30))));
        assert_eq!(c.lead_unit, None);
        assert_eq!(on(&c.deadline), Some(Deadline::Ongoing));
        // Item spans include their markers.
        assert!(text[a.span.clone()].starts_with("1. Sở"));
    }

    #[test]
    fn letter_and_roman_markers() {
        let text = "I. NHIỆM VỤ TRỌNG TÂM QUÝ IV\n\
            a) Tổ chức hội nghị tổng kết.\n\
            b) Ban hành kế hoạch năm 2023.\n\
            II. Nhiệm vụ thường xuyên:\n\
            a) Theo dõi, đôn đốc các đơn vị.";
        let p = parse(text);
        assert_eq!(
            texts(&p),
            [
                "Tổ chức hội nghị tổng kết",
                "Ban hành kế hoạch năm 2023",
                "Theo dõi, đôn đốc các đơn vị"
            ]
        );
        assert_eq!(p.context.len(), 2);
        assert_eq!(
            on(&p.items[0].deadline),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        assert!(p.items[0]
            .deadline
            .as_ref()
            .is_some_and(|d| d.from_lead_in && d.phrase == "QUÝ IV"));
        // "kế hoạch năm 2023" names the plan: the heading's quarter applies.
        assert_eq!(
            on(&p.items[1].deadline),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        assert_eq!(on(&p.items[2].deadline), Some(Deadline::Ongoing));
    }

    #[test]
    fn unit_headers_give_the_lead_to_their_sub_items() {
        let text = "Kết luận nhiệm vụ 6 tháng cuối năm:\n\
            - Sở Tài chính:\n\
            + Rà soát, bố trí kinh phí cho các nhiệm vụ; báo cáo trước 15/8.\n\
            + Phối hợp với Văn phòng Tỉnh ủy hướng dẫn quyết toán.\n\
            - Văn phòng Tỉnh ủy:\n\
            + Tham mưu tổ chức Hội nghị sơ kết trong tháng 9.\n\
            + Sở Nội vụ chủ trì rà soát biên chế.";
        let p = parse(text);
        assert_eq!(p.items.len(), 4, "{:#?}", texts(&p));
        assert_eq!(p.context.len(), 3);
        let leads: Vec<_> = p.items.iter().map(|i| i.lead_unit.as_deref()).collect();
        assert_eq!(leads, [Some("STC"), Some("STC"), Some("VPTU"), Some("SNV")]);
        assert_eq!(p.items[1].coordinators, ["VPTU"]);
        let dl: Vec<_> = p.items.iter().map(|i| on(&i.deadline)).collect();
        assert_eq!(
            dl,
            [
                Some(Deadline::On(date(2022, 8, 15))),
                Some(Deadline::On(date(2022, 12, 31))),
                Some(Deadline::On(date(2022, 9, 30))),
                Some(Deadline::On(date(2022, 12, 31))),
            ]
        );
        assert!(!p.items[0].deadline.as_ref().is_some_and(|d| d.from_lead_in));
        assert!(p.items[1].deadline.as_ref().is_some_and(|d| d.from_lead_in));
    }

    #[test]
    fn same_bullet_items_under_a_bullet_header() {
        let text = "- Sở Tài chính:\n- Rà soát kinh phí.\n- Báo cáo kết quả.\n- Văn phòng Tỉnh ủy:\n- Tham mưu hội nghị.";
        let p = parse(text);
        let leads: Vec<_> = p.items.iter().map(|i| i.lead_unit.as_deref()).collect();
        assert_eq!(leads, [Some("STC"), Some("STC"), Some("VPTU")]);
    }

    #[test]
    fn numbered_unit_headers_with_indented_sub_items() {
        let text =
            "1. Văn phòng Tỉnh ủy:\n   - Tham mưu tổ chức hội nghị.\n   - Theo dõi, đôn đốc.\n\
            2. Ban Tuyên giáo Tỉnh ủy:\n   - Hướng dẫn tuyên truyền.\n\
            3. Tổ chức tổng kết trong quý IV.";
        let p = parse(text);
        let leads: Vec<_> = p.items.iter().map(|i| i.lead_unit.as_deref()).collect();
        assert_eq!(leads, [Some("VPTU"), Some("VPTU"), Some("BTGTU"), None]);
        assert_eq!(p.context.len(), 2);
    }

    #[test]
    fn titles_without_colon_are_headers_when_lines_follow_under_them() {
        let text = "1. Tình hình chung\nCác đơn vị đã triển khai tốt.\n\
            2. Nhiệm vụ thời gian tới\n\
            a) Sở Tài chính\n\
            - Rà soát kinh phí.\n\
            b) Văn phòng Tỉnh ủy\n\
            Tham mưu tổ chức hội nghị.\n\
            3. Tổ chức tổng kết\n\
            4. Ban hành quy chế";
        let p = parse(text);
        assert_eq!(
            texts(&p),
            [
                "Rà soát kinh phí",
                "Tham mưu tổ chức hội nghị",
                "Tổ chức tổng kết",
                "Ban hành quy chế"
            ]
        );
        let leads: Vec<_> = p.items.iter().map(|i| i.lead_unit.as_deref()).collect();
        assert_eq!(leads, [Some("STC"), Some("VPTU"), None, None]);
        // "Các đơn vị đã triển khai tốt" is past work: context.
        assert_eq!(p.context.len(), 5);
        // A wrapped list item is one item.
        let p = parse("- Tổ chức hội nghị sơ kết công tác tuyên giáo\nTrung ương và địa phương.\n- Ban hành quy chế.");
        assert_eq!(
            texts(&p),
            [
                "Tổ chức hội nghị sơ kết công tác tuyên giáo Trung ương và địa phương",
                "Ban hành quy chế"
            ]
        );
    }

    #[test]
    fn prose_under_a_header_and_after_a_list() {
        let text = "Sở Tài chính:\nChủ trì rà soát kinh phí. Báo cáo kết quả trong tháng 8.\n\
            - Hướng dẫn các đơn vị quyết toán.\n\nĐề nghị các đơn vị nghiêm túc thực hiện.";
        let p = parse(text);
        assert_eq!(
            texts(&p),
            [
                "Chủ trì rà soát kinh phí. Báo cáo kết quả trong tháng 8",
                "Hướng dẫn các đơn vị quyết toán",
                "Đề nghị các đơn vị nghiêm túc thực hiện"
            ]
        );
        let leads: Vec<_> = p.items.iter().map(|i| i.lead_unit.as_deref()).collect();
        // The last one goes to a group: no lead, flagged.
        assert_eq!(leads, [Some("STC"), Some("STC"), None]);
        assert!(p.items[2].flags.contains(&ItemFlag::GroupAddressee));
        assert_eq!(p.items[2].addressee.as_deref(), Some("các đơn vị"));
    }

    #[test]
    fn closing_prose_after_a_list_leaves_the_unit_header() {
        let text = "1. Sở Tài chính:\n- Rà soát kinh phí.\n2. Văn phòng Tỉnh ủy:\n- Tham mưu hội nghị.\nĐề nghị các đơn vị nghiêm túc thực hiện.";
        let p = parse(text);
        let leads: Vec<_> = p.items.iter().map(|i| i.lead_unit.as_deref()).collect();
        assert_eq!(leads, [Some("STC"), Some("VPTU"), None]);
    }

    #[test]
    fn inline_unit_header_in_a_list_item() {
        let text = "1. Văn phòng Tỉnh ủy: chủ trì tổ chức hội nghị; phối hợp với Sở Nội vụ rà soát quy chế.\n\
            2. Giao Sở Tài chính: bố trí kinh phí trong quý III.";
        let p = parse(text);
        assert_eq!(
            texts(&p),
            [
                "chủ trì tổ chức hội nghị; phối hợp với Sở Nội vụ rà soát quy chế",
                "bố trí kinh phí trong quý III"
            ]
        );
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("VPTU"));
        assert_eq!(p.items[0].coordinators, ["SNV"]);
        assert_eq!(p.items[1].lead_unit.as_deref(), Some("STC"));
        assert_eq!(
            p.context
                .iter()
                .map(|c| c.text.as_str())
                .collect::<Vec<_>>(),
            ["1. Văn phòng Tỉnh ủy:", "2. Giao Sở Tài chính:"]
        );
    }

    #[test]
    fn unknown_unit_header_blocks_the_outer_unit() {
        let text = "1. Văn phòng Tỉnh ủy:\n- Tham mưu hội nghị.\n- Sở Xây dựng:\n+ Báo cáo Văn phòng Tỉnh ủy tiến độ.";
        let p = parse(text);
        let leads: Vec<_> = p.items.iter().map(|i| i.lead_unit.as_deref()).collect();
        assert_eq!(leads, [Some("VPTU"), None]);
    }

    #[test]
    fn semicolons_before_verbs_split_after_a_group() {
        let p = parse("Đề nghị toàn ngành tiếp tục đổi mới; nâng cao chất lượng đội ngũ; tăng cường kiểm tra nề nếp.");
        assert_eq!(texts(&p).len(), 3, "{:#?}", texts(&p));
        assert!(p
            .items
            .iter()
            .all(|i| i.flags.contains(&ItemFlag::GroupAddressee)));
    }

    #[test]
    fn prose_splits_on_semicolons_only_before_directives() {
        let text = "Tổ chức hội nghị A tại Hà Nam; VTC10, Đài Truyền hình Kỹ thuật số VTC sản xuất chương trình B; ban hành kế hoạch C; các huyện, thành phố.";
        let p = parse(text);
        assert_eq!(
            texts(&p),
            [
                "Tổ chức hội nghị A tại Hà Nam; VTC10, Đài Truyền hình Kỹ thuật số VTC sản xuất chương trình B",
                "ban hành kế hoạch C; các huyện, thành phố",
            ]
        );
    }

    #[test]
    fn prose_splits_on_sentences_before_directives_or_units() {
        let text = "Tổ chức hội nghị A. Hội nghị cần bảo đảm thiết thực. Sở Tài chính bố trí kinh phí! Đồng thời, rà soát các khoản chi? Thứ hai, tiết kiệm.";
        let p = parse(text);
        assert_eq!(
            texts(&p),
            [
                "Tổ chức hội nghị A. Hội nghị cần bảo đảm thiết thực",
                "Sở Tài chính bố trí kinh phí!",
                "Đồng thời, rà soát các khoản chi?",
                "Thứ hai, tiết kiệm",
            ]
        );
        assert_eq!(p.items[1].lead_unit.as_deref(), Some("STC"));
    }

    #[test]
    fn ellipsis_followed_by_lowercase_does_not_split() {
        let text =
            "Tập trung tuyên truyền các nghị quyết… tổ chức học tập chuyên đề. Tổ chức tọa đàm.";
        let p = parse(text);
        assert_eq!(
            texts(&p),
            [
                "Tập trung tuyên truyền các nghị quyết… tổ chức học tập chuyên đề",
                "Tổ chức tọa đàm"
            ]
        );
        let p = parse("Tuyên truyền kỳ họp thứ 3, thứ 4 Quốc hội khóa XV... Tổ chức Tọa đàm.");
        assert_eq!(p.items.len(), 2);
        assert_eq!(
            p.items[0].text,
            "Tuyên truyền kỳ họp thứ 3, thứ 4 Quốc hội khóa XV..."
        );
    }

    #[test]
    fn inline_markers_in_prose() {
        let p = parse("Kết luận: 1. Tổ chức hội nghị A; 2. Ban hành kế hoạch B; 3) rà soát 2.000 hồ sơ; (4) kiểm tra.");
        assert_eq!(
            texts(&p),
            [
                "Tổ chức hội nghị A",
                "Ban hành kế hoạch B",
                "rà soát 2.000 hồ sơ",
                "kiểm tra"
            ]
        );
        assert_eq!(p.context.len(), 1);
        assert!(p.items.iter().all(|i| i.deadline.is_none()));
    }

    #[test]
    fn lowercase_after_a_dot_is_not_a_new_sentence() {
        let p = parse("Tổ chức hội nghị tại TP. Phủ Lý. tổ chức tiếp đoàn.");
        assert_eq!(p.items.len(), 1);
        let p = parse("Làm việc với ThS. Nguyễn Văn A. Tổ chức tọa đàm.");
        assert_eq!(
            texts(&p),
            ["Làm việc với ThS. Nguyễn Văn A", "Tổ chức tọa đàm"]
        );
    }

    #[test]
    fn quotes_and_parentheses_stay_intact() {
        let text = "Ban hành Chỉ thị về “Tăng cường công tác tuyên truyền; Tổ chức học tập. Ban hành quy chế”; tổ chức hội nghị (đợt 2; Tổ chức lại) trong tháng 9; triển khai \"Kế hoạch: Tổ chức\" mới.";
        let p = parse(text);
        assert_eq!(
            texts(&p),
            [
                "Ban hành Chỉ thị về “Tăng cường công tác tuyên truyền; Tổ chức học tập. Ban hành quy chế”",
                "tổ chức hội nghị (đợt 2; Tổ chức lại) trong tháng 9",
                "triển khai \"Kế hoạch: Tổ chức\" mới",
            ]
        );
    }

    #[test]
    fn sentence_ending_inside_a_quote() {
        let p = parse("Ban hành Chỉ thị “Nâng cao chất lượng.” Tổ chức hội nghị.");
        assert_eq!(
            texts(&p),
            [
                "Ban hành Chỉ thị “Nâng cao chất lượng.”",
                "Tổ chức hội nghị"
            ]
        );
    }

    #[test]
    fn unbalanced_quotes_do_not_swallow_the_text() {
        let text = format!(
            "Ban hành Chỉ thị về “Nâng cao chất lượng; tổ chức hội nghị; {}; triển khai kế hoạch.",
            "x ".repeat(900)
        );
        let p = parse(&text);
        assert!(p.items.len() >= 2, "{:#?}", texts(&p));
    }

    #[test]
    fn document_numbers_dates_and_dashed_names_stay_intact() {
        let text = "Triển khai Quyết định số 238-QĐ/TW, ngày 30/9/2020 của Ban Bí thư; phối hợp với Phòng Tổ chức - Hành chính và Trung tâm Phim Tài liệu và Phóng sự - Đài Truyền hình Việt Nam. Tổ chức hội nghị (đợt 2/2022).";
        let p = parse(text);
        assert_eq!(
            texts(&p),
            [
                "Triển khai Quyết định số 238-QĐ/TW, ngày 30/9/2020 của Ban Bí thư",
                "phối hợp với Phòng Tổ chức - Hành chính và Trung tâm Phim Tài liệu và Phóng sự - Đài Truyền hình Việt Nam",
                "Tổ chức hội nghị (đợt 2/2022)",
            ]
        );
        assert_eq!(p.items[0].deadline, None);
        assert_eq!(p.items[1].coordinators, ["TCHC"]);
        assert_eq!(p.items[2].deadline, None);
    }

    #[test]
    fn dash_inside_a_line_is_not_a_marker() {
        let p = parse("Phối hợp với Phòng Tổ chức – Hành chính rà soát hồ sơ.");
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.items[0].coordinators, ["TCHC"]);
    }

    #[test]
    fn a_lead_in_announcing_a_list_is_never_an_item() {
        let p = parse(
            "Giao Sở Nội vụ rà soát hồ sơ; các đơn vị tập trung thực hiện các nhiệm vụ sau:\n\
             - Bố trí trụ sở làm việc.",
        );
        assert_eq!(
            texts(&p),
            ["Giao Sở Nội vụ rà soát hồ sơ", "Bố trí trụ sở làm việc"]
        );
    }

    #[test]
    fn lead_in_only_before_directives() {
        // "về:" followed by a quoted title is not a lead-in.
        let p = parse("Tổ chức Tọa đàm về: “Giải pháp nâng cao chất lượng”. Hướng dẫn các đơn vị.");
        assert_eq!(
            texts(&p),
            [
                "Tổ chức Tọa đàm về: “Giải pháp nâng cao chất lượng”",
                "Hướng dẫn các đơn vị"
            ]
        );
        assert!(p.context.is_empty());
        // A lead-in in the middle of a paragraph.
        let p = parse("Tổ chức hội nghị A. Trong quý IV, tập trung các việc sau: rà soát quy chế; kiểm tra hồ sơ.");
        assert_eq!(
            texts(&p),
            ["Tổ chức hội nghị A", "rà soát quy chế", "kiểm tra hồ sơ"]
        );
        assert_eq!(p.context.len(), 1);
        assert_eq!(p.items[0].deadline, None);
        assert_eq!(
            on(&p.items[2].deadline),
            Some(Deadline::On(date(2022, 12, 31)))
        );
    }

    #[test]
    fn lead_in_deadline_applies_until_the_next_lead_in() {
        let text = "Nhiệm vụ trong quý III:\nTổ chức hội nghị A.\n\nNhiệm vụ trong năm 2023:\nTổ chức hội nghị B; rà soát quy chế trước 15/8.";
        let p = parse(text);
        let dl: Vec<_> = p.items.iter().map(|i| on(&i.deadline)).collect();
        assert_eq!(
            dl,
            [
                Some(Deadline::On(date(2022, 9, 30))),
                Some(Deadline::On(date(2023, 12, 31))),
                Some(Deadline::On(date(2022, 8, 15)))
            ]
        );
    }

    #[test]
    fn end_of_document_mark_belongs_to_the_last_item() {
        let p = parse("Tổ chức hội nghị A; ban hành kế hoạch B./.");
        assert_eq!(texts(&p), ["Tổ chức hội nghị A", "ban hành kế hoạch B"]);
        assert!(p.items[1].span.end == "Tổ chức hội nghị A; ban hành kế hoạch B./.".len());
        let text = "1. Tổ chức hội nghị A.\n2. Ban hành kế hoạch B.\n./.";
        let p = parse(text);
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.items[1].span.end, text.len());
    }

    #[test]
    fn verbs_match_without_accents_but_giao_is_not_giao_duc() {
        let p = parse("to chuc hoi nghi; ban hanh ke hoach; giao So Tai chinh bo tri kinh phi");
        assert_eq!(p.items.len(), 3);
        assert_eq!(p.items[2].lead_unit.as_deref(), Some("STC"));
        let p = parse("Tổ chức bồi dưỡng chính trị hè; giáo viên các trường tham gia đầy đủ.");
        assert_eq!(p.items.len(), 1);
        let p = parse("Nâng cấp đường huyện; giao thông nông thôn; giao dịch điện tử.");
        assert_eq!(p.items.len(), 1);
    }

    #[test]
    fn empty_and_blank_inputs() {
        for t in ["", " ", "\n\n\t", "./.", "-", "1.", ";;;", "“", ":"] {
            let p = parse(t);
            assert!(p.items.is_empty(), "{t:?}");
        }
    }

    // ---- rules from the held-out set ----

    #[test]
    fn a_section_about_something_is_a_title_however_long() {
        let p = parse("Kết luận như sau:\nII. Về giám sát giải quyết kiến nghị của cử tri trong tỉnh\nĐề nghị Sở Tài chính tổng hợp ý kiến.");
        assert_eq!(texts(&p), ["Đề nghị Sở Tài chính tổng hợp ý kiến"]);
    }

    #[test]
    fn the_closing_formula_is_cut_from_the_last_directive() {
        let p = parse("Giao Sở Tài chính rà soát kinh phí. Thường trực HĐND tỉnh thông báo để các cơ quan biết, thực hiện./.");
        assert_eq!(texts(&p), ["Giao Sở Tài chính rà soát kinh phí"]);
    }

    #[test]
    fn who_answers_for_a_directive_continues_it() {
        let p = parse("Các sở khẩn trương giải ngân vốn. Giám đốc các sở chịu trách nhiệm trước Chủ tịch UBND tỉnh về kết quả.");
        assert_eq!(p.items.len(), 1, "{:#?}", texts(&p));
    }

    #[test]
    fn a_group_at_the_start_of_a_sentence_opens_a_directive() {
        let p = parse("Giao Sở Tài chính rà soát kinh phí. Đảng ủy các xã, thị trấn chỉ đạo tổ chức đại hội chi bộ.");
        assert_eq!(p.items.len(), 2, "{:#?}", texts(&p));
        assert_eq!(p.items[1].lead_unit, None);
        assert!(p.items[1].flags.contains(&ItemFlag::GroupAddressee));
    }

    #[test]
    fn luu_y_ve_phia_and_a_time_phrase_after_de_nghi_open_directives() {
        let p = parse("Tổ chức hội nghị tổng kết. Đồng chí lưu ý Sở Nội vụ rà soát biên chế. Về phía Sở Tài chính, cần bố trí kinh phí. Phó Chủ tịch đề nghị thời gian tới, Văn phòng Tỉnh ủy tham mưu sắp xếp bộ máy.");
        let leads: Vec<_> = p.items.iter().map(|i| i.lead_unit.as_deref()).collect();
        assert_eq!(
            leads,
            [None, Some("SNV"), Some("STC"), Some("VPTU")],
            "{:#?}",
            texts(&p)
        );
    }

    #[test]
    fn the_unit_that_asks_in_a_lead_in_does_not_lead() {
        let p = parse("Sở Kế hoạch và Đầu tư đề nghị các đơn vị thực hiện tốt một số nội dung sau:\n1. Bố trí kinh phí dự phòng.\n2. Chỉ đạo Sở Nội vụ rà soát biên chế.");
        let leads: Vec<_> = p.items.iter().map(|i| i.lead_unit.as_deref()).collect();
        assert_eq!(leads, [None, Some("SNV")]);
    }

    #[test]
    fn titles_of_related_articles_are_context() {
        let p = parse("Giao Sở Tài chính rà soát kinh phí.\nXem thêm:\n- Tổ chức hội nghị tổng kết năm\nBan hành quy chế mới của tỉnh");
        assert_eq!(texts(&p), ["Giao Sở Tài chính rà soát kinh phí"]);
    }

    #[test]
    fn a_lead_in_year_that_names_the_subject_is_no_deadline() {
        let p = parse("Về việc tặng quà Tết năm 2023, Chủ tịch có ý kiến như sau:\nSở Tài chính bố trí kinh phí.");
        assert_eq!(p.items[0].deadline, None);
        let p = parse("Trong năm 2023, Sở Tài chính tập trung thực hiện:\n- Bố trí kinh phí.");
        assert_eq!(
            on(&p.items[0].deadline),
            Some(Deadline::On(date(2023, 12, 31)))
        );
    }

    #[test]
    fn a_told_sentence_is_cut_from_the_directive_before() {
        let p = parse(
            "Đồng chí đề nghị Sở Tài chính bố trí kinh phí cho các trạm y tế. \
             Nhân dịp này, Chủ tịch UBND tỉnh đã tặng Bằng khen cho 12 tập thể.",
        );
        assert_eq!(
            texts(&p),
            ["Đồng chí đề nghị Sở Tài chính bố trí kinh phí cho các trạm y tế"]
        );
        assert!(p.context.iter().any(|c| c.text.starts_with("Nhân dịp này")));
        // A quotation after it, too, even when it opens with its mark.
        let p = parse(
            "Sở Nội vụ bàn giao mặt bằng trước ngày 15/8/2022. \
             “Chúng ta phải làm cho bằng được”, đồng chí Bí thư nhấn mạnh.",
        );
        assert_eq!(
            texts(&p),
            ["Sở Nội vụ bàn giao mặt bằng trước ngày 15/8/2022"]
        );
        // A follow-up stays: it is the directive's own time.
        let p = parse("Giao Sở Tài chính rà soát các khoản nợ. Thời hạn: trước ngày 15/8/2022.");
        assert_eq!(p.items.len(), 1);
    }

    #[test]
    fn a_numbered_point_is_cut_where_another_unit_gets_its_task() {
        let p = parse(
            "Chủ tịch UBND tỉnh kết luận:\n\
             1. Sở Nội vụ rà soát biên chế, hoàn thành trong tháng 8/2022. Sở Tài chính bố trí kinh phí trước ngày 15/9/2022. Yêu cầu báo cáo kết quả trước ngày 30/9/2022.\n\
             2. Sở Kế hoạch và Đầu tư tổng hợp. Sở Tài chính chịu trách nhiệm trước UBND tỉnh về số liệu.",
        );
        assert_eq!(
            texts(&p),
            [
                "Sở Nội vụ rà soát biên chế, hoàn thành trong tháng 8/2022",
                "Sở Tài chính bố trí kinh phí trước ngày 15/9/2022. Yêu cầu báo cáo kết quả trước ngày 30/9/2022",
                "Sở Kế hoạch và Đầu tư tổng hợp. Sở Tài chính chịu trách nhiệm trước UBND tỉnh về số liệu",
            ]
        );
        assert_eq!(p.items[1].lead_unit.as_deref(), Some("STC"));
    }

    #[test]
    fn a_meeting_record_and_a_yeu_cau_lead_in_stay_out_of_the_body() {
        let p = parse(
            "Thời gian: 14 giờ 00, ngày 05/7/2022. Chủ trì: đồng chí Phó Chủ tịch UBND tỉnh. \
             Thành phần: lãnh đạo Sở Tài chính, Sở Nội vụ.\n\n\
             Để sớm ổn định đời sống Nhân dân, Phó Chủ tịch UBND tỉnh yêu cầu:\n\
             1. Sở Tài chính bố trí kinh phí hỗ trợ.",
        );
        assert_eq!(texts(&p), ["Sở Tài chính bố trí kinh phí hỗ trợ"]);
    }

    #[test]
    fn a_headline_before_a_tagged_news_lead_is_context() {
        let p = parse(
            "Nâng cao chất lượng công tác tuyên giáo\n\
             (baohanam.vn) - Chiều 06/7, Ban Tuyên giáo Tỉnh ủy tổ chức hội nghị sơ kết.\n\
             Đồng chí đề nghị Sở Tài chính bố trí kinh phí.",
        );
        assert_eq!(texts(&p), ["Đồng chí đề nghị Sở Tài chính bố trí kinh phí"]);
    }

    #[test]
    fn carrying_out_with_its_time_continues_the_directive() {
        let p = parse(
            "Sở Nội vụ nắm chắc tình hình, giữ vững an ninh trật tự; thực hiện thường xuyên. \
             Sở Tài chính rà soát kinh phí; hoàn thành trong tháng 9/2022.",
        );
        assert_eq!(p.items.len(), 2, "{:#?}", texts(&p));
        assert_eq!(on(&p.items[0].deadline), Some(Deadline::Ongoing));
        assert_eq!(
            on(&p.items[1].deadline),
            Some(Deadline::On(date(2022, 9, 30)))
        );
        // Completing new work is a new directive.
        let p = parse(
            "Sở Nội vụ tham mưu tinh giản biên chế; hoàn thành đề án vị trí việc làm trong quý III/2022.",
        );
        assert_eq!(p.items.len(), 2, "{:#?}", texts(&p));
        assert_eq!(on(&p.items[0].deadline), None);
    }

    #[test]
    fn a_group_in_a_header_or_lead_in_passes_down() {
        let text = "Bộ Nội vụ đề nghị Ủy ban nhân dân các tỉnh, thành phố chỉ đạo thực hiện ngay một số nội dung sau:\n\
            1. Rà soát dữ liệu cán bộ, hoàn thành trước 28.10.2022.\n\
            2. Sở Tài chính bố trí kinh phí.\n\
            Đồng thời, Bộ Nội vụ giao:\n\
            - Văn phòng Tỉnh ủy tổng hợp kết quả.";
        let p = parse(text);
        assert_eq!(p.items.len(), 3, "{:#?}", texts(&p));
        let [a, b, c] = &p.items[..] else {
            panic!("three items")
        };
        assert_eq!(a.lead_unit, None);
        assert!(a.flags.contains(&ItemFlag::GroupAddressee));
        assert_eq!(
            a.addressee.as_deref(),
            Some("Ủy ban nhân dân các tỉnh, thành phố")
        );
        assert_eq!(on(&a.deadline), Some(Deadline::On(date(2022, 10, 28))));
        // An item naming its unit is that unit's.
        assert_eq!(b.lead_unit.as_deref(), Some("STC"));
        assert!(b.flags.is_empty());
        // A later lead-in ends the group's list.
        assert_eq!(c.lead_unit.as_deref(), Some("VPTU"));
        assert_eq!(c.addressee, None);

        let text = "Chủ tịch UBND tỉnh kết luận:\n\
            • UBND các xã, phường:\n\
            a) Tổ chức tiêu hủy lợn bệnh theo quy định;\n\
            b) Thống kê thiệt hại, gửi Sở Tài chính trước ngày 05/8/2022.\n\
            3. Các Sở: Tài chính, Nội vụ hướng dẫn các xã sửa chữa phòng học.";
        let p = parse(text);
        assert_eq!(p.items.len(), 3, "{:#?}", texts(&p));
        for item in &p.items {
            assert_eq!(item.lead_unit, None, "{}", item.text);
            assert!(
                item.flags.contains(&ItemFlag::GroupAddressee),
                "{}",
                item.text
            );
        }
        assert_eq!(p.items[0].addressee.as_deref(), Some("UBND các xã, phường"));
        assert_eq!(p.items[2].addressee.as_deref(), Some("Các Sở"));

        // A header naming work, not bodies, hands no group down.
        let p = parse("Các công việc:\n- Rà soát quy chế.\n- Kiểm tra hồ sơ.");
        assert_eq!(p.items.len(), 2, "{:#?}", texts(&p));
        for item in &p.items {
            assert_eq!(item.addressee, None, "{}", item.text);
            assert!(!item.flags.contains(&ItemFlag::GroupAddressee));
        }
    }
}
