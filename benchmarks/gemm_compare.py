"""seqcore's GEMM side by side with numpy.matmul (OpenBLAS), in one run.

    python benchmarks/gemm_compare.py [--rounds 5] [--threads 1 2]
                                      [--shapes all|square|network]

Prints GFLOP/s of each, and seqcore / numpy, for square sizes and the
network shapes (M, K, N) of dense and convolution layers, at each thread
count. Each measurement runs in its own worker process (OpenBLAS's and
OpenMP's threads in one process disturb each other, which no user running
one of them would see); rounds alternate between the libraries, and a
figure is the median over rounds of each worker's median call time.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

SQUARE = [(n, n, n) for n in (256, 512, 1024, 2048)]
NETWORK = [(32, 784, 256), (128, 784, 256), (128, 256, 128), (1, 784, 256),
           (64, 288, 64), (4096, 288, 32), (128, 512, 2048)]
WORKER_SECONDS = 0.5


def worker(library, m, k, n):
    """Print the median seconds of one C = A @ B, as JSON."""
    import numpy as np
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    c = np.empty((m, n), np.float32)
    if library == "seqcore":
        from seqcore import _kernels
        fn = lambda: _kernels.gemm(a, b, c)  # noqa: E731
    else:
        fn = lambda: np.matmul(a, b, out=c)  # noqa: E731
    for _ in range(3):
        fn()
    times, start = [], time.perf_counter()
    while time.perf_counter() - start < WORKER_SECONDS or len(times) < 3:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": statistics.median(times)}))


def run_worker(library, shape, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads))
    out = subprocess.run(
        [sys.executable, __file__, "--worker", library] +
        [str(d) for d in shape], env=env, capture_output=True, text=True,
        check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--shapes", choices=["all", "square", "network"],
                        default="all")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        library, m, k, n = args.worker
        worker(library, int(m), int(k), int(n))
        return
    import numpy as np

    import seqcore
    shapes = {"all": SQUARE + NETWORK, "square": SQUARE,
              "network": NETWORK}[args.shapes]
    info = seqcore.build_info()
    print(f"seqcore {info['version']} (isa={info['isa']}, "
          f"openmp={info['openmp']}), numpy {np.__version__}, "
          f"{platform.processor() or platform.machine()}")
    print(f"{'threads':>7}  {'(M, K, N)':<20} {'seqcore':>8} {'numpy':>8} "
          f"{'ratio':>8}   (GFLOP/s, median of {args.rounds} rounds)")
    for threads in args.threads:
        for shape in shapes:
            samples = {"seqcore": [], "numpy": []}
            for _ in range(args.rounds):
                for library in samples:
                    samples[library].append(run_worker(library, shape,
                                                       threads))
            m, k, n = shape
            flops = 2.0 * m * k * n
            ours = statistics.median(samples["seqcore"])
            theirs = statistics.median(samples["numpy"])
            print(f"{threads:>7}  {str(shape):<20} {flops / ours / 1e9:>8.1f} "
                  f"{flops / theirs / 1e9:>8.1f} {theirs / ours:>7.2f}x",
                  flush=True)


if __name__ == "__main__":
    main()
