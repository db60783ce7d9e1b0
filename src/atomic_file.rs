//! Replacing a file atomically and durably: a temporary file in the same
//! directory, written, flushed to disk, renamed over the file, and the
//! directory flushed so that the rename survives a crash. The lockfile is
//! written this way ([`crate::state`]); the temporary files a killed save
//! leaves behind are recognised by their name and removed.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Removes the temporary files a save left beside the lockfile at `path`
/// when it was killed between writing and renaming (`.NAME.XXXXXX.tmp`);
/// returns how many. Call it only while holding the apply lock: a running
/// save's temporary file looks the same.
pub(crate) fn remove_stale_temporaries(path: &Path) -> io::Result<usize> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let Some(name) = path.file_name() else {
        return Ok(0);
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if file.starts_with(&prefix) && file.ends_with(".tmp") && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

pub(crate) struct WriteFailure {
    /// Whether the new file had already replaced the old one.
    pub(crate) renamed: bool,
    pub(crate) source: io::Error,
}

pub(crate) fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), WriteFailure> {
    let before_rename = |source| WriteFailure {
        renamed: false,
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).map_err(before_rename)?;

    let mut builder = tempfile::Builder::new();
    let prefix = format!(
        ".{}.",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    builder.prefix(&prefix).suffix(".tmp");
    // A temporary file is private (0600) by default; keep the lockfile's own
    // mode so that a save does not change who can read it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = fs::metadata(path)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| fs::Permissions::from_mode(0o644));
        builder.permissions(permissions);
    }
    // Dropping the temporary file on any early return removes it.
    let mut file = builder.tempfile_in(dir).map_err(before_rename)?;
    file.write_all(contents).map_err(before_rename)?;
    file.as_file().sync_all().map_err(before_rename)?;
    file.persist(path).map_err(|e| before_rename(e.error))?;

    sync_dir(dir).map_err(|source| WriteFailure {
        renamed: true,
        source,
    })
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Windows cannot open a directory with `File::open` to flush it; there the
/// rename is as durable as the file system makes it.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}
