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
}

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
