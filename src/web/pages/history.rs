//! An audit entry in words, for a task's history and `/admin/audit`: one line
//! a field, "Thời hạn: 31/12/2022 → 31/01/2023" for an edit and "Lý do: …"
//! for what another action carried; units by name, the code second.

use std::collections::HashMap;

use crate::domain::audit::{self, Shown};
use crate::i18n::{self, Lang};

/// The lines of an entry's details; `unit_names` by code.
pub fn describe_details(
    lang: Lang,
    action: &str,
    details: &str,
    unit_names: &HashMap<String, String>,
) -> Vec<String> {
    let unit = |code: &str| match unit_names.get(code) {
        Some(name) => crate::domain::unit::label(name, code),
        None => code.to_string(),
    };
    let value = |field: &str, v: &Shown| match v {
        Shown::Empty => "—".to_string(),
        // A role is stored by its code.
        Shown::Text(t) if field == "role" && i18n::has_key(lang, &format!("role-{t}")) => {
            i18n::text(lang, &format!("role-{t}"))
        }
        Shown::Text(t) => t.clone(),
        Shown::Yes => i18n::text(lang, "yes"),
        Shown::No => i18n::text(lang, "no"),
    };
    audit::changes(action, details, &unit)
        .into_iter()
        .map(|c| {
            let shown = match &c.before {
                Some(before) => format!(
                    "{} → {}",
                    value(&c.field, before),
                    value(&c.field, &c.after)
                ),
                None => value(&c.field, &c.after),
            };
            if c.field.is_empty() {
                shown
            } else {
                format!("{}: {shown}", i18n::field_label(lang, &c.field))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_reads_field_old_new() {
        let names = HashMap::from([("VPTU".to_string(), "Văn phòng Tỉnh ủy".to_string())]);
        let lines = describe_details(
            Lang::Vi,
            "task.update",
            r#"{"deadline":["2022-12-31","2023-01-31"],"lead_unit":["BTGTU","VPTU"],"coordinators":[[],["VPTU"]]}"#,
            &names,
        );
        assert!(
            lines.contains(&"Thời hạn: 31/12/2022 → 31/01/2023".to_string()),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"Đơn vị chủ trì: BTGTU → Văn phòng Tỉnh ủy (VPTU)".to_string()),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"Đơn vị phối hợp: — → Văn phòng Tỉnh ủy (VPTU)".to_string()),
            "{lines:?}"
        );
        let cancel = describe_details(
            Lang::En,
            "task.cancel",
            r#"{"reason":"trùng","cancelled_on":"2022-08-01"}"#,
            &names,
        );
        assert!(
            cancel.contains(&"Cancelled on: 01/08/2022".to_string()),
            "{cancel:?}"
        );
        // Text that is not JSON is shown as it is.
        assert_eq!(
            describe_details(Lang::Vi, "task.update", "not json", &names),
            ["not json"]
        );
    }

    #[test]
    fn yes_no_and_codes_in_words() {
        let names = HashMap::new();
        let lines = describe_details(
            Lang::Vi,
            "user.update",
            r#"{"active":false,"role":"official","unit":null}"#,
            &names,
        );
        assert_eq!(
            lines,
            ["Còn hoạt động: Không", "Vai trò: Chuyên viên theo dõi"]
        );
    }
}
