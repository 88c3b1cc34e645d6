//! The admin's edits to the working-day calendar (see
//! [`crate::domain::holidays`]): extra days off and make-up working days.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::holidays;
use super::{write_tx, Conn, Result};
use crate::domain::holidays::WorkCalendar;

/// One edited day.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct DayEdit {
    pub day: NaiveDate,
    /// A make-up working day (true) or an extra day off (false).
    pub working: bool,
    pub note: String,
}

/// All edits, by date.
pub fn list(conn: &mut Conn) -> Result<Vec<DayEdit>> {
    Ok(holidays::table
        .order(holidays::day.asc())
        .select((holidays::day, holidays::working, holidays::note))
        .load::<DayEdit>(conn)?)
}

/// Records a day (replacing an earlier edit of the same day).
pub fn set(conn: &mut Conn, day: NaiveDate, working: bool, note: &str) -> Result<()> {
    write_tx(conn, |c| {
        diesel::delete(holidays::table.filter(holidays::day.eq(day))).execute(c)?;
        diesel::insert_into(holidays::table)
            .values((
                holidays::day.eq(day),
                holidays::working.eq(working),
                holidays::note.eq(note),
            ))
            .execute(c)?;
        Ok(())
    })
}

/// Forgets the edit of a day; true when there was one.
pub fn remove(conn: &mut Conn, day: NaiveDate) -> Result<bool> {
    let n = diesel::delete(holidays::table.filter(holidays::day.eq(day))).execute(conn)?;
    Ok(n > 0)
}

/// The statutory calendar with the stored edits.
pub fn calendar(conn: &mut Conn) -> Result<WorkCalendar> {
    let edits = list(conn)?;
    Ok(WorkCalendar::with_edits(
        edits.iter().filter(|e| !e.working).map(|e| e.day),
        edits.iter().filter(|e| e.working).map(|e| e.day),
    ))
}
