#!/bin/sh
# Times the parsers that find each entry's line, on lockfiles of growing size generated in
# the shape of the real fixtures (crates/bomscout-catalog/examples/quadratic/gen.rs): the
# time per entry must stay flat (linear growth). Results: bench/RESULTS-quadratic.md.
#
#   bench/quadratic.sh                      # every format, 5,000 / 25,000 / 100,000 entries
#   SIZES=1000,2000,4000 bench/quadratic.sh pnpm berry
#   PROFILE=release bench/quadratic.sh      # optimized build (default: debug, as the tests)
set -eu
cd "$(dirname "$0")/.."
SIZES=${SIZES:-5000,25000,100000}
case "${PROFILE:-debug}" in
  release) set -- --release -- --sizes "$SIZES" "$@" ;;
  *) set -- -- --sizes "$SIZES" "$@" ;;
esac
exec cargo run -q -p bomscout-catalog --example quadratic "$@"
