#ifndef SESSIONSYNC_CLIBGIT2_SHIM_H
#define SESSIONSYNC_CLIBGIT2_SHIM_H
// libgit2's option structs are initialised through macros that Swift cannot import;
// the static inline wrappers below are the Swift-callable forms, added as the Git layer needs them.
#include <git2.h>
#include <git2/sys/commit.h>
#include <git2/sys/mempack.h>
#include <git2/sys/repository.h>
#include <git2/sys/odb_backend.h>

// git_libgit2_opts is variadic, which Swift cannot call.
static inline int sessionsync_git_set_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}

static inline int sessionsync_git_enable_fsync_gitdir(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, enabled);
}

// The mempack backend is a struct of function pointers; calling one from Swift through an
// optional C function pointer is clumsy, so the existence probe lives here.
static inline int sessionsync_git_backend_exists(git_odb_backend *backend, const git_oid *oid) {
    return backend->exists ? backend->exists(backend, oid) : 0;
}

// A writepack is a struct of function pointers filled in by the pack backend; these are the
// Swift-callable forms of its three operations.
static inline int sessionsync_git_writepack_append(
    git_odb_writepack *writepack, const void *data, size_t size, git_indexer_progress *stats) {
    return writepack->append(writepack, data, size, stats);
}

static inline int sessionsync_git_writepack_commit(git_odb_writepack *writepack, git_indexer_progress *stats) {
    return writepack->commit(writepack, stats);
}

static inline void sessionsync_git_writepack_free(git_odb_writepack *writepack) {
    writepack->free(writepack);
}
#endif
