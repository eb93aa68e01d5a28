"""Run a Keras 3 program on seqcore unchanged: `import keras`,
`from keras import layers`, `from keras.layers import Dense`, ... resolve to
the seqcore modules of the same names while the alias is installed.

The corpus programs in this folder are plain Keras 3 programs; the fixture
generator runs them on Keras itself, the tests run them here."""
import contextlib
import importlib
import importlib.abc
import importlib.util
import sys


class _KerasToSeqcore(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `keras` and `keras.<sub>` and loads `seqcore[.<sub>]`."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "keras" or fullname.startswith("keras."):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        target = "seqcore" + spec.name[len("keras"):]
        return importlib.import_module(target)

    def exec_module(self, module):
        pass


@contextlib.contextmanager
def keras_is_seqcore():
    """Within the block, `import keras...` imports seqcore."""
    saved = {name: mod for name, mod in sys.modules.items()
             if name == "keras" or name.startswith("keras.")}
    for name in saved:
        del sys.modules[name]
    finder = _KerasToSeqcore()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules
                     if n == "keras" or n.startswith("keras.")]:
            del sys.modules[name]
        sys.modules.update(saved)
