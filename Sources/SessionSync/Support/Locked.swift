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

/// Runs `body(i, item)` for every item `produce` yields (`i` counts from 0 in the order they
/// are yielded) on `jobs` threads of their own, while `produce` runs on the calling thread: the
/// workers start on the first items while later ones are still being found (the migration's
/// walk of the inputs overlaps its conversion). Returns what `produce` returned, once every
/// item is done. With one job, each item is done as it is yielded, on the calling thread.
public func parallelForEach<Item: Sendable, Result>(
    jobs: Int, producing produce: (_ yield: (Item) -> Void) -> Result,
    _ body: @escaping @Sendable (Int, Item) -> Void
) -> Result {
    if jobs <= 1 {
        var next = 0
        return produce { item in
            body(next, item)
            next += 1
        }
    }
    let queue = ProducedItems<Item>()
    let group = DispatchGroup()
    for _ in 0..<jobs {
        group.enter()
        let thread = Thread {
            while let (i, item) = queue.next() { body(i, item) }
            group.leave()
        }
        thread.stackSize = 16 << 20
        thread.start()
    }
    let result = produce { queue.append($0) }
    queue.finish()
    group.wait()
    return result
}

/// The items of ``parallelForEach(jobs:producing:_:)``: appended by the producer, each taken by
/// one worker, in order; workers wait while the producer is still going.
private final class ProducedItems<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private var taken = 0
    private var finished = false

    func append(_ item: Item) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next item and its index, waiting for the producer if need be; nil once all are taken.
    func next() -> (Int, Item)? {
        condition.lock()
        defer { condition.unlock() }
        while taken == items.count && !finished { condition.wait() }
        guard taken < items.count else { return nil }
        let i = taken
        taken += 1
        return (i, items[i])
    }
}
