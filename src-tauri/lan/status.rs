//! What the staff view shows of the link: on the laptop, where kiosks can reach it and
//! which are paired; on a kiosk, the laptop it is paired with.

use std::net::{IpAddr, SocketAddr};

use rusqlite::Connection;
use serde::Serialize;

use super::{store, tls, FrontDesk};

/// Which end of the link this device is, on the wire in camelCase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// A front-desk laptop, which kiosks send to.
    Laptop,
    /// A kiosk, which may pair with a laptop.
    Kiosk,
}

/// The laptop's end.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LaptopView {
    /// The port is open (it may fail to open, such as when another program holds it).
    pub listening: bool,
    /// Addresses kiosks can use, such as `192.168.1.20:8470`.
    pub addresses: Vec<String>,
    /// The start of its certificate's fingerprint, for staff to compare by eye (empty while
    /// the port is not open).
    pub fingerprint: String,
    /// The kiosks paired with it, each with its last health report and warnings.
    pub kiosks: Vec<super::fleet::KioskView>,
}

/// The laptop a kiosk is paired with.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PairedView {
    /// `host:port`.
    pub address: String,
    /// The start of the laptop's certificate fingerprint.
    pub fingerprint: String,
    /// Unix ms.
    pub paired_at: i64,
}

/// The link as the staff view shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LanStatus {
    /// `laptop` in front-desk mode, else `kiosk`.
    pub role: Role,
    /// On a laptop, its end.
    pub laptop: Option<LaptopView>,
    /// On a kiosk, its laptop if it is paired.
    pub paired: Option<PairedView>,
}

/// Addresses kiosks can use to reach a laptop listening on `listen`: when that is every
/// address (`0.0.0.0`), each IPv4 address of this machine but loopback, sorted.
pub fn addresses(listen: SocketAddr) -> Vec<String> {
    if !listen.ip().is_unspecified() {
        return vec![listen.to_string()];
    }
    let port = listen.port();
    let mut out: Vec<String> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback())
        .filter_map(|i| match i.ip() {
            IpAddr::V4(ip) => Some(format!("{ip}:{port}")),
            IpAddr::V6(_) => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A laptop's status at `now` (Unix ms): `front` once its port is open, `listen` what the
/// config asks, `thresholds` when a kiosk is warned about.
pub fn laptop(
    conn: &Connection,
    front: Option<&FrontDesk>,
    listen: SocketAddr,
    thresholds: super::fleet::Thresholds,
    now: i64,
) -> rusqlite::Result<LanStatus> {
    Ok(LanStatus {
        role: Role::Laptop,
        laptop: Some(LaptopView {
            listening: front.is_some(),
            addresses: addresses(listen),
            fingerprint: front
                .map(|f| tls::short_fingerprint(&f.identity.fingerprint()))
                .unwrap_or_default(),
            kiosks: super::fleet::kiosks(conn, thresholds, now)?,
        }),
        paired: None,
    })
}

/// A kiosk's status: its pairing, if any.
pub fn kiosk(conn: &Connection) -> rusqlite::Result<LanStatus> {
    let paired = store::pairing(conn)?.map(|p| PairedView {
        address: p.address,
        fingerprint: tls::short_fingerprint(&p.fingerprint),
        paired_at: p.paired_at,
    });
    Ok(LanStatus {
        role: Role::Kiosk,
        laptop: None,
        paired,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_outcomes_keep_their_wire_names() {
        let json = |v: serde_json::Value| v.as_str().unwrap_or("").to_string();
        assert_eq!(json(serde_json::json!(Role::Laptop)), "laptop");
        assert_eq!(json(serde_json::json!(Role::Kiosk)), "kiosk");
        use crate::lan::client::PairOutcome as O;
        let outcomes: Vec<String> = [
            O::Paired,
            O::BadAddress,
            O::Unreachable,
            O::NoCode,
            O::WrongCode,
            O::Impostor,
            O::Protocol,
        ]
        .iter()
        .map(|o| json(serde_json::json!(o)))
        .collect();
        assert_eq!(
            outcomes,
            [
                "paired",
                "badAddress",
                "unreachable",
                "noCode",
                "wrongCode",
                "impostor",
                "protocol"
            ],
            "the staff screen branches on these"
        );
    }

    #[test]
    fn a_laptop_listening_on_one_address_offers_only_that_one() {
        let listen: SocketAddr = "192.168.1.20:8470".parse().expect("address");
        assert_eq!(addresses(listen), ["192.168.1.20:8470"]);
    }
}
