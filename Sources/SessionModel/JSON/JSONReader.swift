#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads JSON the way the legacy apps really wrote it, and refuses the rest precisely.
///
/// Python's `json` module writes bare `NaN`, `Infinity` and `-Infinity` tokens by default and
/// keeps the last of duplicate keys; the lenient mode accepts both and reports them as
/// warnings so the migration report can count them. Every refusal names the line, the column
/// (in Unicode scalars, as Python counts) and the reason. Nesting is bounded by
/// ``JSONReadOptions/maxDepth`` so that a hostile 100,000-deep array is an error, not a stack
/// overflow: the reader recurses once per level, and so does everything that later walks the
/// value, so the bound protects them all.
public struct JSONReader {
    /// Reads one JSON document from `bytes`.
    public static func read(_ bytes: [UInt8], options: JSONReadOptions = .legacy) throws(JSONSyntaxError)
        -> JSONDocument
    {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) -> JSONDocument in
            try read(buffer, options: options)
        }
    }

    /// Reads one JSON document from a slice (e.g. one line of a JSONL file).
    public static func read(_ bytes: ArraySlice<UInt8>, options: JSONReadOptions = .legacy) throws(JSONSyntaxError)
        -> JSONDocument
    {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) -> JSONDocument in
            try read(buffer, options: options)
        }
    }

    public static func read(_ buffer: UnsafeBufferPointer<UInt8>, options: JSONReadOptions) throws(JSONSyntaxError)
        -> JSONDocument
    {
        let workspace = ReaderWorkspace.take()
        defer { ReaderWorkspace.giveBack(workspace) }
        var parser = Parser(bytes: buffer, options: options, workspace: workspace)
        return try parser.parseDocument()
    }

    /// Reads a document that must be an object, validating all of it (as ``read(_:options:)``
    /// would) but building only the top-level members whose key `keep` accepts: a detector
    /// that needs three keys of a large file does not build its whole tree. Nil when the
    /// document is valid but not an object. Duplicate keys: the last one wins.
    public static func topLevelMembers(
        _ bytes: [UInt8], options: JSONReadOptions = .legacy, keep: (String) -> Bool
    ) throws(JSONSyntaxError) -> JSONObject? {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) -> JSONObject? in
            let workspace = ReaderWorkspace.take()
            defer { ReaderWorkspace.giveBack(workspace) }
            var parser = Parser(bytes: buffer, options: options, workspace: workspace)
            return try parser.parseShallowDocument(keep: keep)
        }
    }

    /// Reads a document from a Swift string.
    public static func read(_ text: String, options: JSONReadOptions = .legacy) throws(JSONSyntaxError) -> JSONDocument
    {
        // The string's own UTF-8 storage, not a copy of it (JamBot's JSON columns come as text).
        let result = withUTF8Bytes(of: text) { buffer in
            Result { () throws(JSONSyntaxError) -> JSONDocument in try read(buffer, options: options) }
        }
        return try result.get()
    }
}

/// How lenient the reader is.
public struct JSONReadOptions: Sendable {
    /// Accept Python's bare `NaN`, `Infinity` and `-Infinity` tokens (each is reported).
    public var allowNonFiniteTokens: Bool
    /// Accept duplicate keys, keeping the last value as Python does (each is reported);
    /// otherwise a duplicate key is an error.
    public var allowDuplicateKeys: Bool
    /// The deepest nesting of arrays and objects accepted. Python's own reader gives up near
    /// 1,000 levels, so no app could have written and read back anything deeper than that.
    public var maxDepth: Int
    /// The longest integer literal accepted. Python 3.11 refuses to convert integers of more
    /// than 4,300 digits, so no app could have written a longer one.
    public var maxIntegerDigits: Int

    public init(allowNonFiniteTokens: Bool, allowDuplicateKeys: Bool, maxDepth: Int = 512, maxIntegerDigits: Int = 4300)
    {
        self.allowNonFiniteTokens = allowNonFiniteTokens
        self.allowDuplicateKeys = allowDuplicateKeys
        self.maxDepth = maxDepth
        self.maxIntegerDigits = maxIntegerDigits
    }

    /// What the legacy apps wrote: Python's `json` defaults.
    public static let legacy = JSONReadOptions(allowNonFiniteTokens: true, allowDuplicateKeys: true)
    /// Plain RFC 8259 JSON, as canonical files are.
    public static let strict = JSONReadOptions(allowNonFiniteTokens: false, allowDuplicateKeys: false)
}

/// A parsed document and what the reader had to tolerate to read it.
public struct JSONDocument: Sendable {
    public var value: JSONValue
    public var warnings: [JSONReadWarning]
}

/// Something the lenient reader accepted but the report must mention.
public struct JSONReadWarning: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A key that appeared twice in one object; the last value was kept.
        case duplicateKey(String)
        /// A bare `NaN`, `Infinity` or `-Infinity` token.
        case nonFiniteToken(String)
        /// A float literal too large for a double (read as an infinity, as Python does).
        case floatOverflow(String)
        /// A `\u` escape of an unpaired surrogate, which no UTF-8 text can hold; replaced by U+FFFD.
        case loneSurrogate(String)
    }
    public var kind: Kind
    public var line: Int
    public var column: Int

    public init(kind: Kind, line: Int, column: Int) {
        self.kind = kind
        self.line = line
        self.column = column
    }

    public var description: String {
        let place = "line \(line) column \(column)"
        switch kind {
        case .duplicateKey(let key): return "\(place): duplicate key \"\(key)\" (kept the last value)"
        case .nonFiniteToken(let t): return "\(place): non-finite number \(t)"
        case .floatOverflow(let t): return "\(place): float \(t) is out of range (read as infinity)"
        case .loneSurrogate(let e): return "\(place): unpaired surrogate \(e) replaced by U+FFFD"
        }
    }
}

/// Why a document could not be read, and where.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    /// Byte offset from the start of the input.
    public var offset: Int
    public var reason: String

    public var description: String { "line \(line) column \(column): \(reason)" }
}

/// Computes 1-based line and column (in Unicode scalars) of a byte offset.
func lineAndColumn(in bytes: UnsafeBufferPointer<UInt8>, offset: Int) -> (line: Int, column: Int) {
    var line = 1
    var lineStart = 0
    let end = min(offset, bytes.count)
    var i = 0
    while i < end {
        if bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        i += 1
    }
    var column = 1
    i = lineStart
    while i < end {
        // Count scalar starts only: continuation bytes are 10xxxxxx.
        if bytes[i] & 0xC0 != 0x80 { column += 1 }
        i += 1
    }
    return (line, column)
}

private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    let options: JSONReadOptions
    var index = 0
    var depth = 0
    var warnings: [JSONReadWarning] = []
    /// Where strings with escapes are decoded: the thread's buffer (see ``ReaderWorkspace``),
    /// grown here when a string needs more.
    var scratch: UnsafeMutablePointer<UInt8>
    var scratchCapacity: Int
    var scratchCount = 0
    let workspace: ReaderWorkspace
    let interner: StringInterner
    let elementStack: MoveStack<JSONValue>
    let memberStack: MoveStack<(key: String, value: JSONValue)>
    let keyOffsetStack: MoveStack<Int>
    /// How far lines and columns were counted for the last warning, so that counting for
    /// many warnings (a file with thousands of NaN tokens, even on one line) stays linear.
    var lineCursor = (offset: 0, line: 1, column: 1)

    init(bytes: UnsafeBufferPointer<UInt8>, options: JSONReadOptions, workspace: ReaderWorkspace) {
        self.bytes = bytes
        self.options = options
        interner = workspace.interner
        self.workspace = workspace
        scratch = workspace.scratch
        scratchCapacity = workspace.scratchCapacity
        elementStack = workspace.elementStack
        memberStack = workspace.memberStack
        keyOffsetStack = workspace.keyOffsetStack
    }

    func error(_ reason: String, at offset: Int? = nil) -> JSONSyntaxError {
        let at = offset ?? index
        let (line, column) = lineAndColumn(in: bytes, offset: at)
        return JSONSyntaxError(line: line, column: column, offset: at, reason: reason)
    }

    mutating func warn(_ kind: JSONReadWarning.Kind, at offset: Int) {
        // Warnings mostly come in input order; duplicate keys are reported when their object
        // closes, so an earlier offset can follow a later one: then count from the start.
        if offset < lineCursor.offset { lineCursor = (0, 1, 1) }
        var (i, line, column) = lineCursor
        let end = min(offset, bytes.count)
        // Newlines by memchr (a file with thousands of NaN tokens is scanned once, quickly);
        // the column is counted on the last line only.
        while i < end, let base = bytes.baseAddress, let hit = memchr(base + i, 0x0A, end - i) {
            i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
            line += 1
            column = 1
        }
        while i < end {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        lineCursor = (i, line, column)
        warnings.append(JSONReadWarning(kind: kind, line: line, column: column))
    }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONDocument {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw error("unexpected UTF-8 byte order mark")
        }
        skipWhitespace()
        if index >= bytes.count {
            throw error(bytes.isEmpty ? "empty input" : "no JSON value (only white space)")
        }
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw error("extra data after the JSON value") }
        return JSONDocument(value: value, warnings: warnings)
    }

    mutating func parseShallowDocument(keep: (String) -> Bool) throws(JSONSyntaxError) -> JSONObject? {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw error("unexpected UTF-8 byte order mark")
        }
        skipWhitespace()
        if index >= bytes.count {
            throw error(bytes.isEmpty ? "empty input" : "no JSON value (only white space)")
        }
        var result: JSONObject? = nil
        if bytes[index] == UInt8(ascii: "{") {
            var members: [(key: String, value: JSONValue)] = []
            try scanObject(readKeys: true) { (p, key, _) throws(JSONSyntaxError) in
                if let key, keep(key) { members.append((key, try p.parseValue())) } else { try p.skipValue() }
            }
            result = JSONObject(members)
        } else {
            try skipValue()
        }
        skipWhitespace()
        if index < bytes.count { throw error("extra data after the JSON value") }
        return result
    }

    /// Walks the members of the object at `index`, checking its syntax as ``parseObject()``
    /// does; `member` is called at each value and must consume it. Keys are built only when
    /// `readKeys` is set (else `member` gets nil).
    @inline(__always)
    mutating func scanObject(
        readKeys: Bool, _ member: (inout Parser, String?, _ keyOffset: Int) throws(JSONSyntaxError) -> Void
    ) throws(JSONSyntaxError) {
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object (truncated?)") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a string key in an object, found \(describeByte(at: index))")
            }
            let keyOffset = index
            var key: String? = nil
            if readKeys { key = try parseString() } else { try skipString() }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object (truncated?)") }
            guard bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
            index += 1
            skipWhitespace()
            try member(&self, key, keyOffset)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object (truncated?)") }
            let b = bytes[index]
            index += 1
            if b == UInt8(ascii: ",") { continue }
            if b == UInt8(ascii: "}") { break }
            throw error("expected ',' or '}' in an object", at: index - 1)
        }
        depth -= 1
    }

    /// Checks one value as ``parseValue()`` does, without building it: containers and strings
    /// are scanned in place (strings with escapes, rare, go through the full reader).
    mutating func skipValue() throws(JSONSyntaxError) {
        guard index < bytes.count else { throw error("unexpected end of input (truncated?)") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try scanObject(readKeys: false) { (p, _, _) throws(JSONSyntaxError) in try p.skipValue() }
        case UInt8(ascii: "["):
            try scanArray { (p) throws(JSONSyntaxError) in try p.skipValue() }
        case UInt8(ascii: "\""):
            try skipString()
        default:
            _ = try parseValue()
        }
    }

    /// Advances past bytes a string scan need not look at one by one (plain ASCII, no quote,
    /// backslash or control character), eight at a time.
    @inline(__always)
    mutating func skipPlainStringBytes() {
        guard let base = bytes.baseAddress else { return }
        let end = bytes.count
        var i = index  // (a local: `index` lives in memory, behind `self`)
        while i &+ 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let stops = SWAR.stringScanStops(word)
            if stops != 0 {
                // The lowest flagged byte is the first one the scan must look at.
                index = i &+ stops.trailingZeroBitCount &>> 3
                return
            }
            i &+= 8
        }
        index = i
    }

    mutating func skipString() throws(JSONSyntaxError) {
        let quote = index
        index += 1
        while index < bytes.count {
            skipPlainStringBytes()
            guard index < bytes.count else { break }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return
            }
            if b == UInt8(ascii: "\\") {
                // Checked (and reported) exactly as when read, but decoded into scratch space
                // that is thrown away: no string is made.
                scratchCount = 0
                try parseEscape()
                continue
            }
            if b < 0x20 { throw error("control character \(describeByte(at: index)) in a string") }
            if b >= 0x80 { try skipUTF8Sequence() } else { index += 1 }
        }
        throw error("unterminated string (truncated?)", at: quote)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 } else { return }
        }
    }

    mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input (truncated?)") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "N"):
            let start = index
            try expectLiteral("NaN")
            try nonFinite("NaN", at: start)
            return .float(.nan)
        case UInt8(ascii: "I"):
            let start = index
            try expectLiteral("Infinity")
            try nonFinite("Infinity", at: start)
            return .float(.infinity)
        case UInt8(ascii: "-"):
            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "I") {
                let start = index
                index += 1
                try expectLiteral("Infinity")
                try nonFinite("-Infinity", at: start)
                return .float(-.infinity)
            }
            return try parseNumber()
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw error("unexpected character \(describeByte(at: index))")
        }
    }

    mutating func nonFinite(_ token: String, at start: Int) throws(JSONSyntaxError) {
        guard options.allowNonFiniteTokens else {
            throw error("\(token) is not a JSON number (write it as {\"$number\": \"\(token)\"})", at: start)
        }
        warn(.nonFiniteToken(token), at: start)
    }

    func describeByte(at offset: Int) -> String {
        let b = bytes[offset]
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + String(b, radix: 16, uppercase: true)
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let start = index
        let count = literal.utf8CodeUnitCount
        let ok: Bool = literal.withUTF8Buffer { lit in
            guard index + count <= bytes.count else { return false }
            for i in 0..<count where bytes[index + i] != lit[i] { return false }
            return true
        }
        guard ok else {
            if index + count > bytes.count { throw error("unexpected end of input (truncated?)", at: start) }
            throw error("unexpected character \(describeByte(at: start))", at: start)
        }
        index += count
    }

    mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > options.maxDepth {
            throw error("nesting deeper than \(options.maxDepth) levels")
        }
    }

    mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        // Elements collect on a stack shared by all levels and leave it as one exact-size
        // array: no growing copies per array.
        let base = elementStack.count
        try scanArray { (p) throws(JSONSyntaxError) in
            let value = try p.parseValue()
            p.elementStack.push(value)
        }
        return .array(elementStack.popArray(from: base))
    }

    /// Walks the elements of the array at `index`, checking its syntax; `element` is called
    /// at each element and must consume it.
    @inline(__always)
    mutating func scanArray(_ element: (inout Parser) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an array (truncated?)") }
            let b = bytes[index]
            index += 1
            if b == UInt8(ascii: ",") { continue }
            if b == UInt8(ascii: "]") { break }
            throw error("expected ',' or ']' in an array", at: index - 1)
        }
        depth -= 1
    }

    mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        // Members (and their key offsets, for duplicate-key reports) collect on stacks shared
        // by all levels, as in ``parseArray()``.
        let base = memberStack.count
        try scanObject(readKeys: true) { (p, key, keyOffset) throws(JSONSyntaxError) in
            let value = try p.parseValue()
            p.memberStack.push((key ?? "", value))
            p.keyOffsetStack.push(keyOffset)
        }
        let members = memberStack.popArray(from: base)
        // The key offsets only matter for reporting duplicate keys, which are rare.
        guard JSONObject.mayHaveDuplicateKeys(members) else {
            keyOffsetStack.drop(from: base)
            return .object(JSONObject(uniqueMembers: members))
        }
        let offsets = keyOffsetStack.popArray(from: base)
        return .object(JSONObject(uniqueMembers: try removeDuplicates(members, offsets)))
    }

    /// Keeps the last value of each duplicated key, at the position of its first occurrence
    /// (where Python's dict keeps it).
    mutating func removeDuplicates(_ members: [(key: String, value: JSONValue)], _ offsets: [Int])
        throws(JSONSyntaxError)
        -> [(key: String, value: JSONValue)]
    {
        var result: [(key: String, value: JSONValue)] = []
        var positions: [[UInt8]: Int] = [:]
        for (i, member) in members.enumerated() {
            let k = Array(member.key.utf8)
            if let p = positions[k] {
                guard options.allowDuplicateKeys else {
                    throw error("duplicate key \"\(member.key)\"", at: offsets[i])
                }
                warn(.duplicateKey(member.key), at: offsets[i])
                result[p].value = member.value
            } else {
                positions[k] = result.count
                result.append(member)
            }
        }
        return result
    }

    mutating func parseString() throws(JSONSyntaxError) -> String {
        let quote = index
        index += 1
        let start = index
        // Fast path: no escapes; validate UTF-8 while scanning. Plain ASCII is skipped eight
        // bytes at a time; a word holding anything else is looked at byte by byte.
        while index < bytes.count {
            skipPlainStringBytes()
            guard index < bytes.count else { break }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let s = interner.string(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                index += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character \(describeByte(at: index)) in a string") }
            if b >= 0x80 { try skipUTF8Sequence() } else { index += 1 }
        }
        guard index < bytes.count else { throw error("unterminated string (truncated?)", at: quote) }
        // Slow path: copy what we have, then decode escapes.
        scratchCount = 0
        appendToScratch(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            // Plain ASCII runs are copied whole (the text between escapes is mostly plain).
            let run = index
            skipPlainStringBytes()
            while index < bytes.count, bytes[index] >= 0x20, bytes[index] < 0x80, bytes[index] != 0x22,
                bytes[index] != 0x5C
            {
                index += 1
            }
            if index > run { appendToScratch(UnsafeBufferPointer(rebasing: bytes[run..<index])) }
            guard index < bytes.count else { break }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return interner.string(UnsafeBufferPointer(start: scratch, count: scratchCount))
            }
            if b == UInt8(ascii: "\\") {
                try parseEscape()
                continue
            }
            if b < 0x20 { throw error("control character \(describeByte(at: index)) in a string") }
            let s = index
            try skipUTF8Sequence()
            appendToScratch(UnsafeBufferPointer(rebasing: bytes[s..<index]))
        }
        throw error("unterminated string (truncated?)", at: quote)
    }

    @inline(__always)
    mutating func appendToScratch(_ byte: UInt8) {
        if scratchCount == scratchCapacity { growScratch(toHold: scratchCount + 1) }
        scratch[scratchCount] = byte
        scratchCount += 1
    }

    @inline(__always)
    mutating func appendToScratch(_ run: UnsafeBufferPointer<UInt8>) {
        guard let base = run.baseAddress, run.count > 0 else { return }
        if scratchCount + run.count > scratchCapacity { growScratch(toHold: scratchCount + run.count) }
        (scratch + scratchCount).update(from: base, count: run.count)
        scratchCount += run.count
    }

    /// Doubles the scratch buffer (at least to `needed` bytes); the workspace keeps the new one.
    mutating func growScratch(toHold needed: Int) {
        let capacity = max(needed, 2 * scratchCapacity)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        bigger.update(from: scratch, count: scratchCount)
        scratch.deallocate()
        scratch = bigger
        scratchCapacity = capacity
        workspace.replaceScratch(bigger, capacity: capacity)
    }

    mutating func parseEscape() throws(JSONSyntaxError) {
        let escapeStart = index
        index += 1
        guard index < bytes.count else { throw error("unterminated string (truncated?)") }
        let e = bytes[index]
        index += 1
        switch e {
        case UInt8(ascii: "\""): appendToScratch(0x22)
        case UInt8(ascii: "\\"): appendToScratch(0x5C)
        case UInt8(ascii: "/"): appendToScratch(0x2F)
        case UInt8(ascii: "b"): appendToScratch(0x08)
        case UInt8(ascii: "f"): appendToScratch(0x0C)
        case UInt8(ascii: "n"): appendToScratch(0x0A)
        case UInt8(ascii: "r"): appendToScratch(0x0D)
        case UInt8(ascii: "t"): appendToScratch(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4(escapeStart)
            var scalar: UInt32 = UInt32(unit)
            if (0xD800...0xDBFF).contains(unit) {
                // A high surrogate must be followed by a low one to make one scalar.
                if index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    let save = index
                    index += 2
                    let low = try parseHex4(save)
                    if (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    } else {
                        index = save
                        warn(.loneSurrogate(hexEscape(unit)), at: escapeStart)
                        scalar = 0xFFFD
                    }
                } else {
                    warn(.loneSurrogate(hexEscape(unit)), at: escapeStart)
                    scalar = 0xFFFD
                }
            } else if (0xDC00...0xDFFF).contains(unit) {
                warn(.loneSurrogate(hexEscape(unit)), at: escapeStart)
                scalar = 0xFFFD
            }
            appendUTF8(Unicode.Scalar(scalar)!)
        default:
            throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string", at: escapeStart)
        }
    }

    func hexEscape(_ unit: UInt16) -> String {
        let h = String(unit, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - h.count) + h
    }

    mutating func parseHex4(_ escapeStart: Int) throws(JSONSyntaxError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape", at: escapeStart) }
        var v: UInt16 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: throw error("invalid \\u escape", at: escapeStart)
            }
            v = v << 4 | UInt16(d)
            index += 1
        }
        return v
    }

    mutating func appendUTF8(_ scalar: Unicode.Scalar) {
        let v = scalar.value
        switch v {
        case 0..<0x80:
            appendToScratch(UInt8(v))
        case 0x80..<0x800:
            appendToScratch(UInt8(0xC0 | v >> 6))
            appendToScratch(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            appendToScratch(UInt8(0xE0 | v >> 12))
            appendToScratch(UInt8(0x80 | v >> 6 & 0x3F))
            appendToScratch(UInt8(0x80 | v & 0x3F))
        default:
            appendToScratch(UInt8(0xF0 | v >> 18))
            appendToScratch(UInt8(0x80 | v >> 12 & 0x3F))
            appendToScratch(UInt8(0x80 | v >> 6 & 0x3F))
            appendToScratch(UInt8(0x80 | v & 0x3F))
        }
    }

    /// Advances over one well-formed multi-byte UTF-8 sequence, or throws naming the byte.
    mutating func skipUTF8Sequence() throws(JSONSyntaxError) {
        let b0 = bytes[index]
        let length: Int
        let minScalar: UInt32
        switch b0 {
        case 0xC2...0xDF:
            length = 2
            minScalar = 0x80
        case 0xE0...0xEF:
            length = 3
            minScalar = 0x800
        case 0xF0...0xF4:
            length = 4
            minScalar = 0x10000
        default: throw error("invalid UTF-8 byte 0x\(String(b0, radix: 16, uppercase: true))")
        }
        guard index + length <= bytes.count else { throw error("truncated UTF-8 sequence") }
        var scalar = UInt32(b0) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for k in 1..<length {
            let c = bytes[index + k]
            guard c & 0xC0 == 0x80 else {
                throw error("invalid UTF-8 sequence (byte 0x\(String(c, radix: 16, uppercase: true)))")
            }
            scalar = scalar << 6 | UInt32(c & 0x3F)
        }
        if scalar < minScalar || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) {
            throw error("invalid UTF-8 sequence (overlong or surrogate)")
        }
        index += length
    }

    mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw error(index < bytes.count ? "invalid number" : "unexpected end of input (truncated?)", at: start)
        }
        let intStart = index
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let intEnd = index
        var isFloat = false
        var fracDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isFloat = true
            index += 1
            let fracStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            fracDigits = index - fracStart
            guard fracDigits > 0 else { throw error("invalid number: no digits after '.'", at: start) }
        }
        var exponent = 0
        var hasExponent = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isFloat = true
            hasExponent = true
            index += 1
            var expNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                expNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let expStart = index
            while index < bytes.count, isDigit(bytes[index]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[index] - 0x30) }
                index += 1
            }
            guard index > expStart else { throw error("invalid number: no digits in the exponent", at: start) }
            if expNegative { exponent = -exponent }
        }
        if !isFloat {
            let digitCount = intEnd - intStart
            if digitCount > options.maxIntegerDigits {
                throw error("integer with \(digitCount) digits (more than \(options.maxIntegerDigits))", at: start)
            }
            if digitCount <= 18 {
                var v = 0
                for i in intStart..<intEnd { v = v &* 10 &+ Int(bytes[i] - 0x30) }
                return .int(negative ? -v : v)
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            return JSONValue.integer(decimal: text)!
        }
        // Clinger's fast path: exact when the digits fit in 2^53 and the power of ten is exact.
        let significantDigits = (intEnd - intStart) + fracDigits
        if significantDigits <= 15 {
            var mantissa: Int64 = 0
            for i in intStart..<intEnd { mantissa = mantissa * 10 + Int64(bytes[i] - 0x30) }
            if fracDigits > 0 {
                for i in (intEnd + 1)..<(intEnd + 1 + fracDigits) { mantissa = mantissa * 10 + Int64(bytes[i] - 0x30) }
            }
            let e10 = (hasExponent ? exponent : 0) - fracDigits
            if e10 >= -22 && e10 <= 22 {
                var d = Double(mantissa)
                if e10 < 0 { d /= powersOfTen[-e10] } else { d *= powersOfTen[e10] }
                return .float(negative ? -d : d)
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let d = Double(text) else { throw error("invalid number", at: start) }
        if d.isInfinite { warn(.floatOverflow(text), at: start) }
        return .float(d)
    }

    @inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}

/// Tests on eight bytes at once (SIMD within a register), for the scans of strings: each
/// flags the bytes of a word that are of a kind, and the lowest flag tells where the first is.
enum SWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of each byte of `w` (loaded little-endian) that a JSON string scan must
    /// stop at: `"`, `\`, a control character or non-ASCII. Only the lowest set bit is exact:
    /// a borrow can flag bytes above a flagged one, never below, which is all a scan for the
    /// first stop needs.
    @inline(__always) static func stringScanStops(_ w: UInt64) -> UInt64 {
        (w & highs) | lessMask(w, 0x20) | zeroMask(w ^ (ones &* 0x22)) | zeroMask(w ^ (ones &* 0x5C))
    }

    /// The high bit of each zero byte (exact up to the lowest, as above).
    @inline(__always) static func zeroMask(_ w: UInt64) -> UInt64 { (w &- ones) & ~w & highs }
    /// The high bit of each byte below `n` (n <= 128; exact up to the lowest, as above).
    @inline(__always) static func lessMask(_ w: UInt64, _ n: UInt8) -> UInt64 {
        (w &- ones &* UInt64(n)) & ~w & highs
    }

    /// The high bit of each byte of `w` (loaded little-endian) that the canonical writer must
    /// escape: `"`, `\` or a control character. As in ``stringScanStops(_:)``, only the
    /// lowest set bit is exact.
    @inline(__always) static func escapeStops(_ w: UInt64) -> UInt64 {
        lessMask(w, 0x20) | zeroMask(w ^ (ones &* 0x22)) | zeroMask(w ^ (ones &* 0x5C))
    }
}

private let powersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]
