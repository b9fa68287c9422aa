import Foundation
import SessionModel

#if canImport(Glibc)
    import Glibc
#endif

/// Plain POSIX file reading for the bulk paths. Foundation's `FileManager` spends several
/// system calls per file (attribute lookups, extended attributes, path standardization); a
/// migration of many thousands of small files is bound by exactly those calls.
public enum FileReading {
    public enum Failure: Error, Equatable {
        case missing
        case notRegular
        case tooLarge(Int)
        case system(Int32)
    }

    /// The whole file at `path`, read with one open, one fstat and as many reads as needed.
    /// `noFollow` refuses a symlink as the last path component.
    public static func read(_ path: String, maxBytes: Int = .max, noFollow: Bool = false) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | (noFollow ? O_NOFOLLOW : 0))
        guard fd >= 0 else { throw errno == ENOENT ? .missing : errno == ELOOP ? .notRegular : .system(errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .system(errno) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .notRegular }
        let size = Int(st.st_size)
        if size > maxBytes { throw .tooLarge(size) }
        // Read straight into the array's memory: no zeroing of what the read overwrites. (A
        // file that shrank meanwhile gives what was there; one that grew, its first `size`.)
        var failure: Failure?
        let out = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var done = 0
            while done < size {
                let n = Glibc.read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = .system(errno)
                    break
                }
                if n == 0 { break }
                done += n
            }
            initialized = done
        }
        if let failure { throw failure }
        return out
    }

    /// The canonical absolute path with symlinks resolved, or nil.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// ``realPath(_:)`` of a folder, remembering recent answers: a folder whose parent was
    /// resolved costs one `lstat` (is it a real folder, not a symlink?) instead of a `readlink`
    /// per component. Importers ask this for every related file they read (a Lobster workspace
    /// of thousands of session folders asks it thousands of times under the same parents).
    public static func realDirectory(_ path: String) -> String? {
        if let hit = directoryCache.lookup(path) { return hit }
        let parent = PathText.parent(path)
        let name = PathText.lastComponent(path)
        var resolved: String?
        var st = stat()
        if !parent.isEmpty, parent != path, name != ".", name != "..", let realParent = realDirectory(parent),
            lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR
        {
            resolved = realParent == "/" ? "/" + name : realParent + "/" + name
        } else {
            resolved = realPath(path)
        }
        if let resolved { directoryCache.insert(path, resolved) }
        return resolved
    }

    /// A small bounded memo of folder → real path (cleared when full, so memory stays flat).
    private final class DirectoryCache: @unchecked Sendable {
        private var entries: [String: String] = [:]
        private let lock = NSLock()

        func lookup(_ path: String) -> String? { lock.withLock { entries[path] } }

        func insert(_ path: String, _ real: String) {
            lock.withLock {
                if entries.count >= 1024 { entries.removeAll(keepingCapacity: true) }
                entries[path] = real
            }
        }
    }

    private static let directoryCache = DirectoryCache()

    /// `path` with `.`/`..` components and repeated slashes removed, without touching the disk.
    public static func lexicallyNormalized(_ path: String) -> String {
        // Most paths (every path the walker makes) are normal already: one pass over the
        // bytes says so, and the path comes back as it is.
        if isLexicallyNormal(path) { return path }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// Whether `lexicallyNormalized(path) == path`: no empty, `.` or `..` segment (a leading
    /// `/` aside), and not empty.
    static func isLexicallyNormal(_ path: String) -> Bool {
        return withUTF8Bytes(of: path) { b -> Bool in
            if b.isEmpty { return false }
            var start = b[0] == UInt8(ascii: "/") ? 1 : 0
            var i = start
            while i <= b.count {
                if i == b.count || b[i] == UInt8(ascii: "/") {
                    let length = i - start
                    if length == 0 { return false }
                    if b[start] == UInt8(ascii: "."),
                        length == 1 || (length == 2 && b[start + 1] == UInt8(ascii: "."))
                    {
                        return false
                    }
                    start = i + 1
                }
                i += 1
            }
            return true
        }
    }
}
