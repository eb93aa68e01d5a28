"""keras.distribution on MPI: data-parallel training over processes and
machines (docs/distribution.md). mpi4py is optional (`pip install
seqcore[mpi]`) and imported only by a process launched with mpiexec."""
from seqcore.distribution.api import (DataParallel, DeviceMesh, Distribution,
                                      LayoutMap, ModelParallel, TensorLayout,
                                      distribute_tensor, distribution,
                                      get_device_count, initialize,
                                      list_devices, set_distribution)

__all__ = ["DataParallel", "DeviceMesh", "Distribution", "LayoutMap",
           "ModelParallel", "TensorLayout", "distribute_tensor",
           "distribution", "get_device_count", "initialize", "list_devices",
           "set_distribution"]
