#!/usr/bin/env python3
"""Generate the Pickle module's test fixtures (run once; the output is committed).

Usage: python3 scripts/pickle-fixtures.py            (from the repository root)

Writes:
  Fixtures/pickle/plain/<name>.p<proto>.pkl   plain data pickled by Python itself, protocols 0, 2, 4, 5
  Fixtures/pickle/plain/<name>.expected.json  what pickle.loads gives, in the tagged form below
  Fixtures/pickle/hostile/<name>.pkl          hand-assembled malicious or malformed pickles
  Fixtures/pickle/corpus/<uuid>.pkl           copies of the two real ALchemist store pickles
  Fixtures/pickle/opcodes.json                every opcode in pickletools.opcodes (name -> byte)

Tagged form (every leaf is a string so JSON numbers never lose precision):
  ["none"] ["bool","True"|"False"] ["int","<decimal>"] ["float","<16 hex digits of the IEEE bits>"]
  ["str",s] ["bytes",hex] ["bytearray",hex] ["complex",realbits,imagbits]
  ["list",[...]] ["tuple",[...]] ["set",[...]] ["frozenset",[...]]   (sets: any order)
  ["dict",[[k,v],...]] ["ordereddict",[[k,v],...]] ["defaultdict","module.name",[[k,v],...]]
  ["datetime",isoformat] ["date",isoformat] ["time",isoformat] ["timedelta",days,seconds,microseconds]
  ["uuid",str] ["cycle"]
Hostile pickles are only written, never loaded here.
"""
import collections
import datetime
import json
import os
import pickle
import shutil
import struct
import sys
import uuid
import warnings

import numpy as np
import pickletools

# Set iteration order depends on string hashing: fix the seed so regenerating gives the same bytes.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, "PYTHONHASHSEED": "0"})

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fixtures", "pickle")
CORPUS = "/work/shared/corpus/alchemist/rest_store_pickle_9dc1bd4/cache/sessions"
MARKER = "/tmp/sessionsync-pickle-pwned"


def fbits(x):
    return struct.pack(">d", x).hex()


def tag(v, path=()):
    if id(v) in path:
        return ["cycle"]
    inner = path + (id(v),)
    if v is None:
        return ["none"]
    if isinstance(v, np.ndarray):
        values = v.ravel(order="C")
        return ["ndarray", str(v.dtype.newbyteorder("=")), [str(d) for d in v.shape],
                [tag(x if v.dtype.kind == "O" else x.item(), inner) for x in values]]
    if isinstance(v, np.generic):
        return tag(v.item(), inner)
    if isinstance(v, bool):
        return ["bool", str(v)]
    if isinstance(v, int):
        return ["int", str(v)]
    if isinstance(v, float):
        return ["float", fbits(v)]
    if isinstance(v, complex):
        return ["complex", fbits(v.real), fbits(v.imag)]
    if isinstance(v, str):
        return ["str", v]
    if isinstance(v, bytearray):
        return ["bytearray", bytes(v).hex()]
    if isinstance(v, bytes):
        return ["bytes", v.hex()]
    if isinstance(v, list):
        return ["list", [tag(x, inner) for x in v]]
    if isinstance(v, tuple):
        return ["tuple", [tag(x, inner) for x in v]]
    if isinstance(v, frozenset):
        return ["frozenset", [tag(x, inner) for x in v]]
    if isinstance(v, set):
        return ["set", [tag(x, inner) for x in v]]
    if isinstance(v, collections.OrderedDict):
        return ["ordereddict", [[tag(k, inner), tag(x, inner)] for k, x in v.items()]]
    if isinstance(v, collections.defaultdict):
        f = v.default_factory
        name = "none" if f is None else f"{f.__module__}.{f.__qualname__}"
        return ["defaultdict", name, [[tag(k, inner), tag(x, inner)] for k, x in v.items()]]
    if isinstance(v, dict):
        return ["dict", [[tag(k, inner), tag(x, inner)] for k, x in v.items()]]
    if isinstance(v, datetime.datetime):
        return ["datetime", v.isoformat()]
    if isinstance(v, datetime.date):
        return ["date", v.isoformat()]
    if isinstance(v, datetime.time):
        return ["time", v.isoformat()]
    if isinstance(v, datetime.timedelta):
        return ["timedelta", str(v.days), str(v.seconds), str(v.microseconds)]
    if isinstance(v, uuid.UUID):
        return ["uuid", str(v)]
    raise TypeError(type(v))


def plain_values():
    shared = [1, 2]
    cyclic = [1]
    cyclic.append(cyclic)
    cyclic_dict = {"name": "self"}
    cyclic_dict["me"] = cyclic_dict
    return {
        "dict_basic": {"a": 1, "b": [1, 2, 3], "c": ("x", None, True, False)},
        "list_nested": [[1, [2, [3, []]]], (), {}, [[[[[["deep"]]]]]]],
        "tuples": ((), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((),)),
        "sets": {"set": {1, 2, 3}, "fs": frozenset({"a", "b"}), "empty": set(), "efs": frozenset(),
                 "nested": frozenset({(1, 2), frozenset({3})})},
        "bytes": [b"", b"abc", bytes(range(256)), bytearray(b"xyz"), bytearray(), bytearray(range(256))],
        "ints": [0, 1, -1, 255, 256, 65535, 65536, -2**31, 2**31 - 1, 2**31, 2**63 - 1, -2**63, 2**63,
                 -2**63 - 1, 2**64, 10**40, -10**40, 2**1000, -(2**1000) + 1, 127, 128, -128, -129],
        "floats": [0.0, -0.0, 1.5, -2.25, 1e-308, 1e308, 5e-324, float("inf"), float("-inf"), float("nan"),
                   0.1, 1 / 3, 1e16, 123456789.123],
        "unicode": ["", "ascii", "éthanol", "水", "😀 emoji 🎉", "Ünïcödé\n\t\\\"'", "\x00\x1a\r",
                    "a\\u0041 \\U0001F600", "Привет", "\u2028\u2029", "\ufeff", "\U0010ffff"],
        "memo_shared": {"a": shared, "b": shared, "c": [shared, shared, "k"], "k": "k"},
        "cycle_list": cyclic,
        "cycle_dict": cyclic_dict,
        "datetimes": {
            "dt": datetime.datetime(2026, 11, 21, 13, 44, 47, 980521),
            "dt0": datetime.datetime(2025, 1, 2, 3, 4, 5),
            "dtutc": datetime.datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=datetime.timezone.utc),
            "dtoff": datetime.datetime(1999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone(
                datetime.timedelta(hours=-5, minutes=-30), "X")),
            "fold": datetime.datetime(2021, 11, 7, 1, 30, fold=1),
            "date": datetime.date(2026, 11, 21),
            "old": datetime.date(1, 1, 1),
            "td": datetime.timedelta(days=-1, seconds=5, microseconds=7),
            "td0": datetime.timedelta(0),
            "time": datetime.time(12, 30, 15, 123),
            "timetz": datetime.time(1, 2, 3, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
        },
        "uuids": [uuid.UUID("6a0fc014-e93f-4e18-9787-a4f3c638fb9b"),
                  uuid.UUID("00000000-0000-0000-0000-000000000001"),
                  uuid.UUID("ffffffff-ffff-4fff-bfff-ffffffffffff")],
        "collections": {
            "od": collections.OrderedDict([("z", 1), ("a", 2), ("m", [3])]),
            "dd": collections.defaultdict(list, {"k": [1], "j": []}),
            "ddint": collections.defaultdict(int),
        },
        "mixed_keys": {1: "int", "1": "str", (1, 2): "tuple", None: "none", 2.5: "float", b"k": "bytes",
                       frozenset({1}): "fs"},
        "complex": [complex(1.5, -2), complex(0, 0)],
        "bools_none": [True, False, None, [True, [False]]],
        "numpy_arrays": numpy_values(),
    }


def numpy_values():
    return {
        "f8": np.array([1.5, -0.0, float("nan"), float("inf"), 1e-300]),
        "f4": np.array([1.5, 0.1, -2.0], dtype=np.float32),
        "i8_2d": np.arange(6).reshape(2, 3),
        "i4": np.array([-2**31, 2**31 - 1, 0], dtype=np.int32),
        "i2": np.array([-32768, 32767], dtype=np.int16),
        "i1": np.array([-128, 127, -1], dtype=np.int8),
        "u1": np.array([0, 255, 7], dtype=np.uint8),
        "u8": np.array([2**64 - 1, 0], dtype=np.uint64),
        "bool": np.array([True, False, True]),
        "big_endian": np.array([1.25, -3.5], dtype=">f8"),
        "big_endian_i4": np.array([1, -2, 70000], dtype=">i4"),
        "fortran": np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)),
        "fortran_3d": np.asfortranarray(np.arange(24, dtype=np.int64).reshape(2, 3, 4)),
        "object": np.array(["a", 1, None, 2.5], dtype=object),
        "unicode": np.array(["ab", "水😀", ""]),
        "empty": np.zeros((0, 3)),
        "scalars": [np.float64(1.5), np.int64(-7), np.bool_(True), np.float32(0.25), np.uint8(200)],
    }


def numpy1_names(data):
    """The same pickle as numpy 1 writes it: `numpy.core.*` instead of `numpy._core.*`, with
    FRAME lengths fixed after the renaming."""
    data = (data.replace(b"numpy._core.", b"numpy.core.")
                .replace(b"\x8c\x16numpy.core.multiarray", b"\x8c\x15numpy.core.multiarray")
                .replace(b"\x8c\x13numpy.core.numeric", b"\x8c\x12numpy.core.numeric"))
    frames = [pos for op, arg, pos in pickletools.genops(data) if op.name == "FRAME"]
    out = bytearray(data)
    for index, pos in enumerate(frames):
        end = frames[index + 1] if index + 1 < len(frames) else len(data)
        out[pos + 1:pos + 9] = struct.pack("<Q", end - (pos + 9))
    return bytes(out)


def write_plain():
    d = os.path.join(OUT, "plain")
    os.makedirs(d, exist_ok=True)
    for name, value in plain_values().items():
        # What pickle.loads gives (numpy, for one, reports a native dtype after loading).
        expected = tag(pickle.loads(pickle.dumps(value, protocol=4)))
        for proto in (0, 2, 4, 5):
            data = pickle.dumps(value, protocol=proto)
            # Check that Python itself reads back what the expectation says.
            assert tag(pickle.loads(data)) == expected or name in ("sets", "mixed_keys"), (name, proto)
            with open(os.path.join(d, f"{name}.p{proto}.pkl"), "wb") as f:
                f.write(data)
        with open(os.path.join(d, f"{name}.expected.json"), "w") as f:
            json.dump(expected, f, ensure_ascii=True, indent=1)
            f.write("\n")
    # numpy 1 module names, checked by loading them with numpy 2's compatibility aliases.
    value = numpy_values()
    expected = tag(pickle.loads(pickle.dumps(value, protocol=4)))
    for proto in (0, 2, 4, 5):
        data = numpy1_names(pickle.dumps(value, protocol=proto))
        assert b"numpy._core" not in data
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert tag(pickle.loads(data)) == expected, proto
        with open(os.path.join(d, f"numpy1_arrays.p{proto}.pkl"), "wb") as f:
            f.write(data)
    with open(os.path.join(d, "numpy1_arrays.expected.json"), "w") as f:
        json.dump(expected, f, ensure_ascii=True, indent=1)
        f.write("\n")


def u(text):  # SHORT_BINUNICODE
    b = text.encode()
    return b"\x8c" + bytes([len(b)]) + b


def hostile():
    cmd = f"touch {MARKER}"
    cmdb = cmd.encode()
    bu = b"X" + struct.pack("<I", len(cmdb)) + cmdb  # BINUNICODE
    cases = {}
    # REDUCE on dangerous callables (protocol 0 GLOBAL text and protocol 4 STACK_GLOBAL).
    cases["reduce_os_system"] = b"cos\nsystem\n(" + b"V" + cmdb + b"\ntR."
    cases["reduce_posix_system_p4"] = (b"\x80\x04" + u("posix") + u("system") + b"\x93" + bu + b"\x85R.")
    cases["reduce_subprocess_popen"] = (b"\x80\x02csubprocess\nPopen\n]q\x00(X\x05\x00\x00\x00touch"
                                        + b"X" + struct.pack("<I", len(MARKER)) + MARKER.encode()
                                        + b"e\x85R.")
    code = f"__import__('os').system('{cmd}')".encode()
    cases["reduce_builtins_eval"] = b"cbuiltins\neval\n(V" + code + b"\ntR."
    cases["reduce_builtins_exec"] = b"c__builtin__\nexec\n(V" + code + b"\ntR."
    # getattr(__import__('os'), 'system')(cmd): REDUCE whose callable is itself a reduce result.
    cases["reduce_builtins_getattr"] = (b"cbuiltins\ngetattr\n(cbuiltins\n__import__\n(Vos\ntRVsystem\ntR(V"
                                        + cmdb + b"\ntR.")
    # INST and OBJ (protocols 0 and 1).
    cases["inst_os_system"] = b"(V" + cmdb + b"\nios\nsystem\n."
    cases["obj_os_system"] = b"(cos\nsystem\nV" + cmdb + b"\no."
    # A constructed object carrying a __setstate__/BUILD payload.
    cases["build_payload_newobj"] = (b"\x80\x02csubprocess\nPopen\n)\x81}(X\x04\x00\x00\x00args" + bu
                                     + b"X\x05\x00\x00\x00shellI01\nub.")
    # BUILD applied to the global itself (Python would set attributes on / call into the class).
    cases["build_on_global"] = b"\x80\x02cos\nsystem\n}X\x04\x00\x00\x00argsI01\nsb."
    # Billion laughs: ten levels of lists made of ten references to the previous level.
    bomb = bytearray(b"\x80\x04(" + u("lol") * 10 + b"l\x94")
    for level in range(1, 10):
        bomb += b"0(" + (b"h" + bytes([level - 1])) * 10 + b"l\x94"  # POP the previous level, keep it in the memo
    bomb += b"."
    cases["billion_laughs"] = bytes(bomb)
    # A deeply nested list (50 000 levels): refused by the nesting limit, never a stack overflow.
    cases["deep_nesting"] = b"\x80\x02" + b"]" * 50000 + b"a" * 49999 + b"."
    # Truncated: a real pickle with its tail cut off.
    cases["truncated"] = pickle.dumps({"a": [1, 2, 3], "b": "text"}, protocol=4)[:-6]
    cases["truncated_length"] = b"\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\x7f"  # BINBYTES8 claims 2^63 bytes
    cases["persid"] = b"Pabc\n."
    cases["binpersid"] = b"\x80\x02X\x03\x00\x00\x00abcQ."
    cases["ext1"] = b"\x80\x02\x82\x01."
    cases["ext4"] = b"\x80\x02\x84\x01\x00\x00\x00."
    cases["next_buffer"] = b"\x80\x05\x97."
    cases["unknown_opcode"] = b"\x80\x02\xff."
    cases["bad_mark"] = b"\x80\x02K\x01t."  # TUPLE without MARK
    cases["memo_missing"] = b"\x80\x02h\x07."
    cases["stack_underflow"] = b"\x80\x02(R."
    cases["no_stop"] = b"\x80\x02K\x01"
    cases["protocol_6"] = b"\x80\x06N."
    # The payloads that must decode (to opaque placeholders) are well-formed: pickletools checks
    # their structure without executing anything.
    import io
    for name in ("reduce_os_system", "reduce_posix_system_p4", "reduce_subprocess_popen", "reduce_builtins_eval",
                 "reduce_builtins_exec", "reduce_builtins_getattr", "inst_os_system", "obj_os_system",
                 "build_payload_newobj", "build_on_global", "billion_laughs"):
        pickletools.dis(cases[name], out=io.StringIO())
    d = os.path.join(OUT, "hostile")
    os.makedirs(d, exist_ok=True)
    for name, data in cases.items():
        with open(os.path.join(d, f"{name}.pkl"), "wb") as f:
            f.write(data)


def write_opcodes():
    """Every opcode pickletools knows, name -> byte, so the tests can check none is unknown."""
    table = {op.name: ord(op.code.encode("latin-1")) for op in pickletools.opcodes}
    with open(os.path.join(OUT, "opcodes.json"), "w") as f:
        json.dump(table, f, indent=1, sort_keys=True)
        f.write("\n")


def copy_corpus():
    d = os.path.join(OUT, "corpus")
    os.makedirs(d, exist_ok=True)
    for name in sorted(os.listdir(CORPUS)):
        if name.endswith(".pkl"):
            shutil.copyfile(os.path.join(CORPUS, name), os.path.join(d, name))


if __name__ == "__main__":
    write_plain()
    hostile()
    write_opcodes()
    copy_corpus()
    print("fixtures written under", OUT, file=sys.stderr)
