//! Bulk upsert of tasks by reference, for CSV imports: one transaction, and a
//! row that is already as given is left alone (re-importing changes nothing).

use diesel::prelude::*;
use std::collections::HashMap;

use super::audit::{AuditLog, Entry};
use super::schema::{task_coordinators, tasks};
use super::tasks::{insert_tasks, set_coordinators, NewTask};
use super::{now, write_tx, Conn, Result, StorageError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// What an import may change of an existing task.
#[derive(Debug, Clone, PartialEq, Queryable)]
struct Current {
    id: i64,
    reference: String,
    content: String,
    lead_unit_id: Option<i64>,
    assigned_on: chrono::NaiveDate,
    deadline: Option<chrono::NaiveDate>,
    original_deadline: Option<chrono::NaiveDate>,
    completed_on: Option<chrono::NaiveDate>,
    cancelled_on: Option<chrono::NaiveDate>,
}

const CHUNK: usize = 1000;

/// `progress` is called with the number of rows done so far.
pub fn upsert_tasks(
    conn: &mut Conn,
    rows: &[(NewTask, Vec<i64>)],
    user_id: Option<i64>,
    progress: &dyn Fn(usize),
) -> Result<ImportCounts> {
    write_tx(conn, |c| {
        let mut counts = ImportCounts::default();
        for (n, chunk) in rows.chunks(CHUNK).enumerate() {
            let refs: Vec<&str> = chunk.iter().map(|(t, _)| t.reference.as_str()).collect();
            let current: HashMap<String, Current> = tasks::table
                .filter(tasks::reference.eq_any(&refs))
                .select((
                    tasks::id,
                    tasks::reference,
                    tasks::content,
                    tasks::lead_unit_id,
                    tasks::assigned_on,
                    tasks::deadline,
                    tasks::original_deadline,
                    tasks::completed_on,
                    tasks::cancelled_on,
                ))
                .load::<Current>(c)?
                .into_iter()
                .map(|t| (t.reference.clone(), t))
                .collect();
            let mut coordinators: HashMap<i64, Vec<i64>> = HashMap::new();
            let ids: Vec<i64> = current.values().map(|t| t.id).collect();
            for (task_id, unit_id) in task_coordinators::table
                .filter(task_coordinators::task_id.eq_any(&ids))
                .order(task_coordinators::unit_id)
                .load::<(i64, i64)>(c)?
            {
                coordinators.entry(task_id).or_default().push(unit_id);
            }
            let mut new_rows = Vec::new();
            for (t, coords) in chunk {
                let Some(old) = current.get(&t.reference) else {
                    new_rows.push((t.clone(), coords.clone()));
                    continue;
                };
                let mut wanted = coords.clone();
                wanted.sort_unstable();
                let same = old.content == t.content
                    && old.lead_unit_id == t.lead_unit_id
                    && old.assigned_on == t.assigned_on
                    && old.deadline == t.deadline
                    && old.original_deadline == t.original_deadline
                    && old.completed_on == t.completed_on
                    && old.cancelled_on == t.cancelled_on
                    && coordinators.get(&old.id).cloned().unwrap_or_default() == wanted;
                if same {
                    counts.unchanged += 1;
                    continue;
                }
                diesel::update(tasks::table.find(old.id))
                    .set((
                        tasks::content.eq(&t.content),
                        tasks::search_text.eq(&t.search_text),
                        tasks::lead_unit_id.eq(t.lead_unit_id),
                        tasks::assigned_on.eq(t.assigned_on),
                        tasks::deadline.eq(t.deadline),
                        tasks::original_deadline.eq(t.original_deadline),
                        tasks::completed_on.eq(t.completed_on),
                        tasks::cancelled_on.eq(t.cancelled_on),
                        tasks::version.eq(tasks::version + 1),
                        tasks::updated_at.eq(now()),
                    ))
                    .execute(c)?;
                set_coordinators(c, old.id, &wanted)?;
                c.record_audit(&Entry {
                    user_id,
                    action: "task.import_update",
                    entity: "task",
                    entity_id: Some(old.id),
                    task_id: Some(old.id),
                    details: serde_json::json!({"ref": t.reference}).to_string(),
                })?;
                counts.updated += 1;
            }
            counts.added += new_rows.len();
            insert_tasks(c, &new_rows)?;
            progress((n + 1) * CHUNK);
        }
        if counts.added > 0 {
            c.record_audit(&Entry {
                user_id,
                action: "task.import",
                entity: "task",
                entity_id: None,
                task_id: None,
                details: serde_json::json!({"added": counts.added, "updated": counts.updated})
                    .to_string(),
            })?;
        }
        Ok::<_, StorageError>(counts)
    })
}
