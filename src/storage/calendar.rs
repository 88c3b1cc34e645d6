//! Calendar feeds: each unit's deadlines at a secret address (`/ics/{secret}.ics`).

use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::Unit;
use super::schema::{calendar_feeds, task_coordinators, tasks, units};
use super::visibility::Viewer;
use super::{now, write_tx, Conn, Result, StorageError};
use crate::domain::{State, TaskDates};

/// Hex characters of a feed secret (32 random bytes).
pub const SECRET_BYTES: usize = 32;

/// One deadline in a unit's feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedTask {
    pub id: i64,
    pub reference: String,
    pub content: String,
    pub deadline: NaiveDate,
    pub lead_unit_code: String,
    pub lead_unit_name: String,
    /// Whether the feed's unit leads the task (else it coordinates).
    pub leads: bool,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub unit: Unit,
    /// Open tasks with a deadline that the unit leads or coordinates, by deadline.
    pub tasks: Vec<FeedTask>,
}

/// id, reference, content, assigned, deadline, completed, cancelled, lead
/// unit id, code and name, last change.
type FeedRow = (
    i64,
    String,
    String,
    NaiveDate,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<i64>,
    String,
    String,
    chrono::NaiveDateTime,
);

/// When the unit's current feed address was made, if it has one.
pub fn feed_created(conn: &mut Conn, unit_id: i64) -> Result<Option<chrono::NaiveDateTime>> {
    Ok(calendar_feeds::table
        .find(unit_id)
        .select(calendar_feeds::created_at)
        .first::<chrono::NaiveDateTime>(conn)
        .optional()?)
}

/// A new secret for the unit's feed, returned once: only its hash is kept,
/// and the old address stops working.
pub fn rotate_secret(conn: &mut Conn, unit_id: i64) -> Result<String> {
    let fresh = crate::auth::random_secret(SECRET_BYTES);
    let hash = crate::auth::hash_token(&fresh);
    write_tx(conn, |c| {
        let exists = units::table.find(unit_id).count().get_result::<i64>(c)? > 0;
        if !exists {
            return Err(StorageError::NotFound);
        }
        diesel::delete(calendar_feeds::table.find(unit_id)).execute(c)?;
        diesel::insert_into(calendar_feeds::table)
            .values((
                calendar_feeds::unit_id.eq(unit_id),
                calendar_feeds::secret_hash.eq(&hash),
                calendar_feeds::created_at.eq(now()),
            ))
            .execute(c)?;
        Ok(fresh)
    })
}

/// The feed at a secret; `NotFound` for an unknown secret or an inactive unit.
pub fn feed(conn: &mut Conn, secret: &str) -> Result<Feed> {
    let unit: Unit = calendar_feeds::table
        .inner_join(units::table)
        .filter(calendar_feeds::secret_hash.eq(crate::auth::hash_token(secret)))
        .filter(units::active.eq(true))
        .select(Unit::as_select())
        .first(conn)
        .optional()?
        .ok_or(StorageError::NotFound)?;
    let coordinated = task_coordinators::table
        .filter(task_coordinators::unit_id.eq(unit.id))
        .select(task_coordinators::task_id);
    let rows: Vec<FeedRow> = tasks::table
        .inner_join(units::table)
        .filter(
            tasks::lead_unit_id
                .eq(unit.id)
                .or(tasks::id.eq_any(coordinated)),
        )
        .filter(tasks::deadline.is_not_null())
        // A confidential task is never in a feed: its address travels to
        // calendar apps, so the feed reads as one who sees nothing confidential.
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            &Viewer::Open.sight().to_sql(),
        ))
        .order((tasks::deadline, tasks::id))
        .select((
            tasks::id,
            tasks::reference,
            tasks::content,
            tasks::assigned_on,
            tasks::deadline,
            tasks::completed_on,
            tasks::cancelled_on,
            tasks::lead_unit_id,
            units::code,
            units::name,
            tasks::updated_at,
        ))
        .load(conn)?;
    // Which tasks are still open is the domain's to say: the unit's tasks
    // are few, so the closed ones are read and left here.
    let tasks = rows
        .into_iter()
        .filter_map(
            |(
                id,
                reference,
                content,
                assigned_on,
                deadline,
                completed_on,
                cancelled_on,
                lead_id,
                code,
                name,
                updated_at,
            )| {
                let dates = TaskDates {
                    assigned_on,
                    deadline,
                    completed_on,
                    cancelled_on,
                };
                if dates.state() != State::Open {
                    return None;
                }
                Some(FeedTask {
                    id,
                    reference,
                    content,
                    deadline: deadline?,
                    lead_unit_code: code,
                    lead_unit_name: name,
                    leads: lead_id == Some(unit.id),
                    updated_at,
                })
            },
        )
        .collect();
    Ok(Feed { unit, tasks })
}
