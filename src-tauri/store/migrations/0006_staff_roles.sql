-- Issue #10: staff roles, wrong-PIN counters per account, hard locks, and a key that
-- matches names without regard to case, accents or repeated spaces.

-- 'frontDesk' works the inbox; 'admin' also leaves kiosk mode, closes the app, pairs the
-- front desk, installs content packs and manages staff. Accounts from before roles
-- existed were all-powerful, so they become admins (and the audit log says so below).
ALTER TABLE staff ADD COLUMN role TEXT NOT NULL DEFAULT 'admin'
    CHECK (role IN ('frontDesk', 'admin'));
-- Filled by the app (callbacks::staff::name_key, Unicode folding SQL cannot do); NULL
-- only between this migration and the first staff lookup.
ALTER TABLE staff ADD COLUMN name_key TEXT;
ALTER TABLE staff ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;   -- wrong PINs in a row
ALTER TABLE staff ADD COLUMN not_before INTEGER NOT NULL DEFAULT 0; -- Unix ms
ALTER TABLE staff ADD COLUMN locked_at INTEGER;                     -- hard lock, Unix ms
CREATE INDEX staff_name_key ON staff(name_key);

-- The kiosk-wide counter (pin_lockout) gets a hard lock too; only the command line lifts it.
ALTER TABLE pin_lockout ADD COLUMN locked_at INTEGER;

INSERT INTO audit_log (at, staff, action, request_id, detail)
SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000, name, 'role-admin-on-upgrade', NULL,
       'an account made before staff roles existed is an admin'
FROM staff;
