/// The raw result of decoding a pickle: a finite tree of plain values and typed placeholders.
///
/// Nothing in this tree was ever executed. `GLOBAL`/`STACK_GLOBAL` only name a callable
/// (`.global`), and `REDUCE`/`NEWOBJ`/`NEWOBJ_EX`/`INST`/`OBJ`/`BUILD` only record what Python
/// *would* have called (`.object`). Memo references (`GET`) are expanded into copies, so a value
/// shared in the pickle appears once per use here (Swift's copy-on-write keeps that cheap); a
/// reference back to an enclosing container (a cycle) becomes `.cycle`.
public indirect enum PickleValue: Sendable {
    case none
    case bool(Bool)
    /// An integer that fits in `Int`.
    case int(Int)
    /// An integer that does not fit in `Int` (never used for values that would fit).
    case bigInt(PickleBigInt)
    /// A Python float; NaN, infinities and negative zero are kept bit for bit.
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case bytearray([UInt8])
    case list([PickleValue])
    case tuple([PickleValue])
    /// A dict as its ordered key/value pairs (insertion order, as Python keeps it).
    case dict([PickleEntry])
    /// A set in pickled order (Python's iteration order at pickling time).
    case set([PickleValue])
    case frozenset([PickleValue])
    /// A module-level name (class or function) that Python would have imported.
    case global(module: String, name: String)
    /// A placeholder for an object Python would have constructed.
    case object(PickleObject)
    /// A reference to an enclosing container (the pickle was self-referential).
    case cycle
}

/// One key/value pair of a pickled dict (keys may be any value, so a Swift dictionary cannot hold them).
public struct PickleEntry: Sendable, Equatable {
    public var key: PickleValue
    public var value: PickleValue

    public init(key: PickleValue, value: PickleValue) {
        self.key = key
        self.value = value
    }
}

/// A typed placeholder for an object that Python would have built while unpickling.
///
/// It records the call that would have happened (callable, arguments), the state given to
/// `BUILD`, and the items `APPEND`/`SETITEM` added to it, so a later pass can decide whether the
/// object is plain data (see `PickleInterpreter`). Nothing here is ever called.
public struct PickleObject: Sendable, Equatable {
    /// The opcode that would have constructed the object.
    public enum Construction: String, Sendable, Equatable {
        /// `REDUCE`: `callable(*args)`.
        case reduce
        /// `NEWOBJ`: `cls.__new__(cls, *args)`.
        case newobj
        /// `NEWOBJ_EX`: `cls.__new__(cls, *args, **kwargs)`.
        case newobjEx
        /// `INST`: protocol 0 `module.name(*args)`.
        case inst
        /// `OBJ`: protocol 1 `cls(*args)`.
        case obj
    }

    /// What would have been called: normally `.global(module:name:)`, but a hostile or unusual
    /// pickle may call any value (e.g. the result of another reduce).
    public var callable: PickleValue
    public var construction: Construction
    /// Positional arguments (the items of the argument tuple).
    public var args: [PickleValue]
    /// Keyword arguments (`NEWOBJ_EX` only).
    public var kwargs: [PickleEntry]
    /// The argument of `BUILD` (`__setstate__` or `__dict__` update), if any.
    public var state: PickleValue?
    /// Items added with `APPEND`/`APPENDS`/`ADDITEMS` (list/set subclasses).
    public var listItems: [PickleValue]
    /// Items added with `SETITEM`/`SETITEMS` (dict subclasses such as `OrderedDict`).
    public var dictItems: [PickleEntry]

    public init(
        callable: PickleValue, construction: Construction, args: [PickleValue] = [],
        kwargs: [PickleEntry] = [], state: PickleValue? = nil, listItems: [PickleValue] = [],
        dictItems: [PickleEntry] = []
    ) {
        self.callable = callable
        self.construction = construction
        self.args = args
        self.kwargs = kwargs
        self.state = state
        self.listItems = listItems
        self.dictItems = dictItems
    }

    /// `module` and `name` of the callable when it is a global.
    public var global: (module: String, name: String)? {
        if case .global(let module, let name) = callable { return (module, name) }
        return nil
    }

    /// `"module.name"` of the callable, or a short description when the callable is not a global.
    public var className: String {
        if let global { return "\(global.module).\(global.name)" }
        return "<\(callable.kindName)>"
    }
}

extension PickleValue: Equatable {
    /// Structural equality; unlike `Double`'s `==`, NaN equals NaN with the same bits, so that a
    /// decoded tree compares equal to itself and to its expectation.
    public static func == (lhs: PickleValue, rhs: PickleValue) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none), (.cycle, .cycle): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.bigInt(let a), .bigInt(let b)): return a == b
        case (.float(let a), .float(let b)): return a.bitPattern == b.bitPattern || (a == b)
        case (.string(let a), .string(let b)): return a == b
        case (.bytes(let a), .bytes(let b)), (.bytearray(let a), .bytearray(let b)): return a == b
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)), (.set(let a), .set(let b)),
            (.frozenset(let a), .frozenset(let b)):
            return a == b
        case (.dict(let a), .dict(let b)): return a == b
        case (.global(let m1, let n1), .global(let m2, let n2)): return m1 == m2 && n1 == n2
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

extension PickleValue {
    /// A short name of the case, for messages.
    public var kindName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .bytearray: return "bytearray"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .set: return "set"
        case .frozenset: return "frozenset"
        case .global(let module, let name): return "global \(module).\(name)"
        case .object(let object): return "object \(object.className)"
        case .cycle: return "cycle"
        }
    }

    /// The value for a string key when `self` is a dict (or an object whose state is a dict).
    public subscript(key: String) -> PickleValue? {
        switch self {
        case .dict(let entries):
            return entries.last(where: { $0.key == .string(key) })?.value
        case .object(let object):
            return object.state?[key]
        default:
            return nil
        }
    }

    /// The entries when `self` is a dict.
    public var dictValue: [PickleEntry]? {
        if case .dict(let entries) = self { return entries }
        return nil
    }

    /// The items when `self` is a list or a tuple.
    public var arrayValue: [PickleValue]? {
        switch self {
        case .list(let items), .tuple(let items): return items
        default: return nil
        }
    }

    /// The text when `self` is a string.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The integer when `self` is an int that fits in `Int`.
    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The number when `self` is a float or an int.
    public var doubleValue: Double? {
        switch self {
        case .float(let value): return value
        case .int(let value): return Double(value)
        case .bigInt(let value): return value.doubleValue
        default: return nil
        }
    }

    /// The placeholder when `self` is an object.
    public var objectValue: PickleObject? {
        if case .object(let object) = self { return object }
        return nil
    }
}
