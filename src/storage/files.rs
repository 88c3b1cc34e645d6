//! Report attachments and meetings' conclusion documents. By default they are
//! kept in the database, in chunks (`file_blobs`, `file_blob_chunks`), so that
//! every instance of the app serves every file and a database backup holds them
//! all; `DONDOC_FILES_STORE=folder` keeps new ones as files under
//! `DONDOC_FILES_DIR` instead. Either way the stored path says where a file is
//! (`db:<id>`, or `<yyyy>/<random>.<ext>` under the folder), so files written
//! before a change of store stay readable, and `dondoc files migrate` moves the
//! folder's files into the database. The user's file name is kept in the
//! referring row only. See `docs/deploy.md`.
//!
//! An uploaded conclusion document waits ("pending": a flag on its blob, or
//! the folder's `pending/`) until its meeting is confirmed ([`adopt`]); the
//! documents of drafts never confirmed expire after a day ([`expire_pending`]).

use diesel::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::schema::{file_blob_chunks, file_blobs, meeting_documents, progress_reports};
use super::{now, write_tx, Conn, Result, StorageError};

/// A stored attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub name: String,
    /// Relative to the files folder.
    pub path: String,
    pub size: i64,
}

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

/// The folder, under the files folder, where an uploaded conclusion waits
/// until its meeting is confirmed.
pub const PENDING: &str = "pending";

/// How long an unconfirmed upload waits. The draft lives only in the
/// official's form, so a document left for a day belongs to an abandoned draft.
pub const PENDING_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

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
        save_in_database(conn, bytes, false)?
    } else {
        save_in_folder(
            &files.folder,
            &today.format("%Y").to_string(),
            original_name,
            bytes,
        )?
    };
    Ok(StoredFile {
        name: crate::domain::attachment::clean_name(original_name),
        path,
        size: bytes.len() as i64,
    })
}

/// Keeps an uploaded conclusion document until its meeting is confirmed
/// ([`adopt`]) or the draft is abandoned ([`expire_pending`]).
pub fn save_pending(
    conn: &mut Conn,
    files: &Files,
    original_name: &str,
    bytes: &[u8],
) -> Result<StoredFile> {
    let path = if files.in_database {
        save_in_database(conn, bytes, true)?
    } else {
        save_in_folder(&files.folder, PENDING, original_name, bytes)?
    };
    Ok(StoredFile {
        name: crate::domain::attachment::clean_name(original_name),
        path,
        size: bytes.len() as i64,
    })
}

fn save_in_database(conn: &mut Conn, bytes: &[u8], pending: bool) -> Result<String> {
    let id = write_tx(conn, |c| {
        let id: i64 = diesel::insert_into(file_blobs::table)
            .values((
                file_blobs::size.eq(bytes.len() as i64),
                file_blobs::pending.eq(pending),
                file_blobs::created_at.eq(now()),
            ))
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

fn save_in_folder(root: &Path, folder: &str, original_name: &str, bytes: &[u8]) -> Result<String> {
    let ext = original_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .filter(|e| e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "bin".into());
    let name = format!("{}.{ext}", crate::auth::random_secret(16));
    let dir = root.join(folder);
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
            let (size, chunks): (i64, i64) = file_blobs::table
                .find(id)
                .select((
                    file_blobs::size,
                    file_blob_chunks::table
                        .filter(file_blob_chunks::blob_id.eq(id))
                        .count()
                        .single_value()
                        .assume_not_null(),
                ))
                .first(conn)
                .optional()?
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
    file_blob_chunks::table
        .filter(
            file_blob_chunks::blob_id
                .eq(blob)
                .and(file_blob_chunks::seq.eq(seq)),
        )
        .select(file_blob_chunks::bytes)
        .first::<Vec<u8>>(conn)
        .optional()?
        .ok_or(StorageError::NotFound)
}

/// The whole of a stored file, for callers that need it at once (a download
/// streams [`open`] instead).
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
            let _ = diesel::delete(file_blobs::table.find(id)).execute(conn);
        }
        Some(Location::Folder(path)) => {
            let _ = std::fs::remove_file(path);
        }
        None => {}
    }
}

/// Keeps a file (its name as sent and its bytes), if any, then writes the row
/// that refers to it; the file is removed again when that write fails, so no
/// file is left without its row.
pub fn save_for<T>(
    conn: &mut Conn,
    files: &Files,
    file: Option<(&str, &[u8])>,
    today: chrono::NaiveDate,
    write: impl FnOnce(&mut Conn, Option<&StoredFile>) -> Result<T>,
) -> Result<T> {
    let stored = file
        .map(|(name, bytes)| save(conn, files, name, bytes, today))
        .transpose()?;
    let written = write(conn, stored.as_ref());
    if let (Err(_), Some(stored)) = (&written, &stored) {
        discard(conn, files, &stored.path);
    }
    written
}

/// Takes a waiting upload out of the waiting state, as its meeting is saved:
/// its blob is no longer pending, or the file moves into the year's folder. A
/// file that was not waiting is kept as it is.
pub fn adopt(
    conn: &mut Conn,
    files: &Files,
    waiting: &StoredFile,
    today: chrono::NaiveDate,
) -> Result<StoredFile> {
    match locate(files, &waiting.path) {
        Some(Location::Blob(id)) => {
            set_pending(conn, id, false)?;
            Ok(waiting.clone())
        }
        _ => adopt_in_folder(&files.folder, waiting, today),
    }
}

/// Puts an adopted upload back to wait (its meeting was not saved after all),
/// so that the official can confirm again.
pub fn unadopt(conn: &mut Conn, files: &Files, adopted: &StoredFile, waiting: &StoredFile) {
    match locate(files, &adopted.path) {
        Some(Location::Blob(id)) => {
            let _ = set_pending(conn, id, true);
        }
        _ => unadopt_in_folder(&files.folder, adopted, waiting),
    }
}

fn set_pending(conn: &mut Conn, id: i64, pending: bool) -> Result<()> {
    diesel::update(file_blobs::table.find(id))
        .set(file_blobs::pending.eq(pending))
        .execute(conn)?;
    Ok(())
}

/// Removes the uploads that waited longer than `max_age` at `now`, in the
/// database and in the folder: the documents of drafts never confirmed.
/// Returns how many went.
pub fn expire_pending(
    conn: &mut Conn,
    files: &Files,
    now: SystemTime,
    max_age: Duration,
) -> Result<usize> {
    let cutoff = chrono::DateTime::<chrono::Utc>::from(now).naive_utc()
        - chrono::Duration::from_std(max_age).unwrap_or(chrono::Duration::MAX);
    let blobs = diesel::delete(
        file_blobs::table.filter(
            file_blobs::pending
                .eq(true)
                .and(file_blobs::created_at.lt(cutoff)),
        ),
    )
    .execute(conn)?;
    Ok(blobs + expire_in_folder(&files.folder, now, max_age))
}

fn adopt_in_folder(
    root: &Path,
    waiting: &StoredFile,
    today: chrono::NaiveDate,
) -> Result<StoredFile> {
    let Some(name) = waiting
        .path
        .strip_prefix(PENDING)
        .and_then(|n| n.strip_prefix('/'))
    else {
        return Ok(waiting.clone());
    };
    let folder = today.format("%Y").to_string();
    let from = resolve(root, &waiting.path)
        .ok_or_else(|| failed(format!("{}: outside the folder", waiting.path)))?;
    let dir = root.join(&folder);
    crate::private_files::create_dir_all(&dir)
        .map_err(|e| failed(format!("{}: {e}", dir.display())))?;
    let to = dir.join(name);
    std::fs::rename(&from, &to).map_err(|e| failed(format!("{}: {e}", from.display())))?;
    Ok(StoredFile {
        path: format!("{folder}/{name}"),
        ..waiting.clone()
    })
}

fn unadopt_in_folder(root: &Path, adopted: &StoredFile, waiting: &StoredFile) {
    if adopted.path == waiting.path {
        return;
    }
    if let (Some(from), Some(to)) = (resolve(root, &adopted.path), resolve(root, &waiting.path)) {
        let _ = std::fs::rename(from, to);
    }
}

fn expire_in_folder(root: &Path, now: SystemTime, max_age: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(root.join(PENDING)) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > max_age);
        if old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Moves every file the database refers to from the folder into the database
/// (`dondoc files migrate`): each in its own transaction, the old file removed
/// once its row points at the copy. Returns how many moved; running it again
/// moves nothing.
pub fn migrate_folder(conn: &mut Conn, files: &Files) -> Result<usize> {
    let reports: Vec<(i64, Option<String>)> = progress_reports::table
        .filter(progress_reports::attachment_path.is_not_null())
        .select((progress_reports::id, progress_reports::attachment_path))
        .load(conn)?;
    let documents: Vec<(i64, String)> = meeting_documents::table
        .select((meeting_documents::id, meeting_documents::file_path))
        .load(conn)?;
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
        let new_path = save_in_database(conn, &bytes, false)?;
        // Only if the row still points at the old file (nothing changed it meanwhile).
        let updated = if is_report {
            diesel::update(
                progress_reports::table.filter(
                    progress_reports::id
                        .eq(id)
                        .and(progress_reports::attachment_path.eq(&stored)),
                ),
            )
            .set(progress_reports::attachment_path.eq(&new_path))
            .execute(conn)?
        } else {
            diesel::update(
                meeting_documents::table.filter(
                    meeting_documents::id
                        .eq(id)
                        .and(meeting_documents::file_path.eq(&stored)),
                ),
            )
            .set(meeting_documents::file_path.eq(&new_path))
            .execute(conn)?
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

impl crate::config::Config {
    /// Where attachments and conclusion documents are kept, as configured
    /// (defined here so that the configuration knows nothing of storage).
    pub fn files(&self) -> Files {
        Files {
            in_database: self.files_in_database,
            folder: self.files_dir.clone(),
        }
    }
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
        let path = save_in_folder(
            dir.path(),
            &day.format("%Y").to_string(),
            "../Báo cáo.PDF",
            b"%PDF-1.4",
        )
        .expect("save");
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

    fn stored(path: String) -> StoredFile {
        StoredFile {
            name: "a.pdf".into(),
            path,
            size: 4,
        }
    }

    #[test]
    fn folder_uploads_of_drafts_never_confirmed_expire_and_confirmed_ones_stay() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path();
        let day = chrono::NaiveDate::from_ymd_opt(2024, 5, 8).expect("date");
        let save = |bytes: &[u8]| {
            stored(save_in_folder(root, PENDING, "Thông báo.pdf", bytes).expect("save"))
        };
        let (abandoned, waiting, confirmed) = (save(b"%PDF a"), save(b"PK docx"), save(b"%PDF b"));
        assert!(abandoned.path.starts_with("pending/"), "{}", abandoned.path);
        // The abandoned draft's document was read two days ago.
        let now = SystemTime::now();
        let two_days_ago = now - Duration::from_secs(2 * 24 * 60 * 60);
        let path = |f: &StoredFile| resolve(root, &f.path).expect("inside");
        std::fs::File::options()
            .write(true)
            .open(path(&abandoned))
            .and_then(|f| f.set_modified(two_days_ago))
            .expect("age the file");
        // The confirmed meeting took its document out of the waiting folder.
        let kept = adopt_in_folder(root, &confirmed, day).expect("adopt");
        assert_eq!(
            kept.path,
            format!("2024/{}", &confirmed.path["pending/".len()..])
        );
        assert_eq!(std::fs::read(path(&kept)).expect("read"), b"%PDF b");
        assert!(!path(&confirmed).exists());
        assert_eq!(expire_in_folder(root, now, PENDING_MAX_AGE), 1);
        assert!(!path(&abandoned).exists());
        assert!(path(&waiting).exists(), "a fresh draft keeps its document");
        // A day later the other draft is abandoned too; the meeting's document stays.
        let later = now + PENDING_MAX_AGE + Duration::from_secs(60);
        assert_eq!(expire_in_folder(root, later, PENDING_MAX_AGE), 1);
        assert!(!path(&waiting).exists());
        assert!(path(&kept).exists());
        assert_eq!(
            expire_in_folder(&root.join("none"), now, PENDING_MAX_AGE),
            0
        );
        // Not saved after all: back to wait; a file that never waited stays where it is.
        let again = save(b"%PDF c");
        let adopted = adopt_in_folder(root, &again, day).expect("adopt");
        unadopt_in_folder(root, &adopted, &again);
        assert!(path(&again).exists() && !path(&adopted).exists());
        assert_eq!(adopt_in_folder(root, &kept, day).expect("adopt"), kept);
    }
}
