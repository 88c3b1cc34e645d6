//! What goes out on a date: the reminders the policy says are due, grouped into
//! one mail per recipient listing all their tasks, and on the digest day each
//! unit's weekly digest in the same mail.
//!
//! Queuing happens in one write transaction: read the open tasks, record each
//! reminder (task, kind, date, recipient) once, and write the mails of the
//! reminders that were new to the outbox. Running a date again finds every
//! reminder recorded and queues nothing.
//!
//! Outbox keys: `reminder:{date}:{recipient}` for the first mail of a recipient
//! on a date (the one that carries the digest), then `…:2`, `…:3` for reminders
//! that only became due later that day (a task added or moved meanwhile).

use chrono::{NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

use super::link;
use super::{MailError, Mailer};
use crate::domain::reminder::{Audience, Policy};
use crate::i18n::Lang;
use crate::storage::outbox::{NewMail, Outbox};
use crate::storage::reminders::{ReminderQueries, ReminderRow, Snapshot};
use crate::storage::report_links::ReportLinks;
use crate::storage::{write_tx, Conn};

pub use super::reminder_mail::{Digest, DigestTask, Greeting, Item, PlannedMail};

/// A reminder that nobody can be told: the unit or person has no email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    pub task_reference: String,
    pub audience: Audience,
    /// The unit's code, or the user's id.
    pub who: String,
}

/// The mails of a date, by recipient.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub date: Option<NaiveDate>,
    pub mails: BTreeMap<String, PlannedMail>,
    pub unreachable: Vec<Unreachable>,
    /// Open tasks looked at.
    pub tasks_seen: usize,
}

impl Plan {
    pub fn reminder_count(&self) -> usize {
        self.mails.values().map(|m| m.items.len()).sum()
    }
}

/// What [`queue`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Queued {
    pub tasks_seen: usize,
    /// Reminders recorded now (those recorded before are not counted).
    pub reminders: usize,
    pub mails: usize,
    pub digests: usize,
    pub unreachable: Vec<Unreachable>,
}

fn item_row(on: NaiveDate, recipient: &str, item: &Item) -> ReminderRow {
    ReminderRow {
        task_id: item.task_id,
        kind: item.kind.code().to_string(),
        on_date: on,
        recipient: recipient.to_string(),
    }
}

/// The outbox key of a recipient's `n`-th mail (from 1) of a date.
pub fn mail_key(on: NaiveDate, recipient: &str, n: usize) -> String {
    if n <= 1 {
        format!("reminder:{on}:{recipient}")
    } else {
        format!("reminder:{on}:{recipient}:{n}")
    }
}

/// Plans the mails of `on` from a snapshot: pure. `missed_from`: the first day
/// no reminder run covered (`on` when none was missed); reminders that fell on a
/// missed day go out on `on` (see [`Policy::due_catching_up`]).
pub fn plan(policy: &Policy, snap: &Snapshot, on: NaiveDate, missed_from: NaiveDate) -> Plan {
    let mut out = Plan {
        date: Some(on),
        tasks_seen: snap.tasks.len(),
        ..Plan::default()
    };
    let lang_of = |email: &str| {
        snap.languages
            .get(email)
            .and_then(|l| Lang::from_code(l))
            .unwrap_or_default()
    };
    // Per recipient, per task: the one item it is told as.
    let mut per_recipient: BTreeMap<String, (Greeting, BTreeMap<i64, Item>)> = BTreeMap::new();
    let mut add = |email: &str, greeting: Greeting, item: Item| {
        let entry = per_recipient
            .entry(email.to_string())
            .or_insert_with(|| (greeting.clone(), BTreeMap::new()));
        if greeting < entry.0 {
            entry.0 = greeting;
        }
        match entry.1.get(&item.task_id) {
            Some(old) if old.audience.rank() >= item.audience.rank() => {}
            _ => {
                entry.1.insert(item.task_id, item);
            }
        }
    };
    let unit_name = |id: i64| {
        snap.units
            .get(&id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    // In the list of a mail a unit is named as on the pages: the name, the code second.
    let unit_label = |id: i64| {
        snap.units
            .get(&id)
            .map(|u| crate::domain::unit::label(&u.name, &u.code))
            .unwrap_or_default()
    };
    for task in &snap.tasks {
        let Some(due) = policy.due_catching_up(&task.dates, on, missed_from) else {
            continue;
        };
        let lead = snap.units.get(&task.lead_unit_id);
        let item = |audience: Audience, report_unit: Option<i64>| Item {
            task_id: task.id,
            reference: task.reference.clone(),
            content: task.content.clone(),
            lead_unit_name: unit_label(task.lead_unit_id),
            deadline: task.dates.deadline,
            due,
            kind: due.kind_for(audience),
            audience,
            report_unit,
            report_link: None,
        };
        for audience in due.audiences() {
            let mut unreachable = |who: String| {
                out.unreachable.push(Unreachable {
                    task_reference: task.reference.clone(),
                    audience: *audience,
                    who,
                })
            };
            match audience {
                Audience::Lead => {
                    match lead.filter(|u| u.active).and_then(|u| u.email.as_deref()) {
                        Some(email) => add(
                            email,
                            Greeting::Unit(unit_name(task.lead_unit_id)),
                            item(*audience, Some(task.lead_unit_id)),
                        ),
                        None => unreachable(lead.map(|u| u.code.clone()).unwrap_or_default()),
                    }
                }
                Audience::Coordinator => {
                    for unit_id in &task.coordinators {
                        let unit = snap.units.get(unit_id);
                        match unit.filter(|u| u.active).and_then(|u| u.email.as_deref()) {
                            Some(email) => add(
                                email,
                                Greeting::Unit(unit_name(*unit_id)),
                                item(*audience, Some(*unit_id)),
                            ),
                            None => unreachable(unit.map(|u| u.code.clone()).unwrap_or_default()),
                        }
                    }
                }
                Audience::UnitHead => match lead.and_then(|u| u.head_email.as_deref()) {
                    Some(email) => add(
                        email,
                        Greeting::UnitHead(unit_name(task.lead_unit_id)),
                        item(*audience, None),
                    ),
                    None => unreachable(lead.map(|u| u.code.clone()).unwrap_or_default()),
                },
                Audience::AssigningOfficial => {
                    // Tasks imported without an assigning official have no one to escalate to.
                    if let Some(user_id) = task.assigned_by {
                        match snap.users.get(&user_id) {
                            Some(user) => add(
                                &user.email,
                                Greeting::User(user.name.clone()),
                                item(*audience, None),
                            ),
                            None => unreachable(format!("user #{user_id}")),
                        }
                    }
                }
            }
        }
    }
    let mut digests: BTreeMap<String, (Greeting, Vec<Digest>)> = BTreeMap::new();
    if policy.is_digest_day(on) {
        let mut by_unit: HashMap<i64, Vec<DigestTask>> = HashMap::new();
        for task in &snap.tasks {
            let Some(section) = policy.digest_section(&task.dates, on) else {
                continue;
            };
            let entry = DigestTask {
                task_id: task.id,
                reference: task.reference.clone(),
                content: task.content.clone(),
                deadline: task.dates.deadline,
                section,
            };
            for unit_id in std::iter::once(&task.lead_unit_id).chain(task.coordinators.iter()) {
                by_unit.entry(*unit_id).or_default().push(entry.clone());
            }
        }
        let mut units: Vec<_> = snap.units.values().filter(|u| u.active).collect();
        units.sort_by(|a, b| a.code.cmp(&b.code));
        for unit in units {
            let Some(email) = unit.email.as_deref() else {
                continue;
            };
            let Some(mut tasks) = by_unit.remove(&unit.id) else {
                continue;
            };
            tasks.sort_by_key(|t| (t.section, t.deadline.is_none(), t.deadline, t.task_id));
            let entry = digests
                .entry(email.to_string())
                .or_insert_with(|| (Greeting::Unit(unit.name.clone()), Vec::new()));
            entry.1.push(Digest {
                unit_code: unit.code.clone(),
                unit_name: unit.name.clone(),
                tasks,
            });
        }
    }
    for (email, (greeting, items)) in per_recipient {
        let mut items: Vec<Item> = items.into_values().collect();
        items.sort_by_key(|i| (i.due.days_left(), i.task_id));
        out.mails.insert(
            email.clone(),
            PlannedMail {
                lang: lang_of(&email),
                recipient: email,
                greeting,
                items,
                digests: Vec::new(),
            },
        );
    }
    for (email, (greeting, list)) in digests {
        let lang = lang_of(&email);
        let mail = out
            .mails
            .entry(email.clone())
            .or_insert_with(|| PlannedMail {
                recipient: email,
                lang,
                greeting: greeting.clone(),
                items: Vec::new(),
                digests: Vec::new(),
            });
        if greeting < mail.greeting {
            mail.greeting = greeting;
        }
        mail.digests = list;
    }
    out
}

/// Records the reminders due on `on` (and those of the missed days from
/// `missed_from`) and queues their mails, in one transaction.
pub fn queue(
    mailer: &Mailer,
    conn: &mut Conn,
    on: NaiveDate,
    missed_from: NaiveDate,
) -> Result<Queued, MailError> {
    let expires = Utc::now() + chrono::Duration::days(link::VALID_DAYS);
    write_tx(conn, |c| {
        c.prune_report_links()?;
        let snap = c.load_snapshot(on)?;
        let plan = plan(&mailer.policy, &snap, on, missed_from);
        let rows: Vec<ReminderRow> = plan
            .mails
            .values()
            .flat_map(|m| m.items.iter().map(move |i| item_row(on, &m.recipient, i)))
            .collect();
        let fresh: HashSet<ReminderRow> = c.record_reminders(&rows)?.into_iter().collect();
        let taken: HashSet<String> = c
            .outbox_keys_with_prefix(&format!("reminder:{on}:"))?
            .into_iter()
            .collect();
        let mut queued = Queued {
            tasks_seen: plan.tasks_seen,
            reminders: fresh.len(),
            unreachable: plan.unreachable.clone(),
            ..Queued::default()
        };
        for mut mail in plan.mails.into_values() {
            mail.items
                .retain(|i| fresh.contains(&item_row(on, &mail.recipient, i)));
            let mut n = 1;
            loop {
                let key = mail_key(on, &mail.recipient, n);
                n += 1;
                if taken.contains(&key) {
                    // The digest goes with the first mail of the day only.
                    mail.digests.clear();
                    continue;
                }
                if mail.items.is_empty() && mail.digests.is_empty() {
                    break;
                }
                for item in &mut mail.items {
                    if let Some(unit) = item.report_unit {
                        item.report_link =
                            Some(c.new_report_link(item.task_id, unit, expires.naive_utc())?);
                    }
                }
                let rendered = super::reminder_mail::render(mailer, &mail, on, expires)?;
                let queued_now = c.enqueue_mail(&NewMail {
                    dedup_key: key,
                    recipient: mail.recipient.clone(),
                    subject: rendered.subject,
                    body_text: rendered.text,
                    body_html: rendered.html,
                })?;
                if queued_now {
                    queued.mails += 1;
                    queued.digests += mail.digests.len();
                    break;
                }
                // Taken meanwhile by another instance: the next number.
                mail.digests.clear();
            }
        }
        Ok::<_, MailError>(queued)
    })
}

/// The plan of `on` without what is already recorded or queued: what [`queue`] would do.
pub fn preview(
    mailer: &Mailer,
    conn: &mut Conn,
    on: NaiveDate,
    missed_from: NaiveDate,
) -> Result<Plan, MailError> {
    let snap = conn.load_snapshot(on)?;
    let recorded = conn.reminders_on(on)?;
    let taken: HashSet<String> = conn
        .outbox_keys_with_prefix(&format!("reminder:{on}:"))?
        .into_iter()
        .collect();
    let mut plan = plan(&mailer.policy, &snap, on, missed_from);
    for mail in plan.mails.values_mut() {
        let recipient = mail.recipient.clone();
        mail.items
            .retain(|i| !recorded.contains(&item_row(on, &recipient, i)));
        if taken.contains(&mail_key(on, &recipient, 1)) {
            mail.digests.clear();
        }
    }
    plan.mails
        .retain(|_, m| !m.items.is_empty() || !m.digests.is_empty());
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reminder::{DigestSection, Kind};
    use crate::domain::TaskDates;
    use crate::storage::reminders::{OpenTask, UnitContact, UserContact};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn unit(id: i64, code: &str, email: Option<&str>, head: Option<&str>) -> (i64, UnitContact) {
        (
            id,
            UnitContact {
                id,
                code: code.into(),
                name: format!("Đơn vị {code}"),
                email: email.map(str::to_string),
                head_email: head.map(str::to_string),
                active: true,
            },
        )
    }

    fn task(id: i64, lead: i64, deadline: &str, coordinators: Vec<i64>) -> OpenTask {
        OpenTask {
            id,
            reference: format!("NV-{id}"),
            content: format!("Nhiệm vụ {id}"),
            lead_unit_id: lead,
            dates: TaskDates {
                assigned_on: d("2022-07-07"),
                deadline: Some(d(deadline)),
                completed_on: None,
                cancelled_on: None,
            },
            assigned_by: Some(100),
            coordinators,
        }
    }

    fn snapshot(tasks: Vec<OpenTask>) -> Snapshot {
        Snapshot {
            tasks,
            units: [
                unit(1, "BTG", Some("btg@x.vn"), Some("head@x.vn")),
                unit(2, "VP", Some("vp@x.vn"), None),
                unit(3, "NOMAIL", None, None),
            ]
            .into_iter()
            .collect(),
            users: [(
                100,
                UserContact {
                    id: 100,
                    email: "official@x.vn".into(),
                    name: "Chuyên viên".into(),
                    language: "en".into(),
                },
            )]
            .into_iter()
            .collect(),
            languages: [("official@x.vn".to_string(), "en".to_string())]
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn one_mail_per_recipient_with_all_their_tasks() {
        // 2022-12-28 is a Wednesday: no digest.
        let on = d("2022-12-28");
        let snap = snapshot(vec![
            task(1, 1, "2022-12-31", vec![2]), // 3 days before
            task(2, 1, "2023-01-04", vec![]),  // 7 days before
            task(3, 1, "2022-12-19", vec![2]), // 9 days overdue: escalated
            task(4, 1, "2022-12-30", vec![]),  // 2 days before: nothing
            task(5, 3, "2022-12-28", vec![]),  // due today, lead unit without email
        ]);
        let plan = plan(&Policy::default(), &snap, on, on);
        let recipients: Vec<&str> = plan.mails.keys().map(String::as_str).collect();
        assert_eq!(
            recipients,
            vec!["btg@x.vn", "head@x.vn", "official@x.vn", "vp@x.vn"]
        );
        let btg = &plan.mails["btg@x.vn"];
        // Most urgent first.
        assert_eq!(
            btg.items.iter().map(|i| i.task_id).collect::<Vec<_>>(),
            vec![3, 1, 2]
        );
        assert!(btg
            .items
            .iter()
            .all(|i| i.audience == Audience::Lead && i.report_unit == Some(1)));
        let vp = &plan.mails["vp@x.vn"];
        assert_eq!(
            vp.items
                .iter()
                .map(|i| (i.task_id, i.audience, i.report_unit))
                .collect::<Vec<_>>(),
            vec![
                (3, Audience::Coordinator, Some(2)),
                (1, Audience::Coordinator, Some(2))
            ]
        );
        let head = &plan.mails["head@x.vn"];
        assert_eq!(head.items.len(), 1);
        assert_eq!(
            (head.items[0].task_id, head.items[0].kind),
            (3, Kind::Escalation)
        );
        assert_eq!(head.greeting, Greeting::UnitHead("Đơn vị BTG".into()));
        let official = &plan.mails["official@x.vn"];
        assert_eq!(official.lang, Lang::En);
        assert_eq!(official.items[0].kind, Kind::Escalation);
        assert_eq!(plan.unreachable.len(), 1);
        assert_eq!(plan.unreachable[0].who, "NOMAIL");
        assert_eq!(plan.reminder_count(), 3 + 2 + 1 + 1);
        assert!(plan.mails.values().all(|m| m.digests.is_empty()));
    }

    #[test]
    fn one_address_in_several_roles_gets_the_task_once() {
        let on = d("2022-12-28");
        let mut snap = snapshot(vec![task(3, 1, "2022-12-19", vec![2])]);
        // The head's address is also the coordinator's, and the official's the unit's.
        snap.units
            .insert(2, unit(2, "VP", Some("head@x.vn"), None).1);
        snap.users.get_mut(&100).expect("user").email = "btg@x.vn".into();
        let plan = plan(&Policy::default(), &snap, on, on);
        assert_eq!(plan.mails.len(), 2);
        assert_eq!(plan.mails["btg@x.vn"].items.len(), 1);
        assert_eq!(plan.mails["btg@x.vn"].items[0].audience, Audience::Lead);
        assert_eq!(plan.mails["head@x.vn"].items.len(), 1);
        assert_eq!(
            plan.mails["head@x.vn"].items[0].audience,
            Audience::UnitHead
        );
    }

    #[test]
    fn digest_day_adds_each_units_open_tasks() {
        let monday = d("2022-12-26");
        let mut ongoing = task(9, 2, "2022-12-31", vec![]);
        ongoing.dates.deadline = None;
        let snap = snapshot(vec![
            task(1, 1, "2022-12-31", vec![2]), // due soon (5 days), no reminder today
            task(2, 1, "2022-12-20", vec![]),  // overdue 6 days: a reminder
            task(3, 1, "2023-03-01", vec![]),  // open
            ongoing,
        ]);
        let plan = plan(&Policy::default(), &snap, monday, monday);
        let btg = &plan.mails["btg@x.vn"];
        assert_eq!(btg.items.len(), 1);
        assert_eq!(btg.digests.len(), 1);
        let sections: Vec<(i64, DigestSection)> = btg.digests[0]
            .tasks
            .iter()
            .map(|t| (t.task_id, t.section))
            .collect();
        assert_eq!(
            sections,
            vec![
                (2, DigestSection::Overdue),
                (1, DigestSection::DueSoon),
                (3, DigestSection::Open)
            ]
        );
        let vp = &plan.mails["vp@x.vn"];
        assert!(vp.items.is_empty());
        assert_eq!(
            vp.digests[0]
                .tasks
                .iter()
                .map(|t| t.task_id)
                .collect::<Vec<_>>(),
            vec![1, 9]
        );
        // No digest the next day.
        assert!(
            super::plan(&Policy::default(), &snap, d("2022-12-27"), d("2022-12-27"))
                .mails
                .values()
                .all(|m| m.digests.is_empty())
        );
    }

    #[test]
    fn every_message_key_of_the_mails_exists_in_both_catalogues() {
        let sources = [
            include_str!("planner.rs"),
            include_str!("reminder_mail.rs"),
            include_str!("../web/ics.rs"),
            include_str!("../storage/outbox.rs"),
        ];
        for src in sources {
            for part in src.split('"').skip(1).step_by(2) {
                let is_key = ["mail-", "ics-", "err-"]
                    .iter()
                    .any(|p| part.starts_with(p));
                if is_key && !part.contains(' ') && !part.ends_with('-') {
                    for lang in Lang::ALL {
                        assert!(
                            crate::i18n::has_key(lang, part),
                            "{part} missing in {}",
                            lang.code()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn keys() {
        assert_eq!(
            mail_key(d("2022-12-24"), "a@x.vn", 1),
            "reminder:2022-12-24:a@x.vn"
        );
        assert_eq!(
            mail_key(d("2022-12-24"), "a@x.vn", 2),
            "reminder:2022-12-24:a@x.vn:2"
        );
    }
}
