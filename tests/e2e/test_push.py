"""Pushing records end to end: the real kokolactl, kokola-syncd and sandbox, a demo ERP.

Every expected value is read from the ERP with SQL through the contract views."""

import unittest

from harness import (EXIT_APP_AUTH, EXIT_APP_UNAVAILABLE, EXIT_QUEUED, EXIT_DAEMON_UNREACHABLE,
                     EXIT_INVALID, EXIT_NOT_READY, EXIT_OK, EXIT_REJECTED, Env, dec,
                     free_port)

PO = "PWU2012502-0000517"


def po_from_erp(env, number):
    header = env.erp_query(
        "SELECT * FROM kokola_purchase_orders WHERE trim(number) = ?", number)[0]
    lines = env.erp_query(
        "SELECT * FROM kokola_po_lines WHERE trim(po_number) = ? ORDER BY CAST(line_no AS INTEGER)",
        number)
    return header, lines


class PushTest(unittest.TestCase):
    def setUp(self):
        self.env = Env().start_daemon()
        self.addCleanup(self.env.stop)

    def push(self, *args):
        return self.env.ctl_json("push", *args)

    def test_push_delivers_exactly_the_erp_record(self):
        rc, out, err = self.env.ctl("push", "po", PO)
        self.assertEqual(rc, EXIT_OK, out + err)
        self.assertIn("delivered", out)

        header, lines = po_from_erp(self.env, PO)
        held = self.env.sandbox.records("po")[PO]["record"]
        self.assertEqual(held["number"], PO)
        self.assertEqual(held["vendor_code"], header["vendor_code"].strip())
        self.assertEqual(held["order_date"], str(header["order_date"])[:10])
        self.assertEqual(held["currency"], header["currency"].strip())
        self.assertEqual(held["status"], "APPROVED")
        self.assertEqual(dec(held["total"]), dec(header["total"]))
        self.assertEqual(len(held["lines"]), len(lines))
        for got, want in zip(held["lines"], lines):
            self.assertEqual(got["line_no"], int(want["line_no"]))
            self.assertEqual(dec(got["qty"]), dec(want["qty"]))
            self.assertEqual(dec(got["unit_price"]), dec(want["unit_price"]))
            self.assertEqual(dec(got["total"]), dec(want["line_total"]))
            self.assertEqual(got["item_code"], (want["item_code"] or "").strip() or None)

        vendor = self.env.erp_query("SELECT * FROM kokola_vendors WHERE trim(code) = ?",
                                    header["vendor_code"].strip())[0]
        held_vendor = self.env.sandbox.records("vendor")[vendor["code"].strip()]["record"]
        self.assertEqual(held_vendor["name"], "SURYA INDAH PLASTIK")
        self.assertEqual(held_vendor["name"], vendor["name"])
        items = {l["item_code"].strip() for l in lines if l["item_code"]}
        self.assertTrue(items <= set(self.env.sandbox.records("item")))

    def test_non_ascii_text_arrives_intact(self):
        rows = [r for r in self.env.erp_query("SELECT code, name FROM kokola_items ORDER BY code")
                if r["name"] and not r["name"].isascii()][:1]
        self.assertTrue(rows, "the demo ERP has an item with a non-ASCII name")
        code = rows[0]["code"].strip()
        rc, out, err = self.env.ctl("push", "item", code)
        self.assertEqual(rc, EXIT_OK, out + err)
        self.assertEqual(self.env.sandbox.records("item")[code]["record"]["name"],
                         rows[0]["name"].strip())

    def test_same_content_again_is_unchanged_and_sends_nothing(self):
        self.env.ctl("push", "po", PO)
        before = len(self.env.sandbox.writes())
        rc, data = self.push("po", PO)
        self.assertEqual(rc, EXIT_OK)
        self.assertEqual(data["results"][0]["outcome"], "unchanged")
        self.assertEqual(len(self.env.sandbox.writes()), before)

    def test_force_sends_again_and_the_app_still_holds_one_record(self):
        self.env.ctl("push", "po", PO)
        rc, data = self.push("po", PO, "--force")
        self.assertEqual(rc, EXIT_OK)
        self.assertEqual(data["results"][0]["outcome"], "delivered")
        held = [r for r in self.env.sandbox.dump()["records"]["po"] if r["key"] == PO]
        self.assertEqual(len(held), 1)
        self.assertEqual(held[0]["revision"], 2)
        self.assertEqual(held[0]["writes"], 2)

    def test_erp_change_arrives_as_an_update_with_a_higher_revision(self):
        self.env.ctl("push", "po", PO)
        first = self.env.sandbox.records("po")[PO]
        self.env.erp_write_notes(PO, "kirim sebelum jam 10")
        rc, data = self.push("po", PO)
        self.assertEqual(rc, EXIT_OK, data)
        held = self.env.sandbox.records("po")[PO]
        self.assertGreater(held["revision"], first["revision"])
        self.assertEqual(held["record"]["notes"], "kirim sebelum jam 10")
        self.assertEqual(held["id"], first["id"])

    def test_po_whose_only_change_is_an_item_answers_when_the_item_is_delivered(self):
        self.env.ctl("push", "po", PO)
        item = self.env.po_items(PO)[0]
        self.env.erp_append_to_item_name(item, " BARU")
        rc, data = self.push("po", PO)
        self.assertEqual(rc, EXIT_OK, data)
        result = data["results"][0]
        self.assertEqual(result["outcome"], "unchanged", result)
        deps = [d for d in result["dependencies"] if d["key"] == item]
        self.assertEqual([d["outcome"] for d in deps], ["delivered"], result)
        self.assertTrue(self.env.sandbox.records("item")[item]["record"]["name"].endswith(" BARU"))

    def test_po_whose_changed_item_must_wait_answers_queued_at_once(self):
        self.env.ctl("push", "po", PO)
        item = self.env.po_items(PO)[0]
        self.env.erp_append_to_item_name(item, " BARU")
        self.env.sandbox.set_faults([{"method": "PUT", "entity": "item", "key": item,
                                      "status": 503, "code": "unavailable",
                                      "message": "maintenance"}])
        rc, data = self.push("po", PO)
        self.assertEqual(rc, EXIT_QUEUED, data)
        deps = [d for d in data["results"][0]["dependencies"] if d["key"] == item]
        self.assertEqual([d["outcome"] for d in deps], ["retry_wait"], data)
        self.assertIn("503", deps[0]["message"])

    def test_cancelled_po_that_was_delivered_is_pushed_as_cancelled(self):
        self.env.ctl("push", "po", PO)
        self.env.erp_write_status(PO, "CANCELLED")
        rc, data = self.push("po", PO)
        self.assertEqual(rc, EXIT_OK, data)
        self.assertEqual(data["results"][0]["outcome"], "delivered")
        self.assertEqual(self.env.sandbox.records("po")[PO]["record"]["status"], "CANCELLED")

    def test_not_ready_po_is_refused_with_the_reason(self):
        rc, out, err = self.env.ctl("push", "po", "PWU2012502-0000518")
        self.assertEqual(rc, EXIT_NOT_READY, out + err)
        self.assertIn("not ready", out)
        self.assertIn("DRAFT", out)
        self.assertNotIn("PWU2012502-0000518", self.env.sandbox.records("po"))

    def test_invalid_po_is_refused_with_the_field(self):
        rc, out, err = self.env.ctl("push", "po", "PWU2012502-0000519")
        self.assertEqual(rc, EXIT_INVALID, out + err)
        self.assertIn("invalid", out)
        self.assertIn("total", out)
        self.assertNotIn("PWU2012502-0000519", self.env.sandbox.records("po"))

    def test_unknown_key_is_not_found(self):
        rc, out, err = self.env.ctl("push", "po", "NO-SUCH-PO")
        self.assertEqual(rc, EXIT_NOT_READY, out + err)
        self.assertIn("not found", out)

    def test_app_rejection_gives_the_apps_reason(self):
        self.env.sandbox.set_faults([{"method": "PUT", "entity": "po", "key": PO,
                                      "status": 422, "code": "validation_failed",
                                      "message": "purchase order is locked for audit"}])
        rc, out, err = self.env.ctl("push", "po", PO)
        self.assertEqual(rc, EXIT_REJECTED, out + err)
        self.assertIn("rejected", out)
        self.assertIn("locked for audit", out)


class FailingAppTest(unittest.TestCase):
    def test_wrong_token_is_an_auth_failure(self):
        env = Env(app_token="a-different-token").start_daemon()
        self.addCleanup(env.stop)
        rc, out, err = env.ctl("push", "vendor", "V-0001")
        self.assertEqual(rc, EXIT_APP_AUTH, out + err)
        self.assertIn("401", out)

    def test_app_down_queues_the_push_and_says_so(self):
        env = Env(base_url=f"http://127.0.0.1:{free_port()}").start_daemon()
        self.addCleanup(env.stop)
        rc, out, err = env.ctl("push", "po", PO)
        self.assertEqual(rc, EXIT_QUEUED, out + err)
        self.assertRegex(out, r"queued as job \d+")
        self.assertIn("cannot connect", out)
        rc, out, err = env.ctl("status")
        self.assertNotEqual(rc, EXIT_OK)

    def test_daemon_not_running(self):
        env = Env()
        self.addCleanup(env.stop)
        rc, out, err = env.ctl("status")
        self.assertEqual(rc, EXIT_DAEMON_UNREACHABLE)
        self.assertIn("cannot reach kokola-syncd", err)


if __name__ == "__main__":
    unittest.main()
