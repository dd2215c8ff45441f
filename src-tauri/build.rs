// Generates the Tauri context and an `allow-<command>` permission for each app command, and
// bundles the page the app embeds (issue #16).
include!("commands/names.rs");

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let names: &'static [&'static str] =
        Vec::leak(COMMANDS.iter().map(|(name, _)| *name).collect());
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/commands/names.rs");
    bundle_page();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("src-tauri/capabilities/*.json")
            .app_manifest(tauri_build::AppManifest::new().commands(names)),
    )
    .expect("failed to run tauri-build");
}

/// The bundler's own files: installed by `npm ci` in tools/bundle (scripts/lib.sh's
/// `ensure_bundler`, which scripts/run, scripts/test and scripts/build-deb call).
const BUNDLER: &str = "tools/bundle/node_modules/esbuild/package.json";

/// Bundles ui/ into `$OUT_DIR/ui` with tools/bundle/bundle.mjs (esbuild: a few minified files
/// instead of twenty modules; BENCHMARKS.md, "One bundle instead of twenty modules") and has
/// `tauri::generate_context!` embed that folder instead of ui/: it reads `TAURI_CONFIG`, merged
/// over tauri.conf.json, from the compiler's environment.
///
/// Without the bundler (or Node.js), a debug build embeds ui/ as written (the same page,
/// modules fetched one by one) and says so; a release build stops, so no kiosk ships the
/// slower start.
fn bundle_page() {
    println!("cargo:rerun-if-changed=ui");
    // The folder, not node_modules' files: a path that does not exist would rerun this
    // script on every build, and installing the bundler changes the folder.
    println!("cargo:rerun-if-changed=tools/bundle");
    println!("cargo:rerun-if-env-changed=TAURI_CONFIG");
    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    let unbundled = |why: &str| {
        let how = "install Node.js 18 or newer and run `npm ci` in tools/bundle (scripts/run, scripts/test and scripts/build-deb do both)";
        if release {
            panic!("{why}: {how}");
        }
        println!("cargo:warning={why}, so this debug build embeds ui/ unbundled: {how}");
    };
    if !Path::new(BUNDLER).exists() {
        return unbundled("the front end's bundler (esbuild) is missing");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("ui");
    let status = match Command::new("node")
        .args(["tools/bundle/bundle.mjs", "ui"])
        .arg(&out)
        .status()
    {
        Ok(status) => status,
        Err(e) => {
            return unbundled(&format!(
                "could not run node for tools/bundle/bundle.mjs ({e})"
            ))
        }
    };
    assert!(
        status.success() && out.join("index.html").is_file(),
        "tools/bundle/bundle.mjs could not bundle ui/ into {} (its errors are above, with file and line)",
        out.display()
    );
    let mut config: serde_json::Value = match std::env::var("TAURI_CONFIG") {
        Ok(inline) => serde_json::from_str(&inline).expect("TAURI_CONFIG is not JSON"),
        Err(_) => serde_json::json!({}),
    };
    config["build"]["frontendDist"] = serde_json::Value::String(
        out.to_str()
            .expect("OUT_DIR is not UTF-8; Tauri's config needs a UTF-8 path")
            .into(),
    );
    println!("cargo:rustc-env=TAURI_CONFIG={config}");
}
