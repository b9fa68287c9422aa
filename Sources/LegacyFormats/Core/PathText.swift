import SessionModel

/// Path arithmetic on text, with the results of `NSString`'s `deletingLastPathComponent` and
/// `lastPathComponent` (repeated slashes collapsed, trailing slashes ignored, `/` kept).
///
/// Foundation's versions go through `NSString` and a slash-fixing pass that searches and
/// replaces; a bulk migration asks for the folder and name of every input several times, so
/// these work on the UTF-8 bytes directly.
public enum PathText {
    /// The folder part: `a/b/c` → `a/b`, `/a` → `/`, `a` → ``, `/` → `/`.
    public static func parent(_ path: String) -> String {
        withNormalizedBytes(path) { b in
            if b.isEmpty { return "" }
            if b.count == 1 && b[0] == 0x2F { return "/" }
            guard let slash = b.lastIndex(of: 0x2F) else { return "" }
            if slash == 0 { return "/" }
            return String(decoding: UnsafeBufferPointer(rebasing: b[..<slash]), as: UTF8.self)
        }
    }

    /// The last component: `a/b/c` → `c`, `a/b/` → `b`, `/` → `/`, `` → ``.
    public static func lastComponent(_ path: String) -> String {
        withNormalizedBytes(path) { b in
            if b.count == 1 && b[0] == 0x2F { return "/" }
            guard let slash = b.lastIndex(of: 0x2F) else { return String(decoding: b, as: UTF8.self) }
            return String(decoding: UnsafeBufferPointer(rebasing: b[(slash + 1)...]), as: UTF8.self)
        }
    }

    /// Calls `body` with the bytes of `path` with repeated slashes collapsed and trailing
    /// slashes removed (a lone `/` stays): the string's own bytes when it is already so (as
    /// the walk's paths are), a normalized copy otherwise.
    static func withNormalizedBytes<R>(_ path: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        return withUTF8Bytes(of: path) { b in
            var normal = b.count <= 1 || b[b.count - 1] != 0x2F
            var i = 1
            while normal && i < b.count {
                if b[i] == 0x2F && b[i - 1] == 0x2F { normal = false }
                i += 1
            }
            if normal { return body(b) }
            return normalizedBytes(b).withUnsafeBufferPointer(body)
        }
    }

    /// The normalized copy of ``withNormalizedBytes(_:_:)``.
    static func normalizedBytes(_ path: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(path.count)
        for c in path {
            if c == 0x2F, out.last == 0x2F { continue }
            out.append(c)
        }
        while out.count > 1, out.last == 0x2F { out.removeLast() }
        return out
    }
}
