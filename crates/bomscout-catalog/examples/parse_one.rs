//! Parses one lockfile and prints how many packages it held and how long parsing took:
//! `cargo run --release -p bomscout-catalog --example parse_one -- cargo-lock FILE`.
//! Used by `bench/limits.py` (run it under `/usr/bin/time -v` for the peak RSS).
#![allow(clippy::print_stdout, clippy::print_stderr)] // a benchmark tool's output

use bomscout_catalog::{parse, Input, Options};
use bomscout_core::Cataloger;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(kind), Some(file)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: parse_one cargo-lock|uv-lock|poetry-lock|pylock|pnpm-lock FILE");
        return ExitCode::from(2);
    };
    let cataloger = match kind.as_str() {
        "cargo-lock" => Cataloger::CargoLock,
        "uv-lock" => Cataloger::UvLock,
        "poetry-lock" => Cataloger::PoetryLock,
        "pylock" => Cataloger::Pylock,
        "pnpm-lock" => Cataloger::PnpmLock,
        other => {
            eprintln!("unknown kind {other}");
            return ExitCode::from(2);
        }
    };
    let path = Path::new(file);
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(2);
        }
    };
    let options = Options {
        read_caches: false,
        ..Options::default()
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or(file);
    let input = Input {
        bytes: &bytes,
        shared_path: &bomscout_core::SharedStr::from(name),
        abs: path,
        root: std::path::Path::new("/"),
        options: &options,
        tree: &bomscout_catalog::DISK,
    };
    let start = Instant::now();
    let result = parse(cataloger, &input);
    let elapsed = start.elapsed();
    match result {
        Ok(c) => {
            println!(
                "{} packages, {} diagnostics, {:.1} ms",
                c.packages.len(),
                c.diagnostics.len(),
                elapsed.as_secs_f64() * 1000.0
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("error: {e} ({:.1} ms)", elapsed.as_secs_f64() * 1000.0);
            ExitCode::from(1)
        }
    }
}
