"""seqcore side by side with PyTorch (CPU) on the issue-16 convolutions.

    python benchmarks/conv_compare.py [--threads 1 2] [--rounds 5]
                                      [--only inference|training]

Two models, inference (samples/s, one forward call per batch) and training
(samples/s, one epoch of fit() / a plain PyTorch loop, Adam, MSE, after a
warm-up epoch):

- mobilenet: a MobileNet-style block on 56x56x32 images, batch 32:
  DepthwiseConv2D(3x3, same, relu) then a pointwise Conv2D(64, 1x1, relu).
- autoencoder: a Conv2DTranspose autoencoder on 28x28x1 images, batch 64:
  Conv2D(16, 3, s2, relu), Conv2D(32, 3, s2, relu),
  Conv2DTranspose(16, 3, s2, relu), Conv2DTranspose(1, 3, s2, sigmoid).

Each measurement runs in a fresh worker process (two OpenMP runtimes in one
process disturb each other); rounds alternate between the engines; a figure
is the median over rounds of each worker's median. Both engines get the
same thread binding (OMP_PROC_BIND=spread, OMP_PLACES=cores). PyTorch takes
its native NCHW layout. PyTorch is a benchmark-only peer, never a seqcore
dependency; without it only seqcore's figures are printed.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

MODELS = {"mobilenet": ((56, 56, 32), 32, 8),   # shape, batch, batches/epoch
          "autoencoder": ((28, 28, 1), 64, 16)}
WORKER_SECONDS = 1.0


def _data(name, batches=1):
    import numpy as np
    shape, batch, _ = MODELS[name]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch * batches,) + shape).astype(np.float32)
    if name == "autoencoder":
        return x, 1 / (1 + np.exp(-x))
    return x, rng.standard_normal(x.shape[:3] + (64,)).astype(np.float32)


def _seqcore_model(name):
    import seqcore as keras
    layers = keras.layers
    shape = MODELS[name][0]
    if name == "mobilenet":
        body = [layers.DepthwiseConv2D(3, padding="same", activation="relu"),
                layers.Conv2D(64, 1, activation="relu")]
    else:
        body = [layers.Conv2D(16, 3, strides=2, padding="same",
                              activation="relu"),
                layers.Conv2D(32, 3, strides=2, padding="same",
                              activation="relu"),
                layers.Conv2DTranspose(16, 3, strides=2, padding="same",
                                       activation="relu"),
                layers.Conv2DTranspose(1, 3, strides=2, padding="same",
                                       activation="sigmoid")]
    return keras.Sequential([keras.Input(shape)] + body)


def _torch_model(name):
    import torch
    nn = torch.nn
    if name == "mobilenet":
        return nn.Sequential(nn.Conv2d(32, 32, 3, padding=1, groups=32),
                             nn.ReLU(), nn.Conv2d(32, 64, 1), nn.ReLU())
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1),
        nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1),
        nn.Sigmoid())


def _nchw(a):
    import numpy as np
    import torch
    return torch.from_numpy(np.ascontiguousarray(a.transpose(0, 3, 1, 2)))


def inference_fn(engine, name, threads):
    x, _ = _data(name)
    if engine == "torch":
        import torch
        torch.set_num_threads(threads)
        model = _torch_model(name).eval()
        tx = _nchw(x)

        def run():
            with torch.inference_mode():
                return model(tx)
        return run
    import seqcore
    seqcore.set_num_threads(threads)
    model = _seqcore_model(name)
    return lambda: model(x)


def training_fn(engine, name, threads):
    _, batch, steps = MODELS[name]
    x, y = _data(name, steps)
    if engine == "torch":
        import torch
        torch.set_num_threads(threads)
        model = _torch_model(name)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        tx, ty = _nchw(x), _nchw(y)
        loss_fn = torch.nn.MSELoss()

        def epoch():
            for i in range(steps):
                part = slice(i * batch, (i + 1) * batch)
                opt.zero_grad()
                loss_fn(model(tx[part]), ty[part]).backward()
                opt.step()
        return epoch
    import seqcore
    seqcore.set_num_threads(threads)
    model = _seqcore_model(name)
    model.compile(seqcore.optimizers.Adam(1e-3), "mse")
    return lambda: model.fit(x, y, batch_size=batch, epochs=1, verbose=0,
                             shuffle=False)


def worker(mode, engine, name, threads):
    """Print the median seconds of one call (inference) or epoch, JSON."""
    fn = (inference_fn if mode == "inference" else training_fn)(
        engine, name, threads)
    fn()
    fn()
    times, start = [], time.perf_counter()
    while time.perf_counter() - start < WORKER_SECONDS or len(times) < 3:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": statistics.median(times)}))


def run_worker(mode, engine, name, threads, isa):
    env = dict(os.environ)
    env.setdefault("OMP_PROC_BIND", "spread")
    env.setdefault("OMP_PLACES", "cores")
    if isa:
        env["SEQCORE_ISA"] = isa
    out = subprocess.run(
        [sys.executable, __file__, "--worker", mode, engine, name,
         str(threads)], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def _cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=["inference", "training"])
    parser.add_argument("--isa", help="SEQCORE_ISA for the seqcore workers")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        mode, engine, name, threads = args.worker
        worker(mode, engine, name, int(threads))
        return
    import seqcore
    try:
        import torch
        engines, peer = ["seqcore", "torch"], torch.__version__
    except ImportError:
        engines, peer = ["seqcore"], "not installed"
    info = seqcore.build_info()
    isa = args.isa or info["isa"]
    print(f"seqcore {info['version']} (ISA {isa}), torch {peer}, "
          f"{_cpu_model()}; median of {args.rounds} interleaved rounds; "
          f"samples/s, ratio = seqcore / torch")
    print(f"{'threads':>7}  {'benchmark':<34}" +
          "".join(f"{e:>10}" for e in engines) + f"{'ratio':>8}")
    modes = [args.only] if args.only else ["inference", "training"]
    for threads in args.threads:
        for mode in modes:
            for name, (_, batch, steps) in MODELS.items():
                samples = {e: [] for e in engines}
                for _ in range(args.rounds):
                    for engine in engines:
                        samples[engine].append(run_worker(
                            mode, engine, name, threads,
                            args.isa if engine == "seqcore" else None))
                n = batch if mode == "inference" else batch * steps
                rate = {e: n / statistics.median(v)
                        for e, v in samples.items()}
                ratio = f"{rate['seqcore'] / rate['torch']:.2f}x" \
                    if "torch" in rate else ""
                label = f"{name} {mode}, batch {batch}"
                print(f"{threads:>7}  {label:<34}" +
                      "".join(f"{rate[e]:>10.0f}" for e in engines) +
                      f"{ratio:>8}", flush=True)


if __name__ == "__main__":
    main()
