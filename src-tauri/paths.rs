//! Where the app keeps its files: the data folder (library.db, kiosk.db) and the content
//! folder it builds the library from. Environment variables override both, for tests and
//! for clinics that keep data elsewhere.

use std::path::PathBuf;

/// Overrides the data folder.
pub const DATA_DIR_ENV: &str = "CLINIC_KIOSK_DATA_DIR";
/// Overrides the content folder.
pub const CONTENT_DIR_ENV: &str = "CLINIC_KIOSK_CONTENT_DIR";
/// Must match `identifier` in tauri.conf.json: Tauri's app data folder is named after it.
pub const IDENTIFIER: &str = "org.clinickiosk.app";

/// The article library's file in the data folder.
pub const LIBRARY_DB: &str = "library.db";
/// The kiosk's own database's file in the data folder (staff, requests, counts).
pub const KIOSK_DB: &str = "kiosk.db";

fn from_env(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The data folder: `CLINIC_KIOSK_DATA_DIR`, else `app_data` (Tauri's app data folder, when
/// the window is up), else the OS data folder named after the app.
pub fn data_dir(app_data: Option<PathBuf>) -> PathBuf {
    from_env(DATA_DIR_ENV)
        .or(app_data)
        .or_else(|| dirs::data_dir().map(|d| d.join(IDENTIFIER)))
        .unwrap_or_else(|| PathBuf::from(".clinic-kiosk-data"))
}

/// The content folder: `CLINIC_KIOSK_CONTENT_DIR`, else the bundled `content/` resource of
/// an installed app, else the repository's `content/` (development builds).
pub fn content_dir(resources: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = from_env(CONTENT_DIR_ENV) {
        return dir;
    }
    if let Some(dir) = resources.map(|r| r.join("content")).filter(|d| d.is_dir()) {
        return dir;
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content");
    if repo.is_dir() {
        return repo;
    }
    PathBuf::from("content")
}

/// Whether a folder sits on an encrypted block device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Encryption {
    /// On dm-crypt (LUKS), directly or under LVM.
    Encrypted,
    /// On a block device with no dm-crypt layer below it.
    NotEncrypted,
    /// Not on a block device the kernel describes in /sys (tmpfs, overlay, another OS).
    Unknown,
}

/// Whether `dir` is on dm-crypt: the device holding it, and every device below it
/// (`slaves/`), is looked up in /sys/dev/block; a dm device whose `dm/uuid` starts with
/// `CRYPT-` is dm-crypt (the prefix cryptsetup gives LUKS and plain mappings).
pub fn encryption(dir: &std::path::Path) -> Encryption {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(meta) = std::fs::metadata(dir) else {
            return Encryption::Unknown;
        };
        let dev = meta.dev();
        let (major, minor) = (rustix::fs::major(dev), rustix::fs::minor(dev));
        let sys = std::path::PathBuf::from(format!("/sys/dev/block/{major}:{minor}"));
        if !sys.exists() {
            return Encryption::Unknown;
        }
        if crypt_below(&sys, 0) {
            Encryption::Encrypted
        } else {
            Encryption::NotEncrypted
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        Encryption::Unknown
    }
}

#[cfg(target_os = "linux")]
fn crypt_below(device: &std::path::Path, depth: usize) -> bool {
    let uuid = std::fs::read_to_string(device.join("dm/uuid")).unwrap_or_default();
    if uuid.starts_with("CRYPT-") {
        return true;
    }
    // A partition's parent holds no slaves; a dm device (LVM, crypt) lists what it is on.
    depth < 8
        && std::fs::read_dir(device.join("slaves"))
            .map(|entries| entries.flatten().any(|e| crypt_below(&e.path(), depth + 1)))
            .unwrap_or(false)
}

/// Makes every file and folder this process creates private to its user (umask 077), so
/// kiosk.db, its WAL and SHM files, the logs, exports and staged packs are 0600 and their
/// folders 0700 whatever the session's umask. Called first thing in `main`.
pub fn private_umask() {
    #[cfg(unix)]
    {
        rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    }
}

/// How deep [`tighten`] walks below the data folder (data/content/articles/x.md is 3).
const TIGHTEN_DEPTH: usize = 4;

/// Takes group and other permissions away from `dir` and everything in it (folders 0700,
/// files 0600 at most), for data folders made by an older version or under a loose umask.
/// Symbolic links are left alone (never followed). Returns each path whose mode was
/// loosened, with the mode it had, for the log.
pub fn tighten(dir: &std::path::Path) -> Vec<(PathBuf, u32)> {
    let mut changed = Vec::new();
    #[cfg(unix)]
    tighten_into(dir, 0, &mut changed);
    changed
}

#[cfg(unix)]
fn tighten_into(path: &std::path::Path, depth: usize, changed: &mut Vec<(PathBuf, u32)>) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    if meta.file_type().is_symlink() {
        return;
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        let tight = mode & 0o700;
        if std::fs::set_permissions(path, std::fs::Permissions::from_mode(tight)).is_ok() {
            changed.push((path.to_path_buf(), mode));
        }
    }
    if meta.is_dir() && depth < TIGHTEN_DEPTH {
        if let Ok(entries) = std::fs::read_dir(path) {
            for entry in entries.flatten() {
                tighten_into(&entry.path(), depth + 1, changed);
            }
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dm_crypt_is_found_below_lvm_and_partitions_are_not_encrypted() -> std::io::Result<()> {
        // A /sys/dev/block-like tree: dm-1 (LVM) on dm-0 (LUKS) on vda2.
        let sys = tempfile::tempdir()?;
        let lvm = sys.path().join("dm-1");
        let crypt = lvm.join("slaves/dm-0");
        std::fs::create_dir_all(lvm.join("dm"))?;
        std::fs::create_dir_all(crypt.join("dm"))?;
        std::fs::create_dir_all(crypt.join("slaves/vda2"))?;
        std::fs::write(lvm.join("dm/uuid"), "LVM-abc\n")?;
        std::fs::write(crypt.join("dm/uuid"), "CRYPT-LUKS2-0f3a-cryptroot\n")?;
        assert!(crypt_below(&lvm, 0), "LVM on LUKS is encrypted");
        assert!(
            !crypt_below(&crypt.join("slaves/vda2"), 0),
            "a plain partition is not"
        );
        std::fs::write(crypt.join("dm/uuid"), "LVM-def\n")?;
        assert!(!crypt_below(&lvm, 0), "LVM on LVM is not");
        // This machine's own disk is not dm-crypt (and never said to be).
        assert_ne!(encryption(sys.path()), Encryption::Encrypted);
        Ok(())
    }

    #[test]
    fn tighten_takes_group_and_other_bits_away_and_says_what_it_changed() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let logs = dir.path().join("logs");
        std::fs::create_dir(&logs)?;
        let db = dir.path().join("kiosk.db");
        let log = logs.join("clinic-kiosk.log");
        std::fs::write(&db, b"x")?;
        std::fs::write(&log, b"x")?;
        for (p, m) in [(&db, 0o644), (&log, 0o666), (&logs, 0o755)] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m))?;
        }
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
        let changed = tighten(dir.path());
        assert_eq!(changed.len(), 4, "{changed:?}");
        assert_eq!(mode(dir.path()), 0o700);
        assert_eq!(mode(&logs), 0o700);
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&log), 0o600);
        assert!(
            tighten(dir.path()).is_empty(),
            "a second pass changes nothing"
        );
        Ok(())
    }
}
