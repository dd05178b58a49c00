#!/usr/bin/env python3
"""No-op sync benchmark: after everything was delivered once, how long does `kokolactl sync
all` take when nothing changed (every record read, checked, hashed and found unchanged),
compared with the baseline of the sqlite3 shell copying the same four views to /dev/null?

Both run side by side in one process, interleaved, on the demo ERP. Prints the medians and
the ratio. Usage: python3 bench/noop_sync.py [--rounds N]   (binaries from KOKOLA_BIN_DIR,
default build/).
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from harness import BIN_DIR, Env  # noqa: E402

VIEWS = ["kokola_vendors", "kokola_items", "kokola_purchase_orders", "kokola_po_lines"]


def timed(args):
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds

    env = Env().start_daemon()
    try:
        rc, data = env.ctl_json("sync", "all")  # deliver everything once
        records = sum(sum(r["counts"].values()) for r in data["runs"])
        lines = env.erp_query("SELECT count(*) AS n FROM kokola_po_lines")[0]["n"]
        baseline_sql = ";".join(f"SELECT * FROM {v}" for v in VIEWS)
        ours, base = [], []
        for _ in range(rounds):
            ours.append(timed([str(BIN_DIR / "kokolactl"), "--socket", str(env.socket),
                               "sync", "all"]))
            base.append(timed(["sqlite3", str(env.dir / "erp.db"), baseline_sql]))
        rc, data = env.ctl_json("sync", "all")
        unchanged = sum(r["counts"].get("unchanged", 0) for r in data["runs"])
    finally:
        env.stop()

    o, b = statistics.median(ours), statistics.median(base)
    print(f"demo ERP: {records} records ({lines} PO lines), {unchanged} unchanged per no-op run")
    print(f"kokolactl sync all (no-op)      median {o * 1000:8.1f} ms over {rounds} rounds")
    print(f"sqlite3 copying the four views  median {b * 1000:8.1f} ms over {rounds} rounds")
    print(f"ratio sync / baseline: {o / b:.1f}x")


if __name__ == "__main__":
    main()
