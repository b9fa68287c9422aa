import Foundation
import LegacyFormats
import SessionModel

#if canImport(Glibc)
    import Glibc
#endif

/// One file found under the inputs of a run.
///
/// A run holds one of these per input file for its whole length, so it is kept small: the
/// display path is the same string as the path whenever the user named the input that way
/// (always, for the walker), and the relative path is a suffix of the path, not a copy.
public struct InputFile: Sendable, Equatable {
    /// The path to open.
    public var path: String
    /// The path as the user named it (input argument + relative path), for reports.
    public var displayPath: String
    /// The input root it was found under; related-file reads stay inside it.
    public var root: String
    /// Where the relative path starts in `path` (UTF-8 offset).
    var relativeOffset: Int

    /// The path relative to the input it was found under (the file name for a file input).
    public var relativePath: String { String(decoding: path.utf8.dropFirst(relativeOffset), as: UTF8.self) }

    init(path: String, displayPath: String, root: String, relativeOffset: Int) {
        self.path = path
        self.displayPath = displayPath
        self.root = root
        self.relativeOffset = relativeOffset
    }
}

/// An input path that yields no file to import, and why.
public struct InputProblem: Sendable, Equatable {
    public var displayPath: String
    public var reason: String
    /// True for errors (exit 1); false for things deliberately not walked.
    public var isError: Bool
}

/// Walks the inputs of `migrate`, `detect` and `list`: files as given, folders recursively in
/// a fixed order so every run sees the same sequence: the byte order of the paths, so that a
/// folder's files come out already in report order. Symlinks are
/// followed only when they stay inside the input root: a link leaving it is an error, and
/// linked folders are not walked (they could loop). `.git` folders are not walked.
public enum InputWalker {
    /// Every file under `inputs`, in walk order, each also handed to `found` as soon as it is
    /// found (so that work on the first files can start while the walk goes on).
    public static func walk(_ inputs: [String], found: (InputFile) -> Void = { _ in }) -> (
        files: [InputFile], problems: [InputProblem]
    ) {
        var files: [InputFile] = []
        var problems: [InputProblem] = []
        let fm = FileManager.default
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: input, isDirectory: &isDirectory) else {
                problems.append(InputProblem(displayPath: input, reason: "no such file or folder", isError: true))
                continue
            }
            if isDirectory.boolValue {
                let root = FileReading.realPath(input) ?? input
                walkDirectory(
                    input, display: input, relative: "", root: root, files: &files, problems: &problems, found: found)
            } else {
                let parent = PathText.parent(input)
                let root = FileReading.realPath(parent.isEmpty ? "." : parent) ?? parent
                let file = InputFile(
                    path: input, displayPath: input, root: root,
                    relativeOffset: input.utf8.count - PathText.lastComponent(input).utf8.count)
                files.append(file)
                found(file)
            }
        }
        return (files, problems)
    }

    static func walkDirectory(
        _ path: String, display: String, relative: String, root: String, files: inout [InputFile],
        problems: inout [InputProblem], found: (InputFile) -> Void
    ) {
        // readdir's d_type says what each entry is without a stat per entry; only unknown
        // types and symlinks need a look at the inode.
        guard let dir = opendir(path) else {
            problems.append(InputProblem(displayPath: display, reason: "folder cannot be read", isError: true))
            return
        }
        // Sorted as the paths below them sort: a folder's name as if it ended in "/" (so
        // "a.txt" comes before the files of folder "a", as "a.txt" < "a/x" byte-wise).
        var entries: [(sortKey: String, name: String, type: UInt8)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            let type = entry.pointee.d_type
            if name != "." && name != ".." { entries.append((type == UInt8(DT_DIR) ? name + "/" : name, name, type)) }
        }
        closedir(dir)
        entries.sort { keyPrecedes($0.sortKey, $1.sortKey) }
        for (_, name, knownType) in entries {
            let child = path.hasSuffix("/") ? path + name : path + "/" + name
            // One string for both when they are the same text (a walk always starts so).
            let childDisplay =
                display == path ? child : (display.hasSuffix("/") ? display + name : display + "/" + name)
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            let relativeOffset = child.utf8.count - childRelative.utf8.count
            var type = knownType
            if type == UInt8(DT_UNKNOWN) {
                var st = stat()
                guard lstat(child, &st) == 0 else {
                    problems.append(InputProblem(displayPath: childDisplay, reason: "cannot be read", isError: true))
                    continue
                }
                switch st.st_mode & S_IFMT {
                case S_IFDIR: type = UInt8(DT_DIR)
                case S_IFREG: type = UInt8(DT_REG)
                case S_IFLNK: type = UInt8(DT_LNK)
                default: type = UInt8(DT_UNKNOWN)
                }
            }
            switch Int32(type) {
            case Int32(DT_DIR):
                if name == ".git" {
                    problems.append(
                        InputProblem(displayPath: childDisplay, reason: "git metadata, not walked", isError: false))
                } else {
                    walkDirectory(
                        child, display: childDisplay, relative: childRelative, root: root, files: &files,
                        problems: &problems, found: found)
                }
            case Int32(DT_REG):
                let file = InputFile(path: child, displayPath: childDisplay, root: root, relativeOffset: relativeOffset)
                files.append(file)
                found(file)
            case Int32(DT_LNK):
                guard let target = FileReading.realPath(child), target == root || target.hasPrefix(root + "/") else {
                    problems.append(
                        InputProblem(
                            displayPath: childDisplay, reason: "symlink leaves the input root; not followed",
                            isError: true))
                    continue
                }
                var st = stat()
                if stat(target, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                    problems.append(
                        InputProblem(
                            displayPath: childDisplay,
                            reason: "symlink to a folder; not walked (its target is walked where it lies)",
                            isError: false))
                } else {
                    let file = InputFile(
                        path: child, displayPath: childDisplay, root: root, relativeOffset: relativeOffset)
                    files.append(file)
                    found(file)
                }
            default:
                problems.append(
                    InputProblem(displayPath: childDisplay, reason: "not a regular file; skipped", isError: false))
            }
        }
    }
}
