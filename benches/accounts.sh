#!/usr/bin/env bash
# Accounts benchmark: devorg seeded with 100,000 accounts, the release build of the app in headless
# Chromium. Prints time to the first page painted and to every page loaded, JS heap and wasm memory
# after loading, scroll responsiveness, and the API calls and wall time to update one field on 1,000
# selected accounts. Figures, not pass/fail.
#
#   benches/accounts.sh               build the app (release) if dist/ is missing, then measure
#   ACCOUNTS_BENCH_N=20000 benches/accounts.sh      a smaller org, for a quick try
#   ACCOUNTS_BENCH_OUT=figures.txt benches/accounts.sh   also write the figures to a file
set -euo pipefail
# shellcheck source=benches/browser_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/browser_bench.sh"
run_bench bench::bench_accounts_at_100k
