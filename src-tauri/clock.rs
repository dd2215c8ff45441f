//! The app's clock: wall-clock Unix milliseconds, with an offset that tests move forward to
//! cross wrong-PIN delays and session lifetimes without sleeping. The app never moves it.

use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds since the Unix epoch by the system clock (0 if it is before 1970).
pub fn system_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The clock the commands read. `Default` is the system clock.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Now, in Unix ms.
    pub fn now_ms(&self) -> i64 {
        system_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves this clock `ms` milliseconds forward (tests only: nothing in the app calls it).
    pub fn advance(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}
