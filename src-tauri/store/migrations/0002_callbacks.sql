-- Callback requests from patients. Personal data (name, phone, phone_display, note) is
-- erased by the retention job a configured number of days after a request is closed.
CREATE TABLE callback_request (
    id              TEXT PRIMARY KEY,          -- UUID v7 made when the form opened
    created_at      INTEGER NOT NULL,          -- Unix ms
    name            TEXT NOT NULL,
    phone           TEXT NOT NULL,             -- E.164
    phone_display   TEXT NOT NULL,
    best_time       TEXT NOT NULL,
    language        TEXT NOT NULL,
    note            TEXT,
    specialty       TEXT NOT NULL,
    topic           TEXT,
    article         TEXT,
    consent_version TEXT NOT NULL,
    consent_at      INTEGER NOT NULL,
    status          TEXT NOT NULL DEFAULT 'new'
                    CHECK (status IN ('new', 'contacted', 'noAnswer', 'closed')),
    status_at       INTEGER NOT NULL,
    closed_at       INTEGER
);
CREATE INDEX callback_request_status ON callback_request(status, created_at);
CREATE INDEX callback_request_phone ON callback_request(phone, created_at);

-- Staff notes on a request (erased with the request's personal data).
CREATE TABLE callback_note (
    id         INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES callback_request(id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    staff      TEXT NOT NULL,
    text       TEXT NOT NULL
);

-- One row per request and destination, written in the request's transaction; a delivery
-- worker (issue #5) marks rows delivered. The local staff inbox reads callback_request.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    request_id      TEXT NOT NULL REFERENCES callback_request(id) ON DELETE CASCADE,
    destination     TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER,
    last_error      TEXT,
    UNIQUE (request_id, destination)
);

-- What is left of a purged request: anonymous counts.
CREATE TABLE callback_count (
    day       TEXT NOT NULL,   -- YYYY-MM-DD the request was made
    specialty TEXT NOT NULL,
    outcome   TEXT NOT NULL,   -- status at closing
    count     INTEGER NOT NULL,
    PRIMARY KEY (day, specialty, outcome)
) WITHOUT ROWID;

CREATE TABLE staff (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    pin_hash   TEXT NOT NULL,              -- argon2id PHC string
    created_at INTEGER NOT NULL
);

-- Wrong PINs, kept across restarts so a restart does not reset the growing delay.
CREATE TABLE pin_lockout (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    failures    INTEGER NOT NULL,
    not_before  INTEGER NOT NULL          -- Unix ms
);

-- Every staff action: who, what, when. Never a patient's name or phone.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    staff      TEXT NOT NULL,
    action     TEXT NOT NULL,
    request_id TEXT,
    detail     TEXT
);
