#!/usr/bin/env python3
"""Creates N staff through the public API (keep-alive, one connection).

usage: seed_staff.py HOST:PORT TOKEN COUNT
Prints progress every 1,000 rows and the rows/s at the end.
"""
import http.client
import json
import sys
import time

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


def main() -> int:
    host, token, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    conn = http.client.HTTPConnection(host, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request("GET", "/api/v1/departments", headers=headers)
    departments = [d["id"] for d in json.loads(conn.getresponse().read())["items"]]
    started = time.monotonic()
    for i in range(count):
        body = {
            "employee_id": f"B{i:06d}",
            "name": SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)] + str(i % 97),
            "department_id": departments[i % len(departments)],
            "work_group": f"组{i % 12}",
            "mobile": f"139{i:08d}",
            "extension": f"{20000 + i}",
        }
        conn.request("POST", "/api/v1/staff", body=json.dumps(body), headers=headers)
        response = conn.getresponse()
        data = response.read()
        if response.status != 201:
            print(f"row {i}: HTTP {response.status} {data[:200]!r}", file=sys.stderr)
            return 1
        if (i + 1) % 1000 == 0:
            print(f"  {i + 1}/{count} staff created", file=sys.stderr)
    elapsed = time.monotonic() - started
    print(f"{count} staff created in {elapsed:.1f} s ({count / elapsed:.0f} rows/s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
