//! The toolchain the project says it needs is the one it does need: Cargo.toml's
//! `rust-version` covers every resolved dependency, and the Tauri CLI installed from npm
//! (tools/tauri-cli) is the version of the tauri crate in Cargo.lock.

use std::process::Command;

use serde_json::Value;

/// `1.90` or `1.88.0` as (major, minor, patch).
fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

/// The target this machine builds for (`rustc -vV`'s `host:` line).
fn host_triple() -> String {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("rustc -vV names its host")
}

/// Offline, and for this machine's target only: the crates Cargo.lock holds for other
/// platforms (Android, Windows, macOS) are never downloaded by a Linux build, so a fresh
/// machine does not have them (found by timing `scripts/test` with an empty cargo home).
#[test]
fn rust_version_covers_every_resolved_dependency() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let host = host_triple();
    let out = Command::new(cargo)
        .args(["metadata", "--locked", "--offline", "--format-version", "1"])
        .args(["--filter-platform", &host])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let ours = packages
        .iter()
        .find(|p| p["name"] == env!("CARGO_PKG_NAME"))
        .and_then(|p| p["rust_version"].as_str())
        .expect("Cargo.toml has a rust-version");
    let needs_more: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let needed = p["rust_version"].as_str()?;
            (version(needed) > version(ours))
                .then(|| format!("{} {} ({needed})", p["name"], p["version"]))
        })
        .collect();
    assert!(
        needs_more.is_empty(),
        "Cargo.toml says rust-version {ours}, but these need more: {needs_more:?}"
    );
}

/// The version of `name` in Cargo.lock (the first one listed).
fn locked(name: &str) -> String {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
    let entry = format!("[[package]]\nname = \"{name}\"\nversion = \"");
    let at = lock
        .find(&entry)
        .unwrap_or_else(|| panic!("{name} is not in Cargo.lock"))
        + entry.len();
    lock[at..].split('"').next().unwrap().to_string()
}

#[test]
fn the_tauri_cli_from_npm_is_the_version_of_the_tauri_crate() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/tauri-cli");
    let read = |file: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/{file}")).unwrap()).unwrap()
    };
    let tauri = locked("tauri");
    let manifest = read("package.json");
    assert_eq!(
        manifest["devDependencies"]["@tauri-apps/cli"], tauri,
        "tools/tauri-cli/package.json must pin @tauri-apps/cli to {tauri}, the tauri crate in Cargo.lock"
    );
    let lock = read("package-lock.json");
    assert_eq!(
        lock["packages"]["node_modules/@tauri-apps/cli"]["version"], tauri,
        "run `npm install` in tools/tauri-cli after changing its package.json"
    );
}
