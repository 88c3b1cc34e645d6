//! Backups taken while the app serves. SQLite: `VACUUM INTO`, a copy consistent
//! as of one transaction, written by SQLite itself (a plain file copy of a live
//! database may be torn). PostgreSQL: `pg_dump` in its custom format, which reads
//! one snapshot; restore with `pg_restore`. See `docs/deploy.md`.

use diesel::connection::SimpleConnection;
use std::path::Path;
use std::process::Command;

use super::{Conn, DbConn, Result, StorageError};
use crate::config::DatabaseUrl;

/// Writes a backup of the database to `to`, a file that must not exist yet
/// (created readable by the owner only: it holds every record and the secret key).
pub fn backup_to(conn: &mut Conn, url: &DatabaseUrl, to: &Path) -> Result<()> {
    let failed = |reason: String| StorageError::Backup(format!("{}: {reason}", to.display()));
    crate::private_files::create_new(to).map_err(|e| failed(e.to_string()))?;
    let result = match (&mut **conn, url) {
        (DbConn::Sqlite(c), _) => {
            let path = to
                .to_str()
                .ok_or_else(|| failed("the path is not valid UTF-8".into()))?;
            // SQLite writes into the empty file just created.
            c.batch_execute(&format!("VACUUM INTO '{}'", path.replace('\'', "''")))
                .map_err(|e| failed(e.to_string()))
        }
        (DbConn::Pg(_), DatabaseUrl::Postgres(raw)) => pg_dump(raw, to).map_err(failed),
        (DbConn::Pg(_), _) => Err(failed("the connection does not match DATABASE_URL".into())),
    };
    if result.is_err() {
        // No half-written backup left to be mistaken for a good one.
        let _ = std::fs::remove_file(to);
    }
    result
}

fn pg_dump(url: &str, to: &Path) -> std::result::Result<(), String> {
    let out = Command::new("pg_dump")
        .arg("--format=custom")
        .arg("--no-owner")
        .arg("--file")
        .arg(to)
        .arg("--dbname")
        .arg(url)
        .output()
        .map_err(|e| format!("cannot run pg_dump ({e}); install PostgreSQL's client tools"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "))
    }
}
