//! The health report as Prometheus metrics for the clinic's IT (issue #15): every kiosk and
//! front desk writes [`crate::health::Health`] in the Prometheus text format (0.0.4) to one
//! file in the folder the node exporter's textfile collector reads
//! (`prometheus-node-exporter --collector.textfile.directory`), at start and every
//! [`EVERY`]. The file is written beside its final name and renamed over it, so the exporter
//! never reads half a file. No patient data: counts, sizes, times and versions only.
//!
//! Metric names follow the Prometheus conventions: the `clinic_kiosk_` prefix, base units
//! in the name (`_seconds`, `_bytes`), timestamps as Unix seconds (`_timestamp_seconds`).
//! Every value is a gauge: the report's counts can go down (retention erases rows), so none
//! is a counter (`_total`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use prometheus::{Gauge, GaugeVec, Opts, Registry, TextEncoder};

use crate::health::Health;
use crate::lan::fleet::KioskView;

/// The file's name in the textfile folder; the collector reads `*.prom` files only.
pub const FILE_NAME: &str = "clinic_kiosk.prom";

/// How often the file is written while the app runs (it is also written at start).
pub const EVERY: Duration = Duration::from_secs(60);

/// Where Debian's `prometheus-node-exporter` package points its textfile collector.
pub const DEBIAN_TEXTFILE_DIR: &str = "/var/lib/prometheus/node-exporter";

/// Why the metrics file was not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetricsError {
    /// A metric could not be registered or encoded (the names are fixed, so a bug).
    #[error("the metrics could not be encoded: {0}")]
    Encode(#[from] prometheus::Error),
    /// The health report could not be made (a lock poisoned by a panic elsewhere).
    #[error("the health report could not be made: {0}")]
    Report(&'static str),
    /// The file could not be written into the folder or renamed into place.
    #[error("`{path}` could not be written: {source}")]
    Write {
        /// The folder or file that failed.
        path: PathBuf,
        /// The system's reason.
        source: std::io::Error,
    },
}

/// One registry of this report's gauges; `add` registers a gauge and sets its value.
struct Metrics {
    registry: Registry,
}

impl Metrics {
    fn new() -> Result<Self, MetricsError> {
        Ok(Metrics {
            registry: Registry::new_custom(Some("clinic_kiosk".into()), None)?,
        })
    }

    /// Gauge `name` (after the prefix) with `help`, set to `value`.
    fn add(&self, name: &str, help: &str, value: f64) -> Result<(), MetricsError> {
        let gauge = Gauge::with_opts(Opts::new(name, help))?;
        gauge.set(value);
        self.registry.register(Box::new(gauge))?;
        Ok(())
    }

    /// Gauge `name` with one sample per `(label values, value)` in `rows`.
    fn add_labelled(
        &self,
        name: &str,
        help: &str,
        labels: &[&str],
        rows: &[(Vec<&str>, f64)],
    ) -> Result<(), MetricsError> {
        let vec = GaugeVec::new(Opts::new(name, help), labels)?;
        for (values, value) in rows {
            vec.get_metric_with_label_values(values)?.set(*value);
        }
        self.registry.register(Box::new(vec))?;
        Ok(())
    }

    fn text(&self) -> Result<String, MetricsError> {
        let mut out = String::new();
        TextEncoder::new().encode_utf8(&self.registry.gather(), &mut out)?;
        Ok(out)
    }
}

/// Unix ms as Prometheus's Unix seconds.
fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// `health` at `now_ms` (Unix ms) for an app started at `started_ms`, and on a front-desk
/// laptop its `fleet` of paired kiosks, in the Prometheus text format. A value the report could not get is left out rather than shown as 0, so an
/// alert on it does not fire on a guess.
pub fn render(
    health: &Health,
    fleet: &[KioskView],
    now_ms: i64,
    started_ms: i64,
) -> Result<String, MetricsError> {
    let m = Metrics::new()?;
    if health.mode == crate::config::Mode::FrontDesk {
        add_fleet(&m, fleet)?;
    }
    m.add_labelled(
        "info",
        "Always 1; the labels say which app version, mode and content version run here.",
        &["version", "mode", "content_version"],
        &[(
            vec![
                health.app_version.as_str(),
                health.mode.as_str(),
                health.content_version.as_deref().unwrap_or(""),
            ],
            1.0,
        )],
    )?;
    m.add(
        "start_time_seconds",
        "When the app started, Unix seconds.",
        seconds(started_ms),
    )?;
    m.add(
        "report_timestamp_seconds",
        "When this file was written, Unix seconds; it is rewritten every minute, so an old value means the app is stuck or stopped.",
        seconds(now_ms),
    )?;
    m.add(
        "library_ok",
        "1 when the article library can be used, 0 when it cannot (see the staff health screen).",
        if health.library_problem.is_none() {
            1.0
        } else {
            0.0
        },
    )?;
    m.add(
        "content_pack_ok",
        "0 when the installed article update failed its check at start and the shipped articles are shown.",
        if health.content_problem.is_none() { 1.0 } else { 0.0 },
    )?;
    if let Some(n) = health.article_count {
        m.add(
            "library_articles",
            "Articles in the library, both languages.",
            n as f64,
        )?;
    }
    let sizes: Vec<(Vec<&str>, f64)> = [
        ("library", health.library_bytes),
        ("kiosk", health.kiosk_bytes),
    ]
    .into_iter()
    .filter_map(|(db, bytes)| Some((vec![db], bytes? as f64)))
    .collect();
    m.add_labelled(
        "database_size_bytes",
        "Size of library.db and kiosk.db with their write-ahead logs, bytes.",
        &["database"],
        &sizes,
    )?;
    if let Some(n) = health.queue_length {
        m.add(
            "delivery_waiting",
            "Requests waiting to be delivered to a destination (the kiosk's own inbox left out).",
            n as f64,
        )?;
    }
    if let Some(n) = health.failed_deliveries {
        m.add(
            "delivery_refused",
            "Requests a destination refused for good, waiting for staff to retry them.",
            n as f64,
        )?;
    }
    if health.queue_length.is_some() {
        let age = health
            .oldest_waiting
            .map_or(0, |oldest| (now_ms - oldest).max(0));
        m.add(
            "delivery_oldest_waiting_age_seconds",
            "Age of the oldest request still waiting to be delivered, seconds; 0 when none waits.",
            seconds(age),
        )?;
    }
    if let Some(at) = health.last_delivery {
        m.add(
            "delivery_last_success_timestamp_seconds",
            "When a request was last delivered to a destination, Unix seconds.",
            seconds(at),
        )?;
    }
    let destinations: Vec<(Vec<&str>, f64)> = health
        .destinations
        .iter()
        .map(|d| {
            // "id (kind)", as the report words it for staff.
            let (id, kind) = d
                .strip_suffix(')')
                .and_then(|d| d.rsplit_once(" ("))
                .unwrap_or((d.as_str(), ""));
            (vec![id, kind], 1.0)
        })
        .collect();
    m.add_labelled(
        "destination_info",
        "Always 1: one series per destination in the config, with its kind.",
        &["destination", "kind"],
        &destinations,
    )?;
    if let Some(bytes) = health.free_disk_bytes {
        m.add(
            "data_free_bytes",
            "Free space on the disk holding the data folder, bytes.",
            bytes as f64,
        )?;
    }
    m.add(
        "config_problems",
        "Problems in the config file (run `clinic-kiosk config check` to list them).",
        health.config_problems.len() as f64,
    )?;
    if let Some(n) = health.erased_undelivered {
        m.add(
            "requests_erased_undelivered",
            "Requests erased in the last 30 days because no destination took them in time.",
            n as f64,
        )?;
    }
    match health.data_encryption {
        crate::paths::Encryption::Encrypted => m.add(
            "data_encrypted",
            "1 when the data folder is on an encrypted disk (dm-crypt), 0 when it is not.",
            1.0,
        )?,
        crate::paths::Encryption::NotEncrypted => m.add(
            "data_encrypted",
            "1 when the data folder is on an encrypted disk (dm-crypt), 0 when it is not.",
            0.0,
        )?,
        crate::paths::Encryption::Unknown => {}
    }
    m.text()
}

/// On a front-desk laptop, its paired kiosks as their last reports said (issue #15): one
/// series per kiosk, labelled with its id and name, so one scrape of the laptop watches a
/// clinic's kiosks even where they run no exporter.
fn add_fleet(m: &Metrics, fleet: &[KioskView]) -> Result<(), MetricsError> {
    m.add(
        "fleet_kiosks",
        "Kiosks paired with this front desk.",
        fleet.len() as f64,
    )?;
    let per_kiosk = |value: &dyn Fn(&KioskView) -> Option<f64>| -> Vec<(Vec<&str>, f64)> {
        fleet
            .iter()
            .filter_map(|k| Some((vec![k.kiosk_id.as_str(), k.name.as_str()], value(k)?)))
            .collect()
    };
    let labels = ["kiosk_id", "kiosk"];
    m.add_labelled(
        "fleet_last_seen_timestamp_seconds",
        "When the kiosk last reported its health to this front desk, Unix seconds (it reports every minute).",
        &labels,
        &per_kiosk(&|k| k.last_seen.map(seconds)),
    )?;
    m.add_labelled(
        "fleet_delivery_waiting",
        "Requests waiting on the kiosk for delivery, as it last reported.",
        &labels,
        &per_kiosk(&|k| k.report.as_ref()?.queue_length.map(|n| n as f64)),
    )?;
    m.add_labelled(
        "fleet_content_pack_version",
        "The content pack version the kiosk runs (0: the articles shipped with the app).",
        &labels,
        &per_kiosk(&|k| k.report.as_ref().map(|r| r.pack_version as f64)),
    )?;
    let warnings: Vec<(Vec<&str>, f64)> = fleet
        .iter()
        .flat_map(|k| {
            k.warnings.iter().map(move |w| {
                (
                    vec![k.kiosk_id.as_str(), k.name.as_str(), warning_name(*w)],
                    1.0,
                )
            })
        })
        .collect();
    m.add_labelled(
        "fleet_warning",
        "1 per warning the front desk's kiosk list shows (notSeen, oldRequest, diskFull, ...).",
        &["kiosk_id", "kiosk", "warning"],
        &warnings,
    )
}

/// A warning's wire name, as the staff view and the metrics label it (a test keeps it equal
/// to serde's).
fn warning_name(w: crate::lan::fleet::Warning) -> &'static str {
    use crate::lan::fleet::Warning as W;
    match w {
        W::NeverSeen => "neverSeen",
        W::NotSeen => "notSeen",
        W::OldRequest => "oldRequest",
        W::FailedDeliveries => "failedDeliveries",
        W::DiskFull => "diskFull",
        W::DiskLow => "diskLow",
        W::ConfigProblems => "configProblems",
        W::LibraryProblem => "libraryProblem",
        W::ContentProblem => "contentProblem",
        W::PackRefused => "packRefused",
    }
}

/// Writes `text` to [`FILE_NAME`] in `dir`: a new file beside it (a name the collector
/// skips), readable by the exporter's user (0644: nothing in it is private), flushed, then
/// renamed over the old one. Returns the file's path.
pub fn write(dir: &Path, text: &str) -> Result<PathBuf, MetricsError> {
    let target = dir.join(FILE_NAME);
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MetricsError::Write { path, source }
    };
    let mut file = tempfile::Builder::new()
        .prefix(".clinic_kiosk.")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(failed(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(file.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(failed(file.path()))?;
    }
    file.write_all(text.as_bytes())
        .map_err(failed(file.path()))?;
    file.as_file().sync_all().map_err(failed(file.path()))?;
    file.persist(&target).map_err(|e| MetricsError::Write {
        path: target.clone(),
        source: e.error,
    })?;
    Ok(target)
}

/// The writer of one app: writes each report it is given and logs only when writing starts
/// or stops failing, not every minute.
#[derive(Debug)]
pub struct Writer {
    /// The textfile collector's folder.
    pub dir: PathBuf,
    /// When the app started, Unix ms.
    pub started_ms: i64,
    failing: bool,
}

impl Writer {
    /// A writer into `dir` for an app started at `started_ms` (Unix ms).
    pub fn new(dir: PathBuf, started_ms: i64) -> Self {
        Writer {
            dir,
            started_ms,
            failing: false,
        }
    }

    /// Writes `report` (made at `now_ms`, Unix ms) and, on a front desk, its `fleet` of
    /// paired kiosks; the error, if any, is also logged the first time in a row it happens.
    pub fn write(
        &mut self,
        report: Result<Health, &'static str>,
        fleet: &[KioskView],
        now_ms: i64,
    ) -> Result<PathBuf, MetricsError> {
        let result = report
            .map_err(MetricsError::Report)
            .and_then(|health| render(&health, fleet, now_ms, self.started_ms))
            .and_then(|text| write(&self.dir, &text));
        match (&result, self.failing) {
            (Err(err), false) => tracing::error!("metrics for Prometheus not written: {err}"),
            (Ok(path), true) => {
                tracing::info!("metrics for Prometheus written again to {}", path.display())
            }
            _ => {}
        }
        self.failing = result.is_err();
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real report (no library, a fresh kiosk.db): built by `health::report`, so fields
    /// added to the report later need no change here.
    fn health(dir: &Path) -> Health {
        let mut config = crate::config::Config::default();
        config.destinations.push(crate::delivery::Destination {
            id: "clinic \"hook\"".into(),
            kind: crate::delivery::Kind::Webhook {
                url: "https://clinic.example/hook".into(),
                secret: "s".into(),
            },
        });
        let kiosk = std::sync::Mutex::new(
            crate::store::open(&dir.join(crate::paths::KIOSK_DB)).expect("kiosk.db"),
        );
        let library = std::sync::Mutex::new(Err("no library here".to_string()));
        let problems = ["a".to_string(), "b".to_string()];
        let sources = crate::health::Sources {
            library: &library,
            kiosk: Some(&kiosk),
            config: &config,
            config_problems: &problems,
            content_problem: Some("bad"),
            data_dir: dir,
        };
        crate::health::report(&sources, 1_600_000).expect("report")
    }

    #[test]
    fn the_report_becomes_prefixed_gauges_with_help_and_escaped_labels() {
        let dir = tempfile::tempdir().expect("dir");
        let text = render(&health(dir.path()), &[], 1_600_000, 1_000).expect("render");
        assert!(
            text.contains("# HELP clinic_kiosk_delivery_waiting "),
            "{text}"
        );
        assert!(text.contains("# TYPE clinic_kiosk_delivery_waiting gauge\n"));
        assert!(text.contains("\nclinic_kiosk_delivery_waiting 0\n"));
        assert!(text.contains("\nclinic_kiosk_delivery_oldest_waiting_age_seconds 0\n"));
        assert!(text.contains("\nclinic_kiosk_start_time_seconds 1\n"));
        assert!(text.contains("\nclinic_kiosk_report_timestamp_seconds 1600\n"));
        assert!(text.contains("clinic_kiosk_database_size_bytes{database=\"kiosk\"} "));
        assert!(
            !text.contains("database=\"library\""),
            "an unknown size is left out, not 0"
        );
        assert!(
            !text.contains("clinic_kiosk_library_articles"),
            "no library, no count"
        );
        assert!(text.contains("\nclinic_kiosk_library_ok 0\n"));
        assert!(text.contains("\nclinic_kiosk_content_pack_ok 0\n"));
        assert!(text.contains("\nclinic_kiosk_config_problems 2\n"));
        assert!(
            text.contains(
                r#"clinic_kiosk_destination_info{destination="clinic \"hook\"",kind="webhook"} 1"#
            ),
            "label values escaped: {text}"
        );
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(line.starts_with("clinic_kiosk_"), "{line}");
        }
    }

    #[test]
    fn warning_labels_are_the_staff_views_names() {
        use crate::lan::fleet::Warning as W;
        for w in [
            W::NeverSeen,
            W::NotSeen,
            W::OldRequest,
            W::FailedDeliveries,
            W::DiskFull,
            W::DiskLow,
            W::ConfigProblems,
            W::LibraryProblem,
            W::ContentProblem,
            W::PackRefused,
        ] {
            assert_eq!(
                serde_json::to_value(w).expect("json").as_str(),
                Some(warning_name(w))
            );
        }
    }

    #[test]
    fn the_file_is_replaced_whole_and_readable_by_the_exporter() {
        let dir = tempfile::tempdir().expect("dir");
        let path = write(dir.path(), "a 1\n").expect("write");
        write(dir.path(), "a 2\n").expect("rewrite");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "a 2\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, [FILE_NAME], "no temporary file left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
        let missing = dir.path().join("nope");
        assert!(matches!(
            write(&missing, "a 1\n"),
            Err(MetricsError::Write { .. })
        ));
    }
}
