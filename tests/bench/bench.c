/*  bench.c: campaign-bench, how far the broker is from the machine it runs on.

    Two figures, each against a baseline measured in the same run, in the same process,
    so a noisy shared machine moves both sides alike and the ratio is what to read:

    1. Task round trip: K "echo" tasks queued with RunTask submissions while no agent
       runs, then timed from the first agent start until a snapshot shows all K done.
       Baseline: raw libzmq ROUTER/DEALER echo over ipc:// in a temp dir, with frames the
       size of a packed Task envelope and as many messages in flight as the agents' total
       capacity. That is the same bytes moved the same way with nothing else done: no
       protobuf, no SQLite, no leases, no agent runtime. broker/raw is the share of the
       transport's speed the broker keeps.

    2. Durable submissions: C client threads (client_t, one DEALER each) send retro
       submissions one after another, each waiting for its acknowledgement, which the
       broker sends only after the commit that holds it. Baseline: raw SQLite inserts
       into a journal-shaped table (the columns and indexes of broker/store.c) in WAL
       mode with synchronous=FULL, 64 rows per transaction, bodies the size of the
       packed submission, in a file on the same filesystem as the broker's store. 64
       rows per fsync is the best group commit 64 sequential clients can give the
       broker, so broker/raw is the share of the disk's durable write rate that survives
       the protocol, the handlers and the extra statements.

    Each baseline runs half before and half after the broker phase it is compared
    with, and the table shows both halves: drift (another job on the machine, the
    page cache, a growing file) is visible instead of silently skewing the ratio.

    Not a test and not registered with ctest: shared machines are noisy. It exits 0 when
    every phase ran (whatever the ratios), 1 when one failed, 2 on a usage error. The real
    campaign-broker and campaign-test-agent run as processes (tests/support fixture).
*/
#include "test_support.h"

#include "client.h"
#include "wire.h"

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define BENCH_CAMPAIGN   "test-campaign" /* what the fixture's configuration says */
#define BENCH_DATE       "2026-10-05"    /* the fixture's start date: the broker's today */
#define BENCH_PAYLOAD    "bench-payload-0123456789"
#define BENCH_BODY_BYTES 200  /* packed retro submission: the journal body */
#define ENQUEUE_WINDOW   1024 /* RunTask submissions in flight: two full broker turns */
#define POLL_MS          20   /* shortest snapshot interval: the timing resolution */
#define POLL_MAX_MS      500  /* longest one, early in a long run */

static const char s_usage[] =
    "Usage: campaign-bench [--quick] [--only tasks|submissions] [OPTION N]...\n"
    "\n"
    "Measure the broker's task round trip and durable submission rate against raw\n"
    "libzmq and raw SQLite baselines taken in the same run (tests/bench/README.md).\n"
    "\n"
    "  --quick            smaller sizes: 20000 tasks, 1000000 round trips, 300\n"
    "                     requests per client (about 10 s; the defaults about 25 s)\n"
    "  --only WHAT        tasks | submissions\n"
    "  --tasks N          tasks through the broker (100000)\n"
    "  --raw N            raw zmq round trips (2000000)\n"
    "  --window N         messages in flight, raw and broker alike (128)\n"
    "  --agents N         test agents; each gets capacity window/N (2)\n"
    "  --rows N           raw SQLite rows (clients x requests: same journal size)\n"
    "  --batch N          raw SQLite rows per transaction (64)\n"
    "  --clients N        concurrent submitting clients (64)\n"
    "  --requests N       submissions per client (1000)\n"
    "  --log-level LEVEL  broker and agent log level (info, as config/campaign.cfg)\n"
    "  --bound S          the whole run gives up after S seconds (55); the tasks get\n"
    "                     60% of it when the submissions follow\n"
    "\n"
    "CAMPAIGN_TEST_KEEP=1 keeps the temp dirs (broker and agent logs) for a look.\n";

typedef struct {
    bool quick;
    bool run_tasks;
    bool run_submissions;
    int tasks;
    int raw;
    int window;
    int agents;
    int rows;
    int batch;
    int clients;
    int requests;
    const char *log_level;
    int bound_ms;
    int64_t deadline_us; /* of the section running: phases give up after it */
} s_options_t;

/*  One measured line of the table. */
typedef struct {
    const char *name;
    int parts; /* measurements added up: baselines run before and after */
    int64_t count;
    double seconds;
    double rate;
    double part_rate[2]; /* the first two parts' own rates, to show drift */
    bool partial;        /* cut short by --bound: a rate, but of less than asked */
    char note[160];
} s_result_t;

static double
s_seconds_since (int64_t start_us)
{
    return (double)(zclock_usecs () - start_us) / 1e6;
}

static void
s_result_add (s_result_t *result, int64_t count, double seconds)
{
    if (result->parts < 2)
        result->part_rate[result->parts] = seconds > 0 ? (double)count / seconds : 0;
    result->parts++;
    result->count += count;
    result->seconds += seconds;
    result->rate = result->seconds > 0 ? (double)result->count / result->seconds : 0;
}

/*  value rounded to three significant digits, with thousands separators: the noise of
    a shared machine is larger than the fourth digit. */
static const char *
s_rate_text (double value, char *buf, size_t size)
{
    long long whole = (long long)(value + 0.5), scale = 1;
    while (whole / scale >= 1000)
        scale *= 10;
    whole = (whole + scale / 2) / scale * scale;
    char digits[32];
    snprintf (digits, sizeof digits, "%lld", whole);
    size_t len = strlen (digits), out = 0;
    for (size_t i = 0; i < len && out + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[out++] = ',';
        buf[out++] = digits[i];
    }
    buf[out] = '\0';
    return buf;
}

/*  CPU seconds (user + system) a process has used so far, -1 if unreadable. */
static double
s_cpu_seconds (pid_t pid)
{
    char path[64];
    snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
    char *text = ts_read_file (path);
    if (!text)
        return -1;
    /*  Fields after the command name (which may hold spaces): state is field 3,
        utime and stime are 14 and 15. */
    char *rest = strrchr (text, ')');
    unsigned long utime = 0, stime = 0;
    int got = rest ? sscanf (rest + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                             &utime, &stime)
                   : 0;
    free (text);
    return got == 2 ? (double)(utime + stime) / (double)sysconf (_SC_CLK_TCK) : -1;
}

/*  CPU seconds this process (every thread) has used so far. */
static double
s_own_cpu_seconds (void)
{
    struct rusage usage;
    getrusage (RUSAGE_SELF, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
           (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

/* --------------------------------------------------------------------------
   Raw libzmq echo: the transport alone */

/*  The size of the Task envelope the broker sends for one of our tasks, built the
    way broker.c's s_send_task builds it. */
static size_t
s_task_frame_size (int tasks)
{
    wire_out_t out;
    wire_out_init (&out, BENCH_CAMPAIGN, "campaign-broker", NULL);
    Campaign__Task task = CAMPAIGN__TASK__INIT;
    char task_id[24];
    snprintf (task_id, sizeof task_id, "T%d", tasks);
    task.task_id = task_id;
    task.has_attempt = task.has_payload = task.has_lease_ms = 1;
    task.attempt = 1;
    task.name = "echo";
    task.payload.data = (uint8_t *)BENCH_PAYLOAD;
    task.payload.len = strlen (BENCH_PAYLOAD);
    task.lease_ms = 30000;
    task.campaign_date = BENCH_DATE;
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_TASK;
    out.env.task = &task;
    zframe_t *frame = NULL;
    if (wire_pack (&out.env, &frame))
        return 0;
    size_t size = zframe_size (frame);
    zframe_destroy (&frame);
    return size;
}

/*  The echo side: a ROUTER that sends every message back to its sender, draining what
    is waiting on each wake-up as the broker does. Reports its bind on the pipe. */
static void
s_echo_actor (zsock_t *pipe, void *args)
{
    const char *endpoint = args;
    zsock_signal (pipe, 0);
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    if (router) {
        zsock_set_sndhwm (router, 100000); /* as the broker's ROUTER */
        zsock_set_rcvhwm (router, 100000);
    }
    bool bound = router && zsock_bind (router, "%s", endpoint) >= 0;
    zsock_signal (pipe, bound ? 0 : 1);
    void *handle = bound ? zsock_resolve (router) : NULL;
    zmq_pollitem_t items[2] = {{zsock_resolve (pipe), 0, ZMQ_POLLIN, 0},
                               {handle, 0, ZMQ_POLLIN, 0}};
    while (zmq_poll (items, bound ? 2 : 1, -1) >= 0) {
        if (items[0].revents & ZMQ_POLLIN) {
            char *command = zstr_recv (pipe);
            bool stop = !command || streq (command, "$TERM");
            zstr_free (&command);
            if (stop)
                break;
        }
        if (bound && (items[1].revents & ZMQ_POLLIN))
            for (;;) {
                zmq_msg_t identity, body;
                zmq_msg_init (&identity);
                zmq_msg_init (&body);
                bool echoed = zmq_msg_recv (&identity, handle, ZMQ_DONTWAIT) >= 0 &&
                              zmq_msg_recv (&body, handle, 0) >= 0 &&
                              zmq_msg_send (&identity, handle, ZMQ_SNDMORE) >= 0 &&
                              zmq_msg_send (&body, handle, 0) >= 0;
                zmq_msg_close (&identity);
                zmq_msg_close (&body);
                if (!echoed)
                    break;
            }
    }
    zsock_destroy (&router);
}

/*  count round trips with opts->window in flight, added to result. */
static int
s_raw_echo (const char *dir, size_t frame_size, int count, const s_options_t *opts,
            s_result_t *result)
{
    char endpoint[4200];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/raw-echo.ipc", dir);
    zactor_t *echo = zactor_new (s_echo_actor, endpoint);
    if (!echo || zsock_wait (echo) != 0) {
        fprintf (stderr, "raw echo: cannot bind %s\n", endpoint);
        zactor_destroy (&echo);
        return -1;
    }
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    uint8_t *frame = calloc (1, frame_size);
    int rc = dealer && frame ? 0 : -1;
    if (!rc) {
        for (size_t i = 0; i < frame_size; i++)
            frame[i] = (uint8_t)(i * 31 + 7);
        zsock_set_sndhwm (dealer, 100000);
        zsock_set_rcvhwm (dealer, 100000);
        zsock_set_rcvtimeo (dealer, 5000);
        rc = zsock_connect (dealer, "%s", endpoint);
    }
    void *handle = dealer ? zsock_resolve (dealer) : NULL;
    char reply[4096];
    /*  One round trip first, so the timing starts on an established connection. */
    if (!rc && (zmq_send (handle, frame, frame_size, 0) < 0 ||
                zmq_recv (handle, reply, sizeof reply, 0) < 0))
        rc = -1;
    int sent = 0, received = 0;
    int64_t start = zclock_usecs ();
    while (!rc && received < count) {
        while (sent < count && sent - received < opts->window) {
            if (zmq_send (handle, frame, frame_size, 0) < 0) {
                rc = -1;
                break;
            }
            sent++;
        }
        if (!rc && zmq_recv (handle, reply, sizeof reply, 0) < 0)
            rc = -1;
        if (!rc)
            received++;
    }
    if (rc)
        fprintf (stderr, "raw echo: failed after %d of %d round trips: %s\n", received, count,
                 zmq_strerror (zmq_errno ()));
    else {
        s_result_add (result, received, s_seconds_since (start));
        snprintf (result->note, sizeof result->note, "%zu-byte frames, window %d", frame_size,
                  opts->window);
    }
    free (frame);
    zsock_destroy (&dealer);
    zactor_destroy (&echo);
    return rc;
}

/* --------------------------------------------------------------------------
   Broker task round trip */

/*  Queue count RunTask submissions on one pipelined DEALER (up to ENQUEUE_WINDOW
    waiting for their acknowledgements). */
static int
s_enqueue_tasks (ts_broker_t *broker, const s_options_t *opts, s_result_t *result)
{
    char *endpoint = ts_broker_endpoint (broker);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    int rc = endpoint && dealer ? 0 : -1;
    if (!rc) {
        zsock_set_sndhwm (dealer, 100000);
        zsock_set_rcvhwm (dealer, 100000);
        zsock_set_rcvtimeo (dealer, 10000);
        rc = zsock_connect (dealer, "%s", endpoint);
    }
    Campaign__Submission sub = CAMPAIGN__SUBMISSION__INIT;
    Campaign__RunTask run = CAMPAIGN__RUN_TASK__INIT;
    run.agent_kind = "test-worker";
    run.name = "echo";
    run.has_payload = 1;
    run.payload.data = (uint8_t *)BENCH_PAYLOAD;
    run.payload.len = strlen (BENCH_PAYLOAD);
    sub.person = "bench";
    sub.kind_case = CAMPAIGN__SUBMISSION__KIND_RUN_TASK;
    sub.run_task = &run;
    int sent = 0, acked = 0, refused = 0;
    int64_t start = zclock_usecs ();
    while (!rc && acked + refused < opts->tasks) {
        if (zclock_usecs () > opts->deadline_us) {
            fprintf (stderr, "enqueue: only %d of %d tasks queued within the bound (--bound)\n",
                     acked, opts->tasks);
            rc = -1;
            break;
        }
        while (sent < opts->tasks && sent - acked - refused < ENQUEUE_WINDOW) {
            wire_out_t out;
            wire_out_init (&out, BENCH_CAMPAIGN, "bench-enqueue", NULL);
            out.env.body_case = CAMPAIGN__ENVELOPE__BODY_SUBMISSION;
            out.env.submission = &sub;
            if (wire_send (dealer, NULL, &out.env)) {
                rc = -1;
                break;
            }
            sent++;
        }
        wire_envelope_t *reply = NULL;
        err_t err;
        if (rc || wire_recv (dealer, false, WIRE_MAX_BYTES, NULL, &reply, &err)) {
            fprintf (stderr, "enqueue: no answer after %d of %d tasks\n", acked, opts->tasks);
            rc = -1;
            break;
        }
        if (reply->body_case == CAMPAIGN__ENVELOPE__BODY_ACK && !reply->ack->duplicate)
            acked++;
        else {
            if (refused++ == 0)
                fprintf (stderr, "enqueue: the broker refused a task: %s\n",
                         reply->body_case == CAMPAIGN__ENVELOPE__BODY_REJECTION &&
                                 reply->rejection->message
                             ? reply->rejection->message
                             : wire_body_name (reply->body_case));
        }
        wire_free (&reply);
    }
    if (!rc && refused)
        rc = -1;
    if (!rc) {
        s_result_add (result, acked, s_seconds_since (start));
        snprintf (result->note, sizeof result->note, "one DEALER, %d in flight",
                  ENQUEUE_WINDOW);
    }
    zsock_destroy (&dealer);
    free (endpoint);
    return rc;
}

/*  Start the agents, then poll snapshots until opts->tasks are done (bounded). */
static int
s_run_tasks (ts_broker_t *broker, const s_options_t *opts, s_result_t *result)
{
    pid_t agents[64];
    int started = 0;
    double broker_cpu = s_cpu_seconds (broker->pid);
    int64_t start = zclock_usecs ();
    for (int i = 0; i < opts->agents; i++) {
        char instance[32];
        snprintf (instance, sizeof instance, "bench-%d", i + 1);
        pid_t pid = ts_agent_start (broker, "test-worker", instance);
        if (pid > 0)
            agents[started++] = pid;
    }
    int rc = started == opts->agents ? 0 : -1;
    uint64_t done = 0, dead = 0;
    double first_ms = -1;
    int snapshots = 1;
    while (!rc && done < (uint64_t)opts->tasks && zclock_usecs () < opts->deadline_us) {
        wire_envelope_t *reply = NULL;
        if (ts_snapshot (broker, 1000, &reply) == 0) {
            const Campaign__TaskCounts *counts = reply->snapshot->tasks;
            done = counts ? counts->done : 0;
            dead = counts ? counts->dead : 0;
            wire_free (&reply);
            if (done > 0 && first_ms < 0)
                first_ms = s_seconds_since (start) * 1000;
            if (dead > 0)
                break;
        }
        /*  The interval between observations, not a synchronisation: half the time the
            rate so far says is left, so snapshots (work for the broker too) stay few
            while the last ones still land within POLL_MS of the end. */
        double elapsed_ms = s_seconds_since (start) * 1000;
        double left_ms =
            done > 0 ? elapsed_ms * ((double)opts->tasks - (double)done) / (double)done : 0;
        int pause_ms = (int)(left_ms / 2);
        pause_ms = pause_ms < POLL_MS       ? POLL_MS
                   : pause_ms > POLL_MAX_MS ? POLL_MAX_MS
                                            : pause_ms;
        if (done < (uint64_t)opts->tasks) {
            zclock_sleep (pause_ms);
            snapshots++;
        }
    }
    double seconds = s_seconds_since (start);
    double cpu = s_cpu_seconds (broker->pid) - broker_cpu;
    double agents_cpu = 0;
    for (int i = 0; i < started; i++)
        agents_cpu += s_cpu_seconds (agents[i]);
    for (int i = 0; i < started; i++)
        ts_stop (agents[i], 5000);
    if (!rc && (done < (uint64_t)opts->tasks || dead > 0)) {
        fprintf (stderr, "tasks: %llu of %d done, %llu dead after %.1f s (--bound)\n",
                 (unsigned long long)done, opts->tasks, (unsigned long long)dead, seconds);
        result->partial = dead == 0 && done > 0;
        rc = -1;
    }
    if (!rc || result->partial) {
        s_result_add (result, (int64_t)done, seconds);
        snprintf (result->note, sizeof result->note,
                  "%s%d agents x cap %d; first result %.0f ms; %d snapshots; cpu broker "
                  "%.0f%% agents %.0f%%",
                  result->partial ? "PARTIAL (--bound): " : "", opts->agents,
                  opts->window / opts->agents, first_ms, snapshots, 100 * cpu / seconds,
                  100 * agents_cpu / seconds);
    }
    return rc;
}

static int
s_task_section (const s_options_t *opts, s_result_t *raw, s_result_t *enqueue,
                s_result_t *round_trip)
{
    char extra[256];
    snprintf (extra, sizeof extra, "agents = { capacity = %d; };\nlog = { level = \"%s\"; };\n",
              opts->window / opts->agents, opts->log_level);
    ts_broker_t broker;
    if (ts_broker_start (&broker, extra)) {
        fprintf (stderr,
                 "tasks: the broker did not start (CAMPAIGN_TEST_KEEP=1 keeps its log)\n");
        ts_broker_cleanup (&broker);
        return -1;
    }
    /*  Half the baseline before the broker's run, half after: drift shows, and the
        sum is less at the mercy of what else the machine did meanwhile. */
    size_t frame_size = s_task_frame_size (opts->tasks);
    int rc = s_raw_echo (broker.dir, frame_size, opts->raw / 2, opts, raw);
    if (!rc)
        rc = s_enqueue_tasks (&broker, opts, enqueue);
    if (!rc)
        rc = s_run_tasks (&broker, opts, round_trip);
    if (!rc)
        rc = s_raw_echo (broker.dir, frame_size, opts->raw - opts->raw / 2, opts, raw);
    ts_broker_cleanup (&broker);
    return rc;
}

/* --------------------------------------------------------------------------
   Raw SQLite: the disk alone */

/*  A retro submission whose packed size is BENCH_BODY_BYTES: the body the broker
    journals. text must hold BENCH_BODY_BYTES characters. */
static void
s_retro_init (Campaign__Submission *sub, Campaign__Retro *retro, char *text)
{
    campaign__submission__init (sub);
    campaign__retro__init (retro);
    retro->kind = "worked";
    retro->text = text;
    sub->person = "bench-person";
    sub->kind_case = CAMPAIGN__SUBMISSION__KIND_RETRO;
    sub->retro = retro;
    for (size_t len = 1; len < BENCH_BODY_BYTES; len++) {
        memset (text, 'r', len);
        text[len] = '\0';
        if (campaign__submission__get_packed_size (sub) >= BENCH_BODY_BYTES)
            break;
    }
}

static int
s_sql (sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf (stderr, "raw sqlite: %s: %s\n", sql, msg ? msg : "failed");
        sqlite3_free (msg);
        return -1;
    }
    return 0;
}

/*  Insert rows more rows into dir's baseline journal, added to result. */
static int
s_raw_sqlite (const char *dir, int rows, const s_options_t *opts, s_result_t *result)
{
    Campaign__Submission sub;
    Campaign__Retro retro;
    char text[BENCH_BODY_BYTES + 1];
    s_retro_init (&sub, &retro, text);
    size_t body_size = campaign__submission__get_packed_size (&sub);
    uint8_t body[BENCH_BODY_BYTES * 2];
    campaign__submission__pack (&sub, body);
    /*  Message ids made before the clock starts: the broker gets them from clients. */
    char (*ids)[WIRE_ID_MAX + 1] = calloc ((size_t)rows, sizeof *ids);
    if (!ids)
        return -1;
    for (int i = 0; i < rows; i++)
        wire_id_new (ids[i]);

    char path[4200];
    snprintf (path, sizeof path, "%s/raw-baseline.db", dir);
    sqlite3 *db = NULL;
    sqlite3_stmt *insert = NULL;
    int rc = sqlite3_open (path, &db) == SQLITE_OK ? 0 : -1;
    /*  The journal of broker/store.c: same columns, same keys, same index. */
    if (!rc)
        rc = s_sql (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                        "CREATE TABLE IF NOT EXISTS journal ("
                        "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                        "  message_id TEXT NOT NULL UNIQUE,"
                        "  kind TEXT NOT NULL, sender TEXT, person TEXT,"
                        "  received_ms INTEGER NOT NULL, campaign_date TEXT,"
                        "  body BLOB, detail TEXT);"
                        "CREATE INDEX IF NOT EXISTS journal_kind ON journal (kind);");
    if (!rc && sqlite3_prepare_v2 (db,
                                   "INSERT INTO journal (message_id, kind, sender, person, "
                                   "received_ms, campaign_date, body, detail) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                   -1, &insert, NULL) != SQLITE_OK)
        rc = -1;
    int64_t start = zclock_usecs ();
    for (int row = 0; !rc && row < rows;) {
        rc = s_sql (db, "BEGIN IMMEDIATE");
        for (int i = 0; !rc && i < opts->batch && row < rows; i++, row++) {
            char sender[32];
            snprintf (sender, sizeof sender, "bench-client-%02d", row % opts->clients);
            sqlite3_bind_text (insert, 1, ids[row], -1, SQLITE_STATIC);
            sqlite3_bind_text (insert, 2, "retro", -1, SQLITE_STATIC);
            sqlite3_bind_text (insert, 3, sender, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text (insert, 4, "bench-person", -1, SQLITE_STATIC);
            sqlite3_bind_int64 (insert, 5, wire_now_ms ());
            sqlite3_bind_text (insert, 6, BENCH_DATE, -1, SQLITE_STATIC);
            sqlite3_bind_blob (insert, 7, body, (int)body_size, SQLITE_STATIC);
            sqlite3_bind_text (insert, 8, "retrospective input (worked) recorded", -1,
                               SQLITE_STATIC);
            if (sqlite3_step (insert) != SQLITE_DONE) {
                fprintf (stderr, "raw sqlite: insert: %s\n", sqlite3_errmsg (db));
                rc = -1;
            }
            sqlite3_reset (insert);
        }
        if (!rc)
            rc = s_sql (db, "COMMIT");
    }
    if (!rc) {
        s_result_add (result, rows, s_seconds_since (start));
        snprintf (result->note, sizeof result->note,
                  "%d rows/txn, %zu-byte bodies, WAL + FULL, %.2f ms/commit", opts->batch,
                  body_size, result->seconds * 1000 * opts->batch / (double)result->count);
    } else if (db)
        fprintf (stderr, "raw sqlite: %s: %s\n", path, sqlite3_errmsg (db));
    sqlite3_finalize (insert);
    sqlite3_close (db);
    free (ids);
    return rc;
}

/* --------------------------------------------------------------------------
   Broker durable submissions */

/*  Where the client threads wait, connected, until every one is: then the clock starts. */
typedef struct {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int ready;
    bool go;
    int64_t deadline_us; /* set with go: stop sending after it (--bound) */
} s_gate_t;

typedef struct {
    const char *endpoint;
    int index;
    int requests;
    s_gate_t *gate;
    double *latency_ms; /* `requests` slots: this client's slice */
    int acked;
    int duplicates; /* acks of a retry (Lazy Pirate after a timeout): applied once */
    int failed;
    char error[ERR_MSG_MAX];
} s_submitter_t;

static int
s_submit_one (client_t *client, Campaign__Submission *sub, s_submitter_t *self)
{
    wire_out_t out;
    client_prepare (client, &out);
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_SUBMISSION;
    out.env.submission = sub;
    wire_envelope_t *reply = NULL;
    err_t err;
    if (client_request (client, &out.env, &reply, &err)) {
        snprintf (self->error, sizeof self->error, "%s", err.msg);
        return -1;
    }
    int rc = 0;
    if (reply->body_case != CAMPAIGN__ENVELOPE__BODY_ACK) {
        snprintf (self->error, sizeof self->error, "%s",
                  reply->body_case == CAMPAIGN__ENVELOPE__BODY_REJECTION &&
                          reply->rejection->message
                      ? reply->rejection->message
                      : wire_body_name (reply->body_case));
        rc = -1;
    } else if (reply->ack->duplicate)
        self->duplicates++;
    wire_free (&reply);
    return rc;
}

static void *
s_submitter (void *arg)
{
    s_submitter_t *self = arg;
    char sender[32];
    snprintf (sender, sizeof sender, "bench-client-%02d", self->index);
    client_t *client = client_new (self->endpoint, BENCH_CAMPAIGN, sender);
    Campaign__Submission sub;
    Campaign__Retro retro;
    char text[BENCH_BODY_BYTES + 1];
    s_retro_init (&sub, &retro, text);
    /*  One untimed submission connects the socket before the clock starts. */
    bool ready = client && s_submit_one (client, &sub, self) == 0;
    pthread_mutex_lock (&self->gate->mutex);
    self->gate->ready++;
    pthread_cond_broadcast (&self->gate->cond);
    while (!self->gate->go)
        pthread_cond_wait (&self->gate->cond, &self->gate->mutex);
    int64_t deadline = self->gate->deadline_us;
    pthread_mutex_unlock (&self->gate->mutex);
    for (int i = 0; ready && i < self->requests; i++) {
        int64_t sent = zclock_usecs ();
        if (sent > deadline) {
            snprintf (self->error, sizeof self->error, "the bound passed before request %d",
                      i + 1);
            self->failed += self->requests - i;
            break;
        }
        if (s_submit_one (client, &sub, self) == 0)
            self->latency_ms[self->acked++] = (double)(zclock_usecs () - sent) / 1000.0;
        else
            self->failed++;
    }
    if (!ready)
        self->failed = self->requests;
    client_destroy (&client);
    return NULL;
}

static int
s_compare_double (const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int
s_submit (ts_broker_t *broker, const s_options_t *opts, s_result_t *result)
{
    int clients = opts->clients;
    char *endpoint = ts_broker_endpoint (broker);
    s_submitter_t *submitters = calloc ((size_t)clients, sizeof *submitters);
    double *latency = calloc ((size_t)clients * (size_t)opts->requests, sizeof *latency);
    pthread_t *threads = calloc ((size_t)clients, sizeof *threads);
    s_gate_t gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false, 0};
    int rc = endpoint && submitters && latency && threads ? 0 : -1;
    int started = 0;
    for (int i = 0; !rc && i < clients; i++) {
        submitters[i] =
            (s_submitter_t){.endpoint = endpoint,
                            .index = i,
                            .requests = opts->requests,
                            .gate = &gate,
                            .latency_ms = latency + (size_t)i * (size_t)opts->requests};
        if (pthread_create (&threads[i], NULL, s_submitter, &submitters[i]) != 0) {
            fprintf (stderr, "submissions: only %d of %d client threads started\n", started,
                     clients);
            rc = -1;
        } else
            started++;
    }
    pthread_mutex_lock (&gate.mutex);
    while (gate.ready < started)
        pthread_cond_wait (&gate.cond, &gate.mutex);
    double broker_cpu = s_cpu_seconds (broker->pid), clients_cpu = s_own_cpu_seconds ();
    int64_t start = zclock_usecs ();
    gate.deadline_us = opts->deadline_us;
    gate.go = true;
    pthread_cond_broadcast (&gate.cond);
    pthread_mutex_unlock (&gate.mutex);
    for (int i = 0; i < started; i++)
        pthread_join (threads[i], NULL);
    double seconds = s_seconds_since (start);
    double cpu = s_cpu_seconds (broker->pid) - broker_cpu;
    clients_cpu = s_own_cpu_seconds () - clients_cpu;

    /*  Gather the latencies of the acknowledged ones at the front, then rank them. */
    size_t n = 0;
    int failed = 0, duplicates = 0;
    for (int i = 0; i < started; i++) {
        duplicates += submitters[i].duplicates;
        memmove (latency + n, submitters[i].latency_ms,
                 (size_t)submitters[i].acked * sizeof *latency);
        n += (size_t)submitters[i].acked;
        if (submitters[i].failed && failed == 0)
            fprintf (stderr, "submissions: client %d: %s\n", i, submitters[i].error);
        failed += submitters[i].failed;
    }
    if (failed) {
        fprintf (stderr, "submissions: %d of %d not acknowledged\n", failed,
                 started * opts->requests);
        rc = -1;
    }
    if (!rc && n > 0) {
        qsort (latency, n, sizeof *latency, s_compare_double);
        s_result_add (result, (int64_t)n, seconds);
        snprintf (result->note, sizeof result->note,
                  "%d clients; ack p50 %.2f ms p99 %.2f ms max %.2f ms; cpu broker %.0f%% "
                  "clients %.0f%%%s",
                  clients, latency[n / 2], latency[(n * 99) / 100], latency[n - 1],
                  100 * cpu / seconds, 100 * clients_cpu / seconds,
                  duplicates ? "; some acks came after a retry" : "");
    }
    free (endpoint);
    free (submitters);
    free (latency);
    free (threads);
    return rc;
}

static int
s_submission_section (const s_options_t *opts, s_result_t *raw, s_result_t *acks)
{
    /*  Retro input is a week-12 activity in the bundled plan (windows.retro); the
        benchmark measures the durable path, not the calendar, so it opens the window. */
    char extra[192];
    snprintf (extra, sizeof extra,
              "windows = { retro = [0, 12]; };\nlog = { level = \"%s\"; };\n", opts->log_level);
    ts_broker_t broker;
    if (ts_broker_start (&broker, extra)) {
        fprintf (
            stderr,
            "submissions: the broker did not start (CAMPAIGN_TEST_KEEP=1 keeps its log)\n");
        ts_broker_cleanup (&broker);
        return -1;
    }
    /*  The baseline file sits next to the broker's state dir: same filesystem. */
    int rc = s_raw_sqlite (broker.dir, opts->rows / 2, opts, raw);
    if (!rc)
        rc = s_submit (&broker, opts, acks);
    if (!rc)
        rc = s_raw_sqlite (broker.dir, opts->rows - opts->rows / 2, opts, raw);
    ts_broker_cleanup (&broker);
    return rc;
}

/* --------------------------------------------------------------------------
   Report */

static void
s_print_row (const s_result_t *result)
{
    char rate[32], before[32], after[32];
    if (result->parts == 0)
        printf ("%-28s %9s %8s %11s  %s\n", result->name, "-", "-", "-", "failed");
    else
        printf ("%-28s %9lld %8.2f %11s  %s\n", result->name, (long long)result->count,
                result->seconds, s_rate_text (result->rate, rate, sizeof rate), result->note);
    if (result->parts == 2)
        printf ("%-28s %9s %8s %11s  before %s/s, after %s/s\n", "", "", "", "",
                s_rate_text (result->part_rate[0], before, sizeof before),
                s_rate_text (result->part_rate[1], after, sizeof after));
}

static void
s_print_ratio (const char *what, const char *broker_name, const s_result_t *broker,
               const char *raw_name, const s_result_t *raw, double target)
{
    char a[32], b[32];
    if (broker->parts == 0 || raw->parts == 0 || raw->rate <= 0) {
        printf ("%s: not measured (a phase failed)\n", what);
        return;
    }
    double ratio = broker->rate / raw->rate;
    printf ("%s: %s %s/s vs %s %s/s = %.2f (target %.2g)%s%s\n", what, broker_name,
            s_rate_text (broker->rate, a, sizeof a), raw_name,
            s_rate_text (raw->rate, b, sizeof b), ratio, target,
            ratio >= target ? "" : " BELOW TARGET",
            broker->partial ? " (partial: --bound cut the run)" : "");
}

/* --------------------------------------------------------------------------
   Arguments */

static int
s_number (const char *flag, const char *value, int lo, int hi, int *out)
{
    char *end = NULL;
    long number = value ? strtol (value, &end, 10) : 0;
    if (!value || !*value || *end || number < lo || number > hi) {
        fprintf (stderr, "campaign-bench: %s needs a whole number in %d..%d, not '%s'\n%s",
                 flag, lo, hi, value ? value : "", s_usage);
        return -1;
    }
    *out = (int)number;
    return 0;
}

static int
s_parse (int argc, char **argv, s_options_t *opts)
{
    *opts = (s_options_t){.run_tasks = true,
                          .run_submissions = true,
                          .tasks = 100000,
                          .raw = 2000000,
                          .window = 128,
                          .agents = 2,
                          .rows = 0, /* clients x requests */
                          .batch = 64,
                          .clients = 64,
                          .requests = 1000,
                          .log_level = "info",
                          .bound_ms = 55000};
    /*  --quick first, so sizes given beside it still win. */
    for (int i = 1; i < argc; i++)
        if (strcmp (argv[i], "--quick") == 0) {
            opts->quick = true;
            opts->tasks = 20000;
            opts->raw = 1000000;
            opts->requests = 300;
        }
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        int bound_s = 0, rc = 0;
        if (strcmp (flag, "--quick") == 0)
            continue;
        if (strcmp (flag, "-h") == 0 || strcmp (flag, "--help") == 0) {
            fputs (s_usage, stdout);
            return 1;
        }
        if (strcmp (flag, "--only") == 0 && value && strcmp (value, "tasks") == 0)
            opts->run_submissions = false;
        else if (strcmp (flag, "--only") == 0 && value && strcmp (value, "submissions") == 0)
            opts->run_tasks = false;
        else if (strcmp (flag, "--log-level") == 0 && value)
            opts->log_level = value;
        else if (strcmp (flag, "--tasks") == 0)
            rc = s_number (flag, value, 1, 10000000, &opts->tasks);
        else if (strcmp (flag, "--raw") == 0)
            rc = s_number (flag, value, 1, 100000000, &opts->raw);
        else if (strcmp (flag, "--window") == 0)
            rc = s_number (flag, value, 1, 2048, &opts->window);
        else if (strcmp (flag, "--agents") == 0)
            rc = s_number (flag, value, 1, 64, &opts->agents);
        else if (strcmp (flag, "--rows") == 0)
            rc = s_number (flag, value, 1, 100000000, &opts->rows);
        else if (strcmp (flag, "--batch") == 0)
            rc = s_number (flag, value, 1, 100000, &opts->batch);
        else if (strcmp (flag, "--clients") == 0)
            rc = s_number (flag, value, 1, 512, &opts->clients);
        else if (strcmp (flag, "--requests") == 0)
            rc = s_number (flag, value, 1, 1000000, &opts->requests);
        else if (strcmp (flag, "--bound") == 0) {
            rc = s_number (flag, value, 1, 3600, &bound_s);
            opts->bound_ms = bound_s * 1000;
        } else {
            fprintf (stderr, "campaign-bench: unknown or incomplete option '%s'\n%s", flag,
                     s_usage);
            return -1;
        }
        if (rc)
            return -1;
        i++; /* every option but --quick and --help takes a value */
    }
    if (opts->rows == 0)
        opts->rows = opts->clients * opts->requests;
    if (opts->window / opts->agents < 1 || opts->window / opts->agents > 1024) {
        fprintf (stderr, "campaign-bench: window/agents must be 1..1024 (agents.capacity)\n");
        return -1;
    }
    return 0;
}

int
main (int argc, char **argv)
{
    s_options_t opts;
    int rc = s_parse (argc, argv, &opts);
    if (rc)
        return rc > 0 ? 0 : 2;
    signal (SIGPIPE, SIG_IGN);
    s_result_t raw_zmq = {.name = "raw zmq echo round trips"},
               enqueue = {.name = "broker run-task enqueue"},
               round_trip = {.name = "broker task round trips"},
               raw_sqlite = {.name = "raw sqlite journal rows"},
               acks = {.name = "broker durable acks"};
    printf ("campaign-bench%s: %ld cpus, window %d, %d tasks, %d agents, %d rows, "
            "%d clients x %d, log %s\n",
            opts.quick ? " --quick" : "", sysconf (_SC_NPROCESSORS_ONLN), opts.window,
            opts.tasks, opts.agents, opts.rows, opts.clients, opts.requests, opts.log_level);
    fflush (stdout);
    /*  One budget for the whole run; slow tasks must not eat the submissions' share. */
    int64_t now = zclock_usecs (), run_end = now + (int64_t)opts.bound_ms * 1000;
    opts.deadline_us = opts.run_submissions ? now + (run_end - now) * 6 / 10 : run_end;
    int failed = 0;
    if (opts.run_tasks && s_task_section (&opts, &raw_zmq, &enqueue, &round_trip))
        failed++;
    opts.deadline_us = run_end;
    if (opts.run_submissions && s_submission_section (&opts, &raw_sqlite, &acks))
        failed++;

    printf ("\n%-28s %9s %8s %11s  %s\n", "measure", "count", "seconds", "per second", "notes");
    if (opts.run_tasks) {
        s_print_row (&raw_zmq);
        s_print_row (&enqueue);
        s_print_row (&round_trip);
    }
    if (opts.run_submissions) {
        s_print_row (&raw_sqlite);
        s_print_row (&acks);
    }
    printf ("\n");
    if (opts.run_tasks)
        s_print_ratio ("task round trip", "broker", &round_trip, "raw zmq", &raw_zmq, 0.5);
    if (opts.run_submissions)
        s_print_ratio ("durable submissions", "broker", &acks, "raw sqlite", &raw_sqlite, 0.25);
    return failed ? 1 : 0;
}
