//! A real FHIR R4 server for the delivery tests (issue #15): Helios FHIR Server (`hfs`, the
//! crate `helios-hfs`, MIT), written independently of this app, on loopback with its SQLite
//! store in a temporary folder and write validation enforced (`HFS_VALIDATION_MODE=enforce`:
//! an invalid resource is answered 422).
//!
//! One server per test binary, started by the first test that asks for it, so
//! `cargo test --test integration delivery::` works alone. It is stopped when the test binary
//! exits: a small shell watchdog holds our end of a pipe and kills the server (and removes
//! its folder) when that pipe closes, as it does when this process ends however it ends.
//!
//! `scripts/install-fhir-server` (run by scripts/test) compiles the server once into a
//! cached folder; a test that finds no server fails and says how to install it. The e2e
//! binary includes this file too (`#[path]`), so it needs nothing else from `common`.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The Helios FHIR Server version the tests run (scripts/lib.sh `HFS_VERSION` installs it).
pub const HFS_VERSION: &str = "0.2.7";

/// How scripts/lib.sh builds it (`HFS_BUILD`: `dev`, unoptimised, a quarter of the release
/// build's time): part of the cached folder's name.
pub const HFS_BUILD: &str = "dev";

/// The `hfs` binary to run, when not in the cached tools folder.
pub const HFS_ENV: &str = "CLINIC_KIOSK_HFS";

/// A running FHIR server.
pub struct FhirServer {
    /// Its base URL, such as `http://127.0.0.1:40123`.
    pub base: String,
    _watchdog: Mutex<Child>,
}

/// Where scripts/lib.sh keeps compiled test tools: `CLINIC_KIOSK_TOOLS`, else
/// `clinic-kiosk-tools` beside `CARGO_TARGET_DIR`, else `~/.cache/clinic-kiosk/tools`.
pub fn tools_dir() -> PathBuf {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = set("CLINIC_KIOSK_TOOLS") {
        return PathBuf::from(dir);
    }
    if let Some(target) = set("CARGO_TARGET_DIR") {
        let target = PathBuf::from(target);
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            return parent.join("clinic-kiosk-tools");
        }
    }
    let home = set("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/root".into());
    home.join(".cache/clinic-kiosk/tools")
}

/// The `hfs` binary: `CLINIC_KIOSK_HFS`, else the cached install.
pub fn hfs_path() -> PathBuf {
    match std::env::var_os(HFS_ENV).filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => tools_dir().join(format!("hfs-{HFS_VERSION}-{HFS_BUILD}/bin/hfs")),
    }
}

/// The server of this test binary, started on first use. Panics (failing the test) when
/// the server is not installed or does not answer: a missing server never passes.
pub fn server() -> &'static FhirServer {
    static SERVER: OnceLock<FhirServer> = OnceLock::new();
    SERVER.get_or_init(start)
}

fn start() -> FhirServer {
    let hfs = hfs_path();
    assert!(
        hfs.is_file(),
        "Helios FHIR Server {HFS_VERSION} is not installed at {}: run `bash scripts/install-fhir-server` \
         (scripts/test does; it compiles once, then reuses the cached binary) or set {HFS_ENV}",
        hfs.display()
    );
    // Left behind only if the watchdog itself is killed; it removes the folder otherwise.
    let dir = tempfile::Builder::new()
        .prefix("clinic-kiosk-fhir-")
        .tempdir()
        .expect("a folder for the FHIR server")
        .keep();
    prepare_folder(&dir).expect("the FHIR server's data folder and search parameter");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let log = dir.join("hfs.log");
    // The watchdog (see `watched_command`) stops the server and removes its folder.
    let script = r#"exec 3<&0
"$0" >"$1/hfs.log" 2>&1 </dev/null & pid=$!
(read -r _ <&3; kill "$pid" 2>/dev/null; sleep 1; rm -rf "$1") &
wait "$pid""#;
    let watchdog = watched_command(script, &hfs, &dir, port)
        .spawn()
        .expect("sh starts the FHIR server");
    let watchdog = Mutex::new(watchdog);
    wait_until_ready(&base, &watchdog, &log);
    FhirServer {
        base,
        _watchdog: watchdog,
    }
}

/// Makes `dir/data` (HFS_DATA_DIR) with the one search parameter the tests use, as HL7's R4
/// spec defines it (CommunicationRequest-identifier), but `active` where the spec file says
/// `draft`: the server registers active parameters only, and with none it searches by
/// nothing and If-None-Exist never matches. It loads every .json file in its data folder.
/// Errors: the folder cannot be made or the fixture copied.
pub fn prepare_folder(dir: &Path) -> std::io::Result<()> {
    let data = dir.join("data");
    std::fs::create_dir_all(&data)?;
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fhir/communicationrequest-identifier.json"),
        data.join("communicationrequest-identifier.json"),
    )?;
    Ok(())
}

/// `sh -c script hfs dir`, with the server's settings for loopback port `port`: its SQLite
/// file `dir/fhir.db`, data folder `dir/data` (see [`prepare_folder`]), write validation
/// enforced, no UI. `script` starts `"$0"` (the server) in the background with its log in
/// `"$1"` and waits for it (so a server that dies is seen at once), while a background reader
/// of the shell's stdin, our pipe (fd 3: a background job's own stdin is /dev/null), stops it
/// when the pipe closes: when the caller drops the child's stdin, or when this process ends
/// however it ends, so no server is left behind. Also used by benches/fleet.rs.
pub fn watched_command(script: &str, hfs: &Path, dir: &Path, port: u16) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(script)
        .arg(hfs)
        .arg(dir)
        .env("HFS_SERVER_HOST", "127.0.0.1")
        .env("HFS_SERVER_PORT", port.to_string())
        .env("HFS_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("DATABASE_URL", dir.join("fhir.db"))
        .env("HFS_DATA_DIR", dir.join("data"))
        .env("HFS_VALIDATION_MODE", "enforce")
        .env("HFS_UI_ENABLED", "false")
        .env("HFS_LOG_LEVEL", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// The last `lines` lines of the server's log at `log` (empty if it cannot be read).
pub fn log_tail(log: &Path, lines: usize) -> String {
    let mut text = String::new();
    if let Ok(mut f) = std::fs::File::open(log) {
        let _ = f.read_to_string(&mut text);
    }
    let mut tail: Vec<&str> = text.lines().rev().take(lines).collect();
    tail.reverse();
    tail.join("\n")
}

/// Polls `GET {base}/metadata` until the server answers 200 (at most 120 s: its first
/// start creates the SQLite schema on a busy machine), or panics with its log.
fn wait_until_ready(base: &str, watchdog: &Mutex<Child>, log: &Path) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let answer = rt.block_on(async {
            reqwest::Client::new()
                .get(format!("{base}/metadata"))
                .header("Accept", "application/fhir+json")
                .timeout(Duration::from_secs(5))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .map_err(|e| e.to_string())
        });
        if answer == Ok(200) {
            return;
        }
        let exited = watchdog
            .lock()
            .map(|mut c| c.try_wait().ok().flatten().is_some())
            .unwrap_or(true);
        if exited || Instant::now() > deadline {
            let tail = log_tail(log, 30);
            panic!("the FHIR server at {base} did not start ({answer:?}); its log:\n{tail}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
