import Foundation
import Pickle

/// Fixture locations, found from this file so tests run from any working directory.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pickle")

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relative)))
    }

    static func json(_ relative: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent(relative)))
    }

    static func names(in directory: String, suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(directory).path)
            .filter { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) }.sorted()
    }
}

/// The tagged form written by scripts/pickle-fixtures.py: every leaf a string, every node an array.
indirect enum Tagged: Equatable, CustomStringConvertible {
    case text(String)
    case array([Tagged])

    init?(json: Any) {
        if let text = json as? String {
            self = .text(text)
        } else if let items = json as? [Any] {
            var result: [Tagged] = []
            for item in items {
                guard let tagged = Tagged(json: item) else { return nil }
                result.append(tagged)
            }
            self = .array(result)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .text(let text): return "\"\(text)\""
        case .array(let items): return "[" + items.map(\.description).joined(separator: ",") + "]"
        }
    }

    /// Equality in which the items of sets may come in any order (Python's set order is not stable).
    func matches(_ other: Tagged) -> Bool {
        switch (self, other) {
        case (.text(let a), .text(let b)): return a == b
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return false }
            if a.count == 2, case .text(let kind) = a[0], kind == "set" || kind == "frozenset",
                case .array(var rest) = b[1], case .array(let items) = a[1], a[0] == b[0]
            {
                guard items.count == rest.count else { return false }
                for item in items {
                    guard let index = rest.firstIndex(where: { item.matches($0) }) else { return false }
                    rest.remove(at: index)
                }
                return true
            }
            return zip(a, b).allSatisfy { $0.matches($1) }
        default: return false
        }
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

func floatBits(_ value: Double) -> String {
    let text = String(value.bitPattern, radix: 16)
    return String(repeating: "0", count: 16 - text.count) + text
}

/// Renders interpreted data in the tagged form, for comparison with Python's expectations.
func tagged(_ data: PickleData) -> Tagged {
    func t(_ kind: String, _ rest: Tagged...) -> Tagged { .array([.text(kind)] + rest) }
    func pairs(_ entries: [PickleDataEntry]) -> Tagged {
        .array(entries.map { .array([tagged($0.key), tagged($0.value)]) })
    }
    switch data {
    case .none: return t("none")
    case .bool(let flag): return t("bool", .text(flag ? "True" : "False"))
    case .int(let number): return t("int", .text(String(number)))
    case .bigInt(let number): return t("int", .text(number.description))
    case .float(let number): return t("float", .text(floatBits(number)))
    case .complex(let real, let imaginary): return t("complex", .text(floatBits(real)), .text(floatBits(imaginary)))
    case .string(let text): return t("str", .text(text))
    case .bytes(let bytes): return t("bytes", .text(hex(bytes)))
    case .bytearray(let bytes): return t("bytearray", .text(hex(bytes)))
    case .list(let items): return t("list", .array(items.map(tagged)))
    case .tuple(let items): return t("tuple", .array(items.map(tagged)))
    case .set(let items): return t("set", .array(items.map(tagged)))
    case .frozenset(let items): return t("frozenset", .array(items.map(tagged)))
    case .dict(let entries): return t("dict", pairs(entries))
    case .orderedDict(let entries): return t("ordereddict", pairs(entries))
    case .defaultDict(let factory, let entries):
        var name = "none"
        if case .global(let module, let function) = factory { name = "\(module).\(function)" }
        return t("defaultdict", .text(name), pairs(entries))
    case .dateTime(let value): return t("datetime", .text(value.isoformat))
    case .date(let value): return t("date", .text(value.isoformat))
    case .time(let value): return t("time", .text(value.isoformat))
    case .timeDelta(let value):
        return t(
            "timedelta", .text(String(value.days)), .text(String(value.seconds)), .text(String(value.microseconds)))
    case .uuid(let text): return t("uuid", .text(text))
    case .cycle: return t("cycle")
    case .global(let module, let name): return t("global", .text("\(module).\(name)"))
    case .ndarray(let array):
        return t(
            "ndarray", .text(array.dtype.name), .array(array.shape.map { .text(String($0)) }),
            .array(array.values.map(tagged)))
    case .dtype(let dtype): return t("dtype", .text(dtype.name))
    case .dataFrame: return t("dataframe")
    case .dataObject(let object): return t("object", .text(object.className))
    case .opaque(let object): return t("opaque", .text(object.className))
    }
}
