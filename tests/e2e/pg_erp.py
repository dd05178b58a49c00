"""The demo ERP in PostgreSQL, for the end-to-end tests run with KOKOLA_E2E_ENGINE=postgres.

The test cluster (tests/support/pg_cluster.py, started by ctest) is reached through the
superuser conninfo in KOKOLA_PG_CONNINFO. The demo ERP is built once per process by the real
generator (scripts/demo_erp.py --postgres) into a template database; every test deployment
gets a copy of its own (CREATE DATABASE ... TEMPLATE), dropped when it stops. The databases
are SQL_ASCII, like the legacy ERP the demo imitates, so that its Latin-1 bytes are kept as in
SQLite and every dirty case has the same verdict on both engines.

Queries go through psql; SQL written for the tests (with `?` placeholders, as sqlite3 takes
them) is portable between the two engines, and results come back typed as sqlite3 would give
them: integers as int, NUMERIC as Decimal, everything else as text.
"""

import atexit
import csv
import io
import os
import secrets
import subprocess
from decimal import Decimal
from pathlib import Path

ENGINE = os.environ.get("KOKOLA_E2E_ENGINE", "sqlite")
SOURCE_DIR = Path(__file__).resolve().parents[2]

_template = {}


def admin_conninfo():
    conninfo = os.environ.get("KOKOLA_PG_CONNINFO")
    if not conninfo:
        raise AssertionError("KOKOLA_E2E_ENGINE=postgres needs the test cluster's conninfo in "
                             "KOKOLA_PG_CONNINFO (ctest sets it; or run "
                             "tests/support/pg_cluster.py start DIR)")
    return conninfo


def psql(conninfo, sql, *extra):
    """Runs `sql` with psql, stopping at the first error; returns the output as text (bytes
    that are not UTF-8 kept as surrogates)."""
    env = dict(os.environ, PGCLIENTENCODING="SQL_ASCII")  # bytes exactly as stored
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, *extra],
                       input=sql.encode("utf-8", "surrogateescape"), capture_output=True, env=env)
    if p.returncode != 0:
        raise AssertionError(f"psql: {p.stderr.decode(errors='replace').strip()}\nSQL: {sql}")
    return p.stdout.decode("utf-8", "surrogateescape")


def literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def bind(sql, params):
    """sqlite3's `?` placeholders filled in as SQL literals, in order."""
    parts = sql.split("?")
    if len(parts) != len(params) + 1:
        raise AssertionError(f"{len(params)} parameters for {len(parts) - 1} placeholders: {sql}")
    return "".join(p + (literal(v) if i < len(params) else "")
                   for i, (p, v) in enumerate(zip(parts, list(params) + [None])))


def convert(type_name, text):
    if type_name in ("integer", "bigint", "smallint"):
        return int(text)
    if type_name.startswith("numeric"):
        return Decimal(text)
    if type_name in ("double precision", "real"):
        return float(text)
    return text


def demo_template(admin):
    if "name" not in _template:
        name = f"kokola_e2e_demo_{os.getpid()}"
        psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE);"
                    f"CREATE DATABASE {name} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' "
                    "TEMPLATE template0;")
        subprocess.run(["python3", str(SOURCE_DIR / "scripts" / "demo_erp.py"), "--postgres",
                        f"{admin} dbname={name}"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _template["name"] = name
        atexit.register(_drop_quietly, admin, name)
    return _template["name"]


def _drop_quietly(admin, name):
    try:
        psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except AssertionError:
        pass  # the cluster is already gone


class PgErp:
    """One deployment's copy of the demo ERP."""

    def __init__(self):
        self.admin = admin_conninfo()
        template = demo_template(self.admin)
        self.name = "kokola_e2e_" + secrets.token_hex(6)
        psql(self.admin, f"CREATE DATABASE {self.name} TEMPLATE {template}")
        self.conninfo = f"{self.admin} dbname={self.name}"

    def configure(self, config_text):
        """The daemon's config text with its erp engine switched to this database."""
        sqlite = "  engine: sqlite\n  sqlite:\n    path: erp.db\n"
        if sqlite not in config_text:
            raise AssertionError("the demo configuration's erp section has changed")
        return config_text.replace(
            sqlite, f"  engine: postgres\n  postgres:\n    conninfo: \"{self.conninfo}\"\n")

    def query(self, sql, *params):
        sql = bind(sql, params).rstrip().rstrip(";")
        separator, null = "@@kokola-rows@@", "@@kokola-null@@"
        out = psql(self.conninfo, f"{sql} \\gdesc\n\\echo {separator}\n{sql};\n",
                   "--csv", "-P", f"null={null}")
        described, rows = out.split(separator + "\n", 1)
        types = [row[1] for row in csv.reader(io.StringIO(described))][1:]
        reader = csv.reader(io.StringIO(rows))
        names = next(reader, [])
        return [{n: None if v == null else convert(t, v) for n, t, v in zip(names, types, row)}
                for row in reader]

    def write(self, sql, *params):
        psql(self.conninfo, bind(sql, params) + ";\n")

    def drop(self):
        psql(self.admin, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
