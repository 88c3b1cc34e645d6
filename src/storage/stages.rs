//! Where tasks stand in their workflow, for many tasks at once. SQL only
//! narrows to the tasks having a proposal pending or returned, or an extension
//! request pending (a superset: a newer proposal may have been confirmed);
//! which row decides is the domain's rule ([`crate::domain::inbox::standing`]:
//! the latest proposal), applied here to the ids and states of those tasks'
//! rows, and whether a task is open is the report's row's. The inbox's kinds
//! (`storage::inbox`), the task list's `waiting` filter (`storage::tasks`) and
//! the task page's stages all stand on it.

use diesel::prelude::*;
use std::collections::HashMap;

use super::report::snapshot::Snapshot;
use super::schema::{extension_requests, progress_reports};
use super::{in_chunks, with_conn, Conn, Result, IN_CHUNK};
use crate::domain::inbox::{standing, Standing, Waiting};
use crate::domain::progress::{Decision, Review};
use crate::domain::State;

/// Where one task stands, and the unit that sent the proposal it stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stood {
    pub standing: Standing,
    pub proposal_unit: Option<i64>,
}

/// Every open task that stands somewhere, by id.
pub fn standings(conn: &mut Conn, snap: &Snapshot) -> Result<HashMap<i64, Stood>> {
    let ids = candidates(conn)?;
    let mut proposals: HashMap<i64, Vec<(i64, Review, i64)>> = HashMap::new();
    let mut extensions: HashMap<i64, Vec<(i64, bool)>> = HashMap::new();
    let rows: Vec<(i64, i64, Option<Review>, i64)> = in_chunks(&ids, IN_CHUNK, |chunk| {
        progress_reports::table
            .filter(progress_reports::task_id.eq_any(chunk))
            .filter(progress_reports::review_state.is_not_null())
            .select((
                progress_reports::task_id,
                progress_reports::id,
                progress_reports::review_state,
                progress_reports::unit_id,
            ))
            .load::<(i64, i64, Option<Review>, i64)>(&mut **conn)
    })?;
    for (task, id, review, unit) in rows {
        // Only proposals have a review; the query reads those alone.
        if let Some(review) = review {
            proposals.entry(task).or_default().push((id, review, unit));
        }
    }
    let rows: Vec<(i64, i64, Decision)> = in_chunks(&ids, IN_CHUNK, |chunk| {
        extension_requests::table
            .filter(extension_requests::task_id.eq_any(chunk))
            .select((
                extension_requests::task_id,
                extension_requests::id,
                extension_requests::state,
            ))
            .load::<(i64, i64, Decision)>(&mut **conn)
    })?;
    for (task, id, state) in rows {
        extensions
            .entry(task)
            .or_default()
            .push((id, state == Decision::Pending));
    }
    let mut out = HashMap::new();
    for id in ids {
        let open = snap
            .get(id)
            .is_some_and(|r| r.task.dates.state() == State::Open);
        let of_task = proposals.remove(&id).unwrap_or_default();
        let at = standing(
            open,
            of_task.iter().map(|(id, review, _)| (*id, *review)),
            extensions.remove(&id).unwrap_or_default(),
        );
        if at == Standing::default() {
            continue;
        }
        let proposal_unit = at
            .proposal
            .and_then(|(p, _)| of_task.iter().find(|(id, _, _)| *id == p))
            .map(|(_, _, unit)| *unit);
        out.insert(
            id,
            Stood {
                standing: at,
                proposal_unit,
            },
        );
    }
    Ok(out)
}

/// The open tasks standing where the filter asks, in id order.
pub fn waiting_ids(conn: &mut Conn, snap: &Snapshot, w: Waiting) -> Result<Vec<i64>> {
    let mut ids: Vec<i64> = standings(conn, snap)?
        .into_iter()
        .filter(|(_, s)| s.standing.is(w))
        .map(|(id, _)| id)
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

/// The tasks having a proposal pending or returned, or an extension request
/// pending, in id order: the only tasks that may stand anywhere.
fn candidates(conn: &mut Conn) -> Result<Vec<i64>> {
    // One statement: every badge of an office or a unit asks it. A union
    // is built per backend (the connection over both has no such clause).
    let mut ids: Vec<i64> = with_conn!(&mut **conn, c => progress_reports::table
        .filter(
            progress_reports::review_state
                .eq(Review::Pending)
                .or(progress_reports::review_state.eq(Review::Returned)),
        )
        .select(progress_reports::task_id)
        .union(
            extension_requests::table
                .filter(extension_requests::state.eq(Decision::Pending))
                .select(extension_requests::task_id),
        )
        .load(c))?;
    ids.sort_unstable();
    Ok(ids)
}
