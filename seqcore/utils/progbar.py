"""keras.utils.Progbar: the progress bar for user loops, drawn by the same
bar as fit's (engine/progbar.py)."""
from seqcore.engine import progbar as engine_progbar


class Progbar:
    """A progress bar that user code advances with `update` or `add`.

    Metrics given as `(name, value)` pairs are averaged over the steps
    since the start (weighted by how many steps each update covers),
    except those in `stateful_metrics` (shown as given); with
    `stateless_metrics` instead, only those are averaged.

    Args:
        target: total steps expected, or None if unknown.
        width: the bar's width in characters.
        verbose: 0 (silent), 1 (the bar), 2 (one line when finalized).
        interval: minimum seconds between two redraws.
        stateful_metrics: names shown as given.
        stateless_metrics: names averaged (then every other name is shown
            as given); give at most one of the two.
        unit_name: what a step is called ("step", "sample", ...).
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05,
                 stateful_metrics=None, stateless_metrics=None,
                 unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` can "
                "be provided, received both")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = None if stateless_metrics is not None \
            else set(stateful_metrics or ())
        self.stateless_metrics = None if stateless_metrics is None \
            else set(stateless_metrics)
        self._seen_so_far = 0
        self._values = {}       # name -> [weighted sum, weight]
        self._bar = engine_progbar.Progbar(target or 0, verbose=verbose,
                                           interval=interval, width=width,
                                           unit=unit_name)

    def _averaged(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def update(self, current, values=None, finalize=None):
        """Move the bar to step `current`.

        Args:
            current: the index of the current step.
            values: a list of (name, value for the last step) pairs.
            finalize: whether this is the last update (default: current
                >= target when the target is known).
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            if self._averaged(name) and not finalize:
                weight = max(current - self._seen_so_far, 1)
                total = self._values.setdefault(name, [0.0, 0])
                total[0] += value * weight
                total[1] += weight
            else:
                self._values[name] = [value, 1]
        self._seen_so_far = current
        logs = {name: total / max(weight, 1)
                for name, (total, weight) in self._values.items()}
        if self.verbose == 1:
            self._bar.update(current, logs, finalize)
        elif self.verbose == 2 and finalize:
            self._bar.epoch_line(current, logs)

    def add(self, n, values=None):
        """Advance the bar by `n` steps (see update)."""
        self.update(self._seen_so_far + n, values)
