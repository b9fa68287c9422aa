// Pickle: a data-only decoder for Python pickles (protocols 0–5). Nothing is ever executed.
//
// Public API (what importers use):
//
//   let value: PickleValue = try PickleDecoder(limits: .default).decode(bytes)   // throws PickleError
//   let result = PickleInterpreter.interpret(value)       // or PickleInterpreter(maxValues:).interpret
//   result.value      // PickleData: plain data, datetimes, UUIDs, numpy arrays/dtypes, DataFrames,
//                     // allowlisted ALchemist classes as `.dataObject`, the rest `.opaque`
//   result.notData    // [NotDataNote]: class name + path of every opaque object (for the report)
//
//   value["key"], .dictValue, .arrayValue, .stringValue, .intValue, .doubleValue   (PickleValue)
//   data["key"], .dictValue, .arrayValue, .stringValue, .intValue, .doubleValue,
//   .dataFrameValue, .dateTimeValue, .dataObjectValue                             (PickleData)
//   frame.columns[i].name / .dtype / .values, frame.index, frame.rows, frame.records
//
// Decoding is two passes. The virtual machine below runs the opcodes over an arena of mutable
// nodes, because pickles mutate memoized containers after memoizing them (EMPTY_DICT, MEMOIZE,
// ..., SETITEMS, BUILD) and later GETs must see the mutated value. Then the arena is turned into
// an immutable `PickleValue` tree without recursion, counting every use of a shared node so that
// memo bombs hit `maxOutputValues`, and bounding depth by `maxNestingDepth`.

/// Decodes pickle bytes into a `PickleValue` tree without executing anything.
///
/// Classes and functions named by the pickle are never imported or called; they become
/// `.global` markers and `.object` placeholders. Every malformed or hostile input ends in a
/// `PickleError` (with byte offset and opcode name), never in a crash or unbounded memory use.
public struct PickleDecoder: Sendable {
    public var limits: PickleLimits

    public init(limits: PickleLimits = .default) {
        self.limits = limits
    }

    /// Decodes one pickle (up to its `STOP` opcode; trailing bytes are ignored, as Python does).
    public func decode(_ bytes: [UInt8]) throws(PickleError) -> PickleValue {
        guard bytes.count <= limits.maxInputBytes else {
            throw PickleError(.inputTooLarge(size: bytes.count, limit: limits.maxInputBytes), offset: 0, opcode: nil)
        }
        var machine = Machine(input: bytes, limits: limits)
        let root = try machine.run()
        return try machine.materialize(root)
    }
}

// MARK: - Arena

/// A node of the decoding arena. Containers refer to other nodes by index so that memo
/// references share (and see mutations of) one node, as Python objects would.
private enum Node {
    case scalar(PickleValue)
    case list([Int])
    case tuple([Int])
    case dict([Int])  // flattened key, value, key, value, ...
    case set([Int])
    case frozenset([Int])
    case object(ObjectNode)
}

private struct ObjectNode {
    var callable: Int
    var construction: PickleObject.Construction
    var args: [Int]
    var kwargs: [Int]  // flattened key, value pairs
    var state: Int?
    var listItems: [Int] = []
    var dictItems: [Int] = []  // flattened key, value pairs

    var children: [Int] {
        var result = [callable]
        result += args
        result += kwargs
        if let state { result.append(state) }
        result += listItems
        result += dictItems
        return result
    }
}

/// A hashable stand-in for scalar dict keys / set members, so that `SETITEM` with an existing key
/// replaces the value in place and sets drop duplicates, as in Python. `True`, `1` and `1.0` are
/// the same key in Python, hence the normalisation to `.int`.
private enum ScalarKey: Hashable {
    case none
    case int(Int)
    case bigInt(PickleBigInt)
    case float(UInt64)
    case string(String)
    case bytes([UInt8])

    init?(_ value: PickleValue) {
        switch value {
        case .none: self = .none
        case .bool(let flag): self = .int(flag ? 1 : 0)
        case .int(let number): self = .int(number)
        case .bigInt(let number): self = .bigInt(number)
        case .float(let number):
            if number.isNaN { return nil }  // NaN keys are never equal to each other in Python.
            if number == number.rounded(), abs(number) < 9.0e18 {
                self = .int(Int(number))
            } else {
                self = .float((number == 0 ? 0.0 : number).bitPattern)
            }
        case .string(let text): self = .string(text)
        case .bytes(let data): self = .bytes(data)
        default: return nil
        }
    }
}

// MARK: - Opcodes

private enum Op {
    static let mark: UInt8 = 0x28, stop: UInt8 = 0x2E, pop: UInt8 = 0x30, popMark: UInt8 = 0x31
    static let dup: UInt8 = 0x32, float: UInt8 = 0x46, int: UInt8 = 0x49, binInt: UInt8 = 0x4A
    static let binInt1: UInt8 = 0x4B, long: UInt8 = 0x4C, binInt2: UInt8 = 0x4D, none: UInt8 = 0x4E
    static let persID: UInt8 = 0x50, binPersID: UInt8 = 0x51, reduce: UInt8 = 0x52, string: UInt8 = 0x53
    static let binString: UInt8 = 0x54, shortBinString: UInt8 = 0x55, unicode: UInt8 = 0x56
    static let binUnicode: UInt8 = 0x58, append: UInt8 = 0x61, build: UInt8 = 0x62, global: UInt8 = 0x63
    static let dict: UInt8 = 0x64, emptyDict: UInt8 = 0x7D, appends: UInt8 = 0x65, get: UInt8 = 0x67
    static let binGet: UInt8 = 0x68, inst: UInt8 = 0x69, longBinGet: UInt8 = 0x6A, list: UInt8 = 0x6C
    static let emptyList: UInt8 = 0x5D, obj: UInt8 = 0x6F, put: UInt8 = 0x70, binPut: UInt8 = 0x71
    static let longBinPut: UInt8 = 0x72, setItem: UInt8 = 0x73, tuple: UInt8 = 0x74, emptyTuple: UInt8 = 0x29
    static let setItems: UInt8 = 0x75, binFloat: UInt8 = 0x47
    static let proto: UInt8 = 0x80, newObj: UInt8 = 0x81, ext1: UInt8 = 0x82, ext2: UInt8 = 0x83
    static let ext4: UInt8 = 0x84, tuple1: UInt8 = 0x85, tuple2: UInt8 = 0x86, tuple3: UInt8 = 0x87
    static let newTrue: UInt8 = 0x88, newFalse: UInt8 = 0x89, long1: UInt8 = 0x8A, long4: UInt8 = 0x8B
    static let binBytes: UInt8 = 0x42, shortBinBytes: UInt8 = 0x43
    static let shortBinUnicode: UInt8 = 0x8C, binUnicode8: UInt8 = 0x8D, binBytes8: UInt8 = 0x8E
    static let emptySet: UInt8 = 0x8F, addItems: UInt8 = 0x90, frozenSet: UInt8 = 0x91, newObjEx: UInt8 = 0x92
    static let stackGlobal: UInt8 = 0x93, memoize: UInt8 = 0x94, frame: UInt8 = 0x95
    static let byteArray8: UInt8 = 0x96, nextBuffer: UInt8 = 0x97, readonlyBuffer: UInt8 = 0x98

    /// Names as `pickletools` prints them, for error messages.
    static let names: [UInt8: String] = [
        mark: "MARK", stop: "STOP", pop: "POP", popMark: "POP_MARK", dup: "DUP", float: "FLOAT", int: "INT",
        binInt: "BININT", binInt1: "BININT1", long: "LONG", binInt2: "BININT2", none: "NONE",
        persID: "PERSID", binPersID: "BINPERSID", reduce: "REDUCE", string: "STRING", binString: "BINSTRING",
        shortBinString: "SHORT_BINSTRING", unicode: "UNICODE", binUnicode: "BINUNICODE", append: "APPEND",
        build: "BUILD", global: "GLOBAL", dict: "DICT", emptyDict: "EMPTY_DICT", appends: "APPENDS",
        get: "GET", binGet: "BINGET", inst: "INST", longBinGet: "LONG_BINGET", list: "LIST",
        emptyList: "EMPTY_LIST", obj: "OBJ", put: "PUT", binPut: "BINPUT", longBinPut: "LONG_BINPUT",
        setItem: "SETITEM", tuple: "TUPLE", emptyTuple: "EMPTY_TUPLE", setItems: "SETITEMS",
        binFloat: "BINFLOAT", proto: "PROTO", newObj: "NEWOBJ", ext1: "EXT1", ext2: "EXT2", ext4: "EXT4",
        tuple1: "TUPLE1", tuple2: "TUPLE2", tuple3: "TUPLE3", newTrue: "NEWTRUE", newFalse: "NEWFALSE",
        long1: "LONG1", long4: "LONG4", binBytes: "BINBYTES", shortBinBytes: "SHORT_BINBYTES",
        shortBinUnicode: "SHORT_BINUNICODE", binUnicode8: "BINUNICODE8", binBytes8: "BINBYTES8",
        emptySet: "EMPTY_SET", addItems: "ADDITEMS", frozenSet: "FROZENSET", newObjEx: "NEWOBJ_EX",
        stackGlobal: "STACK_GLOBAL", memoize: "MEMOIZE", frame: "FRAME", byteArray8: "BYTEARRAY8",
        nextBuffer: "NEXT_BUFFER", readonlyBuffer: "READONLY_BUFFER",
    ]
}

// MARK: - Virtual machine

private struct Machine {
    let input: [UInt8]
    let limits: PickleLimits
    var position = 0
    var opcodeStart = 0
    var opcode: UInt8 = 0
    var nodes: [Node] = []
    var origins: [Int] = []  // byte offset that created each node, for error messages
    var stack: [Int] = []
    var marks: [Int] = []
    var memo: [Int: Int] = [:]
    var keyIndexes: [Int: [ScalarKey: Int]] = [:]  // per dict/set node: key -> position

    init(input: [UInt8], limits: PickleLimits) {
        self.input = input
        self.limits = limits
    }

    func fail(_ reason: PickleError.Reason) -> PickleError {
        PickleError(reason, offset: opcodeStart, opcode: Op.names[opcode])
    }

    // MARK: Reading

    mutating func read(_ count: Int) throws(PickleError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= input.count - position else { throw fail(.truncated) }
        defer { position += count }
        return input[position..<position + count]
    }

    mutating func readByte() throws(PickleError) -> UInt8 {
        guard position < input.count else { throw fail(.truncated) }
        defer { position += 1 }
        return input[position]
    }

    mutating func readUInt(_ width: Int) throws(PickleError) -> UInt64 {
        var value: UInt64 = 0
        for (index, byte) in try read(width).enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
        return value
    }

    /// Reads a length operand and checks that that many bytes remain before anything is allocated.
    mutating func readLength(_ width: Int, signed: Bool = false) throws(PickleError) -> Int {
        let raw = try readUInt(width)
        if signed, width == 4, raw & 0x8000_0000 != 0 {
            throw fail(.malformed("negative byte count"))
        }
        guard raw <= UInt64(input.count - position) else { throw fail(.truncated) }
        return Int(raw)
    }

    /// Reads a text line (protocol 0 operands) without its newline.
    mutating func readLine() throws(PickleError) -> ArraySlice<UInt8> {
        guard let end = input[position...].firstIndex(of: 0x0A) else { throw fail(.truncated) }
        defer { position = end + 1 }
        return input[position..<end]
    }

    mutating func readLineText() throws(PickleError) -> String {
        let line = try readLine()
        guard let text = String(validating: line, as: UTF8.self) else {
            throw fail(.malformed("operand is not UTF-8 text"))
        }
        return text
    }

    mutating func readDecimal() throws(PickleError) -> Int {
        let text = try readLineText()
        guard let value = Int(text.trimmingSpaces) else {
            throw fail(.malformed("bad integer operand '\(text.prefix(40))'"))
        }
        return value
    }

    // MARK: Stack

    mutating func add(_ node: Node) -> Int {
        nodes.append(node)
        origins.append(opcodeStart)
        return nodes.count - 1
    }

    mutating func push(_ id: Int) throws(PickleError) {
        guard stack.count + marks.count < limits.maxStackDepth else {
            throw fail(.stackTooDeep(limit: limits.maxStackDepth))
        }
        stack.append(id)
    }

    mutating func push(_ node: Node) throws(PickleError) {
        try push(add(node))
    }

    /// The lowest stack index that may be popped without crossing the current mark.
    var fence: Int { marks.last ?? 0 }

    mutating func pop() throws(PickleError) -> Int {
        guard stack.count > fence else { throw fail(.stackUnderflow) }
        return stack.removeLast()
    }

    func top() throws(PickleError) -> Int {
        guard stack.count > fence, let last = stack.last else { throw fail(.stackUnderflow) }
        return last
    }

    mutating func popMark() throws(PickleError) -> [Int] {
        guard let mark = marks.popLast() else { throw fail(.markMissing) }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    func scalar(_ id: Int) -> PickleValue? {
        if case .scalar(let value) = nodes[id] { return value }
        return nil
    }

    // MARK: Mutation in place

    /// Appends to a list/set/object node. The node is swapped out while its array is modified so
    /// that the array stays uniquely referenced (no copy per append).
    mutating func appendItems(_ items: [Int], to target: Int, asSet: Bool) throws(PickleError) {
        let node = nodes[target]
        nodes[target] = .scalar(.none)
        switch node {
        case .list(var elements) where !asSet:
            elements += items
            nodes[target] = .list(elements)
        case .set(var elements) where asSet:
            var index = keyIndexes[target] ?? [:]
            for item in items {
                if let value = scalar(item), let key = ScalarKey(value) {
                    if index[key] != nil { continue }
                    index[key] = elements.count
                }
                elements.append(item)
            }
            keyIndexes[target] = index
            nodes[target] = .set(elements)
        case .object(var object):
            object.listItems += items
            nodes[target] = .object(object)
        default:
            nodes[target] = node
            let kind = describe(node)
            throw fail(.malformed(asSet ? "cannot add items to \(kind)" : "cannot append to \(kind)"))
        }
    }

    mutating func setItems(_ pairs: [Int], on target: Int) throws(PickleError) {
        guard pairs.count % 2 == 0 else { throw fail(.malformed("odd number of items for SETITEMS")) }
        let node = nodes[target]
        nodes[target] = .scalar(.none)
        switch node {
        case .dict(var flat):
            var index = keyIndexes[target] ?? [:]
            insertPairs(pairs, into: &flat, index: &index)
            keyIndexes[target] = index
            nodes[target] = .dict(flat)
        case .object(var object):
            // Dict subclasses (OrderedDict, defaultdict) receive their items through SETITEM too.
            var index = keyIndexes[target] ?? [:]
            insertPairs(pairs, into: &object.dictItems, index: &index)
            keyIndexes[target] = index
            nodes[target] = .object(object)
        default:
            nodes[target] = node
            throw fail(.malformed("cannot set items on \(describe(node))"))
        }
    }

    func insertPairs(_ pairs: [Int], into flat: inout [Int], index: inout [ScalarKey: Int]) {
        var position = 0
        while position < pairs.count {
            let key = pairs[position]
            let value = pairs[position + 1]
            position += 2
            if let scalarValue = scalar(key), let scalarKey = ScalarKey(scalarValue) {
                if let existing = index[scalarKey] {
                    flat[existing + 1] = value  // Python keeps the first key and replaces the value.
                    continue
                }
                index[scalarKey] = flat.count
            }
            flat.append(key)
            flat.append(value)
        }
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let value): return value.kindName
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .set: return "set"
        case .frozenset: return "frozenset"
        case .object: return "object"
        }
    }

    mutating func makeDict(_ items: [Int]) throws(PickleError) -> Int {
        guard items.count % 2 == 0 else { throw fail(.malformed("odd number of items for DICT")) }
        let id = add(.dict([]))
        try setItems(items, on: id)
        return id
    }

    mutating func makeSet(_ items: [Int], frozen: Bool) throws(PickleError) -> Int {
        let id = add(.set([]))
        try appendItems(items, to: id, asSet: true)
        if frozen, case .set(let elements) = nodes[id] { nodes[id] = .frozenset(elements) }
        return id
    }

    func tupleItems(_ id: Int, for what: String) throws(PickleError) -> [Int] {
        guard case .tuple(let items) = nodes[id] else {
            throw fail(.malformed("\(what) expected a tuple of arguments, got \(describe(nodes[id]))"))
        }
        return items
    }

    mutating func memoPut(_ key: Int) throws(PickleError) {
        guard key >= 0 else { throw fail(.malformed("negative memo key")) }
        let value = try top()
        if memo[key] == nil, memo.count >= limits.maxMemoEntries {
            throw fail(.memoTooLarge(limit: limits.maxMemoEntries))
        }
        memo[key] = value
    }

    mutating func memoGet(_ key: Int) throws(PickleError) {
        guard let id = memo[key] else { throw fail(.memoKeyMissing(key)) }
        try push(id)
    }

    // MARK: Run

    mutating func run() throws(PickleError) -> Int {
        while true {
            opcodeStart = position
            guard position < input.count else {
                opcode = 0
                throw PickleError(.truncated, offset: position, opcode: nil)
            }
            opcode = input[position]
            position += 1
            switch opcode {
            case Op.stop:
                return try pop()
            case Op.proto:
                let version = Int(try readByte())
                guard version <= 5 else { throw fail(.unsupportedProtocol(version)) }
            case Op.frame:
                _ = try readLength(8)  // framing only groups opcodes; the bytes must be there
            case Op.mark:
                guard stack.count + marks.count < limits.maxStackDepth else {
                    throw fail(.stackTooDeep(limit: limits.maxStackDepth))
                }
                marks.append(stack.count)
            case Op.pop:
                if stack.count > fence { stack.removeLast() } else { _ = try popMark() }
            case Op.popMark:
                _ = try popMark()
            case Op.dup:
                try push(try top())

            // Numbers
            case Op.none: try push(.scalar(.none))
            case Op.newTrue: try push(.scalar(.bool(true)))
            case Op.newFalse: try push(.scalar(.bool(false)))
            case Op.binInt1: try push(.scalar(.int(Int(try readByte()))))
            case Op.binInt2: try push(.scalar(.int(Int(try readUInt(2)))))
            case Op.binInt: try push(.scalar(.int(Int(Int32(truncatingIfNeeded: try readUInt(4))))))
            case Op.int:
                let text = try readLineText().trimmingSpaces
                if text == "00" {
                    try push(.scalar(.bool(false)))
                }  // "I00" (protocol 0 False)
                else if text == "01" {
                    try push(.scalar(.bool(true)))
                } else {
                    try push(.scalar(try integer(text)))
                }
            case Op.long:
                var text = try readLineText().trimmingSpaces
                if text.hasSuffix("L") { text.removeLast() }
                try push(.scalar(try integer(text)))
            case Op.long1:
                let count = Int(try readByte())
                try push(.scalar(Self.integer(PickleBigInt(twosComplementLittleEndian: try read(count)))))
            case Op.long4:
                let count = try readLength(4, signed: true)
                try push(.scalar(Self.integer(PickleBigInt(twosComplementLittleEndian: try read(count)))))
            case Op.float:
                let text = try readLineText().trimmingSpaces
                guard let number = Double(text) else {
                    throw fail(.malformed("bad float operand '\(text.prefix(40))'"))
                }
                try push(.scalar(.float(number)))
            case Op.binFloat:
                try push(.scalar(.float(Double(bitPattern: try read(8).reduce(0) { $0 << 8 | UInt64($1) }))))

            // Strings and bytes
            case Op.string:
                try push(.scalar(.string(try quotedString(try readLine()))))
            case Op.binString:
                try push(.scalar(.string(Self.latin1(try read(try readLength(4, signed: true))))))
            case Op.shortBinString:
                try push(.scalar(.string(Self.latin1(try read(Int(try readByte()))))))
            case Op.unicode:
                try push(.scalar(.string(Self.rawUnicodeEscape(try readLine()))))
            case Op.shortBinUnicode:
                try push(.scalar(.string(Self.utf8(try read(Int(try readByte()))))))
            case Op.binUnicode:
                try push(.scalar(.string(Self.utf8(try read(try readLength(4))))))
            case Op.binUnicode8:
                try push(.scalar(.string(Self.utf8(try read(try readLength(8))))))
            case Op.shortBinBytes:
                try push(.scalar(.bytes(Array(try read(Int(try readByte()))))))
            case Op.binBytes:
                try push(.scalar(.bytes(Array(try read(try readLength(4))))))
            case Op.binBytes8:
                try push(.scalar(.bytes(Array(try read(try readLength(8))))))
            case Op.byteArray8:
                try push(.scalar(.bytearray(Array(try read(try readLength(8))))))

            // Containers
            case Op.emptyList: try push(.list([]))
            case Op.emptyTuple: try push(.tuple([]))
            case Op.emptyDict: try push(.dict([]))
            case Op.emptySet: try push(.set([]))
            case Op.list: try push(.list(try popMark()))
            case Op.tuple: try push(.tuple(try popMark()))
            case Op.tuple1:
                let a = try pop()
                try push(.tuple([a]))
            case Op.tuple2:
                let b = try pop()
                let a = try pop()
                try push(.tuple([a, b]))
            case Op.tuple3:
                let c = try pop()
                let b = try pop()
                let a = try pop()
                try push(.tuple([a, b, c]))
            case Op.dict: try push(try makeDict(try popMark()))
            case Op.frozenSet: try push(try makeSet(try popMark(), frozen: true))
            case Op.append:
                let value = try pop()
                try appendItems([value], to: try top(), asSet: false)
            case Op.appends:
                let items = try popMark()
                try appendItems(items, to: try top(), asSet: false)
            case Op.addItems:
                let items = try popMark()
                try appendItems(items, to: try top(), asSet: true)
            case Op.setItem:
                let value = try pop()
                let key = try pop()
                try setItems([key, value], on: try top())
            case Op.setItems:
                let items = try popMark()
                try setItems(items, on: try top())

            // Memo
            case Op.put: try memoPut(try readDecimal())
            case Op.binPut: try memoPut(Int(try readByte()))
            case Op.longBinPut: try memoPut(Int(try readUInt(4)))
            case Op.memoize: try memoPut(memo.count)
            case Op.get: try memoGet(try readDecimal())
            case Op.binGet: try memoGet(Int(try readByte()))
            case Op.longBinGet: try memoGet(Int(try readUInt(4)))

            // Names and objects: recorded, never resolved or called.
            case Op.global:
                let module = try readLineText()
                let name = try readLineText()
                try push(.scalar(.global(module: module, name: name)))
            case Op.stackGlobal:
                let nameID = try pop()
                let moduleID = try pop()
                guard case .string(let name)? = scalar(nameID), case .string(let module)? = scalar(moduleID) else {
                    throw fail(.malformed("STACK_GLOBAL requires str"))
                }
                try push(.scalar(.global(module: module, name: name)))
            case Op.reduce:
                let argsID = try pop()
                let callable = try pop()
                let args = try tupleItems(argsID, for: "REDUCE")
                try push(.object(ObjectNode(callable: callable, construction: .reduce, args: args, kwargs: [])))
            case Op.newObj:
                let argsID = try pop()
                let cls = try pop()
                let args = try tupleItems(argsID, for: "NEWOBJ")
                try push(.object(ObjectNode(callable: cls, construction: .newobj, args: args, kwargs: [])))
            case Op.newObjEx:
                let kwargsID = try pop()
                let argsID = try pop()
                let cls = try pop()
                let args = try tupleItems(argsID, for: "NEWOBJ_EX")
                guard case .dict(let kwargs) = nodes[kwargsID] else {
                    throw fail(.malformed("NEWOBJ_EX expected a dict of keyword arguments"))
                }
                try push(.object(ObjectNode(callable: cls, construction: .newobjEx, args: args, kwargs: kwargs)))
            case Op.inst:
                let module = try readLineText()
                let name = try readLineText()
                let args = try popMark()
                let cls = add(.scalar(.global(module: module, name: name)))
                try push(.object(ObjectNode(callable: cls, construction: .inst, args: args, kwargs: [])))
            case Op.obj:
                let items = try popMark()
                guard let cls = items.first else { throw fail(.malformed("OBJ without a class")) }
                try push(
                    .object(ObjectNode(callable: cls, construction: .obj, args: Array(items.dropFirst()), kwargs: [])))
            case Op.build:
                let state = try pop()
                let target = try top()
                guard case .object(var object) = nodes[target] else {
                    throw fail(.malformed("BUILD on \(describe(nodes[target])) (only objects take state)"))
                }
                object.state = state
                nodes[target] = .object(object)

            // Refused on purpose
            case Op.persID, Op.binPersID:
                throw fail(.refusedOpcode("persistent IDs refer to objects outside the pickle"))
            case Op.ext1, Op.ext2, Op.ext4:
                throw fail(.refusedOpcode("extension codes need the sender's copyreg registry"))
            case Op.nextBuffer, Op.readonlyBuffer:
                throw fail(.refusedOpcode("out-of-band buffers are not supported"))
            default:
                throw fail(.unknownOpcode(opcode))
            }
        }
    }

    // MARK: Operand decoding

    func integer(_ text: String) throws(PickleError) -> PickleValue {
        if let small = Int(text) { return .int(small) }
        guard let big = PickleBigInt(decimal: Substring(text)) else {
            throw fail(.malformed("bad integer operand '\(text.prefix(40))'"))
        }
        return Self.integer(big)
    }

    static func integer(_ big: PickleBigInt) -> PickleValue {
        if let small = big.intValue { return .int(small) }
        return .bigInt(big)
    }

    /// Invalid UTF-8 (e.g. lone surrogates written with Python's surrogatepass) becomes U+FFFD.
    static func utf8(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Protocol 0–2 `str` of Python 2 (`STRING`, `BINSTRING`): decoded as Latin-1 so that no byte
    /// is lost (Python 3 itself needs `encoding='latin1'` for such pickles).
    static func latin1<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    /// `STRING`: a quoted Python 2 literal with backslash escapes (`codecs.escape_decode`).
    func quotedString(_ line: ArraySlice<UInt8>) throws(PickleError) -> String {
        guard line.count >= 2, let first = line.first, first == line.last, first == 0x27 || first == 0x22 else {
            throw fail(.malformed("the STRING opcode argument must be quoted"))
        }
        let body = Array(line.dropFirst().dropLast())
        var out: [UInt8] = []
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: return byte - 0x30
            case 0x61...0x66: return byte - 0x61 + 10
            case 0x41...0x46: return byte - 0x41 + 10
            default: return nil
            }
        }
        while index < body.count {
            let byte = body[index]
            index += 1
            guard byte == 0x5C, index < body.count else {
                out.append(byte)
                continue
            }
            let escape = body[index]
            index += 1
            switch escape {
            case 0x6E: out.append(0x0A)
            case 0x74: out.append(0x09)
            case 0x72: out.append(0x0D)
            case 0x61: out.append(0x07)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x76: out.append(0x0B)
            case 0x0A: break  // line continuation
            case 0x5C, 0x27, 0x22: out.append(escape)
            case 0x78:
                guard index + 1 < body.count, let high = hex(body[index]), let low = hex(body[index + 1]) else {
                    throw fail(.malformed("invalid \\x escape in STRING"))
                }
                out.append(high << 4 | low)
                index += 2
            case 0x30...0x37:
                var value = Int(escape - 0x30)
                var digits = 1
                while digits < 3, index < body.count, (0x30...0x37).contains(body[index]) {
                    value = value * 8 + Int(body[index] - 0x30)
                    index += 1
                    digits += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            default:
                out.append(0x5C)
                out.append(escape)
            }
        }
        return Self.latin1(out)
    }

    /// `UNICODE`: Python's raw-unicode-escape (Latin-1 plus `\uXXXX` and `\UXXXXXXXX`).
    static func rawUnicodeEscape(_ line: ArraySlice<UInt8>) -> String {
        let bytes = Array(line)
        var units: [UInt32] = []
        var index = 0
        func hexValue(_ start: Int, _ count: Int) -> UInt32? {
            guard start + count <= bytes.count else { return nil }
            var value: UInt32 = 0
            for byte in bytes[start..<start + count] {
                guard let digit = UInt32(String(UnicodeScalar(byte)), radix: 16) else { return nil }
                value = value << 4 | digit
            }
            return value
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x5C, index + 1 < bytes.count {
                if bytes[index + 1] == 0x75, let value = hexValue(index + 2, 4) {
                    units.append(value)
                    index += 6
                    continue
                }
                if bytes[index + 1] == 0x55, let value = hexValue(index + 2, 8) {
                    units.append(value)
                    index += 10
                    continue
                }
            }
            units.append(UInt32(byte))
            index += 1
        }
        var scalars = String.UnicodeScalarView()
        var position = 0
        while position < units.count {
            let unit = units[position]
            position += 1
            if (0xD800..<0xDC00).contains(unit), position < units.count, (0xDC00..<0xE000).contains(units[position]) {
                let combined = 0x10000 + ((unit - 0xD800) << 10) + (units[position] - 0xDC00)
                position += 1
                scalars.append(Unicode.Scalar(combined) ?? "\u{FFFD}")
                continue
            }
            scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
        }
        return String(scalars)
    }

    // MARK: Materialization

    private struct Built {
        var value: PickleValue
        var size: Int
        var height: Int
    }

    private struct Frame {
        let id: Int
        let children: [Int]
        var next = 0
        var results: [Built] = []
    }

    /// Turns the arena into a value tree iteratively. Each node is built once and reused for every
    /// reference (copy-on-write keeps memory linear), while `size` counts every use so that memo
    /// bombs are refused; `height` bounds the depth of the final tree.
    mutating func materialize(_ root: Int) throws(PickleError) -> PickleValue {
        var cache: [Int: Built] = [:]
        var onPath = Set<Int>()
        var frames: [Frame] = [Frame(id: root, children: children(of: root))]
        onPath.insert(root)
        let cycle = Built(value: .cycle, size: 1, height: 1)
        while var frame = frames.popLast() {
            if frame.next < frame.children.count {
                let child = frame.children[frame.next]
                frame.next += 1
                if let built = cache[child] {
                    guard frames.count + 1 + built.height <= limits.maxNestingDepth else {
                        throw materializeError(.nestingTooDeep(limit: limits.maxNestingDepth), child)
                    }
                    frame.results.append(built)
                    frames.append(frame)
                } else if onPath.contains(child) {
                    frame.results.append(cycle)
                    frames.append(frame)
                } else {
                    guard frames.count + 2 <= limits.maxNestingDepth else {
                        throw materializeError(.nestingTooDeep(limit: limits.maxNestingDepth), child)
                    }
                    frames.append(frame)
                    frames.append(Frame(id: child, children: children(of: child)))
                    onPath.insert(child)
                }
                continue
            }
            onPath.remove(frame.id)
            var size = 1
            var height = 0
            for result in frame.results {
                size += result.size
                height = max(height, result.height)
                guard size <= limits.maxOutputValues else {
                    throw materializeError(.outputTooLarge(limit: limits.maxOutputValues), frame.id)
                }
            }
            let built = Built(value: assemble(frame.id, frame.results.map(\.value)), size: size, height: height + 1)
            cache[frame.id] = built
            if frames.isEmpty { return built.value }
            frames[frames.count - 1].results.append(built)
        }
        return .none  // unreachable: the loop returns when the root frame completes
    }

    func materializeError(_ reason: PickleError.Reason, _ id: Int) -> PickleError {
        let offset = origins[id]
        return PickleError(reason, offset: offset, opcode: Op.names[input[offset]])
    }

    func children(of id: Int) -> [Int] {
        switch nodes[id] {
        case .scalar: return []
        case .list(let items), .tuple(let items), .set(let items), .frozenset(let items), .dict(let items):
            return items
        case .object(let object): return object.children
        }
    }

    func assemble(_ id: Int, _ values: [PickleValue]) -> PickleValue {
        func pairs(_ flat: ArraySlice<PickleValue>) -> [PickleEntry] {
            var entries: [PickleEntry] = []
            entries.reserveCapacity(flat.count / 2)
            var index = flat.startIndex
            while index + 1 < flat.endIndex {
                entries.append(PickleEntry(key: flat[index], value: flat[index + 1]))
                index += 2
            }
            return entries
        }
        switch nodes[id] {
        case .scalar(let value): return value
        case .list: return .list(values)
        case .tuple: return .tuple(values)
        case .set: return .set(values)
        case .frozenset: return .frozenset(values)
        case .dict: return .dict(pairs(values[...]))
        case .object(let node):
            var cursor = 1
            func take(_ count: Int) -> ArraySlice<PickleValue> {
                defer { cursor += count }
                return values[cursor..<cursor + count]
            }
            let args = Array(take(node.args.count))
            let kwargs = pairs(take(node.kwargs.count))
            let state = node.state == nil ? nil : take(1).first
            let listItems = Array(take(node.listItems.count))
            let dictItems = pairs(take(node.dictItems.count))
            return .object(
                PickleObject(
                    callable: values[0], construction: node.construction, args: args, kwargs: kwargs, state: state,
                    listItems: listItems, dictItems: dictItems))
        }
    }
}

extension String {
    /// Python's `int()`/`float()` accept surrounding ASCII whitespace; so do we.
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" || first == "\r" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text = text.dropLast() }
        return String(text)
    }
}
