"""The chaos test (docs/testing.md, "Chaos test"): a sync of a few thousand records through
the real kokola-syncd and the real kokola-sandbox, with the daemon killed (SIGKILL) many times
at random moments and at its failpoints, and with the sandbox injecting faults; after each,
the checker (checker.py) compares the sandbox with the ERP, its request log and the state
store.

One random seed drives every choice the test makes; it is printed first, and
KOKOLA_CHAOS_SEED=N replays it (as far as the timing of processes allows).
KOKOLA_CHAOS_KILLS sets the number of kills (default 30). The ERP is the SQLite demo ERP.
"""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import unittest
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
import pg_erp  # noqa: E402
from harness import BIN_DIR, Env  # noqa: E402

import chaos_data  # noqa: E402
import checker  # noqa: E402

SEED = int(os.environ.get("KOKOLA_CHAOS_SEED") or random.SystemRandom().randrange(1, 10**9))
KILLS = int(os.environ.get("KOKOLA_CHAOS_KILLS") or 30)
COPIES = 4  # copies of the generic demo records: about 4,000 records in all
MAX_LINES = 8  # lines kept per copied PO
FAILPOINTS = ("after_job_written", "after_request_sent", "after_answer", "before_ledger_commit")
QUIET_COUNTS = {"unchanged", "not_ready", "invalid"}  # outcomes of a run that sends nothing


def setUpModule():
    if pg_erp.ENGINE != "sqlite":
        raise unittest.SkipTest("the chaos test changes the ERP through SQLite only")
    print(f"\nchaos seed {SEED} (replay with KOKOLA_CHAOS_SEED={SEED})", file=sys.stderr,
          flush=True)


class Deployment:
    """The ERP, sandbox and daemon of one test, with the settings the chaos test needs."""

    def __init__(self, rng, multiply=True, request_timeout="2s"):
        self.rng = rng
        self.env = Env()
        self.erp = chaos_data.ChaosErp(self.env.dir / "erp.db")
        if multiply:
            self.erp.multiply(COPIES, MAX_LINES)
        self.request_timeout = request_timeout
        self.configure("1h")
        self.kills = []  # (failpoint spec, how the daemon ended)
        self.changes = []
        self.pushes = []  # kokolactl processes pushing on their own
        self.settle_rounds = 0

    def configure(self, interval):
        self.env.write_config({e: interval for e in ("vendor", "item", "po")})
        text = self.env.config.read_text().replace(
            "request_timeout: 10s", f"request_timeout: {self.request_timeout}")
        self.env.config.write_text(text + "\ndelivery:\n  senders: 4\n  initial_backoff: 50ms\n"
                                   "  max_backoff: 1s\n  shutdown_grace: 2s\n")

    def start(self, failpoints=""):
        """Starts kokola-syncd; with failpoints armed it may kill itself before it accepts."""
        if failpoints:
            os.environ["KOKOLA_FAILPOINTS"] = failpoints  # the harness passes its environment
        try:
            self.env.start_daemon()
        except AssertionError:
            if self.env.daemon.returncode != -signal.SIGKILL:
                raise
        finally:
            os.environ.pop("KOKOLA_FAILPOINTS", None)

    def alive(self):
        return self.env.daemon.poll() is None

    def kill_within(self, seconds):
        """Waits up to `seconds` for the daemon to kill itself, then kills it; says which."""
        try:
            self.env.daemon.wait(timeout=seconds)
            return "failpoint" if self.env.daemon.returncode == -signal.SIGKILL else \
                f"exit {self.env.daemon.returncode}"
        except subprocess.TimeoutExpired:
            self.env.daemon.send_signal(signal.SIGKILL)
            self.env.daemon.wait()
            return "kill -9"

    def stop(self):
        self.env.daemon.terminate()
        self.env.daemon.wait(timeout=30)
        for push in self.pushes:
            push.wait(timeout=30)

    def end_pushes(self):
        for push in self.pushes:
            if push.poll() is None:
                push.kill()
            push.wait()

    def push_hot_po(self):
        """A manual push of a hot PO, not waited for: it races the runs' jobs for it; forced
        half the time, so that it sends a new revision even when the PO did not change."""
        number = self.rng.choice(self.erp.approved_pos()[:6])
        force = ["--force"] if self.rng.random() < 0.5 else []
        self.pushes.append(subprocess.Popen(
            [str(BIN_DIR / "kokolactl"), "--socket", str(self.env.socket), "--timeout", "20",
             "push", "po", number, *force], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL))

    # --- ERP changes ---------------------------------------------------------------------
    def change_erp(self, count):
        """`count` random changes; half of the repricings hit a few hot POs, so that newer
        versions of one record race the older ones still queued or in flight."""
        for _ in range(count):
            kind = self.rng.choice(["reprice", "reprice", "reprice", "rename", "cancel", "new"])
            approved = self.erp.approved_pos()
            if kind == "reprice":
                hot = approved[:6] if self.rng.random() < 0.5 else approved
                self.changes.append(self.erp.reprice_line(self.rng.choice(hot), self.rng))
            elif kind == "rename":
                self.changes.append(self.erp.rename_vendor(
                    self.rng.choice(self.erp.active_vendors())))
            elif kind == "new":
                self.changes.append(self.erp.new_po(self.rng.choice(approved)))
            else:
                self.cancel_delivered(approved)

    def cancel_delivered(self, approved):
        held = {r["key"] for r in self.env.sandbox.dump()["records"]["po"]}
        delivered = [number for number in approved if number in held]
        if delivered:
            number = self.rng.choice(delivered)
            self.changes.append(self.erp.set_po_status(number, "CANCELLED"))

    # --- settling and checking -----------------------------------------------------------
    def sync_wait(self, deadline):
        """`sync all --wait`: each entity's run queued now, or one queued before and not yet
        begun. Returns the runs' summaries."""
        timeout = max(10, deadline - time.monotonic())
        rc, out, err = self.env.ctl("--json", "sync", "all", "--wait", timeout=timeout)
        if rc != 0:
            raise AssertionError(f"seed {SEED}: sync --wait exited {rc}: {out} {err}; state "
                                 f"under {self.env.dir}")
        return json.loads(out)["runs"]

    def settle(self, rounds=15, timeout=300):
        """Syncs until a run sends nothing and no job is left active."""
        deadline = time.monotonic() + timeout
        busy, jobs = {}, {"jobs": []}
        while self.settle_rounds < rounds:
            self.settle_rounds += 1
            busy = {f"{run['entity']}.{outcome}": n for run in self.sync_wait(deadline)
                    for outcome, n in run["counts"].items()
                    if n and outcome not in QUIET_COUNTS}
            rc, jobs = self.env.ctl_json("jobs", "--state", "active")
            if not busy and not jobs["jobs"]:
                return
            time.sleep(0.2)
        active = [(j["id"], j["key"], j["state"]) for j in jobs["jobs"]][:10]
        rc, status = self.env.ctl_json("status")
        raise AssertionError(f"seed {SEED}: not quiet after {rounds} syncs: last counts "
                             f"{busy}, active jobs {active}, delivery {status.get('delivery')}, "
                             f"in flight {status.get('in_flight')}; state under {self.env.dir}")

    def integrity(self):
        """The state store's `PRAGMA integrity_check`, read-only (the daemon is not running)."""
        db = sqlite3.connect(f"file:{self.env.dir / 'state' / 'state.db'}?mode=ro", uri=True)
        try:
            return [row[0] for row in db.execute("PRAGMA integrity_check")]
        finally:
            db.close()

    def erp_query(self, sql):
        """Rows of the ERP as dicts; text that is not UTF-8 (V-0905's address, invalid by
        design) is read with replacement characters instead of stopping the query."""
        db = self.env.erp()
        try:
            db.text_factory = lambda raw: raw.decode("utf-8", "replace")
            return [dict(r) for r in db.execute(sql)]
        finally:
            db.close()

    def problems(self, quiet=True):
        return checker.check(self.erp_query, self.env.sandbox.dump(),
                             self.env.dir / "state" / "state.db", quiet)

    def summary(self):
        dump = self.env.sandbox.dump()
        requests = dump["requests"]
        count = lambda f: sum(1 for r in requests if f(r))  # noqa: E731
        held = sum(len(rows) for rows in dump["records"].values())
        return (f"{held} records at the app; {len(requests)} requests: "
                f"{count(lambda r: r['applied'])} applied, "
                f"{count(lambda r: r['replayed'])} replayed, "
                f"{count(lambda r: r['status'] == 409)} stale, "
                f"{count(lambda r: r['method'] == 'GET')} look-ups, "
                f"{count(lambda r: r['fault'])} faulted; {len(self.kills)} kills, "
                f"{len(self.changes)} ERP changes, "
                f"{len(self.pushes)} manual pushes, quiet after {self.settle_rounds} syncs")


class ChaosTestCase(unittest.TestCase):
    def deploy(self, name, **options):
        rng = random.Random(f"{SEED}-{name}")
        deployment = Deployment(rng, **options)
        self.addCleanup(deployment.env.stop)
        self.addCleanup(deployment.end_pushes)
        return deployment

    def assert_killed(self, deployment, ways):
        """The daemon ended the way the test meant, never by a crash or an exit of its own."""
        end = deployment.kills[-1][1]
        if end not in ways:
            log = deployment.env.daemon_log.read_text().splitlines()[-15:]
            self.fail(f"seed {SEED}: kokola-syncd ended by itself ({end}) after "
                      f"{deployment.kills}; its log ends:\n  " + "\n  ".join(log))

    def assert_consistent(self, deployment, what):
        problems = deployment.problems()
        summary = deployment.summary()
        print(f"{what}: {summary}", file=sys.stderr, flush=True)
        if problems:
            shown = "\n  ".join(problems[:25])
            more = f"\n  ... and {len(problems) - 25} more" if len(problems) > 25 else ""
            self.fail(f"{what}, seed {SEED} (KOKOLA_CHAOS_SEED={SEED}): {len(problems)} "
                      f"problems; state under {deployment.env.dir}:\n  {shown}{more}\n"
                      f"kills: {deployment.kills}\nERP changes: {deployment.changes}")


class KillTest(ChaosTestCase):
    def test_killed_daemon_loses_nothing_doubles_nothing_and_applies_nothing_stale(self):
        d = self.deploy("kill")
        rng = d.rng
        d.env.sandbox.set_faults([{"method": "PUT", "delay_ms": 40, "probability": 0.5,
                                   "seed": rng.randrange(2**32)}])
        d.configure(rng.choice(["1s", "2s", "3s"]))
        for cycle in range(KILLS):
            # A small count fires soon; a large one seldom does: the test's kill -9 comes first.
            count = rng.choice([rng.randint(1, 10), rng.randint(10, 400), rng.randint(400, 4000)])
            spec = f"{rng.choice(FAILPOINTS)}={count}"
            sync = rng.random() < 0.5
            lifetime = rng.uniform(0.05, 0.3) if rng.random() < 0.15 else rng.uniform(0.3, 4.0)
            change_while_running = rng.random() < 0.3
            push = rng.random() < 0.3
            d.start(spec)
            if sync and d.alive():
                d.env.ctl("sync", "all", timeout=10)
            if change_while_running and d.alive():
                d.change_erp(1)
            if push and d.alive():
                d.push_hot_po()
            d.kills.append((spec, d.kill_within(lifetime)))
            self.assert_killed(d, ("failpoint", "kill -9"))
            self.assertEqual(d.integrity(), ["ok"], f"seed {SEED}: after kill {cycle + 1}")
            if rng.random() < 0.6:
                d.change_erp(rng.randint(1, 3))
        print(f"kills: {d.kills}", file=sys.stderr, flush=True)

        d.configure("1h")
        d.start()
        d.settle()
        d.stop()
        self.assert_consistent(d, "kill run")


class FaultTest(ChaosTestCase):
    def test_faults_at_the_app_end_with_the_app_equal_to_the_erp(self):
        d = self.deploy("faults", request_timeout="1s")
        rng = d.rng
        seed = lambda: rng.randrange(2**32)  # noqa: E731
        d.env.sandbox.set_faults([
            {"method": "PUT", "status": 500, "probability": 0.05, "seed": seed()},
            {"method": "PUT", "status": 503, "retry_after": "", "probability": 0.04,
             "seed": seed()},
            {"method": "PUT", "status": 429, "retry_after": "1", "probability": 0.02, "times": 6,
             "seed": seed()},
            {"method": "PUT", "action": "close", "probability": 0.05, "seed": seed()},
            {"method": "PUT", "action": "close_after_apply", "probability": 0.05, "seed": seed()},
            # Longer than kokola.request_timeout: the daemon gives up, then the request lands.
            {"method": "*", "delay_ms": 1500, "probability": 0.02, "times": 20, "seed": seed()},
            {"method": "GET", "status": 503, "retry_after": "", "probability": 0.25,
             "seed": seed()},
            {"method": "*", "delay_ms": rng.randint(20, 80), "probability": 0.25, "seed": seed()},
        ])
        d.start()
        d.env.ctl("sync", "all", timeout=10)
        # Newer versions while older ones are queued, in flight, timed out or in doubt; now
        # and then a kill -9 with jobs waiting to retry or to be looked up.
        for _ in range(10):
            time.sleep(rng.uniform(0.1, 1.0))
            if rng.random() < 0.25:
                d.kills.append(("", d.kill_within(0)))
                self.assert_killed(d, ("kill -9",))
                d.start()
            d.change_erp(1)
            if rng.random() < 0.5:
                d.push_hot_po()
            else:
                d.env.ctl("sync", rng.choice(["po", "vendor", "all"]), timeout=10)
        d.sync_wait(time.monotonic() + 300)  # a whole run with the faults still on

        d.env.sandbox.set_faults([])
        d.settle()
        d.stop()
        self.assert_consistent(d, "fault run")


class CheckerTest(ChaosTestCase):
    """The checker must not pass vacuously: on a consistent deployment it finds nothing, and
    each kind of damage made behind the daemon's back is found."""

    def test_checker_finds_every_kind_of_damage(self):
        d = self.deploy("checker", multiply=False)
        d.start()
        d.settle()
        self.assertEqual(d.problems(), [])

        held = {r["key"]: r for r in d.env.sandbox.dump()["records"]["vendor"]}
        changed = dict(held["V-0017"]["record"], name="CHANGED BEHIND THE DAEMON",
                       revision=held["V-0017"]["revision"] + 1)
        foreign = dict(changed, code="V-7777", revision=1)
        self.put_behind_the_daemon(d, "V-0017", changed, "chaos-check-1")
        self.put_behind_the_daemon(d, "V-7777", foreign, "chaos-check-2")
        d.erp.rename_vendor("V-0002")  # a change in the ERP that never reaches the app
        d.stop()

        dump = d.env.sandbox.dump()
        self.assert_found(d.problems(), [
            "vendor 'V-0017' (app revision", "name: erp 'SURYA INDAH PLASTIK'",
            "vendor 'V-7777': held by the app, the ERP never had it",
            "vendor 'V-0002' (app revision", "vendor 'V-0017': the ledger says revision"])

        pos = dump["records"]["po"]
        lost = pos.pop(0)
        pos.append(dict(pos[0], key="PWU2012502-0000518"))  # a DRAFT PO at the app
        self.assert_found(checker.record_problems(checker.erp_records(d.erp_query), dump), [
            f"po '{lost['key']}': ready in the ERP, missing at the app",
            "po 'PWU2012502-0000518': not ready in the ERP, yet the app holds it"])

        first = next(r for r in dump["requests"] if r["applied"] and r["status"] == 201)
        again = dict(first, seq=len(dump["requests"]) + 1, revision=first["revision"] - 1,
                     request_id="job-999999")
        dump["requests"].append(again)
        self.assert_found(checker.log_problems(dump), [
            f"{first['entity']} '{first['key']}': created 2 times",
            f"Idempotency-Key '{first['idempotency_key']}': applied 2 times",
            f"Idempotency-Key '{first['idempotency_key']}': sent by 2 jobs",
            f"{first['entity']} '{first['key']}': applied revisions out of order"])

        state = d.env.dir / "state" / "state.db"
        db = sqlite3.connect(state)
        with db:
            db.execute("UPDATE jobs SET state = 'sending' WHERE id = (SELECT max(id) FROM jobs)")
        db.close()
        self.assert_found(checker.store_problems(state, dump, quiet=False), ["): left sending"])

    def put_behind_the_daemon(self, d, key, body, idempotency_key):
        token = (d.env.dir / "sandbox-token").read_text().strip()
        request = urllib.request.Request(
            f"{d.env.sandbox.url}/v1/vendors/{key}", data=json.dumps(body).encode(), method="PUT",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": idempotency_key,
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            self.assertIn(answer.status, (200, 201))

    def assert_found(self, problems, expected):
        for text in expected:
            self.assertTrue(any(text in p for p in problems),
                            f"the checker missed {text!r}; it found:\n  " + "\n  ".join(problems))


if __name__ == "__main__":
    unittest.main()
