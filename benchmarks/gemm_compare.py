"""seqcore's GEMM side by side with numpy.matmul (OpenBLAS), in one run.

    python benchmarks/gemm_compare.py [--rounds 7] [--threads 1 2]

Prints GFLOP/s of each, and seqcore / numpy, for square sizes and the
network shapes (M, K, N) of dense and convolution layers, at each thread
count; every figure is the median of --rounds alternating blocks.
"""
import argparse
import platform

import numpy as np

import seqcore
from seqcore import _kernels

from _timing import blas_threads, compare

SQUARE = [(n, n, n) for n in (256, 512, 1024, 2048)]
NETWORK = [(32, 784, 256), (128, 784, 256), (128, 256, 128), (1, 784, 256),
           (64, 288, 64), (4096, 288, 32), (128, 512, 2048)]


def gflops(m, k, n, seconds):
    return 2.0 * m * k * n / seconds / 1e9


def run(shapes, threads, rounds):
    rng = np.random.default_rng(0)
    rows = []
    for nthreads in threads:
        seqcore.set_num_threads(nthreads)
        with blas_threads(nthreads):
            for m, k, n in shapes:
                a = rng.standard_normal((m, k)).astype(np.float32)
                b = rng.standard_normal((k, n)).astype(np.float32)
                c = np.empty((m, n), np.float32)
                t = compare({
                    "seqcore": lambda: _kernels.gemm(a, b, c),
                    "numpy": lambda: np.matmul(a, b, out=c),
                }, rounds=rounds if m * k * n < 1e9 else max(3, rounds // 2))
                rows.append((nthreads, (m, k, n), gflops(m, k, n, t["seqcore"]),
                             gflops(m, k, n, t["numpy"]),
                             t["numpy"] / t["seqcore"]))
                print(f"{nthreads:>7}  {str((m, k, n)):<20} "
                      f"{rows[-1][2]:>8.1f} {rows[-1][3]:>8.1f} "
                      f"{rows[-1][4]:>7.2f}x", flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--shapes", choices=["all", "square", "network"],
                        default="all")
    args = parser.parse_args()
    shapes = {"all": SQUARE + NETWORK, "square": SQUARE,
              "network": NETWORK}[args.shapes]
    info = seqcore.build_info()
    print(f"seqcore {info['version']} (isa={info['isa']}, "
          f"openmp={info['openmp']}), numpy {np.__version__}, "
          f"{platform.processor() or platform.machine()}")
    print(f"{'threads':>7}  {'(M, K, N)':<20} {'seqcore':>8} {'numpy':>8} "
          f"{'ratio':>8}   (GFLOP/s, median of {args.rounds})")
    run(shapes, args.threads, args.rounds)


if __name__ == "__main__":
    main()
