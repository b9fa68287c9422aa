#ifndef SESSIONSYNC_CSQLITE_SHIM_H
#define SESSIONSYNC_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
