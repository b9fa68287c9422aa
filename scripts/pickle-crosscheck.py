#!/usr/bin/env python3
"""Independent view of the two real ALchemist store pickles, without executing their classes.

Usage: python3 scripts/pickle-crosscheck.py [--write]   (from the repository root; needs numpy)

Python's own unpickler runs the opcodes, but `find_class` hands out harmless stand-in classes that
only record constructor arguments, BUILD state and appended items (plus the data-only `datetime`
and `slice`). The DataFrame is then rebuilt from the recorded blocks with numpy (`frombuffer` /
`reshape`), and the store times, search-space variables and experiment rows are printed in the
tagged form of scripts/pickle-fixtures.py. With --write the result is saved as
Fixtures/pickle/corpus/<uuid>.expected.json, which PickleTests compares with the Swift decoder.
"""
import datetime
import glob
import json
import os
import pickle
import struct
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fixtures", "pickle", "corpus")


class Stub:
    """Records what the real class would have received; never does anything else."""
    qualname = "?"

    def __new__(cls, *args, **kwargs):
        obj = object.__new__(cls)
        obj.args, obj.kwargs, obj.state, obj.items, obj.pairs = args, kwargs, None, [], []
        return obj

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        self.state = state

    def append(self, item):
        self.items.append(item)

    def extend(self, items):
        self.items.extend(items)

    def __setitem__(self, key, value):
        self.pairs.append((key, value))

    def __repr__(self):
        return f"<stub {self.qualname}>"


SAFE = {("datetime", "datetime"): datetime.datetime, ("builtins", "slice"): slice}


class StubUnpickler(pickle.Unpickler):
    seen = set()

    def find_class(self, module, name):
        if (module, name) in SAFE:
            return SAFE[(module, name)]
        self.seen.add(f"{module}.{name}")
        return type(name, (Stub,), {"qualname": f"{module}.{name}"})


def fbits(x):
    return struct.pack(">d", float(x)).hex()


def tag(v):
    if v is None:
        return ["none"]
    if isinstance(v, (bool, np.bool_)):
        return ["bool", str(bool(v))]
    if isinstance(v, (int, np.integer)):
        return ["int", str(int(v))]
    if isinstance(v, (float, np.floating)):
        return ["float", fbits(v)]
    if isinstance(v, str):
        return ["str", v]
    if isinstance(v, list):
        return ["list", [tag(x) for x in v]]
    if isinstance(v, tuple):
        return ["tuple", [tag(x) for x in v]]
    if isinstance(v, dict):
        return ["dict", [[tag(k), tag(x)] for k, x in v.items()]]
    raise TypeError(type(v))


def ndarray(stub):
    """ndarray from `_reconstruct(ndarray, (0,), b'b')` + state (version, shape, dtype, fortran, data)."""
    version, shape, dtype_stub, fortran, data = stub.state
    descr = dtype_stub.args[0]
    order = dtype_stub.state[1]
    dtype = np.dtype(descr)
    if order in "<>":
        dtype = dtype.newbyteorder(order)
    if dtype.kind == "O":
        array = np.empty(len(data), dtype=object)
        array[:] = data
    else:
        array = np.frombuffer(data, dtype=dtype)
    return array.reshape(shape, order="F" if fortran else "C")


def index(stub):
    cls, attrs = stub.args
    if cls.__name__ == "RangeIndex":
        return list(range(attrs["start"], attrs["stop"], attrs["step"]))
    return list(ndarray(attrs["data"]))


def dataframe(df_stub):
    blocks, axes = df_stub.state["_mgr"].args
    columns, rows = index(axes[0]), index(axes[1])
    values = [None] * len(columns)
    dtypes = [None] * len(columns)
    for block in blocks:
        array_stub, placement, _ndim = block.args
        array = ndarray(array_stub)
        positions = range(len(columns))[placement] if isinstance(placement, slice) else list(ndarray(placement))
        for offset, position in enumerate(positions):
            values[position] = [v.item() if hasattr(v, "item") else v for v in array[offset]]
            dtypes[position] = str(array.dtype)
    return {
        "columns": [{"name": tag(c), "dtype": d} for c, d in zip(columns, dtypes)],
        "index": [tag(i) for i in rows],
        "rows": [[tag(values[c][r]) for c in range(len(columns))] for r in range(len(rows))],
    }


def crosscheck(path):
    with open(path, "rb") as f:
        unpickler = StubUnpickler(f)
        unpickler.seen = set()
        entry = unpickler.load()
    session = entry["session"].state
    search_space = session["search_space"].state
    result = {
        "created_at": entry["created_at"].isoformat(),
        "last_accessed": entry["last_accessed"].isoformat(),
        "expires_at": entry["expires_at"].isoformat(),
        "session_fields": list(session.keys()),
        "variables": tag(search_space["variables"]),
        "categorical_variables": tag(search_space["categorical_variables"]),
        "config": tag(session["config"]),
        "dataframe": dataframe(session["experiment_manager"].state["df"]),
        "classes_referenced": sorted(unpickler.seen),
    }
    return result


def main():
    write = "--write" in sys.argv
    for path in sorted(glob.glob(os.path.join(CORPUS, "*.pkl"))):
        result = crosscheck(path)
        text = json.dumps(result, ensure_ascii=True, indent=1) + "\n"
        print(f"== {os.path.basename(path)}")
        print(text)
        if write:
            with open(path[: -len(".pkl")] + ".expected.json", "w") as f:
                f.write(text)


if __name__ == "__main__":
    main()
