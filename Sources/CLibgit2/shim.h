#ifndef SESSIONSYNC_CLIBGIT2_SHIM_H
#define SESSIONSYNC_CLIBGIT2_SHIM_H
// libgit2's option structs are initialised through macros that Swift cannot import;
// the static inline wrappers below are the Swift-callable forms, added as the Git layer needs them.
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/repository.h>
#include <git2/sys/odb_backend.h>
#endif
