"""keras.applications speed: seqcore against Keras 3 on JAX and PyTorch
(torchvision's same architectures), 224x224 images.

    python benchmarks/bench_applications.py [--threads 1 2] [--rounds 3]
        [--models ResNet50 MobileNetV2 EfficientNetB0]
        [--keras-python /work/venv-peer/bin/python]
        [--torch-python /path/to/venv-with-torch/bin/python]

Tasks: batch-1 inference latency (ms), batch-32 inference throughput
(images/s), and one training step of the transfer-learning blueprint at
batch 32 (frozen base + Dense(1000) head, Adam; steps/s). Every figure
comes from a fresh worker process of this script (one engine, one model,
one task, one thread count, pinned with taskset to that many cores);
engines take turns within a round, and a figure is the median over rounds
of each worker's median over its repetitions. Weights are random (no
download); the machine may be shared, which the figures then show.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.abspath(__file__)
MODELS = ["ResNet50", "MobileNetV2", "EfficientNetB0"]
TASKS = ["latency_b1", "throughput_b32", "finetune_b32"]
TORCH_NAMES = {"ResNet50": "resnet50", "MobileNetV2": "mobilenet_v2",
               "EfficientNetB0": "efficientnet_b0"}


def _reps(task):
    return {"latency_b1": 5, "throughput_b32": 2, "finetune_b32": 2}[task]


def _time(fn, reps, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _data(batch, channels_first=False):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (batch, 224, 224, 3)).astype(np.float32)
    y = rng.integers(0, 1000, batch)
    return (np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if channels_first
            else x), y


def worker_keraslike(engine, model_name, task, threads):
    if engine == "seqcore":
        import seqcore as keras
        keras.set_num_threads(threads)
    else:
        import keras
    ctor = getattr(keras.applications, model_name)
    batch = 1 if task == "latency_b1" else 32
    x, y = _data(batch)
    if task != "finetune_b32":
        model = ctor(weights=None)
        if engine == "seqcore":
            def fn():
                model(x, training=False)
        else:
            def fn():
                model.predict_on_batch(x)
        return _time(fn, _reps(task))
    base = ctor(weights=None, include_top=False, pooling="avg",
                input_shape=(224, 224, 3))
    base.trainable = False
    model = keras.Sequential([base, keras.layers.Dense(1000)])
    model.compile(optimizer="adam", loss=keras.losses.
                  SparseCategoricalCrossentropy(from_logits=True))

    def step():
        model.train_on_batch(x, y)
    return _time(step, _reps(task))


def _import_torchvision():
    """torchvision's model definitions. With a CPU-only torch wheel and a
    torchvision wheel built for the CUDA torch, torchvision's compiled
    detection ops (nms, roi_align) cannot load and its import fails while
    registering them; the classification models never use them, so that
    registration is skipped."""
    import torch
    register = torch.library.register_fake

    def tolerant(op, *args, **kwargs):
        if isinstance(op, str) and op.startswith("torchvision::"):
            return lambda fn: fn
        return register(op, *args, **kwargs)
    torch.library.register_fake = tolerant
    try:
        import torchvision
    finally:
        torch.library.register_fake = register
    return torchvision


def worker_torch(model_name, task, threads):
    import torch
    torchvision = _import_torchvision()
    torch.set_num_threads(threads)
    batch = 1 if task == "latency_b1" else 32
    x, y = _data(batch, channels_first=True)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    net = getattr(torchvision.models, TORCH_NAMES[model_name])(weights=None)
    if task != "finetune_b32":
        net.eval()

        def fn():
            with torch.inference_mode():
                net(x)
        return _time(fn, _reps(task))
    # frozen base (BN in inference mode) + a trainable Linear(1000) head
    if model_name == "ResNet50":
        features = net.fc.in_features
        net.fc = torch.nn.Identity()
    else:
        features = net.classifier[-1].in_features
        net.classifier = torch.nn.Identity()
    for p in net.parameters():
        p.requires_grad_(False)
    net.eval()
    head = torch.nn.Linear(features, 1000)
    opt = torch.optim.Adam(head.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(head(net(x)), y)
        loss.backward()
        opt.step()
    return _time(step, _reps(task))


def worker(engine, model_name, task, threads):
    if engine == "torch":
        seconds = worker_torch(model_name, task, threads)
    else:
        seconds = worker_keraslike(engine, model_name, task, threads)
    print(json.dumps({"seconds": seconds}))


def _env(engine, threads):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS",
                "OPENBLAS_NUM_THREADS"):
        env[var] = str(threads)
    if engine == "keras":
        env["KERAS_BACKEND"] = "jax"
        if threads == 1:
            env["XLA_FLAGS"] = ("--xla_cpu_multi_thread_eigen=false "
                                "intra_op_parallelism_threads=1")
    return env


def run(python, engine, model_name, task, threads):
    cores = ",".join(str(c) for c in range(threads))
    cmd = ["taskset", "-c", cores, python, HERE, "--worker", engine,
           model_name, task, str(threads)]
    out = subprocess.run(cmd, env=_env(engine, threads), capture_output=True,
                         text=True)
    if out.returncode != 0:
        sys.stderr.write(f"{engine} {model_name} {task} {threads}: failed\n"
                         f"{out.stderr[-2000:]}\n")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def figure(task, seconds):
    if seconds is None:
        return None
    if task == "latency_b1":
        return 1000.0 * seconds              # ms
    if task == "throughput_b32":
        return 32.0 / seconds                # images/s
    return 1.0 / seconds                     # steps/s


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=4, metavar=("ENGINE", "MODEL",
                                                      "TASK", "THREADS"))
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", nargs="+", default=MODELS)
    parser.add_argument("--tasks", nargs="+", default=TASKS)
    parser.add_argument("--keras-python", default="/work/venv-peer/bin/python")
    parser.add_argument("--torch-python", default=None)
    parser.add_argument("--json", default=None,
                        help="also write every figure to this file")
    args = parser.parse_args()
    if args.worker:
        engine, model_name, task, threads = args.worker
        worker(engine, model_name, task, int(threads))
        return
    engines = {"seqcore": sys.executable}
    if args.keras_python and os.path.exists(args.keras_python):
        engines["keras"] = args.keras_python
    if args.torch_python and os.path.exists(args.torch_python):
        engines["torch"] = args.torch_python
    samples = {}
    order = list(engines)
    for r in range(args.rounds):
        turn = order[r % len(order):] + order[:r % len(order)]
        for threads in args.threads:
            for model_name in args.models:
                for task in args.tasks:
                    for engine in turn:
                        s = run(engines[engine], engine, model_name, task,
                                threads)
                        samples.setdefault((threads, model_name, task,
                                            engine), []).append(s)
                        print(f"round {r} {threads}t {model_name} {task} "
                              f"{engine}: {s}", file=sys.stderr, flush=True)
    rows = []
    units = {"latency_b1": "ms (lower is better)",
             "throughput_b32": "images/s", "finetune_b32": "steps/s"}
    print(f"| threads | model | task | " + " | ".join(engines) +
          " | seqcore / best peer |")
    print("|---|---|---|" + "---|" * (len(engines) + 1))
    for threads in args.threads:
        for model_name in args.models:
            for task in args.tasks:
                values = {}
                for engine in engines:
                    got = [s for s in samples.get((threads, model_name, task,
                                                   engine), [])
                           if s is not None]
                    values[engine] = figure(task, statistics.median(got)) \
                        if got else None
                peers = [v for e, v in values.items()
                         if e != "seqcore" and v is not None]
                ratio = None
                if peers and values["seqcore"] is not None:
                    best = min(peers) if task == "latency_b1" else max(peers)
                    ratio = best / values["seqcore"] \
                        if task == "latency_b1" else values["seqcore"] / best
                rows.append({"threads": threads, "model": model_name,
                             "task": task, "unit": units[task],
                             "values": values, "ratio": ratio})
                cells = " | ".join("-" if values[e] is None
                                   else f"{values[e]:.3g}" for e in engines)
                print(f"| {threads} | {model_name} | {task} ({units[task]}) "
                      f"| {cells} | "
                      f"{'-' if ratio is None else f'{ratio:.2f}x'} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
