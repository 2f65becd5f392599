#!/usr/bin/env python3
"""An independent check of the sim's parameter server, written against pymavlink.

Fetches the whole list as a ground station does (PARAM_REQUEST_LIST, then
PARAM_REQUEST_READ by index for whatever the stream missed), decodes values with PX4's
bytewise encoding from the raw payload bytes (not from pymavlink's float), recomputes
PX4's _HASH_CHECK with zlib, compares every parameter's type and value bytes with PX4
SITL's list (gcs/sim/px4/params.tsv, recorded from PX4), then sets NAV_DLL_ACT = 3
(Land) as an INT32 and reads it back; a REAL32 set of that INT32 parameter must be
ignored, as PX4 ignores it.

Listens on udpin:127.0.0.1:0, prints {"port": N} first (the test starts the sim toward
it), then one JSON report. Exit status 0 only if every check passed.
"""

import json
import os
import struct
import sys
import time
import zlib

os.environ["MAVLINK20"] = "1"
os.environ["MAVLINK_DIALECT"] = "common"
from pymavlink import mavutil  # noqa: E402

mavlink = mavutil.mavlink
STEP_TIMEOUT_S = 60.0
PX4_LIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "gcs", "sim", "px4", "params.tsv")


def px4_list():
    """PX4 SITL's parameters: name -> (MAV_PARAM_TYPE, 4 value bytes), from the TSV."""
    out = {}
    with open(PX4_LIST) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, ty, value = line.rstrip("\n").split("\t")
            if name == "_HASH_CHECK":
                continue
            if ty == "INT32":
                out[name] = (mavlink.MAV_PARAM_TYPE_INT32, struct.pack("<i", int(value)))
            else:
                out[name] = (mavlink.MAV_PARAM_TYPE_REAL32, struct.pack("<f", float(value)))
    return out


master = mavutil.mavlink_connection("udpin:127.0.0.1:0", source_system=253, source_component=190)
print(json.dumps({"port": master.port.getsockname()[1]}), flush=True)

report = {"checks": {}, "failures": [], "count": None, "values": {}}
last_hb = 0.0


def check(name, ok, detail=""):
    report["checks"][name] = bool(ok)
    if not ok:
        report["failures"].append(f"{name}: {detail}")


def recv(timeout):
    """Next message or None; keeps the GCS heartbeat going."""
    global last_hb
    if time.time() - last_hb >= 1.0:
        master.mav.heartbeat_send(mavlink.MAV_TYPE_GCS, mavlink.MAV_AUTOPILOT_INVALID, 0, 0, mavlink.MAV_STATE_ACTIVE)
        last_hb = time.time()
    return master.recv_match(blocking=True, timeout=timeout)


def raw_value_bytes(m):
    """The 4 bytes of param_value exactly as sent (first field of the payload)."""
    buf = bytes(m.get_msgbuf())
    headerlen = 10 if buf[0] == 0xFD else 6  # MAVLink 2 or 1
    payload = buf[headerlen : headerlen + buf[1]] + b"\0" * 4  # zeros trimmed by MAVLink 2
    return payload[0:4]


def name_of(m):
    n = m.param_id
    return n.decode() if isinstance(n, bytes) else n


def wait_param(cond, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = recv(0.1)
        if m is not None and m.get_type() == "PARAM_VALUE" and cond(m):
            return m
    return None


def read_named(name):
    """PARAM_REQUEST_READ by name, retried through loss; the PARAM_VALUE or None."""
    for _ in range(10):
        master.mav.param_request_read_send(sysid, compid, name.encode(), -1)
        m = wait_param(lambda m: name_of(m) == name, 1.0)
        if m is not None:
            return m
    return None


hb = master.wait_heartbeat(timeout=STEP_TIMEOUT_S)
check("heartbeat", hb is not None)
if hb is None:
    print(json.dumps(report))
    sys.exit(1)
sysid, compid = master.target_system, master.target_component

# Fetch everything: the list stream, then re-requests by index.
master.mav.param_request_list_send(sysid, compid)
params = {}  # index -> (name, type, 4 raw bytes)
hash_msg = None
count = None
deadline = time.time() + STEP_TIMEOUT_S
quiet_since = time.time()
while time.time() < deadline:
    m = recv(0.1)
    if m is not None and m.get_type() == "PARAM_VALUE" and m.get_srcSystem() == sysid:
        quiet_since = time.time()
        if name_of(m) == "_HASH_CHECK":
            hash_msg = m
            continue
        count = m.param_count
        params[m.param_index] = (name_of(m), m.param_type, raw_value_bytes(m))
    if count is not None and len(params) == count:
        break
    if count is None and time.time() - quiet_since > 1.0:
        master.mav.param_request_list_send(sysid, compid)  # the request was lost
        quiet_since = time.time()
    if count is not None and time.time() - quiet_since > 0.5:
        for i in range(count):
            if i not in params:
                master.mav.param_request_read_send(sysid, compid, b"", i)
        quiet_since = time.time()

report["count"] = count
check("list complete", count is not None and sorted(params) == list(range(count)), f"{len(params)} of {count}")
px4 = px4_list()
check("PX4 SITL's parameter count", count == len(px4), f"{count} != {len(px4)}")
names = [params[i][0] for i in sorted(params)]
check("index order is name order", names == sorted(names), "")
check("only INT32 and REAL32", all(t in (mavlink.MAV_PARAM_TYPE_INT32, mavlink.MAV_PARAM_TYPE_REAL32) for _, t, _ in params.values()))

by_name = {n: (t, b) for n, t, b in params.values()}


def typed(name):
    t, b = by_name[name]
    return struct.unpack("<i", b)[0] if t == mavlink.MAV_PARAM_TYPE_INT32 else struct.unpack("<f", b)[0]


for n in ["MAV_SYS_ID", "NAV_DLL_ACT", "COM_DL_LOSS_T", "COM_FLTMODE1", "SYS_AUTOSTART", "RTL_RETURN_ALT", "BAT_LOW_THR"]:
    if n in by_name:
        report["values"][n] = typed(n)
check("MAV_SYS_ID is INT32 and bytewise", by_name.get("MAV_SYS_ID", (0,))[0] == mavlink.MAV_PARAM_TYPE_INT32 and typed("MAV_SYS_ID") == sysid)
check("COM_FLTMODE1 is -1 (a NaN on the wire)", "COM_FLTMODE1" in by_name and typed("COM_FLTMODE1") == -1)
check("COM_DL_LOSS_T is INT32 10", "COM_DL_LOSS_T" in by_name and by_name["COM_DL_LOSS_T"][0] == mavlink.MAV_PARAM_TYPE_INT32 and typed("COM_DL_LOSS_T") == 10)
check("RTL_RETURN_ALT is REAL32 30", "RTL_RETURN_ALT" in by_name and typed("RTL_RETURN_ALT") == 30.0)
differ = sorted(n for n in set(px4) | set(by_name) if n != "MAV_SYS_ID" and px4.get(n) != by_name.get(n))
check("every parameter but MAV_SYS_ID is PX4 SITL's, type and bytes", not differ, str(differ[:10]))
check("NAV_DLL_ACT starts disabled", "NAV_DLL_ACT" in by_name and typed("NAV_DLL_ACT") == 0)

# PX4's hash: crc32part (zlib's CRC without its inversions) over name then value bytes.
if hash_msg is None:
    hash_msg = read_named("_HASH_CHECK")
check("_HASH_CHECK received", hash_msg is not None)
if hash_msg is not None:
    data = b"".join(params[i][0].encode() + params[i][2] for i in sorted(params))
    expected = zlib.crc32(data, 0xFFFFFFFF) ^ 0xFFFFFFFF
    got = struct.unpack("<I", raw_value_bytes(hash_msg))[0]
    check("_HASH_CHECK is PX4's CRC", got == expected, f"{got:#x} != {expected:#x}")
    check("_HASH_CHECK is UINT32 at index -1", hash_msg.param_type == mavlink.MAV_PARAM_TYPE_UINT32 and hash_msg.param_index == 65535)

# Set NAV_DLL_ACT = 3 as PX4 expects: INT32, the integer's bytes in the float.
three = struct.unpack("<f", struct.pack("<i", 3))[0]
echo = None
for _ in range(10):
    master.mav.param_set_send(sysid, compid, b"NAV_DLL_ACT", three, mavlink.MAV_PARAM_TYPE_INT32)
    echo = wait_param(lambda m: name_of(m) == "NAV_DLL_ACT", 1.0)
    if echo is not None:
        break
check("PARAM_SET echoed", echo is not None)
if echo is not None:
    check("echo is INT32 3, bytewise", echo.param_type == mavlink.MAV_PARAM_TYPE_INT32 and struct.unpack("<i", raw_value_bytes(echo))[0] == 3, repr(raw_value_bytes(echo)))
back = read_named("NAV_DLL_ACT")
check("read back 3", back is not None and struct.unpack("<i", raw_value_bytes(back))[0] == 3)

# A REAL32 set of an INT32 parameter: PX4 ignores it (no echo, value unchanged).
master.mav.param_set_send(sysid, compid, b"NAV_DLL_ACT", 1.0, mavlink.MAV_PARAM_TYPE_REAL32)
ignored = wait_param(lambda m: name_of(m) == "NAV_DLL_ACT", 1.5)
check("wrong-type set ignored", ignored is None, repr(ignored))
back = read_named("NAV_DLL_ACT")
check("still 3 after the wrong-type set", back is not None and struct.unpack("<i", raw_value_bytes(back))[0] == 3)

print(json.dumps(report), flush=True)
sys.exit(0 if not report["failures"] else 1)
