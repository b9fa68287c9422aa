import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A temporary file with no name, under `TMPDIR` (default `/tmp`): it disappears when its
/// descriptor is closed, even if the process is killed. A run's scratch data (its input
/// records, its rendered report) lives in such files, so memory does not grow with the run.
enum AnonymousFile {
    /// An open descriptor, or -1 if no file can be made there (an unwritable `TMPDIR`).
    static func make(prefix: String) -> Int32 {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/." + prefix + "-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return -1 }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    /// Writes all of `bytes` at `offset` of `fd`; false on an error (a full disk).
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32, at offset: Int) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            done += n
        }
        return true
    }

    /// Reads up to `count` bytes at `offset` of `fd` into `buffer`: how many it read (fewer
    /// only at the end of the file), or nil on an error.
    static func read(_ fd: Int32, at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            done += n
        }
        return done
    }
}
