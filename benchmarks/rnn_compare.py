"""The recurrent reference models against PyTorch and Keras 3 (JAX), each
engine from its own interpreter, training and inference.

    python benchmarks/rnn_compare.py --torch-python /venv-torch/bin/python
        --keras-python /venv-keras/bin/python [--models lstm gru]
        [--threads 1 2] [--rounds 3] [--modes training inference]

Models: Embedding(10000,128)-LSTM(128)-Dense(1) and the same with GRU(128),
sequences of 80, batch 64 (benchmarks/compare.py builds them). Training is
one epoch of 6 batches with Adam after a warm-up epoch; inference is one
batch of 64 (seqcore `model(x)`, PyTorch under inference_mode, Keras
`predict_on_batch`). Each measurement is a fresh worker process of
compare.py run by that engine's interpreter; engines take turns in every
round, and a figure is the median over rounds. ratio = seqcore's speed /
the faster peer's. --clock cpu rates by the process's CPU time (all its
threads) instead of wall time: on cores shared with other work it is far
steadier, and at one thread it is the work each engine does. --clock best
rates by the fastest wall-clock call (inference) or epoch (training) of
any round: other work only slows a call down. The peers' interpreters need only their own framework
and numpy: compare.py imports nothing else at module level.
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


def measure(python, engine, mode, name, threads, bind=True, clock="wall"):
    """Seconds of one epoch (training) or one batch (inference)."""
    flag = "--train-worker" if mode == "training" else "--worker"
    env = compare.worker_env(engine, threads, bind)
    out = subprocess.run([python, COMPARE, flag, engine, name,
                          str(compare.BATCH), str(threads)], env=env,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{engine} {mode} {name} worker failed:\n"
                           f"{out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    key = {"wall": "seconds", "cpu": "cpu_seconds", "best": "best_seconds"}
    return result[key[clock]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch-python")
    parser.add_argument("--keras-python")
    parser.add_argument("--models", nargs="+", default=list(compare.RECURRENT),
                        choices=compare.RECURRENT)
    parser.add_argument("--modes", nargs="+", default=["training",
                                                       "inference"],
                        choices=["training", "inference"])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clock", choices=["wall", "cpu", "best"],
                        default="wall")
    parser.add_argument("--baseline-python",
                        help="also an earlier seqcore build ('before')")
    args = parser.parse_args()
    engines = {"seqcore": sys.executable}
    if args.baseline_python:
        engines["before"] = args.baseline_python
    if args.torch_python:
        engines["torch"] = args.torch_python
    if args.keras_python:
        engines["keras"] = args.keras_python
    steps = dict((n, s) for n, _, s in compare.TRAINING)
    pick = min if args.clock == "best" else statistics.median
    print(f"samples/s by {args.clock} clock, batch {compare.BATCH}, "
          f"{'best' if args.clock == 'best' else 'median'} of {args.rounds} "
          f"rounds (engines interleaved); ratio = seqcore / faster peer")
    print(f"{'threads':>7}  {'benchmark':<16}" +
          "".join(f"{e:>10}" for e in engines) + f"{'ratio':>8}")
    for threads in args.threads:
        for mode in args.modes:
            for name in args.models:
                secs = {e: [] for e in engines}
                for _ in range(args.rounds):
                    for engine, python in engines.items():
                        secs[engine].append(measure(
                            python, "seqcore" if engine == "before" else
                            engine, mode, name, threads, clock=args.clock))
                samples = compare.BATCH * (steps[name] if mode == "training"
                                           else 1)
                rate = {e: samples / pick(v)
                        for e, v in secs.items()}
                peers = [v for e, v in rate.items()
                         if e not in ("seqcore", "before")]
                ratio = (f"{rate['seqcore'] / max(peers):.2f}x" if peers
                         else "")
                print(f"{threads:>7}  {name + ' ' + mode:<16}" +
                      "".join(f"{rate[e]:>10.0f}" for e in engines) +
                      f"{ratio:>8}", flush=True)


if __name__ == "__main__":
    main()
