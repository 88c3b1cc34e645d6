//! Mails about what happened to a task (a proposal, a return, an extension
//! request and its decision) to whoever must act next.

use serde::Serialize;
use std::sync::OnceLock;

use super::render::Renderer;
use crate::i18n::Lang;
use crate::storage::outbox::NewMail;
use crate::storage::progress::Event;

#[derive(Serialize)]
struct View<'a> {
    subject_key: String,
    text_key: String,
    reference: &'a str,
    content: &'a str,
    unit: &'a str,
    note: &'a str,
    /// The task's deadline as dd/mm/yyyy (after an approved extension, the new one); empty when ongoing.
    deadline: String,
    url: String,
}

fn renderer() -> Option<&'static Renderer> {
    static RENDERER: OnceLock<Option<Renderer>> = OnceLock::new();
    RENDERER
        .get_or_init(|| match Renderer::new() {
            Ok(r) => Some(r),
            Err(e) => {
                tracing::error!("mail templates: {e}");
                None
            }
        })
        .as_ref()
}

/// The mails of an event, one per recipient, keyed so that each goes out once.
/// How the storage layer gets an event's mails made (it writes them in the
/// event's transaction), with links under `base_url`.
pub fn maker(base_url: &str) -> impl Fn(&Event) -> Vec<NewMail> + Sync + '_ {
    move |event| mails(base_url, event)
}

pub fn mails(base_url: &str, event: &Event) -> Vec<NewMail> {
    let Some(renderer) = renderer() else {
        return Vec::new();
    };
    let placeholder;
    // A confidential task's mail says neither what the task is nor what was
    // written about it (a unit's reason, the office's note): only where to read it.
    let (content, note) = if event.task.task.confidential {
        placeholder = crate::storage::visibility::mail_placeholder();
        (placeholder.as_str(), "")
    } else {
        (event.task.task.content.as_str(), event.note)
    };
    let view = View {
        subject_key: format!("event-subject-{}", event.kind),
        text_key: format!("event-text-{}", event.kind),
        reference: &event.task.task.reference,
        content,
        unit: &event.unit,
        note,
        deadline: event
            .task
            .task
            .deadline
            .map(crate::domain::dates::format_vi)
            .unwrap_or_default(),
        url: format!("{base_url}/tasks/{}", event.task.task.id),
    };
    event
        .recipients
        .iter()
        .filter_map(|r| {
            let lang = Lang::from_code(&r.language).unwrap_or_default();
            match renderer.render("event", lang, &view) {
                Ok(m) => Some(NewMail {
                    dedup_key: format!("{}:{}", event.key, r.email),
                    recipient: r.email.clone(),
                    subject: m.subject,
                    body_text: m.text,
                    body_html: m.html,
                }),
                Err(e) => {
                    tracing::error!("mail {}: {e}", event.kind);
                    None
                }
            }
        })
        .collect()
}
