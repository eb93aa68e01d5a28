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


def format_time_per_step(seconds):
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def format_logs(logs):
    return "".join(f" - {k}: {format_value(v)}" for k, v in logs.items())


class Progbar:
    """A progress bar over `target` steps; `update(step, logs)`."""

    def __init__(self, target, verbose=1, stream=None, interval=0.05):
        from seqcore.distribution.state import is_chief
        self.target = target
        self.verbose = verbose if is_chief() else 0   # rank 0 prints
        self.stream = stream or sys.stdout
        self.interval = interval
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
        done = int(BAR_WIDTH * step / self.target) if self.target else \
            BAR_WIDTH
        bar = "━" * done + "━" * (BAR_WIDTH - done)
        if self.dynamic:
            bar = f"\x1b[32m{'━' * done}\x1b[0m\x1b[37m" \
                  f"{'━' * (BAR_WIDTH - done)}\x1b[0m"
        timing = f"{elapsed:.0f}s" if finalize else \
            f"{per_step * (self.target - step):.0f}s"
        line = f"{step:{digits}d}/{self.target} {bar} {timing} " \
               f"{format_time_per_step(per_step)}{format_logs(logs or {})}"
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
        self.stream.write(f"{steps}/{self.target} - {elapsed:.0f}s - "
                          f"{format_time_per_step(elapsed / max(steps, 1))}"
                          f"{format_logs(logs)}\n")
        self.stream.flush()
