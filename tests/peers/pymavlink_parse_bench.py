#!/usr/bin/env python3
"""pymavlink's side of the ingest benchmark (tests/benches/ingest.rs).

Parses a file of MAVLink 2 frames with pymavlink's fastest pure-Python path,
`MAVLink.parse_buffer` (framing, CRC, decoding into message objects), and prints
one JSON line: messages, best seconds over --repeat runs, messages per second.
Exits non-zero if the message count differs from --expect.
"""

import argparse
import json
import os
import sys
import time

os.environ["MAVLINK20"] = "1"
os.environ["MAVLINK_DIALECT"] = "common"
from pymavlink import __version__ as pymavlink_version  # noqa: E402
from pymavlink.dialects.v20 import common as mavlink  # noqa: E402


def parse(data):
    mav = mavlink.MAVLink(None)
    mav.robust_parsing = True
    msgs = mav.parse_buffer(data) or []
    bad = sum(1 for m in msgs if m.get_type() == "BAD_DATA")
    return len(msgs) - bad, bad


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("file")
    p.add_argument("--expect", type=int, help="messages the file must hold")
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    with open(args.file, "rb") as f:
        data = f.read()
    best = None
    for _ in range(args.repeat):
        t = time.perf_counter()
        n, bad = parse(data)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    report = {
        "pymavlink": pymavlink_version,
        "messages": n,
        "bad": bad,
        "bytes": len(data),
        "seconds": best,
        "rate_msg_s": n / best,
    }
    print(json.dumps(report))
    if args.expect is not None and n != args.expect:
        print(f"parsed {n} messages ({bad} bad), expected {args.expect}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
