#!/usr/bin/env python3
"""Generate pickled ALchemist REST-store entries of the 2025-11-19/20 era (run once; output committed).

Usage: python3 scripts/pickle-store-fixtures.py      (from the repository root; needs numpy and pandas)

The two REAL store pickles in the corpus (FORMATS.md 1.2) come from 9dc1bd4, before the session had
`metadata` and `audit_log`. Pickles written on 2025-11-19/20 also carry a SessionMetadata and an
AuditLog; no real one exists, so these are HANDBUILT with stand-in classes whose module paths and
attribute names are ALchemist's (alchemist_core/audit_log.py at 9c4310c and just after), holding a
real pandas DataFrame. Pickling only records the stand-ins' names and `__dict__`; nothing of
ALchemist is needed or run.

Writes, under Fixtures/pickle/store/:
  audit_object/cache/sessions/<uuid>.pkl  metadata with author; AuditLog with entries, search-space and
                                          data snapshots (to_dict gives an object); sklearn model object
  audit_list/cache/sessions/<uuid>.pkl    9c4310c: metadata without author and with another session_id
                                          than the store's; AuditLog with entries only (to_dict gives a list)
  hostile/cache/sessions/<uuid>.pkl       the audit_object entry whose `model` unpickles as
                                          os.system("touch /tmp/sessionsync-pickle-pwned") (REDUCE);
                                          SessionSync must never run it
"""
import collections
import dataclasses
import datetime
import hashlib
import json
import os
import pickle
import shutil
import sys
import types
from typing import Any, Dict, List

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fixtures", "pickle", "store")
MARKER = "/tmp/sessionsync-pickle-pwned"


def module(name):
    """A stand-in module registered under ALchemist's (or a library's) dotted name."""
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
    return sys.modules[name]


def stand_in(module_name, class_name, base=object, namespace=None):
    cls = type(class_name, (base,), dict(namespace or {}))
    cls.__module__ = module_name
    cls.__qualname__ = class_name
    setattr(module(module_name), class_name, cls)
    return cls


@dataclasses.dataclass
class SessionMetadata:
    session_id: str
    name: str
    created_at: str
    last_modified: str
    description: str = ""
    author: str = ""
    tags: List[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class SessionMetadata9c4310c:
    session_id: str
    name: str
    created_at: str
    last_modified: str
    description: str = ""
    tags: List[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class AuditEntry:
    timestamp: str
    entry_type: str
    parameters: Dict[str, Any]
    hash: str
    notes: str = ""


for cls, name in [(SessionMetadata, "SessionMetadata"), (AuditEntry, "AuditEntry")]:
    cls.__module__ = "alchemist_core.audit_log"
    cls.__qualname__ = name
    cls.__name__ = name
    setattr(module("alchemist_core.audit_log"), name, cls)

OptimizationSession = stand_in("alchemist_core.session", "OptimizationSession")
AuditLog = stand_in("alchemist_core.audit_log", "AuditLog")
SearchSpace = stand_in("alchemist_core.data.search_space", "SearchSpace")
ExperimentManager = stand_in("alchemist_core.data.experiment_manager", "ExperimentManager")
EventEmitter = stand_in("alchemist_core.events", "EventEmitter")
Real = stand_in("skopt.space.space", "Real")
Integer = stand_in("skopt.space.space", "Integer")
Categorical = stand_in("skopt.space.space", "Categorical")
GPR = stand_in("sklearn.gaussian_process._gpr", "GaussianProcessRegressor")


class Pwned:
    """Unpickles as os.system(...): the classic pickle attack. Pickling it runs nothing."""

    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


def audit_hash(parameters):
    return hashlib.sha256(json.dumps(parameters, sort_keys=True, default=str).encode()).hexdigest()[:16]


def entry(timestamp, entry_type, parameters, notes=""):
    return AuditEntry(timestamp, entry_type, parameters, audit_hash(parameters), notes)


def obj(cls, **fields):
    o = cls.__new__(cls)
    o.__dict__.update(fields)
    return o


VARIABLES = [
    {"name": "temperature", "type": "real", "min": 300.0, "max": 500.0},
    {"name": "pressure", "type": "integer", "min": 1, "max": 10},
    {"name": "catalyst", "type": "categorical", "values": ["Pt/C", "Pd–Au", "触媒"]},
]


def search_space():
    dims = [
        obj(Real, low=300.0, high=500.0, prior="uniform", name="temperature"),
        obj(Integer, low=1, high=10, name="pressure"),
        obj(Categorical, categories=("Pt/C", "Pd–Au", "触媒"), name="catalyst"),
    ]
    return obj(SearchSpace, variables=[dict(v) for v in VARIABLES], skopt_dimensions=dims,
               categorical_variables=["catalyst"])


def frame():
    return pd.DataFrame({
        "temperature": [310.5, 455.25, 390.0, 420.125],
        "pressure": np.array([2, 9, 5, 7], dtype=np.int64),
        "catalyst": ["Pt/C", "触媒", "Pd–Au", "Pt/C"],
        "Output": [0.125, 0.8125, 0.5, 0.71875],
        "Noise": [0.01, float("nan"), 0.02, float("nan")],
        "Iteration": np.array([0, 0, 0, 1], dtype=np.int64),
        "Reason": ["Initial Design", "Initial Design", "Initial Design", "Expected Improvement"],
    })


def events():
    return obj(EventEmitter, _listeners=collections.defaultdict(list))


def audit_object_entry(model):
    store_id = "3f6c1e2a-8b4d-4c9e-a1f0-5d7e9b2c4a61"
    df = frame()
    ss = search_space()
    log = obj(AuditLog, entries=[
        entry("2025-11-20T09:15:02.104233", "data_locked",
              {"n_experiments": 3, "data_hash": hashlib.sha256(df.iloc[:3].to_json().encode()).hexdigest()[:16],
               "initial_design_method": "LHS", "initial_design_n_points": 3}, "initial design"),
        entry("2025-11-20T09:16:40.500000", "model_locked",
              {"backend": "sklearn", "kernel": "Matern",
               "hyperparameters": {"k1": "0.894**2", "k2__length_scale": [0.31, 1.7, 2.2], "matern_nu": 2.5},
               "cv_metrics": {"rmse": 0.0625, "r2": 0.875, "mae": 0.05}, "iteration": 1}),
        entry("2025-11-20T09:17:00", "acquisition_locked",
              {"strategy": "EI", "parameters": {"xi": 0.01},
               "suggestions": [{"temperature": 420.125, "pressure": 7, "catalyst": "Pt/C"}], "iteration": 1},
              "ümlaut ✓ notes"),
    ], search_space_definition={"variables": [dict(v) for v in VARIABLES]}, experiment_data=df.copy())
    session = obj(OptimizationSession,
                  search_space=ss,
                  experiment_manager=obj(ExperimentManager, df=df, filepath=None, search_space=ss),
                  metadata=SessionMetadata(store_id, "Catalyst screen — 11/20", "2025-11-20T09:12:30.250000",
                                           "2025-11-20T09:17:00.000100", "HANDBUILT store pickle", "R. Chem",
                                           ["pickle", "audit"]),
                  audit_log=log,
                  events=events(),
                  model=model,
                  model_backend="sklearn",
                  acquisition=None,
                  config={"random_state": 42, "verbose": True, "auto_train": False, "auto_train_threshold": 5})
    created = datetime.datetime(2025, 11, 20, 9, 12, 30, 250000)
    return store_id, {"session": session, "created_at": created,
                      "last_accessed": datetime.datetime(2025, 11, 20, 9, 17, 1, 5),
                      "expires_at": created + datetime.timedelta(hours=24)}


def audit_list_entry():
    store_id = "9b2e4d6f-1a3c-4e5b-8d7f-0c2a4e6b8d10"
    df = frame().loc[:, ["temperature", "pressure", "catalyst", "Output"]].iloc[:2]
    log = obj(AuditLog, entries=[
        entry("2025-11-19T16:02:11.000001", "data_locked",
              {"n_experiments": 2, "variables": [dict(v) for v in VARIABLES],
               "data_hash": hashlib.sha256(df.to_json(orient="records").encode()).hexdigest()[:16]}),
    ])
    session = obj(OptimizationSession,
                  search_space=search_space(),
                  experiment_manager=obj(ExperimentManager, df=df, filepath="runs/screen.csv", search_space=None),
                  metadata=SessionMetadata9c4310c("0d1c2b3a-4f5e-4d6c-9b8a-7e6f5d4c3b2a", "9c4310c era", "2025-11-19T16:00:00",
                                                  "2025-11-19T16:02:11.000001", "", ["legacy"]),
                  audit_log=log, events=events(), model=None, model_backend=None, acquisition=None,
                  config={"random_state": 7, "verbose": False})
    created = datetime.datetime(2025, 11, 19, 16, 0, 0)
    return store_id, {"session": session, "created_at": created,
                      "last_accessed": datetime.datetime(2025, 11, 19, 16, 2, 12),
                      "expires_at": created + datetime.timedelta(hours=24)}


def write(folder, store_id, store_entry):
    d = os.path.join(OUT, folder, "cache", "sessions")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, store_id + ".pkl"), "wb") as f:
        pickle.dump(store_entry, f, protocol=4)  # the store's pickle.dump default on Python 3.8+


def main():
    SessionMetadata9c4310c.__module__ = "alchemist_core.audit_log"
    SessionMetadata9c4310c.__qualname__ = "SessionMetadata"
    SessionMetadata9c4310c.__name__ = "SessionMetadata"
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    store_id, e = audit_object_entry(obj(GPR, kernel="Matern(nu=2.5)", alpha=1e-10, n_restarts_optimizer=5))
    write("audit_object", store_id, e)
    # Pickle looks classes up by module and qualname: the 9c4310c metadata class must be the one
    # registered while its entry is pickled.
    setattr(module("alchemist_core.audit_log"), "SessionMetadata", SessionMetadata9c4310c)
    store_id, e = audit_list_entry()
    write("audit_list", store_id, e)
    setattr(module("alchemist_core.audit_log"), "SessionMetadata", SessionMetadata)
    store_id, e = audit_object_entry(Pwned())
    write("hostile", "6e0f3b9a-2c4d-4a8e-b7f1-3d5c7a9e1b20", e)


if __name__ == "__main__":
    main()
