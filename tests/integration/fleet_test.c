/*  fleet_test.c: campaign-fleet runs a campaign's daemons like an operator expects.

    start returns once the broker answers and every agent instance has registered; a
    second start is refused; SIGHUP is passed on; a killed agent and a killed broker come back
   (and the campaign goes on); a crash-looping process is given up on; restart of a kind or of
    everything; stop leaves nothing running and can be repeated (SPEC sections 1, 7, 8;
    issue 8). The fixture writes the configuration layers and starts a broker; that
    broker is stopped at once, since the fleet runs its own on the same layers plus a
    fleet section of stand-in agents (campaign-test-agent) with short timings.

    The supervisor daemonizes, so the fixture's teardown cannot reach it: every test's
    fini runs `campaign-fleet stop` and, as a last resort, kills every pid the pid and
    status files name. */
#include "test_support.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TS_SUITE (fleet);

/*  Two test-worker instances and one stand-in of a real kind. */
#define S_AGENTS                                                                               \
    "        { kind = \"test-worker\"; instances = 2; executable = \"campaign-test-agent\";\n" \
    "          args = [\"--kind\", \"test-worker\"]; },\n"                                     \
    "        { kind = \"customer-segmentation-analyst\"; executable = "                        \
    "\"campaign-test-agent\";\n"                                                               \
    "          args = [\"--kind\", \"customer-segmentation-analyst\"]; }\n"
#define S_TIMINGS                                                                              \
    "    restart_min_ms = 50; restart_max_ms = 400; fast_crash_ms = 5000;\n"                   \
    "    give_up_after = 3; start_timeout_ms = 20000; stop_timeout_ms = 5000;\n"

static const char s_fleet_layer[] =
    "fleet = {\n    agents = (\n" S_AGENTS "    );\n" S_TIMINGS "};\n";

/*  The same, and test-other, which exits 2 at once (a usage error), every time. */
static const char s_crash_layer[] =
    "fleet = {\n    agents = (\n" S_AGENTS
    "        ,{ kind = \"test-other\"; executable = \"campaign-test-agent\";\n"
    "          args = [\"--kind\", \"test-other\", \"--no-such-option\"]; }\n"
    "    );\n" S_TIMINGS "};\n";

static const char *const s_names[] = {"campaign-broker", "test-worker-1", "test-worker-2",
                                      "customer-segmentation-analyst-1", NULL};

/*  The campaign of the current test (one test per worker process at a time). */
static ts_broker_t s_broker;

/* --------------------------------------------------------------------------
   The fleet's files */

typedef struct {
    char name[256];
    int pid;
    long long started_ms;
    int restarts;
    char state[16];
    char last_exit[32];
} s_entry_t;

static char *
s_state_path (const char *name)
{
    char *path = NULL;
    return asprintf (&path, "%s/state/%s", s_broker.dir, name) < 0 ? NULL : path;
}

/*  The line of the status file for name; false if there is none (yet). */
static bool
s_entry (const char *name, s_entry_t *out)
{
    char *path = s_state_path ("fleet.status");
    char *text = path ? ts_read_file (path) : NULL;
    free (path);
    bool found = false;
    for (char *line = text ? strtok (text, "\n") : NULL; line && !found;
         line = strtok (NULL, "\n")) {
        s_entry_t entry;
        if (line[0] != '#' &&
            sscanf (line, "%255s %d %lld %d %15s %31s", entry.name, &entry.pid,
                    &entry.started_ms, &entry.restarts, entry.state, entry.last_exit) == 6 &&
            strcmp (entry.name, name) == 0) {
            *out = entry;
            found = true;
        }
    }
    free (text);
    return found;
}

/*  Every pid the status file names (running_only: of processes it shows as running,
    stopping or restarting), then the supervisor's from the pid file, if there is one. */
static int
s_pids (int *pids, int max, bool running_only)
{
    static const char *const also[] = {"test-other-1", NULL};
    int n = 0;
    s_entry_t entry;
    for (int i = 0; i < 6 && n < max; i++) {
        const char *name = i < 4 ? s_names[i] : also[i - 4];
        if (name && s_entry (name, &entry) && entry.pid > 0 &&
            (!running_only || strcmp (entry.state, "running") == 0 ||
             strcmp (entry.state, "stopping") == 0 || strcmp (entry.state, "restarting") == 0))
            pids[n++] = entry.pid;
    }
    char *path = s_state_path ("campaign-fleet.pid");
    char *text = path ? ts_read_file (path) : NULL;
    if (text && atoi (text) > 0 && n < max)
        pids[n++] = atoi (text);
    free (text);
    free (path);
    return n;
}

/*  Wait (bounded, re-reading the file) until name runs with a pid other than old_pid;
    the fresh entry goes to out. */
static bool
s_wait_restarted (const char *name, int old_pid, int timeout_ms, s_entry_t *out)
{
    long long deadline = ts_now_ms () + timeout_ms;
    while (ts_now_ms () < deadline) {
        if (s_entry (name, out) && out->pid != old_pid && strcmp (out->state, "running") == 0)
            return true;
        poll (NULL, 0, 20); /* the status file is rewritten, not announced */
    }
    return false;
}

static bool
s_wait_state (const char *name, const char *state, int timeout_ms, s_entry_t *out)
{
    long long deadline = ts_now_ms () + timeout_ms;
    while (ts_now_ms () < deadline) {
        if (s_entry (name, out) && strcmp (out->state, state) == 0)
            return true;
        poll (NULL, 0, 20);
    }
    return false;
}

/*  Gone: no such process. The supervisor is nobody's child once it daemonized, so its
    reaper may be slower than we look; a zombie of it counts as gone. */
static bool
s_gone (int pid, bool zombie_ok)
{
    if (kill (pid, 0) == -1 && errno == ESRCH)
        return true;
    if (!zombie_ok)
        return false;
    char path[64];
    snprintf (path, sizeof path, "/proc/%d/stat", pid);
    char *text = ts_read_file (path);
    char *close_paren = text ? strrchr (text, ')') : NULL;
    bool zombie = close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z';
    free (text);
    return zombie || !text;
}

/* --------------------------------------------------------------------------
   Running the tool */

static int
s_fleet (char **out, char **err, const char *command, const char *arg)
{
    return ts_tool (&s_broker, out, err, "campaign-fleet", command, arg, NULL);
}

/*  The fixture writes the layers and starts its broker; the fleet brings its own. */
static void
s_setup (const char *extra)
{
    cr_assert_eq (ts_broker_start (&s_broker, extra), 0, "the fixture's broker did not start");
    cr_assert_eq (ts_broker_signal (&s_broker, SIGTERM), 0);
}

static void
s_start (void)
{
    char *out = NULL, *err = NULL;
    int rc = s_fleet (&out, &err, "start", NULL);
    cr_assert_eq (rc, 0, "start: %d\n%s%s", rc, out, err);
    cr_expect (out && strstr (out, "is up"), "start says so: %s", out);
    free (out);
    free (err);
}

static void
s_teardown (void)
{
    if (s_broker.dir && s_broker.config) {
        /*  Only what was alive before: a pid of a process that ended long ago may have
            been given to another. */
        int pids[16];
        int n = s_pids (pids, 16, true);
        s_fleet (NULL, NULL, "stop", NULL);
        for (int i = 0; i < n; i++)
            if (!s_gone (pids[i], true)) {
                fprintf (stderr, "fleet_test: pid %d survived 'campaign-fleet stop'\n",
                         pids[i]);
                kill (pids[i], SIGKILL);
            }
    }
    ts_broker_cleanup (&s_broker);
}

/*  Stop the fleet and check nothing of it is left. */
static void
s_stop_and_check (void)
{
    int pids[16];
    int n = s_pids (pids, 16, false);
    cr_assert_geq (n, 5, "every process and the supervisor have pids");
    char *out = NULL;
    int rc = s_fleet (&out, NULL, "stop", NULL);
    cr_expect_eq (rc, 0, "stop: %d %s", rc, out);
    cr_expect (out && strstr (out, "stopped the fleet of campaign 'test-campaign'"), "%s", out);
    free (out);
    /*  The supervisor reaps its children before it goes: they are gone outright. */
    for (int i = 0; i < n - 1; i++)
        cr_expect (s_gone (pids[i], false), "pid %d is still alive after stop", pids[i]);
    cr_expect (s_gone (pids[n - 1], true), "the supervisor (pid %d) is still alive",
               pids[n - 1]);
    /*  After the stop the status file names the last pids: gone too. */
    n = s_pids (pids, 16, false);
    for (int i = 0; i < n; i++)
        cr_expect (s_gone (pids[i], true), "pid %d (status file) is still alive", pids[i]);
}

/* --------------------------------------------------------------------------
   Snapshots */

typedef struct {
    const char *kind;
    const char *instance;
    long long since_ms; /* heard from since this process started */
} s_agent_want_t;

static bool
s_agent_registered (const Campaign__Snapshot *snap, void *arg)
{
    s_agent_want_t *want = arg;
    for (size_t i = 0; i < snap->n_agents; i++) {
        const Campaign__AgentState *agent = snap->agents[i];
        if (strcmp (agent->kind, want->kind) == 0 &&
            strcmp (agent->instance, want->instance) == 0 &&
            (strcmp (agent->state, "ready") == 0 || strcmp (agent->state, "busy") == 0) &&
            agent->last_seen_ms >= want->since_ms)
            return true;
    }
    return false;
}

/*  Every agent of the fleet is registered, each since its current process started. */
static bool
s_all_registered (const Campaign__Snapshot *snap, void *arg)
{
    static const struct {
        const char *name, *kind, *instance;
    } agents[] = {{"test-worker-1", "test-worker", "1"},
                  {"test-worker-2", "test-worker", "2"},
                  {"customer-segmentation-analyst-1", "customer-segmentation-analyst", "1"}};
    for (size_t i = 0; i < sizeof agents / sizeof agents[0]; i++) {
        s_entry_t entry;
        if (!s_entry (agents[i].name, &entry))
            return false;
        s_agent_want_t want = {agents[i].kind, agents[i].instance, entry.started_ms};
        if (!s_agent_registered (snap, &want))
            return false;
    }
    return true;
}

static bool
s_journal_at_least (const Campaign__Snapshot *snap, void *arg)
{
    for (size_t i = 0; i < snap->n_journal; i++)
        if (strcmp (snap->journal[i]->name, "retro") == 0)
            return snap->journal[i]->count >= *(uint64_t *)arg;
    return false;
}

static int
s_retro (const char *text)
{
    return ts_tool (&s_broker, NULL, NULL, "campaign-submit", "--as", "ops-1", "retro",
                    "--kind", "worked", "--text", text, NULL);
}

/* --------------------------------------------------------------------------
   Tests */

Test (fleet, start_status_refuse_stop, .timeout = 120, .fini = s_teardown)
{
    s_setup (s_fleet_layer);
    s_start ();
    cr_expect_eq (ts_wait_snapshot (&s_broker, 5000, s_all_registered, NULL), 0,
                  "the snapshot lists every agent of the fleet");

    char *out = NULL, *err = NULL;
    cr_expect_eq (s_fleet (&out, NULL, "status", NULL), 0, "status of a running fleet");
    for (int i = 0; s_names[i]; i++)
        cr_expect (out && strstr (out, s_names[i]), "status shows %s:\n%s", s_names[i], out);
    cr_expect (out && strstr (out, "answers"), "the broker answers:\n%s", out);
    free (out);
    cr_expect_eq (s_fleet (&out, NULL, "status", "--json"), 0);
    json_t *root = out ? json_loads (out, 0, NULL) : NULL;
    cr_assert_not_null (root, "status --json is JSON: %s", out);
    json_t *processes = json_object_get (root, "processes");
    cr_expect_eq (json_array_size (processes), 4);
    for (size_t i = 0; i < json_array_size (processes); i++) {
        json_t *item = json_array_get (processes, i);
        cr_expect_str_eq (json_string_value (json_object_get (item, "state")), "running");
        cr_expect (json_is_true (json_object_get (item, "registered")), "%s registered",
                   json_string_value (json_object_get (item, "name")));
    }
    json_decref (root);
    free (out);

    /*  A second start of the same campaign is refused and names the running fleet. */
    int pids[16];
    int n = s_pids (pids, 16, false);
    char pid_text[32];
    snprintf (pid_text, sizeof pid_text, "pid %d", pids[n - 1]);
    cr_expect_eq (s_fleet (&out, &err, "start", NULL), 1, "a second start is refused");
    cr_expect (err && strstr (err, "already running") && strstr (err, "test-campaign") &&
                   strstr (err, pid_text),
               "the refusal names the fleet: %s", err);
    free (out);
    free (err);

    /*  SIGHUP to the supervisor reaches its processes (the broker says it reloaded). */
    cr_assert_eq (kill (pids[n - 1], SIGHUP), 0);
    char *log = s_state_path ("logs/campaign-broker.log");
    cr_expect (ts_wait_file_contains (log, "SIGHUP: configuration reloaded", 10000),
               "the broker got the SIGHUP");
    free (log);

    s_stop_and_check ();
    cr_expect_eq (s_fleet (&out, NULL, "stop", NULL), 0, "stop again is fine");
    cr_expect (out && strstr (out, "no fleet"), "%s", out);
    free (out);
    cr_expect_eq (s_fleet (&out, NULL, "status", NULL), 1, "status of a stopped fleet");
    cr_expect (out && strstr (out, "not running"), "%s", out);
    free (out);
}

Test (fleet, a_killed_agent_is_restarted_and_registers_again, .timeout = 120,
      .fini = s_teardown)
{
    s_setup (s_fleet_layer);
    s_start ();
    s_entry_t before, after;
    cr_assert (s_entry ("test-worker-1", &before));
    cr_assert_eq (kill (before.pid, SIGKILL), 0);
    cr_assert (s_wait_restarted ("test-worker-1", before.pid, 10000, &after),
               "the supervisor did not restart test-worker-1");
    cr_expect_eq (after.restarts, 1);
    cr_expect_str_eq (after.last_exit, "signal:9");
    s_agent_want_t want = {"test-worker", "1", after.started_ms};
    cr_expect_eq (ts_wait_snapshot (&s_broker, 10000, s_agent_registered, &want), 0,
                  "the restarted instance did not register");
    char *out = NULL;
    cr_expect_eq (s_fleet (&out, NULL, "status", NULL), 0);
    cr_expect (out && strstr (out, "signal:9"), "status shows the last exit:\n%s", out);
    free (out);
    s_stop_and_check ();
}

Test (fleet, a_killed_broker_comes_back_and_the_campaign_goes_on, .timeout = 120,
      .fini = s_teardown)
{
    s_setup (s_fleet_layer);
    s_start ();
    cr_assert_eq (s_retro ("before the broker was killed"), 0);
    s_entry_t before, after;
    cr_assert (s_entry ("campaign-broker", &before));
    cr_assert_eq (kill (before.pid, SIGKILL), 0);
    cr_assert (s_wait_restarted ("campaign-broker", before.pid, 10000, &after),
               "the supervisor did not restart the broker");
    cr_expect_eq (after.restarts, 1);
    /*  campaign-submit retries until the new broker answers. */
    cr_expect_eq (s_retro ("after the broker came back"), 0, "a submission is accepted");
    uint64_t two = 2;
    cr_expect_eq (ts_wait_snapshot (&s_broker, 10000, s_journal_at_least, &two), 0,
                  "both submissions are in the journal");
    cr_expect_eq (ts_wait_snapshot (&s_broker, 15000, s_all_registered, NULL), 0,
                  "the agents registered with the new broker");
    s_stop_and_check ();
}

Test (fleet, a_crash_looping_process_is_given_up, .timeout = 120, .fini = s_teardown)
{
    s_setup (s_crash_layer);
    char *out = NULL, *err = NULL;
    cr_expect_eq (s_fleet (&out, &err, "start", NULL), 1, "start reports the failure");
    cr_expect (err && strstr (err, "test-other-1: failed") && strstr (err, "no-such-option"),
               "start names it, with its log:\n%s", err);
    free (out);
    free (err);
    s_entry_t entry;
    cr_assert (s_wait_state ("test-other-1", "failed", 10000, &entry));
    cr_expect_eq (entry.restarts, 2, "give_up_after = 3: started three times");
    cr_expect_str_eq (entry.last_exit, "exit:2");
    char *log = s_state_path ("logs/campaign-fleet.log");
    cr_expect (ts_wait_file_contains (log, "giving up on test-other-1", 5000),
               "the supervisor logs why");
    free (log);
    cr_expect_eq (s_fleet (&out, NULL, "status", NULL), 0, "the others keep running");
    cr_expect (out && strstr (out, "failed"), "status shows it failed:\n%s", out);
    free (out);
    cr_expect_eq (ts_wait_snapshot (&s_broker, 10000, s_all_registered, NULL), 0);
    s_stop_and_check ();
}

Test (fleet, restart_of_a_kind_and_of_everything, .timeout = 120, .fini = s_teardown)
{
    s_setup (s_fleet_layer);
    s_start ();
    s_entry_t one, two, analyst, after;
    cr_assert (s_entry ("test-worker-1", &one) && s_entry ("test-worker-2", &two) &&
               s_entry ("customer-segmentation-analyst-1", &analyst));
    char *out = NULL, *err = NULL;
    int rc = s_fleet (&out, &err, "restart", "test-worker");
    cr_expect_eq (rc, 0, "restart test-worker: %s%s", out, err);
    free (out);
    free (err);
    /*  restart returns once both run again and registered. */
    cr_assert (s_entry ("test-worker-1", &after));
    cr_expect_neq (after.pid, one.pid);
    cr_expect_str_eq (after.last_exit, "exit:0", "a graceful stop");
    s_agent_want_t want = {"test-worker", "1", after.started_ms};
    cr_expect_eq (ts_wait_snapshot (&s_broker, 1000, s_agent_registered, &want), 0);
    cr_assert (s_entry ("test-worker-2", &after));
    cr_expect_neq (after.pid, two.pid);
    cr_assert (s_entry ("customer-segmentation-analyst-1", &after));
    cr_expect_eq (after.pid, analyst.pid, "other kinds are left alone");

    cr_expect_eq (s_fleet (NULL, &err, "restart", "no-such-kind"), 2);
    cr_expect (err && strstr (err, "not in this fleet"), "%s", err);
    free (err);

    int pids[16];
    int n = s_pids (pids, 16, false);
    cr_expect_eq (s_fleet (&out, NULL, "restart", NULL), 0, "restart everything");
    cr_expect (out && strstr (out, "is up"), "%s", out);
    free (out);
    for (int i = 0; i < n; i++)
        cr_expect (s_gone (pids[i], true), "pid %d of the first fleet is still alive", pids[i]);
    s_stop_and_check ();
}

Test (fleet, a_mistake_in_the_fleet_section_is_named_with_its_line, .timeout = 60,
      .fini = s_teardown)
{
    s_setup ("fleet = {\n"
             "    agents = (\n"
             "        { kind = \"no-such-kind\"; }\n"
             "    );\n"
             "};\n");
    char *err = NULL;
    cr_expect_eq (s_fleet (NULL, &err, "start", NULL), 4, "a configuration error");
    cr_expect (err && strstr (err, "extra.cfg:3") && strstr (err, "no-such-kind"),
               "file:line and the kind: %s", err);
    free (err);
    char *path = ts_write_file (s_broker.dir, "zero.cfg",
                                "fleet = { agents = ( { kind = \"test-worker\";\n"
                                "  instances = 0; } ); };\n");
    cr_expect_eq (ts_tool (&s_broker, NULL, &err, "campaign-fleet", "-c", path, "start", NULL),
                  4);
    cr_expect (err && strstr (err, "zero.cfg:2") && strstr (err, "instances"), "%s", err);
    free (err);
    free (path);
    cr_expect_eq (s_fleet (NULL, NULL, "status", NULL), 1, "nothing was started");
    cr_expect_eq (s_fleet (NULL, NULL, "bogus", NULL), 2, "usage error");
    char *out = NULL;
    cr_expect_eq (s_fleet (&out, NULL, "--help", NULL), 0);
    cr_expect (out && strstr (out, "restart TARGET") && strstr (out, "Exit codes"), "%s", out);
    free (out);
}
