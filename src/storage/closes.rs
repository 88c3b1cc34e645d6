//! Period closes ("chốt số liệu"): an official freezes a period's report as of
//! a date. The counts of every unit are copied, with the unit's code and name
//! as they were, so the frozen report stays as it was while tasks change.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::audit::{AuditLog, Entry};
use super::report::{assemble, ReportQueries};
use super::schema::{period_close_counts, period_closes, users};
use super::units::UnitQueries;
use super::{now, with_conn, write_tx, Conn, Result, StorageError};
use crate::domain::dashboard::{AgeBucket, AgeCounts};
use crate::domain::report::Counts;
use crate::domain::{Invalid, Period};

/// Who froze which period as of which date.
#[derive(Debug, Clone, PartialEq)]
pub struct Close {
    pub id: i64,
    pub period: Period,
    pub as_of: NaiveDate,
    pub note: String,
    pub closed_by: Option<String>,
    /// UTC.
    pub closed_at: NaiveDateTime,
}

/// One unit's frozen counts.
#[derive(Debug, Clone, PartialEq)]
pub struct FrozenUnit {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub counts: Counts,
    pub ages: AgeCounts,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Frozen {
    pub close: Close,
    /// By code.
    pub units: Vec<FrozenUnit>,
}

impl Frozen {
    /// The frozen units among `in_scope` (all when `None`).
    pub fn units_in<'a>(
        &'a self,
        in_scope: Option<&'a [i64]>,
    ) -> impl Iterator<Item = &'a FrozenUnit> + 'a {
        self.units
            .iter()
            .filter(move |u| in_scope.is_none_or(|ids| ids.contains(&u.unit_id)))
    }

    /// The frozen totals of the units in scope.
    pub fn totals(&self, in_scope: Option<&[i64]>) -> (Counts, AgeCounts) {
        let mut counts = Counts::default();
        let mut ages = AgeCounts::default();
        for u in self.units_in(in_scope) {
            counts.add(&u.counts);
            ages.add(&u.ages);
        }
        (counts, ages)
    }
}

#[derive(Debug, Queryable)]
struct CloseRow {
    id: i64,
    period_from: NaiveDate,
    period_to: NaiveDate,
    as_of: NaiveDate,
    note: String,
    closed_at: NaiveDateTime,
    closed_by: Option<String>,
}

/// The columns of a [`CloseRow`], with the name of who closed it (a left join on `users`).
#[diesel::dsl::auto_type(no_type_alias)]
fn close_columns() -> _ {
    (
        period_closes::id,
        period_closes::period_from,
        period_closes::period_to,
        period_closes::as_of,
        period_closes::note,
        period_closes::closed_at,
        users::name.nullable(),
    )
}

impl From<CloseRow> for Close {
    fn from(r: CloseRow) -> Close {
        Close {
            id: r.id,
            period: Period {
                from: r.period_from,
                to: r.period_to,
            },
            as_of: r.as_of,
            note: r.note,
            closed_by: r.closed_by,
            closed_at: r.closed_at,
        }
    }
}

type CountsRow = (i64, String, String, [i64; 11]);

fn counts_of(v: &[i64; 11]) -> (Counts, AgeCounts) {
    let n = |i: usize| v[i].max(0) as u64;
    (
        Counts {
            total: n(0),
            done_on_time: n(1),
            done_late: n(2),
            in_progress: n(3),
            overdue: n(4),
            carried_over: n(5),
            extended: n(6),
        },
        AgeCounts([n(7), n(8), n(9), n(10)]),
    )
}

/// Freezes the report of `period` as of `as_of` for every unit. One close per
/// period: closing it again is a conflict (reopen it first). The as-of date
/// lies within the period's report dates: not before the period, not after today.
pub fn close(
    conn: &mut Conn,
    period: &Period,
    as_of: NaiveDate,
    note: &str,
    user_id: Option<i64>,
    today: NaiveDate,
) -> Result<i64> {
    if as_of < period.from {
        return Err(Invalid::new("as_of", "err-as-of-before-from")
            .arg("value", as_of)
            .arg("from", period.from)
            .into());
    }
    if as_of > today {
        return Err(Invalid::new("as_of", "err-close-future")
            .arg("value", as_of)
            .into());
    }
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(Invalid::new("close_note", "err-too-long")
            .arg("max", 500)
            .into());
    }
    write_tx(conn, |c| {
        let taken = period_closes::table
            .filter(period_closes::period_from.eq(period.from))
            .filter(period_closes::period_to.eq(period.to))
            .count()
            .get_result::<i64>(c)?
            > 0;
        if taken {
            return Err(StorageError::conflict("period", "err-period-closed"));
        }
        let units = c.load_unit_infos()?;
        // `report.rs` implements its queries per backend.
        let tallies = with_conn!(&mut *c, |c| c.report_tallies(period, as_of, None))?;
        let report = assemble(period, as_of, units, None, &tallies);
        let id: i64 = diesel::insert_into(period_closes::table)
            .values((
                period_closes::period_from.eq(period.from),
                period_closes::period_to.eq(period.to),
                period_closes::as_of.eq(as_of),
                period_closes::note.eq(note),
                period_closes::closed_by.eq(user_id),
                period_closes::closed_at.eq(now()),
            ))
            .returning(period_closes::id)
            .get_result(c)?;
        let rows: Vec<_> = report
            .units
            .iter()
            .map(|u| {
                let n = |v: u64| v as i64;
                (
                    period_close_counts::close_id.eq(id),
                    period_close_counts::unit_id.eq(u.unit.unit.id),
                    period_close_counts::unit_code.eq(u.unit.unit.code.clone()),
                    period_close_counts::unit_name.eq(u.unit.unit.name.clone()),
                    (
                        period_close_counts::total.eq(n(u.counts.total)),
                        period_close_counts::done_on_time.eq(n(u.counts.done_on_time)),
                        period_close_counts::done_late.eq(n(u.counts.done_late)),
                        period_close_counts::in_progress.eq(n(u.counts.in_progress)),
                        period_close_counts::overdue.eq(n(u.counts.overdue)),
                        period_close_counts::carried_over.eq(n(u.counts.carried_over)),
                        period_close_counts::extended.eq(n(u.counts.extended)),
                        period_close_counts::overdue_upto_30.eq(n(u.ages.get(AgeBucket::UpTo30))),
                        period_close_counts::overdue_upto_60.eq(n(u.ages.get(AgeBucket::UpTo60))),
                        period_close_counts::overdue_upto_120.eq(n(u.ages.get(AgeBucket::UpTo120))),
                        period_close_counts::overdue_over_120.eq(n(u.ages.get(AgeBucket::Over120))),
                    ),
                )
            })
            .collect();
        for chunk in rows.chunks(500) {
            // A multi-row INSERT is built per backend (SQLite has no `DEFAULT` in `VALUES`).
            with_conn!(&mut *c, |c| diesel::insert_into(period_close_counts::table)
                .values(chunk.to_vec())
                .execute(c))?;
        }
        let t = report.totals;
        c.record_audit(&Entry {
            user_id,
            action: "period.close",
            entity: "period",
            entity_id: Some(id),
            task_id: None,
            details: serde_json::json!({
                "period": period.name(),
                "as_of": as_of,
                "note": note,
                "units": report.units.len(),
                "total": t.total,
                "done_on_time": t.done_on_time,
                "done_late": t.done_late,
                "in_progress": t.in_progress,
                "overdue": t.overdue,
            })
            .to_string(),
        })?;
        Ok(id)
    })
}

/// Removes the close of a period so that it can be closed again; the audit
/// log keeps what was frozen.
pub fn reopen(conn: &mut Conn, period: &Period, user_id: Option<i64>) -> Result<()> {
    let frozen = frozen(conn, period)?.ok_or(StorageError::NotFound)?;
    let (t, _) = frozen.totals(None);
    write_tx(conn, |c| {
        diesel::delete(
            period_close_counts::table.filter(period_close_counts::close_id.eq(frozen.close.id)),
        )
        .execute(c)?;
        let n = diesel::delete(period_closes::table.find(frozen.close.id)).execute(c)?;
        if n == 0 {
            return Err(StorageError::NotFound);
        }
        c.record_audit(&Entry {
            user_id,
            action: "period.reopen",
            entity: "period",
            entity_id: Some(frozen.close.id),
            task_id: None,
            details: serde_json::json!({
                "period": period.name(),
                "as_of": frozen.close.as_of,
                "closed_at": frozen.close.closed_at,
                "total": t.total,
                "done_on_time": t.done_on_time,
                "done_late": t.done_late,
                "in_progress": t.in_progress,
                "overdue": t.overdue,
            })
            .to_string(),
        })?;
        Ok(())
    })
}

/// The frozen report of a period, if it was closed.
pub fn frozen(conn: &mut Conn, period: &Period) -> Result<Option<Frozen>> {
    let close: Option<CloseRow> = period_closes::table
        .left_join(users::table)
        .filter(period_closes::period_from.eq(period.from))
        .filter(period_closes::period_to.eq(period.to))
        .select(close_columns())
        .first(conn)
        .optional()?;
    let Some(close) = close else {
        return Ok(None);
    };
    let rows: Vec<CountsRow> = period_close_counts::table
        .filter(period_close_counts::close_id.eq(close.id))
        .order(period_close_counts::unit_code.asc())
        .select((
            period_close_counts::unit_id,
            period_close_counts::unit_code,
            period_close_counts::unit_name,
            (
                period_close_counts::total,
                period_close_counts::done_on_time,
                period_close_counts::done_late,
                period_close_counts::in_progress,
                period_close_counts::overdue,
                period_close_counts::carried_over,
                period_close_counts::extended,
                period_close_counts::overdue_upto_30,
                period_close_counts::overdue_upto_60,
                period_close_counts::overdue_upto_120,
                period_close_counts::overdue_over_120,
            ),
        ))
        .load::<(
            i64,
            String,
            String,
            (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64),
        )>(conn)?
        .into_iter()
        .map(|(id, code, name, v)| {
            (
                id,
                code,
                name,
                [v.0, v.1, v.2, v.3, v.4, v.5, v.6, v.7, v.8, v.9, v.10],
            )
        })
        .collect();
    let units = rows
        .into_iter()
        .map(|(unit_id, code, name, v)| {
            let (counts, ages) = counts_of(&v);
            FrozenUnit {
                unit_id,
                code,
                name,
                counts,
                ages,
            }
        })
        .collect();
    Ok(Some(Frozen {
        close: close.into(),
        units,
    }))
}

/// Every close, the latest period first.
pub fn list(conn: &mut Conn) -> Result<Vec<Close>> {
    Ok(period_closes::table
        .left_join(users::table)
        .order((
            period_closes::period_from.desc(),
            period_closes::period_to.desc(),
        ))
        .select(close_columns())
        .load::<CloseRow>(conn)?
        .into_iter()
        .map(Close::from)
        .collect())
}

/// Every close with its frozen counts, the latest period first.
pub fn list_frozen(conn: &mut Conn) -> Result<Vec<Frozen>> {
    let mut out = Vec::new();
    for close in list(conn)? {
        if let Some(f) = frozen(conn, &close.period)? {
            out.push(f);
        }
    }
    Ok(out)
}

/// Removes the close `id` (see [`reopen`]); the period it froze.
pub fn reopen_by_id(conn: &mut Conn, id: i64, user_id: Option<i64>) -> Result<Period> {
    let period = list(conn)?
        .into_iter()
        .find(|c| c.id == id)
        .map(|c| c.period)
        .ok_or(StorageError::NotFound)?;
    reopen(conn, &period, user_id)?;
    Ok(period)
}
