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
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(value, level: 0, into: &out)
        out.append(0x0A)
        return out
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

    public static func write(_ value: JSONValue, level: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): appendInteger(i, into: &out)
        case .bigInt(let s): out.append(contentsOf: s.utf8)
        case .float(let d):
            if d.isFinite {
                appendFloat(d, into: &out)
            } else {
                write(.object(nonFiniteMarker(d)), level: level, into: &out)
            }
        case .string(let s): appendString(s, asciiOnly: false, into: &out)
        case .array(let elements):
            if elements.isEmpty {
                out.append(contentsOf: "[]".utf8)
                return
            }
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                out.append(0x0A)
                appendIndent(level + 1, into: &out)
                write(element, level: level + 1, into: &out)
                if i + 1 < elements.count { out.append(UInt8(ascii: ",")) }
            }
            out.append(0x0A)
            appendIndent(level, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty {
                out.append(contentsOf: "{}".utf8)
                return
            }
            out.append(UInt8(ascii: "{"))
            let members = object.members
            let n = members.count
            func member(_ i: Int, last: Bool) {
                out.append(0x0A)
                appendIndent(level + 1, into: &out)
                appendString(members[i].key, asciiOnly: false, into: &out)
                out.append(UInt8(ascii: ":"))
                out.append(UInt8(ascii: " "))
                write(members[i].value, level: level + 1, into: &out)
                if !last { out.append(UInt8(ascii: ",")) }
            }
            if object.isSortedByCodePoint {
                for i in 0..<n { member(i, last: i + 1 == n) }
            } else {
                // Sort positions, not members: no sorted copy of the members per object.
                withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { buffer in
                    var order = buffer
                    for i in 0..<n { order.initializeElement(at: i, to: i) }
                    order.sort { keyPrecedes(members[$0].key, members[$1].key) }
                    for k in 0..<n { member(order[k], last: k + 1 == n) }
                }
            }
            out.append(0x0A)
            appendIndent(level, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    static func appendIndent(_ level: Int, into out: inout [UInt8]) {
        let n = level * 2
        if n <= spaces.count {
            spaces.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<n])) }
        } else {
            out.append(contentsOf: repeatElement(0x20, count: n))
        }
    }

    private static let spaces = [UInt8](repeating: 0x20, count: 128)
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
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(value, level: 0, into: &out)
        return out
    }

    public func string(_ value: JSONValue) -> String { String(decoding: bytes(value), as: UTF8.self) }

    func write(_ value: JSONValue, level: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): appendInteger(i, into: &out)
        case .bigInt(let s): out.append(contentsOf: s.utf8)
        case .float(let d):
            if d.isNaN {
                out.append(contentsOf: "NaN".utf8)
            } else if d.isInfinite {
                out.append(contentsOf: (d < 0 ? "-Infinity" : "Infinity").utf8)
            } else {
                appendFloat(d, into: &out)
            }
        case .string(let s): appendString(s, asciiOnly: ensureASCII, into: &out)
        case .array(let elements):
            if elements.isEmpty {
                out.append(contentsOf: "[]".utf8)
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
                out.append(contentsOf: "{}".utf8)
                return
            }
            out.append(UInt8(ascii: "{"))
            let members = sortKeys ? object.sortedMembers : object.members
            for (i, member) in members.enumerated() {
                separator(first: i == 0, level: level + 1, into: &out)
                appendString(member.key, asciiOnly: ensureASCII, into: &out)
                out.append(contentsOf: ": ".utf8)
                write(member.value, level: level + 1, into: &out)
            }
            closing(level: level, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    func separator(first: Bool, level: Int, into out: inout [UInt8]) {
        if let indent {
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(0x0A)
            for _ in 0..<(indent * level) { out.append(0x20) }
        } else if !first {
            out.append(contentsOf: ", ".utf8)
        }
    }

    func closing(level: Int, into out: inout [UInt8]) {
        if let indent {
            out.append(0x0A)
            for _ in 0..<(indent * level) { out.append(0x20) }
        }
    }
}

/// Python's `repr(float)`, which is also the shortest round-trip form; Swift's description
/// uses the same digits and the same layout rules (exponent below 1e-4 and from 1e16 on).
public func formatFloat(_ d: Double) -> String {
    var out: [UInt8] = []
    appendFloat(d, into: &out)
    return String(decoding: out, as: UTF8.self)
}

@inline(__always)
func appendFloat(_ d: Double, into out: inout [UInt8]) {
    out.append(contentsOf: d.description.utf8)
}

@inline(__always)
func appendInteger(_ i: Int, into out: inout [UInt8]) {
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
        out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[k..<20]))
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

/// A JSON string literal. Canonical and `ensure_ascii=False` escape the same set: `"`, `\`
/// and control characters; `ensure_ascii=True` also escapes DEL and everything non-ASCII, with
/// surrogate pairs above the BMP, as Python does.
func appendString(_ s: String, asciiOnly: Bool, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    if !asciiOnly {
        // Most strings need no escape at all: copy runs of plain bytes in bulk.
        var s = s
        s.withUTF8 { bytes in
            var runStart = 0
            var i = 0
            while i < bytes.count {
                // Eight bytes at a time past what needs no escape (almost everything).
                while i &+ 8 <= bytes.count,
                    !SWAR.needsEscape(UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self))
                {
                    i &+= 8
                }
                guard i < bytes.count else { break }
                let b = bytes[i]
                if b >= 0x20 && b != 0x22 && b != 0x5C {
                    i += 1
                    continue
                }
                if i > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
                switch b {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                default: appendUEscape(UInt16(b), into: &out)
                }
                i += 1
                runStart = i
            }
            if bytes.count > runStart {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
            }
        }
    } else {
        for scalar in s.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x20..<0x7F: out.append(UInt8(v))
            case 0x10000...:
                let u = v - 0x10000
                appendUEscape(UInt16(0xD800 + (u >> 10)), into: &out)
                appendUEscape(UInt16(0xDC00 + (u & 0x3FF)), into: &out)
            default: appendUEscape(UInt16(v), into: &out)
            }
        }
    }
    out.append(UInt8(ascii: "\""))
}

@inline(__always)
private func appendUEscape(_ unit: UInt16, into out: inout [UInt8]) {
    out.append(contentsOf: [
        0x5C, UInt8(ascii: "u"),
        hexDigits[Int(unit >> 12)], hexDigits[Int((unit >> 8) & 0xF)],
        hexDigits[Int((unit >> 4) & 0xF)], hexDigits[Int(unit & 0xF)],
    ])
}
