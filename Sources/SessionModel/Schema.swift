/// The published JSON Schema (draft 2020-12) of `sessionsync/1`.
///
/// ``SessionValidator`` checks the same rules in Swift, plus what a schema cannot say (exact
/// bytes, id = file name, contiguous `seq`, entry ids). The tests validate every golden file
/// against this text with an independent validator (Python's `jsonschema`), so the two cannot
/// drift apart unnoticed.
public enum SessionSchema {
    public static let identifier = "https://sessionsync.dev/schema/sessionsync-1.json"

    public static let text = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://sessionsync.dev/schema/sessionsync-1.json",
          "title": "sessionsync/1",
          "description": "One session in SessionSync's canonical format. Files are named <session_id>.json and stored at sessions/<first two hex of id>/<id>.json.",
          "type": "object",
          "required": ["audit_log", "format", "metadata", "origin", "session_id", "state"],
          "additionalProperties": false,
          "properties": {
            "format": {"const": "sessionsync/1"},
            "session_id": {"$ref": "#/$defs/uuid"},
            "origin": {
              "description": "Which app and format version the session came from, its original id, and whatever its exporter needs to write it back.",
              "type": "object",
              "required": ["format", "legacy_id", "system"],
              "properties": {
                "system": {"enum": ["alchemist", "casefile", "jambot", "lobster", "mochi"]},
                "format": {"type": "string", "minLength": 1},
                "legacy_id": {"type": ["string", "null"]},
                "assumed_timezone": {"type": "string", "description": "The IANA zone naive legacy times were read in."}
              }
            },
            "metadata": {
              "type": "object",
              "required": ["created_at", "description", "name", "owner", "status", "tags", "updated_at"],
              "additionalProperties": false,
              "properties": {
                "name": {"type": ["string", "null"]},
                "description": {"type": ["string", "null"]},
                "tags": {"oneOf": [{"type": "null"}, {"type": "array", "items": {"type": "string"}}]},
                "owner": {"type": ["string", "null"]},
                "status": {"type": ["string", "null"]},
                "created_at": {"$ref": "#/$defs/optionalTime"},
                "updated_at": {"$ref": "#/$defs/optionalTime"}
              }
            },
            "state": {
              "description": "Everything else the app stored about the session, losslessly.",
              "type": "object"
            },
            "audit_log": {
              "type": "array",
              "items": {"$ref": "#/$defs/auditEntry"}
            }
          },
          "$defs": {
            "uuid": {
              "type": "string",
              "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
            },
            "time": {
              "type": "string",
              "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?Z$"
            },
            "optionalTime": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/time"}]},
            "auditEntry": {
              "type": "object",
              "required": ["actor", "id", "iteration", "kind", "notes", "payload", "seq", "timestamp"],
              "additionalProperties": false,
              "properties": {
                "seq": {"type": "integer", "minimum": 1},
                "id": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
                "kind": {"type": "string", "pattern": "^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+$"},
                "timestamp": {"$ref": "#/$defs/optionalTime"},
                "iteration": {"type": ["integer", "null"]},
                "actor": {"type": ["string", "null"]},
                "notes": {"type": ["string", "null"]},
                "payload": {"type": "object"}
              }
            },
            "nonFiniteNumber": {
              "description": "How a NaN or infinite legacy number is written anywhere inside state or payload.",
              "type": "object",
              "required": ["$number"],
              "additionalProperties": false,
              "properties": {"$number": {"enum": ["NaN", "Infinity", "-Infinity"]}}
            }
          }
        }
        """#
}
