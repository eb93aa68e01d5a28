"""Build seqcore's one extension module, seqcore._kernels.

The portable C sources are compiled with the extension's own flags. Each
ISA-specific micro-kernel file gets its own -m flags and nothing else does,
so the module imports on any x86-64 CPU and picks its kernels at run time.
OpenMP is used when a probe program compiles and links with it; otherwise
the build goes on serially, with a warning.
"""
import os
import platform
import shutil
import tempfile
import warnings

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

PORTABLE_SOURCES = [
    "csrc/cpu.c",
    "csrc/cpu_cache.c",
    "csrc/kernels_generic.c",
    "csrc/kernels_avx2.c",
    "csrc/kernels_avx512.c",
    "csrc/peak.c",
    "csrc/scratch.c",
    "csrc/array_cache.c",
    "csrc/activations.c",
    "csrc/activations_generic.c",
    "csrc/optim_rows_generic.c",
    "csrc/conv.c",
    "csrc/dropout.c",
    "csrc/batchnorm.c",
    "csrc/conv_pool.c",
    "csrc/conv_routed.c",
    "csrc/conv_routed_generic.c",
    "csrc/conv_thin_generic.c",
    "csrc/winograd.c",
    "csrc/winograd_generic.c",
    "csrc/loss.c",
    "csrc/pool.c",
    "csrc/optim.c",
    "csrc/optim_per_variable.c",
    "csrc/reduce.c",
    "csrc/embedding.c",
    "csrc/lstm.c",
    "csrc/gru.c",
    "csrc/simple_rnn.c",
    "csrc/rnn_common.c",
    "csrc/rnn_train.c",
    "csrc/gemm/kernels.c",
    "csrc/gemm/blocking.c",
    "csrc/gemm/macro.c",
    "csrc/gemm/packed.c",
    "csrc/gemm/pack.c",
    "csrc/gemm/ukernel_ref.c",
    "csrc/gemm/dgemm.c",
    "csrc/depthwise.c",
    "csrc/depthwise_generic.c",
]

# x86-64 only: each file with the flags of the one ISA it targets.
X86_ISA_SOURCES = {
    "csrc/activations_avx2.c": ["-mavx2", "-mfma"],
    "csrc/activations_avx512.c": ["-mavx512f", "-mavx2", "-mfma"],
    "csrc/conv_routed_avx2.c": ["-mavx2", "-mfma"],
    "csrc/conv_routed_avx512.c": ["-mavx512f", "-mavx2", "-mfma"],
    "csrc/conv_thin_avx2.c": ["-mavx2", "-mfma"],
    "csrc/conv_thin_avx512.c": ["-mavx512f", "-mavx2", "-mfma"],
    "csrc/winograd_avx2.c": ["-mavx2", "-mfma"],
    "csrc/winograd_avx512.c": ["-mavx512f", "-mavx2", "-mfma"],
    "csrc/depthwise_avx2.c": ["-mavx2", "-mfma"],
    "csrc/depthwise_avx512.c": ["-mavx512f", "-mavx2", "-mfma"],
    "csrc/peak_avx2.c": ["-mavx2", "-mfma"],
    "csrc/optim_rows_avx2.c": ["-mavx2", "-mfma", "-ffp-contract=off"],
    "csrc/optim_rows_avx512.c": ["-mavx512f", "-mavx2", "-mfma",
                                 "-ffp-contract=off"],
    "csrc/peak_avx512.c": ["-mavx512f", "-mavx2", "-mfma"],
    "csrc/gemm/ukernel_avx2_6x16.c": ["-mavx2", "-mfma"],
    "csrc/gemm/ukernel_avx512_8x32.c": ["-mavx512f", "-mavx2", "-mfma"],
}

# -fno-trapping-math lets gcc vectorize branch-free float selects (clamps in
# exp, the ReLU family); results and NaN propagation are unchanged.
COMMON_FLAGS = ["-O3", "-fno-strict-aliasing", "-fno-trapping-math",
                "-fno-math-errno"]

# SEQCORE_SANITIZE=address (or undefined, or address,undefined) builds the
# kernels with those sanitizers, for development only: see
# docs/development.md for how to run the tests under them.
SANITIZERS = ("address", "undefined")


def sanitize_flags():
    """The -fsanitize flags SEQCORE_SANITIZE asks for ([] when unset)."""
    wanted = [name.strip() for name in
              os.environ.get("SEQCORE_SANITIZE", "").split(",")
              if name.strip()]
    unknown = [name for name in wanted if name not in SANITIZERS]
    if unknown:
        raise SystemExit(f"SEQCORE_SANITIZE: unknown sanitizer(s) {unknown}; "
                         f"expected a comma-separated list of {SANITIZERS}")
    if not wanted:
        return []
    return [f"-fsanitize={','.join(wanted)}", "-fno-omit-frame-pointer",
            "-fno-sanitize-recover=all", "-g"]


OPENMP_PROBE = r"""
#include <omp.h>
#include <stdio.h>
int main(void) {
    int n = 0;
    #pragma omp parallel reduction(+ : n)
    n += 1;
    printf("%d\n", n + omp_get_max_threads() * 0);
    return 0;
}
"""


def is_x86_64():
    return platform.machine().lower() in ("x86_64", "amd64")


class BuildExt(build_ext):
    def build_extensions(self):
        openmp_flags = self._openmp_flags()
        self.sanitize = sanitize_flags()
        for ext in self.extensions:
            ext.extra_compile_args += COMMON_FLAGS + openmp_flags + \
                self.sanitize
            ext.extra_link_args += openmp_flags + self.sanitize
            if is_x86_64():
                ext.define_macros.append(("SC_HAVE_X86_KERNELS", "1"))
                ext.extra_objects += self._compile_isa_sources(ext)
        super().build_extensions()

    def _compile_isa_sources(self, ext):
        objects = []
        for source, isa_flags in X86_ISA_SOURCES.items():
            objects += self.compiler.compile(
                [source],
                output_dir=self.build_temp,
                macros=ext.define_macros,
                include_dirs=ext.include_dirs,
                extra_postargs=COMMON_FLAGS + isa_flags + self.sanitize,
            )
        return objects

    def _openmp_flags(self):
        """['-fopenmp'] when the compiler builds and links an OpenMP program."""
        flags = ["-fopenmp"]
        tmp = tempfile.mkdtemp(prefix="seqcore-openmp-")
        try:
            source = os.path.join(tmp, "probe.c")
            with open(source, "w") as f:
                f.write(OPENMP_PROBE)
            objects = self.compiler.compile([source], output_dir=tmp,
                                            extra_postargs=flags)
            self.compiler.link_executable(objects, "probe", output_dir=tmp,
                                          extra_postargs=flags)
            return flags
        except Exception as exc:  # CompileError, LinkError, missing headers
            warnings.warn(
                "seqcore: the C compiler cannot build OpenMP programs "
                f"({exc.__class__.__name__}); building the kernels "
                "single-threaded. Install libgomp (or libomp for clang) "
                "and reinstall for multicore speed.")
            return []
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


extension = Extension(
    "seqcore._kernels",
    sources=["seqcore/_kernels.pyx"] + PORTABLE_SOURCES,
    include_dirs=["csrc", numpy.get_include()],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
)

setup(
    ext_modules=cythonize([extension], language_level=3),
    cmdclass={"build_ext": BuildExt},
)
