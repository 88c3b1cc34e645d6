//! The default alias table: the short forms Vietnamese state and Party
//! documents use for the names of bodies, so that an admin who typed
//! "Sở Kế hoạch và Đầu tư" gets "Sở KH&ĐT", "Sở KHĐT" and "Sở Kế hoạch -
//! Đầu tư" recognised too, and "Kho bạc Nhà nước tỉnh Hà Nam" is found as
//! "Kho bạc Nhà nước tỉnh".
//!
//! Aliases are generated from each unit's own names by replacing known long
//! forms with their short forms (every combination, capped), by dropping the
//! place's name after its level ("Công an huyện Hải Lăng" → "Công an
//! huyện", "Huyện ủy Hải Lăng" → "Huyện ủy") and the level with it when two
//! words remain ("Phòng Tài nguyên và Môi trường huyện Hải Lăng" → "Phòng
//! Tài nguyên và Môi trường": a district's own notices name its offices so),
//! a commune's or ward's offices likewise ("Công an xã", "Phòng Kinh tế"),
//! a council's committee without its council ("Ban Kinh tế - Ngân sách"),
//! and by dropping "và" (documents write "Kế hoạch - Đầu tư" as often as
//! "Kế hoạch và Đầu tư"). Matching is on folded words, and `&`, `-` and `,`
//! between words are ignored, so "KH&ĐT" and "KH-ĐT" are one alias.
//!
//! A generated alias that two units share ("Công an" from "Công an tỉnh …"
//! and "Công an huyện …", "UBND huyện" from two districts) names neither:
//! it is dropped, and so is one equal to another unit's own name.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use super::super::text::fold;
use super::UnitName;

/// Long form (as in full names) → short forms seen in documents.
const SHORT_FORMS: &[(&str, &[&str])] = &[
    ("ủy ban nhân dân", &["ubnd"]),
    ("hội đồng nhân dân", &["hđnd"]),
    ("đại biểu quốc hội", &["đbqh"]),
    ("tài chính - kế hoạch", &["tc-kh", "tckh"]),
    ("kinh tế và hạ tầng", &["kt&ht", "ktht"]),
    ("văn hóa và thông tin", &["vh&tt", "vhtt"]),
    ("kế hoạch và đầu tư", &["kh&đt", "khđt"]),
    ("tài nguyên và môi trường", &["tn&mt", "tnmt"]),
    ("giao thông vận tải", &["gtvt"]),
    (
        "nông nghiệp và phát triển nông thôn",
        &["nn&ptnt", "nnptnt"],
    ),
    ("lao động - thương binh và xã hội", &["lđ-tb&xh", "lđtbxh"]),
    (
        "văn hóa, thể thao và du lịch",
        &["vh,tt&dl", "vhttdl", "vh-tt&dl"],
    ),
    ("giáo dục và đào tạo", &["gd&đt", "gdđt"]),
    ("khoa học và công nghệ", &["kh&cn", "khcn"]),
    ("thông tin và truyền thông", &["tt&tt", "tttt"]),
    ("tài chính", &["tc"]),
    ("nội vụ", &["nv"]),
    ("xây dựng", &["xd"]),
    ("công thương", &["ct"]),
    ("tư pháp", &["tp"]),
    ("y tế", &["yt"]),
    ("bộ chỉ huy quân sự", &["bộ chqs", "bchqs", "bch quân sự"]),
    (
        "mặt trận tổ quốc việt nam",
        &["mttq việt nam", "mttq", "mặt trận tổ quốc"],
    ),
    ("thành phố", &["tp"]),
    ("thị xã", &["tx"]),
    ("văn phòng", &["vp"]),
    ("ban quản lý", &["bql"]),
    ("kho bạc nhà nước", &["kbnn"]),
    ("bảo hiểm xã hội", &["bhxh"]),
    ("phát thanh và truyền hình", &["pt-th", "pt&th", "ptth"]),
    (
        "ngân hàng nhà nước việt nam",
        &["ngân hàng nhà nước", "nhnn"],
    ),
    ("ban thường vụ", &["btv"]),
    ("tỉnh ủy", &["tu"]),
];

/// Kinds of body whose name starts a short form ("Sở TC", not "TC" alone):
/// a replacement may not produce a name of one abbreviation only.
const MIN_WORDS: usize = 2;

/// Aliases generated per name, at most.
const MAX_VARIANTS: usize = 24;

/// The units with the default aliases added to their own names.
pub(super) fn with_default_aliases(units: &[UnitName]) -> Vec<UnitName> {
    let own: Vec<BTreeSet<String>> = units
        .iter()
        .map(|u| u.names.iter().map(|n| key(n)).collect())
        .collect();
    let generated: Vec<BTreeSet<String>> = units
        .iter()
        .zip(&own)
        .map(|(u, own)| {
            u.names
                .iter()
                // Variants are keys already (folded words): not folded again,
                // which was a tenth of every parse.
                .flat_map(|n| variants(n))
                .filter(|v| !own.contains(v))
                .collect()
        })
        .collect();
    // How many units each name would stand for.
    let mut holders: HashMap<&str, usize> = HashMap::new();
    for names in own.iter().chain(&generated) {
        for n in names {
            *holders.entry(n.as_str()).or_default() += 1;
        }
    }
    units
        .iter()
        .zip(&generated)
        .map(|(u, generated)| {
            let mut seen: BTreeSet<String> = BTreeSet::new();
            let mut names = Vec::new();
            for n in &u.names {
                if seen.insert(key(n)) {
                    names.push(n.clone());
                }
            }
            for v in generated {
                if holders.get(v.as_str()) == Some(&1) && seen.insert(v.clone()) {
                    names.push(v.clone());
                }
            }
            UnitName {
                code: u.code.clone(),
                names,
            }
        })
        .collect()
}

/// Levels of administration, as folded words, that a place's name follows.
const LEVELS: &[&str] = &[
    "tinh uy",
    "huyen uy",
    "thanh uy",
    "thi uy",
    "tinh",
    "huyen",
    "thanh pho",
    "thi xa",
    "quan",
    "xa",
    "phuong",
    "thi tran",
];

/// Names that, without their level, are a kind of body, not one body.
const KINDS: &[&str] = &["uy ban nhan dan", "hoi dong nhan dan"];

/// The name without the place after its level, and without the level too
/// when at least three words remain: "phong noi vu huyen hai lang" →
/// ["phong noi vu huyen", "phong noi vu"]; "cong an huyen hai lang" →
/// ["cong an huyen"].
fn without_place(base: &str) -> Vec<String> {
    let words: Vec<&str> = base.split(' ').collect();
    for start in (0..words.len()).rev() {
        for level in LEVELS {
            let lw: Vec<&str> = level.split(' ').collect();
            let end = start + lw.len();
            // The place is one to three words after the level.
            if end < 2 || end >= words.len() || words.len() - end > 3 || words[start..end] != lw[..]
            {
                continue;
            }
            // "Xã hội" (society) is no commune: "Phòng Văn hóa - Xã hội".
            if *level == "xa" && words[end] == "hoi" {
                continue;
            }
            let mut out = vec![words[..end].join(" ")];
            let bare = words[..start].join(" ");
            // "Tỉnh ủy", "Huyện ủy" keep their level: it is their name.
            if start >= 3 && !level.ends_with(" uy") && !KINDS.contains(&bare.as_str()) {
                // A council's committee is named without its council in the
                // council's own notices: "Ban Kinh tế - Ngân sách".
                if let Some(committee) = bare
                    .strip_suffix(" hoi dong nhan dan")
                    .filter(|c| c.starts_with("ban ") && c.split(' ').count() >= 3)
                {
                    out.push(committee.to_string());
                }
                out.push(bare);
            }
            return out;
        }
    }
    Vec::new()
}

/// Folded words, for de-duplication.
fn key(s: &str) -> String {
    words(&fold(s)).join(" ")
}

fn words(folded: &str) -> Vec<&str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The short-form table with both sides as folded words, built once.
fn table() -> &'static [(String, Vec<String>)] {
    static TABLE: OnceLock<Vec<(String, Vec<String>)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        SHORT_FORMS
            .iter()
            .map(|(long, shorts)| (key(long), shorts.iter().map(|s| key(s)).collect()))
            .collect()
    })
}

/// Generated aliases of one name, as folded words separated by spaces
/// (matching is on folded words anyway).
fn variants(name: &str) -> Vec<String> {
    let base = key(name);
    let mut out: Vec<String> = vec![base.clone()];
    out.extend(without_place(&base));
    // "Tỉnh đoàn Hà Nam" → "Tỉnh đoàn".
    if base.starts_with("tinh doan ") {
        out.push("tinh doan".to_string());
    }
    for (long, shorts) in table() {
        if find_words(&base, long).is_none() && !out.iter().any(|v| find_words(v, long).is_some()) {
            continue;
        }
        let mut added = Vec::new();
        for v in &out {
            if let Some(p) = find_words(v, long) {
                for short in shorts {
                    let replaced = format!("{}{}{}", &v[..p], short, &v[p + long.len()..]);
                    if replaced.split(' ').count() >= MIN_WORDS {
                        added.push(replaced);
                    }
                }
            }
        }
        out.extend(added);
        out.truncate(MAX_VARIANTS);
    }
    // "Kế hoạch - Đầu tư": the same name without its "và".
    let without_va: Vec<String> = out
        .iter()
        .filter(|k| k.split(' ').any(|w| w == "va"))
        .map(|k| {
            k.split(' ')
                .filter(|w| *w != "va")
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    out.extend(without_va);
    out.retain(|v| *v != base);
    out
}

/// Byte position of `needle` as whole words in `hay` (both space-separated).
fn find_words(hay: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = hay[from..].find(needle).map(|p| p + from) {
        let before_ok = p == 0 || hay.as_bytes()[p - 1] == b' ';
        let end = p + needle.len();
        let after_ok = end == hay.len() || hay.as_bytes()[end] == b' ';
        if before_ok && after_ok {
            return Some(p);
        }
        from = p + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(name: &str) -> Vec<String> {
        let u = with_default_aliases(&[UnitName::new("X", &[name])]);
        u[0].names.iter().map(|n| key(n)).collect()
    }

    #[test]
    fn usual_short_forms() {
        let v = all("Sở Kế hoạch và Đầu tư");
        for want in ["so kh dt", "so khdt", "so ke hoach dau tu"] {
            assert!(v.contains(&want.to_string()), "{want} not in {v:?}");
        }
        let v = all("Ủy ban nhân dân thành phố Phủ Lý");
        assert!(v.contains(&"ubnd tp phu ly".to_string()), "{v:?}");
        assert!(v.contains(&"ubnd thanh pho phu ly".to_string()), "{v:?}");
        let v = all("Sở Lao động - Thương binh và Xã hội");
        assert!(v.contains(&"so ld tb xh".to_string()), "{v:?}");
        let v = all("Bộ Chỉ huy Quân sự tỉnh Hà Nam");
        assert!(v.contains(&"bo chqs tinh".to_string()), "{v:?}");
        assert!(v.contains(&"bch quan su tinh".to_string()), "{v:?}");
    }

    #[test]
    fn province_name_after_tinh_is_optional() {
        let v = all("Kho bạc Nhà nước tỉnh Hà Nam");
        assert!(v.contains(&"kho bac nha nuoc tinh".to_string()), "{v:?}");
        assert!(v.contains(&"kbnn tinh".to_string()), "{v:?}");
        assert!(all("Tỉnh đoàn Hà Nam").contains(&"tinh doan".to_string()));
    }

    #[test]
    fn place_names_and_levels_are_optional() {
        let v = all("Phòng Tài nguyên và Môi trường huyện Hải Lăng");
        for want in [
            "phong tai nguyen va moi truong huyen",
            "phong tai nguyen va moi truong",
            "phong tn mt",
        ] {
            assert!(v.contains(&want.to_string()), "{want} not in {v:?}");
        }
        let v = all("Ban Tuyên giáo Huyện ủy Hải Lăng");
        assert!(v.contains(&"ban tuyen giao huyen uy".to_string()), "{v:?}");
        assert!(!v.contains(&"ban tuyen giao".to_string()), "{v:?}");
        assert!(all("Huyện ủy Hải Lăng").contains(&"huyen uy".to_string()));
        // Two words left would be a kind of body, not this one.
        let v = all("Công an huyện Hải Lăng");
        assert!(v.contains(&"cong an huyen".to_string()), "{v:?}");
        assert!(!v.contains(&"cong an".to_string()), "{v:?}");
        assert!(!all("Ủy ban nhân dân tỉnh Quảng Trị").contains(&"uy ban nhan dan".to_string()));
        assert!(!all("Tỉnh đoàn Quảng Trị").contains(&"tinh".to_string()));
        let v = all("Phòng Tài chính - Kế hoạch huyện Hải Lăng");
        assert!(v.contains(&"phong tc kh".to_string()), "{v:?}");
        let v = all("Phòng Kinh tế và Hạ tầng huyện Hải Lăng");
        assert!(v.contains(&"phong kt ht".to_string()), "{v:?}");
    }

    #[test]
    fn variants_are_keys_already() {
        for name in [
            "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã Thiên Cầm",
            "Sở Văn hóa, Thể thao và Du lịch",
            "Ban Kinh tế - Ngân sách Hội đồng nhân dân tỉnh Hà Tĩnh",
            "Sở Lao động - Thương binh và Xã hội",
            "Ủy ban MTTQ Việt Nam tỉnh Đắk Lắk",
        ] {
            for v in variants(name) {
                assert_eq!(key(&v), v, "{name}");
            }
        }
    }

    #[test]
    fn commune_offices_and_council_committees() {
        // Two-level local government: a commune's offices go by their kind
        // and level in its own notices.
        let v = all("Phòng Kinh tế xã Thiên Cầm");
        assert!(v.contains(&"phong kinh te xa".to_string()), "{v:?}");
        assert!(v.contains(&"phong kinh te".to_string()), "{v:?}");
        assert!(all("Công an xã Thiên Cầm").contains(&"cong an xa".to_string()));
        assert!(all("Công an phường Hoành Sơn").contains(&"cong an phuong".to_string()));
        let v = all("Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã Thiên Cầm");
        assert!(
            v.contains(&"van phong hdnd va ubnd xa".to_string()),
            "{v:?}"
        );
        // "Xã hội" is not a commune's level.
        let v = all("Phòng Văn hóa - Xã hội xã Thiên Cầm");
        assert!(v.contains(&"phong van hoa xa hoi".to_string()), "{v:?}");
        assert!(!v.iter().any(|n| n == "phong van hoa"), "{v:?}");
        let v = all("Sở Lao động - Thương binh và Xã hội");
        assert!(!v.iter().any(|n| n.ends_with(" xa")), "{v:?}");
        // A council's committee without its council.
        let v = all("Ban Kinh tế - Ngân sách Hội đồng nhân dân tỉnh Hà Tĩnh");
        assert!(v.contains(&"ban kinh te ngan sach".to_string()), "{v:?}");
        assert!(
            v.contains(&"ban kinh te ngan sach hdnd tinh".to_string()),
            "{v:?}"
        );
        // Not a committee: the office keeps its council.
        let v = all("Văn phòng Hội đồng nhân dân tỉnh Hà Tĩnh");
        assert!(!v.contains(&"van phong".to_string()), "{v:?}");
    }

    #[test]
    fn an_alias_two_units_share_is_dropped() {
        let u = with_default_aliases(&[
            UnitName::new("A", &["Ủy ban nhân dân huyện Hải Lăng"]),
            UnitName::new("B", &["Ủy ban nhân dân huyện Gio Linh"]),
            UnitName::new("C", &["Phòng Nội vụ huyện Hải Lăng"]),
        ]);
        let names = |k: usize| -> Vec<String> { u[k].names.iter().map(|n| key(n)).collect() };
        assert!(
            !names(0).contains(&"ubnd huyen".to_string()),
            "{:?}",
            names(0)
        );
        assert!(names(0).contains(&"ubnd huyen hai lang".to_string()));
        assert!(names(2).contains(&"phong noi vu".to_string()));
    }

    #[test]
    fn no_alias_is_a_lone_abbreviation() {
        assert_eq!(all("Tài chính"), vec!["tai chinh".to_string()]);
        assert!(all("").iter().all(|n| n.is_empty()));
        // The admin's own names are kept first and not repeated.
        let u = with_default_aliases(&[UnitName::new("X", &["Sở Y tế", "Sở Y tế"])]);
        assert_eq!(u[0].names[0], "Sở Y tế");
        assert_eq!(u[0].names.iter().filter(|n| key(n) == "so y te").count(), 1);
    }
}
