//! Small named values kept in the database (the generated secret key).

use diesel::prelude::*;

use super::schema::settings;
use super::{with_conn, Conn, Result};

pub fn get(conn: &mut Conn, key: &str) -> Result<Option<String>> {
    Ok(with_conn!(&mut **conn, c => settings::table
        .filter(settings::key.eq(key))
        .select(settings::value)
        .first::<String>(c)
        .optional())?)
}

/// Stores `value` unless the key already has one; returns the value that is kept.
/// Several instances starting at once thus agree on one value.
pub fn get_or_insert(conn: &mut Conn, key: &str, value: &str) -> Result<String> {
    with_conn!(&mut **conn, c => {
        diesel::insert_into(settings::table)
            .values((settings::key.eq(key), settings::value.eq(value)))
            .on_conflict_do_nothing()
            .execute(c)?;
        Ok(settings::table.filter(settings::key.eq(key)).select(settings::value).first::<String>(c)?)
    })
}
