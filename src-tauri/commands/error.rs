//! The error every command returns, shaped for the UI.

use serde::Serialize;

use crate::callbacks::staff::Refused;
use crate::callbacks::{CallbackError, FieldError};
use crate::library::LibraryError;

/// What the UI branches on.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The request itself was wrong (a field, a language code).
    InvalidInput,
    /// The article or topic does not exist.
    NotFound,
    /// The library cannot be used right now (missing, broken content, newer schema).
    Unavailable,
    /// A staff command without a live staff session: show the PIN screen.
    Unauthorized,
    /// Too many wrong PINs: wait `retryAfterSecs`.
    Locked,
    /// Too many wrong PINs in a row: the account or the kiosk stays locked until an admin
    /// or the command line (`clinic-kiosk staff unlock`) lifts it.
    HardLocked,
    /// Too many wrong PINs in a row on this kiosk: every account stays locked until the
    /// command line (`clinic-kiosk staff unlock --kiosk`) lifts it.
    KioskLocked,
    /// The staff member is signed in but their role may not do this (admin only).
    Forbidden,
    /// The disk holding the data folder is full: nothing was saved (issue #16). The patient
    /// is asked to go to the front desk; staff see it on the health screen and in the log.
    StorageFull,
    /// A bug or a failing disk.
    Internal,
}

/// `{ kind, message }`: `message` is for logs and staff, not for patients. Form errors add
/// `fields`, each with a message in the patient's language made for them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{kind:?}: {message}")]
pub struct CommandError {
    /// What the UI branches on.
    pub kind: ErrorKind,
    /// What went wrong, for logs and staff.
    pub message: String,
    /// With `invalidInput` from the callback form: each field's problem.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// With `locked` (and a wrong PIN once the delay started): seconds to wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

impl CommandError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CommandError {
            kind,
            message: message.into(),
            fields: Vec::new(),
            retry_after_secs: None,
        }
    }

    /// No live staff session: the UI shows the PIN screen.
    pub fn unauthorized() -> Self {
        CommandError::new(
            ErrorKind::Unauthorized,
            "the staff view is locked; unlock it with a PIN",
        )
    }

    /// A front-desk account asked for an admin-only command.
    pub fn forbidden() -> Self {
        CommandError::new(ErrorKind::Forbidden, "only an admin can do this")
    }

    /// The callback form broke `fields`' rules: `invalidInput`, naming them.
    pub fn fields(fields: Vec<FieldError>) -> Self {
        let names: Vec<&str> = fields.iter().map(|f| f.field).collect();
        CommandError {
            fields,
            ..CommandError::new(
                ErrorKind::InvalidInput,
                format!("check these fields: {}", names.join(", ")),
            )
        }
    }

    /// A bug or a failing disk: `internal`.
    pub fn internal(message: impl Into<String>) -> Self {
        CommandError::new(ErrorKind::Internal, message)
    }

    /// Something the command needs cannot be used now: `unavailable`.
    pub fn unavailable(message: impl Into<String>) -> Self {
        CommandError::new(ErrorKind::Unavailable, message)
    }
}

impl From<LibraryError> for CommandError {
    fn from(err: LibraryError) -> Self {
        let kind = match &err {
            LibraryError::NotFound { .. } => ErrorKind::NotFound,
            LibraryError::Language(_) => ErrorKind::InvalidInput,
            LibraryError::Missing(_)
            | LibraryError::Newer { .. }
            | LibraryError::Older { .. }
            | LibraryError::InvalidContent(_) => ErrorKind::Unavailable,
            _ => ErrorKind::Internal,
        };
        if kind == ErrorKind::Internal {
            tracing::error!("{err}");
        }
        CommandError::new(kind, err.to_string())
    }
}

impl From<CallbackError> for CommandError {
    fn from(err: CallbackError) -> Self {
        if err.is_storage_full() {
            tracing::error!(
                "the disk is full: kiosk.db could not save ({err}); nothing was changed. Free space in the data folder"
            );
            return CommandError::new(ErrorKind::StorageFull, err.to_string());
        }
        let kind = match &err {
            CallbackError::NotFound => ErrorKind::NotFound,
            CallbackError::UnknownStatus(_)
            | CallbackError::NoteTooLong
            | CallbackError::Staff(_) => ErrorKind::InvalidInput,
            _ => ErrorKind::Internal,
        };
        if kind == ErrorKind::Internal {
            tracing::error!("{err}");
        }
        CommandError::new(kind, err.to_string())
    }
}

impl From<Refused> for CommandError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Wrong { retry_after_secs } => CommandError {
                retry_after_secs,
                ..CommandError::new(ErrorKind::InvalidInput, "wrong name or PIN")
            },
            Refused::Wait { retry_after_secs } => CommandError {
                retry_after_secs: Some(retry_after_secs),
                ..CommandError::new(
                    ErrorKind::Locked,
                    "too many wrong PINs; wait before trying again",
                )
            },
            Refused::HardLocked => CommandError::new(
                ErrorKind::HardLocked,
                "locked after too many wrong PINs; an admin or `clinic-kiosk staff unlock` lifts it",
            ),
            Refused::KioskLocked => CommandError::new(
                ErrorKind::KioskLocked,
                "this kiosk is locked after too many wrong PINs; `clinic-kiosk staff unlock --kiosk` lifts it",
            ),
        }
    }
}
