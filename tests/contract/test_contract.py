"""Contract tests: the daemon's requests against `prism mock --errors` built from
docs/kokola-api.yaml (a request that does not match the contract is answered 422 and the push
fails), and the daemon through `prism proxy --errors` in front of the sandbox (requests and
the sandbox's responses must both match). The pinned Prism comes from tests/contract/install.sh.
"""

import os
import socket
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from harness import EXIT_OK, EXIT_REJECTED, SOURCE_DIR, Env, free_port, wait_for  # noqa: E402

PRISM = SOURCE_DIR / "tests" / "contract" / "node_modules" / ".bin" / "prism"
SPEC = SOURCE_DIR / "docs" / "kokola-api.yaml"
# Records that exercise the contract: a PO with vendor and items, a key with '/', a key that
# was CHAR-padded, non-stock lines, a non-ASCII item name.
KEYS = [("po", "PWU2012502-0000517"), ("po", "PO/2025/0001")]


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Prism:
    def __init__(self, workdir, *args):
        self.port = free_port()
        self.log_path = Path(workdir) / "prism.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(PRISM), *args, "--errors", "-h", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: port_open(self.port) or self.proc.poll() is not None, "prism", 90)
        if self.proc.poll() is not None:
            raise AssertionError("prism exited:\n" + self.log_path.read_text())
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

    def violations(self):
        text = self.log_path.read_text()
        return [l for l in text.splitlines() if "Violation" in l or "violation" in l]


class ContractTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not PRISM.exists():
            raise AssertionError(f"{PRISM} is missing: run tests/contract/install.sh")

    def run_pushes(self, env):
        for entity, key in KEYS:
            rc, out, err = env.ctl("push", entity, key)
            self.assertEqual(rc, EXIT_OK, f"push {entity} {key}:\n{out}{err}")
            self.assertIn("delivered", out)

    def test_requests_match_the_contract_of_the_mock(self):
        env = Env()
        self.addCleanup(env.stop)
        prism = Prism(env.dir, "mock", str(SPEC))
        self.addCleanup(prism.stop)
        env.base_url = prism.url
        env.write_config({})
        env.start_daemon()
        self.run_pushes(env)

    def test_requests_and_sandbox_responses_match_through_the_proxy(self):
        env = Env()
        self.addCleanup(env.stop)
        prism = Prism(env.dir, "proxy", str(SPEC), env.sandbox.url)
        self.addCleanup(prism.stop)
        env.base_url = prism.url
        env.write_config({})
        env.start_daemon()
        self.run_pushes(env)
        # A forced resend (an update, answered 200) goes through the proxy too; and so does
        # an error answer: the sandbox refuses a PO it is told to lock, and the proxy checks
        # that 422 against the contract.
        rc, out, err = env.ctl("push", "po", "PWU2012502-0000517", "--force")
        self.assertEqual(rc, EXIT_OK, out + err)
        env.sandbox.set_faults([{"method": "PUT", "entity": "po", "status": 422,
                                 "code": "validation_failed", "message": "locked"}])
        rc, out, err = env.ctl("push", "po", "PWU2012502-0000517", "--force")
        self.assertEqual(rc, EXIT_REJECTED, out + err)
        self.assertEqual(prism.violations(), [])
        self.assertIn("PO/2025/0001", env.sandbox.records("po"))


if __name__ == "__main__":
    unittest.main()
