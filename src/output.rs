//! Writing an output file so that it is whole or absent: the one writer every command
//! uses for `-o FORMAT=FILE` (and `query`'s files).
//!
//! A failed write (a full disk, a writer error) leaves whatever was at the path before,
//! and no temporary file. On Linux the bytes go to an anonymous `O_TMPFILE` in the target's
//! directory, which the kernel frees if the process dies, even by `kill -9`; only once the
//! writer has finished is it given a name (`linkat`), a unique one, which is at once renamed
//! over the target (`linkat` cannot replace a file): that name exists for an instant. Where
//! `O_TMPFILE` is not supported (other systems, some filesystems) a named temporary file
//! beside the target is used and renamed, and is removed on any error (though not if the
//! process is killed while writing).

use anyhow::Context;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// The width of the terminal stdout is, or `None` when stdout is a file or a pipe (where
/// tables are written whole). `COLUMNS` wins, as for other tools.
pub fn stdout_terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !io::stdout().is_terminal() {
        return None;
    }
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| {
            console::Term::stdout()
                .size_checked()
                .map(|(_, w)| usize::from(w))
        })
        .unwrap_or(100);
    Some(width)
}

/// Writes `path` with `write`, atomically: readers see the old file or the whole new one,
/// never part of it; on error nothing is left behind. Special files that exist (a FIFO,
/// `/dev/null`, `/dev/stdout`) are written in place. A new file gets the usual
/// `0666 & !umask` permissions.
pub fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if path.exists() && !path.is_file() {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let mut out = BufWriter::new(file);
        return write(&mut out)
            .and_then(|()| Ok(out.flush()?))
            .with_context(|| format!("cannot write {}", path.display()));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        anyhow::bail!(
            "cannot write {}: the directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    #[cfg(target_os = "linux")]
    if let Some(file) = linux::anonymous_file(dir) {
        return linux::write_and_link(file, dir, path, write);
    }
    write_with_named_temp(dir, path, write)
}

/// Writes to stdout when `file` is `None` (a closed pipe ends the output quietly, so
/// `bomscout query ... | head` does not fail), else to the file with [`write_file`].
pub fn write_to(
    file: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match file {
        Some(path) => write_file(path, write),
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            let result = write(&mut out).and_then(|()| Ok(out.flush()?));
            match result {
                Err(e) if is_broken_pipe(&e) => Ok(()),
                other => other.context("cannot write to stdout"),
            }
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Fills `file` with `write` and flushes it to disk.
fn fill(
    file: &mut File,
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut out = BufWriter::new(&mut *file);
    write(&mut out)
        .and_then(|()| Ok(out.flush()?))
        .with_context(|| format!("cannot write {}", path.display()))?;
    drop(out);
    // On disk before it gets its name: a crash after the rename must not leave it empty.
    file.sync_data()
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The portable way: a named temporary file beside `path`, renamed over it.
fn write_with_named_temp(
    dir: &Path,
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut tmp = named_temp(dir)?;
    fill(tmp.as_file_mut(), path, write)?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn named_temp(dir: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    // Output files get the usual `0666 & !umask`, not a temporary file's private `0600`.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))
}

#[cfg(target_os = "linux")]
mod linux {
    use super::{fill, named_temp};
    use anyhow::Context;
    use rustix::fs::{linkat, openat, AtFlags, Mode, OFlags, CWD};
    use std::fs::File;
    use std::io::{Seek, Write};
    use std::os::fd::AsFd;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// An unnamed file in `dir` (`O_TMPFILE`), or `None` where that is not supported.
    pub(super) fn anonymous_file(dir: &Path) -> Option<File> {
        let flags = OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC;
        openat(CWD, dir, flags, Mode::from_bits_truncate(0o666))
            .ok()
            .map(File::from)
    }

    pub(super) fn write_and_link(
        mut file: File,
        dir: &Path,
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        // On error the file is closed unnamed and the kernel frees it.
        fill(&mut file, path, write)?;
        let name = link_unique(&file, dir, path).or_else(|e| {
            // No way to name it here (`AT_EMPTY_PATH` refused and no `/proc`): copy it
            // into a named temporary file instead.
            copy_to_named(&mut file, dir, path).map_err(|copy| copy.context(e))
        })?;
        std::fs::rename(&name, path)
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&name);
            })
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Gives the anonymous `file` a fresh name beside `path`; that name.
    fn link_unique(file: &File, dir: &Path, path: &Path) -> anyhow::Result<PathBuf> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let stem = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem: String = stem.chars().take(64).collect();
        let mut last = None;
        for _ in 0..100 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let name = dir.join(format!(".{stem}.{}.{n}.tmp", std::process::id()));
            let linked = link_empty_path(file, &name).or_else(|e| {
                if e == rustix::io::Errno::EXIST {
                    return Err(e);
                }
                link_via_proc(file, &name)
            });
            match linked {
                Ok(()) => return Ok(name),
                Err(e) if e == rustix::io::Errno::EXIST => last = Some(e),
                Err(e) => {
                    return Err(std::io::Error::from(e))
                        .with_context(|| format!("cannot create a file in {}", dir.display()))
                }
            }
        }
        Err(std::io::Error::from(
            last.unwrap_or(rustix::io::Errno::EXIST),
        ))
        .with_context(|| format!("cannot create a file in {}", dir.display()))
    }

    /// A way to give an `O_TMPFILE` a name.
    #[cfg(test)]
    pub(super) type Link = fn(&File, &Path) -> rustix::io::Result<()>;

    /// `linkat(fd, "", AT_EMPTY_PATH)`: names an `O_TMPFILE`.
    pub(super) fn link_empty_path(file: &File, name: &Path) -> rustix::io::Result<()> {
        linkat(file.as_fd(), "", CWD, name, AtFlags::EMPTY_PATH)
    }

    /// Without CAP_DAC_READ_SEARCH, older kernels refuse `AT_EMPTY_PATH`; linking the
    /// descriptor's `/proc` entry is the documented way for them (open(2), `O_TMPFILE`).
    pub(super) fn link_via_proc(file: &File, name: &Path) -> rustix::io::Result<()> {
        let proc = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(file));
        linkat(CWD, proc.as_str(), CWD, name, AtFlags::SYMLINK_FOLLOW)
    }

    pub(super) fn copy_to_named(
        file: &mut File,
        dir: &Path,
        path: &Path,
    ) -> anyhow::Result<PathBuf> {
        let mut tmp = named_temp(dir)?;
        file.rewind()
            .and_then(|()| std::io::copy(file, tmp.as_file_mut()))
            .and_then(|_| tmp.as_file().sync_data())
            .with_context(|| format!("cannot write {}", path.display()))?;
        let (_, name) = tmp
            .keep()
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn names(dir: &Path) -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    /// Writes half, checks that the directory holds nothing new yet, then fails.
    fn failing_writer(dir: &Path) -> impl FnOnce(&mut dyn Write) -> anyhow::Result<()> + '_ {
        move |out| {
            out.write_all(&vec![b'x'; 1 << 20])?;
            out.flush()?;
            #[cfg(target_os = "linux")]
            assert_eq!(names(dir), ["out.json".to_string()].into());
            anyhow::bail!("the writer failed half way")
        }
    }

    #[test]
    fn success_leaves_only_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_file(&path, |out| {
            out.write_all(b"{}\n")?;
            // While writing, on Linux, the file has no name at all: a kill -9 here leaves
            // nothing behind.
            #[cfg(target_os = "linux")]
            assert!(names(dir.path()).is_empty());
            Ok(())
        })
        .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{}\n");
        assert_eq!(names(dir.path()), ["out.json".to_string()].into());
        // Replacing an existing file works the same way.
        write_file(&path, |out| Ok(out.write_all(b"[]\n")?)).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"[]\n");
        assert_eq!(names(dir.path()), ["out.json".to_string()].into());
    }

    #[test]
    fn an_error_mid_write_leaves_the_old_file_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, b"old").unwrap();
        let err = write_file(&path, failing_writer(dir.path())).unwrap_err();
        assert!(
            format!("{err:#}").contains("the writer failed half way"),
            "{err:#}"
        );
        assert!(format!("{err:#}").contains("out.json"), "{err:#}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["out.json".to_string()].into());
    }

    #[test]
    fn the_portable_fallback_cleans_up_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_with_named_temp(dir.path(), &path, |out| Ok(out.write_all(b"new")?)).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(names(dir.path()), ["out.json".to_string()].into());
        let fails = |out: &mut dyn Write| -> anyhow::Result<()> {
            out.write_all(b"partial")?;
            anyhow::bail!("stop")
        };
        assert!(write_with_named_temp(dir.path(), &path, fails).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(names(dir.path()), ["out.json".to_string()].into());
    }

    #[cfg(unix)]
    #[test]
    fn new_files_get_the_usual_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_file(&path, |out| Ok(out.write_all(b"x")?)).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // 0666 less the umask: readable by others, unlike a private temporary file.
        assert_eq!(mode & 0o644, 0o644, "{mode:o}");
    }

    /// Each way of naming the unnamed file works here: `AT_EMPTY_PATH`, the `/proc` link,
    /// and the copy into a named temporary file.
    #[cfg(target_os = "linux")]
    #[test]
    fn every_way_of_naming_the_unnamed_file_works() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let ways: [(&str, linux::Link); 2] = [
            ("empty-path", linux::link_empty_path),
            ("proc", linux::link_via_proc),
        ];
        for (way, link) in ways {
            let mut file = linux::anonymous_file(dir.path()).expect("O_TMPFILE works here");
            file.write_all(way.as_bytes()).unwrap();
            let name = dir.path().join(way);
            link(&file, &name).unwrap();
            assert_eq!(std::fs::read(&name).unwrap(), way.as_bytes());
        }
        let mut file = linux::anonymous_file(dir.path()).unwrap();
        file.write_all(b"copied").unwrap();
        let target = dir.path().join("t.json");
        let name = linux::copy_to_named(&mut file, dir.path(), &target).unwrap();
        let mut copied = String::new();
        std::fs::File::open(&name)
            .unwrap()
            .read_to_string(&mut copied)
            .unwrap();
        assert_eq!(copied, "copied");
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_written_in_place() {
        write_file(Path::new("/dev/null"), |out| Ok(out.write_all(b"x")?)).unwrap();
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/out.json");
        let err = write_file(&path, |out| Ok(out.write_all(b"x")?)).unwrap_err();
        assert!(format!("{err:#}").contains("no/such"), "{err:#}");
    }
}
