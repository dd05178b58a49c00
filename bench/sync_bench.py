#!/usr/bin/env python3
"""Sync benchmarks of kokola-syncd, each against a baseline measured in the same run, printed
as ratios (docs/performance.md, "Sync engine"):

  1. initial sync of 10,000 vendors + 100,000 items + 20,000 POs (about 5 lines each) from a
     generated SQLite ERP into a fresh sandbox: records per second of `kokolactl sync all
     --wait`, against the sandbox's ceiling for the same PUT requests at the same concurrency,
     driven by wrk (bench/put_records.lua) against a second fresh sandbox (goal >= 0.7);
  2. the same initial sync, on a smaller set, with the sandbox adding 50 ms to every PUT:
     wall time against one sender (measured with senders: 1 on a part of the set and
     extrapolated by record count): the speed-up the senders buy;
  3. a run where nothing changed over 1,000,000 items (after a real initial sync of them),
     `kokolactl sync item --wait`, against `sqlite3` scanning the same view to /dev/null
     (goal <= 3x); also at the 100,000 items of run 1;
  4. the daemon's peak RSS (VmHWM) during run 1, and during run 3 at 100,000 and at
     1,000,000 items (goal < 64 MiB, and flat);
  5. `kokolactl status` latency while run 1 goes on, called in a loop from a thread
     (goal p99 < 50 ms).

Binaries come from KOKOLA_BIN_DIR (default build/); use an optimised build. The machine's
load changes the numbers: compare the ratios, and rerun before drawing conclusions.
"""

import argparse
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_erp  # noqa: E402
import bench_stack as stack  # noqa: E402
from bench_stack import BIN_DIR, SOURCE_DIR  # noqa: E402

FULL = {"vendor": 10_000, "item": 100_000, "po": 20_000}
NOOP_ITEMS = 1_000_000
MIB = 1024


def parse_args():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example: KOKOLA_BIN_DIR=build-release python3 bench/sync_bench.py --scale 0.05")
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiplies every record count (runs 1-4); 0.05 for a quick run "
                        "(default 1: 130,000 records, then 1,000,000 items)")
    p.add_argument("--senders", type=int, default=4,
                   help="delivery.senders of the daemon and wrk's connections (default 4)")
    p.add_argument("--latency-ms", type=int, default=50,
                   help="latency the sandbox adds to every PUT in run 2 (default 50)")
    p.add_argument("--latency-fraction", type=float, default=0.05,
                   help="run 2 syncs this fraction of run 1's records (default 0.05: 6,500 "
                        "records at scale 1, about 80 s with 4 senders)")
    p.add_argument("--one-sender", choices=["measure", "estimate"], default="measure",
                   help="run 2's baseline: 'measure' syncs --one-sender-fraction of run 2's "
                        "records with senders: 1 and extrapolates by record count; 'estimate' "
                        "takes records x latency (default measure)")
    p.add_argument("--one-sender-fraction", type=float, default=0.25,
                   help="part of run 2's records synced with one sender (default 0.25)")
    p.add_argument("--noop-items", type=int, default=NOOP_ITEMS,
                   help="items for run 3, before --scale (default 1,000,000)")
    p.add_argument("--skip-noop-1m", action="store_true",
                   help="skip run 3 at --noop-items (its real initial sync is the longest "
                        "part); run 3 is then reported at run 1's items only")
    p.add_argument("--rounds", type=int, default=3,
                   help="no-op runs and baseline scans per size, interleaved; medians "
                        "are reported (default 3)")
    p.add_argument("--status-pause", type=float, default=0.2,
                   help="seconds between two `kokolactl status` calls in run 5 (default 0.2)")
    p.add_argument("--max-state-gib", type=float, default=16,
                   help="stop a sync whose state store (state.db and its -wal) grows past "
                        "this many GiB, and report it, rather than fill a shared disk "
                        "(default 16)")
    p.add_argument("--workdir", help="where to build ERPs and state (default: a new "
                   "directory under /tmp, removed at the end unless --keep)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    return p.parse_args()


def scaled(n, scale):
    return max(1, round(n * scale))


def timed(args):
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def say(text):
    print(text, flush=True)


def counts_of(runs):
    out = {}
    for r in runs:
        if r.get("error"):
            raise RuntimeError(f"{r['entity']} run failed: {r['error']}")
        for outcome, n in r["counts"].items():
            out[outcome] = out.get(outcome, 0) + n
    return out


# --- runs 1, 4 and 5: the initial sync; run 3 at run 1's items ------------------------------
def initial_sync(args, work, sizes):
    erp = work / "erp-initial.db"
    lines = bench_erp.build(erp, sizes["vendor"], sizes["item"], sizes["po"])
    dep = stack.Deployment(work / "initial", erp, senders=args.senders).start()
    result = {"lines": lines, "aborted": None, "noop": None}
    try:
        say(f"run 1: initial sync of {sum(sizes.values()):,} records ({lines:,} PO lines)...")
        probe = stack.StatusProbe(dep, args.status_pause)
        probe.start()
        try:
            result["wall"], result["runs"] = dep.sync("all", max_state(args))
            result["counts"] = counts_of(result["runs"])
        except stack.StateTooLarge as e:
            result["aborted"], result["wall"], result["runs"] = str(e), e.seconds, []
        result["status_ms"] = probe.stop()
        result["status_failures"] = probe.failures
        result["peak_kib"] = dep.peak_rss_kib()
        result["rss_parts"] = dep.rss_parts_kib()
        result["state_bytes"] = dep.state_bytes()
        if not result["aborted"]:
            say(f"  {result['wall']:.1f} s, {result['counts']}, "
                f"state {fmt_bytes(result['state_bytes'])}")
            result["noop"] = noop_rounds(args, dep, erp, sizes["item"])
    finally:
        dep.stop()
    result["dump"] = dep.sandbox.dump()
    if result["aborted"]:
        # What was delivered until then is still a rate, and wrk replays exactly that.
        held = sum(len(v) for v in result["dump"]["records"].values())
        result["counts"] = {"delivered": held}
        say(f"  ABORTED: {result['aborted']}; {held:,} records delivered by then")
    return result


def max_state(args):
    return int(args.max_state_gib * 2**30)


def noop_rounds(args, dep, erp, items):
    """Run 3 on a deployment that delivered its items: no-op syncs interleaved with the
    sqlite3 scan of the same view; peak RSS over the no-op runs only."""
    say(f"run 3: no-op sync over {items:,} items, {args.rounds} rounds...")
    base_args = ["sqlite3", str(erp), "SELECT * FROM kokola_items"]
    ours, base, unchanged, full = [], [], [], []
    dep.reset_peak_rss()
    for _ in range(args.rounds):
        wall, runs = dep.sync("item", max_state(args))
        ours.append(wall)
        unchanged.append(counts_of(runs).get("unchanged", 0))
        full.append(any(r.get("full_compare") for r in runs))
        base.append(timed(base_args))
    out = {"items": items, "ours": median(ours), "base": median(base),
           "unchanged": min(unchanged), "full_compare": any(full),
           "peak_kib": dep.peak_rss_kib(), "rss_parts": dep.rss_parts_kib(),
           "all_ours": ours, "all_base": base}
    say(f"  median {out['ours'] * 1000:.0f} ms vs sqlite3 {out['base'] * 1000:.0f} ms, "
        f"unchanged {out['unchanged']:,}, peak RSS {out['peak_kib'] / MIB:.1f} MiB")
    return out


# --- run 1's baseline: wrk ------------------------------------------------------------------
def ceiling(args, work, dump):
    """The same PUTs against a fresh sandbox with wrk: vendors and items first, then the POs
    that name them (two wrk runs, so that no PO can overtake the items it names)."""
    phases = [("vendors-items", ["vendor", "item"]), ("pos", ["po"])]
    sandbox = stack.Sandbox(work / "ceiling" / "app")
    out = {"requests": 0, "not_2xx": 0, "seconds": 0.0}
    try:
        for name, entities in phases:
            path = work / "ceiling" / f"{name}.req"
            if stack.write_requests(dump, path, entities) == 0:
                continue
            r = stack.run_wrk(sandbox.url, path, args.senders, work / "ceiling")
            for k in ("requests", "not_2xx", "seconds"):
                out[k] += r[k]
    finally:
        sandbox.stop()
    say(f"  wrk: {out['requests']:,} requests in {out['seconds']:.1f} s "
        f"({out['not_2xx']} not 2xx)")
    return out


# --- run 2: added latency -------------------------------------------------------------------
def latency_sync(args, work, sizes):
    delay = [{"method": "PUT", "delay_ms": args.latency_ms}]
    part = {e: scaled(n, args.latency_fraction) for e, n in sizes.items()}
    say(f"run 2: initial sync of {sum(part.values()):,} records with {args.latency_ms} ms "
        f"added per PUT, {args.senders} senders...")
    out = {"records": sum(part.values()), "sizes": part}
    out["wall"], out["counts"] = sync_once(work / "latency", part, args.senders, delay)
    say(f"  {out['wall']:.1f} s")
    out["estimate"] = out["records"] * args.latency_ms / 1000
    if args.one_sender == "measure":
        small = {e: scaled(n, args.one_sender_fraction) for e, n in part.items()}
        say(f"  one sender on {sum(small.values()):,} of them...")
        wall, _ = sync_once(work / "latency-one", small, 1, delay)
        out["one_measured"] = {"records": sum(small.values()), "wall": wall}
        out["one"] = wall * out["records"] / sum(small.values())
        say(f"  {wall:.1f} s, extrapolated to {out['one']:.1f} s")
    else:
        out["one"] = out["estimate"]
    return out


def sync_once(work, sizes, senders, faults):
    erp = work / "erp.db"
    work.mkdir(parents=True, exist_ok=True)
    bench_erp.build(erp, sizes["vendor"], sizes["item"], sizes["po"])
    dep = stack.Deployment(work, erp, senders=senders, faults=faults).start()
    try:
        wall, runs = dep.sync("all")
        return wall, counts_of(runs)
    finally:
        dep.stop()


# --- run 3 at a million items ---------------------------------------------------------------
def noop_large(args, work, items):
    erp = work / "erp-noop.db"
    start = time.perf_counter()
    bench_erp.build(erp, 0, items, 0)
    say(f"run 3: {items:,} items generated in {time.perf_counter() - start:.0f} s; "
        "initial sync of them (real)...")
    dep = stack.Deployment(work / "noop", erp, senders=args.senders).start()
    try:
        try:
            wall, runs = dep.sync("item", max_state(args))
        except stack.StateTooLarge as e:
            held = len(dep.sandbox.dump()["records"]["item"])
            say(f"  ABORTED: {e}; {held:,} items delivered by then")
            return {"items": items, "aborted": str(e), "delivered": held,
                    "seconds": e.seconds}
        initial = {"wall": wall, "counts": counts_of(runs), "peak_kib": dep.peak_rss_kib(),
                   "state_bytes": dep.state_bytes()}
        say(f"  {wall:.1f} s, {initial['counts']}, state {fmt_bytes(initial['state_bytes'])}")
        result = noop_rounds(args, dep, erp, items)
        result["initial"] = initial
        return result
    finally:
        dep.stop()


# --- report ---------------------------------------------------------------------------------
def fmt_bytes(sizes):
    return ", ".join(f"{name} {n / MIB / MIB:.1f} MiB" for name, n in sorted(sizes.items())
                     if not name.endswith(".lock"))


def machine_facts():
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                if ln.startswith("model name")), platform.processor())
    mem = next(int(ln.split()[1]) for ln in open("/proc/meminfo") if ln.startswith("MemTotal"))
    build_type = "?"
    cache = BIN_DIR / "CMakeCache.txt"
    if cache.exists():
        for ln in cache.read_text().splitlines():
            if ln.startswith("CMAKE_BUILD_TYPE:"):
                build_type = ln.split("=", 1)[1] or "(none)"
    git = subprocess.run(["git", "-C", str(SOURCE_DIR), "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip() or "?"
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gib": mem / MIB / MIB,
            "load": os.getloadavg(), "kernel": platform.release(), "build_type": build_type,
            "git": git}


def verdict(ok):
    return "meets goal" if ok else "MISSES goal"


def report(args, facts, sizes, r1, ceil, r2, r3):
    rows = []
    say("")
    say("=" * 100)
    say("kokola-sync benchmarks (bench/sync_bench.py)")
    say(f"command:  KOKOLA_BIN_DIR={BIN_DIR} python3 bench/sync_bench.py "
        + " ".join(shlex.quote(a) for a in sys.argv[1:]))
    say(f"machine:  {facts['nproc']} CPUs ({facts['cpu']}), {facts['mem_gib']:.0f} GiB, "
        f"Linux {facts['kernel']}; load average at start "
        f"{' '.join(f'{x:.2f}' for x in facts['load'])}, at end "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    say(f"build:    {BIN_DIR} ({facts['build_type']}), source {facts['git']}")
    say(f"scale:    {args.scale} (run 1: {sizes['vendor']:,} vendors, {sizes['item']:,} items, "
        f"{sizes['po']:,} POs with {r1['lines']:,} lines); senders {args.senders}")
    report_initial(args, r1, ceil, rows)
    report_latency(args, r2, rows)
    report_noop(r1, r3, rows)
    report_rss(r1, r3, rows)
    report_status(args, r1, rows)
    say("")
    say(f"{'result':48} {'value':>12}  {'goal':14} verdict")
    for name, value, goal, ok in rows:
        say(f"{name:48} {value:>12}  {goal:14} {'' if ok is None else verdict(ok)}")


def report_initial(args, r1, ceil, rows):
    n1 = r1["counts"].get("delivered", 0)
    ours_rate = n1 / r1["wall"]
    ceil_rate = ceil["requests"] / ceil["seconds"] if ceil["seconds"] else float("nan")
    say("")
    say("1. initial sync, records per second")
    if r1["aborted"]:
        say(f"   ABORTED: {r1['aborted']}")
        say(f"   kokolactl sync all --wait: {n1:,} delivered until then, in {r1['wall']:.1f} s "
            f"= {ours_rate:,.0f} rec/s (partial)")
    else:
        per_entity = ", ".join(
            f"{r['entity']} {1000 * sum(r['counts'].values()) / max(r['duration_ms'], 1):,.0f}/s"
            for r in r1["runs"])
        say(f"   kokolactl sync all --wait: {n1:,} delivered in {r1['wall']:.1f} s = "
            f"{ours_rate:,.0f} rec/s  ({per_entity})")
        say(f"   state store after it: {fmt_bytes(r1['state_bytes'])}")
    say(f"   wrk, the same {ceil['requests']:,} PUTs, {args.senders} connections: "
        f"{ceil['seconds']:.1f} s = {ceil_rate:,.0f} req/s ({ceil['not_2xx']} not 2xx)")
    ratio = ours_rate / ceil_rate
    rows.append(("1 initial sync / sandbox ceiling" + (" (partial)" if r1["aborted"] else ""),
                 f"{ratio:.2f}", ">= 0.7", ratio >= 0.7))


def report_latency(args, r2, rows):
    say("")
    say(f"2. initial sync with {args.latency_ms} ms added per PUT ({r2['records']:,} records, "
        f"{args.latency_fraction} of run 1's: a smaller set, one sender would take long)")
    say(f"   {args.senders} senders: {r2['wall']:.1f} s; counts {r2['counts']}")
    if "one_measured" in r2:
        m = r2["one_measured"]
        say(f"   1 sender, measured on {m['records']:,} records: {m['wall']:.1f} s, "
            f"extrapolated by record count to {r2['one']:.1f} s")
    say(f"   records x {args.latency_ms} ms: {r2['estimate']:.1f} s (latency alone, one sender)")
    speed = r2["one"] / r2["wall"]
    rows.append((f"2 speed-up of {args.senders} senders over 1", f"{speed:.2f}x",
                 f"(ideal {args.senders}x)", None))


def report_noop(r1, r3, rows):
    say("")
    say("3. no-op run (nothing changed), kokolactl sync item --wait vs sqlite3 scanning "
        "kokola_items to /dev/null (medians)")
    measured = [r for r in (r1["noop"], r3) if r and not r.get("aborted")]
    for r in measured:
        kind = "full comparison" if r["full_compare"] else "fingerprint"
        ratio = r["ours"] / r["base"]
        say(f"   {r['items']:>9,} items: {r['ours'] * 1000:8.0f} ms vs {r['base'] * 1000:6.0f} ms"
            f" = {ratio:.1f}x  ({r['unchanged']:,} unchanged, {kind})")
        goal = r is r3 or r3 is None
        rows.append((f"3 no-op at {r['items']:,} items / sqlite3", f"{ratio:.1f}x",
                     "<= 3x" if goal else "(info)", ratio <= 3 if goal else None))
    if r1["noop"] is None:
        say("   not measured at run 1's items: run 1 did not finish")
    if r3 and r3.get("aborted"):
        say(f"   {r3['items']:>9,} items: not measured: the initial sync was stopped: "
            f"{r3['aborted']} ({r3['delivered']:,} items delivered, "
            f"{r3['delivered'] / r3['seconds']:,.0f} rec/s)")
        rows.append((f"3 no-op at {r3['items']:,} items / sqlite3", "not run", "<= 3x", False))
    elif r3:
        i = r3["initial"]
        n = i["counts"].get("delivered", 0)
        say(f"   (its initial sync: {n:,} items in {i['wall']:.0f} s = {n / i['wall']:,.0f} "
            f"rec/s, peak RSS {i['peak_kib'] / MIB:.1f} MiB, state {fmt_bytes(i['state_bytes'])})")


def report_rss(r1, r3, rows):
    say("")
    say("4. kokola-syncd peak RSS (VmHWM; reset before each no-op measurement), and the "
        "resident set at the end of each by kind")
    peaks = [("during run 1", r1["peak_kib"], r1["rss_parts"])]
    for r in (r1["noop"], r3):
        if r and not r.get("aborted"):
            peaks.append((f"during run 3 at {r['items']:,} items", r["peak_kib"], r["rss_parts"]))
    for what, kib, parts in peaks:
        kinds = ", ".join(f"{kind} {n / MIB:.1f}" for kind, n in parts.items())
        say(f"   {what}: {kib / MIB:.1f} MiB  (at its end: {kinds} MiB)")
        rows.append((f"4 peak RSS {what}", f"{kib / MIB:.1f} MiB", "< 64 MiB", kib < 64 * MIB))
    if len(peaks) == 3:
        growth = peaks[2][1] / peaks[1][1]
        times = r3["items"] / r1["noop"]["items"]
        rows.append((f"4 RSS growth, run 3 at {times:.0f}x the items", f"{growth:.2f}x",
                     "flat (~1x)", growth < 1.25))


def report_status(args, r1, rows):
    s = r1["status_ms"]
    say("")
    say(f"5. kokolactl status while run 1 goes on: {s['count']} calls, "
        f"{args.status_pause} s apart, {r1['status_failures']} failed")
    if s["count"]:
        say(f"   p50 {s['p50']:.1f} ms, p99 {s['p99']:.1f} ms, max {s['max']:.1f} ms")
        rows.append(("5 kokolactl status p99 during run 1", f"{s['p99']:.1f} ms", "< 50 ms",
                     s["p99"] < 50))


def main():
    args = parse_args()
    # A benchmark stopped with SIGTERM (timeout, kill) still stops its daemons and sandboxes
    # and removes its work directory: the finally blocks run as for Ctrl-C.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit("sync_bench: terminated"))
    for tool in ("wrk", "sqlite3"):
        if not shutil.which(tool):
            sys.exit(f"sync_bench: '{tool}' not found (scripts/install-deps.sh installs it)")
    for binary in ("kokola-syncd", "kokolactl", "kokola-sandbox"):
        if not (BIN_DIR / binary).exists():
            sys.exit(f"sync_bench: {BIN_DIR / binary} not found (set KOKOLA_BIN_DIR)")
    facts = machine_facts()
    sizes = {e: scaled(n, args.scale) for e, n in FULL.items()}
    work = Path(args.workdir or tempfile.mkdtemp(prefix="kokola-bench-", dir="/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        r1 = initial_sync(args, work, sizes)
        ceil = ceiling(args, work, r1.pop("dump"))
        r2 = latency_sync(args, work, sizes)
        r3 = None
        if not args.skip_noop_1m:
            r3 = noop_large(args, work, scaled(args.noop_items, args.scale))
        report(args, facts, sizes, r1, ceil, r2, r3)
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
