-- Settings the app keeps between runs.
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Anonymous article views per day: no patient data, only what was read and when.
CREATE TABLE article_view (
    day   TEXT NOT NULL,
    slug  TEXT NOT NULL,
    views INTEGER NOT NULL,
    PRIMARY KEY (day, slug)
) WITHOUT ROWID;
