//! Checks made before a run writes anything.

use anyhow::bail;
use std::path::{Path, PathBuf};

/// Refuses an output file that is one of the files the run is about to read.
///
/// `-o cyclonedx-json=app/package-lock.json` would otherwise replace the lockfile with
/// the SBOM made from it. An output is an input when it is one of the paths given, or a
/// file under a given directory that the walk would catalogue. Paths are compared after
/// resolving symlinks; an output that does not exist yet cannot be an input.
pub fn refuse_overwriting_inputs<'a>(
    outputs: impl IntoIterator<Item = &'a Path>,
    inputs: &[PathBuf],
) -> anyhow::Result<()> {
    let inputs: Vec<PathBuf> = inputs
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    for output in outputs {
        let Ok(real) = std::fs::canonicalize(output) else {
            continue;
        };
        if is_input(&real, &inputs) {
            bail!(
                "refusing to write {}: it is one of the files being scanned; \
                 write the report somewhere else",
                output.display()
            );
        }
    }
    Ok(())
}

fn is_input(real: &Path, inputs: &[PathBuf]) -> bool {
    inputs.iter().any(|input| {
        if real == input {
            return true;
        }
        let Ok(rel) = real.strip_prefix(input) else {
            return false;
        };
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        bomscout_walk::detect(&rel.join("/")).is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_recognized_through_their_directory_or_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("app/package-lock.json");
        std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
        std::fs::write(&lock, "{}").unwrap();
        let other = dir.path().join("app/bom.json");
        std::fs::write(&other, "{}").unwrap();
        let roots = [dir.path().to_path_buf()];
        assert!(refuse_overwriting_inputs([lock.as_path()], &roots).is_err());
        assert!(refuse_overwriting_inputs([lock.as_path()], std::slice::from_ref(&lock)).is_err());
        assert!(refuse_overwriting_inputs([other.as_path()], &roots).is_ok());
        let missing = dir.path().join("app/new.json");
        assert!(refuse_overwriting_inputs([missing.as_path()], &roots).is_ok());
    }
}
