#!/usr/bin/env bash
# The soak benchmark (issue #16): the optimised app under WebDriver for a busy day's visits,
# then a plot of its memory and tap latency. Figures in BENCHMARKS.md.
#
#   bash benches/soak.sh [OUT_DIR]     # default target/soak; SOAK_VISITS=5000 by default
#
# Writes OUT_DIR/soak.csv and OUT_DIR/soak.png (gnuplot, installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
out="${1:-target/soak}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
install_packages "${BUILD_PACKAGES[@]}" xvfb xauth webkit2gtk-driver dbus gnuplot-nox
ensure_rust
ensure_bundler
command -v tauri-driver >/dev/null || [ -x "$HOME/.cargo/bin/tauri-driver" ] || cargo install tauri-driver --locked

display=120
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done

SOAK_OUT="$out" DISPLAY=":$display" dbus-run-session -- cargo bench --locked --bench soak | tee "$out/soak.txt"

gnuplot <<PLOT
set terminal pngcairo size 1200,800 font ",12"
set output "$out/soak.png"
set datafile separator ","
set key autotitle columnhead outside right
set multiplot layout 2,1 title "Soak: the kiosk under WebDriver, $(date -u +%F)"
set ylabel "PSS, MiB"
set yrange [0:*]
plot "$out/soak.csv" using 1:3 with linespoints title "app + WebKit processes", \
     "" using 1:4 with linespoints title "web process"
set xlabel "screen visits"
set ylabel "tap to results, ms"
plot "$out/soak.csv" using 1:5 with lines title "from home, p50", \
     "" using 1:6 with lines title "from home, p95", \
     "" using 1:7 with lines title "from results, p50", \
     "" using 1:8 with lines title "from results, p95"
unset multiplot
PLOT
echo "plot: $out/soak.png"
