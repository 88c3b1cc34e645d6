//! Units: the tree, its aliases and emails.

use diesel::prelude::*;
use std::collections::HashMap;

use super::audit::{AuditLog, Entry};
use super::models::Unit;
use super::schema::{unit_aliases, units};
use super::{impl_for_backends, now, with_conn, write_tx, Conn, DbConn, Result, StorageError};
use crate::domain::unit::UnitInput;
use crate::domain::Invalid;

/// A unit with what is said of it elsewhere: its parent's code and aliases.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitInfo {
    pub unit: Unit,
    pub parent_code: Option<String>,
    pub aliases: Vec<String>,
}

pub trait UnitQueries {
    fn load_unit_infos(&mut self) -> QueryResult<Vec<UnitInfo>>;
}

// Implemented per backend while `report.rs` reads the units on a concrete
// connection; [`DbConn`] passes the call on.
impl_for_backends!(UnitQueries {
    fn load_unit_infos(&mut self) -> QueryResult<Vec<UnitInfo>> {
        // One statement, a row per alias (one for a unit without): most
        // pages read the units.
        let rows: Vec<(Unit, Option<String>)> = units::table
            .left_join(unit_aliases::table)
            .order((units::code, unit_aliases::alias))
            .select((Unit::as_select(), unit_aliases::alias.nullable()))
            .load(self)?;
        let mut all: Vec<(Unit, Vec<String>)> = Vec::new();
        for (unit, alias) in rows {
            match all.last_mut() {
                Some((last, aliases)) if last.id == unit.id => aliases.extend(alias),
                _ => all.push((unit, alias.into_iter().collect())),
            }
        }
        let codes: HashMap<i64, String> = all.iter().map(|(u, _)| (u.id, u.code.clone())).collect();
        Ok(all
            .into_iter()
            .map(|(unit, aliases)| UnitInfo {
                parent_code: unit.parent_id.and_then(|p| codes.get(&p).cloned()),
                aliases,
                unit,
            })
            .collect())
    }
});

impl UnitQueries for DbConn {
    fn load_unit_infos(&mut self) -> QueryResult<Vec<UnitInfo>> {
        with_conn!(self, |c| c.load_unit_infos())
    }
}

pub fn unit_ids_by_code(c: &mut DbConn) -> QueryResult<HashMap<String, i64>> {
    Ok(units::table
        .select((units::code, units::id))
        .load::<(String, i64)>(c)?
        .into_iter()
        .collect())
}

/// Inserts or updates one unit; `Ok(false)` when nothing changed.
fn upsert_unit(
    c: &mut DbConn,
    input: &UnitInput,
    parent_id: Option<i64>,
    existing: Option<&UnitInfo>,
) -> QueryResult<(i64, bool)> {
    let at = now();
    let id = match existing {
        Some(old) => {
            let u = &old.unit;
            let same = u.name == input.name
                && u.parent_id == parent_id
                && u.email == input.email
                && u.head_email == input.head_email
                && u.active
                && old.aliases == sorted(&input.aliases);
            if same {
                return Ok((u.id, false));
            }
            diesel::update(units::table.find(u.id))
                .set((
                    units::name.eq(&input.name),
                    units::parent_id.eq(parent_id),
                    units::email.eq(&input.email),
                    units::head_email.eq(&input.head_email),
                    units::active.eq(true),
                    units::updated_at.eq(at),
                ))
                .execute(c)?;
            diesel::delete(unit_aliases::table.filter(unit_aliases::unit_id.eq(u.id)))
                .execute(c)?;
            u.id
        }
        None => diesel::insert_into(units::table)
            .values((
                units::code.eq(&input.code),
                units::name.eq(&input.name),
                units::parent_id.eq(parent_id),
                units::email.eq(&input.email),
                units::head_email.eq(&input.head_email),
                units::active.eq(true),
                units::created_at.eq(at),
                units::updated_at.eq(at),
            ))
            .returning(units::id)
            .get_result(c)?,
    };
    let rows: Vec<_> = input
        .aliases
        .iter()
        .map(|a| (unit_aliases::unit_id.eq(id), unit_aliases::alias.eq(a)))
        .collect();
    if !rows.is_empty() {
        // A multi-row INSERT is built per backend (SQLite has no `DEFAULT` in `VALUES`).
        with_conn!(c, |c| diesel::insert_into(unit_aliases::table)
            .values(rows)
            .execute(c))?;
    }
    Ok((id, true))
}

fn sorted(list: &[String]) -> Vec<String> {
    let mut v = list.to_vec();
    v.sort();
    v
}

pub fn list(conn: &mut Conn) -> Result<Vec<UnitInfo>> {
    Ok(conn.load_unit_infos()?)
}

pub fn by_code(conn: &mut DbConn, code: &str) -> Result<Unit> {
    units::table
        .filter(units::code.eq(code))
        .select(Unit::as_select())
        .first(conn)
        .optional()?
        .ok_or(StorageError::NotFound)
}

/// Adds or updates a batch of units in one transaction; parents may come later
/// in the batch than their children. Returns how many units changed.
pub fn upsert_all(conn: &mut Conn, inputs: &[UnitInput], user_id: Option<i64>) -> Result<usize> {
    write_tx(conn, |c| {
        let existing: HashMap<String, UnitInfo> = c
            .load_unit_infos()?
            .into_iter()
            .map(|u| (u.unit.code.clone(), u))
            .collect();
        let in_batch: HashMap<&str, &UnitInput> =
            inputs.iter().map(|u| (u.code.as_str(), u)).collect();
        for (i, input) in inputs.iter().enumerate() {
            if let Some(parent) = &input.parent {
                if !existing.contains_key(parent) && !in_batch.contains_key(parent.as_str()) {
                    return Err(StorageError::Invalid(
                        Invalid::new("parent", "err-unknown-unit")
                            .arg("value", parent)
                            .arg("row", i),
                    ));
                }
            }
        }
        check_no_cycles(inputs, &existing)?;
        let mut ids: HashMap<String, i64> = unit_ids_by_code(c)?;
        let mut changed = 0;
        for input in tree_order(inputs) {
            let parent_id = input.parent.as_ref().and_then(|p| ids.get(p).copied());
            let (id, was_changed) = upsert_unit(c, input, parent_id, existing.get(&input.code))?;
            if was_changed {
                changed += 1;
                c.record_audit(&Entry {
                    user_id,
                    action: if existing.contains_key(&input.code) {
                        "unit.update"
                    } else {
                        "unit.create"
                    },
                    entity: "unit",
                    entity_id: Some(id),
                    task_id: None,
                    details: serde_json::json!({"code": input.code, "name": input.name})
                        .to_string(),
                })?;
            }
            ids.insert(input.code.clone(), id);
        }
        Ok(changed)
    })
}

/// Parents before their children; assumes no cycles (checked before).
fn tree_order(inputs: &[UnitInput]) -> Vec<&UnitInput> {
    let in_batch: HashMap<&str, &UnitInput> = inputs.iter().map(|u| (u.code.as_str(), u)).collect();
    let mut placed: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(inputs.len());
    fn place<'a>(
        u: &'a UnitInput,
        in_batch: &HashMap<&str, &'a UnitInput>,
        placed: &mut std::collections::HashSet<&'a str>,
        out: &mut Vec<&'a UnitInput>,
        depth: usize,
    ) {
        if placed.contains(u.code.as_str()) || depth > in_batch.len() {
            return;
        }
        if let Some(parent) = u.parent.as_deref().and_then(|p| in_batch.get(p)) {
            place(parent, in_batch, placed, out, depth + 1);
        }
        placed.insert(u.code.as_str());
        out.push(u);
    }
    for u in inputs {
        place(u, &in_batch, &mut placed, &mut out, 0);
    }
    out
}

fn check_no_cycles(inputs: &[UnitInput], existing: &HashMap<String, UnitInfo>) -> Result<()> {
    let mut parent_of: HashMap<&str, Option<&str>> = existing
        .values()
        .map(|u| (u.unit.code.as_str(), u.parent_code.as_deref()))
        .collect();
    for u in inputs {
        parent_of.insert(u.code.as_str(), u.parent.as_deref());
    }
    for u in inputs {
        let mut seen = 0;
        let mut at = Some(u.code.as_str());
        while let Some(code) = at {
            seen += 1;
            if seen > parent_of.len() + 1 {
                return Err(StorageError::Invalid(
                    Invalid::new("parent", "err-unit-cycle").arg("value", &u.code),
                ));
            }
            at = parent_of.get(code).copied().flatten();
        }
    }
    Ok(())
}

/// The id of the unit a field names; an unknown code is that field's error.
pub fn id_for_field(conn: &mut DbConn, field: &str, code: &str) -> Result<i64> {
    match by_code(conn, code) {
        Ok(unit) => Ok(unit.id),
        Err(StorageError::NotFound) => Err(unknown(field, code)),
        Err(e) => Err(e),
    }
}

/// [`id_for_field`] among units already read.
pub fn id_among(units: &[UnitInfo], field: &str, code: &str) -> Result<i64> {
    units
        .iter()
        .find(|u| u.unit.code == code)
        .map(|u| u.unit.id)
        .ok_or_else(|| unknown(field, code))
}

/// A field naming a unit no one has.
fn unknown(field: &str, code: &str) -> StorageError {
    Invalid::new(field, "err-unknown-unit")
        .arg("value", code)
        .into()
}

/// Active units that no reminder can reach: no email of their own (the admin
/// mail page lists them, so the gap is fixed before a deadline passes unseen).
pub fn without_email(conn: &mut Conn) -> Result<Vec<Unit>> {
    Ok(units::table
        .filter(units::active.eq(true))
        .filter(units::email.is_null().or(units::email.eq("")))
        .order(units::code)
        .select(Unit::as_select())
        .load(conn)?)
}
