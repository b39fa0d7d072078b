/*  clientpool.c: K Lazy Pirate clients on K worker threads (see clientpool.h).

    One mutex guards every queue, the counters and the first error; each worker sleeps
    on its own condition until its queue has work, and submitters and drainers sleep on
    one shared condition that changes whenever an item leaves a queue or is answered.
    A worker takes its queue's head under the lock, sends it without the lock (its
    client is its own), and answers it under the lock again. */
#include "clientpool.h"

#include <pthread.h>
#include <string.h>

typedef struct _s_item_t {
    zframe_t *frame; /* the packed envelope */
    clientpool_done_fn *done;
    void *arg;
    struct _s_item_t *next;
} s_item_t;

typedef struct {
    clientpool_t *pool;
    client_t *client;
    pthread_t thread;
    bool started;
    pthread_cond_t work;
    s_item_t *head, *tail;
    size_t queued;
} s_worker_t;

struct _clientpool_t {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* room in a queue, or an answer */
    s_worker_t *workers;
    size_t n;
    size_t queue_limit;
    size_t pending; /* queued or being sent */
    bool stopping;
    int rc; /* the first hard error */
    err_t err;
};

static void
s_item_free (s_item_t **item_p)
{
    if (*item_p) {
        zframe_destroy (&(*item_p)->frame);
        free (*item_p);
        *item_p = NULL;
    }
}

/*  Answer item (the lock held) and count it done. */
static void
s_answer (clientpool_t *self, s_item_t *item, int rc, const wire_envelope_t *reply,
          const err_t *err)
{
    if (item->done)
        item->done (item->arg, rc, reply, err);
    self->pending--;
    pthread_cond_broadcast (&self->changed);
}

/*  Send one item on the worker's client; 0 with *reply, or a hard error with err. */
static int
s_send (s_worker_t *worker, s_item_t *item, wire_envelope_t **reply, err_t *err)
{
    wire_envelope_t *req = NULL;
    int rc = wire_unpack (zframe_data (item->frame), zframe_size (item->frame),
                          zframe_size (item->frame), &req, err);
    if (rc)
        return rc; /* cannot happen for what wire_pack made, short of memory */
    rc = client_submit (worker->client, req, NULL, NULL, reply, err);
    wire_free (&req);
    return rc;
}

static void *
s_worker_run (void *arg)
{
    s_worker_t *worker = arg;
    clientpool_t *self = worker->pool;
    pthread_mutex_lock (&self->lock);
    for (;;) {
        while (!worker->head && !self->stopping)
            pthread_cond_wait (&worker->work, &self->lock);
        if (self->stopping)
            break;
        s_item_t *item = worker->head;
        worker->head = item->next;
        if (!worker->head)
            worker->tail = NULL;
        worker->queued--;
        pthread_cond_broadcast (&self->changed); /* room in this queue */
        int rc = self->rc;
        wire_envelope_t *reply = NULL;
        err_t err = {0, ""};
        if (rc)
            err_set (&err, rc, "not sent after an earlier failure: %s", self->err.msg);
        else {
            pthread_mutex_unlock (&self->lock);
            rc = s_send (worker, item, &reply, &err);
            pthread_mutex_lock (&self->lock);
            if (rc && !self->rc) {
                self->rc = rc;
                self->err = err;
            }
        }
        s_answer (self, item, rc, reply, &err);
        wire_free (&reply);
        s_item_free (&item);
    }
    pthread_mutex_unlock (&self->lock);
    return NULL;
}

int
clientpool_new (client_t **clients, size_t n, size_t queue_limit, clientpool_t **out,
                err_t *err)
{
    clientpool_t *self = NULL;
    int rc = 0;
    if (n == 0 || queue_limit == 0)
        rc = err_set (err, ERR_INVALID,
                      "a client pool needs at least one client and room for one submission "
                      "(%zu clients, queue limit %zu)",
                      n, queue_limit);
    if (!rc && (!(self = calloc (1, sizeof *self)) ||
                !(self->workers = calloc (n, sizeof *self->workers))))
        rc = err_set (err, ERR_NOMEM, "out of memory making a pool of %zu clients", n);
    if (rc) {
        if (self)
            free (self);
        for (size_t i = 0; i < n; i++)
            client_destroy (&clients[i]);
        return rc;
    }
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->changed, NULL);
    self->n = n;
    self->queue_limit = queue_limit;
    for (size_t i = 0; i < n; i++) {
        self->workers[i].pool = self;
        self->workers[i].client = clients[i];
        clients[i] = NULL;
        pthread_cond_init (&self->workers[i].work, NULL);
    }
    /*  The sockets are made on the workers' threads: have the shared context first. */
    zsys_init ();
    for (size_t i = 0; !rc && i < n; i++) {
        if (pthread_create (&self->workers[i].thread, NULL, s_worker_run, &self->workers[i]))
            rc = err_set (err, ERR_STATE, "cannot start client pool thread %zu of %zu", i + 1,
                          n);
        else
            self->workers[i].started = true;
    }
    if (rc)
        clientpool_destroy (&self);
    else
        *out = self;
    return rc;
}

int
clientpool_new_from_conf (conf_t *conf, const char *sender, size_t n, size_t queue_limit,
                          clientpool_t **out, err_t *err)
{
    client_t **clients = calloc (n ? n : 1, sizeof *clients);
    if (!clients)
        return err_set (err, ERR_NOMEM, "out of memory making a pool of %zu clients", n);
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i++)
        rc = client_new_from_conf (conf, sender, &clients[i], err);
    if (!rc)
        rc = clientpool_new (clients, n, queue_limit, out, err);
    for (size_t i = 0; i < n; i++)
        client_destroy (&clients[i]);
    free (clients);
    return rc;
}

void
clientpool_destroy (clientpool_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    clientpool_t *self = *self_p;
    pthread_mutex_lock (&self->lock);
    self->stopping = true;
    for (size_t i = 0; i < self->n; i++)
        pthread_cond_signal (&self->workers[i].work);
    pthread_mutex_unlock (&self->lock);
    for (size_t i = 0; i < self->n; i++)
        if (self->workers[i].started)
            pthread_join (self->workers[i].thread, NULL);
    /*  The workers are gone: what is left was never sent. */
    err_t cancelled;
    err_set (&cancelled, ERR_STATE, "cancelled: the client pool stopped before sending it");
    for (size_t i = 0; i < self->n; i++) {
        s_worker_t *worker = &self->workers[i];
        while (worker->head) {
            s_item_t *item = worker->head;
            worker->head = item->next;
            s_answer (self, item, ERR_STATE, NULL, &cancelled);
            s_item_free (&item);
        }
        pthread_cond_destroy (&worker->work);
        client_destroy (&worker->client);
    }
    pthread_cond_destroy (&self->changed);
    pthread_mutex_destroy (&self->lock);
    free (self->workers);
    free (self);
    *self_p = NULL;
}

static uint64_t
s_hash (const char *key)
{
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        hash ^= *p;
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

int
clientpool_submit (clientpool_t *self, const char *key, const wire_envelope_t *req,
                   clientpool_done_fn *done, void *arg, err_t *err)
{
    s_item_t *item = calloc (1, sizeof *item);
    if (!item || wire_pack (req, &item->frame) != 0) {
        free (item);
        return err_set (err, ERR_NOMEM, "out of memory queueing submission %s",
                        req->message_id ? req->message_id : "?");
    }
    item->done = done;
    item->arg = arg;
    const char *by = key ? key : req->message_id ? req->message_id : "";
    s_worker_t *worker = &self->workers[s_hash (by) % self->n];
    pthread_mutex_lock (&self->lock);
    while (!self->rc && worker->queued >= self->queue_limit)
        pthread_cond_wait (&self->changed, &self->lock);
    int rc = self->rc;
    if (rc)
        err_set (err, rc, "%s", self->err.msg);
    else {
        if (worker->tail)
            worker->tail->next = item;
        else
            worker->head = item;
        worker->tail = item;
        worker->queued++;
        self->pending++;
        pthread_cond_signal (&worker->work);
    }
    pthread_mutex_unlock (&self->lock);
    if (rc)
        s_item_free (&item);
    return rc;
}

int
clientpool_drain (clientpool_t *self, err_t *err)
{
    pthread_mutex_lock (&self->lock);
    while (self->pending)
        pthread_cond_wait (&self->changed, &self->lock);
    int rc = self->rc;
    if (rc)
        err_set (err, rc, "%s", self->err.msg);
    pthread_mutex_unlock (&self->lock);
    return rc;
}

size_t
clientpool_size (clientpool_t *self)
{
    return self->n;
}
