#!/usr/bin/env bash
# Cold start to an interactive first screen: the kiosk (home screen with its topics, after
# its settings, dictionaries and library are loaded) against the smallest Tauri window
# (benches/coldstart/minimal), both release builds from this machine, measured in one
# hyperfine run under a bare X server: no window manager, no D-Bus session, no desktop
# portal. Goal (issue #4): the kiosk within 1.3 times the minimal window.
#
#   bash benches/coldstart.sh            # prints the table and the ratio
#   RUNS=30 bash benches/coldstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_packages "${BUILD_PACKAGES[@]}" xvfb hyperfine
target="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TARGET_DIR="$target"

say "building both apps (release)"
cargo build --release --locked --features custom-protocol
(cd benches/coldstart/minimal && cargo build --release --locked --features custom-protocol)

xvfb_pid=""
display=90
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
data="$(mktemp -d)"
trap 'kill "$xvfb_pid" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done

# A bare session: only DISPLAY, no D-Bus address (so no portal can be reached).
export DISPLAY=":$display"
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY XDG_CURRENT_DESKTOP
export CLINIC_KIOSK_DATA_DIR="$data" CLINIC_KIOSK_CONTENT_DIR="$PWD/content"
export CLINIC_KIOSK_EXIT_WHEN_READY=1 CLINIC_KIOSK_LOG=warn

say "cold start, ${RUNS:-15} runs each (the first runs build the library and are warm-up)"
hyperfine --warmup 2 --runs "${RUNS:-15}" --export-json "$data/coldstart.json" --export-markdown "$data/coldstart.md" \
  -n "minimal Tauri window" "$target/release/minimal-window" \
  -n "clinic kiosk" "$target/release/clinic-kiosk"
cat "$data/coldstart.md"
python3 - "$data/coldstart.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
base, kiosk = r["minimal Tauri window"], r["clinic kiosk"]
ratio = kiosk["median"] / base["median"]
print(f"\nmedian: kiosk {kiosk['median']*1000:.0f} ms, minimal window {base['median']*1000:.0f} ms; ratio {ratio:.2f} (goal <= 1.30)")
PY
