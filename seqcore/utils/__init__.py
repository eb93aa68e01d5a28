"""keras.utils helpers."""
from seqcore.engine.naming import reset_names
from seqcore.random import set_seed as set_random_seed


def clear_session():
    """Reset automatic names, so the next Dense is `dense` again."""
    reset_names()


__all__ = ["clear_session", "set_random_seed"]
