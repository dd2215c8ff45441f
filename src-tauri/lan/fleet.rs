//! Fleet health and article updates over the link (issue #15): what a paired kiosk reports
//! about itself every minute, how the laptop checks and keeps it, the warnings the front
//! desk's kiosk list shows, and the content packs staff send to kiosks.
//!
//! Both directions ride the paired, signed channel the callback requests use: a kiosk posts
//! its [`KioskReport`] to `/health`, signed with its pairing secret; the laptop answers with a
//! [`HealthReply`] that may offer a pack; the kiosk then fetches the pack with a signed
//! [`PackRequest`] to `/pack` and checks it exactly as a pack from a USB stick (signature,
//! version, atomic swap: the `pack` module, above this layer), and says how it went in its next
//! report. The laptop never pushes: kiosks listen on no port.
//!
//! No patient data: versions, counts, ages, sizes and the config's problems only. A report is
//! refused (400, the field named) when a field breaks its bounds, before it is stored.

use std::io::Read as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::refusals::escaped;
use super::{checks, store, Answer, FrontDesk};

/// The report format this app sends and reads.
pub const REPORT_VERSION: u32 = 1;
/// A kiosk reports every this many seconds while it is paired.
pub const REPORT_EVERY_SECONDS: u64 = 60;
/// The largest pack the laptop serves or a kiosk fetches, in bytes: the same bound as a pack
/// on a USB stick (the `pack` module's `MAX_BYTES`; a test in `fleet` keeps them equal).
pub const MAX_PACK_BYTES: u64 = 64 * 1024 * 1024;
/// The laptop's folder, inside its data folder, of packs sent to kiosks.
pub const OUTGOING: &str = "outgoing";
/// Lines of the config's problems a report carries at most ...
const MAX_PROBLEMS: usize = 20;
/// ... and characters per line (and per free-text field).
const MAX_TEXT: usize = 300;

/// A kiosk's health, as it sends it to the laptop (JSON, camelCase). Ages are counted on
/// the kiosk when it sends, so the two clocks need not agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KioskReport {
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// The app's version, such as `0.4.0`.
    pub app_version: String,
    /// The first 12 characters of the content hash its library was built from.
    pub content_version: Option<String>,
    /// The version of the content pack in use; 0 for the articles shipped with the app
    /// (also when an installed pack failed its check at start and is not used).
    pub pack_version: u64,
    /// Articles in its library, both languages.
    pub article_count: Option<i64>,
    /// Callback requests waiting for delivery (its own inbox left out).
    pub queue_length: Option<i64>,
    /// Requests a destination refused for good, waiting for staff.
    pub failed_deliveries: Option<i64>,
    /// How long the oldest waiting request has waited, in seconds.
    pub oldest_waiting_seconds: Option<u64>,
    /// How long ago the last delivery was, in seconds.
    pub last_delivery_seconds: Option<u64>,
    /// Free space where its data folder is, in bytes.
    pub free_disk_bytes: Option<u64>,
    /// `ok`, `low`, `full` or `unknown` (the health report's `DiskState`).
    pub disk: String,
    /// Its config file's problems, `path:line: key: message` (at most 20).
    pub config_problems: Vec<String>,
    /// Why its library cannot be used, if it cannot.
    pub library_problem: Option<String>,
    /// Why its installed content pack failed its check at start (the shipped articles are
    /// shown instead), if it did.
    #[serde(default)]
    pub content_problem: Option<String>,
    /// Seconds since the app started.
    pub uptime_seconds: u64,
    /// How the last pack the laptop sent went, if one was sent since the app started.
    pub pack: Option<PackResult>,
}

/// How a pack sent over the LAN went on a kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackResult {
    /// The version offered.
    pub version: u64,
    /// When staff sent it ([`Offered::offered_at`]): a pack sent again after a refusal is
    /// a new offer, tried again.
    #[serde(default)]
    pub offered_at: i64,
    /// `installed`, or why not, as the staff view's pack states name it (`notNewer`,
    /// `untrusted`, `changed`, ...: the pack module's `PackState`), or `download` when
    /// the file did not arrive whole.
    pub outcome: String,
    /// What went wrong, for staff (no path, no patient data).
    pub detail: Option<String>,
}

/// The laptop's answer to a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthReply {
    /// A pack for this kiosk to fetch, when staff sent one it has not yet tried.
    pub offer: Option<Offered>,
}

/// A pack offered to a kiosk: what it asks for and checks the download against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Offered {
    /// The pack's version.
    pub version: u64,
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Unix ms staff sent it (the laptop's clock): tells one sending from the next.
    pub offered_at: i64,
}

/// A kiosk's request for the pack it was offered (`POST /pack`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PackRequest {
    /// The version it was offered.
    pub version: u64,
}

/// When the front desk's kiosk list warns (`[front_desk]` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A kiosk not seen for this many minutes is shown as not seen (`not_seen_minutes`).
    pub not_seen_minutes: u32,
    /// A kiosk holding a request older than this many minutes is warned about
    /// (`request_age_minutes`).
    pub request_age_minutes: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            not_seen_minutes: 5,
            request_age_minutes: 60,
        }
    }
}

/// What the front desk's kiosk list warns about one kiosk (camelCase on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Warning {
    /// Paired, but no report ever came.
    NeverSeen,
    /// No report for longer than [`Thresholds::not_seen_minutes`].
    NotSeen,
    /// It holds a request waiting longer than [`Thresholds::request_age_minutes`].
    OldRequest,
    /// A destination refused requests for good: staff must look at them on the kiosk.
    FailedDeliveries,
    /// Its disk is full: patients are sent to the front desk.
    DiskFull,
    /// Its disk is filling up.
    DiskLow,
    /// Its config has problems.
    ConfigProblems,
    /// Its library cannot be used.
    LibraryProblem,
    /// Its installed content pack failed its check at start: it shows the shipped articles.
    ContentProblem,
    /// The last pack sent to it was not installed.
    PackRefused,
}

/// One paired kiosk as the front desk's list shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KioskView {
    /// The kiosk's id.
    pub kiosk_id: String,
    /// The name staff gave it.
    pub name: String,
    /// Unix ms it paired.
    pub paired_at: i64,
    /// Unix ms of its last report (the laptop's clock), if one came.
    pub last_seen: Option<i64>,
    /// Its last report.
    pub report: Option<KioskReport>,
    /// The pack staff last sent it, if any.
    pub offer: Option<store::PackOffer>,
    /// What needs staff's eye, most urgent first; empty when all is well.
    pub warnings: Vec<Warning>,
}

/// The list of paired kiosks at `now` (Unix ms), each with its last report and warnings.
pub fn kiosks(
    conn: &rusqlite::Connection,
    thresholds: Thresholds,
    now: i64,
) -> rusqlite::Result<Vec<KioskView>> {
    let reports = store::health(conn)?;
    let mut out = Vec::new();
    for kiosk in store::kiosks(conn)? {
        let stored = reports.iter().find(|h| h.kiosk_id == kiosk.kiosk_id);
        // A report that no longer reads (a newer kiosk's format) still says "seen".
        let report = stored.and_then(|h| serde_json::from_str::<KioskReport>(&h.report).ok());
        let last_seen = stored.map(|h| h.received_at);
        let offer = store::pack_offer(conn, &kiosk.kiosk_id)?;
        let warnings = warnings(last_seen, report.as_ref(), offer.as_ref(), thresholds, now);
        out.push(KioskView {
            kiosk_id: kiosk.kiosk_id,
            name: kiosk.name,
            paired_at: kiosk.paired_at,
            last_seen,
            report,
            offer,
            warnings,
        });
    }
    Ok(out)
}

/// What a kiosk's list entry warns about, most urgent first.
pub fn warnings(
    last_seen: Option<i64>,
    report: Option<&KioskReport>,
    offer: Option<&store::PackOffer>,
    thresholds: Thresholds,
    now: i64,
) -> Vec<Warning> {
    let mut out = Vec::new();
    let Some(seen) = last_seen else {
        return vec![Warning::NeverSeen];
    };
    let since_ms = (now - seen).max(0);
    if since_ms > i64::from(thresholds.not_seen_minutes) * 60_000 {
        out.push(Warning::NotSeen);
    }
    let Some(report) = report else {
        return out;
    };
    // The oldest request has waited longer still since the report came.
    let waited_ms = report.oldest_waiting_seconds.map(|s| {
        i64::try_from(s)
            .unwrap_or(i64::MAX)
            .saturating_mul(1000)
            .saturating_add(since_ms)
    });
    if waited_ms.is_some_and(|w| w > i64::from(thresholds.request_age_minutes) * 60_000) {
        out.push(Warning::OldRequest);
    }
    if report.failed_deliveries.unwrap_or(0) > 0 {
        out.push(Warning::FailedDeliveries);
    }
    match report.disk.as_str() {
        "full" => out.push(Warning::DiskFull),
        "low" => out.push(Warning::DiskLow),
        _ => {}
    }
    if report.library_problem.is_some() {
        out.push(Warning::LibraryProblem);
    }
    if report.content_problem.is_some() {
        out.push(Warning::ContentProblem);
    }
    if !report.config_problems.is_empty() {
        out.push(Warning::ConfigProblems);
    }
    // A download cut short is tried again, not refused.
    let refused = report.pack.as_ref().is_some_and(|p| {
        !matches!(p.outcome.as_str(), "installed" | "download")
            && offer.is_some_and(|o| o.version == p.version && o.offered_at == p.offered_at)
    });
    if refused {
        out.push(Warning::PackRefused);
    }
    out
}

/// The pack to offer a kiosk that sent `report`: the one staff sent it, unless it already
/// runs that version (or newer) or already tried it.
pub fn to_offer(offer: Option<store::PackOffer>, report: &KioskReport) -> Option<Offered> {
    let offer = offer?;
    // A download cut short is tried again; a pack refused by its checks is not, until staff
    // send it again.
    let tried = report.pack.as_ref().is_some_and(|p| {
        p.version == offer.version && p.offered_at == offer.offered_at && p.outcome != "download"
    });
    (offer.version > report.pack_version && !tried).then_some(Offered {
        version: offer.version,
        sha256: offer.sha256,
        bytes: offer.bytes,
        offered_at: offer.offered_at,
    })
}

/// Free text from a kiosk: no more than [`MAX_TEXT`] characters, nothing hidden.
fn text_ok(text: &str) -> bool {
    text.chars().count() <= MAX_TEXT && !checks::has_hidden(text)
}

/// Checks a report's fields against their bounds; `Err` names the fields that break them.
pub fn check(report: &KioskReport) -> Result<(), String> {
    let mut bad: Vec<&str> = Vec::new();
    if report.version != REPORT_VERSION {
        bad.push("version");
    }
    let word = |s: &str, max: usize| {
        !s.is_empty()
            && s.len() <= max
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
    };
    if !word(&report.app_version, 40) {
        bad.push("appVersion");
    }
    if report
        .content_version
        .as_deref()
        .is_some_and(|v| !word(v, 64))
    {
        bad.push("contentVersion");
    }
    let negative = |n: Option<i64>| n.is_some_and(|n| n < 0);
    if negative(report.article_count) {
        bad.push("articleCount");
    }
    if negative(report.queue_length) {
        bad.push("queueLength");
    }
    if negative(report.failed_deliveries) {
        bad.push("failedDeliveries");
    }
    if !matches!(report.disk.as_str(), "ok" | "low" | "full" | "unknown") {
        bad.push("disk");
    }
    if report.config_problems.len() > MAX_PROBLEMS
        || !report.config_problems.iter().all(|p| text_ok(p))
    {
        bad.push("configProblems");
    }
    if report
        .library_problem
        .as_deref()
        .is_some_and(|p| !text_ok(p))
    {
        bad.push("libraryProblem");
    }
    if report
        .content_problem
        .as_deref()
        .is_some_and(|p| !text_ok(p))
    {
        bad.push("contentProblem");
    }
    if let Some(pack) = &report.pack {
        if !word(&pack.outcome, 20) {
            bad.push("pack.outcome");
        }
        if pack.detail.as_deref().is_some_and(|d| !text_ok(d)) {
            bad.push("pack.detail");
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(bad.join(", "))
    }
}

/// Cuts `text` to what a report may carry, so a kiosk never sends a report the laptop must
/// refuse: at most [`MAX_TEXT`] characters, hidden characters made visible.
pub fn fit(text: &str) -> String {
    let shown: String = text
        .chars()
        .map(|c| {
            if checks::has_hidden(&c.to_string()) {
                ' '
            } else {
                c
            }
        })
        .collect();
    shown.chars().take(MAX_TEXT).collect()
}

/// Cuts a list of problems to what a report may carry.
pub fn fit_all(problems: &[String]) -> Vec<String> {
    problems.iter().take(MAX_PROBLEMS).map(|p| fit(p)).collect()
}

/// Packs the laptop sends at once, at most: each is held in memory (up to
/// [`MAX_PACK_BYTES`]) until the kiosk has read it, so a busy "send to all" or a slow reader
/// cannot take the laptop's memory. A kiosk turned away asks again with its next report.
pub const MAX_SENDING: usize = 2;

/// One pack on its way to a kiosk: holds a place of [`MAX_SENDING`] until the response's
/// last byte is gone (the response's bytes own it), then gives it back.
pub struct Sending {
    bytes: Vec<u8>,
    count: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl AsRef<[u8]> for Sending {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for Sending {
    fn drop(&mut self) {
        self.count.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// The laptop's answer body with `status`, as the server sends it.
pub enum Reply {
    /// A JSON body.
    Json(u16, Vec<u8>),
    /// A pack file's bytes.
    Pack(Sending),
    /// A refusal or a short text answer.
    Text(Answer),
}

impl FrontDesk {
    /// A health report from a kiosk at `source`, signed like a callback request: stored as
    /// its last report, answered with a [`HealthReply`] (200). 400 for a report that breaks
    /// its bounds, 401 not paired or badly signed, 503 busy.
    pub fn receive_health(
        &self,
        source: IpAddr,
        header: impl Fn(&str) -> Option<String>,
        body: &[u8],
        now: i64,
    ) -> Reply {
        let kiosk = match self.signed_by(source, &header, body, now) {
            Ok(kiosk) => kiosk,
            Err(answer) => return Reply::Text(answer),
        };
        let name = escaped(&kiosk.name, 80);
        let report = match serde_json::from_slice::<KioskReport>(body) {
            Ok(report) => report,
            Err(_) => {
                self.refusals.warn(
                    source,
                    now,
                    &format!("a health report from kiosk {name} that is not a version 1 report"),
                );
                return Reply::Text((400, "not a version 1 health report".into()));
            }
        };
        if let Err(fields) = check(&report) {
            self.refusals.warn(
                source,
                now,
                &format!("a health report from kiosk {name} with bad fields ({fields})"),
            );
            return Reply::Text((400, format!("bad fields: {fields}")));
        }
        let json = serde_json::to_string(&report).expect("JSON");
        let Ok(conn) = self.db.lock() else {
            return Reply::Text((503, "busy".into()));
        };
        let stored = store::save_health(&conn, &kiosk.kiosk_id, &json, now)
            .and_then(|_| store::pack_offer(&conn, &kiosk.kiosk_id));
        match stored {
            Ok(offer) => {
                let reply = HealthReply {
                    offer: to_offer(offer, &report),
                };
                Reply::Json(200, serde_json::to_vec(&reply).expect("JSON"))
            }
            Err(err) => {
                tracing::error!("a health report from kiosk {name} was not stored: {err}");
                Reply::Text((503, "not stored; try again".into()))
            }
        }
    }

    /// The pack offered to the kiosk at `source` that signed `body` (a [`PackRequest`]):
    /// the file's bytes (200), 404 when that version is not offered to it (or its file is
    /// gone), 401 not paired or badly signed, 503 while [`MAX_SENDING`] packs are on their
    /// way to other kiosks.
    pub fn send_pack(
        &self,
        source: IpAddr,
        header: impl Fn(&str) -> Option<String>,
        body: &[u8],
        now: i64,
    ) -> Reply {
        let kiosk = match self.signed_by(source, &header, body, now) {
            Ok(kiosk) => kiosk,
            Err(answer) => return Reply::Text(answer),
        };
        let Ok(wanted) = serde_json::from_slice::<PackRequest>(body) else {
            return Reply::Text((400, "not a pack request".into()));
        };
        let offer = match self
            .db
            .lock()
            .map(|c| store::pack_offer(&c, &kiosk.kiosk_id))
        {
            Ok(Ok(offer)) => offer.filter(|o| o.version == wanted.version),
            _ => return Reply::Text((503, "busy".into())),
        };
        let (Some(offer), Some(dir)) = (offer, self.outgoing.as_deref()) else {
            return Reply::Text((404, "no such pack offered to this kiosk".into()));
        };
        use std::sync::atomic::Ordering;
        let taken = self
            .sending
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_SENDING).then_some(n + 1)
            });
        if taken.is_err() {
            return Reply::Text((503, "busy sending to other kiosks; ask again later".into()));
        }
        // From here the place is given back when `place` is dropped, sent or not.
        let mut place = Sending {
            bytes: Vec::new(),
            count: self.sending.clone(),
        };
        match read_offered(dir, &offer.file) {
            Ok(bytes) => {
                tracing::info!(
                    "sending content pack version {} to kiosk {}",
                    offer.version,
                    escaped(&kiosk.name, 80)
                );
                place.bytes = bytes;
                Reply::Pack(place)
            }
            Err(err) => {
                tracing::error!(
                    "content pack version {} for kiosk {} cannot be read: {err}",
                    offer.version,
                    escaped(&kiosk.name, 80)
                );
                Reply::Text((404, "the pack is no longer on the front desk".into()))
            }
        }
    }
}

/// A file of the outgoing folder by its plain name (no path), read up to
/// [`MAX_PACK_BYTES`].
fn read_offered(dir: &Path, file: &str) -> std::io::Result<Vec<u8>> {
    let plain = !file.is_empty()
        && file
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && !file.starts_with('.');
    if !plain {
        return Err(std::io::Error::other("not a plain file name"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(dir.join(file))?
        .take(MAX_PACK_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_PACK_BYTES {
        return Err(std::io::Error::other("larger than a pack may be"));
    }
    Ok(bytes)
}

/// The outgoing folder of a laptop whose data folder is `data_dir`.
pub fn outgoing_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(OUTGOING)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> KioskReport {
        KioskReport {
            version: REPORT_VERSION,
            app_version: "0.4.0".into(),
            content_version: Some("0123456789ab".into()),
            pack_version: 3,
            article_count: Some(48),
            queue_length: Some(0),
            failed_deliveries: Some(0),
            oldest_waiting_seconds: None,
            last_delivery_seconds: Some(30),
            free_disk_bytes: Some(10 << 30),
            disk: "ok".into(),
            config_problems: vec![],
            library_problem: None,
            content_problem: None,
            uptime_seconds: 3600,
            pack: None,
        }
    }

    fn offer(version: u64) -> store::PackOffer {
        store::PackOffer {
            version,
            file: "x.ckpack".into(),
            sha256: "ab".repeat(32),
            bytes: 1000,
            offered_at: 77,
        }
    }

    #[test]
    fn a_well_kiosk_seen_lately_has_no_warning() {
        let t = Thresholds::default();
        let now = 10_000_000;
        assert!(warnings(Some(now - 60_000), Some(&report()), None, t, now).is_empty());
        assert_eq!(
            warnings(None, None, None, t, now),
            [Warning::NeverSeen],
            "paired but never reported"
        );
    }

    #[test]
    fn not_seen_and_old_requests_follow_the_thresholds() {
        let t = Thresholds {
            not_seen_minutes: 5,
            request_age_minutes: 60,
        };
        let now = 100_000_000;
        let seen = now - 5 * 60_000;
        assert!(warnings(Some(seen), Some(&report()), None, t, now).is_empty());
        assert_eq!(
            warnings(Some(seen - 1), Some(&report()), None, t, now),
            [Warning::NotSeen]
        );
        let mut waiting = report();
        // 59 minutes when sent, 2 more since: over the hour.
        waiting.oldest_waiting_seconds = Some(59 * 60);
        assert_eq!(
            warnings(Some(now - 2 * 60_000), Some(&waiting), None, t, now),
            [Warning::OldRequest]
        );
        assert!(warnings(Some(now), Some(&waiting), None, t, now).is_empty());
    }

    #[test]
    fn disk_config_library_and_refused_packs_are_warned_about() {
        let t = Thresholds::default();
        let mut r = report();
        r.disk = "full".into();
        r.failed_deliveries = Some(2);
        r.config_problems = vec!["config.toml:3: idle.timeout_seconds: too small".into()];
        r.library_problem = Some("library.db cannot be opened".into());
        r.pack = Some(PackResult {
            version: 4,
            offered_at: 77,
            outcome: "untrusted".into(),
            detail: None,
        });
        assert_eq!(
            warnings(Some(0), Some(&r), Some(&offer(4)), t, 0),
            [
                Warning::FailedDeliveries,
                Warning::DiskFull,
                Warning::LibraryProblem,
                Warning::ConfigProblems,
                Warning::PackRefused
            ]
        );
        let mut cut = report();
        cut.pack = Some(PackResult {
            version: 4,
            offered_at: 77,
            outcome: "download".into(),
            detail: None,
        });
        cut.content_problem =
            Some("the pack is signed with a key this kiosk does not trust".into());
        assert_eq!(
            warnings(Some(0), Some(&cut), Some(&offer(4)), t, 0),
            [Warning::ContentProblem],
            "a download cut short is retried, not refused"
        );
        // A refusal of an older offer is history once a newer pack is sent.
        assert!(!warnings(Some(0), Some(&r), Some(&offer(5)), t, 0).contains(&Warning::PackRefused));
    }

    #[test]
    fn a_pack_is_offered_until_installed_or_tried() {
        let r = report(); // runs version 3
        assert_eq!(to_offer(Some(offer(3)), &r), None, "already running it");
        assert_eq!(
            to_offer(Some(offer(4)), &r).map(|o| o.version),
            Some(4),
            "a newer one is offered"
        );
        let mut tried = report();
        tried.pack = Some(PackResult {
            version: 4,
            offered_at: 77,
            outcome: "changed".into(),
            detail: None,
        });
        assert_eq!(
            to_offer(Some(offer(4)), &tried),
            None,
            "refused once: not again"
        );
        let resent = store::PackOffer {
            offered_at: 78,
            ..offer(4)
        };
        assert!(
            to_offer(Some(resent), &tried).is_some(),
            "sent again by staff: a new offer, tried again"
        );
        tried.pack = Some(PackResult {
            version: 4,
            offered_at: 77,
            outcome: "download".into(),
            detail: None,
        });
        assert!(
            to_offer(Some(offer(4)), &tried).is_some(),
            "a cut download is tried again"
        );
        assert_eq!(to_offer(None, &r), None);
    }

    #[test]
    fn reports_out_of_bounds_are_refused_by_field() {
        assert_eq!(check(&report()), Ok(()));
        let mut r = report();
        r.app_version = "0.4.0\u{202e}".into();
        r.disk = "melted".into();
        r.queue_length = Some(-1);
        r.config_problems = vec!["x".repeat(301)];
        assert_eq!(
            check(&r),
            Err("appVersion, queueLength, disk, configProblems".into())
        );
        let mut many = report();
        many.config_problems = vec!["ok".into(); 21];
        assert!(check(&many).is_err());
        let mut fitted = report();
        fitted.config_problems = fit_all(&vec!["a\u{200b}b".repeat(200); 30]);
        assert_eq!(check(&fitted), Ok(()), "what a kiosk sends always fits");
    }

    #[test]
    fn only_plain_names_of_the_outgoing_folder_are_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("v2.ckpack"), b"pack").expect("write");
        assert_eq!(
            read_offered(dir.path(), "v2.ckpack").ok(),
            Some(b"pack".to_vec())
        );
        for bad in ["../v2.ckpack", "", ".hidden", "a/b"] {
            assert!(read_offered(dir.path(), bad).is_err(), "{bad:?}");
        }
    }
}
