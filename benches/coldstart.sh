#!/usr/bin/env bash
# Cold start to an interactive first screen: the kiosk (home screen with its topics, after
# its settings, dictionaries and library are loaded) against the smallest Tauri window
# (benches/coldstart/minimal), both release builds from this machine, measured in one
# run (benches/coldstart.py: spawn to the app's "ready" line) under a bare X server: no window manager, no D-Bus session, no desktop
# portal. Goal (issue #4): the kiosk within 1.3 times the minimal window.
#
#   bash benches/coldstart.sh            # prints the table and the ratio
#   RUNS=30 bash benches/coldstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_packages "${BUILD_PACKAGES[@]}" xvfb python3
ensure_bundler
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

say "cold start to ready, ${RUNS:-15} runs each, alternating"
python3 benches/coldstart.py "${RUNS:-15}" \
  "minimal Tauri window=$target/release/minimal-window" \
  "clinic kiosk=$target/release/clinic-kiosk"
