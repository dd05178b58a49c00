"""The API token stays secret, and the connection to the app is verified.

A unique canary token is driven through every path (a delivery, the app's rejection that
echoes it, a 401, the app down, a TLS failure, debug and trace logging, status, show, list,
sync, --check-config); then every byte the daemon and kokolactl produced is searched for it:
the daemon's log, kokolactl's output, the state store and its WAL, the daemon's command line
and environment. Only the token files may hold it.

TLS: a private CA, certificates made here with the openssl command line, and the sandbox
serving HTTPS. A certificate from the configured CA is accepted; self-signed, wrong host and
expired certificates fail with the reason, and are not treated as transient."""

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from harness import (EXIT_QUEUED, BIN_DIR, EXIT_APP_AUTH, EXIT_APP_UNAVAILABLE, EXIT_OK, EXIT_REJECTED,
                     Env, free_port)

PO = "PWU2012502-0000517"
VENDOR = "V-0001"
EXIT_CONFIG = 78


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class Certificates:
    """A private CA and server certificates for 127.0.0.1, made once in a temporary folder."""

    SERVER_NAMES = "IP:127.0.0.1,DNS:localhost"

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="kokola-e2e-tls-"))
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-days", "30", "-subj", "/CN=kokola test CA", cwd=self.dir)
        self.ca = self.dir / "ca.pem"
        self.good = self.signed("good", self.SERVER_NAMES)
        self.wrong_host = self.signed("wrong-host", "DNS:app.example.com")
        self.expired = self.expired_cert()
        self.self_signed = self.self_signed_cert()

    def request(self, name):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
                "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=self.dir)

    def signed(self, name, names):
        self.request(name)
        (self.dir / f"{name}.ext").write_text(
            f"subjectAltName={names}\nextendedKeyUsage=serverAuth\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "30", "-extfile", f"{name}.ext",
                "-out", f"{name}.pem", cwd=self.dir)
        return self.dir / f"{name}.pem", self.dir / f"{name}.key"

    def expired_cert(self):
        """OpenSSL 3.0 refuses a negative -days for req; `openssl ca` takes explicit dates."""
        self.request("expired")
        db = self.dir / "ca-db"
        db.mkdir()
        (db / "index.txt").write_text("")
        (db / "serial").write_text("1000\n")
        (self.dir / "ca.cnf").write_text(
            "[ca]\ndefault_ca = test\n"
            f"[test]\ndatabase = {db}/index.txt\nnew_certs_dir = {db}\nserial = {db}/serial\n"
            "default_md = sha256\npolicy = any\n"
            "[any]\ncommonName = supplied\n"
            f"[server]\nsubjectAltName = {self.SERVER_NAMES}\n")
        openssl("ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key",
                "-in", "expired.csr", "-out", "expired.pem", "-notext", "-extensions", "server",
                "-startdate", "20200101000000Z", "-enddate", "20200201000000Z", cwd=self.dir)
        return self.dir / "expired.pem", self.dir / "expired.key"

    def self_signed_cert(self):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key",
                "-out", "self.pem", "-days", "30", "-subj", "/CN=127.0.0.1",
                "-addext", f"subjectAltName={self.SERVER_NAMES}", cwd=self.dir)
        return self.dir / "self.pem", self.dir / "self.key"

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


CERTS = None


def setUpModule():
    global CERTS
    CERTS = Certificates()


def tearDownModule():
    CERTS.remove()


def configure_tls(env, **settings):
    """Adds a kokola.tls map to the env's config file (before the daemon starts)."""
    entries = ", ".join(f"{k}: {json.dumps(v)}" for k, v in settings.items())
    text = env.config.read_text()
    anchor = "  request_timeout: 10s\n"
    assert anchor in text
    env.config.write_text(text.replace(anchor, anchor + f"  tls: {{{entries}}}\n"))


class CanaryTest(unittest.TestCase):
    """The canary token must appear nowhere but in the token files."""

    def setUp(self):
        self.canary = "canary-" + secrets.token_hex(16)
        self.seen = []  # (what, text) of every kokolactl and kokola-syncd run

    def env(self, *daemon_args, start=True, **kwargs):
        env = Env(token=self.canary, **kwargs)
        self.addCleanup(env.stop)
        if start:
            env.start_daemon(*daemon_args)
        return env

    def ctl(self, env, *args):
        rc, out, err = env.ctl(*args)
        self.seen.append((f"kokolactl {' '.join(args)}", out + err))
        return rc, out, err

    def ctl_json(self, env, *args):
        rc, out, err = self.ctl(env, "--json", *args)
        return rc, json.loads(out)

    def assert_running_daemon_clean(self, env):
        state = env.dir / "state" / "state.db"
        self.assertTrue(state.exists() and Path(f"{state}-wal").exists(), "state store and WAL")
        pid = env.daemon.pid
        for name in ("cmdline", "environ"):
            data = Path(f"/proc/{pid}/{name}").read_bytes()
            self.assertTrue(data, name)
            self.assertNotIn(self.canary.encode(), data, f"/proc/{pid}/{name}")
        self.assert_files_clean(env)

    def assert_files_clean(self, env):
        """Every file the daemon wrote (log, state store, WAL, lock) and every output seen."""
        ours = {"token", "sandbox-token"}
        for path in env.dir.rglob("*"):
            if not path.is_file() or path.name in ours or path.name.startswith("sandbox"):
                continue
            self.assertNotIn(self.canary.encode(), path.read_bytes(), str(path))
        for what, text in self.seen:
            self.assertNotIn(self.canary, text, what)

    def stop_and_check(self, env):
        self.assert_running_daemon_clean(env)
        env.daemon.terminate()
        self.assertEqual(env.daemon.wait(timeout=15), 0)
        self.assert_files_clean(env)

    def test_deliveries_rejections_and_every_view_leave_no_trace(self):
        env = self.env("--log-level", "trace")
        rc, out, err = self.ctl(env, "push", "po", PO)
        self.assertEqual(rc, EXIT_OK, out + err)
        rc, data = self.ctl_json(env, "push", "po", PO, "--force")
        self.assertEqual(data["results"][0]["outcome"], "delivered", data)

        # The app echoes the token back in its messages: what reaches us is redacted.
        for status, code, expected in ((422, "validation_failed", EXIT_REJECTED),
                                       (401, "unauthorized", EXIT_APP_AUTH),
                                       # Sending is held a moment after the 401: queued.
                                       (503, "unavailable", EXIT_QUEUED)):
            env.sandbox.set_faults([{"method": "PUT", "status": status, "code": code,
                                     "message": f"bad credentials {self.canary} here",
                                     "retry_after": ""}])
            rc, out, err = self.ctl(env, "push", "po", PO, "--force")
            self.assertEqual(rc, expected, out + err)
            self.assertIn("[redacted]", out, out + err)
        env.sandbox.set_faults([])

        for args in (("status",), ("show", "po", PO), ("list", "po"), ("sync", "all", "--wait")):
            self.ctl(env, *args)
            self.ctl(env, "--json", *args)
        self.assertGreaterEqual(len(env.sandbox.writes()), 5)
        self.stop_and_check(env)
        # Debug lines were written: the client logs each request at debug.
        self.assertIn("kokola: PUT", env.daemon_log.read_text())

    def test_wrong_token_answered_with_401_leaves_no_trace(self):
        env = self.env("--log-level", "debug", app_token="another-" + secrets.token_hex(8))
        rc, out, err = self.ctl(env, "push", "vendor", VENDOR)
        self.assertEqual(rc, EXIT_APP_AUTH, out + err)
        self.assertIn("401", out)
        self.ctl(env, "status")
        self.ctl(env, "--json", "status")
        self.ctl(env, "--json", "show", "vendor", VENDOR)
        self.stop_and_check(env)

    def test_app_down_leaves_no_trace(self):
        env = self.env("--log-level", "trace", base_url=f"http://127.0.0.1:{free_port()}")
        rc, out, err = self.ctl(env, "push", "po", PO)
        self.assertEqual(rc, EXIT_QUEUED, out + err)
        self.ctl(env, "--json", "status")
        self.ctl(env, "sync", "vendor", "--wait")
        self.stop_and_check(env)

    def test_tls_failure_leaves_no_trace(self):
        env = self.env(start=False, sandbox_tls=CERTS.self_signed)
        configure_tls(env, ca_file=str(CERTS.ca))
        env.start_daemon("--log-level", "trace")
        rc, out, err = self.ctl(env, "push", "vendor", VENDOR)
        self.assertEqual(rc, EXIT_APP_UNAVAILABLE, out + err)
        self.assertIn("certificate", out)
        self.ctl(env, "--json", "status")
        self.stop_and_check(env)

    def run_daemon(self, env, *args, credentials=None):
        environment = {k: v for k, v in os.environ.items() if k != "CREDENTIALS_DIRECTORY"}
        if credentials:
            environment["CREDENTIALS_DIRECTORY"] = str(credentials)
        p = subprocess.run([str(BIN_DIR / "kokola-syncd"), "--config", str(env.config), *args],
                           capture_output=True, text=True, timeout=30, env=environment)
        self.seen.append((f"kokola-syncd {' '.join(args)}", p.stdout + p.stderr))
        return p

    def test_token_file_others_can_read_is_refused_at_check_and_start(self):
        env = self.env(start=False)
        self.assertEqual(self.run_daemon(env, "--check-config").returncode, EXIT_OK)

        os.chmod(env.dir / "token", 0o644)
        for args in (("--check-config",), ("--log-level", "trace")):
            p = self.run_daemon(env, *args)
            self.assertNotEqual(p.returncode, EXIT_OK, args)
            self.assertIn(f"reading token file '{env.dir / 'token'}'", p.stderr)
            self.assertIn("mode 0644", p.stderr)
            self.assertIn("chmod 600", p.stderr)
        self.assert_files_clean(env)

    def test_systemd_credential_supplies_the_token(self):
        env = self.env(start=False)
        text = env.config.read_text().replace("  token_file: token\n", "")
        env.config.write_text(text)
        p = self.run_daemon(env, "--check-config")
        self.assertEqual(p.returncode, EXIT_CONFIG)
        self.assertIn("LoadCredential=kokola-token:PATH", p.stderr)

        creds = env.dir / "credentials"
        creds.mkdir(mode=0o700)
        shutil.copy(env.dir / "token", creds / "kokola-token")
        p = self.run_daemon(env, "--check-config", credentials=creds)
        self.assertEqual(p.returncode, EXIT_OK, p.stderr)
        os.remove(creds / "kokola-token")
        p = self.run_daemon(env, "--check-config", credentials=creds)
        self.assertEqual(p.returncode, EXIT_CONFIG)
        self.assertIn(f"reading systemd credential kokola-token '{creds}/kokola-token'", p.stderr)
        self.assert_files_clean(env)


class TlsTest(unittest.TestCase):
    """The daemon against the sandbox serving HTTPS with each kind of certificate."""

    def start(self, cert, **tls):
        env = Env(sandbox_tls=cert)
        self.addCleanup(env.stop)
        configure_tls(env, **tls)
        return env.start_daemon()

    def assert_refused(self, cert, reason):
        env = self.start(cert, ca_file=str(CERTS.ca))
        rc, data = env.ctl_json("push", "vendor", VENDOR)
        self.assertEqual(rc, EXIT_APP_UNAVAILABLE, data)
        result = data["results"][0]
        # Kept for a later try (nothing is lost), with the certificate named as the reason.
        self.assertEqual(result["outcome"], "retry_wait", result)
        self.assertEqual(result["reason_code"], "app_tls", result)
        self.assertIn(reason, result["message"])
        self.assertIn(f"'https://127.0.0.1:{env.sandbox.port}'", result["message"])
        # Nothing reached the app: the request is sent only after the certificate is accepted.
        self.assertEqual(env.sandbox.writes(), [])
        return env

    def test_certificate_from_the_configured_ca_is_accepted(self):
        env = self.start(CERTS.good, ca_file=str(CERTS.ca))
        rc, out, err = env.ctl("push", "po", PO)
        self.assertEqual(rc, EXIT_OK, out + err)
        self.assertIn(PO, env.sandbox.records("po"))
        self.assertNotIn("verification is OFF", env.daemon_log.read_text())

    def test_self_signed_certificate_is_refused(self):
        self.assert_refused(CERTS.self_signed, "self-signed certificate")

    def test_certificate_for_another_host_is_refused(self):
        self.assert_refused(CERTS.wrong_host, "host name does not match the certificate")

    def test_expired_certificate_is_refused(self):
        self.assert_refused(CERTS.expired, "certificate has expired")

    def test_system_bundle_does_not_trust_the_private_ca(self):
        env = self.start(CERTS.good)
        rc, data = env.ctl_json("push", "vendor", VENDOR)
        self.assertEqual(data["results"][0]["reason_code"], "app_tls", data)

    def test_refusal_is_shown_in_status(self):
        env = self.assert_refused(CERTS.expired, "certificate has expired")
        rc, out, err = env.ctl("status")
        self.assertNotEqual(rc, EXIT_OK)
        self.assertIn("certificate has expired", out + err)

    def test_verification_off_connects_and_is_logged_at_start(self):
        env = self.start(CERTS.self_signed, verify=False)
        rc, out, err = env.ctl("push", "vendor", VENDOR)
        self.assertEqual(rc, EXIT_OK, out + err)
        self.assertIn(VENDOR, env.sandbox.records("vendor"))
        self.assertIn("TLS certificate verification is OFF", env.daemon_log.read_text())

    def test_redirect_is_not_followed(self):
        env = self.start(CERTS.good, ca_file=str(CERTS.ca))
        env.sandbox.set_faults([{"method": "PUT", "status": 307, "code": "moved"}])
        rc, data = env.ctl_json("push", "vendor", VENDOR)
        self.assertEqual(rc, EXIT_REJECTED, data)
        self.assertEqual(len(env.sandbox.writes()), 1)


if __name__ == "__main__":
    unittest.main()
