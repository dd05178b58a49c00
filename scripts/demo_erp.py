#!/usr/bin/env python3
"""Builds the demo ERP: a small legacy-style ERP database with realistic and deliberately
dirty data, plus the four views of the ERP source contract (docs/erp-source.md) mapped on top
of its native tables. docs/demo-erp.md lists the tables and every fixed key with the verdict
the daemon must give it.

    python3 scripts/demo_erp.py --sqlite PATH [--force]
    python3 scripts/demo_erp.py --postgres CONNINFO [--force]

The data is described once, as plain Python rows (DemoData), and then emitted as SQL through
a small dialect layer (SqliteDialect, PostgresDialect), so that another database is one more
dialect without touching the data. Python 3 standard library only (PostgreSQL is loaded by
piping the SQL to `psql`); a fixed seed makes every build identical.
"""

import argparse
import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal

SEED = 20250517
CENT = Decimal("0.01")

# --- Fixed keys (docs/demo-erp.md; the tests rely on them) ---------------------------------
PO_MAIN = "PWU2012502-0000517"
PO_DRAFT = "PWU2012502-0000518"
PO_TOTAL_OFF = "PWU2012502-0000519"
PO_PADDED = "PWU2012502-0000520    "
PO_CASE = "PWU2012502-0000521"
PO_SLASH = "PO/2025/0001"
PO_NULL_QTY = "PWU2012502-0000522"
PO_NON_STOCK = "PWU2012502-0000523"
PO_VENDOR_INACTIVE = "PWU2012502-0000524"
PO_REAL_PRICE = "PWU2012502-0000525"
PO_BAD_DATE = "PWU2012502-0000526"
PO_CANCELLED = "PWU2012502-0000527"
PO_CLOSED = "PWU2012502-0000528"
PO_THOUSAND = "PWU2012502-0001000"

VENDOR_MAIN = "V-0017"
VENDOR_PADDED = "V-0901    "
VENDOR_NO_EMAIL = "V-0902"
VENDOR_NULL_NAME = "V-0903"
VENDOR_INACTIVE = "V-0904"
VENDOR_BAD_UTF8 = "V-0905"
VENDOR_TAX_14 = "V-0906"

ITEM_PADDED = "BRG-PAD-01     "
ITEM_CASE_UPPER = "BRG-KASUS-01"
ITEM_CASE_LOWER = "brg-kasus-01"
ITEM_SLASH = "PIPA/PVC/05"
ITEM_NO_BARCODE = "BRG-NOBAR-01"

GENERIC_VENDORS = 55
GENERIC_ITEMS = 520
GENERIC_POS = range(301, 517)  # PWU2012502-0000301 .. 0000516


class Real(float):
    """A value inserted as a binary floating-point number, whatever the column type."""


class RawBytes(bytes):
    """Text bytes that are not valid UTF-8 (a legacy Latin-1 write), kept as they are."""


# --- The ERP's own schema --------------------------------------------------------------------
# (column, declared type, primary key part?) per table, in the style of a legacy ERP.
TABLES = {
    "m_kategori": [("kd_kategori", "CHAR(4)", True), ("nm_kategori", "VARCHAR(50)", False)],
    "m_supplier": [
        ("kd_supplier", "CHAR(10)", True), ("nm_supplier", "VARCHAR(100)", False),
        ("npwp", "VARCHAR(25)", False), ("alamat", "VARCHAR(200)", False),
        ("kota", "VARCHAR(50)", False), ("telp", "VARCHAR(30)", False),
        ("email", "VARCHAR(100)", False), ("flag_aktif", "CHAR(1)", False),
        ("tgl_update", "TIMESTAMP", False),
    ],
    "m_barang": [
        ("kd_barang", "CHAR(15)", True), ("nm_barang", "VARCHAR(120)", False),
        ("satuan", "CHAR(6)", False), ("kd_kategori", "CHAR(4)", False),
        ("barcode", "VARCHAR(14)", False), ("status", "CHAR(1)", False),
        ("tgl_update", "TIMESTAMP", False),
    ],
    "t_po_hdr": [
        ("no_po", "CHAR(22)", True), ("kd_supplier", "CHAR(10)", False),
        ("tgl_po", "DATE", False), ("tgl_kirim", "DATE", False),
        ("kd_valuta", "CHAR(3)", False), ("status_po", "CHAR(1)", False),
        ("grand_total", "DECIMAL(18,2)", False), ("keterangan", "VARCHAR(255)", False),
        ("tgl_update", "TIMESTAMP", False),
    ],
    "t_po_dtl": [
        ("no_po", "CHAR(22)", True), ("no_urut", "INTEGER", True),
        ("kd_barang", "CHAR(15)", False), ("uraian", "VARCHAR(200)", False),
        ("qty", "DECIMAL(18,4)", False), ("satuan", "CHAR(6)", False),
        ("harga", "DECIMAL(18,2)", False), ("diskon", "DECIMAL(18,2)", False),
        ("ppn_persen", "DECIMAL(5,2)", False), ("jumlah", "DECIMAL(18,2)", False),
    ],
}
INDEXES = [("ix_po_dtl_no_po", "t_po_dtl", "no_po"),
           ("ix_po_hdr_supplier", "t_po_hdr", "kd_supplier")]
# Keys the daemon looks up and joins by, trimmed: each gets an expression index (per dialect).
TRIMMED_KEYS = [("m_supplier", "kd_supplier"), ("m_barang", "kd_barang"),
                ("t_po_hdr", "no_po"), ("t_po_dtl", "no_po")]

# The contract views: how a DBA maps this schema (docs/erp-source.md). Keys are passed on as
# stored, padding included: the daemon trims them and reports collisions as read.
VIEWS = {
    "kokola_vendors": """
SELECT s.kd_supplier AS code, s.nm_supplier AS name, s.npwp AS tax_id, s.alamat AS address,
       s.kota AS city, s.telp AS phone, s.email AS email,
       CASE WHEN trim(s.flag_aktif) = 'Y' THEN 1 ELSE 0 END AS active,
       s.tgl_update AS updated_at
  FROM m_supplier s""",
    "kokola_items": """
SELECT b.kd_barang AS code, b.nm_barang AS name, trim(b.satuan) AS uom,
       k.nm_kategori AS category, b.barcode AS barcode,
       CASE WHEN trim(b.status) = 'A' THEN 1 ELSE 0 END AS active,
       b.tgl_update AS updated_at
  FROM m_barang b LEFT JOIN m_kategori k ON k.kd_kategori = b.kd_kategori""",
    "kokola_purchase_orders": """
SELECT h.no_po AS number, h.kd_supplier AS vendor_code, h.tgl_po AS order_date,
       h.tgl_kirim AS delivery_date, h.kd_valuta AS currency,
       CASE trim(h.status_po) WHEN 'D' THEN 'DRAFT' WHEN 'A' THEN 'APPROVED'
            WHEN 'B' THEN 'CANCELLED' WHEN 'T' THEN 'CLOSED' ELSE h.status_po END AS status,
       h.grand_total AS total, h.keterangan AS notes, h.tgl_update AS updated_at
  FROM t_po_hdr h""",
    "kokola_po_lines": """
SELECT d.no_po AS po_number, d.no_urut AS line_no, d.kd_barang AS item_code,
       d.uraian AS description, d.qty AS qty, trim(d.satuan) AS uom, d.harga AS unit_price,
       d.diskon AS discount, d.ppn_persen AS tax_rate, d.jumlah AS line_total
  FROM t_po_dtl d""",
}
STATUS_CODES = {"DRAFT": "D", "APPROVED": "A", "CANCELLED": "B", "CLOSED": "T"}


# --- The data, described once --------------------------------------------------------------
def line_amounts(qty, price, discount, rate):
    """The money rule, exactly as the daemon applies it (half-up to 2 decimals for IDR)."""
    net = (qty * price - discount).quantize(CENT, rounding=ROUND_HALF_UP)
    tax = (net * rate / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return net + tax


def ean13(rng):
    digits = [8, 9, 9] + [rng.randrange(10) for _ in range(9)]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return "".join(map(str, digits + [check]))


CITIES = [("Jakarta", "021"), ("Surabaya", "031"), ("Bandung", "022"), ("Semarang", "024"),
          ("Medan", "061"), ("Makassar", "0411"), ("Tangerang", "021"), ("Bekasi", "021"),
          ("Sidoarjo", "031"), ("Malang", "0341"), ("Yogyakarta", "0274"), ("Denpasar", "0361"),
          ("Palembang", "0711"), ("Balikpapan", "0542"), ("Pontianak", "0561"),
          ("Surakarta", "0271"), ("Cirebon", "0231"), ("Gresik", "031"), ("Kudus", "0291"),
          ("Pekanbaru", "0761")]
STREETS = ["Jl. Jend. Sudirman", "Jl. Gatot Subroto", "Jl. Diponegoro", "Jl. Ahmad Yani",
           "Jl. Pemuda", "Jl. Raya Darmo", "Jl. Hayam Wuruk", "Jl. Gajah Mada",
           "Jl. Industri Raya", "Jl. Raya Bogor", "Jl. Veteran", "Jl. Pahlawan",
           "Kawasan Industri Pulogadung Jl. Rawa Gelam", "Jl. Imam Bonjol", "Jl. Merdeka"]
NAME_WORDS = ["SUMBER", "MAKMUR", "JAYA", "ABADI", "SENTOSA", "MITRA", "KARYA", "BERKAH",
              "SINAR", "CAHAYA", "MULIA", "PRIMA", "LESTARI", "SEJAHTERA", "ANUGERAH",
              "BINTANG", "GEMILANG", "PERKASA", "UTAMA", "NUSANTARA", "TUNGGAL", "MANDIRI"]
NAME_TRADES = ["PLASTIK", "TEKNIK", "BANGUNAN", "ELEKTRIK", "KIMIA", "PACKINDO", "NIAGA",
               "TRADING", "LOGAM", "KEMASAN", "PANGAN", "STATIONERY"]
CATEGORIES = [("PLS", "PLASTIK"), ("LST", "LISTRIK"), ("BGN", "BAHAN BANGUNAN"),
              ("KIM", "KIMIA"), ("ATK", "ALAT TULIS KANTOR"), ("KMS", "KEMASAN"),
              ("MKN", "MAKANAN & MINUMAN")]
# (category, unit, name pattern, variants): {} takes each variant in turn.
ITEM_KINDS = [
    ("PLS", "KG", "Biji Plastik {}", ["PP", "PE", "HDPE", "LDPE", "PET"]),
    ("PLS", "DUS", "Kantong Plastik HD {}", ["15x30", "24x40", "28x48", "35x55", "40x60"]),
    ("PLS", "LUSIN", "Ember Plastik {}", ["5 L", "10 L", "15 L", "20 L"]),
    ("PLS", "DUS", "Gelas Plastik {}", ["8 oz", "10 oz", "12 oz", "16 oz"]),
    ("LST", "PCS", "Kabel NYM {} mm²", ["2×1,5", "2×2,5", "3×1,5", "3×2,5", "4×4"]),
    ("LST", "PCS", "Lampu LED {}", ["5 W", "9 W", "12 W", "18 W", "24 W"]),
    ("LST", "PCS", "MCB {}", ["2 A", "4 A", "6 A", "10 A", "16 A"]),
    ("LST", "DUS", "Stop Kontak {}", ["2 Lubang", "3 Lubang", "4 Lubang"]),
    ("BGN", "PCS", "Pipa PVC {}", ["½ inch", "¾ inch", "1 inch", "1½ inch", "2 inch"]),
    ("BGN", "KG", "Paku {}", ["2 cm", "3 cm", "5 cm", "7 cm", "10 cm"]),
    ("BGN", "PCS", "Semen Portland {}", ["40 kg", "50 kg"]),
    ("BGN", "DUS", "Keramik Lantai {}", ["30×30", "40×40", "60×60"]),
    ("KIM", "KG", "{}", ["Soda Api", "Kaporit", "Tawas", "Asam Sitrat", "Garam Industri"]),
    ("ATK", "DUS", "Kertas HVS {}", ["A4 70 gsm", "A4 80 gsm", "F4 70 gsm"]),
    ("ATK", "LUSIN", "{}", ["Pulpen Hitam", "Pensil 2B", "Spidol Permanen", "Map Plastik"]),
    ("KMS", "PCS", "Kardus {}", ["20×20×20", "30×30×30", "40×30×25", "60×40×40"]),
    ("KMS", "LUSIN", "Lakban {}", ["Coklat 2 inch", "Bening 2 inch", "Hitam 1 inch"]),
    ("MKN", "KG", "{}", ["Gula Pasir", "Tepung Terigu", "Beras Medium", "Garam Dapur"]),
    ("MKN", "DUS", "{}", ["Minyak Goreng 2 L", "Air Mineral 600 ml", "Mi Instan Goreng"]),
]
BRANDS = ["Garuda", "Rajawali", "Kencana", "Nusa", "Prima", "Sakti", "Merapi", "Bahari",
          "Cendana", "Kartika", "Mustika", "Pelita"]


class DemoData:
    """Every row of the demo ERP, per native table, as plain Python values."""

    def __init__(self, seed=SEED):
        self.rng = random.Random(seed)
        self.clock = dt.datetime(2025, 1, 6, 8, 0, 0)
        self.rows = {name: [] for name in TABLES}
        self.rows["m_kategori"] = [list(c) for c in CATEGORIES]
        self.vendors = []  # codes of active, valid vendors
        self.items = []  # (code, unit, name) of active, valid items
        self.add_vendors()
        self.add_items()
        self.add_generic_pos()
        self.add_fixed_pos()

    def tick(self):
        step = dt.timedelta(minutes=self.rng.randrange(7, 180), seconds=self.rng.randrange(60))
        self.clock += step
        return self.clock.strftime("%Y-%m-%d %H:%M:%S")

    # vendors
    def tax_id(self):
        d = "".join(str(self.rng.randrange(10)) for _ in range(15))
        shape = self.rng.random()
        if shape < 0.6:
            return f"{d[0:2]}.{d[2:5]}.{d[5:8]}.{d[8]}-{d[9:12]}.{d[12:15]}"
        if shape < 0.8:
            return d
        return "3" + d  # a 16-digit NPWP (the NIK form)

    def vendor(self, code, name, *, active="Y", email=True, address=None, tax_id=None):
        city, area = self.rng.choice(CITIES)
        phone = (f"{area}-{self.rng.randrange(3000000, 8999999)}" if self.rng.random() < 0.6
                 else f"+62 8{self.rng.randrange(11, 59)} {self.rng.randrange(1000, 9999)} "
                 f"{self.rng.randrange(1000, 9999)}")
        slug = "".join((name or "PT TANPA NAMA").lower().split()[1:3])
        mail = (f"sales@{slug}.co.id" if self.rng.random() < 0.5 else f"{slug}@gmail.com")
        address = address or (f"{self.rng.choice(STREETS)} No. {self.rng.randrange(1, 250)}"
                              + (f" RT {self.rng.randrange(1, 15):03d}/RW "
                                 f"{self.rng.randrange(1, 12):03d}" if self.rng.random() < 0.3
                                 else ""))
        self.rows["m_supplier"].append([code, name, tax_id or self.tax_id(), address, city,
                                        phone, mail if email else None, active, self.tick()])

    def add_vendors(self):
        names = set()
        while len(names) < GENERIC_VENDORS:
            form = self.rng.choice(["PT", "PT", "CV", "UD"])
            words = self.rng.sample(NAME_WORDS, 2) + [self.rng.choice(NAME_TRADES)]
            names.add(f"{form} {' '.join(words)}")
        for n, name in enumerate(sorted(names), start=1):
            code = f"V-{n:04d}"
            if code == VENDOR_MAIN:
                name = "SURYA INDAH PLASTIK"
            active = "N" if n % 19 == 0 else "Y"
            self.vendor(code, name, active=active, email=self.rng.random() < 0.8)
            if active == "Y":
                self.vendors.append(code)
        self.vendor(VENDOR_PADDED, "PT PADATAMA SEJAHTERA")
        self.vendor(VENDOR_NO_EMAIL, "CV SUMBER REJEKI", email=False)
        self.vendor(VENDOR_NULL_NAME, None)
        self.vendor(VENDOR_INACTIVE, "PT TUTUP BUKU ABADI", active="N")
        self.vendor(VENDOR_BAD_UTF8, "PT KAFE NUSANTARA",
                    address=RawBytes("Jl. Caf\xe9 Raya No. 7".encode("latin-1")))
        self.vendor(VENDOR_TAX_14, "UD EMPAT BELAS", tax_id="01.234.567.8-901.23")

    # items
    def item(self, code, name, unit, category, *, barcode=True, active="A"):
        self.rows["m_barang"].append([code, name, unit, category,
                                      ean13(self.rng) if barcode else None, active, self.tick()])
        if active == "A" and code.strip() == code and code.lower() != ITEM_CASE_LOWER:
            self.items.append((code, unit, name))

    def add_items(self):
        names = []
        for category, unit, pattern, variants in ITEM_KINDS:
            for variant in variants:
                for brand in BRANDS:
                    names.append((category, unit, f"{pattern.format(variant)} {brand}"))
        self.rng.shuffle(names)
        for n, (category, unit, name) in enumerate(sorted(names[:GENERIC_ITEMS]), start=1):
            active = "N" if n % 37 == 0 else "A"
            self.item(f"BRG-{n:05d}", name, unit, category,
                      barcode=self.rng.random() < 0.85, active=active)
        self.item(ITEM_PADDED, "Karung Plastik 50 kg Padat", "PCS", "PLS")
        self.item(ITEM_CASE_UPPER, "Selang Air ½ inch (huruf besar)", "PCS", "BGN")
        self.item(ITEM_CASE_LOWER, "Selang Air ½ inch (huruf kecil)", "PCS", "BGN")
        self.item(ITEM_SLASH, "Pipa PVC ½ inch 4 m", "PCS", "BGN")
        self.item(ITEM_NO_BARCODE, "Tali Rafia Gulung", "KG", "PLS", barcode=False)

    # purchase orders
    def quantity(self, unit):
        if unit == "KG":
            return Decimal(self.rng.randrange(5000, 5000000)).scaleb(-4)
        return Decimal(self.rng.randrange(1, 200))

    def price(self):
        base = Decimal(self.rng.randrange(10, 50000) * 50)
        return base + (Decimal(self.rng.randrange(1, 100)) * CENT if self.rng.random() < 0.1
                       else 0)

    def line(self, item, *, qty=None, price=None, rate=None, discount=None, description=None):
        code, unit, _ = item if item else (None, "PCS", None)
        qty = self.quantity(unit) if qty is None else qty
        price = self.price() if price is None else price
        rate = (Decimal(11) if self.rng.random() < 0.9 else Decimal(0)) if rate is None else rate
        if discount is None:
            discount = (Decimal(0) if self.rng.random() < 0.75
                        else (qty * price * Decimal(self.rng.choice([2, 5, 10])) / 100)
                        .quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return {"item": code, "description": description, "qty": qty, "uom": unit,
                "price": price, "discount": discount, "rate": rate}

    def po(self, number, vendor, status, lines, *, order_date=None, total_delta=0,
           notes=None):
        order = order_date or (dt.date(2025, 1, 2) + dt.timedelta(days=self.rng.randrange(150)))
        delivery = (order + dt.timedelta(days=self.rng.randrange(3, 30))
                    if isinstance(order, dt.date) and self.rng.random() < 0.8 else None)
        total = Decimal(0)
        for n, ln in enumerate(lines, start=1):
            amount = line_amounts(ln["qty"] or Decimal(0), ln["price"], ln["discount"],
                                  ln["rate"])
            total += amount
            self.rows["t_po_dtl"].append([
                number, n, ln["item"], ln["description"], ln.get("raw_qty", ln["qty"]),
                ln["uom"], ln.get("raw_price", ln["price"]), ln["discount"], ln["rate"], amount])
        changed = (dt.datetime.combine(order, dt.time(8)) + dt.timedelta(
            minutes=self.rng.randrange(10, 2000)) if isinstance(order, dt.date) else self.clock)
        self.rows["t_po_hdr"].append([number, vendor, order, delivery, "IDR",
                                      STATUS_CODES[status], total + total_delta, notes,
                                      changed.strftime("%Y-%m-%d %H:%M:%S")])

    def random_lines(self, count):
        return [self.line(item) for item in self.rng.sample(self.items, count)]

    def add_generic_pos(self):
        statuses = ["APPROVED"] * 11 + ["DRAFT"] * 4 + ["CLOSED"] * 3 + ["CANCELLED"] * 2
        notes = [None, None, None, "Kirim ke gudang Cikarang", "Pembayaran 30 hari",
                 "Harap sertakan faktur pajak", "Barang dikirim bertahap"]
        for n in GENERIC_POS:
            self.po(f"PWU2012502-{n:07d}", self.rng.choice(self.vendors),
                    self.rng.choice(statuses), self.random_lines(self.rng.randrange(1, 41)),
                    notes=self.rng.choice(notes))

    def add_fixed_pos(self):
        plastics = [i for i in self.items if i[2].startswith(("Biji", "Kantong", "Ember"))]
        kg = next(i for i in plastics if i[1] == "KG")
        pcs = next(i for i in self.items if i[1] == "PCS")
        main = [
            # 2.5 x 1234.33 = 3085.825: half-up gives .83 (half-even would give .82).
            self.line(kg, qty=Decimal("2.5"), price=Decimal("1234.33"), rate=Decimal(11),
                      discount=Decimal(0)),
            # net 45.50, tax 5.005: half-up gives 5.01 (half-even would give 5.00).
            self.line(pcs, qty=Decimal(10), price=Decimal("4.55"), rate=Decimal(11),
                      discount=Decimal(0)),
        ] + [self.line(i) for i in self.rng.sample(plastics[1:], 4)]
        self.po(PO_MAIN, VENDOR_MAIN, "APPROVED", main, notes="PO demo: siap dikirim")
        self.po(PO_DRAFT, VENDOR_MAIN, "DRAFT", self.random_lines(3))
        self.po(PO_TOTAL_OFF, VENDOR_MAIN, "APPROVED", self.random_lines(4), total_delta=1)
        padded = self.random_lines(2) + [self.line((ITEM_PADDED, "PCS", ""))]
        self.po(PO_PADDED, VENDOR_PADDED, "APPROVED", padded)
        self.po(PO_CASE, self.vendors[1], "APPROVED",
                self.random_lines(1) + [self.line((ITEM_CASE_UPPER, "PCS", ""))])
        self.po(PO_SLASH, self.vendors[2], "APPROVED",
                [self.line((ITEM_SLASH, "PCS", ""))] + self.random_lines(2))
        null_qty = self.random_lines(4)
        null_qty[2]["raw_qty"] = None
        self.po(PO_NULL_QTY, self.vendors[3], "APPROVED", null_qty)
        non_stock = self.random_lines(3) + [
            self.line(None, qty=Decimal(1), price=Decimal(350000), rate=Decimal(11),
                      discount=Decimal(0), description="Ongkos kirim Surabaya - Jakarta"),
            self.line(None, qty=Decimal(1), price=Decimal(125000), rate=Decimal(0),
                      discount=Decimal(0), description="Biaya bongkar muat")]
        self.po(PO_NON_STOCK, self.vendors[4], "APPROVED", non_stock)
        self.po(PO_VENDOR_INACTIVE, VENDOR_INACTIVE, "APPROVED", self.random_lines(2))
        real = [self.line(pcs, qty=Decimal(10), price=Decimal("1500.5"), rate=Decimal(11),
                          discount=Decimal(0))] + self.random_lines(2)
        real[0]["raw_price"] = Real(1500.5)
        self.po(PO_REAL_PRICE, self.vendors[5], "APPROVED", real)
        self.po(PO_BAD_DATE, self.vendors[6], "APPROVED", self.random_lines(2),
                order_date="2025-02-30")
        self.po(PO_CANCELLED, self.vendors[7], "CANCELLED", self.random_lines(5))
        self.po(PO_CLOSED, self.vendors[8], "CLOSED", self.random_lines(5))
        thousand = [self.line(self.items[n % len(self.items)]) for n in range(1000)]
        self.po(PO_THOUSAND, self.vendors[9], "APPROVED", thousand,
                notes="Kontrak tahunan: 1.000 baris")


# --- SQL dialects ------------------------------------------------------------------------
class SqliteDialect:
    """Turns the data into SQLite statements. Keys keep their padding and bytes as given."""

    batch = 200

    @staticmethod
    def literal(value):
        if value is None:
            return "NULL"
        if isinstance(value, RawBytes):
            # Stored as TEXT holding the raw bytes, as a legacy Latin-1 client would leave it.
            return f"CAST(X'{value.hex().upper()}' AS TEXT)"
        if isinstance(value, Real):
            return repr(float(value))
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, int):
            return str(value)
        if isinstance(value, (dt.date, dt.datetime)):
            return f"'{value.isoformat()}'"
        return "'" + str(value).replace("'", "''") + "'"

    def create_table(self, name, columns):
        cols = [f"  {c} {t}" for c, t, _ in columns]
        key = ", ".join(c for c, _, pk in columns if pk)
        return f"CREATE TABLE {name} (\n" + ",\n".join(cols) + f",\n  PRIMARY KEY ({key})\n);"

    def inserts(self, name, rows):
        for start in range(0, len(rows), self.batch):
            values = ",\n".join("(" + ", ".join(self.literal(v) for v in row) + ")"
                                for row in rows[start:start + self.batch])
            yield f"INSERT INTO {name} VALUES\n{values};"

    @staticmethod
    def trimmed_key_index(table, column):
        """An expression index on the key as the daemon compares it (trimmed of spaces, tabs,
        CR and LF: docs/erp-source.md), so that its look-ups by key do not scan the table."""
        return (f"CREATE INDEX ix_{table}_{column}_trim ON {table} "
                f"(trim({column}, ' ' || char(9, 10, 13)))")

    def script(self, data):
        yield "BEGIN;"
        for name, columns in TABLES.items():
            yield self.create_table(name, columns)
        for index, table, column in INDEXES:
            yield f"CREATE INDEX {index} ON {table} ({column});"
        for table, column in TRIMMED_KEYS:
            yield self.trimmed_key_index(table, column) + ";"
        for name in TABLES:
            yield from self.inserts(name, data.rows[name])
        for name, select in VIEWS.items():
            yield f"CREATE VIEW {name} AS{select};"
        yield "COMMIT;"


class PostgresDialect(SqliteDialect):
    """The same tables, data and views in PostgreSQL. CHAR(n) pads every key to its width (the
    daemon trims keys). What PostgreSQL cannot hold is stored the way such a database would
    have it: the impossible date is NULL (a DATE column refuses it), and the Latin-1 bytes are
    kept as bytes only in a SQL_ASCII database (a UTF-8 one refuses them, so they are stored
    as the text they meant)."""

    def __init__(self, encoding):
        self.raw_bytes = encoding == "SQL_ASCII"
        self.notes = []

    def literal(self, value):
        if isinstance(value, RawBytes):
            if not self.raw_bytes:
                self.notes.append(f"{bytes(value)!r} stored as UTF-8 text (the database is not "
                                  "SQL_ASCII), so that record is valid here")
                return super().literal(value.decode("latin-1"))
            return "E'" + "".join(chr(b) if 32 <= b < 127 and chr(b) not in "'\\"
                                  else f"\\x{b:02x}" for b in value) + "'"
        return super().literal(value)

    @staticmethod
    def is_date(value):
        if not isinstance(value, str):
            return True
        try:
            dt.date.fromisoformat(value)
            return True
        except ValueError:
            return False

    def inserts(self, name, rows):
        types = [t for _, t, _ in TABLES[name]]
        fixed = []
        for row in rows:
            row = list(row)
            for i, t in enumerate(types):
                if t == "DATE" and not self.is_date(row[i]):
                    self.notes.append(f"{name}: date {row[i]!r} stored as NULL (not a date)")
                    row[i] = None
            fixed.append(row)
        return super().inserts(name, fixed)

    @staticmethod
    def trimmed_key_index(table, column):
        return (f"CREATE INDEX ix_{table}_{column}_trim ON {table} "
                f"(btrim({column}::text, E' \\t\\n\\r'))")

    def script(self, data):
        yield from super().script(data)
        yield "ANALYZE;"


def psql(conninfo, sql):
    """Runs SQL through psql, stopping at the first error; returns its output."""
    p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo],
                       input=sql.encode(), capture_output=True)
    if p.returncode != 0:
        sys.exit("building demo ERP in PostgreSQL: " + p.stderr.decode(errors="replace").strip())
    return p.stdout.decode(errors="replace")


def build_postgres(conninfo, force):
    names = list(TABLES) + list(VIEWS)
    existing = psql(conninfo, "SELECT relname FROM pg_class WHERE relname IN (" +
                    ", ".join(f"'{n}'" for n in names) +
                    ") AND pg_table_is_visible(oid);").split()
    if existing and not force:
        sys.exit(f"building demo ERP in PostgreSQL: {', '.join(sorted(existing))} exist "
                 "(use --force to replace them)")
    encoding = psql(conninfo, "SHOW server_encoding;").strip()
    dialect = PostgresDialect(encoding)
    drops = [f"DROP VIEW IF EXISTS {v};" for v in VIEWS] + \
            [f"DROP TABLE IF EXISTS {t};" for t in TABLES]
    statements = list(dialect.script(DemoData()))
    # One transaction for the drops, tables, data and views; ANALYZE runs after it.
    sql = "\n".join(["BEGIN;"] + drops + statements[1:-2] + ["COMMIT;", statements[-1]])
    psql(conninfo, sql + "\n")
    for note in dialect.notes:
        print(f"demo ERP: note: {note}", file=sys.stderr)


def count_postgres(conninfo, views):
    out = psql(conninfo, "".join(f"SELECT count(*) FROM {v};" for v in views))
    return [int(n) for n in out.split()]


def build_sqlite(path, force):
    if os.path.exists(path) and not force:
        sys.exit(f"building demo ERP '{path}': file exists (use --force to replace it)")
    sql = "\n".join(SqliteDialect().script(DemoData())) + "\n"
    tmp = f"{path}.tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    con = sqlite3.connect(tmp, isolation_level=None)
    try:
        con.executescript(sql)
    finally:
        con.close()
    os.replace(tmp, path)  # rollback-journal mode: readable read-only from any directory


def main():
    parser = argparse.ArgumentParser(description="Build the kokola-sync demo ERP.")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--sqlite", metavar="PATH", help="the SQLite database file to create")
    target.add_argument("--postgres", metavar="CONNINFO",
                        help="the PostgreSQL database to fill (a libpq connection string; "
                             "the database must exist)")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing file, or the demo's tables and views")
    args = parser.parse_args()
    views = ("kokola_vendors", "kokola_items", "kokola_purchase_orders", "kokola_po_lines")
    if args.postgres is not None:
        build_postgres(args.postgres, args.force)
        counts, where = count_postgres(args.postgres, views), "in PostgreSQL"
    else:
        build_sqlite(args.sqlite, args.force)
        db = sqlite3.connect(f"file:{args.sqlite}?mode=ro", uri=True)
        counts = [db.execute(f"SELECT count(*) FROM {v}").fetchone()[0] for v in views]
        db.close()
        where = f"'{args.sqlite}'"
    print(f"demo ERP {where}: {counts[0]} vendors, {counts[1]} items, "
          f"{counts[2]} purchase orders with {counts[3]} lines")


if __name__ == "__main__":
    main()
