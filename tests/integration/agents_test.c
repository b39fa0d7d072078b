/*  agents_test.c: agents on the real runtime against the real broker.

    A dead agent's leased task is redone by another instance; failures are retried with
    back-off and end as dead letters; instances of a kind share the work; an agent rides
    over a broker restart and its queued work still gets done (SPEC sections 2, 7). */
#include "test_support.h"

#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

TS_SUITE (agents);

typedef struct {
    const char *instance;
    const char *state;
} s_agent_want_t;

static bool
s_agent_is (const Campaign__Snapshot *snap, void *arg)
{
    s_agent_want_t *want = arg;
    for (size_t i = 0; i < snap->n_agents; i++)
        if (strcmp (snap->agents[i]->instance, want->instance) == 0 &&
            strcmp (snap->agents[i]->state, want->state) == 0)
            return true;
    return false;
}

static bool
s_one_leased (const Campaign__Snapshot *snap, void *arg)
{
    return snap->tasks && snap->tasks->leased == 1;
}

static bool
s_done_at_least (const Campaign__Snapshot *snap, void *arg)
{
    return snap->tasks && snap->tasks->done >= *(uint64_t *)arg;
}

static bool
s_dead_at_least (const Campaign__Snapshot *snap, void *arg)
{
    return snap->tasks && snap->tasks->dead >= *(uint64_t *)arg;
}

static int
s_run_task (ts_broker_t *broker, const char *name, const char *payload)
{
    if (payload)
        return ts_tool (broker, NULL, NULL, "campaign-submit", "run-task", "--agent",
                        "test-worker", "--name", name, "--payload", payload, NULL);
    return ts_tool (broker, NULL, NULL, "campaign-submit", "run-task", "--agent", "test-worker",
                    "--name", name, NULL);
}

/*  One value from the stopped broker's store. */
static char *
s_query (ts_broker_t *broker, const char *sql)
{
    char *path = NULL;
    if (asprintf (&path, "%s/state/campaign.db", broker->dir) < 0)
        return NULL;
    sqlite3 *db = NULL;
    char *value = NULL;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0))
        value = strdup ((const char *)sqlite3_column_text (stmt, 0));
    sqlite3_finalize (stmt);
    sqlite3_close (db);
    free (path);
    return value;
}

Test (agents, a_killed_agents_task_is_redone_by_another_instance, .timeout = 120)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    pid_t first = ts_agent_start (&broker, "test-worker", "first");
    s_agent_want_t ready = {"first", "ready"};
    cr_assert_eq (ts_wait_snapshot (&broker, 10000, s_agent_is, &ready), 0, "first not ready");
    cr_assert_eq (s_run_task (&broker, "work", "1500"), 0);
    cr_assert_eq (ts_wait_snapshot (&broker, 10000, s_one_leased, NULL), 0, "never leased");
    kill (first, SIGKILL);
    ts_wait (first, 5000);
    pid_t second = ts_agent_start (&broker, "test-worker", "second");
    uint64_t one = 1;
    cr_assert_eq (ts_wait_snapshot (&broker, 20000, s_done_at_least, &one), 0,
                  "the task was not redone");
    s_agent_want_t lost = {"first", "lost"};
    cr_expect_eq (ts_wait_snapshot (&broker, 1000, s_agent_is, &lost), 0,
                  "the killed agent shows as lost");
    ts_stop (second, 5000);
    cr_assert_eq (ts_broker_signal (&broker, SIGTERM), 0);
    char *done_by = s_query (&broker, "SELECT done_by FROM tasks WHERE id = 1");
    char *attempts = s_query (&broker, "SELECT attempts FROM tasks WHERE id = 1");
    cr_expect_str_eq (done_by ? done_by : "", "test-worker/second");
    cr_expect_str_eq (attempts ? attempts : "", "2");
    free (done_by);
    free (attempts);
    ts_broker_cleanup (&broker);
}

Test (agents, failures_are_retried_then_dead_lettered, .timeout = 120)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    pid_t agent = ts_agent_start (&broker, "test-worker", "solo");
    cr_assert_eq (s_run_task (&broker, "fail", NULL), 0);
    cr_assert_eq (s_run_task (&broker, "fail-fatal", NULL), 0);
    uint64_t two = 2;
    cr_assert_eq (ts_wait_snapshot (&broker, 20000, s_dead_at_least, &two), 0,
                  "failures never became dead letters");
    ts_stop (agent, 5000);
    cr_assert_eq (ts_broker_signal (&broker, SIGTERM), 0);
    char *retried = s_query (&broker, "SELECT attempts FROM tasks WHERE name = 'fail'");
    char *fatal = s_query (&broker, "SELECT attempts FROM tasks WHERE name = 'fail-fatal'");
    char *error = s_query (&broker, "SELECT error FROM tasks WHERE name = 'fail'");
    cr_expect_str_eq (retried ? retried : "", "3", "max_attempts = 3 in the test config");
    cr_expect_str_eq (fatal ? fatal : "", "1", "a fatal failure is not retried");
    cr_expect (error && strstr (error, "scripted retryable failure"), "last error kept: %s",
               error);
    free (retried);
    free (fatal);
    free (error);
    char *log = ts_read_file (broker.log);
    cr_expect (log && strstr (log, "is dead after 3 attempt(s)"), "dead letter logged");
    free (log);
    ts_broker_cleanup (&broker);
}

Test (agents, instances_of_a_kind_share_the_work, .timeout = 120)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    pid_t a = ts_agent_start (&broker, "test-worker", "a");
    pid_t b = ts_agent_start (&broker, "test-worker", "b");
    s_agent_want_t ready_a = {"a", "ready"}, ready_b = {"b", "ready"};
    cr_assert_eq (ts_wait_snapshot (&broker, 10000, s_agent_is, &ready_a), 0);
    cr_assert_eq (ts_wait_snapshot (&broker, 10000, s_agent_is, &ready_b), 0);
    char *batch_text = NULL;
    size_t size = 0;
    FILE *batch = open_memstream (&batch_text, &size);
    for (int i = 0; i < 20; i++)
        fprintf (batch, "{\"command\":\"run-task\",\"agent\":\"test-worker\",\"name\":\"work\","
                        "\"payload\":\"20\"}\n");
    fclose (batch);
    char *path = ts_write_file (broker.dir, "tasks.jsonl", batch_text);
    cr_assert_eq (ts_tool (&broker, NULL, NULL, "campaign-submit", "batch", path, NULL), 0);
    uint64_t twenty = 20;
    cr_assert_eq (ts_wait_snapshot (&broker, 30000, s_done_at_least, &twenty), 0);
    ts_stop (a, 5000);
    ts_stop (b, 5000);
    cr_assert_eq (ts_broker_signal (&broker, SIGTERM), 0);
    char *by_a =
        s_query (&broker, "SELECT count(*) FROM tasks WHERE done_by = 'test-worker/a'");
    char *by_b =
        s_query (&broker, "SELECT count(*) FROM tasks WHERE done_by = 'test-worker/b'");
    cr_expect (by_a && atoi (by_a) >= 5, "a did %s", by_a);
    cr_expect (by_b && atoi (by_b) >= 5, "b did %s", by_b);
    free (by_a);
    free (by_b);
    free (path);
    free (batch_text);
    ts_broker_cleanup (&broker);
}

Test (agents, an_agent_rides_over_a_broker_restart, .timeout = 120)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    pid_t agent = ts_agent_start (&broker, "test-worker", "steady");
    s_agent_want_t ready = {"steady", "ready"};
    cr_assert_eq (ts_wait_snapshot (&broker, 10000, s_agent_is, &ready), 0);
    cr_assert_eq (ts_broker_signal (&broker, SIGKILL), 128 + SIGKILL);
    cr_assert_eq (ts_broker_restart (&broker), 0);
    /*  The new broker does not know the agent until it says hello again. */
    cr_assert_eq (ts_wait_snapshot (&broker, 15000, s_agent_is, &ready), 0,
                  "agent did not re-register");
    cr_assert_eq (s_run_task (&broker, "echo", "after restart"), 0);
    uint64_t one = 1;
    cr_assert_eq (ts_wait_snapshot (&broker, 10000, s_done_at_least, &one), 0);
    cr_expect_eq (ts_stop (agent, 5000), 0, "agent stops cleanly on SIGTERM");
    ts_broker_cleanup (&broker);
}

/*  Speak the agent protocol by hand: hello, take the task, answer it twice. */
static wire_envelope_t *
s_expect (zsock_t *dealer, int body_case)
{
    for (int i = 0; i < 50; i++) {
        zmq_pollitem_t item = {zsock_resolve (dealer), 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, 5000) <= 0)
            return NULL;
        wire_envelope_t *env = NULL;
        err_t err;
        if (wire_recv (dealer, false, WIRE_MAX_BYTES, NULL, &env, &err) != 0)
            continue;
        if ((int)env->body_case == body_case)
            return env;
        wire_free (&env); /* heartbeats and the like */
    }
    return NULL;
}

Test (agents, a_result_delivered_twice_is_applied_once, .timeout = 60)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    char *endpoint = ts_broker_endpoint (&broker);
    zsock_t *dealer = zsock_new_dealer (endpoint);
    free (endpoint);
    wire_out_t out;
    wire_out_init (&out, "test-campaign", "test-worker/raw", NULL);
    Campaign__Hello hello = CAMPAIGN__HELLO__INIT;
    hello.kind = "test-worker";
    hello.instance = "raw";
    hello.has_capacity = 1;
    hello.capacity = 1;
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_HELLO;
    out.env.hello = &hello;
    cr_assert_eq (wire_send (dealer, NULL, &out.env), 0);
    wire_envelope_t *welcome = s_expect (dealer, CAMPAIGN__ENVELOPE__BODY_WELCOME);
    cr_assert_not_null (welcome, "no welcome");
    wire_free (&welcome);

    cr_assert_eq (s_run_task (&broker, "echo", "twice"), 0);
    wire_envelope_t *task = s_expect (dealer, CAMPAIGN__ENVELOPE__BODY_TASK);
    cr_assert_not_null (task, "no task leased");
    cr_expect_eq (task->task->attempt, 1);

    Campaign__Result result = CAMPAIGN__RESULT__INIT;
    result.task_id = task->task->task_id;
    result.has_attempt = 1;
    result.attempt = task->task->attempt;
    result.summary = "echoed";
    /*  The same message twice (a retransmission), then a second message for the same
        task and attempt (a confused agent). */
    wire_out_init (&out, "test-campaign", "test-worker/raw", task->message_id);
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_RESULT;
    out.env.result = &result;
    cr_assert_eq (wire_send (dealer, NULL, &out.env), 0);
    cr_assert_eq (wire_send (dealer, NULL, &out.env), 0);
    wire_out_init (&out, "test-campaign", "test-worker/raw", task->message_id);
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_RESULT;
    out.env.result = &result;
    cr_assert_eq (wire_send (dealer, NULL, &out.env), 0);
    wire_free (&task);

    uint64_t one = 1;
    cr_assert_eq (ts_wait_snapshot (&broker, 10000, s_done_at_least, &one), 0);
    zsock_destroy (&dealer);
    cr_assert_eq (ts_broker_signal (&broker, SIGTERM), 0);
    char *results =
        s_query (&broker, "SELECT count(*) FROM journal WHERE kind = 'result:echo'");
    char *done = s_query (&broker, "SELECT count(*) FROM tasks WHERE state = 'done'");
    cr_expect_str_eq (results ? results : "", "1", "the result is journaled once");
    cr_expect_str_eq (done ? done : "", "1");
    free (results);
    free (done);
    ts_broker_cleanup (&broker);
}

Test (agents, an_unknown_agent_kind_is_refused, .timeout = 60)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    pid_t agent = ts_agent_start (&broker, "no-such-kind", "x");
    cr_expect (ts_wait_file_contains (broker.log, "agent kind 'no-such-kind' is not configured",
                                      10000),
               "the broker says why");
    int rc = ts_wait (agent, 10000);
    cr_expect_eq (rc, 4, "a refused agent exits with a configuration error, not %d", rc);
    if (rc == -1)
        ts_stop (agent, 5000);
    ts_broker_cleanup (&broker);
}
