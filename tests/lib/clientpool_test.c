/*  clientpool_test.c: several submissions in flight, against a scripted ROUTER.

    Proves: the pool keeps several submissions in flight and every one is answered
    once; those with the same key reach the broker and are answered in the order given
    while the broker answers out of order; a rejection is reported to its callback; a
    broker that does not answer makes clientpool_drain fail with ERR_UNREACHABLE within
    one client's tries, what was queued behind is answered with the error without being
    sent, and later submissions are refused; destroying a pool answers what it never
    sent. */
#include "test_support.h"

#include "clientpool.h"

#include <string.h>

TS_SUITE (clientpool);

#define S_KEYS    12
#define S_PER_KEY 20

/*  The broker: holds what arrives and answers in reverse order, once two or more are
    waiting or nothing more came for 50 ms; a retro whose text is "reject" is refused. */
typedef struct {
    char endpoint[256];
    int last[S_KEYS]; /* last sequence number seen per key */
    bool out_of_order;
    size_t max_held;
    size_t seen;
} s_server_t;

typedef struct {
    zframe_t *identity;
    wire_envelope_t *env;
} s_held_t;

static void
s_answer_all (zsock_t *router, s_held_t *held, size_t *n)
{
    while (*n) {
        s_held_t *h = &held[--*n];
        wire_out_t out;
        wire_out_init (&out, "c", "server", h->env->message_id);
        Campaign__Ack ack = CAMPAIGN__ACK__INIT;
        Campaign__Rejection rejection = CAMPAIGN__REJECTION__INIT;
        if (strcmp (h->env->submission->retro->text, "reject") == 0) {
            rejection.message = "scripted refusal";
            out.env.body_case = CAMPAIGN__ENVELOPE__BODY_REJECTION;
            out.env.rejection = &rejection;
        } else {
            ack.stored_id = "J000001";
            out.env.body_case = CAMPAIGN__ENVELOPE__BODY_ACK;
            out.env.ack = &ack;
        }
        wire_send (router, h->identity, &out.env);
        wire_free (&h->env);
        zframe_destroy (&h->identity);
    }
}

static void
s_server (zsock_t *pipe, void *args)
{
    s_server_t *server = args;
    for (int k = 0; k < S_KEYS; k++)
        server->last[k] = -1;
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    zsock_bind (router, "%s", server->endpoint);
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, router, NULL);
    s_held_t held[64];
    size_t n = 0;
    while (true) {
        void *which = zpoller_wait (poller, 50);
        if (which == pipe)
            break;
        if (!which) {
            if (zpoller_terminated (poller))
                break;
            s_answer_all (router, held, &n); /* quiet for 50 ms */
            continue;
        }
        s_held_t h = {NULL, NULL};
        err_t err;
        if (wire_recv (router, true, WIRE_MAX_BYTES, &h.identity, &h.env, &err) != 0)
            continue;
        int key = -1, seq = -1;
        sscanf (h.env->message_id, "k%d-%d", &key, &seq);
        if (key >= 0 && key < S_KEYS) {
            server->out_of_order |= seq <= server->last[key];
            server->last[key] = seq;
        }
        server->seen++;
        held[n++] = h;
        if (n > server->max_held)
            server->max_held = n;
        if (n >= 2 || n == sizeof held / sizeof held[0])
            s_answer_all (router, held, &n);
    }
    s_answer_all (router, held, &n);
    zpoller_destroy (&poller);
    zsock_destroy (&router);
}

/*  What the callbacks heard (they run under the pool's lock: no lock here). */
typedef struct {
    int order[S_KEYS][S_PER_KEY]; /* sequence numbers in the order answered */
    size_t answered[S_KEYS];
    size_t acks, rejections, failures, cancelled, calls;
} s_heard_t;

typedef struct {
    s_heard_t *heard;
    int key, seq;
} s_ticket_t;

static void
s_done (void *arg, int rc, const wire_envelope_t *reply, const err_t *err)
{
    s_ticket_t *ticket = arg;
    s_heard_t *heard = ticket->heard;
    heard->calls++;
    if (rc == 0 && reply->body_case == CAMPAIGN__ENVELOPE__BODY_ACK)
        heard->acks++;
    else if (rc == 0 && reply->body_case == CAMPAIGN__ENVELOPE__BODY_REJECTION)
        heard->rejections++;
    else if (rc == ERR_STATE)
        heard->cancelled++;
    else if (rc != 0 && err && *err->msg)
        heard->failures++;
    if (rc == 0 && ticket->key >= 0 && heard->answered[ticket->key] < S_PER_KEY)
        heard->order[ticket->key][heard->answered[ticket->key]++] = ticket->seq;
    free (ticket);
}

static clientpool_t *
s_pool (const char *endpoint, size_t n, size_t queue_limit, int timeout_ms, int retries)
{
    client_t *clients[8] = {NULL};
    cr_assert_leq (n, 8);
    for (size_t i = 0; i < n; i++) {
        clients[i] = client_new (endpoint, "c", "tester");
        cr_assert (clients[i]);
        client_set_timeout (clients[i], timeout_ms, retries);
    }
    clientpool_t *pool = NULL;
    err_t err;
    cr_assert_eq (clientpool_new (clients, n, queue_limit, &pool, &err), 0, "%s", err.msg);
    for (size_t i = 0; i < n; i++)
        cr_assert_null (clients[i], "the pool took client %zu", i);
    return pool;
}

/*  Queue retro "text" with message id k<key>-<seq> under key "account-<key>". */
static int
s_submit (clientpool_t *pool, s_heard_t *heard, int key, int seq, const char *text, err_t *err)
{
    wire_out_t out;
    wire_out_init (&out, "c", "tester", NULL);
    snprintf (out.id, sizeof out.id, "k%d-%d", key, seq);
    Campaign__Retro retro = CAMPAIGN__RETRO__INIT;
    retro.kind = "worked";
    retro.text = (char *)text;
    Campaign__Submission sub = CAMPAIGN__SUBMISSION__INIT;
    sub.kind_case = CAMPAIGN__SUBMISSION__KIND_RETRO;
    sub.retro = &retro;
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_SUBMISSION;
    out.env.submission = &sub;
    char account[32];
    snprintf (account, sizeof account, "account-%d", key);
    s_ticket_t *ticket = calloc (1, sizeof *ticket);
    cr_assert (ticket);
    *ticket = (s_ticket_t){heard, key, seq};
    int rc = clientpool_submit (pool, account, &out.env, s_done, ticket, err);
    if (rc)
        free (ticket);
    return rc;
}

static void
s_endpoint (char *buf, size_t size, const char *dir)
{
    snprintf (buf, size, "ipc://%s/pool.ipc", dir);
}

Test (clientpool, keeps_order_per_key_and_answers_every_submission)
{
    char *dir = ts_tempdir ();
    s_server_t server;
    memset (&server, 0, sizeof server);
    s_endpoint (server.endpoint, sizeof server.endpoint, dir);
    zactor_t *actor = zactor_new (s_server, &server);
    /*  A small queue limit: the submitter also waits for room. */
    clientpool_t *pool = s_pool (server.endpoint, 4, 3, 5000, 1);
    cr_expect_eq (clientpool_size (pool), 4);
    s_heard_t heard;
    memset (&heard, 0, sizeof heard);
    err_t err;
    for (int seq = 0; seq < S_PER_KEY; seq++)
        for (int key = 0; key < S_KEYS; key++)
            cr_assert_eq (s_submit (pool, &heard, key, seq,
                                    key == 5 && seq == 7 ? "reject" : "fine", &err),
                          0, "%s", err.msg);
    cr_assert_eq (clientpool_drain (pool, &err), 0, "%s", err.msg);
    cr_expect_eq (heard.calls, S_KEYS * S_PER_KEY, "every submission answered once");
    cr_expect_eq (heard.rejections, 1, "the rejection reached its callback");
    cr_expect_eq (heard.acks, S_KEYS * S_PER_KEY - 1);
    cr_expect_eq (heard.failures + heard.cancelled, 0);
    for (int key = 0; key < S_KEYS; key++) {
        cr_expect_eq (heard.answered[key], S_PER_KEY);
        for (int i = 0; i < S_PER_KEY; i++)
            cr_expect_eq (heard.order[key][i], i, "key %d: answer %d was for %d", key, i,
                          heard.order[key][i]);
    }
    /*  A drained pool takes more. */
    cr_assert_eq (s_submit (pool, &heard, -1, 0, "late", &err), 0, "%s", err.msg);
    cr_assert_eq (clientpool_drain (pool, &err), 0, "%s", err.msg);
    cr_expect_eq (heard.calls, S_KEYS * S_PER_KEY + 1);
    clientpool_destroy (&pool);
    cr_expect_null (pool);
    clientpool_destroy (&pool); /* NULL-safe */
    zactor_destroy (&actor);
    cr_expect (!server.out_of_order, "a key's submissions reached the broker in order");
    cr_expect_geq (server.max_held, 2, "several submissions were in flight at once");
    cr_expect_eq (server.seen, S_KEYS * S_PER_KEY + 1, "each sent once");
    ts_tempdir_remove (&dir);
}

Test (clientpool, an_unreachable_broker_fails_the_drain_within_one_clients_tries)
{
    char *dir = ts_tempdir ();
    char endpoint[256];
    s_endpoint (endpoint, sizeof endpoint, dir); /* nothing bound there */
    clientpool_t *pool = s_pool (endpoint, 2, 16, 100, 1);
    s_heard_t heard;
    memset (&heard, 0, sizeof heard);
    err_t err;
    long long start = ts_now_ms ();
    for (int seq = 0; seq < 10; seq++)
        cr_assert_eq (s_submit (pool, &heard, seq % S_KEYS, seq, "fine", &err), 0, "%s",
                      err.msg);
    cr_expect_eq (clientpool_drain (pool, &err), ERR_UNREACHABLE);
    long long spent = ts_now_ms () - start;
    cr_expect (strstr (err.msg, endpoint), "names the endpoint: %s", err.msg);
    /*  Two tries of 100 ms on each client at once, then the rest is not sent. */
    cr_expect_lt (spent, 2000, "drained in %lld ms", spent);
    cr_expect_eq (heard.calls, 10, "every submission answered");
    cr_expect_eq (heard.failures, 10, "each with the error");
    /*  The pool stays failed: a later submission is refused and never answered. */
    cr_expect_eq (s_submit (pool, &heard, 0, 99, "fine", &err), ERR_UNREACHABLE);
    cr_expect_eq (heard.calls, 10);
    clientpool_destroy (&pool);
    ts_tempdir_remove (&dir);
}

Test (clientpool, destroying_answers_what_was_never_sent)
{
    char *dir = ts_tempdir ();
    char endpoint[256];
    s_endpoint (endpoint, sizeof endpoint, dir);
    clientpool_t *pool = s_pool (endpoint, 1, 16, 200, 0);
    s_heard_t heard;
    memset (&heard, 0, sizeof heard);
    err_t err;
    for (int seq = 0; seq < 5; seq++)
        cr_assert_eq (s_submit (pool, &heard, 0, seq, "fine", &err), 0, "%s", err.msg);
    clientpool_destroy (&pool);
    cr_expect_eq (heard.calls, 5, "each answered once, sent or not");
    cr_expect_geq (heard.cancelled, 4, "the queued ones were cancelled");
    ts_tempdir_remove (&dir);
}

Test (clientpool, refuses_an_empty_pool)
{
    clientpool_t *pool = NULL;
    err_t err;
    cr_expect_eq (clientpool_new (NULL, 0, 1, &pool, &err), ERR_INVALID);
    cr_expect_null (pool);
    client_t *clients[1] = {client_new ("ipc:///nowhere", "c", "tester")};
    cr_expect_eq (clientpool_new (clients, 1, 0, &pool, &err), ERR_INVALID);
    cr_expect_null (clients[0], "the pool took the client even so");
    cr_expect_null (pool);
}
