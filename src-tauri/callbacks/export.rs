//! Where staff may save the CSV export (issue #11): the config's `export_dir` or a writable
//! removable drive, never the data folder (a kiosk's disk holds as little as it can), and
//! the file is the user's alone (0600).

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{queue, CallbackError};

/// Where an export folder is, on the wire in camelCase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FolderKind {
    /// The config's `export_dir`.
    Configured,
    /// A USB drive.
    Removable,
}

/// A folder the export may go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportFolder {
    /// The folder's full path, which the export takes back.
    pub path: String,
    /// `configured` (the config's `export_dir`) or `removable` (a USB drive).
    pub kind: FolderKind,
    /// The folder's own name, for the button.
    pub label: String,
}

/// Mount points removable drives appear under (udisks, systemd-mount, by hand).
const REMOVABLE_ROOTS: &[&str] = &["/media/", "/run/media/", "/mnt/"];

/// Unescapes a mount point from /proc/self/mounts (`\040` for a space, octal).
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let digit = |b: u8| u32::from(b - b'0');
            let n = digit(bytes[i + 1]) * 64 + digit(bytes[i + 2]) * 8 + digit(bytes[i + 3]);
            out.push(n as u8);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Writable removable drives in a mount table (the text of /proc/self/mounts).
pub fn removable_in(mounts: &str) -> Vec<PathBuf> {
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split(' ');
            let (_dev, point, _fs, options) = (
                fields.next()?,
                fields.next()?,
                fields.next()?,
                fields.next()?,
            );
            let point = unescape(point);
            let writable = !options.split(',').any(|o| o == "ro");
            (writable && REMOVABLE_ROOTS.iter().any(|r| point.starts_with(r)))
                .then(|| PathBuf::from(point))
        })
        .collect()
}

/// Whether `path` is `data_dir` or inside it (after resolving links where they exist).
fn inside(path: &Path, data_dir: &Path) -> bool {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    canon(path).starts_with(canon(data_dir))
}

/// The folders staff may choose from now: `configured` first, then removable drives.
pub fn folders(configured: Option<&Path>, data_dir: &Path) -> Vec<ExportFolder> {
    let label = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string())
    };
    let mut out = Vec::new();
    if let Some(dir) = configured.filter(|d| d.is_dir() && !inside(d, data_dir)) {
        out.push(ExportFolder {
            path: dir.display().to_string(),
            kind: FolderKind::Configured,
            label: label(dir),
        });
    }
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    for dir in removable_in(&mounts) {
        if !inside(&dir, data_dir) && dir.is_dir() {
            out.push(ExportFolder {
                path: dir.display().to_string(),
                kind: FolderKind::Removable,
                label: label(&dir),
            });
        }
    }
    out
}

/// Writes every request as CSV into `folder` (which must be one of [`folders`]) as
/// `callbacks-STAMP.csv`, mode 0600, never over an existing file. Returns the path and
/// the number of rows. Errors: the folder is not offered (`CallbackError::Staff`), I/O.
pub fn write(
    conn: &rusqlite::Connection,
    folder: &str,
    offered: &[ExportFolder],
    stamp: &str,
) -> Result<(PathBuf, usize), CallbackError> {
    if !offered.iter().any(|f| f.path == folder) {
        return Err(CallbackError::Staff(
            "that folder is not offered for exports; choose a USB drive or the configured export folder".into(),
        ));
    }
    let dir = Path::new(folder);
    let mut n = 1;
    loop {
        let name = if n == 1 {
            format!("callbacks-{stamp}.csv")
        } else {
            format!("callbacks-{stamp}-{n}.csv")
        };
        let path = dir.join(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(file) => {
                let rows = queue::export_csv(conn, std::io::BufWriter::new(&file))?;
                file.sync_all()?;
                return Ok((path, rows));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Staff's export: [`write()`] into `folder` (one of `offered`) stamped with `now` (Unix ms,
/// UTC to the second), recorded in the audit log as `staff`. Returns the path and the
/// number of rows.
pub fn export(
    conn: &rusqlite::Connection,
    folder: &str,
    offered: &[ExportFolder],
    staff: &str,
    now: i64,
) -> Result<(PathBuf, usize), CallbackError> {
    // `write` never overwrites an earlier export made the same second.
    let stamp = crate::clock::utc_file_stamp(now);
    let (path, rows) = write(conn, folder, offered, &stamp)?;
    super::audit::record(
        conn,
        now,
        staff,
        "export",
        None,
        Some(&format!("{rows} row(s) to {folder}")),
    )?;
    Ok((path, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removable_drives_are_writable_mounts_under_the_usual_roots() {
        let mounts = "/dev/vda / ext4 rw,relatime 0 0\n\
            /dev/sdb1 /media/kiosk/CLINIC\\040USB vfat rw,nosuid,nodev 0 0\n\
            /dev/sdc1 /media/clinic-kiosk/packs vfat ro,nosuid,nodev,noexec 0 0\n\
            /dev/sdd1 /run/media/ana/STICK exfat rw 0 0\n\
            tmpfs /run tmpfs rw 0 0\n";
        assert_eq!(
            removable_in(mounts),
            [
                PathBuf::from("/media/kiosk/CLINIC USB"),
                PathBuf::from("/run/media/ana/STICK")
            ],
            "read-only mounts (the pack folder) and system mounts are not offered"
        );
    }

    #[test]
    fn the_data_folder_is_never_offered() {
        let data = tempfile::tempdir().expect("tempdir");
        let inner = data.path().join("exports");
        std::fs::create_dir(&inner).expect("mkdir");
        assert!(folders(Some(&inner), data.path())
            .iter()
            .all(|f| f.kind != FolderKind::Configured));
        let other = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            folders(Some(other.path()), data.path())[0].kind,
            FolderKind::Configured
        );
        assert_eq!(
            serde_json::json!([FolderKind::Configured, FolderKind::Removable]),
            serde_json::json!(["configured", "removable"]),
            "the staff screen labels these"
        );
    }
}
