//! Report attachments and meetings' conclusion documents. By default they are
//! kept in the database, in chunks (`file_blobs`, `file_blob_chunks`), so that
//! every instance of the app serves every file and a database backup holds them
//! all; `DONDOC_FILES_STORE=folder` keeps new ones as files under
//! `DONDOC_FILES_DIR` instead. Either way the stored path says where a file is
//! (`db:<id>`, or `<yyyy>/<random>.<ext>` under the folder), so files written
//! before a change of store stay readable, and `dondoc files migrate` moves the
//! folder's files into the database. The user's file name is kept in the
//! referring row only. See `docs/deploy.md`.

use diesel::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::progress::StoredFile;
use super::schema::{file_blob_chunks, file_blobs, meeting_documents, progress_reports};
use super::{now, with_conn, write_tx, Conn, Result, StorageError};

/// Where new files go; files already stored are read from where their path says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub in_database: bool,
    /// The folder of files kept on disk (and of those written before they moved).
    pub folder: PathBuf,
}

/// The size of one stored chunk: files are written and served a chunk at a
/// time, never as one 10 MB value.
pub const CHUNK: usize = 256 * 1024;

const DB_PREFIX: &str = "db:";

fn failed(what: impl std::fmt::Display) -> StorageError {
    StorageError::File(what.to_string())
}

/// Keeps the bytes and says where they are.
pub fn save(
    conn: &mut Conn,
    files: &Files,
    original_name: &str,
    bytes: &[u8],
    today: chrono::NaiveDate,
) -> Result<StoredFile> {
    let path = if files.in_database {
        save_in_database(conn, bytes)?
    } else {
        save_in_folder(&files.folder, original_name, bytes, today)?
    };
    Ok(StoredFile {
        name: crate::domain::attachment::clean_name(original_name),
        path,
        size: bytes.len() as i64,
    })
}

fn save_in_database(conn: &mut Conn, bytes: &[u8]) -> Result<String> {
    let id = write_tx!(&mut **conn, c => {
        let id: i64 = diesel::insert_into(file_blobs::table)
            .values((file_blobs::size.eq(bytes.len() as i64), file_blobs::created_at.eq(now())))
            .returning(file_blobs::id)
            .get_result(c)?;
        for (seq, part) in bytes.chunks(CHUNK).enumerate() {
            diesel::insert_into(file_blob_chunks::table)
                .values((
                    file_blob_chunks::blob_id.eq(id),
                    file_blob_chunks::seq.eq(seq as i32),
                    file_blob_chunks::bytes.eq(part),
                ))
                .execute(c)?;
        }
        Ok::<_, diesel::result::Error>(id)
    })?;
    Ok(format!("{DB_PREFIX}{id}"))
}

fn save_in_folder(
    root: &Path,
    original_name: &str,
    bytes: &[u8],
    today: chrono::NaiveDate,
) -> Result<String> {
    let ext = original_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .filter(|e| e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "bin".into());
    let folder = today.format("%Y").to_string();
    let name = format!("{}.{ext}", crate::auth::random_secret(16));
    let dir = root.join(&folder);
    crate::private_files::create_dir_all(&dir)
        .map_err(|e| failed(format!("{}: {e}", dir.display())))?;
    let path = dir.join(&name);
    let mut file = crate::private_files::create_new(&path)
        .map_err(|e| failed(format!("{}: {e}", path.display())))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| failed(format!("{}: {e}", path.display())))?;
    Ok(format!("{folder}/{name}"))
}

/// Where a stored path points.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Location {
    Blob(i64),
    Folder(PathBuf),
}

fn locate(files: &Files, stored: &str) -> Option<Location> {
    if let Some(id) = stored.strip_prefix(DB_PREFIX) {
        return id.parse().ok().map(Location::Blob);
    }
    resolve(&files.folder, stored).map(Location::Folder)
}

/// The full path of a file in the folder; `None` for anything that would leave it.
fn resolve(root: &Path, stored: &str) -> Option<PathBuf> {
    let ok = stored
        .split('/')
        .all(|part| !part.is_empty() && part != ".." && part != "." && !part.contains('\\'));
    ok.then(|| root.join(stored))
}

/// A stored file opened for reading: its size, its first chunk (enough to
/// tell its kind), and how to read the rest one chunk at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub size: i64,
    pub first: Vec<u8>,
    /// `Some(blob)` when more chunks follow, read with [`chunk`] from 1 on.
    pub rest: Option<(i64, i32)>,
}

/// Opens a stored file; `NotFound` when it is not there.
pub fn open(conn: &mut Conn, files: &Files, stored: &str) -> Result<Opened> {
    match locate(files, stored).ok_or(StorageError::NotFound)? {
        Location::Folder(path) => {
            // Folder files are read whole (10 MB at most).
            let bytes = std::fs::read(path).map_err(|_| StorageError::NotFound)?;
            Ok(Opened {
                size: bytes.len() as i64,
                first: bytes,
                rest: None,
            })
        }
        Location::Blob(id) => {
            let (size, chunks): (i64, i64) = with_conn!(&mut **conn, c => file_blobs::table
                .find(id)
                .select((
                    file_blobs::size,
                    file_blob_chunks::table
                        .filter(file_blob_chunks::blob_id.eq(id))
                        .count()
                        .single_value()
                        .assume_not_null(),
                ))
                .first(c)
                .optional())?
            .ok_or(StorageError::NotFound)?;
            let first = if chunks > 0 {
                chunk(conn, id, 0)?
            } else {
                Vec::new()
            };
            Ok(Opened {
                size,
                first,
                rest: (chunks > 1).then_some((id, chunks as i32)),
            })
        }
    }
}

/// One chunk of a file kept in the database.
pub fn chunk(conn: &mut Conn, blob: i64, seq: i32) -> Result<Vec<u8>> {
    with_conn!(&mut **conn, c => file_blob_chunks::table
        .filter(file_blob_chunks::blob_id.eq(blob).and(file_blob_chunks::seq.eq(seq)))
        .select(file_blob_chunks::bytes)
        .first::<Vec<u8>>(c)
        .optional())?
    .ok_or(StorageError::NotFound)
}

/// The whole of a stored file (for reading a conclusion document's text again, and tests).
pub fn read(conn: &mut Conn, files: &Files, stored: &str) -> Result<Vec<u8>> {
    let opened = open(conn, files, stored)?;
    let mut bytes = opened.first;
    if let Some((blob, count)) = opened.rest {
        for seq in 1..count {
            bytes.extend(chunk(conn, blob, seq)?);
        }
    }
    Ok(bytes)
}

/// Removes a file whose referring row was not written (best effort: a file
/// left behind is only space).
pub fn discard(conn: &mut Conn, files: &Files, stored: &str) {
    match locate(files, stored) {
        Some(Location::Blob(id)) => {
            let _ = with_conn!(&mut **conn, c =>
                diesel::delete(file_blobs::table.find(id)).execute(c));
        }
        Some(Location::Folder(path)) => {
            let _ = std::fs::remove_file(path);
        }
        None => {}
    }
}

/// Moves every file the database refers to from the folder into the database
/// (`dondoc files migrate`): each in its own transaction, the old file removed
/// once its row points at the copy. Returns how many moved; running it again
/// moves nothing.
pub fn migrate_folder(conn: &mut Conn, files: &Files) -> Result<usize> {
    let reports: Vec<(i64, Option<String>)> = with_conn!(&mut **conn, c => progress_reports::table
        .filter(progress_reports::attachment_path.is_not_null())
        .select((progress_reports::id, progress_reports::attachment_path))
        .load(c))?;
    let documents: Vec<(i64, String)> = with_conn!(&mut **conn, c => meeting_documents::table
        .select((meeting_documents::id, meeting_documents::file_path))
        .load(c))?;
    let refs = reports
        .into_iter()
        .filter_map(|(id, path)| path.map(|p| (true, id, p)))
        .chain(documents.into_iter().map(|(id, p)| (false, id, p)));
    let mut moved = 0;
    for (is_report, id, stored) in refs {
        let Some(Location::Folder(path)) = locate(files, &stored) else {
            continue;
        };
        let bytes = std::fs::read(&path).map_err(|e| failed(format!("{}: {e}", path.display())))?;
        let new_path = save_in_database(conn, &bytes)?;
        // Only if the row still points at the old file (nothing changed it meanwhile).
        let updated = if is_report {
            with_conn!(&mut **conn, c => diesel::update(
                progress_reports::table.filter(progress_reports::id.eq(id).and(progress_reports::attachment_path.eq(&stored)))
            )
            .set(progress_reports::attachment_path.eq(&new_path))
            .execute(c))?
        } else {
            with_conn!(&mut **conn, c => diesel::update(
                meeting_documents::table.filter(meeting_documents::id.eq(id).and(meeting_documents::file_path.eq(&stored)))
            )
            .set(meeting_documents::file_path.eq(&new_path))
            .execute(c))?
        };
        if updated == 1 {
            let _ = std::fs::remove_file(&path);
            moved += 1;
        } else {
            discard(conn, files, &new_path);
        }
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_paths_resolve_inside_the_folder_only() {
        let files = Files {
            in_database: false,
            folder: PathBuf::from("/srv/files"),
        };
        assert_eq!(
            locate(&files, "2022/ab.pdf"),
            Some(Location::Folder(PathBuf::from("/srv/files/2022/ab.pdf")))
        );
        assert_eq!(locate(&files, "db:42"), Some(Location::Blob(42)));
        assert_eq!(locate(&files, "db:x"), None);
        assert_eq!(locate(&files, "../etc/passwd"), None);
        assert_eq!(locate(&files, "2022//x"), None);
        assert_eq!(locate(&files, "2022/./x"), None);
    }

    #[test]
    fn folder_files_are_written_private_under_generated_names() {
        let dir = tempfile::tempdir().expect("dir");
        let day = chrono::NaiveDate::from_ymd_opt(2022, 9, 1).expect("date");
        let path = save_in_folder(dir.path(), "../Báo cáo.PDF", b"%PDF-1.4", day).expect("save");
        assert!(
            path.starts_with("2022/") && path.ends_with(".pdf"),
            "{path}"
        );
        let full = resolve(dir.path(), &path).expect("inside");
        assert_eq!(std::fs::read(&full).expect("read"), b"%PDF-1.4");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&full).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
