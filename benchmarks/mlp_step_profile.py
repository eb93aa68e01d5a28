"""Where the time of one MLP training step goes, against the core's peak.

    python benchmarks/mlp_step_profile.py [--steps 200]

The model, data and step are mlp_peak.py's (784-256-128-10, Adam, batch
128, one thread). One epoch runs with the step's parts timed where they
are called: every GEMM (by shape), the optimizer's update, the loss and its
gradient, the loss tracker; "other" is the rest of the step (the layers' and
the executor's Python, bias sums, activation derivatives, the data). The
same GEMMs are then timed again in a loop on warm operands, which is how
fast they run when their data sits in cache. The step cannot reach a larger
share of peak than its GEMMs alone allow ("ceiling"). Timing adds about a
microsecond per wrapped call.
"""
import argparse
import collections
import time

import compare
import mlp_peak

LABELS = {  # (a shape, b shape, trans_a, trans_b) -> what it computes
    ((128, 784), (784, 256), False, False): "dense_1 forward",
    ((128, 256), (256, 128), False, False): "dense_2 forward",
    ((128, 128), (128, 10), False, False): "dense_3 forward",
    ((128, 128), (128, 10), True, False): "dense_3 kernel gradient",
    ((128, 10), (128, 10), False, True): "dense_3 input gradient",
    ((128, 256), (128, 128), True, False): "dense_2 kernel gradient",
    ((128, 128), (256, 128), False, True): "dense_2 input gradient",
    ((128, 784), (128, 256), True, False): "dense_1 kernel gradient",
}


class Timers:
    """Accumulated seconds per label while the wrapped functions run."""

    def __init__(self):
        self.seconds = collections.defaultdict(float)
        self.calls = collections.Counter()
        self.shapes = {}

    def wrap(self, owner, name, label_of):
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                label = label_of(args, kwargs)
                self.seconds[label] += time.perf_counter() - start
                self.calls[label] += 1
        setattr(owner, name, timed)
        return original

    def clear(self):
        self.seconds.clear()
        self.calls.clear()


def gemm_key(args, kwargs):
    a, b = args[0], args[1]
    return (a.shape, b.shape, kwargs.get("trans_a", False),
            kwargs.get("trans_b", False))


def warm_gemm_seconds(gemm, key, repeats=300):
    """The fastest of `repeats` calls of one GEMM shape on warm operands."""
    import numpy as np
    (sa, sb, ta, tb) = key
    rng = np.random.default_rng(0)
    a = rng.standard_normal(sa).astype(np.float32)
    b = rng.standard_normal(sb).astype(np.float32)
    m, n = (sa[1] if ta else sa[0]), (sb[0] if tb else sb[1])
    c = np.empty((m, n), np.float32)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        gemm(a, b, c, trans_a=ta, trans_b=tb)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    import seqcore
    from seqcore import _kernels
    from seqcore.engine import trainer
    from seqcore.metrics import reduction_metrics
    from seqcore.optimizers import base
    seqcore.set_num_threads(1)
    timers = Timers()
    gemm = timers.wrap(_kernels, "gemm",
                       lambda a, k: ("gemm", gemm_key(a, k)))
    timers.wrap(base.Optimizer, "step", lambda a, k: ("optimizer update",))
    timers.wrap(trainer.Trainer, "_loss_and_gradients",
                lambda a, k: ("loss and its gradient",))
    timers.wrap(reduction_metrics.Mean, "update_state",
                lambda a, k: ("loss tracker",))
    fit = compare._keras_train_fn(seqcore, "mlp", 128, args.steps)
    fit()
    timers.clear()
    start = time.perf_counter()
    fit()
    step = (time.perf_counter() - start) / args.steps
    peak = _kernels.fma_peak(0.3)
    flops = 128 * mlp_peak.flops_per_sample()
    print(f"isa={_kernels.current_isa()}, one thread, measured FMA peak "
          f"{peak / 1e9:.1f} GFLOP/s; step {step * 1e6:.0f} us = "
          f"{flops / step / peak:.1%} of peak")
    print(f"{'part':28s} {'in step us':>10s} {'warm us':>8s} "
          f"{'% peak in step':>15s}")
    gemm_total = warm_total = 0.0
    accounted = 0.0
    for label, seconds in sorted(timers.seconds.items(),
                                 key=lambda item: -item[1]):
        per_step = seconds / args.steps
        accounted += per_step
        if label[0] != "gemm":
            print(f"{label[0]:28s} {per_step * 1e6:10.1f}")
            continue
        key = label[1]
        (sa, sb, ta, tb) = key
        m, k = (sa[1], sa[0]) if ta else sa
        n = sb[0] if tb else sb[1]
        warm = warm_gemm_seconds(gemm, key)
        gemm_total += per_step
        warm_total += warm
        print(f"{LABELS.get(key, str(key)):28s} {per_step * 1e6:10.1f} "
              f"{warm * 1e6:8.1f} {2 * m * n * k / per_step / peak:14.0%}")
    print(f"{'other (Python, elementwise)':28s} "
          f"{(step - accounted) * 1e6:10.1f}")
    print(f"GEMMs: {gemm_total * 1e6:.0f} us in the step, "
          f"{warm_total * 1e6:.0f} us warm; ceiling for the step: "
          f"{flops / gemm_total / peak:.1%} of peak "
          f"({flops / warm_total / peak:.1%} with warm operands)")


if __name__ == "__main__":
    main()
