"""Plain numpy references of the layers' maths, written independently of
seqcore's kernels, for the tests to compare against."""
import numpy as np


def same_padding(length, window, stride, dilation=1):
    """(before, after) padding and output length of TensorFlow's 'same'."""
    out = -(-length // stride)
    span = (window - 1) * dilation + 1
    total = max((out - 1) * stride + span - length, 0)
    return total // 2, total - total // 2, out


def conv2d(x, k, bias=None, strides=(1, 1), dilation=(1, 1), padding="valid"):
    """x (n, h, w, c), k (kh, kw, c, f) -> (n, oh, ow, f), float64."""
    x = x.astype(np.float64)
    n, h, w, c = x.shape
    kh, kw, _, f = k.shape
    if padding == "same":
        pt, pb, _ = same_padding(h, kh, strides[0], dilation[0])
        pl, pr, _ = same_padding(w, kw, strides[1], dilation[1])
        x = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    elif padding == "causal":  # 1-D only: left pad along w
        x = np.pad(x, ((0, 0), (0, 0), ((kw - 1) * dilation[1], 0), (0, 0)))
    n, h, w, c = x.shape
    oh = (h - (kh - 1) * dilation[0] - 1) // strides[0] + 1
    ow = (w - (kw - 1) * dilation[1] - 1) // strides[1] + 1
    y = np.zeros((n, oh, ow, f))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i * dilation[0]: i * dilation[0] + (oh - 1) * strides[0] + 1: strides[0],
                      j * dilation[1]: j * dilation[1] + (ow - 1) * strides[1] + 1: strides[1], :]
            y += patch @ k[i, j].astype(np.float64)
    if bias is not None:
        y += bias
    return y


def pool2d(x, pool, strides, padding, mode):
    """Max or average pooling, padded cells excluded from both."""
    n, h, w, c = x.shape
    if padding == "same":
        pt, _, oh = same_padding(h, pool[0], strides[0])
        pl, _, ow = same_padding(w, pool[1], strides[1])
    else:
        pt = pl = 0
        oh = (h - pool[0]) // strides[0] + 1
        ow = (w - pool[1]) // strides[1] + 1
    y = np.zeros((n, oh, ow, c))
    for a in range(oh):
        for b in range(ow):
            r0, c0 = a * strides[0] - pt, b * strides[1] - pl
            win = x[:, max(r0, 0):r0 + pool[0], max(c0, 0):c0 + pool[1], :]
            y[:, a, b] = win.max(axis=(1, 2)) if mode == "max" \
                else win.mean(axis=(1, 2))
    return y


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def rnn(kind, x, kernel, rkernel, bias, states, mask=None, go_backwards=False,
        return_sequences=False, reset_after=True, act=np.tanh,
        ract=sigmoid):
    """Step-by-step recurrence in float64. Returns (output, final states)."""
    x = x.astype(np.float64)
    n, t, _ = x.shape
    u = rkernel.shape[0]
    states = [s.astype(np.float64).copy() for s in states]
    outputs = []
    steps = range(t - 1, -1, -1) if go_backwards else range(t)
    for step in steps:
        xt = x[:, step]
        h = states[0]
        if kind == "lstm":
            c = states[1]
            z = xt @ kernel + h @ rkernel + (0 if bias is None else bias)
            i, f, g, o = (z[:, k * u:(k + 1) * u] for k in range(4))
            c_new = ract(f) * c + ract(i) * act(g)
            h_new = ract(o) * act(c_new)
            new = [h_new, c_new]
        elif kind == "gru":
            if reset_after:
                bx, bh = (bias[0], bias[1]) if bias is not None else (0, 0)
                xz = xt @ kernel + bx
                hz = h @ rkernel + bh
                z = ract(xz[:, :u] + hz[:, :u])
                r = ract(xz[:, u:2 * u] + hz[:, u:2 * u])
                hh = act(xz[:, 2 * u:] + r * hz[:, 2 * u:])
            else:
                xz = xt @ kernel + (0 if bias is None else bias)
                z = ract(xz[:, :u] + h @ rkernel[:, :u])
                r = ract(xz[:, u:2 * u] + h @ rkernel[:, u:2 * u])
                hh = act(xz[:, 2 * u:] + (r * h) @ rkernel[:, 2 * u:])
            new = [z * h + (1 - z) * hh]
        else:
            new = [act(xt @ kernel + h @ rkernel +
                       (0 if bias is None else bias))]
        if mask is not None:
            keep = mask[:, step][:, None].astype(bool)
            new = [np.where(keep, a, b) for a, b in zip(new, states)]
        states = new
        outputs.append(states[0])
    out = np.stack(outputs, axis=1) if return_sequences else states[0]
    return out, states


def conv2d_grads(x, k, dy, strides=(1, 1), dilation=(1, 1), padding="valid"):
    """(dk, dx) of conv2d above given dy (n, oh, ow, f), float64, by
    scattering every output's gradient over its input patch ('valid' and
    'same' padding)."""
    x, k, dy = (a.astype(np.float64) for a in (x, k, dy))
    n, h, w, c = x.shape
    kh, kw, _, f = k.shape
    pt = pl = 0
    if padding == "same":
        pt, pb, _ = same_padding(h, kh, strides[0], dilation[0])
        pl, pr, _ = same_padding(w, kw, strides[1], dilation[1])
        x = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    dxp = np.zeros_like(x)
    dk = np.zeros_like(k)
    oh, ow = dy.shape[1:3]
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dilation[0],
                         i * dilation[0] + (oh - 1) * strides[0] + 1,
                         strides[0])
            cols = slice(j * dilation[1],
                         j * dilation[1] + (ow - 1) * strides[1] + 1,
                         strides[1])
            dk[i, j] = np.einsum("nabc,nabf->cf", x[:, rows, cols], dy)
            dxp[:, rows, cols] += dy @ k[i, j].T
    return dk, dxp[:, pt:pt + h, pl:pl + w]
