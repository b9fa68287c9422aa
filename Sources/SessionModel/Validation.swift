import Foundation

/// One problem found in a canonical file: where it is and what is wrong.
///
/// `location` is a JSON Pointer into the document (`/audit_log/2/seq`), `line N` for problems
/// of the byte form, or empty for the file as a whole.
public struct ValidationIssue: Sendable, Equatable, CustomStringConvertible {
    public var location: String
    public var reason: String

    public init(_ location: String, _ reason: String) {
        self.location = location
        self.reason = reason
    }

    public var description: String { location.isEmpty ? reason : "\(location): \(reason)" }
}

/// Checks canonical `sessionsync/1` documents: the structure the schema describes, the exact
/// bytes of SPEC 2.1, the id/file name match, contiguous `seq`, entry ids and times.
public enum SessionValidator {
    /// Validates a file's bytes. `fileStem` is the file name without `.json`, if known.
    /// Returns the decoded session when the structure is sound (even if the bytes are not
    /// canonical), and every issue found.
    public static func validate(fileBytes: [UInt8], fileStem: String?) -> (session: Session?, issues: [ValidationIssue])
    {
        let document: JSONDocument
        do {
            document = try JSONReader.read(fileBytes, options: .strict)
        } catch {
            return (nil, [ValidationIssue("line \(error.line) column \(error.column)", error.reason)])
        }
        var issues: [ValidationIssue] = []
        let (session, structural) = decode(document.value)
        issues += structural
        if let stem = fileStem, let id = session?.sessionID ?? document.value["session_id"]?.stringValue, id != stem {
            issues.append(
                ValidationIssue("/session_id", "session id \"\(id)\" does not match the file name \"\(stem).json\""))
        }
        issues += byteFormIssues(fileBytes, value: document.value)
        return (structural.isEmpty ? session : nil, issues)
    }

    /// Decodes a parsed document into a ``Session``, collecting every structural problem.
    public static func decode(_ value: JSONValue) -> (Session?, [ValidationIssue]) {
        var issues: [ValidationIssue] = []
        guard case .object(let top) = value else {
            let article = "aeiou".contains(value.kindName.first!) ? "an" : "a"
            return (nil, [ValidationIssue("", "the document is \(article) \(value.kindName), not an object")])
        }
        let topKeys = ["audit_log", "format", "metadata", "origin", "session_id", "state"]
        checkKeys(top, required: topKeys, closed: true, at: "", into: &issues)
        if let f = top["format"], f != .string(Session.formatName) {
            issues.append(ValidationIssue("/format", "must be \"\(Session.formatName)\""))
        }
        var sessionID = ""
        if let id = top["session_id"] {
            if case .string(let s) = id, SessionID.isCanonical(s) {
                sessionID = s
            } else {
                issues.append(ValidationIssue("/session_id", "must be a lowercase UUID"))
            }
        }
        let origin = decodeOrigin(top["origin"], into: &issues)
        let metadata = decodeMetadata(top["metadata"], into: &issues)
        var state = JSONObject()
        if let s = top["state"] {
            if case .object(let o) = s {
                state = restoringNonFinite(o)
            } else {
                issues.append(ValidationIssue("/state", "must be an object"))
            }
        }
        var entries: [AuditEntry] = []
        if let log = top["audit_log"] {
            if case .array(let items) = log {
                for (i, item) in items.enumerated() {
                    if let e = decodeEntry(item, index: i, into: &issues) { entries.append(e) }
                }
            } else {
                issues.append(ValidationIssue("/audit_log", "must be an array"))
            }
        }
        guard issues.isEmpty, let origin, let metadata else { return (nil, issues) }
        return (
            Session(sessionID: sessionID, origin: origin, metadata: metadata, state: state, auditLog: entries), issues
        )
    }

    static func checkKeys(
        _ o: JSONObject, required: [String], closed: Bool, at path: String, into issues: inout [ValidationIssue]
    ) {
        for key in required where o[key] == nil {
            issues.append(ValidationIssue(path.isEmpty ? "/" : path, "missing key \"\(key)\""))
        }
        if closed {
            for key in o.keys where !required.contains(where: { keyEquals($0, key) }) {
                issues.append(ValidationIssue(path + "/" + JSONPointer.escape(key), "unknown key"))
            }
        }
    }

    static func decodeOrigin(_ v: JSONValue?, into issues: inout [ValidationIssue]) -> Origin? {
        guard let v else { return nil }
        guard case .object(let o) = v else {
            issues.append(ValidationIssue("/origin", "must be an object"))
            return nil
        }
        let before = issues.count
        checkKeys(o, required: ["format", "legacy_id", "system"], closed: false, at: "/origin", into: &issues)
        let system = o["system"]?.stringValue
        if o["system"] != nil, system.map({ SessionID.systems.contains($0) }) != true {
            issues.append(
                ValidationIssue(
                    "/origin/system", "must be one of \(SessionID.systems.sorted().joined(separator: ", "))"))
        }
        let format = o["format"]?.stringValue
        if o["format"] != nil, format?.isEmpty != false {
            issues.append(ValidationIssue("/origin/format", "must be a non-empty string"))
        }
        let legacy = optionalString(o["legacy_id"], at: "/origin/legacy_id", into: &issues)
        guard issues.count == before, let system, let format else { return nil }
        var extra = o
        for k in ["system", "format", "legacy_id"] { extra.removeValue(forKey: k) }
        return Origin(system: system, format: format, legacyID: legacy, extra: extra)
    }

    static func decodeMetadata(_ v: JSONValue?, into issues: inout [ValidationIssue]) -> Metadata? {
        guard let v else { return nil }
        guard case .object(let o) = v else {
            issues.append(ValidationIssue("/metadata", "must be an object"))
            return nil
        }
        let before = issues.count
        checkKeys(o, required: Metadata.keys, closed: true, at: "/metadata", into: &issues)
        var m = Metadata()
        m.name = optionalString(o["name"], at: "/metadata/name", into: &issues)
        m.description = optionalString(o["description"], at: "/metadata/description", into: &issues)
        m.owner = optionalString(o["owner"], at: "/metadata/owner", into: &issues)
        m.status = optionalString(o["status"], at: "/metadata/status", into: &issues)
        m.createdAt = optionalTime(o["created_at"], at: "/metadata/created_at", into: &issues)
        m.updatedAt = optionalTime(o["updated_at"], at: "/metadata/updated_at", into: &issues)
        switch o["tags"] {
        case .none, .null?: break
        case .array(let items)?:
            var tags: [String] = []
            for (i, t) in items.enumerated() {
                if case .string(let s) = t {
                    tags.append(s)
                } else {
                    issues.append(ValidationIssue("/metadata/tags/\(i)", "must be a string"))
                }
            }
            m.tags = tags
        default: issues.append(ValidationIssue("/metadata/tags", "must be an array of strings or null"))
        }
        return issues.count == before ? m : nil
    }

    static let entryKeys = ["actor", "id", "iteration", "kind", "notes", "payload", "seq", "timestamp"]

    static func decodeEntry(_ v: JSONValue, index: Int, into issues: inout [ValidationIssue]) -> AuditEntry? {
        let path = "/audit_log/\(index)"
        guard case .object(let o) = v else {
            issues.append(ValidationIssue(path, "must be an object"))
            return nil
        }
        let before = issues.count
        checkKeys(o, required: entryKeys, closed: true, at: path, into: &issues)
        var seq = 0
        if let s = o["seq"] {
            if case .int(let n) = s {
                seq = n
                if n != index + 1 {
                    issues.append(
                        ValidationIssue(
                            path + "/seq", "is \(n), expected \(index + 1) (seq must be 1-based and contiguous)"))
                }
            } else {
                issues.append(ValidationIssue(path + "/seq", "must be an integer"))
            }
        }
        let kind = o["kind"]?.stringValue ?? ""
        if o["kind"] != nil, !isValidKind(kind) {
            issues.append(ValidationIssue(path + "/kind", "must be dotted lowercase words, e.g. \"lock.data\""))
        }
        let timestamp = optionalTime(o["timestamp"], at: path + "/timestamp", into: &issues)
        var iteration: Int? = nil
        switch o["iteration"] {
        case .none, .null?: break
        case .int(let n)?: iteration = n
        default: issues.append(ValidationIssue(path + "/iteration", "must be an integer or null"))
        }
        let actor = optionalString(o["actor"], at: path + "/actor", into: &issues)
        let notes = optionalString(o["notes"], at: path + "/notes", into: &issues)
        var payload = JSONObject()
        if let p = o["payload"] {
            if case .object(let po) = p {
                payload = restoringNonFinite(po)
            } else {
                issues.append(ValidationIssue(path + "/payload", "must be an object"))
            }
        }
        var entry = AuditEntry(
            kind: kind, timestamp: timestamp, iteration: iteration, actor: actor, notes: notes, payload: payload)
        entry.seq = seq
        if let idValue = o["id"] {
            guard case .string(let id) = idValue else {
                issues.append(ValidationIssue(path + "/id", "must be a string"))
                return nil
            }
            entry.id = id
            if issues.count == before {
                // The id covers the entry exactly as written, minus id and seq.
                var identity = o
                identity.removeValue(forKey: "id")
                identity.removeValue(forKey: "seq")
                let expected = AuditEntry.computeID(ofIdentity: .object(identity))
                if id != expected {
                    issues.append(ValidationIssue(path + "/id", "is \(id), but the entry's content gives \(expected)"))
                }
            }
        }
        return issues.count == before ? entry : nil
    }

    /// Dotted lowercase: at least two segments of `[a-z0-9_]`, the first starting with a letter.
    public static func isValidKind(_ kind: String) -> Bool {
        // One pass over the bytes: segments of [a-z0-9_], the first starting with a letter,
        // at least two, none empty.
        var segments = 1
        var segmentLength = 0
        var first = true
        for c in kind.utf8 {
            if c == UInt8(ascii: ".") {
                guard segmentLength > 0 else { return false }
                segments += 1
                segmentLength = 0
                continue
            }
            let letter = c >= 0x61 && c <= 0x7A
            let digitOrUnderscore = (c >= 0x30 && c <= 0x39) || c == 0x5F
            if first {
                guard letter else { return false }
                first = false
            } else if !(letter || digitOrUnderscore) {
                return false
            }
            segmentLength += 1
        }
        return segments >= 2 && segmentLength > 0
    }

    static func optionalString(_ v: JSONValue?, at path: String, into issues: inout [ValidationIssue]) -> String? {
        switch v {
        case .none, .null?: return nil
        case .string(let s)?: return s
        default:
            issues.append(ValidationIssue(path, "must be a string or null"))
            return nil
        }
    }

    static func optionalTime(_ v: JSONValue?, at path: String, into issues: inout [ValidationIssue]) -> String? {
        switch v {
        case .none, .null?: return nil
        case .string(let s)?:
            if !Timestamp.isCanonical(s) {
                issues.append(
                    ValidationIssue(
                        path, "\"\(s)\" is not an RFC 3339 UTC time of the form YYYY-MM-DDTHH:MM:SS[.ffffff]Z"))
            }
            return s
        default:
            issues.append(ValidationIssue(path, "must be a time string or null"))
            return nil
        }
    }

    /// Canonical files write non-finite floats as `{"$number": "NaN"}`; in memory they are
    /// floats again, so that a session read back equals the one that was written (a legacy
    /// object that literally was `{"$number": "NaN"}` reads back as NaN: same bytes either way).
    static func restoringNonFinite(_ o: JSONObject) -> JSONObject {
        JSONObject(uniqueMembers: o.members.map { (key: $0.key, value: restoringNonFinite($0.value)) })
    }

    static func restoringNonFinite(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(let o):
            if let d = CanonicalJSON.nonFiniteValue(of: o) { return .float(d) }
            return .object(restoringNonFinite(o))
        case .array(let a): return .array(a.map(restoringNonFinite))
        default: return v
        }
    }

    /// Names how the bytes differ from the canonical form of the same value.
    static func byteFormIssues(_ bytes: [UInt8], value: JSONValue) -> [ValidationIssue] {
        let canonical = CanonicalJSON.bytes(value)
        if canonical == bytes { return [] }
        var issues: [ValidationIssue] = []
        if bytes.contains(0x0D) {
            let line = 1 + (bytes.firstIndex(of: 0x0D).map { bytes[..<$0].filter { $0 == 0x0A }.count } ?? 0)
            issues.append(ValidationIssue("line \(line)", "carriage return: lines must end with LF only"))
        }
        if bytes.last != 0x0A {
            issues.append(ValidationIssue("", "missing final newline"))
        } else if bytes.count >= 2, bytes[bytes.count - 2] == 0x0A {
            issues.append(ValidationIssue("", "blank line after the final newline"))
        }
        let lines = splitLines(bytes)
        for (i, line) in lines.enumerated() where line.last == 0x20 || line.last == 0x09 {
            issues.append(ValidationIssue("line \(i + 1)", "trailing white space"))
            break
        }
        if let path = firstUnsortedObject(value, path: "") {
            issues.append(ValidationIssue(path.isEmpty ? "/" : path, "keys are not sorted by Unicode code point"))
        }
        if issues.isEmpty {
            let expected = splitLines(canonical)
            let count = max(lines.count, expected.count)
            for i in 0..<count {
                let found = i < lines.count ? lines[i] : []
                let want = i < expected.count ? expected[i] : []
                if found == want { continue }
                let foundIndent = found.prefix(while: { $0 == 0x20 || $0 == 0x09 })
                let wantIndent = want.prefix(while: { $0 == 0x20 })
                if found.dropFirst(foundIndent.count).elementsEqual(want.dropFirst(wantIndent.count)) {
                    let detail = foundIndent.contains(0x09) ? "tab in indentation" : "\(foundIndent.count) spaces"
                    issues.append(
                        ValidationIssue(
                            "line \(i + 1)", "wrong indentation: expected \(wantIndent.count) spaces, found \(detail)"))
                } else {
                    issues.append(
                        ValidationIssue(
                            "line \(i + 1)",
                            "not in canonical form: expected `\(shown(want))`, found `\(shown(found))`"))
                }
                break
            }
        }
        return issues
    }

    static func shown(_ line: ArraySlice<UInt8>) -> String {
        let s = String(decoding: line, as: UTF8.self)
        return s.count > 80 ? String(s.prefix(77)) + "..." : s
    }

    static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if bytes.last == 0x0A { lines.removeLast() }
        return lines.map { $0.last == 0x0D ? $0.dropLast() : $0 }
    }

    static func firstUnsortedObject(_ value: JSONValue, path: String) -> String? {
        switch value {
        case .object(let o):
            if !o.isSortedByCodePoint { return path }
            for m in o.members {
                if let p = firstUnsortedObject(m.value, path: path + "/" + JSONPointer.escape(m.key)) { return p }
            }
        case .array(let a):
            for (i, e) in a.enumerated() {
                if let p = firstUnsortedObject(e, path: path + "/\(i)") { return p }
            }
        default: break
        }
        return nil
    }
}

extension SessionValidator {
    /// Checks a session built in memory (by an importer) for what its types do not already
    /// guarantee: id form, origin system, kinds, times, seq, and that entry ids were set.
    /// Cheap: it serializes nothing (the ids themselves are checked wherever the bytes are read
    /// back: `validate`, and the tests validate every importer's output byte for byte).
    public static func check(_ session: Session) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if !SessionID.isCanonical(session.sessionID) {
            issues.append(ValidationIssue("/session_id", "must be a lowercase UUID"))
        }
        if !SessionID.systems.contains(session.origin.system) {
            issues.append(ValidationIssue("/origin/system", "unknown system \"\(session.origin.system)\""))
        }
        if session.origin.format.isEmpty {
            issues.append(ValidationIssue("/origin/format", "must be a non-empty string"))
        }
        for (path, time) in [
            ("/metadata/created_at", session.metadata.createdAt), ("/metadata/updated_at", session.metadata.updatedAt),
        ] {
            if let time, !Timestamp.isCanonical(time) {
                issues.append(ValidationIssue(path, "\"\(time)\" is not a canonical UTC time"))
            }
        }
        for (i, entry) in session.auditLog.enumerated() {
            var path: String { "/audit_log/\(i)" }  // made only for an issue
            if entry.seq != i + 1 {
                issues.append(ValidationIssue(path + "/seq", "is \(entry.seq), expected \(i + 1)"))
            }
            if !isValidKind(entry.kind) {
                issues.append(ValidationIssue(path + "/kind", "\"\(entry.kind)\" is not dotted lowercase"))
            }
            if let t = entry.timestamp, !Timestamp.isCanonical(t) {
                issues.append(ValidationIssue(path + "/timestamp", "\"\(t)\" is not a canonical UTC time"))
            }
            if !entry.id.hasPrefix("sha256:") {
                issues.append(ValidationIssue(path + "/id", "is not set (call sealAuditLog())"))
            }
        }
        return issues
    }

    /// Decodes a canonical document that is known to be valid (e.g. read back from a store we
    /// wrote), throwing the first issue otherwise.
    public static func session(fromCanonical bytes: [UInt8]) throws -> Session {
        let doc = try JSONReader.read(bytes, options: .strict)
        let (session, issues) = decode(doc.value)
        guard let session else { throw SessionDecodingError(issues: issues) }
        return session
    }
}

/// A canonical document that does not decode into a ``Session``.
public struct SessionDecodingError: Error, CustomStringConvertible {
    public var issues: [ValidationIssue]
    public var description: String { issues.map(\.description).joined(separator: "; ") }
}
