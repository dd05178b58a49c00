"""The processes bench/sync_bench.py measures: a kokola-sandbox, a kokola-syncd reading a
generated ERP and pushing to that sandbox, kokolactl to drive it, and the probes that watch
them (peak RSS from /proc, `kokolactl status` latency from a thread). Also the wrk driver
that replays the daemon's requests against a fresh sandbox (bench/put_records.lua).

Binaries come from KOKOLA_BIN_DIR (tests/e2e/harness.py), like bench/noop_sync.py.
"""

import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from harness import BIN_DIR, SOURCE_DIR, wait_for  # noqa: E402

TOKEN = "bench-token-0123456789abcdef"


class StateTooLarge(Exception):
    """A sync stopped because the state store grew past the limit given."""

    def __init__(self, entity, seconds, sizes):
        super().__init__(f"sync {entity} stopped after {seconds:.0f} s: the state store grew "
                         f"to {sum(sizes.values()) / 2**30:.1f} GiB ({sizes})")
        self.seconds = seconds
        self.sizes = sizes


class Sandbox:
    """kokola-sandbox with its own SQLite file, quiet (no request log on stderr)."""

    def __init__(self, workdir, faults=()):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.token_file = self.workdir / "sandbox-token"
        self.token_file.write_text(TOKEN + "\n")
        self.db = self.workdir / "sandbox.db"
        port_file = self.workdir / "sandbox.port"
        args = [str(BIN_DIR / "kokola-sandbox"), "serve", "--token-file", str(self.token_file),
                "--port", "0", "--port-file", str(port_file), "--db", str(self.db), "--quiet"]
        for rule in faults:
            args += ["--fault", json.dumps(rule)]
        self.log = open(self.workdir / "sandbox.log", "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: port_file.exists() and port_file.read_text().strip(), "the sandbox port")
        self.port = int(port_file.read_text().strip())
        self.url = f"http://127.0.0.1:{self.port}"

    def dump(self):
        out = subprocess.run([str(BIN_DIR / "kokola-sandbox"), "dump", "--db", str(self.db)],
                             check=True, capture_output=True).stdout
        return json.loads(out)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Deployment:
    """A sandbox and a daemon reading `erp` (schedules off: only kokolactl starts runs)."""

    def __init__(self, workdir, erp, senders=4, faults=()):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.sandbox = Sandbox(self.dir / "app", faults)
        token = self.dir / "token"
        token.write_text(TOKEN + "\n")
        os.chmod(token, 0o600)
        text = (SOURCE_DIR / "etc" / "demo" / "kokola-sync.yaml").read_text()
        text = text.replace("http://127.0.0.1:@SANDBOX_PORT@", self.sandbox.url)
        text = text.replace("path: erp.db", f"path: {Path(erp).resolve()}")
        text = text.replace("{enabled: true, interval: 1h}", "{enabled: false, interval: 1h}")
        text += f"\ndelivery:\n  senders: {senders}\n"
        self.config = self.dir / "kokola-sync.yaml"
        self.config.write_text(text)
        self.socket = self.dir / "run" / "control.sock"
        self.daemon = None

    def start(self):
        log = open(self.dir / "daemon.log", "a")
        self.daemon = subprocess.Popen([str(BIN_DIR / "kokola-syncd"), "--config",
                                        str(self.config)], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_for(lambda: self.socket.exists() or self.daemon.poll() is not None,
                 "the daemon's socket")
        if self.daemon.poll() is not None:
            raise RuntimeError("kokola-syncd exited at start:\n" +
                               (self.dir / "daemon.log").read_text())
        return self

    def ctl_args(self, *args):
        return [str(BIN_DIR / "kokolactl"), "--socket", str(self.socket), *args]

    def sync(self, entity, max_state_bytes=None):
        """`kokolactl --json sync ENTITY --wait`: (wall seconds, the runs it reports). Raises
        StateTooLarge (and stops kokolactl; the daemon goes on) when the state store's files
        pass max_state_bytes: a shared disk is not filled for a benchmark."""
        start = time.perf_counter()
        proc = subprocess.Popen(self.ctl_args("--json", "sync", entity, "--wait"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        reader = threading.Thread(target=lambda: setattr(proc, "out", proc.communicate()))
        reader.start()
        while reader.is_alive():
            reader.join(0.5)
            size = sum(self.state_bytes().values())
            if reader.is_alive() and max_state_bytes and size > max_state_bytes:
                proc.kill()
                reader.join()
                raise StateTooLarge(entity, time.perf_counter() - start, self.state_bytes())
        wall = time.perf_counter() - start
        stdout, stderr = proc.out
        if proc.returncode != 0:
            raise RuntimeError(f"kokolactl sync {entity} --wait: exit {proc.returncode}: "
                               f"{stderr.strip()[-500:]}")
        return wall, json.loads(stdout)["runs"]

    def peak_rss_kib(self):
        return proc_status_kib(self.daemon.pid, "VmHWM")

    def rss_parts_kib(self):
        """The resident set now, by kind: anonymous memory (heaps, stacks), mapped files
        and shared memory (SQLite maps each database's WAL index, the -shm file)."""
        return {kind: proc_status_kib(self.daemon.pid, "Rss" + kind.capitalize())
                for kind in ("anon", "file", "shmem")}

    def reset_peak_rss(self):
        """Makes VmHWM start again from the current RSS (Linux: clear_refs 5)."""
        with open(f"/proc/{self.daemon.pid}/clear_refs", "w") as f:
            f.write("5")

    def state_bytes(self):
        state = self.dir / "state"
        if not state.is_dir():
            return {}
        return {p.name: p.stat().st_size for p in state.iterdir()
                if p.is_file() and not p.name.endswith(".lock")}

    def stop(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.terminate()
            try:
                self.daemon.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        self.sandbox.stop()


def proc_status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"reading /proc/{pid}/status: no {field}")


class StatusProbe(threading.Thread):
    """Runs `kokolactl status` in a loop (one process per call, as an operator or a monitor
    would), `pause` seconds apart, and keeps each call's wall time."""

    def __init__(self, deployment, pause=0.2):
        super().__init__(daemon=True)
        self.args = deployment.ctl_args("status")
        self.pause = pause
        self.times_ms = []
        self.failures = 0
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            start = time.perf_counter()
            rc = subprocess.run(self.args, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL).returncode
            self.times_ms.append((time.perf_counter() - start) * 1000)
            if rc not in (0, 8):  # 8: degraded, still an answer
                self.failures += 1
            self.halt.wait(self.pause)

    def stop(self):
        self.halt.set()
        self.join()
        return summary_ms(self.times_ms)


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(values):
    if not values:
        return {"count": 0}
    return {"count": len(values), "p50": percentile(values, 50), "p99": percentile(values, 99),
            "max": max(values), "mean": statistics.mean(values)}


def write_requests(dump, path, entities):
    """Writes the records a sandbox holds as wrk request lines (path TAB body), in order of
    creation: the same paths and bodies, revisions included, that the daemon sent."""
    prefixes = {"vendor": "/v1/vendors/", "item": "/v1/items/", "po": "/v1/purchase-orders/"}
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for entity in entities:
            for r in dump["records"][entity]:
                body = json.dumps(r["record"], ensure_ascii=False, sort_keys=True,
                                  separators=(",", ":"))
                out.write(prefixes[entity] + quote_key(r["key"]) + "\t" + body + "\n")
                count += 1
    return count


def quote_key(key):
    """One path segment, every byte but A-Z a-z 0-9 - . _ ~ escaped (docs/kokola-api.md)."""
    safe = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return "".join(chr(b) if b in safe else f"%{b:02X}" for b in key.encode())


def run_wrk(url, request_file, connections, workdir):
    """Replays request_file with wrk, `connections` threads of one connection each. Returns
    {requests, not_2xx, seconds} from the threads' own clocks (first request to last answer)."""
    done = Path(workdir) / f"wrk-done-{Path(request_file).stem}"
    done.mkdir(parents=True, exist_ok=True)
    script = Path(__file__).resolve().parent / "put_records.lua"
    args = ["wrk", "-t", str(connections), "-c", str(connections), "-d", "7200s",
            "--timeout", "30s", "-s", str(script), url, "--", str(request_file), TOKEN,
            str(connections), str(done)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for(lambda: len(list(done.iterdir())) == connections or proc.poll() is not None,
             "wrk to send every request", timeout=7200)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # wrk prints its summary and exits
    try:
        output = proc.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        output = proc.communicate()[0]
    reports = [list(map(int, p.read_text().split())) for p in done.iterdir()]
    if len(reports) != connections:
        raise RuntimeError(f"wrk stopped before sending every request:\n{output}")
    return {"requests": sum(r[2] for r in reports), "not_2xx": sum(r[3] for r in reports),
            "seconds": (max(r[1] for r in reports) - min(r[0] for r in reports if r[0])) / 1e6,
            "output": output}
