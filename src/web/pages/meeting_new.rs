//! A new meeting from its conclusion: pasted text (HTML stripped) or the
//! uploaded document (.docx, .pdf with a text layer, .txt, .html), the
//! proposed tasks in a review table the official edits, then confirmed. The
//! whole draft travels in the form; the uploaded document waits on disk
//! (`pending/`, where abandoned drafts' documents expire after a day),
//! named by a signed hidden field, until the meeting is saved with it.
//!
//! Every action returns to the proposal it touched (`#item-N`, and that item
//! takes the focus) rather than to the top of a long page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::collections::{BTreeSet, HashMap};

use super::forms::{codes_list, picked_codes};
use super::frame::PageUser;
use super::frame::{frame, redirect, render_with_status};
use crate::domain::dates::parse_date;
use crate::domain::document::{self, ExtractError};
use crate::domain::meeting::{check_text, MeetingInput, RawMeeting};
use crate::domain::task::{Needs, RawTask, TaskInput};
use crate::domain::Invalid;
use crate::i18n;
use crate::storage::files::StoredFile;
use crate::storage::{self, units::UnitInfo};
use crate::web::error::PageError;
use crate::web::session;
use crate::web::upload;
use crate::web::State;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub(super) struct DraftItem {
    pub content: String,
    /// Empty: no lead yet (the text names none).
    pub lead: String,
    pub coordinators: String,
    pub deadline: String,
    pub phrase: String,
    /// `no_lead`, `group_addressee`.
    pub flags: Vec<String>,
    /// The group the text addresses, when it is one.
    pub addressee: String,
    /// Ticked for an action on several items.
    pub picked: bool,
}

impl DraftItem {
    /// A lead is never its own coordinator, and no unit coordinates twice.
    fn tidy(&mut self) {
        let mut codes: Vec<String> = Vec::new();
        for c in codes_list(&self.coordinators).split('|') {
            if !c.is_empty() && c != self.lead && !codes.iter().any(|x| x == c) {
                codes.push(c.to_string());
            }
        }
        self.coordinators = codes.join(", ");
        if !self.lead.trim().is_empty() {
            self.flags.retain(|f| f != "no_lead");
        }
    }
}

/// The uploaded conclusion document, on disk, waiting for the meeting to be saved.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub(super) struct PendingDocument {
    pub name: String,
    pub path: String,
    pub size: i64,
    /// Binds the three to the user who uploaded them: no one can name another file.
    pub sig: String,
}

type HmacSha256 = Hmac<Sha256>;

impl PendingDocument {
    fn mac(secret: &str, user_id: i64, file: &StoredFile) -> HmacSha256 {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(
            format!(
                "meeting-document:v1:{user_id}:{}:{}:{}",
                file.path, file.size, file.name
            )
            .as_bytes(),
        );
        mac
    }

    fn signed(secret: &str, user_id: i64, file: StoredFile) -> PendingDocument {
        PendingDocument {
            sig: hex::encode(Self::mac(secret, user_id, &file).finalize().into_bytes()),
            name: file.name,
            path: file.path,
            size: file.size,
        }
    }

    fn file(&self) -> StoredFile {
        StoredFile {
            name: self.name.clone(),
            path: self.path.clone(),
            size: self.size,
        }
    }

    /// The stored file, if the signature is this user's (checked in constant time).
    fn verified(&self, secret: &str, user_id: i64) -> Option<StoredFile> {
        let file = self.file();
        let given = hex::decode(&self.sig).ok()?;
        Self::mac(secret, user_id, &file)
            .verify_slice(&given)
            .ok()
            .map(|_| file)
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct MeetingDraft {
    pub title: String,
    pub held_on: String,
    pub chair: String,
    pub organiser_unit: String,
    pub document_ref: String,
    pub conclusion_text: String,
    /// "Mật": the meeting and all its tasks.
    pub confidential: bool,
    pub items: Vec<DraftItem>,
    /// The pieces of the text that are not directives: shown, not proposed.
    pub context: Vec<String>,
    pub document: Option<PendingDocument>,
    pub bulk_lead: String,
    pub bulk_deadline: String,
    /// The item the page returns to after an action.
    pub focus: Option<usize>,
}

/// The most items a draft holds: far beyond a real conclusion, and it bounds the form.
pub(super) const MAX_ITEMS: usize = 300;
/// The most context pieces carried along.
const MAX_CONTEXT: usize = 300;

/// A form's fields, the last value of each name, and every value of repeated ones.
struct Fields<'a> {
    last: HashMap<&'a str, &'a str>,
    pairs: &'a [(String, String)],
}

impl<'a> Fields<'a> {
    fn new(pairs: &'a [(String, String)]) -> Fields<'a> {
        Fields {
            last: pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            pairs,
        }
    }

    fn get(&self, key: &str) -> String {
        self.last
            .get(key)
            .map(|v| v.to_string())
            .unwrap_or_default()
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn count(&self, key: &str, max: usize) -> usize {
        self.get(key).parse::<usize>().unwrap_or(0).min(max)
    }
}

impl MeetingDraft {
    pub(super) fn read(pairs: &[(String, String)]) -> MeetingDraft {
        let f = Fields::new(pairs);
        let items = (0..f.count("items", MAX_ITEMS))
            .map(|i| {
                let mut item = DraftItem {
                    content: f.get(&format!("content_{i}")),
                    lead: f.get(&format!("lead_{i}")).trim().to_string(),
                    coordinators: picked_codes(&f.all(&format!("coord_{i}"))),
                    deadline: f.get(&format!("deadline_{i}")),
                    phrase: f.get(&format!("phrase_{i}")),
                    flags: f
                        .get(&format!("flags_{i}"))
                        .split_whitespace()
                        .filter(|x| matches!(*x, "no_lead" | "group_addressee"))
                        .map(str::to_string)
                        .collect(),
                    addressee: f.get(&format!("addressee_{i}")),
                    picked: !f.get(&format!("pick_{i}")).is_empty(),
                };
                item.tidy();
                item
            })
            .collect();
        let document = Some(PendingDocument {
            name: f.get("doc_name"),
            path: f.get("doc_path"),
            size: f.get("doc_size").parse().unwrap_or(0),
            sig: f.get("doc_sig"),
        })
        .filter(|d| !d.path.is_empty());
        MeetingDraft {
            title: f.get("title"),
            held_on: f.get("held_on"),
            chair: f.get("chair"),
            organiser_unit: f.get("organiser_unit"),
            document_ref: f.get("document_ref"),
            conclusion_text: f.get("conclusion_text"),
            confidential: !f.get("confidential").is_empty(),
            items,
            context: (0..f.count("contexts", MAX_CONTEXT))
                .map(|j| f.get(&format!("context_{j}")))
                .filter(|c| !c.trim().is_empty())
                .collect(),
            document,
            bulk_lead: f.get("bulk_lead").trim().to_string(),
            bulk_deadline: f.get("bulk_deadline").trim().to_string(),
            focus: None,
        }
    }

    pub(super) fn raw(&self) -> RawMeeting<'_> {
        RawMeeting {
            title: &self.title,
            held_on: &self.held_on,
            chair: &self.chair,
            organiser_unit: &self.organiser_unit,
            document_ref: &self.document_ref,
            conclusion_text: &self.conclusion_text,
            confidential: self.confidential,
        }
    }

    fn picked(&self) -> Vec<usize> {
        (0..self.items.len())
            .filter(|i| self.items[*i].picked)
            .collect()
    }

    /// Joins item `i` with the next one.
    fn merge(&mut self, i: usize) {
        if i + 1 < self.items.len() {
            self.merge_all(&[i, i + 1]);
        }
    }

    /// Joins the items `at` (in order) into the first of them: texts one after
    /// the other, coordinators together, the first deadline given.
    fn merge_all(&mut self, at: &[usize]) {
        let at: Vec<usize> = at
            .iter()
            .copied()
            .filter(|i| *i < self.items.len())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let Some((&first, rest)) = at.split_first() else {
            return;
        };
        let others: Vec<DraftItem> = rest.iter().map(|i| self.items[*i].clone()).collect();
        let item = &mut self.items[first];
        for next in others {
            item.content = format!(
                "{}; {}",
                item.content.trim_end_matches([';', '.', ' ']),
                next.content.trim()
            );
            item.coordinators = format!("{}, {}", item.coordinators, next.coordinators);
            if item.lead.is_empty() {
                item.lead = next.lead;
            }
            if item.deadline.is_empty() {
                item.deadline = next.deadline;
                item.phrase = next.phrase;
            }
            for flag in next.flags {
                if !item.flags.contains(&flag) {
                    item.flags.push(flag);
                }
            }
        }
        item.picked = false;
        item.tidy();
        for i in rest.iter().rev() {
            self.items.remove(*i);
        }
    }

    /// Splits item `i` at its line breaks: one item per non-empty line.
    fn split(&mut self, i: usize) {
        let Some(item) = self.items.get(i).cloned() else {
            return;
        };
        let lines: Vec<&str> = item
            .content
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.len() < 2 {
            return;
        }
        let parts: Vec<DraftItem> = lines
            .iter()
            .map(|l| DraftItem {
                content: l.to_string(),
                ..item.clone()
            })
            .collect();
        self.items.splice(i..=i, parts);
    }

    /// Item `i`, addressed to a group, as one item per unit of `units`: same
    /// text, deadline and coordinators (less the unit itself), each unit leading its own.
    fn split_by_units(&mut self, i: usize, units: &[String]) {
        let Some(item) = self.items.get(i).cloned() else {
            return;
        };
        if units.is_empty() {
            return;
        }
        let parts: Vec<DraftItem> = units
            .iter()
            .map(|code| {
                let mut part = DraftItem {
                    lead: code.clone(),
                    flags: Vec::new(),
                    picked: false,
                    ..item.clone()
                };
                part.tidy();
                part
            })
            .collect();
        self.items.splice(i..=i, parts);
    }

    fn remove_all(&mut self, at: &[usize]) {
        for i in at.iter().rev() {
            if *i < self.items.len() {
                self.items.remove(*i);
            }
        }
    }

    /// Gives the picked items a lead (empty: none).
    fn set_lead(&mut self, at: &[usize], lead: &str) {
        for i in at {
            if let Some(item) = self.items.get_mut(*i) {
                item.lead = lead.to_string();
                if lead.is_empty() && !item.flags.iter().any(|f| f == "no_lead") {
                    item.flags.push("no_lead".into());
                }
                item.picked = false;
                item.tidy();
            }
        }
    }

    fn set_deadline(&mut self, at: &[usize], deadline: &str) {
        for i in at {
            if let Some(item) = self.items.get_mut(*i) {
                item.deadline = deadline.to_string();
                item.phrase = String::new();
                item.picked = false;
            }
        }
    }

    /// Replaces the items and the context with the parser's proposal of the text.
    fn propose(
        &mut self,
        units: &[UnitInfo],
        calendar: &crate::domain::holidays::WorkCalendar,
    ) -> Result<(), Vec<Invalid>> {
        let mut errors = Vec::new();
        if let Err(e) = check_text("conclusion_text", &self.conclusion_text) {
            errors.push(e);
        }
        let held_on = parse_date(&self.held_on).map_err(|_| {
            errors.push(if self.held_on.trim().is_empty() {
                Invalid::required("held_on")
            } else {
                Invalid::bad_date("held_on", &self.held_on)
            })
        });
        let (Ok(held_on), true) = (held_on, errors.is_empty()) else {
            return Err(errors);
        };
        let proposal =
            crate::web::conclusion::propose(units, &self.conclusion_text, held_on, calendar);
        // A proposal's lead is only what the text says: never the organiser by default.
        self.items = proposal
            .tasks
            .into_iter()
            .take(MAX_ITEMS)
            .map(|p| DraftItem {
                content: p.text,
                lead: p.lead_unit.unwrap_or_default(),
                coordinators: p.coordinators.join(", "),
                deadline: p.deadline.map(|d| d.to_string()).unwrap_or_default(),
                phrase: p.deadline_phrase.unwrap_or_default(),
                flags: p.flags.iter().map(|f| f.code().to_string()).collect(),
                addressee: p.addressee.unwrap_or_default(),
                picked: false,
            })
            .collect();
        self.context = proposal.context.into_iter().take(MAX_CONTEXT).collect();
        self.focus = None;
        Ok(())
    }

    /// The meeting and its tasks, checked; errors carry the form's field names.
    fn to_inputs(
        &self,
        today: chrono::NaiveDate,
    ) -> Result<(MeetingInput, Vec<TaskInput>), Vec<Invalid>> {
        let mut errors = Vec::new();
        let meeting = MeetingInput::parse(&self.raw())
            .map_err(|e| errors.extend(e))
            .ok();
        if self.items.is_empty() {
            errors.push(Invalid::new("items", "err-no-items"));
        }
        let held_on = meeting
            .as_ref()
            .map(|m| m.held_on.to_string())
            .unwrap_or_else(|| today.to_string());
        let mut tasks = Vec::new();
        for (i, item) in self.items.iter().enumerate() {
            let coordinators = codes_list(&item.coordinators);
            let raw = RawTask {
                content: &item.content,
                lead_unit: &item.lead,
                coordinators: &coordinators,
                assigned_on: &held_on,
                deadline: &item.deadline,
                ..Default::default()
            };
            // An item with no lead is confirmed as a task waiting for one ("chưa giao").
            match TaskInput::parse(&raw, Needs::FORM, today) {
                Ok(t) => tasks.push(t),
                Err(e) => errors.extend(e.into_iter().map(|mut e| {
                    e.field = item_field(&e.field, i);
                    e
                })),
            }
        }
        match (meeting, errors.is_empty()) {
            (Some(m), true) => Ok((m, tasks)),
            _ => Err(errors),
        }
    }
}

/// What an official asked of the review table.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Parse,
    Remove(usize),
    Merge(usize),
    Split(usize),
    SplitUnits(usize),
    Add,
    RemovePicked,
    MergePicked,
    LeadPicked,
    DeadlinePicked,
    Confirm,
}

impl Op {
    fn of(op: &str) -> Op {
        let index = |prefix: &str| {
            op.strip_prefix(prefix)
                .and_then(|i| i.parse::<usize>().ok())
        };
        if let Some(i) = index("remove:") {
            Op::Remove(i)
        } else if let Some(i) = index("merge:") {
            Op::Merge(i)
        } else if let Some(i) = index("split-units:") {
            Op::SplitUnits(i)
        } else if let Some(i) = index("split:") {
            Op::Split(i)
        } else {
            match op {
                "parse" => Op::Parse,
                "add" => Op::Add,
                "picked-remove" => Op::RemovePicked,
                "picked-merge" => Op::MergePicked,
                "picked-lead" => Op::LeadPicked,
                "picked-deadline" => Op::DeadlinePicked,
                _ => Op::Confirm,
            }
        }
    }
}

/// The units of a split: those ticked, and every active unit under the chosen parent.
fn split_units(fields: &Fields, i: usize, units: &[UnitInfo]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let known = |code: &str| units.iter().any(|u| u.unit.active && u.unit.code == code);
    for code in fields.all(&format!("split_unit_{i}")) {
        if known(&code) && !out.contains(&code) {
            out.push(code);
        }
    }
    let parent = fields.get(&format!("split_parent_{i}"));
    if !parent.is_empty() {
        for u in units {
            if u.unit.active
                && u.parent_code.as_deref() == Some(parent.as_str())
                && !out.contains(&u.unit.code)
            {
                out.push(u.unit.code.clone());
            }
        }
    }
    out
}

/// Runs one review-table action that needs no storage; returns the errors to show.
fn apply(draft: &mut MeetingDraft, op: &Op, fields: &Fields, units: &[UnitInfo]) -> Vec<Invalid> {
    let last = |d: &MeetingDraft, i: usize| i.min(d.items.len().saturating_sub(1));
    let picked = draft.picked();
    let need_picked = |errors: &mut Vec<Invalid>| {
        if picked.is_empty() {
            errors.push(Invalid::new("picked", "documents-err-none-picked"));
            false
        } else {
            true
        }
    };
    let mut errors = Vec::new();
    match op {
        Op::Remove(i) => {
            draft.remove_all(&[*i]);
            draft.focus = Some(last(draft, *i));
        }
        Op::Merge(i) => {
            draft.merge(*i);
            draft.focus = Some(*i);
        }
        Op::Split(i) => {
            draft.split(*i);
            draft.focus = Some(*i);
        }
        Op::SplitUnits(i) => {
            let chosen = split_units(fields, *i, units);
            if chosen.is_empty() {
                errors.push(Invalid::new(
                    format!("split_unit_{i}"),
                    "documents-err-no-units",
                ));
            } else {
                draft.split_by_units(*i, &chosen);
            }
            draft.focus = Some(*i);
        }
        Op::Add => {
            if draft.items.len() < MAX_ITEMS {
                draft.items.push(DraftItem::default());
            }
            draft.focus = draft.items.len().checked_sub(1);
        }
        Op::RemovePicked => {
            if need_picked(&mut errors) {
                draft.remove_all(&picked);
                draft.focus = Some(last(draft, picked[0]));
            }
        }
        Op::MergePicked => {
            if need_picked(&mut errors) {
                draft.merge_all(&picked);
                draft.focus = Some(picked[0]);
            }
        }
        Op::LeadPicked => {
            let lead = draft.bulk_lead.clone();
            if !lead.is_empty() && !units.iter().any(|u| u.unit.code == lead) {
                errors.push(Invalid::new("bulk_lead", "err-unknown-unit").arg("value", &lead));
            } else if need_picked(&mut errors) {
                draft.set_lead(&picked, &lead);
                draft.focus = Some(picked[0]);
            }
        }
        Op::DeadlinePicked => {
            let typed = draft.bulk_deadline.clone();
            match crate::domain::dates::parse_optional_date(&typed) {
                Err(_) => errors.push(Invalid::bad_date("bulk_deadline", &typed)),
                Ok(date) => {
                    if need_picked(&mut errors) {
                        let value = date.map(|d| d.to_string()).unwrap_or_default();
                        draft.set_deadline(&picked, &value);
                        draft.focus = Some(picked[0]);
                    }
                }
            }
        }
        Op::Parse | Op::Confirm => {}
    }
    if draft.items.is_empty() {
        draft.focus = None;
    }
    errors
}

/// The form field of an item's error: `deadline` of item 2 is `deadline_2`.
fn item_field(field: &str, i: usize) -> String {
    let name = match field {
        "lead_unit" => "lead",
        "coordinators" => "coord",
        "content" => "content",
        "deadline" => "deadline",
        other => other,
    };
    format!("{name}_{i}")
}

/// `tasks[2].deadline` (from storage) as the form field `deadline_2`.
fn form_field(field: &str) -> String {
    match field
        .strip_prefix("tasks[")
        .and_then(|rest| rest.split_once("]."))
    {
        Some((i, name)) => i
            .parse::<usize>()
            .map(|i| item_field(name, i))
            .unwrap_or_else(|_| field.to_string()),
        None => field.to_string(),
    }
}

/// Field errors keyed by form field, with item numbers in the messages.
fn draft_errors(lang: i18n::Lang, errors: &[Invalid]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for e in errors {
        // The message names the item; the key places it beside its field.
        let named = match e
            .field
            .rsplit_once('_')
            .and_then(|(name, i)| i.parse::<usize>().ok().map(|i| (name, i)))
        {
            Some((name, i)) => {
                let field = match name {
                    "lead" => "lead_unit",
                    "coord" => "coordinators",
                    "split_unit" => "split_units",
                    other => other,
                };
                Invalid {
                    field: format!("tasks[{i}].{field}"),
                    ..e.clone()
                }
            }
            None => e.clone(),
        };
        let text = i18n::invalid(lang, &named);
        out.entry(e.field.clone())
            .and_modify(|t: &mut String| {
                t.push(' ');
                t.push_str(&text);
            })
            .or_insert(text);
    }
    out
}

/// A unit as the review table offers it.
#[derive(Debug, Serialize)]
struct UnitChoice {
    code: String,
    name: String,
    /// Has active units under it: offered as "every unit under".
    parent: bool,
}

async fn meeting_form(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    draft: &MeetingDraft,
    errors: &[Invalid],
) -> Result<HttpResponse, PageError> {
    let units = state.run(storage::units::list).await?;
    let choices: Vec<UnitChoice> = units
        .iter()
        .filter(|u| u.unit.active)
        .map(|u| UnitChoice {
            code: u.unit.code.clone(),
            name: u.unit.name.clone(),
            parent: units
                .iter()
                .any(|c| c.unit.active && c.parent_code.as_deref() == Some(&u.unit.code)),
        })
        .collect();
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("draft", draft);
    ctx.insert(
        "units",
        &choices
            .iter()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect::<Vec<_>>(),
    );
    ctx.insert("unit_choices", &choices);
    ctx.insert("errors", &draft_errors(user.visitor.lang, errors));
    ctx.insert("max_mb", &(document::MAX_BYTES / (1024 * 1024)));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with_status(state, "meeting_new.html", &ctx, status)
}

pub async fn new_meeting(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    let draft = MeetingDraft {
        organiser_unit: user.account.unit_code.clone().unwrap_or_default(),
        ..Default::default()
    };
    meeting_form(&state, &req, &user, &draft, &[]).await
}

/// The text to propose from: the uploaded document's, else the pasted text
/// with any HTML stripped. A new document replaces the one waiting.
async fn take_text(
    state: &State,
    user: &PageUser,
    draft: &mut MeetingDraft,
    body: upload::Body,
) -> Result<Vec<Invalid>, PageError> {
    if body.file_too_big {
        return Ok(vec![ExtractError::TooBig.invalid("file", "")]);
    }
    let Some(file) = body.file else {
        draft.conclusion_text = document::pasted_text(&draft.conclusion_text);
        return Ok(Vec::new());
    };
    let name = file.name.clone();
    let bytes = file.bytes.clone();
    let text = match crate::web::conclusion::read_document(file, "file").await {
        Ok(text) => text,
        Err(e) => return Ok(vec![e]),
    };
    let files = state.config.files();
    let stored = state
        .run(move |conn| {
            // Housekeeping: the documents of drafts abandoned a day ago go.
            let now = std::time::SystemTime::now();
            storage::files::expire_pending(conn, &files, now, storage::files::PENDING_MAX_AGE)?;
            storage::files::save_pending(conn, &files, &name, &bytes)
        })
        .await?;
    draft.document = Some(PendingDocument::signed(
        &state.secret_key,
        user.account.user.id,
        stored,
    ));
    draft.conclusion_text = text;
    Ok(Vec::new())
}

/// Url-encoded (no file chosen, or an older page) or multipart (with the
/// conclusion's file); the anti-forgery token is checked before this runs.
pub async fn post_new_meeting(
    state: State,
    req: HttpRequest,
    user: PageUser,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let body = match upload::read(&req, payload, "file", super::FORM_LIMIT).await {
        Ok(body) => body,
        // Far past every limit (the text fields' 8 MB, a file's 10 MB): cut off, said plainly.
        Err(upload::BodyError::TooLarge) => {
            let draft = MeetingDraft::default();
            let error = ExtractError::TooBig.invalid("file", "");
            return meeting_form(&state, &req, &user, &draft, &[error]).await;
        }
        Err(upload::BodyError::Malformed(e)) => {
            let draft = MeetingDraft::default();
            let error = Invalid::new("file", "documents-err-body").arg("value", e);
            return meeting_form(&state, &req, &user, &draft, &[error]).await;
        }
    };
    let mut draft = MeetingDraft::read(&body.pairs);
    let op = Op::of(&body.value("op"));
    let today = state.config.today();
    let units = state.run(storage::units::list).await?;
    let errors: Vec<Invalid> = match &op {
        Op::Parse => {
            let mut errors = take_text(&state, &user, &mut draft, body).await?;
            if errors.is_empty() {
                // The office's own days off and make-up days count in working-day deadlines.
                let calendar = state.run(storage::holidays::calendar).await?;
                errors = draft.propose(&units, &calendar).err().unwrap_or_default();
            }
            errors
        }
        Op::Confirm => match draft.to_inputs(today) {
            Err(errors) => errors,
            Ok((meeting, tasks)) => {
                let by = user.account.user.id;
                let n = tasks.len();
                let waiting = draft
                    .document
                    .as_ref()
                    .and_then(|d| d.verified(&state.secret_key, by));
                // The document leaves the waiting folder (where drafts'
                // uploads expire) for the year's, and goes back if the
                // meeting is not saved.
                let files = state.config.files();
                let to_adopt = waiting.clone();
                let document = state
                    .run(move |conn| {
                        to_adopt
                            .map(|w| storage::files::adopt(conn, &files, &w, today))
                            .transpose()
                    })
                    .await?;
                let adopted = document.clone();
                let result = state
                    .run(move |conn| {
                        storage::meetings::create_with_tasks(
                            conn,
                            &meeting,
                            &tasks,
                            None,
                            Some(by),
                            document.as_ref(),
                        )
                    })
                    .await;
                if let (Err(_), Some(adopted), Some(waiting)) = (&result, adopted, waiting) {
                    let files = state.config.files();
                    let _ = state
                        .run(move |conn| {
                            storage::files::unadopt(conn, &files, &adopted, &waiting);
                            Ok(())
                        })
                        .await;
                }
                match result {
                    Ok(id) => {
                        session::flash(
                            &user.visitor.session,
                            "ok",
                            i18n::text_with(
                                user.visitor.lang,
                                "meeting-created",
                                &[("n", n.to_string())],
                            ),
                        );
                        return Ok(redirect(&format!("/meetings/{id}")));
                    }
                    Err(e) => vec![super::frame::fixable(e)?]
                        .into_iter()
                        .map(|mut i| {
                            i.field = form_field(&i.field);
                            i
                        })
                        .collect(),
                }
            }
        },
        other => apply(&mut draft, other, &Fields::new(&body.pairs), &units),
    };
    meeting_form(&state, &req, &user, &draft, &errors).await
}

/// A meeting's document, to every signed-in user (like the meeting page).
pub async fn download_document(
    state: State,
    _user: PageUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, PageError> {
    let (meeting_id, doc_id) = path.into_inner();
    let doc = state
        .run(move |conn| storage::meetings::document(conn, doc_id))
        .await?;
    if doc.meeting_id != meeting_id {
        return Err(PageError::NotFound);
    }
    let opened = crate::web::files::open(&state, doc.path.clone()).await?;
    let kind = document::Kind::of_name(&doc.name)
        .map(document::Kind::content_type)
        .unwrap_or("application/octet-stream");
    Ok(crate::web::files::download(&state, opened, &doc.name, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(content: &str, lead: &str, coordinators: &str, deadline: &str) -> DraftItem {
        DraftItem {
            content: content.into(),
            lead: lead.into(),
            coordinators: coordinators.into(),
            deadline: deadline.into(),
            ..Default::default()
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn unit(id: i64, code: &str, parent: Option<&str>) -> UnitInfo {
        let at = chrono::NaiveDateTime::default();
        UnitInfo {
            unit: crate::storage::models::Unit {
                id,
                code: code.into(),
                name: format!("Đơn vị {code}"),
                parent_id: None,
                email: None,
                head_email: None,
                active: true,
                created_at: at,
                updated_at: at,
            },
            parent_code: parent.map(str::to_string),
            aliases: Vec::new(),
        }
    }

    fn units() -> Vec<UnitInfo> {
        vec![
            unit(1, "BTGTU", None),
            unit(2, "BTGHU1", Some("BTGTU")),
            unit(3, "BTGHU2", Some("BTGTU")),
            unit(4, "VPTU", None),
        ]
    }

    fn draft(items: Vec<DraftItem>) -> MeetingDraft {
        MeetingDraft {
            items,
            ..Default::default()
        }
    }

    fn contents(d: &MeetingDraft) -> Vec<&str> {
        d.items.iter().map(|i| i.content.as_str()).collect()
    }

    #[test]
    fn merging_joins_texts_and_coordinators() {
        let mut d = draft(vec![
            item("Tổ chức hội nghị;", "BTGTU", "VPTU", ""),
            item("quán triệt nghị quyết", "BTGTU", "TUPL, VPTU", "2022-12-31"),
        ]);
        d.merge(0);
        assert_eq!(contents(&d), ["Tổ chức hội nghị; quán triệt nghị quyết"]);
        assert_eq!(d.items[0].coordinators, "VPTU, TUPL");
        assert_eq!(d.items[0].deadline, "2022-12-31");
        d.merge(0);
        assert_eq!(d.items.len(), 1, "the last item has nothing to merge with");
    }

    #[test]
    fn splitting_makes_one_item_per_line() {
        let mut d = draft(vec![
            item(
                "Việc một\n\n Việc hai \nViệc ba",
                "BTGTU",
                "VPTU",
                "2022-12-31",
            ),
            item("Khác", "BTGTU", "", ""),
        ]);
        d.split(0);
        assert_eq!(contents(&d), ["Việc một", "Việc hai", "Việc ba", "Khác"]);
        assert!(d.items[..3]
            .iter()
            .all(|i| i.coordinators == "VPTU" && i.deadline == "2022-12-31"));
        d.split(9);
        assert_eq!(d.items.len(), 4);
    }

    #[test]
    fn a_lead_never_coordinates_its_own_item() {
        let form = pairs(&[
            ("items", "1"),
            ("content_0", "Rà soát"),
            ("lead_0", "VPTU"),
            ("coord_0", "VPTU, BTGTU, BTGTU"),
            ("flags_0", "no_lead bogus"),
        ]);
        let d = MeetingDraft::read(&form);
        assert_eq!(d.items[0].coordinators, "BTGTU");
        assert!(
            d.items[0].flags.is_empty(),
            "a lead was chosen, unknown flags dropped"
        );
    }

    #[test]
    fn a_draft_is_read_back_from_its_form() {
        let form = pairs(&[
            ("title", "Họp"),
            ("items", "2"),
            ("content_0", "A"),
            ("pick_0", "1"),
            ("lead_1", "VPTU"),
            ("flags_1", "group_addressee"),
            ("addressee_1", "các sở, ngành"),
            ("content_5", "ignored"),
            ("contexts", "1"),
            ("context_0", "Chủ tịch kết luận như sau:"),
            ("doc_path", "2022/x.pdf"),
            ("doc_name", "tb.pdf"),
            ("doc_size", "12"),
            ("doc_sig", "00"),
        ]);
        let d = MeetingDraft::read(&form);
        assert_eq!(d.items.len(), 2);
        assert_eq!(
            (d.items[0].content.as_str(), d.items[1].lead.as_str()),
            ("A", "VPTU")
        );
        assert!(d.items[0].picked && !d.items[1].picked);
        assert_eq!(d.items[1].flags, ["group_addressee"]);
        assert_eq!(d.items[1].addressee, "các sở, ngành");
        assert_eq!(d.context, ["Chủ tịch kết luận như sau:"]);
        assert_eq!(d.document.as_ref().map(|x| x.size), Some(12));
        let huge = pairs(&[("items", "99999999"), ("contexts", "99999999")]);
        assert_eq!(MeetingDraft::read(&huge).items.len(), MAX_ITEMS);
    }

    #[test]
    fn ops_are_read_from_the_button() {
        assert_eq!(Op::of("remove:3"), Op::Remove(3));
        assert_eq!(Op::of("split:2"), Op::Split(2));
        assert_eq!(Op::of("split-units:2"), Op::SplitUnits(2));
        assert_eq!(Op::of("merge:0"), Op::Merge(0));
        assert_eq!(Op::of("picked-merge"), Op::MergePicked);
        assert_eq!(Op::of("picked-lead"), Op::LeadPicked);
        assert_eq!(Op::of("parse"), Op::Parse);
        assert_eq!(Op::of("remove:x"), Op::Confirm);
        assert_eq!(Op::of(""), Op::Confirm);
    }

    #[test]
    fn picked_items_are_removed_merged_and_given_a_lead_or_deadline() {
        let base = || {
            let mut d = draft(vec![
                item("Một", "", "", ""),
                item("Hai", "BTGTU", "VPTU", ""),
                item("Ba", "", "BTGTU", "2022-09-30"),
                item("Bốn", "VPTU", "", ""),
            ]);
            d.items[1].picked = true;
            d.items[2].picked = true;
            d
        };
        let none = pairs(&[]);
        let f = Fields::new(&none);
        let mut d = base();
        assert!(apply(&mut d, &Op::RemovePicked, &f, &units()).is_empty());
        assert_eq!(contents(&d), ["Một", "Bốn"]);
        assert_eq!(d.focus, Some(1));

        let mut d = base();
        apply(&mut d, &Op::MergePicked, &f, &units());
        assert_eq!(contents(&d), ["Một", "Hai; Ba", "Bốn"]);
        assert_eq!(
            d.items[1].coordinators, "VPTU",
            "the lead dropped from the coordinators"
        );
        assert_eq!(d.items[1].deadline, "2022-09-30");
        assert_eq!(d.focus, Some(1));

        let mut d = base();
        d.bulk_lead = "BTGTU".into();
        apply(&mut d, &Op::LeadPicked, &f, &units());
        assert_eq!(d.items[1].lead, "BTGTU");
        assert_eq!(
            (d.items[2].lead.as_str(), d.items[2].coordinators.as_str()),
            ("BTGTU", "")
        );
        assert_eq!(d.items[0].lead, "", "an item not picked keeps its lead");
        assert!(d.items.iter().all(|i| !i.picked), "done items are unticked");

        let mut d = base();
        d.bulk_lead = "NOPE".into();
        let errors = apply(&mut d, &Op::LeadPicked, &f, &units());
        assert_eq!(errors[0].field, "bulk_lead");

        let mut d = base();
        d.bulk_deadline = "31/12/2022".into();
        apply(&mut d, &Op::DeadlinePicked, &f, &units());
        assert_eq!(d.items[1].deadline, "2022-12-31");
        assert_eq!(d.items[2].deadline, "2022-12-31");
        assert_eq!(d.items[3].deadline, "");
        let mut d = base();
        d.bulk_deadline = "31/02/2022".into();
        assert_eq!(
            apply(&mut d, &Op::DeadlinePicked, &f, &units())[0].field,
            "bulk_deadline"
        );

        let mut d = draft(vec![item("Một", "", "", "")]);
        let errors = apply(&mut d, &Op::MergePicked, &f, &units());
        assert_eq!(errors[0].key, "documents-err-none-picked");
        assert_eq!(contents(&d), ["Một"]);
    }

    #[test]
    fn an_item_for_a_group_is_split_into_one_task_per_unit() {
        let mut d = draft(vec![
            item("Trước", "VPTU", "", ""),
            item(
                "Tổ chức quán triệt nghị quyết",
                "",
                "VPTU, BTGHU1",
                "2022-12-31",
            ),
        ]);
        d.items[1].flags = vec!["no_lead".into(), "group_addressee".into()];
        let form = pairs(&[
            ("split_unit_1", "VPTU"),
            ("split_unit_1", "NOPE"),
            ("split_parent_1", "BTGTU"),
        ]);
        let errors = apply(&mut d, &Op::SplitUnits(1), &Fields::new(&form), &units());
        assert!(errors.is_empty());
        let leads: Vec<&str> = d.items.iter().map(|i| i.lead.as_str()).collect();
        assert_eq!(leads, ["VPTU", "VPTU", "BTGHU1", "BTGHU2"]);
        assert!(d.items[1..]
            .iter()
            .all(|i| i.content == "Tổ chức quán triệt nghị quyết"
                && i.deadline == "2022-12-31"
                && i.flags.is_empty()));
        assert_eq!(d.items[1].coordinators, "BTGHU1");
        assert_eq!(
            d.items[2].coordinators, "VPTU",
            "a unit never coordinates its own copy"
        );
        assert_eq!(d.focus, Some(1));
        let none = pairs(&[]);
        let errors = apply(&mut d, &Op::SplitUnits(0), &Fields::new(&none), &units());
        assert_eq!(errors[0].field, "split_unit_0");
        assert_eq!(d.items.len(), 4);
    }

    #[test]
    fn each_action_returns_to_its_item() {
        let none = pairs(&[]);
        let f = Fields::new(&none);
        let three = || {
            draft(vec![
                item("A", "", "", ""),
                item("B", "", "", ""),
                item("C\nD", "", "", ""),
            ])
        };
        let mut d = three();
        apply(&mut d, &Op::Remove(2), &f, &units());
        assert_eq!(
            d.focus,
            Some(1),
            "after removing the last, the one before it"
        );
        let mut d = three();
        apply(&mut d, &Op::Split(2), &f, &units());
        assert_eq!(d.focus, Some(2));
        let mut d = three();
        apply(&mut d, &Op::Add, &f, &units());
        assert_eq!(d.focus, Some(3));
        let mut d = draft(vec![item("A", "", "", "")]);
        apply(&mut d, &Op::Remove(0), &f, &units());
        assert_eq!(d.focus, None);
    }

    #[test]
    fn items_without_a_lead_are_confirmed_as_waiting_for_one() {
        let mut d = draft(vec![
            item("Các sở, ngành rà soát thủ tục", "", "", "2022-12-31"),
            item("Sở Y tế tập huấn", "VPTU", "", ""),
        ]);
        d.title = "Họp".into();
        d.held_on = "2022-07-07".into();
        let today = chrono::NaiveDate::from_ymd_opt(2022, 8, 1).expect("date");
        let (_, tasks) = d.to_inputs(today).expect("valid");
        assert_eq!(tasks[0].lead_unit, None);
        assert_eq!(tasks[1].lead_unit.as_deref(), Some("VPTU"));
    }

    #[test]
    fn a_pending_document_is_bound_to_its_uploader() {
        let file = StoredFile {
            name: "Thông báo.pdf".into(),
            path: "2022/abc.pdf".into(),
            size: 1234,
        };
        let doc = PendingDocument::signed("secret", 7, file.clone());
        assert_eq!(doc.verified("secret", 7), Some(file));
        assert_eq!(doc.verified("secret", 8), None, "another user's upload");
        assert_eq!(doc.verified("other", 7), None);
        let moved = PendingDocument {
            path: "2022/other-report.pdf".into(),
            ..doc.clone()
        };
        assert_eq!(moved.verified("secret", 7), None, "no naming another file");
    }

    #[test]
    fn every_message_key_of_documents_exists() {
        let sources = [
            include_str!("meeting_new.rs"),
            include_str!("../api/conclusions.rs"),
            include_str!("../../domain/document.rs"),
            include_str!("../../../templates/meeting_new.html"),
            include_str!("../../../templates/meeting.html"),
            include_str!("../../../templates/macros.html"),
            include_str!("../../../templates/task_form.html"),
        ];
        let mut seen = 0;
        for src in sources {
            for part in src.split('"').skip(1).step_by(2) {
                let key = part.trim_end_matches(" ~ f");
                if key.starts_with("documents-") && !key.contains(' ') && !key.ends_with('-') {
                    seen += 1;
                    for lang in i18n::Lang::ALL {
                        assert!(i18n::has_key(lang, key), "{key} missing in {}", lang.code());
                    }
                }
            }
        }
        assert!(seen > 20, "{seen} keys checked");
        for flag in ["no_lead", "group_addressee"] {
            assert!(i18n::has_key(
                i18n::Lang::En,
                &format!("documents-flag-{flag}")
            ));
        }
    }

    #[test]
    fn field_names_of_items() {
        assert_eq!(form_field("tasks[2].deadline"), "deadline_2");
        assert_eq!(form_field("tasks[0].lead_unit"), "lead_0");
        assert_eq!(form_field("title"), "title");
        assert_eq!(codes_list(" VPTU, TUPL;HUKB  x "), "VPTU|TUPL|HUKB|x");
    }
}
