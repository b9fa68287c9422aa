import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File writes that never leave a partial file: write a temporary file beside the target,
/// fsync it, rename it over the target, then fsync the folder so the rename survives a crash.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically, creating parent folders. Returns false (and writes
    /// nothing) when the file already holds exactly these bytes, so unchanged files keep their
    /// modification time and re-runs can say "unchanged".
    @discardableResult
    public static func write(_ bytes: [UInt8], to path: String, syncDirectory: Bool = true) throws -> Bool {
        if let existing = FileManager.default.contents(atPath: path), existing.count == bytes.count,
            existing.elementsEqual(bytes)
        {
            return false
        }
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = directory + "/.sessionsync-tmp-" + UUID().uuidString
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: temporary, operation: "create", code: errno) }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    close(fd)
                    throw FileError(path: temporary, operation: "write", code: code)
                }
                offset += n
            }
        }
        if fsync(fd) != 0 {
            let code = errno
            close(fd)
            throw FileError(path: temporary, operation: "fsync", code: code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw FileError(path: path, operation: "rename", code: errno) }
        ok = true
        if syncDirectory { fsyncDirectory(directory) }
        return true
    }

    static func fsyncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}

/// A file system call that failed, with the path and the system's reason.
public struct FileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var operation: String
    public var code: Int32

    public var description: String { "\(path): \(operation) failed: \(String(cString: strerror(code)))" }
}
