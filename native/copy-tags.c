/*
 * opsdeck copy-tags: an LD_PRELOAD library for pg_dump that reports, for every table pg_dump
 * copies out, the server's own row count for that COPY (its "COPY n" command tag), so a custom-
 * format backup gets exact row counts in the dump's snapshot without a second scan of the data.
 *
 * It interposes two libpq calls and changes nothing they do:
 *   PQexec       remembers the query when it is pg_dump's "COPY … TO stdout;"
 *   PQgetResult  when the result ending that COPY is PGRES_COMMAND_OK with status "COPY n",
 *                writes "n\t<query>\0" to the file descriptor named by OPSDECK_COPY_TAGS_FD.
 * On load it writes "opsdeck-copy-tags/1\0" there, so the caller can tell a library that did not
 * load from a dump without tables. Without that variable (or with a bad one) it only passes calls
 * through and writes nothing. If the reader has gone, the write's SIGPIPE ends pg_dump: the
 * backup it was writing has no one left to verify and publish it.
 *
 * No libpq headers: the few declarations below are libpq's stable ABI (PGRES_COMMAND_OK has been 1
 * since PostgreSQL 6.4). Built by scripts/build.mjs into dist/native/copy-tags.so.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;
#define OPSDECK_PGRES_COMMAND_OK 1

static PGresult *(*real_exec)(PGconn *, const char *);
static PGresult *(*real_get_result)(PGconn *);
static int (*real_status)(const PGresult *);
static char *(*real_cmd_status)(PGresult *);

static int tags_fd = -2; /* -2: not looked up yet, -1: off */
static char *pending;     /* the COPY query whose result is awaited */

static int fd_from_env(void) {
  if (tags_fd != -2) return tags_fd;
  const char *v = getenv("OPSDECK_COPY_TAGS_FD");
  char *end = NULL;
  long fd = v ? strtol(v, &end, 10) : -1;
  tags_fd = (v && *v && end && *end == '\0' && fd >= 3 && fd < 1024) ? (int)fd : -1;
  return tags_fd;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= (size_t)w;
  }
}

__attribute__((constructor)) static void hello(void) {
  static const char msg[] = "opsdeck-copy-tags/1";
  if (fd_from_env() >= 0) write_all(tags_fd, msg, sizeof msg);
}

PGresult *PQexec(PGconn *conn, const char *query) {
  if (!real_exec) real_exec = (PGresult * (*)(PGconn *, const char *)) dlsym(RTLD_NEXT, "PQexec");
  if (fd_from_env() >= 0 && query && strncmp(query, "COPY ", 5) == 0 && ends_with(query, " TO stdout;")) {
    free(pending);
    pending = strdup(query);
  }
  return real_exec(conn, query);
}

PGresult *PQgetResult(PGconn *conn) {
  if (!real_get_result) real_get_result = (PGresult * (*)(PGconn *)) dlsym(RTLD_NEXT, "PQgetResult");
  PGresult *res = real_get_result(conn);
  if (res && pending) {
    if (!real_status) real_status = (int (*)(const PGresult *))dlsym(RTLD_NEXT, "PQresultStatus");
    if (!real_cmd_status) real_cmd_status = (char *(*)(PGresult *))dlsym(RTLD_NEXT, "PQcmdStatus");
    if (real_status && real_cmd_status && real_status(res) == OPSDECK_PGRES_COMMAND_OK) {
      const char *tag = real_cmd_status(res);
      if (tag && strncmp(tag, "COPY ", 5) == 0) {
        /* One write per record, so records from forked workers (pg_dump -j) could not interleave. */
        const char *n = tag + 5;
        size_t nl = strlen(n), ql = strlen(pending);
        char *rec = malloc(nl + 1 + ql + 1);
        if (rec) {
          memcpy(rec, n, nl);
          rec[nl] = '\t';
          memcpy(rec + nl + 1, pending, ql + 1);
          write_all(tags_fd, rec, nl + 1 + ql + 1);
          free(rec);
        }
      }
      free(pending);
      pending = NULL;
    }
  }
  return res;
}
