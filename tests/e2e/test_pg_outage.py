"""The PostgreSQL server going away under a running daemon: the run it was reading fails with
a clear message naming the view, `kokolactl status` still answers, and once the server is back
the next run succeeds without a restart. Runs on a private cluster of its own
(tests/support/pg_cluster.py), whatever KOKOLA_E2E_ENGINE says, so that stopping it disturbs
no other test."""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import pg_cluster  # noqa: E402
import pg_erp  # noqa: E402
from harness import BIN_DIR, EXIT_DAEMON_UNREACHABLE, EXIT_OK, Env, wait_for  # noqa: E402

SLOW_KEY = "BRG-00300"


class PostgresOutageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = Path(tempfile.mkdtemp(prefix="kokola-pgo-", dir="/tmp"))
        os.environ["KOKOLA_PG_CONNINFO"] = pg_cluster.start(cls.cluster)
        pg_erp.ENGINE = "postgres"

    @classmethod
    def tearDownClass(cls):
        pg_cluster.stop(cls.cluster)

    def setUp(self):
        self.env = Env()
        self.addCleanup(self.env.stop)
        # Small pages, so that a run reads many transactions; and one item whose page takes
        # a while, so that the server can be stopped while a run is surely half-way.
        config = self.env.config.read_text()
        self.env.config.write_text(config.replace("  time_zone: Asia/Jakarta\n",
                                                  "  time_zone: Asia/Jakarta\n  page_size: 50\n"))
        self.items_view = pg_erp.psql(self.env.pg.conninfo,
                                      "SELECT pg_get_viewdef('kokola_items')", "-At").strip()
        self.set_items_view(f"{self.items_view.rstrip(';')} WHERE b.kd_barang <> '{SLOW_KEY}' "
                            "OR (SELECT true FROM pg_sleep(3))")
        self.env.start_daemon()

    def set_items_view(self, select):
        pg_erp.psql(self.env.pg.conninfo, f"CREATE OR REPLACE VIEW kokola_items AS {select};")

    def sleeping_reads(self):
        out = pg_erp.psql(self.env.pg.admin, "SELECT count(*) FROM pg_stat_activity "
                          "WHERE wait_event = 'PgSleep'", "-At")
        return int(out.strip())

    def test_server_lost_mid_run_fails_it_and_the_next_run_recovers(self):
        self.assertEqual(self.env.ctl("sync", "vendor", "--wait")[0], EXIT_OK)

        run = subprocess.Popen([str(BIN_DIR / "kokolactl"), "--socket", str(self.env.socket),
                                "sync", "item", "--wait"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: self.sleeping_reads() > 0, "the run to reach the slow page")
        pg_cluster.halt(self.cluster)
        out, err = run.communicate(timeout=120)

        self.assertNotEqual(run.returncode, EXIT_OK, out + err)
        self.assertRegex(out, r"(?m)^item: failed: reading view 'kokola_items' from PostgreSQL "
                              r"database 'kokola_e2e_\w+' on '[^']+': (connection lost|cannot "
                              r"connect): ")

        rc, out, err = self.env.ctl("status")
        self.assertNotEqual(rc, EXIT_DAEMON_UNREACHABLE, err)
        self.assertIn("item", out)
        rc, out, err = self.env.ctl("sync", "vendor", "--wait")
        self.assertNotEqual(rc, EXIT_OK, out + err)
        self.assertIn("cannot connect", out)

        pg_cluster.resume(self.cluster)
        self.set_items_view(self.items_view.rstrip(";"))
        rc, out, err = self.env.ctl("sync", "item", "--wait")
        self.assertEqual(rc, EXIT_OK, out + err)
        self.assertRegex(out, r"(?m)^item: .*delivered \d+")
        self.assertNotIn("failed", out)
        self.assertIn("PIPA/PVC/05", self.env.sandbox.records("item"))

if __name__ == "__main__":
    unittest.main()
