//! The health metrics for Prometheus (issue #15), read by the real consumer: Debian's
//! `prometheus-node-exporter` with its textfile collector pointed at the folder the app
//! writes to, scraped over HTTP as Prometheus would. The exporter parses each file with
//! Prometheus's own text-format parser and reports `node_textfile_scrape_error 1` (and drops
//! the file) when one does not parse, so a file it re-exposes is a file Prometheus reads.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clinic_kiosk::callbacks::{self, CallbackForm, CallbackSettings};
use clinic_kiosk::config::Config;
use clinic_kiosk::delivery::{Destination, Kind};
use clinic_kiosk::{health, metrics, store};
use serde_json::json;

/// Where Debian installs the node exporter (scripts/lib.sh TEST_PACKAGES has the package).
const NODE_EXPORTER: &str = "/usr/bin/prometheus-node-exporter";

/// A node exporter on a free loopback port with only the textfile collector, reading `dir`;
/// stopped when dropped.
struct NodeExporter {
    child: Child,
    url: String,
}

impl NodeExporter {
    fn start(dir: &Path) -> Self {
        assert!(
            Path::new(NODE_EXPORTER).is_file(),
            "{NODE_EXPORTER} is missing: install Debian's prometheus-node-exporter package (scripts/test does)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(NODE_EXPORTER)
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .args(["--collector.disable-defaults", "--collector.textfile"])
            .arg(format!("--collector.textfile.directory={}", dir.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the node exporter starts");
        NodeExporter {
            child,
            url: format!("http://127.0.0.1:{port}/metrics"),
        }
    }

    /// One scrape, as Prometheus makes it; waits up to 10 s for the exporter to listen.
    fn scrape(&self) -> String {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match rt.block_on(async { reqwest::get(&self.url).await?.text().await }) {
                Ok(text) => return text,
                Err(err) if Instant::now() > deadline => {
                    panic!("no scrape from the exporter: {err}")
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
}

impl Drop for NodeExporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of the sample whose line starts with `series` (name and labels) in `text`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.trim().parse().expect("a number"))
}

/// Submits `n` valid requests to kiosk.db, each with an outbox row for `ehr`.
fn submit(db: &Mutex<rusqlite::Connection>, settings: &CallbackSettings, n: u32, at: i64) {
    for i in 0..n {
        let form: CallbackForm = serde_json::from_value(json!({
            "requestId": uuid::Uuid::now_v7().to_string(),
            "name": "Test Patient",
            "phone": format!("201-555-01{:02}", 60 + i),
            "bestTime": "morning",
            "language": "en",
            "consent": true,
            "consentVersion": settings.consent_version,
            "specialty": "spine",
        }))
        .expect("form");
        let valid = callbacks::validate::validate(&form, settings, &["spine".to_string()])
            .expect("valid form");
        callbacks::queue::submit(&mut db.lock().unwrap(), &valid, settings, at + i64::from(i))
            .expect("submit");
    }
}

#[test]
fn the_node_exporter_reads_the_kiosks_health_as_prometheus_would() {
    let data = tempfile::tempdir().expect("data dir");
    let textfiles = tempfile::tempdir().expect("textfile dir");
    let mut config = Config::default();
    config.destinations.push(Destination {
        id: "ehr".into(),
        kind: Kind::Webhook {
            url: "https://ehr.example/in".into(),
            secret: "0123456789abcdef0123456789abcdef".into(),
        },
    });
    config.callbacks.destinations = vec!["staff-inbox".into(), "ehr".into()];
    config.callbacks.burst_limit = 100;
    let db = Mutex::new(store::open(&data.path().join("kiosk.db")).expect("kiosk.db"));
    let made = 1_795_611_600_000; // 2026-11-25 13:00 UTC
    submit(&db, &config.callbacks, 2, made);
    let library = Mutex::new(Err("not built in this test".to_string()));
    let problems = vec!["config.toml:3: idle.timeout_seconds: out of range".to_string()];
    let sources = health::Sources {
        library: &library,
        kiosk: Some(&db),
        config: &config,
        config_problems: &problems,
        content_problem: None,
        data_dir: data.path(),
    };
    let now = made + 3_600_000;
    let started = now - 120_000;
    let mut writer = metrics::Writer::new(textfiles.path().to_path_buf(), started);
    let path = writer
        .write(health::report(&sources, now), &[], now)
        .expect("written");
    assert_eq!(path, textfiles.path().join(metrics::FILE_NAME));

    let exporter = NodeExporter::start(textfiles.path());
    let text = exporter.scrape();
    assert_eq!(
        sample(&text, "node_textfile_scrape_error"),
        Some(0.0),
        "the exporter parsed the file:\n{text}"
    );
    assert!(
        text.contains(&format!(
            "node_textfile_mtime_seconds{{file=\"{}\"}}",
            path.display()
        )),
        "the file was read: {text}"
    );
    assert_eq!(sample(&text, "clinic_kiosk_delivery_waiting"), Some(2.0));
    assert_eq!(
        sample(&text, "clinic_kiosk_delivery_oldest_waiting_age_seconds"),
        Some(3600.0),
        "the oldest request was made an hour ago"
    );
    assert_eq!(sample(&text, "clinic_kiosk_delivery_refused"), Some(0.0));
    assert_eq!(sample(&text, "clinic_kiosk_config_problems"), Some(1.0));
    assert_eq!(sample(&text, "clinic_kiosk_library_ok"), Some(0.0));
    assert_eq!(
        sample(&text, "clinic_kiosk_start_time_seconds"),
        Some(started as f64 / 1000.0)
    );
    assert_eq!(
        sample(&text, "clinic_kiosk_report_timestamp_seconds"),
        Some(now as f64 / 1000.0)
    );
    assert_eq!(
        sample(
            &text,
            "clinic_kiosk_destination_info{destination=\"ehr\",kind=\"webhook\"}"
        ),
        Some(1.0)
    );
    let kiosk_bytes = sample(
        &text,
        "clinic_kiosk_database_size_bytes{database=\"kiosk\"}",
    )
    .expect("kiosk.db size");
    assert!(kiosk_bytes > 0.0);
    assert!(
        sample(&text, "clinic_kiosk_data_free_bytes").is_some_and(|b| b > 0.0),
        "free disk"
    );
    assert!(
        text.contains(&format!(
            "clinic_kiosk_info{{content_version=\"\",mode=\"kiosk\",version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    assert!(
        text.contains("# TYPE clinic_kiosk_delivery_waiting gauge"),
        "types kept"
    );
    for patient in ["Test Patient", "555", "+1201"] {
        assert!(
            !std::fs::read_to_string(&path).unwrap().contains(patient),
            "no patient data in the metrics"
        );
    }

    // The exporter's parser is strict: a broken file is an error it reports, and its
    // samples are not served. (A negative control: the check above could fail.)
    std::fs::write(
        textfiles.path().join("broken.prom"),
        "clinic_kiosk_broken{ 1\n",
    )
    .expect("write");
    let text = exporter.scrape();
    assert_eq!(sample(&text, "node_textfile_scrape_error"), Some(1.0));
}

/// Issue #15: a front-desk laptop's file also carries its paired kiosks, from their last
/// health reports, labelled by id and name (a name with a quote and a backslash, escaped as
/// the format asks), and its parser still takes the file.
#[test]
fn the_front_desk_writes_its_kiosks_health_for_prometheus() {
    use clinic_kiosk::lan::{fleet, store as lan_store};
    let data = tempfile::tempdir().expect("data dir");
    let textfiles = tempfile::tempdir().expect("textfile dir");
    let config = Config {
        mode: clinic_kiosk::config::Mode::FrontDesk,
        ..Config::default()
    };
    let db = Mutex::new(store::open(&data.path().join("kiosk.db")).expect("kiosk.db"));
    let now = 1_795_611_600_000;
    {
        let conn = db.lock().unwrap();
        for (id, name) in [("k-east", "Lobby \"east\" \\ 1"), ("k-west", "West")] {
            lan_store::add_kiosk(
                &conn,
                &lan_store::PairedKiosk {
                    kiosk_id: id.into(),
                    name: name.into(),
                    secret: "s".repeat(64),
                    paired_at: now - 86_400_000,
                },
            )
            .unwrap();
        }
        let report = json!({
            "version": 1, "appVersion": "0.1.0", "contentVersion": "0123456789ab",
            "packVersion": 7, "articleCount": 48, "queueLength": 3, "failedDeliveries": 0,
            "oldestWaitingSeconds": 7200, "lastDeliverySeconds": 60, "freeDiskBytes": 1000000000u64,
            "disk": "ok", "configProblems": [], "libraryProblem": null, "uptimeSeconds": 100,
            "pack": null
        });
        lan_store::save_health(&conn, "k-east", &report.to_string(), now - 30_000).unwrap();
    }
    let kiosks = fleet::kiosks(&db.lock().unwrap(), fleet::Thresholds::default(), now).unwrap();
    let library = Mutex::new(Err("not built in this test".to_string()));
    let sources = health::Sources {
        library: &library,
        kiosk: Some(&db),
        config: &config,
        config_problems: &[],
        content_problem: None,
        data_dir: data.path(),
    };
    let mut writer = metrics::Writer::new(textfiles.path().to_path_buf(), now - 1000);
    writer
        .write(health::report(&sources, now), &kiosks, now)
        .expect("written");
    let exporter = NodeExporter::start(textfiles.path());
    let text = exporter.scrape();
    assert_eq!(
        sample(&text, "node_textfile_scrape_error"),
        Some(0.0),
        "the exporter parsed the file:\n{text}"
    );
    let east = "kiosk=\"Lobby \\\"east\\\" \\\\ 1\",kiosk_id=\"k-east\"";
    assert_eq!(sample(&text, "clinic_kiosk_fleet_kiosks"), Some(2.0));
    assert_eq!(
        sample(
            &text,
            &format!("clinic_kiosk_fleet_last_seen_timestamp_seconds{{{east}}}")
        ),
        Some((now - 30_000) as f64 / 1000.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            &format!("clinic_kiosk_fleet_delivery_waiting{{{east}}}")
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(
            &text,
            &format!("clinic_kiosk_fleet_content_pack_version{{{east}}}")
        ),
        Some(7.0)
    );
    assert_eq!(
        sample(
            &text,
            &format!(
                "clinic_kiosk_fleet_warning{{{},warning=\"oldRequest\"}}",
                east
            )
        ),
        Some(1.0),
        "a request waiting two hours is past the hour: {text}"
    );
    assert_eq!(
        sample(
            &text,
            "clinic_kiosk_fleet_warning{kiosk=\"West\",kiosk_id=\"k-west\",warning=\"neverSeen\"}"
        ),
        Some(1.0)
    );
    assert!(
        !text.contains("clinic_kiosk_fleet_last_seen_timestamp_seconds{kiosk=\"West\""),
        "a kiosk never seen has no last-seen sample, not a 0 an alert would take for 1970"
    );
}

#[test]
fn the_textfile_folder_must_be_an_absolute_existing_folder() {
    use clinic_kiosk::config::file;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("config.toml");
    let text = format!("[metrics]\ntextfile_dir = \"{}\"\n", dir.path().display());
    let (config, problems) = file::parse(&text, &path);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(config.metrics_textfile_dir.as_deref(), Some(dir.path()));
    assert_eq!(
        Config::default().metrics_textfile_dir,
        None,
        "off unless the clinic's IT turns it on"
    );

    let (config, problems) = file::parse(
        "[metrics]\ntextfile_dir = \"node-exporter\"\ntextfile_folder = \"x\"\n",
        &path,
    );
    assert_eq!(config.metrics_textfile_dir, None);
    let found: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.key.as_str())).collect();
    assert_eq!(
        found,
        [(2, "metrics.textfile_dir"), (3, "metrics.textfile_folder")]
    );
    assert!(
        problems[0].message.contains("absolute path")
            && problems[0]
                .message
                .contains("/var/lib/prometheus/node-exporter"),
        "{}",
        problems[0].message
    );
    let (_, problems) = file::parse(
        "[metrics]\ntextfile_dir = \"/nonexistent/node-exporter\"\n",
        &path,
    );
    assert!(
        problems[0].message.contains("not a folder")
            && problems[0].message.contains("prometheus-node-exporter"),
        "{problems:#?}"
    );
}
