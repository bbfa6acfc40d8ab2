#ifndef CRAWL_CSQLITE_SHIM_H
#define CRAWL_CSQLITE_SHIM_H
#include <sqlite3.h>

/* SQLITE_TRANSIENT is a cast of -1 to a function pointer, which Swift cannot import. */
static inline sqlite3_destructor_type crawl_sqlite_transient(void) { return SQLITE_TRANSIENT; }
static inline int crawl_sqlite_bind_text_transient(sqlite3_stmt *s, int i, const char *v, int n) {
    return sqlite3_bind_text(s, i, v, n, SQLITE_TRANSIENT);
}
static inline int crawl_sqlite_bind_blob_transient(sqlite3_stmt *s, int i, const void *v, int n) {
    return sqlite3_bind_blob(s, i, v, n, SQLITE_TRANSIENT);
}

/* The errno of the last failed system call on the database's WAL (or rollback journal), else on
   the database file itself; 0 if none. sqlite3_system_errno() reads errno after SQLite's own
   cleanup has run, so a write refused with EFBIG or EDQUOT (reported as SQLITE_IOERR_WRITE) is
   recognized here, from the unix VFS's per-file record. */
static inline int crawl_sqlite_last_file_errno(sqlite3 *db) {
    int code = 0;
    sqlite3_file *journal = 0;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &journal) == SQLITE_OK && journal != 0
        && journal->pMethods != 0 && journal->pMethods->xFileControl != 0
        && journal->pMethods->xFileControl(journal, SQLITE_FCNTL_LAST_ERRNO, &code) == SQLITE_OK && code != 0) {
        return code;
    }
    code = 0;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &code) == SQLITE_OK) return code;
    return 0;
}
#endif
