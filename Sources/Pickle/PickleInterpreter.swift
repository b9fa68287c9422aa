/// Turns a decoded `PickleValue` tree into `PickleData` by recognising an allowlist of classes
/// whose pickled form is plain data, without executing anything.
///
/// Allowlisted: `datetime` (datetime, date, time, timedelta, fixed-offset timezone),
/// `collections.OrderedDict`/`defaultdict`, `uuid.UUID`, `builtins` set/frozenset/bytearray/
/// bytes/complex, `_codecs.encode` (how protocols 0–2 spell bytes), `copyreg._reconstructor`
/// of an allowlisted class, numpy dtypes, arrays and scalars (numpy 1 and 2 module names),
/// pandas `DataFrame` (from its `BlockManager`), and the ALchemist session classes, which become
/// `.dataObject` with their instance state. Everything else stays `.opaque` and is listed in
/// `notData` with its path, so the migration report can say what was not carried over.
public struct PickleInterpreter: Sendable {
    /// Largest number of values the interpretation may produce (numpy arrays and range indexes
    /// can expand a few bytes into many values); larger arrays stay opaque with a note.
    public var maxValues: Int

    /// Application classes whose instance state is plain data.
    public static let dataClasses: Set<String> = [
        "alchemist_core.session.OptimizationSession",
        "alchemist_core.session.SessionMetadata",
        "alchemist_core.audit_log.SessionMetadata",
        "alchemist_core.data.search_space.SearchSpace",
        "alchemist_core.data.experiment_manager.ExperimentManager",
        "alchemist_core.audit_log.AuditLog",
        "alchemist_core.audit_log.AuditEntry",
        "alchemist_core.session.AuditLog",
        "alchemist_core.session.AuditEntry",
    ]

    public init(maxValues: Int = 10_000_000) {
        self.maxValues = maxValues
    }

    /// Interprets with the default limit; the same as `PickleInterpreter().interpret(value)`.
    public static func interpret(_ value: PickleValue) -> (value: PickleData, notData: [NotDataNote]) {
        PickleInterpreter().interpret(value)
    }

    /// Interprets a decoded tree. Never throws: anything it cannot interpret stays opaque and is
    /// reported in `notData`.
    public func interpret(_ value: PickleValue) -> (value: PickleData, notData: [NotDataNote]) {
        var run = InterpreterRun(budget: maxValues)
        let data = run.convert(value, .root)
        return (data, run.notes)
    }
}

/// A path in the tree, built cheaply and rendered only for notes.
private indirect enum Path {
    case root
    case index(Path, Int)
    case key(Path, String)
    case field(Path, String)
    case arg(Path, Int)

    var rendered: String {
        switch self {
        case .root: return "$"
        case .index(let parent, let index): return "\(parent.rendered)[\(index)]"
        case .key(let parent, let key): return "\(parent.rendered)[\"\(key)\"]"
        case .field(let parent, let name): return "\(parent.rendered).\(name)"
        case .arg(let parent, let index): return "\(parent.rendered)(arg \(index))"
        }
    }
}

private struct Unsupported: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

private let numpyModules: Set<String> = ["numpy._core.multiarray", "numpy.core.multiarray"]
private let numericModules: Set<String> = ["numpy._core.numeric", "numpy.core.numeric"]
private let blockManagers: Set<String> = [
    "pandas.core.internals.managers.BlockManager", "pandas.core.internals.BlockManager",
    "pandas._libs.internals.BlockManager",
]

private struct InterpreterRun {
    var budget: Int
    var notes: [NotDataNote] = []

    init(budget: Int) {
        self.budget = budget
    }

    mutating func spend(_ count: Int) throws(Unsupported) {
        guard count <= budget else { throw Unsupported("more values than the interpreter limit") }
        budget -= count
    }

    mutating func convert(_ value: PickleValue, _ path: Path) -> PickleData {
        budget -= 1
        switch value {
        case .none: return .none
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .bigInt(let number): return .bigInt(number)
        case .float(let number): return .float(number)
        case .string(let text): return .string(text)
        case .bytes(let data): return .bytes(data)
        case .bytearray(let data): return .bytearray(data)
        case .list(let items): return .list(convertItems(items, path))
        case .tuple(let items): return .tuple(convertItems(items, path))
        case .set(let items): return .set(convertItems(items, path))
        case .frozenset(let items): return .frozenset(convertItems(items, path))
        case .dict(let entries): return .dict(convertEntries(entries, path))
        case .global(let module, let name):
            let (canonicalModule, canonicalName) = canonical(module, name)
            return .global(module: canonicalModule, name: canonicalName)
        case .cycle: return .cycle
        case .object(let object):
            do {
                return try interpretObject(object, path)
            } catch {
                notes.append(
                    NotDataNote(className: effectiveClassName(object), path: path.rendered, reason: error.reason))
                return .opaque(object)
            }
        }
    }

    mutating func convertItems(_ items: [PickleValue], _ path: Path) -> [PickleData] {
        var result: [PickleData] = []
        result.reserveCapacity(items.count)
        for (index, item) in items.enumerated() { result.append(convert(item, .index(path, index))) }
        return result
    }

    mutating func convertEntries(_ entries: [PickleEntry], _ path: Path, asFields: Bool = false) -> [PickleDataEntry] {
        entries.map { entry in
            let keyPath: Path
            if case .string(let text) = entry.key {
                keyPath = asFields ? .field(path, text) : .key(path, text)
            } else {
                keyPath = .key(path, "<\(entry.key.kindName)>")
            }
            return PickleDataEntry(key: convert(entry.key, keyPath), value: convert(entry.value, keyPath))
        }
    }

    // MARK: Objects

    /// Python 2 names that protocol 0–2 pickles use (Python's `_compat_pickle` mapping, the part
    /// that matters for data), turned into their Python 3 names.
    func canonical(_ module: String, _ name: String) -> (String, String) {
        switch (module, name) {
        case ("__builtin__", "long"): return ("builtins", "int")
        case ("__builtin__", "unicode"), ("__builtin__", "basestring"): return ("builtins", "str")
        case ("__builtin__", "xrange"): return ("builtins", "range")
        case ("__builtin__", "unichr"): return ("builtins", "chr")
        case ("__builtin__", _), ("exceptions", _): return ("builtins", name)
        case ("copy_reg", _): return ("copyreg", name)
        case ("UserDict", "UserDict"): return ("collections", "UserDict")
        default: return (module, name)
        }
    }

    func effectiveClassName(_ object: PickleObject) -> String {
        if let (module, name) = effectiveClass(object) { return "\(module).\(name)" }
        return object.className
    }

    /// The class an object would be an instance of, seeing through `copyreg._reconstructor`
    /// and `copyreg.__newobj__`.
    func effectiveClass(_ object: PickleObject) -> (String, String)? {
        guard let (rawModule, rawName) = object.global else { return nil }
        let (module, name) = canonical(rawModule, rawName)
        if module == "copyreg", name == "_reconstructor" || name == "__newobj__" || name == "__newobj_ex__",
            case .global(let innerModule, let innerName)? = object.args.first
        {
            return canonical(innerModule, innerName)
        }
        return (module, name)
    }

    mutating func interpretObject(_ object: PickleObject, _ path: Path) throws(Unsupported) -> PickleData {
        guard let (module, name) = effectiveClass(object) else {
            throw Unsupported("the callable is not a named global")
        }
        let qualified = "\(module).\(name)"
        if PickleInterpreter.dataClasses.contains(qualified) {
            return .dataObject(
                PickleDataObject(module: module, name: name, fields: try instanceState(object, path)))
        }
        let args = object.args
        switch qualified {
        case "builtins.set", "builtins.frozenset":
            var items: [PickleData] = []
            if let first = args.first {
                guard let elements = first.arrayValue ?? setItems(first) else {
                    throw Unsupported("unexpected set arguments")
                }
                items = convertItems(elements, .arg(path, 0))
            }
            items += convertItems(object.listItems, path)
            return name == "set" ? .set(items) : .frozenset(items)
        case "builtins.bytearray", "builtins.bytes":
            let bytes = try bytesArgument(args, path)
            return name == "bytes" ? .bytes(bytes) : .bytearray(bytes)
        case "_codecs.encode":
            guard object.construction == .reduce else { throw Unsupported("not a call") }
            return .bytes(try bytesArgument(args, path))
        case "builtins.complex":
            let parts = args.map { $0.doubleValue }
            guard parts.count <= 2, !parts.contains(where: { $0 == nil }) else {
                throw Unsupported("unexpected complex arguments")
            }
            return .complex(real: parts.first.flatMap { $0 } ?? 0, imaginary: parts.count > 1 ? parts[1]! : 0)
        case "collections.OrderedDict":
            var entries: [PickleDataEntry] = []
            if let first = args.first {
                guard let pairs = first.arrayValue else { throw Unsupported("unexpected OrderedDict arguments") }
                for (index, pair) in pairs.enumerated() {
                    guard let kv = pair.arrayValue, kv.count == 2 else {
                        throw Unsupported("unexpected OrderedDict item")
                    }
                    entries.append(
                        PickleDataEntry(
                            key: convert(kv[0], .index(path, index)), value: convert(kv[1], .index(path, index))))
                }
            }
            entries += convertEntries(object.dictItems, path)
            return .orderedDict(entries)
        case "collections.defaultdict":
            let factory = args.first.map { convert($0, .arg(path, 0)) } ?? .none
            return .defaultDict(factory: factory, entries: convertEntries(object.dictItems, path))
        case "uuid.UUID":
            return .uuid(try uuid(object))
        case "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta":
            return try temporal(name, object, path)
        case "pandas.core.frame.DataFrame":
            return .dataFrame(try dataFrame(object, path))
        default:
            break
        }
        if numericModules.contains(module), name == "_frombuffer" {
            return .ndarray(try ndarray(object, path))
        }
        if numpyModules.contains(module) || module == "numpy" {
            switch name {
            case "dtype": return .dtype(try dtype(.object(object)))
            case "_reconstruct": return .ndarray(try ndarray(object, path))
            case "scalar": return try numpyScalar(object, path)
            default: break
            }
        }
        throw Unsupported(
            object.construction == .reduce && object.state == nil ? "call not executed" : "not a data class")
    }

    /// Packed binary data: `bytes` (protocol ≥ 3), `_codecs.encode(text, 'latin1')` (protocols
    /// 0–2), or a Latin-1 `str` (Python 2 pickles).
    mutating func rawBytes(_ value: PickleValue, _ path: Path) -> [UInt8]? {
        switch value {
        case .bytes(let data), .bytearray(let data): return data
        case .string(let text) where text.unicodeScalars.allSatisfy({ $0.value < 256 }):
            return text.unicodeScalars.map { UInt8($0.value) }
        case .object(let object):
            let saved = notes.count
            let converted = convert(.object(object), path)
            switch converted {
            case .bytes(let data), .bytearray(let data): return data
            default:
                notes.removeSubrange(saved...)  // the caller reports the enclosing object instead
                return nil
            }
        default: return nil
        }
    }

    func setItems(_ value: PickleValue) -> [PickleValue]? {
        switch value {
        case .set(let items), .frozenset(let items): return items
        default: return nil
        }
    }

    /// The instance state of a plain object: a dict, or `(dict, slots dict)` as Python writes
    /// for classes with `__slots__`.
    mutating func instanceState(_ object: PickleObject, _ path: Path) throws(Unsupported) -> [PickleDataEntry] {
        guard let state = object.state else { return [] }
        switch state {
        case .dict(let entries):
            return convertEntries(entries, path, asFields: true)
        case .tuple(let parts) where parts.count == 2:
            var entries: [PickleDataEntry] = []
            for part in parts {
                switch part {
                case .dict(let items): entries += convertEntries(items, path, asFields: true)
                case .none: break
                default: throw Unsupported("unexpected instance state")
                }
            }
            return entries
        default:
            throw Unsupported("instance state is not a dict")
        }
    }

    mutating func bytesArgument(_ args: [PickleValue], _ path: Path) throws(Unsupported) -> [UInt8] {
        guard let first = args.first else { return [] }
        switch first {
        case .bytes(let data), .bytearray(let data): return data
        case .string(let text):
            // Protocols 0–2 write bytes as (text, 'latin1'), bytearray as (text, 'latin-1').
            let encoding = args.count > 1 ? args[1].stringValue?.lowercased() : nil
            switch encoding {
            case "latin1", "latin-1", "iso-8859-1", "ascii":
                var result: [UInt8] = []
                for scalar in text.unicodeScalars {
                    guard scalar.value < 256 else { throw Unsupported("text is not Latin-1") }
                    result.append(UInt8(scalar.value))
                }
                return result
            case "utf-8", "utf8": return Array(text.utf8)
            default: throw Unsupported("unknown text encoding")
            }
        case .list(let items):
            var result: [UInt8] = []
            for item in items {
                guard let byte = item.intValue, (0...255).contains(byte) else { throw Unsupported("not a byte") }
                result.append(UInt8(byte))
            }
            return result
        case .object(let object):
            if case .bytes(let data) = convert(.object(object), .arg(path, 0)) { return data }
            throw Unsupported("unexpected bytes argument")
        default:
            throw Unsupported("unexpected bytes argument")
        }
    }

    func uuid(_ object: PickleObject) throws(Unsupported) -> String {
        let intValue = object.state?["int"]
        var limbs: [UInt32]
        switch intValue {
        case .int(let value)? where value >= 0:
            limbs = [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)]
        case .bigInt(let value)? where !value.isNegative && value.magnitude.count <= 4:
            limbs = value.magnitude
        default:
            throw Unsupported("UUID without an integer state")
        }
        while limbs.count < 4 { limbs.append(0) }
        var hex = ""
        for limb in limbs.reversed() {
            let part = String(limb, radix: 16)
            hex += String(repeating: "0", count: 8 - part.count) + part
        }
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    // MARK: datetime

    mutating func temporal(_ name: String, _ object: PickleObject, _ path: Path) throws(Unsupported) -> PickleData {
        let args = object.args
        if name == "timedelta" {
            let parts = args.map(\.intValue)
            guard parts.count == 3, let days = parts[0], let seconds = parts[1], let micros = parts[2] else {
                throw Unsupported("unexpected timedelta arguments")
            }
            return .timeDelta(PickleTimeDelta(days: days, seconds: seconds, microseconds: micros))
        }
        guard let first = args.first else { throw Unsupported("missing \(name) arguments") }
        let packed = rawBytes(first, .arg(path, 0))
        var offset: Int?
        var zoneName: String?
        if name != "date", args.count == 2 {
            (offset, zoneName) = try timeZone(args[1])
        }
        if let packed {
            switch name {
            case "date" where packed.count == 4:
                return .date(
                    PickleDate(year: Int(packed[0]) << 8 | Int(packed[1]), month: Int(packed[2]), day: Int(packed[3])))
            case "datetime" where packed.count == 10:
                let micro = Int(packed[7]) << 16 | Int(packed[8]) << 8 | Int(packed[9])
                return .dateTime(
                    PickleDateTime(
                        year: Int(packed[0]) << 8 | Int(packed[1]), month: Int(packed[2] & 0x7F), day: Int(packed[3]),
                        hour: Int(packed[4]), minute: Int(packed[5]), second: Int(packed[6]), microsecond: micro,
                        fold: packed[2] & 0x80 != 0 ? 1 : 0, utcOffsetMicroseconds: offset, timeZoneName: zoneName))
            case "time" where packed.count == 6:
                let micro = Int(packed[3]) << 16 | Int(packed[4]) << 8 | Int(packed[5])
                return .time(
                    PickleTime(
                        hour: Int(packed[0] & 0x7F), minute: Int(packed[1]), second: Int(packed[2]), microsecond: micro,
                        fold: packed[0] & 0x80 != 0 ? 1 : 0, utcOffsetMicroseconds: offset, timeZoneName: zoneName))
            default:
                throw Unsupported("unexpected packed \(name) state")
            }
        }
        // Hand-written pickles may call the constructor with numbers (validated as Python would).
        let numbers = args.compactMap(\.intValue)
        let limits = [1...9999, 1...12, 1...31, 0...23, 0...59, 0...59, 0...999_999]
        guard zip(numbers, limits).allSatisfy({ $1.contains($0) }) else { throw Unsupported("\(name) out of range") }
        switch name {
        case "date" where numbers.count == 3 && args.count == 3:
            return .date(PickleDate(year: numbers[0], month: numbers[1], day: numbers[2]))
        case "datetime" where numbers.count >= 3 && numbers.count == args.count && numbers.count <= 7:
            let n = numbers + Array(repeating: 0, count: 7 - numbers.count)
            return .dateTime(
                PickleDateTime(
                    year: n[0], month: n[1], day: n[2], hour: n[3], minute: n[4], second: n[5], microsecond: n[6]))
        default:
            throw Unsupported("unexpected \(name) arguments")
        }
    }

    /// Only `datetime.timezone(timedelta[, name])` is data; other tzinfo classes (pytz,
    /// zoneinfo, dateutil) carry rules that would need their libraries.
    mutating func timeZone(_ value: PickleValue) throws(Unsupported) -> (Int?, String?) {
        if case .none = value { return (nil, nil) }
        guard case .object(let zone) = value, zone.global.map({ "\($0.module).\($0.name)" }) == "datetime.timezone",
            let first = zone.args.first, case .object(let delta) = first,
            case .timeDelta(let offset) = try temporal("timedelta", delta, .root),
            let micros = offset.totalMicroseconds, abs(micros) < 86_400_000_000
        else {
            throw Unsupported("time zone is not a fixed-offset datetime.timezone")
        }
        return (micros, zone.args.count > 1 ? zone.args[1].stringValue : nil)
    }

    // MARK: numpy

    /// `numpy.dtype(descr, align, copy)` plus its `BUILD` state `(version, byteorder, ...)`.
    func dtype(_ value: PickleValue) throws(Unsupported) -> PickleDType {
        guard case .object(let object) = value, let global = object.global, global.name == "dtype",
            global.module == "numpy" || numpyModules.contains(global.module),
            let descr = object.args.first?.stringValue
        else { throw Unsupported("unexpected dtype") }
        let kind = String(descr.prefix(while: { $0.isLetter }))
        var itemSize = Int(descr.dropFirst(kind.count)) ?? 0
        var byteOrder = "|"
        if case .tuple(let state)? = object.state, state.count >= 8 {
            byteOrder = state[1].stringValue ?? "|"
            if case .none = state[3] {} else { throw Unsupported("structured dtypes are not decoded") }
            if let elementSize = state[5].intValue, elementSize > 0 { itemSize = elementSize }
        }
        switch kind {
        case "f", "i", "u", "c", "O", "S", "U": break
        case "b": itemSize = 1
        default: throw Unsupported("dtype '\(descr)' is not decoded")
        }
        if kind == "U", itemSize % 4 != 0 { throw Unsupported("bad unicode dtype size") }
        return PickleDType(kind: kind, itemSize: itemSize, byteOrder: byteOrder)
    }

    /// Decodes `count` elements of `dtype` from raw bytes in memory order.
    func elements(_ raw: [UInt8], _ dtype: PickleDType, count: Int) throws(Unsupported) -> [PickleData] {
        let size = dtype.itemSize
        let (expected, overflow) = count.multipliedReportingOverflow(by: size)
        guard size > 0, !overflow, raw.count == expected else {
            throw Unsupported("array data has \(raw.count) bytes, expected \(count) × \(size)")
        }
        let bigEndian = dtype.byteOrder == ">"
        func word(_ start: Int, _ width: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<width {
                let byte = UInt64(raw[start + (bigEndian ? index : width - 1 - index)])
                value = value << 8 | byte
            }
            return value
        }
        var values: [PickleData] = []
        values.reserveCapacity(count)
        for element in 0..<count {
            let start = element * size
            switch (dtype.kind, size) {
            case ("f", 8): values.append(.float(Double(bitPattern: word(start, 8))))
            case ("f", 4): values.append(.float(Double(Float(bitPattern: UInt32(word(start, 4))))))
            case ("c", 16):
                values.append(
                    .complex(
                        real: Double(bitPattern: word(start, 8)), imaginary: Double(bitPattern: word(start + 8, 8))))
            case ("c", 8):
                values.append(
                    .complex(
                        real: Double(Float(bitPattern: UInt32(word(start, 4)))),
                        imaginary: Double(Float(bitPattern: UInt32(word(start + 4, 4))))))
            case ("i", 1), ("i", 2), ("i", 4), ("i", 8):
                let shift = UInt64(64 - 8 * size)
                values.append(.int(Int(Int64(bitPattern: word(start, size) << shift) >> Int64(shift))))
            case ("u", 1), ("u", 2), ("u", 4), ("u", 8):
                let value = word(start, size)
                values.append(
                    value <= UInt64(Int.max)
                        ? .int(Int(value))
                        : .bigInt(
                            PickleBigInt(
                                isNegative: false,
                                magnitude: [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)])
                        ))
            case ("b", 1): values.append(.bool(raw[start] != 0))
            case ("S", _):
                var bytes = Array(raw[start..<start + size])
                while bytes.last == 0 { bytes.removeLast() }
                values.append(.bytes(bytes))
            case ("U", _):
                var scalars = String.UnicodeScalarView()
                for unit in stride(from: start, to: start + size, by: 4) {
                    let code = UInt32(word(unit, 4))
                    if code == 0 { break }
                    scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                }
                values.append(.string(String(scalars)))
            default:
                throw Unsupported("dtype \(dtype.name) is not decoded")
            }
        }
        return values
    }

    /// `_reconstruct(ndarray, (0,), b'b')` plus `BUILD` state `(version, shape, dtype, fortran, data)`
    /// (numpy ≤ 1.x and protocols < 5), or `_frombuffer(buffer, dtype, shape, order)` (protocol 5).
    mutating func ndarray(_ object: PickleObject, _ path: Path) throws(Unsupported) -> PickleNDArray {
        if object.global?.name == "_frombuffer" {
            let args = object.args
            guard args.count == 4, let shape = args[2].arrayValue, let order = args[3].stringValue else {
                throw Unsupported("unexpected _frombuffer arguments")
            }
            return try array(shape: shape, dtype: args[1], fortran: order == "F", data: args[0], path)
        }
        guard case .global(_, "ndarray")? = object.args.first else { throw Unsupported("ndarray subclass") }
        guard case .tuple(var state)? = object.state else { throw Unsupported("ndarray without state") }
        if state.count == 5 { state.removeFirst() }  // drop the state version
        guard state.count == 4, let shape = state[0].arrayValue, case .bool(let fortran) = state[2] else {
            throw Unsupported("unexpected ndarray state")
        }
        return try array(shape: shape, dtype: state[1], fortran: fortran, data: state[3], path)
    }

    mutating func array(
        shape shapeItems: [PickleValue], dtype dtypeValue: PickleValue, fortran: Bool, data: PickleValue, _ path: Path
    ) throws(Unsupported) -> PickleNDArray {
        var shape: [Int] = []
        var count = 1
        for item in shapeItems {
            guard let dimension = item.intValue, dimension >= 0 else { throw Unsupported("bad ndarray shape") }
            shape.append(dimension)
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw Unsupported("ndarray too large") }
            count = product
        }
        let dtype = try dtype(dtypeValue)
        try spend(count)
        var values: [PickleData]
        if dtype.kind == "O" {
            guard let items = data.arrayValue, items.count == count else {
                throw Unsupported("object array without a matching item list")
            }
            values = convertItems(items, path)
        } else {
            guard let raw = rawBytes(data, path) else { throw Unsupported("ndarray data is not bytes") }
            values = try elements(raw, dtype, count: count)
        }
        if fortran, shape.count > 1 { values = cOrder(values, shape: shape) }
        return PickleNDArray(shape: shape, dtype: dtype, isFortranOrder: fortran, values: values)
    }

    /// Reorders column-major elements into row-major order.
    func cOrder(_ values: [PickleData], shape: [Int]) -> [PickleData] {
        var result: [PickleData] = []
        result.reserveCapacity(values.count)
        var fortranStrides = [Int](repeating: 1, count: shape.count)
        for axis in 1..<shape.count { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        var index = [Int](repeating: 0, count: shape.count)
        for _ in 0..<values.count {
            var offset = 0
            for axis in 0..<shape.count { offset += index[axis] * fortranStrides[axis] }
            result.append(values[offset])
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// `scalar(dtype, packed bytes)` (or `scalar(object dtype, value)`): a numpy scalar becomes
    /// the plain Python value it stands for.
    mutating func numpyScalar(_ object: PickleObject, _ path: Path) throws(Unsupported) -> PickleData {
        guard object.args.count == 2 else { throw Unsupported("unexpected numpy scalar arguments") }
        let dtype = try dtype(object.args[0])
        if dtype.kind == "O" { return convert(object.args[1], .arg(path, 1)) }
        guard let raw = rawBytes(object.args[1], .arg(path, 1)) else {
            throw Unsupported("numpy scalar data is not bytes")
        }
        guard let value = try elements(raw, dtype, count: 1).first else { throw Unsupported("empty numpy scalar") }
        return value
    }

    // MARK: pandas

    /// A `DataFrame` from its pickled state `{"_mgr": BlockManager, ...}`. pandas ≥ 2 reduces the
    /// manager to `BlockManager(blocks, axes)` with `_unpickle_block(values, placement, ndim)`
    /// blocks; pandas 1 used `BUILD` with `(axes, values, items, {"0.14.1": {...}})`.
    mutating func dataFrame(_ object: PickleObject, _ path: Path) throws(Unsupported) -> PickleDataFrame {
        guard let state = object.state, let manager = (state["_mgr"] ?? state["_data"])?.objectValue,
            blockManagers.contains(manager.className)
        else { throw Unsupported("DataFrame without a BlockManager") }
        var blockValues: [(values: PickleValue, placement: PickleValue)] = []
        let axes: [PickleValue]
        if manager.construction == .reduce, manager.args.count == 2, let blocks = manager.args[0].arrayValue,
            let axisList = manager.args[1].arrayValue
        {
            axes = axisList
            for block in blocks {
                guard let call = block.objectValue, call.global?.name == "_unpickle_block", call.args.count >= 2 else {
                    throw Unsupported("unexpected block")
                }
                blockValues.append((call.args[0], call.args[1]))
            }
        } else if case .tuple(let parts)? = manager.state, parts.count == 4, let extra = parts[3]["0.14.1"],
            let axisList = extra["axes"]?.arrayValue, let blocks = extra["blocks"]?.arrayValue
        {
            axes = axisList
            for block in blocks {
                guard let values = block["values"], let placement = block["mgr_locs"] else {
                    throw Unsupported("unexpected block")
                }
                blockValues.append((values, placement))
            }
        } else {
            throw Unsupported("unknown BlockManager layout")
        }
        guard axes.count == 2 else { throw Unsupported("DataFrame manager without two axes") }
        let (labels, _) = try index(axes[0], path)
        let (rowLabels, rowName) = try index(axes[1], path)
        var columns = [PickleDataFrame.Column?](repeating: nil, count: labels.count)
        for (values, placement) in blockValues {
            guard case .object(let arrayObject) = values,
                ["_reconstruct", "_frombuffer"].contains(effectiveClass(arrayObject)?.1 ?? "")
            else {
                throw Unsupported("block values are not a numpy array (extension arrays are not decoded)")
            }
            let array = try ndarray(arrayObject, path)
            let positions = try placementPositions(placement, path)
            let rows = rowLabels.count
            guard array.shape.count == 2, array.shape[0] == positions.count, array.shape[1] == rows else {
                throw Unsupported("block shape \(array.shape) does not match \(positions.count) columns × \(rows) rows")
            }
            for (offset, position) in positions.enumerated() {
                guard position >= 0, position < labels.count, columns[position] == nil else {
                    throw Unsupported("block placement out of range")
                }
                columns[position] = PickleDataFrame.Column(
                    name: labels[position], dtype: array.dtype.name,
                    values: Array(array.values[offset * rows..<(offset + 1) * rows]))
            }
        }
        var result: [PickleDataFrame.Column] = []
        for column in columns {
            guard let column else { throw Unsupported("a column is missing from the blocks") }
            result.append(column)
        }
        return PickleDataFrame(columns: result, index: rowLabels, indexName: rowName)
    }

    /// `_new_Index(cls, {"data": array, "name": ...})` or `_new_Index(RangeIndex, {start, stop, step, name})`.
    mutating func index(_ value: PickleValue, _ path: Path) throws(Unsupported) -> ([PickleData], PickleData) {
        guard case .object(let object) = value, object.global?.name == "_new_Index", object.args.count == 2,
            case .global(_, let cls) = object.args[0]
        else { throw Unsupported("unexpected index") }
        let attributes = object.args[1]
        let name = attributes["name"].map { convert($0, path) } ?? .none
        if cls == "RangeIndex" {
            guard let start = attributes["start"]?.intValue, let stop = attributes["stop"]?.intValue,
                let step = attributes["step"]?.intValue, step != 0, step != Int.min
            else { throw Unsupported("unexpected RangeIndex") }
            // Count in floating point first so that hostile bounds cannot overflow.
            let span = (Double(stop) - Double(start)) / Double(step)
            guard span < Double(budget) else { throw Unsupported("more values than the interpreter limit") }
            try spend(max(0, Int(span.rounded(.up))))
            return (stride(from: start, to: stop, by: step).map { .int($0) }, name)
        }
        guard case .object(let data)? = attributes["data"] else { throw Unsupported("index without data") }
        return (try ndarray(data, path).values, name)
    }

    /// Block placement: a `slice(start, stop, step)` or an integer array.
    mutating func placementPositions(_ value: PickleValue, _ path: Path) throws(Unsupported) -> [Int] {
        guard case .object(let object) = value else { throw Unsupported("unexpected block placement") }
        if effectiveClass(object).map({ "\($0.0).\($0.1)" }) == "builtins.slice" {
            let numbers = object.args.map { $0.intValue }
            guard numbers.count == 3, let start = numbers[0], let stop = numbers[1] else {
                throw Unsupported("unexpected slice")
            }
            let step = numbers[2] ?? 1
            let (span, overflow) = stop.subtractingReportingOverflow(start)
            guard step > 0, span >= 0, !overflow else { throw Unsupported("unexpected slice") }
            try spend(span / step)
            return Array(stride(from: start, to: stop, by: step))
        }
        var positions: [Int] = []
        for item in try ndarray(object, path).values {
            guard let position = item.intValue else { throw Unsupported("unexpected block placement") }
            positions.append(position)
        }
        return positions
    }
}
