"""keras.optimizers. So far the learning-rate schedules; the optimizers
themselves come with the training loop."""
from seqcore.optimizers import schedules

__all__ = ["schedules"]
