//! Hostile nesting: YAML, TOML and JSON lockfiles nested far deeper than any real one are
//! refused with an error naming the line, never parsed for seconds or overflowing the
//! stack. (How fast the refusal is, is measured in bench/RESULTS-limits.md, not here.)

use bomscout_catalog::{parse, Input, Options, ParseError};
use bomscout_core::Cataloger;
use std::path::Path;

fn parse_text(cataloger: Cataloger, path: &str, text: &str) -> Result<usize, ParseError> {
    let options = Options::default();
    let abs = Path::new("/nonexistent/bomscout-test").join(path);
    let input = Input {
        bytes: text.as_bytes(),
        shared_path: &bomscout_core::SharedStr::from(path),
        abs: &abs,
        root: Path::new("/nonexistent/bomscout-test"),
        options: &options,
        tree: &bomscout_catalog::DISK,
    };
    parse(cataloger, &input).map(|c| c.packages.len())
}

/// The error is a refusal for depth, at `line`.
fn assert_refused(result: Result<usize, ParseError>, line: u32) {
    let err = result.expect_err("a 100,000-deep document must be refused");
    assert_eq!(err.line(), Some(line), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("nested deeper than 128 levels") && message.contains("refused"),
        "{message}"
    );
}

#[test]
fn deep_yaml_block_nesting_is_refused_at_the_limit() {
    // `packages:\n  a:\n   a:\n …`: one level per line; level 129 is on line 130.
    let mut text = String::from("lockfileVersion: '9.0'\npackages:\n");
    for depth in 0..100_000 {
        text.push_str(&" ".repeat(depth + 2));
        text.push_str("a:\n");
    }
    assert_refused(
        parse_text(Cataloger::PnpmLock, "pnpm-lock.yaml", &text),
        130,
    );
}

#[test]
fn deep_yaml_flow_nesting_is_refused_at_the_limit() {
    let text = format!(
        "lockfileVersion: '9.0'\npackages: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_refused(parse_text(Cataloger::PnpmLock, "pnpm-lock.yaml", &text), 2);
    // Also through a side path: Podfile.lock, pubspec.lock, stack.yaml.lock, berry.
    for (cataloger, name) in [
        (Cataloger::PodfileLock, "Podfile.lock"),
        (Cataloger::PubspecLock, "pubspec.lock"),
        (Cataloger::StackLock, "stack.yaml.lock"),
        (Cataloger::YarnLock, "yarn.lock"),
    ] {
        let text = format!(
            "__metadata:\n  version: 6\nPODS: {}\n",
            "{a: ".repeat(100_000)
        );
        let err = parse_text(cataloger, name, &text).expect_err(name);
        assert!(err.to_string().contains("nested deeper"), "{name}: {err}");
        assert_eq!(err.line(), Some(3), "{name}");
    }
}

#[test]
fn deep_toml_arrays_tables_and_dotted_keys_are_refused() {
    let arrays = format!(
        "version = 4\n\n[[package]]\nname = \"a\"\nx = {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let tables = format!("version = 4\nx = {}\n", "{a = ".repeat(100_000));
    let dotted = format!("version = 4\n\n{} = 1\n", vec!["a"; 100_000].join("."));
    let header = format!("version = 4\n\n[{}]\n", vec!["a"; 100_000].join("."));
    for (text, line) in [(arrays, 5), (tables, 2), (dotted, 3), (header, 3)] {
        for (cataloger, name) in [
            (Cataloger::CargoLock, "Cargo.lock"),
            (Cataloger::UvLock, "uv.lock"),
            (Cataloger::PoetryLock, "poetry.lock"),
            (Cataloger::Pylock, "pylock.toml"),
            (Cataloger::CargoManifest, "Cargo.toml"),
            (Cataloger::Pyproject, "pyproject.toml"),
            (Cataloger::GradleCatalog, "gradle/libs.versions.toml"),
        ] {
            let err = parse_text(cataloger, name, &text).expect_err(name);
            assert_eq!(err.line(), Some(line), "{name}: {err}");
            assert!(err.to_string().contains("nested deeper"), "{name}: {err}");
        }
    }
}

#[test]
fn deep_json_is_refused_by_serde_json() {
    let text = format!(
        "{{\"lockfileVersion\": 3, \"packages\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let err = parse_text(Cataloger::NpmLock, "package-lock.json", &text).unwrap_err();
    assert!(err.to_string().contains("recursion limit"), "{err}");
    assert_eq!(err.line(), Some(1));
}

#[test]
fn nesting_just_under_the_limit_is_parsed() {
    // 120 levels of YAML indentation under a real key, and 70 of TOML arrays (the toml
    // crate stops at 80 itself): parsed (on a test thread's small stack, in a debug
    // build), not refused.
    let mut yaml = String::from("lockfileVersion: '9.0'\nsettings:\n");
    for depth in 0..120 {
        yaml.push_str(&" ".repeat(depth + 2));
        yaml.push_str("a:\n");
    }
    yaml.push_str("packages: {}\n");
    if let Err(e) = parse_text(Cataloger::PnpmLock, "pnpm-lock.yaml", &yaml) {
        panic!("{e}");
    }
    let toml = format!("version = 4\nx = {}{}\n", "[".repeat(70), "]".repeat(70));
    assert_eq!(
        parse_text(Cataloger::CargoLock, "Cargo.lock", &toml).unwrap(),
        0
    );
}
