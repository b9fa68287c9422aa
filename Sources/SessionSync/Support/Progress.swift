/// Receives progress of long runs. The CLI draws a bar on a terminal; libraries and tests
/// pass nothing.
public protocol ProgressSink: Sendable {
    /// `done` of `total` units of `phase` are finished. Called from any thread.
    func update(phase: String, done: Int, total: Int)
    /// The phase is over.
    func finish(phase: String)
}
