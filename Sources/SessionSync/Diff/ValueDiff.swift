import SessionModel

/// One changed place in a session's `metadata`, `origin` or `state`: a JSON Pointer
/// (RFC 6901) from the document root, with the value on each side.
///
/// `old` is nil when the path only exists in B (`add`), `new` is nil when it only exists in A
/// (`remove`). Both are set for `replace`.
public struct ValueChange: Sendable, Equatable {
    /// The RFC 6902 vocabulary, so a change reads the same in `--json` and in `--patch`.
    public enum Operation: String, Sendable {
        case add, remove, replace
    }

    public var path: String
    public var old: JSONValue?
    public var new: JSONValue?

    public init(path: String, old: JSONValue?, new: JSONValue?) {
        self.path = path
        self.old = old
        self.new = new
    }

    public var operation: Operation {
        switch (old, new) {
        case (nil, _): return .add
        case (_, nil): return .remove
        default: return .replace
        }
    }

    public var jsonValue: JSONValue {
        var o: JSONObject = ["op": .string(operation.rawValue), "path": .string(path)]
        if let old { o["old"] = old }
        if let new { o["new"] = new }
        return .object(o)
    }
}

/// The structural difference of two JSON values.
///
/// Rules (docs/diff-merge.md): two objects are compared member by member (keys in code point
/// order, so the output does not depend on the apps' member order); two arrays element by
/// element *by index*: the common length is compared recursively, the extra tail of the longer
/// one is reported as removed (A longer) or added (B longer) elements. Anything else that
/// differs (a scalar, or two values of different kinds) is one `replace` at that path.
/// Index-wise comparison is deliberate: it is linear, predictable, and exactly what an RFC 6902
/// patch can express; an element inserted at the front shows as every later element replaced.
public enum ValueDiff {
    public static func changes(from a: JSONValue, to b: JSONValue, at path: String) -> [ValueChange] {
        var out: [ValueChange] = []
        collect(a, b, path, &out)
        return out
    }

    static func collect(_ a: JSONValue, _ b: JSONValue, _ path: String, _ out: inout [ValueChange]) {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            collectObjects(x, y, path, &out)
        case (.array(let x), .array(let y)):
            let common = min(x.count, y.count)
            for i in 0..<common { collect(x[i], y[i], JSONPointer.appending(path, i), &out) }
            // Removed from the end backwards, so applying the changes in order never shifts an index still to come.
            if x.count > common {
                for i in stride(from: x.count - 1, through: common, by: -1) {
                    out.append(ValueChange(path: JSONPointer.appending(path, i), old: x[i], new: nil))
                }
            }
            if y.count > common {
                for i in common..<y.count {
                    out.append(ValueChange(path: JSONPointer.appending(path, i), old: nil, new: y[i]))
                }
            }
        default:
            if a != b { out.append(ValueChange(path: path, old: a, new: b)) }
        }
    }

    static func collectObjects(_ x: JSONObject, _ y: JSONObject, _ path: String, _ out: inout [ValueChange]) {
        if x == y { return }
        let xs = x.sortedMembers
        let ys = y.sortedMembers
        var i = 0
        var j = 0
        // A merge walk over both sorted member lists: linear, deterministic order.
        while i < xs.count || j < ys.count {
            if j == ys.count || (i < xs.count && keyPrecedes(xs[i].key, ys[j].key)) {
                out.append(ValueChange(path: JSONPointer.appending(path, xs[i].key), old: xs[i].value, new: nil))
                i += 1
            } else if i == xs.count || keyPrecedes(ys[j].key, xs[i].key) {
                out.append(ValueChange(path: JSONPointer.appending(path, ys[j].key), old: nil, new: ys[j].value))
                j += 1
            } else {
                collect(xs[i].value, ys[j].value, JSONPointer.appending(path, xs[i].key), &out)
                i += 1
                j += 1
            }
        }
    }
}
