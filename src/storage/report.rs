//! The period report in SQL. The predicates here are the SQL form of
//! `domain::period::Period::inclusion` and `domain::status::TaskDates::status_as_of`;
//! tests hold them equal on random data. Dates are written into the SQL as
//! literals formatted from `NaiveDate` (never from user text), which both
//! backends compare with their date columns.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use std::collections::{BTreeMap, HashMap};

use super::units::{UnitInfo, UnitQueries};
use super::{with_conn, Conn, Result};
use crate::domain::report::Counts;
use crate::domain::{Period, Status};

fn lit(date: NaiveDate) -> String {
    format!("'{}'", date.format("%Y-%m-%d"))
}

/// Tasks in the period's report as of `as_of` (giao trong kỳ or chuyển tiếp).
pub fn scope_sql(period: &Period, as_of: NaiveDate) -> String {
    let (f, t, a) = (lit(period.from), lit(period.to), lit(as_of));
    format!(
        "((tasks.cancelled_on IS NULL OR tasks.cancelled_on > {a}) AND tasks.assigned_on <= {t} \
         AND (tasks.assigned_on >= {f} OR tasks.completed_on IS NULL OR tasks.completed_on >= {f}))"
    )
}

/// Tasks not cancelled on or before `as_of`: those that have a status then.
pub fn not_cancelled_sql(as_of: NaiveDate) -> String {
    format!(
        "(tasks.cancelled_on IS NULL OR tasks.cancelled_on > {})",
        lit(as_of)
    )
}

/// The status code of a task as of `as_of`.
pub fn status_sql(as_of: NaiveDate) -> String {
    let a = lit(as_of);
    format!(
        "(CASE WHEN tasks.completed_on IS NOT NULL AND tasks.completed_on <= {a} THEN \
           (CASE WHEN tasks.deadline IS NULL OR tasks.completed_on <= tasks.deadline THEN 'done_on_time' ELSE 'done_late' END) \
         WHEN tasks.deadline IS NOT NULL AND tasks.deadline < {a} THEN 'overdue' \
         ELSE 'in_progress' END)"
    )
}

/// Tasks whose status as of `as_of` is one of `statuses`.
pub fn status_in_sql(as_of: NaiveDate, statuses: &[Status]) -> String {
    let codes: Vec<String> = statuses.iter().map(|s| format!("'{}'", s.code())).collect();
    format!(
        "({} AND {} IN ({}))",
        not_cancelled_sql(as_of),
        status_sql(as_of),
        codes.join(", ")
    )
}

#[derive(Debug, QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    lead_unit_id: i64,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    carried: i64,
    #[diesel(sql_type = BigInt)]
    extended: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitCounts {
    pub unit: UnitInfo,
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub period: Period,
    pub as_of: NaiveDate,
    pub totals: Counts,
    /// Every active unit in scope (zeros included) and any other unit with tasks, by code.
    pub units: Vec<UnitCounts>,
}

/// The units of a subtree, root included.
pub fn subtree(units: &[UnitInfo], root: i64) -> Vec<i64> {
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for u in units {
        if let Some(p) = u.unit.parent_id {
            children.entry(p).or_default().push(u.unit.id);
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        if let Some(kids) = children.get(&out[i]) {
            for k in kids {
                if !out.contains(k) {
                    out.push(*k);
                }
            }
        }
        i += 1;
    }
    out
}

/// The report for a period as of a date, for all units or the subtree of one.
pub fn period_report(
    conn: &mut Conn,
    period: &Period,
    as_of: NaiveDate,
    root_unit: Option<i64>,
) -> Result<Report> {
    let (units, rows) = with_conn!(&mut **conn, c => {
        let units = c.load_unit_infos()?;
        let unit_filter = match root_unit {
            None => String::new(),
            Some(root) => {
                let ids: Vec<String> = subtree(&units, root).iter().map(i64::to_string).collect();
                format!(" AND tasks.lead_unit_id IN ({})", ids.join(","))
            }
        };
        let sql = format!(
            "SELECT tasks.lead_unit_id AS lead_unit_id, {status} AS status, COUNT(*) AS n, \
             SUM(CASE WHEN tasks.assigned_on < {from} THEN 1 ELSE 0 END) AS carried, \
             SUM(CASE WHEN tasks.original_deadline IS NOT NULL THEN 1 ELSE 0 END) AS extended \
             FROM tasks WHERE {scope}{unit_filter} GROUP BY tasks.lead_unit_id, {status}",
            status = status_sql(as_of),
            from = lit(period.from),
            scope = scope_sql(period, as_of),
        );
        let rows = diesel::sql_query(sql).load::<Row>(c)?;
        Ok::<_, diesel::result::Error>((units, rows))
    })?;
    let mut by_unit: BTreeMap<i64, Counts> = BTreeMap::new();
    for row in rows {
        let counts = by_unit.entry(row.lead_unit_id).or_default();
        if let Some(status) = Status::from_code(&row.status) {
            counts.add_status(status, row.n as u64);
        }
        counts.carried_over += row.carried as u64;
        counts.extended += row.extended as u64;
    }
    let in_scope: Option<Vec<i64>> = root_unit.map(|root| subtree(&units, root));
    let mut listed: Vec<UnitCounts> = units
        .into_iter()
        .filter(|u| in_scope.as_ref().is_none_or(|ids| ids.contains(&u.unit.id)))
        .filter(|u| u.unit.active || by_unit.contains_key(&u.unit.id))
        .map(|u| UnitCounts {
            counts: by_unit.get(&u.unit.id).copied().unwrap_or_default(),
            unit: u,
        })
        .collect();
    listed.sort_by(|a, b| a.unit.unit.code.cmp(&b.unit.unit.code));
    Ok(Report {
        period: *period,
        as_of,
        totals: crate::domain::report::total(by_unit.values()),
        units: listed,
    })
}
