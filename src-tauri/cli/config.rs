//! `clinic-kiosk config check`: the config file's problems, for the clinic's IT person.

use std::path::{Path, PathBuf};

use crate::{content, paths};

/// The config's FHIR `recipients` checked against the specialties of the content the app
/// shows (an installed pack, else the shipped articles; `CLINIC_KIOSK_CONTENT_DIR` first).
/// None when that content has no specialties to compare with (it could not be read).
fn content_problems(
    path: &Path,
    config: &crate::config::Config,
) -> Vec<crate::config::ConfigProblem> {
    let data_dir = paths::data_dir(None);
    let dir = match crate::pack::installed(&data_dir) {
        Some(_) if std::env::var_os(paths::CONTENT_DIR_ENV).is_none() => {
            data_dir.join(crate::pack::CONTENT)
        }
        _ => paths::content_dir(super::version::installed_resources()),
    };
    let (content, _) = content::load(&dir);
    let specialties: Vec<String> = content.specialties.into_iter().map(|s| s.slug).collect();
    if specialties.is_empty() {
        return Vec::new();
    }
    crate::config::destination::content_problems(path, config, &specialties)
}

/// `config check`: every problem of the config file (`file`, or where the app finds it) as
/// `path:line: key: message`, with what it names that the content does not have; 1 when
/// there is any.
pub(super) fn check(file: Option<PathBuf>) -> i32 {
    let (path, _) = crate::config::config_path(file);
    let (config, mut problems) = crate::config::file::load(&path, true);
    problems.extend(content_problems(&path, &config));
    for p in &problems {
        println!("{p}");
    }
    if problems.is_empty() {
        println!("{}: ok", path.display());
        0
    } else {
        println!("{} problem(s)", problems.len());
        1
    }
}
