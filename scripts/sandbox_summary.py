#!/usr/bin/env python3
"""Prints what a Kokola sandbox holds, from `kokola-sandbox dump` on standard input: record
counts per entity, one purchase order in full, and the PUT requests received by status."""

import json
import sys


def main():
    key = sys.argv[1] if len(sys.argv) > 1 else None
    dump = json.load(sys.stdin)
    for entity, records in dump["records"].items():
        print(f"{entity}: {len(records)} records")

    po = next((r for r in dump["records"]["po"] if r["key"] == key), None)
    if po:
        rec = po["record"]
        print(f"\nPO {po['key']} (app id {po['id']}, revision {po['revision']}):")
        print(f"  vendor {rec['vendor_code']}, ordered {rec['order_date']}, "
              f"status {rec['status']}, total {rec['currency']} {rec['total']}, "
              f"{len(rec['lines'])} lines")
        for line in rec["lines"]:
            item = line["item_code"] or "(non-stock)"
            print(f"  {line['line_no']:>3} {item:<14} {line['qty']:>9} {line['uom']:<6}"
                  f" x {line['unit_price']:>12} = {line['total']:>15}")

    puts = [r for r in dump["requests"] if r["method"] == "PUT"]
    by_status = {}
    for r in puts:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    print(f"\n{len(puts)} PUT requests received; by status: "
          + ", ".join(f"{s}: {n}" for s, n in sorted(by_status.items(), key=str)))


if __name__ == "__main__":
    main()
