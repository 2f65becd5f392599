#!/usr/bin/env python3
"""An independent signing peer: pymavlink's MAVLink 2 signing against Vigil's simulated PX4.

Usage: pymavlink_signing.py SIM_PORT PASSPHRASE

The sim listens on udpin:127.0.0.1:SIM_PORT with the key SHA-256(PASSPHRASE). This
script derives the key as MAVProxy's `signing setup` does, and checks with pymavlink's
own signing code (mav.setup_signing, check_signature) that:
- the sim's frames are signed, and verify with the right key, not with a wrong one;
- an unsigned arm and an arm signed with a wrong key get no answer;
- an arm signed with the right key is accepted;
- the same signed arm frame sent again after a disarm (a replay) gets no answer;
- the sim still answers fresh signed commands afterwards.
Prints one JSON report; exit status 0 only if every check passed.
"""

import hashlib
import json
import os
import sys
import time

os.environ["MAVLINK20"] = "1"
os.environ["MAVLINK_DIALECT"] = "common"
from pymavlink import mavutil  # noqa: E402

mavlink = mavutil.mavlink
port, passphrase = int(sys.argv[1]), sys.argv[2]
key = hashlib.sha256(passphrase.encode("utf-8")).digest()
wrong_key = hashlib.sha256(b"not the key").digest()
ARM = mavlink.MAV_CMD_COMPONENT_ARM_DISARM

master = mavutil.mavlink_connection(f"udpout:127.0.0.1:{port}", source_system=254, source_component=190)
report = {"checks": {}, "failures": []}
last_heartbeat = 0.0


def check(name, ok, detail=""):
    report["checks"][name] = bool(ok)
    if not ok:
        report["failures"].append(f"{name}: {detail}")


def pump(types, timeout, cond=lambda m: True):
    """Receive until a message of `types` satisfies `cond`; keeps our heartbeat going."""
    global last_heartbeat
    deadline = time.time() + timeout
    while time.time() < deadline:
        if time.time() - last_heartbeat >= 1.0:
            master.mav.heartbeat_send(mavlink.MAV_TYPE_GCS, mavlink.MAV_AUTOPILOT_INVALID, 0, 0,
                                      mavlink.MAV_STATE_ACTIVE)
            last_heartbeat = time.time()
        try:
            m = master.recv_match(blocking=True, timeout=0.1)
        except Exception:  # pymavlink raises on a frame it refuses
            continue
        if m is not None and m.get_type() in types and cond(m):
            return m
    return None


def arm_frame(arm):
    """Sends COMMAND_LONG arm (1) or disarm (0) and returns the exact bytes sent."""
    msg = master.mav.command_long_encode(1, 1, ARM, 0, float(arm), 0, 0, 0, 0, 0, 0)
    master.mav.send(msg)
    return bytes(msg.get_msgbuf())


def ack_of(cmd, timeout):
    ack = pump(["COMMAND_ACK"], timeout, lambda m: m.command == cmd)
    return None if ack is None else ack.result


def armed(hb):
    return bool(hb.base_mode & mavlink.MAV_MODE_FLAG_SAFETY_ARMED)


hb = pump(["HEARTBEAT"], 30.0, lambda m: m.get_srcSystem() == 1)
if hb is None:
    report["failures"].append("no HEARTBEAT from the sim")
    print(json.dumps(report))
    sys.exit(1)
check("sim frames carry a MAVLink 2 signature", hb.get_msgbuf()[2] & 0x01 == 0x01, hb.get_msgbuf()[:3])
pump(["HOME_POSITION"], 30.0)

# 1. Unsigned: dropped, no answer.
arm_frame(1)
check("unsigned arm gets no answer", ack_of(ARM, 3.0) is None)

# 2. Signed with a wrong key: dropped; and the sim's signatures do not verify with it.
master.setup_signing(wrong_key, sign_outgoing=True, allow_unsigned_callback=lambda mav, msg_id: True)
arm_frame(1)
check("wrongly signed arm gets no answer", ack_of(ARM, 3.0) is None)
check("sim signatures fail with a wrong key", master.mav.signing.badsig_count > 0,
      master.mav.signing.badsig_count)
check("no sim signature verified with a wrong key", master.mav.signing.goodsig_count == 0,
      master.mav.signing.goodsig_count)

# 3. The right key: pymavlink verifies the sim's frames and the sim obeys.
master.setup_signing(key, sign_outgoing=True)
captured = arm_frame(1)
check("signed arm accepted", ack_of(ARM, 10.0) == mavlink.MAV_RESULT_ACCEPTED)
check("our arm frame was signed", captured[2] & 0x01 == 0x01, captured[:3])
check("sim signatures verify with the key", master.mav.signing.goodsig_count > 0,
      master.mav.signing.goodsig_count)
hb = pump(["HEARTBEAT"], 10.0, armed)
check("armed in HEARTBEAT", hb is not None)
arm_frame(0)
check("signed disarm accepted", ack_of(ARM, 10.0) == mavlink.MAV_RESULT_ACCEPTED)
hb = pump(["HEARTBEAT"], 10.0, lambda m: not armed(m))
check("disarmed in HEARTBEAT", hb is not None)

# 4. Replay the captured arm frame: dropped.
master.write(captured)
check("replayed arm gets no answer", ack_of(ARM, 3.0) is None)
hb = pump(["HEARTBEAT"], 10.0)
check("still disarmed after the replay", hb is not None and not armed(hb))

# 5. Fresh signed commands still work.
arm_frame(1)
check("fresh signed arm accepted after the replay", ack_of(ARM, 10.0) == mavlink.MAV_RESULT_ACCEPTED)
arm_frame(0)
check("fresh signed disarm accepted", ack_of(ARM, 10.0) == mavlink.MAV_RESULT_ACCEPTED)

report["signing"] = {k: getattr(master.mav.signing, k)
                     for k in ["sig_count", "goodsig_count", "badsig_count", "unsigned_count", "reject_count"]}
print(json.dumps(report))
sys.exit(1 if report["failures"] else 0)
