//! Room kept for staff on a full disk (issue #16). When the disk fills, a callback request
//! cannot be saved and patients are sent to the front desk; staff must still be able to
//! sign in (an audit entry, a session) and read *Kiosk health* to learn why. So the data
//! folder holds a reserve file, [`RESERVE_BYTES`] of real blocks, made at start and whenever
//! there is room again; the first write that finds the disk full gives it back
//! ([`release`]), and those blocks let the next staff actions write to kiosk.db.
//!
//! The reserve is a plain file because that is the one thing a full filesystem still lets
//! a program free at once; SQLite has no way to set aside space inside its file that only
//! some writes may use.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The reserve's size: room for a few hundred write-ahead log frames (kiosk.db's pages are
/// 4 KiB; a staff sign-in writes a handful).
pub const RESERVE_BYTES: u64 = 2 * 1024 * 1024;
/// What must stay free beyond the reserve before it is made again.
const MARGIN_BYTES: u64 = 8 * 1024 * 1024;
/// The reserve's file name in the data folder.
pub const RESERVE_FILE: &str = "kiosk.db.reserve";

fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(RESERVE_FILE)
}

/// Whether the reserve is in the data folder `data_dir`, making it first when it is missing
/// and the disk has room for it and [`MARGIN_BYTES`] more. `false`: the disk is full, or
/// was and has not been freed yet.
pub fn ensure(data_dir: &Path) -> bool {
    let file = path(data_dir);
    if std::fs::metadata(&file).is_ok_and(|m| m.len() >= RESERVE_BYTES) {
        return true;
    }
    let free = fs4::available_space(data_dir).unwrap_or(0);
    if free < RESERVE_BYTES + MARGIN_BYTES {
        return false;
    }
    match write(&file) {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!("cannot make the disk reserve {}: {err}", file.display());
            let _ = std::fs::remove_file(&file);
            false
        }
    }
}

/// Writes the reserve with real bytes (a sparse file would free nothing), 0600 like every
/// file of the data folder.
fn write(file: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(file)?;
    let block = vec![0u8; 64 * 1024];
    for _ in 0..RESERVE_BYTES / block.len() as u64 {
        f.write_all(&block)?;
    }
    f.sync_all()
}

/// Gives the reserve back to the disk (a write found it full), so staff can still sign in;
/// returns whether there was one. Logged once.
pub fn release(data_dir: &Path) -> bool {
    let released = std::fs::remove_file(path(data_dir)).is_ok();
    if released {
        tracing::error!(
            "the disk is full: released the {} KiB kept for staff; free space in {}",
            RESERVE_BYTES / 1024,
            data_dir.display()
        );
    }
    released
}
