"""seqcore side by side with PyTorch (CPU) on the reference models.

    python benchmarks/compare.py [--threads 1 2] [--rounds 7]

Inference throughput (samples/s of predict-style batched calls, batch 64)
for the MLP 784-256-128-10, the CNN Conv2D(32,3)-MaxPool(2)-Conv2D(64,3)-
MaxPool(2)-Flatten-Dense(128)-Dense(10) on 28x28x1, and Embedding(10000,128)-
LSTM(128)-Dense(1) on sequences of 80; plus the single-sample latency of
`model(x)` for the MLP. A peer that is not installed is skipped. Each figure
is the median of --rounds alternating blocks (see _timing.py).
"""
import argparse
import platform

import numpy as np

import seqcore
from seqcore import layers

from _timing import compare

BATCH = 64


def seqcore_models():
    mlp = seqcore.Sequential([
        seqcore.Input(shape=(784,)), layers.Dense(256, activation="relu"),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax")])
    cnn = seqcore.Sequential([
        seqcore.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax")])
    lstm = seqcore.Sequential([
        seqcore.Input(shape=(80,), dtype="int32"),
        layers.Embedding(10000, 128), layers.LSTM(128),
        layers.Dense(1, activation="sigmoid")])
    return {"mlp": mlp, "cnn": cnn, "lstm": lstm}


def torch_models(torch):
    nn = torch.nn

    class LSTMNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10000, 128)
            self.lstm = nn.LSTM(128, 128, batch_first=True)
            self.out = nn.Linear(128, 1)

        def forward(self, x):
            _, (h, _) = self.lstm(self.emb(x))
            return torch.sigmoid(self.out(h[-1]))

    mlp = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                        nn.ReLU(), nn.Linear(128, 10), nn.Softmax(dim=1))
    cnn = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(),
                        nn.Linear(128, 10), nn.Softmax(dim=1))
    return {"mlp": mlp.eval(), "cnn": cnn.eval(), "lstm": LSTMNet().eval()}


def inputs(rng, batch):
    return {"mlp": rng.standard_normal((batch, 784)).astype(np.float32),
            "cnn": rng.standard_normal((batch, 28, 28, 1)).astype(np.float32),
            "lstm": rng.integers(0, 10000, (batch, 80)).astype(np.int32)}


def torch_inputs(torch, arrays):
    return {"mlp": torch.from_numpy(arrays["mlp"]),
            "cnn": torch.from_numpy(arrays["cnn"].transpose(0, 3, 1, 2).copy()),
            "lstm": torch.from_numpy(arrays["lstm"].astype(np.int64))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
    rng = np.random.default_rng(0)
    ours = seqcore_models()
    batch_x = inputs(rng, BATCH)
    single_x = inputs(rng, 1)
    peers = torch_models(torch) if torch is not None else {}
    info = seqcore.build_info()
    print(f"seqcore {info['version']} ({info['isa']}), "
          f"torch {torch.__version__ if torch else 'not installed'}, "
          f"{platform.machine()}")
    print(f"{'threads':>7}  {'benchmark':<36}{'seqcore':>12}{'torch':>12}"
          f"{'ratio':>8}")
    for nthreads in args.threads:
        seqcore.set_num_threads(nthreads)
        if torch is not None:
            torch.set_num_threads(nthreads)
        rows = []
        for name in ("mlp", "cnn", "lstm"):
            fns = {"seqcore": lambda m=ours[name], x=batch_x[name]: m(x)}
            if torch is not None:
                tx = torch_inputs(torch, batch_x)[name]
                model = peers[name]

                def run_torch(m=model, x=tx):
                    with torch.inference_mode():
                        return m(x)
                fns["torch"] = run_torch
            t = compare(fns, rounds=args.rounds)
            rows.append((f"{name} inference, batch {BATCH} (samples/s)",
                         {k: BATCH / v for k, v in t.items()}, True))
        fns = {"seqcore": lambda: ours["mlp"](single_x["mlp"])}
        if torch is not None:
            tx1 = torch_inputs(torch, single_x)["mlp"]

            def torch_single():
                with torch.inference_mode():
                    return peers["mlp"](tx1)
            fns["torch"] = torch_single
        t = compare(fns, rounds=args.rounds)
        rows.append(("mlp single-sample latency (us)",
                     {k: v * 1e6 for k, v in t.items()}, False))
        for label, vals, higher_better in rows:
            peer = vals.get("torch")
            ratio = "" if peer is None else \
                f"{(vals['seqcore'] / peer if higher_better else peer / vals['seqcore']):.2f}x"
            print(f"{nthreads:>7}  {label:<36}"
                  f"{vals['seqcore']:>12.1f}"
                  f"{(peer if peer is not None else float('nan')):>12.1f}"
                  f"{ratio:>8}", flush=True)


if __name__ == "__main__":
    main()
