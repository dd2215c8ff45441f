//! The pairing records in kiosk.db: on a kiosk, the laptop it sends to; on a laptop, the
//! kiosks it accepts.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// A kiosk's pairing with its front-desk laptop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairing {
    /// The laptop's `host:port`.
    pub address: String,
    /// SHA-256 of the laptop's certificate, lower-case hex: the only one this kiosk trusts.
    pub fingerprint: String,
    /// This kiosk's id at the laptop.
    pub kiosk_id: String,
    /// The secret that signs this kiosk's requests (hex, 64 characters).
    pub secret: String,
    /// Unix ms.
    pub paired_at: i64,
}

/// This kiosk's pairing, if it has one.
pub fn pairing(conn: &Connection) -> rusqlite::Result<Option<Pairing>> {
    conn.query_row(
        "SELECT address, fingerprint, kiosk_id, secret, paired_at FROM lan_pairing WHERE id = 1",
        [],
        |r| {
            Ok(Pairing {
                address: r.get(0)?,
                fingerprint: r.get(1)?,
                kiosk_id: r.get(2)?,
                secret: r.get(3)?,
                paired_at: r.get(4)?,
            })
        },
    )
    .optional()
}

/// Records this kiosk's pairing, replacing any earlier one.
pub fn save_pairing(conn: &Connection, p: &Pairing) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO lan_pairing (id, address, fingerprint, kiosk_id, secret, paired_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5)",
        params![p.address, p.fingerprint, p.kiosk_id, p.secret, p.paired_at],
    )?;
    Ok(())
}

/// Forgets the laptop. Requests still waiting for it are marked refused, so staff see them
/// (they stay in this kiosk's own inbox).
pub fn forget_pairing(conn: &mut Connection, now: i64) -> rusqlite::Result<bool> {
    let tx = conn.transaction()?;
    let removed = tx.execute("DELETE FROM lan_pairing", [])? > 0;
    tx.execute(
        "UPDATE outbox SET failed_at = ?1, last_error = 'unpaired from the front desk'
         WHERE destination = ?2 AND delivered_at IS NULL AND failed_at IS NULL",
        params![now, super::FRONT_DESK],
    )?;
    tx.commit()?;
    Ok(removed)
}

/// A kiosk a laptop accepts requests from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PairedKiosk {
    /// The kiosk's id, letters, digits and hyphens.
    pub kiosk_id: String,
    /// The name staff gave it when pairing (`Kiosk` when none).
    pub name: String,
    /// Unix ms.
    pub paired_at: i64,
    /// The secret its requests are signed with (never sent to the UI).
    #[serde(skip)]
    pub secret: String,
}

/// The kiosks this laptop accepts, oldest pairing first.
pub fn kiosks(conn: &Connection) -> rusqlite::Result<Vec<PairedKiosk>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kiosk_id, name, secret, paired_at FROM lan_kiosk ORDER BY paired_at, kiosk_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(PairedKiosk {
            kiosk_id: r.get(0)?,
            name: r.get(1)?,
            secret: r.get(2)?,
            paired_at: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// The paired kiosk `kiosk_id`, if it is one.
pub fn kiosk(conn: &Connection, kiosk_id: &str) -> rusqlite::Result<Option<PairedKiosk>> {
    Ok(kiosks(conn)?.into_iter().find(|k| k.kiosk_id == kiosk_id))
}

/// Accepts kiosk `k`, replacing an earlier pairing of the same id.
pub fn add_kiosk(conn: &Connection, k: &PairedKiosk) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO lan_kiosk (kiosk_id, name, secret, paired_at) VALUES (?1, ?2, ?3, ?4)",
        params![k.kiosk_id, k.name, k.secret, k.paired_at],
    )?;
    Ok(())
}

/// Stops accepting kiosk `kiosk_id`, forgetting its health report and any pack offered to
/// it; whether it was paired.
pub fn remove_kiosk(conn: &Connection, kiosk_id: &str) -> rusqlite::Result<bool> {
    conn.execute("DELETE FROM kiosk_health WHERE kiosk_id = ?1", [kiosk_id])?;
    conn.execute("DELETE FROM pack_offer WHERE kiosk_id = ?1", [kiosk_id])?;
    Ok(conn.execute("DELETE FROM lan_kiosk WHERE kiosk_id = ?1", [kiosk_id])? > 0)
}

// ---------- fleet health and packs sent over the LAN (issue #15) ----------

/// A paired kiosk's last health report, as the laptop stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHealth {
    /// The kiosk's id.
    pub kiosk_id: String,
    /// Unix ms the laptop received it (the laptop's clock: "last seen").
    pub received_at: i64,
    /// The report as JSON, checked on arrival (`lan::fleet::KioskReport`).
    pub report: String,
}

/// Keeps `report` (JSON) as kiosk `kiosk_id`'s last health report, received at `now` (Unix
/// ms), replacing the one before; nothing when the kiosk is no longer paired (a report that
/// crossed its unpairing). Whether it was kept.
pub fn save_health(
    conn: &Connection,
    kiosk_id: &str,
    report: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "INSERT OR REPLACE INTO kiosk_health (kiosk_id, received_at, report)
         SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM lan_kiosk WHERE kiosk_id = ?1)",
        params![kiosk_id, now, report],
    )? > 0)
}

/// The last health report of every kiosk that sent one.
pub fn health(conn: &Connection) -> rusqlite::Result<Vec<StoredHealth>> {
    let mut stmt = conn.prepare_cached("SELECT kiosk_id, received_at, report FROM kiosk_health")?;
    let rows = stmt.query_map([], |r| {
        Ok(StoredHealth {
            kiosk_id: r.get(0)?,
            received_at: r.get(1)?,
            report: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// A content pack offered to one kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackOffer {
    /// The pack's version (from its signed manifest).
    pub version: u64,
    /// Its file name in the laptop's outgoing folder (never sent to the UI).
    #[serde(skip)]
    pub file: String,
    /// SHA-256 of the whole file, lower-case hex.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Unix ms staff sent it.
    pub offered_at: i64,
}

/// Offers `offer` to each of `kiosk_ids`, replacing what each was offered before.
pub fn offer_pack(
    conn: &mut Connection,
    kiosk_ids: &[String],
    offer: &PackOffer,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    for kiosk_id in kiosk_ids {
        tx.execute(
            "INSERT OR REPLACE INTO pack_offer (kiosk_id, version, file, sha256, bytes, offered_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                kiosk_id,
                offer.version as i64,
                offer.file,
                offer.sha256,
                offer.bytes as i64,
                offer.offered_at
            ],
        )?;
    }
    tx.commit()
}

/// The pack offered to kiosk `kiosk_id`, if any.
pub fn pack_offer(conn: &Connection, kiosk_id: &str) -> rusqlite::Result<Option<PackOffer>> {
    conn.query_row(
        "SELECT version, file, sha256, bytes, offered_at FROM pack_offer WHERE kiosk_id = ?1",
        [kiosk_id],
        |r| {
            Ok(PackOffer {
                version: r.get::<_, i64>(0)?.max(0) as u64,
                file: r.get(1)?,
                sha256: r.get(2)?,
                bytes: r.get::<_, i64>(3)?.max(0) as u64,
                offered_at: r.get(4)?,
            })
        },
    )
    .optional()
}

/// The files of the outgoing folder some kiosk is still offered (the others can go).
pub fn offered_files(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT file FROM pack_offer")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}
