//! Report attachments on disk, under the configured folder. Names are
//! generated; the user's file name is kept in the database only.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::progress::StoredFile;

#[derive(Debug, thiserror::Error)]
#[error("attachment storage: {0}")]
pub struct FileError(String);

/// Writes the bytes under `root/<yyyy>/<random>.<ext>` and says where.
pub fn save(
    root: &Path,
    original_name: &str,
    bytes: &[u8],
    today: chrono::NaiveDate,
) -> Result<StoredFile, FileError> {
    let ext = original_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .filter(|e| e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "bin".into());
    let folder = today.format("%Y").to_string();
    let name = format!("{}.{ext}", crate::auth::random_secret(16));
    let dir = root.join(&folder);
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
}
