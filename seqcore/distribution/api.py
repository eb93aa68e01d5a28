"""Keras 3's `keras.distribution` names, on MPI processes.

A device is one MPI rank (`"cpu:<rank>"`); the mesh is the job. seqcore
distributes data only: `DataParallel` replicates the model on every rank
and splits each global batch; `ModelParallel` (sharded weights) raises
NotImplementedError."""
import collections.abc
import math
import re
import warnings

import numpy as np

from seqcore.distribution import state

DEFAULT_BATCH_DIM_NAME = "batch"


def initialize(job_addresses=None, num_processes=None, process_id=None):
    """Join the MPI job this process was launched in (`mpiexec -n N`).

    A process started without a launcher is a job of one (rank 0), with no
    MPI needed. Under a launcher mpi4py is required (ImportError naming
    `pip install seqcore[mpi]`). `num_processes`/`process_id`, when given,
    are checked against the job's; `job_addresses` is accepted for Keras
    compatibility (MPI's launcher already knows the hosts).

    Args:
        job_addresses: ignored (the hostfile given to mpiexec decides).
        num_processes: expected number of ranks, or None.
        process_id: expected rank of this process, or None.
    """
    job = state.comm()
    if num_processes is not None and int(num_processes) != job.size:
        raise ValueError(f"initialize: num_processes={num_processes} but the "
                         f"MPI job has {job.size} ranks (mpiexec -n "
                         f"{job.size})")
    if process_id is not None and int(process_id) != job.rank:
        raise ValueError(f"initialize: process_id={process_id} but this "
                         f"process is MPI rank {job.rank}")
    return None


def list_devices(device_type=None):
    """One device per MPI rank: ["cpu:0", "cpu:1", ...].

    Args:
        device_type: None or "cpu" (the only kind seqcore runs on).
    """
    if device_type is not None and str(device_type).lower() != "cpu":
        raise ValueError(f"list_devices: seqcore runs on CPU ranks only; "
                         f"received device_type={device_type!r}, expected "
                         f"'cpu' or None")
    return [f"cpu:{r}" for r in range(state.comm().size)]


def get_device_count(device_type=None):
    return len(list_devices(device_type))


class DeviceMesh:
    """The ranks laid out as an array with named axes.

    Args:
        shape: tuple of ints whose product is the number of devices.
        axis_names: one name per axis.
        devices: device names (default: `list_devices()`).
    """

    def __init__(self, shape, axis_names, devices=None):
        if not shape or not axis_names:
            raise ValueError(f"Shape and axis_names cannot be empty. "
                             f"Received: shape={shape}, "
                             f"axis_names={axis_names}")
        if len(shape) != len(axis_names):
            raise ValueError(f"Shape and axis_names should have same size. "
                             f"Received: shape={shape}, "
                             f"axis_names={axis_names}")
        devices = np.array(list_devices() if devices is None else devices)
        if math.prod(shape) != devices.size:
            raise ValueError(f"Shape does not match the number of devices. "
                             f"Received: shape={shape}; "
                             f"devices.shape={devices.shape}")
        self._shape = tuple(shape)
        self._axis_names = list(axis_names)
        self._devices = devices.reshape(shape)

    @property
    def shape(self):
        return self._shape

    @property
    def axis_names(self):
        return self._axis_names

    @property
    def devices(self):
        return self._devices

    def __repr__(self):
        return (f"<DeviceMesh shape={self.shape}, "
                f"axis_names={self.axis_names}>")


class TensorLayout:
    """Axis names (or None) per tensor dimension, on a mesh.

    Args:
        axes: a tuple of axis names or None, one per dimension.
        device_mesh: a DeviceMesh or None.
    """

    def __init__(self, axes, device_mesh=None):
        self._axes = tuple(axes)
        self._device_mesh = device_mesh

    @property
    def axes(self):
        return self._axes

    @property
    def device_mesh(self):
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, value):
        self._device_mesh = value

    def __repr__(self):
        return (f"<TensorLayout axes={self.axes}, "
                f"device_mesh={self.device_mesh}>")


class Distribution:
    """Base of the distributions: a mesh, the batch axis name, and whether
    the data given to fit is the same on every rank (auto_shard_dataset:
    each rank takes its slice) or already this rank's shard.

    Args:
        device_mesh: a DeviceMesh.
        batch_dim_name: the mesh axis that splits batches.
        auto_shard_dataset: True: fit's data is the full data on every
            rank; False: each rank was given its own shard.
    """

    _data_parallel = False

    def __init__(self, device_mesh, batch_dim_name=None,
                 auto_shard_dataset=True):
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = bool(auto_shard_dataset)
        job = state.comm()
        self._num_processes = job.size
        self._process_id = job.rank

    @property
    def device_mesh(self):
        return self._device_mesh

    @property
    def batch_dim_name(self):
        return self._batch_dim_name

    @property
    def auto_shard_dataset(self):
        return self._auto_shard_dataset

    @property
    def num_processes(self):
        return self._num_processes

    @property
    def process_id(self):
        return self._process_id

    @property
    def data_shard_id(self):
        return self._process_id

    def get_data_layout(self, data_shape):
        axes = [None] * len(data_shape)
        if axes:
            axes[0] = self._batch_dim_name
        return TensorLayout(axes, self._device_mesh)

    def get_variable_layout(self, variable):
        return TensorLayout([None] * len(getattr(variable, "shape", ())),
                            self._device_mesh)

    def get_tensor_layout(self, path):
        return None

    def scope(self):
        return _Scope(self)

    def distribute_dataset(self, dataset):
        """The dataset unchanged: the trainer takes each rank's slice of
        every global batch."""
        return dataset

    def __repr__(self):
        return f"<{type(self).__name__} device_mesh={self._device_mesh}>"


class _Scope:
    def __init__(self, value):
        self._value, self._previous = value, None

    def __enter__(self):
        self._previous = state.get_distribution()
        state.set_distribution(self._value)
        return self._value

    def __exit__(self, *exc):
        state.set_distribution(self._previous)
        return False


class DataParallel(Distribution):
    """Data parallelism over MPI ranks: the model is replicated, each rank
    computes its slice of every global batch (`batch_size` in fit is the
    global batch), gradients are averaged with one allreduce per step.

    Args:
        device_mesh: a 1-D DeviceMesh (its first axis splits batches).
        devices: device names (builds a 1-D mesh); not with device_mesh.
        auto_shard_dataset: see Distribution.
    """

    _data_parallel = True

    def __init__(self, device_mesh=None, devices=None,
                 auto_shard_dataset=True):
        if device_mesh is not None:
            if not isinstance(device_mesh, DeviceMesh):
                raise ValueError(f"Expect `mesh` to be an instance of "
                                 f"`DeviceMesh`. Received: mesh={device_mesh}"
                                 f" (of type {type(device_mesh)})")
            if device_mesh.devices.ndim != 1:
                warnings.warn(f"Expect the input mesh to be 1D, but received "
                              f"mesh.devices.ndim={device_mesh.devices.ndim}."
                              f" The first axis will be used for "
                              f"data-parallel sharding.", stacklevel=2)
            batch_dim = device_mesh.axis_names[0]
        else:
            devices = np.array(list_devices() if not devices else devices)
            device_mesh = DeviceMesh(devices.shape, [DEFAULT_BATCH_DIM_NAME],
                                     devices)
            batch_dim = DEFAULT_BATCH_DIM_NAME
        super().__init__(device_mesh, batch_dim, auto_shard_dataset)
        job = state.comm()
        if device_mesh.devices.size != job.size:
            raise ValueError(f"DataParallel: the mesh has "
                             f"{device_mesh.devices.size} devices but the "
                             f"MPI job has {job.size} ranks; seqcore maps "
                             f"one device to one rank")

    @property
    def num_model_replicas(self):
        return self._device_mesh.devices.size


class ModelParallel(Distribution):
    """Not supported: seqcore distributes data only (every rank holds the
    whole model). Use DataParallel."""

    def __init__(self, *, layout_map=None, batch_dim_name=None,
                 auto_shard_dataset=True, **kwargs):
        raise NotImplementedError(
            "seqcore.distribution supports DataParallel only (every MPI rank "
            "holds the whole model and its slice of each batch); "
            "ModelParallel (weights sharded with a LayoutMap) is not "
            "implemented. Use keras.distribution.DataParallel().")


class LayoutMap(collections.abc.MutableMapping):
    """Variable paths (regular expressions) to TensorLayouts, as Keras's.

    Args:
        device_mesh: the DeviceMesh of the layouts.
    """

    def __init__(self, device_mesh):
        self._layout_map = collections.OrderedDict()
        self._device_mesh = device_mesh

    def __getitem__(self, key):
        if key in self._layout_map:
            return self._layout_map[key]
        matches = [k for k in self._layout_map if re.search(k, key)]
        if len(matches) > 1:
            raise ValueError(f"Path '{key}' matches multiple layout "
                             f"specification keys: {matches}. Please make "
                             f"sure each tensor/variable path only matches "
                             f"at most one layout specification key in the "
                             f"LayoutMap.")
        return self._layout_map[matches[0]] if matches else None

    def __setitem__(self, key, layout):
        if key in self._layout_map:
            raise ValueError(f"{key} already exist in the LayoutMap with "
                             f"value {self._layout_map[key]}. Please make "
                             f"sure to not use duplicated keys.")
        if isinstance(layout, (tuple, list)):
            layout = TensorLayout(axes=layout, device_mesh=None)
        if not isinstance(layout, TensorLayout):
            raise ValueError(f"{layout} should be a TensorLayout type, got "
                             f"{type(layout)}")
        if layout.device_mesh is None:
            layout.device_mesh = self._device_mesh
        self._layout_map[key] = layout

    def __delitem__(self, key):
        return self._layout_map.pop(key)

    def __len__(self):
        return len(self._layout_map)

    def __iter__(self):
        return iter(self._layout_map)

    @property
    def device_mesh(self):
        return self._device_mesh


def distribute_tensor(tensor, layout):
    """The tensor unchanged: under DataParallel every rank holds whole
    tensors."""
    return tensor


def distribution():
    """The current distribution (None when none was set)."""
    return state.get_distribution()


def set_distribution(value):
    """Make `value` (a DataParallel, or None) the global distribution.

    Args:
        value: a Distribution instance or None.
    """
    if value is not None and not isinstance(value, Distribution):
        raise ValueError(f"set_distribution expects a "
                         f"keras.distribution.Distribution (DataParallel) or "
                         f"None, received {value!r}")
    state.set_distribution(value)
