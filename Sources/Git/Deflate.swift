import CZlib

/// One zlib deflate stream, reset for every object, so a batch pays for zlib's state (about
/// 270 KiB of window and hash tables) once instead of once per object. The `z_stream` lives at
/// a fixed address because zlib keeps a pointer back to it; this class is its only owner.
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>

    /// `level` is zlib's: `Z_BEST_SPEED` for bulk writes, where the pack is rewritten by a
    /// later `git gc` anyway and time matters more than a few percent of size.
    init(level: Int32 = Z_BEST_SPEED) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let result = sessionsync_deflate_init(stream, level)
        guard result == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw Self.error(result, nil, "deflateInit")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Appends the zlib stream of `input` (header, deflated data, Adler-32) to `output`.
    func deflate(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws {
        // zlib counts in 32 bits; one call could not take more, and no session document nears it.
        guard input.count < Int(UInt32.max) / 2 else {
            throw GitError(code: .invalid, message: "object of \(input.count) bytes is too large", operation: "deflate")
        }
        try check(deflateReset(stream), "deflateReset")
        let bound = Int(deflateBound(stream, uLong(input.count)))
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        let produced = try output.withUnsafeMutableBufferPointer { buffer -> Int in
            var zero: UInt8 = 0
            // zlib never writes through `next_in`; its type is only non-const for old compilers.
            let inputBase = input.baseAddress.map {
                UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self))
            }
            return try withUnsafeMutablePointer(to: &zero) { empty in
                stream.pointee.next_in = inputBase ?? empty
                stream.pointee.avail_in = uInt(input.count)
                stream.pointee.next_out = buffer.baseAddress! + start
                stream.pointee.avail_out = uInt(bound)
                // deflateBound guarantees that one call with Z_FINISH completes the stream.
                let result = CZlib.deflate(stream, Z_FINISH)
                defer {
                    stream.pointee.next_in = nil
                    stream.pointee.next_out = nil
                }
                guard result == Z_STREAM_END else { throw Self.error(result, stream.pointee.msg, "deflate") }
                return bound - Int(stream.pointee.avail_out)
            }
        }
        output.removeLast(bound - produced)
    }

    private func check(_ result: Int32, _ operation: String) throws {
        guard result == Z_OK else { throw Self.error(result, stream.pointee.msg, operation) }
    }

    /// zlib's return codes are not libgit2's, so they do not go through `check` (which would
    /// read an unrelated `git_error_last()`); they still become the layer's one error type.
    private static func error(_ result: Int32, _ message: UnsafeMutablePointer<CChar>?, _ operation: String) -> GitError
    {
        GitError(
            code: .other(result), message: message.map { String(cString: $0) } ?? "zlib returned \(result)",
            operation: operation)
    }
}
