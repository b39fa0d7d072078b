/*  crash_test.c: SIGKILL the broker in the middle of a stream of 1,000 submissions from
    concurrent clients, restart it, and show that every acknowledged submission is
    stored exactly once (SPEC section 7: "nothing acknowledged is lost"). */
#include "test_support.h"

#include "client.h"

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

TS_SUITE (crash);

#define CLIENTS    4
#define PER_CLIENT 250
#define KILL_AFTER 300

typedef struct {
    ts_broker_t *broker;
    int index;
    bool acked[PER_CLIENT];
    int duplicates;
    int failures;
} s_worker_t;

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_cond = PTHREAD_COND_INITIALIZER;
static int s_acks;

static void *
s_worker (void *arg)
{
    s_worker_t *worker = arg;
    char *endpoint = ts_broker_endpoint (worker->broker);
    char sender[32];
    snprintf (sender, sizeof sender, "crash-client-%d", worker->index);
    client_t *client = client_new (endpoint, "test-campaign", sender);
    free (endpoint);
    /*  Long enough to ride over the restart: retries reuse each message id. */
    client_set_timeout (client, 500, 40);
    for (int i = 0; i < PER_CLIENT; i++) {
        wire_out_t out;
        client_prepare (client, &out);
        snprintf (out.id, sizeof out.id, "crash-%d-%04d", worker->index, i);
        char text[64];
        snprintf (text, sizeof text, "submission %d of client %d", i, worker->index);
        Campaign__Retro retro = CAMPAIGN__RETRO__INIT;
        retro.kind = "continue";
        retro.text = text;
        Campaign__Submission sub = CAMPAIGN__SUBMISSION__INIT;
        sub.person = sender;
        sub.kind_case = CAMPAIGN__SUBMISSION__KIND_RETRO;
        sub.retro = &retro;
        out.env.body_case = CAMPAIGN__ENVELOPE__BODY_SUBMISSION;
        out.env.submission = &sub;
        wire_envelope_t *reply = NULL;
        err_t err;
        if (client_request (client, &out.env, &reply, &err) != 0) {
            worker->failures++;
            continue;
        }
        if (reply->body_case == CAMPAIGN__ENVELOPE__BODY_ACK) {
            worker->acked[i] = true;
            worker->duplicates += reply->ack->duplicate;
            pthread_mutex_lock (&s_lock);
            s_acks++;
            pthread_cond_broadcast (&s_cond);
            pthread_mutex_unlock (&s_lock);
        } else
            worker->failures++;
        wire_free (&reply);
    }
    client_destroy (&client);
    return NULL;
}

Test (crash, sigkill_during_a_stream_loses_no_acknowledged_submission, .timeout = 300)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, "log = { level = \"info\"; };\n"), 0);
    s_acks = 0;
    s_worker_t workers[CLIENTS];
    pthread_t threads[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        memset (&workers[i], 0, sizeof workers[i]);
        workers[i].broker = &broker;
        workers[i].index = i;
        pthread_create (&threads[i], NULL, s_worker, &workers[i]);
    }
    /*  Wait for the stream to be well under way, then kill the broker mid-flight. */
    pthread_mutex_lock (&s_lock);
    struct timespec deadline;
    clock_gettime (CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 60;
    while (s_acks < KILL_AFTER)
        if (pthread_cond_timedwait (&s_cond, &s_lock, &deadline) != 0)
            break;
    int acks_at_kill = s_acks;
    pthread_mutex_unlock (&s_lock);
    cr_assert_geq (acks_at_kill, KILL_AFTER, "the stream did not get going");
    cr_assert_eq (ts_broker_signal (&broker, SIGKILL), 128 + SIGKILL);
    cr_assert_eq (ts_broker_restart (&broker), 0, "broker did not come back");
    for (int i = 0; i < CLIENTS; i++)
        pthread_join (threads[i], NULL);
    cr_assert_eq (ts_broker_signal (&broker, SIGTERM), 0);

    /*  Every acknowledged message id is in the journal, each exactly once. */
    char *db_path = NULL;
    cr_assert (asprintf (&db_path, "%s/state/campaign.db", broker.dir) > 0);
    sqlite3 *db = NULL;
    cr_assert_eq (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *stmt = NULL;
    cr_assert_eq (sqlite3_prepare_v2 (db,
                                      "SELECT count(*) FROM journal WHERE message_id = ?1 "
                                      "AND kind = 'retro'",
                                      -1, &stmt, NULL),
                  SQLITE_OK);
    int acked = 0, duplicates = 0, failures = 0;
    for (int w = 0; w < CLIENTS; w++) {
        duplicates += workers[w].duplicates;
        failures += workers[w].failures;
        for (int i = 0; i < PER_CLIENT; i++) {
            if (!workers[w].acked[i])
                continue;
            acked++;
            char id[32];
            snprintf (id, sizeof id, "crash-%d-%04d", w, i);
            sqlite3_reset (stmt);
            sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
            cr_assert_eq (sqlite3_step (stmt), SQLITE_ROW);
            cr_expect_eq (sqlite3_column_int (stmt, 0), 1, "acknowledged %s stored %d times",
                          id, sqlite3_column_int (stmt, 0));
        }
    }
    sqlite3_finalize (stmt);
    cr_assert_eq (sqlite3_prepare_v2 (db,
                                      "SELECT count(*), count(DISTINCT message_id) FROM "
                                      "journal WHERE kind = 'retro'",
                                      -1, &stmt, NULL),
                  SQLITE_OK);
    cr_assert_eq (sqlite3_step (stmt), SQLITE_ROW);
    int stored = sqlite3_column_int (stmt, 0), distinct = sqlite3_column_int (stmt, 1);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
    free (db_path);
    cr_log_info ("acked %d (at kill: %d), duplicates answered %d, failures %d, stored %d",
                 acked, acks_at_kill, duplicates, failures, stored);
    cr_expect_eq (failures, 0, "every client got through the restart");
    cr_expect_eq (acked, CLIENTS * PER_CLIENT);
    cr_expect_eq (stored, distinct, "no submission stored twice");
    cr_expect_eq (stored, CLIENTS * PER_CLIENT);
    ts_broker_cleanup (&broker);
}
