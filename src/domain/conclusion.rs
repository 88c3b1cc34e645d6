//! Turns the concluding speech of a meeting into proposed tasks.
//!
//! An official pastes the conclusion; we propose one item per directive, with
//! a suggested lead unit, coordinating units and deadline, and the official
//! edits and confirms. The contract is DESIGN.md, "Turning a conclusion into
//! tasks". In short:
//!
//! * Lines starting with a list marker (`1.`, `a)`, `I.`, `-`, `+`, `•` …) are
//!   items; the author already structured them, so they are not split further.
//!   A list line ending with `:` is a header (context); when it names a unit it
//!   sets the lead unit of the lines under it.
//! * Running prose is split on `;` and sentence ends, but only where the next
//!   piece starts with an action verb ("Tổ chức", "ban hành" …) or a unit's
//!   name; otherwise the piece belongs to the previous item. A sentence ending
//!   in `:` that introduces such pieces is a lead-in (context); its deadline
//!   phrase ("06 tháng cuối năm") is the default deadline of what follows.
//! * Quotes and parentheses are never split, and `;`/`.` only split when they
//!   are followed by whitespace, so document numbers (`238-QĐ/TW`), dates
//!   (`2/2022`) and dashed names stay whole.
//!
//! * A short list line without final punctuation ("2. Nhiệm vụ thời gian
//!   tới", "a) Sở Y tế") is a title, hence context, when lines follow under it.
//! * Deadlines: the item's own most specific phrase, else the one of its
//!   nearest header or lead-in ([`find_deadlines`] lists the forms).
//! * Units: "<unit> chủ trì" or a unit at the start of the item leads, else
//!   the unit of the header above, else the first unit named; units after
//!   "phối hợp (với)" coordinate.
//!
//! Every non-blank character of the input ends up in exactly one item or
//! context piece, so the official never loses text. Nothing here panics on
//! any input.
//!
//! Matching of words (verbs, unit names, deadline words) works on folded
//! tokens (lowercase, no diacritics, see [`super::text`]), so unaccented or
//! oddly accented input still works.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};

use super::text;

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/// A unit the parser can recognise: its code, name and aliases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitName {
    pub code: String,
    /// `[name, alias, alias, ...]`
    pub names: Vec<String>,
}

impl UnitName {
    pub fn new(code: &str, names: &[&str]) -> Self {
        UnitName {
            code: code.to_string(),
            names: names.iter().map(|n| n.to_string()).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deadline {
    On(NaiveDate),
    /// "thường xuyên": recurring work, no deadline.
    Ongoing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineSuggestion {
    pub deadline: Deadline,
    /// The exact substring of the input the suggestion came from.
    pub phrase: String,
    /// True when the phrase is not the item's own but its lead-in's/header's.
    pub from_lead_in: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedItem {
    /// The item's text, whitespace collapsed, list marker and trailing `;`/`.` removed.
    pub text: String,
    /// Byte range in the input that this item covers (marker and punctuation included).
    pub span: Range<usize>,
    /// Suggested lead unit (code); `None` means: the meeting's organiser.
    pub lead_unit: Option<String>,
    /// Coordinating units (codes): no duplicates, never the lead.
    pub coordinators: Vec<String>,
    pub deadline: Option<DeadlineSuggestion>,
}

/// Text that is not an item: lead-ins and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextPiece {
    pub text: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub items: Vec<ProposedItem>,
    pub context: Vec<ContextPiece>,
}

/// Splits a conclusion into proposed items (see the module documentation).
pub fn propose_items(text: &str, meeting_date: NaiveDate, units: &[UnitName]) -> Proposal {
    let doc = Doc::new(text);
    let matcher = UnitMatcher::new(units);
    let mut parser = Parser {
        doc: &doc,
        units: &matcher,
        lex: lexicon(),
        year: meeting_date.year(),
        segs: Vec::new(),
        stack: Vec::new(),
    };
    parser.run();
    parser.finish(units)
}

/// The best deadline phrase in a piece of text, resolved against the
/// meeting's year.
pub fn find_deadline(text: &str, meeting_date: NaiveDate) -> Option<DeadlineSuggestion> {
    find_deadlines(text, meeting_date).into_iter().next()
}

/// Deadline phrases found in a piece of text, resolved against the meeting's
/// year (a phrase without a year means the meeting's year); most specific
/// first, and among equally specific ones the latest first:
///
/// * a date: "trước (ngày) 15/8", "chậm nhất ngày 15/8/2022", "hạn … 15/8",
///   "ngày 15 tháng 8 năm 2022", or any full d/m/yyyy date;
/// * a month: "tháng 9", "tháng 9/2022", "tháng 9 năm 2022" → its last day;
/// * a quarter: "quý III", "quý 3", "quý III/2024" → its last day;
/// * a half-year: "6/06/sáu tháng cuối năm" → 31/12, "… đầu năm" → 30/06;
/// * a year: "năm 2022", "trong năm 2022", "cuối năm 2022", "trong năm" → 31/12;
/// * "thường xuyên", "hằng năm": [`Deadline::Ongoing`].
///
/// Not deadlines: a document's date ("Nghị quyết số 45-NQ/TW ngày
/// 24/11/2023"), spans of years ("nhiệm kỳ 2025 - 2027", "năm 2021-2025"),
/// rounds ("đợt 2/2022"), starts ("từ tháng 9"), invalid dates (31/02).
pub fn find_deadlines(text: &str, meeting_date: NaiveDate) -> Vec<DeadlineSuggestion> {
    let doc = Doc::new(text);
    let mut found = scan_deadlines(&doc, 0..doc.tokens.len(), meeting_date.year());
    found.sort_by_key(|f| std::cmp::Reverse(f.rank()));
    found.iter().map(|f| f.suggestion(&doc, false)).collect()
}

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

/// A word (run of letters/digits) or a single punctuation character.
#[derive(Debug, Clone)]
struct Token {
    span: Range<usize>,
    /// Folded form: lowercase, no diacritics.
    folded: String,
    word: bool,
    /// The original carried diacritics (lets "giao" differ from "giáo").
    accented: bool,
    /// Whitespace (or the start of the text) precedes the token.
    space_before: bool,
}

struct Doc<'a> {
    text: &'a str,
    tokens: Vec<Token>,
}

impl<'a> Doc<'a> {
    fn new(text: &'a str) -> Self {
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
    fn tok_at(&self, byte: usize) -> usize {
        self.tokens.partition_point(|t| t.span.start < byte)
    }

    /// Tokens inside a byte range.
    fn toks_in(&self, r: Range<usize>) -> Range<usize> {
        let start = self.tok_at(r.start);
        start..self.tok_at(r.end).max(start)
    }

    /// The folded word at token `i`, if `i < end` and it is a word.
    fn word(&self, i: usize, end: usize) -> Option<&str> {
        if i >= end {
            return None;
        }
        self.tokens
            .get(i)
            .filter(|t| t.word)
            .map(|t| t.folded.as_str())
    }

    fn word_is(&self, i: usize, end: usize, w: &str) -> bool {
        self.word(i, end) == Some(w)
    }

    /// The punctuation character at token `i`, if any.
    fn punct(&self, i: usize, end: usize) -> Option<char> {
        if i >= end {
            return None;
        }
        self.tokens
            .get(i)
            .filter(|t| !t.word)
            .and_then(|t| self.text[t.span.clone()].chars().next())
    }

    /// Token `i` touches the previous token (no whitespace between).
    fn glued(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| !t.space_before)
    }

    /// A number of at most 4 ASCII digits at token `i`.
    fn number(&self, i: usize, end: usize) -> Option<u32> {
        let w = self.word(i, end)?;
        if w.is_empty() || w.len() > 4 || !w.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        w.parse().ok()
    }

    /// A plausible four-digit year at token `i`.
    fn year(&self, i: usize, end: usize) -> Option<i32> {
        let w = self.word(i, end)?;
        let y = self.number(i, end)? as i32;
        (w.len() == 4 && (1900..=2200).contains(&y)).then_some(y)
    }

    /// Whether any token in the range contains a letter (not just digits or punctuation).
    fn has_letter(&self, toks: Range<usize>) -> bool {
        self.tokens.get(toks).is_some_and(|ts| {
            ts.iter()
                .any(|t| t.word && t.folded.chars().any(char::is_alphabetic))
        })
    }

    fn word_count(&self, toks: Range<usize>) -> usize {
        self.tokens
            .get(toks)
            .map_or(0, |ts| ts.iter().filter(|t| t.word).count())
    }

    /// Whether there are at most `limit` words (stops counting early, so it
    /// is cheap on long ranges).
    fn at_most_words(&self, toks: Range<usize>, limit: usize) -> bool {
        self.tokens
            .get(toks)
            .is_none_or(|ts| ts.iter().filter(|t| t.word).nth(limit).is_none())
    }

    /// Byte range of a token range (empty at `fallback` when there are no tokens).
    fn byte_span(&self, toks: Range<usize>, fallback: usize) -> Range<usize> {
        match (
            self.tokens.get(toks.start),
            toks.end.checked_sub(1).and_then(|e| self.tokens.get(e)),
        ) {
            (Some(a), Some(b)) if toks.start < toks.end => a.span.start..b.span.end,
            _ => fallback..fallback,
        }
    }

    /// The range shrunk to its first and last non-whitespace characters.
    fn trim(&self, r: Range<usize>) -> Range<usize> {
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
struct Phrase {
    words: Vec<(String, bool)>,
}

impl Phrase {
    fn new(s: &str) -> Self {
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
    fn at(&self, doc: &Doc, i: usize, end: usize) -> Option<usize> {
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
struct PhraseSet {
    by_first_word: HashMap<String, Vec<Phrase>>,
}

impl PhraseSet {
    fn new(list: &[&str]) -> Self {
        let mut by_first_word: HashMap<String, Vec<Phrase>> = HashMap::new();
        for s in list {
            let p = Phrase::new(s);
            if let Some((first, _)) = p.words.first() {
                by_first_word.entry(first.clone()).or_default().push(p);
            }
        }
        PhraseSet { by_first_word }
    }

    fn candidates<'s>(
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
fn any_at(set: &PhraseSet, doc: &Doc, i: usize, end: usize) -> Option<usize> {
    set.candidates(doc, i, end)
        .filter_map(|p| p.at(doc, i, end))
        .max()
}

/// Whether a phrase of the set spans exactly tokens `i..j`.
fn phrase_spans(set: &PhraseSet, doc: &Doc, i: usize, j: usize, end: usize) -> bool {
    set.candidates(doc, i, end)
        .any(|p| p.at(doc, i, end) == Some(j))
}

struct Lexicon {
    /// Words that open a directive.
    verbs: PhraseSet,
    /// "Một là", "Thứ nhất": always open a new item.
    ordinals: PhraseSet,
    /// Words that may precede the verb of a directive ("Đồng thời, tổ chức …").
    fillers: PhraseSet,
    /// Words before a unit that make it the addressee ("Giao Văn phòng …").
    assign: PhraseSet,
    /// Words before a unit in a header ("Đối với Sở Tài chính:").
    header_prefixes: PhraseSet,
    /// Words that start a unit's name, for headers naming units we do not know.
    unit_types: PhraseSet,
    /// Kinds of documents, whose dates are not deadlines.
    doc_types: PhraseSet,
    /// Words after a name that make it another body ("Ban Tuyên giáo" + "Trung ương").
    qualifiers: PhraseSet,
}

const VERBS: &[&str] = &[
    "tổ chức",
    "ban hành",
    "triển khai",
    "chỉ đạo",
    "phối hợp",
    "hướng dẫn",
    "chuẩn bị",
    "tiếp tục",
    "đẩy mạnh",
    "rà soát",
    "xây dựng",
    "tập trung",
    "tiến hành",
    "quy định",
    "kiểm tra",
    "tăng cường",
    "nâng cao",
    "thực hiện",
    "đôn đốc",
    "theo dõi",
    "tham mưu",
    "hoàn thành",
    "đề xuất",
    "báo cáo",
    "nghiên cứu",
    "phát huy",
    "đổi mới",
    "quán triệt",
    "tuyên truyền",
    "sơ kết",
    "tổng kết",
    "giao",
    "yêu cầu",
    "đề nghị",
    "khẩn trương",
    "chủ động",
    "chủ trì",
    "bảo đảm",
    "đảm bảo",
    "duy trì",
    "củng cố",
    "kiện toàn",
    "bố trí",
    "giải quyết",
    "xử lý",
    "hoàn thiện",
    "cập nhật",
    "định hướng",
    "đánh giá",
    "tổng hợp",
    "thẩm định",
    "phê duyệt",
    "giám sát",
    "thanh tra",
    "sửa đổi",
    "bổ sung",
    "chấn chỉnh",
    "làm tốt",
    "quan tâm",
    "ưu tiên",
    "vận động",
    "phổ biến",
    "tập huấn",
    "bồi dưỡng",
    "lựa chọn",
    "xét chọn",
    "kịp thời",
    "nắm bắt",
    "thường xuyên",
    "tích cực",
    "nghiêm túc",
    "phấn đấu",
    "khắc phục",
    "sắp xếp",
    "thành lập",
    "tham gia",
    "mở rộng",
    "đẩy nhanh",
    "phát động",
    "biên soạn",
    "hỗ trợ",
    "lãnh đạo",
    "khen thưởng",
    "tiếp thu",
    "chịu trách nhiệm",
];

const ORDINALS: &[&str] = &[
    "một là",
    "hai là",
    "ba là",
    "bốn là",
    "năm là",
    "sáu là",
    "bảy là",
    "tám là",
    "chín là",
    "mười là",
    "thứ nhất",
    "thứ hai",
    "thứ ba",
    "thứ tư",
    "thứ năm",
    "thứ sáu",
    "thứ bảy",
    "thứ tám",
    "thứ chín",
    "thứ mười",
];

const FILLERS: &[&str] = &[
    "đồng thời",
    "ngoài ra",
    "bên cạnh đó",
    "sau đó",
    "cần",
    "phải",
    "cần phải",
    "tiếp theo",
];

const ASSIGN: &[&str] = &["giao cho", "giao", "đề nghị", "yêu cầu"];

const HEADER_PREFIXES: &[&str] = &[
    "đối với",
    "riêng",
    "về phía",
    "giao cho",
    "giao",
    "đề nghị",
    "yêu cầu",
];

const UNIT_TYPES: &[&str] = &[
    "sở",
    "ban",
    "văn phòng",
    "ubnd",
    "ủy ban",
    "uỷ ban",
    "phòng",
    "trung tâm",
    "công an",
    "bộ chỉ huy",
    "đài",
    "báo",
    "liên đoàn",
    "tỉnh đoàn",
    "huyện đoàn",
    "thành đoàn",
    "đảng ủy",
    "huyện ủy",
    "thành ủy",
    "thị ủy",
    "tỉnh ủy",
    "cục",
    "chi cục",
    "viện",
    "bệnh viện",
    "kho bạc",
    "ngân hàng",
    "mặt trận",
    "bộ",
    "các sở",
    "các ban",
    "các cơ quan",
    "các đơn vị",
    "các địa phương",
    "hđnd",
    "thường trực",
    "đoàn",
    "công ty",
    "tổng công ty",
    "bảo hiểm",
    "chi nhánh",
    "hội nông dân",
    "hội liên hiệp",
    "hội cựu chiến binh",
    "hội chữ thập đỏ",
    "trường đại học",
    "trường cao đẳng",
    "trường chính trị",
    "ủy ban nhân dân",
    "các huyện",
    "các xã",
];

const DOC_TYPES: &[&str] = &[
    "nghị quyết",
    "quyết định",
    "chỉ thị",
    "kết luận",
    "công văn",
    "kế hoạch",
    "thông báo",
    "thông tư",
    "nghị định",
    "văn bản",
    "tờ trình",
    "hướng dẫn",
    "quy định",
    "chương trình",
    "đề án",
    "luật",
    "quy chế",
    "công điện",
    "thông tri",
];

const QUALIFIERS: &[&str] = &[
    "trung ương",
    "tw",
    "huyện",
    "các huyện",
    "thành ủy",
    "thị ủy",
    "đảng ủy",
    "huyện ủy",
    "xã",
    "phường",
    "thị trấn",
    "các cấp",
    "cấp huyện",
    "cấp xã",
    "cấp cơ sở",
    "quận",
];

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| Lexicon {
        verbs: PhraseSet::new(VERBS),
        ordinals: PhraseSet::new(ORDINALS),
        fillers: PhraseSet::new(FILLERS),
        assign: PhraseSet::new(ASSIGN),
        header_prefixes: PhraseSet::new(HEADER_PREFIXES),
        unit_types: PhraseSet::new(UNIT_TYPES),
        doc_types: PhraseSet::new(DOC_TYPES),
        qualifiers: PhraseSet::new(QUALIFIERS),
    })
}

// ---------------------------------------------------------------------------
// Units
// ---------------------------------------------------------------------------

struct UnitHit {
    unit: usize,
    toks: Range<usize>,
}

struct NameCandidate {
    unit: usize,
    words: Vec<String>,
    /// The name itself says its level ("… Tỉnh ủy"), so no qualifier check.
    has_level: bool,
}

/// Finds unit names and aliases in token streams: whole words, folded,
/// leftmost-longest.
struct UnitMatcher {
    by_first_word: HashMap<String, Vec<NameCandidate>>,
}

const LEVEL_WORDS: &[&str] = &[
    "tinh", "tu", "trung", "uong", "tw", "huyen", "xa", "phuong", "thanh", "thi", "quan", "tp",
    "ubnd",
];

impl UnitMatcher {
    fn new(units: &[UnitName]) -> Self {
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
    fn match_at(&self, doc: &Doc, i: usize, end: usize) -> Option<UnitHit> {
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

    /// All unit names in a token range; a name inside a longer matched name
    /// does not count separately.
    fn find_all(&self, doc: &Doc, toks: Range<usize>) -> Vec<UnitHit> {
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
fn match_words(doc: &Doc, i: usize, end: usize, words: &[String]) -> Option<usize> {
    let mut j = i;
    for (k, w) in words.iter().enumerate() {
        if k > 0 {
            while matches!(doc.punct(j, end), Some('-' | '–' | '—')) {
                j += 1;
            }
        }
        if doc.word(j, end)? != w {
            return None;
        }
        j += 1;
    }
    Some(j)
}

fn names_other_level(doc: &Doc, i: usize, end: usize) -> bool {
    let lex = lexicon();
    match any_at(&lex.qualifiers, doc, i, end) {
        // "xã hội" (society) is not "xã" (commune).
        Some(_) if doc.word_is(i, end, "xa") && doc.word_is(i + 1, end, "hoi") => false,
        Some(_) => true,
        None => false,
    }
}

// ---------------------------------------------------------------------------
// Lines, list markers and blocks
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkerKind {
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
    fn is_bullet(self) -> bool {
        matches!(
            self,
            MarkerKind::Dash | MarkerKind::Plus | MarkerKind::Bullet | MarkerKind::Star
        )
    }
}

struct Line {
    /// First non-whitespace byte (== `last` for a blank line).
    first: usize,
    /// End of the last non-whitespace character.
    last: usize,
    indent: usize,
    marker: Option<(MarkerKind, usize)>,
}

fn split_lines(text: &str) -> Vec<Line> {
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
fn parse_marker(text: &str, first: usize, last: usize) -> Option<(MarkerKind, usize)> {
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

fn is_roman(s: &str) -> bool {
    (1..=5).contains(&s.len()) && s.chars().all(|c| matches!(c, 'I' | 'V' | 'X'))
}

fn is_lower_roman(s: &str) -> bool {
    (2..=5).contains(&s.len()) && s.chars().all(|c| matches!(c, 'i' | 'v' | 'x'))
}

/// `1.`, `2)`, `1.2.`, `1.2` (nested numbers need a following capital).
fn parse_number_marker(s: &str) -> Option<(MarkerKind, usize)> {
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
fn parse_letter_marker(s: &str) -> Option<(MarkerKind, usize)> {
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
struct ListItem {
    span: Range<usize>,
    indent: usize,
    kind: MarkerKind,
    content: usize,
}

enum BlockKind {
    /// A list item: its marker and where its content starts.
    List {
        kind: MarkerKind,
        content: usize,
    },
    Prose,
}

/// A list item (marker line plus continuation lines) or a run of prose lines.
struct Block {
    kind: BlockKind,
    span: Range<usize>,
    indent: usize,
}

/// Whether `…` followed by a capital ends a sentence (and may start a new
/// item). DESIGN.md says "`…` stays intact"; the stricter reading (never
/// split after `…`) would merge "… Quốc hội khóa XV… Tổ chức Tọa đàm …" in
/// the reference speech into one item. We split: after an enumeration's
/// `…`, a capitalised action verb starts a new directive.
const SPLIT_AFTER_ELLIPSIS: bool = true;

const TERMINAL: &[char] = &['.', ';', ':', '!', '?', '…'];

// ---------------------------------------------------------------------------
// Protected regions: quotes and parentheses
// ---------------------------------------------------------------------------

/// Unbalanced quotes must not swallow the rest of the text: an opener that
/// is not closed within this many bytes is forgotten.
const MAX_QUOTE_BYTES: usize = 1500;
const MAX_NESTING: usize = 16;

fn closes(open: char, c: char) -> bool {
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
fn protected_regions(text: &str, span: Range<usize>) -> Vec<Range<usize>> {
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

/// What a header or lead-in says about the unit of the lines under it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum HeaderUnit {
    #[default]
    None,
    /// A header naming a unit we do not know ("- Sở Xây dựng:"): the items
    /// under it belong to that unit, so no outer unit applies.
    Unknown,
    Known {
        lead: usize,
        others: Vec<usize>,
    },
}

#[derive(Debug, Clone, Default)]
struct Inherited {
    unit: HeaderUnit,
    deadline: Option<DeadlineSuggestion>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    LeadIn,
    Marker(MarkerKind),
}

/// One level of the open list structure (or a prose lead-in).
struct Frame {
    indent: usize,
    kind: FrameKind,
    header: bool,
    unit: HeaderUnit,
    deadline: Option<DeadlineSuggestion>,
}

enum SegKind {
    Item(Inherited),
    Context,
}

/// A piece of output before the items are analysed.
struct Seg {
    span: Range<usize>,
    /// Where the item's text starts (after its list marker).
    content: usize,
    kind: SegKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CutKind {
    Semicolon,
    Sentence,
    /// `eol`: nothing but whitespace follows on the line.
    Colon {
        eol: bool,
    },
}

struct Cut {
    at: usize,
    kind: CutKind,
}

struct Parser<'d, 'a> {
    doc: &'d Doc<'a>,
    units: &'d UnitMatcher,
    lex: &'static Lexicon,
    year: i32,
    segs: Vec<Seg>,
    stack: Vec<Frame>,
}

impl Parser<'_, '_> {
    fn run(&mut self) {
        let lines = split_lines(self.doc.text);
        let blocks = self.group_blocks(&lines);
        for (k, block) in blocks.iter().enumerate() {
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

    fn group_blocks(&self, lines: &[Line]) -> Vec<Block> {
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
    fn continues_block(&self, b: &Block, line: &Line) -> bool {
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
    /// a directive: a title, if lines follow under it.
    fn is_title(&self, content: Range<usize>) -> bool {
        let doc = self.doc;
        let toks = doc.toks_in(content.clone());
        let body = doc.text.get(content).unwrap_or("").trim_end();
        doc.has_letter(toks.clone())
            && !body.ends_with(TERMINAL)
            && !body.ends_with(',')
            && doc.at_most_words(toks.clone(), 8)
            && !self.verb_at(toks.start, toks.end)
    }

    /// Whether the block after a list item would sit under it: prose, or a
    /// deeper list, or a list marker of a kind not open at that indent.
    fn opens_under(&self, next: &Block, indent: usize, kind: MarkerKind) -> bool {
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
    /// is not an item of its own: it joins the segment before it.
    fn emit(&mut self, span: Range<usize>, content: usize, kind: SegKind) {
        let span = self.doc.trim(span);
        if span.is_empty() {
            return;
        }
        let content = content.clamp(span.start, span.end);
        if !self.doc.has_letter(self.doc.toks_in(content..span.end)) {
            if let Some(last) = self.segs.last_mut() {
                last.span.end = last.span.end.max(span.end);
                return;
            }
            self.segs.push(Seg {
                span,
                content,
                kind: SegKind::Context,
            });
            return;
        }
        self.segs.push(Seg {
            span,
            content,
            kind,
        });
    }

    fn inherited(&self) -> Inherited {
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

    /// The deadline a header or lead-in passes on to the items under it.
    fn header_deadline(&self, toks: Range<usize>) -> Option<DeadlineSuggestion> {
        best(scan_deadlines(self.doc, toks, self.year)).map(|f| f.suggestion(self.doc, true))
    }

    // ---- list items ----

    fn list_item(&mut self, item: ListItem, next: Option<&Block>) {
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
            self.emit(span, content, SegKind::Item(inh));
        }
        self.stack.push(frame);
    }

    /// Closes the list levels that a marker at this indent and of this kind
    /// ends. A marker of a kind already open at the same indent is a sibling;
    /// a new kind is a child. Bullets of the same kind right under a bullet
    /// header ("- Sở Tài chính:" then "- Rà soát …") are its items.
    fn place_marker(&mut self, indent: usize, kind: MarkerKind, is_header: bool) {
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
    fn inline_unit_header(&self, content: Range<usize>) -> Option<(usize, HeaderUnit)> {
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
    fn is_caps_heading(&self, toks: Range<usize>) -> bool {
        let doc = self.doc;
        if doc.word_count(toks.clone()) < 2 {
            return false;
        }
        let span = doc.byte_span(toks, 0);
        let s = doc.text.get(span).unwrap_or("");
        let letters = s.chars().filter(|c| c.is_alphabetic()).count();
        letters >= 4 && !s.chars().any(char::is_lowercase)
    }

    // ---- headers and units named by them ----

    /// A header that is (mostly) a unit's name: "Sở Tài chính",
    /// "Đối với Văn phòng Tỉnh ủy". `Unknown` when it looks like a unit we do
    /// not know.
    fn unit_header(&self, toks: Range<usize>) -> HeaderUnit {
        let doc = self.doc;
        let end = toks.end;
        let mut i = toks.start;
        while let Some(j) = any_at(&self.lex.header_prefixes, doc, i, end) {
            i = j;
        }
        let hits = self.units.find_all(doc, i..end);
        if let Some(first) = hits.first().filter(|h| h.toks.start == i) {
            let covered: usize = hits.iter().map(|h| doc.word_count(h.toks.clone())).sum();
            let connectors = (i..end)
                .filter(|&k| matches!(doc.word(k, end), Some("va" | "cac" | "cung")))
                .count();
            let leftover = doc.word_count(i..end).saturating_sub(covered + connectors);
            if leftover <= 2 {
                let mut others: Vec<usize> = hits[1..].iter().map(|h| h.unit).collect();
                others.retain(|&u| u != first.unit);
                return HeaderUnit::Known {
                    lead: first.unit,
                    others,
                };
            }
        }
        // Short, so that "Các đơn vị tập trung các việc sau" is not a name.
        if !self.verb_at(i, end)
            && any_at(&self.lex.unit_types, doc, i, end).is_some()
            && doc.at_most_words(i..end, 6)
        {
            return HeaderUnit::Unknown;
        }
        HeaderUnit::None
    }

    /// The unit a lead-in or header hands its items to: a unit header, or
    /// "Giao <unit> …:", or "<unit> chủ trì …:". A speaker named in a lead-in
    /// ("Trưởng Ban Tuyên giáo Tỉnh ủy … đề nghị:") is not.
    fn lead_in_unit(&self, toks: Range<usize>) -> HeaderUnit {
        let unit = self.unit_header(toks.clone());
        if unit != HeaderUnit::None {
            return unit;
        }
        let doc = self.doc;
        if let Some(i) = any_at(&self.lex.assign, doc, toks.start, toks.end) {
            if let Some(h) = self.units.match_at(doc, i, toks.end) {
                return HeaderUnit::Known {
                    lead: h.unit,
                    others: Vec::new(),
                };
            }
        }
        self.units
            .find_all(doc, toks.clone())
            .into_iter()
            .find(|h| followed_by_chu_tri(doc, h.toks.end, toks.end))
            .map_or(HeaderUnit::None, |h| HeaderUnit::Known {
                lead: h.unit,
                others: Vec::new(),
            })
    }

    // ---- prose ----

    /// Prose right under a list header belongs to that header; after an
    /// ordinary list item it is back at the top level (under the lead-ins).
    fn enter_prose(&mut self) {
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
    fn push_lead_in(&mut self, frame: Frame) {
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

    fn prose(&mut self, span: Range<usize>, indent: usize) {
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
                CutKind::Semicolon | CutKind::Sentence => active[k] = starts[k + 1],
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

    fn prose_segment(&mut self, r: Range<usize>, lead_in: bool, indent: usize) {
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
    fn find_cuts(&self, span: Range<usize>, regions: &[Range<usize>]) -> Vec<Cut> {
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
    fn starts_item(&self, piece: Range<usize>) -> bool {
        let doc = self.doc;
        let toks = doc.toks_in(doc.trim(piece));
        let end = toks.end;
        let mut i = skip_inline_marker(doc, toks.start, end);
        if any_at(&self.lex.ordinals, doc, i, end).is_some() {
            return true;
        }
        for _ in 0..2 {
            if let Some(j) = any_at(&self.lex.fillers, doc, i, end) {
                i = j;
                while doc.punct(i, end) == Some(',') {
                    i += 1;
                }
            }
        }
        self.verb_at(i, end) || self.units.match_at(doc, i, end).is_some()
    }

    /// An action verb at token `i`. "Giao" (assign) followed by "thông" or
    /// "dịch" is traffic or a transaction, not an assignment.
    fn verb_at(&self, i: usize, end: usize) -> bool {
        let doc = self.doc;
        match any_at(&self.lex.verbs, doc, i, end) {
            Some(j) if j == i + 1 && doc.word_is(i, end, "giao") => {
                !matches!(doc.word(j, end), Some("thong" | "dich"))
            }
            Some(_) => true,
            None => false,
        }
    }

    // ---- final analysis of items ----

    fn finish(mut self, units: &[UnitName]) -> Proposal {
        let segs = std::mem::take(&mut self.segs);
        let mut proposal = Proposal {
            items: Vec::new(),
            context: Vec::new(),
        };
        for seg in segs {
            let text_of = |r: Range<usize>| self.doc.text.get(r).unwrap_or("");
            match &seg.kind {
                SegKind::Context => proposal.context.push(ContextPiece {
                    text: collapse_whitespace(text_of(seg.span.clone())),
                    span: seg.span,
                }),
                SegKind::Item(inh) => {
                    let content = seg.content.clamp(seg.span.start, seg.span.end)..seg.span.end;
                    let toks = self.doc.toks_in(content.clone());
                    let own = best(scan_deadlines(self.doc, toks.clone(), self.year))
                        .map(|f| f.suggestion(self.doc, false));
                    let (lead, coordinators) = self.assign_units(toks, &inh.unit);
                    let code = |u: usize| units.get(u).map(|u| u.code.clone());
                    proposal.items.push(ProposedItem {
                        text: clean_item_text(text_of(content)),
                        span: seg.span.clone(),
                        lead_unit: lead.and_then(code),
                        coordinators: coordinators.into_iter().filter_map(code).collect(),
                        deadline: own.or_else(|| inh.deadline.clone()),
                    });
                }
            }
        }
        proposal
    }

    /// Lead and coordinating units of one item, as unit indices. The lead is:
    /// the unit that "chủ trì"; else the unit the item starts with ("Giao Sở
    /// Tài chính …"); else the header's unit; else the first unit named that
    /// is not a coordinator. Units after "phối hợp (với)" coordinate.
    fn assign_units(&self, toks: Range<usize>, header: &HeaderUnit) -> (Option<usize>, Vec<usize>) {
        let doc = self.doc;
        let end = toks.end;
        let hits = self.units.find_all(doc, toks.clone());
        let mut coords = coordinator_units(doc, toks.clone(), &hits);

        let start = self.skip_item_prefixes(toks.start, end);
        let lead = hits
            .iter()
            .find(|h| followed_by_chu_tri(doc, h.toks.end, end))
            .or_else(|| {
                hits.first()
                    .filter(|h| h.toks.start == start && !coords.contains(&h.unit))
            })
            .map(|h| h.unit)
            .or(match header {
                HeaderUnit::Known { lead, .. } => Some(*lead),
                _ => None,
            })
            .or_else(|| match header {
                HeaderUnit::Unknown => None,
                _ => hits
                    .iter()
                    .find(|h| !coords.contains(&h.unit))
                    .map(|h| h.unit),
            });

        if let HeaderUnit::Known { others, .. } = header {
            coords.extend(others.iter().copied());
        }
        let mut seen = Vec::new();
        coords.retain(|u| {
            Some(*u) != lead && !seen.contains(u) && {
                seen.push(*u);
                true
            }
        });
        (lead, coords)
    }

    /// Skips what may precede an addressed unit at the start of an item:
    /// inline markers, ordinals, "Giao", "Đề nghị", "Đối với" …
    fn skip_item_prefixes(&self, mut i: usize, end: usize) -> usize {
        let doc = self.doc;
        i = skip_inline_marker(doc, i, end);
        if let Some(j) = any_at(&self.lex.ordinals, doc, i, end) {
            i = j;
        }
        while doc.punct(i, end) == Some(',') {
            i += 1;
        }
        while let Some(j) = any_at(&self.lex.header_prefixes, doc, i, end) {
            i = j;
        }
        i
    }
}

fn without_trailing_colon(doc: &Doc, toks: Range<usize>) -> Range<usize> {
    if toks.end > toks.start && doc.punct(toks.end - 1, toks.end) == Some(':') {
        toks.start..toks.end - 1
    } else {
        toks
    }
}

fn followed_by_space(text: &str, at: usize, limit: usize) -> bool {
    at >= limit
        || text
            .get(at..limit)
            .is_some_and(|s| s.starts_with(char::is_whitespace))
}

/// After a sentence-ending mark at `at`: whitespace, then a capital letter
/// or a digit. ("… followed by lowercase" is a pause, not an end.)
fn sentence_follows(text: &str, at: usize, limit: usize) -> bool {
    let Some(rest) = text.get(at..limit) else {
        return false;
    };
    if !rest.starts_with(char::is_whitespace) {
        return false;
    }
    rest.trim_start()
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// "TP. Phủ Lý", "ThS. Nguyễn …", "v.v. Tổ chức": the dot is not a sentence end.
fn abbreviation_before(text: &str, dot: usize) -> bool {
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

/// "2" in "; 2. Ban hành …": a number or letter alone before the dot.
fn is_inline_marker(piece: &str) -> bool {
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
fn skip_inline_marker(doc: &Doc, i: usize, end: usize) -> usize {
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

fn followed_by_chu_tri(doc: &Doc, mut i: usize, end: usize) -> bool {
    while matches!(doc.punct(i, end), Some(',' | '(')) {
        i += 1;
    }
    doc.word_is(i, end, "chu") && doc.word_is(i + 1, end, "tri")
}

/// Units named after "phối hợp (với)", "có sự phối hợp của": the run of
/// units separated only by connectors ("và", "các", ",", "đơn vị" …).
fn coordinator_units(doc: &Doc, toks: Range<usize>, hits: &[UnitHit]) -> Vec<usize> {
    const CONNECTORS: &[&str] = &[
        "va", "cac", "cung", "voi", "co", "quan", "don", "vi", "dia", "phuong", "lien", "nganh",
        "so", "ban", "doan", "the", "huu", "chat", "che",
    ];
    let end = toks.end;
    let hit_at = |j: usize| {
        hits.binary_search_by(|h| h.toks.start.cmp(&j))
            .ok()
            .map(|k| &hits[k])
    };
    let mut out = Vec::new();
    let mut i = toks.start;
    while i < end {
        if !(doc.word_is(i, end, "phoi") && doc.word_is(i + 1, end, "hop")) {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        // "phối hợp (chặt chẽ) với", "có sự phối hợp của"
        for look in 0..3 {
            if hit_at(j + look).is_some() {
                break;
            }
            if matches!(doc.word(j + look, end), Some("voi" | "cua")) {
                j += look + 1;
                break;
            }
        }
        let mut gap = 0;
        while j < end {
            if let Some(h) = hit_at(j) {
                out.push(h.unit);
                j = h.toks.end;
                gap = 0;
            } else if gap < 8
                && (doc.word(j, end).is_some_and(|w| CONNECTORS.contains(&w))
                    || matches!(doc.punct(j, end), Some(',' | '-')))
            {
                j += 1;
                gap += 1;
            } else {
                break;
            }
        }
        i = j.max(i + 2);
    }
    out
}

/// Whitespace runs become single spaces.
fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Item text: whitespace collapsed, the end-of-document mark `./.` and a
/// trailing `;` `.` `,` removed (an ellipsis stays: it is part of the text).
fn clean_item_text(s: &str) -> String {
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
fn repair_coverage(text: &str, segs: &mut Vec<Seg>) {
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
            }),
        }
    }
    segs.retain(|s| s.span.start < s.span.end);
}

fn trim_range(text: &str, r: Range<usize>) -> Range<usize> {
    let s = text.get(r.clone()).unwrap_or("");
    let start = r.start + (s.len() - s.trim_start().len());
    let end = r.end - (s.len() - s.trim_end().len());
    start..end.max(start)
}

// ---------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------

/// How specific a deadline phrase is; the most specific one wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precision {
    Ongoing,
    Year,
    HalfYear,
    Quarter,
    Month,
    Day,
}

#[derive(Debug, Clone)]
struct Found {
    precision: Precision,
    deadline: Deadline,
    /// Tokens of the phrase.
    toks: Range<usize>,
}

impl Found {
    fn rank(&self) -> (Precision, Option<NaiveDate>) {
        match self.deadline {
            Deadline::On(d) => (self.precision, Some(d)),
            Deadline::Ongoing => (self.precision, None),
        }
    }

    fn suggestion(&self, doc: &Doc, from_lead_in: bool) -> DeadlineSuggestion {
        let span = doc.byte_span(self.toks.clone(), 0);
        DeadlineSuggestion {
            deadline: self.deadline.clone(),
            phrase: doc.text.get(span).unwrap_or("").to_string(),
            from_lead_in,
        }
    }
}

/// The most specific phrase; among equals, the latest date (the last
/// milestone of a task is its deadline).
fn best(found: Vec<Found>) -> Option<Found> {
    found.into_iter().max_by(|a, b| a.rank().cmp(&b.rank()))
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month >= 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

fn end_of_year(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 12, 31)
}

enum Scan {
    Hit(Found, usize),
    /// Tokens read but not a deadline (a document's date, a range of years):
    /// skip them so that their parts are not read again.
    Skip(usize),
    Nothing,
}

fn scan_deadlines(doc: &Doc, toks: Range<usize>, year: i32) -> Vec<Found> {
    let scanner = DeadlineScanner {
        doc,
        start: toks.start,
        end: toks.end.min(doc.tokens.len()),
        year,
    };
    let mut out = Vec::new();
    let mut i = scanner.start;
    while i < scanner.end {
        match scanner.at(i) {
            Scan::Hit(f, next) => {
                out.push(f);
                i = next.max(i + 1);
            }
            Scan::Skip(next) => i = next.max(i + 1),
            Scan::Nothing => i += 1,
        }
    }
    out
}

struct DeadlineScanner<'d, 'a> {
    doc: &'d Doc<'a>,
    start: usize,
    end: usize,
    year: i32,
}

impl DeadlineScanner<'_, '_> {
    fn word(&self, i: usize) -> Option<&str> {
        if i < self.start {
            return None;
        }
        self.doc.word(i, self.end)
    }

    fn is(&self, i: usize, w: &str) -> bool {
        self.word(i) == Some(w)
    }

    fn punct(&self, i: usize) -> Option<char> {
        if i < self.start {
            return None;
        }
        self.doc.punct(i, self.end)
    }

    fn number(&self, i: usize) -> Option<u32> {
        self.doc.number(i, self.end)
    }

    fn year_at(&self, i: usize) -> Option<i32> {
        self.doc.year(i, self.end)
    }

    fn hit(precision: Precision, date: Option<NaiveDate>, toks: Range<usize>) -> Scan {
        match date {
            Some(d) => {
                let next = toks.end;
                Scan::Hit(
                    Found {
                        precision,
                        deadline: Deadline::On(d),
                        toks,
                    },
                    next,
                )
            }
            None => Scan::Skip(toks.end),
        }
    }

    fn at(&self, i: usize) -> Scan {
        let Some(w) = self.word(i) else {
            return Scan::Nothing;
        };
        match w {
            "ngay" => self.long_date(i),
            "thang" => self.month(i),
            "quy" => self.quarter(i),
            "nua" | "sau" => self.half_year(i),
            "nam" => self.year_phrase(i),
            "thuong" if self.is(i + 1, "xuyen") => self.ongoing(i, i + 2),
            "hang" if self.is(i + 1, "nam") => self.ongoing(i, i + 2),
            _ if self.number(i).is_some() => match self.half_year(i) {
                Scan::Nothing => self.numeric_date(i),
                found => found,
            },
            _ => Scan::Nothing,
        }
    }

    fn ongoing(&self, start: usize, end: usize) -> Scan {
        Scan::Hit(
            Found {
                precision: Precision::Ongoing,
                deadline: Deadline::Ongoing,
                toks: start..end,
            },
            end,
        )
    }

    /// "từ tháng 9", "từ năm 2022": a start, not a deadline.
    fn after_tu(&self, i: usize) -> bool {
        let Some(t) = i
            .checked_sub(1)
            .filter(|&p| p >= self.start)
            .and_then(|p| self.doc.tokens.get(p))
        else {
            return false;
        };
        t.word
            && t.folded == "tu"
            && (!t.accented || text::lower_nfc(&self.doc.text[t.span.clone()]) == "từ")
    }

    /// An optional year after a month, quarter or half-year: "/2022",
    /// "năm 2022", "năm nay". Returns the year and the next token.
    /// `None` for a number that is no plausible year ("năm 9999").
    fn year_suffix(&self, j: usize) -> (Option<i32>, usize) {
        if self.punct(j) == Some('/')
            && self.doc.glued(j)
            && self.doc.glued(j + 1)
            && self.number(j + 1).is_some()
        {
            return (self.year_at(j + 1), j + 2);
        }
        if self.is(j, "nam") {
            if self.number(j + 1).is_some() {
                return (self.year_at(j + 1), j + 2);
            }
            if self.is(j + 1, "nay") {
                return (Some(self.year), j + 2);
            }
        }
        (Some(self.year), j)
    }

    /// "tháng 9", "tháng 9/2022", "tháng 9 năm 2022" → last day of the month.
    fn month(&self, i: usize) -> Scan {
        // "6 tháng" is a duration, not a month.
        if i > self.start && self.number(i - 1).is_some() {
            return Scan::Nothing;
        }
        let Some(m) = self.number(i + 1).filter(|m| (1..=12).contains(m)) else {
            return Scan::Nothing;
        };
        let (y, next) = self.year_suffix(i + 2);
        let Some(y) = y.filter(|_| !self.after_tu(i)) else {
            return Scan::Skip(next);
        };
        Self::hit(Precision::Month, last_day_of_month(y, m), i..next)
    }

    /// "quý III", "quý 3", "quý III/2024", "quý III năm 2024" → end of quarter.
    fn quarter(&self, i: usize) -> Scan {
        let q = match self.word(i + 1) {
            Some("i" | "1") => 1,
            Some("ii" | "2") => 2,
            Some("iii" | "3") => 3,
            Some("iv" | "4" | "tu") => 4,
            _ => return Scan::Nothing,
        };
        let (y, next) = self.year_suffix(i + 2);
        let Some(y) = y.filter(|_| !self.after_tu(i)) else {
            return Scan::Skip(next);
        };
        Self::hit(Precision::Quarter, last_day_of_month(y, q * 3), i..next)
    }

    /// "6 tháng cuối năm", "06 tháng đầu năm 2022", "sáu tháng …", "nửa cuối năm".
    fn half_year(&self, i: usize) -> Scan {
        let j = if self.is(i, "nua") {
            i + 1
        } else if self.is(i + 1, "thang") {
            i + 2
        } else {
            return Scan::Nothing;
        };
        let month = match self.word(j) {
            Some("cuoi") => 12,
            Some("dau") => 6,
            _ => return Scan::Nothing,
        };
        if !self.is(j + 1, "nam") {
            return Scan::Nothing;
        }
        // The year may follow "năm" directly: "… cuối năm 2022".
        let (y, next) = match self.year_at(j + 2) {
            Some(y) => (y, j + 3),
            None if self.is(j + 2, "nay") => (self.year, j + 3),
            None if self.number(j + 2).is_some() => return Scan::Skip(j + 3),
            None => (self.year, j + 2),
        };
        Self::hit(Precision::HalfYear, last_day_of_month(y, month), i..next)
    }

    /// "năm 2022", "trong năm 2022", "cuối năm 2022", "trong năm", "năm nay"
    /// → 31/12. Not "năm 2021-2025" (a span) nor "từ năm 2022".
    fn year_phrase(&self, i: usize) -> Scan {
        let prefix = matches!(
            self.word(i.wrapping_sub(1)),
            Some("trong" | "cuoi" | "den" | "het" | "ca")
        );
        let start = if prefix { i - 1 } else { i };
        if let Some(y) = self.year_at(i + 1) {
            if matches!(self.punct(i + 2), Some('-' | '–' | '—')) && self.number(i + 3).is_some()
            {
                return Scan::Skip(i + 4);
            }
            if self.after_tu(i) {
                return Scan::Skip(i + 2);
            }
            return Self::hit(Precision::Year, end_of_year(y), start..i + 2);
        }
        if self.is(i + 1, "nay") {
            return Self::hit(Precision::Year, end_of_year(self.year), start..i + 2);
        }
        // "trong năm" / "cuối năm" alone, but not "trong năm qua", "năm học" …
        let bare = matches!(self.word(i.wrapping_sub(1)), Some("trong" | "cuoi"))
            && !matches!(
                self.word(i + 1),
                Some("qua" | "truoc" | "toi" | "sau" | "hoc" | "ke")
            )
            && self.number(i + 1).is_none();
        if bare {
            return Self::hit(Precision::Year, end_of_year(self.year), start..i + 1);
        }
        Scan::Nothing
    }

    /// "ngày 15 tháng 8 năm 2022".
    fn long_date(&self, i: usize) -> Scan {
        // "ngày 15/8" is read as a numeric date at its own token.
        let Some(d) = self.number(i + 1) else {
            return Scan::Nothing;
        };
        if !self.is(i + 2, "thang") {
            return Scan::Nothing;
        }
        let Some(m) = self.number(i + 3) else {
            return Scan::Nothing;
        };
        let (y, next, has_year) = match self.year_suffix(i + 4) {
            (Some(y), next) if next > i + 4 => (y, next, true),
            (Some(y), next) => (y, next, false),
            (None, next) => return Scan::Skip(next),
        };
        match self.date_role(i, next, has_year) {
            Some(start) => Self::hit(
                Precision::Day,
                NaiveDate::from_ymd_opt(y, m, d),
                start..next,
            ),
            None => Scan::Skip(next),
        }
    }

    /// "15/8", "15/8/2022" (or "/22").
    fn numeric_date(&self, i: usize) -> Scan {
        let doc = self.doc;
        let glued = |k: usize| doc.glued(k);
        let Some(d) = self.number(i) else {
            return Scan::Nothing;
        };
        if !(self.punct(i + 1) == Some('/') && glued(i + 1) && glued(i + 2)) {
            return Scan::Nothing;
        }
        let Some(m) = self.number(i + 2) else {
            return Scan::Nothing;
        };
        let (y, next, has_year) = if self.punct(i + 3) == Some('/') && glued(i + 3) && glued(i + 4)
        {
            match (self.word(i + 4), self.number(i + 4)) {
                (Some(w), Some(y)) if w.len() == 4 && self.year_at(i + 4).is_some() => {
                    (y as i32, i + 5, true)
                }
                (Some(w), Some(y)) if w.len() == 2 => (2000 + y as i32, i + 5, true),
                _ => return Scan::Skip(i + 5),
            }
        } else {
            (self.year, i + 3, false)
        };
        // Part of a code ("12/2022/NĐ-CP", "số 5/8-KH"): not a date.
        let in_code = (i > self.start && matches!(self.punct(i - 1), Some('/' | '-')) && glued(i))
            || (matches!(self.punct(next), Some('/' | '-')) && glued(next));
        if in_code {
            return Scan::Skip(next);
        }
        // "đợt 2/2022": a month and year without "tháng" is a round, not a date.
        if !(1..=31).contains(&d) || !(1..=12).contains(&m) {
            return Scan::Skip(next);
        }
        match self.date_role(i, next, has_year) {
            Some(start) => Self::hit(
                Precision::Day,
                NaiveDate::from_ymd_opt(y, m, d),
                start..next,
            ),
            None => Scan::Skip(next),
        }
    }

    /// Whether the date at tokens `first..next` is a deadline, and where its
    /// phrase starts. A deadline is announced ("trước", "chậm nhất", "hạn",
    /// "xong", "đến") or is a full date or "ngày …" that does not identify
    /// a document ("Quyết định số 238-QĐ/TW, ngày 30/9/2020 của Ban Bí thư").
    fn date_role(&self, first: usize, next: usize, has_year: bool) -> Option<usize> {
        let with_ngay = if self.is(first, "ngay") {
            first
        } else if first > self.start && self.is(first - 1, "ngay") {
            first - 1
        } else {
            first
        };
        let mut p = with_ngay;
        while p > self.start && matches!(self.punct(p - 1), Some(',' | ':')) {
            p -= 1;
        }
        let prev = p.checked_sub(1).filter(|&q| q >= self.start);
        if self.after_tu(p) {
            return None;
        }
        if let Some(t) = self.trigger_before(p) {
            return Some(t);
        }
        if prev.is_some_and(|q| self.identifies_document(q)) || self.is(next, "cua") {
            return None;
        }
        (has_year || with_ngay < first || self.is(first, "ngay")).then_some(with_ngay)
    }

    /// A deadline word among the few words before token `p`; returns where
    /// the phrase starts.
    fn trigger_before(&self, p: usize) -> Option<usize> {
        let mut q = p;
        let mut words = 0;
        while q > self.start && words < 3 {
            q -= 1;
            match self.punct(q) {
                Some(',' | ':') => continue,
                Some(_) => return None,
                None => {}
            }
            words += 1;
            match self.word(q) {
                Some("truoc" | "xong" | "den") => return Some(q),
                Some("han") => {
                    return Some(if self.is(q.wrapping_sub(1), "thoi") {
                        q - 1
                    } else {
                        q
                    })
                }
                Some("nhat") if self.is(q.wrapping_sub(1), "cham") => return Some(q - 1),
                _ => {}
            }
        }
        None
    }

    /// Token `q` ends a document reference: a code like "238-QĐ/TW", "số 12",
    /// or a document type ("Công văn ngày …").
    fn identifies_document(&self, q: usize) -> bool {
        let doc = self.doc;
        // The run of tokens without spaces that ends at q.
        let mut s = q;
        while s > self.start && doc.glued(s) {
            s -= 1;
        }
        let run = s..q + 1;
        let has = |f: &dyn Fn(&Token) -> bool| {
            doc.tokens
                .get(run.clone())
                .is_some_and(|ts| ts.iter().any(f))
        };
        let code = has(&|t| !t.word && (t.folded == "/" || t.folded == "-"))
            && has(&|t| t.word && t.folded.chars().any(|c| c.is_ascii_digit()))
            && has(&|t| t.word && t.folded.chars().any(char::is_alphabetic));
        if code {
            return true;
        }
        if self.number(q).is_some() && self.is(q.wrapping_sub(1), "so") {
            return true;
        }
        let lex = lexicon();
        (q.saturating_sub(2)..=q)
            .any(|k| k >= self.start && phrase_spans(&lex.doc_types, doc, k, q + 1, self.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The closing speech of the reference scenario (seed article, Hà Nam, 07/7/2022).
    const SEED_SPEECH: &str = r#"Phát biểu kết luận hội nghị, Trưởng Ban Tuyên giáo Tỉnh ủy Lê Thị Thanh Hà đề nghị hệ thống tuyên giáo trong tỉnh tập trung thực hiện tốt những nhiệm vụ trọng tâm 06 tháng cuối năm: Tổ chức quán triệt, học tập, triển khai các nghị quyết, chỉ thị, kết luận của trung ương, của tỉnh bảo đảm đúng thời gian, chất lượng; tổ chức hội nghị bồi dưỡng chuyên đề cập nhật kiến thức mới cho đội ngũ cán bộ chủ chốt của tỉnh (đợt 2/2022); ban hành Quy chế hoạt động báo cáo viên, tuyên truyền viên của Đảng; quy định chức năng, nhiệm vụ, tổ chức và hoạt động của Ban Tuyên giáo xã, phường, thị trấn trên địa bàn tỉnh; ban hành Chỉ thị về “Nâng cao chất lượng công tác khoa giáo trong tình hình mới"; tổ chức đánh giá, xét chọn các tác phẩm dự thi “Búa liềm vàng" lần thứ VII năm 2022; tiến hành sơ kết, tổng kết các nghị quyết, chỉ thị thuộc lĩnh vực tuyên giáo. Chuẩn bị nội dung hội nghị làm việc với đoàn công tác của Ban Tuyên giáo Trung ương về triển khai thực hiện các nhiệm vụ công tác tuyên giáo trên địa bàn tỉnh Hà Nam. Phối hợp với Văn phòng Tỉnh ủy và các đơn vị, địa phương tạo điều kiện cho Trung tâm Phim Tài liệu và Phóng sự - Đài Truyền hình Việt Nam sản xuất chương trình “Khát vọng phát triển" tại Hà Nam; VTC10, Đài Truyền hình Kỹ thuật số VTC sản xuất chương trình “Tiềm năng tỏa sáng" tại Hà Nam. Chỉ đạo, định hướng tuyên truyền các ngày kỷ niệm, các sự kiện lớn, nhiệm vụ chính trị quan trọng của đất nước, của tỉnh, ngày truyền thống các ngành, đoàn thể; tập trung tuyên truyền về các nội dung Hội nghị Trung ương 5, Hội nghị Trung ương 6, khóa XIII; kỳ họp thứ 3, thứ 4 Quốc hội khóa XV… Tổ chức Tọa đàm về “Giải pháp nâng cao chất lượng, hiệu quả công tác khoa giáo trên địa bàn tỉnh Hà Nam". Hướng dẫn, theo dõi việc bồi dưỡng chính trị hè cho cán bộ quản lý và giáo viên ngành giáo dục. Tổ chức các hội nghị tập huấn về công tác tuyên giáo, hoạt động của Ban Chỉ đạo 35, kỹ năng, phương pháp viết bài tham dự Giải Búa liềm vàng lần thứ VII năm 2022./."#;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn meeting() -> NaiveDate {
        date(2022, 7, 7)
    }

    fn units() -> Vec<UnitName> {
        vec![
            UnitName::new("VPTU", &["Văn phòng Tỉnh ủy", "VPTU"]),
            UnitName::new("BTGTU", &["Ban Tuyên giáo Tỉnh ủy"]),
            UnitName::new("STC", &["Sở Tài chính"]),
            UnitName::new("SNV", &["Sở Nội vụ"]),
            UnitName::new("SKHDT", &["Sở Kế hoạch và Đầu tư"]),
            UnitName::new("TCHC", &["Phòng Tổ chức - Hành chính"]),
        ]
    }

    fn parse(text: &str) -> Proposal {
        let p = propose_items(text, meeting(), &units());
        check_invariants(text, &p);
        p
    }

    fn texts(p: &Proposal) -> Vec<&str> {
        p.items.iter().map(|i| i.text.as_str()).collect()
    }

    fn on(d: &Option<DeadlineSuggestion>) -> Option<Deadline> {
        d.as_ref().map(|d| d.deadline.clone())
    }

    fn deadline_of(text: &str) -> Option<Deadline> {
        find_deadline(text, meeting()).map(|d| d.deadline)
    }

    fn phrase_of(text: &str) -> Option<String> {
        find_deadline(text, meeting()).map(|d| d.phrase)
    }

    /// Spans are sorted, disjoint, on char boundaries and cover every
    /// non-whitespace character; item texts are not empty.
    fn check_invariants(text: &str, p: &Proposal) {
        for list in [
            p.items.iter().map(|i| i.span.clone()).collect::<Vec<_>>(),
            p.context.iter().map(|c| c.span.clone()).collect::<Vec<_>>(),
        ] {
            assert!(
                list.windows(2).all(|w| w[0].end <= w[1].start),
                "unsorted spans {list:?}"
            );
        }
        let mut spans: Vec<Range<usize>> = p
            .items
            .iter()
            .map(|i| i.span.clone())
            .chain(p.context.iter().map(|c| c.span.clone()))
            .collect();
        spans.sort_by_key(|s| s.start);
        for s in &spans {
            assert!(s.start < s.end && s.end <= text.len(), "bad span {s:?}");
            assert!(
                text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
                "span {s:?} off char boundary"
            );
        }
        for w in spans.windows(2) {
            assert!(
                w[0].end <= w[1].start,
                "overlapping spans {:?} {:?}",
                w[0],
                w[1]
            );
        }
        for (i, c) in text.char_indices() {
            if !c.is_whitespace() {
                assert!(
                    spans.iter().any(|s| s.contains(&i)),
                    "dropped {c:?} at {i} in {text:?}"
                );
            }
        }
        for item in &p.items {
            assert!(!item.text.is_empty(), "empty item text at {:?}", item.span);
            assert!(!item
                .lead_unit
                .as_ref()
                .is_some_and(|l| item.coordinators.contains(l)));
        }
    }

    // ---- the reference scenario ----

    #[test]
    fn seed_speech_yields_the_expected_items() {
        let p = parse(SEED_SPEECH);
        let n = p.items.len();
        assert!((12..=14).contains(&n), "{n} items: {:#?}", texts(&p));
        for item in &p.items {
            assert_eq!(
                on(&item.deadline),
                Some(Deadline::On(date(2022, 12, 31))),
                "{}",
                item.text
            );
        }
        let firsts: Vec<String> = p
            .items
            .iter()
            .map(|i| {
                i.text
                    .split_whitespace()
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(
            firsts,
            [
                "Tổ chức",
                "tổ chức",
                "ban hành",
                "quy định",
                "ban hành",
                "tổ chức",
                "tiến hành",
                "Chuẩn bị",
                "Phối hợp",
                "Chỉ đạo,",
                "tập trung",
                "Tổ chức",
                "Hướng dẫn,",
                "Tổ chức"
            ]
        );
        // The lead-in is context and gives the default deadline.
        assert_eq!(p.context.len(), 1);
        assert!(p.context[0].text.starts_with("Phát biểu kết luận hội nghị"));
        assert!(p.context[0]
            .text
            .ends_with("nhiệm vụ trọng tâm 06 tháng cuối năm:"));
        let first = &p.items[0];
        let d = first.deadline.as_ref().expect("deadline");
        assert_eq!(d.phrase, "06 tháng cuối năm");
        assert!(d.from_lead_in);
        // Văn phòng Tỉnh ủy coordinates the item that names it.
        let vptu: Vec<_> = p
            .items
            .iter()
            .filter(|i| i.text.contains("Văn phòng Tỉnh ủy"))
            .collect();
        assert_eq!(vptu.len(), 1);
        assert!(vptu[0].text.starts_with("Phối hợp với Văn phòng Tỉnh ủy"));
        assert!(vptu[0].text.ends_with("“Tiềm năng tỏa sáng\" tại Hà Nam"));
        assert_eq!(vptu[0].coordinators, ["VPTU"]);
        assert_eq!(vptu[0].lead_unit, None);
        // Ban Tuyên giáo Trung ương (or xã, phường) is not BTGTU.
        for item in &p.items {
            assert_ne!(item.lead_unit.as_deref(), Some("BTGTU"), "{}", item.text);
            assert!(!item.coordinators.iter().any(|c| c == "BTGTU"));
        }
        // The end-of-document mark stays with the last item.
        assert_eq!(p.items[n - 1].span.end, SEED_SPEECH.len());
        assert!(p.items[n - 1].text.ends_with("lần thứ VII năm 2022"));
        // "(đợt 2/2022)" stays inside its item and is not a deadline.
        let dot = p
            .items
            .iter()
            .find(|i| i.text.contains("(đợt 2/2022)"))
            .expect("item with round");
        assert!(dot.deadline.as_ref().is_some_and(|d| d.from_lead_in));
    }

    #[test]
    fn seed_speech_with_short_alias_still_ignores_other_levels() {
        let units = vec![
            UnitName::new("VPTU", &["Văn phòng Tỉnh ủy"]),
            UnitName::new("BTGTU", &["Ban Tuyên giáo Tỉnh ủy", "Ban Tuyên giáo"]),
        ];
        let p = propose_items(SEED_SPEECH, meeting(), &units);
        check_invariants(SEED_SPEECH, &p);
        for item in &p.items {
            assert_eq!(item.lead_unit, None, "{}", item.text);
        }
    }

    #[test]
    fn seed_article_as_a_whole_never_loses_text() {
        let article = format!("Tin tổng hợp\n\nChiều ngày 07/7/2022, Ban Tuyên giáo Tỉnh ủy tổ chức hội nghị.\n\n{SEED_SPEECH}");
        let p = parse(&article);
        assert!(p.items.len() >= 13);
    }

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
        assert_eq!(
            on(&p.items[1].deadline),
            Some(Deadline::On(date(2023, 12, 31)))
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
                "Các đơn vị đã triển khai tốt",
                "Rà soát kinh phí",
                "Tham mưu tổ chức hội nghị",
                "Tổ chức tổng kết",
                "Ban hành quy chế"
            ]
        );
        let leads: Vec<_> = p.items.iter().map(|i| i.lead_unit.as_deref()).collect();
        assert_eq!(leads, [None, Some("STC"), Some("VPTU"), None, None]);
        assert_eq!(p.context.len(), 4);
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
                "Chủ trì rà soát kinh phí",
                "Báo cáo kết quả trong tháng 8",
                "Hướng dẫn các đơn vị quyết toán",
                "Đề nghị các đơn vị nghiêm túc thực hiện"
            ]
        );
        let leads: Vec<_> = p.items.iter().map(|i| i.lead_unit.as_deref()).collect();
        assert_eq!(leads, [Some("STC"), Some("STC"), Some("STC"), Some("STC")]);
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

    // ---- units ----

    #[test]
    fn unit_matching_is_accent_and_case_insensitive() {
        let p = parse(
            "Phối hợp với van phong tinh uy rà soát; phối hợp với VĂN PHÒNG TỈNH UỶ kiểm tra.",
        );
        assert_eq!(p.items.len(), 2);
        for item in &p.items {
            assert_eq!(item.coordinators, ["VPTU"], "{}", item.text);
        }
        // Whole words only: "VPTUX" is not "VPTU".
        let p = parse("Tổ chức hội nghị với VPTUX.");
        assert_eq!(p.items[0].lead_unit, None);
    }

    #[test]
    fn longest_unit_name_wins() {
        let units = vec![
            UnitName::new("SKH", &["Sở Kế hoạch"]),
            UnitName::new("SKHDT", &["Sở Kế hoạch và Đầu tư"]),
        ];
        let p = propose_items(
            "Sở Kế hoạch và Đầu tư chủ trì thẩm định.",
            meeting(),
            &units,
        );
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("SKHDT"));
        assert!(p.items[0].coordinators.is_empty());
    }

    #[test]
    fn coordinators_and_lead() {
        let p = parse("Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp với Sở Tài chính, Sở Nội vụ và Văn phòng Tỉnh ủy xây dựng đề án.");
        let item = &p.items[0];
        assert_eq!(item.lead_unit.as_deref(), Some("BTGTU"));
        assert_eq!(item.coordinators, ["STC", "SNV", "VPTU"]);
        // "chủ trì" wins over the position.
        let p = parse("Giao Văn phòng Tỉnh ủy phối hợp, Sở Nội vụ chủ trì rà soát.");
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("SNV"));
        // Addressed unit after "Giao"/"Đề nghị"; a unit named later without
        // "phối hợp" is the fallback lead.
        let p = parse("Đề nghị Sở Tài chính phối hợp chặt chẽ với Sở Nội vụ bố trí kinh phí.");
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("STC"));
        assert_eq!(p.items[0].coordinators, ["SNV"]);
        let p = parse("Tổ chức hội nghị, báo cáo Sở Nội vụ kết quả.");
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("SNV"));
        // Duplicates are removed and the lead is never a coordinator.
        let p = parse(
            "Sở Tài chính chủ trì, phối hợp với Sở Nội vụ, Sở Tài chính và Sở Nội vụ rà soát.",
        );
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("STC"));
        assert_eq!(p.items[0].coordinators, ["SNV"]);
    }

    #[test]
    fn units_outside_phoi_hop_are_not_coordinators() {
        let p = parse("Phối hợp với Văn phòng Tỉnh ủy và các đơn vị, địa phương tạo điều kiện cho Sở Tài chính làm việc.");
        assert_eq!(p.items[0].coordinators, ["VPTU"]);
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("STC"));
    }

    #[test]
    fn unit_at_sentence_start_starts_an_item() {
        let p = parse(
            "Tổ chức hội nghị. Văn phòng Tỉnh ủy chuẩn bị tài liệu; Sở Tài chính bảo đảm kinh phí.",
        );
        assert_eq!(p.items.len(), 3);
        let leads: Vec<_> = p.items.iter().map(|i| i.lead_unit.as_deref()).collect();
        assert_eq!(leads, [None, Some("VPTU"), Some("STC")]);
    }

    // ---- deadlines ----

    #[test]
    fn half_year_phrases() {
        for t in [
            "trong 6 tháng cuối năm",
            "06 tháng cuối năm",
            "sáu tháng cuối năm",
            "6 THÁNG CUỐI NĂM",
            "nửa cuối năm",
        ] {
            assert_eq!(
                deadline_of(t),
                Some(Deadline::On(date(2022, 12, 31))),
                "{t}"
            );
        }
        for t in ["6 tháng đầu năm", "06 tháng đầu năm", "sáu tháng đầu năm"] {
            assert_eq!(deadline_of(t), Some(Deadline::On(date(2022, 6, 30))), "{t}");
        }
        assert_eq!(
            deadline_of("06 tháng cuối năm 2023"),
            Some(Deadline::On(date(2023, 12, 31)))
        );
        assert_eq!(
            phrase_of("nhiệm vụ 06 tháng cuối năm 2023:"),
            Some("06 tháng cuối năm 2023".into())
        );
    }

    #[test]
    fn quarter_phrases() {
        assert_eq!(
            deadline_of("trong quý I"),
            Some(Deadline::On(date(2022, 3, 31)))
        );
        assert_eq!(deadline_of("quý II"), Some(Deadline::On(date(2022, 6, 30))));
        assert_eq!(
            deadline_of("Quý III"),
            Some(Deadline::On(date(2022, 9, 30)))
        );
        assert_eq!(
            deadline_of("quý IV"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        assert_eq!(deadline_of("quý 3"), Some(Deadline::On(date(2022, 9, 30))));
        assert_eq!(
            deadline_of("quý III/2024"),
            Some(Deadline::On(date(2024, 9, 30)))
        );
        assert_eq!(
            deadline_of("quý III năm 2024"),
            Some(Deadline::On(date(2024, 9, 30)))
        );
        assert_eq!(
            phrase_of("hoàn thành trong quý III năm 2024."),
            Some("quý III năm 2024".into())
        );
        assert_eq!(deadline_of("quy chế"), None);
    }

    #[test]
    fn month_phrases() {
        assert_eq!(
            deadline_of("trong tháng 9"),
            Some(Deadline::On(date(2022, 9, 30)))
        );
        assert_eq!(
            deadline_of("tháng 9/2023"),
            Some(Deadline::On(date(2023, 9, 30)))
        );
        assert_eq!(
            deadline_of("tháng 2 năm 2024"),
            Some(Deadline::On(date(2024, 2, 29)))
        );
        assert_eq!(
            deadline_of("tháng 12"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        assert_eq!(deadline_of("trong 3 tháng"), None);
        assert_eq!(deadline_of("tháng 13"), None);
    }

    #[test]
    fn explicit_dates() {
        for t in [
            "trước 15/8",
            "trước ngày 15/8",
            "chậm nhất ngày 15/8",
            "chậm nhất 15/8",
            "xong trước 15/8",
            "hạn hoàn thành 15/8",
            "thời hạn: 15/8",
        ] {
            assert_eq!(deadline_of(t), Some(Deadline::On(date(2022, 8, 15))), "{t}");
        }
        assert_eq!(
            deadline_of("trước ngày 15/8/2023"),
            Some(Deadline::On(date(2023, 8, 15)))
        );
        assert_eq!(
            deadline_of("trước ngày 15 tháng 8 năm 2023"),
            Some(Deadline::On(date(2023, 8, 15)))
        );
        assert_eq!(
            deadline_of("tổ chức vào ngày 20/7"),
            Some(Deadline::On(date(2022, 7, 20)))
        );
        assert_eq!(
            deadline_of("báo cáo 20/7/2022"),
            Some(Deadline::On(date(2022, 7, 20)))
        );
        assert_eq!(
            phrase_of("Báo cáo kết quả chậm nhất ngày 15/8/2022."),
            Some("chậm nhất ngày 15/8/2022".into())
        );
        // A bare day/month may be a fraction.
        assert_eq!(deadline_of("đạt 3/4 chỉ tiêu"), None);
    }

    #[test]
    fn year_phrases() {
        assert_eq!(
            deadline_of("trong năm 2023"),
            Some(Deadline::On(date(2023, 12, 31)))
        );
        assert_eq!(
            deadline_of("năm 2023"),
            Some(Deadline::On(date(2023, 12, 31)))
        );
        assert_eq!(
            deadline_of("cuối năm 2023"),
            Some(Deadline::On(date(2023, 12, 31)))
        );
        assert_eq!(
            deadline_of("hoàn thành trong năm"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        assert_eq!(
            deadline_of("ngay trong năm nay"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        assert_eq!(
            phrase_of("Hoàn thành trong năm 2023."),
            Some("trong năm 2023".into())
        );
        assert_eq!(deadline_of("kết quả trong năm qua"), None);
        assert_eq!(deadline_of("từ năm 2020"), None);
    }

    #[test]
    fn ongoing() {
        assert_eq!(
            deadline_of("thực hiện thường xuyên"),
            Some(Deadline::Ongoing)
        );
        assert_eq!(
            phrase_of("Thường xuyên theo dõi"),
            Some("Thường xuyên".into())
        );
        // Ongoing only when nothing else is said.
        assert_eq!(
            deadline_of("thường xuyên kiểm tra, báo cáo trong quý IV"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
    }

    #[test]
    fn most_specific_phrase_wins() {
        let t =
            "trong năm 2022, nhất là 6 tháng cuối năm, trong quý III, tháng 9 và trước ngày 15/8";
        assert_eq!(deadline_of(t), Some(Deadline::On(date(2022, 8, 15))));
        let all: Vec<_> = find_deadlines(t, meeting())
            .into_iter()
            .map(|d| d.phrase)
            .collect();
        assert_eq!(
            all,
            [
                "trước ngày 15/8",
                "tháng 9",
                "quý III",
                "6 tháng cuối năm",
                "trong năm 2022"
            ]
        );
        assert_eq!(
            deadline_of("trong quý III, tháng 8"),
            Some(Deadline::On(date(2022, 8, 31)))
        );
        assert_eq!(
            deadline_of("năm 2022, 6 tháng đầu năm"),
            Some(Deadline::On(date(2022, 6, 30)))
        );
        // Among equals, the last milestone.
        assert_eq!(
            deadline_of("dự thảo trước 15/8, ban hành trước 30/9"),
            Some(Deadline::On(date(2022, 9, 30)))
        );
        // The item's own phrase beats the lead-in's, even if less specific.
        let p = parse("Trước ngày 15/8:\nTổ chức hội nghị trong quý IV; ban hành kế hoạch.");
        assert_eq!(
            on(&p.items[0].deadline),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        assert_eq!(
            on(&p.items[1].deadline),
            Some(Deadline::On(date(2022, 8, 15)))
        );
    }

    #[test]
    fn document_dates_terms_and_rounds_are_not_deadlines() {
        for t in [
            "Nghị quyết số 45-NQ/TW ngày 24/11/2023",
            "Quyết định số 238-QĐ/TW, ngày 30/9/2020 của Ban Bí thư",
            "Kết luận số 01-KL/TW, ngày 18/5/2021 của Bộ Chính trị",
            "Chỉ thị 05-CT/TW, ngày 15/5/2016",
            "theo Công văn ngày 15/8/2022",
            "Quyết định số 12 ngày 15/8/2022",
            "nhiệm kỳ 2025 - 2027",
            "giai đoạn 2021-2025",
            "năm 2021-2025",
            "khóa XIII",
            "đợt 2/2022",
            "lần thứ VII",
            "Hội nghị Trung ương 5",
            "kỳ họp thứ 3, thứ 4 Quốc hội khóa XV",
            "Thông tư 12/2022/TT-BTC",
        ] {
            assert_eq!(find_deadline(t, meeting()), None, "{t}");
        }
        // A document's date does not hide the real deadline.
        assert_eq!(
            deadline_of(
                "Triển khai Nghị quyết số 45-NQ/TW ngày 24/11/2023, hoàn thành trước 30/6/2024"
            ),
            Some(Deadline::On(date(2024, 6, 30)))
        );
    }

    #[test]
    fn invalid_dates_are_ignored() {
        assert_eq!(deadline_of("trước ngày 31/02"), None);
        assert_eq!(
            deadline_of("trước ngày 31/02/2023, trong quý IV"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        assert_eq!(deadline_of("trước ngày 32/13/2022"), None);
        assert_eq!(deadline_of("trước ngày 29/2/2023"), None);
        assert_eq!(
            deadline_of("trước ngày 29/2/2024"),
            Some(Deadline::On(date(2024, 2, 29)))
        );
        assert_eq!(deadline_of("trước ngày 99999999/1"), None);
        assert_eq!(deadline_of("ngày 15 tháng 2 năm 9999"), None);
        let p = parse("Tổ chức hội nghị trước ngày 31/02.");
        assert_eq!(p.items[0].deadline, None);
    }

    #[test]
    fn deadline_phrase_is_a_substring_of_the_input() {
        let text = "HOÀN THÀNH TRƯỚC NGÀY 15/8/2022";
        let d = find_deadline(text, meeting()).expect("deadline");
        assert_eq!(d.phrase, "TRƯỚC NGÀY 15/8/2022");
        assert!(!d.from_lead_in);
    }

    // ---- robustness ----

    #[test]
    fn weird_unicode_never_panics() {
        for t in [
            "\u{0301}\u{0301}; Tổ chức",
            "İstanbul; tổ chức. 한국어 문장. Tổ chức",
            "\u{FEFF}1. Tổ chức\r\n2. Ban hành\r\n",
            "“;“;“;”;”;(((;)));[[;]]",
            "\"\"\";\"",
            "…………. Tổ chức… Ban hành",
            "a\u{0000}b; tổ chức\u{2028}ban hành",
            "- \n+ \n• \n1.\n(a)\nI.\n",
            "quý; tháng; ngày; năm; 6 tháng; /; -; 15/; /8; 15//8",
        ] {
            let _ = parse(t);
            let _ = find_deadlines(t, meeting());
        }
    }

    #[test]
    fn large_input_parses_fast() {
        let mut text = String::new();
        while text.len() < 200_000 {
            text.push_str(SEED_SPEECH);
            text.push_str("\n- Sở Tài chính:\n+ Rà soát kinh phí trước 15/8; phối hợp với Văn phòng Tỉnh ủy.\n");
        }
        let start = std::time::Instant::now();
        let p = propose_items(&text, meeting(), &units());
        let elapsed = start.elapsed();
        assert!(p.items.len() > 1000);
        assert!(elapsed.as_millis() < 1000, "took {elapsed:?}");
        // Pathological inputs: many openers, colons, dots without spaces,
        // one list item wrapped over thousands of lines.
        for text in [
            "tổ chức (“ ".repeat(20_000),
            "a: ".repeat(60_000),
            "a.".repeat(90_000),
            format!("- x\n{}", "y\n".repeat(80_000)),
            "ngày 1/1/2022 ".repeat(12_000),
            "Văn phòng ".repeat(20_000),
        ] {
            let start = std::time::Instant::now();
            let p = propose_items(&text, meeting(), &units());
            check_invariants(&text, &p);
            let took = start.elapsed();
            assert!(
                took.as_millis() < 1500,
                "took {took:?} on {:?}…",
                &text[..20]
            );
        }
    }

    // ---- properties ----

    const FRAGMENTS: &[&str] = &[
        "Tổ chức hội nghị",
        "tổ chức quán triệt",
        "ban hành Quy chế",
        "; ",
        ";",
        ". ",
        ".",
        ": ",
        ":",
        "\n",
        "\n\n",
        "\n- ",
        "\n+ ",
        "\n1. ",
        "\n2) ",
        "\na) ",
        "\nII. ",
        "\n• ",
        " ",
        "Văn phòng Tỉnh ủy",
        "van phong tinh uy",
        "Sở Tài chính:",
        "phối hợp với Sở Nội vụ",
        "“",
        "”",
        "\"",
        "«",
        "»",
        "(",
        ")",
        "(đợt 2/2022)",
        "238-QĐ/TW",
        "ngày 30/9/2020",
        "trước ngày 15/8",
        "31/02",
        "quý III/2024",
        "tháng 9",
        "06 tháng cuối năm",
        "năm 2022",
        "thường xuyên",
        "…",
        "...",
        "./.",
        "Phòng Tổ chức - Hành chính",
        "chủ trì",
        "Giao",
        "giáo dục",
        "Một là,",
        "NHIỆM VỤ TRỌNG TÂM",
        "\u{0301}",
        "İ",
        "한",
        "\t",
        "\r\n",
        "-",
        "nhiệm kỳ 2025 - 2027",
        "Đề nghị",
    ];

    const ITEMS: &[&str] = &[
        "Tổ chức hội nghị bồi dưỡng chuyên đề (đợt 2/2022)",
        "Ban hành Chỉ thị về “Nâng cao chất lượng; công tác khoa giáo”",
        "Triển khai Quyết định số 238-QĐ/TW, ngày 30/9/2020 của Ban Bí thư",
        "Phối hợp với Phòng Tổ chức - Hành chính rà soát hồ sơ",
        "Rà soát, bổ sung quy chế làm việc nhiệm kỳ 2025 - 2027",
        "Chuẩn bị nội dung làm việc với Ban Tuyên giáo Trung ương",
        "Hướng dẫn, theo dõi việc bồi dưỡng chính trị hè cho giáo viên",
        "Xây dựng kế hoạch tuyên truyền các nghị quyết… của Trung ương",
        "Tiếp tục đẩy mạnh tuyên truyền “Búa liềm vàng” lần thứ VII",
        "Kiểm tra việc thực hiện Kết luận số 01-KL/TW trong quý III/2024",
        "Văn phòng Tỉnh ủy chủ trì tổng hợp báo cáo trước ngày 15/8",
        "Tham mưu tổ chức Hội nghị Trung ương 5, khóa XIII",
    ];

    /// Lowercases the first character ("Tổ chức" → "tổ chức") for the
    /// inside of a `;` list.
    fn lower_first(s: &str) -> String {
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_lowercase().chain(c).collect(),
            None => String::new(),
        }
    }

    proptest! {
        // 256 cases each by default; PROPTEST_CASES=n runs more.
        #[test]
        fn random_text_never_panics_and_drops_nothing(text in "\\PC{0,300}") {
            let p = propose_items(&text, meeting(), &units());
            check_invariants(&text, &p);
            let _ = find_deadlines(&text, meeting());
        }

        #[test]
        fn random_bytes_as_text(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let p = propose_items(&text, meeting(), &units());
            check_invariants(&text, &p);
        }

        #[test]
        fn recombined_fragments_never_panic_and_drop_nothing(
            parts in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..40),
            year in 1i32..3000,
        ) {
            let text: String = parts.concat();
            let p = propose_items(&text, date(year, 1, 1), &units());
            check_invariants(&text, &p);
        }

        #[test]
        fn concatenated_items_split_back(
            picks in proptest::collection::vec(proptest::sample::select(ITEMS), 1..8),
            style in 0usize..5,
        ) {
            let mut text = String::from("Đồng chí Bí thư kết luận, đề nghị các đơn vị tập trung thực hiện tốt các nhiệm vụ sau:");
            for (k, item) in picks.iter().enumerate() {
                match style {
                    0 => {
                        text.push_str(if k == 0 { " " } else { "; " });
                        text.push_str(&if k == 0 { item.to_string() } else { lower_first(item) });
                    }
                    1 => { text.push_str(if k == 0 { " " } else { ". " }); text.push_str(item); }
                    2 => { text.push_str(&format!("\n{}. {};", k + 1, item)); }
                    3 => { text.push_str(&format!("\n- {}.", item)); }
                    _ => { text.push_str(&format!("\n{}) {}", (b'a' + k as u8) as char, item)); }
                }
            }
            if style < 2 { text.push_str("./."); }
            let p = propose_items(&text, meeting(), &units());
            check_invariants(&text, &p);
            prop_assert_eq!(p.items.len(), picks.len(), "{:#?}", texts(&p));
            for (got, want) in p.items.iter().zip(&picks) {
                prop_assert_eq!(got.text.to_lowercase(), want.to_lowercase());
            }
            prop_assert_eq!(p.context.len(), 1);
        }
    }
}
