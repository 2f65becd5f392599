#!/usr/bin/env bash
# Records the PX4 reference the simulator is checked against in CI:
# runs the conformance probe against N fresh PX4 SITL SIH quadrotors (real time, home at
# Agadez as gcs-sim's default) and merges the runs into tests/px4/reference.json, and
# PX4's parameter list into gcs/sim/px4/params.tsv.
#   PX4_DIR=/path/to/PX4-Autopilot bash tests/px4/record.sh [RUNS]
# PX4_DIR must hold a px4_sitl build (build/px4_sitl_*/bin/px4); see ../shared/px4-sitl.md
# or `bash scripts/vigil.sh sitl --build-only`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-3}"
: "${PX4_DIR:?set PX4_DIR to a PX4-Autopilot checkout with a SITL build}"
build="${PX4_BUILD:-$(ls -d "$PX4_DIR"/build/px4_sitl_* | head -1)}"
[ -x "$build/bin/px4" ] || { echo "record.sh: no $build/bin/px4" >&2; exit 1; }
cd "$root"
cargo build -q -p vigil-tests --bin px4-probe
probe="${CARGO_TARGET_DIR:-$root/target}/debug/px4-probe"
out="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
version="$(git -C "$PX4_DIR" describe --always --tags 2>/dev/null || echo unknown)"
for i in $(seq 1 "$runs"); do
    wd="$out/px4-$i"; mkdir -p "$wd"
    echo "record.sh: run $i of $runs (PX4 log: $wd/px4.log)" >&2
    (cd "$wd" && PX4_SYS_AUTOSTART=10040 PX4_SIMULATOR=sihsim PX4_SIM_MODEL=sihsim_quadx \
        PX4_HOME_LAT=16.9742 PX4_HOME_LON=7.9865 PX4_HOME_ALT=501 \
        exec "$build/bin/px4" -d "$build/etc" -w "$wd" >"$wd/px4.log" 2>&1 </dev/null) &
    pid=$!
    "$probe" run --connect udpout:127.0.0.1:18570 --out "$out/run-$i.json"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
mkdir -p gcs/sim/px4
"$probe" merge --vehicle "PX4 SITL $version, SIH quadrotor (sihsim_quadx), real time, home Agadez" \
    --out tests/px4/reference.json --params-out gcs/sim/px4/params.tsv "$out"/run-*.json
"$probe" compare --reference tests/px4/reference.json "$out"/run-*.json
