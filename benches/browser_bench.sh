# Shared by the benchmarks that drive the release build in headless Chromium (sourced, not run):
# installs what is missing, builds dist/ if it is missing (or REBUILD=1), and runs one ignored e2e
# test with --nocapture. devorg runs in the test process, unoptimised unless BENCH_PROFILE=release
# (quick to build; the org then answers more slowly, which only makes the app's figures pessimistic).
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

# run_bench TEST: the ignored test `TEST` of the accounts e2e binary.
run_bench() {
    local profile=()
    [ "${BENCH_PROFILE:-dev}" = release ] && profile=(--release)
    say "running the benchmark"
    E2E_TIMEOUT_SECS=${E2E_TIMEOUT_SECS:-600} ORGBRIDGE_DIST="$ROOT/dist" cargo test "${profile[@]}" \
        -p orgbridge-e2e --test accounts -- --ignored --exact "$1" --nocapture
}
