//! `clinic-kiosk content ...`: check a content folder, build the library from it, and make,
//! sign and install content packs.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::args::ContentAction;
use crate::{content, library, paths};

/// Runs one `content` subcommand; returns the exit code.
pub(super) fn run(action: ContentAction) -> i32 {
    let shipped = || paths::content_dir(None);
    match action {
        ContentAction::Check { dir } => check(&dir.unwrap_or_else(shipped)),
        ContentAction::Keygen { out } => keygen(&out),
        ContentAction::Pack {
            key,
            version,
            out,
            dir,
        } => make_pack(&key, version, out, &dir.unwrap_or_else(shipped)),
        ContentAction::Import {
            file,
            data_dir,
            config,
        } => import_pack(
            &file,
            &data_dir.unwrap_or_else(|| paths::data_dir(None)),
            config,
        ),
        ContentAction::Build { dir, data_dir } => build(
            &dir.unwrap_or_else(shipped),
            &data_dir.unwrap_or_else(|| paths::data_dir(None)),
        ),
    }
}

/// `content check`: every problem in `dir`; 1 when there are errors.
fn check(dir: &Path) -> i32 {
    let (content, diags) = content::load(dir);
    let mut out = std::io::stdout().lock();
    for d in diags.sorted() {
        let _ = writeln!(out, "{d}");
    }
    let _ = writeln!(
        out,
        "{} article(s), {} error(s), {} warning(s)",
        content.articles.len(),
        diags.error_count(),
        diags.warning_count()
    );
    i32::from(diags.has_errors())
}

/// `content keygen`: a new key pair, the secret written to `out` (0600, never over an
/// existing file), the public key printed.
fn keygen(out: &Path) -> i32 {
    if out.exists() {
        eprintln!(
            "clinic-kiosk: {} exists; not overwritten (a key lost is a key no kiosk can replace)",
            out.display()
        );
        return 1;
    }
    let (secret, public) = crate::pack::keygen();
    let written = {
        use std::io::Write as _;
        #[cfg(unix)]
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        options.open(out).and_then(|mut f| writeln!(f, "{secret}"))
    };
    if let Err(err) = written {
        eprintln!("clinic-kiosk: cannot write {}: {err}", out.display());
        return 1;
    }
    println!(
        "secret key written to {} (keep it off the kiosks)",
        out.display()
    );
    println!("public key, for each kiosk's config:");
    println!("[content]\ntrusted_keys = [\"{public}\"]");
    0
}

/// `content pack`: `dir` signed with the secret key file `key` into `out`.
fn make_pack(key: &Path, version: Option<u64>, out: Option<PathBuf>, dir: &Path) -> i32 {
    let key = match crate::pack::read_secret(key) {
        Ok(k) => k,
        Err(err) => {
            eprintln!("clinic-kiosk: {err}");
            return 1;
        }
    };
    let version = version.unwrap_or_else(|| {
        crate::clock::utc_digits_to_minute(crate::clock::system_ms())
            .parse()
            .unwrap_or(1)
    });
    let out = out
        .unwrap_or_else(|| PathBuf::from(format!("content-{version}.{}", crate::pack::EXTENSION)));
    match crate::pack::create(dir, &key, version, &out) {
        Ok(manifest) => {
            println!(
                "wrote {} (version {}, {} file(s), content {})",
                out.display(),
                manifest.version,
                manifest.files.len(),
                &manifest.content_hash[..12]
            );
            0
        }
        Err(err) => {
            eprintln!("clinic-kiosk: not packed: {err}");
            1
        }
    }
}

/// `content import`: installs the pack `file` into `data_dir` if a key of the config trusts it.
fn import_pack(file: &Path, data_dir: &Path, config: Option<PathBuf>) -> i32 {
    let (config, _) = crate::config::Config::load(config);
    let trusted: Vec<_> = config
        .trusted_keys
        .iter()
        .filter_map(|k| crate::pack::parse_public(k))
        .collect();
    let result = crate::pack::open_and_install(file, data_dir, &trusted);
    match result {
        Ok((version, lib)) => {
            println!(
                "installed content version {version}: {} article(s); restart the kiosk to show them",
                lib.article_count().unwrap_or(0)
            );
            0
        }
        Err(err) => {
            eprintln!("clinic-kiosk: not imported: {err}; the articles in use were not changed");
            1
        }
    }
}

/// `content build`: library.db in `data_dir` from `dir`, unless the content has errors.
fn build(dir: &Path, data_dir: &Path) -> i32 {
    let (content, diags) = content::load(dir);
    for d in diags.sorted() {
        eprintln!("{d}");
    }
    if diags.has_errors() {
        eprintln!(
            "clinic-kiosk: not built: the content has {} error(s); the library in use was not changed",
            diags.error_count()
        );
        return 1;
    }
    let target = data_dir.join(paths::LIBRARY_DB);
    match library::build(&content, &target) {
        Ok(stats) => {
            println!(
                "built {} with {} article(s) in {} topic(s)",
                target.display(),
                stats.articles,
                stats.topics
            );
            0
        }
        Err(err) => {
            eprintln!("clinic-kiosk: {err}");
            1
        }
    }
}
