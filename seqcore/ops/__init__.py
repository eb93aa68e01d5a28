"""seqcore.ops: Keras's ops namespace, backed by numpy and seqcore kernels."""
from seqcore.ops.linalg import matmul

__all__ = ["matmul"]
