//! Property tests over the fuzz targets' entry points: a short taste of fuzzing that runs
//! in CI (`bench/fuzz.sh` is the long run). Cases differ from run to run; a failing case is
//! saved by proptest under `proptest-regressions/` and replayed first on the next run, so
//! commit that file with the fix.
//!
//! Arbitrary bytes go to every parser family; more usefully, real fixtures are mutated the
//! way broken files are broken in practice (cut short, bytes spliced in, a range repeated)
//! and given to the parser that reads them. Every case must return without panicking, and
//! a fixture cut short must never report more packages than the whole file.

mod families;

use families::{Member, FAMILIES};
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// Cases per property: enough to shake out a parser that indexes or slices on input-derived
/// offsets, few enough that the whole file runs in seconds in a debug build.
const CASES: u32 = 64;

/// One real file and the member that reads it, with its package count when parsed whole.
struct Sample {
    member: &'static Member,
    fixture: &'static str,
    bytes: Vec<u8>,
    packages: usize,
}

/// Every fixture the families name, read once.
fn samples() -> &'static [Sample] {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let options = families::options();
        let mut out = Vec::new();
        for family in FAMILIES {
            for member in family.members {
                for fixture in member.fixtures {
                    let bytes = std::fs::read(repo.join(fixture))
                        .unwrap_or_else(|e| panic!("{fixture}: {e}"));
                    let whole = families::parse_member(member, &bytes, &options)
                        .unwrap_or_else(|e| panic!("{fixture} does not parse whole: {e}"));
                    out.push(Sample {
                        member,
                        fixture,
                        packages: whole.packages.len(),
                        bytes,
                    });
                }
            }
        }
        out
    })
}

/// Packages `member` reports for `bytes`, or 0 when it refuses them.
fn packages(member: &Member, bytes: &[u8]) -> usize {
    families::parse_member(member, bytes, &families::options())
        .map(|c| c.packages.len())
        .unwrap_or(0)
}

/// The offset at fraction `at` (0.0 to 1.0) of a `len`-byte file.
fn position(len: usize, at: f64) -> usize {
    ((len as f64 * at) as usize).min(len)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_bytes_never_panic(
        family in 0..FAMILIES.len(),
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        families::run(&FAMILIES[family], &bytes);
    }

    #[test]
    fn a_cut_file_never_reports_more_than_the_whole(pick in any::<prop::sample::Index>(), at in 0.0..1.0f64) {
        let sample = pick.get(samples());
        let cut = &sample.bytes[..position(sample.bytes.len(), at)];
        let found = packages(sample.member, cut);
        prop_assert!(
            found <= sample.packages,
            "{} cut at {} bytes reports {} packages, the whole file {}",
            sample.fixture, cut.len(), found, sample.packages
        );
    }

    #[test]
    fn spliced_bytes_never_panic(
        pick in any::<prop::sample::Index>(),
        at in 0.0..1.0f64,
        replaced in 0usize..16,
        insert in proptest::collection::vec(any::<u8>(), 0..32),
    ) {
        let sample = pick.get(samples());
        let start = position(sample.bytes.len(), at);
        let end = (start + replaced).min(sample.bytes.len());
        let mut bytes = sample.bytes.clone();
        bytes.splice(start..end, insert);
        packages(sample.member, &bytes);
    }

    #[test]
    fn a_repeated_range_never_panics(
        pick in any::<prop::sample::Index>(),
        from in 0.0..1.0f64,
        len in 0usize..4096,
        to in 0.0..1.0f64,
    ) {
        let sample = pick.get(samples());
        let n = sample.bytes.len();
        let start = position(n, from);
        let end = (start + len).min(n);
        let at = position(n, to);
        let mut bytes = sample.bytes.clone();
        let range = sample.bytes[start..end].to_vec();
        bytes.splice(at..at, range);
        packages(sample.member, &bytes);
    }
}

#[test]
fn every_family_has_fixtures_to_mutate() {
    for family in FAMILIES {
        if family.name == "sbom" {
            // SBOM documents are not fixtures (they are bomscout's own output); the seed
            // corpus and the arbitrary-bytes property cover them.
            continue;
        }
        let named = family.members.iter().flat_map(|m| m.fixtures.iter());
        let read = named
            .filter(|f| samples().iter().any(|s| s.fixture == **f))
            .count();
        assert!(read > 0, "family {} names no fixture", family.name);
    }
}
