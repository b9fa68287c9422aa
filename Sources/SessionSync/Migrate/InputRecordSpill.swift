import Foundation
import LegacyFormats

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The input records of a run, kept in an unlinked temporary file while the run converts, so
/// that a migration of a million inputs holds a few bytes per input in memory instead of every
/// path, warning and error. Records are written by whichever worker converted the input and
/// read back in report order, as they were converted: each pass over them resolves them
/// again (see ``ReportInputs``), which is cheaper than writing them back resolved.
///
/// If no temporary file can be made (an unwritable `TMPDIR`), records stay in memory: the run
/// still works, it only loses the flat memory profile.
final class InputRecordSpill: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var end: Int = 0
    /// Per input index: offset in the file (or -1) and length.
    private var offsets: [Int]
    private var lengths: [Int32]
    private var inMemory: [Int: InputRecord] = [:]

    /// `count`: the inputs expected, if known (the tables grow as records of later inputs
    /// arrive: a migration converts while its walk still finds inputs).
    init(count: Int = 0) {
        offsets = [Int](repeating: -1, count: count)
        lengths = [Int32](repeating: 0, count: count)
        fd = AnonymousFile.make(prefix: "sessionsync-report")
    }

    /// Makes room in the per-input tables for input `index`. Called under the lock.
    private func grow(toHold index: Int) {
        guard index >= offsets.count else { return }
        let more = index + 1 - offsets.count
        offsets += repeatElement(-1, count: more)
        lengths += repeatElement(0, count: more)
    }

    deinit { if fd >= 0 { close(fd) } }

    func store(_ record: InputRecord, at index: Int) {
        guard fd >= 0 else {
            lock.withLock {
                grow(toHold: index)
                inMemory[index] = record
            }
            return
        }
        var writer = RecordWriter()
        writer.put(record)
        let bytes = writer.bytes
        lock.withLock {
            grow(toHold: index)
            pendingRecords.append((index, pending.count, bytes.count, record))
            pending.append(contentsOf: bytes)
            if pending.count >= Self.windowSize { writePending() }
        }
    }

    /// Records stored but not yet in the file: workers' records are written in batches of
    /// ``windowSize`` (one write per few hundred inputs, not one per input). Each keeps its
    /// record until written, so a failed write (a full disk) keeps them in memory instead.
    private var pending: [UInt8] = []
    private var pendingRecords: [(index: Int, offset: Int, length: Int, record: InputRecord)] = []

    /// Writes the pending records at the end of the file. Called under the lock.
    private func writePending() {
        if pending.isEmpty { return }
        if !append(pending, placing: pendingRecords.lazy.map { ($0.index, $0.offset, $0.length) }) {
            for p in pendingRecords { inMemory[p.index] = p.record }
        }
        pending.removeAll(keepingCapacity: true)
        pendingRecords.removeAll(keepingCapacity: true)
    }

    /// Writes `batch` at the end of the file and points each input of `places` at its record
    /// in it (`offset` within the batch); false, changing nothing, if the write fails. Called
    /// under the lock.
    private func append(_ batch: [UInt8], placing places: some Sequence<(index: Int, offset: Int, length: Int)>)
        -> Bool
    {
        let base = end
        guard writeAll(batch, at: base) else { return false }
        end += batch.count
        for p in places {
            offsets[p.index] = base + p.offset
            lengths[p.index] = Int32(p.length)
        }
        return true
    }

    func record(at index: Int) -> InputRecord? {
        lock.withLock { () -> InputRecord? in
            writePending()
            if let memory = inMemory[index] { return memory }
            let offset = offsets[index]
            let length = Int(lengths[index])
            guard offset >= 0, let bytes = readBytes(at: offset, length: length) else { return nil }
            var reader = RecordReader(bytes)
            return reader.inputRecord()
        }
    }

    /// Writes all of `bytes` at `offset` of the file; false on an error (a full disk).
    private func writeAll(_ bytes: [UInt8], at offset: Int) -> Bool {
        bytes.withUnsafeBytes { AnonymousFile.writeAll($0, to: fd, at: offset) }
    }

    /// Records are read back in report order, which is nearly the order they were written in
    /// (walk order, give or take the workers' interleaving): reads go through a window of the
    /// file, so a pass over a run's records costs a few hundred reads, not one per record.
    private var window: [UInt8] = []
    private var windowOffset = 0
    private static let windowSize = 256 << 10

    private func readBytes(at offset: Int, length: Int) -> ArraySlice<UInt8>? {
        if offset < windowOffset || offset + length > windowOffset + window.count {
            let size = max(length, Self.windowSize)
            var fresh = [UInt8](repeating: 0, count: size)
            let filled = fresh.withUnsafeMutableBytes { AnonymousFile.read(fd, at: offset, into: $0) } ?? 0
            guard filled >= length else { return nil }
            fresh.removeSubrange(filled...)
            window = fresh
            windowOffset = offset
        }
        let start = offset - windowOffset
        return window[start..<(start + length)]
    }
}

// MARK: - Encoding

/// A compact binary form of an input record, private to the spill file (never stored for
/// long, never read by another version).
private struct RecordWriter {
    var bytes: [UInt8] = []

    mutating func int(_ v: Int) {
        var u = UInt64(bitPattern: Int64(v))
        while u >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: u) | 0x80)
            u >>= 7
        }
        bytes.append(UInt8(u))
    }

    mutating func string(_ s: String) {
        int(s.utf8.count)
        bytes.append(contentsOf: s.utf8)
    }

    mutating func optional(_ s: String?) {
        if let s {
            bytes.append(1)
            string(s)
        } else {
            bytes.append(0)
        }
    }

    mutating func put(_ r: InputRecord) {
        string(r.path)
        optional(r.format)
        string(r.outcome.rawValue)
        optional(r.note)
        if let e = r.error {
            bytes.append(1)
            string(e.file)
            string(e.location)
            string(e.reason)
        } else {
            bytes.append(0)
        }
        int(r.warnings.count)
        for w in r.warnings {
            string(w.code)
            string(w.location)
            string(w.message)
        }
        int(r.sessions.count)
        for s in r.sessions {
            string(s.sessionID)
            optional(s.legacyID)
            optional(s.name)
            int(s.auditEntries)
            int(s.locks)
            string(s.status.rawValue)
            optional(s.supersededBy)
            bytes.append(s.differsFromMigrated.map { $0 ? 2 : 1 } ?? 0)
            string(s.digestForComparison)
        }
    }
}

private struct RecordReader {
    let bytes: ArraySlice<UInt8>
    var i: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        i = bytes.startIndex
    }

    mutating func byte() -> UInt8 {
        defer { i += 1 }
        return bytes[i]
    }

    mutating func int() -> Int {
        var u: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = byte()
            u |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        return Int(Int64(bitPattern: u))
    }

    mutating func string() -> String {
        let n = int()
        defer { i += n }
        return String(decoding: bytes[i..<(i + n)], as: UTF8.self)
    }

    mutating func optional() -> String? { byte() == 1 ? string() : nil }

    mutating func inputRecord() -> InputRecord {
        let path = string()
        let format = optional()
        var r = InputRecord(path: path, format: format, outcome: InputRecord.Outcome(rawValue: string()) ?? .failed)
        r.note = optional()
        if byte() == 1 {
            r.error = FormatError(file: string(), location: string(), reason: string())
        }
        let warnings = int()
        r.warnings.reserveCapacity(warnings)
        for _ in 0..<warnings { r.warnings.append(ImportWarning(string(), string(), string())) }
        let sessions = int()
        for _ in 0..<sessions {
            let id = string()
            let legacy = optional()
            let name = optional()
            let entries = int()
            let locks = int()
            let status = SessionRecord.Status(rawValue: string()) ?? .planned
            let supersededBy = optional()
            let differs = byte()
            var s = SessionRecord(
                sessionID: id, legacyID: legacy, name: name, auditEntries: entries, locks: locks, status: status,
                digestForComparison: "")
            s.supersededBy = supersededBy
            s.differsFromMigrated = differs == 0 ? nil : differs == 2
            s.digestForComparison = string()
            r.sessions.append(s)
        }
        return r
    }
}
