"""Data-parallel training over MPI against threads, on one machine.

    python benchmarks/bench_mpi.py [--rounds 3] [--ranks 2]

For compare.py's MLP (784-256-128-10) and CNN (Conv2D(32,3)-MaxPool-
Conv2D(64,3)-MaxPool-Flatten-Dense(128)-Dense(10) on 28x28x1), trained with
Adam at the same global batch, it times
  1x1:     1 process with OMP_NUM_THREADS=1 (the baseline)
  threads: 1 process with OMP_NUM_THREADS=<ranks>
  mpi:     mpiexec -n <ranks>, OMP_NUM_THREADS=1 per rank (DataParallel),
           gradients reduced through shared memory (the default on one
           machine)
  msgs:    the same with SEQCORE_MPI_SHARED=0 (one MPI_Iallreduce)
in fresh processes, rounds alternating between them. A process times
EPOCHS epochs after a warm-up epoch and keeps its fastest (the one least
disturbed by other work on a shared machine; every mode alike); a figure
is the median over rounds of samples/s, and for the MPI runs the share of
that epoch spent in the gradient reduction (rank 0's time in the call,
which includes waiting for the slower rank, and with shared memory the
optimizer's update split over the ranks).

Needs mpi4py and mpiexec (`pip install seqcore[mpi]`)."""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# (model, global batch, batches per timed epoch)
CASES = [("mlp", 256, 120), ("cnn", 128, 24)]
EPOCHS = 5


def worker(name, batch, steps):
    import numpy as np
    import seqcore as keras
    from compare import _keras_like_model, _inputs
    from seqcore.distribution import state
    keras.distribution.initialize()
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    keras.utils.set_random_seed(0)
    model = _keras_like_model(keras, name)
    model.compile("adam", "sparse_categorical_crossentropy")
    n = batch * steps
    x = np.concatenate([_inputs(name, batch)] * steps)
    y = np.random.default_rng(1).integers(0, 10, n)
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    hooks = state.hooks()
    epochs = []
    for _ in range(EPOCHS):
        before = getattr(hooks, "allreduce_seconds", 0.0)
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0,
                  shuffle=False)
        epochs.append((time.perf_counter() - start,
                       getattr(hooks, "allreduce_seconds", 0.0) - before))
    seconds, reduce = min(epochs)
    if state.is_chief():
        params = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
        print(json.dumps({"samples_per_s": n / seconds,
                          "allreduce_share": reduce / seconds,
                          "gradient_mb": params * 4 / 1e6}))


def _mpiexec():
    local = Path(sys.executable).parent / "mpiexec"
    return str(local) if local.exists() else shutil.which("mpiexec")


def _run(mode, ranks, name, batch, steps):
    env = dict(os.environ)
    args = [sys.executable, __file__, "--worker", name, str(batch),
            str(steps)]
    if mode in ("mpi", "msgs"):
        env["OMP_NUM_THREADS"] = "1"
        env["SEQCORE_MPI_SHARED"] = "auto" if mode == "mpi" else "0"
        args = [_mpiexec(), "-n", str(ranks)] + args
    elif mode == "one":
        env["OMP_NUM_THREADS"] = "1"
    else:
        env["OMP_NUM_THREADS"] = str(ranks)
    out = subprocess.run(args, env=env, capture_output=True, text=True,
                         timeout=600)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _cpu():
    try:
        text = subprocess.run(["lscpu"], capture_output=True,
                              text=True).stdout
    except OSError:
        return platform.processor()
    fields = dict(line.split(":", 1) for line in text.splitlines()
                  if ":" in line)
    flags = fields.get("Flags", "")
    isa = "avx512f" if "avx512f" in flags else \
        "avx2" if "avx2" in flags else "generic"
    return f"{fields.get('Model name', '?').strip()} ({isa}), " \
           f"{os.cpu_count()} logical CPUs"


# ---- the scaling model of docs/distribution.md ------------------------------

# (name, achieved bandwidth in GB/s, per-message latency alpha in s):
# 80% of the line rate; latencies typical of MPI over TCP and over verbs.
NETWORKS = [("10GbE", 1.0, 30e-6), ("25GbE", 2.5, 25e-6),
            ("100GbE", 10.0, 15e-6), ("IB HDR100", 11.0, 2e-6),
            ("IB HDR200", 22.0, 2e-6)]
# (name, parameters, one node's training samples/s, global batch)
MODELS = [("bench CNN", 225_034, 15_000, 1024),
          ("ResNet50", 25_600_000, 100, 1024)]


def ring_allreduce_seconds(nbytes, nodes, bandwidth, alpha):
    """2(N-1)/N x bytes / bandwidth + 2(N-1) x alpha."""
    if nodes == 1:
        return 0.0
    return 2 * (nodes - 1) / nodes * nbytes / (bandwidth * 1e9) + \
        2 * (nodes - 1) * alpha


def scaling_table(nodes=(1, 8, 16, 32, 64)):
    """Parallel efficiency (speed-up / N) of step = compute / N +
    allreduce, at a fixed global batch (no overlap)."""
    lines = [f"{'model':10} {'network':10} " +
             " ".join(f"{'N=' + str(n):>7}" for n in nodes) +
             "   allreduce at N=64"]
    for model, params, rate, batch in MODELS:
        compute = batch / rate
        for net, bandwidth, alpha in NETWORKS:
            cells = []
            for n in nodes:
                step = compute / n + ring_allreduce_seconds(
                    4 * params, n, bandwidth, alpha)
                cells.append(f"{compute / step / n:7.0%}")
            last = ring_allreduce_seconds(4 * params, 64, bandwidth, alpha)
            lines.append(f"{model:10} {net:10} " + " ".join(cells) +
                         f"   {last * 1e3:8.2f} ms")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--worker", nargs=3)
    parser.add_argument("--model", action="store_true",
                        help="print the scaling model's table and exit")
    args = parser.parse_args()
    if args.model:
        print(scaling_table())
        return
    if args.worker:
        name, batch, steps = args.worker
        worker(name, int(batch), int(steps))
        return
    if _mpiexec() is None:
        sys.exit("bench_mpi: no mpiexec (pip install seqcore[mpi])")
    print(f"# {_cpu()}; {args.ranks} ranks x 1 thread vs 1 process x "
          f"{args.ranks} threads; median of {args.rounds} rounds")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# load average at start: {load:.1f}")
    print(f"{'model':5} {'batch':>5} {'1x1 s/s':>8} {'threads s/s':>12} "
          f"{'mpi s/s':>10} {'mpi/threads':>11} {'allreduce':>9} "
          f"{'msgs/threads':>12} {'allreduce':>9} {'grad MB':>8}")
    for name, batch, steps in CASES:
        results = {"one": [], "threads": [], "mpi": [], "msgs": []}
        for _ in range(args.rounds):
            for mode in ("one", "threads", "mpi", "msgs"):
                results[mode].append(_run(mode, args.ranks, name, batch,
                                          steps))
        threads = statistics.median(r["samples_per_s"]
                                    for r in results["threads"])
        mpi = statistics.median(r["samples_per_s"] for r in results["mpi"])
        one = statistics.median(r["samples_per_s"] for r in results["one"])
        share = statistics.median(r["allreduce_share"]
                                  for r in results["mpi"])
        msgs = statistics.median(r["samples_per_s"] for r in results["msgs"])
        msgs_share = statistics.median(r["allreduce_share"]
                                       for r in results["msgs"])
        print(f"{name:5} {batch:5d} {one:8.0f} {threads:12.0f} {mpi:10.0f} "
              f"{mpi / threads:11.2f} {share:9.1%} {msgs / threads:12.2f} "
              f"{msgs_share:9.1%} {results['mpi'][0]['gradient_mb']:8.2f}")


if __name__ == "__main__":
    main()
