"""The Prometheus endpoint of the real kokola-syncd (docs/operations.md, section Metrics):
scraped with urllib after a push and a sync through the sandbox, while the app is
rate-limited, and checked off when disabled. Expected numbers come from the ERP through SQL
and from the sandbox's own request log, never from the daemon's answers."""

import os
import re
import socket
import subprocess
import time
import unittest
import urllib.error
import urllib.request

from harness import BIN_DIR, EXIT_OK, EXIT_QUEUED, Env, free_port, wait_for

PO = "PWU2012502-0000517"
EXIT_STARTUP = 1
EXIT_CONFIG = 78
EXIT_RELOAD_REFUSED = 10
SAMPLE = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, frozenset of (label, value)): value} from the exposition text, checking that
    every sample's family was typed before it."""
    samples, typed = {}, set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in typed else name
        assert family in typed, f"no # TYPE before {line!r}"
        samples[(name, frozenset(LABEL.findall(labels)))] = float(value)
    return samples


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def status_class(status):
    return "none" if not status else f"{status // 100}xx"


def listening_tcp_ports(pid):
    """Ports on which process `pid` holds a listening TCP socket (/proc, by socket inode)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        with open(f"/proc/{pid}/net/{table}") as f:
            for row in f.readlines()[1:]:
                cols = row.split()
                if cols[3] == "0A" and cols[9] in inodes:  # 0A: LISTEN
                    ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


class MetricsTestCase(unittest.TestCase):
    env_options = {}

    def start(self, section):
        self.env = Env(**self.env_options)
        self.addCleanup(self.env.stop)
        self.env.config.write_text(self.env.config.read_text() + section)
        return self.env.start_daemon()

    def start_enabled(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/metrics"
        self.start(f"metrics:\n  enabled: true\n  listen: 127.0.0.1:{self.port}\n")

    def scrape(self):
        with urllib.request.urlopen(self.url, timeout=10) as r:
            self.assertEqual(r.status, 200)
            self.assertTrue(r.headers["Content-Type"].startswith("text/plain; version=0.0.4"),
                            r.headers["Content-Type"])
            return parse(r.read().decode())

    def app_requests(self):
        """Requests the sandbox logged from the daemon, by status class."""
        by_class = {}
        for r in self.env.sandbox.dump()["requests"]:
            c = status_class(r["status"])
            by_class[c] = by_class.get(c, 0) + 1
        return by_class


class ScrapeTest(MetricsTestCase):
    def setUp(self):
        self.start_enabled()

    def test_counters_follow_a_push_and_a_sync(self):
        before = self.scrape()
        self.assertEqual(value(before, "kokola_runs_total", entity="po", result="ok"), 0)
        self.assertEqual(value(before, "kokola_app_request_duration_seconds_count"), 0)
        self.assertEqual(len([k for k in before if k[0] == "kokola_build_info"]), 1)

        rc, out, err = self.env.ctl("push", "po", PO)
        self.assertEqual(rc, EXIT_OK, out + err)
        started = time.time()
        rc, out, err = self.env.ctl("sync", "po", "--wait")
        self.assertEqual(rc, EXIT_OK, out + err)
        finished = time.time()
        after = self.scrape()

        self.assertEqual(value(after, "kokola_runs_total", entity="po", result="ok"), 1)
        self.assertEqual(value(after, "kokola_runs_total", entity="vendor", result="ok"), 0)
        # Every PO in the ERP is counted once by the run; those the sandbox holds were all
        # delivered by it, except the one pushed before (unchanged for the run).
        pos = self.env.erp_query("SELECT count(*) AS n FROM kokola_purchase_orders")[0]["n"]
        by_outcome = {dict(k[1])["outcome"]: v for k, v in after.items()
                      if k[0] == "kokola_run_records_total" and dict(k[1])["entity"] == "po"}
        self.assertEqual(sum(by_outcome.values()), pos, by_outcome)
        held = self.env.sandbox.records("po")
        self.assertIn(PO, held)
        self.assertEqual(by_outcome.get("delivered", 0), len(held) - 1, by_outcome)
        self.assertGreaterEqual(by_outcome.get("unchanged", 0), 1, by_outcome)

        # Requests by class equal what the sandbox saw; the histogram counts each once.
        requests = self.app_requests()
        self.assertGreater(requests.get("2xx", 0), len(held))
        for cls in ("2xx", "4xx", "5xx", "none"):
            self.assertEqual(value(after, "kokola_app_requests_total", **{"class": cls}),
                             requests.get(cls, 0), cls)
        count = value(after, "kokola_app_request_duration_seconds_count")
        self.assertEqual(count, sum(requests.values()))
        buckets = sorted((float(dict(k[1])["le"]), v) for k, v in after.items()
                         if k[0] == "kokola_app_request_duration_seconds_bucket")
        self.assertEqual(buckets[-1], (float("inf"), count))
        self.assertEqual([v for _, v in buckets], sorted(v for _, v in buckets))
        self.assertGreater(value(after, "kokola_app_request_duration_seconds_sum"), 0)

        last = value(after, "kokola_last_successful_run_timestamp_seconds", entity="po")
        self.assertGreaterEqual(last, int(started) - 1)
        self.assertLessEqual(last, finished + 1)
        for state in ("queued", "sending", "retry_wait", "in_doubt"):
            self.assertEqual(value(after, "kokola_queue_depth", entity="po", state=state), 0)
        self.assertEqual(value(after, "kokola_jobs_in_flight"), 0)
        self.assertEqual(value(after, "kokola_rate_limited"), 0)

    def test_rate_limited_app_shows_in_the_gauges(self):
        self.env.sandbox.set_faults([{"method": "PUT", "status": 503, "retry_after": "60"}])
        vendor = self.env.erp_query(
            "SELECT vendor_code FROM kokola_purchase_orders WHERE trim(number) = ?",
            PO)[0]["vendor_code"].strip()
        rc, out, err = self.env.ctl("push", "vendor", vendor)
        self.assertEqual(rc, EXIT_QUEUED, out + err)

        wait_for(lambda: value(self.scrape(), "kokola_rate_limited") == 1, "kokola_rate_limited 1")
        now = self.scrape()
        self.assertEqual(value(now, "kokola_sending_held"), 1)
        waiting = sum(value(now, "kokola_queue_depth", entity="vendor", state=s)
                      for s in ("queued", "retry_wait"))
        self.assertEqual(waiting, 1)
        self.assertEqual(value(now, "kokola_app_requests_total", **{"class": "5xx"}),
                         self.app_requests().get("5xx", 0))
        self.assertGreaterEqual(value(now, "kokola_app_requests_total", **{"class": "5xx"}), 1)

    def test_only_get_metrics_is_served(self):
        for path in ("/", "/metrics/x", "/debug"):
            with self.assertRaises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10)
            self.assertEqual(caught.exception.code, 404, path)
        self.assertIn(self.port, listening_tcp_ports(self.env.daemon.pid))


class DisabledTest(MetricsTestCase):
    def test_disabled_endpoint_listens_nowhere(self):
        port = free_port()
        self.start(f"metrics:\n  enabled: false\n  listen: 127.0.0.1:{port}\n")
        self.assertEqual(self.env.ctl("status")[0] in (0, 8), True)
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        self.assertEqual(listening_tcp_ports(self.env.daemon.pid), set())

    def test_default_configuration_listens_nowhere(self):
        self.start("")
        self.assertEqual(listening_tcp_ports(self.env.daemon.pid), set())

    def test_a_reload_that_enables_it_is_refused(self):
        self.start("")
        config = self.env.config.read_text()
        section = f"metrics:\n  enabled: true\n  listen: 127.0.0.1:{free_port()}\n"
        self.env.config.write_text(config + section)
        rc, out, err = self.env.ctl("reload")
        self.assertEqual(rc, EXIT_RELOAD_REFUSED, out + err)
        self.assertIn("the metrics section cannot change on reload: restart kokola-syncd", err)
        self.assertEqual(listening_tcp_ports(self.env.daemon.pid), set())


class StartupTest(MetricsTestCase):
    def test_port_in_use_stops_the_start_naming_the_address(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            with self.assertRaises(AssertionError) as caught:
                self.start(f"metrics:\n  enabled: true\n  listen: 127.0.0.1:{port}\n")
            self.assertEqual(self.env.daemon.returncode, EXIT_STARTUP)
            self.assertIn(f"binding the metrics endpoint '127.0.0.1:{port}'",
                          str(caught.exception))

    def test_non_loopback_address_is_a_configuration_error(self):
        self.env = Env()
        self.addCleanup(self.env.stop)
        self.env.config.write_text(self.env.config.read_text() +
                                   "metrics:\n  enabled: true\n  listen: 0.0.0.0:9464\n")
        p = subprocess.run([str(BIN_DIR / "kokola-syncd"), "--config", str(self.env.config)],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, EXIT_CONFIG, p.stderr)
        self.assertRegex(p.stderr, r"kokola-sync\.yaml:\d+: metrics\.listen: expected a loopback")


if __name__ == "__main__":
    unittest.main()
