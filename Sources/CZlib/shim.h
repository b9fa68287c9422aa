#ifndef SESSIONSYNC_CZLIB_SHIM_H
#define SESSIONSYNC_CZLIB_SHIM_H
// zlib for the Git layer's pack writer only. deflateInit is a macro that passes the library
// version and struct size, which Swift cannot import; this wrapper is its callable form.
#include <zlib.h>

static inline int sessionsync_deflate_init(z_streamp stream, int level) {
    return deflateInit(stream, level);
}
#endif
