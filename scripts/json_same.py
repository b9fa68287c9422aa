#!/usr/bin/env python3
"""Compare two JSON (or JSON-lines) files as Python's own `json` module reads them.

Usage: json_same.py A B [--ignore PATH ...]

Used by the round-trip tests: a legacy file and SessionSync's export of it must read back
as the same values, the way the app itself would load them. NaN equals NaN here (the apps
write NaN tokens). PATH is a slash-separated path into the document (`/metadata/last_modified`,
`*` matches any key or index) whose values are not compared: only documented normalizations
may be listed. Files ending in .jsonl are compared line by line. Exit 0 if equal, else 1 and
one line per difference.
"""
import json
import math
import sys


def load(path):
    with open(path, "r", encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


def matches(pattern, path):
    if len(pattern) != len(path):
        return False
    return all(p == "*" or p == str(q) for p, q in zip(pattern, path))


def compare(a, b, path, ignores, out):
    if any(matches(p, path) for p in ignores):
        return
    where = "/" + "/".join(str(p) for p in path)
    if type(a) is not type(b):
        out.append(f"{where}: {type(a).__name__} {a!r:.80} != {type(b).__name__} {b!r:.80}")
    elif isinstance(a, dict):
        for k in a.keys() | b.keys():
            if k not in a:
                out.append(f"{where}/{k}: only in B")
            elif k not in b:
                out.append(f"{where}/{k}: only in A")
            else:
                compare(a[k], b[k], path + [k], ignores, out)
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append(f"{where}: list of {len(a)} != list of {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            compare(x, y, path + [i], ignores, out)
    elif isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return
    elif a != b:
        out.append(f"{where}: {a!r:.80} != {b!r:.80}")


def main(argv):
    args, ignores = [], []
    it = iter(argv)
    for arg in it:
        if arg == "--ignore":
            ignores.append([p for p in next(it).split("/") if p])
        else:
            args.append(arg)
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = []
    compare(load(args[0]), load(args[1]), [], ignores, out)
    for line in out:
        print(line)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
