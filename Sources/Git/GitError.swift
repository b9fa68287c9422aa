import CLibgit2

/// The one error type of the Git layer: what libgit2 said, translated at a single point
/// (`check`) so callers can branch on `code` (for example retry a reference update that
/// lost a race) without knowing libgit2's numeric codes.
public struct GitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The outcomes callers act on; everything else keeps libgit2's raw code.
    public enum Code: Sendable, Hashable {
        /// The object, reference, path or config key does not exist.
        case notFound
        /// Something already exists where it must not (e.g. creating a reference that exists).
        case exists
        /// A reference did not hold the expected value (compare-and-swap lost a race).
        case modified
        /// Another process holds a lock file (e.g. `refs/heads/main.lock`).
        case locked
        /// A short id or spec matches more than one object.
        case ambiguous
        /// Malformed input: bad spec, bad name, bad path, bad object.
        case invalid
        /// A checkout would overwrite local changes.
        case conflict
        /// Any other libgit2 return code.
        case other(Int32)

        init(libgit2 code: Int32) {
            switch code {
            case GIT_ENOTFOUND.rawValue: self = .notFound
            case GIT_EEXISTS.rawValue: self = .exists
            case GIT_EMODIFIED.rawValue: self = .modified
            case GIT_ELOCKED.rawValue: self = .locked
            case GIT_EAMBIGUOUS.rawValue: self = .ambiguous
            case GIT_EINVALIDSPEC.rawValue, GIT_EINVALID.rawValue: self = .invalid
            case GIT_ECONFLICT.rawValue: self = .conflict
            default: self = .other(code)
            }
        }
    }

    public let code: Code
    /// libgit2's error class (`git_error_t`, e.g. 4 = reference, 9 = odb); 0 when the error
    /// was raised by this module rather than by libgit2.
    public let errorClass: Int32
    public let message: String
    /// The operation that failed, e.g. `git_reference_create_matching(refs/heads/main)`.
    public let operation: String

    public init(code: Code, errorClass: Int32 = 0, message: String, operation: String) {
        self.code = code
        self.errorClass = errorClass
        self.message = message
        self.operation = operation
    }

    public var description: String {
        "\(operation): \(message) (\(code), class \(errorClass))"
    }
}

/// The single translation point from a libgit2 return code to `GitError`. It must run right
/// after the failing call, on the same thread, because `git_error_last()` is thread-local and
/// overwritten by the next failing call.
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws {
    guard result < 0 else { return }
    var errorClass: Int32 = 0
    var message = "libgit2 returned \(result)"
    if let last = git_error_last() {
        errorClass = last.pointee.klass
        if let text = last.pointee.message { message = String(cString: text) }
    }
    throw GitError(
        code: GitError.Code(libgit2: result), errorClass: errorClass, message: message,
        operation: operation())
}
