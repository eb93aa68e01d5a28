"""The corpus: Keras 3 programs in the style of keras.io's examples and
guides (tests/programs/), run unchanged on seqcore (`import keras` resolves
to seqcore). Each must run, train (the loss is finite), and build the same
architecture as Keras 3 built from the same program: layer names, classes
and parameter counts, and History's keys (tests/fixtures/keras_programs.json,
from make_program_fixtures.py)."""
import json
import math
import pathlib
import runpy
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
EXPECTED = json.loads((HERE / "fixtures" / "keras_programs.json").read_text())

sys.path.insert(0, str(PROGRAMS))
from _alias import keras_is_seqcore  # noqa: E402
from _record import record  # noqa: E402

NAMES = sorted(p.stem for p in PROGRAMS.glob("[a-z]*.py"))


def test_every_program_has_a_keras_record():
    assert sorted(EXPECTED["programs"]) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_program_runs_as_on_keras(name, capsys):
    import seqcore
    expected = EXPECTED["programs"][name]
    assert "keras_error" not in expected, expected
    seqcore.backend.clear_session()
    seqcore.utils.set_random_seed(0)
    with keras_is_seqcore():
        namespace = runpy.run_path(str(PROGRAMS / f"{name}.py"),
                                   run_name="__main__")
    got = record(namespace)
    assert got["layers"] == expected["layers"]
    assert got["params"] == expected["params"]
    if "history_keys" in expected:
        assert got["history_keys"] == expected["history_keys"]
        assert got["epochs"] == expected["epochs"]
        if expected["epochs"]:      # a History without "loss" has none
            assert math.isfinite(got["loss_last"])
