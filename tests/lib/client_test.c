/*  client_test.c: the Lazy Pirate client against a scripted ROUTER in a thread.

    Proves: an answer is matched by correlation id (a stale answer is skipped), a
    request that gets no answer is sent again with the same message id on a fresh
    socket, and after the last try the client gives up with ERR_UNREACHABLE. */
#include "test_support.h"

#include "client.h"

#include <string.h>

TS_SUITE (client);

typedef struct {
    char endpoint[256];
    int ignore_first; /* requests to drop before answering */
    bool send_stale;  /* answer with a wrong correlation id first */
    int seen;         /* requests received */
    char ids[8][WIRE_ID_MAX + 1];
} s_server_t;

/*  A ROUTER that answers `retro` submissions with an ack, as scripted. */
static void
s_server (zsock_t *pipe, void *args)
{
    s_server_t *server = args;
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    zsock_bind (router, "%s", server->endpoint);
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, router, NULL);
    while (true) {
        void *which = zpoller_wait (poller, 5000);
        if (which == pipe || !which)
            break;
        zframe_t *identity = NULL;
        wire_envelope_t *env = NULL;
        err_t err;
        if (wire_recv (router, true, WIRE_MAX_BYTES, &identity, &env, &err) == 0) {
            if (server->seen < 8)
                snprintf (server->ids[server->seen], sizeof server->ids[0], "%s",
                          env->message_id);
            server->seen++;
            if (server->seen > server->ignore_first) {
                wire_out_t out;
                Campaign__Ack ack = CAMPAIGN__ACK__INIT;
                ack.stored_id = "J000001";
                if (server->send_stale) {
                    wire_out_init (&out, "c", "server", "an-old-request");
                    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_ACK;
                    out.env.ack = &ack;
                    wire_send (router, identity, &out.env);
                }
                wire_out_init (&out, "c", "server", env->message_id);
                out.env.body_case = CAMPAIGN__ENVELOPE__BODY_ACK;
                out.env.ack = &ack;
                wire_send (router, identity, &out.env);
            }
        }
        wire_free (&env);
        zframe_destroy (&identity);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&router);
}

static int
s_request (const char *endpoint, int timeout_ms, int retries, wire_envelope_t **reply,
           err_t *err)
{
    client_t *client = client_new (endpoint, "c", "tester");
    client_set_timeout (client, timeout_ms, retries);
    wire_out_t out;
    client_prepare (client, &out);
    Campaign__Retro retro = CAMPAIGN__RETRO__INIT;
    retro.kind = "worked";
    retro.text = "x";
    Campaign__Submission sub = CAMPAIGN__SUBMISSION__INIT;
    sub.kind_case = CAMPAIGN__SUBMISSION__KIND_RETRO;
    sub.retro = &retro;
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_SUBMISSION;
    out.env.submission = &sub;
    int rc = client_request (client, &out.env, reply, err);
    client_destroy (&client);
    return rc;
}

static void
s_endpoint (char *buf, size_t size, const char *dir)
{
    snprintf (buf, size, "ipc://%s/client.ipc", dir);
}

Test (client, an_answer_is_matched_by_correlation_id)
{
    char *dir = ts_tempdir ();
    s_server_t server = {.send_stale = true};
    s_endpoint (server.endpoint, sizeof server.endpoint, dir);
    zactor_t *actor = zactor_new (s_server, &server);
    wire_envelope_t *reply = NULL;
    err_t err;
    cr_assert_eq (s_request (server.endpoint, 2000, 0, &reply, &err), 0, "%s", err.msg);
    cr_expect_eq (reply->body_case, CAMPAIGN__ENVELOPE__BODY_ACK);
    cr_expect_str_neq (reply->correlation_id, "an-old-request", "the stale answer is skipped");
    wire_free (&reply);
    zactor_destroy (&actor);
    ts_tempdir_remove (&dir);
}

Test (client, a_lost_request_is_retried_with_the_same_message_id)
{
    char *dir = ts_tempdir ();
    s_server_t server = {.ignore_first = 2};
    s_endpoint (server.endpoint, sizeof server.endpoint, dir);
    zactor_t *actor = zactor_new (s_server, &server);
    wire_envelope_t *reply = NULL;
    err_t err;
    cr_assert_eq (s_request (server.endpoint, 200, 3, &reply, &err), 0, "%s", err.msg);
    wire_free (&reply);
    zactor_destroy (&actor);
    cr_expect_eq (server.seen, 3, "two dropped, the third answered");
    cr_expect_str_eq (server.ids[0], server.ids[1]);
    cr_expect_str_eq (server.ids[1], server.ids[2]);
    ts_tempdir_remove (&dir);
}

Test (client, it_gives_up_after_the_last_try)
{
    char *dir = ts_tempdir ();
    char endpoint[256];
    s_endpoint (endpoint, sizeof endpoint, dir);
    wire_envelope_t *reply = NULL;
    err_t err;
    long long start = ts_now_ms ();
    cr_expect_eq (s_request (endpoint, 100, 2, &reply, &err), ERR_UNREACHABLE);
    long long spent = ts_now_ms () - start;
    cr_expect (strstr (err.msg, "3 tries"), "%s", err.msg);
    cr_expect (strstr (err.msg, endpoint), "names the endpoint: %s", err.msg);
    cr_expect_geq (spent, 300, "three tries of 100 ms");
    ts_tempdir_remove (&dir);
}
