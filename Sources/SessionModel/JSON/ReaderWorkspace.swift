#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a JSON reader needs besides the input, kept per thread and reused from one document
/// to the next: the stacks that containers' children collect on, the buffer escaped strings
/// are decoded in, and the string interner.
///
/// A migration reads tens of thousands of small documents (a Lobster log is read one line at
/// a time), and each used to start with empty stacks that grew by reallocation and an empty
/// interner; now only a thread's first document pays for them. A reader takes the workspace
/// out of its thread's slot for the length of one document and gives it back emptied, so a
/// nested read (none exists today) would get a fresh one rather than share it.
final class ReaderWorkspace {
    let interner = StringInterner()
    let elementStack = MoveStack<JSONValue>()
    let memberStack = MoveStack<(key: String, value: JSONValue)>()
    let keyOffsetStack = MoveStack<Int>()
    /// The buffer strings with escapes are decoded in (owned here; a parser that grows it
    /// hands the new one back through ``replaceScratch(_:capacity:)``).
    private(set) var scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 1024)
    private(set) var scratchCapacity = 1024

    deinit { scratch.deallocate() }

    func replaceScratch(_ buffer: UnsafeMutablePointer<UInt8>, capacity: Int) {
        scratch = buffer
        scratchCapacity = capacity
    }

    /// Lets go of a scratch buffer that one huge string grew past 1 MiB.
    fileprivate func shrinkScratch() {
        scratch.deallocate()
        scratch = .allocate(capacity: 1024)
        scratchCapacity = 1024
    }

    /// This thread's workspace (a new one if it has none, or if it is in use).
    static func take() -> ReaderWorkspace {
        if let pointer = pthread_getspecific(threadSlot) {
            pthread_setspecific(threadSlot, nil)
            return Unmanaged<ReaderWorkspace>.fromOpaque(pointer).takeRetainedValue()
        }
        return ReaderWorkspace()
    }

    /// Empties `workspace` (a refused document leaves children on the stacks) and keeps it for
    /// this thread's next document.
    static func giveBack(_ workspace: ReaderWorkspace) {
        workspace.elementStack.removeAll()
        workspace.memberStack.removeAll()
        workspace.keyOffsetStack.removeAll()
        if workspace.scratchCapacity > 1 << 20 { workspace.shrinkScratch() }
        guard pthread_getspecific(threadSlot) == nil else { return }
        pthread_setspecific(threadSlot, Unmanaged.passRetained(workspace).toOpaque())
    }

    /// Releases a thread's workspace when the thread ends.
    fileprivate static func releaseThreadWorkspace(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        Unmanaged<ReaderWorkspace>.fromOpaque(pointer).release()
    }
}

/// The thread-specific slot that holds each thread's ``ReaderWorkspace``.
private let threadSlot: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { ReaderWorkspace.releaseThreadWorkspace($0) }
    precondition(status == 0, "pthread_key_create failed (\(status))")
    return key
}()

/// The strings one thread's reader made lately, so that a string met again is shared rather
/// than made anew: no second UTF-8 validation, and no allocation for strings of more than 15
/// bytes (Swift keeps shorter ones inline).
///
/// Legacy sessions repeat the same short strings endlessly: every row of a table repeats its
/// column names, every log line its key names, kinds, roles and agent names. The table is
/// direct-mapped: each of its slots holds the last string of up to ``maxLength`` bytes whose
/// hash fell there, with a copy of its bytes to compare against. A string is the same value
/// whether it came from here or was made anew, so what the table holds never shows in any
/// output; it only saves work.
final class StringInterner {
    static let slotCount = 1024
    static let maxLength = 32

    private let keyBytes: UnsafeMutablePointer<UInt8>
    /// Each slot's byte count plus one; 0 for an empty slot.
    private let lengths: UnsafeMutablePointer<UInt8>
    private let strings: UnsafeMutablePointer<String>

    init() {
        keyBytes = .allocate(capacity: Self.slotCount * Self.maxLength)
        lengths = .allocate(capacity: Self.slotCount)
        lengths.initialize(repeating: 0, count: Self.slotCount)
        strings = .allocate(capacity: Self.slotCount)
        strings.initialize(repeating: "", count: Self.slotCount)
    }

    deinit {
        keyBytes.deallocate()
        lengths.deallocate()
        strings.deinitialize(count: Self.slotCount)
        strings.deallocate()
    }

    /// The string whose UTF-8 bytes are `bytes`, which must be valid UTF-8 (the reader has
    /// checked them).
    @inline(__always)
    func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let n = bytes.count
        guard n > 0, n <= Self.maxLength, let base = bytes.baseAddress else {
            return String(decoding: bytes, as: UTF8.self)
        }
        let slot = Self.slot(base, n)
        let stored = keyBytes + slot * Self.maxLength
        if Int(lengths[slot]) == n + 1, memcmp(stored, base, n) == 0 { return strings[slot] }
        let made = String(decoding: bytes, as: UTF8.self)
        strings[slot] = made
        stored.update(from: base, count: n)
        lengths[slot] = UInt8(truncatingIfNeeded: n + 1)
        return made
    }

    /// A slot for `n` (1…32) bytes at `base`: the bytes eight at a time through a multiply,
    /// the top bits of the product choosing the slot.
    @inline(__always)
    private static func slot(_ base: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(n)
        var i = 0
        while i &+ 8 <= n {
            hash = (hash ^ UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            i &+= 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(base[i]) << shift
                shift &+= 8
                i &+= 1
            }
            hash = (hash ^ tail) &* 0xFF51_AFD7_ED55_8CCD
        }
        return Int(truncatingIfNeeded: hash >> 54)  // 10 bits: 1,024 slots
    }
}

/// A stack that containers' children collect on while they are parsed; a finished container
/// moves its children off the top into an exact-size array. (Moving, not copying: no
/// reference counting per element, no growing array per container.)
final class MoveStack<Element> {
    // Allocated on the first push (a document of scalars, or one line of a log, may need none).
    private var storage: UnsafeMutablePointer<Element>? = nil
    private var capacity = 0
    private(set) var count = 0

    deinit {
        storage?.deinitialize(count: count)
        storage?.deallocate()
    }

    @inline(__always)
    func push(_ element: Element) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<Element>.allocate(capacity: max(32, capacity * 2))
            if let storage {
                bigger.moveInitialize(from: storage, count: count)
                storage.deallocate()
            }
            storage = bigger
            capacity = max(32, capacity * 2)
        }
        (storage! + count).initialize(to: element)
        count += 1
    }

    /// The elements from `base` to the top, in order, removed from the stack (moved into one
    /// array allocated at its exact size). (Not `Array(unsafeUninitializedCapacity:)`: it
    /// looks up the array's type metadata at run time on every call.)
    @inline(__always)
    func popArray(from base: Int) -> [Element] {
        let n = count - base
        guard n > 0, let storage else { return [] }
        var result: [Element] = []
        result.reserveCapacity(n)
        for i in base..<count { result.append((storage + i).move()) }
        count = base
        return result
    }

    /// Drops the elements from `base` to the top.
    @inline(__always)
    func drop(from base: Int) {
        guard count > base, let storage else { return }
        (storage + base).deinitialize(count: count - base)
        count = base
    }

    /// Drops every element; a stack that grew past 64K elements for one huge document also
    /// lets go of its storage, so that a thread does not keep it for the rest of the run.
    func removeAll() {
        storage?.deinitialize(count: count)
        count = 0
        if capacity > 1 << 16 {
            storage?.deallocate()
            storage = nil
            capacity = 0
        }
    }
}
