//! The OpenAPI document as served (the schemas it is built from: `web::schema`).

pub use crate::web::schema::*;

/// The document as served: every unit code (a schema with the pattern of a
/// code) becomes an enum of the codes stored now, so that a code the schema
/// calls valid names a unit, and one it calls invalid is refused (422). A
/// field that may be blank keeps `""` (and `null` when it is nullable).
pub fn with_unit_codes(mut doc: serde_json::Value, codes: &[String]) -> serde_json::Value {
    replace_codes(&mut doc, codes);
    doc
}

fn replace_codes(value: &mut serde_json::Value, codes: &[String]) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let blank = match map.get("pattern").and_then(Value::as_str) {
                Some(CODE_PATTERN) => Some(false),
                Some(CODE_OR_BLANK_PATTERN) => Some(true),
                _ => None,
            };
            if let Some(blank) = blank {
                let nullable = map
                    .get("type")
                    .and_then(Value::as_array)
                    .is_some_and(|t| t.iter().any(|t| t == "null"));
                let mut values: Vec<Value> = codes.iter().cloned().map(Value::String).collect();
                if blank {
                    values.push(Value::String(String::new()));
                }
                if nullable {
                    values.push(Value::Null);
                }
                for key in ["pattern", "minLength", "maxLength"] {
                    map.remove(key);
                }
                map.insert("enum".into(), Value::Array(values));
                return;
            }
            map.values_mut().for_each(|v| replace_codes(v, codes));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| replace_codes(v, codes)),
        _ => {}
    }
}
