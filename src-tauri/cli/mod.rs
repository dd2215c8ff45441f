//! The operators' command line: the same binary starts the kiosk with no subcommand, and
//! checks content, builds the library or searches it with one. `args` holds the words,
//! `logging` where the log goes, and each subcommand has a module of its own.

mod args;
mod callbacks;
mod config;
mod content;
mod logging;
mod search;
mod staff;
mod version;

use clap::Parser;

use crate::paths;
use args::{CallbackAction, Cli, Command, ConfigAction};

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

/// Runs the command line or the kiosk; returns the process exit code: 0 done, 1 failed,
/// 2 the arguments were wrong.
pub fn main() -> i32 {
    // Before any file is made: the data folder and everything in it is the user's alone.
    paths::private_umask();
    let args: Vec<String> = std::env::args().collect();
    let is_cli = args.get(1).is_some_and(|a| CLI_WORDS.contains(&a.as_str()));
    let _log_guard = logging::init_logging(!is_cli);
    if !is_cli {
        return kiosk();
    }
    if matches!(args.get(1).map(String::as_str), Some("--version" | "-V")) {
        println!("{}", version::version_line());
        return 0;
    }
    match Cli::try_parse_from(&args) {
        Ok(cli) => run(cli.command),
        Err(err) => {
            let _ = err.print();
            if err.use_stderr() {
                2
            } else {
                0
            }
        }
    }
}

/// Runs one subcommand, or the kiosk when there is none; returns the exit code.
fn run(command: Option<Command>) -> i32 {
    match command {
        Some(Command::Content { action }) => content::run(action),
        Some(Command::Search {
            words,
            lang,
            limit,
            content,
        }) => search::search(
            &words,
            &lang,
            limit as usize,
            &content.unwrap_or_else(|| paths::content_dir(None)),
        ),
        Some(Command::Config {
            action: ConfigAction::Check { file },
        }) => config::check(file),
        Some(Command::Staff { action }) => staff::run(action),
        Some(Command::Callbacks {
            action: CallbackAction::Export { out },
        }) => callbacks::export(out.as_deref()),
        None => kiosk(),
    }
}

/// Starts the kiosk window; 1 when it cannot start.
fn kiosk() -> i32 {
    match crate::run() {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("clinic-kiosk: {message}");
            1
        }
    }
}

/// kiosk.db in the app's data folder (or `CLINIC_KIOSK_DATA_DIR`), made if missing.
fn kiosk_db() -> Result<rusqlite::Connection, String> {
    crate::store::open(&paths::data_dir(None).join(paths::KIOSK_DB)).map_err(|e| e.to_string())
}
