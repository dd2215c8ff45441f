#!/usr/bin/env bash
# Release binary size under each size setting (issue #6), one clean build per variant in its
# own target folder, so each line is measured the same way:
#   bash benches/size.sh        # prints a Markdown table; takes a few minutes per variant
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_bundler
root="${SIZE_TARGET_ROOT:-/var/tmp/clinic-kiosk-size}"
variants=(
  "thin LTO, 4 units, opt 3 (before)|thin|4|3|none"
  "+ strip symbols|thin|4|3|symbols"
  "fat LTO, 1 unit, opt 3, strip|fat|1|3|symbols"
  "fat LTO, 1 unit, opt s, strip|fat|1|s|symbols"
)
echo "| settings | binary | gzip -9 | build s |"
echo "|---|---:|---:|---:|"
for v in "${variants[@]}"; do
  IFS='|' read -r label lto units opt strip <<<"$v"
  dir="$root/$lto-$units-$opt-$strip"
  start=$(date +%s)
  CARGO_TARGET_DIR="$dir" CARGO_PROFILE_RELEASE_LTO="$lto" CARGO_PROFILE_RELEASE_CODEGEN_UNITS="$units" \
    CARGO_PROFILE_RELEASE_OPT_LEVEL="$opt" CARGO_PROFILE_RELEASE_STRIP="$strip" \
    cargo build --release --locked --features custom-protocol --bin clinic-kiosk >/dev/null 2>&1
  secs=$(( $(date +%s) - start ))
  bin="$dir/release/clinic-kiosk"
  size=$(stat -c %s "$bin")
  gz=$(gzip -9 -c "$bin" | wc -c)
  awk -v l="$label" -v s="$size" -v g="$gz" -v t="$secs" 'BEGIN { printf "| %s | %.1f MB | %.1f MB | %d |\n", l, s/1048576, g/1048576, t }'
done
