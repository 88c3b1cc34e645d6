//! What is wrong with one field of the input, said in the user's language
//! when it is shown (the message is a key of the translation catalogue).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The field as the form or the API names it (`deadline`, `lead_unit`…).
    pub field: String,
    /// A message key of the catalogue (`locales/*/dondoc.ftl`), e.g. `err-required`.
    pub key: &'static str,
    /// Arguments of the message (the field's own label is added when it is shown).
    pub args: Vec<(&'static str, String)>,
}

impl Invalid {
    pub fn new(field: impl Into<String>, key: &'static str) -> Invalid {
        Invalid {
            field: field.into(),
            key,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Invalid {
        self.args.push((name, value.to_string()));
        self
    }

    pub fn required(field: &str) -> Invalid {
        Invalid::new(field, "err-required")
    }

    pub fn bad_date(field: &str, value: &str) -> Invalid {
        Invalid::new(field, "err-date").arg("value", value)
    }

    /// Whether the value is well formed but contradicts another value, today
    /// or what is stored (a deadline before the assignment, `from` without
    /// `to`): no schema of one field can rule it out, so the API names it
    /// apart from a value of the wrong shape (both are 422).
    pub fn contradicts(&self) -> bool {
        CONTRADICTIONS.contains(&self.key)
    }
}

/// The message keys of [`Invalid::contradicts`].
const CONTRADICTIONS: &[&str] = &[
    "err-before-assigned",
    "err-in-future",
    "err-extend-earlier",
    "err-extend-ongoing",
    "err-original-without-deadline",
    "err-lead-coordinates",
    "err-range-pair",
    "err-period-reversed",
    "err-close-future",
    "err-unit-outside-scope",
];

impl fmt::Display for Invalid {
    /// A plain, untranslated rendering for logs and the command line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.key)?;
        for (name, value) in &self.args {
            write!(f, " {name}={value}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Invalid {}
