"""keras.distribution on MPI (seqcore/distribution/).

Always run: the API on one process (size 1, no mpi4py needed), the
ImportError under a launcher without mpi4py, DataParallel on one process
equal to plain fit bit for bit, the batch split. With mpi4py and mpiexec
(`pip install seqcore[mpi]`): `mpiexec -n 2` jobs of tests/mpi_scripts/
compared with one-process training, two 2-rank runs compared bit for bit,
and faults (a rank that raises, dies, hangs; mismatched ranks) that must
end the job with a clear error, never a hang."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import seqcore as keras
from seqcore.distribution import data_parallel, mpi_backend, state

SCRIPTS = Path(__file__).parent / "mpi_scripts"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_distribution_after():
    yield
    keras.distribution.set_distribution(None)


# ---- one process ------------------------------------------------------------

def test_single_process_is_rank_0_of_1_without_mpi4py():
    code = ("import sys; sys.modules['mpi4py'] = None\n"
            "import seqcore as keras\n"
            "keras.distribution.initialize()\n"
            "print(keras.distribution.list_devices())\n"
            "print(keras.distribution.DataParallel().num_model_replicas)\n")
    env = _clean_env()
    out = subprocess.run([sys.executable, "-c", code], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["['cpu:0']", "1"]


def test_launched_without_mpi4py_raises_import_error_naming_the_extra():
    code = ("import sys; sys.modules['mpi4py'] = None\n"
            "import seqcore as keras\n"
            "keras.distribution.initialize()\n")
    env = _clean_env()
    env.update(PMI_SIZE="2", PMI_RANK="0")
    out = subprocess.run([sys.executable, "-c", code], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "ImportError" in out.stderr
    assert "pip install seqcore[mpi]" in out.stderr


def test_launch_detection_from_the_environment(monkeypatch):
    for name in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_RANK",
                 "OMPI_COMM_WORLD_RANK", "PMIX_RANK"):
        monkeypatch.delenv(name, raising=False)
    assert mpi_backend.launched_size() is None
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "4")
    assert mpi_backend.launched_size() == 4


def test_timeout_from_the_environment(monkeypatch):
    monkeypatch.delenv("SEQCORE_MPI_TIMEOUT", raising=False)
    assert mpi_backend.timeout_seconds() == 60.0
    monkeypatch.setenv("SEQCORE_MPI_TIMEOUT", "2.5")
    assert mpi_backend.timeout_seconds() == 2.5
    monkeypatch.setenv("SEQCORE_MPI_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="SEQCORE_MPI_TIMEOUT.*'soon'"):
        mpi_backend.timeout_seconds()
    monkeypatch.setenv("SEQCORE_MPI_TIMEOUT", "0")
    with pytest.raises(ValueError, match="must be positive"):
        mpi_backend.timeout_seconds()


@pytest.mark.parametrize("n,size,expected", [
    (32, 2, [16, 16]), (11, 2, [6, 5]), (1, 2, [1, 0]), (7, 3, [3, 2, 2]),
    (33, 4, [9, 8, 8, 8])])
def test_last_partial_batch_is_split_as_evenly_as_possible(n, size, expected):
    assert data_parallel.split_counts(n, size) == expected


def test_api_names_and_errors():
    dist = keras.distribution
    assert dist.list_devices() == ["cpu:0"]
    assert dist.get_device_count() == 1
    with pytest.raises(ValueError, match="device_type='gpu'"):
        dist.list_devices("gpu")
    mesh = dist.DeviceMesh((1,), ["batch"])
    assert mesh.devices.tolist() == ["cpu:0"]
    with pytest.raises(ValueError, match="Shape does not match"):
        dist.DeviceMesh((2,), ["batch"])
    with pytest.raises(ValueError, match="same size"):
        dist.DeviceMesh((1,), ["batch", "model"])
    dp = dist.DataParallel(device_mesh=mesh)
    assert dp.batch_dim_name == "batch" and dp.num_model_replicas == 1
    with pytest.raises(ValueError, match="DeviceMesh"):
        dist.DataParallel(device_mesh="cpu:0")
    layout_map = dist.LayoutMap(mesh)
    layout_map[".*dense.*kernel"] = (None, "batch")
    assert layout_map["dense_1/kernel"].axes == (None, "batch")
    assert layout_map["conv/kernel"] is None
    with pytest.raises(NotImplementedError, match="DataParallel only"):
        dist.ModelParallel(layout_map=layout_map)
    with pytest.raises(ValueError, match="received 'data'"):
        dist.set_distribution("data")
    assert dist.distribution() is None
    dist.set_distribution(dp)
    assert dist.distribution() is dp
    with pytest.raises(ValueError, match="num_processes=2 but the MPI job "
                                         "has 1 ranks"):
        dist.initialize(num_processes=2)


def _train(distribute, kind):
    keras.distribution.set_distribution(
        keras.distribution.DataParallel() if distribute else None)
    keras.utils.set_random_seed(3)
    rng = np.random.default_rng(0)
    if kind == "cnn":
        x = rng.standard_normal((45, 8, 8, 2)).astype(np.float32)
        model = keras.Sequential([
            keras.Input((8, 8, 2)), keras.layers.Conv2D(4, 3),
            keras.layers.BatchNormalization(), keras.layers.Flatten(),
            keras.layers.Dropout(0.3), keras.layers.Dense(3,
                                                          "softmax")])
    else:
        x = rng.standard_normal((45, 6)).astype(np.float32)
        model = keras.Sequential([keras.Input((6,)),
                                  keras.layers.Dense(5, "relu"),
                                  keras.layers.Dense(3, "softmax")])
    y = rng.integers(0, 3, 45)
    model.compile("adam", "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0,
                        validation_split=0.2)
    return model.get_weights(), history.history, model.predict(x, verbose=0)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_data_parallel_on_one_process_equals_plain_fit_bitwise(kind):
    plain = _train(False, kind)
    distributed = _train(True, kind)
    for a, b in zip(plain[0], distributed[0]):
        assert a.tobytes() == b.tobytes()
    assert plain[1] == distributed[1]
    assert plain[2].tobytes() == distributed[2].tobytes()


# ---- MPI jobs ---------------------------------------------------------------

def _mpiexec():
    """mpiexec next to this Python (the `mpich` wheel's), else on PATH;
    skips when mpi4py or mpiexec is missing."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        pytest.skip("mpi4py is not installed (pip install seqcore[mpi])")
    local = Path(sys.executable).parent / "mpiexec"
    found = str(local) if local.exists() else shutil.which("mpiexec")
    if found is None:
        pytest.skip("no mpiexec (pip install mpich, or apt-get install "
                    "mpich)")
    return found


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PMI_", "PMIX_", "OMPI_", "HYDRA_"))}
    env.update(OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))
    env.update(extra)
    return env


def _run(args, ranks=None, timeout=120, **env):
    command = ([_mpiexec(), "-n", str(ranks)] if ranks else []) + \
        [sys.executable] + [str(a) for a in args]
    return subprocess.run(command, env=_clean_env(**env),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """{'one': one process, 'two': 2 ranks, 'again': 2 ranks again}."""
    _mpiexec()
    folder = tmp_path_factory.mktemp("mpi")
    results = {}
    for name, ranks in (("one", None), ("two", 2), ("again", 2)):
        path = folder / f"{name}.npz"
        out = _run([SCRIPTS / "train_models.py", path], ranks)
        assert out.returncode == 0, out.stderr[-3000:]
        results[name] = dict(np.load(path))
    return results


CASES = ["mlp_sgd", "mlp_adam", "cnn_sgd", "cnn_adam"]


@pytest.fixture(scope="module")
def overlapped(tmp_path_factory):
    """2 ranks with the overlap on and 512-byte buckets (the small models'
    gradients then go in several allreduces issued during backward), and 2
    ranks with it off."""
    _mpiexec()
    folder = tmp_path_factory.mktemp("mpi_overlap")
    results = {}
    for name, env in (("buckets", {"SEQCORE_MPI_BUCKET_BYTES": "512",
                                   "SEQCORE_MPI_OVERLAP": "1"}),
                      ("off", {"SEQCORE_MPI_OVERLAP": "0"}),
                      ("messages", {"SEQCORE_MPI_SHARED": "0"})):
        path = folder / f"{name}.npz"
        out = _run([SCRIPTS / "train_models.py", path], 2, **env)
        assert out.returncode == 0, out.stderr[-3000:]
        results[name] = dict(np.load(path))
    return results


def test_the_reduction_paths_change_no_bit(trained, overlapped):
    # One machine: by default the gradients go through shared memory
    # (node_reduce.py) without overlap; SEQCORE_MPI_SHARED=0 sends them as
    # one MPI allreduce; SEQCORE_MPI_OVERLAP=1 as buckets issued during
    # backward. The ranks' rows here are even, so the weights are powers
    # of two and all three sum to the same bits.
    two, buckets, off, messages = trained["two"], overlapped["buckets"], \
        overlapped["off"], overlapped["messages"]
    assert int(two["early_buckets"]) == 0 == int(off["early_buckets"])
    assert int(buckets["early_buckets"]) > 0
    assert int(two["shared_steps"]) > 0 and int(off["shared_steps"]) > 0
    assert int(messages["shared_steps"]) == 0 == int(buckets["shared_steps"])
    # SGD and Adam are elementwise: through shared memory every step's
    # update is split over the ranks, with the bits of the full update
    assert int(two["shared_updates"]) == int(two["shared_steps"])
    for key in two:
        if key not in ("early_buckets", "shared_steps", "shared_updates"):
            assert buckets[key].tobytes() == two[key].tobytes(), key
            assert off[key].tobytes() == two[key].tobytes(), key
            assert messages[key].tobytes() == two[key].tobytes(), key


def test_jobs_ran_with_the_expected_sizes(trained):
    assert int(trained["one"]["size"]) == 1
    assert int(trained["two"]["size"]) == 2


@pytest.mark.parametrize("case", CASES)
def test_two_ranks_equal_one_process_at_the_same_global_batch(trained, case):
    one, two = trained["one"], trained["two"]
    names = sorted(k for k in one if k.startswith(f"{case}/w"))
    assert names
    for name in names:
        a, b = one[name], two[name]
        assert a.shape == b.shape
        scale = max(float(np.max(np.abs(a))), 1e-6)
        assert float(np.max(np.abs(a - b))) / scale < 1e-5, name
    for key in [k for k in one if k.startswith(f"{case}/history/")]:
        np.testing.assert_allclose(two[key], one[key], rtol=1e-5,
                                   err_msg=key)
    assert {k for k in one if k.startswith(f"{case}/history/")} == \
        {k for k in two if k.startswith(f"{case}/history/")}
    np.testing.assert_allclose(two[f"{case}/predict"], one[f"{case}/predict"],
                               rtol=1e-4, atol=1e-6)


def test_two_rank_runs_are_bitwise_identical(trained):
    two, again = trained["two"], trained["again"]
    assert sorted(two) == sorted(again)
    for key in two:
        assert two[key].tobytes() == again[key].tobytes(), key


@pytest.mark.parametrize("case", CASES + ["mlp_adam_bn"])
def test_predict_gathers_every_rank_in_order(trained, case):
    two = trained["two"]
    assert two[f"{case}/predict"].shape[0] == 203
    np.testing.assert_array_equal(two[f"{case}/predict"],
                                  two[f"{case}/predict_local"])


def test_batch_norm_and_dropout_differ_from_one_process_but_agree_on_ranks(
        trained):
    # BatchNormalization normalizes with each rank's local batch (Keras's
    # data-parallel semantics) and dropout masks differ per rank: the
    # 2-rank result is not the 1-process one, yet the script checked that
    # every rank holds the same weights bit for bit.
    one, two = trained["one"], trained["two"]
    for prefix in ("mlp_adam_bn/w0", "dropout/w0"):
        assert not np.allclose(one[prefix], two[prefix], rtol=1e-5)
    draws = two["dropout_draws"]
    assert draws.shape == (2, 4) and not np.array_equal(draws[0], draws[1])
    moving_variance = [k for k in two if k.startswith("mlp_adam_bn/w")][5]
    assert np.all(two[moving_variance] > 0)


@pytest.mark.parametrize("mode,expected", [
    ("raise", "RuntimeError raised on this rank"),
    ("stuck", "did not complete within 3 s (SEQCORE_MPI_TIMEOUT)"),
    ("kill", None),
    ("mismatch_model", "number of parameters is 65 on rank 0 but 73 on "
                       "rank 1"),
    ("mismatch_data", "dataset length (samples) is 64 on rank 0 but 63 on "
                      "rank 1"),
    ("no_shared", "set SEQCORE_MPI_SHARED=0 to reduce through MPI messages"),
])
def test_a_failing_rank_ends_the_job_with_a_clear_error(mode, expected):
    out = _run([SCRIPTS / "faults.py", mode], 2, timeout=60,
               SEQCORE_MPI_TIMEOUT="3")
    assert out.returncode != 0
    assert "finished" not in out.stdout
    if expected is not None:
        assert expected in out.stderr, out.stderr[-3000:]


def test_stop_on_one_rank_stops_all_and_only_rank_0_prints_and_writes(
        tmp_path):
    out = _run([SCRIPTS / "faults.py", "stop", tmp_path], 2, timeout=60)
    assert out.returncode == 0, out.stderr[-3000:]
    # 64 samples / batch 8 = 8 steps per epoch: both ranks stop at the 11th
    assert "finished rank 0 after 11 steps" in out.stdout
    assert "finished rank 1 after 11 steps" in out.stdout
    assert out.stdout.count("Epoch 1/2") == 1      # rank 0's progress only
    assert out.stdout.count("Epoch 2/2") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "log0.csv", "rank0.weights.h5"]


@pytest.mark.parametrize("bucket_bytes", [None, "8"])
def test_a_rank_without_rows_in_a_batch_still_takes_part(tmp_path,
                                                         bucket_bytes):
    # with 8-byte buckets the rank without rows issues the buckets the
    # others issued during backward, in the same order
    env = {"SEQCORE_MPI_BUCKET_BYTES": bucket_bytes,
           "SEQCORE_MPI_OVERLAP": "1"} if bucket_bytes else {}
    results = {}
    for name, ranks in (("one", None), ("two", 2)):
        path = tmp_path / f"{name}.npz"
        out = _run([SCRIPTS / "empty_shard.py", path], ranks, timeout=60,
                   **env)
        assert out.returncode == 0, out.stderr[-3000:]
        results[name] = np.load(path)
    one, two = results["one"], results["two"]
    np.testing.assert_allclose(two["weights"], one["weights"], rtol=1e-5,
                               atol=1e-7)
    for key in ("loss", "accuracy", "evaluate", "predict"):
        np.testing.assert_allclose(two[key], one[key], rtol=1e-5,
                                   err_msg=key)
    assert two["predict"].shape == (1, 3)


def _one_shared_messages(tmp_path, script):
    """The script's results in one process, on 3 ranks through shared
    memory and on 3 ranks through MPI messages."""
    results = []
    for name, ranks, env in (("one", None, {}), ("shared", 3, {}),
                             ("messages", 3, {"SEQCORE_MPI_SHARED": "0"})):
        path = tmp_path / f"{name}.npz"
        out = _run([SCRIPTS / script, path], ranks, timeout=90, **env)
        assert out.returncode == 0, out.stderr[-3000:]
        results.append(np.load(path))
    return results


def _assert_trained_alike(one, others, keys):
    """`keys` within 1e-5 of the largest value of one's, and the losses
    within 1e-5 relative: uneven rows make the ranks' weighted mean round
    differently from one process's, and the two paths from each other."""
    for other in others:
        for key in keys:
            scale = float(np.max(np.abs(one[key])))
            assert float(np.max(np.abs(other[key] - one[key]))) / scale < \
                1e-5, key
        np.testing.assert_allclose(other["loss"], one["loss"], rtol=1e-5)


def test_shared_memory_reduction_with_uneven_shards_and_a_new_arena(
        tmp_path):
    one, shared, messages = _one_shared_messages(tmp_path,
                                                 "shared_reduce.py")
    # 2 fits x 2 epochs x 4 steps, all through the window on one machine
    assert int(shared["shared_steps"]) == 16
    assert int(messages["shared_steps"]) == 0
    _assert_trained_alike(one, (shared, messages), ("weights",))


def test_updates_split_over_ranks_through_shared_memory(tmp_path):
    # AdamW with a weight-decay boundary inside the last rank's share,
    # fitted with global_clipnorm (not elementwise: each rank updates its
    # own copy), clipvalue (split), global_clipnorm, then clipvalue with a
    # frozen layer (a new arena, a new window); then apply_gradients
    one, shared, messages = _one_shared_messages(tmp_path,
                                                 "shared_update.py")
    # 4 fits x 2 epochs x 4 steps; the clipvalue fits' updates split over
    # the ranks
    assert int(shared["shared_steps"]) == 32
    assert int(shared["shared_updates"]) == 16
    assert int(messages["shared_updates"]) == 0
    _assert_trained_alike(one, (shared, messages), ("weights", "optimizer"))


def test_ranks_with_empty_chunks_keep_the_rules_running_state(tmp_path):
    one, shared, messages = _one_shared_messages(tmp_path, "tiny_nadam.py")
    assert int(shared["shared_updates"]) == 8      # the fit's steps
    _assert_trained_alike(one, (shared, messages), ("weights",))


def test_batch_logs_wanted_on_some_ranks_only(tmp_path):
    # rank 0's progress bar, or the last rank's batch-log reader, makes
    # every rank sum the logs at every batch (the ranks agree at each
    # epoch's start, else they would wait on each other's sums); a fit
    # nobody reads batch logs of sums them once per epoch
    for name, ranks in (("one", None), ("two", 2)):
        out = _run([SCRIPTS / "batch_logs.py", tmp_path / name], ranks,
                   timeout=60)
        assert out.returncode == 0, out.stderr[-3000:]
    one = np.load(tmp_path / "one0.npz")
    first, last = (np.load(tmp_path / f"two{rank}.npz") for rank in (0, 1))
    assert first["seen"].size == 0 and last["seen"].size == 8
    np.testing.assert_allclose(last["seen"], one["seen"], rtol=1e-5)
    for rank in (first, last):
        for key in ("loss", "accuracy", "evaluated"):
            np.testing.assert_allclose(rank[key], one[key], rtol=1e-5,
                                       err_msg=key)
        assert int(rank["log_sums"]) == 2       # once per epoch
    assert int(one["log_sums"]) == 2


@pytest.mark.parametrize("raw", ["yes", "2", ""])
def test_shared_memory_setting_is_validated(monkeypatch, raw):
    from seqcore.distribution import data_parallel
    monkeypatch.setenv("SEQCORE_MPI_SHARED", raw)
    with pytest.raises(ValueError, match="SEQCORE_MPI_SHARED must be 0, 1 "
                                         f"or auto, received {raw!r}"):
        data_parallel._shared_setting()


def test_two_models_trained_in_turn_keep_one_window_each(tmp_path):
    results = {}
    for name, ranks in (("one", None), ("two", 2)):
        path = tmp_path / f"{name}.npz"
        out = _run([SCRIPTS / "two_models.py", path], ranks, timeout=60)
        assert out.returncode == 0, out.stderr[-3000:]
        results[name] = np.load(path)
    one, two = results["one"], results["two"]
    assert int(two["windows"]) == 2 and int(two["replaced"]) == 0
    for key in ("first", "second"):
        np.testing.assert_allclose(two[key], one[key], rtol=1e-5, atol=1e-6)
