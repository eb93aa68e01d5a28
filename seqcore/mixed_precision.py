"""keras.mixed_precision: Keras 2's names for the dtype policies
(see seqcore.dtype_policies: mixed policies are accepted and run in
float32)."""
from seqcore.dtype_policies import DTypePolicy, dtype_policy, set_dtype_policy
from seqcore.optimizers.loss_scale import LossScaleOptimizer

Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy",
           "set_dtype_policy", "set_global_policy"]
