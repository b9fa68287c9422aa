#!/usr/bin/env python3
"""Generate realistic Lobster AI workspaces (FORMATS.md section 2), stdlib only.

    python3 scripts/gen/lobster.py OUT_DIR COUNT [SEED]

Writes COUNT sessions into OUT_DIR/lobster_workspace_<k>/ (up to 2,000 sessions per
workspace) in the app's own layout:

    session_<session_id>.json                     schema 1.1 (most), 1.0, or export_session() form
    .lobster/sessions/<session_id>/provenance.jsonl   json.dumps({"v": 1, **activity}, default=str) lines
    .lobster/sessions/<session_id>/metadata.json      indent=2

Some sessions have only the provenance folder (the client crashed before saving the JSON),
some have no provenance at all (schema 1.0). Files are written exactly as the app writes them:
session JSON with indent=2, ensure_ascii=True and naive local times; activities with aware
UTC times (+00:00), sanitized parameters (every leaf a string) and unsanitized IR parameters
(which may hold NaN, written as a bare NaN token). Deterministic for a seed.
"""
import datetime
import json
import math
import os
import random
import sys
import uuid

PER_WORKSPACE = 2000
AGENTS = ["transcriptomics_expert", "supervisor", "research_agent", "proteomics_expert", "data_expert"]
SOFTWARE = {"anndata": "0.12.19", "pandas": "2.3.3", "numpy": "2.4.6", "lobster": "1.1.418"}
TYPES = ["data_loading", "normalization", "quality_control", "clustering", "umap", "data_saving", "differential_expression"]
PROMPTS = [
    "Load pbmc_3k.csv and normalize \u2014 \u00fcn\u00efcode \u2713",
    "Cluster the cells with leiden at resolution 0.8",
    "Run QC: min_genes=200, max_pct_mt=20",
    "Find marker genes for cluster 3 \u65e5\u672c\u8a9e",
    "Export the annotated object as h5ad",
]
REPLIES = [
    "Loaded 2,700 cells \u00d7 32,738 genes.\n\n**Normalized** to 10k.",
    "Found 9 clusters (leiden, resolution 0.8).",
    "Filtered 38 cells; 2,662 remain.",
    "",
    "Saved to exports/pbmc.h5ad \U0001f9ec",
]


def _uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ir(rng, target_sum):
    return {
        "operation": "scanpy.pp.normalize_total",
        "tool_name": "normalize",
        "description": "Normalize counts per cell",
        "library": "scanpy",
        "code_template": "sc.pp.normalize_total(adata, target_sum={{ target_sum }})",
        "imports": ["import scanpy as sc"],
        "parameters": {"target_sum": target_sum, "exclude_highly_expressed": rng.random() < 0.5},
        "parameter_schema": {
            "target_sum": {
                "param_type": "float",
                "papermill_injectable": True,
                "default_value": 10000.0,
                "required": False,
                "validation_rule": None,
                "description": "Target sum",
            }
        },
        "input_entities": ["lobster:entity:" + _uuid(rng)],
        "output_entities": ["modality:pbmc_normalized"],
        "execution_context": {},
        "validates_on_export": True,
        "requires_validation": False,
        "exportable": True,
        "helper_code": [],
    }


def _activity(rng, when):
    kind = rng.choice(TYPES)
    params = {"n_rows": str(rng.randint(100, 50000)), "flag": rng.choice(["True", "False"]), "note": ""}
    if rng.random() < 0.3:
        params["layers"] = "['counts' 'raw']"
        params["nested"] = {"k": str(rng.randint(2, 30)), "mt_prefix": "MT-"}
    ir = None
    if kind == "normalization":
        ir = _ir(rng, rng.choice([10000.0, 1e6, math.nan]))
    return {
        "id": "lobster:activity:" + _uuid(rng),
        "type": kind,
        "agent": "lobster:agent:" + rng.choice(AGENTS),
        "timestamp": when.isoformat(),
        "inputs": [{"entity": "lobster:entity:" + _uuid(rng), "role": "input_data"}],
        "outputs": [{"entity": "modality:pbmc_%d" % rng.randint(0, 99), "role": "processed_data"}],
        "parameters": params,
        "description": "Applied %s to data \u2014 \u00b5" % kind,
        "software_versions": dict(SOFTWARE),
        "ir": ir,
    }


def _token_usage(rng, sid, start):
    invocations, by_agent = [], {}
    for k in range(rng.randint(0, 3)):
        agent = rng.choice(AGENTS)
        i, o = rng.randint(100, 3000), rng.randint(10, 900)
        cost = round((i * 3 + o * 15) / 1e6, 6)
        invocations.append({
            "timestamp": (start + datetime.timedelta(seconds=10 + k)).isoformat(),
            "agent": agent, "model": "claude-sonnet-4", "tool": rng.choice([None, "load_data"]),
            "input_tokens": i, "output_tokens": o, "total_tokens": i + o, "cost_usd": cost,
        })
        a = by_agent.setdefault(agent, {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0, "cost_usd": 0.0,
                                        "invocation_count": 0})
        a["input_tokens"] += i
        a["output_tokens"] += o
        a["total_tokens"] += i + o
        a["cost_usd"] += cost
        a["invocation_count"] += 1
    ti = sum(v["input_tokens"] for v in by_agent.values())
    to = sum(v["output_tokens"] for v in by_agent.values())
    return {"session_id": sid, "total_input_tokens": ti, "total_output_tokens": to, "total_tokens": ti + to,
            "total_cost_usd": sum(v["cost_usd"] for v in by_agent.values()) if by_agent else 0,
            "by_agent": by_agent, "invocations": invocations}


def _session_json(rng, ws, sid, start, n_msgs, n_acts, schema):
    conversation = []
    for k in range(n_msgs):
        role = "user" if k % 2 == 0 else "assistant"
        conversation.append({"role": role, "content": rng.choice(PROMPTS if role == "user" else REPLIES)})
    usage = _token_usage(rng, sid, start)
    doc = {
        "session_id": sid,
        "metadata": {"created_at": start.isoformat(), "session_id": sid, "workspace": ws},
        "conversation": conversation,
        "status": {
            "session_id": sid, "message_count": n_msgs, "has_data": False, "data_summary": None, "workspace": ws,
            "reasoning_enabled": rng.random() < 0.5, "callbacks_count": 1,
            "redis_health": {"status": "not_configured", "message": "Redis rate limiter not imported", "critical": False},
            "token_usage": usage,
        },
        "workspace_status": {
            "workspace_path": ws, "modalities_loaded": 0, "modality_names": [],
            "registered_backends": ["h5ad", "mudata"],
            "registered_adapters": ["transcriptomics_single_cell", "transcriptomics_bulk"],
            "default_backend": "h5ad", "provenance_enabled": True, "mudata_available": True,
            "directories": {d: ws + "/" + d for d in ["data", "exports", "cache", "literature_cache", "metadata",
                                                        "notebooks"]} | {"queues": ws + "/.lobster/queues"},
            "provenance": {"n_activities": n_acts, "n_entities": 2 * n_acts, "n_agents": 1 + n_acts // 3},
        },
        "token_usage": usage,
        "exported_at": (start + datetime.timedelta(minutes=1, microseconds=1)).isoformat(),
    }
    if schema != "export":
        doc["lobster_version"] = "1.0.0" if schema == "1.0" else "1.1.418"
        if schema == "1.1":
            doc["provenance"] = {"session_dir": ws + "/.lobster/sessions/" + sid if n_acts else None,
                                 "activity_count": n_acts}
        doc["schema_version"] = schema
    return doc


def generate(out_dir: str, count: int, seed: int) -> None:
    rng = random.Random(seed)
    base = datetime.datetime(2026, 2, 15, 9, 0, 0)
    for i in range(count):
        ws_name = "lobster_workspace_%d" % (i // PER_WORKSPACE)
        ws_dir = os.path.join(out_dir, ws_name)
        ws = "/home/researcher/" + ws_name
        start = base + datetime.timedelta(seconds=97 * i, microseconds=rng.randint(0, 999999))
        sid = "session_" + start.strftime("%Y%m%d_%H%M%S")
        if rng.random() < 0.05:
            sid = "analysis %d \u00fc" % i  # CLI --session-id may be any string
        roll = rng.random()
        schema = "1.0" if roll < 0.1 else ("export" if roll < 0.15 else "1.1")
        shape = rng.random()
        write_json = shape >= 0.08           # 8%: provenance folder only
        n_acts = 0 if schema == "1.0" else rng.randint(0, 12)
        n_msgs = 2 * rng.randint(0, 4)
        os.makedirs(ws_dir, exist_ok=True)
        if write_json:
            doc = _session_json(rng, ws, sid, start, n_msgs, n_acts, schema)
            with open(os.path.join(ws_dir, "session_" + sid + ".json"), "w", encoding="utf-8") as f:
                json.dump(doc, f, indent=2, default=str)
        if n_acts or not write_json:
            n_acts = max(n_acts, 1)
            folder = os.path.join(ws_dir, ".lobster", "sessions", sid)
            os.makedirs(folder, exist_ok=True)
            utc = start - datetime.timedelta(hours=1)
            lines = []
            for k in range(n_acts):
                when = (utc + datetime.timedelta(seconds=11, microseconds=731 * k + rng.randint(0, 500))).replace(
                    tzinfo=datetime.timezone.utc)
                lines.append(json.dumps({"v": 1, **_activity(rng, when)}, default=str) + "\n")
            with open(os.path.join(folder, "provenance.jsonl"), "w") as f:
                f.writelines(lines)
            meta = {
                "created_at": utc.replace(tzinfo=datetime.timezone.utc).isoformat(),
                "last_modified": (utc + datetime.timedelta(seconds=12)).replace(tzinfo=datetime.timezone.utc).isoformat(),
                "activity_count": n_acts,
                "software_versions": dict(SOFTWARE),
            }
            with open(os.path.join(folder, "metadata.json"), "w") as f:
                json.dump(meta, f, indent=2)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    generate(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 0)
