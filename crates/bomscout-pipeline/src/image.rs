//! Container images as scan paths: a path that [`bomscout_image::sniff`] recognizes is
//! opened with [`bomscout_image::open`] (contents kept only for
//! [`bomscout_catalog::wanted_in_image`] paths), its merged file system walked with
//! [`bomscout_walk::walk_tree`] and catalogued through that tree, never through the host's
//! disk, with the host's package caches off.
//!
//! The image itself becomes a component of kind `container` (name, version = the tag or
//! the digest, `pkg:oci/<name>@<digest>?repository_url=...&tag=...` per the purl spec's
//! `oci` type, the properties `image-config-digest`, `image-platform`, `image-digest`), and
//! every package found in it gets the property `layer`: the digest of the layer that
//! brought the file it was read from (for a Debian package, its own
//! `var/lib/dpkg/info/<name>.list`, since every layer that installs packages rewrites the
//! status file), and `layer-created-by`, the Dockerfile instruction, when the image says.
//! The writers show them as `bomscout:layer` and `bomscout:layer-created-by`.

use crate::{Error, Settings};
use bomscout_core::escape::{printable, quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, Component, ComponentKind, Diagnostic, Ecosystem, Location, Purl, Reporter, SbomBuilder,
};
use bomscout_image::{Image, ImageError, ImageOptions};
use bomscout_walk::MemTree;
use std::path::Path;

/// Largest single file of an image whose contents are kept for the catalogers.
const MAX_FILE: u64 = 256 * 1024 * 1024;
/// Most bytes of file contents kept in memory at once, per image.
const MAX_KEPT: u64 = 2 * 1024 * 1024 * 1024;
/// Most tar entries read, across all layers.
const MAX_ENTRIES: u64 = 2_000_000;
/// Most bytes of layer content read (decompressed), across all layers.
const MAX_TOTAL: u64 = 16 * 1024 * 1024 * 1024;

/// True when `path` is a container image (a `docker save` tar, an OCI layout directory or
/// tar) rather than a directory or file to walk.
pub fn is_image(path: &Path) -> bool {
    bomscout_image::sniff(path).is_some()
}

/// The options an image is opened with: keep what the catalogers read, on the platform
/// the settings name.
pub(crate) fn options(settings: &Settings) -> ImageOptions {
    ImageOptions {
        platform: settings.platform.clone(),
        max_entries: MAX_ENTRIES,
        max_total: MAX_TOTAL,
        max_file: MAX_FILE,
        max_kept: MAX_KEPT,
        keep: Box::new(bomscout_catalog::wanted_in_image),
    }
}

/// Opens the image at `path`; an image that cannot be read is an error diagnostic naming
/// the file, as an unreadable directory is: the result does not cover it, so `--strict`
/// and the gate fail on it.
pub(crate) fn open(path: &Path, settings: &Settings) -> Result<Image, Diagnostic> {
    bomscout_image::open(path, &options(settings)).map_err(|e| {
        let what = match &e {
            ImageError::NoSuchPlatform { .. } => "pick one with --platform OS/ARCH[/VARIANT]",
            ImageError::Unsupported(_) => {
                "give a `docker save` archive or an OCI image layout (a directory or a tar)"
            }
            ImageError::Invalid(_) | ImageError::Io(_) => {
                "check the file; nothing in this image was catalogued"
            }
        };
        Diagnostic::error(
            printable(&path.display().to_string()),
            format!("cannot read the container image: {e}; {what}"),
        )
    })
}

/// The document name for an image: `name:tag`, or `name@digest`.
pub(crate) fn document_name(image: &Image) -> String {
    match &image.tag {
        Some(tag) => format!("{}:{tag}", image.name),
        None => format!("{}@{}", image.name, image.digest),
    }
}

/// Catalogs `image` into `builder`: its files (paths prefixed with `prefix/` when several
/// paths are scanned), its diagnostics, and the image as a `container` component. `label`
/// names the image in a diagnostic about it as a whole (its path as given).
pub(crate) fn add(
    builder: &mut SbomBuilder,
    image: &Image,
    prefix: Option<&str>,
    label: &str,
    settings: &Settings,
    reporter: &dyn Reporter,
) -> Result<(), Error> {
    let shown = |rel: &str| match prefix {
        Some(p) => format!("{p}/{rel}"),
        None => rel.to_string(),
    };
    for d in &image.diagnostics {
        let mut d = d.clone();
        if prefix.is_some() {
            d.path = shown(&d.path);
        }
        builder.diagnostic(d);
    }
    let mut walked = bomscout_walk::walk_tree(&image.tree, &settings.walk_options())?;
    for d in walked.diagnostics {
        builder.diagnostic(d);
    }
    let inside: Vec<String> = walked.files.iter().map(|f| f.rel.clone()).collect();
    if prefix.is_some() {
        for f in &mut walked.files {
            f.rel = shown(&f.rel);
        }
    }
    if walked.files.is_empty() {
        builder.diagnostic(Diagnostic::new(
            settings.nothing_found,
            label,
            "nothing found to catalog in this container image: no package database, \
             lockfile, manifest or installed-package record",
        ));
    }
    let options = bomscout_catalog::Options {
        // The host's caches say nothing about an image's packages (and the tree is not the
        // host's, so the catalogers would not read them anyway).
        read_caches: false,
        ..settings.catalog_options()
    };
    let mut index = 0;
    bomscout_catalog::catalog_each(
        &walked.files,
        &image.tree,
        &options,
        reporter,
        |mut catalog| {
            if let Some(rel) = inside.get(index) {
                mark_layers(&mut catalog, image, rel);
            }
            index += 1;
            builder.add(catalog);
        },
    );
    match component(image, prefix) {
        Ok(c) => {
            let mut catalog = Catalog::default();
            catalog.add_package(c);
            builder.add(catalog);
        }
        Err(message) => builder.diagnostic(Diagnostic::warning(label, message)),
    }
    Ok(())
}

/// Sets `layer` (and `layer-created-by`) on every package of the catalog of the file
/// `rel` (relative to the image root).
fn mark_layers(catalog: &mut Catalog, image: &Image, rel: &str) {
    let file_layer = image.tree.layer_of(rel);
    let os_root = rel
        .strip_suffix("var/lib/dpkg/status")
        .filter(|r| r.is_empty() || r.ends_with('/'));
    for package in &mut catalog.packages {
        let c = &mut package.component;
        let own = match (os_root, c.ecosystem) {
            (Some(root), Ecosystem::Deb) => dpkg_layer(&image.tree, root, c),
            _ => None,
        };
        let Some(layer) = own
            .or(file_layer)
            .and_then(|i| image.layers.get(usize::try_from(i).ok()?))
        else {
            continue;
        };
        c.properties
            .insert("layer".to_string(), layer.digest.clone());
        if let Some(by) = layer.created_by.as_deref().filter(|s| !s.is_empty()) {
            c.properties
                .insert("layer-created-by".to_string(), by.to_string());
        }
    }
}

/// The layer that installed a Debian package: the one that wrote its file list
/// (`var/lib/dpkg/info/<name>:<arch>.list`, or `<name>.list` on older dpkg), listed in the
/// tree whether or not its contents were kept.
fn dpkg_layer(tree: &MemTree, root: &str, c: &Component) -> Option<u32> {
    if !c
        .name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return None;
    }
    let arch = c
        .purl
        .as_str()
        .split_once("arch=")
        .map(|(_, rest)| rest.split('&').next().unwrap_or(rest));
    let info = format!("{root}var/lib/dpkg/info/{}", c.name);
    arch.map(|a| format!("{info}:{a}.list"))
        .into_iter()
        .chain([format!("{info}.list")])
        .find_map(|p| tree.layer_of(&p))
}

/// The image as a component of kind `container`.
fn component(image: &Image, prefix: Option<&str>) -> Result<Component, String> {
    let version = image.tag.as_deref().unwrap_or(&image.digest);
    let mut c = Component::new(Ecosystem::Docker, None, &image.name, version)
        .map_err(|e| format!("the image is not recorded as a component: {e}"))?;
    c.purl = oci_purl(image).map_err(|e| {
        format!(
            "the image {} has no valid package URL: {e}",
            quote(&image.name, QUOTE_LIMIT)
        )
    })?;
    c.kind = ComponentKind::Container;
    c.properties
        .insert("image-digest".to_string(), image.digest.clone());
    c.properties.insert(
        "image-config-digest".to_string(),
        image.config_digest.clone(),
    );
    if let Some(p) = &image.platform {
        c.properties.insert("image-platform".to_string(), p.clone());
    }
    c.locations.insert(Location::new(prefix.unwrap_or(".")));
    Ok(c)
}

/// `pkg:oci/<last segment of the name>@<digest>?repository_url=<the name>&tag=<tag>`, per
/// the purl spec's `oci` type: the name lower-cased, the digest as the version, and the
/// whole repository (`ghcr.io/org/app`, as the spec's `docker.io/library/debian` example)
/// as `repository_url` when the name holds a registry or namespace.
fn oci_purl(image: &Image) -> Result<Purl, packageurl::Error> {
    let repository = image.name.to_ascii_lowercase();
    let last = repository.rsplit('/').next().unwrap_or(&repository);
    let mut purl = packageurl::PackageUrl::new("oci", last)?;
    purl.with_version(image.digest.as_str())?;
    if repository.contains('/') {
        purl.add_qualifier("repository_url", repository.as_str())?;
    }
    if let Some(tag) = image.tag.as_deref().filter(|t| !t.is_empty()) {
        purl.add_qualifier("tag", tag)?;
    }
    Ok(Purl::from_canonical(purl.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bomscout_image::{Format, Layer};

    fn image(name: &str, tag: Option<&str>) -> Image {
        Image {
            format: Format::OciDir,
            name: name.to_string(),
            tag: tag.map(str::to_string),
            digest: "sha256:0123abcd".to_string(),
            config_digest: "sha256:cafe".to_string(),
            platform: Some("linux/amd64".to_string()),
            layers: vec![Layer {
                digest: "sha256:aaaa".to_string(),
                diff_id: None,
                created_by: None,
            }],
            tree: MemTree::new(),
            diagnostics: Vec::new(),
        }
    }

    /// The `packageurl` crate's canonical form, as every other purl bomscout writes: a `/`
    /// in a qualifier value is percent-encoded.
    #[test]
    fn oci_purls() {
        let purl = |name: &str, tag: Option<&str>| oci_purl(&image(name, tag)).unwrap();
        assert_eq!(
            purl("ghcr.io/org/App", Some("1.2")).as_str(),
            "pkg:oci/app@sha256:0123abcd?repository_url=ghcr.io%2Forg%2Fapp&tag=1.2"
        );
        assert_eq!(
            purl("debian", None).as_str(),
            "pkg:oci/debian@sha256:0123abcd"
        );
        assert_eq!(
            purl("localhost:5000/app", Some("latest")).as_str(),
            "pkg:oci/app@sha256:0123abcd?repository_url=localhost:5000%2Fapp&tag=latest"
        );
    }

    #[test]
    fn the_image_component() {
        let c = component(&image("library/debian", Some("12")), None).unwrap();
        assert_eq!(c.kind, ComponentKind::Container);
        assert_eq!(c.name, "library/debian");
        assert_eq!(c.version.as_deref(), Some("12"));
        assert_eq!(c.properties["image-config-digest"], "sha256:cafe");
        assert_eq!(c.properties["image-platform"], "linux/amd64");
        let untagged = component(&image("library/debian", None), Some("a.tar")).unwrap();
        assert_eq!(untagged.version.as_deref(), Some("sha256:0123abcd"));
        assert_eq!(
            document_name(&image("library/debian", None)),
            "library/debian@sha256:0123abcd"
        );
    }
}
