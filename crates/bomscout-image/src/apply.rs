//! Applying one layer (a tar, plain, gzip or zstd) onto the merged tree, within the
//! limits of [`ImageOptions`].

use crate::ImageOptions;
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::Diagnostic;
use bomscout_walk::{EntryKind, MemTree};
use std::cell::Cell;
use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

/// Most symlinks followed placing one entry, as Linux's `MAXSYMLINKS`.
const MAX_SYMLINKS: usize = 40;
/// Longest entry name or link target accepted, Linux's `PATH_MAX`: longer ones exist only
/// to make path handling slow.
const MAX_NAME: usize = 4096;

/// Most diagnostics about single entries of one layer; the rest are counted.
const MAX_ENTRY_DIAGNOSTICS: usize = 100;

/// What the layers have used so far of the limits, across all layers.
#[derive(Debug, Default)]
pub struct Budget {
    /// Tar entries read.
    pub entries: u64,
    /// Decompressed bytes read.
    pub total: u64,
    /// Bytes of file contents kept.
    pub kept: u64,
    /// The `max_kept` diagnostic was given.
    pub kept_warned: bool,
    /// A limit that stops every later layer too was reached.
    pub exhausted: bool,
    /// Entries looked at by opaque markers' clears.
    pub opaque_steps: u64,
}

/// Most entries opaque markers may look at, per entry allowed: a real image's markers
/// clear a few directories; nested markers over a big directory would cost
/// depth × entries.
const OPAQUE_STEPS_PER_ENTRY: u64 = 8;

/// How a layer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Read to the end of its tar.
    Complete,
    /// Stopped early (a limit, or damaged data); what was read before is applied.
    Stopped,
}

/// Counts the decompressed bytes and fails once `max_total` would be passed.
struct Counted<'a, R> {
    inner: R,
    used: &'a Cell<u64>,
    limit: u64,
    over: &'a Cell<bool>,
    /// The stream ended (a read gave 0 bytes).
    eof: &'a Cell<bool>,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.limit.saturating_sub(self.used.get());
        if left == 0 && !buf.is_empty() {
            // One more byte tells a layer that ends exactly at the limit from a bigger one.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                self.eof.set(true);
                return Ok(0);
            }
            self.over.set(true);
            return Err(io::Error::other("over the limit of decompressed bytes"));
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 && want > 0 {
            self.eof.set(true);
        }
        self.used.set(self.used.get() + n as u64);
        Ok(n)
    }
}

/// The compression of a layer, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

fn compression_of(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// One layer being applied.
pub struct Layer<'a> {
    /// The layer's index in `Image::layers` (what `MemEntry::layer` says).
    pub index: u32,
    /// Its digest, for messages.
    pub digest: &'a str,
    /// The image's path, the diagnostics' path.
    pub image: &'a str,
}

struct Ctx<'a> {
    layer: &'a Layer<'a>,
    options: &'a ImageOptions,
    diagnostics: &'a mut Vec<Diagnostic>,
    entry_diagnostics: usize,
    suppressed: usize,
    /// Directories of lower layers that this layer lists again (an opaque marker later
    /// in the same layer keeps them).
    touched: HashSet<String>,
    /// Directories this layer made opaque already: a repeated marker is a no-op, and
    /// must not cost another pass over the directory.
    opaque: HashSet<String>,
}

impl Ctx<'_> {
    fn layer_diag(&mut self, message: String) {
        self.diagnostics.push(Diagnostic::warning(
            self.layer.image,
            format!(
                "layer {} ({}): {message}",
                self.layer.index, self.layer.digest
            ),
        ));
    }

    fn entry_diag(&mut self, entry: &str, what: &str) {
        if self.entry_diagnostics >= MAX_ENTRY_DIAGNOSTICS {
            self.suppressed += 1;
            return;
        }
        self.entry_diagnostics += 1;
        let message = format!("entry {}: {what}", quote(entry, QUOTE_LIMIT));
        self.layer_diag(message);
    }
}

/// Applies the layer read from `blob` (its bytes as stored) onto `tree`; also says
/// whether the blob was an uncompressed tar.
pub fn apply(
    blob: &mut dyn Read,
    layer: &Layer<'_>,
    tree: &mut MemTree,
    options: &ImageOptions,
    budget: &mut Budget,
    diagnostics: &mut Vec<Diagnostic>,
) -> (End, bool) {
    let mut ctx = Ctx {
        layer,
        options,
        diagnostics,
        entry_diagnostics: 0,
        suppressed: 0,
        touched: HashSet::new(),
        opaque: HashSet::new(),
    };
    let mut buffered = BufReader::with_capacity(64 * 1024, blob);
    let head = match buffered.fill_buf() {
        Ok(h) => h,
        Err(e) => {
            ctx.layer_diag(format!("cannot be read ({e}); skipped"));
            return (End::Stopped, false);
        }
    };
    let compression = compression_of(head);
    let used = Cell::new(budget.total);
    let over = Cell::new(false);
    let end = match compression {
        Compression::None => run(&mut ctx, buffered, &used, &over, tree, budget),
        Compression::Gzip => run(
            &mut ctx,
            flate2::bufread::MultiGzDecoder::new(buffered),
            &used,
            &over,
            tree,
            budget,
        ),
        Compression::Zstd => match zstd::stream::read::Decoder::with_buffer(buffered) {
            Ok(decoder) => run(&mut ctx, decoder, &used, &over, tree, budget),
            Err(e) => {
                ctx.layer_diag(format!("cannot start the zstd decoder ({e}); skipped"));
                End::Stopped
            }
        },
    };
    budget.total = used.get();
    if over.get() {
        budget.exhausted = true;
        ctx.layer_diag(format!(
            "decompresses to more than the {}-byte limit for the whole image (a layer bomb, or raise the limit); this layer was applied up to there and later layers are skipped",
            options.max_total
        ));
    }
    if ctx.suppressed > 0 {
        let n = ctx.suppressed;
        ctx.layer_diag(format!("{n} more entries refused, as above"));
    }
    (end, compression == Compression::None)
}

fn run<R: Read>(
    ctx: &mut Ctx<'_>,
    reader: R,
    used: &Cell<u64>,
    over: &Cell<bool>,
    tree: &mut MemTree,
    budget: &mut Budget,
) -> End {
    let start = used.get();
    let eof = Cell::new(false);
    let counted = Counted {
        inner: reader,
        used,
        limit: ctx.options.max_total,
        over,
        eof: &eof,
    };
    let mut archive = tar::Archive::new(counted);
    let entries = match archive.entries() {
        Ok(entries) => entries,
        Err(e) => {
            ctx.layer_diag(format!("is not a readable tar ({e}); skipped"));
            return End::Stopped;
        }
    };
    // Where the last entry's data ends in the tar stream.
    let mut last_end = 0u64;
    for entry in entries {
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                // Some writers (umoci) end a layer right after the last file's data,
                // without its padding or the end-of-archive blocks: nothing is missing.
                let delivered = used.get() - start;
                if eof.get() && !over.get() && delivered >= last_end && delivered - last_end < 512 {
                    return End::Complete;
                }
                if !over.get() {
                    ctx.layer_diag(format!(
                        "is damaged after {} entries ({e}): truncated or corrupt; the entries before it are applied",
                        budget.entries
                    ));
                }
                return End::Stopped;
            }
        };
        if budget.entries >= ctx.options.max_entries {
            budget.exhausted = true;
            ctx.layer_diag(format!(
                "the image has more than {} entries, the limit; this layer was applied up to there and later layers are skipped",
                ctx.options.max_entries
            ));
            return End::Stopped;
        }
        budget.entries += 1;
        last_end = entry.raw_file_position().saturating_add(entry.size());
        if let Err(stop) = one(ctx, &mut entry, tree, budget) {
            let e = match stop {
                Stop::Damaged(e) => e,
                Stop::Limit(why) => {
                    let what = format!("{why}; the layer was applied up to here");
                    ctx.entry_diag(&String::from_utf8_lossy(&entry.path_bytes()), &what);
                    return End::Stopped;
                }
            };
            if !over.get() {
                ctx.layer_diag(format!(
                    "is damaged in the data of entry {} ({e}); the entries before it are applied",
                    quote(&String::from_utf8_lossy(&entry.path_bytes()), QUOTE_LIMIT)
                ));
            }
            return End::Stopped;
        }
    }
    if over.get() {
        End::Stopped
    } else {
        End::Complete
    }
}

/// A tar entry's name made relative to the root: leading `/` and `./` dropped, `..`
/// applied; `Err` when `..` leaves the root, `Ok(None)` for the root itself.
pub fn normalize_entry(name: &str) -> Result<Option<String>, ()> {
    let mut out: Vec<&str> = Vec::new();
    for seg in name.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.pop().is_none() {
                    return Err(());
                }
            }
            s => out.push(s),
        }
    }
    Ok((!out.is_empty()).then(|| out.join("/")))
}

/// Where `rel` goes in `tree`: its parent directories resolved through the symlinks
/// already in the tree (as a container runtime does, always inside the root).
fn place(tree: &MemTree, rel: &str) -> Result<String, &'static str> {
    let is_dir = |p: &str| tree.get(p).map(|e| e.kind) == Some(EntryKind::Dir);
    let mut path = rel.to_string();
    for _ in 0..=MAX_SYMLINKS {
        let Some((parent, _)) = path.rsplit_once('/') else {
            return Ok(path);
        };
        // Every ancestor of a directory in the tree is a directory (entries are only ever
        // placed through here), so the common case needs one look-up, and otherwise the
        // deepest directory on the way is found by bisection.
        if is_dir(parent) {
            return Ok(path);
        }
        let ends: Vec<usize> = parent
            .match_indices('/')
            .map(|(i, _)| i)
            .chain(std::iter::once(parent.len()))
            .collect();
        // `lo` leading segments are directories; the parent itself is not one.
        let (mut lo, mut hi) = (0, ends.len() - 1);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if is_dir(&parent[..ends[mid - 1]]) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let upto = ends[lo];
        let candidate = &parent[..upto];
        match tree.get(candidate).map(|e| e.kind) {
            // The rest are new directories.
            None => return Ok(path),
            Some(EntryKind::Symlink) => {
                match tree.resolve(candidate) {
                    Some(real) if real.is_empty() || is_dir(&real) => {
                        let rest = &path[upto + 1..];
                        path = if real.is_empty() {
                            rest.to_string()
                        } else {
                            format!("{real}/{rest}")
                        };
                    }
                    _ => return Err(
                        "a parent directory is a symlink to nothing or to a non-directory; skipped",
                    ),
                }
            }
            Some(_) => return Err("a parent directory is not a directory; skipped"),
        }
    }
    Err("its parent directories go through more than 40 symlinks; skipped")
}

/// True when the symlink at `rel` with the relative `target` leaves the root, judged
/// lexically from the link's directory.
fn symlink_escapes(rel: &str, target: &str) -> bool {
    if target.starts_with('/') {
        return false;
    }
    let mut depth = rel.matches('/').count() as i64;
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

/// Why applying an entry stopped the layer.
enum Stop {
    /// The layer's data is damaged.
    Damaged(io::Error),
    /// The layer is built to cost too much.
    Limit(String),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Stop {
        Stop::Damaged(e)
    }
}

fn one<R: Read>(
    ctx: &mut Ctx<'_>,
    entry: &mut tar::Entry<'_, R>,
    tree: &mut MemTree,
    budget: &mut Budget,
) -> Result<(), Stop> {
    let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
    let link_len = entry.link_name_bytes().map_or(0, |l| l.len());
    if raw.len() > MAX_NAME || link_len > MAX_NAME {
        let what = format!(
            "its name or link target is longer than {MAX_NAME} bytes (Linux's PATH_MAX); skipped"
        );
        ctx.entry_diag(&raw, &what);
        return Ok(());
    }
    let rel = match normalize_entry(&raw) {
        Ok(Some(rel)) => rel,
        Ok(None) => return Ok(()),
        Err(()) => {
            ctx.entry_diag(&raw, "its name leaves the image root with `..`; skipped");
            return Ok(());
        }
    };
    let key = match place(tree, &rel) {
        Ok(key) => key,
        Err(why) => {
            ctx.entry_diag(&raw, why);
            return Ok(());
        }
    };
    let (dir, name) = match key.rsplit_once('/') {
        Some((d, n)) => (d, n),
        None => ("", key.as_str()),
    };
    let index = ctx.layer.index;
    if name == ".wh..wh..opq" {
        let dir = dir.to_string();
        if !ctx.opaque.insert(dir.clone()) {
            return Ok(());
        }
        let limit = ctx
            .options
            .max_entries
            .saturating_mul(OPAQUE_STEPS_PER_ENTRY);
        if budget.opaque_steps > limit {
            return Err(Stop::Limit(format!(
                "the opaque-directory markers looked at more than {limit} entries ({OPAQUE_STEPS_PER_ENTRY} per entry allowed), as a layer built to cost time does"
            )));
        }
        let touched = std::mem::take(&mut ctx.touched);
        let seen = tree.clear_dir_except(&dir, |k, e| e.layer == index || touched.contains(k));
        budget.opaque_steps += seen as u64;
        ctx.touched = touched;
        return Ok(());
    }
    if let Some(hidden) = name.strip_prefix(".wh.") {
        if hidden.is_empty() || hidden == "." || hidden == ".." {
            ctx.entry_diag(&raw, "a whiteout that names no file; skipped");
            return Ok(());
        }
        let target = if dir.is_empty() {
            hidden.to_string()
        } else {
            format!("{dir}/{hidden}")
        };
        tree.remove(&target);
        return Ok(());
    }
    let kind = entry.header().entry_type();
    if kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse() {
        let size = entry.size();
        let content = if (ctx.options.keep)(&key) {
            keep_content(ctx, entry, &raw, size, budget)?
        } else {
            None
        };
        if let Some(old) = tree.get(&key).and_then(|e| e.content.as_ref()) {
            if Arc::strong_count(old) == 1 {
                budget.kept = budget.kept.saturating_sub(old.len() as u64);
            }
        }
        tree.insert_file(&key, size, index, content);
    } else if kind.is_dir() {
        if tree.get(&key).map(|e| e.kind) == Some(EntryKind::Dir) {
            ctx.touched.insert(key);
        } else {
            tree.insert_dir(&key, index);
        }
    } else if kind.is_symlink() {
        let target = entry
            .link_name_bytes()
            .map(|t| String::from_utf8_lossy(&t).into_owned())
            .unwrap_or_default();
        if target.is_empty() {
            ctx.entry_diag(&raw, "a symlink without a target; skipped");
        } else if symlink_escapes(&key, &target) {
            let what = format!(
                "a symlink to {}, which leaves the image root; not recorded",
                quote(&target, QUOTE_LIMIT)
            );
            ctx.entry_diag(&raw, &what);
        } else {
            tree.insert_symlink(&key, &target, index);
        }
    } else if kind.is_hard_link() {
        hard_link(ctx, entry, &raw, &key, tree);
    } else if kind.is_character_special() || kind.is_block_special() || kind.is_fifo() {
        tree.insert_other(&key, index);
    }
    Ok(())
}

fn keep_content<R: Read>(
    ctx: &mut Ctx<'_>,
    entry: &mut tar::Entry<'_, R>,
    raw: &str,
    size: u64,
    budget: &mut Budget,
) -> io::Result<Option<Arc<[u8]>>> {
    if size > ctx.options.max_file {
        let what = format!(
            "{size} bytes, over the {}-byte limit for one file; listed, its contents not kept",
            ctx.options.max_file
        );
        ctx.entry_diag(raw, &what);
        return Ok(None);
    }
    if budget.kept.saturating_add(size) > ctx.options.max_kept {
        if !budget.kept_warned {
            budget.kept_warned = true;
            let what = format!(
                "the contents kept in memory reached the {}-byte limit; from here on files are listed without their contents, so some packages may be missed (raise the limit)",
                ctx.options.max_kept
            );
            ctx.entry_diag(raw, &what);
        }
        return Ok(None);
    }
    // The header's size is a claim: grow as the data comes, not to the claim at once.
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(1 << 20)).unwrap_or(0));
    entry.take(size).read_to_end(&mut bytes)?;
    if (bytes.len() as u64) < size {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file's data ends early",
        ));
    }
    budget.kept += size;
    Ok(Some(Arc::from(bytes)))
}

fn hard_link<R: Read>(
    ctx: &mut Ctx<'_>,
    entry: &tar::Entry<'_, R>,
    raw: &str,
    key: &str,
    tree: &mut MemTree,
) {
    let target = entry
        .link_name_bytes()
        .map(|t| String::from_utf8_lossy(&t).into_owned())
        .unwrap_or_default();
    let quoted = quote(&target, QUOTE_LIMIT);
    let rel = match normalize_entry(&target) {
        Ok(Some(rel)) => rel,
        _ => {
            let what = format!("a hard link to {quoted}, which leaves the image root; skipped");
            ctx.entry_diag(raw, &what);
            return;
        }
    };
    let found = place(tree, &rel)
        .ok()
        .and_then(|real| tree.get(&real).cloned());
    let index = ctx.layer.index;
    match found {
        Some(linked) if linked.kind == EntryKind::File => {
            if linked.content.is_none() && (ctx.options.keep)(key) {
                let what = format!(
                    "a hard link to {quoted}, whose contents were not kept; listed without contents"
                );
                ctx.entry_diag(raw, &what);
            }
            tree.insert_file(key, linked.size, index, linked.content);
        }
        Some(linked) if linked.kind == EntryKind::Symlink => {
            let target = linked.target.unwrap_or_default();
            tree.insert_symlink(key, &target, index);
        }
        Some(linked) if linked.kind == EntryKind::Other => tree.insert_other(key, index),
        Some(_) => {
            let what = format!("a hard link to the directory {quoted}; skipped");
            ctx.entry_diag(raw, &what);
        }
        None => {
            let what =
                format!("a hard link to {quoted}, which is not in the image before it; skipped");
            ctx.entry_diag(raw, &what);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_normalize_and_escapes_are_refused() {
        assert_eq!(
            normalize_entry("./usr/bin/").unwrap().as_deref(),
            Some("usr/bin")
        );
        assert_eq!(
            normalize_entry("/etc/passwd").unwrap().as_deref(),
            Some("etc/passwd")
        );
        assert_eq!(normalize_entry("a/../b").unwrap().as_deref(), Some("b"));
        assert_eq!(normalize_entry("./").unwrap(), None);
        assert!(normalize_entry("../etc/passwd").is_err());
        assert!(normalize_entry("a/../../etc").is_err());
    }

    #[test]
    fn symlink_escape_is_lexical_from_the_link_directory() {
        assert!(!symlink_escapes("etc/os-release", "../usr/lib/os-release"));
        assert!(symlink_escapes(
            "etc/os-release",
            "../../usr/lib/os-release"
        ));
        assert!(!symlink_escapes("etc/x", "/anything/../../.."));
        assert!(!symlink_escapes("a/b/c", "d/../../e"));
        assert!(symlink_escapes("top", ".."));
    }

    #[test]
    fn parents_are_placed_through_symlinks() {
        let mut t = MemTree::new();
        t.insert_dir("usr/lib", 0);
        t.insert_symlink("lib", "usr/lib", 0);
        t.insert_symlink("abs", "/usr", 0);
        t.insert_file("file", 0, 0, None);
        assert_eq!(place(&t, "lib/x.so").unwrap(), "usr/lib/x.so");
        assert_eq!(place(&t, "abs/lib/y").unwrap(), "usr/lib/y");
        assert_eq!(place(&t, "new/dir/z").unwrap(), "new/dir/z");
        assert!(place(&t, "file/z").is_err());
        t.insert_symlink("usr/lib/up", "..", 0);
        assert_eq!(place(&t, "lib/up/lib/up/bin/sh").unwrap(), "usr/bin/sh");
        t.insert_symlink("loop", "loop", 0);
        assert!(place(&t, "loop/x").is_err());
        // A chain of 41 links, each to the next.
        for i in 0..41 {
            t.insert_symlink(&format!("c{i}"), &format!("c{}/d", i + 1), 0);
        }
        t.insert_dir("c41", 0);
        assert!(place(&t, "c0/x").is_err());
    }
}
