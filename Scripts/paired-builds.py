#!/usr/bin/env python3
"""Two sandglass binaries (e.g. main before and after a kernel change) alternated inference by
inference through `sandglass worker`, all pinned to one core: per model, the median over rounds
of B/A with its distribution-free 95% CI, and an A/A check (A against a second worker of A),
the resolution of the comparison on this machine.

    git worktree add /tmp/before <commit> && (cd /tmp/before && swift build -c release --product sandglass)
    Scripts/paired-builds.py /tmp/before/.build/release/sandglass .build/release/sandglass \\
        --pairs 200 [--tuning off] [--fusion none] [--models mobilenext:1.0:1,mobilenetv2:1.0:1]

Each round runs A, A2 and B once each, in an order that reverses from one round to the next."""
import argparse, json, math, os, subprocess, sys, time

def median_ci(values):
    s = sorted(values); n = len(s)
    med = (s[(n - 1) // 2] + s[n // 2]) / 2
    half = 1.959964 * math.sqrt(n) / 2
    lo = max(1, int(math.floor(n / 2 - half))); hi = min(n, int(math.ceil(n / 2 + half + 1)))
    return med, s[lo - 1], s[hi - 1]

class Worker:
    def __init__(self, binary, cpu):
        self.p = subprocess.Popen(["taskset", "-c", str(cpu), binary, "worker"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, bufsize=1)
        self.read()
    def read(self):
        a = json.loads(self.p.stdout.readline())
        if not a.get("ok"): sys.exit(f"worker: {a.get('error')}")
        return a
    def ask(self, r):
        self.p.stdin.write(json.dumps(r) + "\n"); self.p.stdin.flush(); return self.read()
    def once(self):
        return self.ask({"op": "run", "id": "m", "iterations": 1})["ms"][0]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a"); ap.add_argument("b")
    ap.add_argument("--models", default="mobilenext:1.0:1,mobilenext:1.0:1/6,mobilenetv2:1.0:1")
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--cpu", type=int, default=os.cpu_count() - 1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tuning", default=None)
    ap.add_argument("--fusion", default=None)
    ap.add_argument("--dtype", default=None, help="f32 or int8 (the worker's default: f32)")
    args = ap.parse_args()
    for path in (args.a, args.b):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            sys.exit(f"paired-builds: {path} is not an executable sandglass binary; build one with "
                     "`swift build -c release --product sandglass` (in a worktree for the other commit)")
    for spec in args.models.split(","):
        arch, width, alpha = spec.split(":")
        ws = {"A": Worker(args.a, args.cpu), "A2": Worker(args.a, args.cpu), "B": Worker(args.b, args.cpu)}
        for w in ws.values():
            w.ask({"op": "load", "id": "m", "model": arch, "width": float(width), "alpha": alpha,
                   "resolution": 224, "threads": args.threads,
                   **({"tuning": args.tuning} if args.tuning else {}), **({"fusion": args.fusion} if args.fusion else {}),
                   **({"dtype": args.dtype} if args.dtype else {})})
            for _ in range(20): w.once()
        t = {k: [] for k in ws}
        order = list(ws)
        for i in range(args.pairs):
            for k in (order if i % 2 == 0 else order[::-1]): t[k].append(ws[k].once())
        ab = median_ci([b / a for a, b in zip(t["A"], t["B"])])
        aa = median_ci([b / a for a, b in zip(t["A"], t["A2"])])
        med = lambda v: sorted(v)[len(v) // 2]
        print(f"{spec}: B/A {ab[0]:.3f} [{ab[1]:.3f}, {ab[2]:.3f}]  A/A {aa[0]:.3f} [{aa[1]:.3f}, {aa[2]:.3f}]  "
              f"median A {med(t['A']):.3f} B {med(t['B']):.3f} ms", flush=True)
        for w in ws.values(): w.ask({"op": "quit"})

main()
