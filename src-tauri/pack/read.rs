//! Reading a pack without trusting it (issue #11). The file must be a regular file (checked
//! on the path before it is opened, and on the opened file), and is read as a stream through
//! a reader that stops at [`MAX_BYTES`](super::MAX_BYTES). The tar is walked raw (no GNU long
//! link, pax or sparse processing by the tar library): only regular entries are accepted.
//!
//! A pack is laid out so that the signed part comes first: `manifest.json`, then
//! `manifest.sig`, then the files. The signature is checked after reading those two small
//! entries (each capped before a byte of it is read), so nothing else is read from a pack that
//! is not signed by a trusted key; the signed manifest then says exactly which files follow and
//! how large each is, and each is read only up to that size. Packs written before issue #11
//! have the same layout and are read the same way.
//!
//! A copy cut short (the end of the file comes before the end of the tar) is told apart from a
//! changed one: "this file is incomplete: copy it again".

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use ed25519_dalek::{Signature, VerifyingKey};
use serde::Deserialize;

use super::{
    public_text, sha256_hex, shown, Manifest, PackError, FORMAT, MAX_BYTES, MAX_FILES,
    MAX_FILE_BYTES, MAX_MANIFEST_BYTES, MAX_TOTAL_BYTES,
};

/// The signature is 64 bytes as hex, with maybe a newline.
pub(super) const MAX_SIGNATURE_BYTES: u64 = 256;
/// A GNU long name entry (for a path over 100 bytes) is read only this far.
const MAX_LONG_NAME: u64 = 1024;
const MANIFEST: &str = "manifest.json";
const SIGNATURE: &str = "manifest.sig";

/// What a path is when it is not a regular file, in words for staff.
fn kind_of(file_type: std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt as _;
    if file_type.is_file() {
        None
    } else if file_type.is_symlink() {
        Some("a symbolic link")
    } else if file_type.is_dir() {
        Some("a folder")
    } else if file_type.is_fifo() {
        Some("a named pipe (FIFO)")
    } else if file_type.is_char_device() {
        Some("a character device")
    } else if file_type.is_block_device() {
        Some("a block device")
    } else if file_type.is_socket() {
        Some("a socket")
    } else {
        Some("not a regular file")
    }
}

fn not_regular(path: &Path, kind: &str) -> PackError {
    PackError::NotAPack(format!(
        "{} is {kind}, not a file; copy the .ckpack file itself",
        shown(path)
    ))
}

/// Opens `path` for reading only if it is a regular file of at most `max` bytes: its type is
/// checked before it is opened (a FIFO or a device is never opened), it is opened without
/// following a symbolic link and without blocking, and the opened file is checked again.
pub(super) fn open_regular(path: &Path, max: u64) -> Result<(File, u64), PackError> {
    use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
    let before = std::fs::symlink_metadata(path).map_err(super::io(path))?;
    if let Some(kind) = kind_of(before.file_type()) {
        return Err(not_regular(path, kind));
    }
    if before.len() > max {
        return Err(PackError::TooLarge(shown(path)));
    }
    let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(path)
        .map_err(|err| {
            if err.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
                not_regular(path, "a symbolic link")
            } else {
                super::io(path)(err)
            }
        })?;
    let meta = file.metadata().map_err(super::io(path))?;
    if let Some(kind) = kind_of(meta.file_type()) {
        return Err(not_regular(path, kind));
    }
    if (meta.dev(), meta.ino()) != (before.dev(), before.ino()) {
        return Err(PackError::NotAPack(format!(
            "{} changed while it was being opened; copy it again",
            shown(path)
        )));
    }
    if meta.len() > max {
        return Err(PackError::TooLarge(shown(path)));
    }
    Ok((file, meta.len()))
}

/// Reads a whole small regular file, never more than `max` bytes.
pub(super) fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, PackError> {
    let (file, len) = open_regular(path, max)?;
    let mut data = Vec::with_capacity(len.min(64 * 1024) as usize);
    file.take(max + 1)
        .read_to_end(&mut data)
        .map_err(super::io(path))?;
    if data.len() as u64 > max {
        return Err(PackError::TooLarge(shown(path)));
    }
    Ok(data)
}

/// The bytes under the tar reader (already capped at [`MAX_BYTES`]): remembers whether the end
/// of the file was met, which tells a copy cut short from a malformed tar.
struct Source<R> {
    inner: R,
    ended: Rc<Cell<bool>>,
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.ended.set(true);
        }
        Ok(n)
    }
}

/// The signed part of a pack.
pub(super) struct Head {
    pub manifest: Manifest,
    pub manifest_bytes: Vec<u8>,
    pub signature: Vec<u8>,
}

fn incomplete(what: impl Into<String>) -> PackError {
    PackError::Truncated(what.into())
}

/// The tar entry type in words, when it is not a regular file.
fn entry_kind(t: tar::EntryType) -> Option<&'static str> {
    use tar::EntryType as T;
    match t {
        T::Regular => None,
        T::Link => Some("a hard link"),
        T::Symlink => Some("a symbolic link"),
        T::Char => Some("a character device"),
        T::Block => Some("a block device"),
        T::Directory => Some("a folder"),
        T::Fifo => Some("a named pipe (FIFO)"),
        T::GNUSparse => Some("a sparse file"),
        T::Continuous => Some("a contiguous file"),
        T::GNULongLink => Some("a GNU long link name"),
        T::XHeader | T::XGlobalHeader => Some("a pax extended header"),
        _ => Some("an entry of an unknown type"),
    }
}

/// Where the reader is and what it has met.
struct Ctx<'p> {
    path: &'p Path,
    ended: Rc<Cell<bool>>,
}

impl Ctx<'_> {
    fn tar_error(&self, err: std::io::Error) -> PackError {
        if self.ended.get() || err.kind() == std::io::ErrorKind::UnexpectedEof {
            incomplete("it ends inside a header")
        } else if err.kind() == std::io::ErrorKind::Other {
            PackError::NotAPack(format!(
                "the tar is damaged ({})",
                super::cut(&err.to_string(), 80)
            ))
        } else {
            super::io(self.path)(err)
        }
    }

    /// Reads an entry of `declared` bytes in full (the caller has capped `declared`); never
    /// allocates on the claim alone.
    fn read_entry(
        &self,
        entry: &mut dyn Read,
        name: &str,
        declared: u64,
    ) -> Result<Vec<u8>, PackError> {
        let mut data = Vec::with_capacity(declared.min(64 * 1024) as usize);
        entry
            .take(declared)
            .read_to_end(&mut data)
            .map_err(|e| self.tar_error(e))?;
        if (data.len() as u64) < declared {
            return Err(incomplete(format!("{} is cut short", shown_name(name))));
        }
        Ok(data)
    }
}

/// The tar of a pack, read through [`Source`].
type Tar = tar::Archive<Box<dyn Read>>;

/// Opens `path` (a regular file of at most [`MAX_BYTES`]) and checks that it starts as a pack
/// does: a tar whose first entry is `manifest.json`.
fn open_tar(path: &Path) -> Result<(Tar, Rc<Cell<bool>>), PackError> {
    let (file, _) = open_regular(path, MAX_BYTES)?;
    let mut reader = BufReader::new(file.take(MAX_BYTES));
    let mut first = Vec::with_capacity(512);
    (&mut reader)
        .take(512)
        .read_to_end(&mut first)
        .map_err(super::io(path))?;
    if first.is_empty() {
        return Err(incomplete("the file is empty"));
    }
    let name = first[..first.len().min(100)]
        .split(|b| *b == 0)
        .next()
        .unwrap_or_default();
    if first.len() < 512 {
        return Err(
            if !name.is_empty() && MANIFEST.as_bytes().starts_with(name) {
                incomplete("it ends inside the first header")
            } else {
                PackError::NotAPack("it is not a tar file".into())
            },
        );
    }
    let sum = first[..148]
        .iter()
        .chain(&first[156..])
        .map(|b| u32::from(*b))
        .sum::<u32>()
        + 8 * 32;
    if tar::Header::from_byte_slice(&first).cksum().ok() != Some(sum) {
        return Err(PackError::NotAPack("it is not a tar file".into()));
    }
    if name != MANIFEST.as_bytes() {
        return Err(PackError::NotAPack(format!(
            "it does not begin with {MANIFEST}; make packs with `clinic-kiosk content pack`"
        )));
    }
    let ended = Rc::new(Cell::new(false));
    let source: Box<dyn Read> = Box::new(Source {
        inner: std::io::Cursor::new(first).chain(reader),
        ended: ended.clone(),
    });
    Ok((tar::Archive::new(source), ended))
}

/// Walks the entries: `each(ctx, name, declared size, reader)` for every regular entry, in
/// order, until it returns `false` or the tar ends. GNU long names are followed (bounded);
/// every other kind of entry is refused before any of its data is read.
fn walk(
    archive: &mut Tar,
    ctx: &Ctx<'_>,
    mut each: impl FnMut(&Ctx<'_>, String, u64, &mut dyn Read) -> Result<bool, PackError>,
) -> Result<(), PackError> {
    // Raw: the tar library reads no long name, pax header or sparse map on its own.
    let entries = archive.entries().map_err(|e| ctx.tar_error(e))?.raw(true);
    let mut long_name: Option<Vec<u8>> = None;
    for entry in entries {
        let mut entry = entry.map_err(|e| ctx.tar_error(e))?;
        let kind = entry.header().entry_type();
        let declared = entry.size();
        if kind == tar::EntryType::GNULongName {
            if long_name.is_some() || declared > MAX_LONG_NAME {
                return Err(PackError::NotAPack("a damaged long file name".into()));
            }
            let mut bytes = ctx.read_entry(&mut entry, "a long file name", declared)?;
            while bytes.last() == Some(&0) {
                bytes.pop();
            }
            long_name = Some(bytes);
            continue;
        }
        let raw = long_name
            .take()
            .unwrap_or_else(|| entry.path_bytes().into_owned());
        let name = String::from_utf8(raw)
            .map_err(|_| PackError::NotAPack("a file name that is not UTF-8".into()))?;
        if let Some(what) = entry_kind(kind) {
            return Err(PackError::NotAPack(format!(
                "{} is {what}; a pack holds only regular files",
                shown_name(&name)
            )));
        }
        if !each(ctx, name, declared, &mut entry)? {
            return Ok(());
        }
    }
    if long_name.is_some() {
        return Err(if ctx.ended.get() {
            incomplete("it ends after a file name")
        } else {
            PackError::NotAPack("a long file name with no file".into())
        });
    }
    Ok(())
}

/// Reads the pack at `path`: `manifest.json` and `manifest.sig` first, whose signature is
/// checked against `trusted` before anything else is read; then, when `with_files`, the files
/// the signed manifest lists, each only up to its listed size and checked against its hash.
// Long on purpose: the order of these checks is the pack's security (issue #11), and it
// reads best top to bottom in one place.
pub(super) fn read(
    path: &Path,
    trusted: &[VerifyingKey],
    with_files: bool,
) -> Result<(Head, BTreeMap<String, Vec<u8>>), PackError> {
    let (mut archive, ended) = open_tar(path)?;
    let ctx = Ctx { path, ended };
    let mut manifest_bytes: Option<Vec<u8>> = None;
    let mut head: Option<Head> = None;
    let mut files = BTreeMap::new();
    let mut listed: BTreeMap<String, super::FileEntry> = BTreeMap::new();
    walk(&mut archive, &ctx, |ctx, name, declared, entry| {
        let Some(manifest) = &manifest_bytes else {
            if name != MANIFEST {
                return Err(PackError::NotAPack(format!(
                    "it does not begin with {MANIFEST}"
                )));
            }
            if declared > MAX_MANIFEST_BYTES {
                return Err(PackError::NotAPack(format!(
                    "its {MANIFEST} claims {declared} bytes; a manifest has at most {MAX_MANIFEST_BYTES}"
                )));
            }
            manifest_bytes = Some(ctx.read_entry(entry, &name, declared)?);
            return Ok(true);
        };
        if head.is_none() {
            if name != SIGNATURE {
                return Err(PackError::Unsigned);
            }
            if declared > MAX_SIGNATURE_BYTES {
                return Err(PackError::BadSignature);
            }
            let signature = ctx.read_entry(entry, &name, declared)?;
            let verified = verify_manifest(manifest, &signature, trusted)?;
            listed = verified
                .files
                .iter()
                .map(|f| (f.path.clone(), f.clone()))
                .collect();
            head = Some(Head {
                manifest: verified,
                manifest_bytes: manifest.clone(),
                signature,
            });
            return Ok(with_files);
        }
        let rel = super::safe_relative(&name).ok_or_else(|| PackError::Extra(shown_name(&name)))?;
        let expected = listed
            .get(&rel)
            .ok_or_else(|| PackError::Extra(shown_name(&name)))?;
        if files.contains_key(&rel) {
            return Err(PackError::NotAPack(format!(
                "{} is in it twice",
                shown_name(&name)
            )));
        }
        if declared != expected.size {
            return Err(PackError::FileMismatch(rel));
        }
        let data = ctx.read_entry(entry, &name, declared)?;
        if sha256_hex(&data) != expected.sha256 {
            return Err(PackError::FileMismatch(rel));
        }
        files.insert(rel, data);
        Ok(true)
    })?;
    let Some(head) = head else {
        return Err(match manifest_bytes {
            None => incomplete("it ends before its manifest"),
            Some(_) if ctx.ended.get() => incomplete(format!("it ends before {SIGNATURE}")),
            Some(_) => PackError::Unsigned,
        });
    };
    if with_files {
        if let Some(missing) = head
            .manifest
            .files
            .iter()
            .find(|f| !files.contains_key(&f.path))
        {
            return Err(if ctx.ended.get() {
                incomplete(format!("it ends before {}", missing.path))
            } else {
                PackError::Missing(missing.path.clone())
            });
        }
    }
    Ok((head, files))
}

/// A name from a pack, safe to show and to log: escaped and cut short.
fn shown_name(name: &str) -> String {
    super::cut(name, 120)
}

/// Checks `signature` (hex) over `manifest_bytes` against the `trusted` keys, before the
/// manifest is believed, then parses it and checks what it lists.
pub(super) fn verify_manifest(
    manifest_bytes: &[u8],
    signature: &[u8],
    trusted: &[VerifyingKey],
) -> Result<Manifest, PackError> {
    let signature: [u8; 64] = hex::decode(String::from_utf8_lossy(signature).trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(PackError::BadSignature)?;
    let signature = Signature::from_bytes(&signature);
    if !trusted
        .iter()
        .any(|k| k.verify_strict(manifest_bytes, &signature).is_ok())
    {
        // Only to say which: a key this kiosk trusts (the manifest was changed) or another.
        #[derive(Deserialize)]
        struct KeyOnly {
            key: String,
        }
        return Err(match serde_json::from_slice::<KeyOnly>(manifest_bytes) {
            Ok(k) if !trusted.iter().any(|t| public_text(t) == k.key) => {
                PackError::UntrustedKey(super::cut(&k.key, 12))
            }
            _ => PackError::BadSignature,
        });
    }
    let manifest: Manifest = serde_json::from_slice(manifest_bytes)
        .map_err(|e| PackError::NotAPack(format!("{MANIFEST}: {e}")))?;
    if manifest.format != FORMAT {
        return Err(PackError::NotAPack(format!(
            "format {} (this app reads {FORMAT}); update the app or make the pack again",
            manifest.format
        )));
    }
    if manifest.files.len() > MAX_FILES {
        return Err(PackError::NotAPack(format!(
            "it lists {} files; a pack holds at most {MAX_FILES}",
            manifest.files.len()
        )));
    }
    let mut total = 0u64;
    let mut seen = std::collections::BTreeSet::new();
    for f in &manifest.files {
        if super::safe_relative(&format!("content/{}", f.path)).as_deref() != Some(&f.path)
            || !seen.insert(f.path.as_str())
        {
            return Err(PackError::NotAPack(format!(
                "its manifest lists {}, which is not a content file",
                shown_name(&f.path)
            )));
        }
        if f.size > MAX_FILE_BYTES {
            return Err(PackError::NotAPack(format!(
                "{} is {} bytes; one file may have at most {MAX_FILE_BYTES}",
                shown_name(&f.path),
                f.size
            )));
        }
        total = total.saturating_add(f.size);
    }
    if total > MAX_TOTAL_BYTES {
        return Err(PackError::NotAPack(format!(
            "its files add up to {total} bytes; a pack may hold at most {MAX_TOTAL_BYTES}"
        )));
    }
    Ok(manifest)
}
