"""keras.distillation: knowledge distillation from a teacher to a student.

`Distiller` is a Model that trains a student on a weighted sum of its own
supervised loss and distillation losses against a frozen teacher;
`LogitsDistillation` and `FeatureDistillation` are the built-in losses and
`DistillationLoss` the base class for custom ones.
"""
from seqcore.distillation.distillation_loss import (DistillationLoss,
                                                    FeatureDistillation,
                                                    LogitsDistillation)
from seqcore.distillation.distiller import Distiller

__all__ = ["DistillationLoss", "Distiller", "FeatureDistillation",
           "LogitsDistillation"]
