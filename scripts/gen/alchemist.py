#!/usr/bin/env python3
"""Generate realistic ALchemist legacy sessions (FORMATS.md section 1), stdlib only.

Usage: python3 scripts/gen/alchemist.py OUT_DIR COUNT [SEED]

Writes COUNT sessions into OUT_DIR in the app's own layouts, cycling through the formats
SessionSync reads:

* ``session_json/<name>.json``: ``save_session`` files of every era: the first audit release
  (9c4310c: audit log as a list, ``model_state``, no author, rows without Iteration/Reason),
  1.0.0 with a dict audit log and ``model_config`` (e23b28d), 1.0.0 with ``derived_variables``
  (7d47fba), and HEAD 1.1.0 (target_columns, staged experiments, objective metadata,
  provenance, ``ProvenanceId`` NaN, extra audit entry types);
* ``server_449b9f2/cache/sessions/<uuid>.json``: the first JSON store, with ``expires_at`` and
  (before 13556ce) a ``metadata.session_id`` that differs from the store id;
* ``server_head/cache/sessions/<uuid>.json`` plus, for every other one, its recovery backup
  ``server_head/cache/recovery/<uuid>_recovery_<YYYYmmdd_HHMMSS>.json``.

Files are written with Python's own ``json.dump(indent=2)`` (``default=str`` for sessions),
so NaN tokens, ``ensure_ascii`` escapes and the missing final newline are the app's. Times are
naive local ISO strings as ``datetime.now().isoformat()`` gives them. Audit hashes are
ALchemist's ``sha256(json.dumps(parameters, sort_keys=True, default=str))[:16]``.
The output depends only on COUNT and SEED.
"""
import datetime
import hashlib
import json
import os
import random
import sys
import uuid

NAMES = [
    "Catalyst screening", "Legacy run \u2014 \u00df\u2202\u0192", "\u041a\u0430\u0442\u0430\u043b\u0438\u0437 \u89e6\u5a92 \U0001f9ea",
    "Yield opt \"v2\"", "Solvent sweep", "Jos\u00e9's study", "Polymer \\ blend", "Untitled Session",
]
AUTHORS = ["", "A. Researcher", "Jos\u00e9 \u00d1\u00fa\u00f1ez", "\u674e\u96f7"]
TAGS = ["catalyst", "demo", "\u00f1", "\u65e5\u672c\u8a9e", "emoji\U0001f525", "mobo", "api"]
CATEGORIES = ["A", "B", "C", "Pt", "Pd", "Ru\u2014\u03b2", "\u6c34", "\u00e9thanol"]
ERAS = ["9c4310c", "e23b28d", "7d47fba", "head", "server_449b9f2", "server_head"]


def audit_hash(parameters):
    text = json.dumps(parameters, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Clock:
    """A naive local clock that moves forward by small random steps."""

    def __init__(self, rng, start):
        self.rng = rng
        self.now = start

    def tick(self, max_ms=2500):
        self.now += datetime.timedelta(microseconds=self.rng.randint(1, max_ms * 1000))
        return self.now.isoformat()


def make_uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def entry(clock, entry_type, parameters, notes):
    return {"timestamp": clock.tick(), "entry_type": entry_type, "parameters": parameters,
            "hash": audit_hash(parameters), "notes": notes}


def variables(rng, n):
    out = []
    for i in range(n):
        kind = rng.choice(["real", "real", "integer", "categorical"])
        name = rng.choice(["temperature", "pressure", "flow", "ratio", "Temp\u00e9rature", "time"]) + ("" if i == 0 else str(i))
        if kind == "real":
            lo = rng.choice([0, 300, 1, 0.5])
            out.append({"name": name, "type": "real", "min": lo, "max": lo + rng.choice([10, 200, 1.5])})
        elif kind == "integer":
            out.append({"name": name, "type": "integer", "min": 1, "max": rng.randint(5, 20)})
        else:
            out.append({"name": name, "type": "categorical", "values": rng.sample(CATEGORIES, 3)})
    return out


def value(rng, var):
    if var["type"] == "real":
        return round(rng.uniform(var["min"], var["max"]), 3)
    if var["type"] == "integer":
        return rng.randint(var["min"], var["max"])
    return rng.choice(var["values"])


def rows(rng, variables_, n, era, targets):
    data = []
    noisy = rng.random() < 0.4
    for i in range(n):
        row = {v["name"]: value(rng, v) for v in variables_}
        for t in targets:
            row[t] = round(rng.uniform(0, 2), 4)
        if era == "9c4310c":
            data.append(row)
            continue
        if noisy:
            row["Noise"] = 0.02 if rng.random() < 0.5 else float("nan")
        row["Iteration"] = i if era != "e23b28d" else 0
        row["Reason"] = "Initial Design" if i < n // 2 else "Manual"
        if era == "head":
            row["ProvenanceId"] = float("nan")
        data.append(row)
    return data


def hyperparameters(rng, n_vars, numpy_repr):
    ls = [rng.uniform(1e-5, 1e4) for _ in range(n_vars)]
    bound = "np.float64(%r)" % rng.uniform(1e3, 1e7) if numpy_repr else repr(rng.uniform(1e3, 1e7))
    return {
        "k1": "%.3g**2" % rng.uniform(0.5, 8),
        "k2": "Matern(length_scale=[%s], nu=1.5)" % ", ".join("%.3g" % x for x in ls),
        "k1__constant_value": rng.uniform(0.1, 60),
        "k1__constant_value_bounds": "(1e-05, 100000.0)",
        "k2__length_scale": ls,
        "k2__length_scale_bounds": "[(1e-05, %s)]" % bound,
    }


def session(rng, era, index, start):
    clock = Clock(rng, start)
    created = clock.tick()
    n_vars = rng.randint(1, 4)
    vars_ = variables(rng, n_vars)
    targets = ["Output"] if rng.random() < 0.85 else ["yield", "selectivity"]
    n_rows = rng.randint(0, 14)
    data = rows(rng, vars_, n_rows, era, targets)
    sid = make_uuid(rng)
    metadata = {"session_id": sid, "name": rng.choice(NAMES) + (" #%d" % index), "created_at": created,
                "last_modified": created, "description": rng.choice(["", "Full workflow", "line1\nline2 \u00ab\u00bb"])}
    if era != "9c4310c":
        metadata["author"] = rng.choice(AUTHORS)
    metadata["tags"] = rng.sample(TAGS, rng.randint(0, 3))

    entries = []
    iteration = len(data)
    locked = n_rows > 0 and rng.random() < 0.85
    if locked:
        params = {"n_experiments": len(data)}
        if era == "9c4310c":
            params["variables"] = vars_
        params["data_hash"] = "%016x" % rng.getrandbits(64)
        if era == "head" and rng.random() < 0.5:
            params["initial_design_method"] = "LHS"
            params["initial_design_n_points"] = max(1, len(data) // 2)
        entries.append(entry(clock, "data_locked", params, rng.choice(["", "data v1", "Initial LHS dataset"])))
    model = None
    if locked and rng.random() < 0.7:
        hyper = hyperparameters(rng, n_vars, era == "9c4310c")
        if era != "9c4310c":
            hyper.update({"input_transform_type": "none", "output_transform_type": "none"})
        kernel = rng.choice(["Matern", "RBF"])
        if era == "head" and kernel == "Matern":
            hyper["matern_nu"] = 1.5
        metrics = {"rmse": rng.uniform(0, 1), "mae": rng.uniform(0, 1), "r2": rng.uniform(-20, 1)}
        params = {"backend": "sklearn", "kernel": kernel, "hyperparameters": hyper, "cv_metrics": metrics}
        if era != "9c4310c":
            params["iteration"] = iteration
        entries.append(entry(clock, "model_locked", params, rng.choice(["", "rbf", "Matern 2.5 looks good"])))
        model = (kernel, hyper, metrics)
        suggestions = [{v["name"]: value(rng, v) for v in vars_} for _ in range(rng.randint(1, 2))]
        strategy = rng.choice(["EI", "UCB", "PI", "qEI"])
        acq = {"xi": 0.01, "goal": "maximize"} if strategy != "UCB" else {"kappa": 1.96, "goal": "maximize"}
        params = {"strategy": strategy, "parameters": acq, "suggestions": suggestions}
        if era != "9c4310c":
            params["iteration"] = iteration
        entries.append(entry(clock, "acquisition_locked", params, rng.choice(["", "next", "Top-2 EI batch"])))
    else:
        suggestions = []

    doc = {"version": "1.1.0" if era == "head" else "1.0.0", "metadata": metadata}
    search_space = {"variables": vars_}
    if era == "9c4310c":
        doc["audit_log"] = entries
    else:
        log = {"entries": entries}
        if locked:
            log["search_space"] = {"variables": vars_}
        if data:
            log["experiment_data"] = data
        doc["audit_log"] = log
        if era in ("7d47fba", "head"):
            search_space["derived_variables"] = []
    doc["search_space"] = search_space
    experiments = {"data": data, "n_total": len(data)}
    if era == "head":
        experiments["target_columns"] = targets
    doc["experiments"] = experiments
    if era == "head":
        staged = []
        for s in suggestions:
            staged.append({"id": make_uuid(rng), "inputs": s, "reason": "Expected Improvement", "status": "pending",
                           "output": None, "noise": None, "error": None, "dataset_ref": None, "actual_inputs": None,
                           "staged_at": clock.tick(), "started_at": None, "completed_at": None})
        doc["staged_experiments"] = staged
        objective = {}
        if rng.random() < 0.4:
            objective = {targets[0]: {"label": "Yield", "unit": "%"}}
            entries.append(entry(clock, "objective_label_changed", {"old": {}, "new": objective},
                                 "Objective label/unit updated"))
        doc["objective_metadata"] = objective
        doc["last_suggestions"] = suggestions
        doc["provenance"] = []
    doc["config"] = {"random_state": 42, "verbose": True} if era == "9c4310c" else \
        {"random_state": 42, "verbose": True, "auto_train": False, "auto_train_threshold": 5}
    if model:
        kernel, hyper, metrics = model
        if era == "9c4310c":
            doc["model_state"] = {"backend": "sklearn", "trained": False, "kernel": None, "hyperparameters": hyper}
        else:
            doc["model_config"] = {"backend": "sklearn", "kernel": kernel,
                                   "kernel_params": {"k1": "1**2", "k1__constant_value": 1.0,
                                                     "k1__constant_value_bounds": [1e-05, 100000.0]},
                                   "hyperparameters": hyper, "metrics": metrics}
    metadata["last_modified"] = clock.tick()
    return doc, clock


def write(path, doc, session_default=True):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        if session_default:
            json.dump(doc, f, indent=2, default=str)
        else:
            json.dump(doc, f, indent=2)


def generate(out_dir: str, count: int, seed: int) -> None:
    rng = random.Random(seed)
    start = datetime.datetime(2026, 1, 5, 9, 0, 0)
    for i in range(count):
        era = ERAS[i % len(ERAS)]
        base = start + datetime.timedelta(minutes=37 * i)
        if era.startswith("server"):
            doc, clock = session(rng, "head" if era == "server_head" else "e23b28d", i, base)
            store_id = make_uuid(rng) if era == "server_449b9f2" else doc["metadata"]["session_id"]
            created = clock.tick()
            store = {"created_at": created, "last_accessed": clock.tick()}
            if era == "server_449b9f2":
                store["expires_at"] = (datetime.datetime.fromisoformat(created) + datetime.timedelta(hours=24)).isoformat()
            server_doc = dict(doc)
            server_doc["_session_store_metadata"] = store
            write(os.path.join(out_dir, era, "cache", "sessions", store_id + ".json"), server_doc, False)
            if era == "server_head" and (i // len(ERAS)) % 2 == 0:
                backup = dict(doc)
                backup["metadata"] = dict(doc["metadata"], last_modified=clock.tick())
                backup_time = clock.now + datetime.timedelta(microseconds=rng.randint(1, 5000))
                backup["_recovery_metadata"] = {"session_id": store_id, "backup_time": backup_time.isoformat(),
                                                "session_name": doc["metadata"]["name"]}
                name = "%s_recovery_%s.json" % (store_id, backup_time.strftime("%Y%m%d_%H%M%S"))
                write(os.path.join(out_dir, era, "cache", "recovery", name), backup)
        else:
            doc, _ = session(rng, era, i, base)
            write(os.path.join(out_dir, "session_json", "gen_%05d_%s.json" % (i, era)), doc)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    generate(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 0)
