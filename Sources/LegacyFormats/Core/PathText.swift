/// Path arithmetic on text, with the results of `NSString`'s `deletingLastPathComponent` and
/// `lastPathComponent` (repeated slashes collapsed, trailing slashes ignored, `/` kept).
///
/// Foundation's versions go through `NSString` and a slash-fixing pass that searches and
/// replaces; a bulk migration asks for the folder and name of every input several times, so
/// these work on the UTF-8 bytes directly.
public enum PathText {
    /// The folder part: `a/b/c` → `a/b`, `/a` → `/`, `a` → ``, `/` → `/`.
    public static func parent(_ path: String) -> String {
        let b = normalizedBytes(path)
        if b.isEmpty { return "" }
        if b == [0x2F] { return "/" }
        guard let slash = b.lastIndex(of: 0x2F) else { return "" }
        if slash == 0 { return "/" }
        return String(decoding: b[..<slash], as: UTF8.self)
    }

    /// The last component: `a/b/c` → `c`, `a/b/` → `b`, `/` → `/`, `` → ``.
    public static func lastComponent(_ path: String) -> String {
        let b = normalizedBytes(path)
        if b == [0x2F] { return "/" }
        guard let slash = b.lastIndex(of: 0x2F) else { return String(decoding: b, as: UTF8.self) }
        return String(decoding: b[(slash + 1)...], as: UTF8.self)
    }

    /// The bytes of `path` with repeated slashes collapsed and trailing slashes removed (a
    /// lone `/` stays).
    static func normalizedBytes(_ path: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        for c in path.utf8 {
            if c == 0x2F, out.last == 0x2F { continue }
            out.append(c)
        }
        while out.count > 1, out.last == 0x2F { out.removeLast() }
        return out
    }
}
