"""Every deliberately dirty record of the demo ERP (docs/demo-erp.md) gets the right verdict
when pushed through the real daemon, and what reaches the sandbox is the ERP's content."""

import unittest

from harness import Env, dec

# (entity, key as an admin types it, outcome, field path of the problem or None)
CASES = [
    ("vendor", "V-0017", "delivered", None),
    ("po", "PWU2012502-0000518", "not_ready", None),
    ("po", "PWU2012502-0000519", "invalid", "total"),
    ("vendor", "V-0901", "delivered", None),                  # CHAR-padded
    ("item", "BRG-PAD-01", "delivered", None),                # CHAR-padded
    ("po", "PWU2012502-0000520", "delivered", None),          # CHAR-padded, padded refs
    ("item", "BRG-KASUS-01", "invalid", "code"),              # differs only in case
    ("item", "brg-kasus-01", "invalid", "code"),
    ("po", "PWU2012502-0000521", "invalid", "lines[1].item_code"),
    ("item", "PIPA/PVC/05", "delivered", None),               # key with '/'
    ("po", "PO/2025/0001", "delivered", None),
    ("vendor", "V-0902", "delivered", None),                  # NULL e-mail
    ("item", "BRG-NOBAR-01", "delivered", None),              # NULL barcode
    ("vendor", "V-0903", "invalid", "name"),                  # NULL name
    ("po", "PWU2012502-0000522", "invalid", "lines[2].qty"),  # NULL qty
    ("po", "PWU2012502-0001000", "delivered", None),          # 1,000 lines
    ("po", "PWU2012502-0000523", "delivered", None),          # non-stock lines
    ("vendor", "V-0904", "not_ready", None),                  # inactive
    ("po", "PWU2012502-0000524", "invalid", "vendor_code"),   # its vendor is inactive
    ("vendor", "V-0905", "invalid", "address"),               # invalid UTF-8
    ("vendor", "V-0906", "invalid", "tax_id"),                # 14 digits
    ("po", "PWU2012502-0000525", "delivered", None),          # REAL in a DECIMAL column
    ("po", "PWU2012502-0000526", "invalid", "order_date"),    # 2025-02-30
    ("po", "PWU2012502-0000527", "not_ready", None),          # cancelled, never delivered
    ("po", "PWU2012502-0000528", "not_ready", None),          # closed, never delivered
]


class DirtyDataTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = Env().start_daemon()

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()

    def test_every_dirty_case_gets_its_verdict(self):
        for entity, key, outcome, path in CASES:
            with self.subTest(entity=entity, key=key):
                rc, data = self.env.ctl_json("push", entity, key)
                result = data["results"][0]
                self.assertEqual(result["outcome"], outcome, result)
                if path:
                    self.assertIn(path, [p["path"] for p in result["problems"]], result)
                held = self.env.sandbox.records(entity)
                self.assertEqual(key in held, outcome == "delivered")

    def test_padded_keys_arrive_trimmed_with_trimmed_references(self):
        self.env.ctl("push", "po", "PWU2012502-0000520")
        record = self.env.sandbox.records("po")["PWU2012502-0000520"]["record"]
        self.assertEqual(record["vendor_code"], "V-0901")
        self.assertIn("BRG-PAD-01", [l["item_code"] for l in record["lines"]])
        for entity in ("po", "vendor", "item"):
            for key in self.env.sandbox.records(entity):
                self.assertEqual(key, key.strip())

    def test_large_po_arrives_whole(self):
        self.env.ctl("push", "po", "PWU2012502-0001000")
        lines = self.env.sandbox.records("po")["PWU2012502-0001000"]["record"]["lines"]
        erp = self.env.erp_query(
            "SELECT count(*) AS n, sum(line_total) AS s FROM kokola_po_lines "
            "WHERE trim(po_number) = 'PWU2012502-0001000'")[0]
        self.assertEqual(len(lines), erp["n"])
        self.assertEqual(len(lines), 1000)

    def test_real_stored_in_a_decimal_column_is_read_exactly(self):
        self.env.ctl("push", "po", "PWU2012502-0000525")
        record = self.env.sandbox.records("po")["PWU2012502-0000525"]["record"]
        erp = self.env.erp_query(
            "SELECT unit_price FROM kokola_po_lines WHERE trim(po_number) = 'PWU2012502-0000525' "
            "ORDER BY line_no LIMIT 1")[0]
        self.assertEqual(record["lines"][0]["unit_price"], "1500.5")
        self.assertEqual(dec(record["lines"][0]["unit_price"]), dec(erp["unit_price"]))

    def test_non_stock_lines_carry_a_description_and_no_item(self):
        self.env.ctl("push", "po", "PWU2012502-0000523")
        lines = self.env.sandbox.records("po")["PWU2012502-0000523"]["record"]["lines"]
        non_stock = [l for l in lines if l["item_code"] is None]
        self.assertTrue(non_stock)
        erp = {r["description"] for r in self.env.erp_query(
            "SELECT description FROM kokola_po_lines WHERE trim(po_number) = 'PWU2012502-0000523' "
            "AND item_code IS NULL")}
        self.assertEqual({l["description"] for l in non_stock}, erp)


if __name__ == "__main__":
    unittest.main()
