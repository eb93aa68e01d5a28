"""What every script here starts with: join the MPI job (a single process
when not launched by mpiexec) under DataParallel, and small Dense models."""
import seqcore as keras
from seqcore.distribution import state


def start(seed=None):
    """Join the job with DataParallel set; seed the random state when
    `seed` is given. Returns the job's communicator (rank, size)."""
    keras.distribution.initialize()
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    if seed is not None:
        keras.utils.set_random_seed(seed)
    return state.comm()


def dense_stack(n_inputs, *layers):
    """Sequential: Input((n_inputs,)), then a Dense per (units, activation)
    pair."""
    return keras.Sequential(
        [keras.Input((n_inputs,))] +
        [keras.layers.Dense(units, activation=activation)
         for units, activation in layers])
