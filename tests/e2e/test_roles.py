"""Roles on the control socket and the audit trail, end to end, with real Unix users.

As root, the test creates throwaway groups and users with a random suffix (removed in
cleanup, even when a test fails), gives the daemon a control section naming them, and runs
kokolactl as each user through runuser:

  admin     primary group: the socket group; supplementary: the admin group
  viewer    primary group: the viewer group; supplementary: the socket group
  norole    primary group: the socket group only
  outsider  in none of them
"""

import json
import os
import secrets
import shutil
import subprocess
import unittest

from harness import BIN_DIR, EXIT_OK, Env

EXIT_CONFIG = 78
EXIT_PERMISSION_DENIED = 77
PO = "PWU2012502-0000517"
VENDOR = "V-0042"


# Run as a test user: opens `count` connections to the socket and sends nothing, reports
# how many connected and how many were refused with `busy`, then holds them until stdin closes.
IDLE_CLIENTS = r"""
import json, select, socket, sys, time
path, count = sys.argv[1], int(sys.argv[2])
conns = []
for _ in range(count):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    conns.append(s)
got = {}
deadline = time.monotonic() + 5
while time.monotonic() < deadline and len(got) < count:
    ready, _, _ = select.select([c for c in conns if c.fileno() not in got], [], [], 0.2)
    for c in ready:
        got[c.fileno()] = c.recv(4096)
busy = sum(1 for data in got.values() if b'"code":"busy"' in data)
print(json.dumps({"connected": len(conns), "busy": busy}), flush=True)
sys.stdin.read()
"""


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class RolesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("creating users and groups needs root")
        suffix = secrets.token_hex(3)
        cls.group = {role: f"kk{role}{suffix}" for role in ("sock", "admin", "view")}
        cls.user = {role: f"kk{role}{suffix}" for role in ("adm", "vwr", "none", "out")}
        for name in cls.group.values():
            cls.addClassCleanup(subprocess.run, ["groupdel", name], stderr=subprocess.DEVNULL)
        for name in cls.user.values():
            # Registered after the groups' cleanups, so it runs before them.
            cls.addClassCleanup(subprocess.run, ["userdel", name], stderr=subprocess.DEVNULL)
        for name in cls.group.values():
            run("groupadd", name)
        g = cls.group
        members = {"adm": ["-g", g["sock"], "-G", g["admin"]],
                   "vwr": ["-g", g["view"], "-G", g["sock"]],
                   "none": ["-g", g["sock"]],
                   "out": ["-g", "nogroup"]}
        for role, options in members.items():
            run("useradd", "--no-create-home", "--no-user-group", "--shell", "/usr/sbin/nologin",
                *options, cls.user[role])

        cls.env = Env()
        cls.addClassCleanup(cls.env.stop)
        cls.env.set_control(
            "control:\n"
            "  socket: run/control.sock\n"
            f"  socket_group: {g['sock']}\n"
            f"  admin_groups: [{g['admin']}]\n"
            f"  viewer_groups: [{g['view']}]\n")
        # Every user must reach the socket: a traversable directory chain, and the socket's
        # own directory made ahead by root (0750, the socket group), as a package would.
        os.chmod(cls.env.dir, 0o755)
        run_dir = cls.env.dir / "run"
        run_dir.mkdir(mode=0o750)
        shutil.chown(run_dir, "root", g["sock"])
        os.chmod(run_dir, 0o750)
        cls.ctl_bin = cls.env.dir / "kokolactl"
        shutil.copy(BIN_DIR / "kokolactl", cls.ctl_bin)
        os.chmod(cls.ctl_bin, 0o755)
        cls.env.start_daemon()

    def ctl_as(self, role, *args):
        """Runs kokolactl as one of the test users; returns (exit code, stdout, stderr)."""
        p = subprocess.run(["runuser", "-u", self.user[role], "--", str(self.ctl_bin),
                            "--socket", str(self.env.socket), *args],
                           capture_output=True, text=True, timeout=120, cwd="/")
        return p.returncode, p.stdout, p.stderr

    def audit(self, *args):
        rc, out, err = self.ctl_as("vwr", "--json", "audit", *args)
        self.assertEqual(rc, EXIT_OK, err)
        return json.loads(out)["entries"]

    def test_admin_pushes_and_the_audit_trail_names_them(self):
        rc, out, err = self.ctl_as("adm", "--json", "push", "po", PO, "--force",
                                   "--reason", "vendor waiting")
        self.assertEqual(rc, EXIT_OK, err)
        result = json.loads(out)["results"][0]
        self.assertEqual(result["outcome"], "delivered")
        jobs = [result["job"]] + [d["job"] for d in result["dependencies"] if d["job"]]

        mine = [e for e in self.audit("--user", self.user["adm"])
                if e["command"] == "push" and e["reason"] == "vendor waiting"]
        self.assertEqual(len(mine), 1, mine)
        entry = mine[0]
        self.assertEqual(entry["uid"], int(subprocess.check_output(
            ["id", "-u", self.user["adm"]], text=True)))
        self.assertEqual(entry["user"], self.user["adm"])
        self.assertEqual(entry["role"], "admin")
        self.assertEqual(entry["result"], "ok")
        self.assertEqual(entry["args"]["keys"], [PO])
        self.assertEqual(sorted(entry["jobs"]), sorted(jobs))
        self.assertIn({"entity": "po", "key": PO, "outcome": "delivered", "reason_code": ""},
                      entry["outcomes"])
        self.assertTrue(entry["finished_at"])

        receipt = self.env.ctl_json("show", "po", PO)[1]["last_receipt"]
        self.assertIn(f"({self.user['adm']})", receipt["requested_by"])

    def test_viewer_push_is_refused_sends_nothing_and_is_audited(self):
        before = len(self.env.sandbox.writes())
        rc, out, err = self.ctl_as("vwr", "push", "vendor", VENDOR, "--force", "--reason", "try")
        self.assertEqual(rc, EXIT_PERMISSION_DENIED, err)
        self.assertEqual(out, "")
        self.assertIn("push needs the admin role", err)
        self.assertIn(f"groups: {self.group['admin']}", err)
        self.assertIn(f"({self.user['vwr']}) has the viewer role", err)
        self.assertEqual(len(self.env.sandbox.writes()), before)

        rc, out, err = self.ctl_as("vwr", "sync", "vendor")
        self.assertEqual(rc, EXIT_PERMISSION_DENIED, err)
        self.assertEqual(len(self.env.sandbox.writes()), before)

        refused = [e for e in self.audit("--user", self.user["vwr"]) if e["command"] == "push"]
        self.assertEqual(len(refused), 1, refused)
        self.assertEqual(refused[0]["result"], "permission_denied")
        self.assertEqual(refused[0]["role"], "viewer")
        self.assertEqual(refused[0]["reason"], "try")
        self.assertEqual(refused[0]["jobs"], [])
        self.assertIn("admin role", refused[0]["message"])

        rc, out, err = self.ctl_as("vwr", "audit", "--user", self.user["vwr"], "--since", "1h")
        self.assertEqual(rc, EXIT_OK, err)
        self.assertIn("permission_denied: push needs the admin role", out)

    def test_viewer_reads_status_list_and_show(self):
        rc, out, err = self.ctl_as("vwr", "--json", "status")
        self.assertIn(rc, (EXIT_OK, 8), err)  # 8: degraded, still an answer
        self.assertIn("entities", json.loads(out))
        rc, out, err = self.ctl_as("vwr", "list", "po", "--ready", "--limit", "5")
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(len(out.splitlines()), 5)
        rc, out, err = self.ctl_as("vwr", "show", "po", PO)
        self.assertEqual(rc, EXIT_OK, err)
        self.assertIn(PO, out)

    def test_user_without_a_role_sees_nothing(self):
        for args in (["status"], ["list", "po"], ["audit"]):
            rc, out, err = self.ctl_as("none", *args)
            self.assertEqual(rc, EXIT_PERMISSION_DENIED, (args, err))
            self.assertEqual(out, "")
            self.assertIn(f"({self.user['none']}) has no role", err)
        rc, out, err = self.ctl_as("none", "push", "po", PO)
        self.assertEqual(rc, EXIT_PERMISSION_DENIED, err)
        # Every refusal is audited, reads included.
        refused = self.audit("--user", self.user["none"])
        self.assertEqual(sorted(e["command"] for e in refused), ["audit", "list", "push", "status"])
        self.assertEqual({e["result"] for e in refused}, {"permission_denied"})
        self.assertEqual({e["role"] for e in refused}, {"none"})

    def test_user_outside_the_socket_group_is_refused_by_the_kernel(self):
        rc, out, err = self.ctl_as("out", "status")
        self.assertEqual(rc, EXIT_PERMISSION_DENIED, err)
        self.assertIn("permission denied on", err)
        self.assertIn(f"the group '{self.group['sock']}'", err)
        # Nothing reached the daemon, so nothing was audited.
        self.assertEqual(self.audit("--user", self.user["out"]), [])


    def test_idle_connections_of_one_user_do_not_lock_root_out(self):
        helper = subprocess.Popen(["runuser", "-u", self.user["none"], "--", "python3", "-c",
                                   IDLE_CLIENTS, str(self.env.socket), "500"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                  cwd="/")
        try:
            report = json.loads(helper.stdout.readline())
            self.assertEqual(report["connected"], 500)
            # The user's first 16 (control.max_clients_per_user) stay; the rest are refused.
            self.assertEqual(report["busy"], 500 - 16)

            # While the user still holds its connections, root is answered.
            rc, out, err = self.env.ctl("--json", "status", timeout=10)
            self.assertIn(rc, (EXIT_OK, 8), err)  # 8: degraded, still an answer
            self.assertIn("entities", json.loads(out))
            rc, out, err = self.ctl_as("adm", "--json", "status")
            self.assertIn(rc, (EXIT_OK, 8), err)
            # The user itself is told why it is refused.
            rc, out, err = self.ctl_as("none", "status")
            self.assertEqual(rc, 1, err)
            self.assertIn("busy", err)
            self.assertIn("control.max_clients_per_user", err)
        finally:
            helper.stdin.close()
            helper.wait(timeout=30)
            helper.stdout.close()


class MissingGroupTest(unittest.TestCase):
    """A group the configuration names but the system lacks is a configuration error: found
    by --check-config, and the start stops with 78 (not retried by systemd)."""

    def test_a_missing_group_is_a_configuration_error(self):
        env = Env()
        self.addCleanup(env.stop)
        missing = "kokola-missing-" + secrets.token_hex(4)
        env.set_control(f"control:\n  socket: run/control.sock\n  admin_groups: [{missing}]\n")
        for extra in (["--check-config"], []):
            p = subprocess.run([str(BIN_DIR / "kokola-syncd"), "--config", str(env.config),
                                *extra], capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, EXIT_CONFIG, (extra, p.stderr))
            self.assertIn(f"looking up admin group '{missing}': no such group", p.stderr)


if __name__ == "__main__":
    unittest.main()
