//! The app's clock and its time formats: wall-clock Unix milliseconds, with an offset that
//! tests move forward to cross wrong-PIN delays and session lifetimes without sleeping (the
//! app never moves it), and every way a time is written, on `jiff`.

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

    /// Moves this clock `ms` milliseconds forward, or back when `ms` is negative (a clock
    /// set back, issue #16). Tests only: nothing in the app calls it.
    pub fn advance(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

/// Time since the machine booted, suspend included (Linux's `CLOCK_BOOTTIME`): it only
/// moves forward, and neither NTP nor anyone setting the clock steps it (issue #16).
/// `std::time::Instant` is not used for this: on Linux it stops while the machine is
/// suspended, so a kiosk suspended every night would fall behind by the night each time.
/// Elsewhere, the time since the first call (`Instant`).
pub fn since_boot() -> std::time::Duration {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
        std::time::Duration::new(
            t.tv_sec.max(0) as u64,
            t.tv_nsec.clamp(0, 999_999_999) as u32,
        )
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        static FIRST: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        FIRST.get_or_init(std::time::Instant::now).elapsed()
    }
}

fn timestamp(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Unix ms as RFC 3339 in UTC with milliseconds, such as `2026-11-25T14:03:07.250Z` (the
/// webhook body, FHIR `authoredOn`, pack manifests).
pub fn rfc3339(ms: i64) -> String {
    timestamp(ms).strftime("%Y-%m-%dT%H:%M:%S.%3fZ").to_string()
}

/// Unix ms as `YYYY-MM-DD HH:MM` in UTC (CSV exports).
pub fn utc_minutes(ms: i64) -> String {
    timestamp(ms).strftime("%Y-%m-%d %H:%M").to_string()
}

/// Unix ms as `YYYYMMDDHHMM` in UTC: a number that grows with time (a content pack's
/// default version).
pub fn utc_digits_to_minute(ms: i64) -> String {
    timestamp(ms).strftime("%Y%m%d%H%M").to_string()
}

/// Unix ms as `YYYY-MM-DD-HHMMSS` in UTC, for file names (exports).
pub fn utc_file_stamp(ms: i64) -> String {
    timestamp(ms).strftime("%Y-%m-%d-%H%M%S").to_string()
}

/// Unix ms of a [`utc_file_stamp`] (`YYYY-MM-DD-HHMMSS`, UTC), or `None` when `stamp` is not one.
pub fn parse_file_stamp(stamp: &str) -> Option<i64> {
    let civil = jiff::civil::DateTime::strptime("%Y-%m-%d-%H%M%S", stamp).ok()?;
    Some(
        civil
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_millisecond(),
    )
}

/// The UTC calendar date `YYYY-MM-DD` of Unix ms.
pub fn utc_date(ms: i64) -> String {
    timestamp(ms).strftime("%Y-%m-%d").to_string()
}

/// The calendar date `days` after 1970-01-01, as `YYYY-MM-DD`.
pub fn civil_date(days: i64) -> String {
    utc_date(days.saturating_mul(86_400_000))
}

/// Today's date in UTC as `YYYY-MM-DD`.
pub fn today_utc() -> String {
    utc_date(system_ms())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_764_079_387_250), "2025-11-25T14:03:07.250Z");
        assert_eq!(utc_minutes(1_764_079_387_250), "2025-11-25 14:03");
        assert_eq!(utc_digits_to_minute(1_764_079_387_250), "202511251403");
        assert_eq!(utc_file_stamp(1_764_079_387_250), "2025-11-25-140307");
        assert_eq!(
            parse_file_stamp("2025-11-25-140307"),
            Some(1_764_079_387_000)
        );
        assert_eq!(parse_file_stamp("2025-11-25"), None);
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_782), "2024-02-29");
        assert_eq!(civil_date(20_417), "2025-11-25");
    }

    #[test]
    fn a_moved_clock_moves_forward_only_by_what_it_was_told() {
        let clock = Clock::default();
        let before = clock.now_ms();
        clock.advance(3_600_000);
        let after = clock.now_ms();
        assert!((3_600_000..3_660_000).contains(&(after - before)));
    }
}
