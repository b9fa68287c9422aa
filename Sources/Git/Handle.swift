import CLibgit2

/// Process-wide libgit2 setup, run once on first use. The search paths for system, XDG and
/// global config are emptied so that no user or machine config (`core.autocrlf`, hooks paths,
/// `init.defaultBranch`, identities) can change what this layer writes or checks out: the same
/// input must give the same repository on every machine. Only a repository's own config
/// file is read.
let libgit2Ready: Void = {
    git_libgit2_init()
    for level in [
        GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL,
        GIT_CONFIG_LEVEL_PROGRAMDATA,
    ] {
        _ = sessionsync_git_set_search_path(level.rawValue, "")
    }
}()

/// The single owner of one libgit2 handle; frees it in `deinit`. The raw pointer is only lent
/// inside `with`, which keeps the owner alive for the duration: Swift may release an object
/// right after its last use, so handing out `pointer` and using it later would race `deinit`.
final class Handle {
    typealias Free = @convention(c) (OpaquePointer?) -> Void

    private let pointer: OpaquePointer
    private let free: Free

    init(_ pointer: OpaquePointer, free: Free) {
        self.pointer = pointer
        self.free = free
    }

    func with<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    deinit { free(pointer) }
}

/// Copies a `git_buf` into Swift bytes and frees libgit2's storage.
func takeBuffer(_ buffer: inout git_buf) -> [UInt8] {
    defer { git_buf_dispose(&buffer) }
    guard let base = buffer.ptr, buffer.size > 0 else { return [] }
    return base.withMemoryRebound(to: UInt8.self, capacity: buffer.size) {
        Array(UnsafeBufferPointer(start: $0, count: buffer.size))
    }
}
