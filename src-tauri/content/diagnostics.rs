//! Problems found in content, each pointing at a file, a line and a field.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is: errors stop a build, warnings are only reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Stops `content build` and a pack's install.
    Error,
    /// Only reported.
    Warning,
}

/// One problem in one content file, printed as `path:line: field: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the content folder's parent when possible.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// The front-matter field, or `body`, `file`, `toml` for problems outside one field.
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        write!(
            f,
            "{}:{}: {}: {}{}",
            self.path.display(),
            self.line,
            self.field,
            level,
            self.message
        )
    }
}

/// Collects every problem in a content folder so they can be shown at once.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records an error at `path`, `line` (1-based) and `field`.
    pub fn error(&mut self, path: &Path, line: usize, field: &str, message: impl Into<String>) {
        self.push(Severity::Error, path, line, field, message.into());
    }

    /// Records a warning at `path`, `line` (1-based) and `field`.
    pub fn warning(&mut self, path: &Path, line: usize, field: &str, message: impl Into<String>) {
        self.push(Severity::Warning, path, line, field, message.into());
    }

    fn push(&mut self, severity: Severity, path: &Path, line: usize, field: &str, message: String) {
        self.items.push(Diagnostic {
            severity,
            path: path.to_path_buf(),
            line: line.max(1),
            field: field.to_string(),
            message,
        });
    }

    /// Moves every problem of `other` into this collection.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// How many errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// How many warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Problems sorted by file and line, so authors can work through them top to bottom.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut items = self.items.clone();
        items.sort_by(|a, b| {
            (&a.path, a.line, a.severity, &a.field).cmp(&(&b.path, b.line, b.severity, &b.field))
        });
        items
    }
}

/// Converts a byte offset in `text` to a 1-based line number.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
