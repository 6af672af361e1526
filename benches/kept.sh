#!/usr/bin/env bash
# A copy at scale, natively (no browser; the wasm app holds the same Rust values):
# - where a preview's memory goes per record (source and target records read, preview rows, run
#   state), for accounts of 60 text fields (MEMORY_BENCH_N records, 100,000 unless set);
# - what keeping a run in IndexedDB writes at 1,000,000 rows (KEPT_BENCH_N): the plan's chunk
#   records, the bytes each wave of REST calls and each Bulk job writes, the keeper's time per wave.
# Figures, not pass/fail.
#
#   benches/kept.sh
#   MEMORY_BENCH_N=20000 KEPT_BENCH_N=100000 benches/kept.sh   smaller, for a quick try
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo run --release -q -p orgbridge-sync --example preview_memory
cargo run --release -q -p orgbridge-sync --example kept_scale
