import Foundation
import LegacyFormats
import Testing

/// `PathText` replaces `NSString`'s path methods on the bulk paths: it must give their results
/// for the paths a migration sees, and sane ones where Foundation does not (on Linux,
/// `NSString.deletingLastPathComponent` traps on a bare `a` and answers `/a/` for `///a///b///`).
struct PathTextTests {
    static let ordinary = [
        "", "/", "/a", "/a/", "a/b", "a/b/", "a//b", "/a/b/c.json", "./x", "../x", "a/./b", "/tmp//scratch.tiff",
        "in/lobster/ws_1/.lobster/sessions/s_1/provenance.jsonl", "é/ж/😀.json",
    ]

    @Test func parentAndLastComponentMatchFoundation() {
        for p in Self.ordinary {
            #expect(PathText.parent(p) == (p as NSString).deletingLastPathComponent, "parent of \(p)")
            #expect(PathText.lastComponent(p) == (p as NSString).lastPathComponent, "last component of \(p)")
        }
    }

    @Test func edgeCasesFoundationGetsWrong() {
        let expected: [(path: String, parent: String, last: String)] = [
            ("a", "", "a"), ("a/", "", "a"), ("a//", "", "a"), ("//", "/", "/"), ("///a///b///", "/a", "b"),
        ]
        for e in expected {
            #expect(PathText.parent(e.path) == e.parent, "parent of \(e.path)")
            #expect(PathText.lastComponent(e.path) == e.last, "last component of \(e.path)")
        }
    }

    /// Normal paths come back as they are (a fast check); the rest are normalized segment by
    /// segment. Both kinds, with dots that are names (`.hidden`, `..x`) and that are not.
    @Test func lexicalNormalization() {
        let expected: [(String, String)] = [
            ("a/b", "a/b"), ("/a/b", "/a/b"), ("a", "a"), (".hidden/x", ".hidden/x"), ("..x/y.", "..x/y."),
            ("é/ж/😀.json", "é/ж/😀.json"), ("a/...", "a/..."), ("/", "/"), ("", "."), ("a/", "a"), ("a//b", "a/b"),
            ("./a", "a"), ("a/./b", "a/b"), ("a/../b", "b"), ("../a", "../a"), ("a/..", "."), ("/a/../..", "/.."),
            ("a/.", "a"), ("//a", "/a"),
        ]
        for (path, normalized) in expected {
            #expect(FileReading.lexicallyNormalized(path) == normalized, "\(path)")
        }
    }
}

/// The remembered folder resolution gives `realpath`'s answer, symlinks included.
struct RealDirectoryTests {
    @Test func agreesWithRealpathThroughSymlinks() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sessionsync-realdir-" + UUID().uuidString
        ).path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: base + "/a/b/c", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: base + "/elsewhere/d", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: base + "/a/link", withDestinationPath: base + "/elsewhere")
        let paths = [
            base, base + "/a", base + "/a/b", base + "/a/b/c", base + "/a/link", base + "/a/link/d", base + "/a/b/c",
            base + "/a/missing",
        ]
        for _ in 0..<2 {  // the second round answers from memory
            for p in paths {
                #expect(FileReading.realDirectory(p) == FileReading.realPath(p), "\(p)")
            }
        }
        #expect(FileReading.realDirectory(base + "/a/link/d")?.hasSuffix("/elsewhere/d") == true)
    }
}
