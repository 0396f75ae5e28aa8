//! Times the parsers that locate each entry's line on generated lockfiles of growing size,
//! to show linear growth: `cargo run -p bomscout-catalog --example quadratic -- [FORMAT...]
//! [--sizes 5000,25000,100000]` (bench/quadratic.sh runs it; bench/RESULTS-quadratic.md
//! has the numbers).
// A benchmark program: its output is its purpose (the workspace forbids printing in the
// libraries, where a Reporter is used).
#![allow(clippy::print_stdout, clippy::print_stderr)]

// `entries` (the expected lines) are for the hostile_lines test.
#[allow(dead_code)]
mod gen;

use bomscout_catalog::{parse, Input, Options};
use std::path::Path;
use std::time::Instant;

fn main() {
    let mut formats: Vec<String> = Vec::new();
    let mut sizes = vec![5_000, 25_000, 100_000];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--sizes" {
            let list = args.next().unwrap_or_default();
            sizes = list.split(',').filter_map(|s| s.parse().ok()).collect();
        } else {
            formats.push(a);
        }
    }
    if formats.is_empty() {
        formats = gen::FORMATS.iter().map(|s| s.to_string()).collect();
    }
    println!("| format | entries | bytes | seconds | µs/entry |");
    println!("|---|---:|---:|---:|---:|");
    for format in &formats {
        for &n in &sizes {
            let Some(g) = gen::generate(format, n) else {
                eprintln!("unknown format {format}; known: {:?}", gen::FORMATS);
                std::process::exit(2);
            };
            let options = Options::default();
            let abs = Path::new("/nonexistent").join(g.file);
            let input = Input {
                bytes: g.text.as_bytes(),
                shared_path: &bomscout_core::SharedStr::from(g.file),
                abs: &abs,
                root: std::path::Path::new("/"),
                options: &options,
                tree: &bomscout_catalog::DISK,
            };
            let start = Instant::now();
            let result = parse(g.cataloger, &input);
            let secs = start.elapsed().as_secs_f64();
            let packages = result.map(|c| c.packages.len()).unwrap_or(0);
            assert_eq!(packages, n, "{format}: every entry is a package");
            println!(
                "| {format} | {n} | {} | {secs:.2} | {:.1} |",
                g.text.len(),
                secs * 1e6 / n as f64
            );
        }
    }
}
