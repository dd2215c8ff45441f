#!/usr/bin/env bash
# Start and tap to results through WebDriver (issue #16): the optimised kiosk against the
# smallest Tauri window (benches/coldstart/minimal), alternating, in one run under Xvfb.
#
#   bash benches/startup.sh           # STARTUP_RUNS=20 starts each, STARTUP_TAPS=200 taps
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
install_packages "${BUILD_PACKAGES[@]}" xvfb xauth webkit2gtk-driver dbus
ensure_rust
ensure_bundler
command -v tauri-driver >/dev/null || [ -x "$HOME/.cargo/bin/tauri-driver" ] || cargo install tauri-driver --locked
target="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TARGET_DIR="$target"

say "building both apps (release)"
cargo build --release --locked --features custom-protocol
(cd benches/coldstart/minimal && cargo build --release --locked --features custom-protocol)

display=130
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done

say "start and taps (cargo bench --bench startup)"
KIOSK_APP="$target/release/clinic-kiosk" MINIMAL_WINDOW="$target/release/minimal-window" MINIMAL_WINDOW_STAY=1 DISPLAY=":$display" \
  dbus-run-session -- cargo bench --locked --bench startup
