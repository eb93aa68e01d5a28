"""Muon, ScheduleFreeAdamW, LossScaleOptimizer, MultiOptimizer/OptimizerMap
and keras.optimizers.legacy against Keras 3.15 (fixtures from
tests/fixtures/make_optimizer_extra_fixtures.py): step by step on fixed
gradients, in `fit`, and through `.keras` files."""
import json
import pathlib
import zipfile

import h5py
import numpy as np
import pytest

import seqcore as keras
from seqcore.engine.variables import Variable

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
DATA = np.load(FIXTURES / "keras_optimizer_extra.npz")
VARIABLES = [("kernel", (5, 3)), ("tall_kernel", (3, 7)), ("bias", (3,)),
             ("embeddings", (6, 2)), ("out_kernel", (4, 2))]
STEPS = 4


def initial_values():
    rng = np.random.default_rng(7)
    return [rng.normal(size=shape).astype(np.float32)
            for _, shape in VARIABLES]


def gradients(step):
    rng = np.random.default_rng(100 + step)
    return [rng.normal(size=shape).astype(np.float32)
            for _, shape in VARIABLES]


def lso_gradients(step):
    grads = gradients(step)
    if step == 1:
        grads[2][0] = np.inf
    if step == 2:
        grads[0][1, 1] = np.nan
    return [g * np.float32(8.0) for g in grads]


def same_config(ours, theirs):
    """Configs equal up to float32 rounding (Keras keeps the learning rate
    in a float32 variable) and the optimizers' names (Keras numbers them
    per session: muon, muon_1, ...)."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and sorted(ours) == sorted(theirs)
        for key in theirs:
            if key != "name":
                same_config(ours[key], theirs[key])
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-6)
    else:
        assert ours == theirs


def fixture_state(case):
    n = sum(1 for k in DATA.files if k.startswith(f"{case}/optimizer_") and
            k.rsplit("_", 1)[1].isdigit())
    return [DATA[f"{case}/optimizer_{i}"] for i in range(n)]


def run_steps(case, optimizer, grads=gradients):
    variables = [Variable(value, name=name) for (name, _), value in
                 zip(VARIABLES, initial_values())]
    for step in range(STEPS):
        optimizer.apply(grads(step), variables)
        for i, v in enumerate(variables):
            np.testing.assert_allclose(
                v.numpy(), DATA[f"{case}/step{step}_{i}"], rtol=1e-5,
                atol=2e-6, err_msg=f"{case}: variable {i} after step {step}")
    state = optimizer.state_values()
    want = fixture_state(case)
    assert len(state) == len(want)
    for i, (got, expected) in enumerate(zip(state, want)):
        assert np.shape(got) == np.shape(expected), i
        np.testing.assert_allclose(np.asarray(got, np.float64), expected,
                                   rtol=1e-5, atol=2e-6, err_msg=str(i))
    return optimizer


STEP_CASES = {
    "muon": lambda: keras.optimizers.Muon(learning_rate=0.01,
                                          exclude_layers=["out"]),
    "muon_plain": lambda: keras.optimizers.Muon(
        learning_rate=0.02, nesterov=False, rms_rate=None, ns_steps=3,
        weight_decay=None, adam_weight_decay=0.01, adam_lr_ratio=0.5,
        exclude_embeddings=False),
    "schedule_free": lambda: keras.optimizers.ScheduleFreeAdamW(
        learning_rate=0.01),
    "schedule_free_warmup": lambda: keras.optimizers.ScheduleFreeAdamW(
        learning_rate=0.02, warmup_steps=3, weight_decay=0.05, beta_1=0.8),
}


@pytest.mark.parametrize("case", sorted(STEP_CASES))
def test_steps_match_keras(case):
    optimizer = run_steps(case, STEP_CASES[case]())
    same_config(optimizer.get_config(),
                json.loads(str(DATA[f"{case}/config"])))


def test_loss_scale_steps_skips_and_scale_match_keras():
    optimizer = keras.optimizers.LossScaleOptimizer(
        keras.optimizers.Adam(learning_rate=0.01), initial_scale=8.0,
        dynamic_growth_steps=2)
    assert float(optimizer.scale_loss(1.5)) == 12.0   # before build
    run_steps("loss_scale", optimizer, lso_gradients)
    # finite, inf (halve), nan (halve), finite: scale 2, counter 1
    assert optimizer.dynamic_scale == 2.0 and optimizer.step_counter == 1
    assert optimizer.iterations == 2      # the inner optimizer's steps
    assert float(optimizer.scale_loss(1.5)) == float(
        DATA["loss_scale/scale_loss"])
    same_config(optimizer.get_config(),
                json.loads(str(DATA["loss_scale/config"])))


def test_loss_scale_grows_after_dynamic_growth_steps():
    v = Variable(np.ones(3, np.float32), name="w")
    optimizer = keras.optimizers.LossScaleOptimizer(
        keras.optimizers.SGD(learning_rate=0.5), initial_scale=4.0,
        dynamic_growth_steps=3)
    scales = []
    for _ in range(7):
        optimizer.apply([np.full(3, optimizer.dynamic_scale or 4.0,
                                 np.float32)], [v])
        scales.append(float(optimizer.dynamic_scale))
    assert scales == [4, 4, 8, 8, 8, 16, 16]
    # every gradient unscaled to 1: seven SGD steps of 0.5
    np.testing.assert_array_equal(v.numpy(), np.full(3, 1 - 7 * 0.5))


def test_muon_newton_schulz_matches_float64_reference():
    x = np.random.default_rng(0).normal(size=(7, 4)).astype(np.float32)
    got = keras.optimizers.Muon().zeropower_via_newtonschulz5(x, 5)
    ref = x.T.astype(np.float64)
    ref = ref / (np.linalg.norm(ref) + 1e-7)
    for _ in range(5):
        a = ref @ ref.T
        ref = 3.4445 * ref + (-4.7750 * a + 2.0315 * a @ a) @ ref
    np.testing.assert_allclose(got, ref.T, rtol=1e-4, atol=1e-5)
    # nearly orthogonal columns: singular values close to 1
    s = np.linalg.svd(got, compute_uv=False)
    assert np.all((s > 0.5) & (s < 1.5))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        keras.optimizers.Muon().zeropower_via_newtonschulz5(np.ones(3), 5)


def test_schedule_free_momentum_starts_at_the_weights():
    v = Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
    optimizer = keras.optimizers.ScheduleFreeAdamW()
    optimizer.build([v])
    np.testing.assert_array_equal(optimizer.state_values()[2], v.numpy())
    np.testing.assert_array_equal(optimizer.state_values()[3], 0.0)


# ---- fit, against Keras ---------------------------------------------------------

def small_model():
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(5, activation="tanh", name="encoder")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, name="head")(hidden))


def data():
    rng = np.random.default_rng(3)
    return (rng.normal(size=(16, 4)).astype(np.float32),
            rng.normal(size=(16, 2)).astype(np.float32))


FIT_CASES = {
    "fit_loss_scale": lambda: keras.optimizers.LossScaleOptimizer(
        keras.optimizers.Adam(learning_rate=0.01), initial_scale=4.0,
        dynamic_growth_steps=3),
    "fit_muon": lambda: keras.optimizers.Muon(learning_rate=0.01),
    "fit_schedule_free": lambda: keras.optimizers.ScheduleFreeAdamW(
        learning_rate=0.01),
    "fit_multi": lambda: keras.optimizers.MultiOptimizer(
        keras.optimizers.OptimizerMap(
            keras.optimizers.SGD(learning_rate=0.05),
            {"encoder/.*": keras.optimizers.Adam(learning_rate=0.01)})),
}


@pytest.mark.parametrize("case", sorted(FIT_CASES))
def test_fit_matches_keras(case):
    model = small_model()
    model.set_weights([DATA[f"{case}/initial_{i}"] for i in range(4)])
    model.compile(optimizer=FIT_CASES[case](), loss="mse")
    x, y = data()
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False,
                        verbose=0)
    np.testing.assert_allclose(history.history["loss"],
                               DATA[f"{case}/loss"], rtol=1e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, DATA[f"{case}/final_{i}"], rtol=1e-5,
                                   atol=1e-6)
    want = fixture_state(case)
    state = model.optimizer.state_values()
    assert len(state) == len(want)
    for got, expected in zip(state, want):
        np.testing.assert_allclose(np.asarray(got, np.float64), expected,
                                   rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("filename,case,cls", [
    ("keras_lso_adam.keras", "fit_loss_scale", "LossScaleOptimizer"),
    ("keras_muon.keras", "fit_muon", "Muon"),
    ("keras_schedule_free.keras", "fit_schedule_free", "ScheduleFreeAdamW"),
    ("keras_multi_optimizer.keras", "fit_multi", "MultiOptimizer")])
def test_keras_files_load_and_resave(filename, case, cls, tmp_path):
    model = keras.models.load_model(FIXTURES / filename)
    assert type(model.optimizer).__name__ == cls
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_array_equal(w, DATA[f"{case}/final_{i}"])
    state = model.optimizer.state_values()
    for got, expected in zip(state, fixture_state(case)):
        np.testing.assert_array_equal(np.asarray(got, expected.dtype)
                                      if expected.dtype.kind == "f" else
                                      got, expected)
    path = tmp_path / "again.keras"
    model.save(path)
    again = keras.models.load_model(path)
    for a, b in zip(again.optimizer.state_values(), state):
        np.testing.assert_array_equal(a, b)
    # the file holds what Keras's holds: the same optimizer groups
    with zipfile.ZipFile(FIXTURES / filename) as z, \
            zipfile.ZipFile(path) as ours:
        import io
        groups = []
        for archive in (z, ours):
            h5 = h5py.File(io.BytesIO(archive.read("model.weights.h5")))
            found = []
            h5["optimizer"].visititems(
                lambda name, obj: found.append(
                    (name, getattr(obj, "shape", None))))
            groups.append(sorted(found))
        assert groups[0] == groups[1]
    # and training goes on from the loaded state
    x, y = data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)


def test_loss_scale_in_fit_skips_overflowing_steps():
    model = small_model()
    before = [w.copy() for w in model.get_weights()]
    optimizer = keras.optimizers.LossScaleOptimizer(
        keras.optimizers.SGD(learning_rate=0.1), initial_scale=2.0 ** 127,
        dynamic_growth_steps=5)
    model.compile(optimizer=optimizer, loss="mse")
    x, y = data()
    model.fit(x * 100, y * 100, batch_size=16, epochs=1, verbose=0)
    # gradients times 2**127 overflow float32: skipped, scale halved
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert optimizer.dynamic_scale == np.float32(2.0 ** 126)
    assert optimizer.iterations == 0


# ---- MultiOptimizer / OptimizerMap ------------------------------------------------

def test_optimizer_map_lookup_as_keras():
    adam, sgd, rms = (keras.optimizers.Adam(), keras.optimizers.SGD(),
                      keras.optimizers.RMSprop())
    mapping = keras.optimizers.OptimizerMap(default_optimizer=rms)
    mapping["encoder/layer_0/dense"] = adam
    mapping["encoder/.*"] = sgd
    mapping["decoder"] = adam
    assert mapping["decoder"] is adam
    assert mapping["encoder/layer_0/dense"] is adam
    assert mapping["encoder/layer_0/attention/query"] is sgd
    assert mapping["decoder/layer_0/dense"] is rms
    assert len(mapping) == 3 and list(mapping) == [
        "encoder/layer_0/dense", "encoder/.*", "decoder"]
    mapping["enc.*"] = rms
    with pytest.raises(ValueError, match="Multiple optimizers"):
        mapping["encoder/x"]
    with pytest.raises(ValueError, match="already exists"):
        mapping["decoder"] = sgd
    with pytest.raises(ValueError, match="cannot be LossScaleOptimizer"):
        mapping["x"] = keras.optimizers.LossScaleOptimizer(sgd)
    with pytest.raises(ValueError, match="must be a Keras Optimizer"):
        mapping["y"] = "adam"
    with pytest.raises(TypeError, match="default_optimizer"):
        keras.optimizers.OptimizerMap("sgd")
    with pytest.raises(TypeError, match="optimizer_map must be a dict"):
        keras.optimizers.OptimizerMap(sgd, [adam])


def test_multi_optimizer_with_a_callable_and_errors():
    adam, sgd = keras.optimizers.Adam(0.1), keras.optimizers.SGD(0.1)
    multi = keras.optimizers.MultiOptimizer(
        lambda v: adam if v.path.endswith("bias") else sgd)
    model = small_model()
    model.compile(optimizer=multi, loss="mse")
    x, y = data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert multi.optimizers == [sgd, adam] or multi.optimizers == [adam, sgd]
    assert sgd.iterations == adam.iterations == multi.iterations == 2
    with pytest.raises(AttributeError, match="sub-optimizers"):
        multi.learning_rate
    with pytest.raises(AttributeError, match="sub-optimizers"):
        multi.learning_rate = 0.1
    bad = keras.optimizers.MultiOptimizer(
        lambda v: keras.optimizers.LossScaleOptimizer(sgd))
    with pytest.raises(ValueError, match="LossScaleOptimizer cannot"):
        bad.build([Variable(np.ones(2), name="w")])
    multi2 = keras.optimizers.MultiOptimizer(
        keras.optimizers.OptimizerMap(keras.optimizers.SGD()))
    with pytest.raises(ValueError, match="must already be built"):
        multi2.apply([np.ones(2)])
    w = Variable(np.ones(2, np.float32), name="w")
    multi2.build([w])
    with pytest.raises(ValueError, match="one-to-one"):
        multi2.apply([np.ones(2), np.ones(2)])


def test_wrappers_config_round_trip():
    multi = keras.optimizers.MultiOptimizer(keras.optimizers.OptimizerMap(
        keras.optimizers.SGD(0.05), {"encoder/.*": keras.optimizers.Adam()}))
    config = keras.optimizers.serialize(multi)
    again = keras.optimizers.deserialize(json.loads(json.dumps(config)))
    assert keras.optimizers.serialize(again) == config
    assert [type(o).__name__ for o in again.optimizers] == ["Adam", "SGD"]
    lso = keras.optimizers.get({"class_name": "LossScaleOptimizer",
                                "config": {
                                    "inner_optimizer": {"class_name": "SGD",
                                                        "config": {}},
                                    "initial_scale": 64.0,
                                    "dynamic_growth_steps": 10}})
    assert isinstance(lso.inner_optimizer, keras.optimizers.SGD)
    assert lso.initial_scale == 64.0
    for name in ("muon", "schedulefreeadamw"):
        assert type(keras.optimizers.get(name)).__name__.lower() == name


def test_loss_scale_bad_arguments_raise_as_keras():
    sgd = keras.optimizers.SGD()
    with pytest.raises(ValueError, match="dynamic=False"):
        keras.optimizers.LossScaleOptimizer(sgd, dynamic=False)
    with pytest.raises(ValueError, match="does not support `clipnorm`"):
        keras.optimizers.LossScaleOptimizer(sgd, clipnorm=1.0)
    with pytest.raises(ValueError, match="does not support arguments"):
        keras.optimizers.LossScaleOptimizer(sgd, foo=1)
    with pytest.raises(TypeError, match="inner_optimizer"):
        keras.optimizers.LossScaleOptimizer("sgd")
    # the defaults Keras once saved are accepted
    keras.optimizers.LossScaleOptimizer(sgd, weight_decay=None,
                                        use_ema=False)
    lso = keras.mixed_precision.LossScaleOptimizer(sgd)
    assert lso.initial_scale == 2.0 ** 15 and lso.dynamic_growth_steps == 2000
    lso.learning_rate = 0.5
    assert float(sgd.learning_rate) == 0.5


def test_new_optimizers_bad_arguments():
    with pytest.raises(ValueError, match="ns_steps"):
        keras.optimizers.Muon(ns_steps=-1)
    with pytest.raises(TypeError, match="exclude_layers"):
        keras.optimizers.Muon(exclude_layers="dense")
    with pytest.raises(ValueError, match="warmup_steps"):
        keras.optimizers.ScheduleFreeAdamW(warmup_steps=1.5)
    with pytest.raises(TypeError, match="unexpected keyword"):
        keras.optimizers.ScheduleFreeAdamW(beta_3=0.1)


@pytest.mark.parametrize("name", ["Adagrad", "Adam", "Ftrl", "Optimizer",
                                  "RMSprop", "SGD"])
def test_legacy_optimizers_refuse_as_keras(name):
    cls = getattr(keras.optimizers.legacy, name)
    with pytest.raises(ImportError, match="tf_keras"):
        cls(learning_rate=0.1)


def test_schedule_free_matches_a_float64_reference():
    rng = np.random.default_rng(5)
    w0 = rng.normal(size=(3, 4))
    grads = [rng.normal(size=(3, 4)) for _ in range(5)]
    lr, b1, b2, eps, warmup, wd = 0.05, 0.85, 0.99, 1e-8, 2, 0.1
    v = Variable(w0.astype(np.float32), name="w")
    optimizer = keras.optimizers.ScheduleFreeAdamW(
        learning_rate=lr, beta_1=b1, beta_2=b2, warmup_steps=warmup,
        weight_decay=wd)
    y, z, s = w0.copy(), w0.copy(), np.zeros_like(w0)
    for t, g in enumerate(grads, start=1):
        optimizer.apply([g.astype(np.float32)], [v])
        y = y - y * wd * lr
        rate = lr * min(t / warmup, 1.0)
        s = b2 * s + (1 - b2) * g * g
        z_old = z
        z = z - rate * g / (np.sqrt(s / (1 - b2 ** t)) + eps)
        x = (y - (1 - b1) * z_old) / b1
        x = (1 - 1 / t) * x + z / t
        y = (1 - b1) * z + b1 * x
        np.testing.assert_allclose(v.numpy(), y, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("filename", ["keras_lso_adam.keras",
                                      "keras_multi_optimizer.keras"])
def test_wrappers_survive_the_legacy_h5_format(filename, tmp_path):
    model = keras.models.load_model(FIXTURES / filename)
    path = tmp_path / "model.h5"
    with pytest.warns(UserWarning, match="legacy HDF5"):
        model.save(path)
    again = keras.models.load_model(path)
    assert type(again.optimizer) is type(model.optimizer)
    for a, b in zip(again.optimizer.state_values(),
                    model.optimizer.state_values()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_loss_scale_fit_step_skips_non_finite_gradients(bad):
    w = Variable(np.ones(5, np.float32), name="w")
    optimizer = keras.optimizers.LossScaleOptimizer(
        keras.optimizers.SGD(learning_rate=0.5), initial_scale=16.0)
    optimizer.build([w])
    w.grad[...] = [1, 2, bad, 3, 4]      # what fit's backward writes
    optimizer.step()
    np.testing.assert_array_equal(w.numpy(), 1.0)
    assert optimizer.dynamic_scale == 8.0 and optimizer.iterations == 0
    w.grad[...] = 1.0
    optimizer.step()
    np.testing.assert_array_equal(w.numpy(), 0.5)
    assert optimizer.step_counter == 1 and optimizer.iterations == 1


# ---- weight decay with excluded variables --------------------------------------

def test_adamw_excluding_biases_from_decay_matches_numpy_and_keeps_its_arena():
    # Keras 3's AdamW: w -= w * wd * lr on decayed variables, then Adam;
    # excluded variables (here by name) take Adam only. The arena lays the
    # decayed ones first, so repeated apply_gradients in the user's order
    # must reuse it, not lay it out anew.
    rng = np.random.default_rng(3)
    kernel = Variable(rng.normal(size=(4, 3)).astype(np.float32), "kernel")
    bias = Variable(rng.normal(size=(3,)).astype(np.float32), "bias")
    opt = keras.optimizers.AdamW(learning_rate=0.05, weight_decay=0.1)
    opt.exclude_from_weight_decay(var_names=["bias"])
    ref = {id(kernel): kernel.numpy().astype(np.float64),
           id(bias): bias.numpy().astype(np.float64)}
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in ref.items()}
    arena = None
    for t in range(1, 5):
        grads = [rng.normal(size=v.shape).astype(np.float32)
                 for v in (bias, kernel)]
        opt.apply_gradients(zip(grads, [bias, kernel]))
        arena = opt._params if arena is None else arena
        assert opt._params is arena
        for g, v in zip(grads, (bias, kernel)):
            w, (m, s) = ref[id(v)], moments[id(v)]
            if v is kernel:
                w -= w * 0.1 * 0.05
            m += (g - m) * 0.1
            s += (g.astype(np.float64) ** 2 - s) * 0.001
            lr = 0.05 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
            w -= lr * m / (np.sqrt(s) + 1e-7)
    for v in (kernel, bias):
        np.testing.assert_allclose(v.numpy(), ref[id(v)], rtol=1e-5,
                                   atol=1e-6)
