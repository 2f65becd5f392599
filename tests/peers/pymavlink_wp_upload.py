#!/usr/bin/env python3
"""MAVProxy's `wp load` (and `wp list`) mission transfer logic, on pymavlink, for the
mission_transfer benchmark (tests/benches/mission_transfer.rs).

Reproduces MAVProxy's MissionItemProtocolModule (MAVProxy/modules/lib/
mission_item_protocol.py) rather than importing MAVProxy:

Upload (`wp load`): send MISSION_COUNT once; answer each MISSION_REQUEST(_INT) for a seq
in range with that MISSION_ITEM_INT, while "loading" (stop after answering the last item,
or after 10 s without answering a request). MAVProxy itself never retransmits: the
vehicle's re-requests drive recovery. Because MAVProxy gives up silently when
MISSION_COUNT or the last exchange is lost, this script plays the operator too: when a
load ends without MISSION_ACK ACCEPTED (10 s of silence), it types `wp load` again.
The reported time runs from the first MISSION_COUNT to the MISSION_ACK ACCEPTED.

Download (`wp list`): send MISSION_REQUEST_LIST; on MISSION_COUNT request the next 5
missing items; after each new item, request again the next 5 not requested in the last
2 s; every 0.5 s, if no MISSION_ITEM came for 2 s, re-request the same way (MAVProxy
checks the time since a plain MISSION_ITEM, which never arrives when the vehicle sends
MISSION_ITEM_INT, so this check is always true). No MISSION_ACK at the end, as MAVProxy.
Operator: `wp list` again if no MISSION_COUNT within 5 s.

It listens on udpin:127.0.0.1:0, prints {"port": N} on the first stdout line (the bench
starts the sim toward that port), waits for the vehicle's HEARTBEAT, runs the transfers
and prints one JSON report on the last line.

Items (the bench builds the same ones): NAV_WAYPOINT (16), frame 3, seq i at
x = 169742000 + 100 i, y = 79865000 + 37 (i % 50), z = 120 + (i % 10), params 0,
current 0, autocontinue 1.
"""

import argparse
import json
import os
import time

os.environ["MAVLINK20"] = "1"
os.environ["MAVLINK_DIALECT"] = "common"
import pymavlink  # noqa: E402
from pymavlink import mavutil  # noqa: E402

mavlink = mavutil.mavlink
MISSION = mavlink.MAV_MISSION_TYPE_MISSION
# MAVProxy answers requests only this long after the last one it answered.
LOADING_WINDOW_S = 10.0
# MAVProxy re-requests a download item not requested for this long, checked every 0.5 s.
REREQUEST_S = 2.0
IDLE_PERIOD_S = 0.5
WINDOW = 5
LIST_RETRY_S = 5.0
MAX_ATTEMPTS = 5


def item(target, seq):
    return mavlink.MAVLink_mission_item_int_message(
        target[0], target[1], seq, 3, 16, 0, 1,
        0.0, 0.0, 0.0, 0.0,
        169742000 + 100 * seq, 79865000 + 37 * (seq % 50), 120.0 + (seq % 10),
        MISSION,
    )


def recv(master, timeout):
    return master.recv_match(
        type=["HEARTBEAT", "MISSION_REQUEST", "MISSION_REQUEST_INT", "MISSION_ACK",
              "MISSION_COUNT", "MISSION_ITEM_INT"],
        blocking=True, timeout=timeout)


def upload(master, target, count, limit_s):
    """`wp load` of `count` items; returns the report dict."""
    start = time.time()
    attempts = 0
    answered = 0
    sent_all_at = None
    while attempts < MAX_ATTEMPTS and time.time() - start < limit_s:
        attempts += 1
        loading = True
        last_answer = time.time()
        master.mav.mission_count_send(target[0], target[1], count, mission_type=MISSION)
        while time.time() - start < limit_s:
            if time.time() > last_answer + LOADING_WINDOW_S:
                break  # MAVProxy stopped loading; the operator types `wp load` again
            m = recv(master, 0.1)
            if m is None:
                continue
            t = m.get_type()
            if t in ("MISSION_REQUEST", "MISSION_REQUEST_INT"):
                if getattr(m, "mission_type", 0) != MISSION:
                    continue
                if (m.target_system, m.target_component) != (master.source_system,
                                                             master.source_component):
                    continue
                if not loading or time.time() > last_answer + LOADING_WINDOW_S:
                    loading = False
                    continue
                if m.seq >= count:
                    continue
                master.mav.send(item(target, m.seq))
                answered += 1
                last_answer = time.time()
                if m.seq == count - 1:
                    loading = False
                    sent_all_at = time.time() - start
            elif t == "MISSION_ACK" and getattr(m, "mission_type", 0) == MISSION:
                if m.type == mavlink.MAV_MISSION_ACCEPTED and sent_all_at is not None:
                    return {"ok": True, "seconds": time.time() - start, "attempts": attempts,
                            "items_sent": answered, "sent_all_s": sent_all_at}
                if m.type != mavlink.MAV_MISSION_ACCEPTED:
                    break  # a refusal: the operator loads again
    return {"ok": False, "seconds": time.time() - start, "attempts": attempts,
            "items_sent": answered, "sent_all_s": sent_all_at}


def download(master, target, limit_s):
    """`wp list`; returns the report dict."""
    start = time.time()
    lists = 1
    master.mav.mission_request_list_send(target[0], target[1], mission_type=MISSION)
    list_sent = time.time()
    expected = None
    have = {}
    next_seq = 0
    requested = {}
    requests = 0
    last_idle = time.time()

    def send_requests():
        nonlocal requests
        now = time.time()
        for seq in range(next_seq, next_seq + WINDOW):
            if seq + 1 > expected:
                continue
            if seq in requested and now - requested[seq] < REREQUEST_S:
                continue
            requested[seq] = now
            requests += 1
            master.mav.mission_request_int_send(target[0], target[1], seq,
                                                mission_type=MISSION)

    while time.time() - start < limit_s:
        now = time.time()
        if expected is None and now - list_sent > LIST_RETRY_S:
            lists += 1
            master.mav.mission_request_list_send(target[0], target[1], mission_type=MISSION)
            list_sent = now
        if expected is not None and now - last_idle >= IDLE_PERIOD_S:
            last_idle = now
            send_requests()
        m = recv(master, 0.05)
        if m is None:
            continue
        t = m.get_type()
        if t == "MISSION_COUNT" and getattr(m, "mission_type", 0) == MISSION:
            if expected is None:
                expected = m.count
                send_requests()
        elif t == "MISSION_ITEM_INT" and expected is not None:
            if getattr(m, "mission_type", 0) != MISSION or m.seq < next_seq:
                continue
            have[m.seq] = m
            while next_seq in have:
                next_seq += 1
            if next_seq < expected:
                send_requests()
            else:
                return {"ok": True, "seconds": time.time() - start, "items": expected,
                        "requests": requests, "lists": lists}
    return {"ok": False, "seconds": time.time() - start, "items": next_seq,
            "requests": requests, "lists": lists}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--download", action="store_true", help="also run `wp list`")
    ap.add_argument("--limit-s", type=float, default=900.0, help="give up the upload after")
    ap.add_argument("--download-limit-s", type=float, default=900.0,
                    help="give up the download after")
    args = ap.parse_args()

    # MAVProxy's own ids are 255/0; 190 (mission planner) keeps replies addressed to us.
    master = mavutil.mavlink_connection("udpin:127.0.0.1:0", source_system=255,
                                        source_component=190)
    print(json.dumps({"port": master.port.getsockname()[1]}), flush=True)
    hb = master.recv_match(type="HEARTBEAT", blocking=True, timeout=60)
    if hb is None:
        print(json.dumps({"error": "no HEARTBEAT from the vehicle"}), flush=True)
        raise SystemExit(1)
    target = (hb.get_srcSystem(), hb.get_srcComponent())
    report = {"pymavlink": getattr(pymavlink, "__version__", "?"),
              "upload": upload(master, target, args.items, args.limit_s)}
    if args.download:
        time.sleep(1.0)  # let the vehicle's last ACK settle
        report["download"] = download(master, target, args.download_limit_s)
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
