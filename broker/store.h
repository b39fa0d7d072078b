/*  store.h: the broker's durable store, one SQLite database per campaign.

    WAL mode with synchronous=FULL: a COMMIT returns only once the WAL is on disk, so
    whatever the broker acknowledges after store_commit survives SIGKILL and power loss.
    The broker runs one transaction per turn of its loop (group commit: every submission
    and result read in that turn shares one fsync).

    Tables: meta (campaign id, status sequence, campaign date, targets...), journal
    (append-only: every accepted submission and every applied result, keyed by message
    id for idempotency), tasks (the queue's durable half; leases are not stored because
    a restart voids them), accounts, people, history (the imported records), handoffs.

    Single-threaded: the caller (the broker loop) owns the handle.
*/
#ifndef CAMPAIGN_STORE_H
#define CAMPAIGN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "campaign.pb-c.h"
#include "err.h"

#define STORE_SCHEMA_VERSION 1

typedef struct _store_t store_t;

/*  Open or create the database at path and bring its schema up to date. A database
    made by a newer build is refused (ERR_UNSUPPORTED). */
int store_open (const char *path, store_t **out, err_t *err);
void store_destroy (store_t **self_p);

int store_begin (store_t *self, err_t *err);
int store_commit (store_t *self, err_t *err);
void store_rollback (store_t *self);
bool store_in_transaction (store_t *self);

/*  A savepoint inside the open transaction, so one submission of a batch can be undone
    alone. Not nested. */
int store_savepoint (store_t *self, err_t *err);
void store_savepoint_release (store_t *self);
void store_savepoint_rollback (store_t *self);

/*  meta key/value. store_meta_get: ERR_NOTFOUND if absent; *value malloc'd. */
int store_meta_get (store_t *self, const char *key, char **value, err_t *err);
int store_meta_set (store_t *self, const char *key, const char *value, err_t *err);
int store_meta_get_blob (store_t *self, const char *key, uint8_t **data, size_t *size,
                         err_t *err);
int store_meta_set_blob (store_t *self, const char *key, const uint8_t *data, size_t size,
                         err_t *err);

/*  The journal entry of message_id, if any: 0 with *seq and *detail (malloc'd), or
    ERR_NOTFOUND. */
int store_journal_find (store_t *self, const char *message_id, int64_t *seq, char **detail,
                        err_t *err);

typedef struct {
    const char *message_id;
    const char *kind; /* "note", "import-portfolio", "result:health.portfolio"... */
    const char *sender;
    const char *person;
    int64_t received_ms;
    const char *campaign_date;
    const uint8_t *body; /* the submission or result, packed */
    size_t body_size;
    const char *detail; /* what the acknowledgement says */
} store_entry_t;

/*  Append an entry; *seq is its journal sequence number. ERR_INVALID if message_id is
    already journaled (callers check store_journal_find first). */
int store_journal_append (store_t *self, const store_entry_t *entry, int64_t *seq, err_t *err);

/*  Accepted entries counted by kind, in kind order. */
typedef void (store_count_fn) (void *arg, const char *kind, int64_t count);
int store_journal_counts (store_t *self, store_count_fn *fn, void *arg, err_t *err);

/*  Every journal entry in order (for tests and audits). */
typedef void (store_entry_fn) (void *arg, int64_t seq, const store_entry_t *entry);
int store_journal_scan (store_t *self, store_entry_fn *fn, void *arg, err_t *err);

/*  Tasks. States on disk: "queued", "done", "dead". */
typedef struct {
    int64_t id;
    const char *agent_kind;
    const char *name;
    const uint8_t *payload;
    size_t payload_size;
    const char *state;
    uint32_t attempts;
    int64_t not_before_ms;
    const char *last_error;
} store_task_t;

int store_task_insert (store_t *self, const char *agent_kind, const char *name,
                       const uint8_t *payload, size_t size, int64_t created_ms,
                       const char *campaign_date, int64_t *id, err_t *err);
int store_task_attempt (store_t *self, int64_t id, uint32_t attempts, int64_t not_before_ms,
                        const char *last_error, err_t *err);
int store_task_finish (store_t *self, int64_t id, const char *state, uint32_t attempts,
                       const uint8_t *result, size_t size, const char *summary,
                       const char *error, const char *done_by, int64_t finished_ms, err_t *err);
/*  Calls fn for every task in state `state` (NULL: all), in id order. */
typedef void (store_task_fn) (void *arg, const store_task_t *task);
int store_tasks_scan (store_t *self, const char *state, store_task_fn *fn, void *arg,
                      err_t *err);
/*  Whether a task with this id was ever created. */
bool store_task_exists (store_t *self, int64_t id);

/*  Tasks counted by state. */
int store_task_count (store_t *self, const char *state, int64_t *count, err_t *err);

/*  Imported records: each import replaces the whole set, inside the caller's
    transaction, so an import is all or nothing. */
int store_replace_accounts (store_t *self, const Campaign__ImportPortfolio *import, err_t *err);
int store_replace_people (store_t *self, const Campaign__ImportRoster *import, err_t *err);
int store_replace_history (store_t *self, const Campaign__ImportHistory *import, err_t *err);
int store_count_rows (store_t *self, const char *table, int64_t *count, err_t *err);
bool store_account_exists (store_t *self, const char *account_id);

/*  Handoffs open by team. */
int store_handoffs_open (store_t *self, store_count_fn *fn, void *arg, err_t *err);
/*  Mark handoff id acknowledged by person; ERR_NOTFOUND or ERR_STATE (already acked). */
int store_handoff_ack (store_t *self, const char *id, const char *person, int64_t at_ms,
                       err_t *err);

#endif
