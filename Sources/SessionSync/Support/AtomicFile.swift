import Foundation
import LegacyFormats

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File writes that never leave a partial file: the new content is written to a file that has
/// no name yet (or a temporary name beside the target) and appears under the target's name
/// only once whole, so a killed process leaves the old file or the new one, never a mix.
/// `durable` also fsyncs the file before it gets the name and the folder after, so the write
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
        // Linux: an unnamed file in the folder (O_TMPFILE), given its name only once it is
        // whole (linkat): no temporary name to create and rename away, and nothing to clean up
        // if the process dies. Elsewhere, or where the file system cannot, a named temporary.
        var unnamed = true
        var fd = unnamedFilesWork.withLock { $0 } ? open(directory, oTmpFile | O_WRONLY | O_CLOEXEC, 0o644) : -1
        var temporary = ""
        if fd < 0 {
            unnamed = false
            (fd, temporary) = try createTemporary(in: directory)
        }
        var ok = false
        defer {
            if !ok {
                close(fd)
                if !unnamed { unlink(temporary) }
            }
        }
        let shown = unnamed ? path : temporary
        try produce { bytes in
            try bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw FileError(path: shown, operation: "write", code: errno)
                    }
                    offset += n
                }
            }
        }
        if durable, fsync(fd) != 0 { throw FileError(path: shown, operation: "fsync", code: errno) }
        if unnamed {
            let handle = "/proc/self/fd/" + String(fd)
            if linkat(AT_FDCWD, handle, AT_FDCWD, path, AT_SYMLINK_FOLLOW) != 0 {
                guard errno == EEXIST else {
                    // Linking by descriptor is refused here (a sandbox, an odd /proc): from
                    // now on use named temporaries, starting with this write again.
                    unnamedFilesWork.withLock { $0 = false }
                    close(fd)
                    ok = true
                    try write(to: path, durable: durable, directoryExists: true, produce)
                    return
                }
                // Replacing a file: give the finished file a temporary name, rename it over.
                var linked = false
                for _ in 0..<100 {
                    temporary = nextTemporaryName(in: directory)
                    if linkat(AT_FDCWD, handle, AT_FDCWD, temporary, AT_SYMLINK_FOLLOW) == 0 {
                        linked = true
                        break
                    }
                    if errno != EEXIST { break }
                }
                guard linked else { throw FileError(path: temporary, operation: "link", code: errno) }
                unnamed = false
            }
        }
        ok = true
        close(fd)
        if !unnamed {
            guard rename(temporary, path) == 0 else {
                let code = errno
                unlink(temporary)
                throw FileError(path: path, operation: "rename", code: code)
            }
        }
        if durable { fsyncDirectory(directory) }
    }

    /// A new, empty temporary file beside the target, and its name.
    private static func createTemporary(in directory: String) throws -> (Int32, String) {
        // Unique per process and call (a random UUID cost a read of /dev/urandom per file);
        // O_EXCL guards against a leftover of a killed process that had the same pid.
        var temporary = ""
        for _ in 0..<100 {
            temporary = nextTemporaryName(in: directory)
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 { return (fd, temporary) }
            if errno != EEXIST { break }
        }
        throw FileError(path: temporary, operation: "create", code: errno)
    }

    private static func nextTemporaryName(in directory: String) -> String {
        directory + "/.sessionsync-tmp-" + processID + "-" + String(nextTemporaryNumber())
    }

    /// `O_TMPFILE`, which Swift does not import (a macro of two flags): `__O_TMPFILE | O_DIRECTORY`.
    private static let oTmpFile: Int32 = 0o20_000_000 | O_DIRECTORY

    /// Whether unnamed files can be linked by their descriptor's `/proc` path (no special
    /// privilege needed, unlike `AT_EMPTY_PATH`); turned off for the rest of the process the
    /// first time a link is refused. A file system without `O_TMPFILE` refuses the open, and
    /// that write takes the named-temporary path.
    private static let unnamedFilesWork: Locked<Bool> = {
        #if os(Linux)
            return Locked(access("/proc/self/fd", X_OK) == 0)
        #else
            return Locked(false)
        #endif
    }()

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
