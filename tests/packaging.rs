//! The files that keep an installed kiosk running: the systemd user unit is valid for
//! systemd itself, restarts the app whenever it exits, and never gives up.

use std::path::Path;
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
