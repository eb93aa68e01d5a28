"""seqcore side by side with PyTorch (CPU) on the reference models.

    python benchmarks/compare.py [--threads 1 2] [--rounds 5] [--no-bind]
                                  [--only inference|training|fashion]

Inference throughput (samples/s, batches of 64) for the MLP 784-256-128-10,
the CNN Conv2D(32,3)-MaxPool(2)-Conv2D(64,3)-MaxPool(2)-Flatten-Dense(128)-
Dense(10) on 28x28x1, Embedding(10000,128)-LSTM(128)-Dense(1) on
sequences of 80 and its GRU variant (GRU(128), Keras's reset_after=True,
which is what PyTorch's GRU computes); plus the single-sample latency of `model(x)` for the MLP.
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
BENCHMARKS = [("mlp", BATCH), ("cnn", BATCH), ("lstm", BATCH), ("gru", BATCH),
              ("mlp", 1)]
RECURRENT = ("lstm", "gru")
WORKER_SECONDS = 1.0
# Training: (model, batch size, batches per epoch); Adam, one epoch timed
# after a warm-up epoch, random data of the model's shapes.
TRAINING = [("mlp", 128, 40), ("cnn", 64, 16), ("lstm", 64, 6),
            ("gru", 64, 6)]


# ---- worker: build one model in one engine and time it ----------------------

def _inputs(name, batch):
    import numpy as np
    rng = np.random.default_rng(0)
    if name == "mlp":
        return rng.standard_normal((batch, 784)).astype(np.float32)
    if name == "cnn":
        return rng.standard_normal((batch, 28, 28, 1)).astype(np.float32)
    return rng.integers(0, 10000, (batch, 80)).astype(np.int32)


def _keras_like_model(keras, name):
    """The reference model in seqcore or Keras 3 (same API)."""
    layers = keras.layers
    if name == "mlp":
        return keras.Sequential([
            keras.Input(shape=(784,)), layers.Dense(256, activation="relu"),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax")])
    if name == "cnn":
        return keras.Sequential([
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Flatten(), layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax")])
    recurrent = layers.LSTM(128) if name == "lstm" else layers.GRU(128)
    return keras.Sequential([
        keras.Input(shape=(80,), dtype="int32"),
        layers.Embedding(10000, 128), recurrent,
        layers.Dense(1, activation="sigmoid")])


def _seqcore_fn(name, batch, threads):
    import seqcore
    seqcore.set_num_threads(threads)
    model = _keras_like_model(seqcore, name)
    x = _inputs(name, batch)
    return lambda: model(x)


def _targets(name, n):
    import numpy as np
    rng = np.random.default_rng(1)
    if name in RECURRENT:
        return rng.integers(0, 2, (n, 1)).astype(np.float32)
    return rng.integers(0, 10, n)


def _loss_name(name):
    return "binary_crossentropy" if name in RECURRENT else \
        "sparse_categorical_crossentropy"


def _keras_train_fn(module, name, batch, steps):
    """One epoch of fit() (seqcore or Keras 3), Adam."""
    model = _keras_like_model(module, name)
    model.compile(module.optimizers.Adam(), _loss_name(name))
    x, y = _inputs(name, batch * steps), _targets(name, batch * steps)
    return lambda: model.fit(x, y, batch_size=batch, epochs=1, verbose=0,
                             shuffle=False)


def _torch_train_fn(name, batch, steps, threads):
    import numpy as np
    import torch
    torch.set_num_threads(threads)
    model = _torch_model(name, softmax=False)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    x = _inputs(name, batch * steps)
    if name == "cnn":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    tx = torch.from_numpy(x.astype(np.int64) if name in RECURRENT else x)
    y = _targets(name, batch * steps)
    ty = torch.from_numpy(y if name in RECURRENT else y.astype(np.int64))
    loss_fn = torch.nn.BCEWithLogitsLoss() if name in RECURRENT else \
        torch.nn.CrossEntropyLoss()

    def epoch():
        for i in range(steps):
            xb, yb = tx[i * batch:(i + 1) * batch], ty[i * batch:(i + 1) * batch]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
    return epoch


def _torch_model(name, softmax=True):
    import torch
    nn = torch.nn

    class RecurrentNet(nn.Module):
        def __init__(self, cell):
            super().__init__()
            self.emb = nn.Embedding(10000, 128)
            self.rnn = cell(128, 128, batch_first=True)
            self.out = nn.Linear(128, 1)

        def forward(self, x):
            _, state = self.rnn(self.emb(x))
            h = state[0] if isinstance(state, tuple) else state
            out = self.out(h[-1])
            return torch.sigmoid(out) if softmax else out

    # Training feeds logits to the fused losses (as a PyTorch user would).
    head = [nn.Softmax(dim=1)] if softmax else []
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(),
                             nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10), *head)
    if name == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(1600, 128), nn.ReLU(),
                             nn.Linear(128, 10), *head)
    return RecurrentNet(nn.LSTM if name == "lstm" else nn.GRU)


def _torch_fn(name, batch, threads):
    import numpy as np
    import torch
    torch.set_num_threads(threads)
    model = _torch_model(name)
    model.eval()
    x = _inputs(name, batch)
    if name == "cnn":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    tx = torch.from_numpy(x.astype(np.int64) if name in RECURRENT else x)

    def run():
        with torch.inference_mode():
            return model(tx)
    return run


def fashion_worker(engine, threads):
    """Train the guides' CNN on Fashion-MNIST (3 epochs, Adam, batch 128) and
    print the fit seconds and test accuracy, as JSON."""
    import numpy as np
    import seqcore
    (x, y), (xt, yt) = seqcore.datasets.fashion_mnist.load_data()
    x = x[..., None].astype(np.float32) / 255.0
    xt = xt[..., None].astype(np.float32) / 255.0
    if engine == "torch":
        import torch
        nn = torch.nn
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(32, 64, 3), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5),
                              nn.Linear(1600, 10))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        tx = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        ty = torch.from_numpy(y.astype(np.int64))
        loss_fn = nn.CrossEntropyLoss()
        start = time.perf_counter()
        for _ in range(3):
            model.train()
            order = torch.randperm(len(tx))
            for i in range(0, len(tx), 128):
                idx = order[i:i + 128]
                opt.zero_grad()
                loss_fn(model(tx[idx]), ty[idx]).backward()
                opt.step()
        seconds = time.perf_counter() - start
        model.eval()
        with torch.inference_mode():
            pred = model(torch.from_numpy(np.ascontiguousarray(
                xt.transpose(0, 3, 1, 2)))).argmax(1).numpy()
        accuracy = float((pred == yt).mean())
    else:
        module = seqcore
        if engine == "keras":
            import keras as module
        else:
            seqcore.set_num_threads(threads)
        module.utils.set_random_seed(0)
        layers = module.layers
        model = module.Sequential([
            module.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Flatten(), layers.Dropout(0.5),
            layers.Dense(10, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(x, y, batch_size=128, epochs=3, verbose=0)
        seconds = time.perf_counter() - start
        accuracy = float(model.evaluate(xt, yt, verbose=0)[1])
    print(json.dumps({"seconds": seconds, "accuracy": accuracy}))


def fashion_table(threads_list, rounds, bind):
    """Each engine's fit seconds (median over rounds, the engines taking
    turns) and test accuracy. Keras-JAX, at minutes a run, runs once."""
    engines = ["seqcore"] + [e for e, m in (("torch", "torch"),
                                            ("keras", "jax")) if _installed(m)]
    print(f"\nFashion-MNIST, CNN of the guides, 3 epochs, Adam, batch 128: "
          f"fit wall-clock (s, median of {rounds} rounds; Keras once) / test "
          f"accuracy")
    print(f"{'threads':>7}" + "".join(f"{e:>20}" for e in engines) +
          f"{'ratio':>8}")
    for threads in threads_list:
        seconds = {e: [] for e in engines}
        accuracy = {}
        for r in range(rounds):
            for engine in engines:
                if engine == "keras" and r > 0:
                    continue
                out = subprocess.run(
                    [sys.executable, __file__, "--fashion-worker", engine,
                     str(threads)], env=worker_env(engine, threads, bind),
                    capture_output=True, text=True, check=True)
                result = json.loads(out.stdout.strip().splitlines()[-1])
                seconds[engine].append(result["seconds"])
                accuracy.setdefault(engine, result["accuracy"])
        median = {e: statistics.median(v) for e, v in seconds.items()}
        peers = [v for e, v in median.items() if e != "seqcore"]
        ratio = f"{min(peers) / median['seqcore']:.2f}x" if peers else ""
        print(f"{threads:>7}" + "".join(
            f"{f'{median[e]:.1f} s / {accuracy[e]:.4f}':>20}"
            for e in engines) + f"{ratio:>8}", flush=True)


def train_worker(engine, name, batch, threads):
    """Print the seconds of one training epoch after a warm-up, as JSON."""
    steps = dict((n, s) for n, _, s in TRAINING)[name]
    if engine == "torch":
        fn = _torch_train_fn(name, batch, steps, threads)
    elif engine == "keras":
        import keras
        fn = _keras_train_fn(keras, name, batch, steps)
    else:
        import seqcore
        seqcore.set_num_threads(threads)
        fn = _keras_train_fn(seqcore, name, batch, steps)
    fn()
    times, cpu = [], []
    for _ in range(2):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    # cpu_seconds: the process's CPU time (all its threads), which other
    # processes sharing the cores inflate far less than wall time
    print(json.dumps({"seconds": min(times), "cpu_seconds": min(cpu),
                      "best_seconds": min(times)}))


def _keras_fn(name, batch, threads):
    """Keras 3 inference as its users run a batch: predict_on_batch (the
    compiled predict function)."""
    import keras
    model = _keras_like_model(keras, name)
    x = _inputs(name, batch)
    return lambda: model.predict_on_batch(x)


def worker(engine, name, batch, threads):
    """Print the median (and fastest) seconds per call, as JSON."""
    fn = {"seqcore": _seqcore_fn, "torch": _torch_fn,
          "keras": _keras_fn}[engine](name, batch, threads)
    for _ in range(3):
        fn()
    times, cpu, start = [], [], time.perf_counter()
    while time.perf_counter() - start < WORKER_SECONDS or len(times) < 5:
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(json.dumps({"seconds": statistics.median(times),
                      "cpu_seconds": statistics.median(cpu),
                      "best_seconds": min(times)}))


# ---- driver -----------------------------------------------------------------

def worker_env(engine, threads, bind):
    """The environment of a worker: the same OpenMP binding for every
    engine, and Keras on JAX (single-threaded XLA at 1 thread)."""
    env = dict(os.environ)
    if bind:
        env.setdefault("OMP_PROC_BIND", "spread")
        env.setdefault("OMP_PLACES", "cores")
    if engine == "keras":
        env["KERAS_BACKEND"] = "jax"
        if threads == 1:
            env["XLA_FLAGS"] = ("--xla_cpu_multi_thread_eigen=false "
                                "intra_op_parallelism_threads=1")
    return env


def run_worker(engine, name, batch, threads, bind, mode="inference"):
    env = worker_env(engine, threads, bind)
    flag = "--worker" if mode == "inference" else "--train-worker"
    out = subprocess.run(
        [sys.executable, __file__, flag, engine, name, str(batch),
         str(threads)], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def _installed(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def training_table(threads_list, rounds, bind):
    engines = ["seqcore"] + [e for e, m in (("torch", "torch"),
                                            ("keras", "jax")) if _installed(m)]
    print("\ntraining throughput, Adam, one epoch after a warm-up "
          "(samples/s; ratio = seqcore / fastest peer)")
    print(f"{'threads':>7}  {'model':<18}" +
          "".join(f"{e:>12}" for e in engines) + f"{'ratio':>8}")
    for threads in threads_list:
        for name, batch, steps in TRAINING:
            samples = {e: [] for e in engines}
            for _ in range(rounds):
                for engine in engines:
                    samples[engine].append(run_worker(
                        engine, name, batch, threads, bind, "training"))
            rate = {e: batch * steps / statistics.median(v)
                    for e, v in samples.items()}
            peers = [v for e, v in rate.items() if e != "seqcore"]
            ratio = f"{rate['seqcore'] / max(peers):.2f}x" if peers else ""
            print(f"{threads:>7}  {f'{name} batch {batch}':<18}" +
                  "".join(f"{rate[e]:>12.0f}" for e in engines) +
                  f"{ratio:>8}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-bind", action="store_true",
                        help="leave OpenMP thread placement to the OS")
    parser.add_argument("--only", choices=["inference", "training",
                                           "fashion"],
                        help="run one of the tables")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--train-worker", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--fashion-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fashion_worker:
        fashion_worker(args.fashion_worker[0], int(args.fashion_worker[1]))
        return
    if args.worker:
        engine, name, batch, threads = args.worker
        worker(engine, name, int(batch), int(threads))
        return
    if args.train_worker:
        engine, name, batch, threads = args.train_worker
        train_worker(engine, name, int(batch), int(threads))
        return
    if args.only in (None, "inference"):
        inference_table(args)
    if args.only in (None, "training"):
        training_table(args.threads, args.rounds, not args.no_bind)
    if args.only in (None, "fashion"):
        fashion_table(args.threads, args.rounds, not args.no_bind)


def inference_table(args):
    import seqcore
    try:
        import torch  # noqa: F401
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
