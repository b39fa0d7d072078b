/*  store_test.c: the broker's durable store (broker/store.h) on a real SQLite file.

    Proves that open creates the schema and refuses a newer one, that meta values and
    blobs round-trip, that the journal is the idempotency record (find by message id, a
    duplicate id is refused without breaking the open transaction, counts by kind, scan
    in order), that tasks and imported accounts are stored as the queue and intake expect,
    that savepoints and transactions undo exactly their own writes, that what was
    committed survives a close and reopen and what was not is gone, and that handoff
    acknowledgement tells a missing handoff from one already acknowledged.
*/
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

TS_SUITE (store);

typedef struct {
    char *dir;
    char *path;
    store_t *store;
} s_fixture_t;

static void
s_open (s_fixture_t *fx)
{
    err_t err;
    err_clear (&err);
    cr_assert_eq (store_open (fx->path, &fx->store, &err), 0, "%s", err.msg);
    cr_assert_not_null (fx->store);
}

static void
s_setup (s_fixture_t *fx)
{
    fx->dir = ts_tempdir ();
    cr_assert_not_null (fx->dir);
    cr_assert_gt (asprintf (&fx->path, "%s/campaign.db", fx->dir), 0);
    fx->store = NULL;
    s_open (fx);
}

static void
s_teardown (s_fixture_t *fx)
{
    store_destroy (&fx->store);
    cr_assert_null (fx->store);
    free (fx->path);
    ts_tempdir_remove (&fx->dir);
}

static int64_t
s_rows (store_t *store, const char *table)
{
    int64_t count = -1;
    err_t err;
    cr_assert_eq (store_count_rows (store, table, &count, &err), 0, "%s", err.msg);
    return count;
}

static int64_t
s_tasks (store_t *store, const char *state)
{
    int64_t count = -1;
    err_t err;
    cr_assert_eq (store_task_count (store, state, &count, &err), 0, "%s", err.msg);
    return count;
}

/*  Expect meta key to hold value (NULL: absent). */
static void
s_expect_meta (store_t *store, const char *key, const char *value)
{
    char *got = NULL;
    int rc = store_meta_get (store, key, &got, NULL);
    if (!value) {
        cr_assert_eq (rc, ERR_NOTFOUND, "meta %s should be absent, is '%s'", key,
                      rc == 0 ? got : "?");
        cr_assert_null (got);
        return;
    }
    cr_assert_eq (rc, 0, "meta %s missing", key);
    cr_assert_str_eq (got, value, "meta %s", key);
    free (got);
}

static int
s_append (store_t *store, const char *id, const char *kind, int64_t *seq)
{
    store_entry_t entry = {
        .message_id = id,
        .kind = kind,
        .sender = "tool/alice",
        .person = "alice",
        .received_ms = 1700000000000,
        .campaign_date = "2025-03-03",
        .body = (const uint8_t *)"\x01\x00\x02",
        .body_size = 3,
        .detail = kind,
    };
    int64_t ignored;
    return store_journal_append (store, &entry, seq ? seq : &ignored, NULL);
}

/*  Expect message id to be journaled (seq >= 1) or not (seq 0). */
static void
s_expect_journaled (store_t *store, const char *id, int64_t seq)
{
    int64_t found = -1;
    char *detail = NULL;
    int rc = store_journal_find (store, id, &found, &detail, NULL);
    if (!seq) {
        cr_assert_eq (rc, ERR_NOTFOUND, "%s should not be journaled", id);
        cr_assert_null (detail);
        return;
    }
    cr_assert_eq (rc, 0, "%s should be journaled", id);
    cr_assert_eq (found, seq, "%s", id);
    free (detail);
}

Test (store, open_creates_the_schema)
{
    s_fixture_t fx;
    s_setup (&fx);
    static const char *const tables[] = {"meta",   "journal", "tasks",   "accounts",
                                         "people", "history", "handoffs"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        cr_assert_eq (s_rows (fx.store, tables[i]), i == 0 ? 1 : 0, "table %s", tables[i]);
    char version[16];
    snprintf (version, sizeof version, "%d", STORE_SCHEMA_VERSION);
    s_expect_meta (fx.store, "schema_version", version);
    cr_assert_not (store_in_transaction (fx.store));
    /*  Opening again is harmless. */
    store_destroy (&fx.store);
    s_open (&fx);
    cr_assert_eq (s_rows (fx.store, "meta"), 1);
    s_expect_meta (fx.store, "schema_version", version);
    store_destroy (NULL);
    s_teardown (&fx);
}

Test (store, open_fails_cleanly)
{
    char *dir = ts_tempdir ();
    char *missing = NULL, *bogus = NULL;
    cr_assert_gt (asprintf (&missing, "%s/no/such/dir/campaign.db", dir), 0);
    store_t *store = NULL;
    err_t err;
    err_clear (&err);
    cr_assert_eq (store_open (missing, &store, &err), ERR_STORAGE);
    cr_assert_null (store);
    cr_assert_not_null (strstr (err.msg, missing), "error names the file: %s", err.msg);

    /*  A file that is not a database. */
    bogus = ts_write_file (dir, "bogus.db",
                           "this is plainly not an SQLite database file, "
                           "though it is long enough to have a header\n");
    err_clear (&err);
    cr_assert_eq (store_open (bogus, &store, &err), ERR_STORAGE);
    cr_assert_null (store);
    cr_assert_neq (err.msg[0], '\0');
    free (missing);
    free (bogus);
    ts_tempdir_remove (&dir);
}

Test (store, meta_get_set)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    s_expect_meta (fx.store, "campaign_id", NULL);
    err_clear (&err);
    char *value = NULL;
    cr_assert_eq (store_meta_get (fx.store, "campaign_id", &value, &err), ERR_NOTFOUND);
    cr_assert_not_null (strstr (err.msg, "campaign_id"), "%s", err.msg);
    cr_assert_eq (store_meta_set (fx.store, "campaign_id", "spring", &err), 0, "%s", err.msg);
    s_expect_meta (fx.store, "campaign_id", "spring");
    cr_assert_eq (store_meta_set (fx.store, "campaign_id", "autumn-2025", &err), 0);
    s_expect_meta (fx.store, "campaign_id", "autumn-2025");
    cr_assert_eq (store_meta_set (fx.store, "empty", "", &err), 0);
    s_expect_meta (fx.store, "empty", "");
    s_teardown (&fx);
}

Test (store, meta_blob_round_trip)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    static const uint8_t blob[] = {0x00, 0xff, 0x10, 0x00, 0x7f, 'a', 0x00};
    cr_assert_eq (store_meta_set_blob (fx.store, "targets", blob, sizeof blob, &err), 0, "%s",
                  err.msg);
    uint8_t *data = NULL;
    size_t size = 0;
    cr_assert_eq (store_meta_get_blob (fx.store, "targets", &data, &size, &err), 0);
    cr_assert_eq (size, sizeof blob);
    cr_assert_arr_eq (data, blob, sizeof blob);
    free (data);

    cr_assert_eq (store_meta_set_blob (fx.store, "nothing", NULL, 0, &err), 0);
    data = NULL;
    size = 99;
    cr_assert_eq (store_meta_get_blob (fx.store, "nothing", &data, &size, &err), 0);
    cr_assert_eq (size, 0);
    cr_assert_not_null (data);
    free (data);

    data = NULL;
    size = 99;
    cr_assert_eq (store_meta_get_blob (fx.store, "absent", &data, &size, NULL), ERR_NOTFOUND);
    cr_assert_null (data);
    cr_assert_eq (size, 99, "size written on failure");
    s_teardown (&fx);
}

Test (store, journal_append_and_find)
{
    s_fixture_t fx;
    s_setup (&fx);
    int64_t seq1 = 0, seq2 = 0;
    cr_assert_eq (s_append (fx.store, "m-1", "note", &seq1), 0);
    cr_assert_eq (s_append (fx.store, "m-2", "stage", &seq2), 0);
    cr_assert_geq (seq1, 1);
    cr_assert_gt (seq2, seq1);

    int64_t seq = 0;
    char *detail = NULL;
    err_t err;
    cr_assert_eq (store_journal_find (fx.store, "m-2", &seq, &detail, &err), 0);
    cr_assert_eq (seq, seq2);
    cr_assert_str_eq (detail, "stage");
    free (detail);
    s_expect_journaled (fx.store, "m-1", seq1);
    s_expect_journaled (fx.store, "m-3", 0);

    /*  No detail: found, with an empty detail. */
    store_entry_t bare = {.message_id = "m-bare", .kind = "note", .received_ms = 1};
    int64_t seq3 = 0;
    cr_assert_eq (store_journal_append (fx.store, &bare, &seq3, &err), 0, "%s", err.msg);
    detail = NULL;
    cr_assert_eq (store_journal_find (fx.store, "m-bare", &seq, &detail, &err), 0);
    cr_assert_eq (seq, seq3);
    cr_assert_str_eq (detail, "");
    free (detail);
    s_teardown (&fx);
}

Test (store, journal_duplicate_id_is_invalid)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    int64_t seq1 = 0;
    cr_assert_eq (store_begin (fx.store, &err), 0);
    cr_assert_eq (s_append (fx.store, "m-1", "note", &seq1), 0);

    store_entry_t again = {.message_id = "m-1", .kind = "outcome", .received_ms = 2};
    int64_t seq = -7;
    err_clear (&err);
    cr_assert_eq (store_journal_append (fx.store, &again, &seq, &err), ERR_INVALID);
    cr_assert_eq (seq, -7, "seq written on failure");
    cr_assert_not_null (strstr (err.msg, "m-1"), "%s", err.msg);

    /*  The refused statement did not spoil the transaction: earlier and later writes
        of the same turn commit. */
    cr_assert (store_in_transaction (fx.store));
    int64_t seq2 = 0;
    cr_assert_eq (s_append (fx.store, "m-2", "note", &seq2), 0);
    cr_assert_eq (store_commit (fx.store, &err), 0, "%s", err.msg);
    s_expect_journaled (fx.store, "m-1", seq1);
    s_expect_journaled (fx.store, "m-2", seq2);
    cr_assert_eq (s_rows (fx.store, "journal"), 2);

    /*  The first entry is the one kept. */
    char *detail = NULL;
    cr_assert_eq (store_journal_find (fx.store, "m-1", &seq, &detail, NULL), 0);
    cr_assert_str_eq (detail, "note");
    free (detail);
    s_teardown (&fx);
}

typedef struct {
    char kinds[8][32];
    int64_t counts[8];
    int n;
} s_counts_t;

static void
s_count_cb (void *arg, const char *kind, int64_t count)
{
    s_counts_t *counts = arg;
    cr_assert_lt (counts->n, 8);
    snprintf (counts->kinds[counts->n], sizeof counts->kinds[0], "%s", kind);
    counts->counts[counts->n++] = count;
}

Test (store, journal_counts_by_kind)
{
    s_fixture_t fx;
    s_setup (&fx);
    s_counts_t counts = {0};
    err_t err;
    cr_assert_eq (store_journal_counts (fx.store, s_count_cb, &counts, &err), 0);
    cr_assert_eq (counts.n, 0);

    static const char *const kinds[] = {"stage", "note", "result:health.portfolio",
                                        "note",  "note", "import-portfolio",
                                        "stage"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char id[16];
        snprintf (id, sizeof id, "m-%zu", i);
        cr_assert_eq (s_append (fx.store, id, kinds[i], NULL), 0);
    }
    cr_assert_eq (store_journal_counts (fx.store, s_count_cb, &counts, &err), 0);
    cr_assert_eq (counts.n, 4);
    cr_assert_str_eq (counts.kinds[0], "import-portfolio");
    cr_assert_eq (counts.counts[0], 1);
    cr_assert_str_eq (counts.kinds[1], "note");
    cr_assert_eq (counts.counts[1], 3);
    cr_assert_str_eq (counts.kinds[2], "result:health.portfolio");
    cr_assert_eq (counts.counts[2], 1);
    cr_assert_str_eq (counts.kinds[3], "stage");
    cr_assert_eq (counts.counts[3], 2);
    s_teardown (&fx);
}

typedef struct {
    int n;
    int64_t last_seq;
    char ids[8][16];
} s_scan_t;

static void
s_scan_cb (void *arg, int64_t seq, const store_entry_t *entry)
{
    s_scan_t *scan = arg;
    cr_assert_lt (scan->n, 8);
    cr_assert_gt (seq, scan->last_seq, "scan out of order");
    scan->last_seq = seq;
    snprintf (scan->ids[scan->n++], sizeof scan->ids[0], "%s", entry->message_id);
    if (strcmp (entry->message_id, "z-first") == 0) {
        cr_assert_str_eq (entry->kind, "note");
        cr_assert_str_eq (entry->sender, "tool/alice");
        cr_assert_str_eq (entry->person, "alice");
        cr_assert_eq (entry->received_ms, 1700000000000);
        cr_assert_str_eq (entry->campaign_date, "2025-03-03");
        cr_assert_eq (entry->body_size, 3);
        cr_assert_arr_eq (entry->body, "\x01\x00\x02", 3);
        cr_assert_str_eq (entry->detail, "note");
    }
}

Test (store, journal_scan_in_append_order)
{
    s_fixture_t fx;
    s_setup (&fx);
    /*  Ids that sort the other way round, so the order is the sequence, not the id. */
    cr_assert_eq (s_append (fx.store, "z-first", "note", NULL), 0);
    cr_assert_eq (s_append (fx.store, "m-second", "stage", NULL), 0);
    cr_assert_eq (s_append (fx.store, "a-third", "outcome", NULL), 0);
    s_scan_t scan = {0};
    err_t err;
    cr_assert_eq (store_journal_scan (fx.store, s_scan_cb, &scan, &err), 0, "%s", err.msg);
    cr_assert_eq (scan.n, 3);
    cr_assert_str_eq (scan.ids[0], "z-first");
    cr_assert_str_eq (scan.ids[1], "m-second");
    cr_assert_str_eq (scan.ids[2], "a-third");
    s_teardown (&fx);
}

typedef struct {
    int n;
    int64_t ids[8];
    char states[8][8];
    uint32_t attempts[8];
    int64_t not_before[8];
    char errors[8][32];
    char names[8][64];
    size_t payload_size[8];
    bool assemble[8];
} s_tasks_t;

static void
s_task_cb (void *arg, const store_task_t *task)
{
    s_tasks_t *tasks = arg;
    cr_assert_lt (tasks->n, 8);
    int i = tasks->n++;
    tasks->ids[i] = task->id;
    snprintf (tasks->states[i], sizeof tasks->states[0], "%s", task->state);
    tasks->attempts[i] = task->attempts;
    tasks->not_before[i] = task->not_before_ms;
    snprintf (tasks->errors[i], sizeof tasks->errors[0], "%s",
              task->last_error ? task->last_error : "(null)");
    snprintf (tasks->names[i], sizeof tasks->names[0], "%s/%s", task->agent_kind, task->name);
    tasks->payload_size[i] = task->payload_size;
    tasks->assemble[i] = task->assemble;
    if (task->payload_size)
        cr_assert_arr_eq (task->payload, "pay\0load", task->payload_size);
}

Test (store, tasks_insert_attempt_finish_scan_count)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    int64_t a = 0, b = 0, c = 0;
    cr_assert_eq (store_task_insert (fx.store, "customer-health-scorer", "health.portfolio",
                                     (const uint8_t *)"pay\0load", 8, false, 1000, "2025-03-03",
                                     &a, &err),
                  0, "%s", err.msg);
    cr_assert_eq (store_task_insert (fx.store, "retrospective-analyzer", "retro.report", NULL,
                                     0, false, 1001, NULL, &b, &err),
                  0);
    cr_assert_eq (store_task_insert (fx.store, "customer-health-scorer", "health.bands",
                                     (const uint8_t *)"pay", 3, true, 1002, "2025-03-03", &c,
                                     &err),
                  0);
    cr_assert (a >= 1 && b > a && c > b);
    cr_assert (store_task_exists (fx.store, a));
    cr_assert (store_task_exists (fx.store, c));
    cr_assert_not (store_task_exists (fx.store, c + 1));
    cr_assert_not (store_task_exists (fx.store, 0));
    cr_assert_eq (s_tasks (fx.store, "queued"), 3);
    cr_assert_eq (s_tasks (fx.store, "done"), 0);

    /*  Attempts: the last error sticks until another one replaces it. */
    cr_assert_eq (store_task_attempt (fx.store, a, 1, 0, NULL, &err), 0);
    cr_assert_eq (store_task_attempt (fx.store, a, 1, 5000, "agent crashed", &err), 0);
    cr_assert_eq (store_task_attempt (fx.store, a, 2, 5000, NULL, &err), 0);

    cr_assert_eq (store_task_finish (fx.store, b, "done", 1, (const uint8_t *)"r", 1, "ok",
                                     NULL, "retrospective-analyzer/1", 2000, &err),
                  0, "%s", err.msg);
    cr_assert_eq (store_task_finish (fx.store, c, "dead", 3, NULL, 0, NULL, "bad input",
                                     "customer-health-scorer/2", 2001, &err),
                  0);
    cr_assert_eq (s_tasks (fx.store, "queued"), 1);
    cr_assert_eq (s_tasks (fx.store, "done"), 1);
    cr_assert_eq (s_tasks (fx.store, "dead"), 1);

    s_tasks_t all = {0};
    cr_assert_eq (store_tasks_scan (fx.store, NULL, s_task_cb, &all, &err), 0, "%s", err.msg);
    cr_assert_eq (all.n, 3);
    cr_assert_eq (all.ids[0], a);
    cr_assert_eq (all.ids[1], b);
    cr_assert_eq (all.ids[2], c);
    cr_expect (!all.assemble[0] && !all.assemble[1] && all.assemble[2],
               "only c's payload is a recipe");
    cr_assert_str_eq (all.states[0], "queued");
    cr_assert_str_eq (all.states[1], "done");
    cr_assert_str_eq (all.states[2], "dead");
    cr_assert_eq (all.attempts[0], 2);
    cr_assert_eq (all.not_before[0], 5000);
    cr_assert_str_eq (all.errors[0], "agent crashed");
    cr_assert_str_eq (all.names[0], "customer-health-scorer/health.portfolio");
    cr_assert_eq (all.payload_size[0], 8);
    cr_assert_eq (all.payload_size[1], 0);
    cr_assert_eq (all.attempts[2], 3);
    cr_assert_str_eq (all.errors[2], "bad input");

    s_tasks_t queued = {0};
    cr_assert_eq (store_tasks_scan (fx.store, "queued", s_task_cb, &queued, &err), 0);
    cr_assert_eq (queued.n, 1);
    cr_assert_eq (queued.ids[0], a);
    s_tasks_t dead = {0};
    cr_assert_eq (store_tasks_scan (fx.store, "dead", s_task_cb, &dead, &err), 0);
    cr_assert_eq (dead.n, 1);
    cr_assert_eq (dead.ids[0], c);

    /*  A state outside the schema is refused by the database. */
    err_clear (&err);
    cr_assert_eq (
        store_task_finish (fx.store, a, "leased", 2, NULL, 0, NULL, NULL, NULL, 3000, &err),
        ERR_STORAGE);
    cr_assert_neq (err.msg[0], '\0');
    cr_assert_eq (s_tasks (fx.store, "queued"), 1);
    /*  Finished tasks still exist (a late result is a duplicate, not an unknown id). */
    cr_assert (store_task_exists (fx.store, b));
    s_teardown (&fx);
}

/*  An import of n accounts named prefix1..prefixn. */
typedef struct {
    Campaign__ImportPortfolio import;
    Campaign__Account accounts[8];
    Campaign__Account *pointers[8];
    char ids[8][48];
} s_portfolio_t;

static void
s_portfolio (s_portfolio_t *p, const char *prefix, size_t n)
{
    campaign__import_portfolio__init (&p->import);
    for (size_t i = 0; i < n; i++) {
        campaign__account__init (&p->accounts[i]);
        snprintf (p->ids[i], sizeof p->ids[i], "%.8s%u", prefix, (unsigned)(i + 1) % 100);
        p->accounts[i].account_id = p->ids[i];
        p->accounts[i].name = "Acme";
        p->accounts[i].csm = "P001";
        p->accounts[i].has_arr = 1;
        p->accounts[i].arr = 120000.0;
        p->pointers[i] = &p->accounts[i];
    }
    p->import.source = "accounts.csv";
    p->import.n_accounts = n;
    p->import.accounts = p->pointers;
}

Test (store, replace_accounts_replaces_the_whole_set)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    s_portfolio_t first, second;
    s_portfolio (&first, "A", 3);
    s_portfolio (&second, "B", 2);
    cr_assert_not (store_account_exists (fx.store, "A1"));

    cr_assert_eq (store_begin (fx.store, &err), 0);
    cr_assert_eq (store_replace_accounts (fx.store, &first.import, &err), 0, "%s", err.msg);
    cr_assert_eq (store_commit (fx.store, &err), 0);
    cr_assert_eq (s_rows (fx.store, "accounts"), 3);
    cr_assert (store_account_exists (fx.store, "A1"));
    cr_assert (store_account_exists (fx.store, "A3"));
    cr_assert_not (store_account_exists (fx.store, "A4"));

    cr_assert_eq (store_begin (fx.store, &err), 0);
    cr_assert_eq (store_replace_accounts (fx.store, &second.import, &err), 0, "%s", err.msg);
    cr_assert_eq (store_commit (fx.store, &err), 0);
    cr_assert_eq (s_rows (fx.store, "accounts"), 2);
    cr_assert_not (store_account_exists (fx.store, "A1"));
    cr_assert_not (store_account_exists (fx.store, "A3"));
    cr_assert (store_account_exists (fx.store, "B1"));
    cr_assert (store_account_exists (fx.store, "B2"));
    cr_assert_not (store_account_exists (fx.store, ""));

    /*  An empty import empties the set. */
    s_portfolio_t none;
    s_portfolio (&none, "C", 0);
    cr_assert_eq (store_replace_accounts (fx.store, &none.import, &err), 0);
    cr_assert_eq (s_rows (fx.store, "accounts"), 0);
    s_teardown (&fx);
}

Test (store, replace_accounts_failure_is_all_or_nothing)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    s_portfolio_t first, dup;
    s_portfolio (&first, "A", 3);
    cr_assert_eq (store_replace_accounts (fx.store, &first.import, &err), 0);

    /*  The second import names B1 twice: it fails half-way, and the caller's
        rollback puts the previous set back. */
    s_portfolio (&dup, "B", 3);
    dup.accounts[2].account_id = "B1";
    cr_assert_eq (store_begin (fx.store, &err), 0);
    err_clear (&err);
    cr_assert_eq (store_replace_accounts (fx.store, &dup.import, &err), ERR_STORAGE);
    cr_assert_neq (err.msg[0], '\0');
    store_rollback (fx.store);
    cr_assert_not (store_in_transaction (fx.store));
    cr_assert_eq (s_rows (fx.store, "accounts"), 3);
    cr_assert (store_account_exists (fx.store, "A2"));
    cr_assert_not (store_account_exists (fx.store, "B1"));
    s_teardown (&fx);
}

Test (store, savepoint_rollback_undoes_only_its_writes)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    int64_t seq1 = 0, seq2 = 0, seq3 = 0;
    cr_assert_eq (store_begin (fx.store, &err), 0, "%s", err.msg);
    cr_assert (store_in_transaction (fx.store));
    cr_assert_eq (store_meta_set (fx.store, "before", "1", &err), 0);
    cr_assert_eq (s_append (fx.store, "m-before", "note", &seq1), 0);

    /*  One submission of the batch goes wrong half-way. */
    cr_assert_eq (store_savepoint (fx.store, &err), 0, "%s", err.msg);
    cr_assert_eq (store_meta_set (fx.store, "inside", "1", &err), 0);
    cr_assert_eq (store_meta_set (fx.store, "before", "overwritten", &err), 0);
    cr_assert_eq (s_append (fx.store, "m-inside", "stage", NULL), 0);
    int64_t task = 0;
    cr_assert_eq (store_task_insert (fx.store, "k", "n", NULL, 0, false, 1, NULL, &task, &err),
                  0);
    store_savepoint_rollback (fx.store);
    cr_assert (store_in_transaction (fx.store), "the savepoint took the transaction with it");

    /*  The next one is fine and is kept. */
    cr_assert_eq (store_savepoint (fx.store, &err), 0, "%s", err.msg);
    cr_assert_eq (s_append (fx.store, "m-kept", "note", &seq2), 0);
    store_savepoint_release (fx.store);
    cr_assert (store_in_transaction (fx.store));

    cr_assert_eq (s_append (fx.store, "m-after", "note", &seq3), 0);
    cr_assert_eq (store_commit (fx.store, &err), 0, "%s", err.msg);
    cr_assert_not (store_in_transaction (fx.store));

    s_expect_meta (fx.store, "before", "1");
    s_expect_meta (fx.store, "inside", NULL);
    s_expect_journaled (fx.store, "m-before", seq1);
    s_expect_journaled (fx.store, "m-inside", 0);
    s_expect_journaled (fx.store, "m-kept", seq2);
    s_expect_journaled (fx.store, "m-after", seq3);
    cr_assert_eq (s_rows (fx.store, "tasks"), 0);
    cr_assert_eq (s_rows (fx.store, "journal"), 3);
    s_teardown (&fx);
}

Test (store, rollback_undoes_the_transaction)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    cr_assert_eq (store_meta_set (fx.store, "kept", "yes", &err), 0);
    cr_assert_eq (store_begin (fx.store, &err), 0);
    cr_assert_eq (store_meta_set (fx.store, "kept", "no", &err), 0);
    cr_assert_eq (store_meta_set (fx.store, "lost", "1", &err), 0);
    cr_assert_eq (s_append (fx.store, "m-1", "note", NULL), 0);
    int64_t task = 0;
    cr_assert_eq (store_task_insert (fx.store, "k", "n", NULL, 0, false, 1, NULL, &task, &err),
                  0);
    s_expect_meta (fx.store, "lost", "1"); /* visible inside the transaction */
    store_rollback (fx.store);
    cr_assert_not (store_in_transaction (fx.store));
    store_rollback (fx.store); /* no transaction: harmless */

    s_expect_meta (fx.store, "kept", "yes");
    s_expect_meta (fx.store, "lost", NULL);
    s_expect_journaled (fx.store, "m-1", 0);
    cr_assert_eq (s_rows (fx.store, "tasks"), 0);

    /*  The next transaction works and reuses nothing it should not. */
    cr_assert_eq (store_begin (fx.store, &err), 0);
    cr_assert_eq (s_append (fx.store, "m-1", "note", NULL), 0);
    cr_assert_eq (store_commit (fx.store, &err), 0);
    cr_assert_eq (s_rows (fx.store, "journal"), 1);
    s_teardown (&fx);
}

Test (store, begin_twice_is_an_error)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    cr_assert_eq (store_begin (fx.store, &err), 0);
    err_clear (&err);
    cr_assert_eq (store_begin (fx.store, &err), ERR_STORAGE);
    cr_assert_neq (err.msg[0], '\0');
    cr_assert (store_in_transaction (fx.store));
    store_rollback (fx.store);
    err_clear (&err);
    cr_assert_eq (store_commit (fx.store, &err), ERR_STORAGE, "commit without a transaction");
    s_teardown (&fx);
}

Test (store, reopen_keeps_committed_and_loses_uncommitted)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    int64_t seq = 0, task = 0;
    s_portfolio_t portfolio;
    s_portfolio (&portfolio, "A", 2);
    cr_assert_eq (store_begin (fx.store, &err), 0);
    cr_assert_eq (store_meta_set (fx.store, "campaign_id", "spring", &err), 0);
    cr_assert_eq (s_append (fx.store, "m-committed", "note", &seq), 0);
    cr_assert_eq (store_task_insert (fx.store, "k", "n", NULL, 0, false, 1, NULL, &task, &err),
                  0);
    cr_assert_eq (store_replace_accounts (fx.store, &portfolio.import, &err), 0);
    cr_assert_eq (store_commit (fx.store, &err), 0, "%s", err.msg);

    /*  The next turn is cut short by the process going away. */
    cr_assert_eq (store_begin (fx.store, &err), 0);
    cr_assert_eq (store_meta_set (fx.store, "campaign_id", "changed", &err), 0);
    cr_assert_eq (s_append (fx.store, "m-uncommitted", "note", NULL), 0);
    cr_assert_eq (
        store_task_finish (fx.store, task, "done", 1, NULL, 0, NULL, NULL, NULL, 5, &err), 0);
    store_destroy (&fx.store);

    s_open (&fx);
    cr_assert_not (store_in_transaction (fx.store));
    s_expect_meta (fx.store, "campaign_id", "spring");
    s_expect_journaled (fx.store, "m-committed", seq);
    s_expect_journaled (fx.store, "m-uncommitted", 0);
    cr_assert_eq (s_tasks (fx.store, "queued"), 1);
    cr_assert_eq (s_tasks (fx.store, "done"), 0);
    cr_assert (store_account_exists (fx.store, "A2"));
    /*  The journal keeps counting from where it was. */
    int64_t next = 0;
    cr_assert_eq (s_append (fx.store, "m-next", "note", &next), 0);
    cr_assert_gt (next, seq);
    s_teardown (&fx);
}

Test (store, newer_schema_is_refused)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    cr_assert_eq (store_meta_set (fx.store, "schema_version", "99", &err), 0);
    store_destroy (&fx.store);

    store_t *store = NULL;
    err_clear (&err);
    cr_assert_eq (store_open (fx.path, &store, &err), ERR_UNSUPPORTED);
    cr_assert_null (store);
    cr_assert_not_null (strstr (err.msg, "99"), "%s", err.msg);

    /*  Refusing it did not rewrite the version. */
    sqlite3 *db = NULL;
    cr_assert_eq (sqlite3_open (fx.path, &db), SQLITE_OK);
    sqlite3_stmt *stmt = NULL;
    cr_assert_eq (sqlite3_prepare_v2 (db, "SELECT value FROM meta WHERE key = 'schema_version'",
                                      -1, &stmt, NULL),
                  SQLITE_OK);
    cr_assert_eq (sqlite3_step (stmt), SQLITE_ROW);
    cr_assert_eq (sqlite3_column_bytes (stmt, 0), 2);
    cr_assert_arr_eq (sqlite3_column_blob (stmt, 0), "99", 2);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
    s_teardown (&fx);
}

static void
s_handoff_team_cb (void *arg, const char *team, int64_t open, int32_t oldest_day)
{
    s_count_cb (arg, team, open);
}

/*  Add a handoff as the campaign logic would; returns its id (static buffer copy). */
static void
s_add_handoff (store_t *store, const char *team, const char *opportunity, int32_t day, char *id,
               size_t size)
{
    Campaign__Handoff handoff = CAMPAIGN__HANDOFF__INIT;
    handoff.team = (char *)team;
    handoff.kind = "ae-attached";
    handoff.opportunity_id = (char *)opportunity;
    handoff.account_id = "A1";
    handoff.detail = "qualified";
    bool created = false;
    err_t err;
    cr_assert_eq (store_handoff_add (store, &handoff, day, &created, &err), 0, "%s", err.msg);
    cr_assert (created);
    snprintf (id, size, "%s", handoff.handoff_id);
    /*  The same team, kind and subject again is not a second handoff. */
    cr_assert_eq (store_handoff_add (store, &handoff, day, &created, &err), 0, "%s", err.msg);
    cr_assert (!created);
}

Test (store, handoff_ack)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    err_clear (&err);
    cr_assert_eq (store_handoff_ack (fx.store, "H404", "bob", 10, "2026-10-15", &err),
                  ERR_NOTFOUND);
    cr_assert_not_null (strstr (err.msg, "H404"), "%s", err.msg);

    char h1[16], h2[16], h3[16];
    cr_assert_eq (store_begin (fx.store, &err), 0);
    s_add_handoff (fx.store, "sales", "O1", 5, h1, sizeof h1);
    s_add_handoff (fx.store, "sales", "O2", 6, h2, sizeof h2);
    s_add_handoff (fx.store, "marketing", "O1", 7, h3, sizeof h3);
    cr_assert_eq (store_commit (fx.store, &err), 0, "%s", err.msg);
    cr_assert_str_eq (h1, "H1");
    s_counts_t open = {0};
    cr_assert_eq (store_handoffs_open (fx.store, s_handoff_team_cb, &open, &err), 0, "%s",
                  err.msg);
    cr_assert_eq (open.n, 2);
    cr_assert_str_eq (open.kinds[0], "marketing");
    cr_assert_eq (open.counts[0], 1);
    cr_assert_str_eq (open.kinds[1], "sales");
    cr_assert_eq (open.counts[1], 2);
    cr_expect_eq (store_handoffs_open_count (fx.store, "sales"), 2, "the in-memory count");
    cr_expect_eq (store_handoffs_open_count (fx.store, "product"), 0);

    /*  A rolled-back handoff is not counted. */
    char undone[16];
    cr_assert_eq (store_begin (fx.store, &err), 0);
    s_add_handoff (fx.store, "sales", "O9", 8, undone, sizeof undone);
    cr_expect_eq (store_handoffs_open_count (fx.store, "sales"), 3);
    store_rollback (fx.store);
    cr_expect_eq (store_handoffs_open_count (fx.store, "sales"), 2, "after the rollback");

    cr_assert_eq (store_begin (fx.store, &err), 0);
    cr_assert_eq (store_handoff_ack (fx.store, h1, "bob", 10, "2026-10-15", &err), 0, "%s",
                  err.msg);
    err_clear (&err);
    cr_assert_eq (store_handoff_ack (fx.store, h1, "carol", 11, "2026-10-16", &err), ERR_STATE);
    cr_assert_not_null (strstr (err.msg, "bob"), "says who acknowledged: %s", err.msg);
    cr_assert_eq (store_commit (fx.store, &err), 0, "%s", err.msg);

    s_counts_t after = {0};
    cr_assert_eq (store_handoffs_open (fx.store, s_handoff_team_cb, &after, &err), 0);
    cr_assert_eq (after.n, 2);
    cr_assert_str_eq (after.kinds[1], "sales");
    cr_assert_eq (after.counts[1], 1);
    cr_expect_eq (store_handoffs_open_count (fx.store, "sales"), 1, "an ack is counted");

    /*  The first acknowledgement is the one on record, across a reopen. */
    store_destroy (&fx.store);
    s_open (&fx);
    cr_expect_eq (store_handoffs_open_count (fx.store, "sales"), 1, "loaded on opening");
    cr_expect_eq (store_handoffs_open_count (fx.store, "marketing"), 1);
    err_clear (&err);
    cr_assert_eq (store_handoff_ack (fx.store, h1, "dave", 12, "2026-10-17", &err), ERR_STATE);
    cr_assert_not_null (strstr (err.msg, "bob"), "%s", err.msg);
    Campaign__Handoff *stored = NULL;
    cr_assert_eq (store_handoff_get (fx.store, h1, &stored, &err), 0, "%s", err.msg);
    cr_assert_str_eq (stored->acked_by, "bob");
    cr_assert_str_eq (stored->acked, "2026-10-15");
    campaign__handoff__free_unpacked (stored, NULL);
    s_teardown (&fx);
}

static void
s_band_cb (void *arg, const char *band, int64_t count)
{
    if (strcmp (band, "healthy") == 0)
        *(int64_t *)arg = count;
}

static int64_t
s_healthy (store_t *store)
{
    int64_t healthy = 0;
    err_t err;
    cr_assert_eq (store_health_bands (store, s_band_cb, &healthy, &err), 0);
    return healthy;
}

Test (store, health_bands_follow_writes_and_rollbacks)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    Campaign__AccountHealth health = CAMPAIGN__ACCOUNT_HEALTH__INIT;
    health.account_id = "A1";
    health.has_score = 1;
    health.score = 80;
    health.band = "healthy";
    cr_assert_eq (store_begin (fx.store, &err), 0);
    cr_assert_eq (store_health_put (fx.store, &health, 1, &err), 0, "%s", err.msg);
    cr_expect_eq (s_healthy (fx.store), 1);
    /*  A savepoint that rescored A1 at risk, rolled back: the band count comes back. */
    cr_assert_eq (store_savepoint (fx.store, &err), 0);
    health.score = 30;
    health.band = "at-risk";
    cr_assert_eq (store_health_put (fx.store, &health, 2, &err), 0);
    cr_expect_eq (s_healthy (fx.store), 0);
    store_savepoint_rollback (fx.store);
    cr_expect_eq (s_healthy (fx.store), 1, "the savepoint's write is undone in memory too");
    cr_assert_eq (store_commit (fx.store, &err), 0);
    /*  A whole transaction rolled back. */
    cr_assert_eq (store_begin (fx.store, &err), 0);
    cr_assert_eq (store_health_put (fx.store, &health, 3, &err), 0);
    store_rollback (fx.store);
    cr_expect_eq (s_healthy (fx.store), 1);
    /*  And what is committed is there after a reopen. */
    store_destroy (&fx.store);
    s_open (&fx);
    cr_expect_eq (s_healthy (fx.store), 1);
    s_teardown (&fx);
}

typedef struct {
    char text[512];
    int n;
} s_series_t;

static void
s_collect_series (void *arg, const char *name, double number, const char *date, int week)
{
    s_series_t *series = arg;
    size_t used = strlen (series->text);
    snprintf (series->text + used, sizeof series->text - used, "%s=%.0f@%s/w%d;", name, number,
              date, week);
    series->n++;
}

Test (store, fact_history_keeps_every_value_once_per_task)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    /*  The fact itself keeps only its latest value... */
    cr_assert_eq (store_fact_set (fx.store, "forecast.expected_arr", "w8", 100, "T-1", 1, &err),
                  0, "%s", err.msg);
    cr_assert_eq (store_fact_set (fx.store, "forecast.expected_arr", "w9", 150, "T-2", 2, &err),
                  0, "%s", err.msg);
    char *text = NULL;
    double number = 0;
    cr_assert_eq (store_fact_get (fx.store, "forecast.expected_arr", &text, &number, &err), 0);
    cr_expect_eq (number, 150);
    free (text);
    /*  ...the history keeps each one, oldest first; a task's value is recorded once. */
    cr_assert_eq (store_fact_history_add (fx.store, "forecast.expected_arr", 100, "2026-11-23",
                                          8, "T-1", &err),
                  0, "%s", err.msg);
    cr_assert_eq (
        store_fact_history_add (fx.store, "forecast.target", 400, "2026-11-23", 8, "T-1", &err),
        0, "%s", err.msg);
    cr_assert_eq (store_fact_history_add (fx.store, "forecast.expected_arr", 150, "2026-11-30",
                                          9, "T-2", &err),
                  0, "%s", err.msg);
    cr_assert_eq (store_fact_history_add (fx.store, "forecast.expected_arr", 150, "2026-11-30",
                                          9, "T-2", &err),
                  0, "a result applied twice is no error: %s", err.msg);
    s_series_t series = {.n = 0};
    cr_assert_eq (store_fact_history (fx.store, s_collect_series, &series, &err), 0, "%s",
                  err.msg);
    cr_expect_eq (series.n, 3);
    cr_expect_str_eq (series.text, "forecast.expected_arr=100@2026-11-23/w8;"
                                   "forecast.target=400@2026-11-23/w8;"
                                   "forecast.expected_arr=150@2026-11-30/w9;");
    /*  It survives a reopen. */
    store_destroy (&fx.store);
    s_open (&fx);
    series = (s_series_t){.n = 0};
    cr_assert_eq (store_fact_history (fx.store, s_collect_series, &series, &err), 0);
    cr_expect_eq (series.n, 3);
    s_teardown (&fx);
}

static Campaign__TaskInput *
s_assemble (store_t *store, const char *const *ids, size_t n, uint32_t batches)
{
    Campaign__TaskInput recipe = CAMPAIGN__TASK_INPUT__INIT;
    recipe.activity = "opportunity identification";
    recipe.args = "scan";
    recipe.has_batch = recipe.has_batches = 1;
    recipe.batch = 1;
    recipe.batches = batches;
    recipe.account_ids = (char **)ids;
    recipe.n_account_ids = n;
    uint8_t packed[512];
    cr_assert_lt (campaign__task_input__get_packed_size (&recipe), sizeof packed);
    size_t size = campaign__task_input__pack (&recipe, packed);
    uint8_t *input = NULL;
    size_t input_size = 0;
    err_t err;
    cr_assert_eq (store_task_input (store, packed, size, &input, &input_size, &err), 0, "%s",
                  err.msg);
    Campaign__TaskInput *out = campaign__task_input__unpack (NULL, input_size, input);
    free (input);
    cr_assert_not_null (out, "the assembled input is a valid TaskInput");
    return out;
}

/*  A per-account task's input is assembled from its recipe and the store: only the
    recipe's accounts (a neighbour in the id range is left out, an account gone since is
    dropped), each kind of record in account order, the roster and targets whole, and the
    facts only for a task of one batch. */
Test (store, task_input_is_assembled_from_the_store)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    cr_assert_eq (store_begin (fx.store, &err), 0);
    s_portfolio_t portfolio;
    s_portfolio (&portfolio, "A", 6); /* A1 .. A6 */
    cr_assert_eq (store_replace_accounts (fx.store, &portfolio.import, &err), 0, "%s", err.msg);
    const char *scored[] = {"A2", "A3", "A4"};
    for (size_t i = 0; i < 3; i++) {
        Campaign__AccountHealth health = CAMPAIGN__ACCOUNT_HEALTH__INIT;
        health.account_id = (char *)scored[i];
        health.has_score = 1;
        health.score = 50 + (double)i;
        health.band = "healthy";
        cr_assert_eq (store_health_put (fx.store, &health, 1, &err), 0, "%s", err.msg);
    }
    const char *noted[][2] = {{"A3", "first"}, {"A4", "other"}, {"A3", "second"}};
    for (size_t i = 0; i < 3; i++) {
        Campaign__Note note = CAMPAIGN__NOTE__INIT;
        note.account_id = (char *)noted[i][0];
        note.text = (char *)noted[i][1];
        cr_assert_eq (store_note_add (fx.store, &note, "P001", "2026-10-05", &err), 0, "%s",
                      err.msg);
    }
    const char *opportunities[][3] = {
        {"A5-geo", "A5", "geo"}, {"A3-tier", "A3", "tier"}, {"A3-seat", "A3", "seat"}};
    for (size_t i = 0; i < 3; i++) {
        Campaign__Opportunity opportunity = CAMPAIGN__OPPORTUNITY__INIT;
        opportunity.opportunity_id = (char *)opportunities[i][0];
        opportunity.account_id = (char *)opportunities[i][1];
        opportunity.type = (char *)opportunities[i][2];
        opportunity.stage = "identified";
        cr_assert_eq (store_opportunity_put (fx.store, &opportunity, NULL, 0, &err), 0, "%s",
                      err.msg);
    }
    Campaign__HistoryRecord past[2] = {CAMPAIGN__HISTORY_RECORD__INIT,
                                       CAMPAIGN__HISTORY_RECORD__INIT};
    past[0].account_id = "A1";
    past[1].account_id = "A3";
    past[1].outcome = "won";
    Campaign__HistoryRecord *past_pointers[] = {&past[0], &past[1]};
    Campaign__ImportHistory history = CAMPAIGN__IMPORT_HISTORY__INIT;
    history.records = past_pointers;
    history.n_records = 2;
    cr_assert_eq (store_replace_history (fx.store, &history, &err), 0, "%s", err.msg);
    Campaign__Person people[2] = {CAMPAIGN__PERSON__INIT, CAMPAIGN__PERSON__INIT};
    people[0].person_id = "P001";
    people[0].role = "csm";
    people[1].person_id = "P002";
    people[1].role = "ae";
    Campaign__Person *people_pointers[] = {&people[0], &people[1]};
    Campaign__ImportRoster roster = CAMPAIGN__IMPORT_ROSTER__INIT;
    roster.people = people_pointers;
    roster.n_people = 2;
    cr_assert_eq (store_replace_people (fx.store, &roster, &err), 0, "%s", err.msg);
    Campaign__Targets targets = CAMPAIGN__TARGETS__INIT;
    targets.has_arr_goal = 1;
    targets.arr_goal = 400000;
    uint8_t targets_packed[64];
    size_t targets_size = campaign__targets__pack (&targets, targets_packed);
    cr_assert_eq (store_meta_set_blob (fx.store, "targets", targets_packed, targets_size, &err),
                  0);
    cr_assert_eq (store_fact_set (fx.store, "segment.target", "enterprise", 35, "T1", 1, &err),
                  0);
    cr_assert_eq (store_commit (fx.store, &err), 0, "%s", err.msg);

    /*  Batch 1 of 2: A2, A3, A5 and A9 (never imported). */
    const char *batch[] = {"A2", "A3", "A5", "A9"};
    Campaign__TaskInput *in = s_assemble (fx.store, batch, 4, 2);
    cr_assert_str_eq (in->activity, "opportunity identification");
    cr_assert_str_eq (in->args, "scan");
    cr_assert (in->has_batch && in->batch == 1 && in->batches == 2);
    cr_assert_eq (in->n_account_ids, 3, "A9 is not in the portfolio");
    cr_assert_eq (in->n_accounts, 3);
    const char *kept[] = {"A2", "A3", "A5"};
    for (size_t i = 0; i < 3; i++) {
        cr_expect_str_eq (in->account_ids[i], kept[i]);
        cr_expect_str_eq (in->accounts[i]->account_id, kept[i]);
        cr_expect_str_eq (in->accounts[i]->csm, "P001");
    }
    cr_assert_eq (in->n_health, 2, "A4 is in the range, not in the batch");
    cr_expect_str_eq (in->health[0]->account_id, "A2");
    cr_expect_str_eq (in->health[1]->account_id, "A3");
    cr_expect_float_eq (in->health[1]->score, 51, 1e-9);
    cr_assert_eq (in->n_notes, 2);
    cr_expect_str_eq (in->notes[0]->text, "first", "notes in the order they came");
    cr_expect_str_eq (in->notes[1]->text, "second");
    cr_assert_eq (in->n_opportunities, 3);
    cr_expect_str_eq (in->opportunities[0]->opportunity_id, "A3-seat");
    cr_expect_str_eq (in->opportunities[1]->opportunity_id, "A3-tier");
    cr_expect_str_eq (in->opportunities[2]->opportunity_id, "A5-geo");
    cr_assert_eq (in->n_history, 1, "A1's history is outside the batch");
    cr_expect_str_eq (in->history[0]->outcome, "won");
    cr_assert_eq (in->n_people, 2);
    cr_expect_str_eq (in->people[1]->role, "ae");
    cr_assert_not_null (in->targets);
    cr_expect_float_eq (in->targets->arr_goal, 400000, 1e-9);
    cr_expect_eq (in->n_facts, 0, "facts go to whole-portfolio tasks only");
    campaign__task_input__free_unpacked (in, NULL);

    /*  One batch: the whole campaign's facts too. */
    const char *all[] = {"A1", "A2", "A3", "A4", "A5", "A6"};
    in = s_assemble (fx.store, all, 6, 1);
    cr_expect_eq (in->n_accounts, 6);
    cr_expect_eq (in->n_health, 3);
    cr_expect_eq (in->n_history, 2);
    cr_assert_eq (in->n_facts, 1);
    cr_expect_str_eq (in->facts[0]->name, "segment.target");
    cr_expect_str_eq (in->facts[0]->text, "enterprise");
    campaign__task_input__free_unpacked (in, NULL);

    /*  A3 re-imported away: its health, notes, opportunities and history stay in the
        store, and stay out of the input with it. */
    s_portfolio_t fewer;
    s_portfolio (&fewer, "A", 6);
    fewer.pointers[2] = fewer.pointers[5]; /* A1 A2 A6 A4 A5 */
    fewer.import.n_accounts = 5;
    cr_assert_eq (store_begin (fx.store, &err), 0);
    cr_assert_eq (store_replace_accounts (fx.store, &fewer.import, &err), 0, "%s", err.msg);
    cr_assert_eq (store_commit (fx.store, &err), 0);
    in = s_assemble (fx.store, batch, 4, 2);
    cr_expect_eq (in->n_account_ids, 2);
    cr_expect_eq (in->n_accounts, 2);
    cr_assert_eq (in->n_health, 1);
    cr_expect_str_eq (in->health[0]->account_id, "A2");
    cr_expect_eq (in->n_notes, 0);
    cr_assert_eq (in->n_opportunities, 1);
    cr_expect_str_eq (in->opportunities[0]->opportunity_id, "A5-geo");
    cr_expect_eq (in->n_history, 0);
    campaign__task_input__free_unpacked (in, NULL);

    /*  A recipe that is not one: refused, nothing assembled. */
    uint8_t *out = NULL;
    size_t out_size = 0;
    cr_expect_eq (
        store_task_input (fx.store, (const uint8_t *)"\xff\xff", 2, &out, &out_size, &err),
        ERR_INVALID);
    Campaign__TaskInput unsorted = CAMPAIGN__TASK_INPUT__INIT;
    char *backwards[] = {"A3", "A2"};
    unsorted.account_ids = backwards;
    unsorted.n_account_ids = 2;
    uint8_t packed[64];
    size_t size = campaign__task_input__pack (&unsorted, packed);
    cr_expect_eq (store_task_input (fx.store, packed, size, &out, &out_size, &err),
                  ERR_INVALID);
    cr_expect (strstr (err.msg, "sorted"), "%s", err.msg);
    cr_expect_null (out);
    s_teardown (&fx);
}

/*  A store written before task recipes (and before the audit trail): opening it adds the
    missing columns, and its queued task keeps its whole input, not taken for a recipe. */
Test (store, an_older_store_is_migrated)
{
    s_fixture_t fx;
    s_setup (&fx);
    store_destroy (&fx.store);
    cr_assert_eq (remove (fx.path), 0);
    sqlite3 *db = NULL;
    cr_assert_eq (sqlite3_open (fx.path, &db), SQLITE_OK);
    cr_assert_eq (
        sqlite3_exec (db,
                      "CREATE TABLE journal (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                      "  message_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
                      "  sender TEXT, person TEXT, received_ms INTEGER NOT NULL,"
                      "  campaign_date TEXT, body BLOB, detail TEXT);"
                      "CREATE TABLE tasks (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                      "  agent_kind TEXT NOT NULL, name TEXT NOT NULL, payload BLOB,"
                      "  state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
                      "  not_before_ms INTEGER NOT NULL DEFAULT 0,"
                      "  created_ms INTEGER NOT NULL, campaign_date TEXT,"
                      "  result BLOB, summary TEXT, error TEXT, done_by TEXT,"
                      "  finished_ms INTEGER);"
                      "INSERT INTO tasks (agent_kind, name, payload, state, created_ms)"
                      "  VALUES ('k', 'n', 'pay', 'queued', 1);",
                      NULL, NULL, NULL),
        SQLITE_OK, "%s", sqlite3_errmsg (db));
    sqlite3_close (db);
    s_open (&fx);
    s_tasks_t all = {0};
    err_t err;
    cr_assert_eq (store_tasks_scan (fx.store, "queued", s_task_cb, &all, &err), 0, "%s",
                  err.msg);
    cr_assert_eq (all.n, 1);
    cr_expect_eq (all.payload_size[0], 3);
    cr_expect_not (all.assemble[0], "an old task carries its whole input");
    int64_t id = 0;
    cr_assert_eq (store_begin (fx.store, &err), 0);
    cr_expect_eq (store_task_insert (fx.store, "k", "n", (const uint8_t *)"pay", 3, true, 2,
                                     NULL, &id, &err),
                  0, "%s", err.msg);
    cr_assert_eq (store_commit (fx.store, &err), 0);
    s_teardown (&fx);
}

/*  An additive fact's parts: added up within a run, a retried batch replacing its own
    part, another run (next week's) counted apart. */
Test (store, fact_parts_add_up_per_run)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    double sum = -1;
    cr_assert_eq (store_begin (fx.store, &err), 0);
    cr_expect_eq (store_fact_part (fx.store, "scan.accounts", "scan@1", "T1", 100, &sum, &err),
                  0, "%s", err.msg);
    cr_expect_float_eq (sum, 100, 1e-9);
    cr_expect_eq (store_fact_part (fx.store, "scan.accounts", "scan@1", "T2", 100, &sum, &err),
                  0);
    cr_expect_float_eq (sum, 200, 1e-9);
    cr_expect_eq (store_fact_part (fx.store, "scan.accounts", "scan@1", "T2", 40, &sum, &err),
                  0);
    cr_expect_float_eq (sum, 140, 1e-9, "T2 again replaces its part");
    cr_expect_eq (store_fact_part (fx.store, "scan.accounts", "scan@9", "T7", 5, &sum, &err),
                  0);
    cr_expect_float_eq (sum, 5, 1e-9, "another run starts from nothing");
    cr_expect_eq (store_fact_part (fx.store, "scan.arr", "scan@1", "T1", 7.5, &sum, &err), 0);
    cr_expect_float_eq (sum, 7.5, 1e-9, "another fact of the same run");
    cr_assert_eq (store_commit (fx.store, &err), 0);
    s_teardown (&fx);
}
