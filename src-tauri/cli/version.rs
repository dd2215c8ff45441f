//! `clinic-kiosk --version`: the app's version and the content it shows.

use std::path::PathBuf;

use crate::{content, paths};

/// "clinic-kiosk 0.1.0 (content 75f92b37655f)" plus the installed pack's version, if any:
/// what a clinic checks after installing or updating.
pub(super) fn version_line() -> String {
    let data_dir = paths::data_dir(None);
    let (dir, pack) = match crate::pack::installed(&data_dir) {
        Some(m) if std::env::var_os(paths::CONTENT_DIR_ENV).is_none() => {
            (data_dir.join(crate::pack::CONTENT), Some(m.version))
        }
        _ => (paths::content_dir(installed_resources()), None),
    };
    let hash = content::hash(&dir);
    let mut line = format!(
        "clinic-kiosk {} (content {}",
        env!("CARGO_PKG_VERSION"),
        &hash[..12]
    );
    if let Some(version) = pack {
        line.push_str(&format!(", pack version {version}"));
    }
    line.push(')');
    line
}

/// Where an installed package keeps its resources (the .deb puts them in
/// /usr/lib/<product name>/): next to nothing else, found from the binary's own path.
pub(super) fn installed_resources() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let prefix = exe.parent()?.parent()?;
    ["lib/Clinic Kiosk", "lib/clinic-kiosk"]
        .iter()
        .map(|d| prefix.join(d))
        .find(|d| d.join("content").is_dir())
}
