//! Tokens: words and punctuation with folded forms, and fixed phrases matched on them.

use std::collections::HashMap;
use std::ops::Range;

use super::super::text;

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) span: Range<usize>,
    /// Folded form: lowercase, no diacritics.
    pub(super) folded: String,
    pub(super) word: bool,
    /// The original carried diacritics (lets "giao" differ from "giáo").
    pub(super) accented: bool,
    /// Whitespace (or the start of the text) precedes the token.
    pub(super) space_before: bool,
}

pub(super) struct Doc<'a> {
    pub(super) text: &'a str,
    pub(super) tokens: Vec<Token>,
}

impl<'a> Doc<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let mut tokens: Vec<Token> = Vec::with_capacity(text.len() / 4);
        let mut in_word = false;
        let mut space = true;
        for (i, c) in text.char_indices() {
            if c.is_whitespace() {
                in_word = false;
                space = true;
                continue;
            }
            let end = i + c.len_utf8();
            let is_word_char = c.is_alphanumeric() || (in_word && text::is_mark(c));
            match tokens.last_mut() {
                Some(t) if in_word && is_word_char => {
                    t.span.end = end;
                    t.accented |= text::fold_char_marked(c, &mut t.folded);
                }
                _ => {
                    let mut folded = String::new();
                    let accented = text::fold_char_marked(c, &mut folded);
                    tokens.push(Token {
                        span: i..end,
                        folded,
                        word: is_word_char,
                        accented: accented && is_word_char,
                        space_before: space,
                    });
                    in_word = is_word_char;
                }
            }
            space = false;
        }
        Doc { text, tokens }
    }

    /// Index of the first token starting at or after `byte`.
    pub(super) fn tok_at(&self, byte: usize) -> usize {
        self.tokens.partition_point(|t| t.span.start < byte)
    }

    /// Tokens inside a byte range.
    pub(super) fn toks_in(&self, r: Range<usize>) -> Range<usize> {
        let start = self.tok_at(r.start);
        start..self.tok_at(r.end).max(start)
    }

    /// The folded word at token `i`, if `i < end` and it is a word.
    pub(super) fn word(&self, i: usize, end: usize) -> Option<&str> {
        if i >= end {
            return None;
        }
        self.tokens
            .get(i)
            .filter(|t| t.word)
            .map(|t| t.folded.as_str())
    }

    pub(super) fn word_is(&self, i: usize, end: usize, w: &str) -> bool {
        self.word(i, end) == Some(w)
    }

    /// The punctuation character at token `i`, if any.
    pub(super) fn punct(&self, i: usize, end: usize) -> Option<char> {
        if i >= end {
            return None;
        }
        self.tokens
            .get(i)
            .filter(|t| !t.word)
            .and_then(|t| self.text[t.span.clone()].chars().next())
    }

    /// Token `i` touches the previous token (no whitespace between).
    pub(super) fn glued(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| !t.space_before)
    }

    /// A number of at most 4 ASCII digits at token `i`.
    pub(super) fn number(&self, i: usize, end: usize) -> Option<u32> {
        let w = self.word(i, end)?;
        if w.is_empty() || w.len() > 4 || !w.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        w.parse().ok()
    }

    /// A plausible four-digit year at token `i`.
    pub(super) fn year(&self, i: usize, end: usize) -> Option<i32> {
        let w = self.word(i, end)?;
        let y = self.number(i, end)? as i32;
        (w.len() == 4 && (1900..=2200).contains(&y)).then_some(y)
    }

    /// Whether any token in the range contains a letter (not just digits or punctuation).
    pub(super) fn has_letter(&self, toks: Range<usize>) -> bool {
        self.tokens.get(toks).is_some_and(|ts| {
            ts.iter()
                .any(|t| t.word && t.folded.chars().any(char::is_alphabetic))
        })
    }

    pub(super) fn word_count(&self, toks: Range<usize>) -> usize {
        self.tokens
            .get(toks)
            .map_or(0, |ts| ts.iter().filter(|t| t.word).count())
    }

    /// Whether there are at most `limit` words (stops counting early, so it
    /// is cheap on long ranges).
    pub(super) fn at_most_words(&self, toks: Range<usize>, limit: usize) -> bool {
        self.tokens
            .get(toks)
            .is_none_or(|ts| ts.iter().filter(|t| t.word).nth(limit).is_none())
    }

    /// Byte range of a token range (empty at `fallback` when there are no tokens).
    pub(super) fn byte_span(&self, toks: Range<usize>, fallback: usize) -> Range<usize> {
        match (
            self.tokens.get(toks.start),
            toks.end.checked_sub(1).and_then(|e| self.tokens.get(e)),
        ) {
            (Some(a), Some(b)) if toks.start < toks.end => a.span.start..b.span.end,
            _ => fallback..fallback,
        }
    }

    /// The range shrunk to its first and last non-whitespace characters.
    pub(super) fn trim(&self, r: Range<usize>) -> Range<usize> {
        let Some(s) = self.text.get(r.clone()) else {
            return r.start..r.start;
        };
        let lead = s.len() - s.trim_start().len();
        let trail = s.len() - s.trim_end().len();
        if lead == s.len() {
            return r.end..r.end;
        }
        r.start + lead..r.end - trail
    }
}

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

/// A fixed phrase, matched word by word on folded tokens. A word written
/// without accents here only matches an unaccented input word, so the verb
/// "giao" (assign) is not found in "giáo dục" while "to chuc" typed without
/// accents still matches "tổ chức".
pub(super) struct Phrase {
    pub(super) words: Vec<(String, bool)>,
}

impl Phrase {
    pub(super) fn new(s: &str) -> Self {
        let doc = Doc::new(s);
        Phrase {
            words: doc
                .tokens
                .into_iter()
                .filter(|t| t.word)
                .map(|t| (t.folded, t.accented))
                .collect(),
        }
    }

    /// End token of the phrase if it starts at token `i`.
    pub(super) fn at(&self, doc: &Doc, i: usize, end: usize) -> Option<usize> {
        if self.words.is_empty() {
            return None;
        }
        let mut j = i;
        for (w, accented) in &self.words {
            let t = doc.tokens.get(j).filter(|t| j < end && t.word)?;
            if t.folded != *w || (!accented && t.accented) {
                return None;
            }
            j += 1;
        }
        Some(j)
    }
}

/// Phrases indexed by their first word, so that a lookup costs one hash
/// probe however long the list.
pub(super) struct PhraseSet {
    pub(super) by_first_word: HashMap<String, Vec<Phrase>>,
}

impl PhraseSet {
    pub(super) fn new(list: &[&str]) -> Self {
        let mut by_first_word: HashMap<String, Vec<Phrase>> = HashMap::new();
        for s in list {
            let p = Phrase::new(s);
            if let Some((first, _)) = p.words.first() {
                by_first_word.entry(first.clone()).or_default().push(p);
            }
        }
        PhraseSet { by_first_word }
    }

    pub(super) fn candidates<'s>(
        &'s self,
        doc: &Doc,
        i: usize,
        end: usize,
    ) -> impl Iterator<Item = &'s Phrase> {
        doc.word(i, end)
            .and_then(|w| self.by_first_word.get(w))
            .into_iter()
            .flatten()
    }
}

/// End of the longest phrase of the set starting at token `i`.
pub(super) fn any_at(set: &PhraseSet, doc: &Doc, i: usize, end: usize) -> Option<usize> {
    set.candidates(doc, i, end)
        .filter_map(|p| p.at(doc, i, end))
        .max()
}

/// Whether a phrase of the set spans exactly tokens `i..j`.
pub(super) fn phrase_spans(set: &PhraseSet, doc: &Doc, i: usize, j: usize, end: usize) -> bool {
    set.candidates(doc, i, end)
        .any(|p| p.at(doc, i, end) == Some(j))
}
