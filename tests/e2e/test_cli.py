"""kokolactl's other commands end to end: list, show, sync, status, and its own errors."""

import unittest

from harness import EXIT_OK, EXIT_USAGE, Env, dec

PO = "PWU2012502-0000517"


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = Env().start_daemon()

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()

    def test_list_ready_pos_shows_number_and_vendor_name(self):
        rc, out, err = self.env.ctl("list", "po", "--ready", "--limit", "10000")
        self.assertEqual(rc, EXIT_OK, err)
        self.assertIn(f"{PO} - SURYA INDAH PLASTIK", out.splitlines())
        ready = self.env.erp_query(
            "SELECT count(*) AS n FROM kokola_purchase_orders "
            "WHERE upper(trim(status)) = 'APPROVED'")[0]["n"]
        self.assertEqual(len(out.splitlines()), ready)

    def test_list_search_and_limit(self):
        rc, data = self.env.ctl_json("list", "vendor", "--search", "surya indah")
        self.assertEqual(rc, EXIT_OK)
        self.assertIn("SURYA INDAH PLASTIK", [r["label"] for r in data["records"]])
        rc, data = self.env.ctl_json("list", "item", "--limit", "3")
        self.assertEqual(len(data["records"]), 3)

    def test_show_reports_readiness_payload_and_receipt(self):
        rc, data = self.env.ctl_json("show", "po", "PWU2012502-0000519")
        self.assertEqual(rc, EXIT_OK)
        self.assertTrue(data["found"])
        self.assertFalse(data["valid"])
        self.assertIn("total", [p["path"] for p in data["problems"]])

        self.env.ctl("push", "po", PO)
        rc, data = self.env.ctl_json("show", "po", PO)
        self.assertTrue(data["readiness"]["sendable"])
        self.assertTrue(data["valid"])
        header = self.env.erp_query(
            "SELECT total FROM kokola_purchase_orders WHERE trim(number) = ?", PO)[0]
        self.assertEqual(dec(data["payload"]["total"]), dec(header["total"]))
        self.assertEqual(data["last_receipt"]["state"], "delivered")
        self.assertEqual(data["ledger"]["content_hash"], data["content_hash"])

        rc, out, err = self.env.ctl("show", "po", PO)
        self.assertEqual(rc, EXIT_OK, err)
        self.assertIn(PO, out)

        item = self.env.po_items(PO)[0]
        self.env.erp_append_to_item_name(item, " BARU")
        rc, data = self.env.ctl_json("show", "po", PO)
        states = {d["key"]: d["state"] for d in data["dependencies"]}
        self.assertEqual(states.pop(item), "to_send", data["dependencies"])
        self.assertEqual(set(states.values()), {"unchanged"}, data["dependencies"])

    def test_sync_runs_every_entity_and_reports_counts(self):
        rc, data = self.env.ctl_json("sync", "all", "--wait")
        self.assertEqual(rc, EXIT_OK, data)
        runs = {r["entity"]: r for r in data["runs"]}
        self.assertEqual(list(runs), ["vendor", "item", "po"])
        vendors = self.env.erp_query("SELECT count(*) AS n FROM kokola_vendors")[0]["n"]
        self.assertEqual(sum(runs["vendor"]["counts"].values()), vendors)
        self.assertGreater(runs["po"]["counts"].get("delivered", 0), 0)
        self.assertGreater(runs["po"]["counts"].get("invalid", 0), 0)

        held = self.env.sandbox.records("po")
        approved = {r["number"].strip() for r in self.env.erp_query(
            "SELECT number FROM kokola_purchase_orders WHERE status = 'APPROVED'")}
        self.assertTrue(set(held) <= approved, set(held) - approved)
        po_counts = runs["po"]["counts"]
        self.assertEqual(len(held), po_counts.get("delivered", 0) + po_counts.get("unchanged", 0))
        self.assertIn(PO, held)

        rc, data = self.env.ctl_json("sync", "po", "--wait")
        self.assertEqual(data["runs"][0]["counts"].get("delivered", 0), 0)

        rc, out, err = self.env.ctl("status")
        self.assertIn("po", out)

    def test_status_answers(self):
        rc, data = self.env.ctl_json("status")
        self.assertIn(rc, (0, 8))
        self.assertEqual(set(data["entities"]), {"vendor", "item", "po"})
        self.assertEqual(data["app"]["base_url"], self.env.base_url)

    def test_version_help_and_usage(self):
        rc, out, err = self.env.ctl("--version")
        self.assertEqual(rc, EXIT_OK)
        self.assertIn("kokolactl", out)
        rc, out, err = self.env.ctl("--help")
        self.assertEqual(rc, EXIT_OK)
        for command in ("push", "list", "show", "sync", "status"):
            self.assertIn(command, out)
        rc, out, err = self.env.ctl("push", "bogus", "X")
        self.assertEqual(rc, EXIT_USAGE)
        rc, out, err = self.env.ctl("frobnicate")
        self.assertEqual(rc, EXIT_USAGE)


if __name__ == "__main__":
    unittest.main()
