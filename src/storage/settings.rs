//! Small named values kept in the database (the generated secret key, the
//! layout and names of the Word documents).

use diesel::prelude::*;

use super::schema::settings;
use super::{with_conn, write_tx, Conn, DbConn, Result, StorageError};
use crate::domain::report_doc::DocSettings;

pub fn get(conn: &mut Conn, key: &str) -> Result<Option<String>> {
    Ok(settings::table
        .filter(settings::key.eq(key))
        .select(settings::value)
        .first::<String>(conn)
        .optional()?)
}

/// Stores `value` unless the key already has one; returns the value that is kept.
/// Several instances starting at once thus agree on one value.
pub fn get_or_insert(conn: &mut Conn, key: &str, value: &str) -> Result<String> {
    // diesel builds `ON CONFLICT` only for a concrete backend.
    with_conn!(&mut **conn, |c| diesel::insert_into(settings::table)
        .values((settings::key.eq(key), settings::value.eq(value)))
        .on_conflict_do_nothing()
        .execute(c))?;
    get(conn, key)?.ok_or(StorageError::NotFound)
}

/// Stores `value` under `key`, replacing any value it had.
pub fn set(conn: &mut Conn, key: &str, value: &str) -> Result<()> {
    Ok(put(conn, key, value)?)
}

/// Inserts or replaces a value. diesel builds `ON CONFLICT` only for a
/// concrete backend, hence the match on it.
fn put(conn: &mut DbConn, key: &str, value: &str) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::insert_into(settings::table)
        .values((settings::key.eq(key), settings::value.eq(value)))
        .on_conflict(settings::key)
        .do_update()
        .set(settings::value.eq(value))
        .execute(c))?;
    Ok(())
}

/// The key of the organisation's names and layout of the Word documents.
const DOCUMENTS: &str = "report_document";

/// The layout and names of the Word documents; the defaults (a state body,
/// no names yet) until an admin sets them. A value that no longer reads is
/// the defaults too: the admin page shows them to be saved again.
pub fn documents(conn: &mut Conn) -> Result<DocSettings> {
    Ok(get(conn, DOCUMENTS)?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

/// Saves the layout and names of the Word documents, with an audit entry.
pub fn set_documents(conn: &mut Conn, value: &DocSettings, by: Option<i64>) -> Result<()> {
    use super::audit::{AuditLog, Entry};
    // Strings and a plain enum: serialising cannot fail.
    let json = serde_json::to_string(value).unwrap_or_default();
    write_tx(conn, |c| {
        put(c, DOCUMENTS, &json)?;
        c.record_audit(&Entry {
            user_id: by,
            action: "settings.documents",
            entity: "settings",
            entity_id: None,
            task_id: None,
            details: json.clone(),
        })?;
        Ok::<_, StorageError>(())
    })
}

/// Sets the document settings unless an admin already did (the demo's own names).
pub fn init_documents(conn: &mut Conn, value: &DocSettings) -> Result<()> {
    if get(conn, DOCUMENTS)?.is_none() {
        set_documents(conn, value, None)?;
    }
    Ok(())
}
