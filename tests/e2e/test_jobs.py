"""Durable delivery seen from kokolactl, end to end: queued pushes and their own exit code,
push --wait, jobs and job, retry, pause and resume, reload, sync with and without --wait, and
the new status fields (docs/control-protocol.md, docs/kokolactl.md).

Expected values come from the ERP through SQL and from the sandbox's own records and request
log, never from the daemon's answers alone."""

import concurrent.futures
import re
import time
import unittest

from harness import (EXIT_APP_AUTH, EXIT_APP_UNAVAILABLE, EXIT_NOT_READY, EXIT_OK, EXIT_REJECTED,
                     EXIT_USAGE,
                     Env, wait_for)

EXIT_ERROR = 1
EXIT_DEGRADED = 8
EXIT_QUEUED = 9
EXIT_CONFIG_INVALID = 10

PO = "PWU2012502-0000517"
ACTIVE = {"queued", "sending", "retry_wait", "in_doubt"}
SUMMARY_FIELDS = {"id", "entity", "key", "state", "origin", "requested_by", "created_at",
                  "finished_at", "tries", "next_attempt_at", "revision", "reason_code",
                  "message"}


def vendor_of(env, po_number):
    return env.erp_query("SELECT vendor_code FROM kokola_purchase_orders WHERE trim(number) = ?",
                         po_number)[0]["vendor_code"].strip()


class JobsTestCase(unittest.TestCase):
    """One fresh deployment per test: queues, pauses and configs must not leak between tests."""

    env_options = {}
    config_extra = ""  # appended to the demo configuration before the daemon starts

    def setUp(self):
        self.env = Env(**self.env_options)
        self.addCleanup(self.env.stop)
        if self.config_extra:
            self.env.config.write_text(self.env.config.read_text() + self.config_extra)
        self.env.start_daemon()
        self.vendor = vendor_of(self.env, PO)

    def job(self, job_id):
        rc, data = self.env.ctl_json("job", str(job_id))
        return rc, data

    def wait_final(self, job_id, timeout=60.0):
        wait_for(lambda: self.job(job_id)[1]["state"] not in ACTIVE, f"job {job_id} to finish",
                 timeout)
        return self.job(job_id)

    def status(self):
        return self.env.ctl_json("status")[1]


class QueuedPushTest(JobsTestCase):
    def test_rate_limited_push_answers_queued_at_once_and_delivers_later(self):
        self.env.sandbox.set_faults([{"method": "PUT", "entity": "vendor", "status": 429,
                                      "retry_after": "6", "times": 1}])
        rc, out, err = self.env.ctl("push", "vendor", self.vendor)
        self.assertEqual(rc, EXIT_QUEUED, out + err)
        match = re.search(r"^vendor \S+: queued as job (\d+)", out, re.M)
        self.assertIsNotNone(match, out)
        job_id = int(match.group(1))

        rc, data = self.job(job_id)
        self.assertIn(data["state"], ACTIVE | {"delivered"})
        self.assertTrue(SUMMARY_FIELDS <= set(data), set(data))

        rc, data = self.wait_final(job_id)
        self.assertEqual(rc, EXIT_OK, data)
        self.assertEqual(data["state"], "delivered")
        statuses = [a["http_status"] for a in data["attempts"]]
        self.assertEqual(statuses[0], 429, data["attempts"])
        self.assertIn(statuses[-1], (200, 201), data["attempts"])
        self.assertIn(self.vendor, self.env.sandbox.records("vendor"))

    def test_queued_push_in_json_carries_the_job_and_its_message(self):
        self.env.sandbox.set_faults([{"method": "PUT", "status": 503, "retry_after": "30"}])
        rc, data = self.env.ctl_json("push", "vendor", self.vendor)
        self.assertEqual(rc, EXIT_QUEUED, data)
        result = data["results"][0]
        self.assertIn(result["outcome"], {"queued", "retry_wait"})
        self.assertIsInstance(result["job"], int)
        self.assertIn(f"job {result['job']}", result["message"])

        rc, status = self.env.ctl_json("status")
        self.assertIsNotNone(status["delivery"]["rate_limited_until"], status["delivery"])
        self.assertEqual(rc, EXIT_DEGRADED)
        rc, listed = self.env.ctl_json("jobs", "--state", "active")
        self.assertIn(result["job"], [j["id"] for j in listed["jobs"]])

        # A job queued during the hold, never tried, goes when the hold ends, and says so.
        item = self.env.po_items(PO)[0]
        rc, data = self.env.ctl_json("push", "item", item)
        self.assertEqual(rc, EXIT_QUEUED, data)
        held_until = status["delivery"]["rate_limited_until"]
        rc, listed = self.env.ctl_json("jobs", "--state", "active")
        for job in listed["jobs"]:
            self.assertGreaterEqual(job["next_attempt_at"], held_until, job)
        rc, one = self.job(data["results"][0]["job"])
        self.assertGreaterEqual(one["next_attempt_at"], held_until, one)

    def test_push_refused_for_our_credentials_exits_five_and_is_held_until_reload(self):
        self.env.sandbox.set_faults([{"method": "PUT", "entity": "vendor", "status": 401,
                                      "times": 1}])
        rc, data = self.env.ctl_json("push", "vendor", self.vendor)
        self.assertEqual(rc, EXIT_APP_AUTH, data)
        result = data["results"][0]
        self.assertEqual((result["outcome"], result["reason_code"]), ("retry_wait", "app_auth"))

        rc, out, err = self.env.ctl("reload")
        self.assertEqual(rc, EXIT_OK, out + err)
        rc, receipt = self.wait_final(result["job"])
        self.assertEqual(receipt["state"], "delivered", receipt)

    def test_push_wait_answers_only_when_the_job_is_final(self):
        self.env.sandbox.set_faults([{"method": "PUT", "entity": "vendor", "status": 503,
                                      "retry_after": "1", "times": 2}])
        rc, data = self.env.ctl_json("push", "vendor", self.vendor, "--wait")
        self.assertEqual(rc, EXIT_OK, data)
        result = data["results"][0]
        self.assertEqual(result["outcome"], "delivered")
        rc, receipt = self.job(result["job"])
        self.assertEqual([a["http_status"] for a in receipt["attempts"]][:2], [503, 503])
        self.assertEqual(receipt["tries"], len(receipt["attempts"]))
        held = self.env.sandbox.records("vendor")[self.vendor]
        self.assertEqual(held["record"]["code"], self.vendor)


class JobsListTest(JobsTestCase):
    def test_jobs_are_listed_newest_first_and_filtered(self):
        # Items on the lines of a PO known to be sendable: ready and valid.
        items = sorted({r["item_code"].strip() for r in self.env.erp_query(
            "SELECT item_code FROM kokola_po_lines WHERE trim(po_number) = ? "
            "AND item_code IS NOT NULL", PO)})[:2]
        for key in items:
            rc, out, err = self.env.ctl("push", "item", key)
            self.assertEqual(rc, EXIT_OK, out + err)
        rc, out, err = self.env.ctl("push", "vendor", self.vendor)
        self.assertEqual(rc, EXIT_OK, out + err)

        rc, data = self.env.ctl_json("jobs")
        self.assertEqual(rc, EXIT_OK)
        ids = [j["id"] for j in data["jobs"]]
        self.assertEqual(ids, sorted(ids, reverse=True))
        self.assertEqual(data["jobs"][0]["entity"], "vendor")
        self.assertEqual(data["jobs"][0]["key"], self.vendor)
        for j in data["jobs"]:
            self.assertTrue(SUMMARY_FIELDS <= set(j), set(j))
            self.assertEqual(j["origin"], "manual")

        rc, data = self.env.ctl_json("jobs", "--entity", "item")
        self.assertEqual({j["key"] for j in data["jobs"]}, set(items))
        rc, data = self.env.ctl_json("jobs", "--limit", "1")
        self.assertEqual(len(data["jobs"]), 1)
        rc, data = self.env.ctl_json("jobs", "--state", "delivered")
        self.assertTrue(data["jobs"])
        self.assertEqual({j["state"] for j in data["jobs"]}, {"delivered"})
        rc, data = self.env.ctl_json("jobs", "--state", "active")
        self.assertEqual(data["jobs"], [])

        rc, out, err = self.env.ctl("jobs", "--entity", "vendor")
        self.assertEqual(rc, EXIT_OK, err)
        self.assertTrue(out.startswith("ID "), out)
        self.assertIn(self.vendor, out)

    def test_job_shows_the_receipt_and_an_unknown_id_is_not_found(self):
        rc, data = self.env.ctl_json("push", "po", PO, "--reason", "vendor waiting")
        self.assertEqual(rc, EXIT_OK, data)
        job_id = data["results"][0]["job"]

        rc, receipt = self.job(job_id)
        self.assertEqual(rc, EXIT_OK)
        self.assertEqual((receipt["entity"], receipt["key"]), ("po", PO))
        self.assertEqual(receipt["reason"], "vendor waiting")
        self.assertEqual(receipt["state"], "delivered")
        self.assertEqual(receipt["content_hash"], data["results"][0]["content_hash"])
        self.assertEqual(len(receipt["attempts"]), 1)
        self.assertIsInstance(receipt["verdicts"], dict)

        rc, out, err = self.env.ctl("job", str(job_id))
        self.assertEqual(rc, EXIT_OK, err)
        self.assertIn(f"job {job_id}: po {PO}", out)
        self.assertIn("attempts:", out)

        rc, out, err = self.env.ctl("job", "999999")
        self.assertEqual(rc, EXIT_ERROR, out + err)
        self.assertIn("not_found", err)
        rc, out, err = self.env.ctl("job", "0")
        self.assertEqual(rc, EXIT_USAGE)


class RetryTest(JobsTestCase):
    def test_retry_reads_the_record_again_from_the_erp(self):
        rc, data = self.env.ctl_json("push", "po", PO)
        self.assertEqual(rc, EXIT_OK, data)
        first = data["results"][0]["job"]
        self.env.erp_write_notes(PO, "dikirim ulang")

        rc, data = self.env.ctl_json("retry", str(first))
        self.assertEqual(rc, EXIT_OK, data)
        result = data["results"][0]
        self.assertEqual(result["retry_of"], first)
        self.assertEqual(result["outcome"], "delivered")
        self.assertNotEqual(result["job"], first)
        self.assertEqual(self.env.sandbox.records("po")[PO]["record"]["notes"], "dikirim ulang")
        rc, receipt = self.job(result["job"])
        self.assertIn(f"retry of job {first}", receipt["reason"])

    def test_retry_of_an_unknown_job_says_so(self):
        rc, data = self.env.ctl_json("retry", "999999")
        self.assertEqual(rc, EXIT_NOT_READY, data)
        self.assertEqual(data["results"][0]["retry_of"], 999999)
        self.assertEqual(data["results"][0]["outcome"], "failed")
        self.assertEqual(data["results"][0]["reason_code"], "not_found")
        rc, out, err = self.env.ctl("retry", "999999")
        self.assertIn("retry of job 999999: failed", out)

    def test_a_record_the_app_rejected_degrades_the_status(self):
        self.env.sandbox.set_faults([{"method": "PUT", "entity": "vendor", "key": self.vendor,
                                      "status": 422, "code": "validation_failed"}])
        rc, out, err = self.env.ctl("push", "vendor", self.vendor)
        self.assertEqual(rc, EXIT_REJECTED, out + err)
        rc, out, err = self.env.ctl("status")
        self.assertEqual(rc, EXIT_DEGRADED, out + err)
        self.assertIn("1 record rejected by the app (kokolactl jobs --state rejected)",
                      self.status()["degraded_reasons"])

    def test_retry_needs_ids_or_failed(self):
        self.assertEqual(self.env.ctl("retry")[0], EXIT_USAGE)
        self.assertEqual(self.env.ctl("retry", "1", "--failed")[0], EXIT_USAGE)


class RetryFailedTest(JobsTestCase):
    # Retries end soon, so that a job can end `failed` within the test.
    config_extra = "\ndelivery:\n  initial_backoff: 100ms\n  retry_horizon: 2s\n"

    def test_retry_failed_pushes_every_record_whose_newest_job_failed(self):
        self.env.sandbox.set_faults([{"method": "PUT", "entity": "vendor", "status": 500}])
        rc, data = self.env.ctl_json("push", "vendor", self.vendor)
        self.assertIn(rc, (EXIT_QUEUED, EXIT_APP_UNAVAILABLE), data)
        failed_job = data["results"][0]["job"]
        rc, receipt = self.wait_final(failed_job)
        self.assertEqual(receipt["state"], "failed", receipt)
        self.assertEqual(rc, EXIT_APP_UNAVAILABLE)
        self.assertGreater(len(receipt["attempts"]), 1)
        self.assertEqual(self.status()["degraded"], True)
        reasons = self.status()["degraded_reasons"]
        self.assertIn("1 record failed and not retried (kokolactl jobs --state failed)", reasons)
        # Nothing waits for the app any more: its last failure is no reason on its own.
        self.assertFalse([r for r in reasons if r.startswith("the Kokola App")], reasons)

        self.env.sandbox.set_faults([])

        rc, data = self.env.ctl_json("retry", "--failed", "--wait")
        self.assertEqual(rc, EXIT_OK, data)
        retried = {r["retry_of"]: r for r in data["results"]}
        self.assertIn(failed_job, retried)
        self.assertEqual(retried[failed_job]["outcome"], "delivered")
        self.assertIn(self.vendor, self.env.sandbox.records("vendor"))
        self.assertEqual(self.status()["degraded_reasons"], [])

        rc, data = self.env.ctl_json("retry", "--failed")
        self.assertEqual(data["results"], [])


class PauseTest(JobsTestCase):
    env_options = {"schedule": {"vendor": "1s"}}

    def test_pause_stops_the_schedule_only_and_resume_restarts_it(self):
        rc, data = self.env.ctl_json("pause", "vendor")
        self.assertEqual(rc, EXIT_OK, data)
        self.assertEqual(data["paused"], ["vendor"])
        status = self.status()
        self.assertTrue(status["entities"]["vendor"]["paused"])
        self.assertFalse(status["entities"]["po"]["paused"])
        self.assertEqual(self.env.ctl("status")[0], EXIT_DEGRADED)

        # Let any run that began before the pause end, then see that no new one starts.
        wait_for(lambda: not self.status()["entities"]["vendor"]["running"], "the vendor run")
        before = self.status()["entities"]["vendor"]["last_run"]
        time.sleep(3)
        self.assertEqual(self.status()["entities"]["vendor"]["last_run"], before)

        # A manual push still goes.
        rc, out, err = self.env.ctl("push", "vendor", self.vendor)
        self.assertEqual(rc, EXIT_OK, out + err)

        rc, out, err = self.env.ctl("resume", "vendor")
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(out, "no schedule is paused\n")
        wait_for(lambda: self.status()["entities"]["vendor"]["last_run"] != before,
                 "a scheduled vendor run after resume")

    def test_pause_all_then_resume_one(self):
        rc, data = self.env.ctl_json("pause")
        self.assertEqual(set(data["paused"]), {"vendor", "item", "po"})
        rc, data = self.env.ctl_json("resume", "item")
        self.assertEqual(set(data["paused"]), {"vendor", "po"})
        rc, out, err = self.env.ctl("pause", "po")
        self.assertEqual(rc, EXIT_OK, err)
        self.assertTrue(out.startswith("paused: "), out)
        rc, data = self.env.ctl_json("resume")
        self.assertEqual(data["paused"], [])
        self.assertFalse(any(e["paused"] for e in self.status()["entities"].values()))


class ReloadTest(JobsTestCase):
    def test_reload_applies_a_valid_config_whole(self):
        before = self.status()
        generation = before["config_generation"]
        time.sleep(2)
        self.env.write_config({"item": "2h"})
        rc, data = self.env.ctl_json("reload")
        self.assertEqual(rc, EXIT_OK, data)
        self.assertEqual(data["config"], str(self.env.config))
        self.assertEqual(data["config_generation"], generation + 1)
        status = self.status()
        self.assertEqual(status["entities"]["item"]["interval_s"], 7200)
        self.assertGreater(status["entities"]["item"]["next_run_in_s"], 3600)
        # An unchanged schedule keeps counting: a reload does not put its run off.
        self.assertLess(status["entities"]["vendor"]["next_run_in_s"],
                        before["entities"]["vendor"]["next_run_in_s"])
        self.assertEqual(status["config_generation"], generation + 1)
        self.assertTrue(status["last_reload"]["ok"])

    def test_an_invalid_config_is_refused_and_the_old_one_stays(self):
        generation = self.status()["config_generation"]
        good = self.env.config.read_text()
        self.env.config.write_text(good + "\nbogus_section: 1\n")
        rc, out, err = self.env.ctl("reload")
        self.assertEqual(rc, EXIT_CONFIG_INVALID, out + err)
        self.assertEqual(out, "")
        self.assertIn("config_invalid", err)
        self.assertIn("bogus_section", err)

        status = self.status()
        self.assertEqual(status["config_generation"], generation)
        self.assertFalse(status["last_reload"]["ok"])
        self.assertIn("bogus_section", status["last_reload"]["message"])
        rc, out, err = self.env.ctl("push", "po", PO)
        self.assertEqual(rc, EXIT_OK, out + err)


class SyncTest(JobsTestCase):
    def all_runs_idle(self):
        return not any(e["running"] for e in self.status()["entities"].values())

    def test_sync_without_wait_starts_the_runs(self):
        rc, data = self.env.ctl_json("sync")
        self.assertEqual(rc, EXIT_OK, data)
        self.assertEqual([r["entity"] for r in data["runs"]], ["vendor", "item", "po"])
        for run in data["runs"]:
            self.assertIsInstance(run["started"], bool)
        wait_for(self.all_runs_idle, "the runs to end", timeout=120)
        self.assertIn(PO, self.env.sandbox.records("po"))

        rc, out, err = self.env.ctl("sync", "vendor")
        self.assertEqual(rc, EXIT_OK, err)
        self.assertRegex(out, r"^vendor: (run started|not started)")

    def test_sync_wait_during_a_run_waits_for_a_run_of_its_own_entity(self):
        # `sync all` queues vendor, item and po runs one after another; a second request
        # for po either joins the po run not yet begun or queues the next one. Either way
        # it waits and ends with a summary, never with "not started".
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            first = pool.submit(self.env.ctl_json, "sync", "all", "--wait")
            wait_for(lambda: any(e["running"] for e in self.status()["entities"].values()),
                     "a run to begin", timeout=30)
            second = pool.submit(self.env.ctl_json, "sync", "po", "--wait")
            (rc1, all_runs), (rc2, po_runs) = first.result(), second.result()
        self.assertEqual(rc1, EXIT_OK, all_runs)
        self.assertEqual(rc2, EXIT_OK, po_runs)
        self.assertEqual([r["entity"] for r in po_runs["runs"]], ["po"])
        pos = self.env.erp_query("SELECT count(*) AS n FROM kokola_purchase_orders")[0]["n"]
        self.assertEqual(sum(po_runs["runs"][0]["counts"].values()), pos)
        first_po = [r for r in all_runs["runs"] if r["entity"] == "po"][0]
        self.assertGreaterEqual(po_runs["runs"][0]["started_at"], first_po["started_at"])

    def test_sync_wait_ends_with_the_summary(self):
        rc, data = self.env.ctl_json("sync", "vendor", "--wait")
        self.assertEqual(rc, EXIT_OK, data)
        self.assertEqual(len(data["runs"]), 1)
        run = data["runs"][0]
        self.assertEqual(run["entity"], "vendor")
        vendors = self.env.erp_query("SELECT count(*) AS n FROM kokola_vendors")[0]["n"]
        self.assertEqual(sum(run["counts"].values()), vendors)

        rc, out, err = self.env.ctl("sync", "vendor", "--wait")
        self.assertEqual(rc, EXIT_OK, err)
        self.assertRegex(out, r"^vendor: \d+ ms, ")


class StatusTest(JobsTestCase):
    def test_status_reports_delivery_queue_and_config_generation(self):
        status = self.status()
        delivery = status["delivery"]
        self.assertEqual(delivery["senders"], 4)
        for name in ("queue_depth", "in_flight", "retries"):
            self.assertIsInstance(delivery[name], int)
        self.assertIsNone(delivery["rate_limited_until"])
        self.assertIsInstance(status["config_generation"], int)
        self.assertIn("last_reload", status)
        for entity in status["entities"].values():
            self.assertFalse(entity["paused"])
            self.assertEqual(set(entity["queue"]), {"queued", "retry_wait", "in_doubt"})
            self.assertIsInstance(entity["in_flight"], int)

        rc, out, err = self.env.ctl("status")
        self.assertIn("delivery  4 senders", out)
        self.assertIn("QUEUE", out)


if __name__ == "__main__":
    unittest.main()
