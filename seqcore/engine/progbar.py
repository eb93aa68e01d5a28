"""The Keras-style progress bar: `32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step -
accuracy: 0.9100 - loss: 0.2500`, redrawn in place on a terminal, printed
once per epoch (the final state) when the output is not a terminal."""
import sys
import time

BAR_WIDTH = 20


def format_value(value):
    # A per-class metric (an array) shows its mean, as Keras's bar does.
    if getattr(value, "ndim", 0):
        value = sum(value.reshape(-1)) / value.size
    value = float(value)
    return f"{value:.4f}" if abs(value) > 1e-3 or value == 0 else \
        f"{value:.4e}"


def format_time_per_step(seconds, unit="step"):
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def format_logs(logs):
    return "".join(f" - {k}: {format_value(v)}" for k, v in logs.items())


class Progbar:
    """A progress bar over `target` steps; `update(step, logs)`. width: the
    bar's characters; unit: what a step is called in the timing."""

    def __init__(self, target, verbose=1, stream=None, interval=0.05,
                 width=BAR_WIDTH, unit="step"):
        from seqcore.distribution.state import is_chief
        self.target = target
        self.verbose = verbose if is_chief() else 0   # rank 0 prints
        self.stream = stream or sys.stdout
        self.interval = interval
        self.width, self.unit = width, unit
        self.dynamic = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._start = time.perf_counter()
        self._last_draw = 0.0
        self._width = 0

    def update(self, step, logs=None, finalize=None):
        finalize = step >= self.target if finalize is None else finalize
        now = time.perf_counter()
        if self.verbose != 1:
            return
        if not finalize and (not self.dynamic or
                             now - self._last_draw < self.interval):
            return
        self._last_draw = now
        elapsed = now - self._start
        per_step = elapsed / max(step, 1)
        digits = len(str(self.target))
        width = self.width
        done = min(int(width * step / self.target), width) if self.target \
            else width
        bar = "━" * width
        if self.dynamic:
            bar = f"\x1b[32m{'━' * done}\x1b[0m\x1b[37m" \
                  f"{'━' * (width - done)}\x1b[0m"
        timing = f"{elapsed:.0f}s" if finalize or not self.target else \
            f"{per_step * (self.target - step):.0f}s"
        target = self.target or "Unknown"   # a generator of unknown length
        line = f"{step:{digits}d}/{target} {bar} {timing} " \
               f"{format_time_per_step(per_step, self.unit)}" \
               f"{format_logs(logs or {})}"
        if self.dynamic:
            pad = max(self._width - len(line), 0)
            self.stream.write("\r" + line + " " * pad)
            self._width = len(line)
            if finalize:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def epoch_line(self, steps, logs):
        """verbose=2's one line per epoch: `32/32 - 1s - 3ms/step - ...`."""
        elapsed = time.perf_counter() - self._start
        per_step = elapsed / max(steps, 1)
        self.stream.write(f"{steps}/{self.target} - {elapsed:.0f}s - "
                          f"{format_time_per_step(per_step, self.unit)}"
                          f"{format_logs(logs)}\n")
        self.stream.flush()
