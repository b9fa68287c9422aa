import ArgumentParser
import Foundation
import LegacyFormats
import SessionModel
import SessionSync

extension SessionSyncCommand {
    struct GitSetup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "git-setup",
            abstract: "Install SessionSync's git diff and merge drivers in a repository (like nbdime config-git).",
            discussion: """
                Adds `sessions/**/*.json diff=sessionsync merge=sessionsync` to the work tree's \
                .gitattributes (info/attributes in a bare repository), keeping its other lines, and \
                sets in the repository's own config: diff.sessionsync.textconv (git diff, log -p and \
                show compare readable renderings: metadata, state paths, one line per audit entry) \
                and merge.sessionsync.driver = '<this binary> merge %O %A %B -o %A' (a three-way \
                session merge; conflicts are recorded in the merged file and git reports a \
                conflict). Running it again changes nothing. --uninstall removes both. \
                See docs/replay-and-git.md.
                """,
            subcommands: [Install.self, Textconv.self],
            defaultSubcommand: Install.self)

        struct Install: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "install", abstract: "Install (default) or remove the drivers.")

            @Option(name: .long, help: ArgumentHelp("The repository (default: the current folder).", valueName: "repo"))
            var repo = "."

            @Flag(name: .long, help: "Remove the drivers' config keys and attributes line.")
            var uninstall = false

            @OptionGroup var output: OutputOptions

            func run() throws {
                do {
                    if uninstall {
                        let (file, keys) = try SessionSync.GitSetup.uninstall(repository: repo)
                        if output.json {
                            printJSON([
                                "attributes_file": .string(file), "removed_keys": .array(keys.map { .string($0) }),
                            ])
                        } else {
                            Terminal.standardOutput.line(
                                "removed \(keys.count) config key\(keys.count == 1 ? "" : "s") and the attributes line in \(file)"
                            )
                        }
                        return
                    }
                    let outcome = try SessionSync.GitSetup.install(repository: repo, executable: Self.executablePath())
                    if output.json {
                        printJSON([
                            "attributes_file": .string(outcome.attributesFile),
                            "attributes_changed": .bool(outcome.attributesChanged),
                            "config": .object(JSONObject(outcome.config.map { ($0.key, JSONValue.string($0.value)) })),
                        ])
                    } else {
                        let out = Terminal.standardOutput
                        out.line(
                            (outcome.attributesChanged ? "added to " : "already in ") + outcome.attributesFile + ": "
                                + SessionSync.GitSetup.attributesLine)
                        for (k, v) in outcome.config { out.line("git config \(k) \(v)") }
                    }
                } catch let error as FormatError {
                    throw CommandFailure(message: error.description)
                } catch {
                    throw CommandFailure(message: "\(repo): \(error)")
                }
            }

            /// The absolute path of the running binary, so git finds this very build.
            static func executablePath() -> String {
                if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return exe }
                let arg = CommandLine.arguments[0]
                let absolute = arg.hasPrefix("/") ? arg : FileManager.default.currentDirectoryPath + "/" + arg
                return FileReading.realPath(absolute) ?? absolute
            }
        }

        struct Textconv: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "textconv",
                abstract: "Print a session file as stable text lines (what git diff compares).",
                discussion:
                    "Used by diff.sessionsync.textconv. A file that is not a valid session is printed unchanged.")

            @Argument(help: "The file git passes.")
            var file: String

            func run() throws {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CommandFailure(message: "\(file): cannot be read")
                }
                Terminal.standardOutput.write(SessionRendering.render([UInt8](data)))
            }
        }
    }
}
