import ArgumentParser
import Foundation
import LegacyFormats
import SessionModel
import SessionSync

extension SessionSyncCommand {
    struct Detect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "detect",
            abstract: "Name the legacy format (and version) of each input, or why it is none.",
            discussion: """
                Detection is by content, never by file name. Folders are walked recursively. \
                Exit 1 if an input looks like a session file but cannot be read.
                """)

        @Argument(help: "Files or folders.")
        var paths: [String]

        @OptionGroup var output: OutputOptions
        @OptionGroup var importArguments: ImportArguments

        func run() throws {
            let options = try importArguments.importOptions()
            let (files, problems) = InputWalker.walk(paths)
            var rows: [(path: String, kind: String, detail: String)] = problems.map {
                ($0.displayPath, $0.isError ? "error" : "skipped", $0.reason)
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file.path) else {
                    rows.append((file.displayPath, "error", "cannot be read"))
                    continue
                }
                let input = InputSniffer.parse(
                    SourceFile(path: file.path, displayPath: file.displayPath, bytes: [UInt8](data)))
                let context = ImportContext(options: options, related: RelatedFiles(root: file.root))
                switch LegacySystems.detect(input, context: context) {
                case .recognized(let format, _):
                    var detail = format.qualifiedName
                    if format.role != .session { detail += " (\(format.role.rawValue))" }
                    if let note = format.note { detail += ": \(note)" }
                    rows.append((file.displayPath, "format", detail))
                case .notASession(let reason):
                    rows.append((file.displayPath, "skipped", reason))
                case .failed(let error):
                    rows.append(
                        (
                            file.displayPath, "error",
                            error.location.isEmpty ? error.reason : "\(error.location): \(error.reason)"
                        ))
                }
            }
            rows.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
            if output.json {
                printJSON(
                    .array(
                        rows.map {
                            ["path": .string($0.path), "result": .string($0.kind), "detail": .string($0.detail)]
                        }))
            } else {
                let out = Terminal.standardOutput
                for row in rows {
                    switch row.kind {
                    case "format": out.line("\(row.path): \(out.styled(row.detail, .green))")
                    case "error": out.line("\(row.path): \(out.styled("error: " + row.detail, .red))")
                    default: out.line("\(row.path): \(out.styled("not a session: " + row.detail, .dim))")
                    }
                }
            }
            if rows.contains(where: { $0.kind == "error" }) { throw ExitCode(1) }
        }
    }
}
