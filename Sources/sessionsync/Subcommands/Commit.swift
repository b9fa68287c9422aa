import ArgumentParser
import Foundation
import LegacyFormats
import SessionModel
import SessionSync

extension SessionSyncCommand {
    struct Commit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "commit",
            abstract: "Commit saved sessions (any format) into a git store: one commit per new lock.",
            discussion: """
                Takes what the apps just saved (an ALchemist desktop save, a server store file, a \
                canonical file, a folder of them) and commits each lock the repository does not have \
                yet, dated with the lock's time. Nothing changed: no commit. A session that changed \
                without a new lock gets one snapshot commit. Safe to run from several processes at \
                once: a process that loses the race for the branch commits again on top of the other.
                """)

        @Argument(help: "Saved session files or folders.")
        var paths: [String]

        @Option(name: .long, help: ArgumentHelp("The git store (created if missing).", valueName: "repo"))
        var repo: String

        @Option(name: .long, help: ArgumentHelp("Branch to commit to.", valueName: "branch"))
        var branch = "main"

        @OptionGroup var importArguments: ImportArguments
        @OptionGroup var output: OutputOptions

        func run() throws {
            let options = MigrationOptions(inputs: paths, importOptions: try importArguments.importOptions())
            let sink = try openGitSink(repo: repo, branch: branch, bare: false)
            let result = try Migration(options: options).run(into: sink, progress: TerminalProgress.ifInteractive())
            if output.json {
                printJSON(result.jsonValue)
            } else {
                for input in result.inputs {
                    if let error = input.error {
                        Terminal.standardError.line(Terminal.standardError.styled("error", .red) + " \(error)")
                    }
                }
                let n = result.commits
                Terminal.standardOutput.line(
                    n == 0 ? "nothing to commit" : "\(n) commit\(n == 1 ? "" : "s") on \(branch)")
            }
            if result.hasFailures { throw ExitCode(1) }
        }
    }
}
