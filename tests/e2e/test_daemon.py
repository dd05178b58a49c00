"""kokola-syncd as a process: start-up checks, one daemon per state store, signals, the
schedule, status while a push is in flight, and a request that gets no answer."""

import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
import unittest

from harness import BIN_DIR, EXIT_APP_AUTH, EXIT_OK, EXIT_QUEUED, Env, wait_for

PO = "PWU2012502-0000517"
EXIT_ERROR = 1


def state_query(path, sql):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute(sql).fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        db.close()


def syncd(*args):
    return subprocess.run([str(BIN_DIR / "kokola-syncd"), *args], capture_output=True, text=True,
                          timeout=60)


class StartupTest(unittest.TestCase):
    def setUp(self):
        self.env = Env()
        self.addCleanup(self.env.stop)

    def test_check_config_accepts_the_demo_configuration(self):
        p = syncd("--config", str(self.env.config), "--check-config")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("ok", p.stdout)

    def test_check_config_names_a_missing_view_column(self):
        self.env.erp_write("DROP VIEW kokola_items")
        self.env.erp_write("CREATE VIEW kokola_items AS SELECT kd_barang AS code FROM m_barang")
        p = syncd("--config", str(self.env.config), "--check-config")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("kokola_items", p.stderr)
        self.assertIn("barcode", p.stderr)

    def test_missing_config_file_is_an_error(self):
        p = syncd("--config", str(self.env.dir / "nope.yaml"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("nope.yaml", p.stderr)

    def test_invalid_config_names_key_and_line(self):
        bad = self.env.dir / "bad.yaml"
        bad.write_text(self.env.config.read_text() + "surprise: 1\n")
        p = syncd("--config", str(bad))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("surprise", p.stderr)
        self.assertRegex(p.stderr, r"bad\.yaml:\d+")

    def test_second_daemon_on_the_same_state_refuses_to_start(self):
        self.env.start_daemon()
        other = self.env.dir / "other.yaml"
        other.write_text(self.env.config.read_text().replace("run/control.sock",
                                                             "run2/control.sock"))
        p = syncd("--config", str(other))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("locked by another kokola-syncd", p.stderr)
        self.assertEqual(self.env.ctl("status")[0] in (0, 8), True)

    def test_unknown_log_level_is_a_usage_error(self):
        p = syncd("--config", str(self.env.config), "--log-level", "verbose")
        self.assertEqual(p.returncode, 64)
        self.assertIn("verbose", p.stderr)

    def test_sighup_does_not_stop_the_daemon(self):
        self.env.start_daemon()
        self.env.daemon.send_signal(signal.SIGHUP)
        wait_for(lambda: "SIGHUP" in self.env.daemon_log.read_text(), "the SIGHUP warning")
        rc, out, err = self.env.ctl("status")
        self.assertIn(rc, (0, 8), err)
        self.assertIsNone(self.env.daemon.poll())

    def test_sighup_picks_up_a_rotated_token(self):
        env = Env(app_token="rotated-" + os.urandom(8).hex())
        self.addCleanup(env.stop)
        env.start_daemon()
        rc, out, err = env.ctl("push", "vendor", "V-0001")
        self.assertEqual(rc, EXIT_APP_AUTH, out + err)

        token_file = env.dir / "token"
        token_file.write_text(env.sandbox.token_file.read_text())
        env.daemon.send_signal(signal.SIGHUP)
        wait_for(lambda: "configuration reloaded" in env.daemon_log.read_text(),
                 "the configuration reloaded")
        # The job kept while the token was refused goes now; the push rides on it.
        rc, out, err = env.ctl("push", "vendor", "V-0001", "--wait")
        self.assertEqual(rc, EXIT_OK, out + err)
        self.assertIn("V-0001", env.sandbox.records("vendor"))

    def test_sigterm_stops_cleanly(self):
        self.env.start_daemon()
        self.env.daemon.send_signal(signal.SIGTERM)
        self.assertEqual(self.env.daemon.wait(timeout=15), 0)
        self.assertFalse(self.env.socket.exists())


class RunningTest(unittest.TestCase):
    def test_scheduled_runs_push_what_is_ready(self):
        env = Env(schedule={"vendor": "1s", "item": "1s", "po": "1s"}).start_daemon()
        self.addCleanup(env.stop)
        wait_for(lambda: env.ctl_json("status")[1]["entities"]["po"]["last_run"] is not None,
                 "a scheduled PO run", 60)
        self.assertIn(PO, env.sandbox.records("po"))
        self.assertIn("V-0017", env.sandbox.records("vendor"))

    def test_status_answers_while_a_push_is_in_flight(self):
        env = Env().start_daemon()
        self.addCleanup(env.stop)
        env.sandbox.set_faults([{"method": "PUT", "entity": "po", "key": PO,
                                 "action": "delay", "delay_ms": 4000}])
        push = subprocess.Popen([str(BIN_DIR / "kokolactl"), "--socket", str(env.socket),
                                 "push", "po", PO], stdout=subprocess.PIPE, text=True)
        wait_for(lambda: any(r["method"] == "PUT" and r["entity"] == "vendor"
                             for r in env.sandbox.dump()["requests"]), "the push to start")
        rc, data = env.ctl_json("status")
        self.assertIsNone(push.poll(), "status should answer before the slow push ends")
        self.assertEqual(data["in_flight"], [{"entity": "po", "key": PO}])
        self.assertEqual(push.wait(timeout=60), EXIT_OK)

    def test_dry_run_sends_nothing(self):
        env = Env().start_daemon()
        self.addCleanup(env.stop)
        rc, data = env.ctl_json("push", "po", PO, "--dry-run")
        self.assertEqual(rc, EXIT_OK)
        self.assertTrue(data["results"][0]["dry_run"])
        self.assertEqual(env.sandbox.writes(), [])

    def test_answer_lost_after_apply_is_resolved_by_lookup(self):
        env = Env().start_daemon()
        self.addCleanup(env.stop)
        env.sandbox.set_faults([{"method": "PUT", "entity": "vendor", "key": "V-0001",
                                 "action": "close_after_apply", "times": 1}])
        rc, data = env.ctl_json("push", "vendor", "V-0001")
        self.assertEqual(rc, EXIT_OK, data)
        self.assertEqual(data["results"][0]["outcome"], "delivered")
        rc, data = env.ctl_json("push", "vendor", "V-0001")
        self.assertEqual(data["results"][0]["outcome"], "unchanged")
        self.assertEqual(env.sandbox.records("vendor")["V-0001"]["writes"], 1)

    def test_push_killed_while_sending_is_looked_up_after_restart(self):
        env = Env().start_daemon()
        self.addCleanup(env.stop)
        env.sandbox.set_faults([{"method": "PUT", "entity": "vendor", "key": "V-0001",
                                 "action": "delay", "delay_ms": 1500, "times": 1}])
        push = subprocess.Popen([str(BIN_DIR / "kokolactl"), "--socket", str(env.socket),
                                 "push", "vendor", "V-0001"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        state = env.dir / "state" / "state.db"
        wait_for(lambda: state_query(state, "SELECT count(*) FROM jobs WHERE state = 'sending'")
                 == 1, "the job to be sending")
        env.daemon.kill()
        env.daemon.wait()
        push.wait(timeout=30)
        wait_for(lambda: "V-0001" in env.sandbox.records("vendor"), "the late write to land")

        env.start_daemon()
        rc, data = env.ctl_json("push", "vendor", "V-0001")
        self.assertEqual(rc, EXIT_OK, data)
        self.assertEqual(data["results"][0]["outcome"], "unchanged")
        self.assertEqual(env.sandbox.records("vendor")["V-0001"]["writes"], 1)
        self.assertEqual(state_query(state, "SELECT count(*) FROM jobs WHERE state = 'sending'"),
                         0)

    def test_request_lost_before_apply_is_looked_up_and_sent_again(self):
        env = Env().start_daemon()
        self.addCleanup(env.stop)
        env.sandbox.set_faults([{"method": "PUT", "entity": "vendor", "key": "V-0001",
                                 "action": "close", "times": 1}])
        rc, out, err = env.ctl("push", "vendor", "V-0001")
        self.assertEqual(rc, EXIT_QUEUED, out + err)
        self.assertIn("does not hold it", out)
        job = int(re.search(r"queued as job (\d+)", out).group(1))
        wait_for(lambda: env.ctl_json("job", str(job))[1]["state"] == "delivered",
                 "the job delivered on its next try")
        self.assertIn("V-0001", env.sandbox.records("vendor"))
        rc, data = env.ctl_json("job", str(job))
        # The lost PUT, the look-up that found nothing, the PUT that went through.
        statuses = [a["http_status"] for a in data["attempts"]]
        self.assertEqual(statuses[:2], [0, 404], data["attempts"])
        self.assertEqual(statuses[-1], 201, data["attempts"])


    def test_sync_that_cannot_read_the_erp_fails_and_is_audited_so(self):
        env = Env().start_daemon()
        self.addCleanup(env.stop)
        env.erp_write("DROP VIEW kokola_purchase_orders")
        rc, out, err = env.ctl("sync", "po", "--wait")
        self.assertEqual(rc, EXIT_ERROR, out + err)
        self.assertRegex(out, r"^po: failed: .*kokola_purchase_orders")
        self.assertNotIn("nothing to send", out)

        rc, data = env.ctl_json("audit")
        self.assertEqual(rc, EXIT_OK, data)
        syncs = [e for e in data["entries"] if e["command"] == "sync"]
        self.assertEqual(len(syncs), 1, syncs)
        self.assertEqual(syncs[0]["result"], "erp_error")
        self.assertIn("kokola_purchase_orders", syncs[0]["message"])

if __name__ == "__main__":
    unittest.main()
