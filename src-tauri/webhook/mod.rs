//! The webhook's signature: HMAC-SHA256 with the clinic's shared secret over
//! `"{timestamp}.{body}"`, sent as
//!
//! ```text
//! X-Kiosk-Timestamp: 1764079387
//! X-Kiosk-Signature: v1=5d41402abc4b2a76b9719d911017c592...
//! Idempotency-Key: 019ab0c4-...            (the request id)
//! ```
//!
//! A receiver recomputes the signature over the raw body, compares in constant time, and
//! refuses a timestamp more than [`TOLERANCE_SECS`] away from its own clock (a replay).
//! Within that window a replay carries an id it has already seen, and it drops it.
//! docs/webhook.md shows a receiver in a few lines. The body itself is [`body`].

pub mod body;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header with the Unix seconds the request was signed at.
pub const TIMESTAMP_HEADER: &str = "X-Kiosk-Timestamp";
/// The header with the signature, `v1=` and lower-case hex.
pub const SIGNATURE_HEADER: &str = "X-Kiosk-Signature";
/// The header with the request id, which a receiver keeps to drop repeats.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// How far a request's timestamp may be from the receiver's clock.
pub const TOLERANCE_SECS: i64 = 300;
/// A shared secret shorter than this is refused by `config check`.
pub const MIN_SECRET_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-Kiosk-Signature` value for `body` sent at `timestamp` (Unix seconds).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "v1={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// Why a receiver refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// A header is missing; its name.
    #[error("missing {0} header")]
    Missing(&'static str),
    /// The timestamp header is not whole seconds.
    #[error("the timestamp is not a number of seconds")]
    BadTimestamp,
    /// The timestamp is this many seconds from the receiver's clock.
    #[error("the timestamp is {0} s from now, outside the {TOLERANCE_SECS} s window (a replay or a wrong clock)")]
    OutsideWindow(i64),
    /// The signature does not match.
    #[error("the signature does not match the body (tampered, or a different secret)")]
    BadSignature,
}

/// Checks a received request: headers as received, the raw body, the receiver's clock.
pub fn verify(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now_secs: i64,
) -> Result<(), Refusal> {
    let timestamp = timestamp.ok_or(Refusal::Missing(TIMESTAMP_HEADER))?;
    let signature = signature.ok_or(Refusal::Missing(SIGNATURE_HEADER))?;
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| Refusal::BadTimestamp)?;
    let skew = ts - now_secs;
    if skew.abs() > TOLERANCE_SECS {
        return Err(Refusal::OutsideWindow(skew));
    }
    let given = signature
        .trim()
        .strip_prefix("v1=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or(Refusal::BadSignature)?;
    mac(secret, ts, body)
        .verify_slice(&given)
        .map_err(|_| Refusal::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a-shared-secret-of-at-least-32-chars!";

    #[test]
    fn a_signed_body_verifies() {
        let sig = sign(SECRET, 1000, b"{\"id\":1}");
        assert!(sig.starts_with("v1=") && sig.len() == 3 + 64);
        assert_eq!(
            verify(SECRET, Some("1000"), Some(&sig), b"{\"id\":1}", 1010),
            Ok(())
        );
    }

    #[test]
    fn tampering_replays_and_wrong_secrets_are_refused() {
        let sig = sign(SECRET, 1000, b"{\"id\":1}");
        assert_eq!(
            verify(SECRET, Some("1000"), Some(&sig), b"{\"id\":2}", 1000),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify(
                "another-secret-another-secret-xx",
                Some("1000"),
                Some(&sig),
                b"{\"id\":1}",
                1000
            ),
            Err(Refusal::BadSignature)
        );
        // The same request an hour later.
        assert_eq!(
            verify(SECRET, Some("1000"), Some(&sig), b"{\"id\":1}", 4600),
            Err(Refusal::OutsideWindow(-3600))
        );
        // A new timestamp with the old signature.
        assert_eq!(
            verify(SECRET, Some("4600"), Some(&sig), b"{\"id\":1}", 4600),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify(SECRET, None, Some(&sig), b"", 1000),
            Err(Refusal::Missing(TIMESTAMP_HEADER))
        );
        assert_eq!(
            verify(SECRET, Some("soon"), Some(&sig), b"", 1000),
            Err(Refusal::BadTimestamp)
        );
    }
}
