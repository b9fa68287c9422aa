import SessionModel
import Testing

/// The canonical writer of SPEC 2.1, byte for byte, and the reader that feeds it.
struct CanonicalJSONTests {
    func canonical(_ text: String) throws -> String {
        CanonicalJSON.string(try JSONReader.read(text).value)
    }

    @Test func sortsKeysByCodePointIncludingNonASCII() throws {
        // Code point order: "B" (0x42) < "a" (0x61) < "é" (0xE9) < "ж" (0x436) < "😀" (0x1F600).
        // Swift's String < would put "é" elsewhere; UTF-8 byte order is code point order.
        let text = #"{"😀": 1, "ж": 2, "é": 3, "a": 4, "B": 5, "ab": 6, "a\u0000": 7}"#
        let expected = """
            {
              "B": 5,
              "a": 4,
              "a\\u0000": 7,
              "ab": 6,
              "é": 3,
              "ж": 2,
              "😀": 1
            }

            """
        #expect(try canonical(text) == expected)
    }

    @Test func keepsCanonicallyEquivalentKeysApart() throws {
        // "é" precomposed and "e" + combining acute are equal as Swift Strings, distinct in JSON.
        let value = try JSONReader.read("{\"\u{E9}\": 1, \"e\u{301}\": 2}").value
        #expect(value.objectValue?.count == 2)
        #expect(try canonical("{\"\u{E9}\": 1, \"e\u{301}\": 2}") == "{\n  \"e\u{301}\": 2,\n  \"\u{E9}\": 1\n}\n")
    }

    @Test func escapesOnlyQuoteBackslashAndControls() throws {
        let text = #"["q\"b\\s\/n\nr\rt\tb\bf\fz\u0001d\u007f€\ud83d\ude00\u2028"]"#
        // Raw UTF-8 for everything else (DEL, €, emoji, U+2028); `\/` reads as `/`.
        let expected = "[\n  \"q\\\"b\\\\s/n\\nr\\rt\\tb\\bf\\fz\\u0001d\u{7F}€😀\u{2028}\"\n]\n"
        #expect(try canonical(text) == expected)
    }

    @Test(arguments: [
        ("0.1", "0.1"), ("1e-7", "1e-07"), ("1E22", "1e+22"), ("5.0", "5.0"), ("-0.0", "-0.0"),
        ("9007199254740993", "9007199254740993"), ("9007199254740993.0", "9007199254740992.0"),
        ("1234567890123456789012345678901234567890", "1234567890123456789012345678901234567890"),
        ("-1234567890123456789012345678901234567890", "-1234567890123456789012345678901234567890"),
        ("-0", "0"), ("0", "0"), ("-9223372036854775808", "-9223372036854775808"),
        ("9223372036854775808", "9223372036854775808"), ("1e16", "1e+16"), ("1e15", "1000000000000000.0"),
        ("100", "100"), ("1.5e300", "1.5e+300"), ("5e-324", "5e-324"), ("0.30000000000000004", "0.30000000000000004"),
        ("123456789012345678901234567890.5", "1.2345678901234568e+29"), ("2.5E-5", "2.5e-05"),
        ("1e400", "{\n  \"$number\": \"Infinity\"\n}"),
    ])
    func numberEdgeCases(input: String, expected: String) throws {
        #expect(try canonical(input) == expected + "\n")
    }

    /// The writers' buffer: appends of every kind across many growths give the bytes an
    /// array would hold, and `removeAll` starts over in the same memory.
    @Test func byteBufferHoldsWhatWasAppendedAcrossGrowths() {
        var buffer = ByteBuffer(capacity: 1)
        var expected: [UInt8] = []
        for i in 0..<3000 {
            switch i % 4 {
            case 0:
                buffer.append(UInt8(truncatingIfNeeded: i))
                expected.append(UInt8(truncatingIfNeeded: i))
            case 1:
                let chunk = (0..<(i % 97)).map { UInt8(truncatingIfNeeded: $0 &+ i) }
                buffer.append(chunk)
                expected += chunk
            case 2:
                buffer.appendSpaces(i % 13)
                expected += [UInt8](repeating: 0x20, count: i % 13)
            default:
                buffer.append(",\n  ")
                expected += Array(",\n  ".utf8)
            }
            #expect(buffer.count == expected.count)
        }
        #expect(buffer.bytes == expected)
        buffer.withUnsafeBytes { #expect(Array($0) == expected) }
        buffer.removeAll()
        #expect(buffer.count == 0 && buffer.bytes.isEmpty)
        buffer.append("x")
        #expect(buffer.bytes == [UInt8(ascii: "x")])
        buffer.append([])
        buffer.appendSpaces(0)
        #expect(buffer.bytes == [UInt8(ascii: "x")])
    }

    @Test func integersOfEveryMagnitudeAreWrittenAsTheirDigits() {
        var values = [Int.min, Int.max, Int.min + 1, -1, 0, 9, 10, -9, -10, 99, 100, 1_000_000_007]
        var p = 1
        for _ in 0..<18 {
            p *= 10
            values += [p - 1, p, -p, -(p - 1)]
        }
        for v in values {
            #expect(CanonicalJSON.bytes(.int(v)) == Array((String(v) + "\n").utf8))
        }
    }

    /// Strings of every length up to past a few machine words, with one character of each
    /// kind at every position: the writer's and the reader's word-at-a-time scans must agree
    /// with a plain byte-by-byte reference everywhere, at word edges included.
    @Test func stringsOfEveryLengthAndEveryPositionOfASpecialCharacter() throws {
        func reference(_ s: String) -> [UInt8] {
            var out: [UInt8] = [0x22]
            for b in s.utf8 {
                switch b {
                case 0x22: out += [0x5C, 0x22]
                case 0x5C: out += [0x5C, 0x5C]
                case 0x0A: out += Array("\\n".utf8)
                case 0x0D: out += Array("\\r".utf8)
                case 0x09: out += Array("\\t".utf8)
                case 0x08: out += Array("\\b".utf8)
                case 0x0C: out += Array("\\f".utf8)
                case 0..<0x20:
                    let hex = String(b, radix: 16)
                    out += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                default: out.append(b)
                }
            }
            return out + [0x22, 0x0A]
        }
        let specials = ["\"", "\\", "\n", "\u{01}", "\u{1F}", "\u{7F}", "é", "€", "😀", " ", "~"]
        // Fillers: plain letters, and spaces and `!`, which a borrow out of a control character
        // below them flags by mistake (the scans must only trust the lowest flag of a word).
        for filler in ["a", " ", "!"] {
            for length in 0...27 {
                for position in 0...max(0, length - 1) {
                    for special in specials {
                        var chars = Array(repeating: filler, count: length)
                        if length > 0 { chars[position] = special }
                        if length > 2, position + 2 < length { chars[position + 2] = "\u{01}" }
                        let s = chars.joined()
                        let written = CanonicalJSON.bytes(.string(s))
                        #expect(
                            written == reference(s),
                            "length \(length), \(special.debugDescription) at \(position), filler \(filler)")
                        #expect(try JSONReader.read(written, options: .strict).value == .string(s))
                    }
                }
            }
        }
        // Invalid UTF-8 and raw control characters are refused wherever they sit in a word.
        for position in 0..<20 {
            var bytes = [UInt8](repeating: 0x61, count: 20)
            for bad: UInt8 in [0xFF, 0x80, 0x01, 0x1F] {
                bytes[position] = bad
                #expect(throws: JSONSyntaxError.self) { try JSONReader.read([0x22] + bytes + [0x22]) }
            }
        }
    }

    @Test func unsortedObjectsOfEverySizeAreWrittenInCodePointOrder() throws {
        for size in 1...40 {
            // Keys in a scrambled (but fixed) order.
            let keys = (0..<size).map { "k\($0 * 7919 % 1000)é\($0)" }
            let object = JSONObject(keys.map { (key: $0, value: JSONValue.string($0)) })
            let text = String(decoding: CanonicalJSON.bytes(.object(object)), as: UTF8.self)
            let written = text.split(separator: "\n").dropFirst().dropLast().map {
                String($0.dropFirst(3).prefix { $0 != "\"" })
            }
            #expect(written == keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        }
    }

    @Test func warningsNameTheirLineAndColumnAfterManyLinesAndWideCharacters() throws {
        var text = "[\n"
        var expected: [(Int, Int)] = []
        for line in 2...200 {
            let prefix = String(repeating: line % 3 == 0 ? "é" : "a", count: line % 17)
            text += " \"\(prefix)\", NaN,\n"
            expected.append((line, 2 + prefix.count + 4))
        }
        text += "1]"
        let doc = try JSONReader.read(text)
        #expect(doc.warnings.map { [$0.line, $0.column] } == expected.map { [$0.0, $0.1] })
    }

    @Test func nonFiniteNumbersBecomeMarkerObjects() throws {
        let doc = try JSONReader.read("[NaN, Infinity, -Infinity]")
        #expect(
            doc.warnings.map(\.kind) == [
                .nonFiniteToken("NaN"), .nonFiniteToken("Infinity"), .nonFiniteToken("-Infinity"),
            ])
        let expected = """
            [
              {
                "$number": "NaN"
              },
              {
                "$number": "Infinity"
              },
              {
                "$number": "-Infinity"
              }
            ]

            """
        #expect(CanonicalJSON.string(doc.value) == expected)
    }

    @Test func emptyContainersAndScalars() throws {
        #expect(
            try canonical(#"{"a": {}, "b": [], "c": [[]], "d": null, "e": true, "f": false, "g": ""}"#) == """
                {
                  "a": {},
                  "b": [],
                  "c": [
                    []
                  ],
                  "d": null,
                  "e": true,
                  "f": false,
                  "g": ""
                }

                """)
        #expect(try canonical("[]") == "[]\n")
        #expect(try canonical(#""x""#) == "\"x\"\n")
    }

    @Test func deepNestingWithinTheLimitRoundTrips() throws {
        let depth = 500
        let text = String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        let once = CanonicalJSON.bytes(try JSONReader.read(text).value)
        let twice = CanonicalJSON.bytes(try JSONReader.read(once, options: .strict).value)
        #expect(once == twice)
        #expect(once.count > depth * depth)  // every level indents its content
    }

    @Test func nestingBeyondTheLimitIsAnErrorNotACrash() throws {
        let depth = 100_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: JSONSyntaxError.self) { try JSONReader.read(text) }
        do {
            _ = try JSONReader.read(text)
        } catch {
            #expect(error.reason == "nesting deeper than 512 levels")
            #expect(error.line == 1 && error.column == 513)
        }
    }

    @Test func readingCanonicalBytesAndWritingAgainGivesTheSameBytes() throws {
        let text =
            #"{"z": [1, 2.5, {"y": "é", "x": [true, null, -0.0, 1e100]}], "a": {"nested": {"deep": [[], {}]}}, "n": NaN}"#
        let first = CanonicalJSON.bytes(try JSONReader.read(text).value)
        let second = CanonicalJSON.bytes(try JSONReader.read(first, options: .strict).value)
        #expect(first == second)
    }

    @Test func floatsKeepTheirFloatness() throws {
        let value = try JSONReader.read("[5.0, 5, 1e2]").value
        #expect(value == .array([.float(5.0), .int(5), .float(100)]))
        #expect(value != .array([.int(5), .int(5), .int(100)]))
    }
}

/// The lenient legacy reader: what it accepts, what it refuses, and where it says so.
struct JSONReaderTests {
    @Test func duplicateKeysKeepTheLastValueAtTheFirstPositionAndAreReported() throws {
        let doc = try JSONReader.read("{\"a\": 1,\n \"b\": 2,\n \"a\": 3}")
        #expect(doc.value.objectValue?.keys == ["a", "b"])
        #expect(doc.value["a"] == .int(3))
        #expect(doc.warnings == [JSONReadWarning(kind: .duplicateKey("a"), line: 3, column: 2)])
        #expect(throws: JSONSyntaxError.self) { try JSONReader.read("{\"a\": 1, \"a\": 2}", options: .strict) }
    }

    /// Duplicate keys are found in objects of every size (small ones by a length-and-first-
    /// byte filter, larger ones by a hash table) wherever the repeat sits, including keys
    /// that share length and first byte without being equal, and canonically equivalent keys
    /// that are different bytes (never merged).
    @Test(arguments: [2, 3, 15, 16, 17, 31, 32, 33, 64, 100])
    func duplicateKeysAreFoundInObjectsOfEverySize(size: Int) throws {
        // Keys of one length and first byte ("k000", "k001", …) defeat the small-object filter.
        let keys = (0..<size).map { "k" + String(repeating: "0", count: 3 - String($0).count) + String($0) }
        let distinct = keys.map { (key: $0, value: JSONValue.int(1)) }
        #expect(JSONObject(distinct).keys == keys)
        let text = "{" + keys.map { "\"\($0)\": 1" }.joined(separator: ", ") + "}"
        #expect(try JSONReader.read(text).warnings.isEmpty)
        for (first, repeatAt) in [(0, size), (size / 2, size), (size - 1, size)] {
            var members = distinct
            members.insert((keys[first], .int(2)), at: repeatAt)
            let merged = JSONObject(members)
            #expect(merged.keys == keys, "size \(size): \(keys[first]) repeated")
            #expect(merged[keys[first]] == .int(2))
            let doc = try JSONReader.read(
                "{" + members.map { "\"\($0.key)\": \($0.value == .int(2) ? 2 : 1)" }.joined(separator: ", ") + "}")
            #expect(doc.warnings.map(\.kind) == [.duplicateKey(keys[first])])
            #expect(doc.value.objectValue?.keys == keys)
            #expect(doc.value[keys[first]] == .int(2))
        }
        var equivalent = distinct
        equivalent[0] = (key: "\u{E9}", value: .int(1))
        equivalent.append((key: "e\u{301}", value: .int(1)))
        #expect(JSONObject(equivalent).count == size + 1)
    }

    @Test func surrogatePairsDecodeAndLoneSurrogatesAreReplacedAndReported() throws {
        let doc = try JSONReader.read(#"["\ud83d\ude00", "\ud800x", "\udc00"]"#)
        #expect(doc.value == .array(["😀", "\u{FFFD}x", "\u{FFFD}"]))
        #expect(doc.warnings.count == 2)
        #expect(doc.warnings[0].kind == .loneSurrogate("\\ud800"))
    }

    @Test func strictModeRefusesNaN() {
        #expect(throws: JSONSyntaxError.self) { try JSONReader.read("[NaN]", options: .strict) }
    }

    @Test(arguments: [
        ("{\"a\": [1, 2", "line 1 column 12: unexpected end of input in an array (truncated?)"),
        ("{\"a\": \"abc", "line 1 column 7: unterminated string (truncated?)"),
        ("", "line 1 column 1: empty input"),
        ("{\"a\": 1}\n{", "line 2 column 1: extra data after the JSON value"),
        ("{\"a\" 1}", "line 1 column 6: expected ':' after an object key"),
        ("[1,]", "line 1 column 4: unexpected character ']'"),
        ("[01]", "line 1 column 3: expected ',' or ']' in an array"),
        ("[\"a\nb\"]", "line 1 column 4: control character byte 0xA in a string"),
        ("{\n  \"x\": tru\n}", "line 2 column 8: unexpected character 't'"),
        ("[\"\\x\"]", "line 1 column 3: invalid escape '\\x' in a string"),
        ("[nan]", "line 1 column 2: unexpected character 'n'"),
    ])
    func refusesWithLineColumnAndReason(input: String, message: String) {
        do {
            _ = try JSONReader.read(input)
            Issue.record("accepted \(input)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func invalidUTF8IsRefusedWithItsPlace() {
        let bytes: [UInt8] = Array("{\"name\": \"ab".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        do {
            _ = try JSONReader.read(bytes)
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.line == 1 && error.column == 13)
            #expect(error.reason.contains("invalid UTF-8"))
        }
        #expect(throws: JSONSyntaxError.self) { try JSONReader.read([0x5B, 0x22, 0xFF, 0x22, 0x5D]) }
        // Overlong encoding of "/" and an encoded surrogate are not UTF-8 either.
        #expect(throws: JSONSyntaxError.self) { try JSONReader.read([0x5B, 0x22, 0xC0, 0xAF, 0x22, 0x5D]) }
        #expect(throws: JSONSyntaxError.self) { try JSONReader.read([0x5B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x5D]) }
    }

    @Test func columnsCountUnicodeScalarsAsPythonDoes() {
        do {
            _ = try JSONReader.read("[\"ж😀\", x]")
            Issue.record("accepted")
        } catch {
            #expect(error.column == 8)
        }
    }

    @Test func integersBeyondPythonsDigitLimitAreRefused() {
        #expect(throws: JSONSyntaxError.self) { try JSONReader.read(String(repeating: "9", count: 4301)) }
        #expect((try? JSONReader.read(String(repeating: "9", count: 4300))) != nil)
    }
}

/// Python's `json.dumps` as the apps call it, for the exporters.
struct PythonJSONWriterTests {
    @Test func matchesPythonDefaults() throws {
        let value = try JSONReader.read(#"{"b": [1, 2.0, NaN, -Infinity], "a": "é😀\u007f", "c": {}, "d": []}"#).value
        // json.dumps(v) with defaults: member order kept, ", " and ": ", ensure_ascii, NaN tokens.
        #expect(
            PythonJSONWriter().string(value)
                == #"{"b": [1, 2.0, NaN, -Infinity], "a": "\u00e9\ud83d\ude00\u007f", "c": {}, "d": []}"#)
        #expect(
            PythonJSONWriter(sortKeys: true).string(value)
                == #"{"a": "\u00e9\ud83d\ude00\u007f", "b": [1, 2.0, NaN, -Infinity], "c": {}, "d": []}"#)
        // json.dumps(v, indent=2, ensure_ascii=False)
        #expect(
            PythonJSONWriter(indent: 2, ensureASCII: false).string(value) == """
                {
                  "b": [
                    1,
                    2.0,
                    NaN,
                    -Infinity
                  ],
                  "a": "é😀\u{7F}",
                  "c": {},
                  "d": []
                }
                """)
    }
}

/// The fast key comparisons (memcmp on contiguous UTF-8) agree with the byte-wise definition,
/// for small and large, ASCII and non-ASCII, equal, prefix and canonically equivalent keys.
struct KeyComparisonTests {
    static let keys: [String] = [
        "", "a", "b", "ab", "a\u{0}", "B", "é", "e\u{301}", "ж", "😀", "audit_log", "audit_logs",
        String(repeating: "x", count: 15), String(repeating: "x", count: 16), String(repeating: "x", count: 40),
        String(repeating: "x", count: 40) + "é", String(repeating: "é", count: 20),
        String(repeating: "é", count: 19) + "e\u{301}",
    ]

    @Test func fastComparisonsMatchTheByteDefinition() {
        for a in Self.keys {
            for b in Self.keys {
                #expect(keyEquals(a, b) == Array(a.utf8).elementsEqual(Array(b.utf8)), "\(a) = \(b)")
                #expect(
                    keyPrecedes(a, b) == Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)), "\(a) < \(b)")
            }
        }
        // Bridged-looking substrings (not native) take the generic path and agree too.
        let long = String(repeating: "ab", count: 30)
        let slice = String(long.dropFirst(2))
        #expect(keyEquals(slice, String(repeating: "ab", count: 29)))
        #expect(keyPrecedes("e\u{301}", "é"))
        #expect(!keyEquals("e\u{301}", "é"))
    }

    @Test func jsonPointerEscapesOnlyTildeAndSlash() {
        #expect(JSONPointer.escape("plain") == "plain")
        #expect(JSONPointer.escape("a/b~c") == "a~1b~0c")
        #expect(JSONPointer.escape("~/") == "~0~1")
        #expect(JSONPointer.escape("é/ж") == "é~1ж")
        #expect(JSONPointer.pointer([]) == "")
        #expect(JSONPointer.pointer(["state", "a/b", "0"]) == "/state/a~1b/0")
        #expect(JSONPointer.appending("/x", "~") == "/x/~0")
        #expect(JSONPointer.appending("/x", 3) == "/x/3")
    }
}

/// The shallow reader validates a whole document like the full reader but builds only the
/// top-level members asked for.
struct ShallowReadTests {
    static let valid = [
        #"{"a": 1, "b": {"x": [1, 2, {"y": "z"}]}, "c": "s\"q\u00e9", "d": NaN, "e": -Infinity, "a": 2}"#,
        #"{}"#, #"{"big": 123456789012345678901234567890, "f": 1.5e-7, "t": true, "n": null, "u": "é😀"}"#,
        #"[1, 2]"#, #""just a string""#, "  {\"k\": [[], {}, \"\\n\"]}  ",
    ]
    static let invalid = [
        #"{"a": 1, "b": [1, 2"#, #"{"a": 1, "b": "\x"}"#, #"{"a": 1, "b": {"c" 1}}"#, #"{"a": 1} x"#, "",
        "{\"a\": \"ctl\u{1}\"}", #"{"a": [1,]}"#, #"{"b": tru}"#,
        String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        "{\"z\": " + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}",
        // Skipped strings with escapes are checked escape by escape, as a read checks them.
        #"{"a": 1, "b": "ok \u00e9 then \u12G4"}"#, #"{"a": 1, "b": "\ud800\u12"}"#, #"{"a": 1, "b": "a\"b"#,
        "{\"a\": 1, \"b\": \"\\u00e9 ctl\u{1}\"}", #"{"a": 1, "b": "\n\q"}"#,
    ]

    @Test func buildsOnlyTheKeptMembersOfValidDocuments() throws {
        for text in Self.valid {
            let full = try JSONReader.read(text).value
            let shallow = try JSONReader.topLevelMembers(Array(text.utf8)) { $0 == "a" || $0 == "c" || $0 == "u" }
            guard case .object(let o) = full else {
                #expect(shallow == nil, "\(text)")
                continue
            }
            let expected = JSONObject(o.members.filter { $0.key == "a" || $0.key == "c" || $0.key == "u" })
            #expect(shallow == expected, "\(text)")
        }
    }

    @Test func refusesWhatTheFullReaderRefusesAtTheSamePlace() {
        for text in Self.invalid {
            var fullError: JSONSyntaxError?
            do { _ = try JSONReader.read(text) } catch { fullError = error }
            var shallowError: JSONSyntaxError?
            do { _ = try JSONReader.topLevelMembers(Array(text.utf8)) { _ in false } } catch { shallowError = error }
            #expect(fullError != nil, "\(text.prefix(40))")
            #expect(
                shallowError?.line == fullError?.line && shallowError?.column == fullError?.column, "\(text.prefix(40))"
            )
            #expect(shallowError?.reason == fullError?.reason, "\(text.prefix(40))")
        }
        // Invalid UTF-8 inside a skipped string.
        let bad: [UInt8] = Array(#"{"a": 1, "b": ""#.utf8) + [0xFF] + Array(#""}"#.utf8)
        #expect(throws: JSONSyntaxError.self) { _ = try JSONReader.topLevelMembers(bad) { $0 == "a" } }
    }

}

/// The byte-level string helpers the readers share.
struct StringBytesTests {
    /// `validatedString` accepts exactly what `String(validating:as:)` accepts, and gives the
    /// same text: ASCII at every length around the eight-byte steps, every kind of invalid
    /// sequence (among them one whose replacement has as many bytes as the sequence), and
    /// random bytes.
    @Test func validatedStringAgreesWithTheStandardLibrary() {
        func check(_ bytes: [UInt8]) {
            let ours = bytes.withUnsafeBufferPointer { validatedString($0) }
            let theirs = String(validating: bytes, as: UTF8.self)
            #expect(ours == theirs, "\(bytes)")
            #expect(bytes.withUnsafeBufferPointer { isASCII($0) } == bytes.allSatisfy { $0 < 0x80 })
        }
        for n in 0..<20 {
            check(Array(repeating: UInt8(ascii: "a"), count: n))
            for k in 0..<n {
                var bytes = Array(repeating: UInt8(ascii: "a"), count: n)
                bytes[k] = 0x80
                check(bytes)
            }
        }
        let sequences: [[UInt8]] = [
            Array("é ж 😀 \u{FFFD}".utf8),
            [0xFF], [0xC0, 0x80], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0xF0, 0x90, 0x80], [0xF0, 0x90, 0x80, 0x41], [0xEF, 0xBF, 0xBD], [0x80, 0x80, 0x80],
        ]
        for s in sequences {
            check(s)
            check(Array("plain text, then ".utf8) + s + Array(" and more".utf8))
        }
        // Random mixes of ASCII and high bytes, from a fixed seed (a failure reproduces).
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for _ in 0..<5000 {
            let n = Int(next() % 24)
            check((0..<n).map { _ in next() % 2 == 0 ? UInt8(0x20 + next() % 0x60) : UInt8(0x80 + next() % 0x80) })
        }
    }

    /// `nextLineBreak` finds the first `\n` or `\r` from any start, wherever it falls in an
    /// eight-byte step, next to bytes that differ from a break in one bit, or none at all.
    @Test func nextLineBreakFindsTheFirstBreak() {
        for n in 0..<26 {
            for (k, mark) in [(-1, UInt8(0))] + (0..<n).flatMap({ k in [(k, UInt8(0x0A)), (k, UInt8(0x0D))] }) {
                // Fillers one bit away from a break (0x0B, 0x0C, 0x0E, 0x8A, 0x8D) and plain text.
                var bytes = (0..<n).map { i -> UInt8 in [0x0B, 0x0C, 0x0E, 0x8A, 0x8D, 0x61][i % 6] }
                if k >= 0 { bytes[k] = mark }
                if k >= 0, k + 3 < n { bytes[k + 3] = 0x0A }
                for start in 0...n {
                    let naive = (start..<n).first { bytes[$0] == 0x0A || bytes[$0] == 0x0D } ?? n
                    #expect(bytes.withUnsafeBufferPointer { nextLineBreak(in: $0, from: start) } == naive)
                }
            }
        }
    }
}
