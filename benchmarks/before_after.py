"""seqcore against an earlier build of itself: the reference models'
inference and training speed, for checking that a change costs nothing.

    python benchmarks/before_after.py --baseline-python /path/to/venv/bin/python
                                      [--threads 1 2] [--rounds 5]

The baseline interpreter imports the earlier seqcore (for example a venv
with `pip install -e` of a worktree at the earlier commit); this one
imports the current seqcore. Each measurement is a fresh worker process of
benchmarks/compare.py, the two builds take turns, and a figure is the
median over rounds. ratio = current speed / baseline speed.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

import compare

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARE = os.path.join(HERE, "compare.py")


def measure(python, flag, name, batch, threads):
    env = compare.worker_env("seqcore", threads, bind=True)
    out = subprocess.run([python, COMPARE, flag, "seqcore", name, str(batch),
                          str(threads)], env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-python", required=True)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    jobs = [("--train-worker", name, batch) for name, batch, _ in
            compare.TRAINING] + [("--worker", name, batch) for name, batch
                                 in compare.BENCHMARKS]
    print("samples/s (latency in us); ratio = current speed / baseline")
    print(f"{'threads':>7}  {'benchmark':<34}{'baseline':>12}{'current':>12}"
          f"{'ratio':>8}")
    for threads in args.threads:
        for flag, name, batch in jobs:
            seconds = {"baseline": [], "current": []}
            for _ in range(args.rounds):
                seconds["baseline"].append(measure(
                    args.baseline_python, flag, name, batch, threads))
                seconds["current"].append(measure(
                    sys.executable, flag, name, batch, threads))
            base, cur = (statistics.median(seconds[k]) for k in
                         ("baseline", "current"))
            kind = "training" if flag == "--train-worker" else (
                "latency (us)" if batch == 1 else "inference")
            label = f"{name} {kind}, batch {batch}"
            if batch == 1:
                values = (base * 1e6, cur * 1e6)
            else:
                samples = batch * (dict((n, s) for n, _, s in
                                        compare.TRAINING)[name]
                                   if flag == "--train-worker" else 1)
                values = (samples / base, samples / cur)
            print(f"{threads:>7}  {label:<34}{values[0]:>12.1f}"
                  f"{values[1]:>12.1f}{base / cur:>7.2f}x", flush=True)


if __name__ == "__main__":
    main()
