//! Vietnamese first, English second: every text a person reads comes from the
//! catalogues in `locales/<lang>/dondoc.ftl`.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{static_loader, LanguageIdentifier, Loader};
use std::borrow::Cow;
use std::collections::HashMap;

use crate::domain::Invalid;
pub use crate::domain::Lang;

static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "vi",
        // Plain text: no Unicode isolation marks around arguments.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Fluent's name of a language.
fn language_id(lang: Lang) -> LanguageIdentifier {
    match lang {
        Lang::Vi => fluent_templates::langid!("vi"),
        Lang::En => fluent_templates::langid!("en"),
    }
}

/// The text of a catalogue key; the key itself when it is missing (tests check none is).
pub fn text(lang: Lang, key: &str) -> String {
    text_with(lang, key, &[])
}

pub fn text_with(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    if args.is_empty() {
        if let Some(text) = plain_texts()[lang as usize].get(key) {
            return text.clone();
        }
    }
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| (Cow::Owned(k.to_string()), fluent_value(v)))
        .collect();
    LOCALES
        .try_lookup_complete(&language_id(lang), key, Some(&args))
        .unwrap_or_else(|| key.to_string())
}

/// An argument as Fluent should see it: a whole number as a number, so that
/// selectors like `[1]` and plural forms match (a string "1" matches neither);
/// anything else, a leading zero included, stays text.
fn fluent_value(v: &str) -> FluentValue<'static> {
    match v.parse::<i64>() {
        Ok(n) if n.to_string() == v => FluentValue::from(n),
        _ => FluentValue::from(v.to_string()),
    }
}

/// The catalogue sources, also read to list their keys.
const CATALOGUES: [(Lang, &str); 14] = [
    (Lang::Vi, include_str!("../locales/vi/dondoc.ftl")),
    (Lang::En, include_str!("../locales/en/dondoc.ftl")),
    (Lang::Vi, include_str!("../locales/vi/documents.ftl")),
    (Lang::En, include_str!("../locales/en/documents.ftl")),
    (Lang::Vi, include_str!("../locales/vi/inbox.ftl")),
    (Lang::En, include_str!("../locales/en/inbox.ftl")),
    (Lang::Vi, include_str!("../locales/vi/parser.ftl")),
    (Lang::En, include_str!("../locales/en/parser.ftl")),
    (Lang::Vi, include_str!("../locales/vi/phone.ftl")),
    (Lang::En, include_str!("../locales/en/phone.ftl")),
    (Lang::Vi, include_str!("../locales/vi/report.ftl")),
    (Lang::En, include_str!("../locales/en/report.ftl")),
    (Lang::Vi, include_str!("../locales/vi/security.ftl")),
    (Lang::En, include_str!("../locales/en/security.ftl")),
];

/// The messages that take no argument, formatted once per language: a page
/// asks for hundreds of them, and each would otherwise be looked up and
/// formatted by Fluent again.
fn plain_texts() -> &'static [HashMap<&'static str, String>; 2] {
    static PLAIN: std::sync::OnceLock<[HashMap<&'static str, String>; 2]> =
        std::sync::OnceLock::new();
    PLAIN.get_or_init(|| {
        let no_args = HashMap::new();
        let mut plain: [HashMap<&'static str, String>; 2] = Default::default();
        for (lang, source) in CATALOGUES {
            for key in catalogue_keys(source) {
                // A message with arguments fails to format without them.
                if let Some(text) =
                    LOCALES.try_lookup_complete(&language_id(lang), key, Some(&no_args))
                {
                    plain[lang as usize].insert(key, text);
                }
            }
        }
        plain
    })
}

/// The message keys of a catalogue source (lines `key = …`).
fn catalogue_keys(source: &str) -> impl Iterator<Item = &str> {
    source
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '\t']))
        .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim()))
}

/// Whether the catalogue has the key (a lookup cannot tell: without its
/// arguments a message fails to format).
pub fn has_key(lang: Lang, key: &str) -> bool {
    static KEYS: std::sync::OnceLock<std::collections::HashSet<(Lang, String)>> =
        std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        CATALOGUES
            .iter()
            .flat_map(|(lang, src)| catalogue_keys(src).map(move |k| (*lang, k.to_string())))
            .collect()
    })
    .contains(&(lang, key.to_string()))
}

/// The label of a field as the user sees it (`deadline` → "Thời hạn"); a field
/// of a list item (`tasks[2].deadline`) is named with the item's number.
pub fn field_label(lang: Lang, field: &str) -> String {
    let (item, name) = match field.rsplit_once('.') {
        Some((path, name)) => (
            path.rsplit_once('[')
                .and_then(|(_, n)| n.trim_end_matches(']').parse::<usize>().ok()),
            name,
        ),
        None => (None, field),
    };
    let key = format!("field-{}", name.replace('_', "-"));
    let label = if has_key(lang, &key) {
        text(lang, &key)
    } else {
        name.to_string()
    };
    match item {
        Some(n) => text_with(
            lang,
            "field-of-item",
            &[("field", label), ("n", (n + 1).to_string())],
        ),
        None => label,
    }
}

/// A message about a field that names it.
pub fn invalid(lang: Lang, e: &Invalid) -> String {
    let mut args: Vec<(&str, String)> = e.args.iter().map(|(k, v)| (*k, v.clone())).collect();
    args.push(("field", field_label(lang, &e.field)));
    text_with(lang, e.key, &args)
}

/// The Tera function of pages and mails: `{{ t(key="login-title", lang=lang, n=3) }}`
/// is a catalogue text; the other arguments are the message's.
pub fn tera_t(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let key = args
        .get("key")
        .and_then(|v| v.as_str())
        .ok_or_else(|| tera::Error::msg("t(): missing key"))?;
    let lang = args
        .get("lang")
        .and_then(|v| v.as_str())
        .and_then(Lang::from_code)
        .unwrap_or_default();
    let params: Vec<(&str, String)> = args
        .iter()
        .filter(|(name, _)| name.as_str() != "key" && name.as_str() != "lang")
        .map(|(name, value)| {
            let text = match value {
                tera::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (name.as_str(), text)
        })
        .collect();
    Ok(tera::Value::String(text_with(lang, key, &params)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_list_items_are_numbered_from_one() {
        assert_eq!(
            field_label(Lang::Vi, "tasks[2].deadline"),
            "Thời hạn (mục 3)"
        );
        assert_eq!(
            field_label(Lang::En, "tasks[0].lead_unit"),
            "Lead unit (item 1)"
        );
        assert_eq!(field_label(Lang::En, "mystery"), "mystery");
    }

    #[test]
    fn numbers_reach_fluent_as_numbers() {
        // The first half-year was labelled as the second: "1" arrived as text.
        let half = |n: &str| {
            text_with(
                Lang::Vi,
                "period-half",
                &[("n", n.into()), ("year", "2022".into())],
            )
        };
        assert_eq!(half("1"), "6 tháng đầu năm 2022");
        assert_eq!(half("2"), "6 tháng cuối năm 2022");
        let en = text_with(
            Lang::En,
            "period-half",
            &[("n", "1".into()), ("year", "2022".into())],
        );
        assert!(en.contains("First"), "{en}");
        assert_eq!(
            text_with(Lang::Vi, "days-left", &[("n", "0".into())]),
            "đến hạn hôm nay"
        );
        assert_eq!(
            text_with(Lang::Vi, "days-left", &[("n", "3".into())]),
            "còn 3 ngày"
        );
        // Codes with leading zeros stay as they are.
        assert_eq!(fluent_value("007"), FluentValue::from("007"));
    }

    #[test]
    fn messages_name_the_field_in_each_language() {
        let e = Invalid::required("deadline");
        assert!(
            invalid(Lang::Vi, &e).contains("Thời hạn"),
            "{}",
            invalid(Lang::Vi, &e)
        );
        assert!(
            invalid(Lang::En, &e).contains("Deadline"),
            "{}",
            invalid(Lang::En, &e)
        );
    }

    #[test]
    fn no_key_is_defined_twice() {
        // Fluent refuses a catalogue that defines a message twice, at the first lookup.
        for (lang, source) in CATALOGUES {
            let mut keys: Vec<&str> = catalogue_keys(source).collect();
            let all = keys.len();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), all, "a key is defined twice in {}", lang.code());
        }
        assert_eq!(text(Lang::Vi, "login-title"), "Đăng nhập");
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let keys = |src: &str| -> Vec<String> {
            let mut k: Vec<String> = catalogue_keys(src).map(str::to_string).collect();
            k.sort();
            k
        };
        // The catalogues come in pairs, Vietnamese then English, one pair per file.
        for pair in CATALOGUES.chunks(2) {
            assert_eq!(keys(pair[0].1), keys(pair[1].1));
        }
        assert!(keys(CATALOGUES[0].1).len() > 20);
    }

    #[test]
    fn every_catalogue_file_is_listed() {
        // Fluent loads every file of a language folder; the key lookup reads this list.
        for lang in ["vi", "en"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("locales")
                .join(lang);
            for entry in std::fs::read_dir(&dir).expect("locales folder") {
                let source = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
                assert!(
                    CATALOGUES.iter().any(|(_, listed)| *listed == source),
                    "a file of {} is missing from CATALOGUES",
                    dir.display()
                );
            }
        }
    }

    #[test]
    fn every_message_key_used_in_the_code_exists() {
        let sources = [
            include_str!("domain/task.rs"),
            include_str!("domain/unit.rs"),
            include_str!("domain/invalid.rs"),
            include_str!("import.rs"),
            include_str!("auth.rs"),
            include_str!("storage/units.rs"),
            include_str!("storage/users.rs"),
            include_str!("storage/tasks.rs"),
            include_str!("storage/meetings.rs"),
        ];
        for src in sources {
            for part in src.split('"').skip(1).step_by(2) {
                if part.starts_with("err-") && !part.contains(' ') {
                    for lang in Lang::ALL {
                        assert!(has_key(lang, part), "{part} missing in {}", lang.code());
                    }
                }
            }
        }
    }
}
