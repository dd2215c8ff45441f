//! Helpers shared by the integration tests: where the fixtures are, and libraries built
//! from a content folder into a temporary directory that is removed when the test ends.

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use clinic_kiosk::content;
use clinic_kiosk::library::{self, Library};
use tempfile::TempDir;

pub mod fhir_server;
pub mod ipc;

/// What every test returns, so `?` works on any error and the failure says what it was.
pub type TestResult = Result<(), Box<dyn Error>>;

/// A path inside the repository.
pub fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A folder under tests/fixtures/.
pub fn fixture(name: &str) -> PathBuf {
    repo("tests/fixtures").join(name)
}

/// The content the kiosk ships with.
pub fn real_content() -> PathBuf {
    repo("content")
}

/// A library built from `content_dir` into a fresh temporary folder. The folder is
/// returned too: the library file lives only as long as it does.
pub struct BuiltLibrary {
    pub dir: TempDir,
    pub library: Library,
}

impl BuiltLibrary {
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("library.db")
    }
}

/// Loads `content_dir`, refuses it if it has errors, and builds and opens its library.
pub fn build_library(content_dir: &Path) -> Result<BuiltLibrary, Box<dyn Error>> {
    let (content, diags) = content::load(content_dir);
    if diags.has_errors() {
        let lines: Vec<String> = diags.sorted().iter().map(ToString::to_string).collect();
        return Err(format!(
            "{} has content errors, so no library can be built from it:\n{}",
            content_dir.display(),
            lines.join("\n")
        )
        .into());
    }
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("library.db");
    library::build(&content, &db)?;
    let library = Library::open(&db)?;
    Ok(BuiltLibrary { dir, library })
}

/// Copies a folder and everything in it, so a test can change content without touching
/// the fixtures.
pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Every problem found in `content_dir`, as the author sees them (`path:line: field: message`).
pub fn diagnostic_lines(content_dir: &Path) -> Vec<String> {
    let (_, diags) = content::load(content_dir);
    diags.sorted().iter().map(ToString::to_string).collect()
}

/// The real `clinic-kiosk` binary, with none of the developer's own folder overrides.
pub fn kiosk() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_clinic-kiosk"));
    command
        .env_remove("CLINIC_KIOSK_DATA_DIR")
        .env_remove("CLINIC_KIOSK_CONTENT_DIR")
        .env_remove("CLINIC_KIOSK_LOG");
    command
}

/// The full name of test `name` in module `module` (give it `module_path!()`), as
/// `--exact` wants it when a test runs this binary again as a child: `packs::measure_child`.
pub fn test_name(module: &str, name: &str) -> String {
    let area = module
        .split_once("::")
        .map_or(module, |(_crate, area)| area);
    format!("{area}::{name}")
}
