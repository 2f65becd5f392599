#!/usr/bin/env python3
"""A ground station written against pymavlink that flies Vigil's simulated PX4 drone.

An independent peer for gcs-sim: pymavlink decodes the sim's HEARTBEAT with its own PX4
mode table (mavutil.interpret_px4_mode), builds commands as pymavlink users do
(command_long_send, set_mode_px4), and checks the answers PX4 gives.

It listens on udpin:127.0.0.1:0, prints {"port": N} on the first stdout line (the test
starts the sim toward that port), then runs the scenario and prints one JSON report.
Exit status 0 only if every check passed.
"""

import json
import os
import sys
import time

os.environ["MAVLINK20"] = "1"
os.environ["MAVLINK_DIALECT"] = "common"
from pymavlink import mavutil  # noqa: E402

mavlink = mavutil.mavlink
STEP_TIMEOUT_S = 60.0

master = mavutil.mavlink_connection("udpin:127.0.0.1:0", source_system=254, source_component=190)
print(json.dumps({"port": master.port.getsockname()[1]}), flush=True)

report = {"checks": {}, "failures": [], "counts": {}, "statustext": []}
last_gcs_heartbeat = 0.0
started = time.time()


def check(name, ok, detail=""):
    report["checks"][name] = bool(ok)
    if not ok:
        report["failures"].append(f"{name}: {detail}")


def pump(types, timeout=STEP_TIMEOUT_S, cond=lambda m: True):
    """Receive until a message of `types` satisfies `cond`; keeps the GCS heartbeat going."""
    global last_gcs_heartbeat
    deadline = time.time() + timeout
    while time.time() < deadline:
        if time.time() - last_gcs_heartbeat >= 1.0:
            master.mav.heartbeat_send(mavlink.MAV_TYPE_GCS, mavlink.MAV_AUTOPILOT_INVALID, 0, 0, mavlink.MAV_STATE_ACTIVE)
            last_gcs_heartbeat = time.time()
        m = master.recv_match(blocking=True, timeout=0.1)
        if m is None:
            continue
        t = m.get_type()
        report["counts"][t] = report["counts"].get(t, 0) + 1
        if t == "STATUSTEXT":
            report["statustext"].append(m.text)
        if t in types and cond(m):
            return m
    return None


def command(cmd, params, expect):
    """Send a COMMAND_LONG to the sim and return the COMMAND_ACK result name."""
    p = list(params) + [0.0] * (7 - len(params))
    master.mav.command_long_send(master.target_system, master.target_component, cmd, 0, *p)
    ack = pump(["COMMAND_ACK"], 10.0, lambda m: m.command == cmd)
    result = None if ack is None else ack.result
    name = mavlink.enums["MAV_RESULT"][result].name if result is not None else "NO_ACK"
    check(f"{mavlink.enums['MAV_CMD'][cmd].name} -> {mavlink.enums['MAV_RESULT'][expect].name}", result == expect, name)
    if ack is not None:
        check(f"ack of {cmd} addressed to us", ack.target_system == 254 and ack.target_component == 190,
              f"{ack.target_system}/{ack.target_component}")
    return result


def mode_of(hb):
    return mavutil.interpret_px4_mode(hb.base_mode, hb.custom_mode)


def armed(hb):
    return bool(hb.base_mode & mavlink.MAV_MODE_FLAG_SAFETY_ARMED)


hb = pump(["HEARTBEAT"], cond=lambda m: m.get_srcSystem() == 1)
if hb is None:
    report["failures"].append("no HEARTBEAT from the sim")
    print(json.dumps(report))
    sys.exit(1)
master.target_system, master.target_component = hb.get_srcSystem(), hb.get_srcComponent()
check("heartbeat autopilot PX4", hb.autopilot == mavlink.MAV_AUTOPILOT_PX4, hb.autopilot)
check("heartbeat type quadrotor", hb.type == mavlink.MAV_TYPE_QUADROTOR, hb.type)
check("heartbeat custom mode flag", hb.base_mode & mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, hb.base_mode)
check("boots disarmed in LOITER (Hold)", not armed(hb) and mode_of(hb) == "LOITER", mode_of(hb))
check("standby while disarmed", hb.system_status == mavlink.MAV_STATE_STANDBY, hb.system_status)
check("MAVLink 2 frames", hb.get_msgbuf()[0] == 0xFD, hex(hb.get_msgbuf()[0]))

# Before the GPS has a fix, PX4's preflight checks refuse arming.
command(mavlink.MAV_CMD_COMPONENT_ARM_DISARM, [1], mavlink.MAV_RESULT_TEMPORARILY_REJECTED)
# PX4's text, sent in 50-character chunks: pymavlink shows the first one.
check("preflight STATUSTEXT", any(t.startswith("Arming denied: Resolve system health") for t in report["statustext"]), report["statustext"])
command(mavlink.MAV_CMD_DO_SET_SERVO, [1, 1500], mavlink.MAV_RESULT_UNSUPPORTED)

gps = pump(["GPS_RAW_INT"], cond=lambda m: m.fix_type >= 3)
check("GPS 3D fix", gps is not None, "no fix")
home = pump(["HOME_POSITION"])
check("HOME_POSITION", home is not None, "none")
home_alt_m = home.altitude / 1000.0 if home else 0.0

command(mavlink.MAV_CMD_COMPONENT_ARM_DISARM, [1], mavlink.MAV_RESULT_ACCEPTED)
hb = pump(["HEARTBEAT"], cond=armed)
check("armed in HEARTBEAT", hb is not None and hb.system_status == mavlink.MAV_STATE_ACTIVE, hb)
nan = float("nan")
command(mavlink.MAV_CMD_NAV_TAKEOFF, [-1, 0, 0, nan, nan, nan, home_alt_m + 10.0], mavlink.MAV_RESULT_ACCEPTED)
pos = pump(["GLOBAL_POSITION_INT"], cond=lambda m: m.relative_alt > 9500)
check("climbed to 10 m", pos is not None, "never above 9.5 m")
hb = pump(["HEARTBEAT"], cond=lambda m: mode_of(m) == "LOITER" and armed(m))
check("Hold after takeoff", hb is not None, "no LOITER")

# Manual modes need RC on PX4: refused without it.
master.set_mode("POSCTL")
ack = pump(["COMMAND_ACK"], 10.0, lambda m: m.command == mavlink.MAV_CMD_DO_SET_MODE)
check("POSCTL refused without RC", ack is not None and ack.result == mavlink.MAV_RESULT_TEMPORARILY_REJECTED,
      ack and ack.result)
master.set_mode("RTL")
ack = pump(["COMMAND_ACK"], 10.0, lambda m: m.command == mavlink.MAV_CMD_DO_SET_MODE)
check("RTL accepted", ack is not None and ack.result == mavlink.MAV_RESULT_ACCEPTED, ack and ack.result)
hb = pump(["HEARTBEAT"], cond=lambda m: mode_of(m) == "RTL")
check("RTL in HEARTBEAT", hb is not None, "no RTL")
landed = pump(["EXTENDED_SYS_STATE"], 120.0, lambda m: m.landed_state == mavlink.MAV_LANDED_STATE_ON_GROUND)
check("landed", landed is not None, "not landed")
hb = pump(["HEARTBEAT"], cond=lambda m: not armed(m))
check("disarmed after landing", hb is not None, "still armed")

elapsed = time.time() - started
report["elapsed_s"] = elapsed
rates = {t: report["counts"].get(t, 0) / elapsed for t in ["HEARTBEAT", "ATTITUDE", "GLOBAL_POSITION_INT", "VFR_HUD", "SYS_STATUS"]}
report["rates_hz"] = rates
# The rates recorded on PX4 SITL's GCS link (tests/px4/reference.json).
for t, hz in [("HEARTBEAT", 1.0), ("ATTITUDE", 50.0), ("GLOBAL_POSITION_INT", 50.0), ("VFR_HUD", 4.0), ("SYS_STATUS", 1.0)]:
    check(f"{t} at PX4's {hz} Hz", 0.6 * hz <= rates[t] <= 1.4 * hz, f"{rates[t]:.2f} Hz")

print(json.dumps(report))
sys.exit(1 if report["failures"] else 0)
