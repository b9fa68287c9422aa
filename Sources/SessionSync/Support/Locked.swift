import Foundation

/// A value shared between worker threads, reachable only under its lock.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) { self.value = value }

    @discardableResult
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Runs `body(i)` for every `i` in `0..<count` on `jobs` threads of their own (with a generous
/// stack, since legacy JSON may nest a few hundred levels), each taking the next index.
/// Returns when all are done.
public func parallelForEach(count: Int, jobs: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let workers = max(1, min(jobs, count))
    if workers == 1 {
        for i in 0..<count { body(i) }
        return
    }
    let next = Locked(0)
    let group = DispatchGroup()
    for _ in 0..<workers {
        group.enter()
        let thread = Thread {
            while true {
                let i = next.withLock { n -> Int in
                    defer { n += 1 }
                    return n
                }
                if i >= count { break }
                body(i)
            }
            group.leave()
        }
        thread.stackSize = 16 << 20
        thread.start()
    }
    group.wait()
}

/// How many workers `--jobs` means when not given: every core.
public var defaultJobCount: Int { ProcessInfo.processInfo.activeProcessorCount }
