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

# devorg runs in the test process. The test build is unoptimised by default (quick to build; the
# org's side then answers more slowly than `cargo run --release -p devorg` would, which only makes
# the app's figures pessimistic); BENCH_PROFILE=release measures with an optimised org.
profile=()
[ "${BENCH_PROFILE:-dev}" = release ] && profile=(--release)
say "running the benchmark (several minutes)"
E2E_TIMEOUT_SECS=${E2E_TIMEOUT_SECS:-600} cargo test "${profile[@]}" -p orgbridge-e2e --test accounts \
    -- --ignored --exact bench::bench_accounts_at_100k --nocapture
