/// The canonical serialization of SPEC 2.1, byte for byte.
///
/// Keys sorted by code point, two-space indent, one member or element per line, `{}`/`[]` for
/// empty containers, raw UTF-8 with only `"`, `\` and control characters escaped, integers as
/// their digits, floats in the shortest form that reads back to the same double (which is also
/// Python's `repr`, always with a `.` or an exponent), and non-finite floats as
/// `{"$number": "NaN"}`. One final newline.
public enum CanonicalJSON {
    /// The canonical bytes of a whole document, final newline included.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out = ByteBuffer()
        write(value, level: 0, into: &out)
        out.append(0x0A)
        return out.bytes
    }

    /// The canonical text of a whole document, final newline included.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// The object that stands for a non-finite float in canonical documents.
    public static func nonFiniteMarker(_ d: Double) -> JSONObject {
        JSONObject(uniqueMembers: [("$number", .string(d.isNaN ? "NaN" : d < 0 ? "-Infinity" : "Infinity"))])
    }

    /// Reads back a non-finite marker object written by ``nonFiniteMarker(_:)``.
    public static func nonFiniteValue(of object: JSONObject) -> Double? {
        guard object.count == 1, case .string(let s)? = object["$number"] else { return nil }
        switch s {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return nil
        }
    }

    /// Writes `value` canonically at `level` (its first line unindented) at the end of `out`.
    public static func write(_ value: JSONValue, level: Int, into out: inout ByteBuffer) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): appendInteger(i, into: &out)
        case .bigInt(let s): appendUTF8(s, into: &out)
        case .float(let d):
            if d.isFinite {
                appendFloat(d, into: &out)
            } else {
                write(.object(nonFiniteMarker(d)), level: level, into: &out)
            }
        case .string(let s): appendString(s, asciiOnly: false, into: &out)
        case .array(let elements):
            if elements.isEmpty {
                out.append("[]")
                return
            }
            out.append(UInt8(ascii: "["))
            elements.withUnsafeBufferPointer { elements in
                for i in 0..<elements.count {
                    out.append(0x0A)
                    out.appendSpaces(2 * (level + 1))
                    write(elements[i], level: level + 1, into: &out)
                    if i + 1 < elements.count { out.append(UInt8(ascii: ",")) }
                }
            }
            out.append(0x0A)
            out.appendSpaces(2 * level)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty {
                out.append("{}")
                return
            }
            out.append(UInt8(ascii: "{"))
            let sorted = object.isSortedByCodePoint
            // Members read in place (no copy of each key and value on the way).
            object.members.withUnsafeBufferPointer { members in
                let n = members.count
                if sorted {
                    for i in 0..<n { writeMember(members[i], level: level, last: i + 1 == n, into: &out) }
                } else {
                    // Sort positions, not members: no sorted copy of the members per object.
                    // Each position carries its key's first eight bytes as a number, so most
                    // comparisons are one integer compare; only equal prefixes compare keys.
                    withUnsafeTemporaryAllocation(of: (prefix: UInt64, index: Int).self, capacity: n) { buffer in
                        var order = buffer
                        for i in 0..<n { order.initializeElement(at: i, to: (keyPrefix(members[i].key), i)) }
                        order.sort { a, b in
                            a.prefix != b.prefix ? a.prefix < b.prefix : keyPrecedes(members[a.index].key, members[b.index].key)
                        }
                        for k in 0..<n {
                            writeMember(members[order[k].index], level: level, last: k + 1 == n, into: &out)
                        }
                    }
                }
            }
            out.append(0x0A)
            out.appendSpaces(2 * level)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The first eight UTF-8 bytes of `key`, big-endian, padded with zeros: keys whose
    /// prefixes differ sort as their prefixes do (a key that ends first pads with zeros, which
    /// sort first, as the shorter key does); equal prefixes say nothing.
    @inline(__always)
    static func keyPrefix(_ key: String) -> UInt64 {
        var prefix: UInt64 = 0
        var taken = 0
        let contiguous =
            key.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                let n = min(8, bytes.count)
                while taken < n {
                    prefix = prefix << 8 | UInt64(bytes[taken])
                    taken += 1
                }
                return true
            } ?? false
        if !contiguous {
            for b in key.utf8.prefix(8) {
                prefix = prefix << 8 | UInt64(b)
                taken += 1
            }
        }
        return taken == 0 ? 0 : prefix << (8 * UInt64(8 - taken))
    }

    /// One member of an object at `level`: its own line, `"key": value`, and a comma unless last.
    @inline(__always)
    private static func writeMember(
        _ member: (key: String, value: JSONValue), level: Int, last: Bool, into out: inout ByteBuffer
    ) {
        out.append(0x0A)
        out.appendSpaces(2 * (level + 1))
        appendString(member.key, asciiOnly: false, into: &out)
        out.append(": ")
        write(member.value, level: level + 1, into: &out)
        if !last { out.append(UInt8(ascii: ",")) }
    }
}

/// Writes one object canonically member by member, for a caller that knows its keys and
/// would otherwise build a tree only to write it (the migration report writes thousands of
/// records). The caller must give the keys in code point order; each value follows its key,
/// written at ``valueLevel`` (with ``CanonicalJSON/write(_:level:into:)`` or the writers below).
public struct CanonicalObjectWriter {
    private var lines: ContainerLines

    public init(level: Int) { lines = ContainerLines(level: level, open: UInt8(ascii: "{"), close: UInt8(ascii: "}")) }

    public var level: Int { lines.level }

    /// The level its values are written at.
    public var valueLevel: Int { lines.level + 1 }

    /// Starts the member `key`: `{` or `,`, a new line, the indent and `"key": `.
    public mutating func key(_ key: String, into out: inout ByteBuffer) {
        lines.next(into: &out)
        appendString(key, asciiOnly: false, into: &out)
        out.append(": ")
    }

    /// Closes the object (`{}` when it has no member).
    public func end(into out: inout ByteBuffer) { lines.end(into: &out) }
}

/// Writes one array canonically element by element (the companion of ``CanonicalObjectWriter``).
public struct CanonicalArrayWriter {
    private var lines: ContainerLines

    public init(level: Int) { lines = ContainerLines(level: level, open: UInt8(ascii: "["), close: UInt8(ascii: "]")) }

    public var level: Int { lines.level }

    /// The level its elements are written at.
    public var elementLevel: Int { lines.level + 1 }

    /// Starts an element: `[` or `,`, a new line and the indent.
    public mutating func next(into out: inout ByteBuffer) { lines.next(into: &out) }

    /// Closes the array (`[]` when it has no element).
    public func end(into out: inout ByteBuffer) { lines.end(into: &out) }
}

/// The layout both container writers share: one child per line, indented one level deeper.
private struct ContainerLines {
    let level: Int
    let open: UInt8
    let close: UInt8
    private var children = 0

    init(level: Int, open: UInt8, close: UInt8) {
        self.level = level
        self.open = open
        self.close = close
    }

    /// The opening bracket or a comma, a new line and the indent of a child.
    mutating func next(into out: inout ByteBuffer) {
        out.append(children == 0 ? open : UInt8(ascii: ","))
        out.append(0x0A)
        out.appendSpaces(2 * (level + 1))
        children += 1
    }

    /// The closing bracket on its own line, or both brackets when there was no child.
    func end(into out: inout ByteBuffer) {
        if children == 0 {
            out.append(open)
            out.append(close)
            return
        }
        out.append(0x0A)
        out.appendSpaces(2 * level)
        out.append(close)
    }
}

extension CanonicalJSON {
    /// A string value, canonically (no tree).
    public static func writeString(_ s: String, into out: inout ByteBuffer) {
        appendString(s, asciiOnly: false, into: &out)
    }

    /// A string value or `null`.
    public static func writeString(_ s: String?, into out: inout ByteBuffer) {
        if let s { appendString(s, asciiOnly: false, into: &out) } else { out.append("null") }
    }

    /// An integer value.
    public static func writeInteger(_ i: Int, into out: inout ByteBuffer) { appendInteger(i, into: &out) }
}

/// `json.dumps` as the legacy apps called it, for writing sessions back in their own format.
///
/// Members are written in the order the object holds them (the app's order), unless
/// `sortKeys` is set, as in ALchemist's audit hash (`json.dumps(parameters, sort_keys=True)`).
public struct PythonJSONWriter: Sendable {
    /// `indent=` (nil writes everything on one line with `", "` and `": "` separators).
    public var indent: Int?
    /// `ensure_ascii=` (True escapes every non-ASCII character as `\uXXXX`).
    public var ensureASCII: Bool
    /// `sort_keys=`.
    public var sortKeys: Bool

    public init(indent: Int? = nil, ensureASCII: Bool = true, sortKeys: Bool = false) {
        self.indent = indent
        self.ensureASCII = ensureASCII
        self.sortKeys = sortKeys
    }

    /// The bytes `json.dumps` would produce (no trailing newline: `json.dump` writes none).
    public func bytes(_ value: JSONValue) -> [UInt8] {
        var out = ByteBuffer()
        write(value, level: 0, into: &out)
        return out.bytes
    }

    public func string(_ value: JSONValue) -> String { String(decoding: bytes(value), as: UTF8.self) }

    func write(_ value: JSONValue, level: Int, into out: inout ByteBuffer) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): appendInteger(i, into: &out)
        case .bigInt(let s): appendUTF8(s, into: &out)
        case .float(let d):
            if d.isNaN {
                out.append("NaN")
            } else if d.isInfinite {
                out.append(d < 0 ? "-Infinity" : "Infinity")
            } else {
                appendFloat(d, into: &out)
            }
        case .string(let s): appendString(s, asciiOnly: ensureASCII, into: &out)
        case .array(let elements):
            if elements.isEmpty {
                out.append("[]")
                return
            }
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                separator(first: i == 0, level: level + 1, into: &out)
                write(element, level: level + 1, into: &out)
            }
            closing(level: level, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty {
                out.append("{}")
                return
            }
            out.append(UInt8(ascii: "{"))
            let members = sortKeys ? object.sortedMembers : object.members
            for (i, member) in members.enumerated() {
                separator(first: i == 0, level: level + 1, into: &out)
                appendString(member.key, asciiOnly: ensureASCII, into: &out)
                out.append(": ")
                write(member.value, level: level + 1, into: &out)
            }
            closing(level: level, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    func separator(first: Bool, level: Int, into out: inout ByteBuffer) {
        if let indent {
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(0x0A)
            out.appendSpaces(indent * level)
        } else if !first {
            out.append(", ")
        }
    }

    func closing(level: Int, into out: inout ByteBuffer) {
        if let indent {
            out.append(0x0A)
            out.appendSpaces(indent * level)
        }
    }
}

/// Python's `repr(float)`, which is also the shortest round-trip form; Swift's description
/// uses the same digits and the same layout rules (exponent below 1e-4 and from 1e16 on).
public func formatFloat(_ d: Double) -> String {
    var out = ByteBuffer(capacity: 32)
    appendFloat(d, into: &out)
    return String(decoding: out.bytes, as: UTF8.self)
}

@inline(__always)
func appendFloat(_ d: Double, into out: inout ByteBuffer) {
    appendUTF8(d.description, into: &out)
}

/// A string's UTF-8 bytes, as they are (no quotes, no escapes).
@inline(__always)
func appendUTF8(_ s: String, into out: inout ByteBuffer) {
    withUTF8Bytes(of: s) { out.append($0) }
}

@inline(__always)
func appendInteger(_ i: Int, into out: inout ByteBuffer) {
    if i >= 0 && i < 10 {
        out.append(UInt8(truncatingIfNeeded: 0x30 + i))
        return
    }
    // Digits from the right into a stack buffer (20 digits and a sign hold any Int).
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
        var magnitude = i.magnitude
        var k = 20
        repeat {
            k -= 1
            digits[k] = UInt8(truncatingIfNeeded: 0x30 + magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        if i < 0 { out.append(UInt8(ascii: "-")) }
        out.append(UnsafeBufferPointer(rebasing: digits[k..<20]))
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

/// A JSON string literal. Canonical and `ensure_ascii=False` escape the same set: `"`, `\`
/// and control characters; `ensure_ascii=True` also escapes DEL and everything non-ASCII, with
/// surrogate pairs above the BMP, as Python does.
func appendString(_ s: String, asciiOnly: Bool, into out: inout ByteBuffer) {
    out.append(UInt8(ascii: "\""))
    if !asciiOnly {
        // Most strings need no escape at all: copy runs of plain bytes in bulk.
        withUTF8Bytes(of: s) { bytes in
            var runStart = 0
            var i = 0
            let n = bytes.count
            while i < n {
                // Eight bytes at a time to the next byte that needs an escape (the lowest
                // flagged byte of a word is exact), then byte by byte in the last few.
                var stop = n
                while i &+ 8 <= n {
                    let word = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self))
                    let flagged = SWAR.escapeStops(word)
                    if flagged != 0 {
                        stop = i &+ flagged.trailingZeroBitCount &>> 3
                        break
                    }
                    i &+= 8
                }
                if stop == n {
                    while i < n, bytes[i] >= 0x20, bytes[i] != 0x22, bytes[i] != 0x5C { i += 1 }
                    guard i < n else { break }
                    stop = i
                }
                if stop > runStart { out.append(UnsafeBufferPointer(rebasing: bytes[runStart..<stop])) }
                appendEscape(UInt32(bytes[stop]), into: &out)
                i = stop + 1
                runStart = i
            }
            if bytes.count > runStart {
                out.append(UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
            }
        }
    } else {
        for scalar in s.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x20..<0x7F where v != 0x22 && v != 0x5C: out.append(UInt8(v))
            case 0x10000...:
                let u = v - 0x10000
                appendUEscape(UInt16(0xD800 + (u >> 10)), into: &out)
                appendUEscape(UInt16(0xDC00 + (u & 0x3FF)), into: &out)
            default: appendEscape(v, into: &out)
            }
        }
    }
    out.append(UInt8(ascii: "\""))
}

/// The escape of a BMP scalar: the short forms JSON has, `\uXXXX` for the rest.
@inline(__always)
private func appendEscape(_ v: UInt32, into out: inout ByteBuffer) {
    switch v {
    case 0x22: out.append("\\\"")
    case 0x5C: out.append("\\\\")
    case 0x0A: out.append("\\n")
    case 0x0D: out.append("\\r")
    case 0x09: out.append("\\t")
    case 0x08: out.append("\\b")
    case 0x0C: out.append("\\f")
    default: appendUEscape(UInt16(v), into: &out)
    }
}

@inline(__always)
private func appendUEscape(_ unit: UInt16, into out: inout ByteBuffer) {
    out.append("\\u")
    out.append(hexDigits[Int(unit >> 12)])
    out.append(hexDigits[Int((unit >> 8) & 0xF)])
    out.append(hexDigits[Int((unit >> 4) & 0xF)])
    out.append(hexDigits[Int(unit & 0xF)])
}
