//! Text helpers for Vietnamese: accent- and case-insensitive folding.
//!
//! Officials type unit names and search terms with or without diacritics, and
//! with either tone placement ("Tỉnh ủy" / "Tỉnh uỷ"). Folding maps all of these
//! to one plain lowercase form ("tinh uy") so they compare equal.

use std::ops::Range;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// Escapes text for HTML/SVG content and attribute values (`& < > " '`),
/// leaving the rest, so a URL stays readable (Tera's own escaping also turns
/// every `/` into `&#x2F;`). The one place markup is escaped outside Tera.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Lowercase, strip diacritics (canonical decomposition, combining marks
/// dropped) and map đ/Đ to d. "Ban Tuyên giáo Tỉnh ủy" → "ban tuyen giao tinh uy".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// Appends the folded form of one character (possibly nothing, for a lone
/// combining mark; possibly several characters, e.g. for Hangul syllables).
pub fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for lower in c.to_lowercase() {
        // đ has no canonical decomposition (the bar is not a combining mark).
        if lower == 'đ' {
            out.push('d');
            continue;
        }
        decompose_canonical(lower, |d| {
            if !is_combining_mark(d) {
                out.push(d);
            }
        });
    }
}

/// Like [`fold_char`], and tells whether the character carried a diacritic
/// (folding changed it beyond lowercasing), without allocating.
pub fn fold_char_marked(c: char, out: &mut String) -> bool {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return false;
    }
    let start = out.len();
    fold_char(c, out);
    !out[start..].chars().eq(c.to_lowercase())
}

/// True for combining marks (accents given as separate code points).
pub fn is_mark(c: char) -> bool {
    is_combining_mark(c)
}

/// True when folding changes the character beyond lowercasing, i.e. it
/// carries a diacritic (or is đ, or is itself a combining mark).
pub fn has_diacritic(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    let mut folded = String::new();
    fold_char(c, &mut folded);
    let lower: String = c.to_lowercase().collect();
    folded != lower
}

/// Lowercase in composed (NFC) form: for comparisons that must keep accents
/// ("từ" is not "tư") but not depend on how the input was encoded.
pub fn lower_nfc(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).nfc().collect()
}

/// Accent- and case-insensitive substring test, for search boxes:
/// `fold_contains("Ban Tuyên giáo Tỉnh ủy", "tuyen giao")` is true.
pub fn fold_contains(haystack: &str, needle: &str) -> bool {
    fold(haystack).contains(&fold(needle))
}

/// Folded text that remembers where each of its bytes came from, so that a
/// match found in the folded text can be shown (highlighted, cut out) in the
/// original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedText {
    /// The folded text.
    pub text: String,
    /// For each byte of `text`, the byte offset in the original of the
    /// character that produced it.
    origin: Vec<usize>,
    original: String,
}

/// Folds `s` like [`fold`] and keeps a byte-offset map back into `s`.
pub fn fold_with_offsets(s: &str) -> FoldedText {
    let mut text = String::with_capacity(s.len());
    let mut origin = Vec::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        fold_char(c, &mut text);
        origin.resize(text.len(), i);
    }
    FoldedText {
        text,
        origin,
        original: s.to_string(),
    }
}

impl FoldedText {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a byte range of the folded text back to the smallest range of the
    /// original that produced it, widened to whole characters and to any
    /// combining marks that follow (they fold to nothing but belong to the
    /// last letter). Out-of-range input is clamped; never panics.
    pub fn original_range(&self, folded: Range<usize>) -> Range<usize> {
        let len = self.original.len();
        let Some(&start) = self.origin.get(folded.start) else {
            return len..len;
        };
        if folded.end <= folded.start {
            return start..start;
        }
        let last = folded.end.min(self.origin.len()) - 1;
        let last_start = self.origin[last];
        let mut end = last_start
            + self.original[last_start..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        for c in self.original[end..].chars() {
            if !is_combining_mark(c) {
                break;
            }
            end += c.len_utf8();
        }
        start..end
    }

    /// Byte ranges in the original of every occurrence of `needle` (folded),
    /// e.g. to highlight search hits. Occurrences do not overlap.
    pub fn find_all(&self, needle: &str) -> Vec<Range<usize>> {
        let needle = fold(needle);
        if needle.is_empty() {
            return Vec::new();
        }
        self.text
            .match_indices(needle.as_str())
            .map(|(i, m)| self.original_range(i..i + m.len()))
            .collect()
    }
}

/// The text with its first letter in upper case: an item cut from running
/// prose ("…; tổ chức hội nghị") reads as a task ("Tổ chức hội nghị").
pub fn capitalize_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitalize_first_letter() {
        assert_eq!(capitalize_first("tổ chức hội nghị"), "Tổ chức hội nghị");
        assert_eq!(capitalize_first("đẩy mạnh"), "Đẩy mạnh");
        assert_eq!(capitalize_first(""), "");
    }

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Ban Tuyên giáo Tỉnh ủy"), "ban tuyen giao tinh uy");
        assert_eq!(fold("ĐÔN ĐỐC, đẩy mạnh"), "don doc, day manh");
        assert_eq!(fold("Văn phòng Tỉnh uỷ"), fold("VĂN PHÒNG TỈNH ỦY"));
        assert_eq!(fold("ƯỚC ƠN ĂN ÂN"), "uoc on an an");
        assert_eq!(fold(""), "");
        assert_eq!(fold("238-QĐ/TW"), "238-qd/tw");
    }

    #[test]
    fn folds_decomposed_input_like_composed() {
        let decomposed: String = "Tuyên giáo".nfd().collect();
        assert_ne!(decomposed, "Tuyên giáo");
        assert_eq!(fold(&decomposed), "tuyen giao");
    }

    #[test]
    fn search_matches_without_accents() {
        assert!(fold_contains("Ban Tuyên giáo Tỉnh ủy", "tuyen giao"));
        assert!(fold_contains("Ban Tuyên giáo Tỉnh ủy", "TUYÊN GIÁO"));
        assert!(!fold_contains("Ban Tuyên giáo Tỉnh ủy", "tuyen truyen"));
    }

    #[test]
    fn diacritic_detection() {
        assert!(has_diacritic('á'));
        assert!(has_diacritic('đ'));
        assert!(has_diacritic('Ơ'));
        assert!(!has_diacritic('a'));
        assert!(!has_diacritic('G'));
        assert!(!has_diacritic('中'));
        let mut out = String::new();
        assert!(fold_char_marked('Ế', &mut out));
        assert!(!fold_char_marked('E', &mut out));
        assert_eq!(out, "ee");
        assert!(is_mark('\u{0301}'));
    }

    #[test]
    fn lower_nfc_keeps_accents() {
        let decomposed: String = "TỪ".nfd().collect();
        assert_eq!(lower_nfc(&decomposed), "từ");
        assert_ne!(lower_nfc("tư"), lower_nfc("từ"));
    }

    #[test]
    fn offsets_map_back_to_original() {
        let s = "Phối hợp với Văn phòng Tỉnh ủy và Sở Tài chính";
        let f = fold_with_offsets(s);
        assert_eq!(f.as_str(), fold(s));
        let hits = f.find_all("van phong tinh uy");
        assert_eq!(hits.len(), 1);
        assert_eq!(&s[hits[0].clone()], "Văn phòng Tỉnh ủy");
        let hits = f.find_all("so tai chinh");
        assert_eq!(&s[hits[0].clone()], "Sở Tài chính");
    }

    #[test]
    fn offsets_include_trailing_combining_marks() {
        let s: String = "Tỉnh ủy".nfd().collect();
        let f = fold_with_offsets(&s);
        let hits = f.find_all("uy");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].end, s.len());
        assert_eq!(fold(&s[hits[0].clone()]), "uy");
    }

    #[test]
    fn offsets_never_panic_out_of_range() {
        let f = fold_with_offsets("ủy");
        assert_eq!(f.original_range(10..20), 4..4);
        assert_eq!(f.original_range(1..1), 3..3);
        assert_eq!(f.original_range(0..99), 0.."ủy".len());
        assert!(f.find_all("").is_empty());
    }

    #[test]
    fn expanding_characters_map_to_whole_characters() {
        // A Hangul syllable decomposes into several jamo, all from one char.
        let s = "a한b";
        let f = fold_with_offsets(s);
        assert!(f.text.len() > s.len());
        let r = f.original_range(1..2);
        assert_eq!(&s[r], "한");
    }
}
