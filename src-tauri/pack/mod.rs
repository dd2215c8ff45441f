//! Signed content packs (issue #6): the article library as one file that reaches an offline
//! kiosk on a USB stick. A pack is a plain tar: `manifest.json` (format, version, the content
//! hash, and every file with its SHA-256 and size), `manifest.sig` (an Ed25519 signature of
//! the manifest's bytes, hex), then the files under `content/`. The signature covers the
//! manifest and the manifest covers every byte, so one check covers the pack.
//!
//! Nothing in a pack is trusted before its signature is (issue #11, see `read`): the signed
//! manifest comes first and is checked before any file is read; only regular files and
//! regular tar entries are read, each through a reader capped at what the signed manifest
//! says; listing packs ([`peek`]) reads only the manifest; the installed pack is checked
//! again at start ([`verify_installed`]).
//!
//! A kiosk installs a pack only when a key in its config signed it and its version is newer
//! than the installed one. The files are written to a staging folder and checked as content
//! before the content folder is swapped by rename and the library rebuilt atomically, so an
//! import stopped at any point leaves a library that works: the old one, or the new one.

pub mod offer;
mod read;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The pack format this app writes and reads.
pub const FORMAT: u32 = 1;
/// File name ending of a pack.
pub const EXTENSION: &str = "ckpack";
/// Pack files larger than this are refused unread, and no pack is read further than this.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;
/// The most `manifest.json` may weigh (5,000 files at about 150 bytes each is 750 KB).
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;
/// The most files a pack may list.
pub const MAX_FILES: usize = 5_000;
/// The most one file in a pack may weigh (an article is a few KB).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// The most all the files of a pack may weigh together (what is held while installing).
pub const MAX_TOTAL_BYTES: u64 = 32 * 1024 * 1024;
/// The installed content, in the data folder.
pub const CONTENT: &str = "content";
/// The manifest of the installed pack, kept inside the installed content folder ...
const INSTALLED_MANIFEST: &str = "pack-manifest.json";
/// ... with its signature, so that the installed pack can be checked again at start.
const INSTALLED_SIGNATURE: &str = "pack-manifest.sig";
/// For tests of an interrupted import: `after-stage` or `after-swap` stops the process there.
pub const CRASH_ENV: &str = "CLINIC_KIOSK_PACK_CRASH";

/// One file of a pack, as its manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileEntry {
    /// Its path inside the pack, `content/...`.
    pub path: String,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// What a pack holds, signed as a whole (`manifest.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// The pack format, [`FORMAT`].
    pub format: u32,
    /// Larger is newer; a kiosk refuses a version not above the one it has.
    pub version: u64,
    /// When it was made, RFC 3339 in UTC.
    pub created_at: String,
    /// The hash `content::hash` gives the files (what library.db records).
    pub content_hash: String,
    /// The signing key's public half, base64, for telling keys apart.
    pub key: String,
    /// Every file of the pack, each with its hash and size.
    pub files: Vec<FileEntry>,
}

/// Why a pack cannot be made, listed, checked or installed; the message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// A file could not be read or written.
    #[error("cannot read or write {path}: {source}")]
    Io {
        /// The file, escaped and cut short.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is over [`MAX_BYTES`].
    #[error("{0} is larger than {MAX_BYTES} bytes; a content pack is much smaller: check that it is the right file")]
    TooLarge(String),
    /// Not a tar with a manifest first, or a pack that breaks a limit; why.
    #[error("not a content pack: {0}")]
    NotAPack(String),
    /// The file ends before the pack does (a copy cut short); where.
    #[error("this file is incomplete ({0}): copy it again")]
    Truncated(String),
    /// No `manifest.sig`.
    #[error("the pack is not signed; make it with `clinic-kiosk content pack --key ...`")]
    Unsigned,
    /// Signed by a key not in `[content] trusted_keys`; the key, base64.
    #[error("the pack is signed with a key this kiosk does not trust ({0}); add its public key to [content] trusted_keys")]
    UntrustedKey(String),
    /// The signature does not match the manifest.
    #[error("the pack's signature does not match its contents: it was changed after signing")]
    BadSignature,
    /// A file's bytes do not match its hash or size; its path.
    #[error("{0} in the pack does not match its manifest: it was changed after signing")]
    FileMismatch(String),
    /// A file the manifest lists is not in the pack; its path.
    #[error("{0} is listed in the manifest but missing from the pack")]
    Missing(String),
    /// A file is in the pack but not in the manifest; its path.
    #[error("{0} is in the pack but not in its manifest")]
    Extra(String),
    /// The pack is not newer than the installed one.
    #[error("the pack's version {pack} is not newer than the installed {installed}")]
    NotNewer {
        /// The pack's version.
        pack: u64,
        /// The installed pack's version (0 for the shipped articles).
        installed: u64,
    },
    /// The config trusts no key.
    #[error("no trusted key is configured: add [content] trusted_keys to the config")]
    NoTrustedKeys,
    /// The pack's articles fail the content checks; how many errors.
    #[error("the pack's articles have {0} error(s); check them with `clinic-kiosk content check`")]
    BadContent(usize),
    /// The key file holds no key; its path.
    #[error("the key file {0} does not hold a key made by `clinic-kiosk content keygen`")]
    BadKey(String),
    /// The library could not be rebuilt from the pack; why.
    #[error("the library could not be rebuilt: {0}")]
    Library(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PackError + '_ {
    move |source| PackError::Io {
        path: cut(&path.display().to_string(), 200),
        source,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Text from a pack or a USB stick, safe to show and log: control and bidirectional
/// characters escaped, at most `max` characters.
fn cut(text: &str, max: usize) -> String {
    let mut out: String = text.escape_debug().take(max).collect();
    if text.escape_debug().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// A file's name, for messages.
fn shown(path: &Path) -> String {
    cut(
        &path
            .file_name()
            .map_or_else(|| path.to_string_lossy(), |n| n.to_string_lossy()),
        80,
    )
}

// ---------- keys ----------

/// A new signing key: (secret, hex, for the key file; public, base64, for kiosks' config).
pub fn keygen() -> (String, String) {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).expect("the OS random source works");
    let key = SigningKey::from_bytes(&seed);
    (hex::encode(seed), public_text(&key.verifying_key()))
}

/// A public key as kiosks' config holds it: base64 of its 32 bytes.
pub fn public_text(key: &VerifyingKey) -> String {
    base64::engine::general_purpose::STANDARD.encode(key.as_bytes())
}

/// A public key from its base64 text (surrounding spaces ignored), or `None`.
pub fn parse_public(text: &str) -> Option<VerifyingKey> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()?;
    VerifyingKey::from_bytes(&bytes.try_into().ok()?).ok()
}

/// Reads a key file written by `content keygen`.
pub fn read_secret(path: &Path) -> Result<SigningKey, PackError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| PackError::BadKey(path.display().to_string()))?;
    Ok(SigningKey::from_bytes(&bytes))
}

// ---------- making a pack ----------

/// The files of a content folder that make up the library, relative paths sorted.
fn content_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, PackError> {
    let mut out = Vec::new();
    for name in ["topics.toml", "notices.toml", "synonyms.toml"] {
        let path = dir.join(name);
        out.push((name.to_string(), std::fs::read(&path).map_err(io(&path))?));
    }
    let articles = dir.join("articles");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&articles)
        .map_err(io(&articles))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    names.sort();
    for path in names {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        out.push((
            format!("articles/{name}"),
            std::fs::read(&path).map_err(io(&path))?,
        ));
    }
    Ok(out)
}

fn append(builder: &mut tar::Builder<Vec<u8>>, path: &str, bytes: &[u8]) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_cksum();
    builder.append_data(&mut header, path, bytes)
}

/// Packs `dir` (which must pass `content check`) as version `version`, signed with `key`,
/// into `out` (written to a temporary file first, then renamed).
pub fn create(
    dir: &Path,
    key: &SigningKey,
    version: u64,
    out: &Path,
) -> Result<Manifest, PackError> {
    let (content, diags) = crate::content::load(dir);
    if diags.has_errors() {
        return Err(PackError::BadContent(diags.error_count()));
    }
    let files = content_files(dir)?;
    let manifest = Manifest {
        format: FORMAT,
        version,
        created_at: crate::clock::rfc3339(crate::clock::system_ms()),
        content_hash: content.hash,
        key: public_text(&key.verifying_key()),
        files: files
            .iter()
            .map(|(path, bytes)| FileEntry {
                path: path.clone(),
                sha256: sha256_hex(bytes),
                size: bytes.len() as u64,
            })
            .collect(),
    };
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).expect("JSON");
    let signature = key.sign(&manifest_bytes);
    let mut builder = tar::Builder::new(Vec::new());
    let tar_err = io(out);
    (|| -> std::io::Result<Vec<u8>> {
        append(&mut builder, "manifest.json", &manifest_bytes)?;
        append(
            &mut builder,
            "manifest.sig",
            hex::encode(signature.to_bytes()).as_bytes(),
        )?;
        for (path, bytes) in &files {
            append(&mut builder, &format!("content/{path}"), bytes)?;
        }
        builder.into_inner()
    })()
    .map_err(tar_err)
    .and_then(|bytes| {
        let tmp = out.with_extension("ckpack.tmp");
        std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
        std::fs::rename(&tmp, out).map_err(io(out))
    })?;
    Ok(manifest)
}

// ---------- reading a pack ----------

/// A pack whose signature and every file checked out.
#[derive(Debug)]
pub struct Verified {
    /// The signed manifest.
    pub manifest: Manifest,
    manifest_bytes: Vec<u8>,
    signature: Vec<u8>,
    files: BTreeMap<String, Vec<u8>>,
}

/// `content/...` paths only, with nothing that climbs out of the folder.
fn safe_relative(path: &str) -> Option<String> {
    let rest = path.strip_prefix("content/")?;
    let p = Path::new(rest);
    let ok = !rest.is_empty()
        && p.components().all(|c| matches!(c, Component::Normal(_)))
        && (p.parent() == Some(Path::new("")) || p.parent() == Some(Path::new("articles")));
    ok.then(|| rest.to_string())
}

/// Reads and checks the pack at `path` against the `trusted` keys: its signature first, then
/// every file it lists. Bounded in time and memory whatever the file holds.
pub fn open(path: &Path, trusted: &[VerifyingKey]) -> Result<Verified, PackError> {
    if trusted.is_empty() {
        return Err(PackError::NoTrustedKeys);
    }
    let (head, files) = read::read(path, trusted, true)?;
    Ok(Verified {
        manifest: head.manifest,
        manifest_bytes: head.manifest_bytes,
        signature: head.signature,
        files,
    })
}

/// For listing packs: reads only the manifest and its signature (a few KB) and checks the
/// signature; the files are checked by [`open`] when the pack is imported.
pub fn peek(path: &Path, trusted: &[VerifyingKey]) -> Result<Manifest, PackError> {
    if trusted.is_empty() {
        return Err(PackError::NoTrustedKeys);
    }
    read::read(path, trusted, false).map(|(head, _)| head.manifest)
}

// ---------- installing ----------

/// The installed content folder, if a pack was ever installed.
pub fn installed_dir(data_dir: &Path) -> Option<PathBuf> {
    let dir = data_dir.join(CONTENT);
    dir.join(INSTALLED_MANIFEST).is_file().then_some(dir)
}

/// The installed pack's manifest, if any (as recorded: [`verify_installed`] checks it).
pub fn installed(data_dir: &Path) -> Option<Manifest> {
    let path = data_dir.join(CONTENT).join(INSTALLED_MANIFEST);
    let bytes = read::read_regular(&path, MAX_MANIFEST_BYTES).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Checks the installed pack again, as at import: its manifest's signature against `trusted`,
/// then every file against the manifest, and nothing else in the folder. `Ok(None)` when no
/// pack is installed. For the start of the app: on an error, use the shipped articles and tell
/// staff to import the pack again. A pack installed before issue #11 kept no signature and is
/// refused as unsigned.
pub fn verify_installed(
    data_dir: &Path,
    trusted: &[VerifyingKey],
) -> Result<Option<Manifest>, PackError> {
    let dir = data_dir.join(CONTENT);
    let manifest_path = dir.join(INSTALLED_MANIFEST);
    if std::fs::symlink_metadata(&manifest_path).is_err() {
        return Ok(None);
    }
    if trusted.is_empty() {
        return Err(PackError::NoTrustedKeys);
    }
    let manifest_bytes = read::read_regular(&manifest_path, MAX_MANIFEST_BYTES)?;
    let signature_path = dir.join(INSTALLED_SIGNATURE);
    let signature = match read::read_regular(&signature_path, read::MAX_SIGNATURE_BYTES) {
        Err(PackError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Err(PackError::Unsigned)
        }
        other => other?,
    };
    let manifest = read::verify_manifest(&manifest_bytes, &signature, trusted)?;
    let mut listed = std::collections::BTreeSet::new();
    for entry in &manifest.files {
        let path = dir.join(&entry.path);
        let bytes = match read::read_regular(&path, entry.size) {
            Ok(bytes) => bytes,
            Err(PackError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return Err(PackError::Missing(entry.path.clone()))
            }
            Err(PackError::TooLarge(_)) => return Err(PackError::FileMismatch(entry.path.clone())),
            Err(err) => return Err(err),
        };
        if bytes.len() as u64 != entry.size || sha256_hex(&bytes) != entry.sha256 {
            return Err(PackError::FileMismatch(entry.path.clone()));
        }
        listed.insert(entry.path.as_str());
    }
    // Whatever else is there would be read as content too.
    for (folder, prefix) in [(dir.clone(), ""), (dir.join("articles"), "articles/")] {
        for item in std::fs::read_dir(&folder).map_err(io(&folder))? {
            let item = item.map_err(io(&folder))?;
            let rel = format!("{prefix}{}", item.file_name().to_string_lossy());
            let known = listed.contains(rel.as_str())
                || rel == INSTALLED_MANIFEST
                || rel == INSTALLED_SIGNATURE
                || (rel == "articles" && item.file_type().is_ok_and(|t| t.is_dir()));
            if !known {
                return Err(PackError::Extra(cut(&rel, 120)));
            }
        }
    }
    Ok(Some(manifest))
}

/// Writes `bytes` to a new file readable by this user only, whatever the umask.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), PackError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// A new folder for this user only, whatever the umask.
fn private_dir(path: &Path) -> Result<(), PackError> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(path)
        .map_err(io(path))
}

fn crash_point(name: &str) {
    if std::env::var(CRASH_ENV).as_deref() == Ok(name) {
        eprintln!("stopping at {name} ({CRASH_ENV})");
        std::process::abort();
    }
}

/// One install at a time in this process: a pack from a USB stick and one from the front
/// desk would otherwise both pass the version check against the same installed pack, and
/// each would remove the other's staging folder as a leftover.
static INSTALLING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Installs a verified pack into `data_dir` and rebuilds `library_db` from it. Refused when
/// not newer than the installed pack. Leftovers of an earlier stopped import are removed.
/// Installs in one process run one after the other.
pub fn install(
    pack: &Verified,
    data_dir: &Path,
    library_db: &Path,
) -> Result<crate::library::Library, PackError> {
    // A panic in an earlier install leaves nothing half done that the checks below miss.
    let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
    let installed = installed(data_dir).map_or(0, |m| m.version);
    if pack.manifest.version <= installed {
        return Err(PackError::NotNewer {
            pack: pack.manifest.version,
            installed,
        });
    }
    clean_leftovers(data_dir);
    let stamp = uuid::Uuid::new_v4().simple().to_string();
    let staging = data_dir.join(format!("{CONTENT}.staging-{stamp}"));
    private_dir(&staging)?;
    private_dir(&staging.join("articles"))?;
    for (rel, bytes) in &pack.files {
        write_private(&staging.join(rel), bytes)?;
    }
    write_private(&staging.join(INSTALLED_MANIFEST), &pack.manifest_bytes)?;
    write_private(&staging.join(INSTALLED_SIGNATURE), &pack.signature)?;
    // Signed is not the same as correct: the articles must pass the same checks as ever.
    let (_, diags) = crate::content::load(&staging);
    if diags.has_errors() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(PackError::BadContent(diags.error_count()));
    }
    crash_point("after-stage");
    let target = data_dir.join(CONTENT);
    let old = data_dir.join(format!("{CONTENT}.old-{stamp}"));
    if target.exists() {
        std::fs::rename(&target, &old).map_err(io(&target))?;
    }
    if let Err(err) = std::fs::rename(&staging, &target) {
        // Put the old content back before reporting.
        let _ = std::fs::rename(&old, &target);
        return Err(io(&target)(err));
    }
    let _ = std::fs::remove_dir_all(&old);
    crash_point("after-swap");
    crate::library::open_or_build(&target, library_db)
        .map(|(lib, _)| lib)
        .map_err(|e| PackError::Library(e.to_string()))
}

/// Checks the pack at `path` against `keys` and installs it into `data_dir`, rebuilding
/// its library.db: the pack's version and the new library.
pub fn open_and_install(
    path: &Path,
    data_dir: &Path,
    keys: &[VerifyingKey],
) -> Result<(u64, crate::library::Library), PackError> {
    let verified = open(path, keys)?;
    let version = verified.manifest.version;
    let library = install(
        &verified,
        data_dir,
        &data_dir.join(crate::paths::LIBRARY_DB),
    )?;
    Ok((version, library))
}

/// Staging and old folders an import stopped half way left behind.
fn clean_leftovers(data_dir: &Path) {
    for entry in std::fs::read_dir(data_dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with(&format!("{CONTENT}.staging-"))
            || name.starts_with(&format!("{CONTENT}.old-"))
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Packs found in `folders` (a data folder's `packs/`, mounted USB sticks), newest first.
pub fn find(folders: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack: Vec<(PathBuf, u8)> = folders.iter().map(|f| (f.clone(), 0)).collect();
    while let Some((dir, depth)) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() && depth < 2 {
                stack.push((path, depth + 1));
            } else if path.extension().is_some_and(|e| e == EXTENSION) {
                found.push(path);
            }
        }
    }
    found.sort();
    found.reverse();
    found
}

/// Where staff packs are looked for: the data folder's `packs/` and removable media.
pub fn search_folders(data_dir: &Path) -> Vec<PathBuf> {
    let mut folders = vec![data_dir.join("packs")];
    for root in ["/media", "/run/media", "/mnt"] {
        folders.push(PathBuf::from(root));
    }
    folders
}
