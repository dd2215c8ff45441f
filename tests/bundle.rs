//! The signed .deb (issue #6), after `scripts/build-deb --throwaway-key DIR` made it (the
//! test script does both; run by hand with CLINIC_KIOSK_BUNDLE_DIR=DIR cargo test --test bundle):
//! its size and contents, its signature verified and a tampered copy refused, and an install
//! and removal with apt (needs root, as on CI), with the installed --version.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output};

use anyhow::{bail, ensure, Context, Result};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> Result<Output> {
    cmd.output().with_context(|| format!("cannot run {cmd:?}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

fn bundle(dir: &Path) -> Result<PathBuf> {
    std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .context("no .deb in the bundle folder; run scripts/build-deb --throwaway-key DIR first")
}

fn size_is_under_ten_megabytes(deb: &Path) -> Result<()> {
    let size = std::fs::metadata(deb)?.len();
    println!("  .deb size: {:.1} MB", size as f64 / 1_048_576.0);
    ensure!(
        size < 10 * 1024 * 1024,
        "the .deb is {size} bytes; the goal is under 10 MB"
    );
    Ok(())
}

fn it_carries_the_binary_entry_icons_library_and_units(deb: &Path) -> Result<()> {
    let out = run(Command::new("dpkg-deb").arg("-c").arg(deb))?;
    let paths: Vec<String> = text(&out.stdout).lines().filter_map(listed_path).collect();
    for needed in [
        "usr/bin/clinic-kiosk",
        "usr/share/applications/Clinic Kiosk.desktop",
        "usr/share/icons/hicolor/128x128/apps/clinic-kiosk.png",
        "usr/lib/Clinic Kiosk/content/articles/herniated-disc.md",
        "usr/lib/Clinic Kiosk/content/topics.toml",
        "usr/lib/systemd/user/clinic-kiosk.service",
        "usr/share/clinic-kiosk/clinic-kiosk-autostart.desktop",
        "usr/bin/clinic-kiosk-session",
    ] {
        ensure!(
            paths.iter().any(|p| p == needed),
            "the .deb lacks {needed}; it has:\n{}",
            paths.join("\n")
        );
    }
    // The lobby kiosk set-up is run as a command: it must be executable once installed.
    let session = text(&out.stdout)
        .lines()
        .find(|l| listed_path(l).as_deref() == Some("usr/bin/clinic-kiosk-session"))
        .map(str::to_string)
        .unwrap_or_default();
    ensure!(
        session.starts_with("-rwxr-xr-x"),
        "usr/bin/clinic-kiosk-session must be installed executable (0755): {session}"
    );
    let depends = text(
        &run(Command::new("dpkg-deb")
            .args(["-f"])
            .arg(deb)
            .arg("Depends"))?
        .stdout,
    );
    ensure!(
        depends.contains("libwebkit2gtk-4.1"),
        "it depends on WebKitGTK: {depends}"
    );
    Ok(())
}

/// The path in a line of `dpkg-deb -c` (permissions, owner, size, date, time, path), which
/// may hold spaces; without a leading "./" or trailing "/".
fn listed_path(line: &str) -> Option<String> {
    let mut rest = line;
    for _ in 0..5 {
        rest = rest.trim_start();
        rest = &rest[rest.find(char::is_whitespace)?..];
    }
    let path = rest.trim().trim_start_matches("./").trim_end_matches('/');
    (!path.is_empty()).then(|| path.to_string())
}

fn verify(file: &Path, key: &Path) -> Result<Output> {
    run(Command::new("bash")
        .arg(root().join("scripts/verify-bundle"))
        .arg(file)
        .arg(key))
}

fn the_signature_verifies_and_a_changed_copy_is_refused(deb: &Path, dir: &Path) -> Result<()> {
    let key = dir.join("signing.pub");
    let ok = verify(deb, &key)?;
    ensure!(
        ok.status.success(),
        "the genuine .deb verifies: {}{}",
        text(&ok.stdout),
        text(&ok.stderr)
    );
    ensure!(
        text(&ok.stdout).contains("verified"),
        "{}",
        text(&ok.stdout)
    );

    let work = tempfile::tempdir()?;
    let copy = work.path().join(deb.file_name().unwrap());
    let mut bytes = std::fs::read(deb)?;
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&copy, &bytes)?;
    std::fs::copy(
        deb.with_extension("deb.sig"),
        copy.with_extension("deb.sig"),
    )?;
    let refused = verify(&copy, &key)?;
    ensure!(!refused.status.success(), "a changed .deb must be refused");
    ensure!(
        text(&refused.stderr).contains("REFUSED"),
        "it says so: {}",
        text(&refused.stderr)
    );

    // The right file with someone else's key.
    // The Tauri CLI scripts/build-deb installed from npm (tools/tauri-cli).
    let other = run(
        Command::new(root().join("tools/tauri-cli/node_modules/.bin/tauri"))
            .args(["signer", "generate", "--ci", "-p", "", "-w"])
            .arg(work.path().join("other.key")),
    )?;
    ensure!(other.status.success(), "{}", text(&other.stderr));
    let wrong = verify(deb, &work.path().join("other.key.pub"))?;
    ensure!(!wrong.status.success(), "another key must not verify it");

    // No signature at all.
    let unsigned = work.path().join("unsigned.deb");
    std::fs::copy(deb, &unsigned)?;
    let none = verify(&unsigned, &key)?;
    ensure!(
        !none.status.success() && text(&none.stderr).contains(".sig does not exist"),
        "{}",
        text(&none.stderr)
    );
    Ok(())
}

fn it_installs_runs_and_removes_cleanly_with_apt(deb: &Path) -> Result<()> {
    if text(&run(Command::new("id").arg("-u"))?.stdout).trim() != "0" {
        bail!("installing needs root (CI runs as root); run this check as root");
    }
    let apt = |args: &[&str]| {
        run(Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive"))
    };
    let install = apt(&[
        "install",
        "-y",
        "--no-install-recommends",
        deb.to_str().unwrap(),
    ])?;
    ensure!(
        install.status.success(),
        "apt-get install: {}{}",
        text(&install.stdout),
        text(&install.stderr)
    );
    let version = run(Command::new("/usr/bin/clinic-kiosk").arg("--version"))?;
    let line = text(&version.stdout);
    let result = (|| {
        ensure!(
            version.status.success(),
            "--version: {}",
            text(&version.stderr)
        );
        ensure!(
            line.starts_with(&format!(
                "clinic-kiosk {} (content ",
                env!("CARGO_PKG_VERSION")
            )),
            "the installed binary prints the app and content versions: {line:?}"
        );
        let shipped = clinic_kiosk::content::hash(&root().join("content"));
        ensure!(
            line.contains(&shipped[..12]),
            "the content version is the shipped library's ({}): {line:?}",
            &shipped[..12]
        );
        Ok(())
    })();
    let remove = apt(&["remove", "-y", "clinic-kiosk"])?;
    ensure!(
        remove.status.success(),
        "apt-get remove: {}",
        text(&remove.stderr)
    );
    ensure!(
        !Path::new("/usr/bin/clinic-kiosk").exists(),
        "the binary is gone after removal"
    );
    ensure!(
        !Path::new("/usr/lib/systemd/user/clinic-kiosk.service").exists(),
        "the unit is gone after removal"
    );
    println!("  installed: {}", line.trim());
    result
}

/// A named check of the bundle.
type Check<'a> = (&'static str, Box<dyn Fn() -> Result<()> + 'a>);

fn main() -> ExitCode {
    let Some(dir) = std::env::var_os("CLINIC_KIOSK_BUNDLE_DIR").map(PathBuf::from) else {
        eprintln!(
            "set CLINIC_KIOSK_BUNDLE_DIR to the folder scripts/build-deb wrote (scripts/test does)"
        );
        return ExitCode::FAILURE;
    };
    let deb = match bundle(&dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("bundle: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let checks: [Check; 4] = [
        (
            "size_is_under_ten_megabytes",
            Box::new(|| size_is_under_ten_megabytes(&deb)),
        ),
        (
            "it_carries_the_binary_entry_icons_library_and_units",
            Box::new(|| it_carries_the_binary_entry_icons_library_and_units(&deb)),
        ),
        (
            "the_signature_verifies_and_a_changed_copy_is_refused",
            Box::new(|| the_signature_verifies_and_a_changed_copy_is_refused(&deb, &dir)),
        ),
        (
            "it_installs_runs_and_removes_cleanly_with_apt",
            Box::new(|| it_installs_runs_and_removes_cleanly_with_apt(&deb)),
        ),
    ];
    let mut failed = 0;
    for (name, check) in checks {
        match check() {
            Ok(()) => println!("test {name} ... ok"),
            Err(e) => {
                failed += 1;
                println!("test {name} ... FAILED\n  {e:#}");
            }
        }
    }
    println!("bundle: {} passed, {failed} failed", 4 - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
