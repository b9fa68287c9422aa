import Foundation
import SessionModel

/// Python's `str()`, `repr()` and `format(x, ".4f")` of JSON-loaded values, for text that
/// ALchemist builds with f-strings (the Markdown audit trail).
enum PythonText {
    /// `str(value)`: strings as they are, everything else as `repr`.
    static func str(_ v: JSONValue) -> String {
        if case .string(let s) = v { return s }
        return repr(v)
    }

    /// `repr(value)` of what `json.load` gives: dict, list, str, int, float, bool, None.
    static func repr(_ v: JSONValue) -> String {
        switch v {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .bigInt(let s): return s
        case .float(let d): return floatRepr(d)
        case .string(let s): return stringRepr(s)
        case .array(let a): return "[" + a.map(repr).joined(separator: ", ") + "]"
        case .object(let o):
            return "{" + o.members.map { stringRepr($0.key) + ": " + repr($0.value) }.joined(separator: ", ") + "}"
        }
    }

    static func floatRepr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return formatFloat(d)
    }

    /// `f"{x:.4f}"` (correctly rounded, as C's printf and Python both are).
    static func fixed4(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return String(format: "%.4f", d)
    }

    /// Python's quoting: single quotes unless the text has `'` and no `"`; backslash escapes
    /// for the quote, `\`, `\n \r \t`, and `\x`/`\u`/`\U` for characters that are not printable.
    static func stringRepr(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    let v = scalar.value
                    let hex = String(v, radix: 16)
                    if v < 0x100 {
                        out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                    } else if v < 0x10000 {
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out += "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
                    }
                }
            }
        }
        out.append(quote)
        return out
    }

    /// `str.isprintable()` for one character: not in the categories Cc, Cf, Cs, Co, Cn, Zl, Zp,
    /// Zs (except the ASCII space).
    static func isPrintable(_ s: Unicode.Scalar) -> Bool {
        if s == " " { return true }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            return false
        default: return true
        }
    }

    /// Python truthiness of a JSON-loaded value.
    static func truthy(_ v: JSONValue?) -> Bool {
        switch v {
        case .none, .null?: return false
        case .bool(let b)?: return b
        case .int(let i)?: return i != 0
        case .bigInt?: return true
        case .float(let d)?: return d != 0
        case .string(let s)?: return !s.isEmpty
        case .array(let a)?: return !a.isEmpty
        case .object(let o)?: return !o.isEmpty
        }
    }
}
