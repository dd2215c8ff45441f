//! The operators' command line: the same binary starts the kiosk with no subcommand, and
//! checks content, builds the library or searches it with one.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tracing_subscriber::Layer;

use crate::{content, library, paths};

#[derive(Debug, Parser)]
#[command(
    name = "clinic-kiosk",
    version,
    about = "Offline clinic information kiosk"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check or build the article library.
    Content {
        #[command(subcommand)]
        action: ContentAction,
    },
    /// Search the library and print the results as JSON.
    Search {
        /// The words to search for, as a patient would type them.
        words: String,
        /// Language of the articles to search.
        #[arg(long, default_value = "en", value_parser = ["en", "es"])]
        lang: String,
        /// Most results to print (1 to 50).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=50))]
        limit: u16,
        /// Content folder (default: the shipped content).
        #[arg(long)]
        content: Option<PathBuf>,
    },
    /// Check the clinic's config file.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Manage staff accounts in kiosk.db.
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
    /// Work with callback requests in kiosk.db.
    Callbacks {
        #[command(subcommand)]
        action: CallbackAction,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigAction {
    /// List every problem in a config file as `path:line: key: message`; exit 1 if any.
    Check {
        /// The file (default: --config, CLINIC_KIOSK_CONFIG, or the app's config folder).
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum StaffAction {
    /// Add a staff account; the PIN (6 to 12 digits, not easy to guess) is asked for twice,
    /// or read from stdin. The first account is always an admin.
    Add {
        /// The name staff pick on the PIN screen.
        name: String,
        /// `front-desk` (inbox, notes, export) or `admin` (also kiosk mode, pairing,
        /// content packs and staff accounts).
        #[arg(long, default_value = "front-desk", value_parser = ["front-desk", "admin"])]
        role: String,
        /// The config file whose `[staff]` PIN rules apply (default: as the app finds it).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Change a staff account's PIN (also lifts its lock).
    SetPin {
        name: String,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Lift the lock after too many wrong PINs: one account's, or with --kiosk the whole
    /// kiosk's.
    Unlock {
        /// The account to unlock.
        #[arg(required_unless_present = "kiosk")]
        name: Option<String>,
        /// Lift the kiosk-wide lock (every account was locked out).
        #[arg(long, conflicts_with = "name")]
        kiosk: bool,
    },
    /// Remove a staff account (not the last admin).
    Remove { name: String },
    /// List the staff accounts: name, role, and whether locked.
    List,
}

#[derive(Debug, Subcommand)]
enum CallbackAction {
    /// Write every callback request as CSV (Excel-safe) to a file or stdout.
    Export {
        /// The file to write (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum ContentAction {
    /// Make a signing key for content packs: the secret goes to FILE (keep it safe, never on a
    /// kiosk), the public key is printed for kiosks' [content] trusted_keys.
    Keygen {
        /// Where to write the secret key (refuses to overwrite).
        #[arg(long)]
        out: PathBuf,
    },
    /// Turn a content folder into one signed, versioned pack file.
    Pack {
        /// The secret key file from `content keygen`.
        #[arg(long)]
        key: PathBuf,
        /// The pack's version; larger is newer (default: the time now, as YYYYMMDDHHMM).
        #[arg(long)]
        version: Option<u64>,
        /// The pack file to write (default: content-VERSION.ckpack).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The content folder (default: the shipped content).
        dir: Option<PathBuf>,
    },
    /// Install a signed pack: checked against the config's trusted keys, newer than the
    /// installed one, then swapped in and the library rebuilt.
    Import {
        /// The pack file.
        file: PathBuf,
        /// The data folder (default: the app's, or CLINIC_KIOSK_DATA_DIR).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// The config file with [content] trusted_keys (default: as the app finds it).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Report every problem in a content folder as `path:line: field: message`; exit 1 on errors.
    Check {
        /// The content folder (default: the shipped content).
        dir: Option<PathBuf>,
    },
    /// Build library.db in the data folder from a content folder.
    Build {
        /// The content folder (default: the shipped content).
        dir: Option<PathBuf>,
        /// Where to write library.db (default: the app's data folder, or CLINIC_KIOSK_DATA_DIR).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

/// Subcommands and flags that mean "command line" rather than "start the kiosk". Anything
/// else (such as arguments a WebDriver passes) starts the window.
const CLI_WORDS: &[&str] = &[
    "content",
    "search",
    "staff",
    "callbacks",
    "config",
    "help",
    "--help",
    "-h",
    "--version",
    "-V",
];

/// Runs the command line or the kiosk; returns the process exit code.
pub fn main() -> i32 {
    // Before any file is made: the data folder and everything in it is the user's alone.
    paths::private_umask();
    let args: Vec<String> = std::env::args().collect();
    let is_cli = args.get(1).is_some_and(|a| CLI_WORDS.contains(&a.as_str()));
    let _log_guard = init_logging(!is_cli);
    if !is_cli {
        return match crate::run() {
            Ok(()) => 0,
            Err(message) => {
                eprintln!("clinic-kiosk: {message}");
                1
            }
        };
    }
    if matches!(args.get(1).map(String::as_str), Some("--version" | "-V")) {
        println!("{}", version_line());
        return 0;
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Some(Command::Content {
            action: ContentAction::Check { dir },
        }) => check(&dir.unwrap_or_else(|| paths::content_dir(None))),
        Some(Command::Content {
            action: ContentAction::Keygen { out },
        }) => keygen(&out),
        Some(Command::Content {
            action:
                ContentAction::Pack {
                    key,
                    version,
                    out,
                    dir,
                },
        }) => make_pack(
            &key,
            version,
            out,
            &dir.unwrap_or_else(|| paths::content_dir(None)),
        ),
        Some(Command::Content {
            action:
                ContentAction::Import {
                    file,
                    data_dir,
                    config,
                },
        }) => import_pack(
            &file,
            &data_dir.unwrap_or_else(|| paths::data_dir(None)),
            config,
        ),
        Some(Command::Content {
            action: ContentAction::Build { dir, data_dir },
        }) => build(
            &dir.unwrap_or_else(|| paths::content_dir(None)),
            &data_dir.unwrap_or_else(|| paths::data_dir(None)),
        ),
        Some(Command::Search {
            words,
            lang,
            limit,
            content,
        }) => search(
            &words,
            &lang,
            limit as usize,
            &content.unwrap_or_else(|| paths::content_dir(None)),
        ),
        Some(Command::Config {
            action: ConfigAction::Check { file },
        }) => config_check(file),
        Some(Command::Staff { action }) => staff(action),
        Some(Command::Callbacks {
            action: CallbackAction::Export { out },
        }) => export(out.as_deref()),
        None => match crate::run() {
            Ok(()) => 0,
            Err(message) => {
                eprintln!("clinic-kiosk: {message}");
                1
            }
        },
    }
}

/// "clinic-kiosk 0.1.0 (content 75f92b37655f)" plus the installed pack's version, if any:
/// what a clinic checks after installing or updating.
fn version_line() -> String {
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
fn installed_resources() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let prefix = exe.parent()?.parent()?;
    ["lib/Clinic Kiosk", "lib/clinic-kiosk"]
        .iter()
        .map(|d| prefix.join(d))
        .find(|d| d.join("content").is_dir())
}

/// Days of log files kept in the data folder's `logs/`.
const LOG_DAYS: usize = 14;

/// Logs go to stderr, and for the kiosk window also to a file a day in the data folder's
/// `logs/`, the oldest deleted after [`LOG_DAYS`]. Nothing a patient types is ever logged.
fn init_logging(to_file: bool) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("CLINIC_KIOSK_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,clinic_kiosk=info"))
    };
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let (file, guard) = if to_file {
        let dir = paths::data_dir(None).join("logs");
        let _ = std::fs::create_dir_all(&dir);
        match tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("clinic-kiosk")
            .filename_suffix("log")
            .max_log_files(LOG_DAYS)
            .build(&dir)
        {
            Ok(appender) => {
                let (writer, guard) = tracing_appender::non_blocking(appender);
                let layer = tracing_subscriber::fmt::layer()
                    .with_writer(writer)
                    .with_ansi(false)
                    .with_filter(filter());
                (Some(layer), Some(guard))
            }
            Err(err) => {
                eprintln!("clinic-kiosk: no log file in {}: {err}", dir.display());
                (None, None)
            }
        }
    } else {
        (None, None)
    };
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
    guard
}

fn check(dir: &std::path::Path) -> i32 {
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

fn keygen(out: &std::path::Path) -> i32 {
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

fn make_pack(
    key: &std::path::Path,
    version: Option<u64>,
    out: Option<PathBuf>,
    dir: &std::path::Path,
) -> i32 {
    let key = match crate::pack::read_secret(key) {
        Ok(k) => k,
        Err(err) => {
            eprintln!("clinic-kiosk: {err}");
            return 1;
        }
    };
    let version = version.unwrap_or_else(|| {
        let ms = crate::callbacks::now_ms();
        let day = crate::store::civil_date(ms.div_euclid(86_400_000)).replace('-', "");
        let mins = ms.rem_euclid(86_400_000) / 60_000;
        format!("{day}{:02}{:02}", mins / 60, mins % 60)
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

fn import_pack(file: &std::path::Path, data_dir: &std::path::Path, config: Option<PathBuf>) -> i32 {
    let (config, _) = crate::config::Config::load(config);
    let trusted: Vec<_> = config
        .trusted_keys
        .iter()
        .filter_map(|k| crate::pack::parse_public(k))
        .collect();
    let result = crate::pack::open(file, &trusted).and_then(|pack| {
        let version = pack.manifest.version;
        crate::pack::install(&pack, data_dir, &data_dir.join(paths::LIBRARY_DB))
            .map(|lib| (version, lib))
    });
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

fn build(dir: &std::path::Path, data_dir: &std::path::Path) -> i32 {
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

fn search(words: &str, lang: &str, limit: usize, content_dir: &std::path::Path) -> i32 {
    let db = paths::data_dir(None).join(paths::LIBRARY_DB);
    let lib = match library::open_or_build(content_dir, &db) {
        Ok((lib, _)) => lib,
        Err(err) => {
            eprintln!("clinic-kiosk: {err}");
            return 1;
        }
    };
    match lib.search(words, lang, limit) {
        Ok(results) => {
            let json =
                serde_json::to_string_pretty(&results.results).unwrap_or_else(|_| "[]".into());
            println!("{json}");
            if let Some(suggestion) = results.did_you_mean {
                eprintln!("no results; did you mean: {suggestion}");
            }
            0
        }
        Err(err) => {
            eprintln!("clinic-kiosk: {err}");
            1
        }
    }
}

fn role_words(role: crate::callbacks::staff::Role) -> &'static str {
    match role {
        crate::callbacks::staff::Role::FrontDesk => "front desk",
        crate::callbacks::staff::Role::Admin => "admin",
    }
}

fn kiosk_db() -> Result<rusqlite::Connection, String> {
    crate::store::open(&paths::data_dir(None).join(paths::KIOSK_DB)).map_err(|e| e.to_string())
}

/// A PIN typed twice at a terminal (not echoed), or one line from a pipe.
fn read_pin() -> Result<String, String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first =
            rpassword::prompt_password("PIN (6 to 12 digits): ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("PIN again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two PINs differ; nothing was changed".into());
        }
        Ok(first.trim().to_string())
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim().to_string())
    }
}

fn staff(action: StaffAction) -> i32 {
    use crate::callbacks::staff::{self as accounts, Role};
    let by = "command line";
    let policy = |config: Option<PathBuf>| crate::config::Config::load(config).0.staff;
    let result = (|| -> Result<String, String> {
        let conn = kiosk_db()?;
        let now = crate::callbacks::now_ms();
        let failed = |e: crate::callbacks::CallbackError| e.to_string();
        match action {
            StaffAction::Add { name, role, config } => {
                let role = Role::parse(&role).unwrap_or(Role::FrontDesk);
                let pin = read_pin()?;
                let (name, role) =
                    accounts::add(&conn, &name, &pin, role, &policy(config), by, now)
                        .map_err(failed)?;
                Ok(format!(
                    "added staff account `{name}` ({})",
                    role_words(role)
                ))
            }
            StaffAction::SetPin { name, config } => {
                let pin = read_pin()?;
                let name = accounts::set_pin(&conn, &name, &pin, &policy(config), by, now)
                    .map_err(failed)?;
                Ok(format!("changed the PIN of `{name}`"))
            }
            StaffAction::Unlock {
                name: Some(name),
                kiosk: false,
            } => {
                let name = accounts::lift_lock(&conn, &name, by, now).map_err(failed)?;
                Ok(format!("`{name}` can unlock the staff view again"))
            }
            StaffAction::Unlock { .. } => {
                accounts::lift_kiosk_lock(&conn, by, now).map_err(failed)?;
                Ok("the kiosk's wrong-PIN lock is lifted".into())
            }
            StaffAction::Remove { name } => {
                let name = accounts::remove(&conn, &name, by, now).map_err(failed)?;
                Ok(format!("removed staff account `{name}`"))
            }
            StaffAction::List => Ok(accounts::accounts(&conn)
                .map_err(failed)?
                .into_iter()
                .map(|a| {
                    let locked = if a.locked { ", LOCKED" } else { "" };
                    format!("{}\t{}{locked}", a.name, role_words(a.role))
                })
                .collect::<Vec<_>>()
                .join("\n")),
        }
    })();
    match result {
        Ok(message) => {
            println!("{message}");
            0
        }
        Err(message) => {
            eprintln!("clinic-kiosk: {message}");
            1
        }
    }
}

fn export(out: Option<&std::path::Path>) -> i32 {
    let result = (|| -> Result<usize, String> {
        let conn = kiosk_db()?;
        let rows = match out {
            Some(path) => {
                let file = std::fs::File::create(path)
                    .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                crate::callbacks::queue::export_csv(&conn, std::io::BufWriter::new(file))
            }
            None => crate::callbacks::queue::export_csv(&conn, std::io::stdout().lock()),
        }
        .map_err(|e| e.to_string())?;
        crate::callbacks::audit::record(
            &conn,
            crate::callbacks::now_ms(),
            "command line",
            "export",
            None,
            Some(&format!("{rows} row(s)")),
        )
        .map_err(|e| e.to_string())?;
        Ok(rows)
    })();
    match result {
        Ok(rows) => {
            eprintln!("exported {rows} request(s)");
            0
        }
        Err(message) => {
            eprintln!("clinic-kiosk: {message}");
            1
        }
    }
}

fn config_check(file: Option<PathBuf>) -> i32 {
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
