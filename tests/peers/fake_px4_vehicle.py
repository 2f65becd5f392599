#!/usr/bin/env python3
"""A fake PX4 multicopter, written against pymavlink, that checks the commands Vigil sends.

An independent peer for gcs-link: it shares no code with Vigil, so a field that both
sides got wrong the same way cannot pass. It speaks MAVLink 2, `common` dialect.

What it does, until the ground station goes silent (no GCS HEARTBEAT for --silence-s):
  - sends PX4-style HEARTBEAT (MAV_AUTOPILOT_PX4, MAV_TYPE_QUADROTOR, PX4 custom_mode
    `main << 16 | sub << 24`, base_mode flags as PX4's mavlink module sets them) at 1 Hz
    and on every state change, GLOBAL_POSITION_INT at 5 Hz (as MAVLink 1 frames, which
    the core must also accept) and HOME_POSITION every 2 s;
  - checks every GCS HEARTBEAT (MAV_TYPE_GCS, MAV_AUTOPILOT_INVALID, MAVLink 2, about 1 Hz)
    and, on every command, the sender (sysid 255, compid 190) and target (ours, compid 1);
  - answers commands as the scenario in `Vehicle.on_command` says: the first transmission
    of ARM is ignored (the retransmission must carry confirmation 1), NAV_LAND is DENIED,
    NAV_RETURN_TO_LAUNCH is never answered (four transmissions, confirmation 0..3 expected),
    everything else expected is ACCEPTED and changes the fake's state like PX4 would.

It prints one JSON report on stdout and exits 0 only if every check passed.
Run by tests/tests/pymavlink_vehicle.rs; needs `pip install -r tests/peers/requirements.txt`.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

os.environ["MAVLINK20"] = "1"
os.environ["MAVLINK_DIALECT"] = "common"
from pymavlink import mavutil  # noqa: E402

mavlink = mavutil.mavlink

# PX4 custom modes (px4_custom_mode.h): (main, sub).
POSCTL = (3, 0)
AUTO_TAKEOFF = (4, 2)
AUTO_LOITER = (4, 3)
AUTO_RTL = (4, 5)

# MAV_MODE_FLAG bits.
CUSTOM_MODE_ENABLED = 1
AUTO_ENABLED = 4
GUIDED_ENABLED = 8
STABILIZE_ENABLED = 16
MANUAL_INPUT_ENABLED = 64
SAFETY_ARMED = 128

GCS_SYSID = 255
GCS_COMPID = 190
FORCE_DISARM_MAGIC = 21196.0
MAVLINK2_MAGIC = 0xFD


def base_mode(mode, armed):
    """base_mode as PX4's get_mavlink_navigation_mode sets it for a multicopter."""
    flags = CUSTOM_MODE_ENABLED
    if mode[0] == 4:  # AUTO
        flags |= AUTO_ENABLED | GUIDED_ENABLED | STABILIZE_ENABLED
    elif mode[0] == 3:  # POSCTL
        flags |= MANUAL_INPUT_ENABLED | STABILIZE_ENABLED | GUIDED_ENABLED
    if armed:
        flags |= SAFETY_ARMED
    return flags


def json_float(x):
    """NaN is not JSON: report it as null."""
    return None if isinstance(x, float) and math.isnan(x) else x


class Vehicle:
    def __init__(self, args):
        self.args = args
        self.conn = mavutil.mavlink_connection(
            args.connect,
            source_system=args.sysid,
            source_component=1,
            dialect="common",
        )
        self.armed = False
        self.mode = AUTO_LOITER
        self.lat_e7 = round(args.home_lat * 1e7)
        self.lon_e7 = round(args.home_lon * 1e7)
        self.home_alt_mm = round(args.home_alt_m * 1000)
        self.rel_alt_mm = 0
        self.errors = []
        self.commands = []
        self.gcs_heartbeats = []
        self.other_messages = {}
        self.arm_ignored = False

    # --- checks -----------------------------------------------------------------

    def check(self, ok, what):
        if not ok:
            self.errors.append(what)
            print(f"fake vehicle: MISMATCH: {what}", file=sys.stderr)
        return ok

    def close(self, got, want, what, tol=1e-3):
        return self.check(
            got is not None and not math.isnan(got) and abs(got - want) <= tol,
            f"{what}: got {got}, want {want}",
        )

    def check_addressing(self, msg, name):
        self.check(
            (msg.get_srcSystem(), msg.get_srcComponent()) == (GCS_SYSID, GCS_COMPID),
            f"{name} sent from {msg.get_srcSystem()}/{msg.get_srcComponent()}, "
            f"want {GCS_SYSID}/{GCS_COMPID}",
        )
        self.check(
            (msg.target_system, msg.target_component) == (self.args.sysid, 1),
            f"{name} addressed to {msg.target_system}/{msg.target_component}, "
            f"want {self.args.sysid}/1",
        )
        self.check(msg.get_msgbuf()[0] == MAVLINK2_MAGIC, f"{name} not sent as MAVLink 2")

    # --- sending ----------------------------------------------------------------

    def send_heartbeat(self):
        main, sub = self.mode
        self.conn.mav.heartbeat_send(
            mavlink.MAV_TYPE_QUADROTOR,
            mavlink.MAV_AUTOPILOT_PX4,
            base_mode(self.mode, self.armed),
            (main << 16) | (sub << 24),
            mavlink.MAV_STATE_ACTIVE if self.armed else mavlink.MAV_STATE_STANDBY,
        )

    def send_position(self, boot_ms):
        self.conn.mav.global_position_int_send(
            boot_ms,
            self.lat_e7,
            self.lon_e7,
            self.home_alt_mm + self.rel_alt_mm,
            self.rel_alt_mm,
            0,
            0,
            0,
            9000,
            force_mavlink1=True,  # the core must accept MAVLink 1 too
        )

    def send_home(self):
        self.conn.mav.home_position_send(
            round(self.args.home_lat * 1e7),
            round(self.args.home_lon * 1e7),
            self.home_alt_mm,
            0.0,
            0.0,
            0.0,
            [1.0, 0.0, 0.0, 0.0],
            0.0,
            0.0,
            0.0,
        )

    def ack(self, msg, result):
        self.conn.mav.command_ack_send(
            msg.command,
            result,
            0,
            0,
            msg.get_srcSystem(),
            msg.get_srcComponent(),
        )

    # --- receiving --------------------------------------------------------------

    def on_gcs_heartbeat(self, msg, now):
        self.gcs_heartbeats.append(now)
        n = len(self.gcs_heartbeats)
        if n <= 3:  # the same frame every second: check the first few
            self.check(msg.type == mavlink.MAV_TYPE_GCS, f"GCS HEARTBEAT type {msg.type}")
            self.check(
                msg.autopilot == mavlink.MAV_AUTOPILOT_INVALID,
                f"GCS HEARTBEAT autopilot {msg.autopilot}",
            )
            self.check(
                (msg.get_srcSystem(), msg.get_srcComponent()) == (GCS_SYSID, GCS_COMPID),
                f"GCS HEARTBEAT from {msg.get_srcSystem()}/{msg.get_srcComponent()}",
            )
            self.check(msg.get_msgbuf()[0] == MAVLINK2_MAGIC, "GCS HEARTBEAT not MAVLink 2")

    def on_command(self, msg):
        """Checks one COMMAND_LONG/COMMAND_INT and answers it as the scenario says."""
        kind = msg.get_type()
        name = mavlink.enums["MAV_CMD"][msg.command].name if msg.command in mavlink.enums["MAV_CMD"] else str(msg.command)
        self.check_addressing(msg, f"{kind} {name}")
        record = {
            "message": kind,
            "command": name,
            "src": [msg.get_srcSystem(), msg.get_srcComponent()],
            "target": [msg.target_system, msg.target_component],
        }
        if kind == "COMMAND_LONG":
            record["confirmation"] = msg.confirmation
            record["params"] = [json_float(getattr(msg, f"param{i}")) for i in range(1, 8)]
        else:
            record["frame"] = msg.frame
            record["params"] = [json_float(getattr(msg, f"param{i}")) for i in range(1, 5)]
            record["x"], record["y"], record["z"] = msg.x, msg.y, json_float(msg.z)
        answer = self.answer(msg, kind, name)
        record["answer"] = answer
        self.commands.append(record)
        print(f"fake vehicle: {kind} {name} -> {answer}", file=sys.stderr)
        if answer not in ("ignored", "unanswered"):
            self.ack(msg, getattr(mavlink, f"MAV_RESULT_{answer}"))
            self.send_heartbeat()  # let the state change show at once

    def answer(self, msg, kind, name):
        a = self.args
        cmd = msg.command
        home_alt_m = self.home_alt_mm / 1000.0
        if kind == "COMMAND_LONG" and cmd == mavlink.MAV_CMD_COMPONENT_ARM_DISARM:
            if msg.param1 == 1.0:
                if not self.arm_ignored:
                    self.arm_ignored = True
                    self.check(msg.confirmation == 0, f"first ARM confirmation {msg.confirmation}")
                    return "ignored"
                self.check(msg.confirmation == 1, f"ARM retransmission confirmation {msg.confirmation}, want 1")
                self.armed = True
                return "ACCEPTED"
            self.check(msg.param1 == 0.0, f"ARM_DISARM param1 {msg.param1}")
            self.check(msg.param2 == FORCE_DISARM_MAGIC, f"force disarm param2 {msg.param2}, want 21196")
            self.armed = False
            self.rel_alt_mm = 0
            return "ACCEPTED"
        if kind == "COMMAND_LONG" and cmd == mavlink.MAV_CMD_NAV_TAKEOFF:
            # PX4 reads param7 as AMSL; NaN lat/lon (param5/6) means "here".
            self.close(msg.param7, home_alt_m + a.takeoff_rel_m, "TAKEOFF param7 (AMSL)")
            self.check(math.isnan(msg.param5) and math.isnan(msg.param6), f"TAKEOFF lat/lon {msg.param5}/{msg.param6}, want NaN")
            self.check(self.armed, "TAKEOFF before the vehicle was armed")
            self.mode = AUTO_TAKEOFF
            self.rel_alt_mm = round(a.takeoff_rel_m * 1000)
            return "ACCEPTED"
        if kind == "COMMAND_INT" and cmd == mavlink.MAV_CMD_DO_REPOSITION:
            self.check(msg.frame == mavlink.MAV_FRAME_GLOBAL, f"REPOSITION frame {msg.frame}, want MAV_FRAME_GLOBAL")
            self.check(int(msg.param2) & mavlink.MAV_DO_REPOSITION_FLAGS_CHANGE_MODE != 0, f"REPOSITION param2 {msg.param2} lacks the change-mode flag")
            self.check(not msg.param1 > 0, f"REPOSITION speed {msg.param1}, want the default (-1)")
            self.check(msg.x == round(a.goto_lat * 1e7), f"REPOSITION x {msg.x}, want {round(a.goto_lat * 1e7)}")
            self.check(msg.y == round(a.goto_lon * 1e7), f"REPOSITION y {msg.y}, want {round(a.goto_lon * 1e7)}")
            self.close(msg.z, home_alt_m + a.goto_rel_m, "REPOSITION z (AMSL)")
            self.mode = AUTO_LOITER  # PX4 flies a reposition in Hold
            self.lat_e7, self.lon_e7 = msg.x, msg.y
            self.rel_alt_mm = round(a.goto_rel_m * 1000)
            return "ACCEPTED"
        if kind == "COMMAND_LONG" and cmd == mavlink.MAV_CMD_DO_SET_MODE:
            self.check(msg.param1 == CUSTOM_MODE_ENABLED, f"SET_MODE param1 {msg.param1}, want 1 (custom mode)")
            mode = (int(msg.param2), int(msg.param3))
            self.check(mode in (POSCTL, AUTO_LOITER), f"SET_MODE to unexpected PX4 mode {mode}")
            self.mode = mode
            return "ACCEPTED"
        if kind == "COMMAND_LONG" and cmd == mavlink.MAV_CMD_NAV_LAND:
            return "DENIED"
        if kind == "COMMAND_LONG" and cmd == mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH:
            return "unanswered"
        self.check(False, f"unexpected command {kind} {name}")
        return "UNSUPPORTED"

    # --- the run ----------------------------------------------------------------

    def run(self):
        start = time.monotonic()
        next_hb = next_pos = next_home = start
        deadline = start + self.args.deadline_s
        while True:
            now = time.monotonic()
            if now >= next_hb:
                self.send_heartbeat()
                next_hb += 1.0
            if now >= next_pos:
                self.send_position(int((now - start) * 1000))
                next_pos += 0.2
            if now >= next_home:
                self.send_home()
                next_home += 2.0
            last_gcs = self.gcs_heartbeats[-1] if self.gcs_heartbeats else None
            if last_gcs is not None and now - last_gcs > self.args.silence_s:
                return
            if now > deadline:
                self.check(False, f"no end after {self.args.deadline_s} s (the GCS never went silent)")
                return
            msg = self.conn.recv_match(blocking=True, timeout=0.05)
            if msg is None:
                continue
            kind = msg.get_type()
            if kind == "HEARTBEAT":
                self.on_gcs_heartbeat(msg, time.monotonic())
            elif kind in ("COMMAND_LONG", "COMMAND_INT"):
                self.on_command(msg)
            else:
                self.other_messages[kind] = self.other_messages.get(kind, 0) + 1

    def finish(self):
        hb = self.gcs_heartbeats
        intervals = [b - a for a, b in zip(hb, hb[1:])]
        median = statistics.median(intervals) if intervals else None
        self.check(len(hb) >= 3, f"only {len(hb)} GCS HEARTBEATs heard")
        # About 1 Hz; loose bounds, this is a protocol rate, not a performance figure.
        self.check(median is not None and 0.5 <= median <= 2.0, f"GCS HEARTBEAT median interval {median} s, want about 1 s")
        sent = [(c["command"], c["answer"]) for c in self.commands]
        for want in [
            ("MAV_CMD_COMPONENT_ARM_DISARM", "ignored"),
            ("MAV_CMD_NAV_TAKEOFF", "ACCEPTED"),
            ("MAV_CMD_DO_REPOSITION", "ACCEPTED"),
            ("MAV_CMD_DO_SET_MODE", "ACCEPTED"),
            ("MAV_CMD_NAV_LAND", "DENIED"),
            ("MAV_CMD_NAV_RETURN_TO_LAUNCH", "unanswered"),
        ]:
            self.check(want in sent, f"never received {want[0]} (answered {want[1]})")
        rtl = [c["confirmation"] for c in self.commands if c["command"] == "MAV_CMD_NAV_RETURN_TO_LAUNCH"]
        self.check(rtl == [0, 1, 2, 3], f"RTL confirmations {rtl}, want [0, 1, 2, 3]")
        arm = [c["confirmation"] for c in self.commands if c["command"] == "MAV_CMD_COMPONENT_ARM_DISARM" and c["params"][0] == 1.0]
        self.check(arm == [0, 1], f"ARM confirmations {arm}, want [0, 1]")
        report = {
            "ok": not self.errors,
            "errors": self.errors,
            "sysid": self.args.sysid,
            "gcs_heartbeats": {"count": len(hb), "median_interval_s": median},
            "commands": self.commands,
            "other_messages": self.other_messages,
            "final_state": {"armed": self.armed, "mode": list(self.mode)},
        }
        print(json.dumps(report))
        return 0 if report["ok"] else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--connect", required=True, help="pymavlink address of the GCS, e.g. udpout:127.0.0.1:PORT")
    p.add_argument("--sysid", type=int, default=42)
    p.add_argument("--home-lat", type=float, required=True)
    p.add_argument("--home-lon", type=float, required=True)
    p.add_argument("--home-alt-m", type=float, required=True, help="home altitude AMSL, metres")
    p.add_argument("--takeoff-rel-m", type=float, required=True, help="takeoff altitude expected, above home")
    p.add_argument("--goto-lat", type=float, required=True)
    p.add_argument("--goto-lon", type=float, required=True)
    p.add_argument("--goto-rel-m", type=float, required=True, help="go-to altitude expected, above home")
    p.add_argument("--silence-s", type=float, default=4.0, help="end after this long without a GCS HEARTBEAT")
    p.add_argument("--deadline-s", type=float, default=120.0, help="give up after this long")
    vehicle = Vehicle(p.parse_args())
    vehicle.run()
    sys.exit(vehicle.finish())


if __name__ == "__main__":
    main()
