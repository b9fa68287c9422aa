#!/usr/bin/env python3
"""Generate realistic JamBot stores (FORMATS.md 5): SQLite databases and JSON rows dumps.

Usage: jambot.py OUT_DIR COUNT [SEED]

Writes COUNT user sessions, up to SESSIONS_PER_FILE per file, alternating a SQLite database
made with JamBot's own schema (`create_all` on SQLite, see corpus/jambot/schema_sqlite.sql)
and a rows dump like `jambot_rows.json` (sqlite3 row dicts, JSON columns still text,
`json.dumps(indent=2, ensure_ascii=False)`, no final newline). Rows look as SQLAlchemy writes
them: ids `str(uuid4())`, naive UTC `datetime.utcnow()` times as `YYYY-MM-DD HH:MM:SS.ffffff`,
enum member NAMES (`ACTIVE`), JSON columns as `json.dumps` text (a Python None as the text
`null`, an unset column as SQL NULL), booleans as 0/1. Deterministic for a seed; stdlib only.
"""
import datetime
import json
import os
import random
import sqlite3
import sys
import uuid

SESSIONS_PER_FILE = 500

SCHEMA = """
CREATE TABLE users (user_id INTEGER NOT NULL, email VARCHAR(255), password VARCHAR(255), is_active BOOLEAN,
  role VARCHAR(6) NOT NULL, login_token VARCHAR(255), login_token_expires DATETIME, registration_date DATETIME,
  created_at DATETIME, updated_at DATETIME, PRIMARY KEY (user_id));
CREATE TABLE missions (id VARCHAR(36) NOT NULL, user_id INTEGER NOT NULL, name VARCHAR(255) NOT NULL,
  description TEXT, goal TEXT, status VARCHAR(17) NOT NULL, current_hop_id VARCHAR(36), success_criteria JSON,
  mission_metadata JSON, created_at DATETIME, updated_at DATETIME, PRIMARY KEY (id));
CREATE TABLE hops (id VARCHAR(36) NOT NULL, mission_id VARCHAR(36) NOT NULL, user_id INTEGER NOT NULL,
  sequence_order INTEGER NOT NULL, name VARCHAR(255) NOT NULL, description TEXT, goal TEXT, success_criteria JSON,
  rationale TEXT, status VARCHAR(17) NOT NULL, is_final BOOLEAN NOT NULL, is_resolved BOOLEAN NOT NULL,
  error_message TEXT, hop_metadata JSON, created_at DATETIME, updated_at DATETIME, PRIMARY KEY (id));
CREATE TABLE assets (id VARCHAR(36) NOT NULL, user_id INTEGER NOT NULL, name VARCHAR(255) NOT NULL, description TEXT,
  schema_definition JSON NOT NULL, subtype VARCHAR(255), scope_type VARCHAR(7) NOT NULL, scope_id VARCHAR(255) NOT NULL,
  status VARCHAR(11) NOT NULL, role VARCHAR(12) NOT NULL, content JSON, content_summary TEXT,
  asset_metadata JSON NOT NULL, db_entity_metadata JSON, created_at DATETIME, updated_at DATETIME, PRIMARY KEY (id));
CREATE TABLE tool_steps (id VARCHAR(36) NOT NULL, hop_id VARCHAR(36) NOT NULL, tool_id VARCHAR(255) NOT NULL,
  user_id INTEGER NOT NULL, sequence_order INTEGER NOT NULL, name VARCHAR(255) NOT NULL, description TEXT,
  status VARCHAR(18) NOT NULL, parameter_mapping JSON, result_mapping JSON, resource_configs JSON,
  validation_errors JSON, execution_result JSON, error_message TEXT, created_at DATETIME, updated_at DATETIME,
  started_at DATETIME, completed_at DATETIME, PRIMARY KEY (id));
CREATE TABLE chats (id VARCHAR(36) NOT NULL, user_id INTEGER NOT NULL, title VARCHAR(255), context_data JSON,
  created_at DATETIME, updated_at DATETIME, PRIMARY KEY (id));
CREATE TABLE mission_assets (id VARCHAR(36) NOT NULL, mission_id VARCHAR(36) NOT NULL, asset_id VARCHAR(36) NOT NULL,
  role VARCHAR(12) NOT NULL, created_at DATETIME, updated_at DATETIME, PRIMARY KEY (id));
CREATE TABLE hop_assets (id VARCHAR(36) NOT NULL, hop_id VARCHAR(36) NOT NULL, asset_id VARCHAR(36) NOT NULL,
  role VARCHAR(12) NOT NULL, created_at DATETIME, updated_at DATETIME, PRIMARY KEY (id));
CREATE TABLE user_sessions (id VARCHAR(36) NOT NULL, user_id INTEGER NOT NULL, name VARCHAR(255),
  status VARCHAR(9) NOT NULL, chat_id VARCHAR(36) NOT NULL, mission_id VARCHAR(36), session_metadata JSON,
  created_at DATETIME, updated_at DATETIME, last_activity_at DATETIME, PRIMARY KEY (id));
CREATE TABLE chat_messages (id VARCHAR(36) NOT NULL, chat_id VARCHAR(36) NOT NULL, user_id INTEGER NOT NULL,
  sequence_order INTEGER NOT NULL, role VARCHAR(9) NOT NULL, content TEXT NOT NULL, message_metadata JSON,
  created_at DATETIME, PRIMARY KEY (id));
"""
# Insert order: users first, then the session's rows in the order the services create them.
TABLES = ["users", "chats", "user_sessions", "missions", "hops", "assets", "tool_steps", "mission_assets",
          "hop_assets", "chat_messages"]
DUMP_ORDER = ["users", "user_sessions", "chats", "chat_messages", "missions", "hops", "tool_steps", "assets"]

NAMES = ["Summarize AI newsletters", "Plan the offsite", "Weekend ideas — ñ", "Triage inbox", "Résumé review 🧠"]
TEXTS = ["Summarize my AI newsletters ✨", "Here is a proposed mission…", "Hop 1 completed", "You are JamBot",
         "Which sources?", "Done.\nNext step?", "«ü» fine"]
ROLES = ["USER", "ASSISTANT", "SYSTEM", "TOOL", "STATUS"]


def jtext(value):
    """SQLAlchemy's JSON serializer: json.dumps with its defaults (ensure_ascii, NaN tokens)."""
    return json.dumps(value)


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.clock = datetime.datetime(2025, 7, 8, 10, 0, 0) + datetime.timedelta(days=self.rng.randrange(0, 90))

    def uuid4(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def now(self):
        """datetime.utcnow() as SQLAlchemy stores a DATETIME on SQLite."""
        self.clock += datetime.timedelta(microseconds=self.rng.randrange(1, 3_000_000))
        return self.clock.strftime("%Y-%m-%d %H:%M:%S.%f")

    def json_or_null(self, value, p_sql_null=0.2, p_none=0.15):
        r = self.rng.random()
        if r < p_sql_null:
            return None          # column left unset: SQL NULL
        if r < p_sql_null + p_none:
            return "null"        # Python None assigned: JSON null text
        return jtext(value)

    def session(self, rows, user_id, n):
        t0 = self.now()
        chat_id, session_id = self.uuid4(), self.uuid4()
        name = "Session %d" % n if self.rng.random() < 0.7 else self.rng.choice(NAMES)
        rows["chats"].append({"id": chat_id, "user_id": user_id, "title": name,
                              "context_data": self.json_or_null({"payload_history": [
                                  {"type": "mission_proposal", "ts": self.clock.isoformat()}]}),
                              "created_at": t0, "updated_at": t0})
        mission_id = None
        if self.rng.random() < 0.6:
            mission_id = self.mission(rows, user_id)
        t1 = self.now()
        rows["user_sessions"].append({
            "id": session_id, "user_id": user_id, "name": name,
            "status": self.rng.choice(["ACTIVE", "ACTIVE", "COMPLETED", "ABANDONED", "ARCHIVED"]), "chat_id": chat_id,
            "mission_id": mission_id,
            "session_metadata": self.json_or_null({"ui": {"collab_area": self.rng.choice(["mission", "chat"])}}),
            "created_at": t1, "updated_at": t1, "last_activity_at": self.now()})
        for seq in range(1, self.rng.randrange(0, 9) + 1):
            role = "USER" if seq % 2 == 1 else self.rng.choice(ROLES[1:])
            rows["chat_messages"].append({
                "id": self.uuid4(), "chat_id": chat_id, "user_id": user_id, "sequence_order": seq, "role": role,
                "content": jtext({"count": self.rng.randrange(99)}) if role == "TOOL" else self.rng.choice(TEXTS),
                "message_metadata": self.json_or_null({"lobby": {"mission_proposal": self.rng.random() < 0.5}}),
                "created_at": self.now()})

    def mission(self, rows, user_id):
        mission_id = self.uuid4()
        t = self.now()
        mission = {"id": mission_id, "user_id": user_id, "name": self.rng.choice(NAMES),
                   "description": self.rng.choice([None, "Collect and summarize — «ü» 🧠"]),
                   "goal": self.rng.choice([None, "Weekly digest"]),
                   "status": self.rng.choice(["AWAITING_APPROVAL", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLED"]),
                   "current_hop_id": None, "success_criteria": self.json_or_null(["digest produced", "< 500 words"]),
                   "mission_metadata": self.json_or_null({"source": "chat", "score": self.rng.choice([1.5, float("nan")])}),
                   "created_at": t, "updated_at": t}
        rows["missions"].append(mission)
        self.asset(rows, user_id, "MISSION", mission_id, "INPUT")
        for seq in range(1, self.rng.randrange(0, 4) + 1):
            hop_id = self.uuid4()
            th = self.now()
            rows["hops"].append({
                "id": hop_id, "mission_id": mission_id, "user_id": user_id, "sequence_order": seq,
                "name": self.rng.choice(["Fetch emails", "Summarize", "Publish"]),
                "description": None, "goal": self.rng.choice([None, "Get newsletters"]),
                "success_criteria": self.json_or_null(["emails fetched"]), "rationale": None,
                "status": self.rng.choice(["HOP_PLAN_STARTED", "HOP_IMPL_READY", "EXECUTING", "COMPLETED", "FAILED"]),
                "is_final": int(self.rng.random() < 0.3), "is_resolved": int(self.rng.random() < 0.5),
                "error_message": None, "hop_metadata": self.json_or_null({"k": seq}),
                "created_at": th, "updated_at": th})
            mission["current_hop_id"] = hop_id
            if self.rng.random() < 0.5:
                self.asset(rows, user_id, "HOP", hop_id, "OUTPUT")
            for step in range(1, self.rng.randrange(0, 3) + 1):
                ts = self.now()
                done = self.rng.random() < 0.6
                rows["tool_steps"].append({
                    "id": self.uuid4(), "hop_id": hop_id, "tool_id": self.rng.choice(["email_search", "summarize"]),
                    "user_id": user_id, "sequence_order": step, "name": "Step %d" % step, "description": None,
                    "status": "COMPLETED" if done else self.rng.choice(["PROPOSED", "FAILED", "EXECUTING"]),
                    "parameter_mapping": self.json_or_null({"query": {"type": "literal", "value": "label:news"}}),
                    "result_mapping": self.json_or_null({"emails": {"type": "asset_field", "state_asset": "emails"}}),
                    "resource_configs": self.json_or_null({"gmail": {"scopes": ["readonly"]}}),
                    "validation_errors": self.json_or_null([]),
                    "execution_result": self.json_or_null({"count": 12}) if done else None,
                    "error_message": None if done else self.rng.choice([None, "rate limited"]),
                    "created_at": ts, "updated_at": ts,
                    "started_at": self.now() if done else None, "completed_at": self.now() if done else None})
        return mission_id

    def asset(self, rows, user_id, scope, scope_id, role):
        t = self.now()
        rows["assets"].append({
            "id": self.uuid4(), "user_id": user_id, "name": self.rng.choice(["emails", "digest", "notes"]),
            "description": self.rng.choice([None, "fetched newsletters"]),
            "schema_definition": jtext({"type": "object", "is_array": True}), "subtype": self.rng.choice([None, "email"]),
            "scope_type": scope, "scope_id": scope_id, "status": self.rng.choice(["PROPOSED", "READY", "ERROR"]),
            "role": role, "content": self.json_or_null([{"subject": "AI weekly", "body": "…"}]),
            "content_summary": self.rng.choice([None, "12 emails"]), "asset_metadata": jtext({"token_count": 3000}),
            "db_entity_metadata": None, "created_at": t, "updated_at": t})


def make_rows(gen, count, first_user):
    rows = {t: [] for t in TABLES}
    users = [first_user + i for i in range(max(1, count // 5))]
    for uid in users:
        t = gen.now()
        rows["users"].append({"user_id": uid, "email": "user%d@example.com" % uid, "password": "$2b$12$notarealhash",
                              "is_active": 1, "role": "USER", "login_token": None, "login_token_expires": None,
                              "registration_date": t, "created_at": t, "updated_at": t})
    per_user = {}
    for _ in range(count):
        uid = gen.rng.choice(users)
        per_user[uid] = per_user.get(uid, 0) + 1
        gen.session(rows, uid, per_user[uid])
    return rows


def write_sqlite(path, rows):
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path)
    con.executescript(SCHEMA)
    for table in TABLES:
        for row in rows[table]:
            cols = list(row)
            con.execute('INSERT INTO "%s" (%s) VALUES (%s)' % (table, ", ".join(cols), ", ".join("?" * len(cols))),
                        [row[c] for c in cols])
    con.commit()
    con.close()


def write_dump(path, rows):
    dump = {t: rows[t] for t in DUMP_ORDER}
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(dump, indent=2, ensure_ascii=False))


def generate(out_dir: str, count: int, seed: int) -> None:
    """Write `count` JamBot user sessions into databases and rows dumps under `out_dir`."""
    os.makedirs(out_dir, exist_ok=True)
    gen = Gen(seed)
    written, n = 0, 0
    while written < count:
        batch = min(SESSIONS_PER_FILE, count - written)
        rows = make_rows(gen, batch, 1 + n * 1000)
        if n % 2 == 0:
            write_sqlite(os.path.join(out_dir, "jambot_%d_%04d.sqlite" % (seed, n)), rows)
        else:
            write_dump(os.path.join(out_dir, "jambot_rows_%d_%04d.json" % (seed, n)), rows)
        written += batch
        n += 1


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    generate(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 0)
