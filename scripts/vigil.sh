#!/usr/bin/env bash
# Vigil's two entry points on a fresh Debian/Ubuntu machine:
#   bash scripts/vigil.sh run    install what is missing, then run the ground station demo
#   bash scripts/vigil.sh test   install what is missing (and the Python test peers), then run every test
# Extra arguments after `run` go to the `gcs` binary (try `bash scripts/vigil.sh run --help`).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Debian packages the build and the tests need:
#   libgdal-dev gdal-bin   geo-intel reads GIS files through the system GDAL (3.6 on Debian 12)
#   pkg-config libudev-dev serial-port support (tokio-serial)
#   socat                  the serial-link test runs over a socat pseudo-terminal pair
#   python3 python3-venv   the independent test peers (pymavlink, pyproj) run in a venv
#   postgresql postgresql-postgis  geo-intel reads PostGIS layers; its test starts a throwaway cluster
#   libvulkan1 mesa-vulkan-drivers the 3D map renders through Vulkan (Mesa's lavapipe where there is no GPU)
#   libx11-6 libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0  the map's X11 window (loaded at run time)
#   xvfb                   a virtual display: the screenshot test, and `run` on a machine without one
APT_PACKAGES=(build-essential pkg-config libudev-dev libgdal-dev gdal-bin socat python3 python3-venv python3-pip postgresql postgresql-postgis
    libvulkan1 mesa-vulkan-drivers libx11-6 libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0 xvfb)

log() { printf '\033[1mvigil:\033[0m %s\n' "$*" >&2; }

ensure_packages() {
    local missing=()
    for p in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        log "installing Debian packages: ${missing[*]}"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        log "Rust is missing: install rustup (https://rustup.rs) with Rust 1.95 or newer, then rerun"
        exit 1
    fi
}

ensure_python_peers() {
    local venv="$root/.venv"
    if [ ! -x "$venv/bin/python" ]; then
        log "creating the Python venv for the test peers in .venv"
        python3 -m venv "$venv"
    fi
    if ! "$venv/bin/python" -c "import pymavlink" >/dev/null 2>&1 ||
        ! cmp -s tests/peers/requirements.txt "$venv/.vigil-requirements" 2>/dev/null; then
        log "installing the test peers' Python packages (tests/peers/requirements.txt)"
        "$venv/bin/pip" install -q --disable-pip-version-check -r tests/peers/requirements.txt
        cp tests/peers/requirements.txt "$venv/.vigil-requirements"
    fi
    export VIGIL_PYTHON="$venv/bin/python"
}

# Two cores: keep builds at two jobs so the machine stays usable.
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"

case "${1:-run}" in
run)
    shift || true
    ensure_packages
    ensure_rust
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        cargo run -p gcs -- "$@"
    else
        # No display: render on a virtual one and keep a screenshot to look at.
        log "no display: running the map on a virtual display (Xvfb); it writes gcs-screenshot.png after 20 s"
        cargo build -p gcs
        WGPU_BACKEND="${WGPU_BACKEND:-vulkan}" xvfb-run -a -s "-screen 0 1600x900x24" \
            cargo run -p gcs -- --screenshot gcs-screenshot.png --after-secs 20 "$@"
        log "wrote $root/gcs-screenshot.png"
    fi
    ;;
test)
    shift || true
    ensure_packages
    ensure_rust
    ensure_python_peers
    cargo test --workspace "$@"
    ;;
*)
    echo "usage: bash scripts/vigil.sh run [gcs args...] | test [cargo test args...]" >&2
    exit 2
    ;;
esac
