-- Issue #15: fleet health and article updates over the LAN, on a front-desk laptop.

-- The last health report each paired kiosk sent (no patient data: versions, counts, times,
-- sizes). `report` is the report as JSON (lan::fleet::KioskReport), as checked on arrival.
CREATE TABLE kiosk_health (
    kiosk_id    TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL,   -- Unix ms, the laptop's clock
    report      TEXT NOT NULL
);

-- A content pack staff sent to a kiosk: the kiosk fetches it with its next report.
CREATE TABLE pack_offer (
    kiosk_id   TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    file       TEXT NOT NULL,       -- its name in the data folder's outgoing/ folder
    sha256     TEXT NOT NULL,       -- of the whole file, hex
    bytes      INTEGER NOT NULL,
    offered_at INTEGER NOT NULL     -- Unix ms
);
