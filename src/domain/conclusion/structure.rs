//! The parser's state and the structure both the segmentation and the
//! addressees read: list markers, what a header hands down, segments.

use std::ops::Range;

use super::deadlines::Clock;
use super::lexicon::Lexicon;
use super::tokens::Doc;
use super::units::UnitMatcher;
use super::DeadlineSuggestion;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MarkerKind {
    Number { depth: u8, close: char },
    Letter { upper: bool, close: char },
    Roman { upper: bool, close: char },
    Parenthesized,
    Dash,
    Plus,
    Bullet,
    Star,
}

impl MarkerKind {
    pub(super) fn is_bullet(self) -> bool {
        matches!(
            self,
            MarkerKind::Dash | MarkerKind::Plus | MarkerKind::Bullet | MarkerKind::Star
        )
    }
}

pub(super) fn is_roman(s: &str) -> bool {
    (1..=5).contains(&s.len()) && s.chars().all(|c| matches!(c, 'I' | 'V' | 'X'))
}

/// What a header or lead-in says about the unit of the lines under it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) enum HeaderUnit {
    #[default]
    None,
    /// A header naming a unit we do not know ("- Sở Xây dựng:"): the items
    /// under it belong to that unit, so no outer unit applies.
    Unknown,
    Known {
        lead: usize,
        others: Vec<usize>,
    },
    /// A group ("• UBND các xã, phường:", "… đề nghị Ủy ban nhân dân các
    /// tỉnh … thực hiện:"), as the byte range of its words: the items under
    /// it that name nobody are addressed to it.
    Group(Range<usize>),
}

#[derive(Debug, Clone, Default)]
pub(super) struct Inherited {
    pub(super) unit: HeaderUnit,
    pub(super) deadline: Option<DeadlineSuggestion>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FrameKind {
    LeadIn,
    Marker(MarkerKind),
}

/// One level of the open list structure (or a prose lead-in).
pub(super) struct Frame {
    pub(super) indent: usize,
    pub(super) kind: FrameKind,
    pub(super) header: bool,
    pub(super) unit: HeaderUnit,
    pub(super) deadline: Option<DeadlineSuggestion>,
}

pub(super) enum SegKind {
    Item(Inherited),
    Context,
}

/// A piece of output before the items are analysed.
pub(super) struct Seg {
    pub(super) span: Range<usize>,
    /// Where the item's text starts (after its list marker).
    pub(super) content: usize,
    pub(super) kind: SegKind,
    /// The paragraph (block) it comes from.
    pub(super) para: usize,
}

pub(super) struct Parser<'d, 'a> {
    pub(super) doc: &'d Doc<'a>,
    pub(super) units: &'d UnitMatcher,
    pub(super) lex: &'static Lexicon,
    pub(super) clock: Clock<'d>,
    pub(super) segs: Vec<Seg>,
    pub(super) stack: Vec<Frame>,
    /// The block being read.
    pub(super) para: usize,
}

/// "2" in "; 2. Ban hành …": a number or letter alone before the dot.
pub(super) fn is_inline_marker(piece: &str) -> bool {
    let w = piece.trim();
    if w.is_empty() || w.len() > 5 {
        return false;
    }
    (w.len() <= 3 && w.chars().all(|c| c.is_ascii_digit()))
        || w.chars().count() == 1 && w.chars().all(char::is_alphabetic)
        || is_roman(w)
}

/// Skips "2.", "b)", "(3)", "-" at the start of a piece.
/// Whitespace must follow, so "2.000 người" keeps its number.
pub(super) fn skip_inline_marker(doc: &Doc, i: usize, end: usize) -> usize {
    let spaced = |k: usize| k >= end || !doc.glued(k);
    // A number of up to 3 digits, a single letter or a short roman numeral.
    let label = |k: usize| {
        doc.word(k, end).is_some_and(|w| {
            w.len() <= 4
                && (w.chars().all(|c| c.is_ascii_digit())
                    || w.chars().count() == 1
                    || is_roman(&w.to_uppercase()))
        })
    };
    if matches!(doc.punct(i, end), Some('-' | '–' | '+' | '•' | '*')) && spaced(i + 1) {
        return i + 1;
    }
    if doc.punct(i, end) == Some('(')
        && label(i + 1)
        && doc.punct(i + 2, end) == Some(')')
        && spaced(i + 3)
    {
        return i + 3;
    }
    if label(i)
        && matches!(doc.punct(i + 1, end), Some('.' | ')'))
        && doc.glued(i + 1)
        && spaced(i + 2)
    {
        return i + 2;
    }
    i
}
