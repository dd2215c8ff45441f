//! Signed content packs (issue #6): sign and verify, install, and every way a pack is refused
//! (tampered, unsigned, untrusted, truncated, older, a path out of the folder) with the
//! installed library still working; an import stopped half way; the command line.

use std::path::{Path, PathBuf};
use std::process::Command;

use clinic_kiosk::library::{self, Freshness};
use clinic_kiosk::pack::{self, PackError};
use ed25519_dalek::SigningKey;

fn content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

fn key_pair(dir: &Path) -> (PathBuf, SigningKey, String) {
    let (secret, public) = pack::keygen();
    let path = dir.join("signing.key");
    std::fs::write(&path, &secret).unwrap();
    (path.clone(), pack::read_secret(&path).unwrap(), public)
}

fn trusted(public: &str) -> Vec<ed25519_dalek::VerifyingKey> {
    vec![pack::parse_public(public).expect("public key")]
}

/// A pack of the shipped content as `version`.
fn make(dir: &Path, key: &SigningKey, version: u64) -> PathBuf {
    let out = dir.join(format!("content-{version}.ckpack"));
    pack::create(&content(), key, version, &out).expect("pack");
    out
}

fn installed_version(data: &Path) -> u64 {
    pack::installed(data).map_or(0, |m| m.version)
}

/// The library in `data` opens and has every shipped article.
fn library_works(data: &Path) -> usize {
    let dir = pack::installed_dir(data).expect("installed content");
    let (lib, _) = library::open_or_build(&dir, &data.join("library.db")).expect("library");
    lib.article_count().expect("count") as usize
}

fn expect_refused(result: Result<pack::Verified, PackError>, what: &str) -> PackError {
    match result {
        Ok(_) => panic!("{what} must be refused"),
        Err(err) => err,
    }
}

#[test]
fn a_signed_pack_installs_and_rebuilds_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let (_, key, public) = key_pair(dir.path());
    let file = make(dir.path(), &key, 10);

    let verified = pack::open(&file, &trusted(&public)).expect("verified");
    assert_eq!(verified.manifest.version, 10);
    assert_eq!(
        verified.manifest.content_hash,
        clinic_kiosk::content::hash(&content())
    );
    let lib = pack::install(&verified, &data, &data.join("library.db")).expect("installed");
    let articles = std::fs::read_dir(content().join("articles"))
        .unwrap()
        .count();
    assert_eq!(lib.article_count().unwrap() as usize, articles);
    assert_eq!(lib.content_hash().unwrap(), verified.manifest.content_hash);
    assert_eq!(installed_version(&data), 10);
    assert_eq!(
        clinic_kiosk::content::hash(&data.join("content")),
        verified.manifest.content_hash
    );
}

#[test]
fn changed_unsigned_untrusted_truncated_and_older_packs_are_refused_and_nothing_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let (_, key, public) = key_pair(dir.path());
    let keys = trusted(&public);
    let v10 = make(dir.path(), &key, 10);
    pack::install(
        &pack::open(&v10, &keys).unwrap(),
        &data,
        &data.join("library.db"),
    )
    .unwrap();
    let articles = library_works(&data);

    let good = make(dir.path(), &key, 11);
    let bytes = std::fs::read(&good).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };

    // One word of one article changed (same length, so the tar itself stays whole).
    let needle = b"herniated disc";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("an article's words");
    let mut tampered = bytes.clone();
    tampered[at..at + needle.len()].copy_from_slice(b"herniated disk");
    let err = expect_refused(
        pack::open(&write("tampered.ckpack", &tampered), &keys),
        "a changed article",
    );
    assert!(matches!(err, PackError::FileMismatch(_)), "{err}");

    // The manifest changed (a bigger version number).
    let needle = b"\"version\": 11";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the version");
    let mut forged = bytes.clone();
    forged[at..at + needle.len()].copy_from_slice(b"\"version\": 99");
    let err = expect_refused(
        pack::open(&write("forged.ckpack", &forged), &keys),
        "a changed manifest",
    );
    assert!(matches!(err, PackError::BadSignature), "{err}");

    // Signed by someone else.
    let elsewhere = dir.path().join("other");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let (_, other, _) = key_pair(&elsewhere);
    let stranger = make(&elsewhere, &other, 12);
    let err = expect_refused(pack::open(&stranger, &keys), "an untrusted signer");
    assert!(matches!(err, PackError::UntrustedKey(_)), "{err}");

    // No signature at all: the same files without manifest.sig.
    let mut archive = tar::Archive::new(bytes.as_slice());
    let mut unsigned = tar::Builder::new(Vec::new());
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap().to_string_lossy() == "manifest.sig" {
            continue;
        }
        let header = entry.header().clone();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        unsigned.append(&header, data.as_slice()).unwrap();
    }
    let err = expect_refused(
        pack::open(
            &write("unsigned.ckpack", &unsigned.into_inner().unwrap()),
            &keys,
        ),
        "an unsigned pack",
    );
    assert!(matches!(err, PackError::Unsigned), "{err}");

    // Cut short, as by a USB stick pulled too early.
    let err = expect_refused(
        pack::open(&write("short.ckpack", &bytes[..bytes.len() / 2]), &keys),
        "a truncated pack",
    );
    assert!(
        matches!(err, PackError::Truncated(_) | PackError::Missing(_)),
        "{err}"
    );

    // Not a pack at all.
    let err = expect_refused(
        pack::open(&write("photo.ckpack", b"\x89PNG not a tar"), &keys),
        "junk",
    );
    assert!(
        matches!(err, PackError::NotAPack(_) | PackError::Truncated(_)),
        "{err}"
    );

    // Older and equal versions.
    let v9 = make(dir.path(), &key, 9);
    let err = pack::install(
        &pack::open(&v9, &keys).unwrap(),
        &data,
        &data.join("library.db"),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            PackError::NotNewer {
                pack: 9,
                installed: 10
            }
        ),
        "{err}"
    );
    let again = make(dir.path(), &key, 10);
    let err = pack::install(
        &pack::open(&again, &keys).unwrap(),
        &data,
        &data.join("library.db"),
    )
    .unwrap_err();
    assert!(matches!(err, PackError::NotNewer { .. }), "{err}");

    // No trusted key configured.
    assert!(matches!(
        pack::open(&good, &[]),
        Err(PackError::NoTrustedKeys)
    ));

    // Through all that, the installed library is the same and works.
    assert_eq!(installed_version(&data), 10);
    assert_eq!(library_works(&data), articles);
    // And the genuine newer pack installs.
    pack::install(
        &pack::open(&good, &keys).unwrap(),
        &data,
        &data.join("library.db"),
    )
    .unwrap();
    assert_eq!(installed_version(&data), 11);
}

#[test]
fn a_path_that_climbs_out_of_the_content_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_, key, public) = key_pair(dir.path());
    let good = make(dir.path(), &key, 5);
    let bytes = std::fs::read(&good).unwrap();
    let mut archive = tar::Archive::new(bytes.as_slice());
    let mut evil = tar::Builder::new(Vec::new());
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let header = entry.header().clone();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        evil.append(&header, data.as_slice()).unwrap();
    }
    let mut header = tar::Header::new_gnu();
    let payload = b"#!/bin/sh\n";
    header.set_size(payload.len() as u64);
    header.set_mode(0o755);
    header.set_cksum();
    // tar refuses ".." in append_data's path, so write the name into the header directly.
    header.as_gnu_mut().unwrap().name[..22].copy_from_slice(b"content/../../evil.sh\0");
    header.set_cksum();
    evil.append(&header, payload.as_slice()).unwrap();
    let path = dir.path().join("evil.ckpack");
    std::fs::write(&path, evil.into_inner().unwrap()).unwrap();
    let err = expect_refused(
        pack::open(&path, &trusted(&public)),
        "a path out of the folder",
    );
    assert!(matches!(err, PackError::Extra(_)), "{err}");
}

fn cli(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clinic-kiosk"));
    cmd.args(args).env_remove("CLINIC_KIOSK_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run clinic-kiosk")
}

#[test]
fn the_command_line_makes_keys_packs_and_imports_and_an_interrupted_import_leaves_a_working_library(
) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let key = dir.path().join("publisher.key");
    let out = cli(&["content", "keygen", "--out", key.to_str().unwrap()], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout).to_string();
    let public = printed
        .split('"')
        .nth(1)
        .expect("the public key is printed in quotes")
        .to_string();
    assert!(pack::parse_public(&public).is_some(), "{printed}");
    let again = cli(&["content", "keygen", "--out", key.to_str().unwrap()], &[]);
    assert!(
        !again.status.success(),
        "an existing key is not overwritten"
    );
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[content]\ntrusted_keys = [\"{public}\"]\n"),
    )
    .unwrap();

    let make = |version: &str| {
        let file = dir.path().join(format!("v{version}.ckpack"));
        let out = cli(
            &[
                "content",
                "pack",
                "--key",
                key.to_str().unwrap(),
                "--version",
                version,
                "--out",
                file.to_str().unwrap(),
                content().to_str().unwrap(),
            ],
            &[],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        file
    };
    let import = |file: &Path, crash: Option<&str>| {
        let mut env = vec![];
        if let Some(point) = crash {
            env.push((pack::CRASH_ENV, point));
        }
        cli(
            &[
                "content",
                "import",
                file.to_str().unwrap(),
                "--data-dir",
                data.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
            ],
            &env,
        )
    };

    let v1 = make("1");
    let out = import(&v1, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("installed content version 1"));
    let before = std::fs::read(data.join("library.db")).unwrap();

    // Stopped after the files were staged: the old content and library stay in use.
    let v2 = make("2");
    let out = import(&v2, Some("after-stage"));
    assert!(!out.status.success(), "the import was stopped");
    assert_eq!(installed_version(&data), 1);
    assert_eq!(
        std::fs::read(data.join("library.db")).unwrap(),
        before,
        "library.db untouched"
    );
    let dir_for_library = pack::installed_dir(&data).unwrap();
    let (_, freshness) =
        library::open_or_build(&dir_for_library, &data.join("library.db")).unwrap();
    assert_eq!(
        freshness,
        Freshness::UpToDate,
        "the old library still matches the old content"
    );

    // Stopped after the swap, before the library was rebuilt: the next start rebuilds it
    // from the new, verified content.
    let out = import(&v2, Some("after-swap"));
    assert!(!out.status.success());
    assert_eq!(installed_version(&data), 2);
    let (lib, _) = library::open_or_build(
        &pack::installed_dir(&data).unwrap(),
        &data.join("library.db"),
    )
    .unwrap();
    assert!(lib.article_count().unwrap() > 0);
    let leftovers: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("content."))
        .collect();
    // A later import tidies what a stopped one left.
    let out = import(&make("3"), None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("content."))
        .collect();
    assert!(
        after.is_empty(),
        "leftovers {leftovers:?} were removed, found {after:?}"
    );

    // A refused import says why and changes nothing.
    let out = import(&v1, None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not newer") && err.contains("not changed"),
        "{err}"
    );
    assert_eq!(installed_version(&data), 3);
}
