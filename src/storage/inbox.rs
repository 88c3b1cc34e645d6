//! "Cần xử lý": the entries of each kind, counted for the badge and listed
//! for the page by one pick per kind, and the stages of a task's workflow.
//! Which tasks are entries is the domain's rule on the report's rows
//! (`deadline_kind`, `TaskDates::state`, no lead) or on where the task
//! stands (`storage::stages`, the rule the task list's `waiting` filter
//! shares), walked by `report::pick` with the reader's sight; SQL then reads
//! the picked entries' details by id.

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use super::report::pick::{self, KeptLists};
use super::report::snapshot::{self, Row, Snapshot};
use super::schema::{extension_requests, progress_reports, task_coordinators, tasks, units};
use super::stages::{self, Stood};
use super::users::Account;
use super::visibility::Viewer;
use super::{with_conn, write_tx, Conn, Result};
use crate::domain::inbox::{
    deadline_kind, kinds_for, ExtensionFact, Kind, ProposalFact, Stage, Waiting, DECIDED_DAYS,
};
use crate::domain::progress::{Decision, Review};
use crate::domain::report::NO_LEAD;
use crate::domain::{Role, State};

/// The most entries of one kind listed (the count is always complete).
pub const MAX_ITEMS: usize = 200;

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

/// The task's columns every item shows.
const TASK_HEAD: (tasks::id, tasks::reference, tasks::content, tasks::deadline) =
    (tasks::id, tasks::reference, tasks::content, tasks::deadline);

/// A task as [`TASK_HEAD`] reads it: id, reference, content, deadline.
type TaskHead = (i64, String, String, Option<NaiveDate>);

/// The unit that sent a proposal or a request: its code and name.
const SENDER: (units::code, units::name) = (units::code, units::name);

impl Item {
    fn new(kind: Kind, (task_id, reference, content, deadline): TaskHead) -> Item {
        Item {
            kind,
            task_id,
            reference,
            content,
            unit: None,
            unit_name: None,
            deadline,
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

/// The tasks a unit leads or coordinates, as SQL over `tasks` (the feed's scope).
fn unit_tasks_sql(unit_id: i64) -> String {
    format!(
        "(tasks.lead_unit_id = {unit_id} OR tasks.id IN \
         (SELECT task_id FROM task_coordinators WHERE unit_id = {unit_id}))"
    )
}

/// Who reads the inbox, resolved once: the role, the unit of a unit's
/// user, which tasks the reader may see (confidential tasks, a leader's
/// scope), and the tasks the unit coordinates.
struct Reader {
    role: Role,
    unit_id: Option<i64>,
    viewer: Viewer,
    visible: Option<String>,
    /// In id order; empty without a unit.
    coordinated: Vec<i64>,
}

impl Reader {
    fn of(conn: &mut Conn, account: &Account) -> Result<Reader> {
        let viewer = Viewer::for_account(conn, account)?;
        let unit_id = account.user.unit_id;
        let coordinated = match unit_id {
            Some(u) => task_coordinators::table
                .filter(task_coordinators::unit_id.eq(u))
                .order(task_coordinators::task_id)
                .select(task_coordinators::task_id)
                .load(&mut **conn)?,
            None => Vec::new(),
        };
        Ok(Reader {
            role: account.role(),
            unit_id,
            visible: viewer.task_sql(),
            viewer,
            coordinated,
        })
    }

    /// The reader's own task: a unit's when it leads or coordinates it; any
    /// task for a reader without a unit.
    fn owns(&self, r: &Row) -> bool {
        self.unit_id.is_none_or(|u| {
            r.task.lead_unit_id == u || self.coordinated.binary_search(&r.id).is_ok()
        })
    }

    /// Whether a task is an entry of a kind told by its dates and lead, as of
    /// `today`: the domain's rules on the report's row.
    fn has_task_kind(&self, kind: Kind, r: &Row, today: NaiveDate) -> bool {
        let dates = &r.task.dates;
        dates.state() == State::Open
            && match kind {
                Kind::NoLead => r.task.lead_unit_id == NO_LEAD,
                Kind::Overdue | Kind::DueSoon => {
                    self.owns(r) && deadline_kind(dates.deadline, today) == Some(kind)
                }
                _ => false,
            }
    }
}

/// Where an entry of a kind comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The task itself, by its dates and lead.
    Task,
    /// Where the task stands in its workflow.
    Stage(Waiting),
    /// The decisions on the unit's requests.
    Decisions,
}

fn source(kind: Kind) -> Source {
    match kind {
        Kind::Overdue | Kind::DueSoon | Kind::NoLead => Source::Task,
        Kind::CompletionWaiting => Source::Stage(Waiting::Completion),
        Kind::ExtensionWaiting => Source::Stage(Waiting::Extension),
        Kind::Returned => Source::Stage(Waiting::Returned),
        Kind::Decided => Source::Decisions,
    }
}

/// What the kinds of one reader are picked from, read once per inbox.
struct Ground {
    snap: std::sync::Arc<Snapshot>,
    /// Where the open tasks stand, read on first need.
    stood: Option<HashMap<i64, Stood>>,
}

impl Ground {
    fn of(conn: &mut Conn) -> Result<Ground> {
        Ok(Ground {
            snap: snapshot::current(conn)?,
            stood: None,
        })
    }

    fn stood(&mut self, conn: &mut Conn) -> Result<&HashMap<i64, Stood>> {
        if self.stood.is_none() {
            self.stood = Some(stages::standings(conn, &self.snap)?);
        }
        Ok(self.stood.get_or_insert_with(HashMap::new))
    }
}

/// The entries of a kind told by the task (overdue, due soon, without a
/// lead) that the reader may see: how many, and the first `n` task ids in
/// the list's order (deadline then id; by id for tasks without a lead).
/// Kept for the readers whose kinds the report's rows alone tell (see
/// [`kept_as`]), so that every page of every leader of one scope walks once,
/// and after a change moves only the rows it changed.
fn pick_tasks(
    conn: &mut Conn,
    reader: &Reader,
    snap: &Snapshot,
    kind: Kind,
    today: NaiveDate,
    n: usize,
) -> Result<(i64, Vec<i64>)> {
    static KEPT: LazyLock<KeptLists<(Kind, NaiveDate), TaskKey>> = LazyLock::new(Default::default);
    let (count, keys) = pick::first_seen_kept(
        conn,
        snap,
        &snap.all(),
        kept_as(reader).then_some((&*KEPT, (kind, today))),
        &reader.viewer,
        n,
        |r| reader.has_task_kind(kind, r, today),
        |r| {
            (
                (kind != Kind::NoLead).then_some(r.task.dates.deadline),
                r.id,
            )
        },
    )?;
    Ok((count, keys.into_iter().map(|k| k.1).collect()))
}

/// A task entry's place in its kind's list: its deadline (none for tasks
/// without a lead, listed by id), its id.
type TaskKey = (Option<Option<NaiveDate>>, i64);

/// Whether the reader's task kinds are told by the report's rows alone and
/// the sight, and so may be kept: a reader without a unit, whose tasks need
/// no coordinated ids.
fn kept_as(reader: &Reader) -> bool {
    reader.unit_id.is_none()
}

/// The entries of a workflow kind the reader may see: how many, and the
/// first `n` ids of the proposals or requests they stand on, oldest first
/// (the office works through them in turn), newest first for the unit's
/// returned proposals.
fn pick_stage(
    conn: &mut Conn,
    reader: &Reader,
    ground: &mut Ground,
    w: Waiting,
    n: usize,
) -> Result<(i64, Vec<i64>)> {
    // The unit's own returned proposals only; the office's kinds are every unit's.
    let unit = match w {
        Waiting::Returned => match reader.unit_id {
            Some(u) => Some(u),
            None => return Ok((0, Vec::new())),
        },
        _ => None,
    };
    let snap = ground.snap.clone();
    let stood = ground.stood(conn)?;
    // Only the tasks that stand somewhere in the workflow are read.
    let standing: Vec<i64> = stood.keys().copied().collect();
    let (count, keys) = pick::first_seen(
        conn,
        &snap.of_ids(&standing),
        &reader.viewer,
        n,
        |r| {
            stood.get(&r.id).is_some_and(|s| {
                s.standing.is(w) && unit.is_none_or(|u| s.proposal_unit == Some(u))
            })
        },
        |r| {
            let id = stood
                .get(&r.id)
                .and_then(|s| s.standing.row_of(w))
                .unwrap_or_default();
            (if unit.is_some() { -id } else { id }, id)
        },
    )?;
    Ok((count, keys.into_iter().map(|k| k.1).collect()))
}

/// The decisions of the last [`DECIDED_DAYS`] days on the unit's requests
/// for open tasks the reader may see: how many, and the first `n` request
/// ids, newest decision first.
fn pick_decided(
    conn: &mut Conn,
    reader: &Reader,
    snap: &Snapshot,
    n: usize,
) -> Result<(i64, Vec<i64>)> {
    let Some(unit) = reader.unit_id else {
        return Ok((0, Vec::new()));
    };
    let since = super::now() - chrono::Duration::days(DECIDED_DAYS);
    let rows: Vec<(i64, i64)> = extension_requests::table
        .filter(extension_requests::unit_id.eq(unit))
        .filter(extension_requests::state.eq_any([Decision::Approved, Decision::Rejected]))
        .filter(extension_requests::decided_at.ge(since))
        .order((
            extension_requests::decided_at.desc(),
            extension_requests::id.desc(),
        ))
        .select((extension_requests::id, extension_requests::task_id))
        .load(&mut **conn)?;
    let mut tasks: Vec<i64> = rows.iter().map(|(_, t)| *t).collect();
    tasks.sort_unstable();
    tasks.dedup();
    let (_, seen) = pick::first_seen(
        conn,
        &snap.of_ids(&tasks),
        &reader.viewer,
        usize::MAX,
        |r| r.task.dates.state() == State::Open,
        |r| r.id,
    )?;
    let shown: Vec<i64> = rows
        .into_iter()
        .filter(|(_, t)| seen.binary_search(t).is_ok())
        .map(|(id, _)| id)
        .collect();
    let count = i64::try_from(shown.len()).unwrap_or(i64::MAX);
    Ok((count, shown.into_iter().take(n).collect()))
}

/// How many entries of a kind the reader has, and the first `n` of their
/// ids (tasks, proposals or requests, as the kind's source says).
fn pick(
    conn: &mut Conn,
    reader: &Reader,
    ground: &mut Ground,
    kind: Kind,
    today: NaiveDate,
    n: usize,
) -> Result<(i64, Vec<i64>)> {
    match source(kind) {
        Source::Task => {
            let snap = ground.snap.clone();
            pick_tasks(conn, reader, &snap, kind, today, n)
        }
        Source::Stage(w) => pick_stage(conn, reader, ground, w, n),
        Source::Decisions => {
            let snap = ground.snap.clone();
            pick_decided(conn, reader, &snap, n)
        }
    }
}

/// How many entries ask for the reader's action (the navigation's badge):
/// counted from the report's rows and the ids and states of the proposals
/// and requests, no entry read.
pub fn waiting_count(conn: &mut Conn, account: &Account, today: NaiveDate) -> Result<i64> {
    let reader = Reader::of(conn, account)?;
    let mut ground = Ground::of(conn)?;
    let mut total = 0;
    for kind in kinds_for(reader.role).iter().filter(|k| k.needs_action()) {
        total += pick(conn, &reader, &mut ground, *kind, today, 0)?.0;
    }
    Ok(total)
}

/// What waits for the reader as of `today`: every kind of their role
/// counted, and up to [`MAX_ITEMS`] entries of each listed.
pub fn inbox(conn: &mut Conn, account: &Account, today: NaiveDate) -> Result<Inbox> {
    let reader = Reader::of(conn, account)?;
    let mut ground = Ground::of(conn)?;
    let mut out = Inbox::default();
    for kind in kinds_for(reader.role) {
        let (count, ids) = pick(conn, &reader, &mut ground, *kind, today, MAX_ITEMS)?;
        out.counts.insert(kind.code(), count);
        if ids.is_empty() {
            continue;
        }
        let items = match kind {
            Kind::CompletionWaiting => completions_waiting(conn, &ids)?,
            Kind::ExtensionWaiting => extensions_waiting(conn, &ids)?,
            Kind::Returned => returned(conn, &ids)?,
            Kind::Decided => decided(conn, &ids)?,
            Kind::NoLead | Kind::DueSoon | Kind::Overdue => {
                by_task(conn, *kind, &ids, reader.unit_id, today)?
            }
        };
        out.items.extend(items);
    }
    for item in &mut out.items {
        item.confidential = ground
            .snap
            .get(item.task_id)
            .is_some_and(|r| r.confidential);
    }
    Ok(out)
}

/// The items of `found` (keyed by the entry's id) in the order of `ids`.
fn in_order(ids: &[i64], found: Vec<(i64, Item)>) -> Vec<Item> {
    let mut by_id: HashMap<i64, Item> = found.into_iter().collect();
    ids.iter().filter_map(|id| by_id.remove(id)).collect()
}

fn completions_waiting(conn: &mut Conn, ids: &[i64]) -> Result<Vec<Item>> {
    type Row = (
        i64,
        TaskHead,
        (String, String),
        NaiveDate,
        Option<NaiveDate>,
        String,
    );
    let rows: Vec<Row> = progress_reports::table
        .inner_join(tasks::table)
        .inner_join(units::table.on(units::id.eq(progress_reports::unit_id)))
        .filter(progress_reports::id.eq_any(ids))
        .select((
            progress_reports::id,
            TASK_HEAD,
            SENDER,
            progress_reports::reported_on,
            progress_reports::proposed_completed_on,
            progress_reports::note,
        ))
        .load(conn)?;
    let found = rows
        .into_iter()
        .map(|(rid, task, (code, name), on, date, note)| {
            let item = Item {
                unit: Some(code),
                unit_name: Some(name),
                report_id: Some(rid),
                requested_on: Some(on),
                date,
                note: Some(note).filter(|n| !n.is_empty()),
                ..Item::new(Kind::CompletionWaiting, task)
            };
            (rid, item)
        });
    Ok(in_order(ids, found.collect()))
}

fn extensions_waiting(conn: &mut Conn, ids: &[i64]) -> Result<Vec<Item>> {
    type Row = (
        i64,
        TaskHead,
        (String, String),
        chrono::NaiveDateTime,
        NaiveDate,
        String,
    );
    let rows: Vec<Row> = extension_requests::table
        .inner_join(tasks::table)
        .inner_join(units::table.on(units::id.eq(extension_requests::unit_id)))
        .filter(extension_requests::id.eq_any(ids))
        .select((
            extension_requests::id,
            TASK_HEAD,
            SENDER,
            extension_requests::created_at,
            extension_requests::new_deadline,
            extension_requests::reason,
        ))
        .load(conn)?;
    let found = rows
        .into_iter()
        .map(|(eid, task, (code, name), at, date, reason)| {
            let item = Item {
                unit: Some(code),
                unit_name: Some(name),
                extension_id: Some(eid),
                requested_on: Some(at.date()),
                date: Some(date),
                note: Some(reason),
                ..Item::new(Kind::ExtensionWaiting, task)
            };
            (eid, item)
        });
    Ok(in_order(ids, found.collect()))
}

/// The unit's proposals the office returned, while no newer proposal was sent.
fn returned(conn: &mut Conn, ids: &[i64]) -> Result<Vec<Item>> {
    type Row = (i64, TaskHead, NaiveDate, Option<NaiveDate>, String);
    let rows: Vec<Row> = progress_reports::table
        .inner_join(tasks::table)
        .filter(progress_reports::id.eq_any(ids))
        .select((
            progress_reports::id,
            TASK_HEAD,
            progress_reports::reported_on,
            progress_reports::proposed_completed_on,
            progress_reports::review_note,
        ))
        .load(conn)?;
    let found = rows.into_iter().map(|(rid, task, on, date, reason)| {
        let item = Item {
            report_id: Some(rid),
            requested_on: Some(on),
            date,
            note: Some(reason),
            ..Item::new(Kind::Returned, task)
        };
        (rid, item)
    });
    Ok(in_order(ids, found.collect()))
}

/// Decisions on the unit's extension requests of the last [`DECIDED_DAYS`] days.
fn decided(conn: &mut Conn, ids: &[i64]) -> Result<Vec<Item>> {
    type Row = (
        i64,
        TaskHead,
        Decision,
        NaiveDate,
        String,
        Option<chrono::NaiveDateTime>,
    );
    let rows: Vec<Row> = extension_requests::table
        .inner_join(tasks::table)
        .filter(extension_requests::id.eq_any(ids))
        .select((
            extension_requests::id,
            TASK_HEAD,
            extension_requests::state,
            extension_requests::new_deadline,
            extension_requests::decision_note,
            extension_requests::decided_at,
        ))
        .load(conn)?;
    let found = rows.into_iter().map(|(eid, task, state, date, note, at)| {
        let item = Item {
            extension_id: Some(eid),
            requested_on: at.map(|a| a.date()),
            date: Some(date),
            note: Some(note).filter(|n| !n.is_empty()),
            decision: Some(state),
            ..Item::new(Kind::Decided, task)
        };
        (eid, item)
    });
    Ok(in_order(ids, found.collect()))
}

/// The entries of a kind told by the task: overdue or due soon (a unit's own,
/// lead or coordinator, or every visible unit's for a leader, whose page
/// groups them by unit), or without a lead.
fn by_task(
    conn: &mut Conn,
    kind: Kind,
    ids: &[i64],
    unit_id: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<Item>> {
    type Row = (TaskHead, Option<String>, Option<String>, Option<i64>);
    let rows: Vec<Row> = tasks::table
        .left_join(units::table.on(units::id.nullable().eq(tasks::lead_unit_id.nullable())))
        .filter(tasks::id.eq_any(ids))
        .select((
            TASK_HEAD,
            units::code.nullable(),
            units::name.nullable(),
            units::id.nullable(),
        ))
        .load(conn)?;
    let found = rows.into_iter().map(|(task, code, name, lead_id)| {
        let id = task.0;
        let days = task
            .3
            .filter(|_| kind != Kind::NoLead)
            .map(|d| (d - today).num_days());
        let item = Item {
            unit: code,
            unit_name: name,
            days: days.map(|d| if kind == Kind::Overdue { -d } else { d }),
            coordinator: unit_id.is_some() && lead_id != unit_id,
            ..Item::new(kind, task)
        };
        (id, item)
    });
    Ok(in_order(ids, found.collect()))
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
