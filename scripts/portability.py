"""Run chapters under other arithmetic and show what every check cell printed, side by side.

    python scripts/portability.py chapters/16_muon.ipynb              # this machine's defaults
    python scripts/portability.py chapters/*.ipynb --kernels Prescott Haswell --baseline

Each configuration runs in its own process, because numpy and OpenBLAS read their settings
when they load:
* ``--kernels``: ``OPENBLAS_CORETYPE`` = each name (by hand only: some machines set it on
  purpose, so the tests and CI never change it);
* ``--baseline``: numpy's SIMD reduced to its baseline (``NPY_DISABLE_CPU_FEATURES`` = every
  feature numpy dispatches to here) and BLAS on one thread: what ``.ci/run`` runs a second time.
For each chapter it prints, per configuration, the failing cell (if any) and the output of every
``# Check:`` cell, so the margins of a claim can be compared across arithmetics.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys

RUNNER = r"""
import json, sys, nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
nb = nbformat.read(sys.argv[1], as_version=4)
error = None
try:
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
except CellExecutionError as exc:
    error = str(exc).strip().splitlines()[-1]
checks = []
for cell in nb.cells:
    if cell.cell_type == "code" and cell.source.lstrip().startswith("# Check"):
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        checks.append({"check": cell.source.splitlines()[0][:100], "printed": text.strip(), "failed": failed})
print(json.dumps({"error": error, "checks": checks}))
"""


FEATURES = """
try:
    from numpy._core._multiarray_umath import __cpu_dispatch__
except ImportError:  # numpy 1.x
    from numpy.core._multiarray_umath import __cpu_dispatch__
print(" ".join(__cpu_dispatch__))
"""


def baseline_env() -> dict[str, str]:
    """numpy's dispatched SIMD features (those above its baseline), all disabled, and one BLAS thread."""
    found = subprocess.run([sys.executable, "-c", FEATURES], capture_output=True, text=True, check=True,
                           env={k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"})
    return {"NPY_DISABLE_CPU_FEATURES": found.stdout.strip(), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def run(notebook: pathlib.Path, env: dict[str, str], tries: int = 2) -> dict:
    """One execution of ``notebook`` under ``env``; a kernel that stops answering (seen when several
    kernels start at once on a loaded machine) makes the cell time out, and the run is tried again."""
    result = run_once(notebook, env)
    while tries > 1 and result["error"] and "Timeout" in result["error"]:
        tries -= 1
        result = run_once(notebook, env)
    return result


def run_once(notebook: pathlib.Path, env: dict[str, str]) -> dict:
    try:
        out = subprocess.run([sys.executable, "-c", RUNNER, str(notebook), str(notebook.parent)],
                             capture_output=True, text=True, env={**os.environ, **env}, timeout=1200)
    except subprocess.TimeoutExpired:
        return {"error": "no result after 20 minutes (a hung kernel?)", "checks": []}
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "runner failed", "checks": []}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--baseline-env", action="store_true",
                        help="only print the baseline's settings as NAME=value words, for `env` (.ci/run)")
    parser.add_argument("--kernels", nargs="*", default=[], help="OPENBLAS_CORETYPE values, e.g. Prescott Haswell")
    parser.add_argument("--baseline", action="store_true", help="also run numpy at its SIMD baseline, one BLAS thread")
    parser.add_argument("--json", type=pathlib.Path, help="write every result to this file")
    args = parser.parse_args()
    if args.baseline_env:
        print(" ".join(f"{k}={v.replace(' ', ',')}" for k, v in baseline_env().items()))
        return 0
    configs = {"default": {}} | {k: {"OPENBLAS_CORETYPE": k} for k in args.kernels}
    if args.baseline:
        configs["baseline"] = baseline_env()
    results, failed = {}, False
    for notebook in args.notebooks:
        results[str(notebook)] = {name: run(notebook, env) for name, env in configs.items()}
        print(f"\n=== {notebook}")
        for name, result in results[str(notebook)].items():
            failed |= bool(result["error"])
            print(f"--- {name}: {'FAILED: ' + result['error'] if result['error'] else 'passed'}")
            for check in result["checks"]:
                mark = "FAILED " if check["failed"] else ""
                print(f"  {mark}{check['check']}\n    " + check["printed"].replace("\n", "\n    "))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
