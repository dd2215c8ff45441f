//! The kiosk user's cage session for the tests: the documented set-up
//! (`clinic-kiosk-session setup`) makes the user; cage runs as that user with the wlroots
//! headless backend, and tauri-driver runs inside it (so WebKitWebDriver and the app it
//! starts are Wayland clients of that cage).

use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use fantoccini::ClientBuilder;
use serde_json::json;

use crate::driver::Session;

/// The test's kiosk user, made (and deleted) by clinic-kiosk-session.
pub const USER: &str = "ck-e2e";
const MANIFEST: &str = "/var/lib/clinic-kiosk-session/manifest";

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn script() -> PathBuf {
    root().join("src-tauri/packaging/clinic-kiosk-session")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run(cmd: &mut Command) -> Result<std::process::Output> {
    cmd.output().with_context(|| format!("cannot run {cmd:?}"))
}

fn id(args: &[&str]) -> Result<u32> {
    let out = run(Command::new("id").args(args))?;
    ensure!(out.status.success(), "id {args:?}: {}", text(&out.stderr));
    Ok(text(&out.stdout).trim().parse()?)
}

/// The set-up as the README documents it, undone (user and all) when dropped.
pub struct SetUp {
    pub uid: u32,
    pub gid: u32,
    pub home: PathBuf,
}

impl SetUp {
    pub fn run(app: &Path) -> Result<SetUp> {
        ensure!(
            id(&["-u"])? == 0,
            "the cage journeys run as root (they make the kiosk user with clinic-kiosk-session setup); run them through scripts/test or with sudo"
        );
        if let Ok(manifest) = std::fs::read_to_string(MANIFEST) {
            ensure!(
                manifest.lines().any(|l| l == format!("user {USER}")),
                "this machine is set up as a lobby kiosk ({MANIFEST}); the test will not touch it"
            );
            // A run that died half way: start clean.
            let _ = run(Command::new(script()).args(["remove", "--delete-user"]));
        }
        let out = run(Command::new(script())
            .args(["setup", "--no-start", "--user", USER, "--app"])
            .arg(app))?;
        ensure!(
            out.status.success(),
            "clinic-kiosk-session setup failed:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        let passwd = text(&run(Command::new("getent").args(["passwd", USER]))?.stdout);
        let fields: Vec<&str> = passwd.trim().split(':').collect();
        ensure!(fields.len() == 7, "setup did not make the user {USER}");
        ensure!(
            fields[6] == "/usr/sbin/nologin",
            "the kiosk user has a shell: {passwd}"
        );
        let groups = text(&run(Command::new("id").args(["-nG", USER]))?.stdout);
        ensure!(
            !groups
                .split_whitespace()
                .any(|g| ["sudo", "adm", "wheel", "root"].contains(&g)),
            "the kiosk user is privileged: {groups}"
        );
        Ok(SetUp {
            uid: id(&["-u", USER])?,
            gid: id(&["-g", USER])?,
            home: PathBuf::from(fields[5]),
        })
    }
}

impl Drop for SetUp {
    fn drop(&mut self) {
        match run(Command::new(script()).args(["remove", "--delete-user"])) {
            Ok(out) if out.status.success() => {}
            Ok(out) => eprintln!(
                "cage: clinic-kiosk-session remove --delete-user failed:\n{}{}",
                text(&out.stdout),
                text(&out.stderr)
            ),
            Err(e) => eprintln!("cage: {e:#}"),
        }
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A folder the kiosk user owns, private to it.
fn private_dir(prefix: &str, set_up: &SetUp) -> Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
    std::os::unix::fs::chown(dir.path(), Some(set_up.uid), Some(set_up.gid))?;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))?;
    Ok(dir)
}

/// One process: (pid, parent pid, command name).
fn processes() -> Vec<(u32, u32, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_string();
        let mut rest = stat[close + 1..].split_whitespace();
        let state = rest.next().unwrap_or("");
        let ppid = rest.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        if state != "Z" {
            out.push((pid, ppid, comm));
        }
    }
    out
}

/// Whose process `pid` is: the owner of its /proc folder (the effective uid).
fn process_uid(pid: u32) -> Option<u32> {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(format!("/proc/{pid}"))
        .ok()
        .map(|m| m.uid())
}

pub fn alive(pid: u32) -> bool {
    processes().iter().any(|(p, _, _)| *p == pid)
}

fn terminate(pid: u32) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

fn wait_gone(pid: u32, secs: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    !alive(pid)
}

/// cage running tauri-driver as the kiosk user.
pub struct Cage {
    child: Child,
    port: u16,
    runtime: tempfile::TempDir,
    data: tempfile::TempDir,
    _work: tempfile::TempDir,
    log: PathBuf,
    /// The kiosk user's uid (from the set-up).
    uid: u32,
    pub app: PathBuf,
}

impl Cage {
    pub fn start(set_up: &SetUp, app: &Path) -> Result<Cage> {
        for tool in ["cage", "grim", "WebKitWebDriver", "dbus-run-session"] {
            ensure!(
                run(Command::new("sh").args(["-c", &format!("command -v {tool}")]))?
                    .status
                    .success(),
                "{tool} is not installed; scripts/test installs it (packages cage, grim, webkit2gtk-driver, dbus)"
            );
        }
        let tauri_driver = std::env::var_os("TAURI_DRIVER")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/tauri-driver"))
            })
            .filter(|p| p.is_file())
            .context("no tauri-driver; install it with `cargo install tauri-driver --locked`")?;
        // The kiosk user cannot reach root's ~/.cargo/bin: a copy it can run.
        let work = tempfile::Builder::new().prefix("ck-cage-").tempdir()?;
        std::fs::set_permissions(work.path(), std::fs::Permissions::from_mode(0o755))?;
        let driver_copy = work.path().join("tauri-driver");
        std::fs::copy(&tauri_driver, &driver_copy)?;
        std::fs::set_permissions(&driver_copy, std::fs::Permissions::from_mode(0o755))?;
        let runtime = private_dir("ck-cage-runtime-", set_up)?;
        let data = private_dir("ck-cage-data-", set_up)?;
        let log = work.path().join("cage.log");
        let out = File::create(&log)?;
        let port = free_port()?;
        let native = free_port()?;
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", USER, "--", "env", "-i"])
            .arg("PATH=/usr/local/bin:/usr/bin:/bin")
            .arg(format!("HOME={}", set_up.home.display()))
            .arg(format!("USER={USER}"))
            .arg(format!("LOGNAME={USER}"))
            .arg("LANG=C.UTF-8")
            .arg(format!("XDG_RUNTIME_DIR={}", runtime.path().display()))
            .args([
                "WLR_BACKENDS=headless",
                "WLR_LIBINPUT_NO_DEVICES=1",
                "WLR_RENDERER=pixman",
                "GDK_BACKEND=wayland",
                // No accessibility bus daemons left behind when the session ends.
                "NO_AT_BRIDGE=1",
                "CLINIC_KIOSK_LOG=info",
            ])
            .arg(format!("CLINIC_KIOSK_DATA_DIR={}", data.path().display()))
            // The app's single-instance guard talks over a session bus, as in the unit.
            .args(["dbus-run-session", "--", "cage", "-d", "--"])
            .arg(&driver_copy)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        let child = cmd.spawn().context("cannot start cage with runuser")?;
        let mut cage = Cage {
            child,
            port,
            runtime,
            data,
            _work: work,
            log,
            uid: set_up.uid,
            app: app.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = cage.child.try_wait() {
                bail!(
                    "cage ended ({status}) before tauri-driver listened:\n{}",
                    cage.log_tail(30)
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "tauri-driver did not listen on port {port} within 20 s:\n{}",
                    cage.log_tail(30)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(cage)
    }

    /// The app's data folder (owned by the kiosk user).
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// The processes under this cage session: (pid, command name).
    pub fn descendants(&self) -> Vec<(u32, String)> {
        let all = processes();
        let mut found = Vec::new();
        let mut parents = vec![self.child.id()];
        while let Some(parent) = parents.pop() {
            for (pid, ppid, comm) in &all {
                if *ppid == parent {
                    found.push((*pid, comm.clone()));
                    parents.push(*pid);
                }
            }
        }
        found
    }

    /// The pid of the first process under the session named `comm`.
    pub fn find(&self, comm: &str) -> Option<u32> {
        self.descendants()
            .into_iter()
            .find(|(_, c)| c == comm)
            .map(|(pid, _)| pid)
    }

    /// Waits for the app processes of the session to end; SIGTERM to any still there after
    /// 5 s (an app whose page was destroyed outlives its WebDriver session). Besides those
    /// under cage, any app the kiosk user runs that has left the tree (its parent ended
    /// first): a leftover app makes the next start only raise it, as a second instance, and
    /// that journey then waits 90 s for a session that never comes.
    pub fn end_apps(&self) {
        let mut apps: Vec<u32> = self
            .descendants()
            .into_iter()
            .filter(|(_, c)| c == "clinic-kiosk")
            .map(|(pid, _)| pid)
            .collect();
        if self.uid != 0 {
            for (pid, _, comm) in processes() {
                if comm == "clinic-kiosk"
                    && process_uid(pid) == Some(self.uid)
                    && !apps.contains(&pid)
                {
                    apps.push(pid);
                }
            }
        }
        for pid in apps {
            if !wait_gone(pid, 5) {
                eprintln!("cage: the app ({pid}) outlived its session; ending it");
                terminate(pid);
                wait_gone(pid, 10);
            }
        }
    }

    /// Everything cage, tauri-driver, WebKitWebDriver and the app wrote, the last `lines`
    /// lines (without wlroots' headless output-test noise).
    pub fn log_tail(&self, lines: usize) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let kept: Vec<String> = log
            .lines()
            .filter(|l| !l.contains("Basic output test failed") && !l.trim().is_empty())
            .map(without_colours)
            .collect();
        kept[kept.len().saturating_sub(lines)..].join("\n")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Starts the app through tauri-driver and connects, once the home screen is up.
    pub async fn session(&self) -> Result<Session> {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            json!({ "application": self.app.to_string_lossy() }),
        );
        let mut last = None;
        for _ in 0..3 {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => {
                    let session = Session { client };
                    session
                        .wait_js_for(crate::driver::HOME_READY, "the home screen", 30)
                        .await?;
                    return Ok(session);
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        bail!("could not start a session: {last:?}\n{}", self.log_tail(30))
    }

    /// A screenshot of the whole output, taken by grim as the kiosk user (wlr-screencopy),
    /// copied to target/screenshots/NAME.png.
    pub fn grim(&self, name: &str) -> Result<PathBuf> {
        let display = std::fs::read_dir(self.runtime.path())?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with("wayland-") && !n.ends_with(".lock"))
            .context("cage made no Wayland socket")?;
        let shot = self.runtime.path().join(format!("{name}.png"));
        let out = run(Command::new("runuser")
            .args(["-u", USER, "--", "env"])
            .arg(format!("XDG_RUNTIME_DIR={}", self.runtime.path().display()))
            .arg(format!("WAYLAND_DISPLAY={display}"))
            .arg("grim")
            .arg(&shot))?;
        ensure!(out.status.success(), "grim: {}", text(&out.stderr));
        let dir = root().join("target/screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::copy(&shot, &path)?;
        let _ = std::fs::remove_file(&shot);
        Ok(path)
    }

    /// SIGTERM to tauri-driver (never SIGKILL: WebKitWebDriver would be orphaned), then to
    /// cage if it is still up.
    pub fn stop(&mut self) {
        if let Some(driver) = self.find("tauri-driver") {
            terminate(driver);
            if !wait_gone(driver, 10) {
                eprintln!("cage: tauri-driver ({driver}) did not end within 10 s of SIGTERM");
            }
        }
        if let Some(cage) = self.find("cage") {
            terminate(cage);
            wait_gone(cage, 10);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!(
            "cage: the session did not end; still running: {:?}",
            self.descendants()
        );
        terminate(self.child.id());
        let _ = self.child.wait();
    }
}

impl Drop for Cage {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}

/// A log line without its terminal colour codes (ESC [ ... m).
fn without_colours(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Width and height of a PNG file (its IHDR chunk).
pub fn png_size(path: &Path) -> Result<(u32, u32)> {
    let bytes = std::fs::read(path)?;
    ensure!(
        bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{} is not a PNG",
        path.display()
    );
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    Ok((be(16), be(20)))
}

/// Listen's sound on a lobby kiosk (issue #13): `clinic-kiosk-session session`, as the unit
/// runs it (the kiosk user, its own XDG_RUNTIME_DIR, headless cage), starts the user's own
/// PulseAudio, and a program in the app's place answers `pactl info` from it; when the
/// session ends the server goes with it. libpulse never spawns a server of its own on a
/// machine booted with systemd; PID 1 here is not systemd, so the test says `autospawn = no`
/// as the kiosk has it (else pactl would start one and hide a session that starts none).
pub fn session_sound(set_up: &SetUp) -> Result<()> {
    ensure!(
        run(Command::new("sh").args(["-c", "command -v pulseaudio && command -v pactl"]))?
            .status
            .success(),
        "pulseaudio is not installed; scripts/test installs it (packages pulseaudio pulseaudio-utils)"
    );
    let groups = text(&run(Command::new("id").args(["-nG", USER]))?.stdout);
    ensure!(
        groups.split_whitespace().any(|g| g == "audio"),
        "setup puts the kiosk user in the audio group (its PulseAudio opens the sound card): {groups}"
    );
    let work = tempfile::Builder::new()
        .prefix("ck-cage-sound-")
        .tempdir()?;
    std::fs::set_permissions(work.path(), std::fs::Permissions::from_mode(0o755))?;
    let probe = work.path().join("probe");
    std::fs::write(
        &probe,
        "#!/bin/sh\n# In the app's place: who it runs as, and what pactl finds.\n{ id -un; pactl info; echo \"pactl exit $?\"; } >\"$PROBE_OUT/probe.txt\" 2>&1\n",
    )?;
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o755))?;
    let client_conf = work.path().join("client.conf");
    std::fs::write(&client_conf, "autospawn = no\n")?;
    std::fs::set_permissions(&client_conf, std::fs::Permissions::from_mode(0o644))?;
    let runtime = private_dir("ck-cage-sound-runtime-", set_up)?;
    let out_dir = private_dir("ck-cage-sound-out-", set_up)?;
    let session = run(Command::new("timeout")
        .args(["120", "runuser", "-u", USER, "--", "env", "-i"])
        .arg("PATH=/usr/local/bin:/usr/bin:/bin")
        .arg(format!("HOME={}", set_up.home.display()))
        .arg(format!("USER={USER}"))
        .arg(format!("LOGNAME={USER}"))
        .arg("LANG=C.UTF-8")
        .arg(format!("XDG_RUNTIME_DIR={}", runtime.path().display()))
        .args([
            "WLR_BACKENDS=headless",
            "WLR_LIBINPUT_NO_DEVICES=1",
            "WLR_RENDERER=pixman",
        ])
        .arg(format!("PULSE_CLIENTCONFIG={}", client_conf.display()))
        .arg(format!("PROBE_OUT={}", out_dir.path().display()))
        .arg(script())
        .args(["session", "--app"])
        .arg(&probe))?;
    let said = format!("{}{}", text(&session.stdout), text(&session.stderr));
    ensure!(
        session.status.success(),
        "the session ended with {}:\n{said}",
        session.status
    );
    ensure!(
        said.contains("audio: started pulseaudio"),
        "the session says it started the kiosk user's PulseAudio:\n{said}"
    );
    let probed = std::fs::read_to_string(out_dir.path().join("probe.txt"))
        .with_context(|| format!("the app's place in the session never ran:\n{said}"))?;
    let socket = format!("{}/pulse/native", runtime.path().display());
    ensure!(
        probed.starts_with(&format!("{USER}\n"))
            && probed.contains("pactl exit 0")
            && probed.contains(&format!("User Name: {USER}"))
            && probed.contains(&socket),
        "inside the session pactl info answers from the kiosk user's own server at {socket}:\n{probed}"
    );
    let left = run(Command::new("pgrep").args(["-u", USER, "-x", "pulseaudio"]))?;
    ensure!(
        !left.status.success(),
        "the session's PulseAudio outlived the session: pid {}",
        text(&left.stdout).trim()
    );
    Ok(())
}
