#!/usr/bin/env bash
# Copy benchmark: two devorgs, 10,000 new accounts copied from one into the other by the release
# build in headless Chromium. Prints the API calls in each org and the wall time for the preview
# and the run, a second run with nothing changed, 100 changed since the last sync, and the JS heap
# after the run. Figures, not pass/fail.
#
#   benches/sync.sh                     build the app (release) if dist/ is missing, then measure
#   SYNC_BENCH_N=2000 benches/sync.sh   fewer accounts, for a quick try
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/setup
source scripts/setup
ensure_build_tools
ensure_browser

if [ ! -f dist/index.html ] || [ "${REBUILD:-}" = 1 ]; then
    say "building the app (trunk build --release)"
    trunk build --release
fi

# devorg runs in the test process, unoptimised unless BENCH_PROFILE=release (see accounts.sh).
profile=()
[ "${BENCH_PROFILE:-dev}" = release ] && profile=(--release)
say "running the benchmark"
E2E_TIMEOUT_SECS=${E2E_TIMEOUT_SECS:-600} ORGBRIDGE_DIST="$ROOT/dist" cargo test "${profile[@]}" -p orgbridge-e2e --test accounts \
    -- --ignored --exact sync_bench::bench_sync_10k --nocapture
