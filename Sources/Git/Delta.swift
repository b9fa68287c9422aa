/// Builds git deltas (the payload of a pack's OFS_DELTA entries): the base size and result size
/// as varints, then instructions that either copy a range of the base or insert literal bytes.
///
/// Cheap by design, because it runs once per object while a batch is written: a common prefix
/// and common suffix (exact and nearly optimal for a tree in which one entry changed), and for
/// the changed middle a block matcher in the spirit of git's diff-delta: the base is indexed in
/// 16-byte blocks, the target is scanned byte by byte for a block that occurs in the base, and
/// each hit is extended both ways. That catches a JSON document that grew in several places.
enum Delta {
    /// Bytes per indexed block of the base; also the shortest match the scan can find.
    private static let blockSize = 16
    /// A copy instruction costs up to 8 bytes; shorter matches stay literal.
    private static let minimumCopy = 24
    /// Longest copy per instruction. Readers accept 24-bit sizes, but git itself never writes
    /// more than 64 KiB per copy, so neither do we.
    private static let maximumCopy = 0x10000
    /// A changed middle shorter than this is inserted as it is; indexing the base would cost
    /// more than it could save.
    private static let minimumMatchedMiddle = 64

    /// The delta that turns `base` into `target`, or nil if it would not be shorter than `limit`
    /// bytes (then storing the object whole is better).
    static func make(base: [UInt8], target: [UInt8], limit: Int) -> [UInt8]? {
        guard limit > 0 else { return nil }
        return base.withUnsafeBufferPointer { base in
            target.withUnsafeBufferPointer { target in
                var encoder = Encoder(base: base, target: target, limit: limit)
                return encoder.encode() ? encoder.out : nil
            }
        }
    }

    private struct Encoder {
        let base: UnsafeBufferPointer<UInt8>
        let target: UnsafeBufferPointer<UInt8>
        let limit: Int
        var out: [UInt8] = []

        init(base: UnsafeBufferPointer<UInt8>, target: UnsafeBufferPointer<UInt8>, limit: Int) {
            self.base = base
            self.target = target
            self.limit = limit
            out.reserveCapacity(min(limit, 256))
        }

        /// False as soon as the delta reaches `limit`.
        mutating func encode() -> Bool {
            appendVarint(base.count)
            appendVarint(target.count)
            let prefix = commonPrefix()
            let suffix = commonSuffix(after: prefix)
            let middleEnd = target.count - suffix
            guard appendCopy(from: 0, count: prefix) else { return false }
            if middleEnd - prefix >= Delta.minimumMatchedMiddle && base.count >= Delta.minimumMatchedMiddle {
                guard matchMiddle(from: prefix, to: middleEnd) else { return false }
            } else {
                guard appendInsert(from: prefix, to: middleEnd) else { return false }
            }
            return appendCopy(from: base.count - suffix, count: suffix)
        }

        private func commonPrefix() -> Int {
            let limit = min(base.count, target.count)
            var index = 0
            // Eight bytes at a time first; the byte loop finishes the last partial word.
            let raw = (UnsafeRawPointer(base.baseAddress), UnsafeRawPointer(target.baseAddress))
            if let b = raw.0, let t = raw.1 {
                while index + 8 <= limit
                    && b.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                        == t.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                {
                    index += 8
                }
            }
            while index < limit && base[index] == target[index] { index += 1 }
            return index
        }

        /// The common suffix, not overlapping the prefix in either buffer.
        private func commonSuffix(after prefix: Int) -> Int {
            let limit = min(base.count, target.count) - prefix
            var length = 0
            while length < limit && base[base.count - 1 - length] == target[target.count - 1 - length] {
                length += 1
            }
            return length
        }

        /// Encodes `target[start..<end]` with copies of blocks found anywhere in the base.
        private mutating func matchMiddle(from start: Int, to end: Int) -> Bool {
            let index = BlockIndex(base)
            let targetRaw = UnsafeRawPointer(target.baseAddress!)
            var literalStart = start
            var position = start
            while position + Delta.blockSize <= end {
                guard let candidate = index.lookup(targetRaw + position),
                    memoryEqual(base.baseAddress! + candidate, target.baseAddress! + position, Delta.blockSize)
                else {
                    position += 1
                    continue
                }
                var baseStart = candidate
                var targetStart = position
                var length = Delta.blockSize
                while targetStart + length < end && baseStart + length < base.count
                    && base[baseStart + length] == target[targetStart + length]
                {
                    length += 1
                }
                while targetStart > literalStart && baseStart > 0 && base[baseStart - 1] == target[targetStart - 1] {
                    targetStart -= 1
                    baseStart -= 1
                    length += 1
                }
                guard length >= Delta.minimumCopy else {
                    position += 1
                    continue
                }
                guard appendInsert(from: literalStart, to: targetStart), appendCopy(from: baseStart, count: length)
                else { return false }
                position = targetStart + length
                literalStart = position
            }
            return appendInsert(from: literalStart, to: end)
        }

        private func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
            for offset in 0..<count where a[offset] != b[offset] { return false }
            return true
        }

        private mutating func appendVarint(_ value: Int) {
            var rest = value
            while rest >= 0x80 {
                out.append(UInt8(rest & 0x7f) | 0x80)
                rest >>= 7
            }
            out.append(UInt8(rest))
        }

        /// Copy instructions: `1oooossss` flags saying which offset and size bytes follow.
        private mutating func appendCopy(from offset: Int, count: Int) -> Bool {
            var offset = offset
            var remaining = count
            while remaining > 0 {
                let size = min(remaining, Delta.maximumCopy)
                var command: UInt8 = 0x80
                let commandIndex = out.count
                out.append(0)
                for byte in 0..<4 {
                    let value = UInt8(truncatingIfNeeded: offset >> (8 * byte))
                    if value != 0 {
                        command |= 1 << byte
                        out.append(value)
                    }
                }
                for byte in 0..<3 {
                    let value = UInt8(truncatingIfNeeded: size >> (8 * byte))
                    if value != 0 {
                        command |= 0x10 << byte
                        out.append(value)
                    }
                }
                out[commandIndex] = command
                offset += size
                remaining -= size
                if out.count >= limit { return false }
            }
            return true
        }

        /// Insert instructions: a length of 1...127, then that many literal bytes.
        private mutating func appendInsert(from start: Int, to end: Int) -> Bool {
            var position = start
            while position < end {
                let length = min(end - position, 127)
                if out.count + 1 + length >= limit { return false }
                out.append(UInt8(length))
                out.append(contentsOf: UnsafeBufferPointer(rebasing: target[position..<position + length]))
                position += length
            }
            return true
        }
    }

    /// Where each 16-byte block of the base starts, by a hash of its bytes. One slot per bucket:
    /// a collision loses a block, which costs compression, never correctness (hits are compared).
    private struct BlockIndex {
        private var slots: [Int32]
        private let shift: UInt64

        init(_ base: UnsafeBufferPointer<UInt8>) {
            let blocks = base.count / Delta.blockSize
            var bits: UInt64 = 4
            while (1 << bits) < 2 * blocks { bits += 1 }
            shift = 64 - bits
            slots = [Int32](repeating: -1, count: 1 << bits)
            let raw = UnsafeRawPointer(base.baseAddress!)
            // Walked backwards so that the first occurrence of a repeated block wins.
            for block in stride(from: blocks - 1, through: 0, by: -1) {
                let offset = block * Delta.blockSize
                slots[Int(Self.hash(raw + offset, shift))] = Int32(offset)
            }
        }

        func lookup(_ bytes: UnsafeRawPointer) -> Int? {
            let slot = slots[Int(Self.hash(bytes, shift))]
            return slot < 0 ? nil : Int(slot)
        }

        private static func hash(_ bytes: UnsafeRawPointer, _ shift: UInt64) -> UInt64 {
            let first = bytes.loadUnaligned(as: UInt64.self)
            let second = bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            return ((first &* 0x9E37_79B9_7F4A_7C15) ^ (second &* 0xC2B2_AE3D_27D4_EB4F)) >> shift
        }
    }
}
