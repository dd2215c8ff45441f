-- Searches that found nothing, per day: the words only (as search saw them), so the clinic
-- can see what patients look for and do not find. Nothing identifies a patient.
CREATE TABLE search_miss (
    day   TEXT NOT NULL,
    lang  TEXT NOT NULL,
    words TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (day, lang, words)
) WITHOUT ROWID;
