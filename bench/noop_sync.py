#!/usr/bin/env python3
"""No-op sync benchmark: after everything was delivered once, how long does `kokolactl sync
all --wait` take when nothing changed (every record read, checked, hashed and found unchanged),
compared with the baseline of the sqlite3 shell copying the same four views to /dev/null?

Both run side by side in one process, interleaved, on the demo ERP. Prints the medians and
the ratio. With --engine postgres the demo ERP lives in a private PostgreSQL cluster that the
benchmark starts and removes itself (tests/support/pg_cluster.py), and the baseline is `psql`
copying the same four views to /dev/null.

Usage: python3 bench/noop_sync.py [--rounds N] [--engine sqlite|postgres]
(binaries from KOKOLA_BIN_DIR, default build/).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
import pg_cluster  # noqa: E402
import pg_erp  # noqa: E402
from harness import BIN_DIR, Env  # noqa: E402

VIEWS = ["kokola_vendors", "kokola_items", "kokola_purchase_orders", "kokola_po_lines"]


def timed(args):
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def baseline(env, engine):
    """The command that copies the four views to /dev/null."""
    if engine == "postgres":
        args = ["psql", "-X", "-q", "-A", "-d", env.pg.conninfo, "-o", "/dev/null"]
        for v in VIEWS:
            args += ["-c", f"SELECT * FROM {v}"]
        return args
    return ["sqlite3", str(env.dir / "erp.db"), ";".join(f"SELECT * FROM {v}" for v in VIEWS)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    rounds, engine = args.rounds, args.engine

    cluster = None
    if engine == "postgres":
        cluster = Path(tempfile.mkdtemp(prefix="kokola-bench-pg-", dir="/tmp"))
        os.environ["KOKOLA_PG_CONNINFO"] = pg_cluster.start(cluster)
        pg_erp.ENGINE = "postgres"
    try:
        run(rounds, engine)
    finally:
        if cluster:
            pg_cluster.stop(cluster)


def run(rounds, engine):
    env = Env().start_daemon()
    try:
        rc, data = env.ctl_json("sync", "all", "--wait")  # deliver everything once
        records = sum(sum(r["counts"].values()) for r in data["runs"])
        lines = env.erp_query("SELECT count(*) AS n FROM kokola_po_lines")[0]["n"]
        base_args = baseline(env, engine)
        ours, base = [], []
        for _ in range(rounds):
            ours.append(timed([str(BIN_DIR / "kokolactl"), "--socket", str(env.socket),
                               "sync", "all", "--wait"]))
            base.append(timed(base_args))
        rc, data = env.ctl_json("sync", "all", "--wait")
        unchanged = sum(r["counts"].get("unchanged", 0) for r in data["runs"])
    finally:
        env.stop()

    o, b = statistics.median(ours), statistics.median(base)
    tool = "psql" if engine == "postgres" else "sqlite3"
    print(f"demo ERP ({engine}): {records} records ({lines} PO lines), {unchanged} unchanged "
          "per no-op run")
    print(f"kokolactl sync all (no-op)      median {o * 1000:8.1f} ms over {rounds} rounds")
    print(f"{tool:7} copying the four views  median {b * 1000:8.1f} ms over {rounds} rounds")
    print(f"ratio sync / baseline: {o / b:.1f}x")


if __name__ == "__main__":
    main()
