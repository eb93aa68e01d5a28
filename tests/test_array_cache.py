"""The array cache (csrc/array_cache.c, seqcore/engine/array_cache.py):
numpy's allocator while a model runs, reusing large freed blocks."""
import os
import subprocess
import sys

import numpy as np
import pytest

import seqcore as keras
from seqcore import _kernels
from seqcore.engine import array_cache

MIB = 1 << 20


@pytest.fixture
def cached():
    """numpy allocating through the cache, from an empty cache with a
    64 MiB limit; restored afterwards."""
    _kernels.array_cache_clear()
    _kernels.array_cache_set_limit(64 * MIB)
    previous = _kernels.array_cache_use()
    yield
    _kernels.array_cache_restore(previous)
    _kernels.array_cache_clear()
    _kernels.array_cache_set_limit(array_cache.default_limit_bytes())


def _delta(before):
    after = _kernels.array_cache_stats()
    return {k: after[k] - before[k] for k in ("fresh", "reused", "released")}


def test_a_freed_large_block_is_reused_zeroed_and_aligned(cached):
    a = np.full(3 * MIB // 4, 7.0, np.float32)     # 3 MiB
    address = a.ctypes.data
    before = _kernels.array_cache_stats()
    del a
    assert _kernels.array_cache_stats()["parked_bytes"] >= 3 * MIB
    b = np.zeros(3 * MIB // 4, np.float32)
    assert b.ctypes.data == address and b.ctypes.data % 64 == 0
    assert not b.any()                      # calloc zeroes a reused block
    assert _delta(before) == {"fresh": 0, "reused": 1, "released": 0}


def test_small_arrays_and_much_smaller_requests_do_not_take_a_block(cached):
    big = np.ones(4 * MIB // 4, np.float32)
    del big
    before = _kernels.array_cache_stats()
    small = np.ones(1000, np.float32)          # under 1 MiB: plain malloc
    half = np.ones(2 * MIB // 4, np.float32)   # would waste half the block
    assert _delta(before) == {"fresh": 1, "reused": 0, "released": 0}
    assert small.sum() == 1000 and half.sum() == 2 * MIB // 4


def test_the_parked_total_stays_under_the_limit_oldest_released_first(cached):
    blocks = [np.ones(20 * MIB // 4, np.float32) for _ in range(4)]
    addresses = [b.ctypes.data for b in blocks]
    before = _kernels.array_cache_stats()
    for i in range(4):
        blocks[i] = None                     # parked in order 0, 1, 2, 3
    stats = _kernels.array_cache_stats()
    assert stats["parked_bytes"] <= 64 * MIB
    assert _delta(before)["released"] == 1   # block 0 made room for 3
    again = [np.empty(20 * MIB // 4, np.float32) for _ in range(3)]
    assert sorted(a.ctypes.data for a in again) == sorted(addresses[1:])
    _kernels.array_cache_set_limit(0)
    del again
    assert _kernels.array_cache_stats()["parked_bytes"] == 0


def test_resize_keeps_contents_through_realloc(cached):
    a = np.arange(MIB, dtype=np.float32)       # 4 MiB
    a.resize(2 * MIB, refcheck=False)
    np.testing.assert_array_equal(a[:MIB], np.arange(MIB, dtype=np.float32))
    a.resize(MIB // 8, refcheck=False)
    np.testing.assert_array_equal(a, np.arange(MIB // 8, dtype=np.float32))


def test_arrays_outlive_the_scope_and_the_scope_is_restored():
    before = np._core.multiarray.get_handler_name() \
        if hasattr(np, "_core") else np.core.multiarray.get_handler_name()
    previous = _kernels.array_cache_use()
    a = np.ones(2 * MIB, np.float32)
    _kernels.array_cache_restore(previous)
    now = np._core.multiarray.get_handler_name() \
        if hasattr(np, "_core") else np.core.multiarray.get_handler_name()
    assert now == before
    assert a.sum() == 2 * MIB
    del a                                    # freed by the cache's own free


def _conv_model():
    model = keras.Sequential([keras.Input((64, 64, 3)),
                              keras.layers.Conv2D(64, 3, padding="same"),
                              keras.layers.BatchNormalization(),
                              keras.layers.ReLU(),
                              keras.layers.Conv2D(8, 1),
                              keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_steady_state_predict_and_fit_take_no_fresh_large_blocks():
    keras.backend.clear_session()
    model = _conv_model()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 64, 64, 3)).astype(np.float32)
    y = rng.standard_normal((32, 3)).astype(np.float32)
    expected = model.predict(x, batch_size=32, verbose=0)
    before = _kernels.array_cache_stats()
    for _ in range(3):
        out = model.predict(x, batch_size=32, verbose=0)
    np.testing.assert_array_equal(out, expected)
    delta = _delta(before)
    assert delta["fresh"] == 0 and delta["reused"] > 0
    for _ in range(2):        # the first steps build buffers and optimizer
        model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    before = _kernels.array_cache_stats()
    model.fit(x, y, batch_size=32, epochs=2, verbose=0)
    assert _delta(before)["fresh"] == 0
    keras.backend.clear_session()
    assert _kernels.array_cache_stats()["parked_bytes"] == 0


def test_the_limit_comes_from_the_environment_and_bad_values_are_refused():
    code = ("from seqcore import _kernels; import seqcore; "
            "print(_kernels.array_cache_stats()['limit_bytes'])")
    env = dict(os.environ, SEQCORE_ARRAY_CACHE_BYTES="12345")
    out = subprocess.run([sys.executable, "-c", code], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "12345"
    env["SEQCORE_ARRAY_CACHE_BYTES"] = "lots"
    out = subprocess.run([sys.executable, "-c", code], env=env,
                         capture_output=True, text=True)
    assert out.returncode != 0
    assert "SEQCORE_ARRAY_CACHE_BYTES must be a non-negative integer" in \
        out.stderr and "'lots'" in out.stderr
