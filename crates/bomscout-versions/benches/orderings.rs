//! Parse and compare costs per scheme: `cargo bench -p bomscout-versions`.
//!
//! Prints nanoseconds per parse, per comparison of two parsed versions, and per `compare` of two
//! strings, on a realistic list per scheme, plus the worst hostile inputs allowed (`MAX_LEN`
//! bytes). The advisory matcher parses an installed version once and compares it with every
//! range event of every advisory for that package, so comparisons of parsed versions are the
//! hot path.

// A benchmark reports on stdout.
#![allow(clippy::print_stdout)]

use bomscout_versions::{compare, Scheme, Version, MAX_LEN};
use std::hint::black_box;
use std::time::Instant;

fn samples(scheme: Scheme) -> Vec<&'static str> {
    match scheme {
        Scheme::SemVer => vec![
            "1.0.0",
            "1.0.0-rc.1",
            "4.17.21",
            "0.0.0-0",
            "2.0.0-beta.11+build.5",
        ],
        Scheme::Go => vec![
            "v1.2.3",
            "v0.0.0-20191109021931-daa7c04131f5",
            "v2.0.0+incompatible",
        ],
        Scheme::Pep440 => vec!["1.0", "1.0.post1", "2!1.0rc1.dev3", "1.0+local.7", "2.31.0"],
        Scheme::Maven => vec![
            "1.0",
            "1.0-SNAPSHOT",
            "2.0.0.Final",
            "1.2.3-20200101.123456-1",
        ],
        Scheme::RubyGems => vec!["1.0", "1.0.a", "5.0.0.rc2", "7.1.3.4"],
        Scheme::NuGet => vec!["1.0.0", "1.0.0.1", "4.0.0-beta.2", "13.0.3"],
        Scheme::Composer => vec!["1.0.0", "v2.1.0-RC1", "2.x-dev", "1.0.0-patch1"],
        Scheme::Debian => vec![
            "1.0-1",
            "1:2.39.5-0+deb12u1",
            "7.88.1-10+deb12u5",
            "1.0~rc1",
        ],
        Scheme::Alpine => vec![
            "1.0-r0",
            "2.9.11_pre20061021-r2",
            "1.2.3_p1-r5",
            "3.0.13-r0",
        ],
        Scheme::Rpm => vec!["1.0-1", "1:2.39.5-1.fc40", "3.0.7-27.el9", "1.0~rc1^git2-3"],
        Scheme::Generic => vec!["1.2.3", "2023.10.1", "1.0rc1", "r2023.2"],
    }
}

fn per_op(iterations: u64, f: impl Fn()) -> f64 {
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    start.elapsed().as_nanos() as f64 / iterations as f64
}

fn main() {
    const N: u64 = 200_000;
    println!(
        "{:<9} {:>10} {:>12} {:>12}",
        "scheme", "parse ns", "cmp ns", "compare ns"
    );
    for scheme in Scheme::ALL {
        let texts = samples(scheme);
        let parsed: Vec<Version> = texts
            .iter()
            .map(|t| Version::parse(scheme, t).expect("sample parses"))
            .collect();
        let n = texts.len();
        let parse = per_op(N, || {
            for t in &texts {
                black_box(Version::parse(scheme, black_box(t)).ok());
            }
        }) / n as f64;
        let cmp = per_op(N, || {
            for a in &parsed {
                for b in &parsed {
                    black_box(black_box(a).cmp(black_box(b)));
                }
            }
        }) / (n * n) as f64;
        let strings = per_op(N / 10, || {
            for a in &texts {
                for b in &texts {
                    black_box(compare(scheme, black_box(a), black_box(b)));
                }
            }
        }) / (n * n) as f64;
        println!(
            "{:<9} {parse:>10.0} {cmp:>12.1} {strings:>12.0}",
            scheme.as_str()
        );
    }
    let hostile = [
        "1-".repeat(MAX_LEN / 2),
        "1.".repeat(MAX_LEN / 2),
        "9".repeat(MAX_LEN),
        "a1".repeat(MAX_LEN / 2),
        "1_p".repeat(MAX_LEN / 3),
    ];
    println!("\nworst hostile input of {MAX_LEN} bytes, parse + compare with itself, ns:");
    for scheme in Scheme::ALL {
        let worst = hostile
            .iter()
            .map(|h| {
                per_op(2_000, || {
                    black_box(compare(scheme, black_box(h), black_box(h))).map_or((), drop)
                })
            })
            .fold(0.0, f64::max);
        println!("{:<9} {worst:>10.0}", scheme.as_str());
    }
}
