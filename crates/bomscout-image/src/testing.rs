//! Test images, written with the `tar` crate (feature `testing`): an OCI layout directory,
//! an OCI layout in a tar, and `docker save` archives (the old layout, and Docker 25's,
//! which holds an OCI layout too), from layers given as lists of entries, as raw bytes
//! (a damaged or hostile layer) or as a file (a big generated layer), plain, gzip or zstd.
//!
//! ```no_run
//! use bomscout_image::testing::{Compression, Node, TestImage, TestLayer};
//! let base = TestLayer::new(Compression::Gzip, vec![("etc/os-release", Node::file("ID=debian\n"))]);
//! let top = TestLayer::new(Compression::None, vec![("etc/os-release", Node::Whiteout)]);
//! TestImage::new(vec![base, top]).reference("localhost:5000/app:1")
//!     .write_oci_dir(std::path::Path::new("/tmp/layout")).unwrap();
//! ```

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// One entry of a test layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A regular file with these contents.
    File(Vec<u8>),
    /// A directory.
    Dir,
    /// A symbolic link to this target.
    Symlink(String),
    /// A hard link to this path (relative to the root, as tar writes it).
    Hardlink(String),
    /// A whiteout: the layer deletes this path (`.wh.NAME`).
    Whiteout,
    /// An opaque marker: the layer hides the lower layers' entries of this directory
    /// (`DIR/.wh..wh..opq`).
    Opaque,
    /// A FIFO.
    Fifo,
}

impl Node {
    /// A regular file.
    pub fn file(contents: impl AsRef<[u8]>) -> Node {
        Node::File(contents.as_ref().to_vec())
    }

    /// A symbolic link.
    pub fn symlink(target: &str) -> Node {
        Node::Symlink(target.to_string())
    }

    /// A hard link.
    pub fn hardlink(target: &str) -> Node {
        Node::Hardlink(target.to_string())
    }
}

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// A plain tar.
    None,
    /// gzip.
    Gzip,
    /// Zstandard.
    Zstd,
}

impl Compression {
    fn media_type(self) -> &'static str {
        match self {
            Compression::None => "application/vnd.oci.image.layer.v1.tar",
            Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }
}

#[derive(Debug, Clone)]
enum Blob {
    Bytes(Vec<u8>),
    File(PathBuf),
}

/// One layer of a [`TestImage`].
#[derive(Debug, Clone)]
pub struct TestLayer {
    blob: Blob,
    compression: Compression,
    /// The sha256 (hex) of the uncompressed tar, when known.
    diff_sha256: Option<String>,
    created_by: Option<String>,
}

/// `sha256:HEX` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

impl TestLayer {
    /// A layer holding `entries`, in this order.
    pub fn new(compression: Compression, entries: Vec<(&str, Node)>) -> TestLayer {
        let entries: Vec<(String, Node)> = entries
            .into_iter()
            .map(|(p, n)| (p.to_string(), n))
            .collect();
        let tar = tar_of(&entries).unwrap_or_default();
        let diff = sha256(&tar);
        TestLayer {
            blob: Blob::Bytes(compress(&tar, compression)),
            compression,
            diff_sha256: Some(diff),
            created_by: None,
        }
    }

    /// A layer whose blob is `bytes` exactly (a hostile or damaged layer).
    pub fn raw(bytes: Vec<u8>) -> TestLayer {
        TestLayer {
            blob: Blob::Bytes(bytes),
            compression: Compression::None,
            diff_sha256: None,
            created_by: None,
        }
    }

    /// A layer whose blob is the file at `path`, streamed (for big generated layers).
    pub fn file(path: &Path, compression: Compression) -> TestLayer {
        TestLayer {
            blob: Blob::File(path.to_path_buf()),
            compression,
            diff_sha256: None,
            created_by: None,
        }
    }

    /// A layer of the files, directories and symlinks under `dir` (sorted, relative to it).
    pub fn from_dir(dir: &Path, compression: Compression) -> io::Result<TestLayer> {
        let mut entries = Vec::new();
        collect_dir(dir, "", &mut entries)?;
        let tar = tar_of(&entries)?;
        let diff = sha256(&tar);
        Ok(TestLayer {
            blob: Blob::Bytes(compress(&tar, compression)),
            compression,
            diff_sha256: Some(diff),
            created_by: None,
        })
    }

    /// Sets the history's `created_by` for this layer.
    pub fn created_by(mut self, instruction: &str) -> TestLayer {
        self.created_by = Some(instruction.to_string());
        self
    }

    /// The blob's bytes (for a layer not read from a file).
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.blob {
            Blob::Bytes(b) => Some(b),
            Blob::File(_) => None,
        }
    }

    fn digest(&self) -> io::Result<(String, u64)> {
        match &self.blob {
            Blob::Bytes(b) => Ok((sha256(b), b.len() as u64)),
            Blob::File(p) => {
                let mut hasher = Sha256::new();
                let mut file = File::open(p)?;
                let n = io::copy(&mut file, &mut hasher)?;
                Ok((format!("sha256:{:x}", hasher.finalize()), n))
            }
        }
    }

    fn reader(&self) -> io::Result<Box<dyn Read + '_>> {
        Ok(match &self.blob {
            Blob::Bytes(b) => Box::new(b.as_slice()),
            Blob::File(p) => Box::new(File::open(p)?),
        })
    }
}

fn collect_dir(dir: &Path, rel: &str, out: &mut Vec<(String, Node)>) -> io::Result<()> {
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<io::Result<_>>()?;
    names.sort();
    for name in names {
        let Some(name) = name.to_str() else { continue };
        let path = dir.join(name);
        let rel = if rel.is_empty() {
            name.to_string()
        } else {
            format!("{rel}/{name}")
        };
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path)?;
            out.push((rel, Node::Symlink(target.to_string_lossy().into_owned())));
        } else if meta.is_dir() {
            out.push((rel.clone(), Node::Dir));
            collect_dir(&path, &rel, out)?;
        } else if meta.is_file() {
            out.push((rel, Node::File(std::fs::read(&path)?)));
        }
    }
    Ok(())
}

fn header(kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(if kind == tar::EntryType::Directory {
        0o755
    } else {
        0o644
    });
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h
}

/// A plain tar of `entries`, whiteouts and opaque markers written as `.wh.` files.
pub fn tar_of(entries: &[(String, Node)]) -> io::Result<Vec<u8>> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, node) in entries {
        match node {
            Node::File(bytes) => {
                let mut h = header(tar::EntryType::Regular, bytes.len() as u64);
                b.append_data(&mut h, path, bytes.as_slice())?;
            }
            Node::Dir => {
                let mut h = header(tar::EntryType::Directory, 0);
                b.append_data(&mut h, format!("{path}/"), io::empty())?;
            }
            Node::Symlink(target) => {
                let mut h = header(tar::EntryType::Symlink, 0);
                b.append_link(&mut h, path, target)?;
            }
            Node::Hardlink(target) => {
                let mut h = header(tar::EntryType::Link, 0);
                b.append_link(&mut h, path, target)?;
            }
            Node::Fifo => {
                let mut h = header(tar::EntryType::Fifo, 0);
                b.append_data(&mut h, path, io::empty())?;
            }
            Node::Whiteout => {
                let marker = match path.rsplit_once('/') {
                    Some((dir, name)) => format!("{dir}/.wh.{name}"),
                    None => format!(".wh.{path}"),
                };
                let mut h = header(tar::EntryType::Regular, 0);
                b.append_data(&mut h, marker, io::empty())?;
            }
            Node::Opaque => {
                let mut h = header(tar::EntryType::Regular, 0);
                b.append_data(&mut h, format!("{path}/.wh..wh..opq"), io::empty())?;
            }
        }
    }
    b.into_inner()
}

/// Appends an entry whose name and link name are written as given, unchecked (a `..`,
/// an absolute path): what a hostile layer holds. Names are cut at 100 bytes.
pub fn append_raw<W: Write>(
    b: &mut tar::Builder<W>,
    name: &[u8],
    kind: tar::EntryType,
    link: &[u8],
    data: &[u8],
) -> io::Result<()> {
    let mut h = header(kind, data.len() as u64);
    let old = h.as_old_mut();
    let n = name.len().min(100);
    old.name[..n].copy_from_slice(&name[..n]);
    let l = link.len().min(100);
    old.linkname[..l].copy_from_slice(&link[..l]);
    h.set_cksum();
    b.append(&h, data)
}

/// `bytes` compressed as asked.
pub fn compress(bytes: &[u8], compression: Compression) -> Vec<u8> {
    match compression {
        Compression::None => bytes.to_vec(),
        Compression::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let _ = e.write_all(bytes);
            e.finish().unwrap_or_default()
        }
        Compression::Zstd => zstd::encode_all(bytes, 1).unwrap_or_default(),
    }
}

/// A blob's digest and size.
type BlobInfo = (String, u64);

/// One platform's image.
#[derive(Debug, Clone)]
struct PlatformImage {
    platform: String,
    layers: Vec<TestLayer>,
}

/// An image to write: one or more platforms, their layers, an optional reference.
#[derive(Debug, Clone)]
pub struct TestImage {
    images: Vec<PlatformImage>,
    reference: Option<String>,
    nested: bool,
}

/// What was written: the digests a test checks the reader against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Per platform, in the order given: the manifest's digest (`sha256:...`).
    pub manifests: Vec<String>,
    /// Per platform: the config's digest.
    pub configs: Vec<String>,
    /// Per platform: the layers' blob digests.
    pub layers: Vec<Vec<String>>,
}

/// Where blobs go: a directory or a tar being built.
enum Sink {
    Dir(PathBuf),
    Tar(Box<tar::Builder<File>>),
}

impl Sink {
    fn put(&mut self, name: &str, size: u64, mut data: impl Read) -> io::Result<()> {
        match self {
            Sink::Dir(root) => {
                let path = root.join(name);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let mut f = File::create(path)?;
                io::copy(&mut data, &mut f)?;
                Ok(())
            }
            Sink::Tar(b) => {
                let mut h = header(tar::EntryType::Regular, size);
                b.append_data(&mut h, name, data)
            }
        }
    }

    fn put_bytes(&mut self, name: &str, bytes: &[u8]) -> io::Result<()> {
        self.put(name, bytes.len() as u64, bytes)
    }

    fn dir(&mut self, name: &str) -> io::Result<()> {
        match self {
            Sink::Dir(root) => std::fs::create_dir_all(root.join(name)),
            Sink::Tar(b) => {
                let mut h = header(tar::EntryType::Directory, 0);
                b.append_data(&mut h, format!("{name}/"), io::empty())
            }
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Sink::Dir(_) => Ok(()),
            Sink::Tar(b) => b.into_inner()?.sync_all(),
        }
    }
}

/// How `docker save` laid out its archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DockerStyle {
    /// Before Docker 25: `ID/layer.tar`, `ID.json` configs, `manifest.json`, `repositories`.
    Legacy,
    /// Docker 25 and later: an OCI layout (`blobs/sha256/...`, `index.json`) plus
    /// `manifest.json`.
    Oci,
}

impl TestImage {
    /// A linux/amd64 image of `layers`.
    pub fn new(layers: Vec<TestLayer>) -> TestImage {
        TestImage {
            images: vec![PlatformImage {
                platform: "linux/amd64".to_string(),
                layers,
            }],
            reference: None,
            nested: false,
        }
    }

    /// Sets the first platform (`os/arch[/variant]`) of the image.
    pub fn platform(mut self, platform: &str) -> TestImage {
        if let Some(first) = self.images.first_mut() {
            first.platform = platform.to_string();
        }
        self
    }

    /// Adds another platform's image (a multi-platform index).
    pub fn with_platform(mut self, platform: &str, layers: Vec<TestLayer>) -> TestImage {
        self.images.push(PlatformImage {
            platform: platform.to_string(),
            layers,
        });
        self
    }

    /// The image's reference (`localhost:5000/app:1`), written as the index's annotation
    /// and as `RepoTags`.
    pub fn reference(mut self, reference: &str) -> TestImage {
        self.reference = Some(reference.to_string());
        self
    }

    /// Puts the manifests in an image index blob that `index.json` points to (as
    /// BuildKit and Docker 25 do), rather than in `index.json` itself.
    pub fn nested(mut self) -> TestImage {
        self.nested = true;
        self
    }

    /// Writes an OCI image layout directory at `dir` (created).
    pub fn write_oci_dir(&self, dir: &Path) -> io::Result<Written> {
        std::fs::create_dir_all(dir)?;
        let mut sink = Sink::Dir(dir.to_path_buf());
        let written = self.write_oci(&mut sink, false)?;
        sink.finish()?;
        Ok(written)
    }

    /// Writes an OCI image layout as a tar at `path`.
    pub fn write_oci_tar(&self, path: &Path) -> io::Result<Written> {
        let mut sink = Sink::Tar(Box::new(tar::Builder::new(File::create(path)?)));
        let written = self.write_oci(&mut sink, false)?;
        sink.finish()?;
        Ok(written)
    }

    /// Writes a `docker save` archive at `path`, in the given style. A legacy archive
    /// holds the first platform only, as `docker save` does.
    pub fn write_docker_tar(&self, path: &Path, style: DockerStyle) -> io::Result<Written> {
        let mut sink = Sink::Tar(Box::new(tar::Builder::new(File::create(path)?)));
        let written = match style {
            DockerStyle::Oci => self.write_oci(&mut sink, true)?,
            DockerStyle::Legacy => self.write_legacy(&mut sink)?,
        };
        sink.finish()?;
        Ok(written)
    }

    /// The config's bytes, and each layer's (digest, size).
    fn config(&self, image: &PlatformImage) -> io::Result<(Vec<u8>, Vec<BlobInfo>)> {
        let mut digests = Vec::new();
        let mut diff_ids = Vec::new();
        let mut history = vec![serde_json::json!({
            "created_by": "ENV PATH=/usr/bin",
            "empty_layer": true
        })];
        for (i, layer) in image.layers.iter().enumerate() {
            let (digest, size) = layer.digest()?;
            // Unknown for raw and file layers: their blob's digest (right for plain tars).
            let diff = layer.diff_sha256.clone().unwrap_or_else(|| digest.clone());
            diff_ids.push(diff);
            history.push(serde_json::json!({
                "created_by": layer.created_by.clone().unwrap_or_else(|| format!("layer {i}")),
            }));
            digests.push((digest, size));
        }
        let mut parts = image.platform.split('/');
        let mut config = serde_json::json!({
            "os": parts.next().unwrap_or("linux"),
            "architecture": parts.next().unwrap_or("amd64"),
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": history,
        });
        if let Some(variant) = parts.next() {
            config["variant"] = serde_json::json!(variant);
        }
        Ok((serde_json::to_vec(&config)?, digests))
    }

    fn write_oci(&self, sink: &mut Sink, docker: bool) -> io::Result<Written> {
        sink.put_bytes("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#)?;
        sink.dir("blobs")?;
        sink.dir("blobs/sha256")?;
        let mut written = Written {
            manifests: Vec::new(),
            configs: Vec::new(),
            layers: Vec::new(),
        };
        let mut descriptors = Vec::new();
        let mut docker_manifest = Vec::new();
        for image in &self.images {
            let (config, layers) = self.config(image)?;
            let config_digest = sha256(&config);
            put_blob(sink, &config_digest, &config)?;
            let mut layer_descriptors = Vec::new();
            for (layer, (digest, size)) in image.layers.iter().zip(&layers) {
                let name = format!("blobs/sha256/{}", &digest[7..]);
                sink.put(&name, *size, layer.reader()?)?;
                layer_descriptors.push(serde_json::json!({
                    "mediaType": layer.compression.media_type(),
                    "digest": digest,
                    "size": size,
                }));
            }
            let manifest = serde_json::to_vec(&serde_json::json!({
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {
                    "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": config_digest,
                    "size": config.len(),
                },
                "layers": layer_descriptors,
            }))?;
            let manifest_digest = sha256(&manifest);
            put_blob(sink, &manifest_digest, &manifest)?;
            let mut parts = image.platform.split('/');
            let mut platform = serde_json::json!({
                "os": parts.next().unwrap_or("linux"),
                "architecture": parts.next().unwrap_or("amd64"),
            });
            if let Some(variant) = parts.next() {
                platform["variant"] = serde_json::json!(variant);
            }
            descriptors.push(serde_json::json!({
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": manifest_digest,
                "size": manifest.len(),
                "platform": platform,
            }));
            docker_manifest.push(serde_json::json!({
                "Config": format!("blobs/sha256/{}", &config_digest[7..]),
                "RepoTags": self.reference.iter().collect::<Vec<_>>(),
                "Layers": layers.iter().map(|(d, _)| format!("blobs/sha256/{}", &d[7..])).collect::<Vec<_>>(),
            }));
            written.manifests.push(manifest_digest);
            written.configs.push(config_digest);
            written
                .layers
                .push(layers.into_iter().map(|(d, _)| d).collect());
        }
        let mut annotations = serde_json::Map::new();
        if let Some(reference) = &self.reference {
            if docker {
                annotations.insert("io.containerd.image.name".into(), reference.clone().into());
                let tag = reference.rsplit_once(':').map_or("latest", |(_, t)| t);
                annotations.insert("org.opencontainers.image.ref.name".into(), tag.into());
            } else {
                annotations.insert(
                    "org.opencontainers.image.ref.name".into(),
                    reference.clone().into(),
                );
            }
        }
        let top = if self.nested || self.images.len() > 1 && docker {
            let index = serde_json::to_vec(&serde_json::json!({
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "manifests": descriptors,
            }))?;
            let digest = sha256(&index);
            put_blob(sink, &digest, &index)?;
            vec![serde_json::json!({
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "digest": digest,
                "size": index.len(),
                "annotations": annotations,
            })]
        } else {
            descriptors
                .into_iter()
                .map(|mut d| {
                    d["annotations"] = serde_json::Value::Object(annotations.clone());
                    d
                })
                .collect()
        };
        let index = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": top,
        }))?;
        sink.put_bytes("index.json", &index)?;
        if docker {
            sink.put_bytes("manifest.json", &serde_json::to_vec(&docker_manifest)?)?;
        }
        Ok(written)
    }

    fn write_legacy(&self, sink: &mut Sink) -> io::Result<Written> {
        let image = self
            .images
            .first()
            .ok_or_else(|| io::Error::other("a test image needs a platform"))?;
        let (config, layers) = self.config(image)?;
        let config_digest = sha256(&config);
        let mut paths = Vec::new();
        for (i, (layer, (digest, size))) in image.layers.iter().zip(&layers).enumerate() {
            // Old docker save names each layer directory by a v1 ID, not by its digest.
            let id = &sha256(format!("v1 {i} {digest}").as_bytes())[7..];
            sink.dir(id)?;
            sink.put_bytes(&format!("{id}/VERSION"), b"1.0")?;
            sink.put_bytes(
                &format!("{id}/json"),
                format!(r#"{{"id":"{id}"}}"#).as_bytes(),
            )?;
            sink.put(&format!("{id}/layer.tar"), *size, layer.reader()?)?;
            paths.push(format!("{id}/layer.tar"));
        }
        sink.put_bytes(&format!("{}.json", &config_digest[7..]), &config)?;
        let manifest = serde_json::json!([{
            "Config": format!("{}.json", &config_digest[7..]),
            "RepoTags": self.reference.iter().collect::<Vec<_>>(),
            "Layers": paths,
        }]);
        sink.put_bytes("manifest.json", &serde_json::to_vec(&manifest)?)?;
        if let Some(reference) = &self.reference {
            if let Some((name, tag)) = reference.rsplit_once(':') {
                let repositories =
                    serde_json::json!({ name: { tag: paths.last().map(|p| &p[..64]) } });
                sink.put_bytes("repositories", &serde_json::to_vec(&repositories)?)?;
            }
        }
        Ok(Written {
            manifests: vec![config_digest.clone()],
            configs: vec![config_digest],
            layers: vec![layers.into_iter().map(|(d, _)| d).collect()],
        })
    }
}

fn put_blob(sink: &mut Sink, digest: &str, bytes: &[u8]) -> io::Result<()> {
    sink.put_bytes(&format!("blobs/sha256/{}", &digest[7..]), bytes)
}
