"""End-to-end: delivery settings and ordering with the real daemon and sandbox: an HTTP proxy,
the request-rate limit, a manual push going before a scheduled run's jobs, the run's summary
and one log line per run, and a record rejected by the app not being sent again by the
schedule."""

import http.server
import signal
import subprocess
import threading
import time
import unittest
import urllib.request

from harness import BIN_DIR, EXIT_OK, EXIT_REJECTED, Env, wait_for

EXIT_ERROR = 1

PO = "PWU2012502-0000517"


class ForwardProxy:
    """A minimal HTTP forward proxy on loopback: takes a request (origin form with a Host
    header, or absolute form), sends it on to that host, and counts what it forwarded."""

    def __init__(self):
        self.forwarded = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                target = self.path
                if not target.startswith("http://"):
                    target = "http://" + self.headers["Host"] + self.path
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "proxy-connection", "connection")}
                req = urllib.request.Request(target, data=body, method=self.command,
                                             headers=headers)
                try:
                    with urllib.request.urlopen(req, timeout=10) as r:
                        status, data, rheaders = r.status, r.read(), r.headers
                except urllib.error.HTTPError as e:
                    status, data, rheaders = e.code, e.read(), e.headers
                proxy.forwarded.append((self.command, target, status))
                self.send_response(status)
                for k, v in rheaders.items():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def set_kokola(env, line):
    """Adds a line to the kokola section of the env's config (before the daemon starts)."""
    text = env.config.read_text()
    anchor = "  request_timeout: 10s\n"
    assert anchor in text
    env.config.write_text(text.replace(anchor, anchor + line + "\n"))


def add_section(env, text):
    env.config.write_text(env.config.read_text() + "\n" + text + "\n")


class DeliveryTest(unittest.TestCase):
    def test_requests_go_through_the_configured_proxy(self):
        proxy = ForwardProxy()
        self.addCleanup(proxy.stop)
        env = Env()
        self.addCleanup(env.stop)
        set_kokola(env, f"  proxy: http://127.0.0.1:{proxy.port}")
        env.start_daemon()
        rc, out, err = env.ctl("push", "vendor", "V-0001")
        self.assertEqual(rc, EXIT_OK, out + err)
        self.assertIn("V-0001", env.sandbox.records("vendor"))
        puts = [f for f in proxy.forwarded if f[0] == "PUT"]
        self.assertEqual(len(puts), 1, proxy.forwarded)
        self.assertTrue(puts[0][1].endswith("/v1/vendors/V-0001"), puts)

    def test_rate_limit_spaces_requests(self):
        env = Env()
        self.addCleanup(env.stop)
        add_section(env, "delivery: {senders: 4, max_requests_per_second: 20}")
        env.start_daemon()
        start = time.monotonic()
        rc, out, err = env.ctl("sync", "vendor", "--wait")
        took = time.monotonic() - start
        self.assertEqual(rc, EXIT_OK, out + err)
        writes = env.sandbox.writes()
        self.assertGreaterEqual(len(writes), 40, len(writes))
        # A lower bound only, never a speed check: 20 requests a second over all senders
        # cannot send n requests in less than (n - 1) / 20 seconds, however fast the machine.
        self.assertGreaterEqual(took, (len(writes) - 1) / 20, (len(writes), took))

    def test_manual_push_goes_before_the_jobs_of_a_run(self):
        env = Env(faults=[{"method": "PUT", "delay_ms": 30, "times": 100000}])
        self.addCleanup(env.stop)
        add_section(env, "delivery: {senders: 1}")
        env.start_daemon()
        rc, out, err = env.ctl("sync", "item")
        self.assertEqual(rc, EXIT_OK, out + err)
        wait_for(lambda: len(env.sandbox.writes()) >= 5, "the item run sending")
        rc, out, err = env.ctl("push", "vendor", "V-0001")
        self.assertEqual(rc, EXIT_OK, out + err)
        items_left = env.ctl_json("status")[1]["entities"]["item"]["queue"]["queued"]
        # The vendor was delivered while most of the run's item jobs still waited.
        self.assertGreater(items_left, 100, items_left)

    def test_a_run_logs_one_line_with_its_counts(self):
        env = Env().start_daemon()
        self.addCleanup(env.stop)
        rc, data = env.ctl_json("sync", "vendor", "--wait")
        self.assertEqual(rc, EXIT_OK, data)
        counts = data["runs"][0]["counts"]
        self.assertGreater(counts.get("delivered", 0), 0, counts)
        lines = [l for l in env.daemon_log.read_text().splitlines() if "run vendor (" in l]
        self.assertEqual(len(lines), 1, lines)
        self.assertRegex(lines[0], r"run vendor \(full comparison\): \d+ ms: .*delivered")

    def test_a_version_the_app_rejected_is_not_sent_again_by_the_schedule(self):
        env = Env(faults=[{"method": "PUT", "entity": "vendor", "key": "V-0001", "status": 422,
                           "code": "validation_failed", "times": 1}])
        self.addCleanup(env.stop)
        env.start_daemon()
        rc, out, err = env.ctl("push", "vendor", "V-0001")
        self.assertEqual(rc, EXIT_REJECTED, out + err)
        rc, data = env.ctl_json("sync", "vendor", "--wait")
        self.assertNotIn("V-0001", env.sandbox.records("vendor"))
        self.assertGreaterEqual(data["runs"][0]["counts"].get("rejected", 0), 1, data)
        # A manual push sends it again (the fault is used up: the app takes it now).
        rc, out, err = env.ctl("push", "vendor", "V-0001")
        self.assertEqual(rc, EXIT_OK, out + err)
        self.assertIn("V-0001", env.sandbox.records("vendor"))


    def test_sigterm_ends_a_waiting_sync_saying_so(self):
        env = Env(faults=[{"method": "PUT", "delay_ms": 500, "times": 100000}])
        self.addCleanup(env.stop)
        add_section(env, "delivery: {senders: 1, shutdown_grace: 2s}")
        env.start_daemon()
        ctl = [str(BIN_DIR / "kokolactl"), "--socket", str(env.socket)]
        sync = subprocess.Popen(ctl + ["sync", "vendor", "--wait"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: env.ctl_json("status")[1]["delivery"]["in_flight"] == 1,
                 "the run's first PUT")
        env.daemon.send_signal(signal.SIGTERM)
        out, err = sync.communicate(timeout=30)
        self.assertEqual(sync.returncode, EXIT_ERROR, out + err)
        self.assertIn("vendor: failed: stopped: kokola-syncd is shutting down", out)
        self.assertIn("go on after the restart", out)
        self.assertEqual(env.daemon.wait(timeout=30), 0)

    def test_sigterm_answers_every_request_in_flight(self):
        # Each PUT takes 3 s; one sender: V-0001 is being sent when SIGTERM comes, V-0002
        # waits behind it. The grace (10 s) lets the first finish; the second is not sent.
        env = Env(faults=[{"method": "PUT", "delay_ms": 3000, "times": 100000}])
        self.addCleanup(env.stop)
        add_section(env, "delivery: {senders: 1, shutdown_grace: 10s}")
        env.start_daemon()
        ctl = [str(BIN_DIR / "kokolactl"), "--socket", str(env.socket)]
        sent = subprocess.Popen(ctl + ["push", "vendor", "V-0001", "--wait"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: env.ctl_json("status")[1]["delivery"]["in_flight"] == 1, "the first PUT")
        waiting = subprocess.Popen(ctl + ["push", "vendor", "V-0002", "--wait"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: env.ctl_json("status")[1]["entities"]["vendor"]["queue"]["queued"] >= 1,
                 "the second job")
        env.daemon.send_signal(signal.SIGTERM)

        out, err = sent.communicate(timeout=30)
        self.assertEqual(sent.returncode, EXIT_OK, out + err)
        self.assertIn("vendor V-0001: delivered", out)
        out, err = waiting.communicate(timeout=30)
        self.assertEqual(waiting.returncode, EXIT_ERROR, out + err)
        self.assertIn("(shutting_down)", err)
        self.assertIn("jobs are kept", err)
        try:
            self.assertEqual(env.daemon.wait(timeout=30), 0)
        except subprocess.TimeoutExpired:
            env.daemon.kill()
            raise AssertionError("kokola-syncd did not stop within 30 s of SIGTERM:\n" +
                                 env.daemon_log.read_text())
        self.assertFalse(env.socket.exists())

        # The job kept goes after the restart.
        env.start_daemon()
        wait_for(lambda: "V-0002" in env.sandbox.records("vendor"), "the kept job", timeout=30)


if __name__ == "__main__":
    unittest.main()
