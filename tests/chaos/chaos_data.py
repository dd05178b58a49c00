"""The chaos test's ERP: the demo ERP (scripts/demo_erp.py) multiplied to a few thousand
records, and the changes the test makes to it while the daemon runs, is killed and restarts.

Everything is written to the demo ERP's own tables (docs/demo-erp.md), as the ERP would, in
SQLite. Copies are taken only from the generic records (never from the deliberately dirty
ones), so every copy keeps the verdict of its original. Money stays exact: totals are summed
as Decimal in Python, never by SQL over REAL values, and a changed line is priced by the
demo generator's own money rule.
"""

import datetime as dt
import fnmatch
import sqlite3
import sys
from decimal import Decimal

from harness import SOURCE_DIR

sys.path.insert(0, str(SOURCE_DIR / "scripts"))
import demo_erp  # noqa: E402  (the generator's money rule: line_amounts)

GENERIC_VENDOR = "V-00[0-9][0-9]"  # V-0001 .. V-0055
GENERIC_ITEM = "BRG-00[0-9][0-9][0-9]"  # BRG-00001 .. BRG-00520
GENERIC_PO_LOW, GENERIC_PO_HIGH = "PWU2012502-0000301", "PWU2012502-0000516"
STATUS_CODES = {"DRAFT": "D", "APPROVED": "A", "CANCELLED": "B", "CLOSED": "T"}


def dec(value):
    """A DECIMAL column's value (SQLite hands back int or float) as an exact Decimal."""
    return Decimal(str(value))


def vendor_copy(code, n):
    """V-0017 -> V-1017 for copy 1; a vendor that is not generic is not copied: kept."""
    return f"V-{n}{code[3:]}" if fnmatch.fnmatchcase(code, GENERIC_VENDOR) else code


def item_copy(code, n):
    """BRG-00017 -> BRG-10017 for copy 1; an item that is not generic (generic POs also use
    BRG-NOBAR-01 and PIPA/PVC/05) is not copied: kept."""
    return f"BRG-{n}{code[5:]}" if fnmatch.fnmatchcase(code, GENERIC_ITEM) else code


def po_copy(number, n):
    return f"PWU201250{2 + n}{number[10:]}"  # PWU2012502-0000301 -> PWU2012503-0000301


class ChaosErp:
    """The ERP file of one test deployment, opened for each change and closed after it."""

    def __init__(self, path):
        self.path = str(path)
        self.changes = 0  # numbers the changed names and new keys

    def connect(self):
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    def stamp(self):
        self.changes += 1
        moment = dt.datetime(2025, 7, 1, 8) + dt.timedelta(minutes=self.changes)
        return moment.strftime("%Y-%m-%d %H:%M:%S")

    # --- multiplying ----------------------------------------------------------------------
    def multiply(self, copies, max_lines):
        """Adds `copies` copies of the generic vendors, items and POs under new keys; a copied
        PO keeps at most `max_lines` lines, names the copied vendor and items, and its total
        is the exact sum of the lines it kept."""
        with self.connect() as db:
            for n in range(1, copies + 1):
                self.copy_vendors(db, n)
                self.copy_items(db, n)
                for number in self.generic_pos(db):
                    self.copy_po(db, number, po_copy(number, n), n, max_lines)

    def copy_vendors(self, db, n):
        rows = db.execute(f"SELECT * FROM m_supplier WHERE kd_supplier GLOB '{GENERIC_VENDOR}'")
        for r in rows.fetchall():
            values = dict(r, kd_supplier=vendor_copy(r["kd_supplier"], n),
                          nm_supplier=f"{r['nm_supplier']} {n}")
            insert(db, "m_supplier", values)

    def copy_items(self, db, n):
        rows = db.execute(f"SELECT * FROM m_barang WHERE kd_barang GLOB '{GENERIC_ITEM}'")
        for r in rows.fetchall():
            values = dict(r, kd_barang=item_copy(r["kd_barang"], n),
                          nm_barang=f"{r['nm_barang']} #{n}")
            insert(db, "m_barang", values)

    @staticmethod
    def generic_pos(db):
        rows = db.execute("SELECT no_po FROM t_po_hdr WHERE no_po BETWEEN ? AND ? ORDER BY no_po",
                          (GENERIC_PO_LOW, GENERIC_PO_HIGH))
        return [r[0] for r in rows]

    def copy_po(self, db, number, new_number, n, max_lines, status=None):
        """Copies PO `number` to `new_number`; copy `n` > 0 names copied vendor and items."""
        header = dict(db.execute("SELECT * FROM t_po_hdr WHERE no_po = ?", (number,)).fetchone())
        lines = [dict(r) for r in db.execute(
            "SELECT * FROM t_po_dtl WHERE no_po = ? AND no_urut <= ? ORDER BY no_urut",
            (number, max_lines))]
        for line in lines:
            line["no_po"] = new_number
            if n and line["kd_barang"]:
                line["kd_barang"] = item_copy(line["kd_barang"], n)
            insert(db, "t_po_dtl", line)
        header.update(no_po=new_number, grand_total=str(sum(dec(ln["jumlah"]) for ln in lines)))
        if n:
            header["kd_supplier"] = vendor_copy(header["kd_supplier"], n)
        if status:
            header["status_po"] = STATUS_CODES[status]
        insert(db, "t_po_hdr", header)

    # --- the changes made during the test ------------------------------------------------------
    def approved_pos(self):
        with self.connect() as db:
            return [r[0].strip() for r in db.execute(
                "SELECT no_po FROM t_po_hdr WHERE status_po = 'A' AND (no_po BETWEEN ? AND ? "
                "OR no_po GLOB 'PWU201250[3-9]-*' OR no_po GLOB 'PWU2019999-*') ORDER BY no_po",
                (GENERIC_PO_LOW, GENERIC_PO_HIGH))]

    def active_vendors(self):
        with self.connect() as db:
            return [r[0] for r in db.execute(
                "SELECT kd_supplier FROM m_supplier WHERE flag_aktif = 'Y' AND "
                "(kd_supplier GLOB 'V-[0-9][0-9][0-9][0-9]' AND kd_supplier < 'V-0900' "
                "OR kd_supplier >= 'V-1000') ORDER BY kd_supplier")]

    def reprice_line(self, number, rng):
        """A new quantity and price on one line of PO `number`, its line amount and the PO's
        total recomputed with the money rule, so that the PO stays valid."""
        with self.connect() as db:
            lines = [dict(r) for r in db.execute(
                "SELECT * FROM t_po_dtl WHERE no_po = ? ORDER BY no_urut", (number,))]
            line = rng.choice(lines)
            qty = (Decimal(rng.randrange(10000, 900000)).scaleb(-4) if line["satuan"] == "KG"
                   else Decimal(rng.randrange(1, 300)))
            price = Decimal(rng.randrange(10, 40000) * 50)
            amount = demo_erp.line_amounts(qty, price, Decimal(0), dec(line["ppn_persen"]))
            db.execute("UPDATE t_po_dtl SET qty = ?, harga = ?, diskon = 0, jumlah = ? "
                       "WHERE no_po = ? AND no_urut = ?",
                       (str(qty), str(price), str(amount), number, line["no_urut"]))
            line.update(jumlah=amount)
            total = sum(dec(ln["jumlah"]) for ln in lines)
            db.execute("UPDATE t_po_hdr SET grand_total = ?, tgl_update = ? WHERE no_po = ?",
                       (str(total), self.stamp(), number))
        return f"po {number}: line {line['no_urut']} qty {qty} price {price}"

    def rename_vendor(self, code):
        stamp = self.stamp()
        with self.connect() as db:
            db.execute("UPDATE m_supplier SET nm_supplier = ?, tgl_update = ? "
                       "WHERE kd_supplier = ?", (f"PT GANTI NAMA {self.changes}", stamp, code))
        return f"vendor {code}: renamed"

    def set_po_status(self, number, status):
        with self.connect() as db:
            db.execute("UPDATE t_po_hdr SET status_po = ?, tgl_update = ? WHERE no_po = ?",
                       (STATUS_CODES[status], self.stamp(), number))
        return f"po {number}: {status}"

    def new_po(self, source):
        """A new APPROVED PO copied from `source` (its vendor and items, all its lines)."""
        number = f"PWU2019999-{self.changes + 1:07d}"
        self.stamp()
        with self.connect() as db:
            self.copy_po(db, source, number, 0, 10**6, status="APPROVED")
        return f"po {number}: new, copied from {source}"


def insert(db, table, values):
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values()))
