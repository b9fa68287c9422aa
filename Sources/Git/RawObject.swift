import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The kinds of object a `PackWriter` stores. Tags are not needed by SessionSync.
public enum ObjectKind: Sendable, Hashable {
    case blob, tree, commit

    /// The name in the object header (`"<type> <size>\0"`).
    var name: String {
        switch self {
        case .blob: "blob"
        case .tree: "tree"
        case .commit: "commit"
        }
    }

    /// The type number in a pack entry header.
    var packType: UInt8 {
        switch self {
        case .commit: 1
        case .tree: 2
        case .blob: 3
        }
    }
}

/// Serializes trees and commits in git's exact object format, without libgit2, so that a bulk
/// writer can build objects in memory and hand them to a `PackWriter`. The bytes are the ones
/// libgit2 (`TreeBuilder`, `Repository.createCommit`) and git (`mktree`, `commit-tree`) write
/// for the same content, so the ids are the same too.
public enum RawObject {
    /// A tree object holding `entries`, in git's order whatever order they are given in: names
    /// compared as bytes, a subtree compared as if its name ended in `/`.
    ///
    /// Entry names must be valid and unique (no `/`, NUL, `.`, `..`, `.git`, no duplicates), as
    /// store paths always are; anything else is a programming error and stops the process,
    /// because such a tree would be corrupt.
    public static func tree(entries: [TreeEntry]) -> [UInt8] {
        // Sort keys (names, plus "/" for trees) are packed into one buffer rather than one array
        // per entry: this runs for three trees of hundreds of entries per commit in a bulk import.
        var keys: [UInt8] = []
        var bounds: [Range<Int>] = []
        keys.reserveCapacity(entries.count * 48)
        bounds.reserveCapacity(entries.count)
        for entry in entries {
            let start = keys.count
            keys.append(contentsOf: entry.name.utf8)
            if entry.mode == .tree { keys.append(UInt8(ascii: "/")) }
            bounds.append(start..<keys.count)
        }
        var order = Array(entries.indices)
        keys.withUnsafeBufferPointer { keys in
            // The first eight bytes of each key as a big-endian number settle almost every
            // comparison (session ids differ early) without touching the bytes again.
            let heads = bounds.map { bound in
                var head: UInt64 = 0
                for offset in 0..<8 {
                    head <<= 8
                    if offset < bound.count { head |= UInt64(keys[bound.lowerBound + offset]) }
                }
                return head
            }
            func precedes(_ a: Int, _ b: Int) -> Bool {
                if heads[a] != heads[b] { return heads[a] < heads[b] }
                let left = UnsafeBufferPointer(rebasing: keys[bounds[a]])
                let right = UnsafeBufferPointer(rebasing: keys[bounds[b]])
                let common = min(left.count, right.count)
                if common > 0 {
                    let compared = memcmp(left.baseAddress!, right.baseAddress!, common)
                    if compared != 0 { return compared < 0 }
                }
                return left.count < right.count
            }
            // Callers usually keep their entries sorted; checking is linear, sorting is not.
            if !zip(order, order.dropFirst()).allSatisfy({ precedes($0, $1) }) {
                order.sort(by: precedes)
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(keys.count + 28 * entries.count)
        var previous: Range<Int> = 0..<0
        for index in order {
            let entry = entries[index]
            let name = entry.mode == .tree ? bounds[index].dropLast() : bounds[index]
            precondition(isValidRawEntryName(keys[name]), "invalid tree entry name '\(entry.name)'")
            // A duplicate of a name of the same kind sorts right after it.
            precondition(keys[name] != keys[previous], "duplicate tree entry '\(entry.name)'")
            previous = name
            appendMode(entry.mode, to: &out)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: keys[name])
            out.append(0)
            withUnsafeBytes(of: entry.id.oid.id) { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Octal without leading zeros (git writes a tree's mode as `40000`); the usual modes
    /// without formatting a number.
    private static func appendMode(_ mode: FileMode, to out: inout [UInt8]) {
        switch mode {
        case .blob: out.append(contentsOf: "100644".utf8)
        case .tree: out.append(contentsOf: "40000".utf8)
        case .executable: out.append(contentsOf: "100755".utf8)
        default: out.append(contentsOf: String(mode.rawValue, radix: 8).utf8)
        }
    }

    /// A commit object, byte for byte what `Repository.createCommit` writes for the same
    /// arguments: `tree`, one `parent` line each, `author`, `committer`, a blank line, then the
    /// message exactly as given (end it with "\n" as git does).
    ///
    /// Like libgit2, names and emails are trimmed of surrounding whitespace. libgit2 rejects a
    /// name or email holding `<` or `>`; this function cannot fail, so it drops those characters
    /// (and inner newlines, which libgit2 would write and corrupt the commit with) the way git's
    /// own ident code does, so the commit stays parseable.
    public static func commit(
        tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature, message: String
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + 48 * parents.count + message.utf8.count)
        out.append(contentsOf: "tree ".utf8)
        out.append(contentsOf: tree.hex.utf8)
        out.append(UInt8(ascii: "\n"))
        for parent in parents {
            out.append(contentsOf: "parent ".utf8)
            out.append(contentsOf: parent.hex.utf8)
            out.append(UInt8(ascii: "\n"))
        }
        appendSignature("author ", author, to: &out)
        appendSignature("committer ", committer, to: &out)
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: message.utf8)
        return out
    }

    /// The id git gives `bytes` stored as `kind`: SHA-1 of `"<type> <size>\0"` and the bytes.
    public static func id(of kind: ObjectKind, _ bytes: [UInt8]) -> ObjectID {
        bytes.withUnsafeBytes { id(of: kind, $0) }
    }

    static func id(of kind: ObjectKind, _ bytes: UnsafeRawBufferPointer) -> ObjectID {
        var hasher = Insecure.SHA1()
        hasher.update(data: Array("\(kind.name) \(bytes.count)\0".utf8))
        hasher.update(bufferPointer: bytes)
        return hasher.finalize().withUnsafeBytes { ObjectID(raw: $0) }
    }

    /// `<header><name> <<email>> <seconds> <+|-><hh><mm>\n`, as libgit2's `git_signature__writebuf`.
    private static func appendSignature(_ header: String, _ signature: Signature, to out: inout [UInt8]) {
        out.append(contentsOf: header.utf8)
        out.append(contentsOf: identity(signature.name))
        out.append(contentsOf: " <".utf8)
        out.append(contentsOf: identity(signature.email))
        out.append(contentsOf: "> ".utf8)
        out.append(contentsOf: String(signature.time).utf8)
        out.append(UInt8(ascii: " "))
        let offset = signature.offsetMinutes
        out.append(UInt8(ascii: offset < 0 ? "-" : "+"))
        // printf's `%02d%02d` of hours and minutes.
        let hours = String(offset.magnitude / 60)
        let minutes = String(offset.magnitude % 60)
        if hours.utf8.count < 2 { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: hours.utf8)
        if minutes.utf8.count < 2 { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: minutes.utf8)
        out.append(UInt8(ascii: "\n"))
    }

    /// `isValidEntryName` on bytes, without allocating: this runs for every entry of every tree.
    private static func isValidRawEntryName(_ name: ArraySlice<UInt8>) -> Bool {
        if name.isEmpty || name.contains(UInt8(ascii: "/")) || name.contains(0) { return false }
        if name.elementsEqual(".".utf8) || name.elementsEqual("..".utf8) { return false }
        return !(name.count == 4 && name.map { $0 | 0x20 }.elementsEqual(".git".utf8))
    }

    /// A name or email as libgit2 stores it: trimmed of the whitespace `git__isspace` knows.
    private static func identity(_ text: String) -> [UInt8] {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0d).contains(byte) }
        let bytes = text.utf8.filter { $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "\n") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return Array(bytes[first...last])
    }
}
