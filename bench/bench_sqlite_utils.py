"""sqlite-utils insert path: insert_all of 100,000 outcome-like rows (12 columns), batch 5000, one transaction.

Run with the python of a venv holding the sqlite-utils to measure (e.g. throwaway venvs under /tmp with
3.39.1 and 4.2.1), alternately: `/tmp/su3/bin/python bench/bench_sqlite_utils.py; /tmp/su4/bin/python ...`.
"""
import os
import tempfile
import time

import sqlite_utils
from importlib.metadata import version
rows = [{"key": f"2024/2024-SYN-{i:06d}", "edition": "2024", "id": f"2024-SYN-{i:06d}", "status": "awarded",
         "stars": i % 5, "score": (i % 10000) / 100, "province": f"P{i % 38}", "commodity": f"c{i % 17}",
         "gates_failed": "[]", "pembina": None, "label": i % 2, "movement": "tetap"} for i in range(100_000)]
best = []
for r in range(3):
    with tempfile.TemporaryDirectory() as d:
        db = sqlite_utils.Database(os.path.join(d, "x.db"))
        t = time.perf_counter()
        with db.conn:
            db["outcomes"].insert_all(rows, pk="key", batch_size=5000)
        best.append(time.perf_counter() - t)
        assert db["outcomes"].count == 100_000
print(f"sqlite-utils {version('sqlite-utils')}: {min(best):.3f} s best, runs {', '.join(f'{b:.3f}' for b in best)}, load {os.getloadavg()[0]:.2f}")
