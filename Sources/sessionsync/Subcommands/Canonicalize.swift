import ArgumentParser
import Foundation
import SessionModel
import SessionSync

extension SessionSyncCommand {
    struct Canonicalize: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "canonicalize",
            abstract: "Rewrite JSON files in the canonical form of SPEC 2.1 (any JSON, not only sessions).",
            discussion: """
                Reads each file leniently (NaN tokens, duplicate keys: the last wins) and writes its \
                canonical bytes: sorted keys, two-space indent, exact numbers, non-finite numbers as \
                {"$number": …}. With --out the results go to that folder under the same relative paths; \
                with --check nothing is written and the exit code is 1 if a file is not canonical yet. \
                Without either, files are rewritten in place (atomically).
                """)

        @Argument(help: "JSON files or folders (searched for *.json).")
        var paths: [String]

        @Option(
            name: .long, help: ArgumentHelp("Write results under this folder instead of in place.", valueName: "dir"))
        var out: String?

        @Flag(name: .long, help: "Only report files that are not canonical; write nothing.")
        var check = false

        @Option(name: .long, help: ArgumentHelp("Parallel workers (default: all cores).", valueName: "n"))
        var jobs: Int?

        func run() throws {
            let (files, problems) = InputWalker.walk(paths)
            let targets = files.filter { $0.path.hasSuffix(".json") || paths.contains($0.path) }
            let failures = Locked([String]())
            let changed = Locked([String]())
            let out = self.out
            let check = self.check
            parallelForEach(count: targets.count, jobs: jobs ?? defaultJobCount) { i in
                let file = targets[i]
                guard let data = FileManager.default.contents(atPath: file.path) else {
                    failures.withLock { $0.append("\(file.displayPath): cannot be read") }
                    return
                }
                let original = [UInt8](data)
                do {
                    let bytes = CanonicalJSON.bytes(try JSONReader.read(original).value)
                    if bytes == original { return }
                    changed.withLock { $0.append(file.displayPath) }
                    if check { return }
                    let destination = out.map { $0 + "/" + file.relativePath } ?? file.path
                    try AtomicFile.write(bytes, to: destination, durable: false)
                } catch let error as JSONSyntaxError {
                    failures.withLock { $0.append("\(file.displayPath): \(error)") }
                } catch {
                    failures.withLock { $0.append("\(file.displayPath): \(error)") }
                }
            }
            let err = Terminal.standardError
            for p in problems where p.isError { err.line("\(p.displayPath): \(p.reason)") }
            for f in failures.withLock({ $0 }).sorted() { err.line(err.styled("error", .red) + " " + f) }
            let changedList = changed.withLock { $0 }.sorted()
            if check { for c in changedList { Terminal.standardOutput.line("\(c): not canonical") } }
            Terminal.standardOutput.line(
                "\(targets.count) file\(targets.count == 1 ? "" : "s"), \(changedList.count) \(check ? "not canonical" : "rewritten"), \(failures.withLock { $0.count }) failed"
            )
            if !failures.withLock({ $0.isEmpty }) || problems.contains(where: \.isError)
                || (check && !changedList.isEmpty)
            {
                throw ExitCode(1)
            }
        }
    }
}
