import Foundation
import SessionSync

#if canImport(Glibc)
    import Glibc
#endif

/// Output to a terminal or a pipe: colour only on a terminal and never with `NO_COLOR`
/// (SPEC 4); a progress bar on a terminal for long runs.
struct Terminal: Sendable {
    let fd: Int32

    static let standardOutput = Terminal(fd: STDOUT_FILENO)
    static let standardError = Terminal(fd: STDERR_FILENO)

    var isInteractive: Bool { isatty(fd) == 1 }

    var usesColor: Bool {
        isInteractive && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    func write(_ text: String) { write(bytes: Array(text.utf8)) }

    func write(bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    func line(_ text: String) { write(text + "\n") }

    enum Style: String {
        case red = "31"
        case green = "32"
        case yellow = "33"
        case blue = "34"
        case magenta = "35"
        case cyan = "36"
        case bold = "1"
        case dim = "2"
    }

    func styled(_ text: String, _ style: Style) -> String {
        usesColor ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}

/// A one-line progress bar on standard error, redrawn at most ten times a second, shown only
/// when standard error is a terminal.
final class TerminalProgress: ProgressSink, @unchecked Sendable {
    private let terminal = Terminal.standardError
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var drawn = false

    static func ifInteractive() -> TerminalProgress? {
        Terminal.standardError.isInteractive ? TerminalProgress() : nil
    }

    func update(phase: String, done: Int, total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || done == total else { return }
        lastDraw = now
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        terminal.write("\r\u{1B}[2K\(phase) \(bar) \(done)/\(total)")
        drawn = true
    }

    func finish(phase: String) {
        lock.lock()
        defer { lock.unlock() }
        if drawn { terminal.write("\r\u{1B}[2K") }
        drawn = false
    }
}
