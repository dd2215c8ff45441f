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
    assert!(matches!(err, PackError::Truncated(_)), "{err}");
    assert!(err.to_string().contains("incomplete"), "{err}");

    // Not a pack at all.
    let err = expect_refused(
        pack::open(&write("photo.ckpack", b"\x89PNG not a tar"), &keys),
        "junk",
    );
    assert!(matches!(err, PackError::NotAPack(_)), "{err}");

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

// ---------- hostile files (issue #11) ----------

/// `(path, bytes)` of each entry of a pack, with its tar header.
fn entries(bytes: &[u8]) -> Vec<(tar::Header, Vec<u8>)> {
    let mut archive = tar::Archive::new(bytes);
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let header = e.header().clone();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut data).unwrap();
            (header, data)
        })
        .collect()
}

fn rebuild(parts: &[(tar::Header, Vec<u8>)]) -> Vec<u8> {
    let mut out = tar::Builder::new(Vec::new());
    for (header, data) in parts {
        out.append(header, data.as_slice()).unwrap();
    }
    out.into_inner().unwrap()
}

fn octal(n: u64) -> [u8; 12] {
    let text = format!("{n:011o}\0");
    text.as_bytes().try_into().unwrap()
}

/// A GNU sparse entry named `name`: 512 bytes in the file that read back as 4 GiB.
fn sparse_entry(name: &str) -> (tar::Header, Vec<u8>) {
    let mut header = tar::Header::new_gnu();
    header.set_path(name).unwrap();
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::GNUSparse);
    header.set_size(512);
    let real = 4u64 << 30;
    let gnu = header.as_gnu_mut().unwrap();
    gnu.realsize = octal(real);
    gnu.sparse[0].offset = octal(real - 512);
    gnu.sparse[0].numbytes = octal(512);
    header.set_cksum();
    (header, vec![b'x'; 512])
}

/// Set in a child run of this test binary: the pack to open and the key, and the test does
/// only that and prints what it took (see [`measured`]).
const MEASURE_FILE: &str = "CLINIC_KIOSK_TEST_MEASURE_PACK";
const MEASURE_KEY: &str = "CLINIC_KIOSK_TEST_MEASURE_KEY";

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(u64::MAX)
}

/// The child's side: resets the peak memory mark (`clear_refs` 5), lists then opens the pack
/// as the kiosk does, and prints the time and the peak. Nothing when not a child.
#[test]
fn measure_child() {
    let (Ok(file), Ok(key)) = (std::env::var(MEASURE_FILE), std::env::var(MEASURE_KEY)) else {
        return;
    };
    let keys = trusted(&key);
    // Only the work below counts: the peak since this point (the harness had its own).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let start = std::time::Instant::now();
    let listed = pack::peek(Path::new(&file), &keys).err();
    let opened = pack::open(Path::new(&file), &keys).err();
    let elapsed = start.elapsed().as_millis();
    println!(
        "MEASURED ms={elapsed} peak_kb={} reset={reset} listed={:?} opened={:?}",
        status_kb("VmHWM:"),
        listed.map(|e| e.to_string()).unwrap_or_default(),
        opened.map(|e| e.to_string()).unwrap_or_default(),
    );
}

/// Runs `cmd`, killing it after `limit`: (output, true) when it finished in time.
fn run_with_deadline(mut cmd: Command, limit: std::time::Duration) -> (std::process::Output, bool) {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = std::time::Instant::now();
    let finished = loop {
        if child.try_wait().unwrap().is_some() {
            break true;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            break false;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    (child.wait_with_output().unwrap(), finished)
}

/// Opens `file` in a child process; (milliseconds, peak kB, what listing said, what opening
/// said). A child that takes over 20 s is killed and the test fails.
fn measured(file: &Path, public: &str) -> (u64, u64, String, String) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        &crate::common::test_name(module_path!(), "measure_child"),
        "--exact",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(MEASURE_FILE, file)
    .env(MEASURE_KEY, public);
    let (out, finished) = run_with_deadline(cmd, std::time::Duration::from_secs(20));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        finished,
        "{}: still reading after 20 s (killed)\n{stdout}",
        file.display()
    );
    let line = stdout
        .lines()
        .find_map(|l| l.find("MEASURED").map(|at| &l[at..]))
        .unwrap_or_else(|| {
            panic!(
                "{}: the child printed no measure (it died?)\n{stdout}\n{}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let field = |name: &str| -> String {
        let start = line.find(&format!("{name}=")).unwrap() + name.len() + 1;
        let rest = &line[start..];
        if let Some(quoted) = rest.strip_prefix('"') {
            quoted[..quoted.find("\" ").unwrap_or(quoted.len() - 1)].to_string()
        } else {
            rest.split(' ').next().unwrap().to_string()
        }
    };
    assert_eq!(field("reset"), "true", "the peak could be reset: {line}");
    (
        field("ms").parse().unwrap(),
        field("peak_kb").parse().unwrap(),
        field("listed"),
        field("opened"),
    )
}

#[test]
fn a_sparse_tar_a_link_to_dev_zero_and_a_fifo_are_refused_at_once_in_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (_, key, public) = key_pair(dir.path());
    let good = std::fs::read(make(dir.path(), &key, 7)).unwrap();
    let parts = entries(&good);
    let hostile = dir.path().join("usb");
    std::fs::create_dir_all(&hostile).unwrap();

    // 2.5 KB that a tar reader which follows sparse maps expands to 4 GiB, as the first entry
    // and as a file after a genuine signed manifest.
    let sparse = hostile.join("sparse.ckpack");
    std::fs::write(&sparse, rebuild(&[sparse_entry("manifest.json")])).unwrap();
    assert!(std::fs::metadata(&sparse).unwrap().len() < 4096);
    let bytes = std::fs::read(&sparse).unwrap();
    let mut archive = tar::Archive::new(bytes.as_slice());
    let expanded = archive.entries().unwrap().next().unwrap().unwrap().size();
    assert_eq!(
        expanded,
        4 << 30,
        "a tar reader that follows the sparse map reads 4 GiB"
    );
    let signed_then_sparse = hostile.join("signed-then-sparse.ckpack");
    std::fs::write(
        &signed_then_sparse,
        rebuild(&[
            parts[0].clone(),
            parts[1].clone(),
            sparse_entry("content/topics.toml"),
        ]),
    )
    .unwrap();
    let zero = hostile.join("zero.ckpack");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let fifo = hostile.join("fifo.ckpack");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());

    for (file, words) in [
        (&sparse, "sparse file"),
        (&signed_then_sparse, "sparse file"),
        (&zero, "symbolic link"),
        (&fifo, "named pipe"),
    ] {
        let (ms, peak_kb, listed, opened) = measured(file, &public);
        let name = file.file_name().unwrap().to_string_lossy();
        assert!(ms < 1000, "{name}: refused after {ms} ms");
        assert!(
            peak_kb < 64 * 1024,
            "{name}: peak memory {} MB",
            peak_kb / 1024
        );
        assert!(
            opened.contains(words) && opened.contains("not a content pack"),
            "{name}: {opened}"
        );
        // Listing says the same (it reads the signed manifest at most).
        if file != &signed_then_sparse {
            assert_eq!(listed, opened, "{name}");
        }
        eprintln!(
            "{name}: refused in {ms} ms, peak {} MB: {opened}",
            peak_kb / 1024
        );
    }
    // The genuine pack, for comparison, opens in the same bounds.
    let genuine = dir.path().join("content-7.ckpack");
    let (ms, peak_kb, listed, opened) = measured(&genuine, &public);
    assert_eq!((listed.as_str(), opened.as_str()), ("", ""));
    assert!(ms < 1000 && peak_kb < 64 * 1024, "{ms} ms, {peak_kb} kB");
    eprintln!(
        "the genuine pack ({} KB): listed and opened in {ms} ms, peak {} MB",
        std::fs::metadata(&genuine).unwrap().len() / 1024,
        peak_kb / 1024
    );

    // The command line refuses each at once and says why and what to do.
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[content]\ntrusted_keys = [\"{public}\"]\n"),
    )
    .unwrap();
    for file in [&sparse, &zero, &fifo] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_clinic-kiosk"));
        cmd.args(["content", "import"])
            .arg(file)
            .arg("--data-dir")
            .arg(&data)
            .arg("--config")
            .arg(&config)
            .env_remove("CLINIC_KIOSK_CONFIG");
        let (out, finished) = run_with_deadline(cmd, std::time::Duration::from_secs(20));
        assert!(finished, "{}: the import hangs", file.display());
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("not a content pack") && err.contains("not changed"),
            "{err}"
        );
    }
    assert!(pack::installed(&data).is_none());
}

#[test]
fn links_devices_fifos_and_folders_inside_a_pack_are_refused_before_they_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let (_, key, public) = key_pair(dir.path());
    let keys = trusted(&public);
    let good = std::fs::read(make(dir.path(), &key, 3)).unwrap();
    let parts = entries(&good);
    for (kind, words) in [
        (tar::EntryType::Symlink, "symbolic link"),
        (tar::EntryType::Link, "hard link"),
        (tar::EntryType::Fifo, "named pipe"),
        (tar::EntryType::Char, "character device"),
        (tar::EntryType::Block, "block device"),
        (tar::EntryType::Directory, "folder"),
        (tar::EntryType::XHeader, "pax"),
    ] {
        let mut changed = parts.clone();
        // The first article becomes an entry of that kind (its bytes stay).
        let (header, _) = &mut changed[3];
        header.set_entry_type(kind);
        if matches!(kind, tar::EntryType::Symlink | tar::EntryType::Link) {
            header.set_link_name("/etc/passwd").unwrap();
        }
        header.set_cksum();
        let path = dir.path().join("odd.ckpack");
        std::fs::write(&path, rebuild(&changed)).unwrap();
        let err = expect_refused(pack::open(&path, &keys), words);
        assert!(
            matches!(err, PackError::NotAPack(_)) && err.to_string().contains(words),
            "{kind:?}: {err}"
        );
    }
}

#[test]
fn sizes_a_pack_claims_are_capped_before_reading_and_listing_reads_only_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let (_, key, public) = key_pair(dir.path());
    let keys = trusted(&public);
    let file = make(dir.path(), &key, 4);
    let good = std::fs::read(&file).unwrap();
    let parts = entries(&good);

    // A manifest that claims 8 GiB: refused on the claim, nothing read.
    let mut big = parts.clone();
    big[0].0.set_size(8 << 30);
    big[0].0.set_cksum();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(big[0].0.as_bytes());
    bytes.extend_from_slice(&good[512..]);
    let path = dir.path().join("big-manifest.ckpack");
    std::fs::write(&path, &bytes).unwrap();
    let err = expect_refused(pack::open(&path, &keys), "a huge manifest");
    assert!(err.to_string().contains("a manifest has at most"), "{err}");

    // A file whose header claims more than the signed manifest says: refused as changed.
    let mut longer = parts.clone();
    let (header, data) = &mut longer[3];
    data.extend_from_slice(b"\nmore words");
    header.set_size(data.len() as u64);
    header.set_cksum();
    let path = dir.path().join("longer.ckpack");
    std::fs::write(&path, rebuild(&longer)).unwrap();
    let err = expect_refused(pack::open(&path, &keys), "a longer file");
    assert!(matches!(err, PackError::FileMismatch(_)), "{err}");

    // Listing reads the manifest and its signature only: the bytes this thread read.
    fn thread_read() -> u64 {
        std::fs::read_to_string("/proc/thread-self/io")
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("rchar:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }
    let manifest_len = parts[0].1.len() as u64;
    let before = thread_read();
    let manifest = pack::peek(&file, &keys).expect("listed");
    let read = thread_read() - before;
    eprintln!(
        "listing read {read} bytes of a {} byte pack (manifest {manifest_len})",
        good.len()
    );
    assert_eq!(manifest.version, 4);
    assert!(
        read < manifest_len + 32 * 1024 && read < good.len() as u64 / 4,
        "listing read {read} bytes of a {} byte pack (manifest {manifest_len})",
        good.len()
    );
    let before = thread_read();
    pack::open(&file, &keys).expect("opened");
    assert!(
        thread_read() - before >= good.len() as u64 - 1024,
        "open reads it all"
    );
}

#[test]
fn a_copy_cut_anywhere_says_incomplete_not_unsigned_or_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (_, key, public) = key_pair(dir.path());
    let keys = trusted(&public);
    let file = make(dir.path(), &key, 5);
    let good = std::fs::read(&file).unwrap();
    let parts = entries(&good);
    let block = |len: usize| len.div_ceil(512) * 512;
    let after_manifest = 512 + block(parts[0].1.len());
    let after_signature = after_manifest + 512 + block(parts[1].1.len());
    // The end of the last file: the two zero blocks after it are not needed.
    let last_file_end =
        good.len() - 1024 - (block(parts.last().unwrap().1.len()) - parts.last().unwrap().1.len());
    let cuts = [
        ("inside the first header", 100),
        ("inside the manifest", 600),
        ("right after the manifest", after_manifest),
        ("inside the signature's header", after_manifest + 10),
        ("right after the signature", after_signature),
        ("inside the first file", after_signature + 600),
        ("half way", good.len() / 2),
        (
            "at a block between files",
            after_signature + 512 + block(parts[2].1.len()),
        ),
        ("one byte short of the last file", last_file_end - 1),
    ];
    for (what, at) in cuts {
        let path = dir.path().join("short.ckpack");
        std::fs::write(&path, &good[..at]).unwrap();
        let err = expect_refused(pack::open(&path, &keys), what);
        assert!(
            matches!(err, PackError::Truncated(_)),
            "cut {what} ({at} of {} bytes): {err}",
            good.len()
        );
        assert!(
            err.to_string().starts_with("this file is incomplete")
                && err.to_string().ends_with("copy it again"),
            "{err}"
        );
    }
    // Cut after the signature, the manifest is whole: listing shows the pack, import refuses.
    std::fs::write(dir.path().join("short.ckpack"), &good[..after_signature]).unwrap();
    assert_eq!(
        pack::peek(&dir.path().join("short.ckpack"), &keys)
            .unwrap()
            .version,
        5
    );
    // An empty file is incomplete too (a copy that never started).
    std::fs::write(dir.path().join("empty.ckpack"), b"").unwrap();
    let err = expect_refused(pack::open(&dir.path().join("empty.ckpack"), &keys), "empty");
    assert!(matches!(err, PackError::Truncated(_)), "{err}");

    // Through the command line, in the words the issue asks for.
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[content]\ntrusted_keys = [\"{public}\"]\n"),
    )
    .unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let out = cli(
        &[
            "content",
            "import",
            dir.path().join("short.ckpack").to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
        &[],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("this file is incomplete") && err.contains("copy it again"),
        "{err}"
    );
}

#[test]
fn the_installed_pack_is_checked_again_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let (_, key, public) = key_pair(dir.path());
    let keys = trusted(&public);
    assert!(
        pack::verify_installed(&data, &keys).unwrap().is_none(),
        "nothing installed"
    );
    let file = make(dir.path(), &key, 8);
    pack::install(
        &pack::open(&file, &keys).unwrap(),
        &data,
        &data.join("library.db"),
    )
    .unwrap();
    assert_eq!(
        pack::verify_installed(&data, &keys)
            .unwrap()
            .unwrap()
            .version,
        8
    );

    let installed = data.join("content");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&installed), 0o700);
    for entry in std::fs::read_dir(installed.join("articles")).unwrap() {
        assert_eq!(mode(&entry.unwrap().path()), 0o600);
    }
    assert_eq!(mode(&installed.join("topics.toml")), 0o600);

    // Another key's kiosk does not accept it.
    let elsewhere = dir.path().join("other");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let (_, _, stranger) = key_pair(&elsewhere);
    let err = pack::verify_installed(&data, &trusted(&stranger)).unwrap_err();
    assert!(matches!(err, PackError::UntrustedKey(_)), "{err}");

    // An article changed on disk.
    let article = std::fs::read_dir(installed.join("articles"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let original = std::fs::read(&article).unwrap();
    std::fs::write(&article, [original.as_slice(), b"\nInjected."].concat()).unwrap();
    let err = pack::verify_installed(&data, &keys).unwrap_err();
    assert!(matches!(err, PackError::FileMismatch(_)), "{err}");
    std::fs::write(&article, &original).unwrap();
    assert!(pack::verify_installed(&data, &keys).is_ok());

    // An article added, or one replaced by a link.
    let extra = installed.join("articles").join("zz-extra.md");
    std::fs::write(&extra, b"+++\n").unwrap();
    let err = pack::verify_installed(&data, &keys).unwrap_err();
    assert!(matches!(err, PackError::Extra(_)), "{err}");
    std::fs::remove_file(&extra).unwrap();
    std::fs::rename(&article, dir.path().join("moved.md")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("moved.md"), &article).unwrap();
    let err = pack::verify_installed(&data, &keys).unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    std::fs::remove_file(&article).unwrap();
    std::fs::rename(dir.path().join("moved.md"), &article).unwrap();

    // The manifest changed, or its signature gone (as after an install by an older version).
    let manifest = installed.join("pack-manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("\"version\": 8", "\"version\": 9")).unwrap();
    let err = pack::verify_installed(&data, &keys).unwrap_err();
    assert!(matches!(err, PackError::BadSignature), "{err}");
    std::fs::write(&manifest, &text).unwrap();
    std::fs::remove_file(installed.join("pack-manifest.sig")).unwrap();
    let err = pack::verify_installed(&data, &keys).unwrap_err();
    assert!(matches!(err, PackError::Unsigned), "{err}");
}
