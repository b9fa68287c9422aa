import Crypto

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
        var keyed = entries.map { entry -> (key: [UInt8], entry: TreeEntry) in
            var key = Array(entry.name.utf8)
            if entry.mode == .tree { key.append(UInt8(ascii: "/")) }
            return (key, entry)
        }
        // Callers usually keep their entries sorted; checking is linear, sorting is not.
        if !zip(keyed, keyed.dropFirst()).allSatisfy({ $0.key.lexicographicallyPrecedes($1.key) }) {
            keyed.sort { $0.key.lexicographicallyPrecedes($1.key) }
        }
        var out: [UInt8] = []
        out.reserveCapacity(entries.reduce(0) { $0 + $1.name.utf8.count + 28 })
        var previous: ArraySlice<UInt8> = []
        for (key, entry) in keyed {
            let name = entry.mode == .tree ? key.dropLast() : key[...]
            precondition(isValidRawEntryName(name), "invalid tree entry name '\(entry.name)'")
            // A duplicate of a name of the same kind sorts right after it.
            precondition(name != previous, "duplicate tree entry '\(entry.name)'")
            previous = name
            // Octal without leading zeros: git writes a tree's mode as `40000`.
            out.append(contentsOf: String(entry.mode.rawValue, radix: 8).utf8)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: name)
            out.append(0)
            out.append(contentsOf: entry.id.bytes)
        }
        return out
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
