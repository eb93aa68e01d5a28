"""Python lambdas in configs, as Keras 3 writes them: the function's code
object marshalled and base64-encoded, with its defaults and closure values.

Reading one back executes code from the file, so callers do it only when
safe mode is off (`safe_mode=False` or
`keras.config.enable_unsafe_deserialization()`); the code object must come
from the same Python version.
"""
import base64
import marshal
import types

UNSAFE_LAMBDA_MESSAGE = (
    "Requested the deserialization of a Python lambda{what}. This carries a "
    "potential risk of arbitrary code execution and thus it is disallowed "
    "by default. If you trust the source of the artifact, you can override "
    "this error by passing `safe_mode=False` to the loading function, or "
    "calling `keras.config.enable_unsafe_deserialization()`.")


def is_lambda(fn):
    """Whether `fn` is an anonymous Python function (`lambda ...`)."""
    return isinstance(fn, types.FunctionType) and fn.__name__ == "<lambda>"


def dump_function(fn):
    """(code, defaults, closure): the base64 text of `fn`'s marshalled code
    object, its default values and its closure cells' values."""
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(cell.cell_contents for cell in fn.__closure__) \
        if fn.__closure__ else None
    return code, fn.__defaults__, closure


def _cell(value):
    return (lambda: value).__closure__[0]


def load_function(code, defaults=None, closure=None, globs=None):
    """The function written by `dump_function` (or Keras's `func_dump`).

    Args:
        code: the base64 text, or a (code, defaults, closure) list.
        defaults: the default values (a list is made a tuple).
        closure: the closure values.
        globs: the function's globals (default: the builtins, `keras`
            and `K` bound to seqcore, `ops` to seqcore.ops, `np` to numpy,
            the names such lambdas use most).

    Raises:
        ValueError: when the text is not a marshalled code object of this
            Python version.
    """
    if isinstance(code, (list, tuple)):
        code, defaults, closure = code
    if isinstance(defaults, list):
        defaults = tuple(defaults)
    try:
        raw = base64.decodebytes(code.encode("ascii"))
        code_object = marshal.loads(raw)
    except (ValueError, EOFError, TypeError, AttributeError) as exc:
        raise ValueError(f"The lambda's code cannot be read ({exc}): it was "
                         f"written by another Python version or is "
                         f"corrupt") from None
    if not isinstance(code_object, types.CodeType):
        raise ValueError(f"The lambda's code is not a code object (it "
                         f"decodes to {type(code_object).__name__})")
    cells = tuple(_cell(v) for v in closure) if closure is not None else None
    if globs is None:
        import numpy
        import seqcore
        globs = {"__builtins__": __builtins__, "keras": seqcore,
                 "K": seqcore.backend, "ops": seqcore.ops, "np": numpy}
    return types.FunctionType(code_object, globs, code_object.co_name,
                              defaults, cells)
