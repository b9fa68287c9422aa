import Crypto

/// The session-id rules of SPEC 2.3.
///
/// A legacy id that already is a UUID is kept (lowercased); any other id becomes a UUIDv5 in
/// SessionSync's own namespace over `"<system>:<legacy id>"`. The namespace is part of the
/// format: changing it would give every migrated session a new id on the next run.
public enum SessionID {
    /// `b8242c62-ae32-4ff6-8e14-bdd535cda479`. Never changes.
    public static let namespace = "b8242c62-ae32-4ff6-8e14-bdd535cda479"

    /// The systems whose ids are mapped, as they appear in `origin.system`.
    public static let systems: Set<String> = ["alchemist", "lobster", "mochi", "casefile", "jambot"]

    /// The canonical session id for a legacy id of `system`.
    public static func derive(system: String, legacyID: String) -> String {
        if let uuid = normalizedUUID(legacyID) { return uuid }
        return uuidV5(namespace: namespace, name: system + ":" + legacyID)
    }

    /// The lowercase form of `text` if it is a UUID in 8-4-4-4-12 hex form (any version, any case).
    public static func normalizedUUID(_ text: String) -> String? {
        let b = Array(text.utf8)
        guard b.count == 36 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (i, c) in b.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard c == UInt8(ascii: "-") else { return nil }
                out.append(c)
                continue
            }
            switch c {
            case 0x30...0x39, 0x61...0x66: out.append(c)
            case 0x41...0x46: out.append(c + 0x20)
            default: return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text` is a lowercase UUID, as `session_id` must be.
    public static func isCanonical(_ text: String) -> Bool { normalizedUUID(text) == text }

    /// RFC 4122 version 5 (SHA-1, name-based) UUID, lowercase.
    public static func uuidV5(namespace: String, name: String) -> String {
        let ns = uuidBytes(normalizedUUID(namespace)!)
        var sha = Insecure.SHA1()
        sha.update(data: ns)
        sha.update(data: Array(name.utf8))
        var bytes = Array(sha.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return format(bytes)
    }

    static func uuidBytes(_ lower: String) -> [UInt8] {
        var out: [UInt8] = []
        var nibble: UInt8? = nil
        for c in lower.utf8 where c != UInt8(ascii: "-") {
            let v = c <= 0x39 ? c - 0x30 : c - 0x61 + 10
            if let hi = nibble {
                out.append(hi << 4 | v)
                nibble = nil
            } else {
                nibble = v
            }
        }
        return out
    }

    static func format(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, b) in bytes.prefix(16).enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// SHA-256 helpers shared by entry ids and content digests.
public enum Digest {
    public static func sha256Hex(_ bytes: [UInt8]) -> String { sha256Hex(bytes, prefix: "") }

    /// `prefix` followed by the hex digest, made as one string (entry ids are `sha256:` + hex,
    /// one per audit entry).
    public static func sha256Hex(_ bytes: [UInt8], prefix: StaticString) -> String {
        SHA256.hash(data: bytes).withUnsafeBytes { digest in
            let p = prefix.utf8CodeUnitCount
            return String(unsafeUninitializedCapacity: p + 64) { out in
                prefix.withUTF8Buffer { text in
                    for i in 0..<p { out[i] = text[i] }
                }
                for (i, b) in digest.enumerated() {
                    out[p + 2 * i] = hexDigits[Int(b >> 4)]
                    out[p + 2 * i + 1] = hexDigits[Int(b & 0x0F)]
                }
                return p + 64
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of any bytes.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
