/// JSON Pointer (RFC 6901) building: report locations, diff paths, recorded member orders.
///
/// One implementation for every module; tokens almost never need escaping, so the common case
/// returns the token itself without allocating.
public enum JSONPointer {
    /// `token` escaped for use as one reference token: `~` → `~0`, `/` → `~1`.
    public static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == 0x7E || $0 == 0x2F }) else { return token }
        var out: [UInt8] = []
        out.reserveCapacity(token.utf8.count + 4)
        for b in token.utf8 {
            switch b {
            case 0x7E: out.append(contentsOf: [0x7E, 0x30])
            case 0x2F: out.append(contentsOf: [0x7E, 0x31])
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The pointer of a path of unescaped tokens ("" for the root).
    public static func pointer(_ path: [String]) -> String {
        var out = ""
        for token in path {
            out += "/"
            out += escape(token)
        }
        return out
    }

    public static func appending(_ base: String, _ token: String) -> String { base + "/" + escape(token) }

    public static func appending(_ base: String, _ index: Int) -> String { base + "/" + String(index) }
}
