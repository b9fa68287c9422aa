import SessionModel

/// What a document path of a casefile export names (FORMATS.md 4.2, 4.3).
///
/// Firestore document paths alternate collection and document id, so a document path has an
/// even number of non-empty segments. Anything else at the top level of an export (such as the
/// samples' `_layout` note) is not a document and is kept as an export member.
enum CasefileDocumentPath: Equatable {
    /// `sessions/{ts_id}`: a legacy ToolSession.
    case toolSession(id: String)
    /// `chat_sessions/{cs_id}`: a legacy ChatSession (messages inside the document).
    case chatSession(id: String)
    /// `casefiles/{cf_id}`: a casefile.
    case casefile(id: String)
    /// `casefiles/{cf_id}/sessions/{id}`: a UnifiedSession.
    case unifiedSession(casefile: String, id: String)
    /// A document below a session document; `root` is the session document's path.
    case sessionChild(root: String, kind: ChildKind)
    /// A document path outside the collections above (e.g. `users/x`).
    case otherDocument
    /// Not a document path at all (`_layout`, or a key with empty segments).
    case notADocument

    enum ChildKind: Equatable {
        /// `sessions/{ts}/requests/{uuid}`
        case request
        /// `sessions/{ts}/requests/{uuid}/events/{te}` or `sessions/{ts}/events/{te}`
        case toolEvent
        /// `casefiles/{cf}/sessions/{id}/events/{evt}`
        case executionEvent
        /// Any other document below a session (kept in state).
        case other
    }

    init(_ key: String) {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !segments.isEmpty, segments.count % 2 == 0, !segments.contains(where: \.isEmpty) else {
            self = .notADocument
            return
        }
        switch segments[0] {
        case "sessions", "chat_sessions":
            if segments.count == 2 {
                self = segments[0] == "sessions" ? .toolSession(id: segments[1]) : .chatSession(id: segments[1])
                return
            }
            let root = segments[0] + "/" + segments[1]
            let rest = Array(segments[2...])
            let kind: ChildKind
            if segments[0] == "sessions", rest.count == 2, rest[0] == "requests" {
                kind = .request
            } else if segments[0] == "sessions",
                (rest.count == 4 && rest[0] == "requests" && rest[2] == "events")
                    || (rest.count == 2 && rest[0] == "events")
            {
                kind = .toolEvent
            } else {
                kind = .other
            }
            self = .sessionChild(root: root, kind: kind)
        case "casefiles":
            if segments.count == 2 {
                self = .casefile(id: segments[1])
            } else if segments[2] == "sessions" {
                if segments.count == 4 {
                    self = .unifiedSession(casefile: segments[1], id: segments[3])
                } else {
                    let root = segments[0...3].joined(separator: "/")
                    let isEvent = segments.count == 6 && segments[4] == "events"
                    self = .sessionChild(root: root, kind: isEvent ? .executionEvent : .other)
                }
            } else {
                self = .otherDocument
            }
        default:
            self = .otherDocument
        }
    }

    /// Whether the path names a session document (legacy or unified).
    var isSession: Bool {
        switch self {
        case .toolSession, .chatSession, .unifiedSession: return true
        default: return false
        }
    }

    var isLegacySession: Bool {
        switch self {
        case .toolSession, .chatSession: return true
        default: return false
        }
    }
}

/// Small helpers shared by the casefile importer and exporter.
enum CasefileText {
    /// An app enum value as a kind segment: lowercase, anything outside `[a-z0-9_]` becomes
    /// `_`, and an empty value becomes `unknown` (the original value stays in the payload).
    static func kindSegment(_ value: String) -> String {
        var out = ""
        for scalar in value.lowercased().unicodeScalars {
            let c = scalar.value
            if (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F {
                out.unicodeScalars.append(scalar)
            } else {
                out += "_"
            }
        }
        if out.isEmpty { return "unknown" }
        return out
    }

    /// A `{"path": …, "document": …}` pair, the shape documents take in state and payloads.
    static func pathAndDocument(_ path: String, _ document: JSONValue) -> JSONValue {
        .object(JSONObject([(key: "path", value: .string(path)), (key: "document", value: document)]))
    }
}

/// A sort key for audit entries: the time (UTC microseconds) when known, then the order in
/// which the export holds the record. Entries without a readable time sort after all timed
/// ones, in export order, so the order is total and the same on every machine.
struct CasefileEntryOrder: Comparable {
    var micros: Int64?
    var rank: Int

    init(canonicalTime: String?, rank: Int) {
        self.rank = rank
        guard let text = canonicalTime, let seconds = Timestamp.epochSeconds(of: text), let t = Timestamp.parse(text)
        else {
            micros = nil
            return
        }
        let padded = t.fraction + String(repeating: "0", count: max(0, 6 - t.fraction.count))
        micros = seconds &* 1_000_000 &+ (Int64(padded) ?? 0)
    }

    static func < (a: Self, b: Self) -> Bool {
        switch (a.micros, b.micros) {
        case (let x?, let y?): return x != y ? x < y : a.rank < b.rank
        case (.some, .none): return true
        case (.none, .some): return false
        case (.none, .none): return a.rank < b.rank
        }
    }
}

/// Canonical documents write non-finite floats as `{"$number": "NaN"}` (SPEC 2.1), and a
/// session read back from its file keeps those marker objects. The apps wrote bare `NaN`
/// tokens, so exporters turn the markers back into floats before writing.
enum NonFiniteMarkers {
    static func restore(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            if let d = CanonicalJSON.nonFiniteValue(of: object) { return .float(d) }
            return .object(restore(object))
        case .array(let elements):
            return .array(elements.map(restore))
        default:
            return value
        }
    }

    static func restore(_ object: JSONObject) -> JSONObject {
        JSONObject(object.members.map { (key: $0.key, value: restore($0.value)) })
    }
}
