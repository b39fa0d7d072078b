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
    Q_HEALTH_SCORE,
    Q_HEALTH_PUT,
    Q_REFUSAL_APPEND,
    Q_COUNT
};

static const char *const s_sql[Q_COUNT] = {
    [Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [Q_META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [Q_JOURNAL_FIND] = "SELECT seq, detail FROM journal WHERE message_id = ?1",
    [Q_JOURNAL_APPEND] =
        "INSERT INTO journal (message_id, kind, sender, person, received_ms, "
        "campaign_date, body, detail, role) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9)",
    [Q_REFUSAL_APPEND] =
        "INSERT INTO refusals (message_id, kind, sender, person, role, "
        "received_ms, campaign_date, code, reason) VALUES (?1, ?2, ?3, ?4, ?5, "
        "?6, ?7, ?8, ?9)",
    [Q_TASK_INSERT] = "INSERT INTO tasks (agent_kind, name, payload, assemble, state, "
                      "created_ms, campaign_date) VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6)",
    [Q_TASK_ATTEMPT] = "UPDATE tasks SET attempts = ?2, not_before_ms = ?3, "
                       "error = coalesce (?4, error) WHERE id = ?1",
    [Q_TASK_FINISH] = "UPDATE tasks SET state = ?2, attempts = ?3, result = ?4, summary = ?5, "
                      "error = ?6, done_by = ?7, finished_ms = ?8 WHERE id = ?1",
    [Q_ACCOUNT_INSERT] = "INSERT INTO accounts (account_id, csm, region, body) "
                         "VALUES (?1, ?2, ?3, ?4)",
    [Q_ACCOUNT_EXISTS] = "SELECT 1 FROM accounts WHERE account_id = ?1",
    [Q_PERSON_INSERT] = "INSERT INTO people (person_id, role, region, body) "
                        "VALUES (?1, ?2, ?3, ?4)",
    [Q_HISTORY_INSERT] = "INSERT INTO history (account_id, body) VALUES (?1, ?2)",
    [Q_HEALTH_SCORE] = "SELECT score, band FROM health WHERE account_id = ?1",
    [Q_HEALTH_PUT] =
        "INSERT OR REPLACE INTO health (account_id, score, band, ready, scored_day, "
        "body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

static const char s_schema[] =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS journal ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  message_id TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL, sender TEXT, person TEXT,"
    "  received_ms INTEGER NOT NULL, campaign_date TEXT,"
    "  body BLOB, detail TEXT, role TEXT);"
    "CREATE INDEX IF NOT EXISTS journal_kind ON journal (kind);"
    "CREATE TABLE IF NOT EXISTS tasks ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  agent_kind TEXT NOT NULL, name TEXT NOT NULL, payload BLOB,"
    "  assemble INTEGER NOT NULL DEFAULT 0,"
    "  state TEXT NOT NULL CHECK (state IN ('queued', 'done', 'dead')),"
    "  attempts INTEGER NOT NULL DEFAULT 0, not_before_ms INTEGER NOT NULL DEFAULT 0,"
    "  created_ms INTEGER NOT NULL, campaign_date TEXT,"
    "  result BLOB, summary TEXT, error TEXT, done_by TEXT, finished_ms INTEGER);"
    "CREATE INDEX IF NOT EXISTS tasks_state ON tasks (state);"
    "CREATE INDEX IF NOT EXISTS tasks_name ON tasks (name, state);"
    "CREATE TABLE IF NOT EXISTS accounts (account_id TEXT PRIMARY KEY, csm TEXT, region TEXT, "
    "body BLOB "
    "NOT NULL);"
    "CREATE TABLE IF NOT EXISTS people (person_id TEXT PRIMARY KEY, role TEXT, region TEXT, "
    "body BLOB NOT "
    "NULL);"
    "CREATE TABLE IF NOT EXISTS history (id INTEGER PRIMARY KEY, account_id TEXT, body BLOB "
    "NOT NULL);"
    "CREATE INDEX IF NOT EXISTS history_account ON history (account_id);"
    "CREATE TABLE IF NOT EXISTS handoffs ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  team TEXT NOT NULL, kind TEXT NOT NULL, opportunity_id TEXT, account_id TEXT,"
    "  detail TEXT, created_day INTEGER NOT NULL, acked_by TEXT, acked_day INTEGER, ae TEXT,"
    "  body BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS facts (name TEXT PRIMARY KEY, text TEXT, number REAL,"
    "  task_id TEXT, updated_ms INTEGER);"
    /*  Append-only: every value of the facts whose series reports show. One row per
        fact and task, so a result applied twice is recorded once. */
    "CREATE TABLE IF NOT EXISTS fact_parts (name TEXT NOT NULL, run TEXT NOT NULL,"
    "  task_id TEXT NOT NULL, number REAL NOT NULL, PRIMARY KEY (name, task_id));"
    "CREATE INDEX IF NOT EXISTS fact_parts_run ON fact_parts (name, run);"
    "CREATE TABLE IF NOT EXISTS fact_history (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  name TEXT NOT NULL, number REAL, campaign_date TEXT, week INTEGER, task_id TEXT,"
    "  UNIQUE (name, task_id));"
    "CREATE TABLE IF NOT EXISTS opportunities ("
    "  opportunity_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, type TEXT,"
    "  tier INTEGER NOT NULL DEFAULT 0, qualified INTEGER NOT NULL DEFAULT 0, csm TEXT,"
    "  stage TEXT NOT NULL, potential_arr REAL NOT NULL DEFAULT 0, body BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS opportunities_account ON opportunities (account_id);"
    "CREATE TABLE IF NOT EXISTS health (account_id TEXT PRIMARY KEY, score REAL NOT NULL,"
    "  band TEXT NOT NULL, ready INTEGER NOT NULL, scored_day INTEGER, body BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS notes (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account_id TEXT NOT NULL, person TEXT, campaign_date TEXT, body BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS gates ("
    "  activity_index INTEGER PRIMARY KEY, activity TEXT NOT NULL,"
    "  due_day INTEGER NOT NULL, passed_day INTEGER, override_by TEXT,"
    "  override_reason TEXT, failed TEXT);"
    /*  Every lookup the broker makes per account, opportunity or handoff has an index:
        without them a campaign's cost grows with the square of its portfolio. */
    "CREATE INDEX IF NOT EXISTS notes_account ON notes (account_id);"
    "CREATE INDEX IF NOT EXISTS handoffs_subject ON handoffs (team, kind, opportunity_id, "
    "account_id);"
    "CREATE INDEX IF NOT EXISTS handoffs_ae ON handoffs (ae);"
    "CREATE INDEX IF NOT EXISTS opportunities_csm ON opportunities (csm, opportunity_id);"
    "CREATE INDEX IF NOT EXISTS opportunities_stage ON opportunities (stage, opportunity_id);"
    "CREATE INDEX IF NOT EXISTS handoffs_open ON handoffs (acked_by, team);"
    "CREATE TABLE IF NOT EXISTS staging (kind TEXT NOT NULL, import_id TEXT NOT NULL,"
    "  part INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (kind, import_id, part));"
    "CREATE TABLE IF NOT EXISTS started (activity_index INTEGER NOT NULL,"
    "  task_index INTEGER NOT NULL, PRIMARY KEY (activity_index, task_index));";

/*  The audit trail: accepted submissions are the journal's, refused ones are here. Both
    are append-only, and the database itself says so. (A second string: C99 compilers
    need only read 4095 characters of one.) */
static const char s_schema_audit[] =
    "CREATE TABLE IF NOT EXISTS refusals ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  message_id TEXT, kind TEXT NOT NULL, sender TEXT, person TEXT, role TEXT,"
    "  received_ms INTEGER NOT NULL, campaign_date TEXT, code TEXT, reason TEXT);"
    "CREATE TRIGGER IF NOT EXISTS refusals_append_only_update BEFORE UPDATE ON refusals"
    "  BEGIN SELECT RAISE (ABORT, 'the audit trail is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS refusals_append_only_delete BEFORE DELETE ON refusals"
    "  BEGIN SELECT RAISE (ABORT, 'the audit trail is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS journal_append_only_update BEFORE UPDATE ON journal"
    "  BEGIN SELECT RAISE (ABORT, 'the journal is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS journal_append_only_delete BEFORE DELETE ON journal"
    "  BEGIN SELECT RAISE (ABORT, 'the journal is append-only'); END;";

/*  Aggregates the snapshot shows, kept in memory so a snapshot costs nothing however
    large the portfolio: accounts per health band, opportunities and ARR per stage, open
    handoffs per team (announced with every new handoff). They
    follow every write; a rollback that undid such a write reloads them from the tables. */
#define STORE_GROUPS_MAX 32

typedef struct {
    char name[32];
    int64_t count;
    double sum;
} s_group_t;

typedef struct {
    s_group_t items[STORE_GROUPS_MAX];
    int n;
} s_groups_t;

/*  A statement prepared once per SQL text (s_prepare): the SQL is a string literal, so
    its address names it. */
typedef struct {
    const char *sql;
    sqlite3_stmt *stmt;
} s_cached_t;

struct _store_t {
    sqlite3 *db;
    sqlite3_stmt *stmt[Q_COUNT];
    s_cached_t *cache; /* s_prepare's statements */
    size_t n_cache, cache_cap;
    char *path;
    s_groups_t bands;         /* health band -> accounts */
    s_groups_t stages;        /* pipeline stage -> opportunities, potential ARR */
    s_groups_t open_handoffs; /* team -> handoffs not acknowledged */
    bool touched;             /* an aggregate moved since the last commit or savepoint */
    bool saved_touched; /* the same, for the part of the transaction before the savepoint */
};

static void
s_group_add (s_groups_t *groups, const char *name, int64_t count, double sum)
{
    if (!name)
        return;
    for (int i = 0; i < groups->n; i++)
        if (strcmp (groups->items[i].name, name) == 0) {
            groups->items[i].count += count;
            groups->items[i].sum += sum;
            return;
        }
    if (groups->n == STORE_GROUPS_MAX)
        return; /* names come from configuration: bands and stages are few */
    s_group_t *item = &groups->items[groups->n++];
    snprintf (item->name, sizeof item->name, "%s", name);
    item->count = count;
    item->sum = sum;
}

static int
s_load_groups (store_t *self, err_t *err)
{
    memset (&self->bands, 0, sizeof self->bands);
    memset (&self->stages, 0, sizeof self->stages);
    memset (&self->open_handoffs, 0, sizeof self->open_handoffs);
    sqlite3_stmt *stmt;
    const char *const sql[3] = {"SELECT band, count(*), 0 FROM health GROUP BY band",
                                "SELECT stage, count(*), total (potential_arr) FROM "
                                "opportunities GROUP BY stage",
                                "SELECT team, count(*), 0 FROM handoffs "
                                "WHERE acked_by IS NULL GROUP BY team"};
    s_groups_t *const into[3] = {&self->bands, &self->stages, &self->open_handoffs};
    for (int q = 0; q < 3; q++) {
        if (sqlite3_prepare_v2 (self->db, sql[q], -1, &stmt, NULL) != SQLITE_OK)
            return err_set (err, ERR_STORAGE, "store %s: aggregates: %s", self->path,
                            sqlite3_errmsg (self->db));
        while (sqlite3_step (stmt) == SQLITE_ROW)
            s_group_add (into[q], (const char *)sqlite3_column_text (stmt, 0),
                         sqlite3_column_int64 (stmt, 1), sqlite3_column_double (stmt, 2));
        sqlite3_finalize (stmt);
    }
    self->touched = false;
    return 0;
}

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

/*  Whether table has column (false for a table that does not exist yet). */
static bool
s_has_column (store_t *self, const char *table, const char *column)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db,
                            "SELECT count(*) FROM pragma_table_info (?1) "
                            "WHERE ?2 IS NULL OR name = ?2",
                            -1, &stmt, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
    if (column)
        sqlite3_bind_text (stmt, 2, column, -1, SQLITE_STATIC);
    bool has = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) > 0;
    sqlite3_finalize (stmt);
    return has;
}

/*  Stores written by earlier brokers: schema version 1 had no audit trail (its journal
    gains the submitter's role); until the task recipes, every task carried its whole
    input (those tasks keep it: assemble = 0). */
static int
s_migrate (store_t *self, err_t *err)
{
    static const char *const columns[][3] = {
        {"journal", "role", "ALTER TABLE journal ADD COLUMN role TEXT"},
        {"tasks", "assemble",
         "ALTER TABLE tasks ADD COLUMN assemble INTEGER NOT NULL DEFAULT 0"},
    };
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof columns / sizeof *columns; i++)
        if (s_has_column (self, columns[i][0], NULL) &&
            !s_has_column (self, columns[i][0], columns[i][1]))
            rc = s_exec (self, columns[i][2], err);
    return rc;
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
    /*  Checkpoints move off the commit path (store_checkpoint, from the broker's timer)
        so an acknowledgement never waits for one; 64 MiB of page cache keeps the hot
        tables in memory. */
    if ((rc = s_exec (self,
                      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                      "PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;"
                      "PRAGMA cache_size = -65536;",
                      err)))
        goto cleanup;
    if ((rc = s_exec (self, "BEGIN IMMEDIATE", err)))
        goto cleanup;
    if ((rc = s_migrate (self, err)) || (rc = s_exec (self, s_schema, err)) ||
        (rc = s_exec (self, s_schema_audit, err))) {
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
    long found = 0;
    if (store_meta_get (self, "schema_version", &version, NULL) == 0) {
        found = strtol (version, NULL, 10);
        free (version);
        if (found > STORE_SCHEMA_VERSION) {
            rc = err_set (err, ERR_UNSUPPORTED,
                          "store %s has schema version %ld, newer than this broker's %d", path,
                          found, STORE_SCHEMA_VERSION);
            goto cleanup;
        }
    }
    if (found < STORE_SCHEMA_VERSION) {
        char text[16];
        snprintf (text, sizeof text, "%d", STORE_SCHEMA_VERSION);
        if ((rc = store_meta_set (self, "schema_version", text, err)))
            goto cleanup;
    }
    if (!rc)
        rc = s_load_groups (self, err);
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
        for (size_t i = 0; i < self->n_cache; i++)
            sqlite3_finalize (self->cache[i].stmt);
        free (self->cache);
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
    int rc = s_exec (self, "COMMIT", err);
    if (!rc)
        self->touched = false;
    return rc;
}

void
store_rollback (store_t *self)
{
    if (!sqlite3_get_autocommit (self->db))
        s_exec (self, "ROLLBACK", NULL);
    if (self->touched && s_load_groups (self, NULL))
        self->touched = true; /* try again at the next rollback */
}

int
store_checkpoint (store_t *self, err_t *err)
{
    if (!sqlite3_get_autocommit (self->db))
        return 0; /* not inside a turn's transaction */
    int rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : s_fail (self, err, "checkpoint");
}

bool
store_in_transaction (store_t *self)
{
    return !sqlite3_get_autocommit (self->db);
}

int
store_savepoint (store_t *self, err_t *err)
{
    /*  Aggregates moved before the savepoint are the transaction's: a rollback to the
        savepoint must not undo them, so reload only for what moved after it. */
    self->saved_touched = self->touched;
    self->touched = false;
    return s_exec (self, "SAVEPOINT item", err);
}

void
store_savepoint_release (store_t *self)
{
    self->touched = self->touched || self->saved_touched;
    s_exec (self, "RELEASE item", NULL);
}

void
store_savepoint_rollback (store_t *self)
{
    s_exec (self, "ROLLBACK TO item; RELEASE item", NULL);
    if (self->touched)
        s_load_groups (self, NULL);
    /*  What moved before the savepoint is still in the open transaction. */
    self->touched = self->saved_touched;
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
    sqlite3_bind_text (stmt, 9, entry->role && *entry->role ? entry->role : NULL, -1,
                       SQLITE_STATIC);
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
store_refusal_append (store_t *self, const store_entry_t *entry, const char *code, err_t *err)
{
    sqlite3_stmt *stmt = s_stmt (self, Q_REFUSAL_APPEND);
    sqlite3_bind_text (stmt, 1, entry->message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, entry->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, entry->sender, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 4, entry->person, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 5, entry->role && *entry->role ? entry->role : NULL, -1,
                       SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 6, entry->received_ms);
    sqlite3_bind_text (stmt, 7, entry->campaign_date, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 8, code, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 9, entry->detail, -1, SQLITE_STATIC);
    return s_step_done (self, stmt, err, "refusal append");
}

int
store_audit_scan (store_t *self, const store_audit_filter_t *filter, store_audit_fn *fn,
                  void *arg, bool *more, err_t *err)
{
    /*  The latest `limit` matches, newest first here, so the caller can print them in
        order; one more row than asked says whether older ones remain. */
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (
            self->db,
            "SELECT * FROM (SELECT 'J' AS src, seq, message_id, kind, sender, person, role,"
            " received_ms, campaign_date, 1 AS accepted, NULL AS code, detail FROM journal"
            " WHERE kind NOT LIKE 'result:%' UNION ALL"
            " SELECT 'R', seq, message_id, kind, sender, person, role, received_ms,"
            " campaign_date, 0, code, reason FROM refusals)"
            " WHERE (?1 IS NULL OR person = ?1) AND (?2 IS NULL OR kind = ?2)"
            " AND (?3 IS NULL OR accepted = ?3)"
            " ORDER BY received_ms DESC, src DESC, seq DESC LIMIT ?4",
            -1, &stmt, NULL) != SQLITE_OK)
        return s_fail (self, err, "audit scan");
    sqlite3_bind_text (stmt, 1, filter->person, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, filter->kind, -1, SQLITE_STATIC);
    if (filter->outcome)
        sqlite3_bind_int (stmt, 3, filter->outcome > 0);
    sqlite3_bind_int64 (stmt, 4, (int64_t)filter->limit + 1);
    int step;
    size_t n = 0;
    *more = false;
    while ((step = sqlite3_step (stmt)) == SQLITE_ROW) {
        if (n++ == filter->limit) {
            *more = true;
            continue;
        }
        store_audit_t row = {
            .refused = sqlite3_column_text (stmt, 0)[0] == 'R',
            .seq = sqlite3_column_int64 (stmt, 1),
            .entry = {.message_id = (const char *)sqlite3_column_text (stmt, 2),
                      .kind = (const char *)sqlite3_column_text (stmt, 3),
                      .sender = (const char *)sqlite3_column_text (stmt, 4),
                      .person = (const char *)sqlite3_column_text (stmt, 5),
                      .role = (const char *)sqlite3_column_text (stmt, 6),
                      .received_ms = sqlite3_column_int64 (stmt, 7),
                      .campaign_date = (const char *)sqlite3_column_text (stmt, 8),
                      .detail = (const char *)sqlite3_column_text (stmt, 11)},
            .code = (const char *)sqlite3_column_text (stmt, 10),
        };
        fn (arg, &row);
    }
    int rc = step == SQLITE_DONE ? 0 : s_fail (self, err, "audit scan");
    sqlite3_finalize (stmt);
    return rc;
}

/*  Run a "SELECT name, count" query and hand each row to fn. */
static int
s_scan_counts (store_t *self, const char *sql, store_count_fn *fn, void *arg, err_t *err,
               const char *what)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return s_fail (self, err, what);
    int step;
    while ((step = sqlite3_step (stmt)) == SQLITE_ROW)
        fn (arg, (const char *)sqlite3_column_text (stmt, 0), sqlite3_column_int64 (stmt, 1));
    int rc = step == SQLITE_DONE ? 0 : s_fail (self, err, what);
    sqlite3_finalize (stmt);
    return rc;
}

int
store_journal_counts (store_t *self, store_count_fn *fn, void *arg, err_t *err)
{
    return s_scan_counts (self,
                          "SELECT kind, count(*) FROM journal GROUP BY kind ORDER BY kind", fn,
                          arg, err, "journal counts");
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
                   const uint8_t *payload, size_t size, bool assemble, int64_t created_ms,
                   const char *campaign_date, int64_t *id, err_t *err)
{
    sqlite3_stmt *stmt = s_stmt (self, Q_TASK_INSERT);
    sqlite3_bind_text (stmt, 1, agent_kind, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_blob (stmt, 3, payload ? (const void *)payload : "", (int)size, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 4, assemble);
    sqlite3_bind_int64 (stmt, 5, created_ms);
    sqlite3_bind_text (stmt, 6, campaign_date, -1, SQLITE_STATIC);
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
                            "not_before_ms, error, assemble, created_ms FROM tasks "
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
            .assemble = sqlite3_column_int (stmt, 8) != 0,
            .created_ms = sqlite3_column_int64 (stmt, 9),
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
s_insert_packed (store_t *self, int query, const char *const *texts, int n_texts,
                 const ProtobufCMessage *message, err_t *err)
{
    size_t size;
    uint8_t *data = s_pack (message, &size);
    if (!data)
        return err_set (err, ERR_NOMEM, "out of memory");
    sqlite3_stmt *stmt = s_stmt (self, query);
    for (int i = 0; i < n_texts; i++)
        sqlite3_bind_text (stmt, i + 1, texts[i], -1, SQLITE_STATIC);
    sqlite3_bind_blob (stmt, n_texts + 1, data, (int)size, SQLITE_STATIC);
    int rc = s_step_done (self, stmt, err, "insert record");
    free (data);
    return rc;
}

int
store_replace_accounts (store_t *self, const Campaign__ImportPortfolio *import, err_t *err)
{
    int rc = s_exec (self, "DELETE FROM accounts", err);
    for (size_t i = 0; !rc && i < import->n_accounts; i++) {
        const Campaign__Account *account = import->accounts[i];
        const char *texts[] = {account->account_id, account->csm, account->region};
        rc = s_insert_packed (self, Q_ACCOUNT_INSERT, texts, 3,
                              (const ProtobufCMessage *)account, err);
    }
    return rc;
}

int
store_replace_people (store_t *self, const Campaign__ImportRoster *import, err_t *err)
{
    int rc = s_exec (self, "DELETE FROM people", err);
    for (size_t i = 0; !rc && i < import->n_people; i++) {
        const Campaign__Person *person = import->people[i];
        const char *texts[] = {person->person_id, person->role, person->region};
        rc = s_insert_packed (self, Q_PERSON_INSERT, texts, 3, (const ProtobufCMessage *)person,
                              err);
    }
    return rc;
}

int
store_replace_history (store_t *self, const Campaign__ImportHistory *import, err_t *err)
{
    int rc = s_exec (self, "DELETE FROM history", err);
    for (size_t i = 0; !rc && i < import->n_records; i++) {
        const char *texts[] = {import->records[i]->account_id};
        rc = s_insert_packed (self, Q_HISTORY_INSERT, texts, 1,
                              (const ProtobufCMessage *)import->records[i], err);
    }
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

/*  Read a packed protobuf-c message from column 0 of a stepped statement. */
static ProtobufCMessage *
s_unpack_column (sqlite3_stmt *stmt, int column, const ProtobufCMessageDescriptor *descriptor)
{
    return protobuf_c_message_unpack (descriptor, NULL,
                                      (size_t)sqlite3_column_bytes (stmt, column),
                                      sqlite3_column_blob (stmt, column));
}

static int
s_prepare (store_t *self, const char *sql, sqlite3_stmt **stmt, err_t *err)
{
    /*  Prepared once, reset for each use: preparing was a third of the broker's time
        when a large batch of opportunities was merged one by one. */
    for (size_t i = 0; i < self->n_cache; i++)
        if (self->cache[i].sql == sql) {
            sqlite3_reset (self->cache[i].stmt);
            sqlite3_clear_bindings (self->cache[i].stmt);
            *stmt = self->cache[i].stmt;
            return 0;
        }
    if (self->n_cache == self->cache_cap) {
        size_t cap = self->cache_cap ? self->cache_cap * 2 : 32;
        s_cached_t *grown = realloc (self->cache, cap * sizeof *grown);
        if (!grown)
            return err_set (err, ERR_NOMEM, "out of memory");
        self->cache = grown;
        self->cache_cap = cap;
    }
    if (sqlite3_prepare_v2 (self->db, sql, -1, stmt, NULL) != SQLITE_OK)
        return s_fail (self, err, "prepare");
    self->cache[self->n_cache++] = (s_cached_t){sql, *stmt};
    return 0;
}

/*  Done with a statement from s_prepare: reset it (it stays prepared for the next
    use), so it holds no read lock and no bound pointers. */
static void
s_release (sqlite3_stmt *stmt)
{
    sqlite3_reset (stmt);
    sqlite3_clear_bindings (stmt);
}

/*  Step a statement from s_prepare expected to finish without rows, and release it. */
static int
s_run (store_t *self, sqlite3_stmt *stmt, err_t *err, const char *what)
{
    int rc = sqlite3_step (stmt) == SQLITE_DONE ? 0 : s_fail (self, err, what);
    s_release (stmt);
    return rc;
}

int
store_handoff_add (store_t *self, Campaign__Handoff *handoff, int32_t created_day,
                   bool *created, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        /*  IS compares NULLs as equal and, unlike coalesce, lets the
                            subject index answer. */
                        "SELECT seq FROM handoffs WHERE team = ?1 AND kind = ?2 AND "
                        "opportunity_id IS ?3 AND account_id IS ?4 AND "
                        "(opportunity_id IS NOT NULL OR detail IS ?5)",
                        &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_text (stmt, 1, handoff->team, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, handoff->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, handoff->opportunity_id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 4, handoff->account_id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 5, handoff->detail, -1, SQLITE_STATIC);
    bool exists = sqlite3_step (stmt) == SQLITE_ROW;
    s_release (stmt);
    *created = false;
    if (exists)
        return 0; /* one handoff per team, kind and subject */
    if ((rc = s_prepare (
             self,
             "INSERT INTO handoffs (team, kind, opportunity_id, account_id, "
             "created_day, ae, detail, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, x'')",
             &stmt, err)))
        return rc;
    sqlite3_bind_text (stmt, 1, handoff->team, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, handoff->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, handoff->opportunity_id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 4, handoff->account_id, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 5, created_day);
    sqlite3_bind_text (stmt, 6, handoff->ae, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 7, handoff->detail, -1, SQLITE_STATIC);
    if ((rc = s_run (self, stmt, err, "handoff insert")))
        return rc;
    int64_t seq = sqlite3_last_insert_rowid (self->db);
    static char id[32];
    snprintf (id, sizeof id, "H%lld", (long long)seq);
    handoff->handoff_id = id; /* valid until the next call; the caller copies if needed */
    size_t size;
    uint8_t *data = s_pack ((const ProtobufCMessage *)handoff, &size);
    if (!data)
        return err_set (err, ERR_NOMEM, "out of memory");
    if ((rc = s_prepare (self, "UPDATE handoffs SET body = ?2 WHERE seq = ?1", &stmt, err))) {
        free (data);
        return rc;
    }
    sqlite3_bind_int64 (stmt, 1, seq);
    sqlite3_bind_blob (stmt, 2, data, (int)size, SQLITE_STATIC);
    rc = s_run (self, stmt, err, "handoff body");
    free (data);
    *created = rc == 0;
    if (*created) {
        s_group_add (&self->open_handoffs, handoff->team, 1, 0);
        self->touched = true;
    }
    return rc;
}

static int64_t
s_handoff_seq (const char *id)
{
    char *end = NULL;
    long long seq = id && (id[0] == 'H' || id[0] == 'h') ? strtoll (id + 1, &end, 10) : 0;
    return seq > 0 && end && !*end ? seq : 0;
}

int
store_handoff_get (store_t *self, const char *id, Campaign__Handoff **out, err_t *err)
{
    int64_t seq = s_handoff_seq (id);
    if (!seq)
        return err_set (err, ERR_NOTFOUND, "handoff '%s' does not exist (ids look like H12)",
                        id);
    sqlite3_stmt *stmt;
    int rc = s_prepare (self, "SELECT body FROM handoffs WHERE seq = ?1", &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_int64 (stmt, 1, seq);
    int step = sqlite3_step (stmt);
    if (step == SQLITE_ROW) {
        *out = (Campaign__Handoff *)s_unpack_column (stmt, 0, &campaign__handoff__descriptor);
        rc = *out ? 0 : err_set (err, ERR_STORAGE, "handoff %s cannot be read", id);
    } else if (step == SQLITE_DONE)
        rc = err_set (err, ERR_NOTFOUND, "handoff '%s' does not exist", id);
    else
        rc = s_fail (self, err, "handoff get");
    s_release (stmt);
    return rc;
}

int
store_handoff_ack (store_t *self, const char *id, const char *person, int32_t day,
                   const char *date, err_t *err)
{
    Campaign__Handoff *handoff = NULL;
    int rc = store_handoff_get (self, id, &handoff, err);
    if (rc)
        return rc;
    if (handoff->acked_by && *handoff->acked_by) {
        rc = err_set (err, ERR_STATE, "handoff %s was already acknowledged by %s on %s", id,
                      handoff->acked_by, handoff->acked ? handoff->acked : "?");
        campaign__handoff__free_unpacked (handoff, NULL);
        return rc;
    }
    char *old_by = handoff->acked_by, *old_date = handoff->acked;
    char *team = handoff->team ? strdup (handoff->team) : NULL;
    handoff->acked_by = (char *)person;
    handoff->acked = (char *)date;
    size_t size;
    uint8_t *data = s_pack ((const ProtobufCMessage *)handoff, &size);
    handoff->acked_by = old_by;
    handoff->acked = old_date;
    campaign__handoff__free_unpacked (handoff, NULL);
    if (!data) {
        free (team);
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    sqlite3_stmt *stmt;
    if ((rc = s_prepare (self,
                         "UPDATE handoffs SET acked_by = ?2, acked_day = ?3, body = ?4 "
                         "WHERE seq = ?1",
                         &stmt, err))) {
        free (data);
        free (team);
        return rc;
    }
    sqlite3_bind_int64 (stmt, 1, s_handoff_seq (id));
    sqlite3_bind_text (stmt, 2, person, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 3, day);
    sqlite3_bind_blob (stmt, 4, data, (int)size, SQLITE_STATIC);
    rc = s_run (self, stmt, err, "handoff ack");
    free (data);
    if (!rc && team) {
        s_group_add (&self->open_handoffs, team, -1, 0);
        self->touched = true;
    }
    free (team);
    return rc;
}

int64_t
store_handoffs_open_count (store_t *self, const char *team)
{
    for (int i = 0; team && i < self->open_handoffs.n; i++)
        if (strcmp (self->open_handoffs.items[i].name, team) == 0)
            return self->open_handoffs.items[i].count;
    return 0;
}

int
store_handoffs_open (store_t *self, store_handoff_fn *fn, void *arg, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "SELECT team, count(*), min(created_day) FROM handoffs "
                        "WHERE acked_by IS NULL GROUP BY team ORDER BY team",
                        &stmt, err);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step (stmt)) == SQLITE_ROW)
        fn (arg, (const char *)sqlite3_column_text (stmt, 0), sqlite3_column_int64 (stmt, 1),
            sqlite3_column_int (stmt, 2));
    rc = step == SQLITE_DONE ? 0 : s_fail (self, err, "handoffs");
    s_release (stmt);
    return rc;
}

int
store_fact_set (store_t *self, const char *name, const char *text, double number,
                const char *task_id, int64_t now_ms, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "INSERT INTO facts (name, text, number, task_id, updated_ms) "
                        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO UPDATE SET "
                        "text = excluded.text, number = excluded.number, "
                        "task_id = excluded.task_id, updated_ms = excluded.updated_ms",
                        &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, text, -1, SQLITE_STATIC);
    sqlite3_bind_double (stmt, 3, number);
    sqlite3_bind_text (stmt, 4, task_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 5, now_ms);
    return s_run (self, stmt, err, "fact set");
}

int
store_fact_part (store_t *self, const char *name, const char *run, const char *task_id,
                 double number, double *sum, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "INSERT OR REPLACE INTO fact_parts (name, run, task_id, number) "
                        "VALUES (?1, ?2, ?3, ?4)",
                        &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, run, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, task_id, -1, SQLITE_STATIC);
    sqlite3_bind_double (stmt, 4, number);
    if ((rc = s_run (self, stmt, err, "fact part")))
        return rc;
    if ((rc = s_prepare (self,
                         "SELECT total (number) FROM fact_parts WHERE name = ?1 AND run = ?2",
                         &stmt, err)))
        return rc;
    sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, run, -1, SQLITE_STATIC);
    if (sqlite3_step (stmt) == SQLITE_ROW)
        *sum = sqlite3_column_double (stmt, 0);
    else
        rc = s_fail (self, err, "fact parts");
    s_release (stmt);
    return rc;
}

int
store_facts (store_t *self, store_fact_fn *fn, void *arg, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self, "SELECT name, text, number FROM facts ORDER BY name", &stmt, err);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step (stmt)) == SQLITE_ROW)
        fn (arg, (const char *)sqlite3_column_text (stmt, 0),
            (const char *)sqlite3_column_text (stmt, 1), sqlite3_column_double (stmt, 2));
    rc = step == SQLITE_DONE ? 0 : s_fail (self, err, "facts");
    s_release (stmt);
    return rc;
}

int
store_fact_history_add (store_t *self, const char *name, double number, const char *date,
                        int week, const char *task_id, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "INSERT OR IGNORE INTO fact_history (name, number, campaign_date, "
                        "week, task_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                        &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_double (stmt, 2, number);
    sqlite3_bind_text (stmt, 3, date, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 4, week);
    sqlite3_bind_text (stmt, 5, task_id, -1, SQLITE_STATIC);
    return s_run (self, stmt, err, "fact history");
}

int
store_fact_history (store_t *self, store_fact_point_fn *fn, void *arg, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "SELECT name, number, campaign_date, week FROM fact_history "
                        "ORDER BY seq",
                        &stmt, err);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step (stmt)) == SQLITE_ROW)
        fn (arg, (const char *)sqlite3_column_text (stmt, 0), sqlite3_column_double (stmt, 1),
            (const char *)sqlite3_column_text (stmt, 2), sqlite3_column_int (stmt, 3));
    rc = step == SQLITE_DONE ? 0 : s_fail (self, err, "fact history");
    s_release (stmt);
    return rc;
}

int
store_fact_get (store_t *self, const char *name, char **text, double *number, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self, "SELECT text, number FROM facts WHERE name = ?1", &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
    int step = sqlite3_step (stmt);
    if (step == SQLITE_ROW) {
        const char *value = (const char *)sqlite3_column_text (stmt, 0);
        *text = value ? strdup (value) : NULL;
        *number = sqlite3_column_double (stmt, 1);
    } else
        rc = step == SQLITE_DONE ? err_set (err, ERR_NOTFOUND, "no fact '%s'", name)
                                 : s_fail (self, err, "fact get");
    s_release (stmt);
    return rc;
}

int
store_task_progress (store_t *self, const char *name, int64_t *total, int64_t *done,
                     int64_t *dead, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "SELECT count(*), count(*) FILTER (WHERE state = 'done'), "
                        "count(*) FILTER (WHERE state = 'dead') FROM tasks WHERE name = ?1",
                        &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        *total = sqlite3_column_int64 (stmt, 0);
        *done = sqlite3_column_int64 (stmt, 1);
        *dead = sqlite3_column_int64 (stmt, 2);
    } else
        rc = s_fail (self, err, "task progress");
    s_release (stmt);
    return rc;
}

int
store_opportunity_put (store_t *self, const Campaign__Opportunity *opportunity,
                       const char *was_stage, double was_arr, err_t *err)
{
    size_t size;
    uint8_t *data = s_pack ((const ProtobufCMessage *)opportunity, &size);
    if (!data)
        return err_set (err, ERR_NOMEM, "out of memory");
    sqlite3_stmt *stmt;
    int rc =
        s_prepare (self,
                   "INSERT INTO opportunities (opportunity_id, account_id, type, tier, "
                   "qualified, stage, potential_arr, body, csm) VALUES (?1, ?2, ?3, ?4, ?5, "
                   "?6, ?7, ?8, ?9) ON CONFLICT (opportunity_id) DO UPDATE SET "
                   "account_id = excluded.account_id, type = excluded.type, "
                   "tier = excluded.tier, qualified = excluded.qualified, "
                   "stage = excluded.stage, potential_arr = excluded.potential_arr, "
                   "body = excluded.body, csm = excluded.csm",
                   &stmt, err);
    if (rc) {
        free (data);
        return rc;
    }
    sqlite3_bind_text (stmt, 1, opportunity->opportunity_id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, opportunity->account_id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, opportunity->type, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 4, (int)opportunity->tier);
    sqlite3_bind_int (stmt, 5, opportunity->qualified);
    sqlite3_bind_text (stmt, 6, opportunity->stage ? opportunity->stage : "identified", -1,
                       SQLITE_STATIC);
    sqlite3_bind_double (stmt, 7, opportunity->potential_arr);
    sqlite3_bind_blob (stmt, 8, data, (int)size, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 9, opportunity->csm, -1, SQLITE_STATIC);
    rc = s_run (self, stmt, err, "opportunity put");
    if (!rc) {
        if (was_stage)
            s_group_add (&self->stages, was_stage, -1, -was_arr);
        s_group_add (&self->stages, opportunity->stage ? opportunity->stage : "identified", 1,
                     opportunity->potential_arr);
        self->touched = true;
    }
    free (data);
    return rc;
}

int
store_opportunity_get (store_t *self, const char *id, Campaign__Opportunity **out, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self, "SELECT body FROM opportunities WHERE opportunity_id = ?1", &stmt,
                        err);
    if (rc)
        return rc;
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
    int step = sqlite3_step (stmt);
    if (step == SQLITE_ROW) {
        *out = (Campaign__Opportunity *)s_unpack_column (stmt, 0,
                                                         &campaign__opportunity__descriptor);
        rc = *out ? 0 : err_set (err, ERR_STORAGE, "opportunity %s cannot be read", id);
    } else
        rc = step == SQLITE_DONE
                 ? err_set (err, ERR_NOTFOUND, "opportunity '%s' does not exist", id)
                 : s_fail (self, err, "opportunity get");
    s_release (stmt);
    return rc;
}

int
store_opportunity_count (store_t *self, uint32_t tier, bool qualified_only, int64_t *count,
                         err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "SELECT count(*) FROM opportunities WHERE (?1 = 0 OR tier = ?1) "
                        "AND (?2 = 0 OR qualified = 1) AND stage <> 'closed-lost'",
                        &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_int (stmt, 1, (int)tier);
    sqlite3_bind_int (stmt, 2, qualified_only);
    if (sqlite3_step (stmt) == SQLITE_ROW)
        *count = sqlite3_column_int64 (stmt, 0);
    else
        rc = s_fail (self, err, "opportunity count");
    s_release (stmt);
    return rc;
}

int
store_pipeline (store_t *self, store_stage_fn *fn, void *arg, err_t *err)
{
    for (int i = 0; i < self->stages.n; i++)
        if (self->stages.items[i].count > 0)
            fn (arg, self->stages.items[i].name, self->stages.items[i].count,
                self->stages.items[i].sum);
    return 0;
}

int
store_note_add (store_t *self, const Campaign__Note *note, const char *person,
                const char *campaign_date, err_t *err)
{
    size_t size;
    uint8_t *data = s_pack ((const ProtobufCMessage *)note, &size);
    if (!data)
        return err_set (err, ERR_NOMEM, "out of memory");
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "INSERT INTO notes (account_id, person, campaign_date, body) "
                        "VALUES (?1, ?2, ?3, ?4)",
                        &stmt, err);
    if (!rc) {
        sqlite3_bind_text (stmt, 1, note->account_id, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 2, person, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 3, campaign_date, -1, SQLITE_STATIC);
        sqlite3_bind_blob (stmt, 4, data, (int)size, SQLITE_STATIC);
        rc = s_run (self, stmt, err, "note insert");
    }
    free (data);
    return rc;
}

int
store_person_role (store_t *self, const char *person_id, char **role, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self, "SELECT role FROM people WHERE person_id = ?1", &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_text (stmt, 1, person_id, -1, SQLITE_STATIC);
    int step = sqlite3_step (stmt);
    if (step == SQLITE_ROW)
        *role = strdup ((const char *)sqlite3_column_text (stmt, 0));
    else
        rc = step == SQLITE_DONE
                 ? err_set (err, ERR_NOTFOUND, "'%s' is not on the roster", person_id)
                 : s_fail (self, err, "person role");
    s_release (stmt);
    return rc;
}

bool
store_roster_loaded (store_t *self)
{
    sqlite3_stmt *stmt;
    if (s_prepare (self, "SELECT 1 FROM people LIMIT 1", &stmt, NULL))
        return false;
    bool loaded = sqlite3_step (stmt) == SQLITE_ROW;
    s_release (stmt);
    return loaded;
}

bool
store_person_on_account (store_t *self, const char *account_id, const char *person,
                         const char *role)
{
    const char *sql;
    if (strcmp (role, "csm") == 0)
        sql = "SELECT 1 WHERE EXISTS (SELECT 1 FROM accounts WHERE account_id = ?1 AND "
              "csm = ?2) OR EXISTS (SELECT 1 FROM opportunities WHERE account_id = ?1 AND "
              "csm = ?2)";
    else if (strcmp (role, "ae") == 0)
        sql = "SELECT 1 FROM handoffs WHERE ae = ?2 AND account_id = ?1 LIMIT 1";
    else
        return false;
    sqlite3_stmt *stmt;
    if (s_prepare (self, sql, &stmt, NULL))
        return false;
    sqlite3_bind_text (stmt, 1, account_id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, person, -1, SQLITE_STATIC);
    bool yes = sqlite3_step (stmt) == SQLITE_ROW;
    s_release (stmt);
    return yes;
}

int
store_account_ids (store_t *self, char ***ids, size_t *count, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc =
        s_prepare (self, "SELECT account_id FROM accounts ORDER BY account_id", &stmt, err);
    if (rc)
        return rc;
    size_t n = 0, cap = 0;
    char **items = NULL;
    int step;
    while ((step = sqlite3_step (stmt)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            char **grown = realloc (items, cap * sizeof *grown);
            if (!grown) {
                rc = err_set (err, ERR_NOMEM, "out of memory");
                break;
            }
            items = grown;
        }
        if (!(items[n++] = strdup ((const char *)sqlite3_column_text (stmt, 0)))) {
            rc = err_set (err, ERR_NOMEM, "out of memory");
            break;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = s_fail (self, err, "account ids");
    s_release (stmt);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            free (items[i]);
        free (items);
        return rc;
    }
    *ids = items;
    *count = n;
    return 0;
}

int
store_gate_due (store_t *self, int activity_index, const char *activity, int32_t day,
                err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "INSERT INTO gates (activity_index, activity, due_day) VALUES (?1, ?2, "
                        "?3) ON CONFLICT (activity_index) DO NOTHING",
                        &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_int (stmt, 1, activity_index);
    sqlite3_bind_text (stmt, 2, activity, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 3, day);
    return s_run (self, stmt, err, "gate due");
}

int
store_gate_pass (store_t *self, int activity_index, int32_t day, const char *override_by,
                 const char *override_reason, const char *failed, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "UPDATE gates SET passed_day = ?2, override_by = ?3, "
                        "override_reason = ?4, failed = ?5 WHERE activity_index = ?1",
                        &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_int (stmt, 1, activity_index);
    sqlite3_bind_int (stmt, 2, day);
    sqlite3_bind_text (stmt, 3, override_by, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 4, override_reason, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 5, failed, -1, SQLITE_STATIC);
    return s_run (self, stmt, err, "gate pass");
}

int
store_gates_scan (store_t *self, store_gate_fn *fn, void *arg, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "SELECT activity_index, activity, due_day, passed_day, override_by, "
                        "override_reason, failed FROM gates ORDER BY activity_index",
                        &stmt, err);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step (stmt)) == SQLITE_ROW)
        fn (arg, sqlite3_column_int (stmt, 0), (const char *)sqlite3_column_text (stmt, 1),
            sqlite3_column_int (stmt, 2),
            sqlite3_column_type (stmt, 3) == SQLITE_NULL ? -1 : sqlite3_column_int (stmt, 3),
            (const char *)sqlite3_column_text (stmt, 4),
            (const char *)sqlite3_column_text (stmt, 5),
            (const char *)sqlite3_column_text (stmt, 6));
    rc = step == SQLITE_DONE ? 0 : s_fail (self, err, "gates");
    s_release (stmt);
    return rc;
}

int
store_task_started (store_t *self, int activity_index, int task_index, bool mark, bool *started,
                    err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        mark ? "INSERT OR IGNORE INTO started VALUES (?1, ?2)"
                             : "SELECT 1 FROM started WHERE activity_index = ?1 AND "
                               "task_index = ?2",
                        &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_int (stmt, 1, activity_index);
    sqlite3_bind_int (stmt, 2, task_index);
    int step = sqlite3_step (stmt);
    if (step == SQLITE_ROW || step == SQLITE_DONE) {
        if (started)
            *started = mark || step == SQLITE_ROW;
    } else
        rc = s_fail (self, err, "task started");
    s_release (stmt);
    return rc;
}

int
store_pick_ae (store_t *self, const char *account_id, char **ae, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "SELECT p.person_id FROM people p WHERE p.role = 'ae' "
                        "ORDER BY (p.region = (SELECT region FROM accounts "
                        "WHERE account_id = ?1)) DESC, "
                        "(SELECT count(*) FROM handoffs h WHERE h.ae = p.person_id), "
                        "p.person_id LIMIT 1",
                        &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_text (stmt, 1, account_id, -1, SQLITE_STATIC);
    int step = sqlite3_step (stmt);
    if (step == SQLITE_ROW)
        *ae = strdup ((const char *)sqlite3_column_text (stmt, 0));
    else
        rc = step == SQLITE_DONE ? err_set (err, ERR_NOTFOUND, "no AE on the roster")
                                 : s_fail (self, err, "pick AE");
    s_release (stmt);
    return rc;
}

int
store_health_put (store_t *self, Campaign__AccountHealth *health, int32_t day, err_t *err)
{
    /*  Called once per account per scoring: statements prepared once, at open. */
    sqlite3_stmt *stmt = s_stmt (self, Q_HEALTH_SCORE);
    sqlite3_bind_text (stmt, 1, health->account_id, -1, SQLITE_STATIC);
    char old_band[32] = "";
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        health->has_change = health->has_has_previous = 1;
        health->change = health->score - sqlite3_column_double (stmt, 0);
        health->has_previous = true;
        snprintf (old_band, sizeof old_band, "%s", sqlite3_column_text (stmt, 1));
    }
    sqlite3_reset (stmt);
    size_t size;
    uint8_t *data = s_pack ((const ProtobufCMessage *)health, &size);
    if (!data)
        return err_set (err, ERR_NOMEM, "out of memory");
    stmt = s_stmt (self, Q_HEALTH_PUT);
    sqlite3_bind_text (stmt, 1, health->account_id, -1, SQLITE_STATIC);
    sqlite3_bind_double (stmt, 2, health->score);
    sqlite3_bind_text (stmt, 3, health->band, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 4, health->expansion_ready);
    sqlite3_bind_int (stmt, 5, day);
    sqlite3_bind_blob (stmt, 6, data, (int)size, SQLITE_STATIC);
    int rc = s_step_done (self, stmt, err, "health put");
    free (data);
    if (!rc) {
        if (*old_band)
            s_group_add (&self->bands, old_band, -1, 0);
        s_group_add (&self->bands, health->band, 1, 0);
        self->touched = true;
    }
    return rc;
}

int
store_health_bands (store_t *self, store_count_fn *fn, void *arg, err_t *err)
{
    for (int i = 0; i < self->bands.n; i++)
        if (self->bands.items[i].count > 0)
            fn (arg, self->bands.items[i].name, self->bands.items[i].count);
    return 0;
}

bool
store_account_has_opportunity (store_t *self, const char *account_id)
{
    sqlite3_stmt *stmt;
    if (s_prepare (self, "SELECT 1 FROM opportunities WHERE account_id = ?1 LIMIT 1", &stmt,
                   NULL))
        return false;
    sqlite3_bind_text (stmt, 1, account_id, -1, SQLITE_STATIC);
    bool found = sqlite3_step (stmt) == SQLITE_ROW;
    s_release (stmt);
    return found;
}

/*  Append to a growing array of messages every body a one-parameter query returns. */
static int
s_collect (store_t *self, const char *sql, const char *param,
           const ProtobufCMessageDescriptor *descriptor, void ***items, size_t *n, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self, sql, &stmt, err);
    if (rc)
        return rc;
    if (param)
        sqlite3_bind_text (stmt, 1, param, -1, SQLITE_STATIC);
    int step;
    while (!rc && (step = sqlite3_step (stmt)) == SQLITE_ROW) {
        ProtobufCMessage *message = s_unpack_column (stmt, 0, descriptor);
        void **grown = realloc (*items, (*n + 1) * sizeof *grown);
        if (!message || !grown) {
            if (message)
                protobuf_c_message_free_unpacked (message, NULL);
            if (grown)
                *items = grown;
            rc = err_set (err, ERR_NOMEM, "out of memory");
            break;
        }
        *items = grown;
        (*items)[(*n)++] = message;
    }
    s_release (stmt);
    return rc;
}

/*  store_facts into a TaskInput. */
static void
s_input_fact (void *arg, const char *name, const char *text, double number)
{
    Campaign__TaskInput *input = arg;
    Campaign__Fact **grown = realloc (input->facts, (input->n_facts + 1) * sizeof *grown);
    Campaign__Fact *fact = calloc (1, sizeof *fact);
    if (grown)
        input->facts = grown;
    if (!grown || !fact) {
        free (fact);
        return;
    }
    campaign__fact__init (fact);
    fact->name = strdup (name ? name : "");
    fact->text = text ? strdup (text) : NULL;
    fact->has_number = 1;
    fact->number = number;
    input->facts[input->n_facts++] = fact;
}

/*  The facts and the retrospective input, for a task that sees the whole campaign. */
static int
s_whole_campaign_context (store_t *self, Campaign__TaskInput *input, err_t *err)
{
    int rc = store_facts (self, s_input_fact, input, err);
    Campaign__Submission **subs = NULL;
    size_t n = 0;
    if (!rc)
        rc = s_collect (self, "SELECT body FROM journal WHERE kind = ?1 ORDER BY seq", "retro",
                        &campaign__submission__descriptor, (void ***)&subs, &n, err);
    if (!rc && n && !(input->retros = calloc (n, sizeof *input->retros)))
        rc = err_set (err, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        /*  Keep the Retro, drop its Submission wrapper. */
        if (!rc && subs[i]->kind_case == CAMPAIGN__SUBMISSION__KIND_RETRO) {
            input->retros[input->n_retros++] = subs[i]->retro;
            subs[i]->retro = NULL;
            subs[i]->kind_case = CAMPAIGN__SUBMISSION__KIND__NOT_SET;
        }
        campaign__submission__free_unpacked (subs[i], NULL);
    }
    free (subs);
    return rc;
}

/*  A growing buffer of protobuf wire bytes: a task input is assembled from the bodies the
    store holds, already packed, without decoding them. */
typedef struct {
    uint8_t *data;
    size_t size;
    size_t cap;
    bool failed; /* out of memory: the bytes are incomplete */
} s_bytes_t;

static void
s_bytes_put (s_bytes_t *bytes, const void *data, size_t size)
{
    if (bytes->failed)
        return;
    if (bytes->size + size > bytes->cap) {
        size_t cap = bytes->cap ? bytes->cap : 4096;
        while (cap < bytes->size + size)
            cap *= 2;
        uint8_t *grown = realloc (bytes->data, cap);
        if (!grown) {
            bytes->failed = true;
            return;
        }
        bytes->data = grown;
        bytes->cap = cap;
    }
    if (size && data)
        memcpy (bytes->data + bytes->size, data, size);
    bytes->size += size; /* data NULL: size bytes reserved, for the caller to fill */
}

static void
s_bytes_varint (s_bytes_t *bytes, uint64_t value)
{
    uint8_t out[10];
    size_t n = 0;
    do {
        out[n] = (uint8_t)(value & 0x7f);
        value >>= 7;
        if (value)
            out[n] |= 0x80;
        n++;
    } while (value);
    s_bytes_put (bytes, out, n);
}

/*  Field number `field` of a message, length-delimited (wire type 2): how protobuf
    writes a sub-message, so a stored body becomes one element of a repeated field. */
static void
s_bytes_field (s_bytes_t *bytes, uint32_t field, const void *data, size_t size)
{
    s_bytes_varint (bytes, (uint64_t)field << 3 | 2);
    s_bytes_varint (bytes, size);
    s_bytes_put (bytes, data, size);
}

static int
s_id_compare (const void *key, const void *item)
{
    return strcmp ((const char *)key, *(char *const *)item);
}

/*  Append as field `field` every body (the last column) `sql` returns. With ids (sorted,
    n of them) the statement reads the accounts between ids[0] and ids[n - 1] (account id
    first), and only those among ids go in; found[i] (if not NULL) says which ids had a
    row. One range scan per table instead of one query per account. */
static int
s_splice (store_t *self, const char *sql, char *const *ids, size_t n, uint32_t field,
          s_bytes_t *out, bool *found, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self, sql, &stmt, err);
    if (rc)
        return rc;
    if (ids) {
        sqlite3_bind_text (stmt, 1, ids[0], -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 2, ids[n - 1], -1, SQLITE_STATIC);
    }
    int body = sqlite3_column_count (stmt) - 1;
    int step;
    while ((step = sqlite3_step (stmt)) == SQLITE_ROW) {
        if (ids) {
            const char *id = (const char *)sqlite3_column_text (stmt, 0);
            char *const *hit = id ? bsearch (id, ids, n, sizeof *ids, s_id_compare) : NULL;
            if (!hit)
                continue; /* in the range, not in the batch (imported since) */
            if (found)
                found[hit - ids] = true;
        }
        s_bytes_field (out, field, sqlite3_column_blob (stmt, body),
                       (size_t)sqlite3_column_bytes (stmt, body));
    }
    if (step != SQLITE_DONE)
        rc = s_fail (self, err, "task input");
    s_release (stmt);
    return rc;
}

static bool
s_sorted (char *const *ids, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (strcmp (ids[i - 1], ids[i]) >= 0)
            return false;
    return true;
}

int
store_task_input (store_t *self, const uint8_t *recipe, size_t recipe_size, uint8_t **out,
                  size_t *out_size, err_t *err)
{
    Campaign__TaskInput *input = campaign__task_input__unpack (NULL, recipe_size, recipe);
    if (!input)
        return err_set (err, ERR_INVALID, "task recipe cannot be read");
    char **ids = input->account_ids;
    size_t n = input->n_account_ids;
    if (!s_sorted (ids, n)) {
        campaign__task_input__free_unpacked (input, NULL);
        return err_set (err, ERR_INVALID, "task recipe: account ids are not sorted and unique");
    }
    /*  The records go in as stored; the rest (what the recipe names, the facts and
        retros of a whole-campaign task) is packed as a message and appended after them,
        in the same buffer. Protobuf allows a message's fields in any order, and the
        elements of a repeated field keep theirs. */
    s_bytes_t records = {0};
    bool *found = calloc (n ? n : 1, sizeof *found);
    int rc = found ? 0 : err_set (err, ERR_NOMEM, "out of memory");
    if (!rc && n)
        rc = s_splice (self,
                       "SELECT account_id, body FROM accounts WHERE account_id "
                       "BETWEEN ?1 AND ?2 ORDER BY account_id",
                       ids, n, 6, &records, found, err);
    /*  An account removed by a later import is left out, with everything the store still
        keeps of it (health, notes...), not an error: the task covers the batch's accounts
        that still exist. */
    size_t kept = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        if (found[i])
            ids[kept++] = ids[i];
        else
            free (ids[i]);
    }
    if (!rc)
        input->n_account_ids = n = kept;
    if (!rc && n) {
        rc = s_splice (self,
                       "SELECT account_id, body FROM health WHERE account_id "
                       "BETWEEN ?1 AND ?2 ORDER BY account_id",
                       ids, n, 7, &records, NULL, err);
        if (!rc)
            rc = s_splice (self,
                           "SELECT account_id, body FROM notes WHERE account_id "
                           "BETWEEN ?1 AND ?2 ORDER BY account_id, seq",
                           ids, n, 8, &records, NULL, err);
        if (!rc)
            rc = s_splice (self,
                           "SELECT account_id, body FROM opportunities WHERE "
                           "account_id BETWEEN ?1 AND ?2 "
                           "ORDER BY account_id, opportunity_id",
                           ids, n, 9, &records, NULL, err);
        if (!rc)
            rc = s_splice (self,
                           "SELECT account_id, body FROM history WHERE account_id "
                           "BETWEEN ?1 AND ?2 ORDER BY account_id, id",
                           ids, n, 12, &records, NULL, err);
    }
    if (!rc)
        rc = s_splice (self, "SELECT body FROM people ORDER BY person_id", NULL, 0, 10,
                       &records, NULL, err);
    uint8_t *targets = NULL;
    size_t targets_size = 0;
    if (!rc && store_meta_get_blob (self, "targets", &targets, &targets_size, NULL) == 0)
        s_bytes_field (&records, 11, targets, targets_size);
    free (targets);
    if (!rc && input->has_batches && input->batches == 1)
        rc = s_whole_campaign_context (self, input, err);
    if (!rc) {
        size_t header = campaign__task_input__get_packed_size (input);
        size_t at = records.size;
        s_bytes_put (&records, NULL, header);
        if (!records.failed)
            campaign__task_input__pack (input, records.data + at);
    }
    if (!rc && records.failed)
        rc = err_set (err, ERR_NOMEM, "out of memory assembling a task input");
    /*  Everything in the recipe is malloc'd, the facts and retros added to it too. */
    campaign__task_input__free_unpacked (input, NULL);
    free (found);
    if (rc) {
        free (records.data);
        return rc;
    }
    *out = records.data;
    *out_size = records.size;
    return 0;
}

int
store_opportunities_page (store_t *self, const char *csm, const char *stage, const char *after,
                          size_t limit, Campaign__Opportunity ***out, size_t *n, bool *more,
                          err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "SELECT body FROM opportunities WHERE (?1 IS NULL OR csm = ?1) "
                        "AND (?2 IS NULL OR stage = ?2) AND opportunity_id > coalesce (?3, '') "
                        "ORDER BY opportunity_id LIMIT ?4",
                        &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_text (stmt, 1, csm, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, stage, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, after, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 4, (int64_t)limit + 1); /* one more says whether more follow */
    Campaign__Opportunity **items = calloc (limit + 1, sizeof *items);
    size_t count = 0;
    if (!items)
        rc = err_set (err, ERR_NOMEM, "out of memory");
    int step;
    *more = false;
    while (!rc && (step = sqlite3_step (stmt)) == SQLITE_ROW) {
        if (count == limit) {
            *more = true;
            break;
        }
        items[count] = (Campaign__Opportunity *)s_unpack_column (
            stmt, 0, &campaign__opportunity__descriptor);
        if (!items[count])
            rc = err_set (err, ERR_STORAGE, "an opportunity cannot be read");
        else
            count++;
    }
    s_release (stmt);
    if (rc) {
        for (size_t i = 0; i < count; i++)
            campaign__opportunity__free_unpacked (items[i], NULL);
        free (items);
        return rc;
    }
    *out = items;
    *n = count;
    return 0;
}

int
store_stage_part (store_t *self, const char *kind, const char *import_id, uint32_t part,
                  const uint8_t *data, size_t size, int64_t *staged, err_t *err)
{
    /*  A new import of this kind abandons any earlier unfinished one. */
    sqlite3_stmt *stmt;
    int rc =
        s_prepare (self, "DELETE FROM staging WHERE kind = ?1 AND import_id <> ?2", &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, import_id, -1, SQLITE_STATIC);
    if ((rc = s_run (self, stmt, err, "staging clear")))
        return rc;
    if ((rc = s_prepare (self, "INSERT OR REPLACE INTO staging VALUES (?1, ?2, ?3, ?4)", &stmt,
                         err)))
        return rc;
    sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, import_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, part);
    sqlite3_bind_blob (stmt, 4, data, (int)size, SQLITE_STATIC);
    if ((rc = s_run (self, stmt, err, "staging put")))
        return rc;
    return s_count (self, "SELECT count(*) FROM staging WHERE import_id = ?1", import_id,
                    staged, err);
}

int
store_staged_parts (store_t *self, const char *kind, const char *import_id, store_part_fn *fn,
                    void *arg, err_t *err)
{
    sqlite3_stmt *stmt;
    int rc = s_prepare (self,
                        "SELECT part, body FROM staging WHERE kind = ?1 AND import_id = ?2 "
                        "ORDER BY part",
                        &stmt, err);
    if (rc)
        return rc;
    sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, import_id, -1, SQLITE_STATIC);
    int step;
    while (!rc && (step = sqlite3_step (stmt)) == SQLITE_ROW)
        rc = fn (arg, (uint32_t)sqlite3_column_int64 (stmt, 0), sqlite3_column_blob (stmt, 1),
                 (size_t)sqlite3_column_bytes (stmt, 1));
    s_release (stmt);
    if (rc)
        return err_set (err, rc, "staged import %s cannot be read", import_id);
    if ((rc = s_prepare (self, "DELETE FROM staging WHERE kind = ?1", &stmt, err)))
        return rc;
    sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
    return s_run (self, stmt, err, "staging done");
}
