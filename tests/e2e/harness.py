"""End-to-end harness: the real kokola-sandbox, the real kokola-syncd and the real kokolactl,
against a demo ERP built by scripts/demo_erp.py, all under one temporary directory.

Expected values come from the ERP through SQL (erp_query), never from the daemon's own
serializer. Binaries are found through KOKOLA_BIN_DIR (the CMake build directory); the
source tree through KOKOLA_SOURCE_DIR.
"""

import atexit
import json
import os
import secrets
import shutil
import socket
import sqlite3
import ssl
import subprocess
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pg_erp

SOURCE_DIR = Path(os.environ.get("KOKOLA_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BIN_DIR = Path(os.environ.get("KOKOLA_BIN_DIR", SOURCE_DIR / "build"))

# Exit codes of kokolactl (include/kokola/exit_codes.hpp).
EXIT_OK = 0
EXIT_NOT_READY = 2
EXIT_INVALID = 3
EXIT_REJECTED = 4
EXIT_APP_AUTH = 5
EXIT_APP_UNAVAILABLE = 6
EXIT_IN_DOUBT = 7
EXIT_QUEUED = 9
EXIT_USAGE = 64
EXIT_DAEMON_UNREACHABLE = 69

_demo_erp_cache = {}


def demo_erp(dest):
    """Copies a demo ERP (built once per process by the real generator) to `dest`."""
    if "path" not in _demo_erp_cache:
        cache_dir = Path(tempfile.mkdtemp(prefix="kokola-e2e-erp-"))
        atexit.register(shutil.rmtree, cache_dir, ignore_errors=True)
        path = cache_dir / "erp.db"
        subprocess.run(
            ["python3", str(SOURCE_DIR / "scripts" / "demo_erp.py"), "--sqlite", str(path)],
            check=True, stdout=subprocess.DEVNULL)
        _demo_erp_cache["path"] = path
    shutil.copy(_demo_erp_cache["path"], dest)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def dec(text):
    """An ERP or payload decimal, compared by value."""
    return None if text is None else Decimal(str(text))


class Sandbox:
    """A kokola-sandbox process with its own SQLite store."""

    def __init__(self, workdir, token, faults=(), tls=None):
        """`tls`: None for HTTP, or (certificate PEM path, key PEM path) for HTTPS."""
        self.workdir = Path(workdir)
        self.token_file = self.workdir / "sandbox-token"
        self.token_file.write_text(token + "\n")
        port_file = self.workdir / "sandbox.port"
        args = [str(BIN_DIR / "kokola-sandbox"), "serve", "--token-file", str(self.token_file),
                "--port", "0", "--port-file", str(port_file),
                "--db", str(self.workdir / "sandbox.db")]
        for f in faults:
            args += ["--fault", json.dumps(f)]
        if tls:
            args += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
        self.log = open(self.workdir / "sandbox.log", "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: port_file.exists() and port_file.read_text().strip(), "the sandbox port")
        self.port = int(port_file.read_text().strip())
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        # The test's own admin calls need not check the certificate under test.
        self.ssl_context = ssl._create_unverified_context() if tls else None

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10, context=self.ssl_context) as r:
            return json.loads(r.read() or b"null")

    def dump(self):
        return self._call("GET", "/_sandbox/dump")

    def set_faults(self, rules):
        self._call("POST", "/_sandbox/faults", rules)

    def records(self, entity):
        return {r["key"]: r for r in self.dump()["records"][entity]}

    def writes(self):
        """The PUT requests the sandbox received."""
        return [r for r in self.dump()["requests"] if r["method"] == "PUT"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Env:
    """One demo deployment: ERP, sandbox, daemon, and kokolactl to drive them."""

    def __init__(self, base_url=None, token=None, app_token=None, faults=(), schedule=None,
                 sandbox_tls=None):
        self.dir = Path(tempfile.mkdtemp(prefix="kokola-e2e-"))
        # KOKOLA_E2E_ENGINE=postgres: the demo ERP in a PostgreSQL database (pg_erp.py).
        self.pg = pg_erp.PgErp() if pg_erp.ENGINE == "postgres" else None
        if self.pg is None:
            demo_erp(self.dir / "erp.db")
        token = token or "demo-" + secrets.token_hex(16)
        (self.dir / "token").write_text(token + "\n")
        os.chmod(self.dir / "token", 0o600)
        self.sandbox = Sandbox(self.dir, app_token or token, faults, sandbox_tls)
        self.base_url = base_url or self.sandbox.url
        self.socket = self.dir / "run" / "control.sock"
        self.write_config(schedule or {})
        self.daemon = None
        self.daemon_log = self.dir / "daemon.log"

    def write_config(self, schedule):
        text = (SOURCE_DIR / "etc" / "demo" / "kokola-sync.yaml").read_text()
        text = text.replace("http://127.0.0.1:@SANDBOX_PORT@", self.base_url)
        for entity, interval in schedule.items():
            text = text.replace(f"{entity}: {{enabled: true, interval: 1h}}",
                                f"{entity}: {{enabled: true, interval: {interval}}}")
        if self.pg:
            text = self.pg.configure(text)
        self.config = self.dir / "kokola-sync.yaml"
        self.config.write_text(text)

    def set_control(self, section):
        """Replaces the config's `control:` section (up to the next top-level key) with
        `section`, the text of a whole section starting with `control:`."""
        lines = self.config.read_text().splitlines(keepends=True)
        start = lines.index("control:\n")
        end = start + 1
        while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
            end += 1
        self.config.write_text("".join(lines[:start]) + section.rstrip("\n") + "\n\n" +
                               "".join(lines[end:]))

    def start_daemon(self, *extra):
        log = open(self.daemon_log, "a")
        self.daemon = subprocess.Popen(
            [str(BIN_DIR / "kokola-syncd"), "--config", str(self.config), *extra],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_for(lambda: self.accepting() or self.daemon.poll() is not None,
                 "the daemon's socket")
        if self.daemon.poll() is not None:
            raise AssertionError("kokola-syncd exited at start:\n" + self.daemon_log.read_text())
        return self

    def accepting(self):
        """True when a daemon accepts connections on the socket (a stale file does not)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            try:
                s.connect(str(self.socket))
                return True
            except OSError:
                return False

    def ctl(self, *args, timeout=120):
        """Runs kokolactl; returns (exit code, stdout, stderr)."""
        p = subprocess.run([str(BIN_DIR / "kokolactl"), "--socket", str(self.socket), *args],
                           capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def ctl_json(self, *args):
        rc, out, err = self.ctl("--json", *args)
        try:
            return rc, json.loads(out)
        except json.JSONDecodeError:
            raise AssertionError(f"kokolactl {args}: rc {rc}, not JSON: {out!r} {err!r}")

    def erp(self):
        db = sqlite3.connect(f"file:{self.dir / 'erp.db'}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        return db

    def erp_query(self, sql, *params):
        if self.pg:
            return self.pg.query(sql, *params)
        with self.erp() as db:
            return [dict(r) for r in db.execute(sql, params)]

    def erp_write(self, sql, *params):
        if self.pg:
            return self.pg.write(sql, *params)
        db = sqlite3.connect(str(self.dir / "erp.db"))
        with db:
            db.execute(sql, params)
        db.close()

    # The demo ERP's own tables (docs/demo-erp.md), for changing a record the way the ERP would.
    def erp_write_notes(self, po_number, notes):
        self.erp_write("UPDATE t_po_hdr SET keterangan = ? WHERE trim(no_po) = ?", notes, po_number)

    def erp_append_to_item_name(self, code, text):
        self.erp_write("UPDATE m_barang SET nm_barang = nm_barang || ? WHERE trim(kd_barang) = ?",
                       text, code)

    def po_items(self, po_number):
        """The item codes of a PO's lines, trimmed, in line order."""
        return [r["code"] for r in self.erp_query(
            "SELECT trim(item_code) AS code FROM kokola_po_lines WHERE trim(po_number) = ? "
            "AND item_code IS NOT NULL ORDER BY CAST(line_no AS INTEGER)", po_number)]

    def erp_write_status(self, po_number, status):
        code = {"DRAFT": "D", "APPROVED": "A", "CANCELLED": "B", "CLOSED": "T"}[status]
        self.erp_write("UPDATE t_po_hdr SET status_po = ? WHERE trim(no_po) = ?", code, po_number)

    def stop(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.terminate()
            try:
                self.daemon.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        self.sandbox.stop()
        if os.environ.get("KOKOLA_KEEP_E2E"):
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
            if self.pg:
                self.pg.drop()
