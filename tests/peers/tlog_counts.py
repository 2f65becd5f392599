#!/usr/bin/env python3
"""Independent reader of a telemetry log: what pymavlink's mavutil sees in a .tlog.

Usage: tlog_counts.py PATH

Opens PATH with mavutil.mavlink_connection (pymavlink's tlog reader, the
ardupilotmega dialect, which includes common) and prints one JSON object:
  {"counts": {"SYSID TYPE": n, ...},   messages per sender system id and type
   "bad_data": n,                      BAD_DATA pseudo-messages (damage)
   "first_us": t, "last_us": t,        first and last record timestamps
   "common": ["HEARTBEAT", ...]}       message names of the common dialect
"""

import json
import sys

from pymavlink import mavutil
from pymavlink.dialects.v20 import common


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    conn = mavutil.mavlink_connection(sys.argv[1])
    counts = {}
    bad = 0
    first = last = None
    while True:
        msg = conn.recv_msg()
        if msg is None:
            break
        kind = msg.get_type()
        if kind == "BAD_DATA":
            bad += 1
            continue
        key = f"{msg.get_srcSystem()} {kind}"
        counts[key] = counts.get(key, 0) + 1
        stamp = round(conn._timestamp * 1e6)
        first = stamp if first is None else first
        last = stamp
    names = sorted(cls.msgname for cls in common.mavlink_map.values())
    json.dump(
        {"counts": counts, "bad_data": bad, "first_us": first, "last_us": last, "common": names},
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
