//! The command line's words: subcommands, their arguments and their help text (clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// `clinic-kiosk [SUBCOMMAND]`: no subcommand starts the kiosk.
#[derive(Debug, Parser)]
#[command(
    name = "clinic-kiosk",
    version,
    about = "Offline clinic information kiosk"
)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
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
pub(super) enum ConfigAction {
    /// List every problem in a config file as `path:line: key: message`; exit 1 if any.
    Check {
        /// The file (default: --config, CLINIC_KIOSK_CONFIG, or the app's config folder).
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum StaffAction {
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
pub(super) enum CallbackAction {
    /// Write every callback request as CSV (Excel-safe) to a file or stdout.
    Export {
        /// The file to write (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum ContentAction {
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
