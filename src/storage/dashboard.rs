//! What one reader's dashboard shows: the report of their scope (or a
//! subtree of it), the completion over the months, the frozen report of a
//! closed period, and the units they may narrow it to. The numbers are
//! `storage::report`'s; this joins them with the reader and the periods' closes.

use chrono::NaiveDate;
use std::collections::HashMap;

use super::closes::{self, Frozen};
use super::report::{assemble, report_and_points, tallies, Report};
use super::units::{UnitInfo, UnitQueries};
use super::{with_conn, Conn, Result, StorageError};
use crate::domain::dashboard::{progress_points, ProgressPoint};
use crate::domain::report::Counts;
use crate::domain::{Invalid, Period};

/// The units of a subtree, root included.
pub fn subtree(units: &[UnitInfo], root: i64) -> Vec<i64> {
    crate::domain::unit::subtree(units.iter().map(|u| (u.unit.id, u.unit.parent_id)), root)
}

/// What the dashboard of one reader shows.
#[derive(Debug, Clone)]
pub struct DashboardRequest {
    pub period: Period,
    pub as_of: NaiveDate,
    /// A unit code: that unit and the units under it (within the reader's scope).
    pub unit: Option<String>,
    /// The unit whose subtree the reader's report covers (`None`: every
    /// unit), as the reader's account holds it (`users.scope_unit_id`).
    pub scope_root: Option<i64>,
    /// Also the completion over the months.
    pub progress: bool,
    /// Also the period's frozen report, if it was closed.
    pub frozen: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub report: Report,
    pub progress: Vec<(ProgressPoint, Counts)>,
    pub frozen: Option<Frozen>,
    pub scope: Scope,
}

/// The units a reader's report covers and may be narrowed to: what a list
/// behind one of its numbers needs of the dashboard, without its numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// The root of the report (the requested unit, else the reader's scope); `None`: the whole tree.
    pub root: Option<UnitInfo>,
    /// The root of the reader's scope; `None`: the whole tree.
    pub scope_root: Option<i64>,
    /// The units of the report; `None`: every unit.
    pub unit_ids: Option<Vec<i64>>,
    /// The units the reader may narrow the report to, by code.
    pub choices: Vec<UnitInfo>,
}

impl Scope {
    /// The names of the units in the reader's scope, by code.
    pub fn unit_names(&self) -> HashMap<String, String> {
        self.choices
            .iter()
            .map(|u| (u.unit.code.clone(), u.unit.name.clone()))
            .collect()
    }
}

/// The scope of a reader's report (the subtree of `scope_root`, narrowed to
/// the subtree of `unit`), and every unit.
pub fn scope(
    conn: &mut Conn,
    scope_root: Option<i64>,
    unit: Option<&str>,
) -> Result<(Scope, Vec<UnitInfo>)> {
    let units = with_conn!(&mut **conn, c => c.load_unit_infos())?;
    let (root, unit_ids) = resolve_units(&units, scope_root, unit)?;
    let scope_ids = scope_root.map(|r| subtree(&units, r));
    let choices: Vec<UnitInfo> = units
        .iter()
        .filter(|u| {
            scope_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&u.unit.id))
        })
        .cloned()
        .collect();
    let scope = Scope {
        root,
        scope_root,
        unit_ids,
        choices,
    };
    Ok((scope, units))
}

/// Resolves the units a reader's report covers: their scope, narrowed to the
/// subtree of `unit` when given (which must lie within their scope).
pub fn resolve_units(
    units: &[UnitInfo],
    scope_root: Option<i64>,
    unit: Option<&str>,
) -> Result<(Option<UnitInfo>, Option<Vec<i64>>)> {
    let in_scope = scope_root.map(|root| subtree(units, root));
    let root_id = match unit {
        None => scope_root,
        Some(code) => {
            let found = units.iter().find(|u| u.unit.code == code).ok_or_else(|| {
                StorageError::Invalid(Invalid::new("unit", "err-unknown-unit").arg("value", code))
            })?;
            if in_scope
                .as_ref()
                .is_some_and(|ids| !ids.contains(&found.unit.id))
            {
                return Err(StorageError::Invalid(
                    Invalid::new("unit", "err-unit-outside-scope").arg("value", code),
                ));
            }
            Some(found.unit.id)
        }
    };
    let root = root_id.and_then(|id| units.iter().find(|u| u.unit.id == id).cloned());
    Ok((root, root_id.map(|id| subtree(units, id))))
}

/// The dashboard of one reader: the report of their scope (or a subtree of
/// it), the completion over the months, and the frozen report.
pub fn dashboard(conn: &mut Conn, req: &DashboardRequest) -> Result<Dashboard> {
    let (scope, units) = scope(conn, req.scope_root, req.unit.as_deref())?;
    let unit_ids = scope.unit_ids.as_deref();
    let (by_unit, totals) = if req.progress {
        let points = progress_points(&req.period, req.as_of);
        report_and_points(conn, &req.period, req.as_of, &points, unit_ids)?
    } else {
        (
            tallies(conn, &req.period, req.as_of, unit_ids)?,
            Default::default(),
        )
    };
    let frozen = if req.frozen {
        closes::frozen(conn, &req.period)?
    } else {
        None
    };
    let progress = if req.progress {
        progress_points(&req.period, req.as_of)
            .into_iter()
            .zip(totals.iter().copied())
            .collect()
    } else {
        Vec::new()
    };
    Ok(Dashboard {
        report: assemble(&req.period, req.as_of, units, unit_ids, &by_unit),
        progress,
        frozen,
        scope,
    })
}
