#!/usr/bin/env bash
# Fuzzes every parser family for a fixed time and turns each crash into a regression test.
#
#   bench/fuzz.sh [SECONDS] [TARGET...]   build the targets, run each for SECONDS (default 60),
#                                         one at a time, and print a Markdown table of the numbers
#   bench/fuzz.sh seed                    rebuild the seed corpora fuzz/corpus/TARGET/ from fixtures/
#
# Targets are fuzz/fuzz_targets/*.rs (families in crates/bomscout-catalog/tests/families/mod.rs).
# The toolchain is stable, so RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags. Each run uses
# -jobs=1 (one fuzz process at a time), -rss_limit_mb=2048 and -timeout=10; a run that stops on a
# crash is restarted for the time left (at most 5 starts per target). New corpus units go to a
# scratch directory (fuzz/work/TARGET, not committed); the committed seeds are read only.
#
# Every crash-, timeout-, oom- and leak- artifact is copied to
# crates/bomscout-catalog/tests/fuzz_regressions/TARGET-HASH, where the test
# `cargo test -p bomscout-catalog --test fuzz_regressions` replays it: commit the file with the fix.
#
# Environment: CARGO_TARGET_DIR (default fuzz/target), FUZZ_WORK (default fuzz/work).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
fuzz="$root/fuzz"
regressions="$root/crates/bomscout-catalog/tests/fuzz_regressions"
all_targets=(json yaml toml lines xml binary sbom)

seed() {
    # Real files only: fixtures as the package managers wrote them, and bomscout's own SBOMs of
    # a few fixture trees. Host names of registries are rewritten before anything is kept.
    local c="$fuzz/corpus"
    rm -rf "$c"
    mkdir -p "${all_targets[@]/#/$c/}"
    put() { # put TARGET FILE...: copy under a name that says where each seed came from
        local t=$1
        shift
        for f in "$@"; do cp "$root/$f" "$c/$t/$(echo "${f#fixtures/}" | tr '/' '_')"; done
    }
    cd "$root"
    put json $(find fixtures -type f \( -name package-lock.json -o -name composer.lock \
        -o -name installed.json -o -name Pipfile.lock -o -name packages.lock.json \
        -o -name '*.deps.json' -o -name Package.resolved -o -name bun.lock -o -name conan.lock \
        -o -name vcpkg.json -o -name renv.lock \) | sort)
    put json $(find fixtures/npm fixtures/php -name package.json -o -name composer.json | sort | head -8)
    put yaml $(find fixtures -type f \( -name pnpm-lock.yaml -o -name stack.yaml.lock \
        -o -name pubspec.lock -o -name '*.yml' \) | sort) fixtures/yarn/berry/yarn.lock \
        fixtures/yarn/berry-workspaces/yarn.lock
    put toml $(find fixtures -type f \( -name Cargo.lock -o -name Cargo.toml -o -name uv.lock \
        -o -name poetry.lock -o -name 'pylock*.toml' -o -name pyproject.toml \
        -o -name '*.versions.toml' \) | sort)
    put lines $(find fixtures -type f \( -name '*requirements*.txt' -o -name go.mod \
        -o -name modules.txt -o -name Gemfile.lock -o -name mix.lock -o -name rebar.lock \
        -o -name Podfile.lock -o -name '*.lockfile' -o -name cabal.project.freeze \) | sort) \
        fixtures/yarn/v1/yarn.lock
    put lines $(find fixtures -type f \( -name METADATA -o -name PKG-INFO -o -name '*.gemspec' \) | sort | head -6)
    put xml $(find fixtures -type f \( -name pom.xml -o -name '*.csproj' -o -name '*.props' \) | sort)
    put binary $(find fixtures -type f -name '*.jar' | sort)
    # The Go build-info blob of the fixture binary (the cataloger scans for its magic in any
    # file), not the whole 1.4 MB executable: big seeds make every execution slow.
    local hello="$root/fixtures/golang/binary/bin/hello"
    local at
    at=$(LC_ALL=C grep -m1 -obUaP '\xff Go buildinf:' "$hello" | cut -d: -f1)
    dd if="$hello" of="$c/binary/golang_binary_bin_hello.buildinfo" bs=1 skip="$at" count=4096 status=none
    # bomscout's own CycloneDX and SPDX documents of three fixture trees.
    local bin="${CARGO_TARGET_DIR:-$root/target}/debug/bomscout"
    (cd "$root" && cargo build -q --bin bomscout)
    for t in npm/lock-v3 cargo/workspace python/poetry; do
        local n
        n=$(echo "$t" | tr '/' '_')
        "$bin" scan -q "fixtures/$t" --no-caches -o "cyclonedx-json=$c/sbom/$n.cdx.json" \
            -o "spdx-json=$c/sbom/$n.spdx.json" >/dev/null 2>&1 ||
            echo "warning: bomscout scan fixtures/$t failed" >&2
    done
    /work/shared/tools/sanitize-registry-urls "$c" >/dev/null 2>&1 ||
        "$root/../shared/tools/sanitize-registry-urls" "$c" >/dev/null 2>&1 || true
    du -sh "$c"/*
    du -sh "$c"
}

if [ "${1:-}" = seed ]; then
    seed
    exit 0
fi

secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
case $secs in '' | *[!0-9]*)
    echo "usage: $0 [SECONDS] [TARGET...] | $0 seed" >&2
    exit 2
    ;;
esac

export RUSTC_BOOTSTRAP=1
target_dir=${CARGO_TARGET_DIR:-$fuzz/target}
work=${FUZZ_WORK:-$fuzz/work}
triple=$(rustc -vV | sed -n 's/^host: //p')
for t in "${targets[@]}"; do
    (cd "$fuzz" && cargo fuzz build -O --target-dir "$target_dir" "$t") || {
        echo "error: cargo fuzz build $t failed (cargo-fuzz installed? cargo install cargo-fuzz --locked)" >&2
        exit 2
    }
done

mkdir -p "$regressions"
rows=()
new_regressions=()
for t in "${targets[@]}"; do
    exe="$target_dir/$triple/release/$t"
    [ -x "$exe" ] || { echo "error: $exe was not built" >&2; exit 2; }
    # Artifacts and logs are this run's only (earlier findings are already in $regressions).
    rm -rf "$work/$t/artifacts" "$work/$t/logs"
    mkdir -p "$work/$t/corpus" "$work/$t/artifacts" "$work/$t/logs"
    execs=0 starts=0 spent=0 crashes=0
    start=$(date +%s)
    while [ "$spent" -lt "$secs" ] && [ "$starts" -lt 5 ]; do
        starts=$((starts + 1))
        log="$work/$t/logs/run-$starts.log"
        # -jobs=1 runs the session in a child process that logs to fuzz-0.log in the cwd.
        (cd "$work/$t/logs" && rm -f fuzz-0.log &&
            "$exe" "$work/$t/corpus" "$fuzz/corpus/$t" -jobs=1 -workers=1 \
                -max_total_time=$((secs - spent)) -rss_limit_mb=2048 -timeout=10 \
                -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" >/dev/null 2>&1 || true
            mv -f fuzz-0.log "$log" 2>/dev/null || true)
        n=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" 2>/dev/null | tail -1 | grep -o '[0-9]*$' || true)
        execs=$((execs + ${n:-0}))
        spent=$(($(date +%s) - start))
        # A session that ends early ended on a finding (or failed to start); go on for the rest.
        if ! grep -qa 'Done [0-9]* runs' "$log" 2>/dev/null && ! grep -qaE '^(==[0-9]+== ?)?ERROR|SUMMARY' "$log" 2>/dev/null; then
            echo "warning: $t session $starts ended without a summary; see $log" >&2
        fi
    done
    for a in "$work/$t/artifacts"/{crash,timeout,oom,leak}-*; do
        [ -e "$a" ] || continue
        kind=${a##*/}
        hash=${kind#*-}
        dest="$regressions/$t-$hash"
        crashes=$((crashes + 1))
        if [ ! -e "$dest" ]; then
            cp "$a" "$dest"
            new_regressions+=("$dest (${kind%%-*})")
        fi
    done
    corpus_files=$(find "$work/$t/corpus" "$fuzz/corpus/$t" -type f | wc -l)
    corpus_kb=$(du -skc "$work/$t/corpus" "$fuzz/corpus/$t" | tail -1 | cut -f1)
    rate=$((spent > 0 ? execs / spent : 0))
    rows+=("| $t | $spent | $execs | $rate | $corpus_files ($corpus_kb KiB) | $crashes | $starts |")
    echo "$t: ${spent}s, $execs executions, $rate/s, $crashes artifacts" >&2
done

echo
echo "| target | seconds | executions | exec/s | corpus files (size) | crash/timeout/oom/leak artifacts | sessions |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
if [ ${#new_regressions[@]} -gt 0 ]; then
    echo
    echo "New regression inputs (each now fails or hangs cargo test -p bomscout-catalog --test fuzz_regressions):"
    printf '  %s\n' "${new_regressions[@]}"
    cat <<EOF

For each: minimize it (RUSTC_BOOTSTRAP=1 cargo fuzz tmin -O --target-dir $target_dir TARGET FILE,
run in fuzz/, then copy the minimized file over the regression file), fix the parser, and commit
the regression file with the fix. If another branch owns the fix, list the file in KNOWN in
crates/bomscout-catalog/tests/fuzz_regressions.rs with the reason.
EOF
fi
