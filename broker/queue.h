/*  queue.h: the broker's task queue: leases, retries, dead letters.

    Tasks live in the store (durable) and, while not finished, in memory here. A task is
    queued, leased to one agent instance under a deadline, then done, or failed: a
    retryable failure or a lost lease puts it back in the queue after an exponential
    back-off with jitter; after max_attempts it is dead (kept, with its last error, for an
    operator). Leases are memory only: a broker restart voids them all and the tasks are
    queued again, which is what SPEC section 7 asks of a crash.

    The caller (the broker loop) holds a store transaction open around every call that
    changes state; the queue writes through to the store and never commits.
*/
#ifndef CAMPAIGN_QUEUE_H
#define CAMPAIGN_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "campaign.pb-c.h"
#include "err.h"
#include "store.h"

typedef struct {
    uint32_t max_attempts;
    int64_t lease_ms;
    int64_t retry_base_ms;
    int64_t retry_max_ms;
    uint32_t jitter_seed;
} queue_options_t;

typedef enum { TASK_QUEUED, TASK_LEASED, TASK_DONE, TASK_DEAD } task_state_t;

typedef struct {
    int64_t id;
    char id_text[24]; /* "T42", as on the wire */
    char *agent_kind;
    char *name;
    uint8_t *payload;
    size_t payload_size;
    bool assemble;      /* payload is a recipe, assembled at each lease (store_task_input) */
    int64_t created_ms; /* the tasks one activity step created share it: one run */
    task_state_t state;
    uint32_t attempts;     /* leases handed out so far */
    bool failed_before;    /* the last attempt failed: waiting for a retry */
    int64_t not_before_ms; /* wall clock, for retries */
    int64_t lease_expires_ms;
    char *lease_owner; /* registry key of the agent holding it */
} task_t;

typedef struct _queue_t queue_t;

/*  A queue over store, loading the unfinished tasks (every lease void). */
int queue_new (store_t *store, const queue_options_t *options, queue_t **out, err_t *err);
void queue_destroy (queue_t **self_p);

/*  Forget memory state and load it again from the store (after a failed commit). */
int queue_reload (queue_t *self, err_t *err);

/*  Queue a new task; *out (may be NULL) is the task, owned by the queue. With assemble,
    payload is a recipe the broker turns into the task's input when it hands it out. */
int queue_add (queue_t *self, const char *agent_kind, const char *name, const uint8_t *payload,
               size_t size, bool assemble, int64_t now_ms, const char *campaign_date,
               task_t **out, err_t *err);

/*  The oldest queued task for agent_kind that is due at now_ms, or NULL. */
task_t *queue_next (queue_t *self, const char *agent_kind, int64_t now_ms);

/*  Lease task to owner until now + lease_ms; counts an attempt. */
int queue_lease (queue_t *self, task_t *task, const char *owner, int64_t now_ms, err_t *err);

/*  The task with this wire id, if not finished; NULL otherwise. */
task_t *queue_find (queue_t *self, const char *id_text);

/*  Apply a result: the task becomes done (and leaves memory). ERR_NOTFOUND for an
    unknown id, ERR_STATE if it already finished: a duplicate, applied once already. */
int queue_complete (queue_t *self, const char *id_text, const uint8_t *result, size_t size,
                    const char *summary, const char *done_by, int64_t now_ms, err_t *err);

/*  A failure reported by the agent: retry later (retryable and attempts left) or dead.
 *dead says which. Same ERR_NOTFOUND/ERR_STATE as queue_complete. */
int queue_fail (queue_t *self, const char *id_text, const char *reason, bool retryable,
                int64_t now_ms, bool *dead, err_t *err);

/*  The lease of task was lost (agent gone, lease expired): back to the queue at once, or
    dead if its attempts are used up. */
int queue_release (queue_t *self, task_t *task, const char *why, int64_t now_ms, err_t *err);

/*  Release every lease held by owner; returns how many, or an error. */
int queue_release_owner (queue_t *self, const char *owner, const char *why, int64_t now_ms,
                         err_t *err);

/*  Release every lease whose deadline passed; returns how many, or an error. */
int queue_expire (queue_t *self, int64_t now_ms, err_t *err);

/*  Counts for the snapshot and the "task" topic: queued (waiting for a lease), failed
    (waiting for a retry after a failed attempt), leased, done, dead. O(1). */
void queue_counts (queue_t *self, Campaign__TaskCounts *counts);

#endif
