"""The chaos test's checker: does the Kokola side (the sandbox's records and request log)
equal the ERP's sendable data, with nothing lost, nothing applied twice, nothing stale, and
is the daemon's state store sound?

Expected content comes from the ERP through SQL, never from the daemon. The checker returns
a list of problems, one line each; an empty list means consistent. It runs in three parts
that tests can also call on their own: `record_problems` (ERP against the app's records),
`log_problems` (the request log) and `store_problems` (the state store).
"""

import re
import sqlite3
from collections import Counter, defaultdict
from decimal import Decimal

# The demo ERP's deliberately invalid records (docs/demo-erp.md, "Fixed keys and their
# verdicts"): ready, but never valid, so they must never reach the app.
INVALID_BY_DESIGN = {
    ("vendor", "V-0903"), ("vendor", "V-0905"), ("vendor", "V-0906"),
    ("item", "BRG-KASUS-01"), ("item", "brg-kasus-01"),
    ("po", "PWU2012502-0000519"), ("po", "PWU2012502-0000521"),
    ("po", "PWU2012502-0000522"), ("po", "PWU2012502-0000524"),
    ("po", "PWU2012502-0000526"),
}
RETIRED_STATUSES = {"CANCELLED", "CLOSED"}
ACTIVE_JOB_STATES = ("queued", "sending", "retry_wait", "in_doubt")


def dec(value):
    return None if value is None else Decimal(str(value))


def text(value):
    return None if value is None else str(value)


def trim(key):
    return key.strip(" \t\r\n")


# --- what the ERP says, through SQL -----------------------------------------------------------
def erp_records(erp_query):
    """Per (entity, key): {"readiness": ready|retired|not_ready, "fields": {...}} from the four
    contract views. `erp_query(sql)` returns rows as dicts."""
    out = {}
    for v in erp_query("SELECT * FROM kokola_vendors"):
        out[("vendor", trim(v["code"]))] = {
            "readiness": "ready" if v["active"] else "retired",
            "fields": {"name": text(v["name"]), "tax_id": re.sub(r"\D", "", v["tax_id"] or ""),
                       "address": text(v["address"]), "city": text(v["city"]),
                       "phone": text(v["phone"]), "email": text(v["email"]),
                       "active": bool(v["active"])}}
    for i in erp_query("SELECT * FROM kokola_items"):
        out[("item", trim(i["code"]))] = {
            "readiness": "ready" if i["active"] else "retired",
            "fields": {"name": text(i["name"]), "uom": text(i["uom"]),
                       "category": text(i["category"]), "barcode": text(i["barcode"]),
                       "active": bool(i["active"])}}
    lines = defaultdict(list)
    for ln in erp_query("SELECT * FROM kokola_po_lines ORDER BY po_number, line_no"):
        lines[trim(ln["po_number"])].append(
            {"line_no": ln["line_no"],
             "item_code": trim(ln["item_code"]) if ln["item_code"] else None,
             "description": text(ln["description"]), "qty": dec(ln["qty"]),
             "uom": text(ln["uom"]), "unit_price": dec(ln["unit_price"]),
             "discount": dec(ln["discount"]), "tax_rate": dec(ln["tax_rate"]),
             "total": dec(ln["line_total"])})
    for po in erp_query("SELECT * FROM kokola_purchase_orders"):
        key = trim(po["number"])
        status = po["status"]
        readiness = ("ready" if status == "APPROVED" else
                     "retired" if status in RETIRED_STATUSES else "not_ready")
        out[("po", key)] = {
            "readiness": readiness,
            "fields": {"vendor_code": trim(po["vendor_code"]), "status": status,
                       "currency": text(po["currency"]), "order_date": text(po["order_date"]),
                       "delivery_date": text(po["delivery_date"]), "notes": text(po["notes"]),
                       "total": dec(po["total"]), "line_count": len(lines[key]),
                       "lines": lines[key]}}
    return out


# --- what the app holds ----------------------------------------------------------------------
def app_fields(entity, record):
    """The same fields as erp_records, from a record body the app holds."""
    r = record
    if entity == "vendor":
        return {k: r.get(k) for k in ("name", "tax_id", "address", "city", "phone", "email",
                                      "active")}
    if entity == "item":
        return {k: r.get(k) for k in ("name", "uom", "category", "barcode", "active")}
    lines = [{"line_no": ln.get("line_no"), "item_code": ln.get("item_code"),
              "description": ln.get("description"), "qty": dec(ln.get("qty")),
              "uom": ln.get("uom"), "unit_price": dec(ln.get("unit_price")),
              "discount": dec(ln.get("discount")), "tax_rate": dec(ln.get("tax_rate")),
              "total": dec(ln.get("total"))} for ln in r.get("lines", [])]
    return {"vendor_code": r.get("vendor_code"), "status": r.get("status"),
            "currency": r.get("currency"), "order_date": r.get("order_date"),
            "delivery_date": r.get("delivery_date"), "notes": r.get("notes"),
            "total": dec(r.get("total")), "line_count": len(lines), "lines": lines}


def differences(expected, actual):
    """Field names whose values differ, with both values; PO lines compared line by line."""
    out = []
    for name, want in expected.items():
        got = actual.get(name)
        if name == "lines":
            for n, (w, g) in enumerate(zip(want, got)):
                out += [f"lines[{n}].{f}: erp {w[f]!r}, app {g.get(f)!r}"
                        for f in w if w[f] != g.get(f)]
        elif want != got:
            out.append(f"{name}: erp {want!r}, app {got!r}")
    return out


def record_problems(erp, dump):
    """Every sendable record present with its current content; nothing the ERP never had;
    nothing invalid or never sendable at the app."""
    problems = []
    held = {(entity, r["key"]): r for entity, rows in dump["records"].items() for r in rows}
    for (entity, key), rec in sorted(erp.items()):
        app = held.get((entity, key))
        if (entity, key) in INVALID_BY_DESIGN or rec["readiness"] == "not_ready":
            if app is not None:
                why = "invalid" if (entity, key) in INVALID_BY_DESIGN else "not ready"
                problems.append(f"{entity} '{key}': {why} in the ERP, yet the app holds it")
            continue
        if app is None:
            if rec["readiness"] == "ready":
                problems.append(f"{entity} '{key}': ready in the ERP, missing at the app")
            continue  # retired and never delivered: nothing to tell the app
        diff = differences(rec["fields"], app_fields(entity, app["record"]))
        if diff:
            problems.append(f"{entity} '{key}' (app revision {app['revision']}): " +
                            "; ".join(diff[:4]) + (f" (+{len(diff) - 4} more)"
                                                   if len(diff) > 4 else ""))
    for entity, key in sorted(set(held) - set(erp)):
        problems.append(f"{entity} '{key}': held by the app, the ERP never had it")
    return problems


# --- the request log ---------------------------------------------------------------------
def log_problems(dump):
    """No record created twice; no Idempotency-Key applied twice or reused for another
    request; applied revisions strictly increasing per record; the app's records agree with
    the writes the log shows."""
    problems = []
    puts = [r for r in dump["requests"] if r["method"] == "PUT"]
    applied = [r for r in puts if r["applied"]]
    created = Counter((r["entity"], r["key"]) for r in applied if r["status"] == 201)
    problems += [f"{e} '{k}': created {n} times" for (e, k), n in sorted(created.items())
                 if n > 1]
    by_job = Counter(r["idempotency_key"] for r in applied)
    problems += [f"Idempotency-Key '{k}': applied {n} times" for k, n in sorted(by_job.items())
                 if n > 1]
    problems += [f"{r['entity']} '{r['key']}': Idempotency-Key '{r['idempotency_key']}' reused "
                 f"for another request (seq {r['seq']})" for r in puts
                 if r["code"] == "idempotency_key_reused"]
    jobs = defaultdict(set)  # a new key for every job: one X-Request-Id (job) per key
    for r in puts:
        jobs[r["idempotency_key"]].add(r["request_id"])
    problems += [f"Idempotency-Key '{k}': sent by {len(ids)} jobs ({', '.join(sorted(map(str, ids)))})"
                 for k, ids in sorted(jobs.items()) if len(ids) > 1]

    revisions = defaultdict(list)
    for r in sorted(applied, key=lambda r: r["seq"]):
        revisions[(r["entity"], r["key"])].append(r["revision"])
    for (entity, key), revs in sorted(revisions.items()):
        if any(b <= a for a, b in zip(revs, revs[1:])):
            problems.append(f"{entity} '{key}': applied revisions out of order: {revs}")
    for entity, rows in dump["records"].items():
        for rec in rows:
            revs = revisions.get((entity, rec["key"]), [])
            if rec["writes"] != len(revs) or (revs and rec["revision"] != revs[-1]):
                problems.append(f"{entity} '{rec['key']}': app holds revision {rec['revision']} "
                                f"after {rec['writes']} writes; the log shows {revs}")
    return problems


# --- the state store -------------------------------------------------------------------------
def store_problems(state_path, dump, quiet):
    """`PRAGMA integrity_check`; no job `sending` (and, once quiet, none not final); the
    ledger's revision of every record equals the app's (once quiet)."""
    db = sqlite3.connect(f"file:{state_path}?mode=ro", uri=True)
    try:
        problems = [f"state store: integrity_check: {row[0]}"
                    for row in db.execute("PRAGMA integrity_check") if row[0] != "ok"]
        states = ACTIVE_JOB_STATES if quiet else ("sending",)
        marks = ", ".join("?" for _ in states)
        for job_id, entity, key, state in db.execute(
                f"SELECT id, entity, key, state FROM jobs WHERE state IN ({marks}) ORDER BY id",
                states):
            problems.append(f"job {job_id} ({entity} '{key}'): left {state}")
        if quiet:
            ledger = {(e, k): rev for e, k, rev in db.execute(
                "SELECT entity, key, revision FROM ledger")}
            for entity, rows in dump["records"].items():
                for rec in rows:
                    rev = ledger.get((entity, rec["key"]))
                    if rev != rec["revision"]:
                        problems.append(f"{entity} '{rec['key']}': the ledger says revision "
                                        f"{rev}, the app holds {rec['revision']}")
    finally:
        db.close()
    return problems


def check(erp_query, dump, state_path, quiet=True):
    """Every problem found, one line each; empty when the app equals the ERP's sendable data
    and the log and the state store are sound."""
    return (record_problems(erp_records(erp_query), dump) + log_problems(dump) +
            store_problems(state_path, dump, quiet))
