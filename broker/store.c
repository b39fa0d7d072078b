/*  store.c: the broker's SQLite store (see store.h).

    Statements are prepared once and kept; every function resets its statement before
    returning, so a failed step never leaves a statement holding a read transaction.
    SQLite errors become ERR_STORAGE with the database's own message.
*/
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    Q_META_GET,
    Q_META_SET,
    Q_JOURNAL_FIND,
    Q_JOURNAL_APPEND,
    Q_TASK_INSERT,
    Q_TASK_ATTEMPT,
    Q_TASK_FINISH,
    Q_ACCOUNT_INSERT,
    Q_ACCOUNT_EXISTS,
    Q_PERSON_INSERT,
    Q_HISTORY_INSERT,
    Q_COUNT
};

static const char *const s_sql[Q_COUNT] = {
    [Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [Q_META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [Q_JOURNAL_FIND] = "SELECT seq, detail FROM journal WHERE message_id = ?1",
    [Q_JOURNAL_APPEND] = "INSERT INTO journal (message_id, kind, sender, person, received_ms, "
                         "campaign_date, body, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [Q_TASK_INSERT] = "INSERT INTO tasks (agent_kind, name, payload, state, created_ms, "
                      "campaign_date) VALUES (?1, ?2, ?3, 'queued', ?4, ?5)",
    [Q_TASK_ATTEMPT] = "UPDATE tasks SET attempts = ?2, not_before_ms = ?3, "
                       "error = coalesce (?4, error) WHERE id = ?1",
    [Q_TASK_FINISH] = "UPDATE tasks SET state = ?2, attempts = ?3, result = ?4, summary = ?5, "
                      "error = ?6, done_by = ?7, finished_ms = ?8 WHERE id = ?1",
    [Q_ACCOUNT_INSERT] = "INSERT INTO accounts (account_id, csm, body) VALUES (?1, ?2, ?3)",
    [Q_ACCOUNT_EXISTS] = "SELECT 1 FROM accounts WHERE account_id = ?1",
    [Q_PERSON_INSERT] = "INSERT INTO people (person_id, role, body) VALUES (?1, ?2, ?3)",
    [Q_HISTORY_INSERT] = "INSERT INTO history (account_id, body) VALUES (?1, ?2)",
};

static const char s_schema[] =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS journal ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  message_id TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL, sender TEXT, person TEXT,"
    "  received_ms INTEGER NOT NULL, campaign_date TEXT,"
    "  body BLOB, detail TEXT);"
    "CREATE INDEX IF NOT EXISTS journal_kind ON journal (kind);"
    "CREATE TABLE IF NOT EXISTS tasks ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  agent_kind TEXT NOT NULL, name TEXT NOT NULL, payload BLOB,"
    "  state TEXT NOT NULL CHECK (state IN ('queued', 'done', 'dead')),"
    "  attempts INTEGER NOT NULL DEFAULT 0, not_before_ms INTEGER NOT NULL DEFAULT 0,"
    "  created_ms INTEGER NOT NULL, campaign_date TEXT,"
    "  result BLOB, summary TEXT, error TEXT, done_by TEXT, finished_ms INTEGER);"
    "CREATE INDEX IF NOT EXISTS tasks_state ON tasks (state);"
    "CREATE TABLE IF NOT EXISTS accounts (account_id TEXT PRIMARY KEY, csm TEXT, body BLOB "
    "NOT NULL);"
    "CREATE TABLE IF NOT EXISTS people (person_id TEXT PRIMARY KEY, role TEXT, body BLOB NOT "
    "NULL);"
    "CREATE TABLE IF NOT EXISTS history (id INTEGER PRIMARY KEY, account_id TEXT, body BLOB "
    "NOT NULL);"
    "CREATE TABLE IF NOT EXISTS handoffs ("
    "  id TEXT PRIMARY KEY, team TEXT NOT NULL, opportunity_id TEXT, account_id TEXT,"
    "  reason TEXT, created_ms INTEGER, campaign_date TEXT,"
    "  acked_by TEXT, acked_ms INTEGER);";

struct _store_t {
    sqlite3 *db;
    sqlite3_stmt *stmt[Q_COUNT];
    char *path;
};

static int
s_fail (store_t *self, err_t *err, const char *what)
{
    return err_set (err, ERR_STORAGE, "store %s: %s: %s", self->path, what,
                    sqlite3_errmsg (self->db));
}

static int
s_exec (store_t *self, const char *sql, err_t *err)
{
    char *msg = NULL;
    if (sqlite3_exec (self->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = err_set (err, ERR_STORAGE, "store %s: %s", self->path, msg ? msg : "failed");
        sqlite3_free (msg);
        return rc;
    }
    return 0;
}

static sqlite3_stmt *
s_stmt (store_t *self, int query)
{
    sqlite3_stmt *stmt = self->stmt[query];
    sqlite3_reset (stmt);
    sqlite3_clear_bindings (stmt);
    return stmt;
}

/*  Step a statement that returns no rows; resets it. */
static int
s_step_done (store_t *self, sqlite3_stmt *stmt, err_t *err, const char *what)
{
    int rc = sqlite3_step (stmt);
    int result = rc == SQLITE_DONE ? 0 : s_fail (self, err, what);
    sqlite3_reset (stmt);
    return result;
}

int
store_open (const char *path, store_t **out, err_t *err)
{
    store_t *self = calloc (1, sizeof *self);
    if (!self || !(self->path = strdup (path))) {
        free (self);
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    int rc = 0;
    if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = s_fail (self, err, "cannot open");
        goto cleanup;
    }
    sqlite3_busy_timeout (self->db, 5000);
    if ((rc = s_exec (self,
                      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                      "PRAGMA foreign_keys = ON;",
                      err)))
        goto cleanup;
    if ((rc = s_exec (self, "BEGIN IMMEDIATE", err)))
        goto cleanup;
    if ((rc = s_exec (self, s_schema, err))) {
        s_exec (self, "ROLLBACK", NULL);
        goto cleanup;
    }
    if ((rc = s_exec (self, "COMMIT", err)))
        goto cleanup;
    for (int q = 0; q < Q_COUNT; q++)
        if (sqlite3_prepare_v3 (self->db, s_sql[q], -1, SQLITE_PREPARE_PERSISTENT,
                                &self->stmt[q], NULL) != SQLITE_OK) {
            rc = s_fail (self, err, "prepare");
            goto cleanup;
        }
    char *version = NULL;
    if (store_meta_get (self, "schema_version", &version, NULL) == 0) {
        long found = strtol (version, NULL, 10);
        free (version);
        if (found > STORE_SCHEMA_VERSION) {
            rc = err_set (err, ERR_UNSUPPORTED,
                          "store %s has schema version %ld, newer than this broker's %d", path,
                          found, STORE_SCHEMA_VERSION);
            goto cleanup;
        }
    } else {
        char text[16];
        snprintf (text, sizeof text, "%d", STORE_SCHEMA_VERSION);
        if ((rc = store_meta_set (self, "schema_version", text, err)))
            goto cleanup;
    }
cleanup:
    if (rc)
        store_destroy (&self);
    else
        *out = self;
    return rc;
}

void
store_destroy (store_t **self_p)
{
    if (self_p && *self_p) {
        store_t *self = *self_p;
        for (int q = 0; q < Q_COUNT; q++)
            sqlite3_finalize (self->stmt[q]);
        sqlite3_close (self->db);
        free (self->path);
        free (self);
        *self_p = NULL;
    }
}

int
store_begin (store_t *self, err_t *err)
{
    return s_exec (self, "BEGIN IMMEDIATE", err);
}

int
store_commit (store_t *self, err_t *err)
{
    return s_exec (self, "COMMIT", err);
}

void
store_rollback (store_t *self)
{
    if (!sqlite3_get_autocommit (self->db))
        s_exec (self, "ROLLBACK", NULL);
}

bool
store_in_transaction (store_t *self)
{
    return !sqlite3_get_autocommit (self->db);
}

int
store_savepoint (store_t *self, err_t *err)
{
    return s_exec (self, "SAVEPOINT item", err);
}

void
store_savepoint_release (store_t *self)
{
    s_exec (self, "RELEASE item", NULL);
}

void
store_savepoint_rollback (store_t *self)
{
    s_exec (self, "ROLLBACK TO item; RELEASE item", NULL);
}

int
store_meta_get_blob (store_t *self, const char *key, uint8_t **data, size_t *size, err_t *err)
{
    sqlite3_stmt *stmt = s_stmt (self, Q_META_GET);
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
    int step = sqlite3_step (stmt);
    int rc = 0;
    if (step == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes (stmt, 0);
        const void *bytes = sqlite3_column_blob (stmt, 0);
        uint8_t *copy = malloc (n + 1);
        if (!copy)
            rc = err_set (err, ERR_NOMEM, "out of memory");
        else {
            if (n)
                memcpy (copy, bytes, n);
            copy[n] = '\0';
            *data = copy;
            *size = n;
        }
    } else if (step == SQLITE_DONE)
        rc = err_set (err, ERR_NOTFOUND, "no meta '%s'", key);
    else
        rc = s_fail (self, err, "meta get");
    sqlite3_reset (stmt);
    return rc;
}

int
store_meta_get (store_t *self, const char *key, char **value, err_t *err)
{
    size_t size;
    return store_meta_get_blob (self, key, (uint8_t **)value, &size, err);
}

int
store_meta_set_blob (store_t *self, const char *key, const uint8_t *data, size_t size,
                     err_t *err)
{
    sqlite3_stmt *stmt = s_stmt (self, Q_META_SET);
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob (stmt, 2, data ? (const void *)data : "", (int)size, SQLITE_STATIC);
    return s_step_done (self, stmt, err, "meta set");
}

int
store_meta_set (store_t *self, const char *key, const char *value, err_t *err)
{
    return store_meta_set_blob (self, key, (const uint8_t *)value, strlen (value), err);
}

int
store_journal_find (store_t *self, const char *message_id, int64_t *seq, char **detail,
                    err_t *err)
{
    sqlite3_stmt *stmt = s_stmt (self, Q_JOURNAL_FIND);
    sqlite3_bind_text (stmt, 1, message_id, -1, SQLITE_STATIC);
    int step = sqlite3_step (stmt);
    int rc = 0;
    if (step == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text (stmt, 1);
        char *copy = strdup (text ? text : "");
        if (!copy)
            rc = err_set (err, ERR_NOMEM, "out of memory");
        else {
            *seq = sqlite3_column_int64 (stmt, 0);
            *detail = copy;
        }
    } else if (step == SQLITE_DONE)
        rc = err_set (err, ERR_NOTFOUND, "message %s is not in the journal", message_id);
    else
        rc = s_fail (self, err, "journal find");
    sqlite3_reset (stmt);
    return rc;
}

int
store_journal_append (store_t *self, const store_entry_t *entry, int64_t *seq, err_t *err)
{
    sqlite3_stmt *stmt = s_stmt (self, Q_JOURNAL_APPEND);
    sqlite3_bind_text (stmt, 1, entry->message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, entry->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, entry->sender, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 4, entry->person, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 5, entry->received_ms);
    sqlite3_bind_text (stmt, 6, entry->campaign_date, -1, SQLITE_STATIC);
    sqlite3_bind_blob (stmt, 7, entry->body ? (const void *)entry->body : "",
                       (int)entry->body_size, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 8, entry->detail, -1, SQLITE_STATIC);
    int step = sqlite3_step (stmt);
    int rc = 0;
    if (step == SQLITE_DONE)
        *seq = sqlite3_last_insert_rowid (self->db);
    else if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE)
        rc = err_set (err, ERR_INVALID, "message %s is already journaled", entry->message_id);
    else
        rc = s_fail (self, err, "journal append");
    sqlite3_reset (stmt);
    return rc;
}

int
store_journal_counts (store_t *self, store_count_fn *fn, void *arg, err_t *err)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db,
                            "SELECT kind, count(*) FROM journal GROUP BY kind ORDER BY kind",
                            -1, &stmt, NULL) != SQLITE_OK)
        return s_fail (self, err, "journal counts");
    int step;
    while ((step = sqlite3_step (stmt)) == SQLITE_ROW)
        fn (arg, (const char *)sqlite3_column_text (stmt, 0), sqlite3_column_int64 (stmt, 1));
    int rc = step == SQLITE_DONE ? 0 : s_fail (self, err, "journal counts");
    sqlite3_finalize (stmt);
    return rc;
}

int
store_journal_scan (store_t *self, store_entry_fn *fn, void *arg, err_t *err)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db,
                            "SELECT seq, message_id, kind, sender, person, received_ms, "
                            "campaign_date, body, detail FROM journal ORDER BY seq",
                            -1, &stmt, NULL) != SQLITE_OK)
        return s_fail (self, err, "journal scan");
    int step;
    while ((step = sqlite3_step (stmt)) == SQLITE_ROW) {
        store_entry_t entry = {
            .message_id = (const char *)sqlite3_column_text (stmt, 1),
            .kind = (const char *)sqlite3_column_text (stmt, 2),
            .sender = (const char *)sqlite3_column_text (stmt, 3),
            .person = (const char *)sqlite3_column_text (stmt, 4),
            .received_ms = sqlite3_column_int64 (stmt, 5),
            .campaign_date = (const char *)sqlite3_column_text (stmt, 6),
            .body = sqlite3_column_blob (stmt, 7),
            .body_size = (size_t)sqlite3_column_bytes (stmt, 7),
            .detail = (const char *)sqlite3_column_text (stmt, 8),
        };
        fn (arg, sqlite3_column_int64 (stmt, 0), &entry);
    }
    int rc = step == SQLITE_DONE ? 0 : s_fail (self, err, "journal scan");
    sqlite3_finalize (stmt);
    return rc;
}

int
store_task_insert (store_t *self, const char *agent_kind, const char *name,
                   const uint8_t *payload, size_t size, int64_t created_ms,
                   const char *campaign_date, int64_t *id, err_t *err)
{
    sqlite3_stmt *stmt = s_stmt (self, Q_TASK_INSERT);
    sqlite3_bind_text (stmt, 1, agent_kind, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_blob (stmt, 3, payload ? (const void *)payload : "", (int)size, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 4, created_ms);
    sqlite3_bind_text (stmt, 5, campaign_date, -1, SQLITE_STATIC);
    int rc = s_step_done (self, stmt, err, "task insert");
    if (!rc)
        *id = sqlite3_last_insert_rowid (self->db);
    return rc;
}

int
store_task_attempt (store_t *self, int64_t id, uint32_t attempts, int64_t not_before_ms,
                    const char *last_error, err_t *err)
{
    sqlite3_stmt *stmt = s_stmt (self, Q_TASK_ATTEMPT);
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_int64 (stmt, 2, attempts);
    sqlite3_bind_int64 (stmt, 3, not_before_ms);
    if (last_error)
        sqlite3_bind_text (stmt, 4, last_error, -1, SQLITE_STATIC);
    return s_step_done (self, stmt, err, "task attempt");
}

int
store_task_finish (store_t *self, int64_t id, const char *state, uint32_t attempts,
                   const uint8_t *result, size_t size, const char *summary, const char *error,
                   const char *done_by, int64_t finished_ms, err_t *err)
{
    sqlite3_stmt *stmt = s_stmt (self, Q_TASK_FINISH);
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_text (stmt, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, attempts);
    if (result)
        sqlite3_bind_blob (stmt, 4, result, (int)size, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 5, summary, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 6, error, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 7, done_by, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 8, finished_ms);
    return s_step_done (self, stmt, err, "task finish");
}

int
store_tasks_scan (store_t *self, const char *state, store_task_fn *fn, void *arg, err_t *err)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db,
                            "SELECT id, agent_kind, name, payload, state, attempts, "
                            "not_before_ms, error FROM tasks "
                            "WHERE ?1 IS NULL OR state = ?1 ORDER BY id",
                            -1, &stmt, NULL) != SQLITE_OK)
        return s_fail (self, err, "tasks scan");
    if (state)
        sqlite3_bind_text (stmt, 1, state, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step (stmt)) == SQLITE_ROW) {
        store_task_t task = {
            .id = sqlite3_column_int64 (stmt, 0),
            .agent_kind = (const char *)sqlite3_column_text (stmt, 1),
            .name = (const char *)sqlite3_column_text (stmt, 2),
            .payload = sqlite3_column_blob (stmt, 3),
            .payload_size = (size_t)sqlite3_column_bytes (stmt, 3),
            .state = (const char *)sqlite3_column_text (stmt, 4),
            .attempts = (uint32_t)sqlite3_column_int64 (stmt, 5),
            .not_before_ms = sqlite3_column_int64 (stmt, 6),
            .last_error = (const char *)sqlite3_column_text (stmt, 7),
        };
        fn (arg, &task);
    }
    int rc = step == SQLITE_DONE ? 0 : s_fail (self, err, "tasks scan");
    sqlite3_finalize (stmt);
    return rc;
}

static int
s_count (store_t *self, const char *sql, const char *param, int64_t *count, err_t *err)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return s_fail (self, err, "count");
    if (param)
        sqlite3_bind_text (stmt, 1, param, -1, SQLITE_STATIC);
    int rc = 0;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        *count = sqlite3_column_int64 (stmt, 0);
    else
        rc = s_fail (self, err, "count");
    sqlite3_finalize (stmt);
    return rc;
}

bool
store_task_exists (store_t *self, int64_t id)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db, "SELECT 1 FROM tasks WHERE id = ?1", -1, &stmt, NULL) !=
        SQLITE_OK)
        return false;
    sqlite3_bind_int64 (stmt, 1, id);
    bool found = sqlite3_step (stmt) == SQLITE_ROW;
    sqlite3_finalize (stmt);
    return found;
}

int
store_task_count (store_t *self, const char *state, int64_t *count, err_t *err)
{
    return s_count (self, "SELECT count(*) FROM tasks WHERE state = ?1", state, count, err);
}

int
store_count_rows (store_t *self, const char *table, int64_t *count, err_t *err)
{
    /*  table names come from our own code, never from input */
    char sql[96];
    snprintf (sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return s_count (self, sql, NULL, count, err);
}

/*  Pack a protobuf-c message into a malloc'd buffer. */
static uint8_t *
s_pack (const ProtobufCMessage *message, size_t *size)
{
    *size = protobuf_c_message_get_packed_size (message);
    uint8_t *data = malloc (*size ? *size : 1);
    if (data)
        protobuf_c_message_pack (message, data);
    return data;
}

static int
s_insert_packed (store_t *self, int query, const char *key, const char *second,
                 const ProtobufCMessage *message, err_t *err)
{
    size_t size;
    uint8_t *data = s_pack (message, &size);
    if (!data)
        return err_set (err, ERR_NOMEM, "out of memory");
    sqlite3_stmt *stmt = s_stmt (self, query);
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
    int column = 2;
    if (query != Q_HISTORY_INSERT)
        sqlite3_bind_text (stmt, column++, second, -1, SQLITE_STATIC);
    sqlite3_bind_blob (stmt, column, data, (int)size, SQLITE_STATIC);
    int rc = s_step_done (self, stmt, err, "insert record");
    free (data);
    return rc;
}

int
store_replace_accounts (store_t *self, const Campaign__ImportPortfolio *import, err_t *err)
{
    int rc = s_exec (self, "DELETE FROM accounts", err);
    for (size_t i = 0; !rc && i < import->n_accounts; i++)
        rc = s_insert_packed (self, Q_ACCOUNT_INSERT, import->accounts[i]->account_id,
                              import->accounts[i]->csm,
                              (const ProtobufCMessage *)import->accounts[i], err);
    return rc;
}

int
store_replace_people (store_t *self, const Campaign__ImportRoster *import, err_t *err)
{
    int rc = s_exec (self, "DELETE FROM people", err);
    for (size_t i = 0; !rc && i < import->n_people; i++)
        rc = s_insert_packed (self, Q_PERSON_INSERT, import->people[i]->person_id,
                              import->people[i]->role,
                              (const ProtobufCMessage *)import->people[i], err);
    return rc;
}

int
store_replace_history (store_t *self, const Campaign__ImportHistory *import, err_t *err)
{
    int rc = s_exec (self, "DELETE FROM history", err);
    for (size_t i = 0; !rc && i < import->n_records; i++)
        rc = s_insert_packed (self, Q_HISTORY_INSERT, import->records[i]->account_id, NULL,
                              (const ProtobufCMessage *)import->records[i], err);
    return rc;
}

bool
store_account_exists (store_t *self, const char *account_id)
{
    sqlite3_stmt *stmt = s_stmt (self, Q_ACCOUNT_EXISTS);
    sqlite3_bind_text (stmt, 1, account_id, -1, SQLITE_STATIC);
    bool found = sqlite3_step (stmt) == SQLITE_ROW;
    sqlite3_reset (stmt);
    return found;
}

int
store_handoffs_open (store_t *self, store_count_fn *fn, void *arg, err_t *err)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db,
                            "SELECT team, count(*) FROM handoffs WHERE acked_by IS NULL "
                            "GROUP BY team ORDER BY team",
                            -1, &stmt, NULL) != SQLITE_OK)
        return s_fail (self, err, "handoffs");
    int step;
    while ((step = sqlite3_step (stmt)) == SQLITE_ROW)
        fn (arg, (const char *)sqlite3_column_text (stmt, 0), sqlite3_column_int64 (stmt, 1));
    int rc = step == SQLITE_DONE ? 0 : s_fail (self, err, "handoffs");
    sqlite3_finalize (stmt);
    return rc;
}

int
store_handoff_ack (store_t *self, const char *id, const char *person, int64_t at_ms, err_t *err)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db, "SELECT acked_by FROM handoffs WHERE id = ?1", -1, &stmt,
                            NULL) != SQLITE_OK)
        return s_fail (self, err, "handoff");
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
    int step = sqlite3_step (stmt);
    int rc = 0;
    if (step == SQLITE_DONE)
        rc = err_set (err, ERR_NOTFOUND, "handoff '%s' does not exist", id);
    else if (step != SQLITE_ROW)
        rc = s_fail (self, err, "handoff");
    else if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        rc = err_set (err, ERR_STATE, "handoff '%s' was already acknowledged by %s", id,
                      sqlite3_column_text (stmt, 0));
    sqlite3_finalize (stmt);
    if (rc)
        return rc;
    if (sqlite3_prepare_v2 (self->db,
                            "UPDATE handoffs SET acked_by = ?2, acked_ms = ?3 WHERE id = ?1",
                            -1, &stmt, NULL) != SQLITE_OK)
        return s_fail (self, err, "handoff ack");
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, person, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, at_ms);
    rc = sqlite3_step (stmt) == SQLITE_DONE ? 0 : s_fail (self, err, "handoff ack");
    sqlite3_finalize (stmt);
    return rc;
}
