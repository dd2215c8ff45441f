//! Delivery of callback requests from kiosk.db's outbox to the clinic's destinations (issue
//! #5): an HTTPS webhook signed with HMAC-SHA256, or a FHIR R4 server. Each outbox row is
//! tried until it is delivered; the request id is the idempotency key, so a retry never makes
//! a second request at the receiver. State lives in kiosk.db, so a restart resumes.
//!
//! No Tauri here: [`worker`] runs on any tokio runtime, and the tests drive it against real
//! HTTP servers on loopback.

pub mod fhir;
pub mod smart;
/// The outbox rows: written and read by `crate::callbacks::outbox`, the one writer.
pub use crate::callbacks::outbox;
/// The webhook signature (`crate::webhook`).
pub use crate::webhook;
/// What is sent: the request as read back and the webhook body (`crate::webhook::body`).
pub use crate::webhook::body as payload;
pub mod worker;

use std::collections::BTreeMap;

pub use crate::callbacks::outbox::STAFF_INBOX;

/// Where requests go, from the config's `[[destination]]` tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The name staff see and outbox rows carry, such as `clinic-webhook`.
    pub id: String,
    /// How it is delivered there.
    pub kind: Kind,
}

/// A kind of destination and what it needs.
#[derive(Clone, PartialEq, Eq)]
pub enum Kind {
    /// POST of the versioned JSON body, signed (see [`webhook`]).
    Webhook {
        /// `https://`, or `http://` to this machine.
        url: String,
        /// The shared secret the body is signed with.
        secret: String,
    },
    /// POST of a FHIR R4 CommunicationRequest to `{base}/CommunicationRequest`.
    Fhir {
        /// The server's base URL.
        base: String,
        /// How the kiosk gets the bearer token the server expects.
        auth: FhirAuth,
        /// The `identifier.system` under which the request id is recorded.
        identifier_system: String,
        /// Specialty slug -> FHIR reference of who calls back (`PractitionerRole/12`).
        recipients: BTreeMap<String, String>,
    },
    /// The paired front-desk laptop on the LAN (see `crate::lan`): the webhook body, signed
    /// with the pairing's secret, over TLS pinned to the laptop's certificate.
    FrontDesk {
        /// `host:port`.
        address: String,
        /// The laptop certificate's SHA-256 fingerprint, pinned.
        fingerprint: String,
        /// This kiosk's id at the laptop.
        kiosk_id: String,
        /// The secret pairing derived, which signs each body.
        secret: String,
    },
}

// Secrets stay out of logs and debug output.
impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kind::Webhook { url, .. } => f
                .debug_struct("Webhook")
                .field("url", url)
                .finish_non_exhaustive(),
            Kind::Fhir {
                base,
                auth,
                identifier_system,
                recipients,
            } => f
                .debug_struct("Fhir")
                .field("base", base)
                .field("auth", auth)
                .field("identifier_system", identifier_system)
                .field("recipients", recipients)
                .finish_non_exhaustive(),
            Kind::FrontDesk {
                address, kiosk_id, ..
            } => f
                .debug_struct("FrontDesk")
                .field("address", address)
                .field("kiosk_id", kiosk_id)
                .finish_non_exhaustive(),
        }
    }
}

/// How a FHIR destination gets the bearer token its server expects (issue #15). The config
/// names where the secret is, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FhirAuth {
    /// A token alone in a file only the kiosk's user can read; read at each send, so a
    /// renewed token is used at once.
    TokenFile(std::path::PathBuf),
    /// SMART Backend Services: tokens from the EHR's token endpoint, got with a JWT signed
    /// by the kiosk's key, kept until shortly before they expire ([`smart`]).
    Smart(smart::Client),
}

impl Kind {
    /// The kind as the config and the health screen name it: `webhook`, `fhir`, `front-desk`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Webhook { .. } => "webhook",
            Kind::Fhir { .. } => "fhir",
            Kind::FrontDesk { .. } => "front-desk",
        }
    }
}

/// Exponential backoff with full jitter: the n-th retry waits a random time between 0 and
/// `min(cap, base * 2^n)`. A receiver's Retry-After wins when it asks for longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first retry's ceiling, ms.
    pub base_ms: i64,
    /// No wait is longer, ms.
    pub cap_ms: i64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base_ms: 5_000,
            cap_ms: 15 * 60_000,
        }
    }
}

impl Backoff {
    /// The longest wait after `attempts` failed tries (1 = the first failure).
    pub fn ceiling(&self, attempts: u32) -> i64 {
        let doubled = self
            .base_ms
            .saturating_mul(1_i64 << attempts.saturating_sub(1).min(40));
        doubled.min(self.cap_ms)
    }

    /// The wait before the next try, after `attempts` failed tries.
    pub fn delay(&self, attempts: u32, rng: &mut fastrand::Rng) -> i64 {
        let ceiling = self.ceiling(attempts).max(1);
        rng.i64(0..=ceiling)
    }
}

/// What one try at delivering one row came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The receiver acknowledged it (2xx).
    Delivered {
        /// Its HTTP status.
        status: u16,
    },
    /// Try again later: network trouble, 408, 429 or 5xx. `retry_after_ms` from the receiver.
    Retry {
        /// The HTTP status, if there was an answer.
        status: Option<u16>,
        /// Why, for staff ("HTTP 503", "connection refused").
        reason: String,
        /// How long the receiver asked to wait (`Retry-After`), ms.
        retry_after_ms: Option<i64>,
    },
    /// The receiver refused it for good (another 4xx); staff can retry by hand.
    Failed {
        /// Its HTTP status.
        status: u16,
        /// Why, for staff ("HTTP 400").
        reason: String,
    },
}

/// Sorts an HTTP answer into delivered, retry or failed (issue #5: 4xx other than 408 and
/// 429 is permanent).
pub fn classify(status: u16, retry_after: Option<&str>, now_ms: i64) -> Attempt {
    let reason = format!("HTTP {status}");
    match status {
        200..=299 => Attempt::Delivered { status },
        408 | 429 | 500..=599 => Attempt::Retry {
            status: Some(status),
            reason,
            retry_after_ms: retry_after.and_then(|v| retry_after_ms(v, now_ms)),
        },
        _ => Attempt::Failed { status, reason },
    }
}

/// `Retry-After` as milliseconds from `now_ms`: delta-seconds or an HTTP date.
pub fn retry_after_ms(value: &str, now_ms: i64) -> Option<i64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some((secs.min(86_400) as i64) * 1000);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let at_ms = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis() as i64;
    Some((at_ms - now_ms).clamp(0, 86_400_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let b = Backoff {
            base_ms: 1000,
            cap_ms: 10_000,
        };
        let ceilings: Vec<i64> = (1..=6).map(|n| b.ceiling(n)).collect();
        assert_eq!(ceilings, [1000, 2000, 4000, 8000, 10_000, 10_000]);
        assert_eq!(b.ceiling(200), 10_000, "no overflow on a long outage");
    }

    #[test]
    fn full_jitter_spreads_waits_over_the_whole_range() {
        let b = Backoff {
            base_ms: 1000,
            cap_ms: 60_000,
        };
        let mut rng = fastrand::Rng::with_seed(7);
        let waits: Vec<i64> = (0..2000).map(|_| b.delay(4, &mut rng)).collect();
        assert!(waits.iter().all(|w| (0..=8000).contains(w)));
        assert!(waits.iter().any(|w| *w < 1000), "some retry early");
        assert!(
            waits.iter().any(|w| *w > 7000),
            "some wait nearly the ceiling"
        );
    }

    #[test]
    fn statuses_sort_into_delivered_retry_and_failed() {
        assert_eq!(classify(201, None, 0), Attempt::Delivered { status: 201 });
        for status in [408, 429, 500, 502, 503] {
            assert!(
                matches!(classify(status, None, 0), Attempt::Retry { .. }),
                "{status}"
            );
        }
        for status in [400, 401, 403, 404, 409, 410, 422] {
            assert!(
                matches!(classify(status, None, 0), Attempt::Failed { .. }),
                "{status}"
            );
        }
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date() {
        assert_eq!(retry_after_ms("120", 0), Some(120_000));
        let now = 1_700_000_000_000;
        let later = httpdate::fmt_http_date(
            std::time::UNIX_EPOCH + std::time::Duration::from_millis(now as u64 + 30_000),
        );
        assert_eq!(retry_after_ms(&later, now), Some(30_000));
        assert_eq!(retry_after_ms("soon", now), None);
    }
}
