//! The packs on offer to staff (issue #6): those in the data folder's `packs/` or on a USB
//! stick, each with where it stands, and importing one of them.

use std::path::Path;

use ed25519_dalek::VerifyingKey;
use serde::Serialize;

use super::{find, installed, open_and_install, peek, search_folders, PackError};
use crate::library::Library;

/// Where a pack stands for staff, on the wire in camelCase: `ready` or `notNewer` to
/// list, `installed` after an import, or why it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PackState {
    /// Signed by a trusted key and newer than the installed pack.
    Ready,
    /// Imported: its articles are in use.
    Installed,
    /// Not newer than the installed pack.
    NotNewer,
    /// Signed by a key the config does not trust.
    Untrusted,
    /// Changed after signing (signature, a file, a file missing or added).
    Changed,
    /// Not signed at all.
    Unsigned,
    /// Cut short (a copy that did not finish).
    Truncated,
    /// Not a pack, or too large to be one.
    NotAPack,
    /// The config trusts no key, so no pack can be checked.
    NoKeys,
    /// Its articles fail the content checks.
    BadContent,
    /// It, the key or the library could not be read or written.
    Unreadable,
}

impl From<&PackError> for PackState {
    fn from(err: &PackError) -> Self {
        match err {
            PackError::UntrustedKey(_) => PackState::Untrusted,
            PackError::BadSignature
            | PackError::FileMismatch(_)
            | PackError::Missing(_)
            | PackError::Extra(_) => PackState::Changed,
            PackError::Unsigned => PackState::Unsigned,
            PackError::Truncated(_) => PackState::Truncated,
            PackError::NotAPack(_) | PackError::TooLarge(_) => PackState::NotAPack,
            PackError::NoTrustedKeys => PackState::NoKeys,
            PackError::NotNewer { .. } => PackState::NotNewer,
            PackError::BadContent(_) => PackState::BadContent,
            PackError::Io { .. } | PackError::BadKey(_) | PackError::Library(_) => {
                PackState::Unreadable
            }
        }
    }
}

/// One pack on offer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackView {
    /// Its full path, which [`import`] takes back.
    pub path: String,
    /// Its file name.
    pub name: String,
    /// The pack's version when it checked out.
    pub version: Option<u64>,
    /// `ready`, `notNewer`, or why it is refused.
    pub state: PackState,
    /// The refusal in words, for staff.
    pub detail: Option<String>,
}

/// The installed pack and the packs on offer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PacksView {
    /// The installed pack's version, or `None` for the articles the app shipped with.
    pub installed: Option<u64>,
    /// At most 20, newest file name first.
    pub packs: Vec<PackView>,
}

/// What an import did, and the packs on offer after it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportView {
    /// `installed`, or why the pack was refused.
    pub outcome: PackState,
    /// The refusal in words, for staff.
    pub detail: Option<String>,
    /// Articles in the new library.
    pub article_count: Option<i64>,
    /// The listing after the import.
    pub packs: PacksView,
}

/// The packs on offer for `data_dir` (see [`search_folders`]), each checked against `keys`
/// by its signed manifest only; its files are read on import.
pub fn listing(data_dir: &Path, keys: &[VerifyingKey]) -> PacksView {
    let installed = installed(data_dir).map(|m| m.version);
    let packs = find(&search_folders(data_dir))
        .into_iter()
        .take(20)
        .map(|path| {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let (version, state, detail) = match peek(&path, keys) {
                Ok(m) if m.version > installed.unwrap_or(0) => {
                    (Some(m.version), PackState::Ready, None)
                }
                Ok(m) => (
                    Some(m.version),
                    PackState::NotNewer,
                    Some(
                        PackError::NotNewer {
                            pack: m.version,
                            installed: installed.unwrap_or(0),
                        }
                        .to_string(),
                    ),
                ),
                Err(err) => (None, PackState::from(&err), Some(err.to_string())),
            };
            PackView {
                path: path.to_string_lossy().to_string(),
                name,
                version,
                state,
                detail,
            }
        })
        .collect();
    PacksView { installed, packs }
}

/// Whether `path` is one of the packs on offer for `data_dir`: staff import only those,
/// never a path from elsewhere.
pub fn is_offered(path: &Path, data_dir: &Path) -> bool {
    find(&search_folders(data_dir)).iter().any(|p| p == path)
}

/// Imports the pack at `path` ([`open_and_install`]) and hands the new library and its
/// version to `swap`, which puts it in use, before listing the packs again. A refused pack
/// changes nothing; only `swap`'s error is an `Err`.
pub fn import<E>(
    path: &Path,
    data_dir: &Path,
    keys: &[VerifyingKey],
    swap: impl FnOnce(u64, Library) -> Result<(), E>,
) -> Result<ImportView, E> {
    let (outcome, detail, article_count) = match open_and_install(path, data_dir, keys) {
        Ok((version, lib)) => {
            let count = lib.article_count().ok();
            swap(version, lib)?;
            (PackState::Installed, None, count)
        }
        Err(err) => {
            tracing::warn!("content pack {} refused: {err}", path.display());
            (PackState::from(&err), Some(err.to_string()), None)
        }
    };
    Ok(ImportView {
        outcome,
        detail,
        article_count,
        packs: listing(data_dir, keys),
    })
}

#[cfg(test)]
mod tests {
    use super::PackState;

    #[test]
    fn pack_states_keep_their_wire_names() {
        let names: Vec<String> = [
            PackState::Ready,
            PackState::Installed,
            PackState::NotNewer,
            PackState::Untrusted,
            PackState::Changed,
            PackState::Unsigned,
            PackState::Truncated,
            PackState::NotAPack,
            PackState::NoKeys,
            PackState::BadContent,
            PackState::Unreadable,
        ]
        .iter()
        .map(|s| {
            serde_json::to_value(s)
                .expect("json")
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
        assert_eq!(
            names,
            [
                "ready",
                "installed",
                "notNewer",
                "untrusted",
                "changed",
                "unsigned",
                "truncated",
                "notAPack",
                "noKeys",
                "badContent",
                "unreadable"
            ],
            "the staff screen branches on these"
        );
    }
}
