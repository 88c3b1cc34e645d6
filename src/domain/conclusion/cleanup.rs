//! Clean-up: the text as a PDF extractor or a web page hands it over, made
//! readable before anything else looks at it.
//!
//! * Unicode NFC, so "hoà" typed in NFD reads like the NFC one (folding
//!   already ignores "òa"/"oà": both fold to "oa").
//! * `\r\n`, `\r`, form feeds and line/paragraph separators become `\n`;
//!   NBSP and other odd spaces become a plain space; zero-width characters
//!   and soft hyphens disappear.
//! * A word cut by a hyphen at a line end is joined ("nghi-\nệp" →
//!   "nghiệp"), but a dash with a space before it ("Tổ chức -\nHành chính")
//!   or a capital after it stays; a date cut at its dash is joined too.
//! * A number glued to a date word is split ("21tháng 04" → "21 tháng 04").

use unicode_normalization::UnicodeNormalization;

use super::super::text::fold;
use super::context;
use super::lexicon;

pub(super) fn clean(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    s.push('\n');
                }
            }
            '\u{000C}' | '\u{000B}' | '\u{2028}' | '\u{2029}' | '\u{0085}' => s.push('\n'),
            '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            c if c != '\n' && c != '\t' && c.is_whitespace() => s.push(' '),
            c => s.push(c),
        }
    }
    // Most text arrives in NFC already: composing is then skipped.
    let s: String = match unicode_normalization::is_nfc_quick(s.chars()) {
        unicode_normalization::IsNormalized::Yes => s,
        _ => s.nfc().collect(),
    };
    separate_lines(&join_table_cells(&split_glued_words(&split_glued_dates(
        &join_hyphenated(&s),
    ))))
}

/// "SởCông Thương" → "Sở Công Thương": a capitalised word glued to the next
/// capitalised one by a PDF extractor. Vietnamese syllables never have a
/// capital after a small letter, and all-capital codes ("TTg", "UBND") or
/// words starting small ("iPhone") are left alone.
fn split_glued_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    let mut word_start = 0;
    for (k, &c) in chars.iter().enumerate() {
        if !c.is_alphabetic() {
            word_start = k + 1;
        } else if k > word_start + 1
            && c.is_uppercase()
            && chars[k - 1].is_lowercase()
            && chars[word_start].is_uppercase()
            && chars[word_start + 1..k].iter().all(|c| c.is_lowercase())
            && chars.get(k + 1).is_some_and(|n| n.is_lowercase())
        {
            out.push(' ');
            word_start = k;
        }
        out.push(c);
    }
    out
}

/// A table turned into lines ("TT", "Nội dung", "1", "Xuồng cứu hộ",
/// "1.200" …) after a line ending with ':' ("… theo bảng sau:"): its cells
/// are joined onto that line, so that the table stays with its directive
/// instead of becoming a dozen proposals. A run counts as a table when it
/// has at least three short cells and one of them is a number.
fn join_table_cells(s: &str) -> String {
    let lines: Vec<&str> = s.split('\n').collect();
    let is_cell = |l: &str| {
        let t = l.trim();
        !t.is_empty()
            && t.chars().count() <= 40
            && t.split_whitespace().count() <= 6
            && !t.ends_with(['.', ';', ':', '!', '?'])
            && !starts_with_marker(t)
    };
    let is_number = |l: &str| {
        let t = l.trim();
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
    };
    let mut out = String::with_capacity(s.len());
    let mut k = 0;
    while k < lines.len() {
        out.push_str(lines[k]);
        if lines[k].trim_end().ends_with(':') {
            let run = lines[k + 1..].iter().take_while(|l| is_cell(l)).count();
            let cells = &lines[k + 1..k + 1 + run];
            if run >= 3 && cells.iter().any(|l| is_number(l)) {
                for cell in cells {
                    out.push(' ');
                    out.push_str(cell.trim());
                }
                k += run;
            }
        }
        if k + 1 < lines.len() {
            out.push('\n');
        }
        k += 1;
    }
    out
}

/// A list marker at the start of a trimmed line: "1.", "a)", "-", "+", "•".
fn starts_with_marker(t: &str) -> bool {
    let mut c = t.chars();
    match c.next() {
        Some('-' | '–' | '+' | '•' | '*') => true,
        Some(d) if d.is_alphanumeric() => {
            let head: String = t.chars().take_while(|c| c.is_alphanumeric()).collect();
            let after = t[head.len()..].chars().next();
            head.chars().count() <= 4
                && matches!(after, Some('.' | ')'))
                && t[head.len() + 1..].starts_with(' ')
        }
        _ => false,
    }
}

/// Words a broken line may end with when the sentence goes on below.
const CONNECTORS: &[&str] = &[
    "va", "cua", "voi", "cac", "nhung", "cho", "tai", "ve", "theo", "trong", "tu", "den", "la",
    "de", "o", "tren", "duoi", "hoac", "hay", "nhu", "so", "ngay", "thang", "nam", "tinh",
];

/// Puts a blank line between two lines that do not belong together, so
/// that the segmenter sees separate paragraphs: around page chrome and
/// letterhead lines, and after a line that ends without punctuation (a
/// headline, a title) when the next one starts with a capital. A line
/// broken mid-sentence ends with a connector or goes on in lowercase, so
/// it stays joined.
fn separate_lines(s: &str) -> String {
    let lines: Vec<&str> = s.split('\n').collect();
    let mut out = String::with_capacity(s.len() + 16);
    for (k, line) in lines.iter().enumerate() {
        if k > 0 {
            out.push('\n');
            let prev = lines[k - 1].trim();
            let cur = line.trim();
            if !prev.is_empty() && !cur.is_empty() && breaks_between(prev, cur) {
                out.push('\n');
            }
        }
        out.push_str(line);
    }
    out
}

fn breaks_between(prev: &str, cur: &str) -> bool {
    // Lines of one or two letters ("y", "a)") are never chrome.
    let short = |l: &str| l.chars().count() <= 2;
    if !short(prev) && context::is_chrome_line(prev) || !short(cur) && context::is_chrome_line(cur)
    {
        return true;
    }
    let Some(last) = prev.chars().next_back() else {
        return false;
    };
    if matches!(
        last,
        '.' | ';' | ':' | '!' | '?' | '…' | ',' | '-' | '–' | '(' | '/' | '&'
    ) {
        return false;
    }
    // An unpunctuated line before an article's tagged first sentence is
    // its headline, even one that opens with a verb.
    if context::opens_with_news_tag(cur) {
        return true;
    }
    if !cur.chars().next().is_some_and(|c| c.is_uppercase()) {
        return false;
    }
    // A line that starts small is the middle of a wrapped sentence, and so
    // is what follows it ("… báo cáo kết quả trước Tết\nNguyên đán.").
    if prev.chars().next().is_some_and(char::is_lowercase) {
        return false;
    }
    let last_word = fold(prev.rsplit(char::is_whitespace).next().unwrap_or(""));
    if CONNECTORS.contains(&last_word.as_str()) {
        return false;
    }
    // A directive wrapped over lines ("Tổ chức hội nghị …\nTrung ương …"),
    // or followed by its deadline ("Thời gian hoàn thành: …").
    !starts_with_verb(prev) && !starts_with_phrase(cur, lexicon::folded_follow_ups())
}

/// "nghi-\nệp" → "nghiệp": a letter, a hyphen ending the line, a lowercase
/// letter starting the next one.
fn join_hyphenated(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find("-\n") {
        let (before, after) = rest.split_at(pos);
        let after_break = &after[2..];
        let next_line = after_break.trim_start_matches([' ', '\t']);
        let prev = before.chars().next_back();
        let next = next_line.chars().next();
        let prev_letter = prev.is_some_and(char::is_alphabetic);
        let next_lower = next.is_some_and(char::is_lowercase);
        let digits =
            prev.is_some_and(|c| c.is_ascii_digit()) && next.is_some_and(|c| c.is_ascii_digit());
        out.push_str(before);
        if prev_letter && next_lower {
            rest = next_line;
        } else if digits {
            // A date cut at its dash: "28-\n05-2023".
            out.push('-');
            rest = next_line;
        } else {
            out.push_str("-\n");
            rest = after_break;
        }
    }
    out.push_str(rest);
    out
}

/// Date words a number may be glued to in extracted text.
const DATE_WORDS: &[&str] = &["thang", "ngay", "nam", "quy"];

/// "21tháng" → "21 tháng", "năm2024" → "năm 2024".
fn split_glued_dates(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        out.push(c);
        let Some(&(j, n)) = chars.get(k + 1) else {
            continue;
        };
        if c.is_ascii_digit() && n.is_alphabetic() {
            let word: String = s[j..].chars().take_while(|c| c.is_alphabetic()).collect();
            if DATE_WORDS.contains(&fold(&word).as_str()) && !preceded_by_letter(s, i) {
                out.push(' ');
            }
        } else if c.is_alphabetic() && n.is_ascii_digit() {
            let start = s[..j]
                .char_indices()
                .rev()
                .take_while(|(_, c)| c.is_alphabetic())
                .last()
                .map_or(j, |(p, _)| p);
            if DATE_WORDS.contains(&fold(&s[start..j]).as_str()) {
                out.push(' ');
            }
        }
    }
    out
}

/// Whether a line opens with an action verb of the lexicon (after a list
/// marker).
fn starts_with_verb(line: &str) -> bool {
    starts_with_phrase(line, lexicon::folded_verbs())
}

/// Whether a line opens with one of `phrases` (folded words), after a list
/// marker.
fn starts_with_phrase(line: &str, phrases: &[Vec<String>]) -> bool {
    let head: String = line.chars().take(60).collect();
    let f = fold(&head);
    let words: Vec<&str> = f
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let skip = usize::from(words.first().is_some_and(|w| {
        w.len() <= 3
            && w.chars().all(|c| c.is_ascii_digit() || c.len_utf8() == 1)
            && line.trim_start().starts_with(|c: char| c.is_ascii_digit())
    }));
    let rest = words.get(skip..).unwrap_or(&[]);
    phrases
        .iter()
        .any(|vw| rest.len() >= vw.len() && rest[..vw.len()] == vw[..])
}

/// The digit run ending at `i` is part of a code ("VTC10tháng" stays).
fn preceded_by_letter(s: &str, i: usize) -> bool {
    s[..i]
        .chars()
        .rev()
        .find(|c| !c.is_ascii_digit())
        .is_some_and(char::is_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_becomes_nfc_and_spaces_are_plain() {
        let nfd: String = "Sở Tài chính".nfd().collect();
        assert_eq!(clean(&nfd), "Sở Tài chính");
        assert_eq!(clean("Sở\u{00A0}Y\u{202F}tế"), "Sở Y tế");
        assert_eq!(clean("a\r\nb\rc\u{000C}d"), "a\nb\nc\nd");
        assert_eq!(
            clean("tháo\u{200B} gỡ nh\u{00AD}ận\u{FEFF}"),
            "tháo gỡ nhận"
        );
    }

    #[test]
    fn hyphenated_words_are_joined_but_dashes_stay() {
        assert_eq!(clean("doanh nghi-\nệp tháo"), "doanh nghiệp tháo");
        assert_eq!(clean("doanh nghi-\n  ệp"), "doanh nghiệp");
        assert_eq!(clean("Tổ chức -\nHành chính"), "Tổ chức -\nHành chính");
        assert_eq!(clean("Kế hoạch-\nĐầu tư"), "Kế hoạch-\nĐầu tư");
        assert_eq!(clean("ngày 28-\n05-2023"), "ngày 28-05-2023");
    }

    #[test]
    fn numbers_glued_to_date_words_are_split() {
        assert_eq!(
            clean("ngày 21tháng 04 năm2023"),
            "ngày 21 tháng 04 năm 2023"
        );
        assert_eq!(clean("VTC10 và 3a"), "VTC10 và 3a");
        assert_eq!(clean("trước 15ngày"), "trước 15 ngày");
        assert_eq!(clean("ABC12tháng"), "ABC12tháng");
    }

    #[test]
    fn headlines_and_chrome_lines_become_paragraphs() {
        assert_eq!(
            clean("Sở Nội vụ sơ kết công tác\nNgày đăng: 06:19\nChia sẻ\nNgày 05/7, Sở tổ chức."),
            "Sở Nội vụ sơ kết công tác\n\nNgày đăng: 06:19\n\nChia sẻ\n\nNgày 05/7, Sở tổ chức."
        );
        // A sentence broken over lines stays one paragraph.
        let broken = "buổi làm việc với Sở Tài nguyên và\nMôi trường ngày 21\ntháng 4";
        assert_eq!(clean(broken), broken);
        let broken = "Giao Sở Tài chính rà soát.\nYêu cầu hoàn thành trước 15/6.";
        assert_eq!(clean(broken), broken);
    }

    #[test]
    fn glued_capitalised_words_are_split() {
        assert_eq!(clean("SởCông Thương kiểm tra"), "Sở Công Thương kiểm tra");
        assert_eq!(
            clean("Thủ tướng (TTg) và UBND, iPhone"),
            "Thủ tướng (TTg) và UBND, iPhone"
        );
    }

    #[test]
    fn table_cells_join_the_line_that_announces_them() {
        let t = "4. Sở Tài chính mua sắm theo bảng sau:\nTT\nNội dung\n1\nXuồng cứu hộ\n1.200\nThời gian hoàn thành: trước 31/7.";
        assert_eq!(
            clean(t),
            "4. Sở Tài chính mua sắm theo bảng sau: TT Nội dung 1 Xuồng cứu hộ 1.200\nThời gian hoàn thành: trước 31/7."
        );
        // A list under a colon is not a table.
        let t = "Giao:\n- Sở Tài chính rà soát;\n- Sở Nội vụ kiểm tra.";
        assert_eq!(clean(t), t);
        // Short lines without a number are not a table either.
        let t = "Kính gửi:\nSở Tài chính\nSở Nội vụ\nSở Y tế";
        assert!(!clean(t).contains("chính Sở"), "{}", clean(t));
    }

    #[test]
    fn a_line_that_starts_small_is_not_a_headline() {
        let t =
            "• Công an tỉnh xử lý các hành vi\ndoanh thực phẩm giả; báo cáo trước Tết\nNguyên đán.";
        assert_eq!(clean(t), t);
    }

    #[test]
    fn odd_input_does_not_panic() {
        for t in ["", "-\n", "\r", "1tháng", "năm1", "\u{0301}-\nệ", "é-\n"] {
            let _ = clean(t);
        }
    }
}
