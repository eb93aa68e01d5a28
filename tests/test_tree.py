"""keras.tree against Keras 3's results (tests/fixtures/keras_names.json,
made by make_names_fixtures.py) and Keras's documented rules."""
import collections
import json
import os
import sys
import warnings

import pytest

import seqcore as keras
from seqcore import tree

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "fixtures"))
import names_cases as cases  # noqa: E402

with open(os.path.join(HERE, "fixtures", "keras_names.json")) as f:
    FIXTURE = json.load(f)["tree"]

STRUCTURES = cases.tree_structures()


def test_namespace_is_the_module():
    assert keras.tree is tree
    for name in ("flatten", "map_structure", "map_structure_up_to",
                 "pack_sequence_as", "is_nested", "assert_same_structure",
                 "assert_same_paths", "traverse", "lists_to_tuples",
                 "flatten_with_path", "map_shape_structure", "MAP_TO_NONE"):
        assert hasattr(keras.tree, name)


@pytest.mark.parametrize("name", sorted(STRUCTURES))
def test_against_keras(name):
    s, want = STRUCTURES[name], FIXTURE[name]
    flat = tree.flatten(s)
    down, up = [], []
    tree.traverse(down.append, s, top_down=True)
    tree.traverse(up.append, s, top_down=False)
    assert tree.is_nested(s) == want["is_nested"]
    assert repr(flat) == want["flatten"]
    assert repr(tree.flatten_with_path(s)) == want["flatten_with_path"]
    assert repr(tree.map_structure(lambda x: [x], s)) == want["map_structure"]
    assert repr(tree.map_structure(lambda x: 0, s, none_is_leaf=False)) == \
        want["map_none_not_leaf"]
    assert repr(tree.pack_sequence_as(
        s, [f"v{i}" for i in range(len(flat))])) == want["pack"]
    assert repr(tree.lists_to_tuples(s)) == want["lists_to_tuples"]
    assert repr(down) == want["traverse_down"]
    assert repr(up) == want["traverse_up"]


def test_shape_structure_and_up_to_against_keras():
    assert repr(tree.map_shape_structure(len, cases.tree_shapes())) == \
        FIXTURE["map_shape_structure"]
    assert repr(tree.map_structure_up_to(
        [1, [2]], lambda a, b: (a, b), [[1, 2], [3]], [5, [6]])) == \
        FIXTURE["up_to"]


def test_dict_keys_sorted_and_rebuilt_in_original_order():
    s = {"b": 1, "a": 2}
    assert tree.flatten(s) == [2, 1]
    packed = tree.pack_sequence_as(s, ["first", "second"])
    assert list(packed) == ["b", "a"] and packed == {"a": "first",
                                                     "b": "second"}


def test_map_structure_several_and_mismatch():
    assert tree.map_structure(lambda a, b: a + b, [1, (2, 3)],
                              [10, (20, 30)]) == [11, (22, 33)]
    # dict kinds are interchangeable when the keys agree
    out = tree.map_structure(lambda a, b: a * b, {"a": 2},
                             collections.OrderedDict(a=3))
    assert out == {"a": 6}
    with pytest.raises(ValueError):
        tree.map_structure(lambda a, b: a, [1, 2], (1, 2))
    with pytest.raises(ValueError):
        tree.map_structure(lambda a, b: a, [1, [2]], [1, 2])
    with pytest.raises(ValueError):
        tree.map_structure(lambda a, b: a, {"a": 1}, {"b": 1})
    with pytest.raises(ValueError):
        tree.map_structure(lambda x: x)


def test_assert_same_structure_and_paths():
    tree.assert_same_structure([1, (2, {"a": 3})], [4, (5, {"a": 6})])
    with pytest.raises(ValueError):
        tree.assert_same_structure([1, 2], (1, 2))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tree.assert_same_structure([1], [2], check_types=False)
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    tree.assert_same_paths([1, (2, 3)], (4, [5, 6]))
    with pytest.raises(ValueError, match="missing in"):
        tree.assert_same_paths({"a": 1}, {"b": 1})


def test_pack_sequence_as_errors_and_leaf():
    assert tree.pack_sequence_as(7, ["x"]) == "x"
    with pytest.raises(ValueError):
        tree.pack_sequence_as([1, 2], [1])
    with pytest.raises(ValueError):
        tree.pack_sequence_as([1, 2], [1, 2, 3])
    with pytest.raises(TypeError):
        tree.pack_sequence_as([1], 5)


def test_traverse_replaces_and_map_to_none():
    s = [(1, 2), [3], {"a": 4}]
    top = tree.traverse(lambda x: "T" if isinstance(x, tuple) else None, s)
    assert top == ["T", [3], {"a": 4}]
    gone = tree.traverse(
        lambda x: tree.MAP_TO_NONE if x == [3] else None, s)
    assert gone == [(1, 2), None, {"a": 4}]
    with pytest.raises(TypeError):
        tree.traverse(5, s)


def test_leaves_are_not_descended():
    import numpy as np
    a = np.zeros(3)
    assert tree.flatten(a)[0] is a
    assert tree.flatten("abc") == ["abc"]
    assert not tree.is_nested(None)
