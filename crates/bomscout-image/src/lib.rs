//! Container images as a scan input: `docker save` archives and OCI image layouts (a
//! directory or a tar of one), read without unpacking anything to disk.
//!
//! [`open`] reads the image's index and manifest, picks one platform of a multi-platform
//! index, and applies the layers in order into a [`MemTree`] (whiteouts `.wh.NAME` delete,
//! `.wh..wh..opq` empties a directory). Every path is kept with its size and the layer that
//! last wrote it; contents are kept only for the paths [`ImageOptions::keep`] asks for, so
//! memory is bounded by what the catalogers read, not by the image's size.
//!
//! An image is untrusted input: entry counts, total and per-file sizes are bounded; `../`
//! names, hard links and symlinks that leave the root are diagnostics, never followed
//! (leading `/` and `./`, normal in layers, are dropped).
//!
//! Read:
//! - `index.json` with nested OCI indexes and Docker manifest lists (BuildKit's
//!   attestation manifests skipped); the manifest picked by platform;
//! - the config's `rootfs.diff_ids` and `history` (entries with `empty_layer` made no layer);
//! - name and tag from `io.containerd.image.name`, `org.opencontainers.image.ref.name` (a
//!   bare tag or a full reference) or `docker save`'s `RepoTags`;
//! - layers as plain tars, gzip (multi-member too) or zstd, judged by their first bytes;
//!   a layer that ends right after its last file's data (as umoci writes them) is whole;
//! - blob digests checked as the blobs stream by (a mismatch is a diagnostic naming the
//!   blob; an old `docker save` layer, named by no digest, is checked against its diff_id).
#![deny(missing_docs)]

mod apply;
mod meta;
mod source;
#[cfg(feature = "testing")]
pub mod testing;

use apply::{Budget, End};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::Diagnostic;
use bomscout_walk::MemTree;
use meta::{Config, Descriptor, DockerEntry, Index, Manifest, Platform, Wanted};
use sha2::{Digest, Sha256};
use source::{clean_name, Source};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Most bytes read of an index, manifest or config: real ones are a few KiB.
const MAX_METADATA: u64 = 4 << 20;
/// How many characters of a blob's path a message quotes: all of `blobs/sha256/HEX`.
const BLOB_QUOTE_LIMIT: usize = 100;
/// Most levels of nested indexes followed.
const MAX_INDEX_DEPTH: usize = 4;
/// Most nested index blobs read in one image: a multi-platform image has one or two.
const MAX_INDEXES: usize = 64;
/// Most image manifests considered in one image (platforms, tags): bounds what a hostile
/// index can make the reader read.
const MAX_MANIFESTS: usize = 1024;

/// What a path to an image is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A `docker save` tar (`manifest.json` at its root).
    DockerArchive,
    /// An OCI image layout directory (`oci-layout` and `index.json`).
    OciDir,
    /// A tar holding an OCI image layout; `docker save` since Docker 25 writes one (with
    /// its own `manifest.json` beside, whose `RepoTags` name the image when the index
    /// does not).
    OciArchive,
}

/// Limits and choices for reading an image.
pub struct ImageOptions {
    /// `os/arch[/variant]` to pick from a multi-platform index (`linux/arm64`); `None`
    /// picks `linux/amd64` when the index offers several, else the only one.
    pub platform: Option<String>,
    /// Most tar entries read, across all layers.
    pub max_entries: u64,
    /// Most bytes of layer content read (decompressed), across all layers.
    pub max_total: u64,
    /// Largest single file whose contents are kept.
    pub max_file: u64,
    /// Most bytes of file contents kept in memory at once.
    pub max_kept: u64,
    /// Which relative paths (`var/lib/dpkg/status`) have their contents kept.
    pub keep: Box<dyn Fn(&str) -> bool + Send + Sync>,
}

impl Default for ImageOptions {
    /// The default platform choice, generous limits (2,000,000 entries, 16 GiB
    /// decompressed, 256 MiB per kept file, 2 GiB kept), and no contents kept: the caller
    /// says which paths its catalogers read.
    fn default() -> Self {
        ImageOptions {
            platform: None,
            max_entries: 2_000_000,
            max_total: 16 << 30,
            max_file: 256 << 20,
            max_kept: 2 << 30,
            keep: Box::new(|_| false),
        }
    }
}

impl std::fmt::Debug for ImageOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageOptions")
            .field("platform", &self.platform)
            .field("max_entries", &self.max_entries)
            .field("max_total", &self.max_total)
            .field("max_file", &self.max_file)
            .field("max_kept", &self.max_kept)
            .finish_non_exhaustive()
    }
}

/// One layer of an image, in application order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// The layer blob's digest (`sha256:...`) as the manifest names it.
    pub digest: String,
    /// The uncompressed layer's digest from the config's `rootfs.diff_ids`, when given.
    pub diff_id: Option<String>,
    /// The history entry's `created_by` (the Dockerfile instruction), when given.
    pub created_by: Option<String>,
}

/// An image read into memory.
#[derive(Debug)]
pub struct Image {
    /// The format it was read as.
    pub format: Format,
    /// The repository name (`library/debian`, `ghcr.io/org/app`), from `RepoTags` or the
    /// `org.opencontainers.image.ref.name` annotation; the file name when neither is given.
    pub name: String,
    /// The tag, when one is given.
    pub tag: Option<String>,
    /// The manifest's digest (`sha256:...`): the image's identity. An archive of an old
    /// `docker save` (before Docker 25) holds no manifest; its config digest stands in.
    pub digest: String,
    /// The config blob's digest (`sha256:...`, Docker's "image ID").
    pub config_digest: String,
    /// `os/arch[/variant]` of the picked manifest, when known.
    pub platform: Option<String>,
    /// The layers, in the order they were applied; [`bomscout_walk::MemEntry::layer`]
    /// indexes this.
    pub layers: Vec<Layer>,
    /// The merged file system.
    pub tree: MemTree,
    /// What was skipped or refused, naming the layer and the entry.
    pub diagnostics: Vec<Diagnostic>,
}

/// Why an image could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// Not an image, or a format this reader does not know.
    #[error("{0}")]
    Unsupported(String),
    /// The index, manifest or config is broken or missing.
    #[error("{0}")]
    Invalid(String),
    /// `--platform` names a platform the index does not hold.
    #[error("no manifest for platform {wanted} (the image has: {available})")]
    NoSuchPlatform {
        /// What was asked for.
        wanted: String,
        /// What the index offers, comma-separated.
        available: String,
    },
    /// Reading failed.
    #[error("cannot read the image: {0}")]
    Io(#[from] std::io::Error),
}

/// What `path` is, judged by its first bytes or directory entries; `None` for anything
/// that is not an image (an ordinary directory or file to scan). A tar is judged by its
/// ustar magic and its first entries' names (compressed tars are not images); a tar with
/// both `manifest.json` and an OCI layout (`docker save` since Docker 25) is read as the
/// OCI layout it holds.
pub fn sniff(path: &Path) -> Option<Format> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        let layout = path.join("oci-layout").is_file() && path.join("index.json").is_file();
        return layout.then_some(Format::OciDir);
    }
    if !meta.is_file() {
        return None;
    }
    let (manifest, layout, index) = source::sniff_tar(path)?;
    if layout && index {
        Some(Format::OciArchive)
    } else if manifest {
        Some(Format::DockerArchive)
    } else {
        None
    }
}

/// A layer to apply: where its blob is and what it should hash to.
struct LayerRef {
    layer: Layer,
    /// The blob's path in the image; `None` when the manifest names none this reader
    /// can find (the layer is listed and skipped).
    blob: Option<String>,
    /// The sha256 (hex) the blob's bytes must have.
    blob_sha256: Option<String>,
    /// The sha256 (hex) the uncompressed tar must have, checked when the blob is an
    /// uncompressed tar named by no digest (old `docker save`).
    diff_sha256: Option<String>,
}

/// The manifest picked, and what it says.
struct Picked {
    digest: String,
    config_digest: String,
    platform: Option<String>,
    name: Option<String>,
    tag: Option<String>,
    layers: Vec<LayerRef>,
}

/// Reads the image at `path`.
pub fn open(path: &Path, options: &ImageOptions) -> Result<Image, ImageError> {
    let shown = path.display().to_string();
    let format = sniff(path).ok_or_else(|| {
        ImageError::Unsupported(format!(
            "{shown}: not a container image (an OCI layout directory, or a tar from `docker save` or of an OCI layout)"
        ))
    })?;
    let wanted = match &options.platform {
        None => None,
        Some(p) => Some(Wanted::parse(p).ok_or_else(|| {
            ImageError::Invalid(format!(
                "--platform {}: expected os/arch or os/arch/variant (linux/arm64/v8)",
                quote(p, QUOTE_LIMIT)
            ))
        })?),
    };
    let source = match format {
        Format::OciDir => Source::Dir(path.to_path_buf()),
        Format::DockerArchive | Format::OciArchive => Source::open_tar(path)?,
    };
    let mut diagnostics = Vec::new();
    let picked = match format {
        Format::OciDir | Format::OciArchive => {
            pick_oci(&source, wanted.as_ref(), &shown, &mut diagnostics)?
        }
        Format::DockerArchive => pick_docker(&source, wanted.as_ref(), &shown, &mut diagnostics)?,
    };
    let fallback_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .map(|n| n.strip_suffix(".tar").map(str::to_string).unwrap_or(n))
        .unwrap_or_else(|| shown.clone());
    let mut tree = MemTree::new();
    let mut budget = Budget::default();
    let mut layers = Vec::with_capacity(picked.layers.len());
    let mut skipped_after_limit = 0usize;
    for (i, r) in picked.layers.into_iter().enumerate() {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        if budget.exhausted {
            skipped_after_limit += 1;
        } else if let Some(blob) = &r.blob {
            apply_one(
                &source,
                blob,
                &r,
                index,
                &shown,
                &mut tree,
                options,
                &mut budget,
                &mut diagnostics,
            );
        }
        layers.push(r.layer);
    }
    if skipped_after_limit > 0 {
        diagnostics.push(Diagnostic::warning(
            &shown,
            format!(
                "{skipped_after_limit} later layers were not read: a limit was reached (see above)"
            ),
        ));
    }
    Ok(Image {
        format,
        name: picked.name.unwrap_or(fallback_name),
        tag: picked.tag,
        digest: picked.digest,
        config_digest: picked.config_digest,
        platform: picked.platform,
        layers,
        tree,
        diagnostics,
    })
}

/// Reads a blob's bytes through a hasher, so that a layer is verified as it streams.
struct Hashing {
    inner: Box<dyn Read + Send>,
    hasher: Sha256,
}

impl Read for Hashing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn sha256_of(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[allow(clippy::too_many_arguments)]
fn apply_one(
    source: &Source,
    blob: &str,
    r: &LayerRef,
    index: u32,
    shown: &str,
    tree: &mut MemTree,
    options: &ImageOptions,
    budget: &mut Budget,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let reader = match source.open(blob) {
        Ok((reader, _)) => reader,
        Err(e) => {
            diagnostics.push(Diagnostic::warning(
                shown,
                format!("layer {index} ({}): {e}; skipped", r.layer.digest),
            ));
            return;
        }
    };
    let mut hashing = Hashing {
        inner: reader,
        hasher: Sha256::new(),
    };
    let layer = apply::Layer {
        index,
        digest: &r.layer.digest,
        image: shown,
    };
    let (end, plain) = apply::apply(&mut hashing, &layer, tree, options, budget, diagnostics);
    if end != End::Complete {
        return;
    }
    let expected = match (&r.blob_sha256, &r.diff_sha256) {
        (Some(h), _) => h,
        (None, Some(h)) if plain => h,
        _ => return,
    };
    if let Err(e) = std::io::copy(&mut hashing, &mut std::io::sink()) {
        diagnostics.push(Diagnostic::warning(
            shown,
            format!(
                "layer {index} ({}): cannot be read to its end ({e})",
                r.layer.digest
            ),
        ));
        return;
    }
    let got = format!("{:x}", hashing.hasher.finalize());
    if &got != expected {
        diagnostics.push(digest_mismatch(shown, blob, &got, expected));
    }
}

fn digest_mismatch(shown: &str, blob: &str, got: &str, expected: &str) -> Diagnostic {
    Diagnostic::error(
        shown,
        format!(
            "blob {}: its sha256 is {got}, not the {expected} it is named by; the image is damaged or was altered (what it holds was still read)",
            quote(blob, BLOB_QUOTE_LIMIT)
        ),
    )
}

/// `blobs/ALG/HEX` for a digest, when it is a well-formed one.
fn blob_path(digest: &str) -> Option<String> {
    let (alg, hex) = digest.split_once(':')?;
    let alg_ok = !alg.is_empty()
        && alg.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'.' | b'_' | b'-')
        });
    let hex_ok = !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    (alg_ok && hex_ok).then(|| format!("blobs/{alg}/{hex}"))
}

/// Reads the metadata blob `digest` names, checking its sha256.
fn read_blob(
    source: &Source,
    digest: &str,
    shown: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<u8>, ImageError> {
    let path = blob_path(digest).ok_or_else(|| {
        ImageError::Invalid(format!(
            "{shown}: {} is not a digest (ALGORITHM:HEX); the image is damaged",
            quote(digest, QUOTE_LIMIT)
        ))
    })?;
    let bytes = source.read(&path, MAX_METADATA)?;
    if let Some(want) = meta::sha256_hex(digest) {
        let got = sha256_of(&bytes);
        if got != want {
            diagnostics.push(digest_mismatch(shown, &path, &got, want));
        }
    }
    Ok(bytes)
}

fn parse<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &str,
    shown: &str,
) -> Result<T, ImageError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ImageError::Invalid(format!(
            "{shown}: {what} is not valid ({e}); the image is damaged or not one this reader knows"
        ))
    })
}

/// A manifest found in an index, with the annotations that name it.
struct Candidate {
    descriptor: Descriptor,
    annotations: BTreeMap<String, String>,
}

fn is_index(media_type: &str) -> bool {
    media_type == meta::OCI_INDEX || media_type == meta::DOCKER_LIST
}

/// Gathers the image manifests of an index, and of the indexes it nests.
struct Collect<'a> {
    source: &'a Source,
    shown: &'a str,
    diagnostics: &'a mut Vec<Diagnostic>,
    out: Vec<Candidate>,
    indexes_read: usize,
}

fn too_many(shown: &str, what: &str, limit: usize) -> ImageError {
    ImageError::Invalid(format!(
        "{shown}: more than {limit} {what}; an image holds a handful, so this one is refused"
    ))
}

fn collect(
    c: &mut Collect<'_>,
    index: Index,
    inherited: &BTreeMap<String, String>,
    depth: usize,
) -> Result<(), ImageError> {
    let (source, shown) = (c.source, c.shown);
    for d in index.manifests {
        let mut annotations = inherited.clone();
        for (k, v) in &d.annotations {
            annotations.insert(k.clone(), v.clone());
        }
        if is_index(&d.media_type) {
            if depth >= MAX_INDEX_DEPTH {
                return Err(ImageError::Invalid(format!(
                    "{shown}: indexes nested more than {MAX_INDEX_DEPTH} deep; the image is damaged"
                )));
            }
            c.indexes_read += 1;
            if c.indexes_read > MAX_INDEXES {
                return Err(too_many(shown, "nested indexes", MAX_INDEXES));
            }
            let bytes = read_blob(source, &d.digest, shown, c.diagnostics)?;
            let nested: Index = parse(&bytes, &format!("the index {}", d.digest), shown)?;
            collect(c, nested, &annotations, depth + 1)?;
            continue;
        }
        let attestation = d
            .annotations
            .get("vnd.docker.reference.type")
            .is_some_and(|t| t == "attestation-manifest")
            || d.platform.as_ref().is_some_and(Platform::is_unknown);
        if !attestation {
            if c.out.len() >= MAX_MANIFESTS {
                return Err(too_many(shown, "image manifests", MAX_MANIFESTS));
            }
            c.out.push(Candidate {
                descriptor: d,
                annotations,
            });
        }
    }
    Ok(())
}

/// A manifest and its config, read.
struct Read2 {
    manifest: Manifest,
    config: Config,
}

fn read_manifest(
    source: &Source,
    digest: &str,
    shown: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Read2, ImageError> {
    let bytes = read_blob(source, digest, shown, diagnostics)?;
    let manifest: Manifest = parse(&bytes, &format!("the manifest {digest}"), shown)?;
    let bytes = read_blob(source, &manifest.config.digest, shown, diagnostics)?;
    let config: Config = parse(
        &bytes,
        &format!("the config {}", manifest.config.digest),
        shown,
    )?;
    Ok(Read2 { manifest, config })
}

fn no_such_platform(wanted: Option<&Wanted>, available: &[String]) -> ImageError {
    let wanted = match wanted {
        Some(w) => match &w.variant {
            Some(v) => format!("{}/{}/{v}", w.os, w.arch),
            None => format!("{}/{}", w.os, w.arch),
        },
        None => "linux/amd64 (the default when an image has several; choose one with --platform)"
            .to_string(),
    };
    let mut available = available.to_vec();
    available.sort();
    available.dedup();
    ImageError::NoSuchPlatform {
        wanted,
        available: if available.is_empty() {
            "no platform named".to_string()
        } else {
            available.join(", ")
        },
    }
}

fn pick_oci(
    source: &Source,
    wanted: Option<&Wanted>,
    shown: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Picked, ImageError> {
    let bytes = source.read("index.json", MAX_METADATA)?;
    let index: Index = parse(&bytes, "index.json", shown)?;
    let mut c = Collect {
        source,
        shown,
        diagnostics,
        out: Vec::new(),
        indexes_read: 0,
    };
    collect(&mut c, index, &BTreeMap::new(), 0)?;
    let mut candidates = c.out;
    if candidates.is_empty() {
        return Err(ImageError::Invalid(format!(
            "{shown}: index.json lists no image manifest"
        )));
    }
    // Each candidate's platform: from its descriptor, else from its config.
    let mut read: Vec<Option<Read2>> = Vec::new();
    let mut platforms: Vec<Option<Platform>> = Vec::new();
    for c in &candidates {
        match &c.descriptor.platform {
            Some(p) => {
                platforms.push(Some(p.clone()));
                read.push(None);
            }
            None if candidates.len() > 1 || wanted.is_some() => {
                let r = read_manifest(source, &c.descriptor.digest, shown, diagnostics)?;
                platforms.push(r.config.platform());
                read.push(Some(r));
            }
            None => {
                platforms.push(None);
                read.push(None);
            }
        }
    }
    let available: Vec<String> = platforms.iter().flatten().map(Platform::display).collect();
    let matching: Vec<usize> = match wanted {
        Some(w) => (0..candidates.len())
            .filter(|&i| platforms[i].as_ref().is_some_and(|p| p.matches(w)))
            .collect(),
        None if candidates.len() == 1 => vec![0],
        None => {
            let default = Wanted::default_platform();
            let m: Vec<usize> = (0..candidates.len())
                .filter(|&i| platforms[i].as_ref().is_some_and(|p| p.matches(&default)))
                .collect();
            // Several images of one platform and no other (tags of one layout): the first.
            if m.is_empty() && platforms.iter().all(|p| p == &platforms[0]) {
                (0..candidates.len()).collect()
            } else {
                m
            }
        }
    };
    let Some(&chosen) = matching.first() else {
        return Err(no_such_platform(wanted, &available));
    };
    if matching.len() > 1 {
        diagnostics.push(Diagnostic::warning(
            shown,
            format!(
                "the layout holds {} images for this platform; the first one ({}) was read",
                matching.len(),
                candidates[chosen].descriptor.digest
            ),
        ));
    }
    let candidate = candidates.swap_remove(chosen);
    let r = match read.swap_remove(chosen) {
        Some(r) => r,
        None => read_manifest(source, &candidate.descriptor.digest, shown, diagnostics)?,
    };
    let platform = platforms
        .swap_remove(chosen)
        .or_else(|| r.config.platform())
        .map(|p| p.display());
    let (mut name, mut tag) =
        meta::name_from_annotations(&candidate.annotations).unwrap_or_default();
    if name.is_none() {
        // `docker save` (Docker 25 and later) also writes its own manifest.json.
        if let Some(t) = repo_tag_for(source, &r.manifest.config.digest) {
            let (n, t) = meta::split_reference(&t);
            name = Some(n);
            tag = tag.or(t);
        }
    }
    let history = r.config.layer_history();
    let diff_ids = r.config.diff_ids();
    let layers = r
        .manifest
        .layers
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let blob = blob_path(&d.digest);
            if blob.is_none() {
                diagnostics.push(Diagnostic::warning(
                    shown,
                    format!(
                        "layer {i}: {} is not a digest; skipped",
                        quote(&d.digest, QUOTE_LIMIT)
                    ),
                ));
            }
            LayerRef {
                layer: Layer {
                    digest: d.digest.clone(),
                    diff_id: diff_ids.get(i).cloned(),
                    created_by: history.get(i).cloned().flatten(),
                },
                blob,
                blob_sha256: meta::sha256_hex(&d.digest).map(str::to_string),
                diff_sha256: None,
            }
        })
        .collect();
    Ok(Picked {
        digest: candidate.descriptor.digest,
        config_digest: r.manifest.config.digest,
        platform,
        name,
        tag,
        layers,
    })
}

/// The first `RepoTags` entry of a `docker save` manifest.json for the config `digest`.
fn repo_tag_for(source: &Source, config_digest: &str) -> Option<String> {
    if !source.has("manifest.json") {
        return None;
    }
    let bytes = source.read("manifest.json", MAX_METADATA).ok()?;
    let entries: Vec<DockerEntry> = serde_json::from_slice(&bytes).ok()?;
    let hex = meta::sha256_hex(config_digest)?;
    entries
        .into_iter()
        .find(|e| e.config.contains(hex))?
        .repo_tags?
        .into_iter()
        .next()
}

fn pick_docker(
    source: &Source,
    wanted: Option<&Wanted>,
    shown: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Picked, ImageError> {
    let bytes = source.read("manifest.json", MAX_METADATA)?;
    let entries: Vec<DockerEntry> = parse(&bytes, "manifest.json", shown)?;
    if entries.is_empty() {
        return Err(ImageError::Invalid(format!(
            "{shown}: manifest.json lists no image"
        )));
    }
    if entries.len() > MAX_MANIFESTS {
        return Err(too_many(shown, "images in manifest.json", MAX_MANIFESTS));
    }
    let many = entries.len();
    let mut available = Vec::new();
    let mut chosen = None;
    for entry in entries {
        let config_path = clean_name(&entry.config).ok_or_else(|| {
            ImageError::Invalid(format!(
                "{shown}: manifest.json names the config {}, which leaves the archive; refused",
                quote(&entry.config, QUOTE_LIMIT)
            ))
        })?;
        let bytes = source.read(&config_path, MAX_METADATA)?;
        let config: Config = parse(&bytes, &format!("the config {config_path}"), shown)?;
        let platform = config.platform();
        if let Some(p) = &platform {
            available.push(p.display());
        }
        let fits = match wanted {
            None => true,
            Some(w) => platform.as_ref().is_some_and(|p| p.matches(w)),
        };
        if fits {
            chosen = Some((entry, config_path, bytes, config, platform));
            break;
        }
    }
    let Some((entry, config_path, config_bytes, config, platform)) = chosen else {
        return Err(no_such_platform(wanted, &available));
    };
    if many > 1 {
        diagnostics.push(Diagnostic::warning(
            shown,
            format!(
                "the archive holds {many} images; the first that fits was read ({config_path})"
            ),
        ));
    }
    let config_hex = sha256_of(&config_bytes);
    if let Some(named) = content_address(&config_path) {
        if named != config_hex {
            diagnostics.push(digest_mismatch(shown, &config_path, &config_hex, &named));
        }
    }
    let config_digest = format!("sha256:{config_hex}");
    let (name, tag) = match entry.repo_tags.as_ref().and_then(|t| t.first()) {
        Some(t) => {
            let (n, t) = meta::split_reference(t);
            (Some(n), t)
        }
        None => (None, None),
    };
    let history = config.layer_history();
    let diff_ids = config.diff_ids();
    let mut layers = Vec::new();
    for (i, raw) in entry.layers.iter().enumerate() {
        let blob = clean_name(raw);
        if blob.is_none() {
            diagnostics.push(Diagnostic::warning(
                shown,
                format!(
                    "layer {i}: manifest.json names {}, which leaves the archive; refused",
                    quote(raw, QUOTE_LIMIT)
                ),
            ));
        }
        let named = blob.as_deref().and_then(content_address);
        let diff_id = diff_ids.get(i).cloned();
        let digest = match (&named, &diff_id) {
            (Some(h), _) => format!("sha256:{h}"),
            (None, Some(d)) => d.clone(),
            (None, None) => raw.clone(),
        };
        layers.push(LayerRef {
            layer: Layer {
                digest,
                diff_id: diff_id.clone(),
                created_by: history.get(i).cloned().flatten(),
            },
            diff_sha256: diff_id
                .as_deref()
                .and_then(meta::sha256_hex)
                .map(str::to_string),
            blob_sha256: named,
            blob,
        });
    }
    Ok(Picked {
        // An old `docker save` archive holds no registry manifest; the config's digest
        // (the image ID) is its identity.
        digest: config_digest.clone(),
        config_digest,
        platform: platform.map(|p| p.display()),
        name,
        tag,
        layers,
    })
}

/// The sha256 a `docker save` path is named by: `blobs/sha256/HEX` or `HEX.json`.
fn content_address(path: &str) -> Option<String> {
    let hex = path
        .strip_prefix("blobs/sha256/")
        .or_else(|| path.strip_suffix(".json"))?;
    meta::sha256_hex(&format!("sha256:{hex}")).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Compression, DockerStyle, Node, TestImage, TestLayer};
    use bomscout_walk::{EntryKind, Tree};

    fn keep_all() -> ImageOptions {
        ImageOptions {
            keep: Box::new(|_| true),
            ..ImageOptions::default()
        }
    }

    /// Every entry as `path kind layer [contents]`, for comparing with a whole expected tree.
    fn listing(tree: &MemTree) -> Vec<String> {
        tree.entries()
            .map(|(k, e)| {
                let what = match e.kind {
                    EntryKind::File => format!(
                        "file {}",
                        e.content
                            .as_ref()
                            .map_or("-".to_string(), |c| String::from_utf8_lossy(c).into_owned())
                    ),
                    EntryKind::Dir => "dir".to_string(),
                    EntryKind::Symlink => format!("-> {}", e.target.clone().unwrap_or_default()),
                    EntryKind::Other => "other".to_string(),
                };
                format!("{k} {what} @{}", e.layer)
            })
            .collect()
    }

    fn three_layers() -> TestImage {
        let base = TestLayer::new(
            Compression::Gzip,
            vec![
                ("etc", Node::Dir),
                ("etc/os-release", Node::file("ID=debian\n")),
                ("etc/motd", Node::file("hi")),
                ("usr/lib/os-release", Node::file("ID=lib\n")),
                ("var/lib/dpkg/status", Node::file("Package: a\n")),
                ("var/cache/apt/pkgcache.bin", Node::file("x")),
                ("var/cache/apt/archives/partial", Node::Dir),
                ("lib", Node::symlink("usr/lib")),
                ("dev/null", Node::Fifo),
            ],
        )
        .created_by("ADD rootfs.tar /");
        let middle = TestLayer::new(
            Compression::None,
            vec![
                ("etc/motd", Node::Whiteout),
                ("var/lib/dpkg/status", Node::file("Package: b\n")),
                ("opt/app/bin", Node::file("elf")),
                ("opt/app/link", Node::hardlink("opt/app/bin")),
            ],
        )
        .created_by("RUN apt-get install b");
        // The opaque marker comes after an entry of the same layer in that directory,
        // which must survive it.
        let top = TestLayer::new(
            Compression::Zstd,
            vec![
                ("var/cache/apt/fresh", Node::file("new")),
                ("var/cache/apt", Node::Opaque),
                ("lib/extra.so", Node::file("so")),
            ],
        )
        .created_by("RUN rm -rf /var/cache/apt");
        TestImage::new(vec![base, middle, top]).reference("localhost:5000/team/app:1.2")
    }

    fn expected_tree() -> Vec<&'static str> {
        vec![
            "dev dir @0",
            "dev/null other @0",
            "etc dir @0",
            "etc/os-release file ID=debian\n @0",
            "lib -> usr/lib @0",
            "opt dir @1",
            "opt/app dir @1",
            "opt/app/bin file elf @1",
            "opt/app/link file elf @1",
            "usr dir @0",
            "usr/lib dir @0",
            "usr/lib/extra.so file so @2",
            "usr/lib/os-release file ID=lib\n @0",
            "var dir @0",
            "var/cache dir @0",
            "var/cache/apt dir @0",
            "var/cache/apt/fresh file new @2",
            "var/lib dir @0",
            "var/lib/dpkg dir @0",
            "var/lib/dpkg/status file Package: b\n @1",
        ]
    }

    #[test]
    fn every_format_reads_to_the_same_tree() {
        let dir = tempfile::tempdir().unwrap();
        let image = three_layers();
        let oci_dir = dir.path().join("layout");
        let oci = image.write_oci_dir(&oci_dir).unwrap();
        let oci_tar = dir.path().join("layout.tar");
        image.write_oci_tar(&oci_tar).unwrap();
        let modern = dir.path().join("modern.tar");
        image.write_docker_tar(&modern, DockerStyle::Oci).unwrap();
        let legacy = dir.path().join("legacy.tar");
        let old = image
            .write_docker_tar(&legacy, DockerStyle::Legacy)
            .unwrap();
        let cases = [
            (&oci_dir, Format::OciDir, &oci.manifests[0]),
            (&oci_tar, Format::OciArchive, &oci.manifests[0]),
            (&modern, Format::OciArchive, &oci.manifests[0]),
            (&legacy, Format::DockerArchive, &old.configs[0]),
        ];
        for (path, format, digest) in cases {
            assert_eq!(sniff(path), Some(format), "{}", path.display());
            let img = open(path, &keep_all()).unwrap();
            let shown = path.display();
            assert_eq!(img.format, format, "{shown}");
            assert_eq!(listing(&img.tree), expected_tree(), "{shown}");
            assert_eq!(img.diagnostics, vec![], "{shown}");
            assert_eq!(img.name, "localhost:5000/team/app", "{shown}");
            assert_eq!(img.tag.as_deref(), Some("1.2"), "{shown}");
            assert_eq!(&img.digest, digest, "{shown}");
            assert_eq!(img.config_digest, oci.configs[0], "{shown}");
            assert_eq!(img.platform.as_deref(), Some("linux/amd64"), "{shown}");
            let created: Vec<Option<&str>> =
                img.layers.iter().map(|l| l.created_by.as_deref()).collect();
            assert_eq!(
                created,
                [
                    Some("ADD rootfs.tar /"),
                    Some("RUN apt-get install b"),
                    Some("RUN rm -rf /var/cache/apt")
                ],
                "{shown}"
            );
            assert!(img.layers.iter().all(|l| l.diff_id.is_some()), "{shown}");
            // Read through the Tree trait, symlinks resolved inside the image.
            let so = MemTree::abs("lib/extra.so");
            assert_eq!(img.tree.read(&so, 10).unwrap(), b"so", "{shown}");
            assert_eq!(img.tree.layer_of("lib/extra.so"), Some(2), "{shown}");
        }
        // The layouts name layers by their blob digests; the old docker archive by diff_id.
        let img = open(&oci_dir, &keep_all()).unwrap();
        let digests: Vec<&str> = img.layers.iter().map(|l| l.digest.as_str()).collect();
        assert_eq!(digests, oci.layers[0]);
    }

    #[test]
    fn only_asked_for_contents_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("i.tar");
        three_layers().write_oci_tar(&path).unwrap();
        let options = ImageOptions {
            keep: Box::new(|p| p == "var/lib/dpkg/status"),
            ..ImageOptions::default()
        };
        let img = open(&path, &options).unwrap();
        let status = img.tree.get("var/lib/dpkg/status").unwrap();
        assert_eq!(status.content.as_deref(), Some(&b"Package: b\n"[..]));
        let motd = img.tree.get("etc/os-release").unwrap();
        assert_eq!((motd.content.is_none(), motd.size), (true, 10));
        // Nothing kept at all by default.
        let img = open(&path, &ImageOptions::default()).unwrap();
        assert!(img.tree.entries().all(|(_, e)| e.content.is_none()));
    }

    fn platform_image(nested: bool) -> TestImage {
        let layer = |marker: &str| {
            vec![TestLayer::new(
                Compression::Gzip,
                vec![("etc/arch", Node::file(marker))],
            )]
        };
        let image = TestImage::new(layer("arm64"))
            .platform("linux/arm64/v8")
            .with_platform("linux/amd64", layer("amd64"))
            .with_platform("linux/arm/v7", layer("armv7"))
            .reference("app:2");
        if nested {
            image.nested()
        } else {
            image
        }
    }

    fn arch(img: &Image) -> String {
        let e = img.tree.get("etc/arch").unwrap();
        String::from_utf8_lossy(e.content.as_deref().unwrap()).into_owned()
    }

    #[test]
    fn platforms_are_picked_from_flat_and_nested_indexes() {
        let dir = tempfile::tempdir().unwrap();
        for nested in [false, true] {
            let path = dir.path().join(format!("multi-{nested}"));
            let written = platform_image(nested).write_oci_dir(&path).unwrap();
            let img = open(&path, &keep_all()).unwrap();
            assert_eq!(arch(&img), "amd64");
            assert_eq!(img.platform.as_deref(), Some("linux/amd64"));
            assert_eq!(img.digest, written.manifests[1]);
            assert_eq!((img.name.as_str(), img.tag.as_deref()), ("app", Some("2")));
            for (wanted, got) in [
                ("linux/arm64", "arm64"),
                ("linux/arm64/v8", "arm64"),
                ("linux/arm/v7", "armv7"),
            ] {
                let options = ImageOptions {
                    platform: Some(wanted.to_string()),
                    ..keep_all()
                };
                assert_eq!(arch(&open(&path, &options).unwrap()), got, "{wanted}");
            }
            let options = ImageOptions {
                platform: Some("linux/s390x".to_string()),
                ..keep_all()
            };
            match open(&path, &options) {
                Err(ImageError::NoSuchPlatform { wanted, available }) => {
                    assert_eq!(wanted, "linux/s390x");
                    assert_eq!(available, "linux/amd64, linux/arm/v7, linux/arm64/v8");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn without_amd64_a_multi_platform_image_needs_a_platform() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("multi.tar");
        let layer = vec![TestLayer::new(
            Compression::None,
            vec![("a", Node::file("1"))],
        )];
        TestImage::new(layer.clone())
            .platform("linux/arm64")
            .with_platform("linux/riscv64", layer)
            .write_oci_tar(&path)
            .unwrap();
        let err = open(&path, &ImageOptions::default()).unwrap_err();
        assert!(matches!(err, ImageError::NoSuchPlatform { .. }), "{err}");
        assert!(err.to_string().contains("--platform"), "{err}");
        assert!(
            err.to_string().contains("linux/arm64, linux/riscv64"),
            "{err}"
        );
        let bad = ImageOptions {
            platform: Some("arm64".to_string()),
            ..ImageOptions::default()
        };
        assert!(matches!(open(&path, &bad), Err(ImageError::Invalid(_))));
        // The single platform of a plain image is checked against its config.
        let single = dir.path().join("single");
        TestImage::new(vec![])
            .platform("linux/arm64")
            .write_oci_dir(&single)
            .unwrap();
        let amd = ImageOptions {
            platform: Some("linux/amd64".to_string()),
            ..ImageOptions::default()
        };
        assert!(matches!(
            open(&single, &amd),
            Err(ImageError::NoSuchPlatform { .. })
        ));
        let legacy = dir.path().join("legacy.tar");
        TestImage::new(vec![])
            .platform("linux/arm64")
            .write_docker_tar(&legacy, DockerStyle::Legacy)
            .unwrap();
        assert!(matches!(
            open(&legacy, &amd),
            Err(ImageError::NoSuchPlatform { .. })
        ));
    }

    #[test]
    fn names_come_from_annotations_repo_tags_or_the_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let layers = || {
            vec![TestLayer::new(
                Compression::None,
                vec![("a", Node::file("1"))],
            )]
        };
        let plain = dir.path().join("plain-image.tar");
        TestImage::new(layers()).write_oci_tar(&plain).unwrap();
        let img = open(&plain, &ImageOptions::default()).unwrap();
        assert_eq!((img.name.as_str(), img.tag), ("plain-image", None));
        let tagged = dir.path().join("tagged");
        TestImage::new(layers())
            .reference("latest")
            .write_oci_dir(&tagged)
            .unwrap();
        let img = open(&tagged, &ImageOptions::default()).unwrap();
        assert_eq!(
            (img.name.as_str(), img.tag.as_deref()),
            ("tagged", Some("latest"))
        );
        let legacy = dir.path().join("legacy.tar");
        TestImage::new(layers())
            .reference("registry.example.invalid:5000/library/debian:12")
            .write_docker_tar(&legacy, DockerStyle::Legacy)
            .unwrap();
        let img = open(&legacy, &ImageOptions::default()).unwrap();
        assert_eq!(
            (img.name.as_str(), img.tag.as_deref()),
            ("registry.example.invalid:5000/library/debian", Some("12"))
        );
    }

    #[test]
    fn sniff_says_none_for_what_is_not_an_image() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(sniff(dir.path()), None);
        let plain = dir.path().join("plain.tar");
        std::fs::write(
            &plain,
            testing::tar_of(&[("manifest.json.txt".to_string(), Node::file("{}"))]).unwrap(),
        )
        .unwrap();
        assert_eq!(sniff(&plain), None);
        let image = dir.path().join("image.tar");
        three_layers().write_oci_tar(&image).unwrap();
        let gz = dir.path().join("image.tar.gz");
        let bytes = std::fs::read(&image).unwrap();
        std::fs::write(&gz, testing::compress(&bytes, Compression::Gzip)).unwrap();
        assert_eq!(sniff(&gz), None);
        std::fs::write(dir.path().join("short"), b"ustar").unwrap();
        assert_eq!(sniff(&dir.path().join("short")), None);
        assert_eq!(sniff(&dir.path().join("missing")), None);
        assert!(matches!(
            open(&plain, &ImageOptions::default()),
            Err(ImageError::Unsupported(_))
        ));
    }

    #[test]
    fn a_blob_that_does_not_match_its_digest_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("layout");
        let written = three_layers().write_oci_dir(&path).unwrap();
        let hex = &written.layers[0][1][7..];
        let blob = path.join("blobs/sha256").join(hex);
        let mut bytes = std::fs::read(&blob).unwrap();
        // Still a valid tar (a file's contents changed), but not the bytes named.
        let at = bytes
            .windows(11)
            .position(|w| w == b"Package: b\n")
            .unwrap();
        bytes[at + 9] = b'c';
        std::fs::write(&blob, bytes).unwrap();
        let img = open(&path, &keep_all()).unwrap();
        let status = img.tree.get("var/lib/dpkg/status").unwrap();
        assert_eq!(status.content.as_deref(), Some(&b"Package: c\n"[..]));
        assert_eq!(img.diagnostics.len(), 1, "{:?}", img.diagnostics);
        let message = &img.diagnostics[0].message;
        assert!(
            message.contains(&format!("blobs/sha256/{hex}")),
            "{message}"
        );
        assert!(message.contains("damaged or was altered"), "{message}");
    }

    #[test]
    fn a_debootstrap_root_packed_as_an_image_reads_back_whole() {
        let root =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/os/debootstrap-minbase");
        let layer = TestLayer::from_dir(&root, Compression::Gzip).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("debian.tar");
        TestImage::new(vec![layer])
            .reference("debian:bookworm")
            .write_docker_tar(&path, DockerStyle::Legacy)
            .unwrap();
        let img = open(&path, &keep_all()).unwrap();
        assert_eq!(img.diagnostics, vec![]);
        let on_disk = std::fs::read(root.join("var/lib/dpkg/status")).unwrap();
        let status = img
            .tree
            .read(&MemTree::abs("var/lib/dpkg/status"), 1 << 20)
            .unwrap();
        assert_eq!(status, on_disk);
        let mut files = 0;
        for entry in walk(&root) {
            files += 1;
            let rel = entry
                .strip_prefix(&root)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            assert!(img.tree.get(&rel).is_some(), "{rel}");
        }
        assert_eq!(img.tree.len(), files);
    }

    fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            out.push(p.clone());
            if std::fs::symlink_metadata(&p).unwrap().is_dir() {
                out.extend(walk(&p));
            }
        }
        out
    }
}
