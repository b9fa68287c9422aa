// libFuzzer entry point for the Pickle decoder and interpreter. Built by scripts/fuzz-pickle,
// which compiles this file together with Sources/Pickle/*.swift into one module (so there is no
// `import Pickle`) with `swiftc -sanitize=fuzzer,address -parse-as-library`.

/// Tighter limits than the defaults keep each run fast; the code paths are the same.
private let limits = PickleLimits(
    maxInputBytes: 1 << 20, maxStackDepth: 10_000, maxMemoEntries: 10_000, maxOutputValues: 200_000,
    maxNestingDepth: 200)

@_cdecl("LLVMFuzzerTestOneInput")
public func pickleFuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    do {
        let value = try PickleDecoder(limits: limits).decode(bytes)
        let (data, notData) = PickleInterpreter(maxValues: 200_000).interpret(value)
        // Equality walks the whole tree, as consumers will.
        precondition(value == value && data == data)
        for note in notData { precondition(!note.description.isEmpty) }
    } catch {
        precondition(!error.description.contains("\n"))
    }
    return 0
}
