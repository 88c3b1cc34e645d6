//! "Cần xử lý": the rows behind each kind of inbox entry, and the stages of
//! a task's workflow. The conditions on proposals and requests are
//! `stage_sql`'s, which the task list's `waiting` filter shares.

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use serde::Serialize;
use std::collections::BTreeMap;

use super::report::snapshot;
use super::schema::{extension_requests, progress_reports, tasks, units};
use super::stage_sql::{
    extension_decided, extension_pending, proposal_pending, proposal_returned, OPEN_SQL,
};
use super::users::Account;
use super::visibility::Viewer;
use super::{with_conn, write_tx, Conn, Result};
use crate::domain::inbox::{
    deadline_kind, due_soon_until, kinds_for, ExtensionFact, Kind, ProposalFact, Stage,
    DECIDED_DAYS,
};
use crate::domain::progress::{Decision, Review};
use crate::domain::Role;

/// The most entries of one kind listed (the count is always complete).
pub const MAX_ITEMS: i64 = 200;

/// One entry: the task, and what waits on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub kind: Kind,
    pub task_id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub content: String,
    /// The unit concerned (the proposing or requesting unit, else the lead); null for `no_lead`.
    pub unit: Option<String>,
    pub unit_name: Option<String>,
    pub deadline: Option<NaiveDate>,
    /// Days past the deadline (`overdue`) or left before it (`due_soon`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_id: Option<i64>,
    /// When the proposal or request was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_on: Option<NaiveDate>,
    /// The completion date proposed, or the deadline asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// The unit's reason, or the office's reason or note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Approved or rejected (`decided`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// The unit coordinates the task rather than leads it (`due_soon`, `overdue` of a unit).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub coordinator: bool,
    /// The task is confidential ("mật"); shown with a badge.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub confidential: bool,
}

impl Item {
    fn new(kind: Kind, task_id: i64, reference: String, content: String) -> Item {
        Item {
            kind,
            task_id,
            reference,
            content,
            unit: None,
            unit_name: None,
            deadline: None,
            days: None,
            report_id: None,
            extension_id: None,
            requested_on: None,
            date: None,
            note: None,
            decision: None,
            coordinator: false,
            confidential: false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Inbox {
    /// Every kind the reader sees, zeros included.
    pub counts: BTreeMap<&'static str, i64>,
    pub items: Vec<Item>,
}

impl Inbox {
    /// What the navigation's badge shows: the entries that ask for action.
    pub fn waiting(&self) -> i64 {
        crate::domain::inbox::Kind::ALL
            .into_iter()
            .filter(|k| k.needs_action())
            .filter_map(|k| self.counts.get(k.code()))
            .sum()
    }
}

/// A date as an SQL literal, formatted from a `NaiveDate` (never from a
/// person's text), which both backends compare with their date columns.
fn lit(date: NaiveDate) -> String {
    format!("'{}'", date.format("%Y-%m-%d"))
}

/// The tasks a unit leads or coordinates, as SQL over `tasks`.
fn unit_tasks_sql(unit_id: i64) -> String {
    format!(
        "(tasks.lead_unit_id = {unit_id} OR tasks.id IN \
         (SELECT task_id FROM task_coordinators WHERE unit_id = {unit_id}))"
    )
}

/// The rows an entry of a kind stands for, each joined to its task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rows {
    Proposals,
    Extensions,
    Tasks,
}

/// What one kind of entry is, said once: the badge counts with it and the
/// page lists with it.
#[derive(Debug, Clone)]
struct Rule {
    rows: Rows,
    /// A condition over the rows and `tasks`.
    cond: String,
}

/// Who reads the inbox, resolved once: the role, the unit of a unit's
/// user, and which tasks the reader may see (confidential tasks, a
/// leader's scope).
struct Reader {
    role: Role,
    unit_id: Option<i64>,
    viewer: Viewer,
    visible: Option<String>,
}

impl Reader {
    fn of(conn: &mut Conn, account: &Account) -> Result<Reader> {
        let viewer = Viewer::for_account(conn, account)?;
        Ok(Reader {
            role: account.role(),
            unit_id: account.user.unit_id,
            visible: viewer.task_sql(),
            viewer,
        })
    }

    /// The rule of one kind for this reader as of `today`; `None` when the
    /// kind cannot be theirs (a unit's kind for a user without a unit).
    fn rule(&self, kind: Kind, today: NaiveDate) -> Option<Rule> {
        let (rows, cond) = match (kind, self.unit_id) {
            (Kind::CompletionWaiting, _) => (Rows::Proposals, proposal_pending("progress_reports")),
            (Kind::ExtensionWaiting, _) => {
                (Rows::Extensions, extension_pending("extension_requests"))
            }
            // SQL text reads the column whether or not the schema declares it nullable.
            (Kind::NoLead, _) => (Rows::Tasks, "tasks.lead_unit_id IS NULL".to_string()),
            (Kind::Returned, Some(u)) => (
                Rows::Proposals,
                format!(
                    "progress_reports.unit_id = {u} AND {}",
                    proposal_returned("progress_reports")
                ),
            ),
            (Kind::Decided, Some(u)) => {
                let since = super::now() - chrono::Duration::days(DECIDED_DAYS);
                (
                    Rows::Extensions,
                    format!(
                        "extension_requests.unit_id = {u} AND {} \
                         AND extension_requests.decided_at >= '{}'",
                        extension_decided("extension_requests"),
                        since.format("%Y-%m-%d %H:%M:%S")
                    ),
                )
            }
            (Kind::Returned | Kind::Decided, None) => return None,
            (Kind::Overdue | Kind::DueSoon, unit) => {
                let range = match kind {
                    Kind::Overdue => format!("tasks.deadline < {}", lit(today)),
                    _ => format!(
                        "tasks.deadline >= {} AND tasks.deadline <= {}",
                        lit(today),
                        lit(due_soon_until(today))
                    ),
                };
                let mine = unit.map(unit_tasks_sql).unwrap_or_else(|| "1 = 1".into());
                (
                    Rows::Tasks,
                    format!("tasks.deadline IS NOT NULL AND {range} AND {mine}"),
                )
            }
        };
        // Only open tasks wait, and only those the reader may see.
        let mut cond = format!("{OPEN_SQL} AND {cond}");
        if let Some(visible) = &self.visible {
            cond = format!("{cond} AND {visible}");
        }
        Some(Rule { rows, cond })
    }
}

/// How many entries a rule holds, counted by the database.
fn count(conn: &mut Conn, rule: &Rule) -> Result<i64> {
    let cond = || sql::<Bool>(&rule.cond);
    Ok(match rule.rows {
        Rows::Proposals => progress_reports::table
            .inner_join(tasks::table)
            .filter(cond())
            .count()
            .get_result(conn),
        Rows::Extensions => extension_requests::table
            .inner_join(tasks::table)
            .filter(cond())
            .count()
            .get_result(conn),
        Rows::Tasks => tasks::table.filter(cond()).count().get_result(conn),
    }?)
}

/// How many entries ask for the reader's action (the navigation's badge):
/// counts only, no entry is read.
pub fn waiting_count(conn: &mut Conn, account: &Account, today: NaiveDate) -> Result<i64> {
    let reader = Reader::of(conn, account)?;
    let mut total = 0;
    for kind in kinds_for(reader.role).iter().filter(|k| k.needs_action()) {
        if let Some(n) = deadline_count(conn, &reader, *kind, today)? {
            total += n;
        } else if let Some(rule) = reader.rule(*kind, today) {
            total += count(conn, &rule)?;
        }
    }
    Ok(total)
}

/// The open tasks of a deadline kind (a leader's overdue tasks) counted from
/// the report's rows in memory rather than by a scan of every open task on
/// each page; `None` where the count needs what those rows do not hold (a
/// unit's coordinated tasks, proposals, requests). The rule is the domain's
/// [`deadline_kind`], which the SQL of [`Reader::rule`] states for the lists.
fn deadline_count(
    conn: &mut Conn,
    reader: &Reader,
    kind: Kind,
    today: NaiveDate,
) -> Result<Option<i64>> {
    let by_deadline = matches!(kind, Kind::Overdue | Kind::DueSoon);
    if !by_deadline || reader.unit_id.is_some() || matches!(reader.viewer, Viewer::Unit(_)) {
        return Ok(None);
    }
    let snap = snapshot::current(conn)?;
    let key = CountKey {
        token: snap.token.clone(),
        version: snap.version,
        today,
        kind,
        viewer: reader.viewer.clone(),
    };
    if let Some(n) = counted().get(&key) {
        return Ok(Some(*n));
    }
    let n = snap
        .rows()
        .filter(|r| r.task.dates.completed_on.is_none() && r.task.dates.cancelled_on.is_none())
        .filter(|r| deadline_kind(r.task.dates.deadline, today) == Some(kind))
        .filter(|r| reader.viewer.may_see(&r.sighted(), Vec::new))
        .count();
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    let mut held = counted();
    // Counts of an older version are never asked again.
    held.retain(|k, _| k.token != key.token || k.version >= key.version);
    if held.len() >= MAX_HELD_COUNTS {
        held.clear();
    }
    held.insert(key, n);
    Ok(Some(n))
}

/// A count of [`deadline_count`]: the same rows, day, kind and sight give
/// the same number, so every page of every leader of one scope between two
/// changes counts once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CountKey {
    token: String,
    version: i64,
    today: NaiveDate,
    kind: Kind,
    viewer: Viewer,
}

/// More distinct sights than this between two changes and the counts start over.
const MAX_HELD_COUNTS: usize = 256;

fn counted() -> std::sync::MutexGuard<'static, std::collections::HashMap<CountKey, i64>> {
    static HELD: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<CountKey, i64>>> =
        std::sync::LazyLock::new(Default::default);
    HELD.lock().unwrap_or_else(|e| e.into_inner())
}

type TaskRow = (
    i64,
    String,
    String,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
);

/// What waits for the reader as of `today`: every kind of their role
/// counted, and up to [`MAX_ITEMS`] entries of each listed.
pub fn inbox(conn: &mut Conn, account: &Account, today: NaiveDate) -> Result<Inbox> {
    let reader = Reader::of(conn, account)?;
    let mut out = Inbox::default();
    for kind in kinds_for(reader.role) {
        let Some(rule) = reader.rule(*kind, today) else {
            out.counts.insert(kind.code(), 0);
            continue;
        };
        let count = count(conn, &rule)?;
        out.counts.insert(kind.code(), count);
        if count == 0 {
            continue;
        }
        let items = match kind {
            Kind::CompletionWaiting => completions_waiting(conn, &rule)?,
            Kind::ExtensionWaiting => extensions_waiting(conn, &rule)?,
            Kind::NoLead => no_lead(conn, &rule)?,
            Kind::Returned => returned(conn, &rule)?,
            Kind::Decided => decided(conn, &rule)?,
            Kind::DueSoon | Kind::Overdue => {
                by_deadline(conn, *kind, &rule, reader.unit_id, today)?
            }
        };
        out.items.extend(items);
    }
    let ids: Vec<i64> = out.items.iter().map(|i| i.task_id).collect();
    let confidential = super::visibility::confidential_among(conn, &ids)?;
    for item in &mut out.items {
        item.confidential = confidential.contains(&item.task_id);
    }
    Ok(out)
}

fn completions_waiting(conn: &mut Conn, rule: &Rule) -> Result<Vec<Item>> {
    type Row = (
        i64,
        i64,
        String,
        String,
        Option<NaiveDate>,
        String,
        String,
        NaiveDate,
        Option<NaiveDate>,
        String,
    );
    let rows: Vec<Row> = progress_reports::table
        .inner_join(tasks::table)
        .inner_join(units::table.on(units::id.eq(progress_reports::unit_id)))
        .filter(sql::<Bool>(&rule.cond))
        .order(progress_reports::id.asc())
        .limit(MAX_ITEMS)
        .select((
            progress_reports::id,
            tasks::id,
            tasks::reference,
            tasks::content,
            tasks::deadline,
            units::code,
            units::name,
            progress_reports::reported_on,
            progress_reports::proposed_completed_on,
            progress_reports::note,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(rid, tid, reference, content, deadline, code, name, on, date, note)| Item {
                unit: Some(code),
                unit_name: Some(name),
                deadline,
                report_id: Some(rid),
                requested_on: Some(on),
                date,
                note: Some(note).filter(|n| !n.is_empty()),
                ..Item::new(Kind::CompletionWaiting, tid, reference, content)
            },
        )
        .collect())
}

fn extensions_waiting(conn: &mut Conn, rule: &Rule) -> Result<Vec<Item>> {
    type Row = (
        i64,
        i64,
        String,
        String,
        Option<NaiveDate>,
        String,
        String,
        chrono::NaiveDateTime,
        NaiveDate,
        String,
    );
    let rows: Vec<Row> = extension_requests::table
        .inner_join(tasks::table)
        .inner_join(units::table.on(units::id.eq(extension_requests::unit_id)))
        .filter(sql::<Bool>(&rule.cond))
        .order(extension_requests::id.asc())
        .limit(MAX_ITEMS)
        .select((
            extension_requests::id,
            tasks::id,
            tasks::reference,
            tasks::content,
            tasks::deadline,
            units::code,
            units::name,
            extension_requests::created_at,
            extension_requests::new_deadline,
            extension_requests::reason,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(eid, tid, reference, content, deadline, code, name, at, date, reason)| Item {
                unit: Some(code),
                unit_name: Some(name),
                deadline,
                extension_id: Some(eid),
                requested_on: Some(at.date()),
                date: Some(date),
                note: Some(reason),
                ..Item::new(Kind::ExtensionWaiting, tid, reference, content)
            },
        )
        .collect())
}

/// Open tasks without a lead unit.
fn no_lead(conn: &mut Conn, rule: &Rule) -> Result<Vec<Item>> {
    type Row = (i64, String, String, Option<NaiveDate>);
    let rows: Vec<Row> = tasks::table
        .filter(sql::<Bool>(&rule.cond))
        .order(tasks::id.asc())
        .limit(MAX_ITEMS)
        .select((tasks::id, tasks::reference, tasks::content, tasks::deadline))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, reference, content, deadline)| Item {
            deadline,
            ..Item::new(Kind::NoLead, id, reference, content)
        })
        .collect())
}

/// The unit's proposals the office returned, while no newer proposal was sent.
fn returned(conn: &mut Conn, rule: &Rule) -> Result<Vec<Item>> {
    type Row = (
        i64,
        i64,
        String,
        String,
        Option<NaiveDate>,
        NaiveDate,
        Option<NaiveDate>,
        String,
    );
    let rows: Vec<Row> = progress_reports::table
        .inner_join(tasks::table)
        .filter(sql::<Bool>(&rule.cond))
        .order(progress_reports::id.desc())
        .limit(MAX_ITEMS)
        .select((
            progress_reports::id,
            tasks::id,
            tasks::reference,
            tasks::content,
            tasks::deadline,
            progress_reports::reported_on,
            progress_reports::proposed_completed_on,
            progress_reports::review_note,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(rid, tid, reference, content, deadline, on, date, reason)| Item {
                deadline,
                report_id: Some(rid),
                requested_on: Some(on),
                date,
                note: Some(reason),
                ..Item::new(Kind::Returned, tid, reference, content)
            },
        )
        .collect())
}

/// Decisions on the unit's extension requests of the last [`DECIDED_DAYS`] days.
fn decided(conn: &mut Conn, rule: &Rule) -> Result<Vec<Item>> {
    type Row = (
        i64,
        i64,
        String,
        String,
        Option<NaiveDate>,
        Decision,
        NaiveDate,
        String,
        Option<chrono::NaiveDateTime>,
    );
    let rows: Vec<Row> = extension_requests::table
        .inner_join(tasks::table)
        .filter(sql::<Bool>(&rule.cond))
        .order(extension_requests::decided_at.desc())
        .limit(MAX_ITEMS)
        .select((
            extension_requests::id,
            tasks::id,
            tasks::reference,
            tasks::content,
            tasks::deadline,
            extension_requests::state,
            extension_requests::new_deadline,
            extension_requests::decision_note,
            extension_requests::decided_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(eid, tid, reference, content, deadline, state, date, note, at)| Item {
                deadline,
                extension_id: Some(eid),
                requested_on: at.map(|a| a.date()),
                date: Some(date),
                note: Some(note).filter(|n| !n.is_empty()),
                decision: Some(state),
                ..Item::new(Kind::Decided, tid, reference, content)
            },
        )
        .collect())
}

/// Open tasks overdue or due soon: a unit's own (lead or coordinator), or
/// every visible unit's for a leader, oldest deadline first (the leader's
/// page groups them by unit).
fn by_deadline(
    conn: &mut Conn,
    kind: Kind,
    rule: &Rule,
    unit_id: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<Item>> {
    let rows: Vec<(TaskRow, Option<i64>)> = tasks::table
        .left_join(units::table.on(units::id.nullable().eq(tasks::lead_unit_id.nullable())))
        .filter(sql::<Bool>(&rule.cond))
        .order((tasks::deadline.asc(), tasks::id.asc()))
        .limit(MAX_ITEMS)
        .select((
            (
                tasks::id,
                tasks::reference,
                tasks::content,
                tasks::deadline,
                units::code.nullable(),
                units::name.nullable(),
            ),
            units::id.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |((id, reference, content, deadline, code, name), lead_id)| {
                let days = deadline.map(|d| (d - today).num_days());
                Item {
                    unit: code,
                    unit_name: name,
                    deadline,
                    days: days.map(|d| if kind == Kind::Overdue { -d } else { d }),
                    coordinator: unit_id.is_some() && lead_id != unit_id,
                    ..Item::new(kind, id, reference, content)
                }
            },
        )
        .collect())
}

/// Where a task stands: its waiting proposal or request, or its returned proposal.
pub fn stages(conn: &mut Conn, task_id: i64, open: bool) -> Result<Vec<Stage>> {
    if !open {
        return Ok(Vec::new());
    }
    type P = (i64, NaiveDate, Option<NaiveDate>, Option<Review>, String);
    let proposals: Vec<P> = progress_reports::table
        .filter(progress_reports::task_id.eq(task_id))
        .filter(progress_reports::review_state.is_not_null())
        .select((
            progress_reports::id,
            progress_reports::reported_on,
            progress_reports::proposed_completed_on,
            progress_reports::review_state,
            progress_reports::review_note,
        ))
        .load(conn)?;
    let extensions: Vec<(i64, NaiveDate, Decision)> = extension_requests::table
        .filter(extension_requests::task_id.eq(task_id))
        .select((
            extension_requests::id,
            extension_requests::new_deadline,
            extension_requests::state,
        ))
        .load(conn)?;
    // Only proposals have a review; the query reads those alone.
    let facts: Vec<ProposalFact> = proposals
        .iter()
        .filter_map(|(id, on, date, review, note)| {
            Some(ProposalFact {
                report_id: *id,
                reported_on: *on,
                completed_on: *date,
                review: (*review)?,
                review_note: note,
            })
        })
        .collect();
    let exts: Vec<ExtensionFact> = extensions
        .iter()
        .map(|(id, date, state)| ExtensionFact {
            extension_id: *id,
            new_deadline: *date,
            pending: *state == Decision::Pending,
        })
        .collect();
    Ok(crate::domain::inbox::stages(open, &facts, &exts))
}

/// What happened lately on the tasks a reader follows: reports, proposals,
/// decisions and new tasks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Happening {
    pub at: chrono::NaiveDateTime,
    /// The audit action (`task.report`, `task.extension_approve`, …).
    pub action: String,
    pub task_id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    /// Who did it; none for the system or a signed link.
    pub by: Option<String>,
}

/// The actions the feed tells of.
const FEED_ACTIONS: [&str; 8] = [
    "task.create",
    "task.report",
    "task.propose",
    "task.return",
    "task.complete",
    "task.extension_request",
    "task.extension_approve",
    "task.extension_reject",
];

/// The newest happenings since `since`, at most `limit`, on the tasks the
/// reader follows: a unit's own (lead or coordinator), every task the
/// office and leaders may see.
pub fn happenings(
    conn: &mut Conn,
    account: &Account,
    since: chrono::NaiveDateTime,
    limit: i64,
) -> Result<Vec<Happening>> {
    use super::schema::{audit_log, users};
    let reader = Reader::of(conn, account)?;
    let mut scope = match (reader.role, reader.unit_id) {
        (Role::Unit, Some(u)) => unit_tasks_sql(u),
        _ => "1 = 1".to_string(),
    };
    if let Some(visible) = &reader.visible {
        scope = format!("{scope} AND {visible}");
    }
    let rows: Vec<(chrono::NaiveDateTime, String, i64, String, Option<String>)> = audit_log::table
        .inner_join(tasks::table.on(tasks::id.nullable().eq(audit_log::task_id)))
        .left_join(users::table.on(users::id.nullable().eq(audit_log::user_id)))
        .filter(audit_log::at.ge(since))
        .filter(audit_log::action.eq_any(FEED_ACTIONS))
        .filter(sql::<Bool>(&scope))
        .order(audit_log::id.desc())
        .limit(limit)
        .select((
            audit_log::at,
            audit_log::action,
            tasks::id,
            tasks::reference,
            users::name.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(at, action, task_id, reference, by)| Happening {
            at,
            action,
            task_id,
            reference,
            by,
        })
        .collect())
}

/// A mail as its recipient reads it in the app.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mail {
    pub id: i64,
    pub at: chrono::NaiveDateTime,
    pub subject: String,
    pub text: String,
}

/// The newest mails sent to any of `addresses` (the user's, and their unit's).
pub fn mails_to(conn: &mut Conn, addresses: &[String], limit: i64) -> Result<Vec<Mail>> {
    use super::schema::mail_outbox;
    let rows: Vec<(i64, chrono::NaiveDateTime, String, String)> = mail_outbox::table
        .filter(mail_outbox::recipient.eq_any(addresses))
        .order(mail_outbox::id.desc())
        .limit(limit)
        .select((
            mail_outbox::id,
            mail_outbox::created_at,
            mail_outbox::subject,
            mail_outbox::body_text,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, at, subject, text)| Mail {
            id,
            at,
            subject,
            text,
        })
        .collect())
}

/// One mail, if it was sent to one of `addresses`; another's mail is not found.
pub fn mail_to(conn: &mut Conn, id: i64, addresses: &[String]) -> Result<Mail> {
    use super::schema::mail_outbox;
    let row: Option<(i64, chrono::NaiveDateTime, String, String)> = mail_outbox::table
        .filter(mail_outbox::id.eq(id))
        .filter(mail_outbox::recipient.eq_any(addresses))
        .select((
            mail_outbox::id,
            mail_outbox::created_at,
            mail_outbox::subject,
            mail_outbox::body_text,
        ))
        .first(conn)
        .optional()?;
    row.map(|(id, at, subject, text)| Mail {
        id,
        at,
        subject,
        text,
    })
    .ok_or(super::StorageError::NotFound)
}

/// Records that the user opens the inbox at `at`, and returns when they
/// opened it before (none on a first visit): the feed marks what is newer.
pub fn visit(
    conn: &mut Conn,
    user_id: i64,
    at: chrono::NaiveDateTime,
) -> Result<Option<chrono::NaiveDateTime>> {
    use super::schema::inbox_visits;
    Ok(write_tx(conn, |c| {
        let before: Option<chrono::NaiveDateTime> = inbox_visits::table
            .find(user_id)
            .select(inbox_visits::seen_at)
            .first(c)
            .optional()?;
        // diesel builds `ON CONFLICT` only for a concrete backend.
        with_conn!(c, |c| diesel::insert_into(inbox_visits::table)
            .values((
                inbox_visits::user_id.eq(user_id),
                inbox_visits::seen_at.eq(at),
            ))
            .on_conflict(inbox_visits::user_id)
            .do_update()
            .set(inbox_visits::seen_at.eq(at))
            .execute(c))?;
        Ok::<_, diesel::result::Error>(before)
    })?)
}
