#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One session in the canonical `sessionsync/1` format (SPEC 2.2).
///
/// The model is plain data: importers build it, the canonical writer serializes it, the git
/// layer stores its bytes. It knows nothing of files or repositories.
public struct Session: Sendable, Equatable {
    /// The value of the `format` key.
    public static let formatName = "sessionsync/1"

    /// Lowercase UUID; also the file name's stem.
    public var sessionID: String
    public var origin: Origin
    public var metadata: Metadata
    /// Everything else the app stored about the session, losslessly.
    public var state: JSONObject
    /// The ordered, append-only log. Call ``sealAuditLog()`` after changing it.
    public var auditLog: [AuditEntry]

    public init(sessionID: String, origin: Origin, metadata: Metadata, state: JSONObject, auditLog: [AuditEntry]) {
        self.sessionID = sessionID
        self.origin = origin
        self.metadata = metadata
        self.state = state
        self.auditLog = auditLog
    }

    /// Sets `seq` (1-based, contiguous) and `id` of every entry from its content.
    public mutating func sealAuditLog() {
        // One scratch buffer for every entry's identity; each keeps an exact-size copy.
        var scratch = ByteBuffer()
        for i in auditLog.indices { auditLog[i].seal(seq: i + 1, scratch: &scratch) }
    }

    /// Lets go of the bytes kept from sealing (they only spare ``canonicalBytes`` work), for a
    /// session that is held on to after it was written (a diff keeps every converted session).
    public mutating func discardEncodingCaches() {
        for i in auditLog.indices { auditLog[i].discardIdentityBytes() }
    }

    /// The document as a JSON value.
    public var jsonValue: JSONValue {
        .object(
            JSONObject(uniqueMembers: [
                ("audit_log", .array(auditLog.map(\.jsonValue))),
                ("format", .string(Session.formatName)),
                ("metadata", metadata.jsonValue),
                ("origin", origin.jsonValue),
                ("session_id", .string(sessionID)),
                ("state", .object(state)),
            ]))
    }

    /// The exact bytes of the session's file: `CanonicalJSON.bytes(jsonValue)`, written member
    /// by member so that sealed entries reuse the identity bytes their ids were hashed from
    /// (an audit log is most of a session; this halves the work of writing it).
    public var canonicalBytes: [UInt8] {
        var out = ByteBuffer(capacity: 16384)
        out.append("{\n  \"audit_log\": ")
        if auditLog.isEmpty {
            out.append("[]")
        } else {
            out.append(UInt8(ascii: "["))
            for (i, entry) in auditLog.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append("\n    ")
                entry.writeCanonical(level: 2, into: &out)
            }
            out.append("\n  ]")
        }
        let rest: [(String, JSONValue)] = [
            ("format", .string(Session.formatName)), ("metadata", metadata.jsonValue), ("origin", origin.jsonValue),
            ("session_id", .string(sessionID)), ("state", .object(state)),
        ]
        for (key, value) in rest {
            out.append(",\n  ")
            CanonicalJSON.write(.string(key), level: 1, into: &out)
            out.append(": ")
            CanonicalJSON.write(value, level: 1, into: &out)
        }
        out.append("\n}\n")
        return out.bytes
    }

    /// The path of the session's file inside a store: `sessions/<first two hex>/<id>.json`.
    public static func storePath(for sessionID: String) -> String {
        "sessions/" + sessionID.prefix(2) + "/" + sessionID + ".json"
    }

    /// The locks, whose entries commit snapshots.
    public var locks: [AuditEntry] { auditLog.filter(\.isLock) }
}

/// Where a session came from, and what its exporter needs to write it back.
public struct Origin: Sendable, Equatable {
    /// `alchemist`, `lobster`, `mochi`, `casefile` or `jambot`.
    public var system: String
    /// The legacy format and version, e.g. `alchemist-session/1.1.0`.
    public var format: String
    /// The app's own id for the session, or nil where it has none.
    public var legacyID: String?
    /// Further keys, e.g. `assumed_timezone` for naive times.
    public var extra: JSONObject

    public init(system: String, format: String, legacyID: String?, extra: JSONObject = JSONObject()) {
        self.system = system
        self.format = format
        self.legacyID = legacyID
        self.extra = extra
    }

    public var jsonValue: JSONValue {
        var o = extra
        o["system"] = .string(system)
        o["format"] = .string(format)
        o["legacy_id"] = JSONValue(legacyID)
        return .object(o)
    }
}

/// The fields every app has in some form; nil where the app has none.
public struct Metadata: Sendable, Equatable {
    public var name: String?
    public var description: String?
    public var tags: [String]?
    public var owner: String?
    public var status: String?
    /// Canonical UTC time (`…Z`) or nil.
    public var createdAt: String?
    /// Canonical UTC time (`…Z`) or nil.
    public var updatedAt: String?

    public init(
        name: String? = nil, description: String? = nil, tags: [String]? = nil, owner: String? = nil,
        status: String? = nil, createdAt: String? = nil, updatedAt: String? = nil
    ) {
        self.name = name
        self.description = description
        self.tags = tags
        self.owner = owner
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static let keys = ["created_at", "description", "name", "owner", "status", "tags", "updated_at"]

    public var jsonValue: JSONValue {
        .object(
            JSONObject(uniqueMembers: [
                ("created_at", JSONValue(createdAt)),
                ("description", JSONValue(description)),
                ("name", JSONValue(name)),
                ("owner", JSONValue(owner)),
                ("status", JSONValue(status)),
                ("tags", tags.map { .array($0.map(JSONValue.string)) } ?? .null),
                ("updated_at", JSONValue(updatedAt)),
            ]))
    }
}

/// One entry of the audit log.
public struct AuditEntry: Sendable {
    /// 1-based position; set by ``Session/sealAuditLog()``.
    public var seq: Int
    /// `sha256:` + hex of the canonical bytes of the entry without `id` and `seq`.
    public var id: String
    /// Dotted lowercase kind: `lock.data`, `provenance.activity`, `message.user`, …
    public var kind: String { didSet { identityBytes = nil } }
    /// Canonical UTC time or nil.
    public var timestamp: String? { didSet { identityBytes = nil } }
    public var iteration: Int? { didSet { identityBytes = nil } }
    public var actor: String? { didSet { identityBytes = nil } }
    public var notes: String? { didSet { identityBytes = nil } }
    /// The rest of the app's entry, losslessly.
    public var payload: JSONObject { didSet { identityBytes = nil } }

    /// The canonical bytes of the identity as ``seal(seq:)`` hashed them; dropped by any change
    /// to the identity (the observers above), so it never describes other content.
    private var identityBytes: [UInt8]?

    public init(
        kind: String, timestamp: String?, iteration: Int? = nil, actor: String? = nil, notes: String? = nil,
        payload: JSONObject
    ) {
        self.seq = 0
        self.id = ""
        self.kind = kind
        self.timestamp = timestamp
        self.iteration = iteration
        self.actor = actor
        self.notes = notes
        self.payload = payload
    }

    /// Whether this entry is a lock, which commits a snapshot.
    public var isLock: Bool { kind.hasPrefix("lock.") }

    /// The members that define the entry's identity (everything but `id` and `seq`).
    var identityMembers: [(key: String, value: JSONValue)] {
        [
            ("actor", JSONValue(actor)),
            ("iteration", JSONValue(iteration)),
            ("kind", .string(kind)),
            ("notes", JSONValue(notes)),
            ("payload", .object(payload)),
            ("timestamp", JSONValue(timestamp)),
        ]
    }

    /// The id this entry's content gives: identical entries on two machines get identical ids.
    public func computedID() -> String {
        AuditEntry.computeID(ofIdentity: .object(JSONObject(uniqueMembers: identityMembers)))
    }

    mutating func discardIdentityBytes() { identityBytes = nil }

    /// Sets `seq` and the id computed from the content, keeping the hashed bytes for writing.
    public mutating func seal(seq: Int) {
        var scratch = ByteBuffer()
        seal(seq: seq, scratch: &scratch)
    }

    /// ``seal(seq:)`` with the identity written into `scratch` (reused between entries).
    mutating func seal(seq: Int, scratch: inout ByteBuffer) {
        scratch.removeAll()
        writeIdentity(into: &scratch)
        self.seq = seq
        let bytes = scratch.bytes
        id = Digest.sha256Hex(bytes, prefix: "sha256:")
        identityBytes = bytes
    }

    /// `CanonicalJSON.bytes` of the identity object, written member by member in their
    /// (already sorted) order instead of through a tree built for the purpose.
    func writeIdentity(into out: inout ByteBuffer) {
        out.append("{\n  \"actor\": ")
        Self.writeOptional(actor, into: &out)
        out.append(",\n  \"iteration\": ")
        if let iteration { appendInteger(iteration, into: &out) } else { out.append("null") }
        out.append(",\n  \"kind\": ")
        appendString(kind, asciiOnly: false, into: &out)
        out.append(",\n  \"notes\": ")
        Self.writeOptional(notes, into: &out)
        out.append(",\n  \"payload\": ")
        CanonicalJSON.write(.object(payload), level: 1, into: &out)
        out.append(",\n  \"timestamp\": ")
        Self.writeOptional(timestamp, into: &out)
        out.append("\n}\n")
    }

    private static func writeOptional(_ s: String?, into out: inout ByteBuffer) {
        if let s { appendString(s, asciiOnly: false, into: &out) } else { out.append("null") }
    }

    /// Writes `jsonValue` canonically at `level`. A sealed entry splices `id` and `seq` into
    /// its identity bytes and re-indents them (canonical strings hold no raw newline, so
    /// every newline starts a line); others are written from the tree.
    func writeCanonical(level: Int, into out: inout ByteBuffer) {
        guard let identity = identityBytes else {
            CanonicalJSON.write(jsonValue, level: level, into: &out)
            return
        }
        // identity: "{\n  \"actor\": …,\n  \"iteration\": … \"payload\": …,\n  \"timestamp\": …\n}\n"
        identity.withUnsafeBufferPointer { b in
            let newline = UInt8(ascii: "\n")
            let n = b.count
            var firstTwo = 0
            var seen = 0
            while firstTwo < n {
                if b[firstTwo] == newline {
                    seen += 1
                    if seen == 2 { break }
                }
                firstTwo += 1
            }
            // The newline that starts the timestamp line: the last one before "\n}\n".
            var timestampLine = n - 4
            while timestampLine > 0 && b[timestampLine] != newline { timestampLine -= 1 }
            Self.copyIndented(b, 0..<firstTwo, extra: 2 * level, into: &out)
            out.append(newline)
            out.appendSpaces(2 * level)
            out.append("  \"id\": ")
            appendString(id, asciiOnly: false, into: &out)
            out.append(UInt8(ascii: ","))
            Self.copyIndented(b, firstTwo..<timestampLine, extra: 2 * level, into: &out)
            out.append(newline)
            out.appendSpaces(2 * level)
            out.append("  \"seq\": ")
            appendInteger(seq, into: &out)
            out.append(UInt8(ascii: ","))
            Self.copyIndented(b, timestampLine..<(n - 1), extra: 2 * level, into: &out)
        }
    }

    /// Copies `range` of `b` line by line, each newline followed by `extra` spaces (newlines
    /// found by memchr).
    private static func copyIndented(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, extra: Int, into out: inout ByteBuffer
    ) {
        var start = range.lowerBound
        while start < range.upperBound, let hit = memchr(b.baseAddress! + start, 0x0A, range.upperBound - start) {
            let i = b.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            out.append(UnsafeBufferPointer(rebasing: b[start...i]))
            out.appendSpaces(extra)
            start = i + 1
        }
        if start < range.upperBound { out.append(UnsafeBufferPointer(rebasing: b[start..<range.upperBound])) }
    }

    /// `sha256:` + hex of the canonical bytes (SPEC 2.1, final newline included) of `identity`.
    public static func computeID(ofIdentity identity: JSONValue) -> String {
        Digest.sha256Hex(CanonicalJSON.bytes(identity), prefix: "sha256:")
    }

    public var jsonValue: JSONValue {
        var members = identityMembers
        members.insert(("id", .string(id)), at: 1)
        members.insert(("seq", .int(seq)), at: 6)
        return .object(JSONObject(uniqueMembers: members))
    }
}

extension AuditEntry: Equatable {
    /// Equal content, `id` and `seq`; the cached identity bytes do not count.
    public static func == (a: AuditEntry, b: AuditEntry) -> Bool {
        a.seq == b.seq && a.id == b.id && a.kind == b.kind && a.timestamp == b.timestamp && a.iteration == b.iteration
            && a.actor == b.actor && a.notes == b.notes && a.payload == b.payload
    }
}
