import ArgumentParser
import Foundation
import LegacyFormats
import SessionModel
import SessionSync

extension SessionSyncCommand {
    struct Commit: ParsableCommand {
        static let configuration = CommandConfiguration(
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
        var branch = Self.defaultBranch

        @OptionGroup var importArguments: ImportArguments
        @OptionGroup var output: OutputOptions

        static let defaultBranch = "main"

        func run() throws {
            try Self.run(
                paths: paths, repo: repo, branch: branch, assumeTimezone: importArguments.assumeTimezone,
                json: output.json)
        }

        static func run(paths: [String], repo: String, branch: String, assumeTimezone: String, json: Bool) throws {
            let importOptions = try ImportArguments.importOptions(assumeTimezone: assumeTimezone)
            let options = MigrationOptions(inputs: paths, importOptions: importOptions)
            let sink = try openGitSink(repo: repo, branch: branch, bare: false)
            let result = try Migration(options: options).run(into: sink, progress: TerminalProgress.ifInteractive())
            if json {
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

extension SessionSyncCommand.Commit {
    /// The usual invocation, `commit PATH… --repo REPO [--branch NAME] [--assume-timezone ZONE]
    /// [--json]`, read without ArgumentParser. An editor or app runs `commit` after every save
    /// (issue #5: under 20 ms), and ArgumentParser's reflection over the command tree costs
    /// about 3 ms of that before any work starts.
    ///
    /// Only forms whose meaning is beyond doubt are taken: options anywhere among the paths,
    /// each at most once, each value a separate argument that does not start with `-`.
    /// Anything else (help, `--option=value`, `--`, an unknown or repeated option, a missing
    /// value, an argument `help`, no path, no `--repo`) gives nil and goes to ArgumentParser,
    /// which parses or rejects it as it always has. What is taken runs exactly what `run()`
    /// runs with the same values (tests compare the two).
    struct QuickInvocation {
        var paths: [String]
        var repo: String
        var branch: String
        var assumeTimezone: String
        var json: Bool

        init?(_ arguments: some Sequence<String>) {
            var iterator = arguments.makeIterator()
            guard iterator.next() == "commit" else { return nil }
            var paths: [String] = []
            var values: [String: String] = [:]
            var json = false
            while let argument = iterator.next() {
                switch argument {
                case "--repo", "--branch", "--assume-timezone":
                    guard values[argument] == nil, let value = iterator.next(), !value.hasPrefix("-") else {
                        return nil
                    }
                    values[argument] = value
                case "--json":
                    guard !json else { return nil }
                    json = true
                case "help":
                    return nil
                default:
                    guard !argument.hasPrefix("-") else { return nil }
                    paths.append(argument)
                }
            }
            guard !paths.isEmpty, let repo = values["--repo"] else { return nil }
            self.paths = paths
            self.repo = repo
            self.branch = values["--branch"] ?? SessionSyncCommand.Commit.defaultBranch
            self.assumeTimezone = values["--assume-timezone"] ?? ImportArguments.defaultTimeZone
            self.json = json
        }

        func run() throws {
            try SessionSyncCommand.Commit.run(
                paths: paths, repo: repo, branch: branch, assumeTimezone: assumeTimezone, json: json)
        }
    }
}
