"""keras.ops against Keras 3: every case of fixtures/ops_cases.py run
through seqcore.ops must give Keras's values (1e-6 relative to the
output's magnitude) and exactly Keras's dtypes (fixtures from
tests/fixtures/make_ops_fixtures.py, Keras 3.15 on JAX)."""
import json
import pathlib

import numpy as np
import pytest

from seqcore import ops
from tests.fixtures import ops_cases as cases

FIXTURES = np.load(pathlib.Path(__file__).parent / "fixtures" /
                   "keras_ops.npz")
FACTS = json.loads(str(FIXTURES["facts"]))["cases"]


def _flat(value):
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _flat(v)]
    return [value]


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_op_equals_keras(name):
    family, fn = cases.CASES[name]
    facts = FACTS[name]
    got = _flat(fn(ops, cases.inputs()))
    assert len(got) == len(facts["dtypes"]), (name, len(got))
    for i, (value, dtype) in enumerate(zip(got, facts["dtypes"])):
        want = FIXTURES[f"{name}/{i}"]
        value = np.asarray(value)
        assert value.dtype == np.dtype(dtype), (name, i, value.dtype, dtype)
        assert value.shape == want.shape, (name, i, value.shape, want.shape)
        if want.dtype.kind in "fc":
            scale = float(np.max(np.abs(want[np.isfinite(want)]),
                                 initial=1.0))
            np.testing.assert_allclose(value, want, rtol=1e-6,
                                       atol=1e-6 * scale, equal_nan=True,
                                       err_msg=f"{name} output {i}")
        else:
            np.testing.assert_array_equal(value, want,
                                          err_msg=f"{name} output {i}")


def test_every_family_is_covered():
    families = {family for family, _ in cases.CASES.values()}
    assert families == {"numpy", "nn", "image", "linalg"}
    assert len(cases.CASES) == len(FACTS)
