"""seqcore side by side with PyTorch (CPU) on the reference models.

    python benchmarks/compare.py [--threads 1 2] [--rounds 5] [--no-bind]

Inference throughput (samples/s, batches of 64) for the MLP 784-256-128-10,
the CNN Conv2D(32,3)-MaxPool(2)-Conv2D(64,3)-MaxPool(2)-Flatten-Dense(128)-
Dense(10) on 28x28x1, and Embedding(10000,128)-LSTM(128)-Dense(1) on
sequences of 80; plus the single-sample latency of `model(x)` for the MLP.
A peer that is not installed is skipped.

Each measurement runs in a fresh worker process: two OpenMP runtimes in one
process disturb each other (one pins the main thread, the other's workers
then share its core), which no user running one engine would see. Rounds
alternate between the engines; a figure is the median over rounds of each
worker's median call time. Both engines get the same thread binding
(OMP_PROC_BIND=spread, OMP_PLACES=cores) unless --no-bind is given.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

BATCH = 64
BENCHMARKS = [("mlp", BATCH), ("cnn", BATCH), ("lstm", BATCH), ("mlp", 1)]
WORKER_SECONDS = 1.0


# ---- worker: build one model in one engine and time it ----------------------

def _inputs(name, batch):
    import numpy as np
    rng = np.random.default_rng(0)
    if name == "mlp":
        return rng.standard_normal((batch, 784)).astype(np.float32)
    if name == "cnn":
        return rng.standard_normal((batch, 28, 28, 1)).astype(np.float32)
    return rng.integers(0, 10000, (batch, 80)).astype(np.int32)


def _seqcore_fn(name, batch, threads):
    import seqcore
    from seqcore import layers
    seqcore.set_num_threads(threads)
    if name == "mlp":
        model = seqcore.Sequential([
            seqcore.Input(shape=(784,)), layers.Dense(256, activation="relu"),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax")])
    elif name == "cnn":
        model = seqcore.Sequential([
            seqcore.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Flatten(), layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax")])
    else:
        model = seqcore.Sequential([
            seqcore.Input(shape=(80,), dtype="int32"),
            layers.Embedding(10000, 128), layers.LSTM(128),
            layers.Dense(1, activation="sigmoid")])
    x = _inputs(name, batch)
    return lambda: model(x)


def _torch_fn(name, batch, threads):
    import numpy as np
    import torch
    nn = torch.nn
    torch.set_num_threads(threads)

    class LSTMNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10000, 128)
            self.lstm = nn.LSTM(128, 128, batch_first=True)
            self.out = nn.Linear(128, 1)

        def forward(self, x):
            _, (h, _) = self.lstm(self.emb(x))
            return torch.sigmoid(self.out(h[-1]))

    if name == "mlp":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(),
                              nn.Linear(256, 128), nn.ReLU(),
                              nn.Linear(128, 10), nn.Softmax(dim=1))
    elif name == "cnn":
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(32, 64, 3), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(1600, 128), nn.ReLU(),
                              nn.Linear(128, 10), nn.Softmax(dim=1))
    else:
        model = LSTMNet()
    model.eval()
    x = _inputs(name, batch)
    if name == "cnn":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    tx = torch.from_numpy(x.astype(np.int64) if name == "lstm" else x)

    def run():
        with torch.inference_mode():
            return model(tx)
    return run


def worker(engine, name, batch, threads):
    """Print the median seconds per call, as JSON."""
    fn = (_seqcore_fn if engine == "seqcore" else _torch_fn)(name, batch,
                                                             threads)
    for _ in range(3):
        fn()
    times, start = [], time.perf_counter()
    while time.perf_counter() - start < WORKER_SECONDS or len(times) < 5:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": statistics.median(times)}))


# ---- driver -----------------------------------------------------------------

def run_worker(engine, name, batch, threads, bind):
    env = dict(os.environ)
    if bind:
        env.setdefault("OMP_PROC_BIND", "spread")
        env.setdefault("OMP_PLACES", "cores")
    out = subprocess.run(
        [sys.executable, __file__, "--worker", engine, name, str(batch),
         str(threads)], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-bind", action="store_true",
                        help="leave OpenMP thread placement to the OS")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine, name, batch, threads = args.worker
        worker(engine, name, int(batch), int(threads))
        return
    import seqcore
    try:
        import torch
        engines = ["seqcore", "torch"]
        torch_version = torch.__version__
    except ImportError:
        engines, torch_version = ["seqcore"], "not installed"
    info = seqcore.build_info()
    print(f"seqcore {info['version']} ({info['isa']}), torch {torch_version}, "
          f"{platform.machine()}, thread binding "
          f"{'off' if args.no_bind else 'spread over cores'}, "
          f"median of {args.rounds} rounds")
    print(f"{'threads':>7}  {'benchmark':<36}{'seqcore':>12}{'torch':>12}"
          f"{'ratio':>8}")
    for threads in args.threads:
        for name, batch in BENCHMARKS:
            samples = {e: [] for e in engines}
            for _ in range(args.rounds):
                for engine in engines:
                    samples[engine].append(run_worker(
                        engine, name, batch, threads, not args.no_bind))
            secs = {e: statistics.median(v) for e, v in samples.items()}
            if batch == 1:
                label = f"{name} single-sample latency (us)"
                vals = {e: s * 1e6 for e, s in secs.items()}
                ratio = secs.get("torch", 0) / secs["seqcore"]
            else:
                label = f"{name} inference, batch {batch} (samples/s)"
                vals = {e: batch / s for e, s in secs.items()}
                ratio = secs.get("torch", 0) / secs["seqcore"]
            peer = vals.get("torch")
            print(f"{threads:>7}  {label:<36}{vals['seqcore']:>12.1f}"
                  f"{(peer if peer is not None else float('nan')):>12.1f}"
                  f"{(f'{ratio:.2f}x' if peer is not None else ''):>8}",
                  flush=True)


if __name__ == "__main__":
    main()
