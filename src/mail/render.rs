//! Mails from Tera templates: `templates/email/<name>/{subject.txt,body.txt,body.html}`,
//! embedded in the binary, in the recipient's language (texts from the catalogues
//! through `t(key=…, lang=…)`). The HTML is escaped, the text is not.

use serde::Serialize;
use std::collections::HashMap;

use super::MailError;
use crate::i18n::{self, Lang};

/// The mails there are, each a folder of three templates.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "email/reminder/subject.txt",
        include_str!("../../templates/email/reminder/subject.txt"),
    ),
    (
        "email/reminder/body.txt",
        include_str!("../../templates/email/reminder/body.txt"),
    ),
    (
        "email/reminder/body.html",
        include_str!("../../templates/email/reminder/body.html"),
    ),
    (
        "email/event/subject.txt",
        include_str!("../../templates/email/event/subject.txt"),
    ),
    (
        "email/event/body.txt",
        include_str!("../../templates/email/event/body.txt"),
    ),
    (
        "email/event/body.html",
        include_str!("../../templates/email/event/body.html"),
    ),
];

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct Renderer {
    tera: tera::Tera,
}

impl Renderer {
    pub fn new() -> Result<Renderer, MailError> {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(TEMPLATES.to_vec())
            .map_err(|e| MailError::Template(format!("{e:?}")))?;
        tera.autoescape_on(vec![".html"]);
        tera.register_function("t", i18n::tera_t);
        tera.register_filter("attr", attr);
        Ok(Renderer { tera })
    }

    /// Renders the mail `name` (e.g. `reminder`) in `lang` from `view`.
    pub fn render<T: Serialize>(
        &self,
        name: &str,
        lang: Lang,
        view: &T,
    ) -> Result<Rendered, MailError> {
        let mut ctx = tera::Context::from_serialize(view)
            .map_err(|e| MailError::Template(format!("{name}: {e}")))?;
        ctx.insert("lang", lang.code());
        let render = |part: &str, ctx: &tera::Context| {
            self.tera
                .render(&format!("email/{name}/{part}"), ctx)
                .map_err(|e| MailError::Template(format!("email/{name}/{part}: {e:?}")))
        };
        let subject = render("subject.txt", &ctx)?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        ctx.insert("subject", &subject);
        let text = tidy_text(&render("body.txt", &ctx)?);
        let html = render("body.html", &ctx)?;
        Ok(Rendered {
            subject,
            text,
            html,
        })
    }
}

/// Trailing spaces off, at most one blank line in a row.
fn tidy_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `{{ url | attr | safe }}`: escapes what an attribute value must not hold
/// (`& < > " '`) and leaves the rest of a URL readable (Tera's escaping turns
/// every `/` into `&#x2F;`).
fn attr(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let s = value
        .as_str()
        .ok_or_else(|| tera::Error::msg("attr: expected a string"))?;
    Ok(tera::Value::String(crate::domain::text::escape_markup(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_escaping_keeps_urls_readable() {
        let v = attr(
            &tera::Value::String("https://x.vn/tasks?a=1&b=\"<'".into()),
            &HashMap::new(),
        )
        .expect("attr");
        assert_eq!(
            v,
            tera::Value::String("https://x.vn/tasks?a=1&amp;b=&quot;&lt;&#39;".into())
        );
    }

    #[test]
    fn tidy_text_squeezes_blank_lines() {
        assert_eq!(tidy_text("\n a  \n\n\n\nb\n\n"), "a\n\nb\n");
    }

    #[test]
    fn every_template_key_exists_in_both_catalogues() {
        for (name, src) in TEMPLATES {
            let mut rest = *src;
            while let Some(at) = rest.find("key=\"") {
                rest = &rest[at + 5..];
                let end = rest.find('"').unwrap_or(rest.len());
                let key = &rest[..end];
                // `key="prefix-" ~ kind`: built at render time, checked where the kinds are.
                if key.ends_with('-') {
                    continue;
                }
                for lang in Lang::ALL {
                    assert!(
                        i18n::has_key(lang, key),
                        "{name}: {key} missing in {lang:?}"
                    );
                }
            }
        }
    }
}
