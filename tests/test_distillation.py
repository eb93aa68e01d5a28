"""keras.distillation: loss values against a float64 numpy reference and
Keras 3 fixtures (tests/fixtures/make_distillation_fixtures.py), configs,
errors, and a Distiller's fit (one SGD step equal to Keras's; a longer fit
that moves the student towards the frozen teacher)."""
import json
import os

import numpy as np
import pytest

import seqcore as keras
from tests.fixtures import distillation_cases
from seqcore.distillation import (DistillationLoss, Distiller,
                                  FeatureDistillation, LogitsDistillation)

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures",
                       "keras_distillation.json")
EPS = 1e-7  # Keras's epsilon, used by its kl_divergence clipping


@pytest.fixture(scope="module")
def kfx():
    with open(FIXTURE) as f:
        data = json.load(f)
    data["arrays"] = {k: np.array(v) for k, v in data["arrays"].items()}
    return data


# ---- float64 numpy references ------------------------------------------------

def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _kl(t, p):
    t, p = np.clip(t, EPS, 1.0), np.clip(p, EPS, 1.0)
    return np.sum(t * np.log(t / p), axis=-1)


def _cce(t, p):
    p = p / p.sum(-1, keepdims=True)
    return -np.sum(t * np.log(np.clip(p, EPS, 1 - EPS)), axis=-1)


def _f32(*arrays):
    return [np.asarray(a, np.float32) for a in arrays]


def test_logits_distillation_matches_numpy_reference(kfx):
    t, s = kfx["arrays"]["teacher"], kfx["arrays"]["student"]
    tf, sf = _f32(t, s)
    # KLDivergence instance: softmax of the scaled logits, times T**2
    for temp in (1.0, 2.0, 5.0):
        ref = temp ** 2 * np.mean(_kl(_softmax(t / temp), _softmax(s / temp)))
        got = LogitsDistillation(temp, keras.losses.KLDivergence())
        assert float(got.compute_loss(tf, sf)) == pytest.approx(ref,
                                                                rel=1e-5)
    # the default string "kl_divergence" is Keras's kl_divergence function,
    # applied to the scaled logits themselves (no softmax, no T**2)
    ref = np.mean(_kl(t / 3.0, s / 3.0))
    assert float(LogitsDistillation().compute_loss(tf, sf)) == \
        pytest.approx(ref, rel=1e-5)
    assert ref > 1.0  # not the softmax form, which is far smaller
    # CategoricalCrossentropy(from_logits=True): y_true is the teacher's
    # output / T as given (here probabilities * T), y_pred the logits / T
    probs = _softmax(t / 4.0)
    ref = np.mean(-np.sum(probs * np.log(_softmax(s / 4.0)), -1))
    loss = LogitsDistillation(4.0, keras.losses.CategoricalCrossentropy(
        from_logits=True))
    got = float(loss.compute_loss(_f32(probs * 4.0)[0], sf))
    assert got == pytest.approx(ref, rel=1e-5)


def test_feature_distillation_matches_numpy_reference(kfx):
    a = kfx["arrays"]
    t, s, t2, s2 = a["teacher"], a["student"], a["teacher2"], a["student2"]
    got = FeatureDistillation().compute_loss(*_f32(t, s))
    assert float(got) == pytest.approx(np.mean((t - s) ** 2), rel=1e-6)
    got = FeatureDistillation(loss=["mse", None, "mae"]).compute_loss(
        _f32(t, t2, t2), _f32(s, s2, s2))
    ref = np.mean((t - s) ** 2) + np.mean(np.abs(t2 - s2))
    assert float(got) == pytest.approx(ref, rel=1e-6)
    got = FeatureDistillation(loss="cosine_similarity").compute_loss(
        *_f32(t, s))
    cos = np.sum(t * s, -1) / (np.linalg.norm(t, axis=-1) *
                               np.linalg.norm(s, axis=-1))
    assert float(got) == pytest.approx(np.mean(-cos), rel=1e-5)


def _keras_loss_cases(a):
    t, s = a["teacher"], a["student"]
    pair = _f32(a["teacher"], a["teacher2"]), _f32(a["student"], a["student2"])
    one = _f32(t, s)
    return {
        "logits_default": (LogitsDistillation(), *one),
        "logits_t2_kl_instance": (LogitsDistillation(
            temperature=2.0, loss=keras.losses.KLDivergence()), *one),
        "logits_t4_cce_string": (LogitsDistillation(
            temperature=4.0, loss="categorical_crossentropy"), *one),
        "logits_t3_cce_from_logits": (LogitsDistillation(
            loss=keras.losses.CategoricalCrossentropy(from_logits=True)),
            *one),
        "logits_pair_kl_none": (LogitsDistillation(
            loss=[keras.losses.KLDivergence(), None]), *pair),
        "feature_default": (FeatureDistillation(), *one),
        "feature_cosine": (FeatureDistillation(loss="cosine_similarity"),
                           *one),
        "feature_mae_instance": (FeatureDistillation(
            loss=keras.losses.MeanAbsoluteError()), *one),
        "feature_pair_mse_mae": (FeatureDistillation(loss=["mse", "mae"]),
                                 *pair),
    }


def test_losses_match_keras(kfx):
    cases = _keras_loss_cases(kfx["arrays"])
    assert set(cases) == set(kfx["losses"])
    for name, (loss, t, s) in cases.items():
        assert float(loss.compute_loss(t, s)) == pytest.approx(
            kfx["losses"][name], rel=1e-5, abs=1e-6), name


def test_configs_match_keras_and_round_trip(kfx):
    configs = kfx["configs"]
    assert LogitsDistillation().get_config() == configs["logits_default"]
    assert LogitsDistillation(2.0, keras.losses.KLDivergence()
                              ).get_config() == configs[
        "logits_t2_kl_instance"]
    named = FeatureDistillation("mae", "a", "b")
    assert named.get_config() == configs["feature_named"]
    back = FeatureDistillation.from_config(named.get_config())
    assert back.loss is keras.losses.mean_absolute_error
    assert (back.teacher_layer_name, back.student_layer_name) == ("a", "b")
    back = LogitsDistillation.from_config(configs["logits_t2_kl_instance"])
    assert isinstance(back.loss, keras.losses.KLDivergence)
    assert back.temperature == 2.0


def test_loss_argument_errors():
    with pytest.raises(ValueError, match="temperature must be positive"):
        LogitsDistillation(temperature=0.0)
    with pytest.raises(ValueError, match="temperature must be a number"):
        LogitsDistillation(temperature="3")
    with pytest.raises(ValueError, match="at least one non-`None`"):
        LogitsDistillation(loss=[None, None])
    with pytest.raises(ValueError, match="at least one non-`None`"):
        FeatureDistillation(loss=None)
    with pytest.raises(ValueError, match="Unknown loss|Could not interpret"):
        FeatureDistillation(loss="no_such_loss")
    with pytest.raises(NotImplementedError, match="Subclasses"):
        DistillationLoss().compute_loss(1.0, 1.0)
    with pytest.raises(ValueError, match="structure"):
        FeatureDistillation(loss=["mse", "mse"]).validate_outputs(
            np.ones(2), np.ones(2))


# ---- Distiller -----------------------------------------------------------------

def _dense_model(name, kernel, bias):
    return distillation_cases.dense_model(keras, name, kernel, bias)


def _distiller_cases():
    return {
        "logits_kl": dict(distillation_losses=LogitsDistillation(
            temperature=2.0, loss=keras.losses.KLDivergence()),
            student_loss_weight=0.3),
        "logits_and_feature": dict(distillation_losses=[
            LogitsDistillation(),
            FeatureDistillation(teacher_layer_name="hid",
                                student_layer_name="hid")],
            distillation_loss_weights=[1.0, 0.25], student_loss_weight=0.6),
    }


def _build(a, kwargs):
    teacher = _dense_model("teacher", a["t_kernel"], a["t_bias"])
    student = _dense_model("student", a["s_kernel"], a["s_bias"])
    distiller = Distiller(teacher=teacher, student=student, **kwargs)
    distiller.compile(optimizer=keras.optimizers.SGD(0.1),
                      loss=keras.losses.SparseCategoricalCrossentropy(
                          from_logits=True))
    return teacher, student, distiller


def _reference_total(a, s_kernel, s_bias, case):
    """The distiller's total loss in float64 numpy, as a function of the
    student's first layer (the output layer is 0.5 * identity)."""
    x, y = a["x"], a["y"]
    t_hid = x @ a["t_kernel"] + a["t_bias"]
    s_hid = x @ s_kernel + s_bias
    t_out, s_out = 0.5 * t_hid, 0.5 * s_hid
    student = np.mean(-np.log(_softmax(s_out)[np.arange(len(y)), y]))
    if case == "logits_kl":
        dist = 4.0 * np.mean(_kl(_softmax(t_out / 2), _softmax(s_out / 2)))
        return 0.3 * student + 0.7 * dist
    dist = np.mean(_kl(t_out / 3, s_out / 3)) + \
        0.25 * np.mean((t_hid - s_hid) ** 2)
    return 0.6 * student + 0.4 * dist


def test_distiller_loss_and_one_step_match_keras_and_numpy(kfx):
    a = kfx["arrays"]
    x = a["x"].astype(np.float32)
    for name, kwargs in _distiller_cases().items():
        ref = kfx["distillers"][name]
        teacher, student, distiller = _build(a, kwargs)
        total = float(distiller.compute_loss(x, a["y"], distiller(x)))
        assert total == pytest.approx(ref["total_loss"], rel=1e-5)
        assert total == pytest.approx(
            _reference_total(a, a["s_kernel"], a["s_bias"], name), rel=1e-5)
        teacher_before = [w.copy() for w in teacher.get_weights()]
        history = distiller.fit(x, a["y"], batch_size=6, epochs=1,
                                shuffle=False, verbose=0)
        assert sorted(history.history) == ref["history_keys"]
        assert history.history["total_loss"][0] == pytest.approx(total,
                                                                  rel=1e-5)
        # one SGD step on the student = Keras's, and = the finite-difference
        # gradient of the float64 reference; the teacher does not move
        for w, k in zip(student.get_weights(),
                        ref["student_weights_after_fit"]):
            np.testing.assert_allclose(w, np.array(k), atol=1e-6)
        for w, before in zip(teacher.get_weights(), teacher_before):
            np.testing.assert_array_equal(w, before)
        kernel, bias = a["s_kernel"], a["s_bias"]
        grad = np.zeros_like(kernel)
        h = 1e-6
        for idx in np.ndindex(kernel.shape):
            kp, km = kernel.copy(), kernel.copy()
            kp[idx] += h
            km[idx] -= h
            grad[idx] = (_reference_total(a, kp, bias, name) -
                         _reference_total(a, km, bias, name)) / (2 * h)
        np.testing.assert_allclose(student.get_layer("hid").get_weights()[0],
                                   kernel - 0.1 * grad, atol=2e-6)
        assert np.abs(grad).max() > 1e-3


def test_distiller_fit_moves_student_towards_teacher():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 6)).astype(np.float32)
    teacher = keras.Sequential([keras.Input((6,)),
                                keras.layers.Dense(8, activation="tanh"),
                                keras.layers.Dense(3)], name="teacher")
    student = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3)],
                               name="student")
    y = np.argmax(teacher.predict(x, verbose=0), axis=1)
    teacher_weights = [w.copy() for w in teacher.get_weights()]
    distiller = Distiller(teacher, student, LogitsDistillation(
        temperature=2.0, loss=keras.losses.KLDivergence()),
        student_loss_weight=0.1)
    distiller.compile(optimizer=keras.optimizers.Adam(0.05),
                      loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    assert distiller.teacher.trainable is False
    assert len(distiller.trainable_weights) == 2  # the student's only

    def gap():
        return np.mean(_kl(_softmax(teacher.predict(x, verbose=0) / 2.0),
                           _softmax(student.predict(x, verbose=0) / 2.0)))
    before = gap()
    history = distiller.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert gap() < 0.5 * before
    assert history.history["distillation_loss"][-1] < \
        history.history["distillation_loss"][0]
    assert set(history.history) == {"accuracy", "distillation_loss", "loss",
                                    "student_loss", "total_loss"}
    for w, b in zip(teacher.get_weights(), teacher_weights):
        np.testing.assert_array_equal(w, b)
    # call / predict are the student's
    np.testing.assert_allclose(distiller.predict(x, verbose=0),
                               student.predict(x, verbose=0), rtol=1e-6)
    logs = distiller.evaluate(x, y, verbose=0, return_dict=True)
    assert {"loss", "student_loss", "distillation_loss",
            "total_loss"} <= set(logs)


def test_distiller_config(kfx):
    a = kfx["arrays"]
    for name, kwargs in _distiller_cases().items():
        _, _, distiller = _build(a, kwargs)
        config = distiller.get_config()
        ref = kfx["distillers"][name]["config"]
        assert {k: config[k] for k in ref} == ref
        assert config["teacher"]["class_name"] == "Functional"
        again = Distiller.from_config(config)
        assert again.student_loss_weight == kwargs["student_loss_weight"]
        assert [type(l) for l in again.distillation_losses] == \
            [type(l) for l in distiller.distillation_losses]
        x = a["x"].astype(np.float32)
        assert distiller(x).shape == again(x).shape == (6, 4)


def test_distiller_argument_errors(kfx):
    a = kfx["arrays"]
    teacher = _dense_model("t", a["t_kernel"], a["t_bias"])
    student = _dense_model("s", a["s_kernel"], a["s_bias"])
    logits = LogitsDistillation()
    with pytest.raises(ValueError, match="between 0.0 and 1.0"):
        Distiller(teacher, student, logits, student_loss_weight=1.5)
    with pytest.raises(ValueError, match="must be a number"):
        Distiller(teacher, student, logits, student_loss_weight="0.5")
    with pytest.raises(ValueError, match="cannot be `None`"):
        Distiller(teacher, student, None)
    with pytest.raises(ValueError, match=r"\(1\) must match .* \(2\)"):
        Distiller(teacher, student, [logits, logits],
                  distillation_loss_weights=[1.0])
    with pytest.raises(ValueError, match="Teacher must be a keras.Model"):
        Distiller("teacher", student, logits)
    with pytest.raises(ValueError, match="In student model"):
        Distiller(teacher, student, FeatureDistillation(
            teacher_layer_name="hid", student_layer_name="nope"))
    wide = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5)])
    with pytest.raises(ValueError, match="output shapes are incompatible"):
        Distiller(teacher, wide, logits)
    distiller = Distiller(teacher, student, logits)
    with pytest.raises(ValueError, match="'loss' cannot be `None`"):
        distiller.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="metrics must be a list"):
        distiller.compile(optimizer="sgd", loss="mse", metrics="mae")


def test_namespace_is_exposed():
    assert keras.distillation.Distiller is Distiller
    assert issubclass(Distiller, keras.Model)
    assert keras.distillation.LogitsDistillation is LogitsDistillation
