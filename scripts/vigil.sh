#!/usr/bin/env bash
# Vigil's entry points on a fresh Debian/Ubuntu machine:
#   bash scripts/vigil.sh run    install what is missing, then run the ground station demo
#   bash scripts/vigil.sh test   install what is missing (and the Python test peers), then run every test
#   bash scripts/vigil.sh sitl [N]  build PX4 SITL once, start N SIH quadrotors at the demo's Niger
#                                bases and open the app connected to them only (`sitl --help`)
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

# ---------------------------------------------------------------------------------------------
# `sitl`: a PX4 SITL fleet (SIH quadrotors, no Gazebo) at the demo's Niger bases, and the app
# connected to it only. `bash scripts/vigil.sh sitl --help` tells how.

# The demo's bases, as the app's simulated fleet parks at them (gcs/app/src/link/sim_fleet.rs
# BASES): name, latitude, longitude, ground height AMSL in metres. Keep the two in step
# (tests/tests/sitl_script.rs checks).
SITL_BASES=(
    "Agadez 16.9742 7.9865 529"
    "Arlit 18.7369 7.3853 439"
    "Diffa 13.3154 12.6113 286"
)
SITL_MAX=16
PX4_TAG="${VIGIL_PX4_TAG:-v1.15.4}"
PX4_URL="https://github.com/PX4/PX4-Autopilot.git"
# The only submodules a px4_sitl build with the board below needs.
PX4_SUBMODULES=(src/modules/mavlink/mavlink src/lib/events/libevents src/drivers/gps/devices
    src/lib/heatshrink/heatshrink)
PX4_PYTHON_PACKAGES=("cmake<4" ninja empy==3.3.4 jinja2 pyyaml kconfiglib jsonschema future pyros-genmsg
    packaging numpy)
VIGIL_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/vigil"

SITL_USAGE="usage: bash scripts/vigil.sh sitl [N] [--no-app] [--first-instance K] [--speed F]
                                 [--build-only] [--rebuild] [-- gcs args...]

Builds PX4 SITL once (PX4_DIR when set, else PX4 $PX4_TAG cloned into
~/.cache/vigil/px4), starts N SIH quadrotors (default 3, 1..=16) at the demo's bases
(Agadez, Arlit, Diffa, then 20 m east of them again), and opens the ground station connected to
them only. Ctrl-C or closing the app stops every PX4 process.

  N                   vehicles, 1..=16 (default 3)
  --no-app            only the fleet, until Ctrl-C (for gcs-cli and tests)
  --first-instance K  first PX4 instance (default 0): vehicle i is instance K+i, system id K+i+1,
                      GCS port 18570+K+i, second (onboard) port 14580+K+i
  --speed F           PX4_SIM_SPEED_FACTOR (lockstep, faster than real time; default real time)
  --build-only        build PX4 SITL if needed, print PX4_DIR=... and exit
  --rebuild           run the PX4 build even when it looks up to date
  -- ARGS             passed to the gcs app

Environment: PX4_DIR (a PX4-Autopilot checkout to build in and run from), PX4_VENV (a Python venv
with cmake, ninja and PX4's build modules), PX4_SIM_SPEED_FACTOR, VIGIL_PX4_BOARD (label of
boards/px4/sitl/<label>.px4board, default gcs), VIGIL_SITL_RUNS (where run dirs go)."

sitl_die() {
    log "sitl: $*"
    exit 1
}

sitl_usage_error() {
    log "sitl: $*"
    echo "$SITL_USAGE" >&2
    exit 2
}

# Newest of: HEAD's commit time, the last checkout (HEAD's file) and the board file.
px4_source_time() {
    local dir="$1" board_file="$2" t=0 c
    c="$(git -C "$dir" log -1 --format=%ct 2>/dev/null || echo 0)"
    ((c > t)) && t=$c
    c="$(stat -c %Y "$(git -C "$dir" rev-parse --path-format=absolute --git-path HEAD 2>/dev/null)" 2>/dev/null || echo 0)"
    ((c > t)) && t=$c
    c="$(stat -c %Y "$board_file" 2>/dev/null || echo 0)"
    ((c > t)) && t=$c
    echo "$t"
}

px4_fetch_pinned() {
    local dir="$1"
    [ -f "$dir/.vigil-fetched" ] && return 0
    command -v git >/dev/null || sitl_die "git is missing (apt-get install git)"
    log "sitl: fetching PX4 $PX4_TAG from $PX4_URL into $dir"
    if ! timeout 30 git ls-remote --exit-code --tags "$PX4_URL" "refs/tags/$PX4_TAG" >/dev/null 2>&1; then
        log "sitl: cannot reach $PX4_URL (no network here?), so PX4 cannot be fetched."
        log "sitl: use a PX4-Autopilot checkout you already have instead:"
        log "sitl:   PX4_DIR=/path/to/PX4-Autopilot bash scripts/vigil.sh sitl"
        log "sitl: It needs the submodules ${PX4_SUBMODULES[*]} and"
        log "sitl: src/modules/mavlink/mavlink/pymavlink checked out (each a git checkout at the commit"
        log "sitl: \`git ls-tree HEAD <path>\` names); an up-to-date build/px4_sitl_${VIGIL_PX4_BOARD:-gcs} there is reused."
        exit 1
    fi
    local tmp="$dir.partial"
    rm -rf "$tmp"
    mkdir -p "$(dirname "$dir")"
    git clone -q --depth 1 --branch "$PX4_TAG" "$PX4_URL" "$tmp" || sitl_die "git clone of PX4 $PX4_TAG failed"
    git -C "$tmp" submodule update -q --init --depth 1 -- "${PX4_SUBMODULES[@]}" ||
        git -C "$tmp" submodule update -q --init -- "${PX4_SUBMODULES[@]}" ||
        sitl_die "fetching PX4's submodules failed"
    git -C "$tmp/src/modules/mavlink/mavlink" submodule update -q --init --depth 1 -- pymavlink ||
        git -C "$tmp/src/modules/mavlink/mavlink" submodule update -q --init -- pymavlink ||
        sitl_die "fetching pymavlink (a submodule of PX4's mavlink) failed"
    touch "$tmp/.vigil-fetched"
    mv "$tmp" "$dir"
}

# Puts cmake, ninja and a python3 with PX4's build modules first on PATH.
px4_tools() {
    local check='import em, jinja2, yaml, kconfiglib, jsonschema, future, genmsg, packaging, numpy
assert em.__version__.startswith("3."), "empy " + em.__version__ + ": PX4 needs empy 3"'
    if [ -n "${PX4_VENV:-}" ]; then
        [ -x "$PX4_VENV/bin/python3" ] || sitl_die "PX4_VENV=$PX4_VENV has no bin/python3"
        export PATH="$PX4_VENV/bin:$PATH"
    elif command -v cmake >/dev/null && command -v ninja >/dev/null &&
        [ "$(cmake --version | sed -n '1s/[^0-9]*\([0-9]*\).*/\1/p')" -lt 4 ] &&
        python3 -c "$check" >/dev/null 2>&1; then
        :
    else
        local venv="$VIGIL_CACHE/px4/venv"
        if [ ! -x "$venv/bin/python3" ] || ! "$venv/bin/python3" -c "$check" >/dev/null 2>&1; then
            log "sitl: creating PX4's build tools venv in $venv (cmake<4, ninja, empy 3, ... from PyPI)"
            python3 -m venv "$venv" || sitl_die "python3 -m venv failed (apt-get install python3-venv)"
            "$venv/bin/pip" install -q --disable-pip-version-check "${PX4_PYTHON_PACKAGES[@]}" ||
                sitl_die "pip install of PX4's build tools failed (no network? set PX4_VENV to a venv with ${PX4_PYTHON_PACKAGES[*]})"
        fi
        export PATH="$venv/bin:$PATH"
    fi
    python3 -c "$check" || sitl_die "python3 ($(command -v python3)) lacks PX4's build modules: ${PX4_PYTHON_PACKAGES[*]}"
    local t
    for t in cmake ninja g++ make; do
        command -v "$t" >/dev/null || sitl_die "$t is missing (build-essential, or the venv's cmake/ninja)"
    done
}

# Builds px4_sitl_<board> in $1 when its px4 binary is missing or older than the source; sets PX4_BUILD.
px4_build() {
    local dir="$1" force="$2"
    local board="${VIGIL_PX4_BOARD:-gcs}"
    local board_file="$dir/boards/px4/sitl/$board.px4board"
    local target="px4_sitl_$board"
    PX4_BUILD="$dir/build/$target"
    [ -f "$dir/boards/px4/sitl/default.px4board" ] ||
        sitl_die "PX4_DIR=$dir is not a PX4-Autopilot checkout (no boards/px4/sitl/default.px4board)"
    if [ -x "$PX4_BUILD/bin/px4" ] && [ "$force" = 0 ] &&
        (($(stat -c %Y "$PX4_BUILD/bin/px4") >= $(px4_source_time "$dir" "$board_file"))); then
        return 0
    fi
    if [ ! -f "$board_file" ]; then
        # The default SITL board without the two modules that cannot build offline: the uXRCE-DDS
        # client downloads its sources at build time, and gyro_fft's CMSIS sources are large.
        log "sitl: writing $board_file (default SITL board, UXRCE_DDS_CLIENT and GYRO_FFT off)"
        sed -e 's/^CONFIG_MODULES_UXRCE_DDS_CLIENT=.*/CONFIG_MODULES_UXRCE_DDS_CLIENT=n/' \
            -e 's/^CONFIG_MODULES_GYRO_FFT=.*/CONFIG_MODULES_GYRO_FFT=n/' \
            "$dir/boards/px4/sitl/default.px4board" >"$board_file"
        grep -q '^CONFIG_MODULES_UXRCE_DDS_CLIENT=' "$board_file" || echo CONFIG_MODULES_UXRCE_DDS_CLIENT=n >>"$board_file"
        grep -q '^CONFIG_MODULES_GYRO_FFT=' "$board_file" || echo CONFIG_MODULES_GYRO_FFT=n >>"$board_file"
    fi
    px4_tools
    export GIT_SUBMODULES_ARE_EVIL=1
    log "sitl: building PX4 $target in $PX4_BUILD (a few minutes the first time)"
    if [ ! -f "$PX4_BUILD/build.ninja" ]; then
        cmake -S "$dir" -B "$PX4_BUILD" -G Ninja -DCONFIG="$target" \
            -DPYTHON_EXECUTABLE="$(command -v python3)" >"$dir/build/$target.configure.log" 2>&1 ||
            { tail -30 "$dir/build/$target.configure.log" >&2; sitl_die "PX4 configure failed (log: $dir/build/$target.configure.log)"; }
    fi
    ninja -C "$PX4_BUILD" -j "${CARGO_BUILD_JOBS:-2}" || sitl_die "PX4 build failed"
    [ -x "$PX4_BUILD/bin/px4" ] || sitl_die "the build made no $PX4_BUILD/bin/px4"
    # ninja leaves an up-to-date binary alone; mark it as built from this source.
    touch "$PX4_BUILD/bin/px4"
}

# Vehicle i's home: base i mod 3; the i/3-th vehicle at a base parks 20*(i/3) m east of it.
sitl_home() {
    local i="$1" name lat lon alt
    read -r name lat lon alt <<<"${SITL_BASES[i % ${#SITL_BASES[@]}]}"
    awk -v lat="$lat" -v lon="$lon" -v alt="$alt" -v d="$((20 * (i / ${#SITL_BASES[@]})))" -v name="$name" \
        'BEGIN { pi = atan2(0, -1); dlon = d / (6371008.8 * cos(lat * pi / 180)) * 180 / pi;
                 printf "%s %.7f %.7f %s\n", name, lat, lon + dlon, alt }'
}

sitl_port_busy() {
    command -v ss >/dev/null || return 1
    [ -n "$(ss -Hlun "( sport = :$1 )" 2>/dev/null)" ]
}

# Where instance K's onboard link sends until someone writes to it (PX4's px4-rc.mavlink).
sitl_onboard_remote() {
    if (($1 > 9)); then echo 14549; else echo $((14540 + $1)); fi
}

SITL_PIDS=()
SITL_WATCHDOG=""
# Stops every PX4 this script started (each leads its own process group, with its start-up
# script's children): SIGTERM (PX4 exits cleanly), then SIGKILL after 10 s.
sitl_stop() {
    set +e
    trap - EXIT INT TERM
    if [ -n "$SITL_WATCHDOG" ]; then kill "$SITL_WATCHDOG" 2>/dev/null || true; fi
    ((${#SITL_PIDS[@]})) || return 0
    log "sitl: stopping ${#SITL_PIDS[@]} PX4 instance(s)"
    local pid n
    for pid in "${SITL_PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
    for n in $(seq 100); do
        local alive=0
        for pid in "${SITL_PIDS[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
        ((alive)) || break
        sleep 0.1
    done
    for pid in "${SITL_PIDS[@]}"; do
        if kill -0 -- "-$pid" 2>/dev/null; then
            log "sitl: PX4 pid $pid did not stop in 10 s: killing it"
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
    done
    wait "${SITL_PIDS[@]}" 2>/dev/null || true
    SITL_PIDS=()
}

sitl_main() {
    local n="" no_app=0 build_only=0 rebuild=0 first=0 speed="${PX4_SIM_SPEED_FACTOR:-}" app_args=()
    while (($#)); do
        case "$1" in
        -h | --help) echo "$SITL_USAGE"; exit 0 ;;
        --no-app) no_app=1 ;;
        --build-only) build_only=1 ;;
        --rebuild) rebuild=1 ;;
        --first-instance | --speed)
            (($# >= 2)) || sitl_usage_error "$1 needs a value"
            [ "$1" = --speed ] && speed="$2" || first="$2"
            shift ;;
        --first-instance=*) first="${1#*=}" ;;
        --speed=*) speed="${1#*=}" ;;
        --) shift; app_args=("$@"); break ;;
        -*) sitl_usage_error "unknown option $1" ;;
        *)
            [ -z "$n" ] || sitl_usage_error "one vehicle count only (got $n and $1)"
            n="$1" ;;
        esac
        shift
    done
    n="${n:-3}"
    [[ "$n" =~ ^[0-9]+$ ]] && ((10#$n >= 1 && 10#$n <= SITL_MAX)) ||
        sitl_usage_error "N=$n: expected a whole number of vehicles, 1..=$SITL_MAX"
    n=$((10#$n))
    [[ "$first" =~ ^[0-9]+$ ]] && ((10#$first + n <= 254)) ||
        sitl_usage_error "--first-instance $first: expected a whole number, 0..=$((254 - n)) for $n vehicles (system ids up to 254; the app is 255)"
    first=$((10#$first))
    if [ -n "$speed" ]; then
        awk -v s="$speed" 'BEGIN { exit !(s ~ /^[0-9]*\.?[0-9]+$/ && s + 0 > 0 && s + 0 <= 100) }' ||
            sitl_usage_error "--speed / PX4_SIM_SPEED_FACTOR=$speed: expected a number, more than 0, at most 100"
        command -v bc >/dev/null || sitl_die "PX4's start-up script needs bc for PX4_SIM_SPEED_FACTOR (apt-get install bc)"
    fi

    # 1. PX4, built once.
    local px4_dir
    if [ -n "${PX4_DIR:-}" ]; then
        [ -d "$PX4_DIR" ] || sitl_die "PX4_DIR=$PX4_DIR: no such directory"
        px4_dir="$(cd "$PX4_DIR" && pwd)"
    else
        px4_dir="$VIGIL_CACHE/px4/PX4-Autopilot-$PX4_TAG"
        px4_fetch_pinned "$px4_dir"
    fi
    px4_build "$px4_dir" "$rebuild"
    if ((build_only)); then
        log "sitl: PX4 SITL is built: $PX4_BUILD/bin/px4"
        echo "PX4_DIR=$px4_dir"
        return 0
    fi

    # 2. The app, built before any vehicle starts.
    if ((!no_app)); then
        ensure_packages
        ensure_rust
        cargo build -p gcs
    fi

    # 3. The fleet.
    local k inst
    for ((k = 0; k < n; k++)); do
        inst=$((first + k))
        local p
        for p in $((18570 + inst)) $((14580 + inst)) $((14280 + inst)) $((13030 + inst)) $((19450 + inst)); do
            if sitl_port_busy "$p"; then
                sitl_die "UDP port $p (PX4 instance $inst) is in use: another PX4 or program runs there; stop it or pick other instances with --first-instance"
            fi
        done
    done
    local runs="${VIGIL_SITL_RUNS:-$VIGIL_CACHE/sitl}"
    mkdir -p "$runs"
    # Keep the last 10 runs' logs.
    { ls -1dt "$runs"/run-*/ 2>/dev/null || true; } | tail -n +10 | while read -r old; do rm -rf -- "$old"; done
    local run
    run="$(mktemp -d "$runs/run-$(date +%Y%m%d-%H%M%S)-XXXX")"
    trap sitl_stop EXIT
    trap 'sitl_stop; exit 130' INT
    trap 'sitl_stop; exit 143' TERM
    printf 'instance\tsysid\tbase\tlat\tlon\talt_m\tgcs_port\tonboard_port\tonboard_remote_port\tpid\tlog\n' >"$run/fleet.tsv"
    log "sitl: starting $n PX4 SIH quadrotor(s)${speed:+ at ${speed}x}; run dir $run"
    local homes=()
    for ((k = 0; k < n; k++)); do
        inst=$((first + k))
        local name lat lon alt wd="$run/px4-$inst"
        read -r name lat lon alt <<<"$(sitl_home "$k")"
        homes+=("$name $lat $lon $alt")
        mkdir -p "$wd"
        # A fresh working dir: default parameters, empty mission storage. setsid: its own
        # process group (so Ctrl-C reaches only this script, which stops it).
        (
            cd "$wd"
            export PX4_SYS_AUTOSTART=10040 PX4_SIMULATOR=sihsim PX4_SIM_MODEL=sihsim_quadx \
                PX4_HOME_LAT="$lat" PX4_HOME_LON="$lon" PX4_HOME_ALT="$alt"
            if [ -n "$speed" ]; then export PX4_SIM_SPEED_FACTOR="$speed"; else unset PX4_SIM_SPEED_FACTOR; fi
            exec setsid "$PX4_BUILD/bin/px4" -i "$inst" -d "$PX4_BUILD/etc" -w "$wd" >"$wd/px4.log" 2>&1 </dev/null
        ) &
        SITL_PIDS+=($!)
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$inst" "$((inst + 1))" "$name" "$lat" "$lon" "$alt" \
            "$((18570 + inst))" "$((14580 + inst))" "$(sitl_onboard_remote "$inst")" "$!" "$wd/px4.log" >>"$run/fleet.tsv"
    done
    # Should this script be killed outright (no trap runs), stop the fleet anyway.
    (
        trap '' INT
        while kill -0 $$ 2>/dev/null; do sleep 1; done
        for pid in "${SITL_PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done
    ) &
    SITL_WATCHDOG=$!

    # Ready when every start-up script has run.
    local deadline=$((SECONDS + 120)) ready
    while :; do
        ready=0
        for ((k = 0; k < n; k++)); do
            inst=$((first + k))
            kill -0 "${SITL_PIDS[k]}" 2>/dev/null || {
                tail -15 "$run/px4-$inst/px4.log" >&2
                sitl_die "PX4 instance $inst exited during start-up (log: $run/px4-$inst/px4.log)"
            }
            if grep -q "Startup script returned successfully" "$run/px4-$inst/px4.log"; then ready=$((ready + 1)); fi
        done
        ((ready == n)) && break
        ((SECONDS < deadline)) || sitl_die "PX4 not started after 120 s (logs in $run)"
        sleep 0.5
    done
    log "sitl: fleet up (system id: home; GCS link; log):"
    for ((k = 0; k < n; k++)); do
        inst=$((first + k))
        local name lat lon alt
        read -r name lat lon alt <<<"${homes[k]}"
        log "sitl:   $((inst + 1)): $name $lat,$lon ${alt} m; udp 127.0.0.1:$((18570 + inst)); $run/px4-$inst/px4.log"
    done

    # 4. The app, connected to this fleet only (PX4 answers the first program that writes to
    # its port, for as long as it runs).
    local connect=()
    for ((k = 0; k < n; k++)); do connect+=(--connect "udpout:127.0.0.1:$((18570 + first + k))"); done
    if ((no_app)); then
        # PX4 sends each link to the first program that writes to it, for as long as it runs;
        # until then the onboard link sends to 127.0.0.1:14540+K, so listening there works
        # again and again, while udpout to the GCS port works for one program only.
        local watch="" w
        for ((k = 0; k < n; k++)); do
            w="--connect udpin:127.0.0.1:$(sitl_onboard_remote $((first + k)))"
            [[ " $watch " == *" $w "* ]] || watch+="${watch:+ }$w"
        done
        log "sitl: no app; Ctrl-C stops the fleet (fleet list: $run/fleet.tsv). Watch it, as often as you like, with"
        log "sitl:   cargo run -p gcs-cli -- $watch watch"
        log "sitl: or give one program the full GCS stream: ${connect[*]} (PX4 answers only the first"
        log "sitl: program that writes to its GCS port, until PX4 stops)"
        # Until Ctrl-C or a vehicle dies.
        local rc=0
        wait -n "${SITL_PIDS[@]}" || rc=$?
        sitl_die "a PX4 instance exited on its own (status $rc); logs in $run"
    fi
    local rc=0
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        cargo run -p gcs -- --no-sim "${connect[@]}" "${app_args[@]}" || rc=$?
    else
        log "sitl: no display: running the map on a virtual display (Xvfb); it writes gcs-screenshot.png after 30 s"
        WGPU_BACKEND="${WGPU_BACKEND:-vulkan}" xvfb-run -a -s "-screen 0 1600x900x24" \
            cargo run -p gcs -- --no-sim "${connect[@]}" --screenshot gcs-screenshot.png --after-secs 30 \
            "${app_args[@]}" || rc=$?
        ((rc == 0)) && log "sitl: wrote $root/gcs-screenshot.png"
    fi
    return "$rc"
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
sitl)
    shift
    sitl_main "$@"
    ;;
*)
    echo "usage: bash scripts/vigil.sh run [gcs args...] | test [cargo test args...] | sitl [N] [--no-app] (sitl --help)" >&2
    exit 2
    ;;
esac
