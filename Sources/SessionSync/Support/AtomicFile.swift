import Foundation
import LegacyFormats

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File writes that never leave a partial file: write a temporary file beside the target and
/// rename it over the target, so a killed process leaves the old file or the new one, never a
/// mix. `durable` also fsyncs the file before the rename and the folder after it, so the write
/// survives a power loss; bulk writers skip that per file and call ``syncFileSystem(of:)`` once
/// at the end instead (one flush instead of two per file, which this disk does ~1,800 of a second).
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically, creating parent folders. Returns false (and writes
    /// nothing) when the file already holds exactly these bytes, so unchanged files keep their
    /// modification time and re-runs can say "unchanged". A caller that knows the file holds
    /// other bytes (or none) passes `compare: false` to skip reading it.
    @discardableResult
    public static func write(
        _ bytes: [UInt8], to path: String, durable: Bool = true, directoryExists: Bool = false, compare: Bool = true
    ) throws -> Bool {
        if compare, let existing = try? FileReading.read(path), existing == bytes { return false }
        try write(to: path, durable: durable, directoryExists: directoryExists) { emit in try emit(bytes) }
        return true
    }

    /// Writes what `produce` emits, chunk by chunk, to `path` atomically: a large file (a bulk
    /// run's report) is streamed out, never assembled in memory, and still appears whole or
    /// not at all.
    public static func write(
        to path: String, durable: Bool = true, directoryExists: Bool = false,
        _ produce: (_ emit: ([UInt8]) throws -> Void) throws -> Void
    ) throws {
        // A bare file name (git hands merge drivers `.merge_file_XXXXXX`) lives in the
        // working directory.
        let parent = PathText.parent(path)
        let directory = parent.isEmpty ? "." : parent
        if !directoryExists {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var temporary = ""
        var fd: Int32 = -1
        // Unique per process and call (a random UUID cost a read of /dev/urandom per file);
        // O_EXCL guards against a leftover of a killed process that had the same pid.
        for _ in 0..<100 {
            temporary = directory + "/.sessionsync-tmp-" + processID + "-" + String(nextTemporaryNumber())
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw FileError(path: temporary, operation: "create", code: errno) }
        var ok = false
        defer {
            if !ok {
                close(fd)
                unlink(temporary)
            }
        }
        try produce { bytes in
            try bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw FileError(path: temporary, operation: "write", code: errno)
                    }
                    offset += n
                }
            }
        }
        if durable, fsync(fd) != 0 { throw FileError(path: temporary, operation: "fsync", code: errno) }
        ok = true
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileError(path: path, operation: "rename", code: code)
        }
        if durable { fsyncDirectory(directory) }
    }

    private static let temporaryCounter = Locked(0)
    private static let processID = String(getpid())

    private static func nextTemporaryNumber() -> Int {
        temporaryCounter.withLock { n -> Int in
            n += 1
            return n
        }
    }

    /// Flushes everything written so far to disk (`sync(2)`: Glibc does not export the
    /// narrower `syncfs` to Swift; one flush at the end of a bulk run costs little either way).
    public static func syncFileSystem(of path: String) {
        sync()
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
