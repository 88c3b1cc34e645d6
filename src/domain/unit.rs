//! A unit as it comes in (CSV row, form, API), checked once.

use super::Invalid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    pub email: Option<String>,
    pub head_email: Option<String>,
    pub aliases: Vec<String>,
}

/// The raw text of each field, as typed.
#[derive(Debug, Clone, Default)]
pub struct RawUnit<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub parent: &'a str,
    pub email: &'a str,
    pub head_email: &'a str,
    /// `|`-separated.
    pub aliases: &'a str,
}

/// A unit as people read it: the name, the code second ("Ban Tuyên giáo Tỉnh
/// ủy (BTGTU)"), as the pages show it; the code alone when the name is unknown.
pub fn label(name: &str, code: &str) -> String {
    match (name.trim(), code.trim()) {
        ("", code) => code.to_string(),
        (name, "") => name.to_string(),
        (name, code) if name == code => name.to_string(),
        (name, code) => format!("{name} ({code})"),
    }
}

pub const MAX_CODE_LEN: usize = 32;
pub const MAX_NAME_LEN: usize = 300;

pub fn check_code(field: &str, code: &str) -> Result<String, Invalid> {
    let code = code.trim();
    if code.is_empty() {
        return Err(Invalid::required(field));
    }
    if code.chars().count() > MAX_CODE_LEN
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(Invalid::new(field, "err-unit-code").arg("value", code));
    }
    Ok(code.to_string())
}

pub fn check_email(field: &str, email: &str) -> Result<Option<String>, Invalid> {
    let email = email.trim();
    if email.is_empty() {
        return Ok(None);
    }
    email
        .parse::<lettre::Address>()
        .map(|a| Some(a.to_string()))
        .map_err(|_| Invalid::new(field, "err-email").arg("value", email))
}

/// Splits a `|`-separated cell into trimmed, non-empty, distinct values.
pub fn split_list(cell: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in cell.split('|').map(str::trim).filter(|p| !p.is_empty()) {
        if !out.iter().any(|o| o == part) {
            out.push(part.to_string());
        }
    }
    out
}

impl UnitInput {
    /// Every problem of the row, not just the first.
    pub fn parse(raw: &RawUnit) -> Result<UnitInput, Vec<Invalid>> {
        let mut errors = Vec::new();
        let code = check_code("code", raw.code)
            .map_err(|e| errors.push(e))
            .ok();
        let name = raw.name.trim();
        if name.is_empty() {
            errors.push(Invalid::required("name"));
        } else if name.chars().count() > MAX_NAME_LEN {
            errors.push(Invalid::new("name", "err-too-long").arg("max", MAX_NAME_LEN));
        }
        let parent = if raw.parent.trim().is_empty() {
            None
        } else {
            check_code("parent", raw.parent)
                .map_err(|e| errors.push(e))
                .ok()
        };
        if parent.is_some() && parent == code {
            errors.push(Invalid::new("parent", "err-unit-own-parent"));
        }
        let email = check_email("email", raw.email)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let head_email = check_email("head_email", raw.head_email)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        match (code, errors.is_empty()) {
            (Some(code), true) => Ok(UnitInput {
                code,
                name: name.to_string(),
                parent,
                email,
                head_email,
                aliases: split_list(raw.aliases),
            }),
            _ => Err(errors),
        }
    }
}

/// The units of a subtree, root included, from each unit's id and parent.
pub fn subtree(units: impl IntoIterator<Item = (i64, Option<i64>)>, root: i64) -> Vec<i64> {
    let mut children: std::collections::HashMap<i64, Vec<i64>> = Default::default();
    for (id, parent) in units {
        if let Some(p) = parent {
            children.entry(p).or_default().push(id);
        }
    }
    let mut out = vec![root];
    let mut seen = std::collections::HashSet::from([root]);
    let mut i = 0;
    while i < out.len() {
        if let Some(kids) = children.get(&out[i]) {
            for k in kids {
                if seen.insert(*k) {
                    out.push(*k);
                }
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subtree_holds_its_root_and_every_unit_below_once() {
        // 1 ─ 2 ─ 4, 1 ─ 3; 5 apart; a loop 6 ⇄ 7 ends.
        let units = [
            (1, None),
            (2, Some(1)),
            (3, Some(1)),
            (4, Some(2)),
            (5, None),
            (6, Some(7)),
            (7, Some(6)),
        ];
        assert_eq!(subtree(units, 1), vec![1, 2, 3, 4]);
        assert_eq!(subtree(units, 4), vec![4]);
        assert_eq!(subtree(units, 6), vec![6, 7]);
    }

    #[test]
    fn a_label_is_the_name_then_the_code() {
        assert_eq!(
            label("Ban Tuyên giáo Tỉnh ủy", "BTGTU"),
            "Ban Tuyên giáo Tỉnh ủy (BTGTU)"
        );
        assert_eq!(label("", "BTGTU"), "BTGTU");
        assert_eq!(label("Ban Tuyên giáo", ""), "Ban Tuyên giáo");
    }

    #[test]
    fn a_good_row() {
        let u = UnitInput::parse(&RawUnit {
            code: " VPTU ",
            name: "Văn phòng Tỉnh ủy",
            parent: "TU",
            email: "vptu@hanam.dcs.vn",
            head_email: "",
            aliases: "VP Tỉnh ủy | Văn phòng TU | VP Tỉnh ủy",
        })
        .expect("valid");
        assert_eq!(u.code, "VPTU");
        assert_eq!(u.parent.as_deref(), Some("TU"));
        assert_eq!(u.aliases, vec!["VP Tỉnh ủy", "Văn phòng TU"]);
        assert_eq!(u.head_email, None);
    }

    #[test]
    fn every_problem_is_reported() {
        let errors = UnitInput::parse(&RawUnit {
            code: "VP TU",
            name: " ",
            parent: "",
            email: "not-an-email",
            head_email: "x@",
            aliases: "",
        })
        .expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["code", "name", "email", "head_email"]);
    }

    #[test]
    fn a_unit_is_not_its_own_parent() {
        let errors = UnitInput::parse(&RawUnit {
            code: "A",
            name: "A",
            parent: "A",
            ..Default::default()
        })
        .expect_err("own parent");
        assert_eq!(errors[0].key, "err-unit-own-parent");
    }

    #[test]
    fn codes() {
        assert!(check_code("code", "BTG-TU_1.2").is_ok());
        assert!(check_code("code", &"A".repeat(33)).is_err());
        assert!(check_code("code", "Ban TG").is_err());
        assert!(check_code("code", "").is_err());
    }
}
