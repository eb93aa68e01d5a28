"""TerminateOnNaN: stop when a batch's loss is NaN or infinite."""
import math

from seqcore.callbacks.callback import Callback, chief_print


class TerminateOnNaN(Callback):
    """Stops training at the end of a batch whose loss is NaN or infinite.

    Args:
        raise_error: raise a RuntimeError at once (skipping the other
            callbacks' `on_train_end`) instead of stopping gracefully.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch "
                               f"{batch}. Loss value: {loss}. Terminating "
                               f"training immediately.")
        chief_print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
