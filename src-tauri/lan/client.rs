//! The kiosk's side: pairing with the laptop, and the HTTPS client that trusts only it.

use std::time::Duration;

use super::store::Pairing;
use super::{pairing, tls, PairConfirm, PairConfirmReply, PairStart, PairStartReply};

/// Why pairing did not work, in words for staff.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PairError {
    /// The address typed; cut to 80 characters.
    #[error("`{0}` is not an address such as 192.168.1.20 or frontdesk.local:8470")]
    BadAddress(String),
    /// The address tried.
    #[error("cannot reach the front desk at {0}: is the app open there, in front-desk mode?")]
    Unreachable(String),
    /// The laptop shows no code.
    #[error("the front desk has no pairing code open; press \"Pair a kiosk\" there first")]
    NoCode,
    /// The code did not match.
    #[error("the code did not match; check it, or show a new one on the front desk")]
    WrongCode,
    /// The laptop's proof did not check out.
    #[error("the front desk could not prove it knows the code: it may not be the real front desk")]
    Impostor,
    /// What was unexpected.
    #[error("the front desk answered something unexpected ({0})")]
    Protocol(String),
}

/// How pairing with the laptop went, for the staff screen: on the wire in camelCase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PairOutcome {
    /// Paired: requests go to the laptop from now on.
    Paired,
    /// [`PairError::BadAddress`].
    BadAddress,
    /// [`PairError::Unreachable`].
    Unreachable,
    /// [`PairError::NoCode`].
    NoCode,
    /// [`PairError::WrongCode`].
    WrongCode,
    /// [`PairError::Impostor`].
    Impostor,
    /// [`PairError::Protocol`].
    Protocol,
}

impl From<&PairError> for PairOutcome {
    fn from(err: &PairError) -> Self {
        match err {
            PairError::BadAddress(_) => PairOutcome::BadAddress,
            PairError::Unreachable(_) => PairOutcome::Unreachable,
            PairError::NoCode => PairOutcome::NoCode,
            PairError::WrongCode => PairOutcome::WrongCode,
            PairError::Impostor => PairOutcome::Impostor,
            PairError::Protocol(_) => PairOutcome::Protocol,
        }
    }
}

/// The name a kiosk pairs under: what staff typed, trimmed, or `Kiosk`.
pub fn kiosk_name(typed: &str) -> String {
    match typed.trim() {
        "" => "Kiosk".to_string(),
        name => name.to_string(),
    }
}

fn unexpected(status: u16) -> PairError {
    PairError::Protocol(match status {
        503 => "it is busy pairing other kiosks; try again in a minute".into(),
        other => format!("HTTP {other}"),
    })
}

/// `host` or `host:port` (the default port when none is given).
pub fn normalise_address(address: &str) -> Result<String, PairError> {
    let a = address
        .trim()
        .trim_start_matches("https://")
        .trim_end_matches('/');
    let bad = || PairError::BadAddress(address.trim().chars().take(80).collect());
    if a.is_empty() || a.contains(['/', ' ', '@', '?', '#']) {
        return Err(bad());
    }
    let with_port = match a.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => a.to_string(),
        Some(_) => return Err(bad()),
        None => format!("{a}:{}", super::DEFAULT_PORT),
    };
    // Check it parses as the authority of a URL.
    url::Url::parse(&format!("https://{with_port}/")).map_err(|_| bad())?;
    Ok(with_port)
}

/// An HTTPS client that accepts only the certificate with `fingerprint`.
pub fn pinned_client(fingerprint: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(tls::Pinned::to(fingerprint).client_config())
        .timeout(Duration::from_secs(20))
        // The laptop closes a connection left unused for 10 s: let it go first, so a request
        // is never sent on a connection the laptop is closing.
        .pool_idle_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the pinned client builds with fixed settings")
}

/// Pairs with the laptop at `address` using the code it shows. On success the caller saves
/// the returned pairing (see [`super::store::save_pairing`]).
pub async fn pair(
    address: &str,
    code: &str,
    kiosk_name: &str,
    now: i64,
) -> Result<Pairing, PairError> {
    pair_from(address, code, kiosk_name, now, None).await
}

/// The HTTPS client of one pairing step: trusting what `verifier` trusts, from the local
/// address `from` if given, 15 s per request, no redirects.
fn pairing_client(
    verifier: tls::Pinned,
    from: Option<std::net::IpAddr>,
) -> Result<reqwest::Client, PairError> {
    reqwest::Client::builder()
        .use_preconfigured_tls(verifier.client_config())
        .local_address(from)
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| PairError::Protocol(e.to_string()))
}

/// [`pair`] from the local address `from` (tests pair from several addresses on loopback).
pub async fn pair_from(
    address: &str,
    code: &str,
    kiosk_name: &str,
    now: i64,
    from: Option<std::net::IpAddr>,
) -> Result<Pairing, PairError> {
    let address = normalise_address(address)?;
    let (verifier, seen) = tls::Pinned::recording();
    let client = pairing_client(verifier, from)?;
    let kiosk_id = uuid::Uuid::new_v4().to_string();
    let (state, msg) = pairing::start(code);
    let start = PairStart {
        kiosk_id: kiosk_id.clone(),
        kiosk_name: kiosk_name.chars().take(80).collect(),
        msg: hex::encode(msg),
    };
    let response = client
        .post(format!("https://{address}/pair/start"))
        .json(&start)
        .send()
        .await
        .map_err(|_| PairError::Unreachable(address.clone()))?;
    let reply: PairStartReply = match response.status().as_u16() {
        200 => response
            .json()
            .await
            .map_err(|e| PairError::Protocol(e.to_string()))?,
        // From a laptop before issue #11; later ones do not say whether a code is open.
        403 => return Err(PairError::NoCode),
        // Too many wrong codes from this kiosk's address: a new code lets it try again.
        429 => return Err(PairError::WrongCode),
        other => return Err(unexpected(other)),
    };
    let theirs = hex::decode(&reply.msg).map_err(|e| PairError::Protocol(e.to_string()))?;
    let key = pairing::finish(state, &theirs).ok_or(PairError::WrongCode)?;
    let fingerprint = seen
        .lock()
        .ok()
        .and_then(|s| s.clone())
        .ok_or_else(|| PairError::Protocol("no certificate seen".into()))?;
    let confirm = PairConfirm {
        pairing_id: reply.pairing_id,
        proof: pairing::proof(&key, "kiosk", &fingerprint, &kiosk_id),
    };
    // The same connection (and certificate) as the first step: pin it for this step too.
    let pinned = pairing_client(tls::Pinned::to(&fingerprint), from)?;
    let response = pinned
        .post(format!("https://{address}/pair/confirm"))
        .json(&confirm)
        .send()
        .await
        .map_err(|_| PairError::Unreachable(address.clone()))?;
    let reply: PairConfirmReply = match response.status().as_u16() {
        200 => response
            .json()
            .await
            .map_err(|e| PairError::Protocol(e.to_string()))?,
        403 => return Err(PairError::WrongCode),
        other => return Err(unexpected(other)),
    };
    if !pairing::check(&key, "laptop", &fingerprint, &kiosk_id, &reply.proof) {
        return Err(PairError::Impostor);
    }
    Ok(Pairing {
        address,
        fingerprint,
        kiosk_id,
        secret: pairing::delivery_secret(&key),
        paired_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_get_the_default_port_and_junk_is_refused() {
        assert_eq!(
            normalise_address("192.168.1.20").as_deref(),
            Ok("192.168.1.20:8470")
        );
        assert_eq!(
            normalise_address(" frontdesk.local:9000 ").as_deref(),
            Ok("frontdesk.local:9000")
        );
        assert_eq!(
            normalise_address("https://10.0.0.5:8470/").as_deref(),
            Ok("10.0.0.5:8470")
        );
        for bad in [
            "",
            "a b",
            "host:port",
            "host:99999",
            "evil.example/path",
            "user@host",
        ] {
            assert!(normalise_address(bad).is_err(), "{bad:?}");
        }
    }
}
