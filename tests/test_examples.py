"""The examples run end to end (one epoch; the Fashion-MNIST ones only where
the data is installed)."""
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("script,expected", [
    ("sequence_classifiers.py", ["LSTM: loss", "Conv1D: loss"]),
    ("stacked_lstm.py", ["lstm_2 (LSTM)", "val_accuracy"]),
])
def test_example_runs(script, expected):
    out = subprocess.run([sys.executable, str(EXAMPLES / script),
                          "--epochs", "1"], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    for text in expected:
        assert text in out.stdout


@pytest.mark.parametrize("script,args", [
    ("fashion_mnist_mlp.py", ["--epochs", "1"]),
    ("fashion_mnist_vgg.py", ["--epochs", "1", "--samples", "512"]),
])
def test_fashion_mnist_examples_run(script, args):
    import seqcore
    try:
        seqcore.datasets.fashion_mnist.load_data()
    except FileNotFoundError:
        pytest.skip("Fashion-MNIST is not on this machine")
    out = subprocess.run([sys.executable, str(EXAMPLES / script)] + args,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "test accuracy" in out.stdout
