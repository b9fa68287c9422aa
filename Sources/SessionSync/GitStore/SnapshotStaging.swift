import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where snapshot bytes wait between conversion (parallel) and committing (in timeline order):
/// one append-only scratch file, so memory stays flat however many sessions a run holds, and
/// no file is created per session (this disk creates only a couple of thousand files a second).
/// The file is unlinked as soon as it is open, so nothing is left behind even on SIGKILL.
final class SnapshotStaging: @unchecked Sendable {
    struct Location: Sendable {
        var offset: Int64
        var length: Int
    }

    private let fd: Int32
    private var end: Int64 = 0
    private let lock = NSLock()

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/sessionsync-staging-" + UUID().uuidString
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError(path: path, operation: "create", code: errno) }
        unlink(path)
    }

    deinit { close(fd) }

    func append(_ bytes: [UInt8]) throws -> Location {
        lock.lock()
        defer { lock.unlock() }
        let offset = end
        var written = 0
        try bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = pwrite(fd, raw.baseAddress! + written, raw.count - written, off_t(offset) + off_t(written))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileError(path: "staging file", operation: "write", code: errno)
                }
                written += n
            }
        }
        end += Int64(bytes.count)
        return Location(offset: offset, length: bytes.count)
    }

    func read(_ location: Location) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: location.length)
        var done = 0
        try out.withUnsafeMutableBytes { raw in
            while done < location.length {
                let n = pread(fd, raw.baseAddress! + done, location.length - done, off_t(location.offset) + off_t(done))
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    throw FileError(path: "staging file", operation: "read", code: n < 0 ? errno : EIO)
                }
                done += n
            }
        }
        return out
    }
}
