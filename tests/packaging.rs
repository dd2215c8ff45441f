//! The files that keep an installed kiosk running: the systemd user unit is valid for
//! systemd itself, restarts the app whenever it exits, and never gives up; and the lobby
//! kiosk session (`clinic-kiosk-session`), set up and removed for real when run as root.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

fn unit() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/packaging/clinic-kiosk.service"),
    )
    .expect("the unit file")
}

fn setting<'a>(unit: &'a str, key: &str) -> Vec<&'a str> {
    unit.lines()
        .filter_map(|l| l.trim().strip_prefix(key)?.strip_prefix('='))
        .collect()
}

#[test]
fn the_unit_restarts_the_kiosk_whenever_it_exits_and_never_gives_up() {
    let unit = unit();
    assert_eq!(setting(&unit, "Restart"), ["always"]);
    assert_eq!(
        setting(&unit, "StartLimitIntervalSec"),
        ["0"],
        "no start limit for a kiosk"
    );
    assert_eq!(setting(&unit, "ExecStart"), ["/usr/bin/clinic-kiosk"]);
    assert_eq!(setting(&unit, "WantedBy"), ["graphical-session.target"]);
}

#[test]
fn a_staff_quit_is_the_one_exit_that_is_not_restarted() {
    let unit = unit();
    assert_eq!(
        setting(&unit, "RestartPreventExitStatus"),
        [clinic_kiosk::commands::kiosk::STAFF_QUIT_STATUS
            .to_string()
            .as_str()],
        "the unit must not restart the app after a staff member closed it"
    );
}

#[test]
fn systemd_accepts_the_unit() {
    // systemd-analyze checks the executable exists, so point it at the built binary.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("clinic-kiosk.service");
    let unit = unit().replace("/usr/bin/clinic-kiosk", env!("CARGO_BIN_EXE_clinic-kiosk"));
    std::fs::write(&path, unit).expect("write unit");
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path)
        .output()
        .expect("systemd-analyze (package systemd) is needed for this test");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("clinic-kiosk.service:"),
        "systemd-analyze verify found problems:\n{stderr}"
    );
}

// --- The lobby kiosk session (issue #10): `clinic-kiosk-session`, installed by the .deb as
// /usr/bin/clinic-kiosk-session. Run for real as root: setup, setup again, remove, setup
// over the kept user, remove --delete-user, comparing the machine's files before and after.

fn session_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/packaging/clinic-kiosk-session")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs the script with `args`; (exit code, stdout, stderr).
fn session(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(session_script())
        .args(args)
        .output()
        .expect("run clinic-kiosk-session");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_session_script_is_shellcheck_clean() {
    let out = Command::new("shellcheck")
        .arg(session_script())
        .output()
        .expect(
        "shellcheck (Debian package shellcheck; scripts/test installs it) is needed for this test",
    );
    assert!(
        out.status.success(),
        "shellcheck found problems:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_session_script_refuses_bad_input_and_says_how_to_fix_it() {
    // Each of these fails before anything on the machine is touched.
    for (args, says) in [
        (&["setup", "--bogus"][..], "unknown option '--bogus'"),
        (&["setup", "--vt", "0"][..], "--vt must be a console number"),
        (
            &["setup", "--vt", "two"][..],
            "--vt must be a console number",
        ),
        (
            &["setup", "--user", "Root Admin"][..],
            "not a usable user name",
        ),
        (&["setup", "--user", "root"][..], "not a usable user name"),
        (&["remove", "--force"][..], "unknown option '--force'"),
        (&["status", "--all"][..], "takes no options"),
        (&["frobnicate"][..], "unknown command 'frobnicate'"),
    ] {
        let (code, _, stderr) = session(args);
        assert_ne!(code, 0, "{args:?} must fail");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(
            stderr.lines().count() >= 2,
            "{args:?} says how to fix it: {stderr}"
        );
    }
    if is_root() {
        let (code, _, stderr) = session(&["setup", "--app", "/nonexistent/clinic-kiosk"]);
        assert_ne!(code, 0);
        assert!(
            stderr.contains("does not exist") && stderr.contains("apt install"),
            "{stderr}"
        );
        // Not root: the same command from an ordinary user.
        let out = Command::new("runuser")
            .args(["-u", "nobody", "--"])
            .arg(session_script())
            .args(["setup", "--no-start"])
            .output()
            .expect("runuser");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            stderr.contains("must run as root")
                && stderr.contains("sudo clinic-kiosk-session setup"),
            "{stderr}"
        );
    } else {
        let (code, _, stderr) = session(&["setup", "--no-start"]);
        assert_ne!(code, 0);
        assert!(stderr.contains("must run as root"), "{stderr}");
    }
}

const MANIFEST: &str = "/var/lib/clinic-kiosk-session/manifest";
const MARK: &str = "Written by clinic-kiosk-session setup";

/// Every file, link and folder under the places setup may touch, with a hash of each file's
/// bytes (or a link's target), its mode and owner; plus the account databases.
fn snapshot(user: &str) -> BTreeMap<String, String> {
    use sha2::Digest;
    fn walk(path: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        let owner = format!("{:o} {}:{}", meta.mode() & 0o7777, meta.uid(), meta.gid());
        let key = path.display().to_string();
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(path).unwrap_or_default();
            out.insert(key, format!("-> {}", target.display()));
        } else if meta.is_dir() {
            out.insert(key, format!("dir {owner}"));
            let mut entries: Vec<_> = std::fs::read_dir(path)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .collect();
            entries.sort();
            for e in entries {
                walk(&e, out);
            }
        } else {
            let bytes = std::fs::read(path).unwrap_or_default();
            out.insert(
                key,
                format!("{} {owner}", hex::encode(sha2::Sha256::digest(&bytes))),
            );
        }
    }
    let mut out = BTreeMap::new();
    for root in [
        "/etc/systemd",
        "/etc/udev",
        "/etc/polkit-1",
        "/etc/sysctl.d",
        "/etc/tmpfiles.d",
        "/etc/default",
        "/etc/passwd",
        "/etc/group",
        "/etc/shadow",
        "/etc/gshadow",
        "/var/lib/clinic-kiosk-session",
        "/media",
    ] {
        walk(Path::new(root), &mut out);
    }
    walk(&Path::new("/var/lib").join(user), &mut out);
    out
}

fn differences(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> Vec<String> {
    let mut diff = Vec::new();
    for (k, v) in a {
        match b.get(k) {
            None => diff.push(format!("gone: {k}")),
            Some(w) if w != v => diff.push(format!("changed: {k} ({v} -> {w})")),
            _ => {}
        }
    }
    for k in b.keys().filter(|k| !a.contains_key(*k)) {
        diff.push(format!("new: {k}"));
    }
    diff
}

fn getent(db: &str, key: &str) -> Option<String> {
    let out = Command::new("getent").args([db, key]).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn manifest_records(kind: &str) -> Vec<String> {
    std::fs::read_to_string(MANIFEST)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix(kind)?.strip_prefix(' ').map(str::to_string))
        .collect()
}

/// Undoes whatever a failed run left: the set-up, and the test user if a plain `remove`
/// already took the manifest away.
struct Cleanup(&'static str);
impl Drop for Cleanup {
    fn drop(&mut self) {
        if Path::new(MANIFEST).exists() {
            let _ = session(&["remove", "--delete-user"]);
        }
        if getent("passwd", self.0).is_some_and(|p| p.contains("made by clinic-kiosk-session")) {
            let _ = Command::new("userdel").args(["--remove", self.0]).status();
        }
    }
}

#[test]
fn setup_makes_an_unprivileged_kiosk_under_cage_and_remove_undoes_it_exactly() {
    if !is_root() {
        eprintln!(
            "skipped: clinic-kiosk-session setup changes system files and needs root (CI runs this as root)"
        );
        return;
    }
    assert!(
        !Path::new(MANIFEST).exists(),
        "this machine is already set up as a lobby kiosk ({MANIFEST}); the test will not touch it"
    );
    let user = "ck-test-session";
    let app = env!("CARGO_BIN_EXE_clinic-kiosk");
    let before = snapshot(user);
    let _cleanup = Cleanup(user);

    let setup = || {
        let (code, stdout, stderr) =
            session(&["setup", "--no-start", "--user", user, "--app", app]);
        assert_eq!(code, 0, "setup failed:\n{stdout}{stderr}");
        stdout
    };
    setup();

    // The unit is valid for systemd and is what the README promises.
    let unit_path = "/etc/systemd/system/clinic-kiosk-session.service";
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no", unit_path])
        .output()
        .expect("systemd-analyze");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("clinic-kiosk-session.service:"),
        "systemd-analyze verify found problems:\n{stderr}"
    );
    let unit = std::fs::read_to_string(unit_path).unwrap();
    let quit = clinic_kiosk::commands::kiosk::STAFF_QUIT_STATUS.to_string();
    for (key, want) in [
        ("User", user),
        ("PAMName", "login"),
        ("TTYPath", "/dev/tty1"),
        ("Conflicts", "getty@tty1.service"),
        ("Restart", "always"),
        ("RestartPreventExitStatus", quit.as_str()),
        ("StartLimitIntervalSec", "0"),
        ("WantedBy", "graphical.target"),
    ] {
        assert_eq!(setting(&unit, key), [want], "{key} in the unit:\n{unit}");
    }
    assert!(setting(&unit, "Environment").contains(&"GDK_BACKEND=wayland"));
    let exec = setting(&unit, "ExecStart");
    assert_eq!(exec.len(), 1);
    assert!(
        exec[0].ends_with(&format!("clinic-kiosk-session session --app {app}")),
        "{exec:?}"
    );
    // cage without -s: VT switching refused.
    let script = std::fs::read_to_string(session_script()).unwrap();
    let cage_lines: Vec<&str> = script
        .lines()
        .filter(|l| l.contains("(cage ") || l.trim_start().starts_with("cage "))
        .collect();
    assert!(!cage_lines.is_empty());
    assert!(
        cage_lines.iter().all(|l| !l.contains(" -s")),
        "cage must run without -s: {cage_lines:?}"
    );
    assert!(
        Path::new("/etc/systemd/system/graphical.target.wants/clinic-kiosk-session.service")
            .is_symlink(),
        "the unit is enabled"
    );

    // What ExecStart runs keeps the app's exit status through cage (cage 0.1.4 exits 0
    // whatever the app did), so RestartPreventExitStatus sees a staff "Close the app".
    let work = tempfile::tempdir().unwrap();
    std::fs::set_permissions(work.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let runtime = work.path().join("runtime");
    std::fs::create_dir(&runtime).unwrap();
    let fake = work.path().join("fake-app");
    std::fs::write(&fake, "#!/bin/sh\nexit \"$FAKE_STATUS\"\n").unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let uid = getent("passwd", user)
        .unwrap()
        .split(':')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    std::os::unix::fs::chown(&runtime, Some(uid), None).unwrap();
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    for status in [quit.as_str(), "3", "0"] {
        let out = Command::new("runuser")
            .args(["-u", user, "--", "env", "-i", "PATH=/usr/bin:/bin"])
            .arg(format!("XDG_RUNTIME_DIR={}", runtime.display()))
            .args([
                "WLR_BACKENDS=headless",
                "WLR_LIBINPUT_NO_DEVICES=1",
                "WLR_RENDERER=pixman",
            ])
            .arg(format!("FAKE_STATUS={status}"))
            .arg(session_script())
            .args(["session", "--app"])
            .arg(&fake)
            .output()
            .expect("runuser");
        assert_eq!(
            out.status.code().map(|c| c.to_string()).as_deref(),
            Some(status),
            "the session under cage exits as the app did: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .filter(|l| !l.contains("output test"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    // What setup made, taken after those sessions: they ran the kiosk user's own PulseAudio,
    // which keeps its state in the user's home (~/.config/pulse), as on a kiosk.
    let first = snapshot(user);

    // No other session on the console, no blanking, no suspend or power keys, USB sticks
    // (FAT and exFAT only) under the pack folder for the kiosk user alone.
    let logind =
        std::fs::read_to_string("/etc/systemd/logind.conf.d/clinic-kiosk-session.conf").unwrap();
    for line in [
        "NAutoVTs=0",
        "ReserveVT=0",
        "IdleAction=ignore",
        "HandlePowerKey=ignore",
        "HandleRebootKey=ignore",
    ] {
        assert!(logind.lines().any(|l| l == line), "{line} in {logind}");
    }
    assert!(
        !Path::new("/etc/systemd/system/getty.target.wants/getty@tty1.service").exists(),
        "no login prompt on the kiosk's console"
    );
    let udev = std::fs::read_to_string("/etc/udev/rules.d/90-clinic-kiosk-session.rules").unwrap();
    assert!(
        udev.contains("systemd-mount")
            && udev.contains("rw,nosuid,nodev,noexec")
            && udev.contains("umask=077")
            && udev.contains("ID_FS_TYPE}==\"vfat|exfat\"")
            && udev.contains("/media/clinic-kiosk/")
            && udev.contains("UDISKS_IGNORE"),
        "{udev}"
    );
    let polkit =
        std::fs::read_to_string("/etc/polkit-1/rules.d/50-clinic-kiosk-session.rules").unwrap();
    assert!(
        polkit.contains(&format!("subject.user === \"{user}\"")) && polkit.contains("Result.NO"),
        "{polkit}"
    );

    // Every file setup wrote carries the marker and is in the manifest.
    let files = manifest_records("file");
    assert!(files.len() >= 7, "{files:?}");
    for f in &files {
        let p = Path::new(f);
        if !p.is_symlink() {
            let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{f}: {e}"));
            assert!(text.contains(MARK), "{f} lacks the marker");
        }
    }
    let new_paths: Vec<_> = first.keys().filter(|k| !before.contains_key(*k)).collect();
    for p in &new_paths {
        let recorded = files.iter().any(|f| f == *p)
            || manifest_records("dir").iter().any(|d| d == *p)
            || manifest_records("masked").iter().any(|m| m == *p)
            || p.starts_with(&format!("/var/lib/{user}"))
            || p.starts_with("/var/lib/clinic-kiosk-session");
        assert!(recorded, "setup made {p} without recording it");
    }

    // A dedicated, unprivileged user: no sudo or admin groups, no shell, no password.
    let passwd = getent("passwd", user).expect("the kiosk user exists");
    let fields: Vec<&str> = passwd.split(':').collect();
    assert_eq!(fields[6], "/usr/sbin/nologin", "{passwd}");
    assert_eq!(fields[5], format!("/var/lib/{user}"), "{passwd}");
    let uid: u32 = fields[2].parse().unwrap();
    assert!(uid > 0 && uid < 1000, "a system account: {passwd}");
    let groups = Command::new("id").args(["-nG", user]).output().unwrap();
    let groups = String::from_utf8_lossy(&groups.stdout).to_string();
    for g in groups.split_whitespace() {
        assert!(
            !["sudo", "adm", "wheel", "admin", "root", "disk", "shadow"].contains(&g),
            "the kiosk user is in {g}: {groups}"
        );
    }
    // Listen's sound: the user's own PulseAudio (started by the session) opens the card.
    assert!(
        groups.split_whitespace().any(|g| g == "audio"),
        "the kiosk user is in the audio group: {groups}"
    );
    let shadow = getent("shadow", user).expect("shadow entry");
    let password = shadow.split(':').nth(1).unwrap_or_default();
    assert!(
        password.starts_with('!') || password.starts_with('*'),
        "no password login: {shadow}"
    );
    let home = std::fs::metadata(format!("/var/lib/{user}")).unwrap();
    assert_eq!(home.uid(), uid);
    assert_eq!(
        home.permissions().mode() & 0o777,
        0o700,
        "the app's data is private"
    );

    let (code, stdout, _) = session(&["status"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains(&format!("as {user}")), "{stdout}");

    // Idempotent: a second run changes nothing.
    let again = setup();
    assert!(again.contains("nothing changed"), "{again}");
    let second = snapshot(user);
    assert_eq!(
        differences(&first, &second),
        Vec::<String>::new(),
        "a second setup changed files"
    );

    // remove keeps the user and its data; setup takes the kept user back.
    let (code, stdout, stderr) = session(&["remove"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(getent("passwd", user).is_some(), "remove keeps the user");
    let groups = Command::new("id").args(["-nG", user]).output().unwrap();
    let groups = String::from_utf8_lossy(&groups.stdout).to_string();
    assert!(
        !groups.split_whitespace().any(|g| g == "audio"),
        "remove takes the kept user out of the audio group setup put it in: {groups}"
    );
    assert!(
        Path::new(&format!("/var/lib/{user}")).is_dir(),
        "and its data"
    );
    assert!(
        Path::new("/etc/systemd/system/getty.target.wants/getty@tty1.service").is_symlink(),
        "the console's login prompt is back"
    );
    assert!(!Path::new(unit_path).exists());
    setup();
    assert_eq!(differences(&first, &snapshot(user)), Vec::<String>::new());

    // remove --delete-user leaves the machine as it was.
    let (code, stdout, stderr) = session(&["remove", "--delete-user"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(getent("passwd", user).is_none(), "the user is gone");
    assert!(getent("group", user).is_none(), "its group is gone");
    let after = snapshot(user);
    // useradd and userdel keep their own backups (/etc/passwd- ...); they are not ours.
    assert_eq!(
        differences(&before, &after),
        Vec::<String>::new(),
        "remove --delete-user left the machine different"
    );
    let (code, stdout, _) = session(&["status"]);
    assert_ne!(code, 0);
    assert!(stdout.contains("not set up"), "{stdout}");
}
