-- The front-desk laptop over the LAN (issue #5).
-- On a kiosk: the one laptop it is paired with. Its certificate is pinned by fingerprint;
-- requests are signed with the secret both sides derived while pairing.
CREATE TABLE lan_pairing (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    address     TEXT NOT NULL,     -- host:port of the laptop
    fingerprint TEXT NOT NULL,     -- SHA-256 of its certificate, hex
    kiosk_id    TEXT NOT NULL,     -- this kiosk's id at the laptop
    secret      TEXT NOT NULL,     -- hex, for HMAC-SHA256 request signatures
    paired_at   INTEGER NOT NULL
);

-- On a laptop: the kiosks it accepts requests from.
CREATE TABLE lan_kiosk (
    kiosk_id  TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    secret    TEXT NOT NULL,
    paired_at INTEGER NOT NULL
);

-- Where a request came from: NULL for this device, else the kiosk id that sent it.
ALTER TABLE callback_request ADD COLUMN source TEXT;
