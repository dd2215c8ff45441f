// Generates the Tauri context and an `allow-<command>` permission for each app command.
include!("commands/names.rs");

fn main() {
    let names: &'static [&'static str] =
        Vec::leak(COMMANDS.iter().map(|(name, _)| *name).collect());
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/commands/names.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("src-tauri/capabilities/*.json")
            .app_manifest(tauri_build::AppManifest::new().commands(names)),
    )
    .expect("failed to run tauri-build");
}
