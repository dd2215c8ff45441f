//! Specialist callbacks with no network: the form's rules, the durable queue in kiosk.db,
//! staff accounts and sessions, the audit log and retention. No Tauri in here.

pub mod audit;
pub mod export;
pub mod outbox;
pub mod queue;
pub mod retention;
pub mod settings;
pub mod staff;
pub mod validate;

pub use queue::{Filter, InboxItem, Outcome, Receipt};
pub use settings::CallbackSettings;
pub use validate::{CallbackForm, FieldError, ValidRequest};

/// Milliseconds since the Unix epoch (the system clock; commands read `AppState::now_ms`).
pub fn now_ms() -> i64 {
    crate::clock::system_ms()
}

/// What can go wrong with callback requests, staff accounts and exports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// No request with that id (it may have been erased by retention).
    #[error("there is no callback request with that id")]
    NotFound,
    /// A status that is not one of `new`, `contacted`, `noAnswer`, `closed`.
    #[error("`{0}` is not a status; use new, contacted, noAnswer or closed")]
    UnknownStatus(String),
    /// A staff note over 500 characters.
    #[error("the note is longer than 500 characters; shorten it")]
    NoteTooLong,
    /// Staff name or PIN rules.
    #[error("{0}")]
    Staff(String),
    /// kiosk.db failed.
    #[error("kiosk database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The export file could not be written.
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    /// The CSV could not be written.
    #[error("cannot write the export: {0}")]
    Csv(#[from] csv::Error),
}

impl CallbackError {
    /// The disk is full (SQLite's `SQLITE_FULL`, or `ENOSPC` writing an export). A kiosk.db
    /// write that failed so was rolled back by SQLite; the same call works again once space
    /// is freed.
    pub fn is_storage_full(&self) -> bool {
        match self {
            CallbackError::Sqlite(e) => crate::store::is_storage_full(e),
            CallbackError::Io(e) => e.kind() == std::io::ErrorKind::StorageFull,
            _ => false,
        }
    }
}
