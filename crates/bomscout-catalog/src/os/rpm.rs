//! RPM packages: the SQLite database `var/lib/rpm/rpmdb.sqlite` (and
//! `usr/lib/sysimage/rpm/rpmdb.sqlite`) of rpm ≥ 4.16.
//!
//! The `Packages` table's `blob` column holds one RPM header per installed package, in the
//! form rpm stores it: a big-endian `u32` count of index entries, a `u32` length of the data
//! store, the entries (16 bytes each: tag, type, offset into the data store, count) and the
//! data store. [`Header::parse`] checks every count, offset and length against the blob
//! before reading; a header that fails is a warning naming its row, and the rest are read.
//! Read per header:
//! - `NAME` (1000), `VERSION` (1001), `RELEASE` (1002), `EPOCH` (1003), `ARCH` (1022): a
//!   component `pkg:rpm/<vendor>/<name>@<version>-<release>?arch=..&epoch=..&distro=..`
//!   (the purl spec's `rpm` type puts the epoch in the `epoch` qualifier; the component's
//!   version is `epoch:version-release` as rpm prints it). The namespace and `distro`
//!   come from the release file of the same root (`rhel` is written `redhat`, `opensuse-*`
//!   `opensuse`, `sles` `suse`); without one there is no namespace;
//! - `LICENSE` (1014): a declared license, field `LICENSE`; `VENDOR` (1011): the supplier;
//!   `SOURCERPM` (1044): property `source-rpm`; `SIZE` (1009): property `installed-size`;
//! - `REQUIRENAME` (1049) against `PROVIDENAME` (1047) and names: edges to the installed
//!   packages that provide what a package requires (`rpmlib(...)` and file requirements
//!   match nothing, as no package provides them by that name).
//!
//! The database is opened read-only and immutable (an `immutable=1` URI), so a scan never
//! writes it, takes no lock and reads no journal: changes still only in a `-wal` file are
//! not seen. This cataloger reads its input through SQLite by path, the documented
//! exception to reading only the bytes given. The BerkeleyDB `Packages` and NDB
//! `Packages.db` databases of older releases are errors that say they are not supported.

use super::release::Distro;
use super::Root;
use crate::{Input, ParseError};
use bomscout_core::{Catalog, Component, DepKind, Diagnostic, Ecosystem, NodeRef, Purl};
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeMap;

/// Most index entries a header may have (rpm's `HEADER_TAGS_MAX`).
pub const MAX_ENTRIES: u32 = 0xffff;
/// Largest data store a header may have (rpm's `HEADER_DATA_MAX`).
pub const MAX_DATA: u32 = 0x0fff_ffff;

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_SIZE: u32 = 1009;
const TAG_VENDOR: u32 = 1011;
const TAG_LICENSE: u32 = 1014;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;
const TAG_PROVIDENAME: u32 = 1047;
const TAG_REQUIRENAME: u32 = 1049;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// Why a header blob could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// Shorter than its own lengths say.
    #[error("header truncated: {need} bytes needed, {have} present")]
    Truncated {
        /// Bytes its counts require.
        need: u64,
        /// Bytes present.
        have: usize,
    },
    /// A count beyond rpm's own limits.
    #[error("header has {entries} entries and {data} data bytes, beyond rpm's limits ({MAX_ENTRIES}, {MAX_DATA})")]
    TooLarge {
        /// Index entries claimed.
        entries: u32,
        /// Data bytes claimed.
        data: u32,
    },
    /// An entry's data lies outside the data store.
    #[error("tag {tag}: offset {offset} (count {count}) is outside the {len}-byte data store")]
    OutOfBounds {
        /// The tag.
        tag: u32,
        /// Its offset.
        offset: u32,
        /// Its count.
        count: u32,
        /// The data store's length.
        len: usize,
    },
}

/// One index entry.
#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: u32,
    kind: u32,
    offset: u32,
    count: u32,
}

/// A parsed header: its entries and data store, every read bounds-checked.
#[derive(Debug)]
pub struct Header<'a> {
    entries: Vec<Entry>,
    data: &'a [u8],
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

impl<'a> Header<'a> {
    /// Parses a header blob as rpmdb stores it (no lead, no magic).
    pub fn parse(blob: &'a [u8]) -> Result<Header<'a>, HeaderError> {
        let truncated = |need: u64| HeaderError::Truncated {
            need,
            have: blob.len(),
        };
        let (Some(il), Some(dl)) = (be32(blob, 0), be32(blob, 4)) else {
            return Err(truncated(8));
        };
        if il > MAX_ENTRIES || dl > MAX_DATA {
            return Err(HeaderError::TooLarge {
                entries: il,
                data: dl,
            });
        }
        let need = 8 + u64::from(il) * 16 + u64::from(dl);
        if (blob.len() as u64) < need {
            return Err(truncated(need));
        }
        let index_end = 8 + il as usize * 16;
        let data = blob
            .get(index_end..index_end + dl as usize)
            .ok_or_else(|| truncated(need))?;
        let mut entries = Vec::with_capacity(il as usize);
        for i in 0..il as usize {
            let at = 8 + i * 16;
            let field = |k: usize| be32(blob, at + k * 4).ok_or_else(|| truncated(need));
            let e = Entry {
                tag: field(0)?,
                kind: field(1)?,
                offset: field(2)?,
                count: field(3)?,
            };
            // Region tags (61-63) point at a trailer that may lie at the store's end; every
            // entry's offset must still be inside it.
            if e.offset as usize > data.len() {
                return Err(HeaderError::OutOfBounds {
                    tag: e.tag,
                    offset: e.offset,
                    count: e.count,
                    len: data.len(),
                });
            }
            entries.push(e);
        }
        Ok(Header { entries, data })
    }

    fn entry(&self, tag: u32) -> Option<&Entry> {
        self.entries.iter().find(|e| e.tag == tag)
    }

    fn out_of_bounds(&self, e: &Entry) -> HeaderError {
        HeaderError::OutOfBounds {
            tag: e.tag,
            offset: e.offset,
            count: e.count,
            len: self.data.len(),
        }
    }

    /// The NUL-terminated strings starting at an entry's offset (`count` of them).
    fn strings_of(&self, e: &Entry) -> Result<Vec<String>, HeaderError> {
        let mut out = Vec::new();
        let mut at = e.offset as usize;
        // Each string takes at least one byte: a count beyond the store is a lie.
        if e.count as usize > self.data.len() {
            return Err(self.out_of_bounds(e));
        }
        for _ in 0..e.count {
            let rest = self.data.get(at..).ok_or_else(|| self.out_of_bounds(e))?;
            let len = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or_else(|| self.out_of_bounds(e))?;
            out.push(String::from_utf8_lossy(&rest[..len]).into_owned());
            at += len + 1;
        }
        Ok(out)
    }

    /// A string tag's value (the first of an i18n string or string array).
    pub fn string(&self, tag: u32) -> Result<Option<String>, HeaderError> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        if !matches!(e.kind, TYPE_STRING | TYPE_I18NSTRING | TYPE_STRING_ARRAY) {
            return Ok(None);
        }
        let one = Entry { count: 1, ..*e };
        Ok(self.strings_of(&one)?.into_iter().next())
    }

    /// A string-array tag's values.
    pub fn strings(&self, tag: u32) -> Result<Vec<String>, HeaderError> {
        match self.entry(tag) {
            Some(e) if e.kind == TYPE_STRING_ARRAY => self.strings_of(e),
            _ => Ok(Vec::new()),
        }
    }

    /// The first value of an `INT32` tag.
    pub fn int32(&self, tag: u32) -> Result<Option<u32>, HeaderError> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        if e.kind != TYPE_INT32 || e.count == 0 {
            return Ok(None);
        }
        let end = u64::from(e.offset) + u64::from(e.count) * 4;
        if end > self.data.len() as u64 {
            return Err(self.out_of_bounds(e));
        }
        Ok(be32(self.data, e.offset as usize))
    }
}

/// What one header describes.
#[derive(Debug, Default)]
struct Rpm {
    name: String,
    version: String,
    release: Option<String>,
    epoch: Option<u32>,
    arch: Option<String>,
    license: Option<String>,
    vendor: Option<String>,
    source_rpm: Option<String>,
    size: Option<u32>,
    provides: Vec<String>,
    requires: Vec<String>,
}

fn read(blob: &[u8]) -> Result<Option<Rpm>, HeaderError> {
    let h = Header::parse(blob)?;
    let (Some(name), Some(version)) = (h.string(TAG_NAME)?, h.string(TAG_VERSION)?) else {
        return Ok(None);
    };
    Ok(Some(Rpm {
        name,
        version,
        release: h.string(TAG_RELEASE)?,
        epoch: h.int32(TAG_EPOCH)?,
        arch: h.string(TAG_ARCH)?,
        license: h.string(TAG_LICENSE)?,
        vendor: h.string(TAG_VENDOR)?,
        source_rpm: h.string(TAG_SOURCERPM)?,
        size: h.int32(TAG_SIZE)?,
        provides: h.strings(TAG_PROVIDENAME)?,
        requires: h.strings(TAG_REQUIRENAME)?,
    }))
}

/// The purl namespace for a release file's `ID`.
fn vendor_namespace(id: &str) -> &str {
    match id {
        "rhel" => "redhat",
        "sles" | "sled" => "suse",
        id if id.starts_with("opensuse") => "opensuse",
        id => id,
    }
}

/// `path` as an SQLite URI path: `%`, `?` and `#` percent-encoded.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3F"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

/// The database `bytes` (a file of an image, already in memory), opened read-only in
/// memory: SQLite never sees a path, so nothing on the host is opened.
fn open_in_memory(bytes: &[u8]) -> Result<Connection, rusqlite::Error> {
    // SQLite sizes an in-memory database with a C int.
    if i32::try_from(bytes.len()).is_err() {
        return Err(rusqlite::Error::InvalidParameterName(
            "database over 2 GiB".to_string(),
        ));
    }
    // rpm writes its database in WAL mode (header bytes 18 and 19 are 2), which an
    // in-memory database cannot use: read it as a rollback-journal database, as the
    // disk path's `immutable=1` does (the `-wal` file is ignored either way).
    let mut data = bytes.to_vec();
    if let Some(versions) = data.get_mut(18..20) {
        if versions == [2, 2] {
            versions.copy_from_slice(&[1, 1]);
        }
    }
    let mut conn = Connection::open_in_memory()?;
    conn.deserialize_read_exact(rusqlite::MAIN_DB, data.as_slice(), data.len(), true)?;
    Ok(conn)
}

/// Parses an RPM database (see the module docs).
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let file = input.path().rsplit('/').next().unwrap_or(input.path());
    match file {
        "Packages" => {
            return Err(ParseError::format(
                "RPM database in BerkeleyDB format is not supported: bomscout reads rpmdb.sqlite \
                 (rpm 4.16 and later); rebuild it with `rpmdb --rebuilddb` under an rpm \
                 configured for sqlite, or scan an SBOM made on that system",
            ))
        }
        "Packages.db" => {
            return Err(ParseError::format(
                "RPM database in NDB format (SUSE) is not supported: bomscout reads rpmdb.sqlite \
                 (rpm 4.16 and later); scan an SBOM made on that system instead",
            ))
        }
        _ => {}
    }
    if !input.bytes.starts_with(b"SQLite format 3\0") {
        return Err(ParseError::format(
            "not an SQLite database (no `SQLite format 3` header): not an rpmdb.sqlite",
        ));
    }
    let sql_err =
        |e: rusqlite::Error| ParseError::format(format!("cannot read the RPM database: {e}"));
    let conn = if input.tree.is_host() {
        let path = input.abs.to_str().ok_or_else(|| {
            ParseError::format("the database's path is not UTF-8; SQLite cannot be given it")
        })?;
        let uri = format!("file:{}?immutable=1&mode=ro", uri_path(path));
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Connection::open_with_flags(&uri, flags).map_err(sql_err)?
    } else {
        open_in_memory(input.bytes).map_err(sql_err)?
    };
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(sql_err)?;
    let mut rows = stmt.query([]).map_err(sql_err)?;

    let mut catalog = Catalog::default();
    let root = input
        .path()
        .strip_suffix("var/lib/rpm/rpmdb.sqlite")
        .map(|_| "var/lib/rpm/rpmdb.sqlite")
        .or(input
            .path()
            .strip_suffix("usr/lib/sysimage/rpm/rpmdb.sqlite")
            .map(|_| "usr/lib/sysimage/rpm/rpmdb.sqlite"))
        .and_then(|suffix| Root::of(input, suffix));
    let distro = root
        .as_ref()
        .and_then(|r| Distro::of_root(r, input.tree, input.root));
    let namespace = distro
        .as_ref()
        .and_then(|d| d.id.as_deref())
        .map(|id| vendor_namespace(id).to_string());
    let distro_q = distro.as_ref().and_then(Distro::qualifier);
    let mut by_name: BTreeMap<String, Vec<NodeRef>> = BTreeMap::new();
    let mut deps: Vec<(NodeRef, Vec<String>)> = Vec::new();
    while let Some(row) = rows.next().map_err(sql_err)? {
        let hnum: i64 = row.get(0).unwrap_or(-1);
        let blob: Vec<u8> = match row.get(1) {
            Ok(b) => b,
            Err(e) => {
                catalog.diagnostics.push(Diagnostic::warning(
                    input.path(),
                    format!("Packages row {hnum}: the blob is not readable ({e}); skipped"),
                ));
                continue;
            }
        };
        let rpm = match read(&blob) {
            Ok(Some(rpm)) => rpm,
            Ok(None) => {
                catalog.diagnostics.push(Diagnostic::warning(
                    input.path(),
                    format!("Packages row {hnum}: header has no NAME or VERSION; skipped"),
                ));
                continue;
            }
            Err(e) => {
                catalog.diagnostics.push(Diagnostic::warning(
                    input.path(),
                    format!("Packages row {hnum}: {e}; skipped"),
                ));
                continue;
            }
        };
        let purl_version = match &rpm.release {
            Some(r) => format!("{}-{r}", rpm.version),
            None => rpm.version.clone(),
        };
        let epoch = rpm.epoch.map(|e| e.to_string());
        let mut qualifiers: Vec<(&str, &str)> = Vec::new();
        if let Some(a) = &rpm.arch {
            qualifiers.push(("arch", a));
        }
        if let Some(e) = &epoch {
            qualifiers.push(("epoch", e));
        }
        if let Some(d) = &distro_q {
            qualifiers.push(("distro", d));
        }
        let display_version = match &epoch {
            Some(e) => format!("{e}:{purl_version}"),
            None => purl_version.clone(),
        };
        let built = Purl::build(
            Ecosystem::Rpm,
            namespace.as_deref(),
            &rpm.name,
            Some(&purl_version),
            &qualifiers,
        )
        .and_then(|purl| {
            let mut c = Component::new(
                Ecosystem::Rpm,
                namespace.as_deref(),
                &rpm.name,
                &display_version,
            )?;
            c.purl = purl;
            Ok(c)
        });
        let mut c = match built {
            Ok(c) => c.at(input.location()),
            Err(e) => {
                catalog.diagnostics.push(Diagnostic::warning(
                    input.path(),
                    format!("Packages row {hnum}: package skipped: {e}"),
                ));
                continue;
            }
        };
        if let Some(l) = &rpm.license {
            super::add_declared(&mut c, l, input.path(), "LICENSE");
        }
        if let Some(v) = &rpm.vendor {
            c.properties.insert("supplier".into(), v.clone());
            c.properties
                .insert("supplier-source".into(), input.path().to_string());
        }
        if let Some(s) = &rpm.source_rpm {
            c.properties.insert("source-rpm".into(), s.clone());
        }
        if let Some(s) = rpm.size {
            c.properties.insert("installed-size".into(), s.to_string());
        }
        let node = catalog.add_package(c);
        for p in std::iter::once(&rpm.name).chain(rpm.provides.iter()) {
            let list = by_name.entry(p.clone()).or_default();
            if !list.contains(&node) {
                list.push(node);
            }
        }
        deps.push((node, rpm.requires));
    }
    for (from, names) in deps {
        let mut seen: Vec<NodeRef> = Vec::new();
        for n in &names {
            for &to in by_name.get(n).into_iter().flatten() {
                if to != from && !seen.contains(&to) {
                    seen.push(to);
                    catalog.add_edge(from, to, DepKind::Normal);
                }
            }
        }
    }
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header with the given `(tag, type, data, count)` entries, laid out in order.
    fn header(entries: &[(u32, u32, &[u8], u32)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, kind, bytes, count) in entries {
            for v in [*tag, *kind, data.len() as u32, *count] {
                index.extend_from_slice(&v.to_be_bytes());
            }
            data.extend_from_slice(bytes);
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
        blob.extend(index);
        blob.extend(data);
        blob
    }

    fn good() -> Vec<u8> {
        header(&[
            (TAG_NAME, TYPE_STRING, b"hello\0", 1),
            (TAG_VERSION, TYPE_STRING, b"1.0\0", 1),
            (TAG_RELEASE, TYPE_STRING, b"2\0", 1),
            (TAG_EPOCH, TYPE_INT32, &3u32.to_be_bytes(), 1),
            (
                TAG_PROVIDENAME,
                TYPE_STRING_ARRAY,
                b"hello\0hello(x86-64)\0",
                2,
            ),
        ])
    }

    #[test]
    fn reads_a_header() {
        let rpm = read(&good()).unwrap().unwrap();
        assert_eq!(rpm.name, "hello");
        assert_eq!(rpm.release.as_deref(), Some("2"));
        assert_eq!(rpm.epoch, Some(3));
        assert_eq!(rpm.provides, ["hello", "hello(x86-64)"]);
    }

    #[test]
    fn truncated_header() {
        let blob = good();
        for cut in [0, 3, 7, 8, 20, blob.len() - 1] {
            assert!(
                matches!(
                    Header::parse(&blob[..cut]),
                    Err(HeaderError::Truncated { .. })
                ),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn offset_past_the_end() {
        let mut blob = good();
        // First entry's offset field: bytes 8+8..8+12.
        blob[16..20].copy_from_slice(&10_000u32.to_be_bytes());
        assert!(matches!(
            Header::parse(&blob),
            Err(HeaderError::OutOfBounds { .. })
        ));
        // An offset inside the store whose string has no NUL before the end.
        let blob = header(&[
            (TAG_NAME, TYPE_STRING, b"abc", 1),
            (TAG_VERSION, TYPE_STRING, b"", 1),
        ]);
        assert!(matches!(read(&blob), Err(HeaderError::OutOfBounds { .. })));
    }

    #[test]
    fn count_overflow() {
        // An INT32 count whose byte length overflows 32 bits.
        let blob = header(&[
            (TAG_NAME, TYPE_STRING, b"a\0", 1),
            (TAG_VERSION, TYPE_STRING, b"1\0", 1),
            (TAG_EPOCH, TYPE_INT32, &[0, 0, 0, 1], 0x4000_0001),
        ]);
        assert!(matches!(read(&blob), Err(HeaderError::OutOfBounds { .. })));
        // A string array claiming more strings than the store has bytes.
        let blob = header(&[
            (TAG_NAME, TYPE_STRING, b"a\0", 1),
            (TAG_VERSION, TYPE_STRING, b"1\0", 1),
            (TAG_PROVIDENAME, TYPE_STRING_ARRAY, b"x\0", u32::MAX),
        ]);
        assert!(matches!(read(&blob), Err(HeaderError::OutOfBounds { .. })));
        // Entry and data counts beyond rpm's limits.
        let mut blob = vec![0xff; 8];
        blob.extend_from_slice(&[0; 16]);
        assert!(matches!(
            Header::parse(&blob),
            Err(HeaderError::TooLarge { .. })
        ));
    }

    #[test]
    fn berkeley_db_is_named() {
        let err = crate::parse_str(parse, "var/lib/rpm/Packages", "x").unwrap_err();
        assert!(err
            .to_string()
            .starts_with("RPM database in BerkeleyDB format is not supported"));
        let err = crate::parse_str(parse, "usr/lib/sysimage/rpm/Packages.db", "x").unwrap_err();
        assert!(err.to_string().contains("NDB"));
    }

    #[test]
    fn uri_escapes() {
        assert_eq!(uri_path("/a b/%?#"), "/a b/%25%3F%23");
    }
}
