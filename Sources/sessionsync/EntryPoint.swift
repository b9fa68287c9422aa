import ArgumentParser
import Foundation

/// Maps every failure to the exit codes of SPEC 4: 2 for usage and environment errors
/// (ArgumentParser's own default is 64), 1 for "ran and found problems".
@main
enum EntryPoint {
    static func main() {
        do {
            // `commit` runs after every save: its usual forms skip ArgumentParser (issue #5).
            if let commit = SessionSyncCommand.Commit.QuickInvocation(CommandLine.arguments.dropFirst()) {
                try commit.run()
            } else {
                var command = try SessionSyncCommand.parseAsRoot()
                try command.run()
            }
        } catch {
            let code = SessionSyncCommand.exitCode(for: error)
            if code == .success || code == .failure && error is ExitCode {
                SessionSyncCommand.exit(withError: error)
            }
            if let failure = error as? CommandFailure {
                Terminal.standardError.write("sessionsync: \(failure.message)\n")
                exit(failure.exitCode)
            }
            let message = SessionSyncCommand.fullMessage(for: error)
            if !message.isEmpty { Terminal.standardError.write(message + "\n") }
            exit(code == .failure || code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// An error that ends a command with a message and an exit code (2 unless said otherwise).
struct CommandFailure: Error {
    var message: String
    var exitCode: Int32 = 2
}
