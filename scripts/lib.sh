# Shared by scripts/run and scripts/test: install what a fresh Debian or Ubuntu machine lacks.
# shellcheck shell=bash

# Tauri's Linux build dependencies.
BUILD_PACKAGES=(libwebkit2gtk-4.1-dev build-essential file pkg-config libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev)
# What the kiosk runs besides itself: espeak-ng reads articles aloud (issue #13), pactl tells
# whether headphones are plugged in. The .deb depends on espeak-ng and recommends
# pulseaudio-utils (tauri.conf.json).
RUN_PACKAGES=(espeak-ng pulseaudio-utils)
# What the tests need on top: a virtual display, the WebKit WebDriver, and Node for axe-core.
# dbus: a session bus for the end-to-end run (the single-instance check needs one).
# cage, grim, xwayland: the journeys under the lobby kiosk compositor (issue #10); and
# ShellCheck, which checks the kiosk session script.
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver nodejs npm systemd dbus tzdata cage grim xwayland shellcheck)
# Speech (issue #13): espeak-ng speaks, a PulseAudio null sink takes the sound, parec records
# it and sox measures it.
TEST_PACKAGES+=(pulseaudio pulseaudio-utils gstreamer1.0-pulseaudio sox espeak-ng)
# The node exporter reads the health metrics file as Prometheus would (issue #15).
TEST_PACKAGES+=(prometheus-node-exporter)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "installing system packages needs root; run as root or install sudo"; fi
}

# Installs the Debian packages that are not installed yet (one apt-get run, only if needed).
install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # npm ships with some Node.js builds (nodesource): don't ask apt for it then.
  if [[ " ${missing[*]} " == *" npm "* ]] && command -v npm >/dev/null; then
    missing=("${missing[@]/npm}")
  fi
  if [[ " ${missing[*]} " == *" nodejs "* ]] && command -v node >/dev/null; then
    missing=("${missing[@]/nodejs}")
  fi
  read -r -a missing <<<"${missing[*]}"
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]}; this script knows only Debian and Ubuntu (apt-get)"
  say "installing system packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Makes sure a Rust toolchain recent enough for the app and Tauri 2 is on PATH (rustup if needed).
ensure_rust() {
  [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
  if ! command -v cargo >/dev/null; then
    install_packages curl ca-certificates
    say "installing Rust with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal \
      || die "could not install Rust; install it from https://rustup.rs and run this again"
    . "$HOME/.cargo/env"
  fi
  local minor
  minor=$(rustc --version | sed -E 's/^rustc 1\.([0-9]+).*/\1/')
  # Cargo.toml's rust-version: the highest any dependency (Tauri 2.12) needs.
  if [ "${minor:-0}" -lt 90 ]; then
    command -v rustup >/dev/null || die "Rust $(rustc --version) is too old; the app and Tauri need 1.90 or newer (install it with rustup)"
    rustup update stable
  fi
}

# The Tauri command line, prebuilt from npm (tools/tauri-cli, pinned to the tauri crate's
# version in Cargo.lock; tests/toolchain.rs checks they agree): seconds to install, where
# `cargo install tauri-cli` compiled it for ten minutes. Run it as "$TAURI_CLI".
TAURI_CLI="$PWD/tools/tauri-cli/node_modules/.bin/tauri"
ensure_tauri_cli() {
  install_packages nodejs npm
  npm_ci_once tools/tauri-cli "the Tauri command line"
}

# The front end's bundler (esbuild, pinned in tools/bundle): src-tauri/build.rs bundles ui/ with
# it on every build (issue #16), and a release build stops without it. Installed from npm
# (cache first) when tools/bundle/node_modules was not installed from the same package-lock.json.
ensure_bundler() {
  install_packages nodejs npm
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 18 ] || die "Node.js $(node --version) is too old to bundle the page: install Node.js 18 or newer (Debian 12's nodejs is 18)"
  npm_ci_once tools/bundle "the front end's bundler (esbuild)"
}

# `npm ci` in folder $1 (its pinned package-lock.json), from npm's cache first (so an offline
# rerun works), unless its node_modules was installed from the same lock file already; $2 says
# what it installs.
npm_ci_once() {
  local dir="$1" stamp="$1/node_modules/.installed-from-package-lock.json"
  if ! cmp -s "$dir/package-lock.json" "$stamp"; then
    say "installing $2 from npm, into $dir"
    (cd "$dir" && npm ci --prefer-offline --no-audit --no-fund --silent)
    cp "$dir/package-lock.json" "$stamp"
  fi
}

# Test tools compiled from source are kept here between runs (CI caches it like the target
# folder): CLINIC_KIOSK_TOOLS, else clinic-kiosk-tools beside CARGO_TARGET_DIR, else
# ~/.cache/clinic-kiosk/tools. tests/common/fhir_server.rs looks in the same place.
tools_dir() {
  if [ -n "${CLINIC_KIOSK_TOOLS:-}" ]; then echo "$CLINIC_KIOSK_TOOLS"
  elif [ -n "${CARGO_TARGET_DIR:-}" ]; then echo "$(dirname "$CARGO_TARGET_DIR")/clinic-kiosk-tools"
  else echo "$HOME/.cache/clinic-kiosk/tools"; fi
}

# Helios FHIR Server, the real FHIR R4 server the delivery tests send to (issue #15; why this
# one, and what it costs, in BENCHMARKS.md). Compiled once with cargo install (R4 and SQLite
# only), then reused; its build folder is removed after. Exports CLINIC_KIOSK_HFS.
# Unoptimised and without debug info (`--debug`, CARGO_PROFILE_DEV_DEBUG=0): a quarter of the
# release build's CPU time on a fresh machine (issue #12), and the tests' few hundred
# requests do not need its speed.
HFS_VERSION=0.2.7
HFS_BUILD=dev
ensure_hfs() {
  local tools root
  tools="$(tools_dir)"
  root="$tools/hfs-$HFS_VERSION-$HFS_BUILD"
  if [ ! -x "$root/bin/hfs" ]; then
    say "installing Helios FHIR Server $HFS_VERSION into $root (compiled once, then cached)"
    # Without scripts/test's clippy wrapper: Helios is not this project's code to lint.
    env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS CARGO_PROFILE_DEV_DEBUG=0 cargo install helios-hfs --version "$HFS_VERSION" --locked --debug \
      --no-default-features --features R4,sqlite --root "$root" --target-dir "$tools/hfs-build" \
      || die "could not build Helios FHIR Server; the delivery tests need it"
    rm -rf "$tools/hfs-build"
  fi
  export CLINIC_KIOSK_HFS="$root/bin/hfs"
}
