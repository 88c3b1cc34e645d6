//! Files and folders only the app's own user may read: the SQLite database
//! (which holds the generated secret key), report attachments and written
//! mails. Created 0600 / 0700 whatever the process umask says.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};

pub const FILE_MODE: u32 = 0o600;
pub const DIR_MODE: u32 = 0o700;

/// Creates the folder and any missing parents, each readable by the owner only.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(DIR_MODE);
    builder.create(dir)
}

fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    options
}

/// A new file that must not exist yet, readable by the owner only.
pub fn create_new(path: &Path) -> io::Result<File> {
    options().create_new(true).open(path)
}

/// A file created (or emptied) for writing, readable by the owner only when new.
pub fn create(path: &Path) -> io::Result<File> {
    options().create(true).truncate(true).open(path)
}

/// Makes sure the file exists, creating it empty and private if it does not
/// (SQLite then gives its `-wal` and `-shm` files the same mode).
pub fn ensure_file(path: &Path) -> io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir_all(parent)?;
    }
    match options().create_new(true).open(path) {
        Ok(_) => Ok(()),
        // Another instance made it in between: fine.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn files_and_folders_are_private() {
        let dir = tempfile::tempdir().expect("dir");
        let nested = dir.path().join("a/b");
        create_dir_all(&nested).expect("dirs");
        assert_eq!(mode(&dir.path().join("a")), DIR_MODE);
        assert_eq!(mode(&nested), DIR_MODE);
        let f = nested.join("x.db");
        ensure_file(&f).expect("file");
        assert_eq!(mode(&f), FILE_MODE);
        ensure_file(&f).expect("again");
        let g = nested.join("y");
        create_new(&g).expect("new");
        assert_eq!(mode(&g), FILE_MODE);
        assert!(create_new(&g).is_err());
        let h = nested.join("z");
        create(&h).expect("create");
        assert_eq!(mode(&h), FILE_MODE);
    }
}
