//! Every integration test in one binary (issue #12): each `tests/<area>.rs` is a module here,
//! so the app, Tauri and WebKitGTK are linked once instead of once per file, and a test is
//! named by its area (`cargo test --test integration lan::` runs the LAN tests, and
//! `cargo test --test integration packs::a_sparse` one of the packs tests).
//!
//! Cargo.toml has `autotests = false`: a new `tests/<area>.rs` is compiled only once it is
//! a `mod` below, and `every_test_file_is_compiled` fails until it is (or until it is its own
//! `[[test]]` target, as e2e, bundle and cage are: they need a display, a .deb or root).

mod common;

mod callback_queue;
mod callback_validation;
mod clock_jumps;
mod commands;
mod config;
mod content_check;
mod damaged_db;
mod delivery;
mod disk_full;
mod durability;
mod fleet;
mod i18n;
mod lan;
mod library;
mod metrics;
mod packaging;
mod packs;
mod release;
mod search;
mod staff;
mod store;
mod toolchain;

/// Every `tests/*.rs` file is a module of this binary or a `[[test]]` target of its own:
/// with `autotests = false`, a file that is neither would never run, and nobody would see it.
#[test]
fn every_test_file_is_compiled() {
    let tests = common::repo("tests");
    let root = std::fs::read_to_string(tests.join("integration.rs")).unwrap();
    let manifest = std::fs::read_to_string(common::repo("Cargo.toml")).unwrap();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&tests).unwrap() {
        let path = entry.unwrap().path();
        let (Some(stem), Some("rs")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        let is_module = root.lines().any(|l| l.trim() == format!("mod {stem};"));
        let is_target = manifest.contains(&format!("path = \"tests/{stem}.rs\""));
        if !is_module && !is_target {
            missing.push(format!("tests/{stem}.rs"));
        }
    }
    assert!(
        missing.is_empty(),
        "not compiled: {missing:?}; add `mod NAME;` to tests/integration.rs"
    );
}
