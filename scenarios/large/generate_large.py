#!/usr/bin/env python3
"""Writes large_100k.txs: 100,000 timers, three quarters through a batched timer.

The expect lines come from an independent model of the rules in docs/loops.md and
docs/contracts.md written here in a few lines of Python (a heap of loop timers ordered by due
time then scheduling order; buckets, chunks and cancellation as the "Batched timers" section
says), not from txaio-replay, so the
replay checks the C++ implementation against the contract at scale.

    python3 scenarios/large/generate_large.py > scenarios/large/large_100k.txs

The output is deterministic (its own LCG, no library randomness).
"""

import heapq
import sys

CALLS = 100_000
OPS_SECONDS = 25            # ops at whole seconds 0..24
RUN_NS = 30 * 10**9         # 'run 30': calls due later never run
BUCKET_NS = 10**9
CHUNK = 400
SEC = 10**9


class Lcg:
    """64-bit LCG (Knuth's MMIX constants): the same numbers on every Python."""

    def __init__(self, seed):
        self.state = seed

    def below(self, n):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % 2**64
        return (self.state >> 33) % n


def fmt_time(ns):
    s = str(ns // SEC)
    frac = ns % SEC
    return s + ("." + ("%09d" % frac).rstrip("0") if frac else "")


DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def call_id(i):
    out = ""
    while True:
        out = DIGITS[i % 62] + out
        i //= 62
        if i == 0:
            return out


class Model:
    """The loop and batched timer of docs/loops.md and docs/contracts.md, for one batched timer with fifo ties."""

    def __init__(self):
        self.now = 0
        self.seq = 0
        self.heap = []         # (due, seq, kind, payload)
        self.dead = set()      # seqs of cancelled loop timers
        self.waiting = {}      # bucket key -> bucket that has not fired yet
        self.events = []       # (time, "fire"|"error", id, message)
        self.state = {}        # call index -> "pending" | "done" | "cancelled"
        self.bucket_of = {}    # call index -> bucket (batched calls)

    def schedule(self, due, kind, payload):
        self.seq += 1
        heapq.heappush(self.heap, (due, self.seq, kind, payload))
        return self.seq

    def call_later(self, index, delay, batched):
        self.state[index] = "pending"
        due = self.now + delay
        if not batched:
            self.schedule(due, "plain", index)
            return
        key = due - due % BUCKET_NS
        bucket = self.waiting.get(key)
        if bucket is None:
            bucket = {"key": key, "calls": [], "chunks": 0, "next": 0, "live": 0, "errors": 0}
            bucket["timer"] = self.schedule(max(key, self.now), "bucket", bucket)
            self.waiting[key] = bucket
        bucket["calls"].append(index)
        bucket["live"] += 1
        self.bucket_of[index] = bucket

    def cancel(self, index):
        if self.state[index] != "pending":
            return
        self.state[index] = "cancelled"
        bucket = self.bucket_of.get(index)
        if bucket is None:
            return                        # a plain timer: skipped when it comes due
        bucket["live"] -= 1
        if bucket["chunks"] == 0:         # not fired: leaves the bucket
            bucket["calls"].remove(index)
            if bucket["live"] == 0:
                self.dead.add(bucket["timer"])
                del self.waiting[bucket["key"]]
        elif bucket["live"] == 0:         # between chunks, nothing left: its timer goes
            self.dead.add(bucket["timer"])

    def run_call(self, index, raises):
        self.state[index] = "done"
        if raises(index):
            self.events.append((self.now, "error", index))
        else:
            self.events.append((self.now, "fire", index))

    def advance_to(self, t, raises):
        while self.heap and self.heap[0][0] <= t:
            due, seq, kind, payload = heapq.heappop(self.heap)
            if seq in self.dead:
                continue
            self.now = max(self.now, due)
            if kind == "plain":
                if self.state[payload] == "pending":
                    self.run_call(payload, raises)
                continue
            bucket = payload
            if bucket["chunks"] == 0:
                del self.waiting[bucket["key"]]
                n = bucket["live"]
                bucket["chunks"] = -(-n // CHUNK)
            i = bucket["next"]
            bucket["next"] += 1
            # The split is fixed at the first fire: chunk i is positions [i*CHUNK, (i+1)*CHUNK).
            for index in bucket["calls"][i * CHUNK:(i + 1) * CHUNK]:
                if self.state[index] == "pending":
                    bucket["live"] -= 1
                    self.run_call(index, raises)
            if bucket["live"] > 0:
                k = bucket["chunks"]
                j = bucket["next"]
                offset = j * (BUCKET_NS // k) + j * (BUCKET_NS % k) // k
                bucket["timer"] = self.schedule(max(bucket["key"] + offset, self.now), "bucket", bucket)
        self.now = max(self.now, t)


def main():
    rng = Lcg(20261121)
    model = Model()
    per_second = CALLS // OPS_SECONDS
    ops = []          # (time, text)
    calls = []        # (id, raises)
    raising = set()
    cancels = {}      # op second -> [call index]
    lines = []
    for second in range(OPS_SECONDS):
        t = second * SEC
        # Cancels scheduled for this second come first in the file (and in the model).
        for index in cancels.pop(second, []):
            lines.append((t, "cancel", index))
        for _ in range(per_second):
            index = len(calls)
            batched = rng.below(4) != 0
            if batched:
                delay = (1 + rng.below(30)) * SEC
            else:
                delay = (1 + rng.below(2000)) * 10_000_000 + 7_000_000   # x.xx7 s: off the buckets' grid
            if rng.below(100) == 0:
                raising.add(index)
            calls.append((call_id(index), batched, delay))
            lines.append((t, "call_later", index))
            if rng.below(10) < 3:      # 30% are cancelled later, perhaps too late
                when = second + 1 + rng.below(12)
                if when < OPS_SECONDS:
                    cancels.setdefault(when, []).append(index)
    raises = lambda i: i in raising
    out = sys.stdout
    out.write("txaio-scenario 1\n")
    out.write("# 100,000 timers: three quarters through batched timer P (1 s buckets, 400-call chunks),\n")
    out.write("# the rest plain; 30% cancelled later (some too late), 1% raising; run to 30 s.\n")
    out.write("# Generated by generate_large.py, whose own model of docs/loops.md and docs/contracts.md wrote the expect lines.\n")
    out.write("batched P bucket=1 chunk=%d\n" % CHUNK)
    for t, kind, index in lines:
        model.advance_to(t, raises)
        cid, batched, delay = calls[index]
        if kind == "cancel":
            model.cancel(index)
            out.write("at %d cancel %s\n" % (t // SEC, cid))
        else:
            model.call_later(index, delay, batched)
            out.write("at %d call_later %s %s%s%s\n" % (t // SEC, cid, fmt_time(delay), " via=P" if batched else "",
                                                       " raise=x" if index in raising else ""))
    model.advance_to(RUN_NS, raises)
    out.write("run %s\n" % fmt_time(RUN_NS))
    for time, kind, index in model.events:
        cid = calls[index][0]
        out.write("expect %s %s %s%s\n" % (fmt_time(time), kind, cid, " x" if kind == "error" else ""))


if __name__ == "__main__":
    main()
