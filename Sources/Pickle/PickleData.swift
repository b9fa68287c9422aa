/// The result of `PickleInterpreter`: the data a pickle holds, with well-known Python library
/// types (datetime, UUID, OrderedDict, numpy arrays, pandas DataFrames, allowlisted application
/// classes) turned into Swift values, and everything else left as an opaque `PickleObject`.
public indirect enum PickleData: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case bigInt(PickleBigInt)
    case float(Double)
    case complex(real: Double, imaginary: Double)
    case string(String)
    case bytes([UInt8])
    case bytearray([UInt8])
    case list([PickleData])
    case tuple([PickleData])
    /// A dict as ordered key/value pairs.
    case dict([PickleDataEntry])
    case set([PickleData])
    case frozenset([PickleData])
    case orderedDict([PickleDataEntry])
    /// A `collections.defaultdict`; the factory is only named (e.g. `.global("builtins", "list")`).
    case defaultDict(factory: PickleData, entries: [PickleDataEntry])
    case dateTime(PickleDateTime)
    case date(PickleDate)
    case time(PickleTime)
    case timeDelta(PickleTimeDelta)
    /// A `uuid.UUID` as its canonical lowercase text.
    case uuid(String)
    /// A module-level name that appeared as a value (never imported).
    case global(module: String, name: String)
    case ndarray(PickleNDArray)
    /// A standalone `numpy.dtype` (arrays and scalars carry theirs inside).
    case dtype(PickleDType)
    case dataFrame(PickleDataFrame)
    /// An allowlisted application class, reduced to its instance state.
    case dataObject(PickleDataObject)
    /// An object that was not interpreted (not on the allowlist); see `NotDataNote`.
    case opaque(PickleObject)
    /// A reference to an enclosing container.
    case cycle
}

/// One key/value pair of an interpreted dict.
public struct PickleDataEntry: Sendable, Equatable {
    public var key: PickleData
    public var value: PickleData

    public init(key: PickleData, value: PickleData) {
        self.key = key
        self.value = value
    }
}

/// An instance of an allowlisted application class (e.g. ALchemist's `OptimizationSession`),
/// reduced to its `__dict__`/state, with each field interpreted in turn.
public struct PickleDataObject: Sendable, Equatable {
    public var module: String
    public var name: String
    /// The instance state in pickled order (normally string keys).
    public var fields: [PickleDataEntry]

    public init(module: String, name: String, fields: [PickleDataEntry]) {
        self.module = module
        self.name = name
        self.fields = fields
    }

    public var className: String { "\(module).\(name)" }

    /// The field with that name, if present.
    public subscript(field: String) -> PickleData? {
        fields.last(where: { $0.key == .string(field) })?.value
    }
}

/// A `datetime.datetime`. Naive unless `utcOffsetMicroseconds` is set (only fixed-offset
/// `datetime.timezone` zones are interpreted).
public struct PickleDateTime: Sendable, Equatable {
    public var year: Int, month: Int, day: Int
    public var hour: Int, minute: Int, second: Int, microsecond: Int
    public var fold: Int
    public var utcOffsetMicroseconds: Int?
    public var timeZoneName: String?

    public init(
        year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0,
        fold: Int = 0, utcOffsetMicroseconds: Int? = nil, timeZoneName: String? = nil
    ) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microsecond = microsecond
        self.fold = fold
        self.utcOffsetMicroseconds = utcOffsetMicroseconds
        self.timeZoneName = timeZoneName
    }

    /// The same text as Python's `datetime.isoformat()`.
    public var isoformat: String {
        PickleDate(year: year, month: month, day: day).isoformat + "T"
            + PickleTime(
                hour: hour, minute: minute, second: second, microsecond: microsecond,
                utcOffsetMicroseconds: utcOffsetMicroseconds
            ).isoformat
    }
}

/// A `datetime.date`.
public struct PickleDate: Sendable, Equatable {
    public var year: Int, month: Int, day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The same text as Python's `date.isoformat()`.
    public var isoformat: String { "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))" }
}

/// A `datetime.time`.
public struct PickleTime: Sendable, Equatable {
    public var hour: Int, minute: Int, second: Int, microsecond: Int
    public var fold: Int
    public var utcOffsetMicroseconds: Int?
    public var timeZoneName: String?

    public init(
        hour: Int, minute: Int, second: Int, microsecond: Int, fold: Int = 0, utcOffsetMicroseconds: Int? = nil,
        timeZoneName: String? = nil
    ) {
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microsecond = microsecond
        self.fold = fold
        self.utcOffsetMicroseconds = utcOffsetMicroseconds
        self.timeZoneName = timeZoneName
    }

    /// The same text as Python's `time.isoformat()`.
    public var isoformat: String {
        var text = "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        if microsecond != 0 { text += ".\(pad(microsecond, 6))" }
        if let offset = utcOffsetMicroseconds {
            let sign = offset < 0 ? "-" : "+"
            let magnitude = offset.magnitude
            let seconds = magnitude / 1_000_000
            let micros = magnitude % 1_000_000
            text += "\(sign)\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2))"
            if seconds % 60 != 0 || micros != 0 { text += ":\(pad(seconds % 60, 2))" }
            if micros != 0 { text += ".\(pad(micros, 6))" }
        }
        return text
    }
}

/// A `datetime.timedelta`, normalised as Python keeps it (0 ≤ seconds < 86400, 0 ≤ microseconds < 10⁶).
public struct PickleTimeDelta: Sendable, Equatable {
    public var days: Int, seconds: Int, microseconds: Int

    public init(days: Int, seconds: Int, microseconds: Int) {
        self.days = days
        self.seconds = seconds
        self.microseconds = microseconds
    }

    /// The whole duration in microseconds, or nil if that does not fit in `Int` (a hostile pickle
    /// can give any day count).
    public var totalMicroseconds: Int? {
        let (dayPart, o1) = days.multipliedReportingOverflow(by: 86_400_000_000)
        let (secondPart, o2) = seconds.multipliedReportingOverflow(by: 1_000_000)
        let (partial, o3) = dayPart.addingReportingOverflow(secondPart)
        let (total, o4) = partial.addingReportingOverflow(microseconds)
        return o1 || o2 || o3 || o4 ? nil : total
    }
}

/// A numpy array dtype, reduced to what decoding needs.
public struct PickleDType: Sendable, Equatable {
    /// numpy's kind character: `f`, `i`, `u`, `b`, `c`, `O`, `U`, `S`, ...
    public var kind: String
    /// Bytes per element.
    public var itemSize: Int
    /// `<` little, `>` big, `|` not applicable, `=` native.
    public var byteOrder: String

    public init(kind: String, itemSize: Int, byteOrder: String) {
        self.kind = kind
        self.itemSize = itemSize
        self.byteOrder = byteOrder
    }

    /// numpy's name, e.g. `float64`, `int32`, `bool`, `object` (without byte order: values are
    /// decoded to native numbers, and numpy itself reports a native dtype after unpickling).
    public var name: String {
        switch kind {
        case "f": return "float\(itemSize * 8)"
        case "i": return "int\(itemSize * 8)"
        case "u": return "uint\(itemSize * 8)"
        case "c": return "complex\(itemSize * 8)"
        case "b": return "bool"
        case "O": return "object"
        case "U": return "<U\(itemSize / 4)"
        case "S": return "|S\(itemSize)"
        default: return "\(byteOrder)\(kind)\(itemSize)"
        }
    }
}

/// A numpy `ndarray` with its elements decoded.
public struct PickleNDArray: Sendable, Equatable {
    public var shape: [Int]
    public var dtype: PickleDType
    /// Whether the pickled bytes were in Fortran (column-major) order; `values` is always C order.
    public var isFortranOrder: Bool
    /// All elements flattened in C (row-major) order.
    public var values: [PickleData]

    public init(shape: [Int], dtype: PickleDType, isFortranOrder: Bool, values: [PickleData]) {
        self.shape = shape
        self.dtype = dtype
        self.isFortranOrder = isFortranOrder
        self.values = values
    }
}

/// A pandas `DataFrame` rebuilt from its pickled `BlockManager`: columns in their real order.
public struct PickleDataFrame: Sendable, Equatable {
    /// One column: its label, numpy dtype name and one value per row.
    public struct Column: Sendable, Equatable {
        public var name: PickleData
        public var dtype: String
        public var values: [PickleData]

        public init(name: PickleData, dtype: String, values: [PickleData]) {
            self.name = name
            self.dtype = dtype
            self.values = values
        }
    }

    public var columns: [Column]
    /// The row labels (a `RangeIndex` expanded to its integers).
    public var index: [PickleData]
    public var indexName: PickleData

    public init(columns: [Column], index: [PickleData], indexName: PickleData = .none) {
        self.columns = columns
        self.index = index
        self.indexName = indexName
    }

    public var rowCount: Int { index.count }

    /// Row-major values, each row in column order.
    public var rows: [[PickleData]] {
        (0..<rowCount).map { row in columns.map { $0.values[row] } }
    }

    /// Rows as ordered (column label, value) pairs, like pandas `to_dict(orient='records')`.
    public var records: [[PickleDataEntry]] {
        (0..<rowCount).map { row in columns.map { PickleDataEntry(key: $0.name, value: $0.values[row]) } }
    }

    /// The column with that label.
    public subscript(column: String) -> Column? {
        columns.first(where: { $0.name == .string(column) })
    }
}

/// A value the interpreter did not turn into data (not executed either), for the migration report.
public struct NotDataNote: Sendable, Equatable, CustomStringConvertible {
    /// `module.name` of the class or callable.
    public var className: String
    /// Where it sits in the tree, e.g. `$["session"].search_space.skopt_dimensions[0]`.
    public var path: String
    /// Why it was left opaque.
    public var reason: String

    public init(className: String, path: String, reason: String) {
        self.className = className
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(className) (\(reason))" }
}

extension PickleData: Equatable {
    /// Structural equality in which NaN equals NaN (so trees compare equal to themselves).
    public static func == (lhs: PickleData, rhs: PickleData) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none), (.cycle, .cycle): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.bigInt(let a), .bigInt(let b)): return a == b
        case (.float(let a), .float(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.complex(let r1, let i1), .complex(let r2, let i2)):
            return (r1 == r2 || (r1.isNaN && r2.isNaN)) && (i1 == i2 || (i1.isNaN && i2.isNaN))
        case (.string(let a), .string(let b)): return a == b
        case (.bytes(let a), .bytes(let b)), (.bytearray(let a), .bytearray(let b)): return a == b
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)), (.set(let a), .set(let b)),
            (.frozenset(let a), .frozenset(let b)):
            return a == b
        case (.dict(let a), .dict(let b)), (.orderedDict(let a), .orderedDict(let b)): return a == b
        case (.defaultDict(let f1, let e1), .defaultDict(let f2, let e2)): return f1 == f2 && e1 == e2
        case (.dateTime(let a), .dateTime(let b)): return a == b
        case (.date(let a), .date(let b)): return a == b
        case (.time(let a), .time(let b)): return a == b
        case (.timeDelta(let a), .timeDelta(let b)): return a == b
        case (.uuid(let a), .uuid(let b)): return a == b
        case (.global(let m1, let n1), .global(let m2, let n2)): return m1 == m2 && n1 == n2
        case (.ndarray(let a), .ndarray(let b)): return a == b
        case (.dtype(let a), .dtype(let b)): return a == b
        case (.dataFrame(let a), .dataFrame(let b)): return a == b
        case (.dataObject(let a), .dataObject(let b)): return a == b
        case (.opaque(let a), .opaque(let b)): return a == b
        default: return false
        }
    }
}

extension PickleData {
    /// The value for a string key of a dict, ordered dict, defaultdict or data object.
    public subscript(key: String) -> PickleData? {
        switch self {
        case .dict(let entries), .orderedDict(let entries), .defaultDict(_, let entries):
            return entries.last(where: { $0.key == .string(key) })?.value
        case .dataObject(let object):
            return object[key]
        default:
            return nil
        }
    }

    /// The entries of a dict-like value (dict, ordered dict, defaultdict, data object fields).
    public var dictValue: [PickleDataEntry]? {
        switch self {
        case .dict(let entries), .orderedDict(let entries), .defaultDict(_, let entries): return entries
        case .dataObject(let object): return object.fields
        default: return nil
        }
    }

    /// The items of a list or tuple.
    public var arrayValue: [PickleData]? {
        switch self {
        case .list(let items), .tuple(let items): return items
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number for floats and ints.
    public var doubleValue: Double? {
        switch self {
        case .float(let value): return value
        case .int(let value): return Double(value)
        case .bigInt(let value): return value.doubleValue
        default: return nil
        }
    }

    public var dateTimeValue: PickleDateTime? {
        if case .dateTime(let value) = self { return value }
        return nil
    }

    public var dataFrameValue: PickleDataFrame? {
        if case .dataFrame(let value) = self { return value }
        return nil
    }

    public var dataObjectValue: PickleDataObject? {
        if case .dataObject(let value) = self { return value }
        return nil
    }

    public var ndarrayValue: PickleNDArray? {
        if case .ndarray(let value) = self { return value }
        return nil
    }
}

private func pad<Value: BinaryInteger>(_ value: Value, _ width: Int) -> String {
    let text = String(value.magnitude)
    let padded = text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    return value < 0 ? "-" + padded : padded
}
