/// An exact signed integer of any size, as produced by the pickle `LONG`, `LONG1`, `LONG4` and
/// `INT`/`LONG` text opcodes when the value does not fit in `Int`.
///
/// Only what the decoder and its consumers need is implemented: construction from two's
/// complement bytes or decimal text, conversion back to decimal text and to `Int` when it fits.
/// No arithmetic is offered on purpose: pickled big integers are data to be carried, not computed.
public struct PickleBigInt: Sendable, Hashable, CustomStringConvertible {
    /// True for values below zero; never true for zero.
    public let isNegative: Bool
    /// Magnitude as little-endian 32-bit limbs, without high zero limbs (empty for zero).
    public let magnitude: [UInt32]

    /// Builds a value from a sign and little-endian limbs, normalising away high zero limbs.
    public init(isNegative: Bool, magnitude: [UInt32]) {
        var limbs = magnitude
        while let last = limbs.last, last == 0 { limbs.removeLast() }
        self.magnitude = limbs
        self.isNegative = limbs.isEmpty ? false : isNegative
    }

    /// Decodes little-endian two's complement bytes, the encoding of `LONG1`/`LONG4`.
    public init<Bytes: Collection>(twosComplementLittleEndian bytes: Bytes) where Bytes.Element == UInt8 {
        var raw = Array(bytes)
        guard let lastByte = raw.last else {
            self.init(isNegative: false, magnitude: [])
            return
        }
        let negative = lastByte & 0x80 != 0
        if negative {
            // Negate (invert and add one) to obtain the magnitude.
            var carry: UInt16 = 1
            for index in raw.indices {
                let sum = UInt16(~raw[index]) + carry
                raw[index] = UInt8(truncatingIfNeeded: sum)
                carry = sum >> 8
            }
        }
        var limbs = [UInt32](repeating: 0, count: (raw.count + 3) / 4)
        for (index, byte) in raw.enumerated() {
            limbs[index / 4] |= UInt32(byte) << (8 * UInt32(index % 4))
        }
        self.init(isNegative: negative, magnitude: limbs)
    }

    /// Parses an optional sign followed by decimal digits; anything else gives nil.
    public init?(decimal text: Substring) {
        var digits = text
        var negative = false
        if digits.first == "-" || digits.first == "+" {
            negative = digits.first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var limbs: [UInt32] = []
        for character in digits.utf8 {
            guard character >= 48, character <= 57 else { return nil }
            var carry = UInt64(character - 48)
            for index in limbs.indices {
                let product = UInt64(limbs[index]) * 10 + carry
                limbs[index] = UInt32(truncatingIfNeeded: product)
                carry = product >> 32
            }
            if carry != 0 { limbs.append(UInt32(carry)) }
        }
        self.init(isNegative: negative, magnitude: limbs)
    }

    /// The value as `Int` when it fits.
    public var intValue: Int? {
        guard magnitude.count <= 2 else { return nil }
        var unsigned: UInt64 = 0
        for (index, limb) in magnitude.enumerated() { unsigned |= UInt64(limb) << (32 * UInt64(index)) }
        if isNegative {
            if unsigned <= UInt64(Int64.max) { return -Int(unsigned) }
            if unsigned == UInt64(Int64.max) + 1 { return Int.min }
            return nil
        }
        return unsigned <= UInt64(Int64.max) ? Int(unsigned) : nil
    }

    /// The value rounded to a `Double`, for consumers that only need its magnitude.
    public var doubleValue: Double {
        var result = 0.0
        for limb in magnitude.reversed() { result = result * 4_294_967_296.0 + Double(limb) }
        return isNegative ? -result : result
    }

    /// Decimal text, the same as Python's `str(int)`.
    public var description: String {
        if magnitude.isEmpty { return "0" }
        var limbs = magnitude
        var chunks: [UInt32] = []  // base 10^9, least significant first
        while !limbs.isEmpty {
            var remainder: UInt64 = 0
            for index in limbs.indices.reversed() {
                let current = (remainder << 32) | UInt64(limbs[index])
                limbs[index] = UInt32(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while let last = limbs.last, last == 0 { limbs.removeLast() }
        }
        var text = isNegative ? "-" : ""
        text += String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let part = String(chunk)
            text += String(repeating: "0", count: 9 - part.count) + part
        }
        return text
    }
}
