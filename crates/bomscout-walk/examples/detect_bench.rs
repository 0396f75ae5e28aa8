//! Times the detection table: `detect` over every file path under a tree, and the whole
//! `walk` of that tree.
//!
//! `cargo run -p bomscout-walk --example detect_bench --release -- ROOT [ROUNDS]`
//!
//! Prints the minimum over ROUNDS (default 20) of the time `detect` takes per path, for all
//! files under ROOT (paths relative to ROOT, every file, detected or not), and the minimum
//! over 5 rounds of `walk(ROOT)`. The minimum, because the machine is shared: anything else
//! running only ever adds time.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a benchmark tool's output

use bomscout_core::Silent;
use bomscout_walk::{detect, walk, WalkOptions};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(root) = args.next().map(PathBuf::from) else {
        eprintln!("usage: detect_bench ROOT [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(20);
    let mut paths = Vec::new();
    for entry in ignore::WalkBuilder::new(&root)
        .standard_filters(false)
        .build()
        .flatten()
    {
        if entry.file_type().is_some_and(|t| t.is_file()) {
            if let Ok(rel) = entry.path().strip_prefix(&root) {
                paths.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut best = Duration::MAX;
    let mut hits = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        hits = paths.iter().filter(|p| detect(p).is_some()).count();
        best = best.min(start.elapsed());
    }
    println!(
        "detect: {} paths, {} detected, best of {rounds}: {:.1} ms ({:.0} ns/path)",
        paths.len(),
        hits,
        best.as_secs_f64() * 1e3,
        best.as_nanos() as f64 / paths.len().max(1) as f64
    );
    let mut best = Duration::MAX;
    let mut found = 0;
    for _ in 0..5 {
        let start = Instant::now();
        match walk(
            std::slice::from_ref(&root),
            &WalkOptions::default(),
            &Silent,
        ) {
            Ok(walked) => found = walked.files.len(),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
        best = best.min(start.elapsed());
    }
    println!(
        "walk: {found} files detected, best of 5: {:.1} ms",
        best.as_secs_f64() * 1e3
    );
}
