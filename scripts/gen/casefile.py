#!/usr/bin/env python3
"""Generate realistic casefile-service Firestore exports (FORMATS.md 4).

Usage: casefile.py OUT_DIR COUNT [SEED]

Writes COUNT sessions into flat export maps `{"<document path>": {fields}}`, up to
SESSIONS_PER_FILE sessions per file, alternating the legacy layout (`sessions/{ts}` with
`requests/{uuid}` and `events/{te}` below, `chat_sessions/{cs}`, `casefiles/{cf}`) and the
unified layout (`casefiles/{cf}/sessions/{id}/events/{evt}`). Ids follow the service's real
IDService (`<prefix>_<yymmdd>_<user4><case4>_<6 hex>`); legacy times are naive
`datetime.isoformat()` text, unified times end in `Z`. Files are written as the samples are:
`json.dumps(indent=2, ensure_ascii=False)` with no final newline (NaN tokens where a float is
NaN). Deterministic for a seed; standard library only.
"""
import datetime
import json
import os
import random
import re
import sys
import uuid

SESSIONS_PER_FILE = 50

USERS = ["sam@example.com", "alice.müller@example.org", "李雷@example.cn", "ops+bot@example.net", "zoë@example.io"]
TOOLS = ["gmail_search", "drive_list", "sheets_read", "calendar_find", "web_fetch"]
QUERIES = ["invoice ü", "tax 2024", "urgent", "résumé", "Q3 numbers", "会议", "flight ✈"]
TEXTS = ["Find my tax documents", "I found 3 tax documents…", "Summarize the thread", "Done ✅",
         "Which folder?", "Here are the results:\n- a\n- b", "Error: quota exceeded"]
EVENT_TYPES = ["tool_request_received", "tool_execution_started", "tool_execution_completed",
               "tool_execution_failed", "tool_response_sent"]
MESSAGE_TYPES = ["user", "assistant", "system", "tool", "error"]
UNIFIED_EVENT_TYPES = ["tool_execution", "agent_response", "workflow_step", "message", "agent_message"]


def fragment(text, n):
    """IDService: lowercase, keep [a-z0-9], last n characters, right-padded with '0'."""
    clean = re.sub(r"[^a-z0-9]", "", text.lower())
    return clean[-n:].ljust(n, "0")


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def hex6(self):
        return "%06x" % self.rng.getrandbits(24)

    def uuid4(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def session_id(self, prefix, day, user, casefile):
        case4 = fragment(casefile, 4) if casefile else "none"
        return "%s_%s_%s%s_%s" % (prefix, day.strftime("%y%m%d"), fragment(user, 4), case4, self.hex6())

    def when(self, base, seconds):
        t = base + datetime.timedelta(seconds=seconds, microseconds=self.rng.choice([0, self.rng.randrange(1000000)]))
        return t

    @staticmethod
    def naive(t):
        return t.isoformat()

    @staticmethod
    def zulu(t):
        return t.isoformat() + "Z"

    def casefile(self, cf, user, t, stamp):
        return {
            "id": cf,
            "metadata": {"title": self.rng.choice(["Personal Email Archive", "Taxes 2024", "Projekt Ü", "Travel"]),
                         "created_by": user, "created_at": stamp(t)},
            "acl": {"owner_id": user,
                    "permissions": {"entries": {self.rng.choice(USERS): {"role": "editor", "granted_by": user}}}},
        }

    # Legacy layout ---------------------------------------------------------------------------

    def legacy_tool_session(self, out, user, cf, day, base):
        ts = self.session_id("ts", day, user, cf)
        path = "sessions/" + ts
        created = self.when(base, 0)
        clock = 0.0
        request_ids = []
        children = {}
        for _ in range(self.rng.randrange(0, 4)):
            rid = self.uuid4()
            request_ids.append(rid)
            tool = self.rng.choice(TOOLS)
            params = {"query": self.rng.choice(QUERIES), "limit": self.rng.randrange(1, 50)}
            sr = "sr_%s_%s" % (day.strftime("%y%m%d"), self.hex6())
            clock += self.rng.uniform(0.5, 30)
            start = self.when(base, clock)
            event_ids = []
            events = {}
            for etype in self.rng.sample(EVENT_TYPES, self.rng.randrange(1, 4)):
                te = "te_%s_%s" % (day.strftime("%y%m%d"), self.hex6())
                event_ids.append(te)
                clock += self.rng.uniform(0.01, 2)
                failed = etype == "tool_execution_failed"
                events[path + "/requests/" + rid + "/events/" + te] = {
                    "event_id": te, "event_type": etype, "tool_name": tool,
                    "timestamp": self.naive(self.when(base, clock)), "parameters": params,
                    "result_summary": None if failed else {"count": self.rng.randrange(0, 9),
                                                           "score": self.rng.choice([0.5, 1.0, float("nan")])},
                    "duration_ms": self.rng.choice([None, self.rng.randrange(10, 5000)]),
                    "status": "error" if failed else self.rng.choice(["success", "pending", None]),
                    "error_message": "quota exceeded" if failed else None, "initiator": "user",
                    "chain_position": self.rng.choice([None, 0, 1]), "chain_id": self.uuid4(),
                    "reasoning": None, "source_message_id": None, "related_events": [],
                }
            done = self.when(base, clock + 0.1)
            status = self.rng.choice(["completed", "failed", "pending", "processing"])
            children[path + "/requests/" + rid] = {
                "request": {
                    "request_id": rid, "session_id": ts, "user_id": user, "operation": "tool_execution",
                    "payload": {"tool_name": tool, "parameters": params,
                                "prompt": self.rng.choice([None, self.rng.choice(TEXTS)]), "casefile_id": cf,
                                "session_request_id": sr},
                    "metadata": {}, "event_ids": event_ids, "timestamp": self.naive(start),
                    "context_requirements": [], "hooks": [], "policy_hints": {}, "route_directives": {},
                },
                "response": None if status == "pending" else {
                    "request_id": rid, "status": status,
                    "payload": {"result": {"items": [{"id": self.hex6(), "subject": self.rng.choice(TEXTS)}]},
                                "events": [], "session_request_id": sr},
                    "error": "tool failed" if status == "failed" else None,
                    "metadata": {"execution_time_ms": self.rng.randrange(10, 5000)}, "timestamp": self.naive(done),
                },
                "event_ids": event_ids, "created_at": self.naive(start), "updated_at": self.naive(done),
            }
            children.update(events)
        out[path] = {
            "session_id": ts, "user_id": user, "casefile_id": cf, "created_at": self.naive(created),
            "updated_at": self.naive(self.when(base, clock + 1)), "request_ids": request_ids,
            "active": self.rng.random() < 0.6,
        }
        out.update(children)

    def legacy_chat_session(self, out, user, cf, day, base):
        cs = self.session_id("cs", day, user, cf)
        messages, events, message_index, request_index = [], [], {}, {}
        clock = 0.0
        for i in range(self.rng.randrange(0, 7)):
            clock += self.rng.uniform(0.2, 20)
            mid = self.uuid4()
            sr = "sr_%s_%s" % (day.strftime("%y%m%d"), self.hex6())
            mtype = "user" if i % 2 == 0 else self.rng.choice(MESSAGE_TYPES[1:])
            t = self.when(base, clock)
            messages.append({
                "content": self.rng.choice(TEXTS), "message_type": mtype,
                "tool_calls": [] if mtype != "assistant" else [
                    {"name": self.rng.choice(TOOLS), "arguments": {"query": self.rng.choice(QUERIES)}}],
                "session_request_id": sr if mtype == "user" else None, "casefile_id": cf if mtype == "user" else None,
                "message_id": mid, "request_id": sr, "timestamp": self.naive(t),
            })
            message_index[mid] = i
            request_index.setdefault(sr, []).append(mid)
            events.append({"type": "message", "message_type": mtype,
                           "timestamp": self.naive(t + datetime.timedelta(microseconds=1)),
                           "message_id": mid, "request_id": sr, "session_request_id": sr})
        out["chat_sessions/" + cs] = {
            "session_id": cs, "user_id": user, "casefile_id": cf, "created_at": self.naive(self.when(base, 0)),
            "updated_at": self.naive(self.when(base, clock + 1)), "messages": messages,
            "message_index": message_index, "request_index": request_index, "events": events,
            "active": self.rng.random() < 0.5, "metadata": {},
        }

    def legacy_file(self, count, base):
        out = {"_layout": "legacy (<= 2025-10-17): top-level collections; paths are Firestore document paths"}
        for _ in range(count):
            user = self.rng.choice(USERS)
            day = base.date()
            cf = None
            if self.rng.random() < 0.7:
                cf = "cf_%s_%s" % (day.strftime("%y%m%d"), self.hex6())
                if self.rng.random() < 0.5:
                    out["casefiles/" + cf] = self.casefile(cf, user, base, self.naive)
            if self.rng.random() < 0.6:
                self.legacy_tool_session(out, user, cf, day, base)
            else:
                self.legacy_chat_session(out, user, cf, day, base)
            base += datetime.timedelta(minutes=self.rng.randrange(1, 600))
        return out

    # Unified layout --------------------------------------------------------------------------

    def unified_file(self, count, base):
        out = {"_layout": "unified (2025-10-23, feature/orchestration-refactor): "
                          "casefiles/{casefile_id}/sessions/{session_id}/events/{event_id}"}
        made = 0
        while made < count:
            user = self.rng.choice(USERS)
            day = base.date()
            cf = "cf_%s_%s" % (day.strftime("%y%m%d"), self.hex6())
            out["casefiles/" + cf] = self.casefile(cf, user, base, self.zulu)
            for _ in range(min(count - made, self.rng.randrange(1, 4))):
                made += 1
                kind = self.rng.choice(["interactive", "workflow", "chat"])
                sid = self.session_id("cs" if kind == "chat" and self.rng.random() < 0.5 else "ts", day, user, cf)
                path = "casefiles/%s/sessions/%s" % (cf, sid)
                clock = 0.0
                events = {}
                last = None
                for _ in range(self.rng.randrange(0, 5)):
                    clock += self.rng.uniform(1, 600)
                    start = self.when(base, clock)
                    duration = self.rng.randrange(5, 9000)
                    end = start + datetime.timedelta(milliseconds=duration)
                    last = end
                    etype = self.rng.choice(UNIFIED_EVENT_TYPES)
                    ok = self.rng.random() < 0.85
                    evt = "evt_" + self.hex6()
                    events[path + "/events/" + evt] = {
                        "event_id": evt, "session_id": sid, "event_type": etype,
                        "operation_name": self.rng.choice(TOOLS + ["gemini-2.0-flash-exp"]),
                        "started_at": self.zulu(start), "completed_at": self.zulu(end), "duration_ms": duration,
                        "inputs": {"prompt": self.rng.choice(TEXTS), "message_history": []},
                        "outputs": {"response": self.rng.choice(TEXTS)} if ok else {},
                        "success": ok, "status": "success" if ok else "error",
                    }
                out[path] = {
                    "session_id": sid, "user_id": user, "casefile_id": cf, "session_type": kind,
                    "created_at": self.zulu(self.when(base, 0)),
                    "updated_at": self.zulu(last or self.when(base, 0)), "active": self.rng.random() < 0.5,
                    "event_count": len(events), "last_event_at": self.zulu(last) if last else None,
                }
                out.update(events)
            base += datetime.timedelta(minutes=self.rng.randrange(1, 600))
        return out


def generate(out_dir: str, count: int, seed: int) -> None:
    """Write `count` casefile sessions into export files under `out_dir`."""
    os.makedirs(out_dir, exist_ok=True)
    gen = Gen(seed)
    base = datetime.datetime(2025, 10, 23, 9, 0, 0) + datetime.timedelta(days=gen.rng.randrange(0, 30))
    written, n = 0, 0
    while written < count:
        batch = min(SESSIONS_PER_FILE, count - written)
        if n % 2 == 0:
            doc, name = gen.legacy_file(batch, base), "casefile_legacy_export_%d_%04d.json" % (seed, n)
        else:
            doc, name = gen.unified_file(batch, base), "casefile_unified_export_%d_%04d.json" % (seed, n)
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            f.write(json.dumps(doc, indent=2, ensure_ascii=False))
        written += batch
        n += 1
        base += datetime.timedelta(days=1)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    generate(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 0)
