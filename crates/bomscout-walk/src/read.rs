//! The one way bomscout reads a file it did not write: [`read_regular`].
//!
//! A scanned tree is untrusted. A FIFO where a lockfile or a `LICENSE` is expected would
//! block `open` forever; a symlink to `/dev/zero` or a huge file would be read until memory
//! runs out. So every read (the detected files, the files beside them, package caches,
//! `.git/HEAD`) goes through [`read_regular`], which:
//!
//! 1. checks the path's metadata (following symlinks) *before* opening it: only a regular
//!    file is opened, never a FIFO, socket or device, and one over `limit` bytes is refused;
//! 2. opens it with `O_NONBLOCK` (on Unix), so a file swapped for a FIFO between the check
//!    and the open cannot block the open either;
//! 3. checks the opened file's metadata again (the file actually opened is regular and
//!    within the limit);
//! 4. reads at most `limit + 1` bytes, so a file that grows while read is refused too.

use std::fs::OpenOptions;
use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// There is no such file (or a directory on the way is missing).
    #[error("no such file")]
    NotFound,
    /// The path is a directory, FIFO, socket or device.
    #[error("not a regular file ({0}); only regular files are read")]
    NotRegular(&'static str),
    /// The file is larger than the limit.
    #[error("{len} bytes is over the {limit}-byte limit for this file; skipped")]
    TooLarge {
        /// Its size (at least; a file that grew while read says `limit + 1`).
        len: u64,
        /// The limit it is over.
        limit: u64,
    },
    /// Opening or reading failed.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
}

/// Reads the whole regular file at `path` (symlinks followed), at most `limit` bytes; see
/// the module docs. Never blocks on a FIFO and never reads a device.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    read_regular_into(path, limit, &mut bytes)?;
    Ok(bytes)
}

/// [`read_regular`] into `bytes` (cleared first), reusing its capacity: a scan reads
/// thousands of lockfiles of up to megabytes each, and a buffer made for each one was new
/// memory the allocator kept until well after the file was parsed. On an error `bytes` is
/// left empty.
pub fn read_regular_into(path: &Path, limit: u64, bytes: &mut Vec<u8>) -> Result<(), ReadError> {
    bytes.clear();
    let meta = std::fs::metadata(path).map_err(not_found)?;
    check(&meta, limit)?;
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path).map_err(not_found)?;
    let meta = file.metadata()?;
    check(&meta, limit)?;
    let capacity = usize::try_from(meta.len().min(limit)).unwrap_or(0);
    bytes.reserve_exact(capacity);
    let read = file.take(limit.saturating_add(1)).read_to_end(bytes);
    if let Err(e) = read {
        bytes.clear();
        return Err(e.into());
    }
    if bytes.len() as u64 > limit {
        let len = bytes.len() as u64;
        bytes.clear();
        return Err(ReadError::TooLarge { len, limit });
    }
    Ok(())
}

/// [`read_regular`] for a file that may be absent: `Ok(None)` when there is none.
pub fn read_if_exists(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, ReadError> {
    match read_regular(path, limit) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(ReadError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

fn not_found(e: std::io::Error) -> ReadError {
    if e.kind() == std::io::ErrorKind::NotFound {
        ReadError::NotFound
    } else {
        ReadError::Io(e)
    }
}

fn check(meta: &std::fs::Metadata, limit: u64) -> Result<(), ReadError> {
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            len: meta.len(),
            limit,
        });
    }
    Ok(())
}

fn kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn regular_files_are_read_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a");
        std::fs::write(&f, "0123456789").unwrap();
        assert_eq!(read_regular(&f, 10).unwrap(), b"0123456789");
        assert!(matches!(
            read_regular(&f, 9),
            Err(ReadError::TooLarge { len: 10, limit: 9 })
        ));
        assert!(matches!(
            read_regular(&dir.path().join("none"), 9),
            Err(ReadError::NotFound)
        ));
        assert_eq!(read_if_exists(&dir.path().join("none"), 9).unwrap(), None);
        assert!(matches!(
            read_regular(dir.path(), 9),
            Err(ReadError::NotRegular("a directory"))
        ));
    }

    /// One buffer serves file after file: what it held is replaced, its capacity kept, and
    /// a refused file leaves it empty rather than holding the previous file's bytes.
    #[test]
    fn a_buffer_is_reused_and_emptied_by_a_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let (big, small) = (dir.path().join("big"), dir.path().join("small"));
        std::fs::write(&big, vec![b'x'; 64 * 1024]).unwrap();
        std::fs::write(&small, "abc").unwrap();
        let mut buf = Vec::new();
        read_regular_into(&big, 1 << 20, &mut buf).unwrap();
        assert_eq!(buf.len(), 64 * 1024);
        let (capacity, at) = (buf.capacity(), buf.as_ptr());
        read_regular_into(&small, 1 << 20, &mut buf).unwrap();
        assert_eq!(buf, b"abc");
        assert_eq!(
            (buf.capacity(), buf.as_ptr()),
            (capacity, at),
            "no new allocation"
        );
        assert!(matches!(
            read_regular_into(&big, 10, &mut buf),
            Err(ReadError::TooLarge { .. })
        ));
        assert!(buf.is_empty());
        read_regular_into(&small, 10, &mut buf).unwrap();
        assert!(read_regular_into(&dir.path().join("none"), 10, &mut buf).is_err());
        assert!(buf.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let start = Instant::now();
        let err = read_regular(&fifo, 1024).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(5));

        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let err = read_regular(&zero, 1 << 30).unwrap_err();
        assert!(err.to_string().contains("device"), "{err}");
    }
}
