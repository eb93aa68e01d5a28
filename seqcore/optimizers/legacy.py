"""keras.optimizers.legacy: Keras 3 keeps these names only to refuse them
(Keras 2's legacy optimizers live in the tf_keras package); each raises
ImportError when created, with Keras's message."""

_MESSAGE = (
    "`keras.optimizers.legacy` is not supported in Keras 3. When using "
    "`tf.keras`, to continue using a `tf.keras.optimizers.legacy` optimizer, "
    "you can install the `tf_keras` package (Keras 2) and set the environment "
    "variable `TF_USE_LEGACY_KERAS=True` to configure TensorFlow to use "
    "`tf_keras` when accessing `tf.keras`.")


class LegacyOptimizerWarning:
    """Any Keras 2 legacy optimizer: creating one raises ImportError."""

    def __init__(self, *args, **kwargs):
        raise ImportError(_MESSAGE)


Adagrad = Adam = Ftrl = Optimizer = RMSprop = SGD = LegacyOptimizerWarning

__all__ = ["Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop", "SGD"]
