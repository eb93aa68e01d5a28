"""Reading the pickled parts of Keras's dataset files without running code
from them: an unpickler that only rebuilds numpy arrays and plain Python
containers, and refuses every other global (os.system and the like)."""
import io
import pickle
import zipfile

import numpy as np

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("copyreg", "_reconstructor"),
    ("builtins", "list"),
    ("builtins", "dict"),
    ("builtins", "object"),
    ("_codecs", "encode"),     # protocol-2 pickles carry bytes through it
}


class SafeUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise ValueError(f"refusing to load {module}.{name} from a "
                             f"dataset file (only numpy arrays and plain "
                             f"containers are allowed)")
        return super().find_class(module, name)


def safe_load(fileobj, encoding="ASCII"):
    try:
        return SafeUnpickler(fileobj, encoding=encoding).load()
    except ValueError:
        raise
    except (pickle.UnpicklingError, EOFError, AttributeError, TypeError,
            IndexError, KeyError) as exc:
        raise ValueError(f"corrupt pickled data ({exc})") from None


def load_npz(path):
    """{name: array} of an .npz file whose object arrays (lists of token
    ids) are rebuilt by SafeUnpickler instead of np.load's pickle."""
    out = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for member in zf.namelist():
                name = member[:-4] if member.endswith(".npy") else member
                f = io.BytesIO(zf.read(member))
                version = np.lib.format.read_magic(f)
                read_header = np.lib.format.read_array_header_1_0 \
                    if version == (1, 0) else \
                    np.lib.format.read_array_header_2_0
                shape, _, dtype = read_header(f)
                if dtype.hasobject:
                    array = safe_load(f, encoding="latin1")
                    if not isinstance(array, np.ndarray):
                        raise ValueError(f"{member} is not an array")
                else:
                    array = np.frombuffer(f.read(), dtype=dtype)
                    array = array.reshape(shape)
                out[name] = array
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ValueError(f"{path}: not a valid .npz file ({exc})") from None
    return out
