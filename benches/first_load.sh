#!/usr/bin/env bash
# First load: how long a person waits for the sign-in form with nothing cached (median of 5), with
# no throttling, at 10 Mbps / 40 ms RTT, and at 10 Mbps with the CPU 4x slower; and the bytes each
# file took on the wire. The release build is served as a static host serves dist/ (precompressed
# files with Content-Encoding). Then, signed in, the same three for a reload of the tab, until the
# account list's first row shows. Figures, not pass/fail (goal: the form ≤ 450 ms at 10 Mbps).
#
#   benches/first_load.sh               build the app (release) if dist/ is missing, then measure
#   REBUILD=1 benches/first_load.sh     rebuild first
#   FIRST_LOAD_BENCH_OUT=f.txt benches/first_load.sh   also write the figures to a file
set -euo pipefail
# shellcheck source=benches/browser_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/browser_bench.sh"
run_bench first_load_bench::bench_first_load
