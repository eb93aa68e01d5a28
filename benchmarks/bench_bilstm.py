"""Bidirectional LSTM side by side: seqcore, PyTorch (CPU) and Keras 3 on JAX.

    python benchmarks/bench_bilstm.py [--threads 1 2] [--rounds 3]
        [--torch-python PATH] [--keras-python PATH] [--isa avx2]

The model: Embedding(10000, 128) -> Bidirectional(LSTM(64)) -> Dense(1),
sequences of 80 token ids, batch 64. Inference: one forward pass of a
batch (predict_on_batch; PyTorch under no_grad). Training: one step of
Adam on binary cross-entropy (train_on_batch; a plain PyTorch step).

Each figure comes from its own worker process (the three engines' thread
pools never share a process), bound to the first N CPUs of this process's
affinity mask (os.sched_setaffinity before any import; also
OMP_NUM_THREADS=N, torch.set_num_threads(N)), warmed up, then timed over
about a second of steps: the worker's figure is its median step. Rounds
alternate the engines' order; the table gives the median over rounds, in
milliseconds per batch, and seqcore's speed ratio to each peer (theirs /
ours: above 1, seqcore is faster). PyTorch and Keras/JAX are
benchmark-only peers run with other interpreters (--torch-python,
--keras-python); a peer whose interpreter is missing is skipped.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

BATCH, STEPS, VOCAB, EMBED, UNITS = 64, 80, 10000, 128, 64
WORKER_SECONDS = 1.0


def _data():
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCAB, (BATCH, STEPS)).astype("int32")
    y = rng.integers(0, 2, (BATCH, 1)).astype("float32")
    return x, y


def _keras_like(keras):
    layers = keras.layers
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((STEPS,), dtype="int32"),
        layers.Embedding(VOCAB, EMBED),
        layers.Bidirectional(layers.LSTM(UNITS)),
        layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def _seqcore_steps(mode):
    import seqcore as keras
    model = _keras_like(keras)
    x, y = _data()
    if mode == "inference":
        return lambda: model.predict_on_batch(x)
    return lambda: model.train_on_batch(x, y)


def _keras_steps(mode):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    model = _keras_like(keras)
    x, y = _data()
    if mode == "inference":
        return lambda: model.predict_on_batch(x)
    return lambda: model.train_on_batch(x, y)


def _torch_steps(mode, threads):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(VOCAB, EMBED)
            self.lstm = nn.LSTM(EMBED, UNITS, batch_first=True,
                                bidirectional=True)
            self.dense = nn.Linear(2 * UNITS, 1)

        def forward(self, ids):
            _, (h, _) = self.lstm(self.embed(ids))
            return self.dense(torch.cat([h[0], h[1]], dim=1))

    net = Net()
    x, y = _data()
    xt, yt = torch.from_numpy(x).long(), torch.from_numpy(y)
    if mode == "inference":
        net.eval()

        def infer():
            with torch.no_grad():
                return torch.sigmoid(net(xt))
        return infer
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(net(xt), yt)
        loss.backward()
        opt.step()
        return loss
    return step


def worker(engine, mode, threads):
    """Time one engine in this process; print its median step (ms)."""
    cpus = sorted(os.sched_getaffinity(0))[:threads]
    os.sched_setaffinity(0, cpus)
    if engine == "seqcore":
        import seqcore
        seqcore.set_num_threads(threads)
        step = _seqcore_steps(mode)
    elif engine == "keras-jax":
        step = _keras_steps(mode)
    else:
        step = _torch_steps(mode, threads)
    for _ in range(3):
        step()
    times = []
    start = time.perf_counter()
    while len(times) < 5 or time.perf_counter() - start < WORKER_SECONDS:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"ms": 1000 * statistics.median(times),
                      "steps": len(times)}))


def _run_worker(python, engine, mode, threads, isa):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), KERAS_BACKEND="jax",
               XLA_FLAGS="--xla_cpu_multi_thread_eigen="
                         f"{'true' if threads > 1 else 'false'}")
    if isa:
        env["SEQCORE_ISA"] = isa
    out = subprocess.run(
        [python, os.path.abspath(__file__), "--worker", engine, "--mode",
         mode, "--threads", str(threads)],
        env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"{engine} {mode} worker failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])["ms"]


def _cpu_description():
    model, flags = platform.processor(), ""
    try:
        lines = subprocess.run(["lscpu"], capture_output=True,
                               text=True).stdout.splitlines()
        for line in lines:
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
            if line.startswith("Flags:"):
                have = set(line.split(":", 1)[1].split())
                flags = " ".join(f for f in ("avx2", "fma", "avx512f",
                                             "avx512bw", "avx512vl")
                                 if f in have)
    except OSError:
        pass
    return model, flags


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modes", nargs="+",
                        default=["inference", "training"])
    parser.add_argument("--torch-python", default="/work/venv-rnn-torch/bin/python")
    parser.add_argument("--keras-python", default="/work/venv-peer/bin/python")
    parser.add_argument("--isa", default=None,
                        help="SEQCORE_ISA for the seqcore workers")
    parser.add_argument("--worker", default=None)
    parser.add_argument("--mode", default=None)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.mode, args.threads[0])
        return
    engines = {"seqcore": sys.executable}
    for name, python in (("pytorch", args.torch_python),
                         ("keras-jax", args.keras_python)):
        if python and os.path.exists(python):
            engines[name] = python
        else:
            print(f"({name} skipped: no interpreter at {python})")
    import seqcore
    model, flags = _cpu_description()
    print(f"CPU: {model}; ISA flags: {flags}; seqcore ISA: "
          f"{args.isa or seqcore.build_info()['isa']}; load average "
          f"{os.getloadavg()[0]:.1f} at start")
    figures = {}
    order = list(engines)
    for r in range(args.rounds):
        order = order[1:] + order[:1]
        for threads in args.threads:
            for mode in args.modes:
                for engine in order:
                    ms = _run_worker(engines[engine], engine, mode, threads,
                                     args.isa if engine == "seqcore" else None)
                    figures.setdefault((threads, mode, engine), []).append(ms)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print(f"\nms per batch of {BATCH} (median of {args.rounds} rounds)")
    head = f"{'threads':>7} {'mode':<10}" + "".join(
        f"{e:>12}" for e in engines) + "".join(
        f"{'vs ' + e:>16}" for e in engines if e != "seqcore")
    print(head)
    for threads in args.threads:
        for mode in args.modes:
            med = {e: statistics.median(figures[(threads, mode, e)])
                   for e in engines}
            row = f"{threads:>7} {mode:<10}" + "".join(
                f"{med[e]:>12.1f}" for e in engines) + "".join(
                f"{med[e] / med['seqcore']:>15.2f}x" for e in engines
                if e != "seqcore")
            print(row)


if __name__ == "__main__":
    main()
