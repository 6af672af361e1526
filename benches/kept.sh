#!/usr/bin/env bash
# What keeping a copy run in the browser writes, at 1,000,000 rows (natively, no browser): the
# plan's chunk records, the bytes each wave of REST calls and each Bulk job writes, and the
# keeper's time per wave. Figures, not pass/fail.
#
#   benches/kept.sh                      1,000,000 rows
#   KEPT_BENCH_N=100000 benches/kept.sh  another size
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec cargo run --release -q -p orgbridge-sync --example kept_scale
