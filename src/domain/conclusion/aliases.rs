//! The default alias table: the short forms Vietnamese state and Party
//! documents use for the names of bodies, so that an admin who typed
//! "Sở Kế hoạch và Đầu tư" gets "Sở KH&ĐT", "Sở KHĐT" and "Sở Kế hoạch -
//! Đầu tư" recognised too, and "Kho bạc Nhà nước tỉnh Hà Nam" is found as
//! "Kho bạc Nhà nước tỉnh".
//!
//! Aliases are generated from each unit's own names by replacing known long
//! forms with their short forms (every combination, capped), by dropping the
//! province's name after "tỉnh", and by dropping "và" (documents write
//! "Kế hoạch - Đầu tư" as often as "Kế hoạch và Đầu tư"). Matching is on
//! folded words, and `&`, `-` and `,` between words are ignored, so "KH&ĐT"
//! and "KH-ĐT" are one alias.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use super::super::text::fold;
use super::UnitName;

/// Long form (as in full names) → short forms seen in documents.
const SHORT_FORMS: &[(&str, &[&str])] = &[
    ("ủy ban nhân dân", &["ubnd"]),
    ("hội đồng nhân dân", &["hđnd"]),
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
    ("bộ chỉ huy quân sự", &["bộ chqs", "bchqs"]),
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
    units
        .iter()
        .map(|u| {
            let mut seen: BTreeSet<String> = BTreeSet::new();
            let mut names = Vec::new();
            for n in &u.names {
                if seen.insert(key(n)) {
                    names.push(n.clone());
                }
            }
            for n in &u.names {
                for v in variants(n) {
                    if seen.insert(key(&v)) {
                        names.push(v);
                    }
                }
            }
            UnitName {
                code: u.code.clone(),
                names,
            }
        })
        .collect()
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
    // The province's name after "tỉnh": "... tỉnh hà nam" → "... tỉnh".
    if let Some(pos) = base.rfind(" tinh ") {
        if pos > 0 {
            out.push(base[..pos + 5].to_string());
        }
    }
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
    }

    #[test]
    fn province_name_after_tinh_is_optional() {
        let v = all("Kho bạc Nhà nước tỉnh Hà Nam");
        assert!(v.contains(&"kho bac nha nuoc tinh".to_string()), "{v:?}");
        assert!(v.contains(&"kbnn tinh".to_string()), "{v:?}");
        assert!(all("Tỉnh đoàn Hà Nam").contains(&"tinh doan".to_string()));
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
