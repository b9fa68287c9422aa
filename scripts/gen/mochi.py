#!/usr/bin/env python3
"""Generate realistic mochi-server chat sessions (FORMATS.md section 3), stdlib only.

    python3 scripts/gen/mochi.py OUT_DIR COUNT [SEED]

Writes COUNT sessions as OUT_DIR/chat_sessions/<session_id>.json, the way mochi-server saves
them: json.dump(indent=2, ensure_ascii=False), raw UTF-8, no final newline, UTC times with a
"Z" suffix (microseconds left out when zero). About a quarter are format 1.3 (tool_group,
no thinking; a few without format_version at all), the rest 1.4. Sessions hold system prompts,
unicode chats, summaries, context-window adjustments and tool calls with results and errors.
Deterministic for a seed.
"""
import datetime
import json
import os
import random
import sys

MODELS = ["qwen3:14b", "llama3.2:3b", "gemma3:4b"]
USER = ["Hallo! Was ist 2+2? \u2014 \u00abtest\u00bb \u65e5\u672c\u8a9e", "What is 40 + 2, and what time is it?",
        "Summarize this file please", "\u00bfQu\u00e9 hora es? \U0001f361", "Write a haiku about mochi"]
ASSISTANT = ["2 + 2 = 4.\n\nNoch Fragen?", "40 + 2 = **42**.", "Here is a summary:\n- one\n- two",
             "Son las tres \U0001f552", "Soft rice cake\nsnow on a spring branch\nsweet and slow"]


def _hex(rng, n=10):
    return "%0*x" % (n, rng.getrandbits(4 * n))


def _iso(t):
    # datetime.now(timezone.utc).isoformat() with the offset replaced by "Z".
    return t.replace(tzinfo=None).isoformat() + "Z"


def _session(rng, t, version):
    sid = _hex(rng)
    model = rng.choice(MODELS)
    tools = rng.sample(["add_numbers", "get_time", "read_file"], rng.randint(0, 3))
    messages = []
    clock = [t]

    def tick():
        clock[0] += datetime.timedelta(microseconds=rng.choice([0, rng.randint(1, 99999)]) or 1000000)
        return _iso(clock[0])

    created = _iso(t)
    if rng.random() < 0.3:
        messages.append({"role": "system", "content": "You are Mochi. Antworte auf Deutsch \U0001f361",
                         "source_file": rng.choice(["german.md", None]), "message_id": _hex(rng), "timestamp": tick()})
    for _ in range(rng.randint(0, 6)):
        messages.append({"role": "user", "content": rng.choice(USER), "message_id": _hex(rng), "timestamp": tick()})
        calls = None
        if tools and rng.random() < 0.4:
            calls = [{"function": {"name": name, "arguments": {"a": rng.randint(0, 99), "b": 2} if name == "add_numbers"
                                   else {}}} for name in tools[:2]]
        a = {"role": "assistant", "content": "" if calls else rng.choice(ASSISTANT), "model": model,
             "message_id": _hex(rng), "timestamp": tick(), "eval_count": rng.choice([None, rng.randint(5, 400)]),
             "prompt_eval_count": rng.randint(20, 900)}
        if version == "1.4":
            a["thinking"] = rng.choice([None, "User wants a sum; call the tool."])
        a["tool_calls"] = calls
        messages.append(a)
        for call in calls or []:
            name = call["function"]["name"]
            content = "42" if rng.random() < 0.8 else "Error: tool raised RuntimeError('clock unavailable')"
            messages.append({"role": "tool", "tool_name": name, "content": content, "message_id": _hex(rng),
                             "timestamp": tick()})
    summary = None
    if messages and rng.random() < 0.5:
        summary = {"summary": "Chat about " + rng.choice(["math", "time", "mochi \U0001f361", "Deutsch"]),
                   "topics": rng.sample(["math", "german", "tools", "poetry"], 2)}
    if version == "1.4":
        tool_settings = {"tools": tools, "execution_policy": rng.choice(["always_confirm", "never_confirm"]),
                         "tool_policies": {name: "never_confirm" for name in tools[:1]}}
    else:
        tool_settings = {"tools": tools, "tool_group": rng.choice([None, "math_tools"]),
                         "execution_policy": rng.choice(["always_confirm", "never_confirm", "auto"])}
    history = [{"reason": "initial_setup", "window": 8192, "usage_tokens": rng.randint(10, 900)}
               for _ in range(rng.randint(0, 3))]
    metadata = {
        "session_id": sid, "model": model, "created_at": created,
        "updated_at": _iso(clock[0]), "message_count": len(messages), "summary": summary,
        "summary_model": model if summary else None, "format_version": version, "tool_settings": tool_settings,
        "agent_settings": {"enabled_agents": []},
        "context_window_config": {"dynamic_enabled": True, "current_window": 8192,
                                  "last_adjustment": "usage_threshold" if history else "initial_setup",
                                  "adjustment_history": history, "manual_override": False},
    }
    if version == "1.3" and rng.random() < 0.2:
        del metadata["format_version"]  # written before the field existed: read as 1.3
    return sid, {"metadata": metadata, "messages": messages}


def generate(out_dir: str, count: int, seed: int) -> None:
    rng = random.Random(seed)
    folder = os.path.join(out_dir, "chat_sessions")
    os.makedirs(folder, exist_ok=True)
    base = datetime.datetime(2026, 3, 1, 8, 0, 0, tzinfo=datetime.timezone.utc)
    seen = set()
    for i in range(count):
        t = base + datetime.timedelta(seconds=61 * i, microseconds=rng.randint(0, 999999))
        sid, doc = _session(rng, t, "1.3" if rng.random() < 0.25 else "1.4")
        while sid in seen:  # uuid4().hex[:10] collisions are possible; the app would overwrite
            sid = _hex(rng)
            doc["metadata"]["session_id"] = sid
        seen.add(sid)
        with open(os.path.join(folder, sid + ".json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    generate(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 0)
