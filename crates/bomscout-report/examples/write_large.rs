//! Benchmark (not a test): writes a synthetic SBOM of N components (default 50,000) in every
//! format and prints the time and output size of each, plus the process's peak RSS.
//!
//! `cargo run --release -p bomscout-report --example write_large [-- N [FORMAT]]`

use bomscout_core::{
    Catalog, Component, DepKind, Ecosystem, Hash, HashAlg, License, Location, Project, SbomBuilder,
};
use bomscout_report::{write, Format, Settings};
use std::io::Write;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000);
    let only = std::env::args().nth(2);
    let t = Instant::now();
    let sbom = synthetic(n);
    let build = t.elapsed();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{n} components, {} edges (built in {build:.2?})",
        sbom.dependencies.len()
    );
    let settings = Settings {
        timestamp: Some(1_700_000_000),
        tool_version: "bench".into(),
        ..Settings::default()
    };
    for (name, format) in [
        ("cyclonedx-json", Format::CycloneDxJson),
        ("cyclonedx-xml", Format::CycloneDxXml),
        ("spdx-json", Format::SpdxJson),
        ("spdx-tag-value", Format::SpdxTagValue),
        ("spdx3-json", Format::Spdx3Json),
        ("json", Format::Json),
        ("table", Format::Table),
    ] {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let mut sink = Counter(0);
        let t = Instant::now();
        if let Err(e) = write(format, &sbom, &settings, &mut sink) {
            let _ = writeln!(out, "{name}: error {e}");
            continue;
        }
        let _ = writeln!(
            out,
            "{name:16} {:>8.1} ms {:>8.1} MiB",
            t.elapsed().as_secs_f64() * 1e3,
            sink.0 as f64 / 1048576.0
        );
    }
    let _ = writeln!(out, "peak RSS {}", peak_rss());
}

/// Counts bytes without keeping them: the writers stream.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn synthetic(n: usize) -> bomscout_core::Sbom {
    let licenses = [
        "MIT",
        "Apache-2.0",
        "MIT OR Apache-2.0",
        "BSD-3-Clause",
        "ISC",
    ];
    let mut cat = Catalog::default();
    let mut project = Project::new(Ecosystem::Npm, "package-lock.json");
    project.name = Some("bench".into());
    let mut nodes = Vec::with_capacity(n);
    for i in 0..n {
        let mut c = Component::new(
            Ecosystem::Npm,
            None,
            &format!("pkg-{i}"),
            &format!("1.{}.{}", i % 7, i % 13),
        )
        .expect("valid")
        .at(Location::new(format!("apps/a{}/package-lock.json", i % 50)));
        let mut l = License::declared(licenses[i % licenses.len()], "package-lock.json", "license");
        l.expression = Some(l.raw.clone());
        c.add_license(l);
        if let Some(h) = Hash::hex(HashAlg::Sha512, &format!("{:0128x}", i)) {
            c.add_hash(h);
        }
        nodes.push(cat.add_package(c));
    }
    for (i, node) in nodes.iter().enumerate() {
        if i % 20 == 0 {
            project.add_dep(
                *node,
                if i % 3 == 0 {
                    DepKind::Dev
                } else {
                    DepKind::Normal
                },
            );
        }
        for k in 1..=3 {
            if let Some(to) = nodes.get(i + k * 7) {
                cat.add_edge(*node, *to, DepKind::Normal);
            }
        }
    }
    cat.add_project(project);
    let mut b = SbomBuilder::new("bench");
    b.add(cat);
    b.finish()
}

fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "unknown".into())
}
