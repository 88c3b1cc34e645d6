//! A reminder mail: what one recipient's mail of the day holds (the planner
//! fills it) and how it reads, its notes, links and sections as the template
//! `templates/email/reminder/` shows them, in the recipient's language.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;

use super::link;
use super::{MailError, Mailer};
use crate::domain::dates::format_vi;
use crate::domain::reminder::{Audience, DigestSection, Due, Kind};
use crate::i18n::{self, Lang};

/// One task in one recipient's mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub task_id: i64,
    pub reference: String,
    pub content: String,
    /// The lead unit as people read it: the name, the code second.
    pub lead_unit_name: String,
    pub deadline: Option<NaiveDate>,
    pub due: Due,
    pub kind: Kind,
    pub audience: Audience,
    /// The unit the report link is for (lead and coordinating units only).
    pub report_unit: Option<i64>,
    /// The stored report link, made when the mail is queued.
    pub report_link: Option<i64>,
}

/// One task in a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestTask {
    pub task_id: i64,
    pub reference: String,
    pub content: String,
    pub deadline: Option<NaiveDate>,
    pub section: DigestSection,
}

/// A unit's weekly digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub unit_code: String,
    pub unit_name: String,
    /// Overdue first, then due soon, then open; by deadline within each.
    pub tasks: Vec<DigestTask>,
}

/// How a recipient is greeted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Greeting {
    Unit(String),
    UnitHead(String),
    User(String),
}

/// One recipient's mail of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMail {
    pub recipient: String,
    pub lang: Lang,
    pub greeting: Greeting,
    pub items: Vec<Item>,
    pub digests: Vec<Digest>,
}

/// Tasks listed by name in a digest's "open" section; the rest are counted
/// (the digest links to the unit's full list).
pub const DIGEST_OPEN_LIMIT: usize = 50;
/// The same for the "overdue" and "due soon" sections.
pub const DIGEST_URGENT_LIMIT: usize = 200;

#[derive(Serialize)]
struct ItemView {
    reference: String,
    content: String,
    note: String,
    lead_unit: String,
    role: Option<String>,
    url: String,
    report_url: Option<String>,
    overdue: bool,
}

#[derive(Serialize)]
struct SectionView {
    title: String,
    tasks: Vec<DigestTaskView>,
    more: usize,
}

#[derive(Serialize)]
struct DigestTaskView {
    reference: String,
    content: String,
    note: String,
    url: String,
}

#[derive(Serialize)]
struct DigestView {
    unit_name: String,
    sections: Vec<SectionView>,
    tasks_url: String,
}

/// Texts repeated for every task, looked up once per mail.
#[derive(Serialize)]
struct Labels {
    lead_unit: String,
    open_task: String,
    report: String,
}

#[derive(Serialize)]
struct MailView {
    labels: Labels,
    name: String,
    date: String,
    items: Vec<ItemView>,
    digests: Vec<DigestView>,
    has_report_links: bool,
    links_until: String,
}

fn deadline_text(lang: Lang, deadline: Option<NaiveDate>) -> String {
    deadline
        .map(format_vi)
        .unwrap_or_else(|| i18n::text(lang, "mail-no-deadline"))
}

/// The line that says where a task stands.
fn due_note(lang: Lang, due: Due, deadline: Option<NaiveDate>) -> String {
    let deadline = deadline_text(lang, deadline);
    match due {
        Due::Before { days } => i18n::text_with(
            lang,
            "mail-due-before",
            &[("days", days.to_string()), ("deadline", deadline)],
        ),
        Due::Today => i18n::text_with(lang, "mail-due-today", &[("deadline", deadline)]),
        Due::Overdue { days, .. } => i18n::text_with(
            lang,
            "mail-due-overdue",
            &[("days", days.to_string()), ("deadline", deadline)],
        ),
    }
}

/// Where a task of a digest stands.
fn digest_note(
    lang: Lang,
    section: DigestSection,
    deadline: Option<NaiveDate>,
    on: NaiveDate,
) -> String {
    match (section, deadline) {
        (DigestSection::Open, _) => format!(
            "{}: {}",
            i18n::text(lang, "mail-deadline"),
            deadline_text(lang, deadline)
        ),
        (_, Some(d)) => {
            let due = match (d - on).num_days() {
                l if l < 0 => Due::Overdue {
                    days: u32::try_from(-l).unwrap_or(u32::MAX),
                    escalate: false,
                },
                0 => Due::Today,
                l => Due::Before {
                    days: u32::try_from(l).unwrap_or(u32::MAX),
                },
            };
            due_note(lang, due, deadline)
        }
        (_, None) => deadline_text(lang, None),
    }
}

/// Renders one planned mail.
pub fn render(
    mailer: &Mailer,
    mail: &PlannedMail,
    on: NaiveDate,
    links_expire: DateTime<Utc>,
) -> Result<super::render::Rendered, MailError> {
    let lang = mail.lang;
    let base = &mailer.base_url;
    let task_url = |id: i64| format!("{base}/tasks/{id}");
    // Many tasks of one mail share their note (same day, same deadline): format each once.
    let mut notes: HashMap<(Kind, Due, Option<NaiveDate>, &str), String> = HashMap::new();
    let coordinator = i18n::text(lang, "mail-role-coordinator");
    let items: Vec<ItemView> = mail
        .items
        .iter()
        .map(|i| {
            let unit_for_note = if i.kind == Kind::Escalation {
                i.lead_unit_name.as_str()
            } else {
                ""
            };
            let note = notes
                .entry((i.kind, i.due, i.deadline, unit_for_note))
                .or_insert_with(|| {
                    if i.kind == Kind::Escalation {
                        i18n::text_with(
                            lang,
                            "mail-escalation",
                            &[
                                ("unit", i.lead_unit_name.clone()),
                                ("days", (-i.due.days_left()).to_string()),
                                ("deadline", deadline_text(lang, i.deadline)),
                            ],
                        )
                    } else {
                        due_note(lang, i.due, i.deadline)
                    }
                })
                .clone();
            ItemView {
                reference: i.reference.clone(),
                content: i.content.clone(),
                note,
                lead_unit: i.lead_unit_name.clone(),
                role: (i.audience == Audience::Coordinator).then(|| coordinator.clone()),
                url: task_url(i.task_id),
                report_url: i.report_unit.zip(i.report_link).map(|(unit, id)| {
                    link::report_url(
                        base,
                        i.task_id,
                        &link::sign(&mailer.secret_key, id, i.task_id, unit, links_expire),
                    )
                }),
                overdue: i.due.days_left() < 0,
            }
        })
        .collect();
    let digest_notes: std::cell::RefCell<HashMap<(DigestSection, Option<NaiveDate>), String>> =
        Default::default();
    let digests = mail
        .digests
        .iter()
        .map(|d| {
            let sections = [
                (DigestSection::Overdue, "mail-digest-overdue"),
                (DigestSection::DueSoon, "mail-digest-due-soon"),
                (DigestSection::Open, "mail-digest-open"),
            ]
            .into_iter()
            .filter_map(|(section, key)| {
                let all: Vec<&DigestTask> =
                    d.tasks.iter().filter(|t| t.section == section).collect();
                if all.is_empty() {
                    return None;
                }
                let limit = if section == DigestSection::Open {
                    DIGEST_OPEN_LIMIT
                } else {
                    DIGEST_URGENT_LIMIT
                };
                let tasks = all
                    .iter()
                    .take(limit)
                    .map(|t| DigestTaskView {
                        reference: t.reference.clone(),
                        content: t.content.clone(),
                        note: digest_notes
                            .borrow_mut()
                            .entry((section, t.deadline))
                            .or_insert_with(|| digest_note(lang, section, t.deadline, on))
                            .clone(),
                        url: task_url(t.task_id),
                    })
                    .collect();
                Some(SectionView {
                    title: i18n::text_with(lang, key, &[("count", all.len().to_string())]),
                    tasks,
                    more: all.len().saturating_sub(limit),
                })
            })
            .collect();
            DigestView {
                unit_name: d.unit_name.clone(),
                sections,
                tasks_url: format!("{base}/tasks?unit={}", d.unit_code),
            }
        })
        .collect();
    let name = match &mail.greeting {
        Greeting::Unit(name) | Greeting::User(name) => name.clone(),
        Greeting::UnitHead(unit) => {
            i18n::text_with(lang, "mail-head-of", &[("unit", unit.clone())])
        }
    };
    let view = MailView {
        labels: Labels {
            lead_unit: i18n::text(lang, "mail-lead-unit"),
            open_task: i18n::text(lang, "mail-open-task"),
            report: i18n::text(lang, "mail-report"),
        },
        name,
        date: format_vi(on),
        has_report_links: items.iter().any(|i| i.report_url.is_some()),
        links_until: format_vi(links_expire.with_timezone(&mailer.tz).date_naive()),
        items,
        digests,
    };
    mailer.renderer().render("reminder", lang, &view)
}
