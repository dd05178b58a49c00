"""Black-box tests of kokola-sandbox: the built binary, started on a free port, driven over
HTTP with the standard library only. The expected answers come from docs/kokola-api.md.

KOKOLA_BIN_DIR names the build directory holding kokola-sandbox.
"""

import http.client
import json
import os
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse

BIN_DIR = os.environ.get("KOKOLA_BIN_DIR", "/work/main/build-sandbox")
TOKEN = "sandbox-test-token"


def encode_key(key):
    """RFC 3986 percent-encoding of one path segment, as the contract asks."""
    return urllib.parse.quote(key, safe="")


def vendor(code, revision, **changes):
    body = {
        "code": code, "name": "PT Surya Indah Plastik", "tax_id": "012345678901234",
        "address": "Jl. Rungkut Industri 7", "city": "Surabaya", "phone": None,
        "email": None, "active": True, "updated_at": "2025-02-03T14:05:00+07:00",
        "schema_version": 1, "revision": revision,
    }
    body.update(changes)
    return body


def item(code, revision):
    return {
        "code": code, "name": "Kantong plastik 30x40", "uom": "PCS", "category": None,
        "barcode": None, "active": True, "updated_at": None, "schema_version": 1,
        "revision": revision,
    }


def purchase_order(number, vendor_code, item_code, revision):
    line = {
        "line_no": 1, "item_code": item_code, "description": None, "qty": "12.5",
        "uom": "PCS", "unit_price": "1500", "discount": "0", "tax_rate": "11",
        "net": "18750", "tax": "2062.5", "total": "20812.5",
    }
    return {
        "number": number, "vendor_code": vendor_code, "order_date": "2025-02-03",
        "delivery_date": None, "currency": "IDR", "status": "APPROVED", "total": "20812.5",
        "notes": None, "updated_at": "2025-02-03T14:05:00+07:00", "schema_version": 1,
        "revision": revision, "lines": [line],
    }


class Sandbox:
    """One running sandbox on a free port, with its own token file and state file."""

    def __init__(self, directory):
        self.directory = directory
        token_file = os.path.join(directory, "token")
        with open(token_file, "w") as f:
            f.write("  " + TOKEN + "\n")
        port_file = os.path.join(directory, "port")
        self.db = os.path.join(directory, "state.db")
        self.stderr = open(os.path.join(directory, "stderr"), "w+")
        self.process = subprocess.Popen(
            [os.path.join(BIN_DIR, "kokola-sandbox"), "serve", "--token-file", token_file,
             "--port", "0", "--port-file", port_file, "--db", self.db],
            stderr=self.stderr)
        self.port = self._wait_for_port(port_file)

    def _wait_for_port(self, port_file):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("kokola-sandbox exited with %d" % self.process.returncode)
            if os.path.exists(port_file):
                with open(port_file) as f:
                    return int(f.read())
            time.sleep(0.02)
        raise RuntimeError("kokola-sandbox did not write its port file")

    def stop(self):
        self.process.terminate()
        code = self.process.wait(timeout=10)
        self.stderr.close()
        return code

    def request(self, method, path, body=None, headers=None, token=TOKEN):
        """Returns (status, headers as a dict with lower-case names, parsed JSON body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        all_headers = {"Authorization": "Bearer " + token} if token else {}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        try:
            connection.request(method, path, body=data, headers=all_headers)
            response = connection.getresponse()
            raw = response.read()
            answer_headers = {k.lower(): v for k, v in response.getheaders()}
            return response.status, answer_headers, json.loads(raw) if raw else None
        finally:
            connection.close()

    def put(self, entity_path, key, body, idempotency_key, **kwargs):
        headers = {"Idempotency-Key": idempotency_key, "X-Request-Id": "job-" + idempotency_key}
        return self.request("PUT", "/v1/%s/%s" % (entity_path, encode_key(key)), body,
                            headers, **kwargs)

    def get(self, entity_path, key, **kwargs):
        return self.request("GET", "/v1/%s/%s" % (entity_path, encode_key(key)), **kwargs)

    def dump(self):
        return self.request("GET", "/_sandbox/dump", token=None)[2]


class SandboxTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.sandbox = Sandbox(self.tmp.name)

    def tearDown(self):
        if self.sandbox.process.poll() is None:
            self.sandbox.stop()
        self.tmp.cleanup()

    def test_refuses_requests_without_the_token(self):
        status, headers, body = self.sandbox.get("vendors", "V-1", token=None)
        self.assertEqual(status, 401)
        self.assertEqual(body["code"], "unauthorized")

        status, _, body = self.sandbox.get("vendors", "V-1", token="wrong")
        self.assertEqual(status, 401)

    def test_creates_then_replaces_with_a_higher_revision(self):
        status, headers, created = self.sandbox.put("vendors", "V-1", vendor("V-1", 1), "a1")
        self.assertEqual(status, 201)
        self.assertEqual(headers["x-request-id"], "job-a1")
        self.assertEqual(created["key"], "V-1")
        self.assertEqual(created["revision"], 1)

        status, _, replaced = self.sandbox.put(
            "vendors", "V-1", vendor("V-1", 2, city="Sidoarjo"), "a2")
        self.assertEqual(status, 200)
        self.assertEqual(replaced["id"], created["id"])
        self.assertEqual(replaced["revision"], 2)

        status, _, held = self.sandbox.get("vendors", "V-1")
        self.assertEqual(status, 200)
        self.assertEqual(held["record"]["city"], "Sidoarjo")
        self.assertEqual(held["revision"], 2)

    def test_refuses_equal_and_lower_revisions(self):
        self.sandbox.put("vendors", "V-1", vendor("V-1", 5), "b1")
        for revision, key in ((5, "b2"), (4, "b3")):
            status, _, body = self.sandbox.put(
                "vendors", "V-1", vendor("V-1", revision, name="OLD"), key)
            self.assertEqual(status, 409)
            self.assertEqual(body["code"], "stale_revision")
            self.assertEqual(body["current_revision"], 5)
        self.assertNotEqual(self.sandbox.get("vendors", "V-1")[2]["record"]["name"], "OLD")

    def test_replays_a_repeated_idempotency_key(self):
        first = self.sandbox.put("vendors", "V-1", vendor("V-1", 1), "c1")
        second = self.sandbox.put("vendors", "V-1", vendor("V-1", 1), "c1")
        self.assertEqual(second[0], first[0])
        self.assertEqual(second[2], first[2])
        self.assertEqual(second[1].get("idempotent-replayed"), "true")
        self.assertNotIn("idempotent-replayed", first[1])

        status, _, body = self.sandbox.put("vendors", "V-1", vendor("V-1", 2), "c1")
        self.assertEqual(status, 422)
        self.assertEqual(body["code"], "idempotency_key_reused")

    def test_requires_an_idempotency_key_on_put(self):
        status, _, body = self.sandbox.request(
            "PUT", "/v1/vendors/V-1", vendor("V-1", 1))
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "missing_idempotency_key")

    def test_reports_validation_errors_with_paths(self):
        body = purchase_order("PO-1", "V-1", None, 1)
        body["lines"][0]["qty"] = "0"
        body["lines"][0]["unit_price"] = "1.50"
        body["order_date"] = "2025-02-30"
        body["extra"] = True
        status, _, answer = self.sandbox.put("purchase-orders", "PO-1", body, "d1")
        self.assertEqual(status, 422)
        self.assertEqual(answer["code"], "validation_failed")
        paths = {e["path"] for e in answer["errors"]}
        self.assertEqual(paths, {"extra", "order_date", "lines[0].qty", "lines[0].unit_price",
                                 "lines[0].description"})

    def test_reports_key_mismatch_and_malformed_json(self):
        status, _, body = self.sandbox.put("vendors", "V-2", vendor("V-1", 1), "e1")
        self.assertEqual((status, body["code"]), (422, "key_mismatch"))
        status, _, body = self.sandbox.put("vendors", "V-2", b"{not json", "e2")
        self.assertEqual((status, body["code"]), (400, "malformed_json"))

    def test_keys_with_slash_and_non_ascii_round_trip(self):
        for number, key in (("f1", "PO/2025/0001"), ("f2", "Kopi Gula-Aren ÄÖ №5 +%")):
            self.sandbox.put("vendors", "V-1", vendor("V-1", 1), number + "v")
            self.sandbox.put("items", key, item(key, 1), number + "i")
            status, _, _ = self.sandbox.put(
                "purchase-orders", key, purchase_order(key, "V-1", key, 1), number)
            self.assertEqual(status, 201)
            status, _, held = self.sandbox.get("purchase-orders", key)
            self.assertEqual(status, 200)
            self.assertEqual(held["key"], key)
            self.assertEqual(held["record"]["number"], key)
            self.assertEqual(held["record"]["lines"][0]["item_code"], key)

    def test_refuses_unknown_references(self):
        self.sandbox.put("vendors", "V-1", vendor("V-1", 1), "g1")
        body = purchase_order("PO-1", "V-404", "ITEM-404", 1)
        status, _, answer = self.sandbox.put("purchase-orders", "PO-1", body, "g2")
        self.assertEqual(status, 422)
        self.assertEqual(answer["code"], "unknown_reference")
        self.assertEqual({e["path"] for e in answer["errors"]},
                         {"vendor_code", "lines[0].item_code"})
        self.assertEqual(self.sandbox.get("purchase-orders", "PO-1")[0], 404)

    def test_fault_rule_answers_once_then_lets_requests_through(self):
        rules = [{"method": "PUT", "entity": "vendor", "status": 503, "code": "unavailable",
                  "retry_after": "7", "times": 1}]
        status, _, listed = self.sandbox.request("POST", "/_sandbox/faults", rules, token=None)
        self.assertEqual(status, 200)
        self.assertEqual(listed[0]["times"], 1)

        status, headers, body = self.sandbox.put("vendors", "V-1", vendor("V-1", 1), "h1")
        self.assertEqual((status, body["code"]), (503, "unavailable"))
        self.assertEqual(headers["retry-after"], "7")
        self.assertEqual(self.sandbox.get("vendors", "V-1")[0], 404)

        status, _, _ = self.sandbox.put("vendors", "V-1", vendor("V-1", 1), "h1")
        self.assertEqual(status, 201)

    def test_close_faults_close_without_answering(self):
        rules = [{"method": "PUT", "action": "close", "times": 1},
                 {"method": "PUT", "action": "close_after_apply", "times": 1}]
        self.sandbox.request("POST", "/_sandbox/faults", rules, token=None)
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.sandbox.put("vendors", "V-1", vendor("V-1", 1), "i1")
        self.assertEqual(self.sandbox.get("vendors", "V-1")[0], 404)

        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.sandbox.put("vendors", "V-1", vendor("V-1", 1), "i1")
        self.assertEqual(self.sandbox.get("vendors", "V-1")[2]["revision"], 1)

        puts = [r for r in self.sandbox.dump()["requests"] if r["method"] == "PUT"]
        self.assertEqual([(r["status"], r["applied"], r["fault"]) for r in puts],
                         [(None, False, True), (201, True, True)])

    def test_fault_rule_with_a_probability_replays_its_draws_from_its_seed(self):
        rules = [{"method": "GET", "status": 503, "probability": 0.5, "seed": 42},
                 {"method": "GET", "status": 500, "probability": 0}]

        def statuses():
            status, _, listed = self.sandbox.request("POST", "/_sandbox/faults", rules,
                                                     token=None)
            self.assertEqual(status, 200)
            self.assertEqual((listed[0]["probability"], listed[0]["seed"]),
                             (0.5, rules[0]["seed"]))
            return [self.sandbox.get("vendors", "V-%d" % n)[0] for n in range(40)]

        first = statuses()
        self.assertEqual(set(first), {404, 503})
        self.assertEqual(statuses(), first)

        rules[0]["seed"] = 43
        self.assertNotEqual(statuses(), first)

        for bad in ({"probability": 1.5}, {"probability": "0.5"}, {"seed": -1}):
            status, _, body = self.sandbox.request("POST", "/_sandbox/faults", [bad], token=None)
            self.assertEqual((status, body["code"]), (400, "invalid_fault_rules"), bad)

    def test_dump_shows_records_and_the_request_log(self):
        self.sandbox.put("vendors", "V/1", vendor("V/1", 3), "j1")
        self.sandbox.get("vendors", "V/1", token=None)
        dump = self.sandbox.dump()
        [record] = dump["records"]["vendor"]
        self.assertEqual((record["key"], record["revision"], record["writes"]), ("V/1", 3, 1))
        self.assertEqual(record["record"]["tax_id"], "012345678901234")
        put, get = dump["requests"]
        self.assertEqual((put["method"], put["status"], put["applied"]), ("PUT", 201, True))
        self.assertEqual((put["idempotency_key"], put["revision"]), ("j1", 3))
        self.assertEqual((get["status"], get["code"], get["applied"]), (401, "unauthorized", False))

        self.assertEqual(self.sandbox.stop(), 0)
        output = subprocess.run(
            [os.path.join(BIN_DIR, "kokola-sandbox"), "dump", "--db", self.sandbox.db],
            check=True, capture_output=True, text=True).stdout
        self.assertEqual(json.loads(output), dump)

    def test_request_log_on_stderr_never_shows_the_token(self):
        self.sandbox.put("vendors", "V-1", vendor("V-1", 1), "k1")
        self.sandbox.stop()
        with open(os.path.join(self.tmp.name, "stderr")) as f:
            log = f.read()
        self.assertIn("PUT /v1/vendors/V-1 201 job-k1", log)
        self.assertNotIn(TOKEN, log)


if __name__ == "__main__":
    unittest.main()
