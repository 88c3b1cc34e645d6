//! Context: what is not a directive, though it may sit where one would.
//!
//! Web page chrome pasted with the text (post stamps, share buttons, photo
//! captions and file names, menus), a document's letterhead and signature,
//! closing formulas ("… thông báo để … biết, thực hiện./.", "Nơi nhận:"),
//! headlines, and assessments of past work ("Hội nghị đánh giá cao …").
//! They are shown to the official, never proposed.

use super::super::text::fold;

/// Lines that are page chrome or a document's letterhead, signature and
/// distribution list, by their folded start.
const CHROME_STARTS: &[&str] = &[
    "ngay dang",
    "cap nhat luc",
    "cap nhat:",
    "dang luc",
    "luot xem",
    "chia se",
    "trang chu",
    "tin lien quan",
    "bai lien quan",
    "xem them",
    "tu khoa",
    "the:",
    "tags",
    "binh luan",
    "in bai",
    "ban in",
    "gui email",
    "gui bai",
    "co chu",
    "facebook",
    "zalo",
    "twitter",
    "nguon:",
    "tin:",
    "tin, anh",
    "tin va anh",
    "anh:",
    "(anh",
    "video:",
    "tac gia:",
    "quang canh",
    "toan canh",
    "noi nhan",
    "luu:",
    "luu vt",
    "kinh gui",
    "kt.",
    "tm.",
    "t/m",
    "tl.",
    "ttl.",
    "so:",
    "v/v",
    "cong hoa xa hoi chu nghia",
    "doc lap - tu do",
    "dang cong san viet nam",
    "trich yeu",
    "tin cung chuyen muc",
    "cung chuyen muc",
    "tin khac",
    "bai viet lien quan",
    "bai viet cung chu de",
    "doc nhieu",
    "xem nhieu",
    "tin moi nhat",
    "co quan chu quan",
    "dia chi:",
    "ghi ro nguon",
    "ban quyen",
    "copyright",
    "dang nhap",
    "dien thoai:",
    "giay phep",
    "chu tri:",
    "thanh phan:",
    "thanh phan tham du:",
    "dia diem:",
    "[video]",
    "[anh]",
    "danh gia bai viet",
    "website su dung cookie",
    "trang web su dung cookie",
    "#",
    "©",
];

/// Chrome lines after which come the titles of other articles, one a line.
const RELATED_STARTS: &[&str] = &[
    "xem them",
    "tin lien quan",
    "bai lien quan",
    "tin cung chuyen muc",
    "cung chuyen muc",
    "tin khac",
    "bai viet lien quan",
    "bai viet cung chu de",
    "doc nhieu",
    "xem nhieu",
    "tin moi nhat",
];

/// A line that opens a list of links to other articles ("Xem thêm:", "Tin
/// liên quan"): the unpunctuated lines under it are their titles.
pub(super) fn opens_related_links(line: &str) -> bool {
    let f = folded(line);
    RELATED_STARTS.iter().any(|p| f.starts_with(p)) && f.split_whitespace().count() <= 6
}

/// "Trang 2/3", "Trang 2", "- 2 -": a page's number left in extracted text.
fn is_page_number(f: &str) -> bool {
    let digits_slash = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_digit() || c == '/')
            && s.starts_with(|c: char| c.is_ascii_digit())
    };
    if let Some(rest) = f.strip_prefix("trang ") {
        return digits_slash(rest.trim());
    }
    // The leading dash of "- 4 -" is gone with the list bullets.
    f.strip_suffix(" -")
        .is_some_and(|n| digits_slash(n.trim_start_matches(['-', ' '])))
}

/// A photo caption ending in its credit: "… phát biểu tại buổi làm việc.
/// Ảnh: T.L", "… kết luận buổi làm việc - Ảnh: HP".
fn ends_with_photo_credit(f: &str) -> bool {
    f.rfind("anh:").is_some_and(|p| {
        let before = f[..p].trim_end();
        let before_ok = before.is_empty() || before.ends_with(['.', '-', '–', '(', '|']);
        before_ok && f[p + 4..].split_whitespace().count() <= 4
    })
}

/// A person's name alone on a line ("Minh Huệ", "Thanh Lâm"): a byline or
/// a signature. Every word is capitalised, unlike the names of bodies
/// ("Sở Tài chính").
fn is_person_name(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    (2..=4).contains(&words.len())
        && line.len() <= 40
        && words.iter().all(|w| {
            let mut c = w.chars();
            c.next().is_some_and(char::is_uppercase)
                && c.clone().next().is_some()
                && c.all(char::is_lowercase)
        })
}

/// An author with a source: "Thu Hà - Trung tâm Truyền thông tỉnh", "Minh
/// Thuận - Vũ Long", "Kim Anh (Văn phòng HĐND - UBND phường)". A person's
/// name opens a short unpunctuated line.
fn is_byline(line: &str) -> bool {
    if line.chars().count() > 70 || line.ends_with(['.', ';', ':', '!', '?']) {
        return false;
    }
    let cut = [" - ", " – ", " ("]
        .iter()
        .filter_map(|d| line.find(d))
        .min();
    cut.is_some_and(|p| is_person_name(line[..p].trim()))
}

/// A lead-in to a list of shortcomings ("Tuy nhiên, vẫn còn một số tồn
/// tại, hạn chế:"): the items under it report, they order nothing.
pub(super) fn opens_shortcomings(seg: &str) -> bool {
    const WORDS: &[&str] = &[
        "ton tai",
        "han che",
        "kho khan",
        "vuong mac",
        "bat cap",
        "yeu kem",
    ];
    let f = folded(seg);
    f.trim_end().ends_with(':') && WORDS.iter().any(|w| f.contains(w)) && !asks_for_something(seg)
}

/// The lead-in asks for something ("Yêu cầu khắc phục các hạn chế sau:").
fn asks_for_something(seg: &str) -> bool {
    let lower = super::super::text::lower_nfc(seg);
    let words: String = lower
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words = format!(
        " {} ",
        words.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    ORDER_MARKERS
        .iter()
        .chain(MODALS)
        .chain(["khắc phục", "tháo gỡ", "giải quyết"].iter())
        .any(|m| words.contains(&format!(" {} ", m.trim())))
}

const WEEKDAYS: &[&str] = &[
    "thu hai", "thu ba", "thu tu", "thu nam", "thu sau", "thu bay", "chu nhat",
];

const FILE_EXTENSIONS: &[&str] = &[
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf", ".doc", ".docx",
];

/// Folded, whitespace collapsed, list marker and leading bullets removed.
fn folded(s: &str) -> String {
    let f = fold(s);
    let f = f.split_whitespace().collect::<Vec<_>>().join(" ");
    f.trim_start_matches(['-', '+', '•', '*', '–', ' '])
        .to_string()
}

/// A line of web page chrome or document furniture.
pub(super) fn is_chrome_line(line: &str) -> bool {
    // Chrome is short; a long paragraph is read no further.
    if line.len() > 400 {
        return false;
    }
    let f = folded(line);
    if f.is_empty() {
        return false;
    }
    if CHROME_STARTS.iter().any(|p| f.starts_with(p))
        || is_page_number(&f)
        || is_date_time(&f)
        || is_running_reference(&f)
        || ends_with_photo_credit(&f)
        || is_person_name(line.trim())
        || is_byline(line.trim())
    {
        return true;
    }
    // "Thứ Năm, 14/03/2024 - 16:45": a post stamp.
    if WEEKDAYS.iter().any(|w| f.starts_with(w))
        && f.chars().any(|c| c.is_ascii_digit())
        && f.len() < 40
    {
        return true;
    }
    // A file name alone: "DSC_1305.jpg".
    let words = f.split_whitespace().count();
    if words <= 3 && FILE_EXTENSIONS.iter().any(|e| f.contains(e)) {
        return true;
    }
    // A menu: "Trang chủ | Tin tức | …".
    f.matches('|').count() >= 2 && words <= 16
}

/// The closing formula: everything after it is furniture.
pub(super) fn is_closing(seg: &str) -> bool {
    let f = folded(seg);
    let bare = f.trim_end_matches(['.', '/', ' ']);
    (f.contains("thong bao de")
        || f.contains("thong bao y kien")
        || f.contains("thong bao ket luan")
        || f.contains("co y kien de")
        || f.contains("truyen dat y kien"))
        && (f.contains(" biet") || f.contains("thuc hien"))
        || f.starts_with("noi nhan")
        // A ministry letter's last line: "… đề nghị Ủy ban nhân dân các
        // tỉnh quan tâm chỉ đạo thực hiện./.".
        || ["quan tam chi dao thuc hien", "quan tam, chi dao thuc hien", "quan tam chi dao"]
            .iter()
            .any(|e| bare.ends_with(e))
        || f.starts_with("tran trong")
        // A directive's last line: "Yêu cầu các cơ quan, đơn vị nghiêm túc
        // thực hiện Chỉ thị này./."
        || (["yeu cau cac", "de nghi cac"].iter().any(|p| f.starts_with(p))
            && f.contains("thuc hien")
            && ends_with_this_document(bare))
}

/// The text without what stands between quotation marks.
fn without_quotes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut open: Option<char> = None;
    for c in s.chars() {
        match (open, c) {
            (None, '“' | '"' | '«') => open = Some(c),
            (Some('“'), '”') | (Some('"'), '"') | (Some('«'), '»') => open = None,
            (None, _) => out.push(c),
            _ => {}
        }
    }
    out
}

/// "… Chỉ thị này", "… Thông báo này", "… Kết luận này".
fn ends_with_this_document(bare: &str) -> bool {
    const DOCS: &[&str] = &[
        "chi thi",
        "thong bao",
        "ket luan",
        "cong van",
        "van ban",
        "nghi quyet",
        "ke hoach",
        "quyet dinh",
    ];
    bare.strip_suffix(" nay")
        .is_some_and(|r| DOCS.iter().any(|d| r.ends_with(d)))
}

/// "15/01/2025 08:30", "08:30 | 05/08/2024": a post's date and time alone.
fn is_date_time(f: &str) -> bool {
    f.len() <= 40
        && f.contains('/')
        && f.contains(':')
        && f.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '/' | ':' | ' ' | '-' | '|' | ','))
}

/// A running header or footer: a document's own reference alone on a line,
/// maybe with the page number ("Thông báo số 1120/TB-VP        1").
/// A gazette's header ("CÔNG BÁO/Số 45/Ngày 05-9-2025   17") counts too, and
/// the page number may stand before it.
fn is_running_reference(f: &str) -> bool {
    const DOCS: &[&str] = &[
        "thong bao so ",
        "cong van so ",
        "ke hoach so ",
        "bao cao so ",
        "cong bao/",
        "cong bao so ",
    ];
    let f = f
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start();
    DOCS.iter().any(|d| f.starts_with(d)) && f.split_whitespace().count() <= 5 && f.contains('/')
}

/// A lead-in that opens the body of a document ("… kết luận như sau:"):
/// what comes before it is the letterhead and the story of the meeting.
pub(super) fn opens_body(seg: &str) -> bool {
    let f = folded(seg);
    let f = f.trim_end();
    f.ends_with("nhu sau:")
        || f.ends_with("nhu sau :")
        || ["ket luan:", "chi dao:", "y kien:", "giao:"]
            .iter()
            .any(|e| f.ends_with(e))
}

/// A lead-in that announces a list ("… chỉ đạo thực hiện ngay một số nội
/// dung sau:", "… các việc sau đây:") or asks for what follows ("Để sớm ổn
/// định đời sống Nhân dân, Phó Chủ tịch UBND tỉnh yêu cầu:"): it opens the
/// body only when no directive came before it; after one, it is a lead-in
/// inside the body.
pub(super) fn announces_list(seg: &str) -> bool {
    let f = folded(seg);
    let f = f.trim_end();
    [" sau:", " sau day:", " yeu cau:", " de nghi:"]
        .iter()
        .any(|e| f.ends_with(e))
}

/// Words that praise or agree: an assessment, not a task.
const ASSESSMENTS: &[&str] = &[
    "danh gia cao",
    "bieu duong",
    "ghi nhan",
    "hoan nghenh",
    "cam on",
    "chuc mung",
    "co ban thong nhat",
    "thong nhat voi",
    "thong nhat chu truong",
    "nhat tri voi",
    "dong y voi",
    "thong nhat du kien",
    "dong y chu truong",
    "danh gia chung",
    "ket qua dat duoc",
    "han che",
    "ton tai",
];

/// Openings of a story about the meeting or about past work.
const NARRATIVE_STARTS: &[&str] = &[
    "sang ngay",
    "chieu ngay",
    "toi ngay",
    "tham du",
    "du hoi nghi",
    "du hop",
    "cung di",
    "cung du",
    "theo bao cao",
    "tai hoi nghi",
    "tai buoi",
    "tai cuoc hop",
    "phat bieu ket luan",
    "ket luan buoi",
    "ket luan hoi nghi",
    "thoi gian qua",
    "trong thoi gian qua",
    "vua qua",
    "nam qua",
    "den nay",
    "den ngay",
    "tu dau nam",
    "bao cao tai",
    "tuy nhien",
    "sang nay",
    "chieu nay",
    "thoi gian gan day",
    "gan day",
];

/// Words that report a finding: "Báo cáo … cho thấy …".
const FINDINGS: &[&str] = &["cho thay"];

/// Words that report what someone said ("Đại diện nhà thầu cho biết, …",
/// "… lưu ý: “…”"): a modal in the words reported is no order.
const SPEECH: &[&str] = &[
    "cho biet",
    "chia se",
    "luu y",
    "nhan manh",
    "khang dinh",
    "bay to",
    "tam su",
];

/// Words that report figures ("ước đạt 7,1%", "tăng 12% so với cùng kỳ").
const FIGURES: &[&str] = &["uoc dat", "so voi cung ky", "so cung ky"];

/// Words that make figures a target to reach, not a result.
const TARGETS: &[&str] = &[
    "phan dau",
    "bao dam",
    "dam bao",
    "chi tieu",
    "muc tieu",
    "it nhat",
    "toi thieu",
    "nang ty le",
];

/// "… đạt 68,4%", "ước đạt 5.840 tỷ đồng", "tăng 12% so với cùng kỳ": a
/// piece that reports figures, unless it sets them as a target.
fn reports_figures(f: &str) -> bool {
    let percent_reached = f.match_indices("dat ").any(|(p, m)| {
        let rest = &f[p + m.len()..];
        let num: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, ',' | '.'))
            .collect();
        !num.is_empty() && rest[num.len()..].starts_with('%')
    });
    (percent_reached || FIGURES.iter().any(|w| f.contains(w)))
        && !TARGETS.iter().any(|t| f.contains(t))
}

/// A news agency's tag before the first sentence: "(QT) - ", "QTO - ",
/// "(Baohatinh.vn) - ".
fn without_news_tag(seg: &str) -> &str {
    let t = seg.trim_start();
    for dash in [" - ", " – "] {
        if let Some(p) = t.find(dash) {
            let raw = &t[..p];
            let tag = raw.trim_matches(['(', ')']);
            let caps = (2..=8).contains(&tag.chars().count())
                && tag
                    .chars()
                    .all(|c| c.is_uppercase() || c == '.' || c.is_ascii_digit());
            // A site's name in brackets: one word, no spaces.
            let site = raw.starts_with('(')
                && raw.ends_with(')')
                && (2..=30).contains(&tag.chars().count())
                && !tag.contains(char::is_whitespace);
            if caps || site {
                return &t[p + dash.len()..];
            }
        }
    }
    t
}

/// A line that opens with a news agency's tag ("(sonla.gov.vn) - Chiều
/// 24/9, …"): the first sentence of an article, after its headline.
/// A dated lead ("Chiều 11/6, đồng chí … chủ trì …") opens one too.
pub(super) fn opens_with_news_tag(line: &str) -> bool {
    let t = line.trim_start();
    without_news_tag(t).len() < t.len() || opens_dated(&folded(t))
}

/// "Ngày 05/7, …", "Sáng 20/11, …": a sentence dated by its first words.
fn opens_dated(f: &str) -> bool {
    ["ngay ", "sang ", "chieu ", "toi "].iter().any(|p| {
        f.strip_prefix(p)
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// A sentence that opens with a quotation ("“Chúng ta phải làm cho bằng
/// được …”, đồng chí Bí thư nhấn mạnh."): the speaker's words, reported.
/// It exhorts; an order would name its addressee outside the quotes.
/// So is a sentence that ends in one after a colon ("Ông …, Giám đốc HTX
/// cho biết: “…”", "Đồng chí cũng lưu ý: “…”").
fn is_reported_quote(seg: &str) -> bool {
    let t = seg.trim_start();
    let after_colon = t.contains(['“', '"', '«']) && {
        let outside = fold(&without_quotes(t));
        outside
            .trim_end_matches(['.', ' ', ',', '!'])
            .ends_with(':')
            && SPEECH.iter().any(|w| outside.contains(w))
    };
    (t.starts_with(['“', '"', '«']) || after_colon) && {
        let outside = without_quotes(&super::super::text::lower_nfc(t));
        let words: String = outside
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        let words = format!(
            " {} ",
            words.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        !ORDER_MARKERS
            .iter()
            .chain(MODALS)
            .any(|m| words.contains(&format!(" {} ", m.trim())))
    }
}

/// Words that make a sentence a directive even when it also tells a story.
const ORDER_MARKERS: &[&str] = &["giao", "yêu cầu", "đề nghị", "chủ trì"];

/// Words that make a sentence a directive rather than praise or past work.
const DIRECTIVE_MARKERS: &[&str] = &["khẩn trương", "tiếp tục"];

/// Phrases where an order word means something else.
const NOT_ORDERS: &[&str] = &[
    " với yêu cầu ",
    " theo yêu cầu ",
    " đáp ứng yêu cầu ",
    " đúng yêu cầu ",
    " sát yêu cầu ",
    " yêu cầu đặt ra ",
    " bàn giao ",
    " được giao ",
    " đã giao ",
    " giao thông ",
    " giao dịch ",
    " giao lưu ",
    " giao ban ",
    " giao tại ",
    " chủ trì hội nghị ",
    " chủ trì cuộc họp ",
    " chủ trì buổi ",
    " chủ trì phiên ",
];

/// Modal words that fold like other words ("cần" like "cán bộ"): matched
/// with their accents.
const MODALS: &[&str] = &[" cần ", " phải ", " cần phải "];

/// A piece the segmenter proposed that is not a directive: chrome, a
/// closing, an assessment, a story about the meeting or past work.
/// `opens` tells that it starts like a directive (an action verb, maybe
/// after its addressee): then only chrome, closings and praise count.
pub(super) fn is_not_directive(seg: &str, opens: bool) -> bool {
    // "Chiều 22/12, … chủ trì buổi làm việc. Theo báo cáo, chỉ tiêu Thủ
    // tướng giao …": a dated story; the sentences the segmenter left with
    // it open no directive, so its first sentence decides.
    let sentence_end = seg
        .match_indices('.')
        .map(|(i, _)| i)
        .find(|&i| seg[i + 1..].starts_with(char::is_whitespace));
    if let Some(end) = sentence_end {
        if opens_dated(&folded(without_news_tag(seg))) {
            return is_not_directive(&seg[..end + 1], opens);
        }
    }
    let f = folded(seg);
    if is_chrome_line(seg) || is_closing(seg) || is_reported_quote(seg) {
        return true;
    }
    let lower = super::super::text::lower_nfc(seg);
    // Whole words with their accents ("giáo dục" is not "giao"; folded
    // only when the text has no accents at all), and not where an order
    // word means something else ("bàn giao", "chậm so với yêu cầu").
    let accented = !seg.is_ascii();
    let base = if accented { lower.clone() } else { f.clone() };
    let mut words: String = format!(" {base} ")
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    words = format!(" {words} ");
    for noun in NOT_ORDERS {
        let noun = if accented {
            noun.to_string()
        } else {
            fold(noun)
        };
        words = words.replace(&noun, " ");
    }
    let has = |list: &[&str]| {
        list.iter().any(|m| {
            let m = if accented { m.to_string() } else { fold(m) };
            words.contains(&format!(" {m} "))
        })
    };
    // Words quoted from a speech ("… nhấn mạnh: “… phải nỗ lực …”") exhort;
    // they do not make a story an order.
    let unquoted = without_quotes(&lower);
    let modal = MODALS.iter().any(|m| unquoted.contains(m));
    // Stories and findings often say "tiếp tục" ("kinh tế tiếp tục tăng
    // trưởng"): only an assignment or a modal makes them an order.
    let order = has(ORDER_MARKERS) || modal;
    let directive = order || has(DIRECTIVE_MARKERS);
    if !directive && ASSESSMENTS.iter().any(|a| f.contains(a)) {
        return true;
    }
    // "Báo cáo tại buổi làm việc cho thấy …" opens with a verb but reports.
    if !order && FINDINGS.iter().any(|n| f.contains(n)) {
        return true;
    }
    if !has(ORDER_MARKERS) && f.contains("cho biet") {
        return true;
    }
    // "Các địa phương đã chủ động rà soát …": past work, though it opens
    // like a directive (an addressee, then a verb).
    // With its accents: "Bệnh viện Đa khoa" is no "đã".
    let first: Vec<&str> = lower.split_whitespace().take(5).collect();
    if !directive && first.iter().skip(1).any(|w| *w == "đã") {
        return true;
    }
    // "Ngày 05/7, Sở … tổ chức hội nghị": a dated report of what happened,
    // though it opens like a directive.
    if opens_dated(&folded(without_news_tag(seg))) && !directive {
        return true;
    }
    if opens {
        return false;
    }
    if !order && reports_figures(&f) {
        return true;
    }
    let f = folded(without_news_tag(seg));
    if !order && NARRATIVE_STARTS.iter().any(|n| f.starts_with(n)) {
        return true;
    }
    // "Phó Chủ tịch UBND tỉnh phát biểu chỉ đạo tại hội nghị": someone
    // speaking, told; the order would be in what is said.
    if !order && f.contains(" phat bieu ") {
        return true;
    }
    // Past work: "đã" early in a sentence that gives no order.
    let early: Vec<&str> = f.split_whitespace().take(12).collect();
    !directive && early.contains(&"da") && !f.starts_with("da ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_ins_to_shortcomings() {
        assert!(opens_shortcomings(
            "Tuy nhiên, vẫn còn một số tồn tại, hạn chế:"
        ));
        assert!(opens_shortcomings(
            "Bên cạnh đó còn những khó khăn, vướng mắc sau:"
        ));
        assert!(!opens_shortcomings(
            "Yêu cầu các sở khắc phục các hạn chế sau:"
        ));
        assert!(!opens_shortcomings(
            "Tuy nhiên, vẫn còn một số tồn tại, hạn chế."
        ));
        assert!(!opens_shortcomings("Các sở thực hiện các nhiệm vụ sau:"));
    }

    #[test]
    fn chrome_lines() {
        for l in [
            "Ngày đăng: 06:19, 04/06/2010",
            "Chia sẻ",
            "DSC_1305.jpg",
            "Trang chủ | Tin tức - Sự kiện | Chính trị",
            "Thứ Năm, 14/03/2024 - 16:45",
            "Nơi nhận:",
            "- Lưu: VT, TH.",
            "KT. CHỦ TỊCH",
            "(Ảnh: Thu Hà)",
            "Facebook Zalo Twitter",
            "Trang 2/3",
            "- 4 -",
            "Tin cùng chuyên mục",
            "Chủ tịch UBND tỉnh phát biểu tại buổi làm việc. Ảnh: T.L",
            "Bí thư Tỉnh ủy phát biểu kết luận - Ảnh: HP",
            "Minh Huệ",
            "15/01/2025 08:30",
            "Thông báo số 1120/TB-VP        1",
            "Thu Hà - Trung tâm Truyền thông tỉnh",
            "Kim Anh (Văn phòng HĐND - UBND phường)",
            "[Video] Toàn cảnh cuộc họp trực tuyến",
            "Đánh giá bài viết: ★★★★☆ (14 lượt)",
            "#ytế #giáodục",
            "Website sử dụng cookie để nâng cao trải nghiệm của bạn. Đồng ý",
        ] {
            assert!(is_chrome_line(l), "{l}");
        }
        for l in [
            "Sở Tài chính rà soát các khoản nợ.",
            "Tổ chức hội nghị | tập huấn",
            "",
            "Sở Tài chính",
            "Trang bị phương tiện cứu hộ.",
            "Ban hành quy định về ảnh: chân dung",
        ] {
            assert!(!is_chrome_line(l), "{l}");
        }
    }

    #[test]
    fn closings_and_body_openers() {
        assert!(is_closing(
            "Ủy ban nhân dân tỉnh thông báo để các cơ quan, đơn vị biết, thực hiện./."
        ));
        assert!(!is_closing("Sở Tài chính thông báo kết quả cho các huyện."));
        assert!(is_closing(
            "UBND tỉnh có ý kiến để các đơn vị biết, triển khai thực hiện./."
        ));
        assert!(is_closing(
            "Bộ Y tế đề nghị Ủy ban nhân dân các tỉnh quan tâm chỉ đạo thực hiện./."
        ));
        assert!(!is_closing(
            "Đài Phát thanh tăng cường tuyên truyền để nông dân biết, chủ động phòng trừ."
        ));
        assert!(is_closing(
            "Văn phòng UBND tỉnh truyền đạt ý kiến chỉ đạo của Phó Chủ tịch để các cơ quan biết, thực hiện./."
        ));
        assert!(is_closing(
            "Yêu cầu các cơ quan, đơn vị nghiêm túc thực hiện Chỉ thị này./."
        ));
        assert!(!is_closing(
            "Sở Tư pháp hướng dẫn thực hiện Nghị định số 15."
        ));
        assert!(opens_related_links("Xem thêm:"));
        assert!(opens_related_links("Tin liên quan"));
        assert!(!opens_related_links(
            "Xem thêm các văn bản hướng dẫn của Bộ Tài chính để thực hiện."
        ));
        assert!(opens_body("Chủ tịch UBND tỉnh kết luận như sau:"));
        assert!(opens_body("Ban Thường vụ Tỉnh ủy kết luận:"));
        assert!(!opens_body("Sở Y tế:"));
        assert!(announces_list(
            "Bộ đề nghị Ủy ban nhân dân các tỉnh chỉ đạo thực hiện ngay một số nội dung sau:"
        ));
        assert!(announces_list(
            "Đồng chí yêu cầu tập trung các việc sau đây:"
        ));
        assert!(!announces_list("Sở Y tế báo cáo sau."));
    }

    #[test]
    fn figures_reported_are_not_directives() {
        for s in [
            "tăng trưởng GRDP 6 tháng đầu năm ước đạt 7,1%",
            "Tỷ lệ hồ sơ được giải quyết trực tuyến đạt 68,4%",
            "9 tháng, toàn tỉnh đón 3,6 triệu lượt khách, tăng 12% so với cùng kỳ",
            "Kế hoạch vốn là 4.620 tỷ đồng (giao tại Nghị quyết số 45/NQ-HĐND), mới giải ngân đạt 3,1%",
        ] {
            assert!(is_not_directive(s, false), "{s}");
        }
        for s in [
            "Phấn đấu tỷ lệ hồ sơ trực tuyến đạt 80%",
            "Sở Tài chính đề nghị giải ngân đạt 100% kế hoạch",
        ] {
            assert!(!is_not_directive(s, false), "{s}");
        }
    }

    #[test]
    fn gazette_headers_portal_footers_and_record_fields_are_chrome() {
        for l in [
            "CÔNG BÁO/Số 45/Ngày 05-9-2025          17",
            "18        CÔNG BÁO/Số 45/Ngày 05-9-2025",
            "Cơ quan chủ quản: Ủy ban nhân dân tỉnh",
            "Ghi rõ nguồn khi phát hành lại thông tin",
            "Chủ trì: đồng chí Phó Chủ tịch UBND tỉnh",
            "Thành phần: lãnh đạo các sở",
        ] {
            assert!(is_chrome_line(l), "{l}");
        }
        assert!(opens_with_news_tag("(sonla.gov.vn) - Chiều 24/9, …"));
        assert!(!opens_with_news_tag("Sở Y tế - Sở Tài chính phối hợp"));
        assert!(announces_list("Phó Chủ tịch UBND tỉnh yêu cầu:"));
    }

    #[test]
    fn assessments_and_stories_are_not_directives() {
        for s in [
            "Hội nghị đánh giá cao sự nỗ lực của các bộ, ngành, địa phương.",
            "Ngày 05/7, Sở Nội vụ tổ chức hội nghị sơ kết.",
            "Trong 6 tháng đầu năm, Sở đã tham mưu UBND tỉnh ban hành 15 văn bản.",
            "Cơ bản thống nhất với báo cáo của Ban Tổ chức Tỉnh ủy.",
            "Tham dự có lãnh đạo các sở, ngành.",
            "Thời gian qua, tình hình sâu bệnh diễn biến phức tạp.",
            "Đến ngày 20/9/2024, toàn tỉnh mới giải ngân được 48,7% kế hoạch vốn.",
            "Báo cáo tại buổi làm việc cho thấy, kinh tế thành phố tăng trưởng khá.",
            "(QT) - Chiều 02/8, Chủ tịch UBND tỉnh làm việc với Sở Y tế.",
            "QTO - Sáng nay 14/5, Bí thư Tỉnh ủy làm việc với Thành ủy.",
            "Thường trực HĐND tỉnh thống nhất dự kiến thời gian tổ chức kỳ họp.",
            "Chiều 13/1, huyện tổ chức hội nghị. Đồng chí nhấn mạnh: \"các phòng phải nỗ lực cao nhất\".",
            "Chiều 13/1, Chủ tịch UBND huyện chủ trì hội nghị tổng kết.",
            "Đồng chí ghi nhận, đánh giá cao kết quả công tác giáo dục nghề nghiệp.",
            "Tuy nhiên, tiến độ vẫn chậm so với yêu cầu; công tác kiểm đếm còn sai sót.",
            // "yêu cầu" after "với", "sát", "đúng" is a noun, not an order.
            "Hội đồng cơ bản thống nhất với báo cáo; việc rà soát còn chậm, chưa sát với yêu cầu.",
            // A site's name in brackets is a news tag too.
            "(Baohatinh.vn) - Chiều nay (20/2), Thành ủy họp cho ý kiến về đô thị.",
            // A quotation, reported: it exhorts.
            "“Chúng ta phải làm cho bằng được”, đồng chí Bí thư nhấn mạnh.",
            "\"Các xã cần quyết liệt hơn\", Chủ tịch UBND huyện nói.",
            "Phó Chủ tịch UBND tỉnh Lê Văn Phúc phát biểu chỉ đạo tại hội nghị.",
            // Words reported after a colon, or told.
            "Đồng chí cũng lưu ý: \"Tu bổ di tích không phải là xây mới\".",
            "Ông Nguyễn Văn A, Giám đốc HTX cho biết: “Bà con thiếu vốn”",
            "Đại diện nhà thầu cho biết, mùa mưa kéo dài khiến thi công phải tạm dừng.",
        ] {
            assert!(is_not_directive(s, false), "{s}");
        }
        assert!(is_not_directive(
            "Chiều 22/12, Chủ tịch UBND tỉnh chủ trì buổi làm việc. Theo báo cáo, chỉ tiêu Thủ tướng giao cho tỉnh là 14.500 căn.",
            true
        ));
        // Past work, though it opens like a directive.
        assert!(is_not_directive(
            "Các địa phương đã chủ động rà soát trụ sở, bố trí nơi làm việc.",
            true
        ));
        assert!(!is_not_directive(
            "Các địa phương đã rà soát xong cần tiếp tục bố trí nơi làm việc.",
            true
        ));
        assert!(!is_not_directive(
            "Bệnh viện Đa khoa tỉnh bố trí khu điều trị riêng.",
            true
        ));
        assert!(!is_not_directive(
            "Sở Tài chính thẩm tra quyết toán các gói thầu đã hoàn thành.",
            true
        ));
        assert!(is_not_directive(
            "Đánh giá cao sự nỗ lực của các đơn vị.",
            true
        ));
        for s in [
            "Giao Sở Tài chính chủ trì rà soát các khoản nợ đọng.",
            "Biểu dương các đơn vị và yêu cầu Sở Y tế tiếp tục kiểm tra.",
            // An order outside the quotation stays one.
            "“Không để chậm thêm”, đồng chí yêu cầu Sở Xây dựng kiểm tra ngay.",
            "Đồng chí yêu cầu Sở Xây dựng: “kiểm tra ngay”.",
        ] {
            assert!(!is_not_directive(s, false), "{s}");
        }
    }
}
