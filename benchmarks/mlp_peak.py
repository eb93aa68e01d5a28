"""MLP training speed as a fraction of this core's measured FMA peak.

    python benchmarks/mlp_peak.py [--rounds 5] [--threads 1]

The reference MLP 784-256-128-10 (benchmarks/compare.py) trains with Adam,
batch 128, one epoch of 40 batches after a warm-up epoch. Its useful work
per sample is counted from the layer shapes: the forward GEMMs, the weight
gradients, and the input gradients of every layer but the first (nothing
needs the gradient of the data): 2 flops per multiply-add. The peak is
measured in the same process by seqcore's register-resident FMA loop on the
selected ISA (seqcore._kernels.fma_peak: the fastest of many 1 ms runs),
times the thread count. Elementwise work (bias, ReLU, softmax, Adam) counts
as overhead. A figure is the median epoch over rounds, each round a fresh
process.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

import compare

LAYERS = [(784, 256), (256, 128), (128, 10)]


def flops_per_sample():
    forward = sum(2 * i * o for i, o in LAYERS)
    weight_grads = forward
    input_grads = sum(2 * i * o for i, o in LAYERS[1:])
    return forward + weight_grads + input_grads


def worker(threads):
    import seqcore
    from seqcore import _kernels
    seqcore.set_num_threads(threads)
    name, batch, steps = compare.TRAINING[0]
    fn = compare._keras_train_fn(seqcore, name, batch, steps)
    fn()
    import time
    times, cpu = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(json.dumps({"seconds": min(times), "cpu_seconds": min(cpu),
                      "samples": batch * steps,
                      "peak": _kernels.fma_peak(0.3) * threads,
                      "isa": _kernels.current_isa()}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker", action="store_true",
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.threads)
        return
    env = compare.worker_env("seqcore", args.threads, bind=True)
    env["OMP_NUM_THREADS"] = str(args.threads)
    runs = []
    for _ in range(args.rounds):
        out = subprocess.run([sys.executable, os.path.abspath(__file__),
                              "--worker", "--threads", str(args.threads)],
                             env=env, capture_output=True, text=True,
                             check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    fps = flops_per_sample()
    peak = statistics.median(r["peak"] for r in runs)
    print(f"MLP 784-256-128-10, Adam, batch 128, isa={runs[0]['isa']}, "
          f"{args.threads} thread(s), median of {args.rounds} rounds; "
          f"useful work {fps / 1e6:.3f} MFLOP/sample; measured FMA peak "
          f"{peak / 1e9:.1f} GFLOP/s")
    # By CPU time too: on shared cores, wall time counts other processes'
    # turns; at one thread CPU time is this process's own work.
    for clock in ("seconds", "cpu_seconds"):
        seconds = statistics.median(r[clock] for r in runs)
        rate = runs[0]["samples"] / seconds
        label = "wall clock" if clock == "seconds" else "CPU clock"
        print(f"  {label:<10}: {rate:.0f} samples/s = "
              f"{rate * fps / 1e9:.1f} GFLOP/s = {rate * fps / peak:.1%} "
              f"of peak")


if __name__ == "__main__":
    main()
