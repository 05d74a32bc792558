#!/usr/bin/python3
"""The one definition of "the user's session was kept", for a record of lab/tools/user-client
(a one-way stream or request/response). Every lab suite, demo and benchmark asks this module;
the user client writes the same verdict into its record ("verdict": {"kept", "reasons"}).

A session is kept when the user connected, the connection was never reset nor closed by the
server, the client ended it itself (--duration or a signal), and nothing was lost or repeated
in either direction:
  stream            at least one line; no missing, duplicated or unreadable line; and the
                    stream was still flowing at the end (no silence longer than END_SILENCE_MS
                    before it: a connection that went quiet for good is wedged, not kept);
  request-response  at least one request; every request answered exactly once, in order, with
                    the right content (none unanswered after the client's drain, none
                    repeated, out of order or wrong).
How long the user waited (largest_gap_ms) is judged only when the caller gives a bound
(max_gap_ms): the stall is a measurement, the loss is the verdict.

Python use:  from session_verdict import verdict, summary
             verdict(rec) -> {"kept": bool, "reasons": [str, ...]}   (reasons empty when kept)
Shell use:   lab/tools/session_verdict.py [--max-gap-ms MS] REC.json ...
             prints one line per record ("u1: session kept; ..." or "u1: session LOST: ...")
             and exits 0 when every session was kept, 1 otherwise (2: a record unreadable).
"""
import argparse
import json
import os
import sys

END_SILENCE_MS = 1000.0  # streamd sends every 10 ms: a stream silent for its last second is stuck
GOOD_ENDS = ("stopped", "duration")  # the client ended the session, not the server or an error


def verdict(rec, max_gap_ms=None):
    """{"kept": bool, "reasons": [...]} for one user-client record (a dict; None = no record)."""
    reasons = []
    if not rec:
        return {"kept": False, "reasons": ["no record"]}
    if not rec.get("connected"):
        reasons.append(f"never connected ({rec.get('connect_error')})")
        return {"kept": False, "reasons": reasons}
    if rec.get("reset"):
        reasons.append("reset")
    if rec.get("closed"):
        reasons.append("closed by the server before the end")
    if rec.get("end") not in GOOD_ENDS and not rec.get("reset") and not rec.get("closed"):
        reasons.append(f"ended by '{rec.get('end')}'")
    if rec.get("kind", "stream") == "request-response":
        if not rec.get("requests_sent"):
            reasons.append("no request sent")
        for field, what in (("unanswered", "requests unanswered"), ("repeated", "answers repeated"),
                            ("out_of_order", "answers out of order"), ("wrong", "wrong answers")):
            if rec.get(field):
                reasons.append(f"{rec[field]} {what}")
        if rec.get("wrong") and rec.get("first_wrong"):
            reasons.append(f"first wrong answer: {rec['first_wrong']}")
    else:
        if not rec.get("lines"):
            reasons.append("no line received")
        for field, what in (("missing", "lines missing"), ("duplicates", "lines duplicated"),
                            ("bad_lines", "bad lines")):
            if rec.get(field):
                reasons.append(f"{rec[field]} {what}")
        silent = rec.get("silent_at_end_ms")  # absent in records older than this module
        if rec.get("lines") and silent is not None and silent > END_SILENCE_MS:
            reasons.append(f"no line in the last {silent:.0f} ms: the stream stalled")
    if max_gap_ms is not None and rec.get("largest_gap_ms", 0) > max_gap_ms:
        reasons.append(f"largest gap {rec['largest_gap_ms']:.0f} ms > {max_gap_ms:.0f} ms")
    return {"kept": not reasons, "reasons": reasons}


def kept(rec, max_gap_ms=None):
    return verdict(rec, max_gap_ms)["kept"]


def summary(rec, max_gap_ms=None, name=None):
    """One line for people: "u1: session kept; 300 lines, largest gap 12 ms" or "... LOST: why"."""
    name = name or (rec or {}).get("label") or "user"
    v = verdict(rec, max_gap_ms)
    head = f"{name}: session {'kept' if v['kept'] else 'LOST: ' + '; '.join(v['reasons'])}"
    if not rec or not rec.get("connected"):
        return head
    if rec.get("kind") == "request-response":
        detail = (f"{rec.get('protocol')} {rec.get('mode')}, {rec.get('requests_sent')} requests, "
                  f"{rec.get('answers')} answers, latency p50 {rec.get('latency_p50_ms')} ms "
                  f"p99 {rec.get('latency_p99_ms')} ms")
    else:
        detail = f"{rec.get('lines')} lines, {rec.get('missing')} missing, {rec.get('duplicates')} duplicated"
    return (f"{head}; {detail}, largest gap {rec.get('largest_gap_ms', 0):.0f} ms, "
            f"served by {','.join(rec.get('servers') or []) or '?'}")


def main(argv):
    ap = argparse.ArgumentParser(description="the one verdict on user-client records")
    ap.add_argument("--max-gap-ms", type=float, help="also fail a record whose largest gap is longer")
    ap.add_argument("records", nargs="+", metavar="REC.json")
    args = ap.parse_args(argv)
    status = 0
    for path in args.records:
        name = os.path.basename(path)[:-5] if path.endswith(".json") else path
        try:
            with open(path) as f:
                rec = json.load(f)
        except (OSError, ValueError) as e:
            print(f"{name}: no readable record ({e})")
            status = 2
            continue
        print(summary(rec, args.max_gap_ms, rec.get("label") or name))
        if status == 0 and not kept(rec, args.max_gap_ms):
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
