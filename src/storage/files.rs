//! Report attachments on disk, under the configured folder. Names are
//! generated; the user's file name is kept in the database only.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::progress::StoredFile;

#[derive(Debug, thiserror::Error)]
#[error("attachment storage: {0}")]
pub struct FileError(String);

/// The folder, under the files folder, where an uploaded conclusion waits
/// until its meeting is confirmed.
pub const PENDING: &str = "pending";

/// How long an unconfirmed upload waits. The draft lives only in the
/// official's form, so a document left for a day belongs to an abandoned
/// draft.
pub const PENDING_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Writes the bytes under `root/<yyyy>/<random>.<ext>` and says where.
pub fn save(
    root: &Path,
    original_name: &str,
    bytes: &[u8],
    today: chrono::NaiveDate,
) -> Result<StoredFile, FileError> {
    save_in(root, &today.format("%Y").to_string(), original_name, bytes)
}

/// Writes an uploaded conclusion under `root/pending/`, where it waits for
/// its meeting ([`adopt`]) or expires ([`expire_pending`]).
pub fn save_pending(
    root: &Path,
    original_name: &str,
    bytes: &[u8],
) -> Result<StoredFile, FileError> {
    save_in(root, PENDING, original_name, bytes)
}

fn save_in(
    root: &Path,
    folder: &str,
    original_name: &str,
    bytes: &[u8],
) -> Result<StoredFile, FileError> {
    let ext = original_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .filter(|e| e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "bin".into());
    let name = format!("{}.{ext}", crate::auth::random_secret(16));
    let dir = root.join(folder);
    crate::private_files::create_dir_all(&dir)
        .map_err(|e| FileError(format!("{}: {e}", dir.display())))?;
    let path = dir.join(&name);
    let mut file = crate::private_files::create_new(&path)
        .map_err(|e| FileError(format!("{}: {e}", path.display())))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| FileError(format!("{}: {e}", path.display())))?;
    Ok(StoredFile {
        name: crate::domain::attachment::clean_name(original_name),
        path: format!("{folder}/{name}"),
        size: bytes.len() as i64,
    })
}

/// The full path of a stored file; `None` for anything that would leave the folder.
pub fn resolve(root: &Path, stored: &str) -> Option<PathBuf> {
    let ok = stored
        .split('/')
        .all(|part| !part.is_empty() && part != ".." && part != "." && !part.contains('\\'));
    ok.then(|| root.join(stored))
}

/// Moves a waiting upload into the year's folder, as its meeting is saved.
/// A file already outside the waiting folder is kept where it is.
pub fn adopt(
    root: &Path,
    waiting: &StoredFile,
    today: chrono::NaiveDate,
) -> Result<StoredFile, FileError> {
    let Some(name) = waiting
        .path
        .strip_prefix(PENDING)
        .and_then(|n| n.strip_prefix('/'))
    else {
        return Ok(waiting.clone());
    };
    let folder = today.format("%Y").to_string();
    let from = resolve(root, &waiting.path)
        .ok_or_else(|| FileError(format!("{}: outside the folder", waiting.path)))?;
    let dir = root.join(&folder);
    crate::private_files::create_dir_all(&dir)
        .map_err(|e| FileError(format!("{}: {e}", dir.display())))?;
    let to = dir.join(name);
    std::fs::rename(&from, &to).map_err(|e| FileError(format!("{}: {e}", from.display())))?;
    Ok(StoredFile {
        path: format!("{folder}/{name}"),
        ..waiting.clone()
    })
}

/// Puts an adopted file back to wait (its meeting was not saved after all),
/// so that the official can confirm again.
pub fn unadopt(root: &Path, adopted: &StoredFile, waiting: &StoredFile) {
    if adopted.path == waiting.path {
        return;
    }
    if let (Some(from), Some(to)) = (resolve(root, &adopted.path), resolve(root, &waiting.path)) {
        let _ = std::fs::rename(from, to);
    }
}

/// Removes the uploads that waited longer than `max_age` at `now`: the
/// documents of drafts never confirmed. Returns how many went.
pub fn expire_pending(root: &Path, now: SystemTime, max_age: Duration) -> usize {
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

/// Removes a file whose database row was not written.
pub fn discard(root: &Path, stored: &StoredFile) {
    if let Some(path) = resolve(root, &stored.path) {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_saved_under_generated_names_and_resolved_safely() {
        let dir = tempfile::tempdir().expect("dir");
        let day = chrono::NaiveDate::from_ymd_opt(2022, 9, 1).expect("date");
        let stored = save(dir.path(), "../Báo cáo.PDF", b"%PDF-1.4", day).expect("save");
        assert!(stored.path.starts_with("2022/") && stored.path.ends_with(".pdf"));
        assert_eq!(stored.name, "Báo cáo.PDF");
        let path = resolve(dir.path(), &stored.path).expect("inside");
        assert_eq!(std::fs::read(&path).expect("read"), b"%PDF-1.4");
        assert!(resolve(dir.path(), "../etc/passwd").is_none());
        assert!(resolve(dir.path(), "2022//x").is_none());
        discard(dir.path(), &stored);
        assert!(!path.exists());
    }

    #[test]
    fn uploads_of_drafts_never_confirmed_expire_and_confirmed_ones_stay() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path();
        let day = chrono::NaiveDate::from_ymd_opt(2024, 5, 8).expect("date");
        let abandoned = save_pending(root, "Thông báo.pdf", b"%PDF-1.4 a").expect("save");
        let waiting = save_pending(root, "Kết luận.docx", b"PK docx").expect("save");
        let confirmed = save_pending(root, "Thông báo 2.pdf", b"%PDF-1.4 b").expect("save");
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
        let kept = adopt(root, &confirmed, day).expect("adopt");
        assert_eq!(
            kept.path,
            format!("2024/{}", &confirmed.path["pending/".len()..])
        );
        assert_eq!(std::fs::read(path(&kept)).expect("read"), b"%PDF-1.4 b");
        assert!(!path(&confirmed).exists());

        assert_eq!(expire_pending(root, now, PENDING_MAX_AGE), 1);
        assert!(!path(&abandoned).exists());
        assert!(path(&waiting).exists(), "a fresh draft keeps its document");
        assert!(path(&kept).exists());
        // A day later the other draft is abandoned too; the meeting's document stays.
        let later = now + PENDING_MAX_AGE + Duration::from_secs(60);
        assert_eq!(expire_pending(root, later, PENDING_MAX_AGE), 1);
        assert!(!path(&waiting).exists());
        assert!(path(&kept).exists());
        assert_eq!(
            expire_pending(dir.path().join("none").as_path(), now, PENDING_MAX_AGE),
            0
        );
    }

    #[test]
    fn a_meeting_not_saved_puts_its_document_back_to_wait() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path();
        let day = chrono::NaiveDate::from_ymd_opt(2024, 5, 8).expect("date");
        let waiting = save_pending(root, "a.pdf", b"%PDF").expect("save");
        let adopted = adopt(root, &waiting, day).expect("adopt");
        unadopt(root, &adopted, &waiting);
        assert!(resolve(root, &waiting.path).expect("inside").exists());
        assert!(!resolve(root, &adopted.path).expect("inside").exists());
        // A document stored before the waiting folder existed is left in place.
        let old = save(root, "b.pdf", b"%PDF", day).expect("save");
        assert_eq!(adopt(root, &old, day).expect("adopt"), old);
    }
}
