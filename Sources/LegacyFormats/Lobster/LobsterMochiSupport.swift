import SessionModel

/// The member order a Python app writes its dicts in, for exporters.
///
/// A session read straight from a legacy file keeps the app's order (``JSONObject`` holds
/// members as written), but the canonical form sorts keys, so a session read back from a store
/// has lost it. Exporters restore the app's order from these templates, read from the apps'
/// code (FORMATS.md). An object whose known members already stand in the app's order is kept
/// as held (unknown members stay in place); otherwise the known members come first in the
/// app's order and unknown ones follow in the order held. Free-form dicts (`parameters`, tool
/// `arguments`) keep the order held.
indirect enum PythonDictOrder: Sendable {
    /// A free-form value: keep it as held.
    case keep
    /// An object with known keys: these first, in this order, each with its own template;
    /// keys the template does not know follow in the order held.
    case object([(key: String, order: PythonDictOrder)])
    /// An object with free keys whose values all follow one template (e.g. `by_agent`).
    case values(PythonDictOrder)
    /// A list whose elements all follow one template.
    case list(PythonDictOrder)

    /// A template for an object whose members need no nested templates.
    static func flat(_ keys: [String]) -> PythonDictOrder { .object(keys.map { ($0, .keep) }) }

    func apply(_ value: JSONValue) -> JSONValue {
        switch (self, value) {
        case (.keep, _): return value
        case (.list(let element), .array(let items)): return .array(items.map { element.apply($0) })
        case (.values(let inner), .object(let o)):
            return .object(JSONObject(o.members.map { ($0.key, inner.apply($0.value)) }))
        case (.object(let known), .object(let o)):
            // Held in the app's order already (fresh from a legacy file)? Then keep it as it
            // is, unknown members in their places; only values are ordered further down.
            let ranks = o.members.compactMap { m in known.firstIndex { keyEquals($0.key, m.key) } }
            if zip(ranks, ranks.dropFirst()).allSatisfy({ $0 < $1 }) {
                return .object(
                    JSONObject(
                        o.members.map { m in
                            (m.key, (known.first { keyEquals($0.key, m.key) }?.order ?? .keep).apply(m.value))
                        }))
            }
            var members: [(key: String, value: JSONValue)] = []
            for (key, order) in known {
                if let v = o[key] { members.append((key, order.apply(v))) }
            }
            for m in o.members where !known.contains(where: { keyEquals($0.key, m.key) }) { members.append(m) }
            return .object(JSONObject(members))
        default: return value
        }
    }
}

/// Helpers for legacy time text that is mapped to a canonical time field.
enum LegacyTimeText {
    /// Whether the exporter, writing `canonical` back with `suffix` as Python's aware
    /// `isoformat()` does, gives exactly `text`. Only then may the importer drop the original
    /// text (it is regenerated); otherwise the text stays in the payload or state.
    static func regenerates(_ text: String, from canonical: String?, suffix: String) -> Bool {
        guard let canonical else { return false }
        return Timestamp.pythonAwareISO(fromCanonical: canonical, suffix: suffix) == text
    }

    /// Whether canonical time `a` is later than `b` (fractions compared as microseconds).
    static func isLater(_ a: String, than b: String) -> Bool {
        let never = Timestamp.Instant(seconds: .min, micros: 0)
        return (Timestamp.instant(of: a) ?? never) > (Timestamp.instant(of: b) ?? never)
    }

    /// The latest of several canonical times, or nil when there are none.
    static func latest(_ times: [String?]) -> String? {
        var best: String? = nil
        for case let t? in times {
            if let b = best, !isLater(t, than: b) { continue }
            best = t
        }
        return best
    }
}

/// Legacy ids become file names in some exporters (`session_<id>.json`, `chat_sessions/<id>.json`).
/// An id that would escape the output folder or name no file is refused, never written.
enum LegacyFileName {
    static func isSafe(_ id: String) -> Bool {
        !id.isEmpty && id != "." && id != ".." && !id.utf8.contains(UInt8(ascii: "/")) && !id.utf8.contains(0)
    }
}

extension PythonDictOrder {
    /// A copy of `object` without the named members.
    static func without(_ object: JSONObject, _ keys: String...) -> JSONObject {
        var o = object
        for k in keys { o.removeValue(forKey: k) }
        return o
    }
}
