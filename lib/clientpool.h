/*  clientpool.h: several submissions to the broker in flight at once (issue 8).

    A client_t carries one request at a time and waits for its durable acknowledgement,
    so a caller that submits one after another pays a group commit (an fsync) per
    submission. A pool owns K clients, each driven by its own worker thread with a FIFO
    queue, so up to K submissions wait on the broker together and its group commit can
    share the fsyncs.

    Order: a submission is queued on the worker its key hashes to, so submissions with
    the same key (an account, an opportunity) reach the broker in the order they were
    given; submissions with different keys may be applied in any order. Each keeps the
    message id the caller gave it, so a retry (client.h: Lazy Pirate) stays idempotent.

    Completion: every submission the pool accepted is answered exactly once through its
    callback, on a worker thread but with the pool's lock held, so callbacks never run
    at the same time and the caller's counters need no lock of their own (read them
    after clientpool_drain). The first hard error (the broker unreachable, out of
    memory) is kept: what is still queued is not sent but answered with that error, and
    clientpool_submit and clientpool_drain return it from then on.

    The caller must not call into the pool from a callback.
*/
#ifndef CAMPAIGN_CLIENTPOOL_H
#define CAMPAIGN_CLIENTPOOL_H

#include "client.h"

typedef struct _clientpool_t clientpool_t;

/*  The answer to one submission: rc 0 with the broker's reply (an ack, a rejection...;
    borrowed for the call), or a negative code with err saying why (reply NULL). */
typedef void (clientpool_done_fn) (void *arg, int rc, const wire_envelope_t *reply,
                                   const err_t *err);

/*  A pool of n clients (n >= 1), each queueing at most queue_limit submissions (>= 1)
    before clientpool_submit waits for room; the limit bounds the memory of a caller
    that submits faster than the broker answers. The pool takes the clients, whether it
    is created or not, and sets clients[i] to NULL. ERR_INVALID for n or queue_limit
    of 0, ERR_NOMEM / ERR_STATE (a thread could not start) with err. */
int clientpool_new (client_t **clients, size_t n, size_t queue_limit, clientpool_t **out,
                    err_t *err);

/*  Same, with n clients made by client_new_from_conf (conf, sender). */
int clientpool_new_from_conf (conf_t *conf, const char *sender, size_t n, size_t queue_limit,
                              clientpool_t **out, err_t *err);

/*  Stop the workers: a submission being sent is finished, what is still queued is
    answered with ERR_STATE ("cancelled"); then the clients are closed. NULL-safe. */
void clientpool_destroy (clientpool_t **self_p);

/*  Queue req (a prepared envelope carrying a Submission; copied, so the caller may
    reuse it at once) on the worker of key (NULL: the message id), waiting while that
    worker's queue is full. done (may be NULL) hears the answer with arg. 0 when
    queued; the first hard error of the pool (done is then not called), or ERR_NOMEM.
    An import too large for one message goes in parts as client_submit sends it, but
    the parts of one import then share one worker and arrive in order. */
int clientpool_submit (clientpool_t *self, const char *key, const wire_envelope_t *req,
                       clientpool_done_fn *done, void *arg, err_t *err);

/*  Wait until every queued submission has been answered. 0, or the pool's first hard
    error with err (the message of the submission that failed). */
int clientpool_drain (clientpool_t *self, err_t *err);

/*  How many clients (submissions in flight at most). */
size_t clientpool_size (clientpool_t *self);

#endif
