#!/usr/bin/env python3
"""A private, throwaway PostgreSQL cluster for tests and benchmarks.

    python3 tests/support/pg_cluster.py start DIR   # prints the conninfo of a running cluster
    python3 tests/support/pg_cluster.py stop DIR    # stops it and removes DIR
    python3 tests/support/pg_cluster.py conninfo DIR

The cluster lives entirely under DIR: data in DIR/data, the server log in DIR/server.log, and
the server listens only on a Unix socket in DIR/sock (no TCP port, so clusters never collide).
The server binaries come from PATH (initdb, pg_ctl) or from /usr/lib/postgresql/*/bin, where
Debian's `postgresql` package puts them. PostgreSQL refuses to run as root: when started as
root, the server runs as the `postgres` user (or `nobody`), which is given DIR.

Superuser `kokola` connects without a password (trust); the role `kokola_password`, when a
test creates it, must authenticate with a password (scram-sha-256), so that password handling
is tested for real. Durability is off (fsync, full_page_writes): test data need none.

As a module: start(dir), stop(dir), halt(dir) and resume(dir) (stop and start the server of
an existing cluster, for tests of a server that goes away), psql(conninfo, sql).
"""

import glob
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

SUPERUSER = "kokola"
PASSWORD_ROLE = "kokola_password"
PORT = 5432


def find_binary(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]), reverse=True)
    if not candidates:
        sys.exit(f"pg_cluster: '{name}' not found in PATH or /usr/lib/postgresql/*/bin "
                 "(install the Debian package postgresql)")
    return candidates[0]


def server_user():
    """The unprivileged user the server runs as when we are root; None when not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    sys.exit("pg_cluster: running as root, but neither 'postgres' nor 'nobody' exists")


def run_as_server(args, **kwargs):
    user = server_user()
    if user is not None:
        args = ["runuser", "-u", user.pw_name, "--"] + args
    return subprocess.run(args, check=True, **kwargs)


def conninfo(dir_, dbname="postgres", user=SUPERUSER):
    return f"host={Path(dir_).resolve() / 'sock'} port={PORT} user={user} dbname={dbname}"


def _server_config(dir_):
    sock = Path(dir_).resolve() / "sock"
    return "\n".join([
        "listen_addresses = ''",
        f"unix_socket_directories = '{sock}'",
        f"port = {PORT}",
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "max_connections = 60",
        "shared_buffers = 32MB",
        "log_min_messages = warning",
        "",
    ])


def _hba():
    return "\n".join([
        f"local all {PASSWORD_ROLE} scram-sha-256",
        "local all all trust",
        "",
    ])


def _pg_ctl(dir_, *args):
    data = Path(dir_).resolve() / "data"
    log = Path(dir_).resolve() / "server.log"
    run_as_server([find_binary("pg_ctl"), "-D", str(data), "-l", str(log), *args],
                  stdout=subprocess.DEVNULL)


def _running(dir_):
    return (Path(dir_) / "data" / "postmaster.pid").exists()


def stop(dir_):
    """Stops the cluster in `dir_` (if running) and removes `dir_`."""
    dir_ = Path(dir_)
    if _running(dir_):
        try:
            _pg_ctl(dir_, "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass  # a server already gone leaves its pid file behind
    shutil.rmtree(dir_, ignore_errors=True)


def start(dir_):
    """Creates a new cluster in `dir_` (replacing whatever was there), starts it, and returns
    its superuser conninfo."""
    dir_ = Path(dir_).resolve()
    stop(dir_)
    dir_.mkdir(parents=True)
    (dir_ / "sock").mkdir()
    user = server_user()
    if user is not None:
        for path in (dir_, dir_ / "sock"):
            os.chown(path, user.pw_uid, user.pw_gid)
    os.chmod(dir_, 0o755)

    run_as_server([find_binary("initdb"), "-D", str(dir_ / "data"), "-U", SUPERUSER,
                   "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"],
                  stdout=subprocess.DEVNULL)
    with open(dir_ / "data" / "postgresql.conf", "a") as f:
        f.write(_server_config(dir_))
    (dir_ / "data" / "pg_hba.conf").write_text(_hba())
    resume(dir_)
    return conninfo(dir_)


def halt(dir_):
    """Stops the server at once (as a crash or a restart would), keeping its data."""
    _pg_ctl(dir_, "-m", "immediate", "-w", "stop")


def resume(dir_):
    """Starts the server of an existing cluster and waits until it accepts connections."""
    _pg_ctl(dir_, "-w", "-t", "60", "start")


def psql(conn, sql, *extra):
    """Runs `sql` through psql (stops at the first error); returns its standard output."""
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conn, *extra],
                       input=sql.encode(), capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(f"psql failed: {p.stderr.decode(errors='replace').strip()}")
    return p.stdout.decode(errors="surrogateescape")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop", "conninfo"):
        sys.exit("usage: pg_cluster.py start|stop|conninfo DIR")
    command, dir_ = sys.argv[1], sys.argv[2]
    if command == "start":
        print(start(dir_))
    elif command == "stop":
        stop(dir_)
    else:
        print(conninfo(dir_))


if __name__ == "__main__":
    main()
