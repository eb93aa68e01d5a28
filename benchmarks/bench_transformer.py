"""A transformer encoder block, seqcore side by side with PyTorch (CPU).

    python benchmarks/bench_transformer.py [--threads 1 2] [--rounds 5]
                                           [--batch 32] [--no-bind]

The block: MultiHeadAttention (4 heads of 32, model width d=128,
self-attention) -> LayerNormalization -> Dense(512, relu) -> Dense(128) ->
LayerNormalization, on sequences of 64 tokens, batches of 32. (No residual
additions: seqcore's merging layers are another change; both engines run
the same block.) Inference: samples/s of `model(x)`. Training: samples/s of
one optimizer step (Adam, mean squared error against a random target).

Each measurement runs in a fresh worker process with the same OpenMP
binding for both engines (two OpenMP runtimes in one process disturb each
other); rounds alternate between the engines; a figure is the median over
rounds of each worker's median step time. PyTorch is skipped when it is not
installed.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

SEQ, WIDTH, HEADS, FFN = 64, 128, 4, 512
WORKER_SECONDS = 1.5


def _data(batch):
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, SEQ, WIDTH)).astype(np.float32)
    y = rng.standard_normal((batch, SEQ, WIDTH)).astype(np.float32)
    return x, y


def _median_step(step):
    """Median seconds of step() over about WORKER_SECONDS (after warm-up)."""
    for _ in range(3):
        step()
    times, start = [], time.perf_counter()
    while time.perf_counter() - start < WORKER_SECONDS or len(times) < 5:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _seqcore_step(mode, batch, threads):
    import seqcore as keras
    keras.set_num_threads(threads)
    layers = keras.layers
    inputs = keras.Input((SEQ, WIDTH))
    x = layers.MultiHeadAttention(num_heads=HEADS,
                                  key_dim=WIDTH // HEADS)(inputs, inputs)
    x = layers.LayerNormalization()(x)
    x = layers.Dense(FFN, activation="relu")(x)
    x = layers.Dense(WIDTH)(x)
    outputs = layers.LayerNormalization()(x)
    model = keras.Model(inputs, outputs)
    x, y = _data(batch)
    if mode == "inference":
        return lambda: model(x)
    model.compile(optimizer="adam", loss="mse")
    return lambda: model.train_on_batch(x, y)


def _torch_step(mode, batch, threads):
    import torch
    from torch import nn
    torch.set_num_threads(threads)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = nn.MultiheadAttention(WIDTH, HEADS,
                                                   batch_first=True)
            self.norm1 = nn.LayerNorm(WIDTH, eps=1e-3)
            self.ffn = nn.Sequential(nn.Linear(WIDTH, FFN), nn.ReLU(),
                                     nn.Linear(FFN, WIDTH))
            self.norm2 = nn.LayerNorm(WIDTH, eps=1e-3)

        def forward(self, x):
            a, _ = self.attention(x, x, x, need_weights=False)
            return self.norm2(self.ffn(self.norm1(a)))

    model = Block()
    x, y = (torch.from_numpy(a) for a in _data(batch))
    if mode == "inference":
        model.eval()

        def infer():
            with torch.no_grad():
                return model(x)
        return infer
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()

    def train():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()
    return train


def worker(engine, mode, batch, threads):
    make = _seqcore_step if engine == "seqcore" else _torch_step
    print(json.dumps({"seconds": _median_step(make(mode, batch, threads))}))


def _env(threads, bind):
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(threads)
    if bind:
        env.setdefault("OMP_PROC_BIND", "spread")
        env.setdefault("OMP_PLACES", "cores")
    return env


def run_worker(engine, mode, batch, threads, bind):
    out = subprocess.run(
        [sys.executable, __file__, "--worker", engine, mode, str(batch),
         str(threads)], env=_env(threads, bind), capture_output=True,
        text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def _installed(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def _cpu():
    model, flags = platform.processor() or "?", ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
            if line.startswith("Flags:"):
                have = set(line.split(":", 1)[1].split())
                flags = " ".join(f for f in ("avx2", "fma", "avx512f")
                                 if f in have)
    except OSError:
        pass
    return model, flags


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--no-bind", action="store_true")
    args = parser.parse_args()
    import seqcore
    engines = ["seqcore"] + (["torch"] if _installed("torch") else [])
    model, flags = _cpu()
    versions = f"seqcore {seqcore.__version__}"
    if "torch" in engines:
        import torch
        versions += f", PyTorch {torch.__version__}"
    print(f"CPU: {model} ({flags}); seqcore ISA: "
          f"{seqcore._kernels.current_isa()}; {versions}; "
          f"SEQCORE_ISA={os.environ.get('SEQCORE_ISA', '(auto)')}")
    print(f"transformer block, batch {args.batch} x {SEQ} tokens x {WIDTH}; "
          f"samples/s, median of {args.rounds} interleaved rounds")
    print(f"| threads | mode | seqcore | PyTorch 2.13 | ratio |")
    print(f"|---:|---|---:|---:|---:|")
    for threads in args.threads:
        for mode in ("inference", "training"):
            seconds = {e: [] for e in engines}
            for _ in range(args.rounds):
                for engine in engines:
                    seconds[engine].append(run_worker(
                        engine, mode, args.batch, threads,
                        not args.no_bind))
            speed = {e: args.batch / statistics.median(s)
                     for e, s in seconds.items()}
            torch_speed = speed.get("torch")
            ratio = f"{speed['seqcore'] / torch_speed:.2f}x" \
                if torch_speed else "-"
            torch_text = f"{torch_speed:.1f}" if torch_speed else "-"
            print(f"| {threads} | {mode} | {speed['seqcore']:.1f} | "
                  f"{torch_text} | {ratio} |", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
