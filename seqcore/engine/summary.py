"""model.summary(): the Keras 3 table, drawn with box characters."""
import math
import re
import shutil
import textwrap


def readable_size(num_bytes):
    """Bytes in B, KB, MB... with two decimals, 1024 to the unit."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if num_bytes / 1024 < 1:
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.2f} PB"


def _count(weights):
    return sum(math.prod(w.shape) for w in weights)


def _bytes(weights):
    unique = {id(w): w for w in weights}.values()
    return sum(math.prod(w.shape) * getattr(w, "value", w).itemsize
               for w in unique)


def _format_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")" if \
        isinstance(shape, tuple) else str(shape)


def _output_shape(layer):
    nodes = layer._inbound_nodes
    if nodes:
        outputs = nodes[-1].output_tensors
        shapes = [_format_shape(t.shape) for t in outputs]
        return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"
    try:
        return _format_shape(layer.output_shape)
    except (AttributeError, NotImplementedError, ValueError):
        return "?"


def _params(layer):
    if not layer.built:
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def _wrap(text, width):
    """Lines of at most `width` characters broken at spaces; a word longer
    than a line is cut with an ellipsis (as Keras's rich table does)."""
    width = max(width, 1)
    lines = textwrap.wrap(text, width, break_long_words=False) or [""]
    return [l if len(l) <= width else l[:width - 1] + "…" for l in lines]


def _fit_widths(widths, line_length):
    """Column text widths in a table `line_length` wide: each column
    asked for `widths` (text plus its two padding spaces), and the
    excess over the room between the borders is taken from the columns in
    turn, as evenly as rounding allows (how Keras's rich table shrinks)."""
    excess = sum(widths) + 2 * len(widths) - (line_length - len(widths) - 1)
    out, remaining = [], len(widths)
    for w in widths:
        cut = round(excess / remaining) if excess > 0 else 0
        out.append(w - cut)
        excess -= cut
        remaining -= 1
    return out


def _sequential_like(model):
    """Keras's test for the three-column table: a chain of nodes, each
    with at most one input, from one input, without shared layers."""
    from seqcore.engine.functional import Functional
    from seqcore.engine.sequential import Sequential
    if isinstance(model, Sequential) or not isinstance(model, Functional):
        return True
    nodes = model._nodes
    if len(model._inputs) != 1:
        return False
    consumers, layers = {}, set()
    for node in nodes:
        if len(node.input_tensors) > 1 or id(node.layer) in layers:
            return False
        layers.add(id(node.layer))
        for tensor in node.input_tensors:
            if consumers.setdefault(id(tensor), 0) > 0:
                return False
            consumers[id(tensor)] += 1
    return True


def _connections(layer, model_nodes):
    """'name[node][tensor], ...' of the tensors each of the layer's nodes
    in the model reads, or '-'."""
    found = []
    for node in layer._inbound_nodes:
        if id(node) not in model_nodes:
            continue
        for tensor in node.input_tensors:
            source, node_index, tensor_index = tensor._keras_history
            found.append(f"{source.name}[{node_index}][{tensor_index}]")
    return ", ".join(found) or "-"


def _rows(layers, expand_nested, show_trainable, level=0,
          model_nodes=None):
    rows = []
    for layer in layers:
        prefix = "   " * level + "└ " if level else ""
        row = [f"{prefix}{layer.name} ({layer.__class__.__name__})",
               _output_shape(layer), _params(layer)]
        if model_nodes is not None:
            row.append(_connections(layer, model_nodes))
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if layer.weights
                       else "-")
        rows.append(row)
        # models only; a nested functional model's InputLayer is listed
        # (its `layers` holds it, as Keras's), a Sequential's is not
        inner = getattr(layer, "layers", None)
        if expand_nested and inner:
            rows += _rows(inner, expand_nested, show_trainable, level + 1,
                          model_nodes)
    return rows


def _in_range(layers, layer_range):
    """The layers from the first whose name matches the regex
    layer_range[0] to the last matching layer_range[1], as in Keras."""
    if layer_range is None:
        return layers
    if len(layer_range) != 2 or not all(isinstance(n, str)
                                        for n in layer_range):
        raise ValueError(f"layer_range must be a list or tuple of two "
                         f"strings (layer name patterns). Received: "
                         f"{layer_range}")
    first = [i for i, l in enumerate(layers) if re.match(layer_range[0],
                                                         l.name)]
    last = [i for i, l in enumerate(layers) if re.match(layer_range[1],
                                                        l.name)]
    if not first or not last:
        raise ValueError(f"Passed layer_names do not match the layer names "
                         f"in the model. Received: {layer_range}")
    lo, hi = min(first), max(last)
    return layers[min(lo, hi):max(lo, hi) + 1]


def print_summary(model, line_length=None, positions=None, print_fn=None,
                  expand_nested=False, show_trainable=False,
                  layer_range=None):
    header = ["Layer (type)", "Output Shape", "Param #"]
    align = ["<", "<", ">"]
    sequential_like = _sequential_like(model)
    if sequential_like:
        positions = list(positions or [0.45, 0.80, 1.0])
        default_length = 88
    else:
        positions = list(positions or [0.3, 0.56, 0.74, 1.0])
        default_length = 108
        header.append("Connected to")
        align.append("<")
    relative = positions[-1] <= 1.0
    if show_trainable:
        default_length += 12
        header.append("Trainable")
        align.append("^")
    line_length = line_length or min(
        default_length, shutil.get_terminal_size().columns - 4)
    if show_trainable and relative:  # the new column takes a tenth
        positions = [p * 0.90 for p in positions] + [1.0]
    elif show_trainable:  # absolute positions: append a 12-wide column
        positions = positions + [positions[-1] + 12]
    if relative:
        positions = [int(p * line_length) for p in positions]
    widths, current = [], 0
    for pos in positions:
        if pos - current < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(pos - current)
        current = pos
    if relative:
        inner = _fit_widths(widths, line_length)
    else:   # absolute positions: the table ends at the last one
        inner = _fit_widths(widths, positions[-1])

    layers = _in_range(getattr(model, "_operations", model.layers),
                       layer_range)

    def line(left, fill, mid, right):
        return left + mid.join(fill * (w + 2) for w in inner) + right

    def row_lines(cells):
        wrapped = [_wrap(c, w) for c, w in zip(cells, inner)]
        height = max(len(c) for c in wrapped)
        out = []
        for i in range(height):
            parts = [f"{(c[i] if i < len(c) else ''):{a}{w}}"
                     for c, a, w in zip(wrapped, align, inner)]
            out.append("│ " + " │ ".join(parts) + " │")
        return out

    text = [f'Model: "{model.name}"', line("┏", "━", "┳", "┓")]
    text += [l.replace("│", "┃") for l in row_lines(header)]
    text.append(line("┡", "━", "╇", "┩"))
    model_nodes = None if sequential_like else \
        {id(n) for n in model._nodes}
    rows = _rows(layers, expand_nested, show_trainable,
                 model_nodes=model_nodes)
    for i, row in enumerate(rows):
        if i:
            text.append(line("├", "─", "┼", "┤"))
        text += row_lines(row)
    text.append(line("└", "─", "┴", "┘"))

    trainable, non_trainable = model.trainable_weights, \
        model.non_trainable_weights
    n_train, n_non = _count(trainable), _count(non_trainable)
    b_train, b_non = _bytes(trainable), _bytes(non_trainable)
    n_total, b_total = n_train + n_non, b_train + b_non
    optimizer = getattr(model, "optimizer", None)
    opt_vars = list(getattr(optimizer, "variables", []) or []) \
        if optimizer is not None and getattr(optimizer, "built", False) else []
    if opt_vars:
        n_total += _count(opt_vars)
        b_total += _bytes(opt_vars)
    text.append(f" Total params: {n_total:,} ({readable_size(b_total)})")
    text.append(f" Trainable params: {n_train:,} ({readable_size(b_train)})")
    text.append(f" Non-trainable params: {n_non:,} "
                f"({readable_size(b_non)})")
    if opt_vars:
        text.append(f" Optimizer params: {_count(opt_vars):,} "
                    f"({readable_size(_bytes(opt_vars))})")
    if print_fn is None:
        print("\n".join(text))
    else:
        print_fn("\n".join(text))
