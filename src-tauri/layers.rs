//! The layers the logic modules form, checked by a test so an import cannot run back up
//! (issue #12). From the bottom:
//!
//! | layer | modules | what |
//! |---|---|---|
//! | 0 | `paths`, `clock`, `qr`, `lang` | where files are, the clock and time formats, QR codes, the languages |
//! | 1 | `store`, `content`, `speech` | kiosk.db (migrations, pairing tables); content files to records; reading aloud with espeak-ng |
//! | 2 | `search`, `library` | stemming, sound keys, did-you-mean; library.db |
//! | 3 | `callbacks` | form rules, the one outbox writer, staff, audit, retention, exports |
//! | 4 | `webhook` | the webhook body and its signature (sent and received) |
//! | 5 | `lan` | the front-desk link: pairing, TLS, its server |
//! | 6 | `delivery` | the worker and its destinations (webhook, FHIR, the front desk) |
//! | 7 | `pack` | signed content packs |
//! | 8 | `config` | the clinic's config file, which names settings of every layer |
//! | 9 | `health` | the staff health screen's report, from every layer's state |
//! | 10 | `metrics` | the health report as Prometheus metrics for the node exporter |
//! | 11 | `fleet` | a paired kiosk's health reports to the front desk, and packs fetched from it |
//!
//! A module may import modules of lower layers and of its own layer, never a higher one;
//! none of them imports `tauri` (`commands/`, `shell`, `cli` and `lib.rs` are the wiring on
//! top, and the only code that does).

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    const LAYERS: &[(&str, u8)] = &[
        ("paths", 0),
        ("clock", 0),
        ("qr", 0),
        ("lang", 0),
        ("store", 1),
        ("content", 1),
        ("speech", 1),
        ("search", 2),
        ("library", 2),
        ("callbacks", 3),
        ("webhook", 4),
        ("lan", 5),
        ("delivery", 6),
        ("pack", 7),
        ("config", 8),
        ("health", 9),
        ("metrics", 10),
        ("fleet", 11),
    ];

    /// The `.rs` files of module `name` (a file, or a folder with its submodules).
    fn files(root: &Path, name: &str) -> Vec<PathBuf> {
        let file = root.join(format!("{name}.rs"));
        if file.is_file() {
            return vec![file];
        }
        let mut out = Vec::new();
        let mut stack = vec![root.join(name)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        out
    }

    /// Top-level modules named as `crate::x` in `text`.
    fn imports(text: &str) -> Vec<String> {
        text.match_indices("crate::")
            .map(|(i, _)| {
                text[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .filter(|m| !m.is_empty())
            .collect()
    }

    #[test]
    fn no_logic_module_imports_a_higher_layer_or_tauri() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri");
        let layer: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
        let mut wrong = Vec::new();
        for (module, own) in LAYERS {
            let found = files(&root, module);
            assert!(!found.is_empty(), "module `{module}` has no files");
            for path in found {
                let text = std::fs::read_to_string(&path).expect("source file");
                let shown = path
                    .strip_prefix(&root)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                if text.contains("use tauri") || text.contains("tauri::") {
                    wrong.push(format!("{shown} ({module}) uses tauri"));
                }
                for imported in imports(&text) {
                    match layer.get(imported.as_str()) {
                        Some(l) if l > own => wrong.push(format!(
                            "{shown} ({module}, layer {own}) imports `{imported}` (layer {l})"
                        )),
                        Some(_) => {}
                        None => wrong.push(format!(
                            "{shown} ({module}) imports `{imported}`, which is not a logic module; add it to LAYERS or move the code"
                        )),
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn the_check_sees_an_import_that_runs_back_up() {
        assert_eq!(
            imports("use crate::delivery::webhook; let x = crate::clock::now();"),
            ["delivery", "clock"]
        );
    }

    #[test]
    fn every_logic_module_of_lib_rs_has_a_layer() {
        let lib =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/lib.rs"))
                .expect("lib.rs");
        let wiring = ["cli", "commands", "shell", "layers"];
        for line in lib.lines() {
            if let Some(name) = line
                .strip_prefix("pub mod ")
                .or_else(|| line.strip_prefix("mod "))
            {
                let name = name.trim_end_matches(';');
                assert!(
                    wiring.contains(&name) || LAYERS.iter().any(|(m, _)| *m == name),
                    "module `{name}` in lib.rs has no layer in src-tauri/layers.rs"
                );
            }
        }
    }
}
