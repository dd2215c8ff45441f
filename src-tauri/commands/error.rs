//! The error every command returns, shaped for the UI.

use serde::Serialize;

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
    /// A bug or a failing disk.
    Internal,
}

/// `{ kind, message }`: `message` is for logs and staff, not for patients.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, thiserror::Error)]
#[error("{kind:?}: {message}")]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
}

impl CommandError {
    pub fn internal(message: impl Into<String>) -> Self {
        CommandError {
            kind: ErrorKind::Internal,
            message: message.into(),
        }
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        CommandError {
            kind: ErrorKind::Unavailable,
            message: message.into(),
        }
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
        CommandError {
            kind,
            message: err.to_string(),
        }
    }
}
