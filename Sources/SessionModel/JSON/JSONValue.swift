import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A JSON value that loses nothing a legacy app wrote.
///
/// Foundation's `JSONSerialization` turns every number into a `Double` or `NSNumber`, so
/// `5.0` comes back as `5`, integers past 2^53 lose digits, and the bare `NaN` tokens that
/// Python writes are rejected outright. SessionSync must keep all of them, so it has its own:
/// integers of any size stay exact (`int` or, past 64 bits, `bigInt` with the decimal digits),
/// floats keep their float-ness and every bit (including `-0.0`, NaN and the infinities), and
/// objects keep the order the app wrote their members in (the canonical writer sorts them; the
/// exporters need the app's order, e.g. for a DataFrame's column order).
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// An integer that fits in 64 bits.
    case int(Int)
    /// An integer that does not fit in 64 bits, as normalized decimal digits (`-` sign, no
    /// leading zeros). Build it with ``JSONValue/integer(decimal:)`` so the invariant holds.
    case bigInt(String)
    /// A floating-point number, possibly non-finite.
    case float(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    /// The integer written as `text` (an optional `-` followed by decimal digits), as `.int`
    /// when it fits in 64 bits and `.bigInt` otherwise. Returns nil for anything else.
    public static func integer(decimal text: Substring) -> JSONValue? {
        var digits = text
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        if let small = Int(text) { return .int(small) }
        let trimmed = digits.drop(while: { $0 == "0" })
        if trimmed.isEmpty { return .int(0) }
        // Anything that failed `Int(_:)` with valid digits is out of range, so it is big.
        return .bigInt((negative ? "-" : "") + trimmed)
    }

    public static func integer(decimal text: String) -> JSONValue? { integer(decimal: Substring(text)) }

    /// Whether this is a NaN or infinite float.
    public var isNonFiniteFloat: Bool { if case .float(let d) = self { return !d.isFinite } else { return false } }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// Whether this is an array or an object.
    public var isContainer: Bool {
        switch self {
        case .array, .object: return true
        default: return false
        }
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }

    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    public var intValue: Int? { if case .int(let i) = self { return i } else { return nil } }

    /// The value as a Double when it is any kind of number (big integers are rounded).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        case .bigInt(let s): return Double(s)
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }

    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }

    /// Member lookup on objects; nil for other kinds or a missing key.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// A short name of the value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .bigInt: return "integer"
        case .float: return "float"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A JSON object: members in the order they were written, keys unique.
///
/// Keys are compared by their UTF-8 bytes, never by Swift's `String ==`, which treats
/// canonically equivalent strings ("é" and "e\u{301}") as equal and would merge two distinct
/// keys. Equality between objects ignores member order, as JSON's does.
public struct JSONObject: Sendable {
    public private(set) var members: [(key: String, value: JSONValue)]

    public init() { members = [] }

    /// Members with unique keys, in this order. Duplicate keys: the last one wins, at the
    /// position of the first.
    public init(_ members: [(key: String, value: JSONValue)]) {
        // Nearly every caller passes unique keys: check that (cheaply) before merging.
        if !JSONObject.mayHaveDuplicateKeys(members) {
            self.members = members
            return
        }
        self.members = []
        self.members.reserveCapacity(members.count)
        for (key, value) in members { self[key] = value }
    }

    /// Whether two keys of `members` are equal.
    ///
    /// Small objects: a key whose length and first byte differ from every earlier key's
    /// (nearly all) cannot repeat one, so only the rest are compared. Larger ones: the keys'
    /// FNV-1a hashes go into an open-addressing table on the stack, and only keys of equal
    /// hash are compared (no `Set` of byte arrays: no allocation per key).
    static func mayHaveDuplicateKeys(_ members: [(key: String, value: JSONValue)]) -> Bool {
        let n = members.count
        if n < 2 { return false }
        return members.withUnsafeBufferPointer { m -> Bool in
            if n <= 16 {
                var seen: UInt64 = 0
                for i in 0..<n {
                    let bit: UInt64 = withUTF8Bytes(of: m[i].key) { key in
                        1 << ((UInt64(key.count) &* 31 &+ UInt64(key.first ?? 0)) & 63)
                    }
                    if seen & bit != 0 {
                        for j in 0..<i where keyEquals(m[i].key, m[j].key) { return true }
                    }
                    seen |= bit
                }
                return false
            }
            var capacity = 32
            while capacity < 2 * n { capacity <<= 1 }
            return withUnsafeTemporaryAllocation(of: (hash: UInt64, index: Int).self, capacity: capacity) { table in
                for slot in 0..<capacity { table.initializeElement(at: slot, to: (0, -1)) }
                let mask = capacity - 1
                for i in 0..<n {
                    let hash = fnv1a(m[i].key)
                    var slot = Int(truncatingIfNeeded: hash) & mask
                    while table[slot].index >= 0 {
                        if table[slot].hash == hash, keyEquals(m[table[slot].index].key, m[i].key) { return true }
                        slot = (slot + 1) & mask
                    }
                    table[slot] = (hash, i)
                }
                return false
            }
        }
    }

    /// FNV-1a of a key's UTF-8 bytes (a fixed function: only ever compared within one call).
    private static func fnv1a(_ key: String) -> UInt64 {
        withUTF8Bytes(of: key) { bytes in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
            return hash
        }
    }

    /// Members that the caller guarantees to have unique keys (the reader checked them).
    init(uniqueMembers: [(key: String, value: JSONValue)]) { members = uniqueMembers }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    public func index(of key: String) -> Int? {
        // Importers look members up by name all the time: the key's bytes are fetched once,
        // and a member's bytes only when its length matches.
        return withUTF8Bytes(of: key) { wanted -> Int? in
            let n = wanted.count
            return members.withUnsafeBufferPointer { m -> Int? in
                for i in 0..<m.count where m[i].key.utf8.count == n {
                    let fast: Bool? = m[i].key.utf8.withContiguousStorageIfAvailable { have in
                        n == 0 || memcmp(have.baseAddress!, wanted.baseAddress!, n) == 0
                    }
                    if fast ?? m[i].key.utf8.elementsEqual(wanted) { return i }
                }
                return nil
            }
        }
    }

    public subscript(key: String) -> JSONValue? {
        get { index(of: key).map { members[$0].value } }
        set {
            if let i = index(of: key) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    /// Removes and returns the member named `key`.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let i = index(of: key) else { return nil }
        return members.remove(at: i).value
    }

    /// The members sorted by key in Unicode code point order (UTF-8 byte order is the same).
    public var sortedMembers: [(key: String, value: JSONValue)] {
        if isSortedByCodePoint { return members }
        return members.sorted { keyPrecedes($0.key, $1.key) }
    }

    /// Whether the members already stand in canonical order.
    public var isSortedByCodePoint: Bool {
        var i = 1
        while i < members.count {
            if !keyPrecedes(members[i - 1].key, members[i].key) { return false }
            i += 1
        }
        return true
    }
}

/// Key equality by UTF-8 bytes.
///
/// Keys are compared on every member lookup and every sort, so this compares the two strings'
/// contiguous UTF-8 storage directly (native and small strings have it; keys are short, so an
/// inline loop beats a call to `memcmp`); the generic element-by-element path is only for
/// bridged strings without contiguous storage.
@inline(__always)
public func keyEquals(_ a: String, _ b: String) -> Bool {
    let ua = a.utf8
    let ub = b.utf8
    guard ua.count == ub.count else { return false }
    if let fast = ua.withContiguousStorageIfAvailable({ pa in
        ub.withContiguousStorageIfAvailable { pb -> Bool in
            var i = 0
            while i < pa.count {
                if pa[i] != pb[i] { return false }
                i += 1
            }
            return true
        }
    }), let equal = fast {
        return equal
    }
    return ua.elementsEqual(ub)
}

/// Key order by Unicode code point, which is UTF-8 byte order.
@inline(__always)
public func keyPrecedes(_ a: String, _ b: String) -> Bool {
    if let fast = a.utf8.withContiguousStorageIfAvailable({ pa in
        b.utf8.withContiguousStorageIfAvailable { pb -> Bool in
            let n = min(pa.count, pb.count)
            var i = 0
            while i < n {
                if pa[i] != pb[i] { return pa[i] < pb[i] }
                i += 1
            }
            return pa.count < pb.count
        }
    }), let precedes = fast {
        return precedes
    }
    return a.utf8.lexicographicallyPrecedes(b.utf8)
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        // Fast path: same order (canonical documents are always sorted).
        var sameOrder = true
        for i in 0..<lhs.count where !keyEquals(lhs.members[i].key, rhs.members[i].key) {
            sameOrder = false
            break
        }
        if sameOrder {
            for i in 0..<lhs.count where lhs.members[i].value != rhs.members[i].value { return false }
            return true
        }
        let l = lhs.sortedMembers
        let r = rhs.sortedMembers
        for i in 0..<l.count {
            guard keyEquals(l[i].key, r[i].key), l[i].value == r[i].value else { return false }
        }
        return true
    }
}

extension JSONValue: Equatable {
    /// Value equality as the canonical format sees it: floats are equal when their bits are
    /// (so NaN equals NaN and `-0.0` differs from `0.0`), integers and floats never equal.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.bigInt(let a), .bigInt(let b)): return a == b
        case (.float(let a), .float(let b)):
            return a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return keyEquals(a, b)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// `.string(s)` or `.null` when `s` is nil.
    public init(_ string: String?) { self = string.map { .string($0) } ?? .null }
    /// `.int(i)` or `.null` when `i` is nil.
    public init(_ int: Int?) { self = int.map { .int($0) } ?? .null }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Members in literal order; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }
}
