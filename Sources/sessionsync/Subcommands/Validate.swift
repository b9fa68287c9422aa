import ArgumentParser
import Foundation
import LegacyFormats
import SessionModel
import SessionSync

extension SessionSyncCommand {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check canonical sessionsync/1 files, folders or stores.",
            discussion: """
                Checks the schema, the exact canonical bytes (key order, indentation, number form, \
                final newline), that the session id equals the file name, that seq is contiguous \
                from 1, that every audit entry id matches its content, and that times are RFC 3339 UTC.
                Each problem is printed as `file: place: reason`. Exit 0 if all files are valid, 1 otherwise.
                """)

        @Argument(help: "Canonical files, folders to search for *.json files, or git stores as REPO[@REV].")
        var paths: [String]

        @OptionGroup var output: OutputOptions

        func run() throws {
            var results: [(String, [ValidationIssue])] = []
            for address in paths where GitStoreView.isGitStore(address) {
                let view = try openView(address)
                let label = GitStoreView.parseAddress(address).revision.map { _ in address } ?? address + "@HEAD"
                for (id, blob) in try view.sessionBlobs().sorted(by: { $0.key < $1.key }) {
                    let bytes = try view.repository.blob(blob)
                    results.append(
                        (
                            label + ":" + Session.storePath(for: id),
                            SessionValidator.validate(fileBytes: bytes, fileStem: id).issues
                        ))
                }
            }
            let files = try collectFiles()
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    results.append((file, [ValidationIssue("", "cannot be read")]))
                    continue
                }
                let name = PathText.lastComponent(file)
                let stem = name.hasSuffix(".json") ? String(name.dropLast(5)) : name
                results.append((file, SessionValidator.validate(fileBytes: [UInt8](data), fileStem: stem).issues))
            }
            let invalid = results.filter { !$0.1.isEmpty }
            if output.json {
                printJSON([
                    "files": .int(results.count), "invalid": .int(invalid.count),
                    "issues": .array(
                        invalid.flatMap { file, issues in
                            issues.map {
                                ["file": .string(file), "location": .string($0.location), "reason": .string($0.reason)]
                            }
                        }),
                ])
            } else {
                let out = Terminal.standardOutput
                for (file, issues) in invalid {
                    for issue in issues { out.line("\(out.styled(file, .bold)): \(issue)") }
                }
                let summary = "\(results.count) file\(results.count == 1 ? "" : "s") checked, \(invalid.count) invalid"
                out.line(invalid.isEmpty ? out.styled(summary, .green) : out.styled(summary, .red))
            }
            if !invalid.isEmpty { throw ExitCode(1) }
        }

        func collectFiles() throws -> [String] {
            var files: [String] = []
            for path in paths where !GitStoreView.isGitStore(path) {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    throw CommandFailure(message: "\(path): no such file or folder")
                }
                if !isDirectory.boolValue {
                    files.append(path)
                    continue
                }
                let found = InputWalker.walk([path]).files.map(\.path).filter { $0.hasSuffix(".json") }
                files += found
            }
            return files
        }
    }
}
