#!/usr/bin/env bash
# Copy benchmark: two devorgs, 10,000 new accounts copied from one into the other by the release
# build in headless Chromium. Prints the API calls in each org and the wall time for the preview
# and the run (every record in the target once), a second run with nothing changed, 100 changed since the last sync, and the JS heap
# after the run. Figures, not pass/fail.
#
#   benches/sync.sh                     build the app (release) if dist/ is missing, then measure
#   SYNC_BENCH_N=2000 benches/sync.sh   fewer accounts, for a quick try
#   SYNC_BENCH_N=100000 benches/sync.sh more (the run goes through Bulk API 2.0 from 2,000)
#   SYNC_BENCH_BULK_FROM=1000000000 benches/sync.sh   the run through REST whatever its size
#   SYNC_BENCH_RESUME=1 benches/sync.sh the run paused at a quarter, the page reloaded, resumed
#   BENCH_PROFILE=release benches/sync.sh  devorg optimised (its answers as fast as it can give)
set -euo pipefail
# shellcheck source=benches/browser_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/browser_bench.sh"
run_bench sync_bench::bench_sync_10k
