#!/usr/bin/env bash
# Release bundle size: what a browser downloads to run OrgBridge (wasm + JS glue + CSS), raw and
# gzip -9. Figures, not pass/fail (the goal is ≤ 250 KB gzip in all).
#
#   benches/bundle.sh            build the app (trunk build --release) if dist/ is missing, then measure
#   REBUILD=1 benches/bundle.sh  rebuild first
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/setup
source scripts/setup
if [ ! -f dist/index.html ] || [ "${REBUILD:-}" = 1 ]; then
    ensure_build_tools
    say "building the app (trunk build --release)"
    trunk build --release
fi

total_raw=0 total_gz=0
printf '%-24s %10s %10s\n' file raw gzip
for f in dist/*.wasm dist/*.js dist/*.css; do
    raw=$(stat -c %s "$f")
    gz=$(gzip -9c "$f" | wc -c)
    total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz))
    printf '%-24s %10s %10s\n' "${f#dist/}" "$raw" "$gz"
done
printf '%-24s %10s %10s   (%d KB gzip)\n' total "$total_raw" "$total_gz" $((total_gz / 1024))
