//! `clinic-kiosk config check`: the config file's problems, for the clinic's IT person.

use std::path::PathBuf;

/// `config check`: every problem of the config file (`file`, or where the app finds it) as
/// `path:line: key: message`; 1 when there is any.
pub(super) fn check(file: Option<PathBuf>) -> i32 {
    let (path, _) = crate::config::config_path(file);
    let (_, problems) = crate::config::file::load(&path, true);
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
