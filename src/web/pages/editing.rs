//! Officials' forms: a meeting from its concluding text (proposed, edited,
//! confirmed), meeting details, and tasks (add, change, cancel, confirm done).
//! A form that fails keeps everything typed and names each field at fault.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use std::collections::HashMap;

use super::{field_errors, frame, redirect, render_with_status};
use crate::domain::dates::parse_date;
use crate::domain::meeting::{check_text, MeetingInput, RawMeeting};
use crate::domain::task::{check_reason, RawTask, TaskChange, TaskInput};
use crate::domain::Invalid;
use crate::i18n;
use crate::storage::{self, StorageError};
use crate::web::error::PageError;
use crate::web::session::{self, PageUser};
use crate::web::State;

/// A form's fields as sent, in order.
type Pairs = web::Form<Vec<(String, String)>>;

fn to_map(pairs: Vec<(String, String)>) -> HashMap<String, String> {
    pairs.into_iter().collect()
}

fn value(map: &HashMap<String, String>, key: &str) -> String {
    map.get(key).cloned().unwrap_or_default()
}

/// Codes typed as "VPTU, TUPL" or "VPTU TUPL" in the `|` list form of the CSV rules.
fn codes_list(typed: &str) -> String {
    typed
        .split(|c: char| c == ',' || c == ';' || c == '|' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join("|")
}

async fn unit_options(state: &State) -> Result<Vec<(String, String)>, PageError> {
    let units = state.clone().into_inner().run(storage::units::list).await?;
    Ok(units
        .into_iter()
        .filter(|u| u.unit.active)
        .map(|u| (u.unit.code, u.unit.name))
        .collect())
}

// ---------------------------------------------------------------- meetings

#[derive(Debug, Clone, Default, Serialize)]
struct DraftItem {
    content: String,
    lead: String,
    coordinators: String,
    deadline: String,
    phrase: String,
}

#[derive(Debug, Clone, Default, Serialize)]
struct MeetingDraft {
    title: String,
    held_on: String,
    chair: String,
    organiser_unit: String,
    document_ref: String,
    conclusion_text: String,
    items: Vec<DraftItem>,
}

/// The most items a draft holds: far beyond a real conclusion, and it bounds the form.
const MAX_ITEMS: usize = 300;

impl MeetingDraft {
    fn read(map: &HashMap<String, String>) -> MeetingDraft {
        let count = map
            .get("items")
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0)
            .min(MAX_ITEMS);
        MeetingDraft {
            title: value(map, "title"),
            held_on: value(map, "held_on"),
            chair: value(map, "chair"),
            organiser_unit: value(map, "organiser_unit"),
            document_ref: value(map, "document_ref"),
            conclusion_text: value(map, "conclusion_text"),
            items: (0..count)
                .map(|i| DraftItem {
                    content: value(map, &format!("content_{i}")),
                    lead: value(map, &format!("lead_{i}")),
                    coordinators: value(map, &format!("coord_{i}")),
                    deadline: value(map, &format!("deadline_{i}")),
                    phrase: value(map, &format!("phrase_{i}")),
                })
                .collect(),
        }
    }

    fn raw(&self) -> RawMeeting<'_> {
        RawMeeting {
            title: &self.title,
            held_on: &self.held_on,
            chair: &self.chair,
            organiser_unit: &self.organiser_unit,
            document_ref: &self.document_ref,
            conclusion_text: &self.conclusion_text,
        }
    }

    /// Joins item `i` with the next one.
    fn merge(&mut self, i: usize) {
        if i + 1 >= self.items.len() {
            return;
        }
        let next = self.items.remove(i + 1);
        let item = &mut self.items[i];
        item.content = format!(
            "{}; {}",
            item.content.trim_end_matches([';', '.', ' ']),
            next.content.trim()
        );
        let mut codes: Vec<String> = codes_list(&item.coordinators)
            .split('|')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        for c in codes_list(&next.coordinators)
            .split('|')
            .filter(|c| !c.is_empty())
        {
            if !codes.iter().any(|x| x == c) && c != item.lead {
                codes.push(c.to_string());
            }
        }
        item.coordinators = codes.join(", ");
        if item.deadline.is_empty() {
            item.deadline = next.deadline;
            item.phrase = next.phrase;
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

    /// Replaces the items with the parser's proposal.
    fn propose(
        &mut self,
        units: &[storage::units::UnitInfo],
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
        let Ok(held_on) = held_on else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let proposal =
            crate::web::api::conclusions::propose(units, &self.conclusion_text, held_on, calendar);
        let fallback = self.organiser_unit.trim().to_string();
        self.items = proposal
            .items
            .into_iter()
            .map(|p| DraftItem {
                content: p.text,
                lead: p.lead_unit.unwrap_or_else(|| fallback.clone()),
                coordinators: p.coordinators.join(", "),
                deadline: p.deadline.map(|d| d.to_string()).unwrap_or_default(),
                phrase: p.deadline_phrase.unwrap_or_default(),
            })
            .collect();
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
            match TaskInput::parse(&raw, false, today) {
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

async fn meeting_form(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    draft: &MeetingDraft,
    errors: &[Invalid],
) -> Result<HttpResponse, PageError> {
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("draft", draft);
    ctx.insert("units", &unit_options(state).await?);
    ctx.insert("errors", &draft_errors(user.visitor.lang, errors));
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

pub async fn post_new_meeting(
    state: State,
    req: HttpRequest,
    user: PageUser,
    form: Pairs,
) -> Result<HttpResponse, PageError> {
    let map = to_map(form.into_inner());
    let mut draft = MeetingDraft::read(&map);
    let op = value(&map, "op");
    let index = |prefix: &str| {
        op.strip_prefix(prefix)
            .and_then(|i| i.parse::<usize>().ok())
    };
    let today = state.config.today();
    let errors: Vec<Invalid> = if op == "parse" {
        let (units, calendar) = state
            .clone()
            .into_inner()
            .run(|conn| {
                Ok((
                    storage::units::list(conn)?,
                    storage::holidays::calendar(conn)?,
                ))
            })
            .await?;
        draft.propose(&units, &calendar).err().unwrap_or_default()
    } else if let Some(i) = index("remove:") {
        if i < draft.items.len() {
            draft.items.remove(i);
        }
        Vec::new()
    } else if let Some(i) = index("merge:") {
        draft.merge(i);
        Vec::new()
    } else if let Some(i) = index("split:") {
        draft.split(i);
        Vec::new()
    } else if op == "add" {
        if draft.items.len() < MAX_ITEMS {
            draft.items.push(DraftItem {
                lead: draft.organiser_unit.clone(),
                ..Default::default()
            });
        }
        Vec::new()
    } else {
        match draft.to_inputs(today) {
            Err(errors) => errors,
            Ok((meeting, tasks)) => {
                let by = user.account.user.id;
                let n = tasks.len();
                let result = state
                    .clone()
                    .into_inner()
                    .run(move |conn| {
                        storage::meetings::create_with_tasks(conn, &meeting, &tasks, None, Some(by))
                    })
                    .await;
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
                    Err(e) => vec![super::fixable(e)?]
                        .into_iter()
                        .map(|mut i| {
                            i.field = form_field(&i.field);
                            i
                        })
                        .collect(),
                }
            }
        }
    };
    meeting_form(&state, &req, &user, &draft, &errors).await
}

async fn meeting_edit_form(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    id: i64,
    draft: &MeetingDraft,
    errors: &[Invalid],
) -> Result<HttpResponse, PageError> {
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("id", &id);
    ctx.insert("draft", draft);
    ctx.insert("units", &unit_options(state).await?);
    ctx.insert("errors", &field_errors(user.visitor.lang, errors));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with_status(state, "meeting_edit.html", &ctx, status)
}

pub async fn edit_meeting(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let m = state
        .clone()
        .into_inner()
        .run(move |conn| storage::meetings::get(conn, id))
        .await?;
    let draft = MeetingDraft {
        title: m.meeting.title,
        held_on: m.meeting.held_on.to_string(),
        chair: m.meeting.chair,
        organiser_unit: m.organiser_unit.unwrap_or_default(),
        document_ref: m.meeting.document_ref,
        conclusion_text: m.meeting.conclusion_text,
        items: Vec::new(),
    };
    meeting_edit_form(&state, &req, &user, id, &draft, &[]).await
}

pub async fn post_edit_meeting(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
    form: Pairs,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let draft = MeetingDraft::read(&to_map(form.into_inner()));
    let errors = match MeetingInput::parse(&draft.raw()) {
        Err(errors) => errors,
        Ok(input) => {
            let by = user.account.user.id;
            match state
                .clone()
                .into_inner()
                .run(move |conn| storage::meetings::update(conn, id, &input, Some(by)))
                .await
            {
                Ok(()) => {
                    session::flash(
                        &user.visitor.session,
                        "ok",
                        i18n::text(user.visitor.lang, "admin-saved"),
                    );
                    return Ok(redirect(&format!("/meetings/{id}")));
                }
                Err(e) => vec![super::fixable(e)?],
            }
        }
    };
    meeting_edit_form(&state, &req, &user, id, &draft, &errors).await
}

// ---------------------------------------------------------------- tasks

#[derive(Debug, Clone, Default, Serialize)]
struct TaskDraft {
    content: String,
    lead_unit: String,
    coordinators: String,
    assigned_on: String,
    deadline: String,
    expected_output: String,
    version: String,
}

impl TaskDraft {
    fn read(map: &HashMap<String, String>) -> TaskDraft {
        TaskDraft {
            content: value(map, "content"),
            lead_unit: value(map, "lead_unit"),
            coordinators: value(map, "coordinators"),
            assigned_on: value(map, "assigned_on"),
            deadline: value(map, "deadline"),
            expected_output: value(map, "expected_output"),
            version: value(map, "version"),
        }
    }

    fn of(r: &storage::tasks::TaskRecord) -> TaskDraft {
        TaskDraft {
            content: r.task.content.clone(),
            lead_unit: r.lead_unit.clone(),
            coordinators: r.coordinators.join(", "),
            assigned_on: r.task.assigned_on.to_string(),
            deadline: r.task.deadline.map(|d| d.to_string()).unwrap_or_default(),
            expected_output: r.task.expected_output.clone(),
            version: r.task.version.to_string(),
        }
    }

    fn input(&self, today: chrono::NaiveDate) -> Result<TaskInput, Vec<Invalid>> {
        let coordinators = codes_list(&self.coordinators);
        TaskInput::parse(
            &RawTask {
                content: &self.content,
                lead_unit: &self.lead_unit,
                coordinators: &coordinators,
                assigned_on: &self.assigned_on,
                deadline: &self.deadline,
                expected_output: &self.expected_output,
                ..Default::default()
            },
            false,
            today,
        )
    }
}

async fn task_form(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    task_id: Option<i64>,
    draft: &TaskDraft,
    errors: &[Invalid],
    conflict: Option<TaskDraft>,
) -> Result<HttpResponse, PageError> {
    let mut ctx = frame(&user.visitor, req);
    ctx.insert("task_id", &task_id);
    ctx.insert("draft", draft);
    ctx.insert("units", &unit_options(state).await?);
    ctx.insert("errors", &field_errors(user.visitor.lang, errors));
    ctx.insert("conflict", &conflict);
    let status = match (&conflict, errors.is_empty()) {
        (Some(_), _) => StatusCode::CONFLICT,
        (None, false) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, true) => StatusCode::OK,
    };
    render_with_status(state, "task_form.html", &ctx, status)
}

pub async fn new_task(
    state: State,
    req: HttpRequest,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    let draft = TaskDraft {
        assigned_on: state.config.today().to_string(),
        ..Default::default()
    };
    task_form(&state, &req, &user, None, &draft, &[], None).await
}

pub async fn post_new_task(
    state: State,
    req: HttpRequest,
    user: PageUser,
    form: Pairs,
) -> Result<HttpResponse, PageError> {
    let draft = TaskDraft::read(&to_map(form.into_inner()));
    let today = state.config.today();
    let errors = match draft.input(today) {
        Err(errors) => errors,
        Ok(input) => {
            let by = user.account.user.id;
            match state
                .clone()
                .into_inner()
                .run(move |conn| storage::tasks::create(conn, &input, None, Some(by)))
                .await
            {
                Ok(record) => {
                    session::flash(
                        &user.visitor.session,
                        "ok",
                        i18n::text_with(
                            user.visitor.lang,
                            "task-created",
                            &[("reference", record.task.reference.clone())],
                        ),
                    );
                    return Ok(redirect(&format!("/tasks/{}", record.task.id)));
                }
                Err(e) => vec![super::fixable(e)?],
            }
        }
    };
    task_form(&state, &req, &user, None, &draft, &errors, None).await
}

pub async fn edit_task(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let record = state
        .clone()
        .into_inner()
        .run(move |conn| storage::tasks::get(conn, id))
        .await?;
    if record.task.cancelled_on.is_some() {
        return Ok(redirect(&format!("/tasks/{id}")));
    }
    task_form(
        &state,
        &req,
        &user,
        Some(id),
        &TaskDraft::of(&record),
        &[],
        None,
    )
    .await
}

pub async fn post_edit_task(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
    form: Pairs,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let mut draft = TaskDraft::read(&to_map(form.into_inner()));
    let today = state.config.today();
    let Ok(version) = draft.version.trim().parse::<i32>() else {
        return task_form(
            &state,
            &req,
            &user,
            Some(id),
            &draft,
            &[Invalid::required("version")],
            None,
        )
        .await;
    };
    let input = match draft.input(today) {
        Ok(i) => i,
        Err(errors) => {
            return task_form(&state, &req, &user, Some(id), &draft, &errors, None).await
        }
    };
    let change = TaskChange {
        content: Some(input.content),
        lead_unit: Some(input.lead_unit),
        coordinators: Some(input.coordinators),
        assigned_on: Some(input.assigned_on),
        deadline: Some(input.deadline),
        expected_output: Some(input.expected_output),
    };
    let by = user.account.user.id;
    let result = state
        .clone()
        .into_inner()
        .run(move |conn| {
            match storage::tasks::update(conn, id, version, &change, today, Some(by)) {
                Err(StorageError::StaleVersion { .. }) => Ok(Err(storage::tasks::get(conn, id)?)),
                other => other.map(Ok),
            }
        })
        .await;
    match result {
        Ok(Ok(_)) => {
            session::flash(
                &user.visitor.session,
                "ok",
                i18n::text(user.visitor.lang, "admin-saved"),
            );
            Ok(redirect(&format!("/tasks/{id}")))
        }
        // Someone saved first: show both versions; what was typed stays in the form,
        // now against the current version so that sending it again overwrites knowingly.
        Ok(Err(current)) => {
            let theirs = TaskDraft::of(&current);
            draft.version = theirs.version.clone();
            task_form(&state, &req, &user, Some(id), &draft, &[], Some(theirs)).await
        }
        Err(e) => {
            let errors = vec![super::fixable(e)?];
            task_form(&state, &req, &user, Some(id), &draft, &errors, None).await
        }
    }
}

/// The task page again with an action's error and what was typed.
async fn task_page_with_error(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    id: i64,
    error: Invalid,
    typed: (&str, &str),
) -> Result<HttpResponse, PageError> {
    task_page_with_errors(state, req, user, id, &[error], &[typed]).await
}

/// The end of an action on a task: back to the task with a message, or the
/// task page again with the user's error and what was typed.
pub(super) async fn after_task_action<T>(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    task_id: i64,
    result: Result<T, crate::web::ApiError>,
    done_key: &str,
    typed: &[(&str, &str)],
) -> Result<HttpResponse, PageError> {
    match result {
        Ok(_) => {
            session::flash(
                &user.visitor.session,
                "ok",
                i18n::text(user.visitor.lang, done_key),
            );
            Ok(redirect(&format!("/tasks/{task_id}")))
        }
        Err(e) => {
            task_page_with_errors(state, req, user, task_id, &[super::fixable(e)?], typed).await
        }
    }
}

/// The task page again with a form's errors and everything typed in it.
pub(super) async fn task_page_with_errors(
    state: &State,
    req: &HttpRequest,
    user: &PageUser,
    id: i64,
    errors: &[Invalid],
    typed: &[(&str, &str)],
) -> Result<HttpResponse, PageError> {
    let mut ctx = super::browse::task_context(state, req, user, id).await?;
    ctx.insert("errors", &field_errors(user.visitor.lang, errors));
    let typed: HashMap<String, String> = typed
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ctx.insert("typed", &typed);
    render_with_status(state, "task.html", &ctx, StatusCode::UNPROCESSABLE_ENTITY)
}

pub async fn cancel_task(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
    form: Pairs,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let map = to_map(form.into_inner());
    let typed = value(&map, "reason");
    let version = value(&map, "version").parse::<i32>().ok();
    let reason = match check_reason("reason", &typed) {
        Ok(r) => r,
        Err(e) => {
            return task_page_with_error(&state, &req, &user, id, e, ("reason", &typed)).await
        }
    };
    let (today, by) = (state.config.today(), user.account.user.id);
    let result = state
        .clone()
        .into_inner()
        .run(move |conn| storage::tasks::cancel(conn, id, version, &reason, today, Some(by)))
        .await;
    after_task_action(
        &state,
        &req,
        &user,
        id,
        result,
        "task-cancelled",
        &[("reason", &typed)],
    )
    .await
}

pub async fn complete_task(
    state: State,
    req: HttpRequest,
    user: PageUser,
    id: web::Path<i64>,
    form: Pairs,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let map = to_map(form.into_inner());
    let typed = value(&map, "completed_on");
    let version = value(&map, "version").parse::<i32>().ok();
    let today = state.config.today();
    let on = if typed.trim().is_empty() {
        today
    } else {
        match parse_date(&typed) {
            Ok(d) => d,
            Err(_) => {
                return task_page_with_error(
                    &state,
                    &req,
                    &user,
                    id,
                    Invalid::bad_date("completed_on", &typed),
                    ("completed_on", &typed),
                )
                .await
            }
        }
    };
    let by = user.account.user.id;
    let result = state
        .clone()
        .into_inner()
        .run(move |conn| storage::tasks::complete(conn, id, version, on, today, Some(by)))
        .await;
    after_task_action(
        &state,
        &req,
        &user,
        id,
        result,
        "task-completed",
        &[("completed_on", &typed)],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(content: &str, coordinators: &str, deadline: &str) -> DraftItem {
        DraftItem {
            content: content.into(),
            lead: "BTGTU".into(),
            coordinators: coordinators.into(),
            deadline: deadline.into(),
            phrase: String::new(),
        }
    }

    #[test]
    fn merging_joins_texts_and_coordinators() {
        let mut d = MeetingDraft {
            items: vec![
                item("Tổ chức hội nghị;", "VPTU", ""),
                item("quán triệt nghị quyết", "TUPL, VPTU", "2022-12-31"),
            ],
            ..Default::default()
        };
        d.merge(0);
        assert_eq!(d.items.len(), 1);
        assert_eq!(
            d.items[0].content,
            "Tổ chức hội nghị; quán triệt nghị quyết"
        );
        assert_eq!(d.items[0].coordinators, "VPTU, TUPL");
        assert_eq!(d.items[0].deadline, "2022-12-31");
        d.merge(0);
        assert_eq!(d.items.len(), 1, "the last item has nothing to merge with");
    }

    #[test]
    fn splitting_makes_one_item_per_line() {
        let mut d = MeetingDraft {
            items: vec![
                item("Việc một\n\n Việc hai \nViệc ba", "VPTU", "2022-12-31"),
                item("Khác", "", ""),
            ],
            ..Default::default()
        };
        d.split(0);
        let contents: Vec<&str> = d.items.iter().map(|i| i.content.as_str()).collect();
        assert_eq!(contents, ["Việc một", "Việc hai", "Việc ba", "Khác"]);
        assert!(d.items[..3]
            .iter()
            .all(|i| i.coordinators == "VPTU" && i.deadline == "2022-12-31"));
        d.split(9);
        assert_eq!(d.items.len(), 4);
    }

    #[test]
    fn field_names_of_items() {
        assert_eq!(form_field("tasks[2].deadline"), "deadline_2");
        assert_eq!(form_field("tasks[0].lead_unit"), "lead_0");
        assert_eq!(form_field("title"), "title");
        assert_eq!(codes_list(" VPTU, TUPL;HUKB  x "), "VPTU|TUPL|HUKB|x");
    }

    #[test]
    fn a_draft_is_read_back_from_its_form() {
        let map: HashMap<String, String> = [
            ("title", "Họp"),
            ("items", "2"),
            ("content_0", "A"),
            ("lead_1", "VPTU"),
            ("content_5", "ignored"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let d = MeetingDraft::read(&map);
        assert_eq!(d.items.len(), 2);
        assert_eq!(
            (d.items[0].content.as_str(), d.items[1].lead.as_str()),
            ("A", "VPTU")
        );
        let huge: HashMap<String, String> = [("items".to_string(), "99999999".to_string())]
            .into_iter()
            .collect();
        assert_eq!(MeetingDraft::read(&huge).items.len(), MAX_ITEMS);
    }
}
