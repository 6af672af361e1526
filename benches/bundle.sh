#!/usr/bin/env bash
# Release bundle size: what a browser downloads to show OrgBridge's first screen (the first-load
# files: wasm, JS glue and loader, CSS), and the parts fetched on demand afterwards (src/parts.rs),
# each raw, gzip and brotli (the .gz and .br files the build ships beside each file).
#
#   benches/bundle.sh            build the app (trunk build --release) if dist/ is missing, then measure
#   REBUILD=1 benches/bundle.sh  rebuild first
#   benches/bundle.sh --check    also fail when the first load is over the budget below
#                                (scripts/test's release tier runs this)
#
# The budget for the first load, in one place. Raise it only on purpose, saying why in the commit.
BUDGET_GZIP_KB=400
BUDGET_BR_KB=320
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

# Bytes of FILE compressed as shipped (FILE.gz / FILE.br), or compressed here if the build has none.
gz_size() { if [ -f "$1.gz" ]; then stat -c %s "$1.gz"; else gzip -9c "$1" | wc -c; fi; }
br_size() {
    if [ -f "$1.br" ]; then stat -c %s "$1.br"; else
        node -e 'const z=require("zlib");process.stdout.write(String(z.brotliCompressSync(require("fs").readFileSync(process.argv[1])).length))' "$1"
    fi
}

# table TITLE FILE...: one line per file and a total; sets TOTAL_GZ and TOTAL_BR (bytes).
table() {
    local title=$1 f raw gz br total_raw=0
    shift
    TOTAL_GZ=0 TOTAL_BR=0
    printf '\n%s\n%-28s %10s %10s %10s\n' "$title" file raw gzip brotli
    for f in "$@"; do
        raw=$(stat -c %s "$f") gz=$(gz_size "$f") br=$(br_size "$f")
        total_raw=$((total_raw + raw)) TOTAL_GZ=$((TOTAL_GZ + gz)) TOTAL_BR=$((TOTAL_BR + br))
        printf '%-28s %10s %10s %10s\n' "${f#dist/}" "$raw" "$gz" "$br"
    done
    printf '%-28s %10s %10s %10s   (%d KB gzip, %d KB brotli)\n' total "$total_raw" "$TOTAL_GZ" "$TOTAL_BR" \
        $((TOTAL_GZ / 1024)) $((TOTAL_BR / 1024))
}

shopt -s nullglob
first=(dist/orgbridge_bg.wasm dist/*.js dist/*.css)
parts=(dist/split_*.wasm dist/chunk_*.wasm)
table "First load (the sign-in form)" "${first[@]}"
first_gz=$TOTAL_GZ first_br=$TOTAL_BR
if [ ${#parts[@]} -gt 0 ]; then
    table "Parts loaded on demand (fetched when the browser is idle, or when opened)" "${parts[@]}"
fi
printf '\nbudget for the first load: %d KB gzip, %d KB brotli; this build: %d KB gzip, %d KB brotli\n' \
    "$BUDGET_GZIP_KB" "$BUDGET_BR_KB" $((first_gz / 1024)) $((first_br / 1024))

if [ "${1:-}" = --check ]; then
    if [ "$first_gz" -gt $((BUDGET_GZIP_KB * 1024)) ] || [ "$first_br" -gt $((BUDGET_BR_KB * 1024)) ]; then
        die "the first load is over its budget (benches/bundle.sh): make it smaller, or raise the budget on purpose"
    fi
    say "the first load is within its budget"
fi
