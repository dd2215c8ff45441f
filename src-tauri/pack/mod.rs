//! Signed content packs (issue #6): the article library as one file that reaches an offline
//! kiosk on a USB stick. A pack is a plain tar: `manifest.json` (format, version, the content
//! hash, and every file with its SHA-256 and size), `manifest.sig` (an Ed25519 signature of
//! the manifest's bytes, hex), then the files under `content/`. The signature covers the
//! manifest and the manifest covers every byte, so one check covers the pack.
//!
//! A kiosk installs a pack only when a key in its config signed it and its version is newer
//! than the installed one. The files are written to a staging folder and checked as content
//! before the content folder is swapped by rename and the library rebuilt atomically, so an
//! import stopped at any point leaves a library that works: the old one, or the new one.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The pack format this app writes and reads.
pub const FORMAT: u32 = 1;
/// File name ending of a pack.
pub const EXTENSION: &str = "ckpack";
/// Packs larger than this are refused unread.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;
/// The installed content, in the data folder.
pub const CONTENT: &str = "content";
/// The manifest of the installed pack, kept inside the installed content folder.
const INSTALLED_MANIFEST: &str = "pack-manifest.json";
/// For tests of an interrupted import: `after-stage` or `after-swap` stops the process there.
pub const CRASH_ENV: &str = "CLINIC_KIOSK_PACK_CRASH";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub format: u32,
    /// Larger is newer; a kiosk refuses a version not above the one it has.
    pub version: u64,
    pub created_at: String,
    /// The hash `content::hash` gives the files (what library.db records).
    pub content_hash: String,
    /// The signing key's public half, base64, for telling keys apart.
    pub key: String,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0} is larger than {MAX_BYTES} bytes; a content pack is much smaller")]
    TooLarge(String),
    #[error("not a content pack: {0}")]
    NotAPack(String),
    #[error("the pack is cut short (truncated): {0}; copy it again")]
    Truncated(String),
    #[error("the pack is not signed")]
    Unsigned,
    #[error("the pack is signed with a key this kiosk does not trust ({0}); add its public key to [content] trusted_keys")]
    UntrustedKey(String),
    #[error("the pack's signature does not match its contents: it was changed after signing")]
    BadSignature,
    #[error("{0} in the pack does not match its manifest: it was changed after signing")]
    FileMismatch(String),
    #[error("{0} is listed in the manifest but missing from the pack")]
    Missing(String),
    #[error("{0} is in the pack but not in its manifest")]
    Extra(String),
    #[error("the pack's version {pack} is not newer than the installed {installed}")]
    NotNewer { pack: u64, installed: u64 },
    #[error("no trusted key is configured: add [content] trusted_keys to the config")]
    NoTrustedKeys,
    #[error("the pack's articles have {0} error(s); check them with `clinic-kiosk content check`")]
    BadContent(usize),
    #[error("the key file {0} does not hold a key made by `clinic-kiosk content keygen`")]
    BadKey(String),
    #[error("the library could not be rebuilt: {0}")]
    Library(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PackError + '_ {
    move |source| PackError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

// ---------- keys ----------

/// A new signing key: (secret, hex, for the key file; public, base64, for kiosks' config).
pub fn keygen() -> (String, String) {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).expect("the OS random source works");
    let key = SigningKey::from_bytes(&seed);
    (hex::encode(seed), public_text(&key.verifying_key()))
}

pub fn public_text(key: &VerifyingKey) -> String {
    base64::engine::general_purpose::STANDARD.encode(key.as_bytes())
}

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
        created_at: crate::delivery::payload::rfc3339(crate::callbacks::now_ms()),
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
    pub manifest: Manifest,
    manifest_bytes: Vec<u8>,
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

/// Reads and checks the pack at `path` against the `trusted` keys.
pub fn open(path: &Path, trusted: &[VerifyingKey]) -> Result<Verified, PackError> {
    if trusted.is_empty() {
        return Err(PackError::NoTrustedKeys);
    }
    let size = std::fs::metadata(path).map_err(io(path))?.len();
    if size > MAX_BYTES {
        return Err(PackError::TooLarge(path.display().to_string()));
    }
    let bytes = std::fs::read(path).map_err(io(path))?;
    let mut archive = tar::Archive::new(bytes.as_slice());
    let entries = archive
        .entries()
        .map_err(|e| PackError::NotAPack(e.to_string()))?;
    let mut manifest_bytes = None;
    let mut signature = None;
    let mut files = BTreeMap::new();
    let mut count = 0usize;
    for entry in entries {
        let mut entry = entry.map_err(|e| PackError::Truncated(e.to_string()))?;
        let name = entry
            .path()
            .map_err(|e| PackError::NotAPack(e.to_string()))?
            .to_string_lossy()
            .to_string();
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|e| PackError::Truncated(e.to_string()))?;
        if (data.len() as u64) < entry.header().size().unwrap_or(0) {
            return Err(PackError::Truncated(format!("{name} is cut short")));
        }
        count += 1;
        match name.as_str() {
            "manifest.json" => manifest_bytes = Some(data),
            "manifest.sig" => signature = Some(data),
            other => match safe_relative(other) {
                Some(rel) => {
                    files.insert(rel, data);
                }
                None => return Err(PackError::Extra(other.to_string())),
            },
        }
    }
    if count == 0 {
        return Err(PackError::NotAPack("it is empty".into()));
    }
    let manifest_bytes =
        manifest_bytes.ok_or_else(|| PackError::NotAPack("no manifest.json".into()))?;
    let signature = signature.ok_or(PackError::Unsigned)?;
    let signature: [u8; 64] = hex::decode(String::from_utf8_lossy(&signature).trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(PackError::BadSignature)?;
    let signature = Signature::from_bytes(&signature);
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| PackError::NotAPack(format!("manifest.json: {e}")))?;
    if manifest.format != FORMAT {
        return Err(PackError::NotAPack(format!(
            "format {} (this app reads {FORMAT})",
            manifest.format
        )));
    }
    let signer = trusted
        .iter()
        .find(|k| public_text(k) == manifest.key)
        .ok_or_else(|| PackError::UntrustedKey(manifest.key.chars().take(12).collect()))?;
    signer
        .verify(&manifest_bytes, &signature)
        .map_err(|_| PackError::BadSignature)?;
    for entry in &manifest.files {
        let data = files
            .get(&entry.path)
            .ok_or_else(|| PackError::Missing(entry.path.clone()))?;
        if data.len() as u64 != entry.size || sha256_hex(data) != entry.sha256 {
            return Err(PackError::FileMismatch(entry.path.clone()));
        }
    }
    if let Some(extra) = files
        .keys()
        .find(|k| !manifest.files.iter().any(|f| &f.path == *k))
    {
        return Err(PackError::Extra(extra.clone()));
    }
    Ok(Verified {
        manifest,
        manifest_bytes,
        files,
    })
}

// ---------- installing ----------

/// The installed content folder, if a pack was ever installed.
pub fn installed_dir(data_dir: &Path) -> Option<PathBuf> {
    let dir = data_dir.join(CONTENT);
    dir.join(INSTALLED_MANIFEST).is_file().then_some(dir)
}

/// The installed pack's manifest, if any.
pub fn installed(data_dir: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(data_dir.join(CONTENT).join(INSTALLED_MANIFEST)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn crash_point(name: &str) {
    if std::env::var(CRASH_ENV).as_deref() == Ok(name) {
        eprintln!("stopping at {name} ({CRASH_ENV})");
        std::process::abort();
    }
}

/// Installs a verified pack into `data_dir` and rebuilds `library_db` from it. Refused when
/// not newer than the installed pack. Leftovers of an earlier stopped import are removed.
pub fn install(
    pack: &Verified,
    data_dir: &Path,
    library_db: &Path,
) -> Result<crate::library::Library, PackError> {
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
    std::fs::create_dir_all(staging.join("articles")).map_err(io(&staging))?;
    for (rel, bytes) in &pack.files {
        let path = staging.join(rel);
        std::fs::write(&path, bytes).map_err(io(&path))?;
    }
    let manifest_path = staging.join(INSTALLED_MANIFEST);
    std::fs::write(&manifest_path, &pack.manifest_bytes).map_err(io(&manifest_path))?;
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
