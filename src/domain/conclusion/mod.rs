//! Turns the concluding speech of a meeting into proposed tasks.
//!
//! Stages, one file each (the rules in words: `docs/conclusions.md`):
//! `cleanup` (PDF and web dirt), `tokens` and `lexicon`, `segmentation`
//! (items, headers, lead-ins), `addressees` with the default `aliases`
//! (lead, coordinators, groups), `deadlines` (dates, relative deadlines
//! with the work calendar) and `context` (what is not a directive).
//! `rates` measures the whole on the fixture set; `proposal` turns the items
//! into the tasks an official reviews.
//!
//! An official pastes the conclusion; we propose one item per directive, with
//! a suggested lead unit, coordinating units and deadline, and the official
//! edits and confirms. The rules are written out in `docs/conclusions.md`.
//! In short:
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

mod addressees;
mod aliases;
mod cleanup;
mod context;
mod deadlines;
pub mod fixture;
mod lexicon;
mod proposal;
#[cfg(test)]
mod rates;
mod segmentation;
mod structure;
#[cfg(test)]
mod testkit;
mod tokens;
mod units;

use std::ops::Range;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::holidays::WorkCalendar;

use deadlines::scan_deadlines;
use lexicon::lexicon;
use structure::Parser;
use tokens::Doc;
use units::UnitMatcher;

pub use proposal::{propose_tasks, ProposedTask, TaskProposal};

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
    /// Suggested lead unit (code): only what the text says, never the
    /// organiser by default; `None` when it names no known unit.
    pub lead_unit: Option<String>,
    /// Coordinating units (codes): no duplicates, never the lead.
    pub coordinators: Vec<String>,
    pub deadline: Option<DeadlineSuggestion>,
    /// What the official should look at: no lead found, a group addressed.
    pub flags: Vec<ItemFlag>,
    /// The group the directive is addressed to, as written ("các sở, ngành").
    pub addressee: Option<String>,
}

/// Why a proposal needs the official's eye.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemFlag {
    /// The text names no known unit as the lead.
    NoLead,
    /// The directive goes to a group ("các sở, ngành", "UBND các huyện"):
    /// one task per unit of the group, or one lead picked by hand.
    GroupAddressee,
}

impl ItemFlag {
    /// The name forms and the API use.
    pub fn code(self) -> &'static str {
        match self {
            ItemFlag::NoLead => "no_lead",
            ItemFlag::GroupAddressee => "group_addressee",
        }
    }
}

/// What the parser needs besides the text.
#[derive(Debug, Clone, Copy)]
pub struct ParseInput<'a> {
    /// Relative deadlines count from it; a phrase without a year means its year.
    pub meeting_date: NaiveDate,
    pub units: &'a [UnitName],
    /// For "trong 15 ngày làm việc" and "trước Tết".
    pub calendar: &'a WorkCalendar,
}

/// Text that is not an item: lead-ins, headers, closings, assessments, page chrome.
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
///
/// Spans are byte ranges of the cleaned text ([`clean_text`]): the input
/// with PDF and web dirt removed, in NFC.
pub fn propose_items(text: &str, input: &ParseInput) -> Proposal {
    let cleaned = cleanup::clean(text);
    let doc = Doc::new(&cleaned);
    let units = aliases::with_default_aliases(input.units);
    let matcher = UnitMatcher::new(&units);
    let clock = deadlines::Clock {
        meeting: input.meeting_date,
        calendar: input.calendar,
    };
    let mut parser = Parser {
        doc: &doc,
        units: &matcher,
        lex: lexicon(),
        clock,
        segs: Vec::new(),
        stack: Vec::new(),
        para: 0,
    };
    parser.run();
    parser.finish(&units)
}

/// The text the parser reads: see [`cleanup`].
pub fn clean_text(text: &str) -> String {
    cleanup::clean(text)
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
    let calendar = WorkCalendar::vietnam();
    let clock = deadlines::Clock {
        meeting: meeting_date,
        calendar: &calendar,
    };
    let mut found = scan_deadlines(&doc, 0..doc.tokens.len(), &clock);
    found.sort_by_key(|f| std::cmp::Reverse(f.rank()));
    found.iter().map(|f| f.suggestion(&doc, false)).collect()
}

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;
    use proptest::prelude::*;

    // ---- the reference scenario ----

    #[test]
    fn flags_serialise_as_the_api_names_them() {
        let flags =
            serde_json::to_value([ItemFlag::NoLead, ItemFlag::GroupAddressee]).expect("json");
        assert_eq!(flags, serde_json::json!(["no_lead", "group_addressee"]));
    }

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
        let p = propose_at(SEED_SPEECH, meeting(), &units);
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
    fn large_and_pathological_inputs_keep_the_invariants() {
        // Speed is measured by the fixture report (`rates.rs` prints the slowest text),
        // never asserted here: a loaded machine would make a time limit fail at random.
        let mut text = String::new();
        while text.len() < 200_000 {
            text.push_str(SEED_SPEECH);
            text.push_str("\n- Sở Tài chính:\n+ Rà soát kinh phí trước 15/8; phối hợp với Văn phòng Tỉnh ủy.\n");
        }
        let p = propose_at(&text, meeting(), &units());
        assert!(p.items.len() > 1000);
        check_invariants(&text, &p);
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
            let p = propose_at(&text, meeting(), &units());
            check_invariants(&text, &p);
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
            let p = propose_at(&text, meeting(), &units());
            check_invariants(&text, &p);
            let _ = find_deadlines(&text, meeting());
        }

        #[test]
        fn random_bytes_as_text(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let p = propose_at(&text, meeting(), &units());
            check_invariants(&text, &p);
        }

        #[test]
        fn recombined_fragments_never_panic_and_drop_nothing(
            parts in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..40),
            year in 1i32..3000,
        ) {
            let text: String = parts.concat();
            let p = propose_at(&text, date(year, 1, 1), &units());
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
            let p = propose_at(&text, meeting(), &units());
            check_invariants(&text, &p);
            prop_assert_eq!(p.items.len(), picks.len(), "{:#?}", texts(&p));
            for (got, want) in p.items.iter().zip(&picks) {
                prop_assert_eq!(got.text.to_lowercase(), want.to_lowercase());
            }
            prop_assert_eq!(p.context.len(), 1);
        }
    }
}
