"""keras.utils.plot_model and model_to_dot: a model's layers and their
connections as a graphviz graph (Keras 3's signatures).

The graph is first described in plain Python (`model_graph`: nodes with
their labels, edges, nested clusters), then handed to pydot; drawing an
image also needs the graphviz programs. pydot is optional: without it both
functions raise an ImportError saying what to install.
"""
import html
import os
import shutil

PYDOT_MISSING = ("You must install pydot (`pip install pydot`) for "
                 "{what} to work.")
GRAPHVIZ_MISSING = ("You must install graphviz (the `dot` program: e.g. "
                    "`apt-get install graphviz`, or see "
                    "https://graphviz.gitlab.io/download/) for plot_model "
                    "to work.")


def _import_pydot():
    """pydot, or one of its older forks, or None."""
    for name in ("pydot", "pydot_ng", "pydotplus"):
        try:
            return __import__(name)
        except ImportError:
            continue
    return None


def check_pydot():
    """Whether pydot (or pydot_ng / pydotplus) can be imported."""
    return _import_pydot() is not None


def check_graphviz():
    """Whether pydot is available and can run graphviz's `dot`."""
    pydot = _import_pydot()
    if pydot is None:
        return False
    try:
        pydot.Dot.create(pydot.Dot())
        return True
    except (OSError, getattr(pydot, "PydotException", OSError),
            FileNotFoundError):
        return False
    except Exception:   # older forks raise their own errors
        return shutil.which("dot") is not None


# ---- the graph in plain Python ---------------------------------------------------------

def _format_shape(shape):
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(_format_shape(s) for s in shape)
    return str(tuple(shape))


def _tensors_attr(layer, attr):
    """The shapes/dtypes of a layer's input or output tensors (None when
    the layer was never called symbolically)."""
    try:
        value = getattr(layer, attr)
    except (AttributeError, ValueError, IndexError):
        return None
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [getattr(t, "shape", None) for t in value]
    return getattr(value, "shape", None)


def _dtype(layer):
    try:
        value = layer.output
    except (AttributeError, ValueError, IndexError):
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(getattr(t, "dtype", "?")) for t in value)
    return getattr(value, "dtype", None)


def _activation_name(layer):
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    return getattr(activation, "__name__", None) or \
        getattr(activation, "name", None) or str(activation)


def layer_label(layer, show_shapes=False, show_dtype=False,
                show_layer_names=True, show_layer_activations=False,
                show_trainable=False):
    """The HTML-like graphviz label of one layer: its name and class, and
    the rows asked for (activation; input/output shape, output dtype,
    trainable)."""
    class_name = type(layer).__name__
    title = f"<b>{html.escape(layer.name)}</b> ({class_name})" \
        if show_layer_names else f"<b>{class_name}</b>"
    cells = []
    if show_shapes:
        if class_name != "InputLayer":
            shape = _format_shape(_tensors_attr(layer, "input"))
            cells.append(f"Input shape: <b>{html.escape(shape)}</b>")
        shape = _format_shape(_tensors_attr(layer, "output"))
        cells.append(f"Output shape: <b>{html.escape(shape)}</b>")
    if show_dtype:
        cells.append(f"Output dtype: <b>{_dtype(layer) or '?'}</b>")
    trainable_cell = None
    if show_trainable and getattr(layer, "weights", None):
        trainable_cell = ("forestgreen", "Trainable") if layer.trainable \
            else ("firebrick", "Non-trainable")
    span = max(1, len(cells) + (trainable_cell is not None))
    rows = [f'<tr><td colspan="{span}" bgcolor="black"><font '
            f'point-size="16" color="white">{title}</font></td></tr>']
    activation = _activation_name(layer) if show_layer_activations else None
    if activation is not None:
        rows.append(f'<tr><td colspan="{span}" bgcolor="white"><font '
                    f'point-size="14">Activation: <b>{activation}</b>'
                    f'</font></td></tr>')
    row = "".join(f'<td bgcolor="white"><font point-size="14">{c}</font>'
                  f'</td>' for c in cells)
    if trainable_cell is not None:
        row += (f'<td bgcolor="{trainable_cell[0]}"><font point-size="14" '
                f'color="white"><b>{trainable_cell[1]}</b></font></td>')
    if row:
        rows.append(f"<tr>{row}</tr>")
    return ('<<table border="0" cellborder="1" bgcolor="black" '
            'cellpadding="10">' + "".join(rows) + "</table>>")


def _kind(model):
    if getattr(model, "_stack", None) is not None:
        return "sequential"
    if hasattr(model, "_nodes") and hasattr(model, "_inputs_struct"):
        return "functional"
    return "other"


def _entry_layer(model, input_index):
    """The innermost layer a tensor entering a nested model reaches."""
    while getattr(model, "_is_model", False) and _kind(model) != "other":
        if _kind(model) == "functional":
            model = model.inputs[input_index]._keras_history[0]
        else:
            model = model.layers[0]
        input_index = 0
    return model


def _exit_layer(model, output_index):
    """The innermost layer that makes a nested model's output."""
    while getattr(model, "_is_model", False) and _kind(model) != "other":
        if _kind(model) == "functional":
            model, _, output_index = \
                model.outputs[output_index]._keras_history
        else:
            model = model.layers[-1]
            output_index = 0
    return model


def model_graph(model, show_shapes=False, show_dtype=False,
                show_layer_names=True, expand_nested=False,
                show_layer_activations=False, show_trainable=False):
    """A model's graph in plain Python.

    Returns:
        {'name': model name, 'nodes': [(node id, layer, label)],
         'edges': [(source id, destination id)], 'subgraphs': [graphs of
         nested models, same form]} where a node id is `str(id(layer))`.
    """
    options = dict(show_shapes=show_shapes, show_dtype=show_dtype,
                   show_layer_names=show_layer_names,
                   show_layer_activations=show_layer_activations,
                   show_trainable=show_trainable)
    graph = {"name": model.name, "nodes": [], "edges": [], "subgraphs": []}
    kind = _kind(model)
    if kind == "other":
        graph["nodes"].append((str(id(model)), model,
                               layer_label(model, **options)))
        return graph
    layers = getattr(model, "_operations", model.layers)
    for layer in layers:
        if expand_nested and getattr(layer, "_is_model", False) and \
                _kind(layer) != "other":
            graph["subgraphs"].append(model_graph(
                layer, expand_nested=True, **options))
        else:
            graph["nodes"].append((str(id(layer)), layer,
                                   layer_label(layer, **options)))

    def add(source, destination):
        edge = (str(id(source)), str(id(destination)))
        if edge not in graph["edges"]:
            graph["edges"].append(edge)
    if kind == "sequential":
        for a, b in zip(layers[:-1], layers[1:]):
            if expand_nested:
                a, b = _exit_layer(a, 0), _entry_layer(b, 0)
            add(a, b)
        return graph
    for node in model._nodes:
        destination = node.layer
        for index, tensor in enumerate(node.input_tensors):
            source, _, output_index = tensor._keras_history
            if expand_nested:
                add(_exit_layer(source, output_index),
                    _entry_layer(destination, index))
            else:
                add(source, destination)
    return graph


# ---- pydot ---------------------------------------------------------------------------

def _to_pydot(pydot, graph, dot):
    for node_id, _, label in graph["nodes"]:
        node = pydot.Node(node_id, label=label)
        node.set("fontname", "Helvetica")
        node.set("border", "0")
        node.set("margin", "0")
        dot.add_node(node)
    for sub in graph["subgraphs"]:
        cluster = pydot.Cluster(style="dashed", graph_name=sub["name"])
        cluster.set("label", sub["name"])
        cluster.set("labeljust", "l")
        _to_pydot(pydot, sub, cluster)
        dot.add_subgraph(cluster)
    for source, destination in graph["edges"]:
        edge = pydot.Edge(source, destination)
        edge.set("penwidth", "2")
        dot.add_edge(edge)
    return dot


def _check_built(model):
    if not getattr(model, "built", False):
        raise ValueError("This model has not yet been built. Build the "
                         "model first by calling `build()` or by calling "
                         "the model on a batch of data.")


def _check_kwargs(kwargs):
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")


def model_to_dot(model, show_shapes=False, show_dtype=False,
                 show_layer_names=True, rankdir="TB", expand_nested=False,
                 dpi=200, subgraph=False, show_layer_activations=False,
                 show_trainable=False, splines="ortho", **kwargs):
    """The model as a `pydot.Dot` graph (a `pydot.Cluster` when
    `subgraph=True`).

    Args:
        model: a built model.
        show_shapes: add each layer's input and output shapes.
        show_dtype: add each layer's output dtype.
        show_layer_names: title each node with the layer's name and class
            (else the class only).
        rankdir: "TB" (top to bottom) or "LR" (left to right).
        expand_nested: draw nested models as clusters of their layers.
        dpi: the resolution of the image.
        subgraph: return a cluster instead of a graph.
        show_layer_activations: add the activation of layers that have one.
        show_trainable: mark layers with weights trainable or not.
        splines: graphviz's edge style ("ortho", "curved", "polyline",
            "spline", "line").

    Raises:
        ImportError: pydot is not installed.
        ValueError: the model is not built, or an unknown keyword.
    """
    _check_built(model)
    pydot = _import_pydot()
    if pydot is None:
        raise ImportError(PYDOT_MISSING.format(what="model_to_dot"))
    _check_kwargs(kwargs)
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")
    graph = model_graph(model, show_shapes=show_shapes,
                        show_dtype=show_dtype,
                        show_layer_names=show_layer_names,
                        expand_nested=expand_nested,
                        show_layer_activations=show_layer_activations,
                        show_trainable=show_trainable)
    return _to_pydot(pydot, graph, dot)


def plot_model(model, to_file="model.png", show_shapes=False,
               show_dtype=False, show_layer_names=False, rankdir="TB",
               expand_nested=False, dpi=200, show_layer_activations=False,
               show_trainable=False, splines="ortho", **kwargs):
    """Draw the model's graph into an image file (format from the
    extension: .png, .svg, .pdf, .dot, ...).

    Args:
        model: a built model.
        to_file: the image file to write.
        show_shapes, show_dtype, show_layer_names, rankdir, expand_nested,
        dpi, show_layer_activations, show_trainable, splines: as in
            `model_to_dot` (note `show_layer_names=False` by default, as in
            Keras 3).

    Returns:
        An IPython Image of a .png when IPython is installed, else None.

    Raises:
        ImportError: pydot or graphviz is missing (the message says what
            to install).
        ValueError: the model is not built, or an unknown keyword.
    """
    _check_built(model)
    if not check_pydot():
        raise ImportError(PYDOT_MISSING.format(what="`plot_model`"))
    if not check_graphviz():
        raise ImportError(GRAPHVIZ_MISSING)
    _check_kwargs(kwargs)
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, splines=splines)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    if extension != "pdf":
        try:
            from IPython import display
            return display.Image(filename=to_file)
        except ImportError:
            pass
    return None
