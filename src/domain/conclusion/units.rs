//! Unit names in a text: the matcher of names and aliases, and the modal
//! words that may stand between an addressee and its verb. Both the
//! segmentation and the addressees read them.

use std::collections::HashMap;
use std::ops::Range;

use super::lexicon::lexicon;
use super::tokens::{any_at, Doc};
use super::UnitName;

// ---------------------------------------------------------------------------
// Units
// ---------------------------------------------------------------------------

pub(super) struct UnitHit {
    pub(super) unit: usize,
    pub(super) toks: Range<usize>,
}

pub(super) struct NameCandidate {
    pub(super) unit: usize,
    pub(super) words: Vec<String>,
    /// The name itself says its level ("… Tỉnh ủy"), so no qualifier check.
    pub(super) has_level: bool,
}

/// Finds unit names and aliases in token streams: whole words, folded,
/// leftmost-longest.
pub(super) struct UnitMatcher {
    pub(super) by_first_word: HashMap<String, Vec<NameCandidate>>,
}

pub(super) const LEVEL_WORDS: &[&str] = &[
    "tinh", "tu", "trung", "uong", "tw", "huyen", "xa", "phuong", "thanh", "thi", "quan", "tp",
    "ubnd",
];

impl UnitMatcher {
    pub(super) fn new(units: &[UnitName]) -> Self {
        let mut by_first_word: HashMap<String, Vec<NameCandidate>> = HashMap::new();
        for (unit, u) in units.iter().enumerate() {
            for name in &u.names {
                let words: Vec<String> = Doc::new(name)
                    .tokens
                    .into_iter()
                    .filter(|t| t.word)
                    .map(|t| t.folded)
                    .collect();
                let Some(first) = words.first().cloned() else {
                    continue;
                };
                let has_level = words.iter().any(|w| LEVEL_WORDS.contains(&w.as_str()));
                by_first_word.entry(first).or_default().push(NameCandidate {
                    unit,
                    words,
                    has_level,
                });
            }
        }
        for list in by_first_word.values_mut() {
            // Longest name first; among equals, the unit listed first.
            list.sort_by(|a, b| b.words.len().cmp(&a.words.len()).then(a.unit.cmp(&b.unit)));
        }
        UnitMatcher { by_first_word }
    }

    /// The longest unit name starting at token `i`.
    pub(super) fn match_at(&self, doc: &Doc, i: usize, end: usize) -> Option<UnitHit> {
        let first = doc.word(i, end)?;
        let candidates = self.by_first_word.get(first)?;
        for c in candidates {
            let Some(e) = match_words(doc, i, end, &c.words) else {
                continue;
            };
            // An alias like "Ban Tuyên giáo" followed by "Trung ương" or
            // "xã, phường" names another body, not our unit.
            if !c.has_level && names_other_level(doc, e, end) {
                continue;
            }
            return Some(UnitHit {
                unit: c.unit,
                toks: i..e,
            });
        }
        None
    }

    /// A unit of the given kind ("bo", "so") named by the rest of its name:
    /// "Tài chính" after "các Bộ:" is "Bộ Tài chính".
    pub(super) fn match_short(
        &self,
        doc: &Doc,
        i: usize,
        end: usize,
        kind: &str,
    ) -> Option<UnitHit> {
        let first = doc.word(i, end)?;
        let mut best: Option<UnitHit> = None;
        for list in self.by_first_word.get(kind).into_iter() {
            for c in list {
                if c.words.len() < 2 || c.words[1] != first {
                    continue;
                }
                if let Some(e) = match_words(doc, i, end, &c.words[1..]) {
                    if best.as_ref().is_none_or(|b| e > b.toks.end) {
                        best = Some(UnitHit {
                            unit: c.unit,
                            toks: i..e,
                        });
                    }
                }
            }
        }
        best
    }

    /// All unit names in a token range; a name inside a longer matched name
    /// does not count separately.
    pub(super) fn find_all(&self, doc: &Doc, toks: Range<usize>) -> Vec<UnitHit> {
        let mut hits = Vec::new();
        let mut i = toks.start;
        while i < toks.end {
            match self.match_at(doc, i, toks.end) {
                Some(h) => {
                    i = h.toks.end.max(i + 1);
                    hits.push(h);
                }
                None => i += 1,
            }
        }
        hits
    }
}

/// Name words in order; dashes between words are ignored so that
/// "Phòng Tổ chức - Hành chính" matches with any dash or none.
pub(super) fn match_words(doc: &Doc, i: usize, end: usize, words: &[String]) -> Option<usize> {
    let mut j = i;
    let mut skip_until = 0;
    for (k, w) in words.iter().enumerate() {
        if k < skip_until {
            continue;
        }
        if k > 0 {
            while matches!(doc.punct(j, end), Some('-' | '–' | '—' | '&' | ',' | '.')) {
                j += 1;
            }
        }
        let t = doc.word(j, end)?;
        if t != w {
            // Words glued in extracted text: "Tàichính" for "Tài chính".
            let mut joined = w.clone();
            let mut m = k + 1;
            while joined.len() < t.len() && m < words.len() {
                joined.push_str(&words[m]);
                m += 1;
            }
            if joined != t || m == k + 1 {
                return None;
            }
            skip_until = m;
        }
        j += 1;
    }
    Some(j)
}

pub(super) fn names_other_level(doc: &Doc, i: usize, end: usize) -> bool {
    let lex = lexicon();
    match any_at(&lex.qualifiers, doc, i, end) {
        // "xã hội" (society) is not "xã" (commune).
        Some(_) if doc.word_is(i, end, "xa") && doc.word_is(i + 1, end, "hoi") => false,
        Some(_) => true,
        None => false,
    }
}

/// "cần", "phải", "khẩn trương", "chủ động": between an addressee and its verb.
/// Two-word modals need their second word: "chủ" alone is the start of
/// "chủ đầu tư" ("Các chủ đầu tư khẩn trương …"), not of "chủ động".
pub(super) fn is_modal(doc: &Doc, i: usize, end: usize) -> bool {
    let next = doc.word(i + 1, end);
    match doc.word(i, end) {
        Some("can" | "phai" | "som" | "sam" | "cung") => true,
        Some("chu") => next == Some("dong"),
        Some("khan") => next == Some("truong"),
        Some("tiep") => next == Some("tuc"),
        Some("tap") => next == Some("trung"),
        Some("kip") => next == Some("thoi"),
        // The second word of a two-word modal.
        Some("dong") => doc.word_is(i.wrapping_sub(1), end, "chu"),
        Some("truong") => doc.word_is(i.wrapping_sub(1), end, "khan"),
        Some("tuc") => doc.word_is(i.wrapping_sub(1), end, "tiep"),
        Some("trung") => doc.word_is(i.wrapping_sub(1), end, "tap"),
        Some("thoi") => doc.word_is(i.wrapping_sub(1), end, "kip"),
        _ => false,
    }
}
