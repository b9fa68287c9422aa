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
        // Segments as byte ranges of the key, compared by their bytes (as Python compares the
        // app's strings); strings are made only for the ids and roots returned. An export
        // holds one key per document, so this runs for every document of every casefile.
        let bytes = Array(key.utf8)
        var bounds: [Range<Int>] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "/") {
            bounds.append(start..<i)
            start = i + 1
        }
        bounds.append(start..<bytes.count)
        guard bounds.count % 2 == 0, !bounds.contains(where: \.isEmpty) else {
            self = .notADocument
            return
        }
        func text(_ k: Int) -> String { String(decoding: bytes[bounds[k]], as: UTF8.self) }
        /// The key up to the end of segment `k`.
        func prefix(through k: Int) -> String { String(decoding: bytes[0..<bounds[k].upperBound], as: UTF8.self) }
        func segment(_ k: Int, is literal: StaticString) -> Bool {
            literal.withUTF8Buffer { bytes[bounds[k]].elementsEqual($0) }
        }
        let count = bounds.count
        if segment(0, is: "sessions") || segment(0, is: "chat_sessions") {
            let isToolSession = segment(0, is: "sessions")
            if count == 2 {
                self = isToolSession ? .toolSession(id: text(1)) : .chatSession(id: text(1))
                return
            }
            let kind: ChildKind
            if isToolSession, count == 4, segment(2, is: "requests") {
                kind = .request
            } else if isToolSession,
                (count == 6 && segment(2, is: "requests") && segment(4, is: "events"))
                    || (count == 4 && segment(2, is: "events"))
            {
                kind = .toolEvent
            } else {
                kind = .other
            }
            self = .sessionChild(root: prefix(through: 1), kind: kind)
        } else if segment(0, is: "casefiles") {
            if count == 2 {
                self = .casefile(id: text(1))
            } else if segment(2, is: "sessions") {
                if count == 4 {
                    self = .unifiedSession(casefile: text(1), id: text(3))
                } else {
                    let isEvent = count == 6 && segment(4, is: "events")
                    self = .sessionChild(root: prefix(through: 3), kind: isEvent ? .executionEvent : .other)
                }
            } else {
                self = .otherDocument
            }
        } else {
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
