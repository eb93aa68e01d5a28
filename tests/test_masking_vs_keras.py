"""Masks change the numbers exactly as in Keras 3 (issue 12).

Every number here comes from tests/fixtures/keras_masks.npz, written by
tests/fixtures/make_mask_fixtures.py with Keras 3.15 (JAX): each model of
mask_cases.py is rebuilt with seqcore, given Keras's initial weights, and
must give Keras's predictions, evaluate / test_on_batch / train_on_batch
results and 2 epochs of fit (losses and weights); losses and metrics on a
masked prediction, with and without sample weights, for every reduction;
and, for each layer, whether a mask passes it. These tests guard any later
change to how models execute.
"""
import pathlib

import numpy as np
import pytest

import seqcore
from seqcore import losses, metrics
from seqcore.engine import masking
from tests.fixtures import mask_cases as mc

# Layers that drop a mask warn (as Keras does); expected here.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*does not support masking:UserWarning")

DATA = np.load(pathlib.Path(__file__).parent / "fixtures" / "keras_masks.npz")
TRAINED = [name for name, build in mc.CASES.items()
           if f"{name}/evaluate/loss" in DATA.files]
FITTED = [name for name in TRAINED if f"{name}/fit/loss" in DATA.files]


def _list(prefix):
    arrays, i = [], 0
    while f"{prefix}_{i}" in DATA.files:
        arrays.append(DATA[f"{prefix}_{i}"])
        i += 1
    return arrays


def _logs(prefix):
    start = prefix + "/"
    return {k[len(start):]: DATA[k] for k in DATA.files
            if k.startswith(start) and "/" not in k[len(start):]}


def _case(name):
    case = mc.CASES[name](seqcore)
    case.model.set_weights(_list(f"{name}/initial"))
    return case


def _compiled(name):
    case = _case(name)
    case.model.compile(**case.compile_args(seqcore))
    return case


def _has_output_mask(name):
    """Whether the case's model output carries a mask (in Keras)."""
    return any(k.startswith(f"{name}/fit_masked/") for k in DATA.files)


def _assert_logs(got, want, rtol=1e-5, atol=1e-6):
    assert sorted(got) == sorted(want), (sorted(got), sorted(want))
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=rtol, atol=atol,
                                   err_msg=key)


def test_fixture_is_from_keras_3_15():
    assert str(DATA["keras_version"]).startswith("3.15")


# ---- models -----------------------------------------------------------------

@pytest.mark.parametrize("name", list(mc.CASES))
def test_predict_matches_keras(name):
    case = _case(name)
    got = case.model.predict(case.x, verbose=0)
    np.testing.assert_allclose(got, DATA[f"{name}/predict"], rtol=1e-5,
                               atol=1e-6, equal_nan=True)


def test_global_average_pooling_averages_unmasked_steps_only():
    """Issue case 1, with a numpy reference and Keras's NaN for a row that
    is all padding."""
    case = _case("gap_embedding")
    got = case.model.predict(case.x, verbose=0)
    table = case.model.layers[0].embeddings.numpy()
    real = case.x != 0
    for row in range(mc.BATCH):
        if not real[row].any():
            assert np.isnan(got[row]).all()
            continue
        want = table[case.x[row][real[row]]].mean(axis=0)
        np.testing.assert_allclose(got[row], want, rtol=1e-6)
    # Keras's numbers differ from the unmasked mean by a visible amount
    plain = table[case.x].mean(axis=1)
    assert np.nanmax(np.abs(plain - DATA["gap_embedding/predict"])) > 1e-2


def test_global_max_pooling_ignores_the_mask():
    case = _case("gmp_ignores")
    table = case.model.layers[0].embeddings.numpy()
    np.testing.assert_allclose(case.model.predict(case.x, verbose=0),
                               table[case.x].max(axis=1), rtol=1e-6)


@pytest.mark.parametrize("name", TRAINED)
def test_evaluate_matches_keras(name):
    case = _compiled(name)
    got = case.model.evaluate(case.x, case.y, sample_weight=case.sample_weight,
                              verbose=0, return_dict=True)
    _assert_logs(got, _logs(f"{name}/evaluate"))


@pytest.mark.parametrize("name", [n for n in TRAINED if
                                  f"{n}/evaluate_relabelled/loss" in
                                  DATA.files])
def test_labels_at_padded_steps(name):
    """Issue case 2: with an output mask, labels at padded steps change
    nothing; without one (the mask stopped at a Conv1D) they count."""
    case = _compiled(name)
    relabelled = mc.relabel_padding(case.x, case.y)
    before = case.model.evaluate(case.x, case.y,
                                 sample_weight=case.sample_weight, verbose=0,
                                 return_dict=True)
    after = case.model.evaluate(case.x, relabelled,
                                sample_weight=case.sample_weight, verbose=0,
                                return_dict=True)
    _assert_logs(after, _logs(f"{name}/evaluate_relabelled"))
    if _has_output_mask(name):
        assert after == before
    else:
        assert after["loss"] != pytest.approx(before["loss"], rel=1e-4)


@pytest.mark.parametrize("name", TRAINED)
def test_test_on_batch_matches_keras(name):
    case = _compiled(name)
    got = case.model.test_on_batch(case.x, case.y,
                                   sample_weight=case.sample_weight,
                                   return_dict=True)
    _assert_logs(got, _logs(f"{name}/test_on_batch"))


@pytest.mark.parametrize("name", TRAINED)
def test_train_on_batch_matches_keras(name):
    """The loss and one step's weights as Keras; with an output mask, the
    metrics as Keras's metric objects give on the masked training-mode
    prediction (seqcore masks training metrics too; Keras on JAX drops the
    mask there, see make_mask_fixtures.record_masked_fit_metrics)."""
    case = _compiled(name)
    got = case.model.train_on_batch(case.x, case.y,
                                    sample_weight=case.sample_weight,
                                    return_dict=True)
    want = _logs(f"{name}/train_on_batch")
    if _has_output_mask(name):
        want.update(_logs(f"{name}/train_on_batch_masked"))
    _assert_logs(got, want)
    for got_w, want_w in zip(case.model.get_weights(),
                             _list(f"{name}/after_batch")):
        np.testing.assert_allclose(got_w, want_w, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", FITTED)
def test_fit_matches_keras(name):
    """2 epochs of unshuffled batches of 3 (8 samples: 3, 3, 2, each batch
    with its own count of real steps): losses, metrics, the validation
    loss and metrics, final weights."""
    case = _compiled(name)
    history = case.model.fit(case.x, case.y, sample_weight=case.sample_weight,
                             batch_size=mc.FIT_BATCH, epochs=mc.EPOCHS,
                             shuffle=False, verbose=0,
                             validation_data=mc.validation_data(case))
    want = _logs(f"{name}/fit")
    if _has_output_mask(name):
        want.update(_logs(f"{name}/fit_masked"))
    _assert_logs(history.history, want, rtol=1e-4, atol=1e-5)
    final = _list(f"{name}/final")
    assert len(final) == len(case.model.get_weights())
    for got_w, want_w in zip(case.model.get_weights(), final):
        np.testing.assert_allclose(got_w, want_w, rtol=1e-4, atol=1e-4)


def test_per_sample_weights_with_a_step_mask_is_an_error_as_in_keras():
    """Keras cannot broadcast sample_weight (batch,) against a
    (batch, steps) mask; seqcore says so and what to pass."""
    case = _compiled("lstm_tagger")
    with pytest.raises(ValueError, match=r"\(batch, steps\)"):
        case.model.evaluate(case.x, case.y, sample_weight=np.ones(mc.BATCH),
                            verbose=0)


# ---- losses and metrics on a masked prediction ------------------------------

LOSS_KEYS = [(case, reduction, wname) for case in mc.LOSS_CASES
             for reduction in mc.LOSS_REDUCTIONS
             for wname in ("none", "steps", "samples_1")]


def _loss(case, reduction):
    _, class_name, options, _ = case
    return getattr(losses, class_name)(reduction=reduction, **options)


@pytest.mark.parametrize("case,reduction,wname", LOSS_KEYS,
                         ids=[f"{c[0]}-{r}-{w}" for c, r, w in LOSS_KEYS])
def test_masked_loss_matches_keras(case, reduction, wname):
    probs, targets, weights = mc.loss_data()
    loss = _loss(case, reduction)
    y, sw = targets[case[3]], weights[wname]
    key = f"loss/{case[0]}/{reduction}/{wname}"
    np.testing.assert_allclose(
        loss._masked_value(y, probs, sw, mc.LOSS_MASK), DATA[key],
        rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loss(y, probs, sample_weight=sw),
                               DATA[key + "/unmasked"], rtol=1e-5, atol=1e-6)


GRAD_KEYS = [(case, reduction, wname) for case in mc.LOSS_CASES
             for reduction in ("sum_over_batch_size", "sum",
                               "mean_with_sample_weight")
             for wname in ("none", "steps", "samples_1")]


@pytest.mark.parametrize("case,reduction,wname", GRAD_KEYS,
                         ids=[f"{c[0]}-{r}-{w}" for c, r, w in GRAD_KEYS])
def test_masked_loss_gradient_matches_finite_differences(case, reduction,
                                                         wname):
    """float64 central differences of the masked reduced loss: padded
    steps get exactly zero, real ones the reduction's scale."""
    probs, targets, weights = mc.loss_data()
    p = probs.astype(np.float64) * 0.9 + 0.05   # away from the clipping
    loss = _loss(case, reduction)
    y, sw = targets[case[3]], weights[wname]
    grad = loss.gradient(y, p, sample_weight=sw, mask=mc.LOSS_MASK)
    assert grad.shape == p.shape
    assert np.all(grad[~mc.LOSS_MASK] == 0)
    step, numeric = 1e-6, np.zeros_like(p)
    for index in np.ndindex(p.shape):
        up, down = p.copy(), p.copy()
        up[index] += step
        down[index] -= step
        numeric[index] = (loss._masked_value(y, up, sw, mc.LOSS_MASK) -
                          loss._masked_value(y, down, sw, mc.LOSS_MASK)) / \
            (2 * step)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def test_ignore_class_masks_the_loss_values_as_in_keras():
    """Keras's sparse cross-entropy with ignore_class divides by the
    labels not ignored (its values carry a mask), with or without an
    output mask."""
    probs, targets, _ = mc.loss_data()
    loss = losses.SparseCategoricalCrossentropy(ignore_class=1)
    y = targets["sparse"]
    kept = y != 1
    per_step = losses.sparse_categorical_crossentropy(y, probs,
                                                      ignore_class=1)
    np.testing.assert_allclose(loss(y, probs), per_step.sum() / kept.sum(),
                               rtol=1e-6)
    both = kept & mc.LOSS_MASK
    np.testing.assert_allclose(
        loss._masked_value(y, probs, None, mc.LOSS_MASK),
        per_step[both].sum() / both.sum(), rtol=1e-6)


METRIC_KEYS = [(case, wname) for case in mc.METRIC_CASES
               for wname in ("none", "steps", "samples_1")]


@pytest.mark.parametrize("case,wname", METRIC_KEYS,
                         ids=[f"{c[0]}-{w}" for c, w in METRIC_KEYS])
def test_masked_metric_matches_keras(case, wname):
    probs, targets, weights = mc.loss_data()
    name, class_name, kind = case
    metric = getattr(metrics, class_name)()
    metric._update_masked(targets[kind], probs, weights[wname], mc.LOSS_MASK)
    metric.update_state(targets[kind][:2], probs[:2])
    np.testing.assert_allclose(metric.result(), DATA[f"metric/{name}/{wname}"],
                               rtol=1e-6)


# ---- which layers use, pass or drop the mask --------------------------------

LAYER_IDS = [mc.layer_case_id(i) for i in range(len(mc.LAYER_CASES))]


@pytest.mark.parametrize("index", range(len(mc.LAYER_CASES)), ids=LAYER_IDS)
def test_layer_passes_or_drops_the_mask_as_keras(index):
    key = f"layer/{mc.layer_case_id(index)}"
    model, x = mc.layer_case_model(seqcore, index)
    layer = model.layers[-1]
    assert layer.supports_masking == bool(DATA[key + "/supports_masking"])
    model.set_weights(_list(key + "/initial"))
    out = model(x)
    mask = masking.output_masks(model, 1)[0]
    assert (mask is not None) == bool(DATA[key + "/has_mask"])
    if mask is not None:
        np.testing.assert_array_equal(mask, DATA[key + "/mask"])
    np.testing.assert_allclose(out, DATA[key + "/output"], rtol=1e-5,
                               atol=1e-6, equal_nan=True)


def test_a_custom_loss_function_is_masked_too():
    """A user's loss (differentiated by the tape) weighs the output mask
    like a built-in one: the passing_layers case with mse written by hand
    trains as Keras's mse did."""
    from seqcore import ops

    def my_mse(y_true, y_pred):
        return ops.mean(ops.square(y_pred - y_true), axis=-1)

    case = _case("passing_layers")
    args = case.compile_args(seqcore)
    args["loss"] = my_mse
    case.model.compile(**args)
    history = case.model.fit(case.x, case.y, batch_size=mc.FIT_BATCH,
                             epochs=mc.EPOCHS, shuffle=False, verbose=0,
                             validation_data=mc.validation_data(case))
    want = {**_logs("passing_layers/fit"),
            **_logs("passing_layers/fit_masked")}
    _assert_logs(history.history, want, rtol=1e-4, atol=1e-5)
    for got_w, want_w in zip(case.model.get_weights(),
                             _list("passing_layers/final")):
        np.testing.assert_allclose(got_w, want_w, rtol=1e-4, atol=1e-4)
