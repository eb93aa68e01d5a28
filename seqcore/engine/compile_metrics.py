"""`model.metrics` as Keras 3 lists it once compiled: a Mean named "loss"
(the running loss of the current epoch, weighted by batch size) and one
CompileMetrics (name "compile_metrics") holding the compiled metrics,
whose result is a dict of their results."""
from seqcore.metrics.metric import Metric


class CompileMetrics(Metric):
    """The compiled metrics of a model as one Metric (Keras's container).

    Args:
        compiled: the model's compile settings (trainer._Compiled), whose
            metrics are built on the first batch.
    """

    def __init__(self, compiled):
        super().__init__(name="compile_metrics")
        self._compiled = compiled

    def _members(self):
        return [m for _, m in self._compiled.metrics or []]

    @property
    def variables(self):
        return [v for m in self._members() for v in m.variables]

    def update_state(self, y_true, y_pred, sample_weight=None):
        ys = y_true if isinstance(y_true, (list, tuple)) else [y_true]
        preds = y_pred if isinstance(y_pred, (list, tuple)) else [y_pred]
        if self._compiled.metrics is None:
            self._compiled.build_metrics(list(ys), list(preds))
        self._compiled.update_metrics(list(ys), list(preds), sample_weight)

    def result(self):
        return {m.name: m.result() for m in self._members()}

    def reset_state(self):
        for m in self._members():
            m.reset_state()
