import Foundation
import SessionModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The report's `inputs` array, rendered to canonical bytes by the same pass that counts the
/// totals, and kept in an unnamed temporary file: writing the report is then a copy, not a
/// second pass that reads every record back from the spill file and resolves it again (that
/// second pass was most of the time a bulk run spent after its last conversion).
///
/// Holds exactly the bytes between the array's `[` and its closing `\n  ]` in the canonical
/// report: each record at level 2, preceded by `\n    ` and, after the first, by `,`.
/// Filled by one thread (the counting pass), then only read: hence `@unchecked Sendable`.
final class RenderedReportInputs: @unchecked Sendable {
    private let fd: Int32
    private var buffer = ByteBuffer(capacity: RenderedReportInputs.batchSize + (1 << 12))
    /// Bytes already in the file.
    private var written = 0
    /// Records rendered so far (every one after the first is preceded by a comma).
    private var records = 0
    /// A write failed (a full disk): the report falls back to rendering on the way out.
    private var failed = false

    static let batchSize = 256 << 10

    /// Nil if no temporary file can be made (the report is then rendered when written).
    init?() {
        fd = AnonymousFile.make(prefix: "sessionsync-rendered")
        if fd < 0 { return nil }
    }

    deinit { close(fd) }

    /// Renders the next input of the report.
    func append(_ record: InputRecord) {
        if records > 0 { buffer.append(UInt8(ascii: ",")) }
        buffer.append("\n    ")
        record.writeCanonical(level: 2, into: &buffer)
        records += 1
        if buffer.count >= Self.batchSize { flush() }
    }

    /// Writes what is buffered; false if any write so far has failed.
    func finish() -> Bool {
        flush()
        return !failed
    }

    private func flush() {
        guard !failed, buffer.count > 0 else { return }
        let ok = buffer.withUnsafeBytes { AnonymousFile.writeAll(UnsafeRawBufferPointer($0), to: fd, at: written) }
        if ok { written += buffer.count } else { failed = true }
        buffer.removeAll()
    }

    /// Emits the rendered bytes in chunks of ``batchSize``. Throws if the file cannot be read
    /// back whole (the report writer then leaves no file behind).
    func emit(_ emit: ([UInt8]) throws -> Void) throws {
        var offset = 0
        while offset < written {
            let size = min(Self.batchSize, written - offset)
            var chunk = [UInt8](repeating: 0, count: size)
            let got = chunk.withUnsafeMutableBytes { AnonymousFile.read(fd, at: offset, into: $0) }
            guard got == size else {
                throw FileError(path: "the report's temporary file", operation: "read", code: got == nil ? errno : EIO)
            }
            try emit(chunk)
            offset += size
        }
    }
}
