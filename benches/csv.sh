#!/usr/bin/env bash
# CSV benchmark: the release build in headless Chromium against devorg. The export of 100,000
# accounts (time, calls, memory), the import of 100,000 new accounts (preview and run), then an
# upsert of 100,000 lines, half new and half changing. Figures, not pass/fail.
#
#   benches/csv.sh                     build the app (release) if dist/ is missing, then measure
#   CSV_BENCH_N=1000 benches/csv.sh    1,000 lines (the REST figures the issue asks for)
#   CSV_BENCH_N=1000000 benches/csv.sh a million
#   BENCH_PROFILE=release benches/csv.sh  devorg optimised
set -euo pipefail
# shellcheck source=benches/browser_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/browser_bench.sh"
run_bench csv_bench::bench_csv
