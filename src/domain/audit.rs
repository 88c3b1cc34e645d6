//! An audit entry's details in words: the log keeps what changed as JSON
//! (`{field: value}`, or `{field: [before, after]}` for an edit); people read
//! "field: old → new", dates as dd/mm/yyyy and units by name. Pure: the
//! labels of fields and of yes/no are the caller's, in the reader's language.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;

use super::dates::format_vi;

/// The actions whose details hold `[before, after]` for each changed field.
const EDITS: &[&str] = &["task.update"];

/// The fields whose values are unit codes.
const UNIT_FIELDS: &[&str] = &["lead_unit", "coordinators", "unit", "scope"];

/// A value as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// Null, an empty text or an empty list.
    Empty,
    Text(String),
    Yes,
    No,
}

/// One line of the details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The field's name as stored (`deadline`); empty when the details were not JSON.
    pub field: String,
    /// The value before an edit.
    pub before: Option<Shown>,
    pub after: Shown,
}

/// The details of an entry of `action`, one line per field (in the order of
/// their names); `unit_label` names a unit code ("Ban Tuyên giáo Tỉnh ủy (BTGTU)").
pub fn changes(action: &str, details: &str, unit_label: &dyn Fn(&str) -> String) -> Vec<Change> {
    let details = details.trim();
    if details.is_empty() {
        return Vec::new();
    }
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(details) else {
        return vec![Change {
            field: String::new(),
            before: None,
            after: Shown::Text(details.to_string()),
        }];
    };
    let edit = EDITS.contains(&action);
    map.iter()
        .filter_map(|(field, value)| {
            let units = UNIT_FIELDS.contains(&field.as_str());
            let show = |v: &Value| shown(v, units, unit_label);
            match value {
                Value::Array(pair) if edit && pair.len() == 2 => Some(Change {
                    field: field.clone(),
                    before: Some(show(&pair[0])),
                    after: show(&pair[1]),
                }),
                // What an action did not carry (no completion date with a plain report) says nothing.
                Value::Null => None,
                v => Some(Change {
                    field: field.clone(),
                    before: None,
                    after: show(v),
                }),
            }
        })
        .collect()
}

fn shown(value: &Value, units: bool, unit_label: &dyn Fn(&str) -> String) -> Shown {
    match value {
        Value::Null => Shown::Empty,
        Value::Bool(true) => Shown::Yes,
        Value::Bool(false) => Shown::No,
        Value::Number(n) => Shown::Text(n.to_string()),
        Value::String(s) if s.trim().is_empty() => Shown::Empty,
        Value::String(s) if units => Shown::Text(unit_label(s)),
        Value::String(s) => Shown::Text(text(s)),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|v| match shown(v, units, unit_label) {
                    Shown::Text(t) => Some(t),
                    Shown::Empty | Shown::Yes | Shown::No => None,
                })
                .collect();
            if parts.is_empty() {
                Shown::Empty
            } else {
                Shown::Text(parts.join(", "))
            }
        }
        Value::Object(_) => Shown::Text(value.to_string()),
    }
}

/// A stored text as read: a date or a moment in the Vietnamese way, else as it is.
fn text(s: &str) -> String {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return format_vi(d);
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return t.format("%d/%m/%Y %H:%M").to_string();
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(code: &str) -> String {
        match code {
            "BTGTU" => "Ban Tuyên giáo Tỉnh ủy (BTGTU)".into(),
            other => other.into(),
        }
    }

    fn text(s: &str) -> Shown {
        Shown::Text(s.into())
    }

    #[test]
    fn an_edit_reads_old_then_new_with_dates_and_units_in_words() {
        let details = r#"{"lead_unit":["VPTU","BTGTU"],"deadline":["2022-12-31",null],"coordinators":[[],["BTGTU","X"]]}"#;
        let got = changes("task.update", details, &label);
        assert_eq!(
            got,
            vec![
                Change {
                    field: "coordinators".into(),
                    before: Some(Shown::Empty),
                    after: text("Ban Tuyên giáo Tỉnh ủy (BTGTU), X"),
                },
                Change {
                    field: "deadline".into(),
                    before: Some(text("31/12/2022")),
                    after: Shown::Empty,
                },
                Change {
                    field: "lead_unit".into(),
                    before: Some(text("VPTU")),
                    after: text("Ban Tuyên giáo Tỉnh ủy (BTGTU)"),
                },
            ]
        );
    }

    #[test]
    fn other_entries_read_field_and_value() {
        let details = r#"{"recipients":["Như trên","Lưu: VT"],"active":false,"completed_on":null,"closed_at":"2023-01-02T08:30:00.123","percent":40}"#;
        let got = changes("settings.documents", details, &label);
        let values: Vec<(&str, &Shown)> =
            got.iter().map(|c| (c.field.as_str(), &c.after)).collect();
        assert_eq!(
            values,
            vec![
                ("active", &Shown::No),
                ("closed_at", &text("02/01/2023 08:30")),
                ("percent", &text("40")),
                ("recipients", &text("Như trên, Lưu: VT")),
            ]
        );
        assert!(
            got.iter().all(|c| c.before.is_none()),
            "a list of two is not an edit here"
        );
    }

    #[test]
    fn text_that_is_not_json_is_kept_and_nothing_is_nothing() {
        assert_eq!(changes("user.password", "", &label), vec![]);
        assert_eq!(
            changes("x", "không phải JSON", &label),
            vec![Change {
                field: String::new(),
                before: None,
                after: text("không phải JSON"),
            }]
        );
    }
}
