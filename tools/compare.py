"""Compare effcc's output logits with the oracle's (tools/oracle.py).

Usage:
    /usr/bin/python3 tools/compare.py REF.f32 GOT.f32 [--rtol 1e-4]

Both files are raw little-endian float32 arrays (e.g. DIR/logits.f32 from the
oracle and the logits written by the generated C).  The check passes when
  * both have the same, non-zero length and every value is finite,
  * max|got - ref| <= tol, where tol = rtol * max(1, max|ref|), and
  * argmax(got) == argmax(ref).
Prints one line,
    compare: n=1000 max_abs_diff=... tol=... argmax ref=... got=... -> PASS|FAIL
and exits 0 on PASS, 1 on FAIL (2 on bad usage or an unreadable file).
"""

import argparse
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ref")
    ap.add_argument("got")
    ap.add_argument("--rtol", type=float, default=1e-4)
    args = ap.parse_args()
    try:
        ref = np.fromfile(args.ref, dtype="<f4").astype(np.float64)
        got = np.fromfile(args.got, dtype="<f4").astype(np.float64)
    except OSError as e:
        print(f"compare: error: {e}", file=sys.stderr)
        return 2

    if ref.size != got.size or ref.size == 0:
        print(f"compare: n_ref={ref.size} n_got={got.size} -> FAIL (length mismatch or empty)")
        return 1
    bad = [name for name, a in (("ref", ref), ("got", got)) if not np.isfinite(a).all()]
    if bad:
        print(f"compare: n={ref.size} non-finite values in {' and '.join(bad)} -> FAIL")
        return 1

    # Differences in float64 so the check itself adds no rounding.
    diff = float(np.max(np.abs(got - ref)))
    tol = args.rtol * max(1.0, float(np.max(np.abs(ref))))
    a_ref, a_got = int(np.argmax(ref)), int(np.argmax(got))
    ok = diff <= tol and a_ref == a_got
    print(f"compare: n={ref.size} max_abs_diff={diff:.3e} tol={tol:.3e} "
          f"argmax ref={a_ref} got={a_got} -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
