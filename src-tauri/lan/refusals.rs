//! What the front-desk port logs about what it refuses: network text escaped and cut short,
//! and at most one line per address per [`LOG_INTERVAL_MS`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use super::{LOG_INTERVAL_MS, MAX_SOURCES};

/// Text from the network, safe to log or show: control, bidirectional and other invisible
/// characters escaped (a newline cannot start a forged log line), at most `max` characters.
pub fn escaped(text: &str, max: usize) -> String {
    let mut out: String = text.escape_debug().take(max).collect();
    if text.escape_debug().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// Refusals logged once per address per interval; the rest counted and told with the next.
#[derive(Default)]
pub struct RefusalLog {
    seen: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl RefusalLog {
    /// The line to log for this refusal, or `None` when one was logged for `source` within
    /// [`LOG_INTERVAL_MS`]. `what` must already be escaped (see [`escaped`]).
    pub fn line(&self, source: IpAddr, now: i64, what: &str) -> Option<String> {
        let mut seen = self.seen.lock().ok()?;
        if seen.len() >= MAX_SOURCES && !seen.contains_key(&source) {
            seen.retain(|_, (at, _)| now - *at < LOG_INTERVAL_MS);
            if seen.len() >= MAX_SOURCES {
                // Flooded from many addresses: log none of them until the interval passes.
                return None;
            }
        }
        let entry = seen.entry(source).or_insert((i64::MIN, 0));
        if entry.0 != i64::MIN && now - entry.0 < LOG_INTERVAL_MS {
            entry.1 = entry.1.saturating_add(1);
            return None;
        }
        let more = std::mem::take(&mut entry.1);
        entry.0 = now;
        Some(if more > 0 {
            format!("front-desk port: refused {source}: {what} (and {more} refusal(s) from there not logged)")
        } else {
            format!("front-desk port: refused {source}: {what}")
        })
    }

    /// Logs a refusal as a warning, at most once per address per interval.
    pub fn warn(&self, source: IpAddr, now: i64, what: &str) {
        if let Some(line) = self.line(source, now, what) {
            tracing::warn!("{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_text_is_escaped_and_cut_short() {
        assert_eq!(escaped("lobby", 10), "lobby");
        let forged = "x\nWARN forged line\u{202E}txt.exe\u{200B}\u{1b}[31m";
        let shown = escaped(forged, 200);
        assert!(
            !shown.contains('\n') && !shown.contains('\u{202E}'),
            "{shown}"
        );
        assert!(
            !shown.contains('\u{200B}') && !shown.contains('\u{1b}'),
            "{shown}"
        );
        assert!(
            shown.contains("\\n") && shown.contains("\\u{202e}"),
            "{shown}"
        );
        let long = "a".repeat(10_000);
        assert_eq!(escaped(&long, 64).chars().count(), 65, "64 and an ellipsis");
    }

    #[test]
    fn refusals_are_logged_once_per_address_per_interval() {
        let log = RefusalLog::default();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.5".parse().unwrap(), "10.0.0.6".parse().unwrap());
        let t0 = 1_000_000;
        assert!(log.line(a, t0, "first").is_some());
        for i in 1..=50 {
            assert!(log.line(a, t0 + i, "again").is_none(), "{i}");
        }
        assert!(log.line(b, t0 + 60, "another address").is_some());
        let next = log
            .line(a, t0 + LOG_INTERVAL_MS, "later")
            .expect("a new interval");
        assert!(next.contains("50 refusal(s)"), "{next}");
        assert!(log.line(a, t0 + LOG_INTERVAL_MS + 1, "x").is_none());
        // A flood from many addresses keeps the memory bounded.
        for i in 0..(MAX_SOURCES as u32 + 100) {
            let ip = IpAddr::V4(std::net::Ipv4Addr::from(0x0a01_0000 + i));
            let _ = log.line(ip, t0 + 2 * LOG_INTERVAL_MS, "flood");
        }
        assert!(log.seen.lock().unwrap().len() <= MAX_SOURCES);
    }
}
