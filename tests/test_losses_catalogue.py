"""The losses catalogue against Keras 3 (fixtures from
tests/fixtures/make_loss_fixtures.py): values under every reduction with
and without sample weights, the function forms, configs, short fit runs,
keras.ops.ctc_loss/ctc_decode; gradients against float64 central finite
differences; masks; names; errors."""
import json
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import losses, ops

HERE = pathlib.Path(__file__).parent / "fixtures"
KERAS = np.load(HERE / "keras_loss_catalogue.npz")
META = json.loads((HERE / "keras_loss_catalogue.json").read_text())
CASES = META["cases"]
IDS = [c["name"] for c in CASES]
REDUCTIONS = ["sum_over_batch_size", "sum", "mean",
              "mean_with_sample_weight", None]
NEW = {"BinaryFocalCrossentropy", "CategoricalFocalCrossentropy", "Dice",
       "Tversky", "Circle", "CTC", "CategoricalGeneralizedCrossEntropy"}


def _inputs(case):
    name = case["name"]
    return (KERAS[f"{name}/y_true"], KERAS[f"{name}/y_pred"],
            KERAS[f"{name}/sample_weight"])


def _loss(case, **kwargs):
    return getattr(losses, case["class"])(**case["options"], **kwargs)


def _close(got, want):
    np.testing.assert_allclose(np.asarray(got, np.float64), want,
                               rtol=1e-5, atol=1e-6)


# ---- values against Keras ---------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS,
                         ids=[r or "None" for r in REDUCTIONS])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_values_match_keras(case, reduction):
    y_true, y_pred, sw = _inputs(case)
    loss = _loss(case, reduction=reduction)
    key = f"{case['name']}/{reduction or 'none'}"
    t32, p32 = y_true.astype(np.float32), y_pred.astype(np.float32)
    _close(loss(t32, p32), KERAS[key])
    _close(loss(t32, p32, sample_weight=sw.astype(np.float32)),
           KERAS[key + "/weighted"])
    _close(loss(y_true, y_pred), KERAS[key])          # float64 inputs too


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_function_forms_match_keras(case):
    y_true, y_pred, _ = _inputs(case)
    fn = getattr(losses, case["function"])
    options = dict(case["function_options"])
    got = fn(y_true.astype(np.float32), y_pred.astype(np.float32), **options)
    _close(got, KERAS[f"{case['name']}/function"])
    assert losses.get(case["function"]) is fn


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_config_matches_keras_and_round_trips(case):
    """Keras's config keys and values; seqcore also keeps the options
    Keras 3.15 leaves out of three configs (Huber's delta, the axis of
    CosineSimilarity and SparseCategoricalCrossentropy), and reads Keras's
    config as it is."""
    loss = _loss(case)
    config = json.loads(json.dumps(loss.get_config()))
    keras_config = META["configs"][case["name"]]
    extra = {k: v for k, v in config.items() if k not in keras_config}
    assert {k: config[k] for k in keras_config} == keras_config
    assert set(extra) <= {"delta", "axis"}
    assert set(extra) == set() or case["class"] in (
        "Huber", "CosineSimilarity", "SparseCategoricalCrossentropy")
    assert type(loss).from_config(keras_config).get_config() == \
        dict(loss.get_config(), **{k: getattr(type(loss)(), "_fn_kwargs")[k]
                                   for k in extra})
    again = type(loss).from_config(loss.get_config())
    assert again.get_config() == loss.get_config()
    y_true, y_pred, sw = _inputs(case)
    np.testing.assert_array_equal(again(y_true, y_pred, sw),
                                  loss(y_true, y_pred, sw))
    found = losses.get({"class_name": case["class"], "config": config})
    assert type(found) is type(loss)
    assert found.get_config() == again.get_config() or \
        json.loads(json.dumps(found.get_config())) == config
    assert isinstance(losses.get(case["class"]), type(loss))
    assert losses.deserialize(losses.serialize(loss)).get_config() == \
        loss.get_config()


# ---- gradients against float64 finite differences ---------------------------

def _numeric(loss, y_true, y_pred, sw, mask=None, step=1e-6):
    out = np.zeros_like(y_pred)
    for index in np.ndindex(y_pred.shape):
        up, down = y_pred.copy(), y_pred.copy()
        up[index] += step
        down[index] -= step
        out[index] = (loss._masked_value(y_true, up, sw, mask) -
                      loss._masked_value(y_true, down, sw, mask)) / (2 * step)
    return out


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum",
                                       "mean_with_sample_weight"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradient_matches_finite_differences(case, weighted, reduction):
    y_true, y_pred, sw = _inputs(case)
    sw = sw if weighted else None
    loss = _loss(case, reduction=reduction)
    grad = loss.gradient(y_true, y_pred, sample_weight=sw)
    assert grad.shape == y_pred.shape and grad.dtype == np.float64
    np.testing.assert_allclose(grad, _numeric(loss, y_true, y_pred, sw),
                               rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("case", [c for c in CASES if c["class"] in NEW],
                         ids=[c["name"] for c in CASES if c["class"] in NEW])
def test_gradient_is_hand_written_not_the_tape(case, monkeypatch):
    """The new losses differentiate themselves: the tape is never asked."""
    from seqcore.losses import base
    monkeypatch.setattr(base, "tape_gradient", None)
    y_true, y_pred, sw = _inputs(case)
    assert np.all(np.isfinite(_loss(case).gradient(y_true, y_pred, sw)))


# ---- masks ------------------------------------------------------------------

PER_SAMPLE = [c for c in CASES if c["name"] not in (
    "dice", "tversky", "bfce_steps", "scce_steps")]     # scalar or per step


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum"])
@pytest.mark.parametrize("case", PER_SAMPLE,
                         ids=[c["name"] for c in PER_SAMPLE])
def test_mask_weighs_values_as_keras(case, reduction):
    """An output mask drops samples; the default reduction divides by the
    real ones (Keras's apply_mask), and the gradient follows."""
    y_true, y_pred, sw = _inputs(case)
    loss = _loss(case, reduction=reduction)
    values = _loss(case, reduction=None)(y_true, y_pred)
    batch = values.shape[0]
    mask = np.arange(batch) % 3 != 1
    own = values > 0 if case["class"] == "Circle" else np.ones(batch, bool)
    keep = mask & own
    if reduction == "sum":
        want = np.sum(values * sw * keep)
    else:
        want = np.sum(values * sw * keep) / keep.sum()
    _close(loss._masked_value(y_true, y_pred, sw, mask), want)
    grad = loss.gradient(y_true, y_pred, sw, mask=mask)
    np.testing.assert_allclose(grad, _numeric(loss, y_true, y_pred, sw, mask),
                               rtol=1e-4, atol=1e-7)
    assert np.all(grad[~mask] == 0) or case["class"] == "Circle"


def test_circle_masks_samples_without_a_positive():
    case = next(c for c in CASES if c["name"] == "circle")
    y_true, y_pred, _ = _inputs(case)
    values = losses.circle(y_true, y_pred)
    alone = np.array([np.sum(y_true == y) == 1 for y in y_true])
    assert alone.any() and np.all(values[alone] == 0)
    assert np.all(values[~alone] > 0)
    _close(losses.Circle()(y_true, y_pred), values[~alone].mean())


# ---- fit --------------------------------------------------------------------

@pytest.mark.parametrize("fit", META["fits"], ids=[f["name"] for f in
                                                   META["fits"]])
def test_fit_three_steps_matches_keras(fit):
    key = f"fit/{fit['name']}"
    layers = [keras.Input(tuple(fit["input_shape"])),
              keras.layers.Dense(fit["units"], activation=fit["activation"])]
    if fit["unit_norm"]:
        layers.append(keras.layers.UnitNormalization())
    model = keras.Sequential(layers)
    model.layers[0].set_weights([KERAS[key + "/kernel0"],
                                 KERAS[key + "/bias0"]])
    model.compile(optimizer=keras.optimizers.SGD(META["fit_learning_rate"]),
                  loss=getattr(keras.losses, fit["class"])(**fit["options"]))
    history = model.fit(KERAS[key + "/x"], KERAS[key + "/y"],
                        batch_size=META["fit_batch"], epochs=1,
                        shuffle=False, verbose=0)
    kernel, bias = model.layers[0].get_weights()
    np.testing.assert_allclose(kernel, KERAS[key + "/kernel"], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(bias, KERAS[key + "/bias"], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(history.history["loss"][-1],
                               KERAS[key + "/loss"], rtol=1e-5)


@pytest.mark.parametrize("fit", META["masked_fits"],
                         ids=[f["name"] for f in META["masked_fits"]])
def test_masked_fit_three_steps_matches_keras(fit):
    """Padded steps (Embedding(mask_zero=True)) weigh 0 in the new losses'
    values and gradients during fit, as in Keras."""
    key, sizes = f"fit/{fit['name']}", META["masked_sizes"]
    model = keras.Sequential([
        keras.Input((sizes["steps"],), dtype="int32"),
        keras.layers.Embedding(sizes["vocab"], sizes["embed"],
                               mask_zero=True),
        keras.layers.Dense(sizes["units"], activation=fit["activation"])])
    model.layers[0].set_weights([KERAS[key + "/embeddings0"]])
    model.layers[1].set_weights([KERAS[key + "/kernel0"],
                                 KERAS[key + "/bias0"]])
    model.compile(optimizer=keras.optimizers.SGD(META["fit_learning_rate"]),
                  loss=getattr(keras.losses, fit["class"])(**fit["options"]))
    history = model.fit(KERAS[key + "/x"], KERAS[key + "/y"],
                        batch_size=META["fit_batch"], epochs=1,
                        shuffle=False, verbose=0)
    for got, part in zip(model.get_weights(), ("embeddings", "kernel",
                                               "bias")):
        np.testing.assert_allclose(got, KERAS[f"{key}/{part}"], rtol=1e-5,
                                   atol=1e-6)
    np.testing.assert_allclose(history.history["loss"][-1],
                               KERAS[key + "/loss"], rtol=1e-5)
    assert np.any(KERAS[key + "/x"] == 0)      # there is padding


# ---- keras.ops.ctc_loss / ctc_decode ----------------------------------------

def _ctc_args():
    return (KERAS["ops/target"], KERAS["ops/logits"],
            KERAS["ops/target_length"], KERAS["ops/output_length"])


def test_ops_ctc_loss_matches_keras():
    target, logits, tl, ol = _ctc_args()
    got = ops.ctc_loss(target, logits, tl, ol)
    assert got.dtype == np.float32 and got.shape == (3,)
    _close(got, KERAS["ops/ctc_loss"])
    _close(ops.ctc_loss(np.where(target == 4, 0, target), logits, tl, ol,
                        mask_index=4), KERAS["ops/ctc_loss_mask4"])
    assert ops.nn.ctc_loss is ops.ctc_loss


def test_ops_ctc_loss_gradient_and_tape():
    """The op's gradient against float64 finite differences, also through
    the tape (a user loss written with ops.ctc_loss)."""
    from seqcore.ops.ctc import ctc_loss_gradient
    target, logits, tl, ol = _ctc_args()
    x = logits.astype(np.float64)
    _, grad = ctc_loss_gradient(target, x, tl, ol)
    weights = np.array([1.0, -0.5, 2.0])
    numeric = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += 1e-6
        down[index] -= 1e-6
        numeric[index] = (weights @ ops.ctc_loss(target, up, tl, ol) -
                          weights @ ops.ctc_loss(target, down, tl, ol)) / 2e-6
    np.testing.assert_allclose(grad * weights[:, None, None], numeric,
                               rtol=1e-5, atol=1e-8)
    assert np.all(grad[1, 6:] == 0) and np.all(grad[2, 3:] == 0)

    class UserCTC(losses.Loss):
        def call(self, y_true, y_pred):
            lengths = np.sum(np.asarray(y_true) != 0, axis=-1)
            return ops.ctc_loss(np.asarray(y_true, np.int64), y_pred,
                                lengths, np.full(y_pred.shape[0],
                                                 y_pred.shape[1]))

    case = next(c for c in CASES if c["name"] == "ctc")
    y_true, y_pred, sw = _inputs(case)
    np.testing.assert_allclose(UserCTC().gradient(y_true, y_pred, sw),
                               losses.CTC().gradient(y_true, y_pred, sw),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("run", META["decode_runs"],
                         ids=[r[0] for r in META["decode_runs"]])
def test_ops_ctc_decode_matches_keras(run):
    key, kwargs = run
    _, logits, _, ol = _ctc_args()
    paths, scores = ops.ctc_decode(logits, ol, **kwargs)
    want = KERAS[f"ops/{key}/paths"]
    assert paths.dtype == np.int32 and paths.shape == want.shape
    np.testing.assert_array_equal(paths, want)
    assert scores.dtype == np.float32
    _close(scores, KERAS[f"ops/{key}/scores"])
    assert ops.nn.ctc_decode is ops.ctc_decode


# ---- names ------------------------------------------------------------------

def test_every_name_keras_exports_exists():
    missing = [n for n in META["exported_names"]
               if not hasattr(losses, n)]
    assert missing == []
    for name in META["get_names"]:
        if name in ("Loss", "LossFunctionWrapper"):   # abstract in Keras
            continue
        found = losses.get(name)
        assert found is not None, name
        assert callable(found)
    assert losses.get("bce") is losses.binary_crossentropy
    assert losses.logcosh is losses.log_cosh
    assert losses.kullback_leibler_divergence is losses.kl_divergence
    assert isinstance(losses.as_loss("dice"), losses.Dice)
    assert isinstance(losses.as_loss(losses.ctc), losses.CTC)


def test_string_names_train_in_compile():
    model = keras.Sequential([keras.Input((4,)),
                              keras.layers.Dense(3, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_focal_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    y = rng.integers(0, 2, (8, 3)).astype(np.float32)
    before = model.evaluate(x, y, verbose=0)
    want = float(losses.BinaryFocalCrossentropy()(y, model.predict(
        x, verbose=0)))
    np.testing.assert_allclose(before, want, rtol=1e-5)


# ---- errors -----------------------------------------------------------------

def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Could not interpret loss "
                                         "identifier: 'dise'") as info:
        losses.get("dise")
    for name in ("dice", "Dice", "Tversky", "Circle", "CTC",
                 "binary_focal_crossentropy", "BCE"):
        assert repr(name) in str(info.value)
    with pytest.raises(ValueError, match="Unknown loss class 'Dise'"):
        losses.get({"class_name": "Dise", "config": {}})


@pytest.mark.parametrize("loss, y_true, y_pred, message", [
    (losses.BinaryFocalCrossentropy(), np.ones((2, 3)), np.ones((2, 4)) / 2,
     "binary_focal_crossentropy: `y_true` and `y_pred` must have the same "
     "shape"),
    (losses.CategoricalFocalCrossentropy(), np.ones((2, 3)),
     np.ones((2, 4)) / 4, "categorical_focal_crossentropy: `y_true` and "
     "`y_pred` must have the same shape"),
    (losses.Dice(), np.ones((2, 3)), np.ones((3, 3)), "dice: `y_true` and "
     "`y_pred` must have the same shape"),
    (losses.Tversky(), np.ones((2, 3)), np.ones((2, 5)), "tversky: "
     "`y_true` and `y_pred` must have the same shape"),
    (losses.Circle(), np.zeros(3), np.ones((4, 2)), "circle: y_true has 3 "
     "labels for 4 embeddings"),
    (losses.Circle(), np.zeros((4, 2)), np.ones((4, 2)), r"circle: y_true "
     r"must hold one integer label per sample"),
    (losses.Circle(), np.zeros(4), np.ones((4, 2, 1)), r"circle: y_pred must "
     r"be embeddings of shape \(batch, dim\)"),
    (losses.CTC(), np.ones((2, 3, 1)), np.ones((2, 5, 4)), r"Targets "
     r"`y_true` are expected to be a tensor of shape `\(batch_size, "
     r"max_length\)`"),
    (losses.CTC(), np.ones((2, 3)), np.ones((2, 5)), r"Logits `y_pred` are "
     r"expected to be a tensor of shape"),
    (losses.CTC(), np.full((2, 3), 7), np.ones((2, 5, 4)), "ctc_loss: label "
     "7 is out of range for 4 classes"),
    (losses.CategoricalGeneralizedCrossEntropy(), np.array([0, 5]),
     np.ones((2, 5)) / 5, "class index 5 is out of range for 5 classes"),
    (losses.CategoricalGeneralizedCrossEntropy(), np.zeros((2, 3)),
     np.ones((2, 5)) / 5, r"one integer class index per sample, shape "
     r"\(2,\); received \(2, 3\)"),
])
def test_bad_shapes_are_refused(loss, y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        loss(y_true, y_pred)
    with pytest.raises(ValueError, match=message):
        loss.gradient(y_true, y_pred)


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match=r"q must be in the interval "
                                         r"\(0, 1\), received q=1.5"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)
    with pytest.raises(ValueError, match="Invalid value for argument "
                                         "`reduction`"):
        losses.Dice(reduction="average")
    with pytest.raises(ValueError, match="`axis` must be of type `int`"):
        losses.categorical_focal_crossentropy(np.eye(3), np.eye(3) / 2,
                                              axis=True)
    with pytest.raises(ValueError, match="no scalar to differentiate"):
        losses.Dice(reduction=None).gradient(np.ones((2, 2)),
                                             np.ones((2, 2)))
    with pytest.warns(SyntaxWarning, match="num_classes > 1"):
        losses.categorical_focal_crossentropy(np.ones((2, 1)),
                                              np.ones((2, 1)))


def test_ops_ctc_errors():
    target, logits, tl, ol = _ctc_args()
    with pytest.raises(ValueError, match="Arguments `target_length` and "
                                         "`target` must have the same first"):
        ops.ctc_loss(target, logits, tl[:2], ol)
    with pytest.raises(ValueError, match=r"output_length must be in \[0, "
                                         r"8\]"):
        ops.ctc_loss(target, logits, tl, ol + 3)
    with pytest.raises(ValueError, match=r"mask_index must be in \[0, 5\)"):
        ops.ctc_loss(target, logits, tl, ol, mask_index=5)
    with pytest.raises(ValueError, match="Invalid strategy beam. Supported "
                                         "values are 'greedy' and "
                                         "'beam_search'"):
        ops.ctc_decode(logits, ol, strategy="beam")
    with pytest.raises(ValueError, match="one length per sequence"):
        ops.ctc_decode(logits, ol[:1])


def test_impossible_alignment_is_infinite_with_zero_gradient():
    """Three labels (one repeated) need 4 steps: 3 steps cannot align."""
    from seqcore.ops.ctc import ctc_loss_gradient
    logits = np.zeros((1, 3, 3))
    loss, grad = ctc_loss_gradient(np.array([[1, 1, 2]]), logits,
                                   np.array([3]), np.array([3]))
    assert np.isinf(loss[0]) and np.all(grad == 0)
    loss, _ = ctc_loss_gradient(np.array([[1, 2, 2]]), np.zeros((1, 4, 3)),
                                np.array([3]), np.array([4]))
    # the one alignment 1 2 blank 2 out of 3**4 equally likely paths
    np.testing.assert_allclose(loss[0], 4 * np.log(3.0), rtol=1e-12)
