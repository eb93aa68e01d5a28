"""seqcore's GEMM side by side with numpy.matmul (OpenBLAS), in one run.

    python benchmarks/gemm_compare.py [--rounds 5] [--threads 1 2]
                                      [--shapes all|square|network]
                                      [--stat median|best] [--paired]

Prints GFLOP/s of each, and seqcore / numpy, for square sizes and the
network shapes (M, K, N) of dense and convolution layers, at each thread
count. Each measurement runs in its own worker process (OpenBLAS's and
OpenMP's threads in one process disturb each other, which no user running
one of them would see); rounds alternate between the libraries, and a
figure is the median over rounds of each worker's median call time
(--stat best: the fastest call of any round). --paired (1 thread) times
both libraries in one worker, call by call in turn, so that a slowdown of
a shared machine hits both alike.

To race the AVX2 path like for like on a CPU with AVX-512, pin both:
`SEQCORE_ISA=avx2 OPENBLAS_CORETYPE=Haswell python benchmarks/gemm_compare.py`
(numpy's OpenBLAS picks its kernels at run time; the workers inherit both).
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


def _operands(m, k, n):
    import numpy as np
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    return a, b, np.empty((m, n), np.float32)


def _call(library, a, b, c):
    import numpy as np
    if library == "seqcore":
        from seqcore import _kernels
        return lambda: _kernels.gemm(a, b, c)
    return lambda: np.matmul(a, b, out=c)


def worker(library, m, k, n):
    """Print the median and the fastest seconds of one C = A @ B, as JSON.
    library "paired" times seqcore and numpy in this one process, call by
    call in turn, and prints each one's median: at one thread their pools
    do not meet, and a slowdown of the machine hits both alike."""
    a, b, c = _operands(m, k, n)
    libraries = ["seqcore", "numpy"] if library == "paired" else [library]
    fns = {lib: _call(lib, a, b, c) for lib in libraries}
    times = {lib: [] for lib in libraries}
    for _ in range(3):
        for fn in fns.values():
            fn()
    start = time.perf_counter()
    while time.perf_counter() - start < WORKER_SECONDS * len(fns) or \
            min(len(t) for t in times.values()) < 3:
        for lib, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[lib].append(time.perf_counter() - t0)
    if library == "paired":
        print(json.dumps({lib: statistics.median(t)
                          for lib, t in times.items()}))
        return
    print(json.dumps({"seconds": statistics.median(times[library]),
                      "best_seconds": min(times[library])}))


def run_worker(library, shape, threads, stat="median"):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads))
    out = subprocess.run(
        [sys.executable, __file__, "--worker", library] +
        [str(d) for d in shape], env=env, capture_output=True, text=True,
        check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if library == "paired":
        return result
    return result["best_seconds" if stat == "best" else "seconds"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--shapes", choices=["all", "square", "network"],
                        default="all")
    parser.add_argument("--stat", choices=["median", "best"],
                        default="median",
                        help="best: each worker's fastest call and the "
                             "fastest round (steadier when other work "
                             "shares the cores, which only slows calls)")
    parser.add_argument("--paired", action="store_true",
                        help="one worker per round times both libraries "
                             "call by call in turn (1 thread only; "
                             "steadiest on a shared machine)")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.paired and args.threads != [1]:
        parser.error("--paired times both libraries in one process: "
                     "use it with --threads 1")
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
          f"openmp={info['openmp']}), numpy {np.__version__} "
          f"(OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'auto')}), "
          f"{platform.processor() or platform.machine()}")
    print(f"{'threads':>7}  {'(M, K, N)':<20} {'seqcore':>8} {'numpy':>8} "
          f"{'ratio':>8}   (GFLOP/s, {args.stat} of {args.rounds} rounds)")
    pick = min if args.stat == "best" else statistics.median
    for threads in args.threads:
        for shape in shapes:
            samples = {"seqcore": [], "numpy": []}
            for _ in range(args.rounds):
                if args.paired:
                    pair = run_worker("paired", shape, threads)
                    for library in samples:
                        samples[library].append(pair[library])
                    continue
                for library in samples:
                    samples[library].append(run_worker(library, shape,
                                                       threads, args.stat))
            m, k, n = shape
            flops = 2.0 * m * k * n
            ours = pick(samples["seqcore"])
            theirs = pick(samples["numpy"])
            print(f"{threads:>7}  {str(shape):<20} {flops / ours / 1e9:>8.1f} "
                  f"{flops / theirs / 1e9:>8.1f} {theirs / ours:>7.2f}x",
                  flush=True)


if __name__ == "__main__":
    main()
