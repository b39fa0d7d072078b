/*  queue.c: tasks, leases, retries and dead letters (see queue.h).

    Memory layout: every unfinished task is in `tasks` (by wire id); a queued task is
    also in its kind's FIFO list, a leased one in the `leased` list. The handles into
    those lists live in the task so moving a task between them is O(1).
*/
#include "queue.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    task_t public;
    void *handle; /* in its kind's queued list or in the leased list */
} s_task_t;

struct _queue_t {
    store_t *store;
    queue_options_t options;
    zhashx_t *tasks;   /* id_text -> s_task_t, owns them */
    zhashx_t *by_kind; /* agent_kind -> zlistx_t of s_task_t (queued, FIFO) */
    zlistx_t *leased;  /* s_task_t */
    uint64_t queued;   /* waiting for a first or a re-lease */
    uint64_t retrying; /* waiting after a failed attempt */
    uint64_t done;
    uint64_t dead;
    uint32_t rng;
};

static void
s_task_free (void **item)
{
    s_task_t *task = *item;
    if (task) {
        free (task->public.agent_kind);
        free (task->public.name);
        free (task->public.payload);
        free (task->public.lease_owner);
        free (task);
        *item = NULL;
    }
}

static void
s_list_free (void **item)
{
    zlistx_t *list = *item;
    zlistx_destroy (&list);
    *item = NULL;
}

static zlistx_t *
s_kind_list (queue_t *self, const char *kind)
{
    zlistx_t *list = zhashx_lookup (self->by_kind, kind);
    if (!list) {
        list = zlistx_new ();
        if (list)
            zhashx_insert (self->by_kind, kind, list);
    }
    return list;
}

static int
s_enqueue (queue_t *self, s_task_t *task)
{
    zlistx_t *list = s_kind_list (self, task->public.agent_kind);
    if (!list)
        return ERR_NOMEM;
    task->public.state = TASK_QUEUED;
    task->handle = zlistx_add_end (list, task);
    if (!task->handle)
        return ERR_NOMEM;
    if (task->public.failed_before)
        self->retrying++;
    else
        self->queued++;
    return 0;
}

static s_task_t *
s_task_new (int64_t id, const char *kind, const char *name, const uint8_t *payload, size_t size,
            bool assemble)
{
    s_task_t *task = calloc (1, sizeof *task);
    if (!task)
        return NULL;
    task->public.id = id;
    snprintf (task->public.id_text, sizeof task->public.id_text, "T%lld", (long long)id);
    task->public.agent_kind = strdup (kind);
    task->public.name = strdup (name);
    task->public.payload = malloc (size ? size : 1);
    if (!task->public.agent_kind || !task->public.name || !task->public.payload) {
        void *item = task;
        s_task_free (&item);
        return NULL;
    }
    if (size)
        memcpy (task->public.payload, payload, size);
    task->public.payload_size = size;
    task->public.assemble = assemble;
    return task;
}

typedef struct {
    queue_t *queue;
    int rc;
} s_load_t;

static void
s_load_task (void *arg, const store_task_t *row)
{
    s_load_t *load = arg;
    if (load->rc)
        return;
    s_task_t *task = s_task_new (row->id, row->agent_kind, row->name, row->payload,
                                 row->payload_size, row->assemble);
    if (!task) {
        load->rc = ERR_NOMEM;
        return;
    }
    task->public.attempts = row->attempts;
    task->public.not_before_ms = row->not_before_ms;
    task->public.created_ms = row->created_ms;
    /*  not_before is stored non-zero only while a back-off after a failure runs. */
    task->public.failed_before = row->not_before_ms > 0;
    zhashx_insert (load->queue->tasks, task->public.id_text, task);
    load->rc = s_enqueue (load->queue, task);
}

int
queue_reload (queue_t *self, err_t *err)
{
    zlistx_purge (self->leased);
    zhashx_purge (self->by_kind);
    zhashx_purge (self->tasks);
    self->queued = self->retrying = 0;
    s_load_t load = {self, 0};
    int64_t done = 0, dead = 0;
    int rc = store_tasks_scan (self->store, "queued", s_load_task, &load, err);
    if (!rc && load.rc)
        rc = err_set (err, load.rc, "out of memory loading tasks");
    if (!rc)
        rc = store_task_count (self->store, "done", &done, err);
    if (!rc)
        rc = store_task_count (self->store, "dead", &dead, err);
    self->done = (uint64_t)done;
    self->dead = (uint64_t)dead;
    return rc;
}

int
queue_new (store_t *store, const queue_options_t *options, queue_t **out, err_t *err)
{
    queue_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    self->store = store;
    self->options = *options;
    if (self->options.max_attempts == 0)
        self->options.max_attempts = 1;
    self->rng = options->jitter_seed ? options->jitter_seed : 0x9e3779b9u;
    self->tasks = zhashx_new ();
    self->by_kind = zhashx_new ();
    self->leased = zlistx_new ();
    if (!self->tasks || !self->by_kind || !self->leased) {
        queue_destroy (&self);
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    zhashx_set_destructor (self->tasks, s_task_free);
    zhashx_set_destructor (self->by_kind, s_list_free);
    int rc = queue_reload (self, err);
    if (rc)
        queue_destroy (&self);
    else
        *out = self;
    return rc;
}

void
queue_destroy (queue_t **self_p)
{
    if (self_p && *self_p) {
        queue_t *self = *self_p;
        zlistx_destroy (&self->leased);
        zhashx_destroy (&self->by_kind);
        zhashx_destroy (&self->tasks);
        free (self);
        *self_p = NULL;
    }
}

int
queue_add (queue_t *self, const char *agent_kind, const char *name, const uint8_t *payload,
           size_t size, bool assemble, int64_t now_ms, const char *campaign_date, task_t **out,
           err_t *err)
{
    int64_t id;
    int rc = store_task_insert (self->store, agent_kind, name, payload, size, assemble, now_ms,
                                campaign_date, &id, err);
    if (rc)
        return rc;
    s_task_t *task = s_task_new (id, agent_kind, name, payload, size, assemble);
    if (!task)
        return err_set (err, ERR_NOMEM, "out of memory");
    task->public.created_ms = now_ms;
    zhashx_insert (self->tasks, task->public.id_text, task);
    if ((rc = s_enqueue (self, task)))
        return err_set (err, rc, "out of memory");
    if (out)
        *out = &task->public;
    return 0;
}

task_t *
queue_next (queue_t *self, const char *agent_kind, int64_t now_ms)
{
    zlistx_t *list = zhashx_lookup (self->by_kind, agent_kind);
    if (!list)
        return NULL;
    for (s_task_t *task = zlistx_first (list); task; task = zlistx_next (list))
        if (task->public.not_before_ms <= now_ms)
            return &task->public;
    return NULL;
}

task_t *
queue_find (queue_t *self, const char *id_text)
{
    s_task_t *task = zhashx_lookup (self->tasks, id_text);
    return task ? &task->public : NULL;
}

/*  Take task out of whichever list holds it. */
static void
s_unlink (queue_t *self, s_task_t *task)
{
    if (!task->handle)
        return;
    if (task->public.state == TASK_LEASED)
        zlistx_detach (self->leased, task->handle);
    else {
        zlistx_t *list = zhashx_lookup (self->by_kind, task->public.agent_kind);
        if (list)
            zlistx_detach (list, task->handle);
        if (task->public.failed_before)
            self->retrying--;
        else
            self->queued--;
    }
    task->handle = NULL;
}

int
queue_lease (queue_t *self, task_t *public, const char *owner, int64_t now_ms, err_t *err)
{
    s_task_t *task = (s_task_t *)public;
    uint32_t attempts = public->attempts + 1;
    int rc = store_task_attempt (self->store, public->id, attempts, 0, NULL, err);
    if (rc)
        return rc;
    char *copy = strdup (owner);
    if (!copy)
        return err_set (err, ERR_NOMEM, "out of memory");
    s_unlink (self, task);
    free (public->lease_owner);
    public->lease_owner = copy;
    public->attempts = attempts;
    public->state = TASK_LEASED;
    public->lease_expires_ms = now_ms + self->options.lease_ms;
    task->handle = zlistx_add_end (self->leased, task);
    return task->handle ? 0 : err_set (err, ERR_NOMEM, "out of memory");
}

static int
s_lookup_live (queue_t *self, const char *id_text, s_task_t **task, err_t *err)
{
    *task = id_text ? zhashx_lookup (self->tasks, id_text) : NULL;
    if (*task)
        return 0;
    /*  Not in memory: finished already, or never existed. */
    char *end = NULL;
    long long id = id_text && id_text[0] == 'T' ? strtoll (id_text + 1, &end, 10) : 0;
    if (id > 0 && end && !*end && store_task_exists (self->store, id))
        return err_set (err, ERR_STATE, "task %s has already finished", id_text);
    return err_set (err, ERR_NOTFOUND, "task '%s' does not exist", id_text ? id_text : "");
}

static void
s_forget (queue_t *self, s_task_t *task)
{
    s_unlink (self, task);
    zhashx_delete (self->tasks, task->public.id_text);
}

int
queue_complete (queue_t *self, const char *id_text, const uint8_t *result, size_t size,
                const char *summary, const char *done_by, int64_t now_ms, err_t *err)
{
    s_task_t *task;
    int rc = s_lookup_live (self, id_text, &task, err);
    if (rc)
        return rc;
    rc = store_task_finish (self->store, task->public.id, "done", task->public.attempts, result,
                            size, summary, NULL, done_by, now_ms, err);
    if (rc)
        return rc;
    self->done++;
    s_forget (self, task);
    return 0;
}

static int64_t
s_backoff (queue_t *self, uint32_t attempts)
{
    int64_t delay = self->options.retry_base_ms;
    for (uint32_t i = 1; i < attempts && delay < self->options.retry_max_ms; i++)
        delay *= 2;
    if (delay > self->options.retry_max_ms)
        delay = self->options.retry_max_ms;
    /*  +-25% jitter (xorshift32) so a fleet of retries does not come back in step. */
    self->rng ^= self->rng << 13;
    self->rng ^= self->rng >> 17;
    self->rng ^= self->rng << 5;
    int64_t span = delay / 2;
    if (span > 0)
        delay = delay - delay / 4 + (int64_t)(self->rng % (uint64_t)(span + 1));
    return delay;
}

static int
s_retry_or_bury (queue_t *self, s_task_t *task, const char *why, bool retryable,
                 int64_t delay_ms, int64_t now_ms, bool *dead, err_t *err)
{
    int rc;
    if (!retryable || task->public.attempts >= self->options.max_attempts) {
        rc = store_task_finish (self->store, task->public.id, "dead", task->public.attempts,
                                NULL, 0, NULL, why, task->public.lease_owner, now_ms, err);
        if (rc)
            return rc;
        self->dead++;
        s_forget (self, task);
        if (dead)
            *dead = true;
        return 0;
    }
    int64_t not_before = delay_ms > 0 ? now_ms + delay_ms : 0;
    rc = store_task_attempt (self->store, task->public.id, task->public.attempts, not_before,
                             why, err);
    if (rc)
        return rc;
    s_unlink (self, task);
    free (task->public.lease_owner);
    task->public.lease_owner = NULL;
    task->public.not_before_ms = not_before;
    task->public.failed_before = delay_ms > 0;
    if (dead)
        *dead = false;
    return s_enqueue (self, task) ? err_set (err, ERR_NOMEM, "out of memory") : 0;
}

int
queue_fail (queue_t *self, const char *id_text, const char *reason, bool retryable,
            int64_t now_ms, bool *dead, err_t *err)
{
    s_task_t *task;
    int rc = s_lookup_live (self, id_text, &task, err);
    if (rc)
        return rc;
    return s_retry_or_bury (self, task, reason, retryable,
                            s_backoff (self, task->public.attempts), now_ms, dead, err);
}

int
queue_release (queue_t *self, task_t *public, const char *why, int64_t now_ms, err_t *err)
{
    if (public->state != TASK_LEASED)
        return 0;
    return s_retry_or_bury (self, (s_task_t *)public, why, true, 0, now_ms, NULL, err);
}

int
queue_release_owner (queue_t *self, const char *owner, const char *why, int64_t now_ms,
                     err_t *err)
{
    int released = 0;
    s_task_t *task = zlistx_first (self->leased);
    while (task) {
        s_task_t *next = zlistx_next (self->leased);
        if (task->public.lease_owner && strcmp (task->public.lease_owner, owner) == 0) {
            int rc = queue_release (self, &task->public, why, now_ms, err);
            if (rc)
                return rc;
            released++;
        }
        task = next;
    }
    return released;
}

int
queue_expire (queue_t *self, int64_t now_ms, err_t *err)
{
    int expired = 0;
    s_task_t *task = zlistx_first (self->leased);
    while (task) {
        s_task_t *next = zlistx_next (self->leased);
        if (task->public.lease_expires_ms <= now_ms) {
            int rc = queue_release (self, &task->public, "lease expired", now_ms, err);
            if (rc)
                return rc;
            expired++;
        }
        task = next;
    }
    return expired;
}

void
queue_counts (queue_t *self, Campaign__TaskCounts *counts)
{
    campaign__task_counts__init (counts);
    counts->has_queued = counts->has_leased = counts->has_done = 1;
    counts->has_failed = counts->has_dead = 1;
    counts->queued = self->queued;
    counts->failed = self->retrying;
    counts->leased = zlistx_size (self->leased);
    counts->done = self->done;
    counts->dead = self->dead;
}
