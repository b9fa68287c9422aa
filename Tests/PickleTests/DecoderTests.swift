import Foundation
import Pickle
import Testing

private func decode(_ bytes: [UInt8], limits: PickleLimits = .default) throws -> PickleValue {
    try PickleDecoder(limits: limits).decode(bytes)
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Opcode-level behaviour and the limits that protect against hostile input.
@Suite struct DecoderTests {
    @Test func everyPickletoolsOpcodeIsKnown() throws {
        let table = try #require(try Fixtures.json("opcodes.json") as? [String: Int])
        #expect(table.count == 68)
        for (name, code) in table {
            let error = refusal([0x80, 0x05, UInt8(code)])
            if case .unknownOpcode? = error?.reason { Issue.record("\(name) reported as unknown") }
            if let error, error.offset == 2 { #expect(error.opcode == name) }
        }
    }

    @Test func bigIntegers() throws {
        let cases = [
            "0", "1", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
            "-9223372036854775809", "18446744073709551616", "-340282366920938463463374607431768211456",
            "1000000000000000000000000000000000000000",
        ]
        for text in cases {
            let big = try #require(PickleBigInt(decimal: Substring(text)))
            #expect(big.description == text)
        }
        #expect(PickleBigInt(decimal: "9223372036854775807")?.intValue == Int.max)
        #expect(PickleBigInt(decimal: "-9223372036854775808")?.intValue == Int.min)
        #expect(PickleBigInt(decimal: "9223372036854775808")?.intValue == nil)
        #expect(PickleBigInt(decimal: "12a") == nil)
        #expect(PickleBigInt(twosComplementLittleEndian: [0xFF]).description == "-1")
        #expect(PickleBigInt(twosComplementLittleEndian: [0x00, 0x80]).description == "-32768")
        #expect(PickleBigInt(twosComplementLittleEndian: [0xFF, 0x00]).description == "255")
        #expect(PickleBigInt(twosComplementLittleEndian: []).description == "0")
        // Text opcodes: INT with a huge operand, LONG with its L suffix.
        #expect(
            try decode(bytes("I123456789012345678901234567890\n."))
                == .bigInt(PickleBigInt(decimal: "123456789012345678901234567890")!))
        #expect(try decode(bytes("L-5L\n.")) == .int(-5))
        #expect(try decode(bytes("I01\n.")) == .bool(true))
        #expect(try decode(bytes("I00\n.")) == .bool(false))
    }

    @Test func textOpcodes() throws {
        #expect(try decode(bytes("S'a\\n\\x41\\'b'\n.")) == .string("a\nA'b"))
        #expect(try decode(bytes("Vcaf\\u00e9 \\U0001f600\n.")) == .string("café 😀"))
        #expect(try decode(bytes("F-0.0\n.")) == .float(-0.0))
        #expect(refusal(bytes("Sabc\n."))?.reason == .malformed("the STRING opcode argument must be quoted"))
        #expect(refusal(bytes("Fabc\n."))?.reason == .malformed("bad float operand 'abc'"))
    }

    @Test func stackOpcodes() throws {
        // POP_MARK discards everything above the mark; POP without a value pops the mark.
        #expect(try decode([0x28, 0x4B, 1, 0x4B, 2, 0x31, 0x4B, 3, 0x2E]) == .int(3))
        #expect(try decode([0x4B, 7, 0x28, 0x30, 0x2E]) == .int(7))
        // DUP shares the node: the append is visible through both references.
        #expect(
            try decode([0x80, 2, 0x5D, 0x32, 0x4B, 1, 0x61, 0x86, 0x2E])
                == .tuple([.list([.int(1)]), .list([.int(1)])]))
        // Bytes after STOP are ignored, as Python does.
        #expect(try decode([0x4E, 0x2E, 0xFF, 0xFF]) == .none)
    }

    @Test func dictsReplaceDuplicateKeysAndSetsDropDuplicates() throws {
        // {1: 2, True: 3} is {1: 3} in Python.
        let dict = try decode([0x80, 2, 0x7D, 0x28, 0x4B, 1, 0x4B, 2, 0x88, 0x4B, 3, 0x75, 0x2E])
        #expect(dict == .dict([PickleEntry(key: .int(1), value: .int(3))]))
        let set = try decode([0x80, 4, 0x8F, 0x28, 0x4B, 1, 0x4B, 1, 0x4B, 2, 0x90, 0x2E])
        #expect(set == .set([.int(1), .int(2)]))
    }

    @Test func newobjExKeepsKeywordArguments() throws {
        var pickle: [UInt8] = [0x80, 4, 0x8C, 1] + bytes("m") + [0x8C, 1] + bytes("C") + [0x93]
        pickle += [0x29, 0x7D, 0x8C, 1] + bytes("k") + [0x4B, 5, 0x73, 0x92, 0x2E]
        let object = try #require(try decode(pickle).objectValue)
        #expect(object.construction == .newobjEx)
        #expect(object.className == "m.C")
        #expect(object.kwargs == [PickleEntry(key: .string("k"), value: .int(5))])
    }

    @Test func inputSizeLimit() {
        let limits = PickleLimits(maxInputBytes: 4)
        #expect(refusal([0x4E, 0x30, 0x4E, 0x30, 0x2E], limits: limits)?.reason == .inputTooLarge(size: 5, limit: 4))
    }

    @Test func stackDepthLimit() {
        let pickle = [UInt8](repeating: 0x4E, count: 1000) + [0x2E]
        #expect(refusal(pickle, limits: PickleLimits(maxStackDepth: 100))?.reason == .stackTooDeep(limit: 100))
        let marks = [UInt8](repeating: 0x28, count: 1000) + [0x2E]
        #expect(refusal(marks, limits: PickleLimits(maxStackDepth: 100))?.reason == .stackTooDeep(limit: 100))
    }

    @Test func memoLimit() {
        var pickle: [UInt8] = [0x80, 4]
        for _ in 0..<200 { pickle += [0x4E, 0x94, 0x30] }
        pickle += [0x4E, 0x2E]
        #expect(refusal(pickle, limits: PickleLimits(maxMemoEntries: 100))?.reason == .memoTooLarge(limit: 100))
        #expect((try? decode(pickle)) == PickleValue.none)
    }

    /// Lists of `width` references to the previous list, `levels` deep: width^levels leaves.
    func laughs(width: Int, levels: Int) -> [UInt8] {
        var pickle: [UInt8] = [0x80, 4, 0x28] + [UInt8](repeating: 0x4E, count: width) + [0x6C, 0x94]
        for level in 1..<levels {
            pickle += [0x30, 0x28]
            for _ in 0..<width { pickle += [0x68, UInt8(level - 1)] }
            pickle += [0x6C, 0x94]
        }
        return pickle + [0x2E]
    }

    @Test func outputLimitCountsMemoReuse() throws {
        // 4 levels of 10: 1 + 10 + 100 + 1000 lists plus 10 000 leaves = 11 111 values.
        let pickle = laughs(width: 10, levels: 4)
        #expect(
            refusal(pickle, limits: PickleLimits(maxOutputValues: 11_110))?.reason == .outputTooLarge(limit: 11_110))
        let value = try decode(pickle, limits: PickleLimits(maxOutputValues: 11_111))
        #expect(value.arrayValue?.count == 10)
        #expect(
            refusal(laughs(width: 10, levels: 10))?.reason
                == .outputTooLarge(limit: PickleLimits.default.maxOutputValues))
    }

    func nested(_ depth: Int) -> [UInt8] {
        [0x80, 2] + [UInt8](repeating: 0x5D, count: depth) + [UInt8](repeating: 0x61, count: depth - 1) + [0x2E]
    }

    @Test func nestingLimit() throws {
        let limits = PickleLimits(maxNestingDepth: 20)
        #expect(refusal(nested(21), limits: limits)?.reason == .nestingTooDeep(limit: 20))
        #expect(refusal(nested(20), limits: limits) == nil)
        // A shared (memoized) deep list reused below other lists counts its full height.
        var shared: [UInt8] = [0x80, 4] + [UInt8](repeating: 0x5D, count: 15) + [UInt8](repeating: 0x61, count: 14)
        shared += [0x94, 0x30]  // memo 0 = 15-deep list, popped
        shared += [UInt8](repeating: 0x5D, count: 6) + [0x68, 0, 0x61] + [UInt8](repeating: 0x61, count: 5) + [0x2E]
        #expect(refusal(shared, limits: limits)?.reason == .nestingTooDeep(limit: 20))
        #expect(refusal(shared, limits: PickleLimits(maxNestingDepth: 21)) == nil)
    }

    @Test func deepestAllowedTreeIsSafeToCompareInterpretAndFree() throws {
        let depth = PickleLimits.default.maxNestingDepth
        let value = try decode(nested(depth))
        #expect(value == (try decode(nested(depth))))
        let (data, notData) = PickleInterpreter().interpret(value)
        #expect(notData.isEmpty)
        #expect(data.arrayValue?.count == 1)
        #expect(refusal(nested(100_000))?.reason == .nestingTooDeep(limit: depth))
    }

    @Test func cyclesBecomePlaceholders() throws {
        // l = []; l.append(l)
        let value = try decode([0x80, 2, 0x5D, 0x71, 0, 0x68, 0, 0x61, 0x2E])
        #expect(value == .list([.cycle]))
        #expect(PickleInterpreter().interpret(value).value == .list([.cycle]))
    }

    @Test func accessors() throws {
        let value = try decode(Fixtures.bytes("plain/dict_basic.p4.pkl"))
        #expect(value["a"]?.intValue == 1)
        #expect(value["b"]?.arrayValue == [.int(1), .int(2), .int(3)])
        #expect(value["c"]?.arrayValue?.first?.stringValue == "x")
        #expect(value.dictValue?.count == 3)
        #expect(value["missing"] == nil)
        let data = PickleInterpreter().interpret(value).value
        #expect(data["b"]?.arrayValue?.compactMap(\.intValue) == [1, 2, 3])
        #expect(data["c"]?.arrayValue?[2].boolValue == true)
    }
}

/// Interpretation of hand-made trees that Python's pickler does not produce for plain data.
@Suite struct InterpreterTests {
    let session = PickleValue.global(module: "alchemist_core.session", name: "OptimizationSession")

    @Test func dataObjectsTakeSlotsStateAndReportOpaqueFields() {
        let state = PickleValue.tuple([
            .dict([PickleEntry(key: .string("config"), value: .dict([]))]),
            .dict([
                PickleEntry(
                    key: .string("model"),
                    value: .object(
                        PickleObject(callable: .global(module: "sklearn.gp", name: "GP"), construction: .newobj)))
            ]),
        ])
        let value = PickleValue.object(PickleObject(callable: session, construction: .newobj, state: state))
        let (data, notData) = PickleInterpreter().interpret(value)
        let object = data.dataObjectValue
        #expect(object?.className == "alchemist_core.session.OptimizationSession")
        #expect(object?["config"] == .dict([]))
        #expect(notData == [NotDataNote(className: "sklearn.gp.GP", path: "$.model", reason: "not a data class")])
    }

    @Test func reconstructorOfAnAllowlistedClass() {
        // Protocol 0/1: copyreg._reconstructor(cls, object, None) + BUILD.
        let value = PickleValue.object(
            PickleObject(
                callable: .global(module: "copy_reg", name: "_reconstructor"), construction: .reduce,
                args: [session, .global(module: "__builtin__", name: "object"), .none],
                state: .dict([PickleEntry(key: .string("config"), value: .int(1))])))
        let (data, notData) = PickleInterpreter().interpret(value)
        #expect(data.dataObjectValue?["config"] == .int(1))
        #expect(notData.isEmpty)
    }

    @Test func interpreterValueLimitKeepsLargeArraysOpaque() throws {
        let value = try PickleDecoder().decode(Fixtures.bytes("plain/numpy_arrays.p4.pkl"))
        let (data, notData) = PickleInterpreter(maxValues: 40).interpret(value)
        guard case .opaque? = data["fortran_3d"] else {
            Issue.record("a 24-element array fit in a budget of 40 after the others")
            return
        }
        #expect(notData.contains { $0.reason == "more values than the interpreter limit" })
    }

    @Test func standaloneDTypeAndStaticEntryPoint() {
        let dtype = PickleValue.object(
            PickleObject(
                callable: .global(module: "numpy", name: "dtype"), construction: .reduce,
                args: [.string("i4"), .bool(false), .bool(true)],
                state: .tuple([.int(3), .string(">"), .none, .none, .none, .int(-1), .int(-1), .int(0)])))
        let (data, notData) = PickleInterpreter.interpret(dtype)
        #expect(data == .dtype(PickleDType(kind: "i", itemSize: 4, byteOrder: ">")))
        #expect(notData.isEmpty)
    }

    @Test func mismatchedArrayDataIsOpaqueNotACrash() {
        let dtype = PickleValue.object(
            PickleObject(
                callable: .global(module: "numpy", name: "dtype"), construction: .reduce,
                args: [.string("f8"), .bool(false), .bool(true)]))
        let array = PickleValue.object(
            PickleObject(
                callable: .global(module: "numpy.core.multiarray", name: "_reconstruct"), construction: .reduce,
                args: [.global(module: "numpy", name: "ndarray"), .tuple([.int(0)]), .bytes([0x62])],
                state: .tuple([.int(1), .tuple([.int(1_000_000_000_000)]), dtype, .bool(false), .bytes([1, 2, 3])])))
        let (data, notData) = PickleInterpreter().interpret(array)
        guard case .opaque = data else {
            Issue.record("decoded \(data)")
            return
        }
        #expect(notData.count == 1)
    }
}
