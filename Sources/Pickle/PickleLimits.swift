/// Bounds that keep decoding of hostile input finite in time and memory.
///
/// Every limit is enforced with a `PickleError` naming the limit, the byte offset and the opcode;
/// none of them is reached by ordinary application pickles (the ALchemist store entries use a few
/// hundred memo entries, a stack of a few dozen and a nesting depth around twenty).
public struct PickleLimits: Sendable, Equatable {
    /// Largest accepted input, in bytes.
    public var maxInputBytes: Int
    /// Largest number of values (plus marks) on the unpickling stack at once.
    public var maxStackDepth: Int
    /// Largest number of memo entries.
    public var maxMemoEntries: Int
    /// Largest number of values in the decoded tree, counting every use of a memoized value, so a
    /// "billion laughs" pickle (lists made of references to the previous list) is refused.
    public var maxOutputValues: Int
    /// Deepest nesting of containers/objects in the decoded tree. Kept moderate because consumers
    /// (equality, interpretation, deinitialisation) walk the tree recursively.
    public var maxNestingDepth: Int

    public init(
        maxInputBytes: Int = 64 << 20, maxStackDepth: Int = 100_000, maxMemoEntries: Int = 1_000_000,
        maxOutputValues: Int = 10_000_000, maxNestingDepth: Int = 200
    ) {
        self.maxInputBytes = maxInputBytes
        self.maxStackDepth = maxStackDepth
        self.maxMemoEntries = maxMemoEntries
        self.maxOutputValues = maxOutputValues
        self.maxNestingDepth = maxNestingDepth
    }

    /// The defaults: 64 MiB input, 100 000 stack entries, 1 000 000 memo entries,
    /// 10 000 000 output values, nesting depth 200.
    public static let `default` = PickleLimits()
}

/// Why a pickle was refused, with the byte offset and opcode where it happened.
///
/// The only error type of the `Pickle` module; `description` is a single line suitable for a report.
public struct PickleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The specific reason.
    public enum Reason: Sendable, Equatable {
        case inputTooLarge(size: Int, limit: Int)
        /// The stream ended inside an opcode or before `STOP`.
        case truncated
        case unknownOpcode(UInt8)
        case unsupportedProtocol(Int)
        /// A valid opcode that this data-only decoder refuses on purpose (persistent IDs,
        /// extension codes, out-of-band buffers).
        case refusedOpcode(String)
        /// An opcode needed more values than the stack (above the current mark) holds.
        case stackUnderflow
        case stackTooDeep(limit: Int)
        /// An opcode needed a `MARK` and there was none.
        case markMissing
        case memoTooLarge(limit: Int)
        case memoKeyMissing(Int)
        case outputTooLarge(limit: Int)
        case nestingTooDeep(limit: Int)
        /// The operands are not what the opcode requires (bad text, wrong types, odd counts).
        case malformed(String)
    }

    public let reason: Reason
    /// Byte offset of the opcode (or of the value) where the problem was found.
    public let offset: Int
    /// Name of that opcode as `pickletools` spells it, when known.
    public let opcode: String?

    public init(_ reason: Reason, offset: Int, opcode: String?) {
        self.reason = reason
        self.offset = offset
        self.opcode = opcode
    }

    public var description: String {
        let what: String
        switch reason {
        case .inputTooLarge(let size, let limit): what = "input of \(size) bytes exceeds the limit of \(limit) bytes"
        case .truncated: what = "pickle data was truncated"
        case .unknownOpcode(let byte): what = "unknown opcode byte 0x\(String(byte, radix: 16))"
        case .unsupportedProtocol(let version): what = "unsupported pickle protocol \(version)"
        case .refusedOpcode(let why): what = "refused: \(why)"
        case .stackUnderflow: what = "unpickling stack underflow"
        case .stackTooDeep(let limit): what = "stack deeper than the limit of \(limit)"
        case .markMissing: what = "could not find MARK"
        case .memoTooLarge(let limit): what = "memo larger than the limit of \(limit) entries"
        case .memoKeyMissing(let key): what = "memo key \(key) is missing"
        case .outputTooLarge(let limit): what = "decoded tree exceeds the limit of \(limit) values"
        case .nestingTooDeep(let limit): what = "nesting deeper than the limit of \(limit)"
        case .malformed(let why): what = why
        }
        let at = opcode.map { " (\($0))" } ?? ""
        return "pickle: \(what) at byte \(offset)\(at)"
    }
}
