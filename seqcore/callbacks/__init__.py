"""keras.callbacks: hooks into fit / evaluate / predict, with Keras 3's
names, arguments, defaults and calling contract (one module per
callback)."""
from seqcore.callbacks.backup_and_restore import BackupAndRestore
from seqcore.callbacks.callback import Callback
from seqcore.callbacks.callback_list import CallbackList
from seqcore.callbacks.csv_logger import CSVLogger
from seqcore.callbacks.early_stopping import EarlyStopping
from seqcore.callbacks.history import History
from seqcore.callbacks.lambda_callback import LambdaCallback
from seqcore.callbacks.learning_rate_scheduler import LearningRateScheduler
from seqcore.callbacks.model_checkpoint import ModelCheckpoint
from seqcore.callbacks.monitor_callback import MonitorCallback
from seqcore.callbacks.progbar_logger import ProgbarLogger
from seqcore.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from seqcore.callbacks.remote_monitor import RemoteMonitor
from seqcore.callbacks.swap_ema_weights import SwapEMAWeights
from seqcore.callbacks.tensorboard import TensorBoard
from seqcore.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = ["BackupAndRestore", "CSVLogger", "Callback", "CallbackList",
           "EarlyStopping", "History", "LambdaCallback",
           "LearningRateScheduler", "ModelCheckpoint", "MonitorCallback",
           "ProgbarLogger", "ReduceLROnPlateau", "RemoteMonitor",
           "SwapEMAWeights", "TensorBoard", "TerminateOnNaN"]
