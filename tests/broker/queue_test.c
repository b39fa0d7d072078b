/*  queue_test.c: the task queue (broker/queue.h) over a real store in a temp dir.

    Proves the life of a task (queued, leased, done), that a duplicate result is applied
    once, that retries wait out an exponential back-off with +-25% jitter and stop at
    max_attempts, that a non-retryable failure is dead at once, that lost leases (by
    owner, by deadline) go back to the queue and nothing else does, that the counts
    follow every step, that a reload or a restart voids leases but keeps attempts, and
    that each agent kind has its own FIFO. Every call that writes runs inside a store
    transaction, as in the broker; time is always an explicit now_ms.
*/
#include "queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

TS_SUITE (queue);

#define KIND_A "customer-health-scorer"
#define KIND_B "retrospective-analyzer"

typedef struct {
    char *dir;
    char *path;
    store_t *store;
    queue_t *queue;
    queue_options_t options;
} s_fixture_t;

static const queue_options_t s_default_options = {
    .max_attempts = 3,
    .lease_ms = 60000,
    .retry_base_ms = 1000,
    .retry_max_ms = 60000,
    .jitter_seed = 7,
};

static void
s_queue_new (s_fixture_t *fx)
{
    err_t err;
    err_clear (&err);
    cr_assert_eq (queue_new (fx->store, &fx->options, &fx->queue, &err), 0, "%s", err.msg);
    cr_assert_not_null (fx->queue);
}

static void
s_setup_with (s_fixture_t *fx, const queue_options_t *options)
{
    fx->dir = ts_tempdir ();
    cr_assert_not_null (fx->dir);
    cr_assert_gt (asprintf (&fx->path, "%s/campaign.db", fx->dir), 0);
    err_t err;
    cr_assert_eq (store_open (fx->path, &fx->store, &err), 0, "%s", err.msg);
    fx->options = *options;
    fx->queue = NULL;
    s_queue_new (fx);
}

static void
s_setup (s_fixture_t *fx)
{
    s_setup_with (fx, &s_default_options);
}

static void
s_teardown (s_fixture_t *fx)
{
    queue_destroy (&fx->queue);
    cr_assert_null (fx->queue);
    store_destroy (&fx->store);
    free (fx->path);
    ts_tempdir_remove (&fx->dir);
}

static void
s_begin (s_fixture_t *fx)
{
    err_t err;
    cr_assert_eq (store_begin (fx->store, &err), 0, "%s", err.msg);
}

static void
s_commit (s_fixture_t *fx)
{
    err_t err;
    cr_assert_eq (store_commit (fx->store, &err), 0, "%s", err.msg);
}

static task_t *
s_add (s_fixture_t *fx, const char *kind, const char *name, int64_t now_ms)
{
    task_t *task = NULL;
    err_t err;
    cr_assert_eq (queue_add (fx->queue, kind, name, (const uint8_t *)"in", 2, false, now_ms,
                             "2025-03-03", &task, &err),
                  0, "%s", err.msg);
    cr_assert_not_null (task);
    return task;
}

static void
s_lease (s_fixture_t *fx, task_t *task, const char *owner, int64_t now_ms)
{
    err_t err;
    cr_assert_eq (queue_lease (fx->queue, task, owner, now_ms, &err), 0, "%s", err.msg);
}

static void
s_expect_counts (s_fixture_t *fx, uint64_t queued, uint64_t leased, uint64_t done,
                 uint64_t failed, uint64_t dead)
{
    Campaign__TaskCounts counts;
    queue_counts (fx->queue, &counts);
    cr_assert (counts.has_queued && counts.has_leased && counts.has_done && counts.has_failed &&
               counts.has_dead);
    cr_assert (counts.queued == queued && counts.leased == leased && counts.done == done &&
                   counts.failed == failed && counts.dead == dead,
               "counts: queued %llu leased %llu done %llu failed %llu dead %llu, "
               "expected %llu %llu %llu %llu %llu",
               (unsigned long long)counts.queued, (unsigned long long)counts.leased,
               (unsigned long long)counts.done, (unsigned long long)counts.failed,
               (unsigned long long)counts.dead, (unsigned long long)queued,
               (unsigned long long)leased, (unsigned long long)done, (unsigned long long)failed,
               (unsigned long long)dead);
}

static int64_t
s_stored (s_fixture_t *fx, const char *state)
{
    int64_t count = -1;
    err_t err;
    cr_assert_eq (store_task_count (fx->store, state, &count, &err), 0, "%s", err.msg);
    return count;
}

typedef struct {
    int64_t id;
    bool found;
    store_task_t row;
    char state[8];
    char error[64];
} s_row_t;

static void
s_row_cb (void *arg, const store_task_t *task)
{
    s_row_t *row = arg;
    if (task->id != row->id)
        return;
    row->found = true;
    row->row = *task;
    snprintf (row->state, sizeof row->state, "%s", task->state);
    snprintf (row->error, sizeof row->error, "%s", task->last_error ? task->last_error : "");
    row->row.state = row->state;
    row->row.last_error = row->error;
    row->row.agent_kind = row->row.name = NULL;
    row->row.payload = NULL;
}

/*  The stored row of task id. */
static s_row_t
s_row (s_fixture_t *fx, int64_t id)
{
    s_row_t row = {.id = id};
    err_t err;
    cr_assert_eq (store_tasks_scan (fx->store, NULL, s_row_cb, &row, &err), 0, "%s", err.msg);
    cr_assert (row.found, "task %lld not stored", (long long)id);
    return row;
}

Test (queue, add_next_lease_complete)
{
    s_fixture_t fx;
    s_setup (&fx);
    s_expect_counts (&fx, 0, 0, 0, 0, 0);
    cr_assert_null (queue_next (fx.queue, KIND_A, 1000));

    s_begin (&fx);
    task_t *task = s_add (&fx, KIND_A, "health.portfolio", 1000);
    s_commit (&fx);
    cr_assert_gt (task->id, 0);
    char id[24];
    snprintf (id, sizeof id, "T%lld", (long long)task->id);
    cr_assert_str_eq (task->id_text, id);
    cr_assert_str_eq (task->agent_kind, KIND_A);
    cr_assert_str_eq (task->name, "health.portfolio");
    cr_assert_eq (task->payload_size, 2);
    cr_assert_arr_eq (task->payload, "in", 2);
    cr_assert_eq (task->state, TASK_QUEUED);
    cr_assert_eq (task->attempts, 0);
    cr_assert_eq (queue_find (fx.queue, id), task);
    s_expect_counts (&fx, 1, 0, 0, 0, 0);
    cr_assert_eq (s_stored (&fx, "queued"), 1);

    cr_assert_eq (queue_next (fx.queue, KIND_A, 1000), task);
    cr_assert_null (queue_next (fx.queue, KIND_B, 1000));
    cr_assert_null (queue_next (fx.queue, "no-such-kind", 1000));

    s_begin (&fx);
    s_lease (&fx, task, "agent-key-1", 1500);
    s_commit (&fx);
    cr_assert_eq (task->state, TASK_LEASED);
    cr_assert_eq (task->attempts, 1);
    cr_assert_str_eq (task->lease_owner, "agent-key-1");
    cr_assert_eq (task->lease_expires_ms, 1500 + fx.options.lease_ms);
    cr_assert_null (queue_next (fx.queue, KIND_A, 1500), "a leased task is not offered");
    s_expect_counts (&fx, 0, 1, 0, 0, 0);
    cr_assert_eq (s_row (&fx, task->id).row.attempts, 1);

    s_begin (&fx);
    err_t err;
    cr_assert_eq (queue_complete (fx.queue, id, (const uint8_t *)"out", 3, "42 accounts scored",
                                  "customer-health-scorer/1", 2000, &err),
                  0, "%s", err.msg);
    s_commit (&fx);
    cr_assert_null (queue_find (fx.queue, id));
    cr_assert_null (queue_next (fx.queue, KIND_A, 2000));
    s_expect_counts (&fx, 0, 0, 1, 0, 0);
    cr_assert_eq (s_stored (&fx, "queued"), 0);
    cr_assert_eq (s_stored (&fx, "done"), 1);
    s_row_t row = s_row (&fx, (int64_t)strtoll (id + 1, NULL, 10));
    cr_assert_str_eq (row.state, "done");
    cr_assert_eq (row.row.attempts, 1);
    s_teardown (&fx);
}

Test (queue, complete_twice_is_applied_once)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    s_begin (&fx);
    task_t *task = s_add (&fx, KIND_A, "health.portfolio", 1000);
    char id[24];
    snprintf (id, sizeof id, "%s", task->id_text);
    s_lease (&fx, task, "agent-key-1", 1000);
    cr_assert_eq (queue_complete (fx.queue, id, NULL, 0, "first", "a/1", 2000, &err), 0);
    err_clear (&err);
    cr_assert_eq (queue_complete (fx.queue, id, NULL, 0, "second", "a/1", 2001, &err),
                  ERR_STATE, "%s", err.msg);
    cr_assert_neq (err.msg[0], '\0');
    bool dead = true;
    cr_assert_eq (queue_fail (fx.queue, id, "late", true, 2002, &dead, &err), ERR_STATE);
    cr_assert (dead, "*dead written on failure");
    s_commit (&fx);
    s_expect_counts (&fx, 0, 0, 1, 0, 0);
    cr_assert_eq (s_stored (&fx, "done"), 1);

    /*  After a restart the duplicate is still recognised as one. */
    queue_destroy (&fx.queue);
    s_queue_new (&fx);
    s_expect_counts (&fx, 0, 0, 1, 0, 0);
    s_begin (&fx);
    cr_assert_eq (queue_complete (fx.queue, id, NULL, 0, "third", "a/1", 4000, &err),
                  ERR_STATE);
    s_commit (&fx);
    s_expect_counts (&fx, 0, 0, 1, 0, 0);
    s_teardown (&fx);
}

Test (queue, unknown_id_is_not_found)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    s_begin (&fx);
    task_t *task = s_add (&fx, KIND_A, "health.portfolio", 1000);
    cr_assert_eq (task->id, 1);
    static const char *const bad[] = {"T999", "T2", "", "T", "X1", "1", "T0", "T-1", "T1x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_clear (&err);
        cr_assert_eq (queue_complete (fx.queue, bad[i], NULL, 0, NULL, "a/1", 2000, &err),
                      ERR_NOTFOUND, "complete '%s': %s", bad[i], err.msg);
        bool dead = false;
        cr_assert_eq (queue_fail (fx.queue, bad[i], "x", true, 2000, &dead, &err), ERR_NOTFOUND,
                      "fail '%s'", bad[i]);
        cr_assert_null (queue_find (fx.queue, bad[i]));
    }
    s_commit (&fx);
    s_expect_counts (&fx, 1, 0, 0, 0, 0);
    s_teardown (&fx);
}

Test (queue, retryable_failure_backs_off)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    s_begin (&fx);
    task_t *task = s_add (&fx, KIND_A, "health.portfolio", 0);
    char id[24];
    snprintf (id, sizeof id, "%s", task->id_text);
    int64_t now = 10000;
    for (uint32_t attempt = 1; attempt < fx.options.max_attempts; attempt++) {
        cr_assert_eq (queue_next (fx.queue, KIND_A, now), task);
        s_lease (&fx, task, "agent-key-1", now);
        cr_assert_eq (task->attempts, attempt);
        bool dead = true;
        cr_assert_eq (
            queue_fail (fx.queue, id, "timeout talking to CRM", true, now, &dead, &err), 0,
            "%s", err.msg);
        cr_assert_not (dead);
        cr_assert_eq (queue_find (fx.queue, id), task, "a retry keeps the task");
        cr_assert_eq (task->state, TASK_QUEUED);
        cr_assert (task->failed_before);
        cr_assert_null (task->lease_owner);

        int64_t base = fx.options.retry_base_ms << (attempt - 1);
        int64_t delay = task->not_before_ms - now;
        cr_assert (delay >= base - base / 4 && delay <= base + base / 4,
                   "attempt %u: delay %lld outside %lld +-25%%", attempt, (long long)delay,
                   (long long)base);
        cr_assert_null (queue_next (fx.queue, KIND_A, now));
        cr_assert_null (queue_next (fx.queue, KIND_A, task->not_before_ms - 1));
        s_expect_counts (&fx, 0, 0, 0, 1, 0);

        s_row_t row = s_row (&fx, task->id);
        cr_assert_str_eq (row.state, "queued");
        cr_assert_eq (row.row.attempts, attempt);
        cr_assert_eq (row.row.not_before_ms, task->not_before_ms);
        cr_assert_str_eq (row.error, "timeout talking to CRM");

        /*  Due now, but still a retry until it is leased again. */
        now = task->not_before_ms;
        s_expect_counts (&fx, 0, 0, 0, 1, 0);
    }

    /*  The last attempt: retryable or not, it is dead now. */
    cr_assert_eq (queue_next (fx.queue, KIND_A, now), task);
    s_lease (&fx, task, "agent-key-1", now);
    cr_assert_eq (task->attempts, fx.options.max_attempts);
    bool dead = false;
    cr_assert_eq (queue_fail (fx.queue, id, "still timing out", true, now, &dead, &err), 0);
    cr_assert (dead);
    cr_assert_null (queue_find (fx.queue, id));
    cr_assert_null (queue_next (fx.queue, KIND_A, now + 1000000));
    s_commit (&fx);
    s_expect_counts (&fx, 0, 0, 0, 0, 1);
    cr_assert_eq (s_stored (&fx, "dead"), 1);
    s_row_t row = s_row (&fx, 1);
    cr_assert_str_eq (row.error, "still timing out");
    cr_assert_eq (row.row.attempts, fx.options.max_attempts);
    s_teardown (&fx);
}

Test (queue, backoff_jitter_and_cap)
{
    /*  Many tasks, attempts 1..6, base 1000 capped at 4000: every delay within +-25% of
        min(base * 2^(attempt-1), max), and the jitter actually varies. */
    queue_options_t options = s_default_options;
    options.max_attempts = 10;
    options.retry_max_ms = 4000;
    s_fixture_t fx;
    s_setup_with (&fx, &options);
    err_t err;
    s_begin (&fx);
    enum { N = 40 };
    task_t *tasks[N];
    for (int i = 0; i < N; i++)
        tasks[i] = s_add (&fx, KIND_A, "health.portfolio", 0);
    for (uint32_t attempt = 1; attempt <= 6; attempt++) {
        int64_t base = options.retry_base_ms << (attempt - 1);
        if (base > options.retry_max_ms)
            base = options.retry_max_ms;
        int64_t low = base, high = base;
        int64_t now = 1000000 * attempt;
        for (int i = 0; i < N; i++) {
            s_lease (&fx, tasks[i], "agent-key-1", now);
            cr_assert_eq (tasks[i]->attempts, attempt);
            char id[24];
            snprintf (id, sizeof id, "%s", tasks[i]->id_text);
            bool dead = true;
            cr_assert_eq (queue_fail (fx.queue, id, "busy", true, now, &dead, &err), 0);
            cr_assert_not (dead);
            int64_t delay = tasks[i]->not_before_ms - now;
            cr_assert (delay >= base - base / 4 && delay <= base + base / 4,
                       "attempt %u: delay %lld outside %lld +-25%%", attempt, (long long)delay,
                       (long long)base);
            if (delay < low)
                low = delay;
            if (delay > high)
                high = delay;
        }
        cr_assert (low < base && high > base, "attempt %u: no jitter (%lld..%lld)", attempt,
                   (long long)low, (long long)high);
    }
    s_commit (&fx);
    s_teardown (&fx);
}

Test (queue, non_retryable_failure_is_dead)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    s_begin (&fx);
    task_t *task = s_add (&fx, KIND_A, "health.portfolio", 1000);
    task_t *other = s_add (&fx, KIND_A, "health.bands", 1000);
    char id[24];
    snprintf (id, sizeof id, "%s", task->id_text);
    s_lease (&fx, task, "agent-key-1", 1000);
    bool dead = false;
    cr_assert_eq (
        queue_fail (fx.queue, id, "payload is not a portfolio", false, 1100, &dead, &err), 0,
        "%s", err.msg);
    cr_assert (dead);
    cr_assert_null (queue_find (fx.queue, id));
    cr_assert_eq (queue_next (fx.queue, KIND_A, 1100), other);
    s_commit (&fx);
    s_expect_counts (&fx, 1, 0, 0, 0, 1);
    cr_assert_eq (s_stored (&fx, "dead"), 1);
    s_row_t row = s_row (&fx, 1);
    cr_assert_str_eq (row.state, "dead");
    cr_assert_str_eq (row.error, "payload is not a portfolio");
    cr_assert_eq (row.row.attempts, 1);

    /*  dead may be NULL. */
    s_begin (&fx);
    s_lease (&fx, other, "agent-key-1", 1200);
    cr_assert_eq (queue_fail (fx.queue, "T2", "no", false, 1200, NULL, &err), 0);
    s_commit (&fx);
    s_expect_counts (&fx, 0, 0, 0, 0, 2);
    s_teardown (&fx);
}

Test (queue, lost_leases_stop_at_max_attempts)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    s_begin (&fx);
    task_t *task = s_add (&fx, KIND_A, "health.portfolio", 0);
    int64_t now = 1000;
    for (uint32_t attempt = 1; attempt < fx.options.max_attempts; attempt++) {
        s_lease (&fx, task, "agent-key-1", now);
        now += fx.options.lease_ms + 1;
        cr_assert_eq (queue_expire (fx.queue, now, &err), 1);
        /*  A lost lease is no failure of the task: back at once, not after a back-off. */
        cr_assert_eq (task->state, TASK_QUEUED);
        cr_assert_eq (task->attempts, attempt);
        cr_assert_eq (queue_next (fx.queue, KIND_A, now), task);
        s_expect_counts (&fx, 1, 0, 0, 0, 0);
    }
    s_lease (&fx, task, "agent-key-1", now);
    now += fx.options.lease_ms + 1;
    cr_assert_eq (queue_expire (fx.queue, now, &err), 1);
    cr_assert_null (queue_find (fx.queue, "T1"));
    s_commit (&fx);
    s_expect_counts (&fx, 0, 0, 0, 0, 1);
    s_row_t row = s_row (&fx, 1);
    cr_assert_str_eq (row.state, "dead");
    cr_assert_eq (row.row.attempts, fx.options.max_attempts);
    cr_assert_str_eq (row.error, "lease expired");
    s_teardown (&fx);
}

Test (queue, release_owner_releases_only_that_owner)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    s_begin (&fx);
    task_t *t1 = s_add (&fx, KIND_A, "n1", 1000);
    task_t *t2 = s_add (&fx, KIND_A, "n2", 1000);
    task_t *t3 = s_add (&fx, KIND_A, "n3", 1000);
    task_t *t4 = s_add (&fx, KIND_B, "n4", 1000);
    task_t *t5 = s_add (&fx, KIND_A, "n5", 1000);
    s_lease (&fx, t1, "owner-a", 1000);
    s_lease (&fx, t2, "owner-b", 1000);
    s_lease (&fx, t3, "owner-a", 1000);
    s_lease (&fx, t4, "owner-a", 1000);
    s_expect_counts (&fx, 1, 4, 0, 0, 0);

    cr_assert_eq (queue_release_owner (fx.queue, "nobody", "agent lost", 2000, &err), 0);
    cr_assert_eq (queue_release_owner (fx.queue, "owner", "agent lost", 2000, &err), 0,
                  "a prefix is not the owner");
    cr_assert_eq (queue_release_owner (fx.queue, "owner-a", "agent lost", 2000, &err), 3);
    s_expect_counts (&fx, 4, 1, 0, 0, 0);
    cr_assert_eq (t1->state, TASK_QUEUED);
    cr_assert_eq (t3->state, TASK_QUEUED);
    cr_assert_eq (t4->state, TASK_QUEUED);
    cr_assert_null (t1->lease_owner);
    cr_assert_eq (t1->attempts, 1, "the attempt is counted");
    cr_assert_eq (t2->state, TASK_LEASED);
    cr_assert_str_eq (t2->lease_owner, "owner-b");
    /*  Released tasks are available at once. */
    cr_assert_eq (queue_next (fx.queue, KIND_B, 2000), t4);
    task_t *next = queue_next (fx.queue, KIND_A, 2000);
    cr_assert (next == t1 || next == t3 || next == t5);

    cr_assert_eq (queue_release_owner (fx.queue, "owner-a", "agent lost", 2001, &err), 0,
                  "nothing left to release");
    /*  Releasing a task that is not leased changes nothing. */
    cr_assert_eq (queue_release (fx.queue, t5, "x", 2002, &err), 0);
    cr_assert_eq (t5->state, TASK_QUEUED);
    cr_assert_eq (t5->attempts, 0);
    s_commit (&fx);
    s_expect_counts (&fx, 4, 1, 0, 0, 0);

    /*  The second lease of a released task is attempt 2. */
    s_begin (&fx);
    s_lease (&fx, t1, "owner-c", 3000);
    cr_assert_eq (t1->attempts, 2);
    s_commit (&fx);
    cr_assert_eq (s_row (&fx, t1->id).row.attempts, 2);
    s_teardown (&fx);
}

Test (queue, expire_releases_only_overdue_leases)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    int64_t lease = fx.options.lease_ms;
    s_begin (&fx);
    task_t *t1 = s_add (&fx, KIND_A, "n1", 0);
    task_t *t2 = s_add (&fx, KIND_A, "n2", 0);
    task_t *t3 = s_add (&fx, KIND_A, "n3", 0);
    s_lease (&fx, t1, "owner-a", 1000);
    s_lease (&fx, t2, "owner-b", 31000);
    s_lease (&fx, t3, "owner-a", 51000);

    cr_assert_eq (queue_expire (fx.queue, 1000 + lease - 1, &err), 0);
    s_expect_counts (&fx, 0, 3, 0, 0, 0);
    cr_assert_eq (queue_expire (fx.queue, 1000 + lease + 1, &err), 1);
    cr_assert_eq (t1->state, TASK_QUEUED);
    cr_assert_eq (t2->state, TASK_LEASED);
    cr_assert_eq (t3->state, TASK_LEASED);
    s_expect_counts (&fx, 1, 2, 0, 0, 0);
    cr_assert_eq (queue_next (fx.queue, KIND_A, 1000 + lease + 1), t1);

    /*  Both of the rest at once. */
    cr_assert_eq (queue_expire (fx.queue, 51000 + lease + 1, &err), 2);
    cr_assert_eq (t2->state, TASK_QUEUED);
    cr_assert_eq (t3->state, TASK_QUEUED);
    s_expect_counts (&fx, 3, 0, 0, 0, 0);
    cr_assert_eq (queue_expire (fx.queue, 1000000, &err), 0);
    s_commit (&fx);
    s_teardown (&fx);
}

Test (queue, late_result_after_lost_lease_is_applied_once)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    s_begin (&fx);
    task_t *task = s_add (&fx, KIND_A, "n1", 0);
    s_lease (&fx, task, "owner-a", 1000);
    cr_assert_eq (queue_expire (fx.queue, 1000 + fx.options.lease_ms + 1, &err), 1);
    /*  The slow agent's result still arrives: the work is valid, apply it. */
    cr_assert_eq (queue_complete (fx.queue, "T1", NULL, 0, "late", "a/1", 70000, &err), 0, "%s",
                  err.msg);
    cr_assert_null (queue_next (fx.queue, KIND_A, 70000), "a done task is not offered again");
    cr_assert_eq (queue_complete (fx.queue, "T1", NULL, 0, "dup", "a/1", 70001, &err),
                  ERR_STATE);
    s_commit (&fx);
    s_expect_counts (&fx, 0, 0, 1, 0, 0);
    s_teardown (&fx);
}

/*  Before a crash: T1 and T3 leased, T2 done, T4 failed once (waiting for its retry),
    T5 never leased. Then the broker is killed and restarted: a new store handle, a new
    queue. */
static int64_t
s_crash_and_restart (s_fixture_t *fx)
{
    err_t err;
    s_begin (fx);
    task_t *t1 = s_add (fx, KIND_A, "n1", 0);
    task_t *t2 = s_add (fx, KIND_A, "n2", 0);
    task_t *t3 = s_add (fx, KIND_B, "n3", 0);
    task_t *t4 = s_add (fx, KIND_A, "n4", 0);
    s_add (fx, KIND_A, "n5", 0);
    s_lease (fx, t1, "owner-a", 1000);
    s_lease (fx, t2, "owner-a", 1000);
    s_lease (fx, t3, "owner-b", 1000);
    s_lease (fx, t4, "owner-b", 1000);
    cr_assert_eq (queue_complete (fx->queue, "T2", NULL, 0, NULL, "a/1", 1500, &err), 0);
    bool dead = true;
    cr_assert_eq (queue_fail (fx->queue, "T4", "flaky", true, 1500, &dead, &err), 0);
    cr_assert_not (dead);
    int64_t t4_not_before = t4->not_before_ms;
    s_commit (fx);
    s_expect_counts (fx, 1, 2, 1, 1, 0);

    queue_destroy (&fx->queue);
    store_destroy (&fx->store);
    cr_assert_eq (store_open (fx->path, &fx->store, &err), 0, "%s", err.msg);
    s_queue_new (fx);
    return t4_not_before;
}

Test (queue, restart_voids_leases_and_keeps_attempts)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    int64_t t4_not_before = s_crash_and_restart (&fx);
    Campaign__TaskCounts counts;
    queue_counts (fx.queue, &counts);
    cr_assert_eq (counts.leased, 0, "a restart voids every lease");
    cr_assert_eq (counts.done, 1);
    cr_assert_eq (counts.dead, 0);
    cr_assert_eq (counts.queued + counts.failed, 4);

    task_t *r1 = queue_find (fx.queue, "T1");
    task_t *r3 = queue_find (fx.queue, "T3");
    task_t *r4 = queue_find (fx.queue, "T4");
    task_t *r5 = queue_find (fx.queue, "T5");
    cr_assert_null (queue_find (fx.queue, "T2"));
    cr_assert (r1 && r3 && r4 && r5);
    cr_assert_eq (r1->state, TASK_QUEUED);
    cr_assert_eq (r1->attempts, 1);
    cr_assert_null (r1->lease_owner);
    cr_assert_str_eq (r1->agent_kind, KIND_A);
    cr_assert_str_eq (r1->name, "n1");
    cr_assert_eq (r1->payload_size, 2);
    cr_assert_arr_eq (r1->payload, "in", 2);
    cr_assert_eq (r3->state, TASK_QUEUED);
    cr_assert_eq (r3->attempts, 1);
    cr_assert_eq (r4->attempts, 1);
    cr_assert (r4->failed_before);
    cr_assert_eq (r4->not_before_ms, t4_not_before, "the back-off survives the restart");
    cr_assert_eq (r5->attempts, 0);
    /*  In id order per kind; the retry still waits. */
    cr_assert_eq (queue_next (fx.queue, KIND_A, 1500), r1);
    cr_assert_eq (queue_next (fx.queue, KIND_B, 1500), r3);
    s_begin (&fx);
    s_lease (&fx, r1, "owner-c", 2000);
    cr_assert_eq (r1->attempts, 2);
    cr_assert_eq (queue_next (fx.queue, KIND_A, 2000), r5);
    s_lease (&fx, r5, "owner-c", 2000);
    cr_assert_null (queue_next (fx.queue, KIND_A, t4_not_before - 1));
    cr_assert_eq (queue_next (fx.queue, KIND_A, t4_not_before), r4);
    cr_assert_eq (queue_complete (fx.queue, "T2", NULL, 0, NULL, "a/1", 2000, &err), ERR_STATE);
    s_commit (&fx);
    s_teardown (&fx);
}

Test (queue, restart_counts_voided_leases_as_queued)
{
    /*  T1 and T3 never failed: their leases were voided by the restart. "failed" is
        for tasks waiting for a retry after a failed attempt (queue.h), so only T4 is
        failed; T1, T3 and T5 are queued -- as they would be had their agent been lost
        instead (queue_release). */
    s_fixture_t fx;
    s_setup (&fx);
    s_crash_and_restart (&fx);
    /*  Expectations, not assertions: a failure still cleans up. */
    Campaign__TaskCounts counts;
    queue_counts (fx.queue, &counts);
    cr_expect_eq (counts.queued, 3, "queued %llu (T1, T3, T5 expected)",
                  (unsigned long long)counts.queued);
    cr_expect_eq (counts.failed, 1, "failed %llu (only T4 failed an attempt)",
                  (unsigned long long)counts.failed);
    cr_expect_not (queue_find (fx.queue, "T1")->failed_before);
    cr_expect_not (queue_find (fx.queue, "T3")->failed_before);
    cr_expect (queue_find (fx.queue, "T4")->failed_before);
    err_t err;
    cr_assert_eq (queue_reload (fx.queue, &err), 0, "%s", err.msg);
    queue_counts (fx.queue, &counts);
    cr_expect (counts.queued == 3 && counts.failed == 1,
               "after queue_reload: queued %llu failed %llu", (unsigned long long)counts.queued,
               (unsigned long long)counts.failed);
    s_teardown (&fx);
}

Test (queue, reload_forgets_what_was_rolled_back)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    s_begin (&fx);
    task_t *t1 = s_add (&fx, KIND_A, "n1", 0);
    s_add (&fx, KIND_A, "n2", 0);
    s_commit (&fx);

    /*  A turn that changes everything, then its commit fails: roll back, reload. */
    s_begin (&fx);
    s_lease (&fx, t1, "owner-a", 1000);
    cr_assert_eq (queue_complete (fx.queue, "T2", NULL, 0, NULL, "a/1", 1000, &err), 0);
    s_add (&fx, KIND_A, "n3", 1000);
    s_add (&fx, KIND_B, "n4", 1000);
    store_rollback (fx.store);
    cr_assert_eq (queue_reload (fx.queue, &err), 0, "%s", err.msg);

    s_expect_counts (&fx, 2, 0, 0, 0, 0);
    task_t *r1 = queue_find (fx.queue, "T1");
    task_t *r2 = queue_find (fx.queue, "T2");
    cr_assert (r1 && r2);
    cr_assert_eq (r1->attempts, 0, "the rolled-back lease did not count");
    cr_assert_null (queue_find (fx.queue, "T3"));
    cr_assert_null (queue_find (fx.queue, "T4"));
    cr_assert_null (queue_next (fx.queue, KIND_B, 1000));
    cr_assert_eq (queue_next (fx.queue, KIND_A, 1000), r1);

    /*  And the queue goes on normally: new ids follow the stored ones. */
    s_begin (&fx);
    task_t *t3 = s_add (&fx, KIND_A, "n3", 2000);
    cr_assert_str_eq (t3->id_text, "T3");
    s_lease (&fx, r2, "owner-a", 2000);
    cr_assert_eq (queue_complete (fx.queue, "T2", NULL, 0, NULL, "a/1", 2000, &err), 0);
    s_commit (&fx);
    s_expect_counts (&fx, 2, 0, 1, 0, 0);
    s_teardown (&fx);
}

Test (queue, fifo_per_kind_and_kinds_independent)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    s_begin (&fx);
    task_t *a1 = s_add (&fx, KIND_A, "a1", 1000);
    task_t *b1 = s_add (&fx, KIND_B, "b1", 1001);
    task_t *a2 = s_add (&fx, KIND_A, "a2", 1002);
    task_t *b2 = s_add (&fx, KIND_B, "b2", 1003);
    task_t *a3 = s_add (&fx, KIND_A, "a3", 1004);

    cr_assert_eq (queue_next (fx.queue, KIND_A, 2000), a1);
    cr_assert_eq (queue_next (fx.queue, KIND_A, 2000), a1, "next does not take the task");
    s_lease (&fx, a1, "owner-a", 2000);
    cr_assert_eq (queue_next (fx.queue, KIND_B, 2000), b1, "kind B untouched by A's lease");
    cr_assert_eq (queue_next (fx.queue, KIND_A, 2000), a2);

    /*  A task waiting for its retry does not block the ones behind it. */
    s_lease (&fx, a2, "owner-a", 2000);
    bool dead = true;
    cr_assert_eq (queue_fail (fx.queue, a2->id_text, "flaky", true, 2000, &dead, &err), 0);
    cr_assert_eq (queue_next (fx.queue, KIND_A, 2000), a3);
    s_lease (&fx, a3, "owner-a", 2000);
    cr_assert_null (queue_next (fx.queue, KIND_A, 2000));
    cr_assert_eq (queue_next (fx.queue, KIND_A, a2->not_before_ms), a2);

    cr_assert_eq (queue_complete (fx.queue, b1->id_text, NULL, 0, NULL, "b/1", 2100, &err), 0);
    cr_assert_eq (queue_next (fx.queue, KIND_B, 2100), b2);
    cr_assert_eq (queue_complete (fx.queue, b2->id_text, NULL, 0, NULL, "b/1", 2100, &err), 0);
    cr_assert_null (queue_next (fx.queue, KIND_B, 2100));
    cr_assert_null (queue_next (fx.queue, KIND_A, 2100));
    s_commit (&fx);
    s_expect_counts (&fx, 0, 2, 2, 1, 0);
    s_teardown (&fx);
}

Test (queue, zero_max_attempts_means_one)
{
    queue_options_t options = s_default_options;
    options.max_attempts = 0;
    s_fixture_t fx;
    s_setup_with (&fx, &options);
    err_t err;
    s_begin (&fx);
    task_t *task = s_add (&fx, KIND_A, "n1", 0);
    s_lease (&fx, task, "owner-a", 1000);
    bool dead = false;
    cr_assert_eq (queue_fail (fx.queue, "T1", "x", true, 1000, &dead, &err), 0);
    cr_assert (dead);
    s_commit (&fx);
    s_teardown (&fx);
}
