/*  control.c: start, stop, status and restart of a fleet (see control.h).

    The pid file lock is the one truth about whether a fleet runs: the supervisor holds
    an exclusive flock on it for its whole life (the lock goes with its last descriptor,
    so even a SIGKILL'd supervisor releases it). `start` takes the lock before it forks,
    so two starts cannot both win, and hands it down to the supervisor. The supervisor
    is double-forked (setsid in between) so it is nobody's child and has no terminal; it
    says "ok" on a pipe once every process is launched. Only the foreground side talks
    to the broker (zmq is never set up before the fork).
*/
#include "control.h"

#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LOG_TAIL_LINES 8
#define READY_WAIT_MS  10000 /* the supervisor only forks and execs before it says ok */
#define POLL_PAUSE_MS  100   /* between two looks at the fleet while waiting */

static int
s_mkdirs (const char *path, err_t *err)
{
    char buf[4096];
    if (snprintf (buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return err_set (err, ERR_INVALID, "path too long: %s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir (buf, 0755);
            *p = '/';
        }
    if (mkdir (buf, 0755) != 0 && errno != EEXIST)
        return err_set (err, ERR_IO, "cannot create %s: %s", path, strerror (errno));
    return 0;
}

static pid_t
s_read_pid (int fd)
{
    char text[32] = "";
    ssize_t n = pread (fd, text, sizeof text - 1, 0);
    if (n > 0)
        text[n] = '\0';
    long pid = strtol (text, NULL, 10);
    return pid > 0 ? (pid_t)pid : -1;
}

/*  The supervisor's pid if a fleet runs, 0 if none does, -1 if one is just starting
    (locked, pid not written yet). */
static pid_t
s_running (fleet_t *fleet)
{
    int fd = open (fleet_pid_path (fleet), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    pid_t pid = 0;
    if (flock (fd, LOCK_SH | LOCK_NB) == 0)
        flock (fd, LOCK_UN);
    else
        pid = s_read_pid (fd);
    close (fd);
    return pid;
}

/*  Take the pid file's lock for a new supervisor: 0 with *fd_out, or ERR_STATE naming
    the fleet that holds it. */
static int
s_lock (fleet_t *fleet, int *fd_out, err_t *err)
{
    const char *path = fleet_pid_path (fleet);
    for (int attempt = 0; attempt < 10; attempt++) {
        int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return err_set (err, ERR_IO, "cannot open %s: %s", path, strerror (errno));
        if (flock (fd, LOCK_EX | LOCK_NB) != 0) {
            pid_t pid = s_read_pid (fd);
            close (fd);
            char pid_text[32] = "starting";
            if (pid > 0)
                snprintf (pid_text, sizeof pid_text, "pid %ld", (long)pid);
            return err_set (err, ERR_STATE,
                            "a fleet of campaign '%s' is already running (supervisor %s, "
                            "state dir %s); see 'campaign-fleet status', or 'campaign-fleet "
                            "stop' it first",
                            fleet_campaign (fleet), pid_text, fleet_state_dir (fleet));
        }
        /*  A supervisor that was exiting may have unlinked the file we locked. */
        struct stat held, named;
        if (fstat (fd, &held) == 0 && stat (path, &named) == 0 && held.st_ino == named.st_ino &&
            held.st_dev == named.st_dev) {
            *fd_out = fd;
            return 0;
        }
        close (fd);
    }
    return err_set (err, ERR_IO, "cannot lock %s: it keeps being replaced", path);
}

/*  A broker started outside the fleet for this campaign would make ours fail. */
static int
s_broker_free (fleet_t *fleet, err_t *err)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/campaign-broker.pid", fleet_state_dir (fleet));
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int rc = 0;
    if (flock (fd, LOCK_SH | LOCK_NB) == 0)
        flock (fd, LOCK_UN);
    else
        rc = err_set (err, ERR_STATE,
                      "a campaign-broker (pid %ld) already runs campaign '%s' in %s outside "
                      "a fleet; stop it first, the fleet starts its own",
                      (long)s_read_pid (fd), fleet_campaign (fleet), fleet_state_dir (fleet));
    close (fd);
    return rc;
}

/* --------------------------------------------------------------------------
   Looking at a fleet: its status file and a snapshot from its broker */

typedef struct {
    fleet_entry_t *entries; /* the status file; NULL if unreadable */
    size_t count;
    wire_envelope_t *snapshot; /* NULL: the broker did not answer */
} s_view_t;

static void
s_view_clear (s_view_t *view)
{
    free (view->entries);
    wire_free (&view->snapshot);
    memset (view, 0, sizeof *view);
}

/*  Status file first, then the snapshot: a process the file shows as started again is
    what the snapshot is compared with. */
static void
s_observe (fleet_t *fleet, client_t *client, int timeout_ms, s_view_t *view)
{
    s_view_clear (view);
    if (fleet_status_read (fleet_status_path (fleet), &view->entries, &view->count, NULL))
        view->entries = NULL;
    if (!client)
        return;
    client_set_timeout (client, timeout_ms < 100 ? 100 : timeout_ms, 0);
    wire_envelope_t *reply = NULL;
    if (client_snapshot (client, &reply, NULL) == 0)
        view->snapshot = reply;
}

static const fleet_entry_t *
s_entry (fleet_t *fleet, const s_view_t *view, size_t index)
{
    return view->entries
               ? fleet_entry_find (view->entries, view->count, fleet_name (fleet, index))
               : NULL;
}

/*  The broker: it answers. An agent: the snapshot lists its kind and instance as ready
    or busy, heard from since this process started (not a registration left by the one
    before it). *agent_state: the state the snapshot shows, or NULL. */
static bool
s_registered (fleet_t *fleet, const s_view_t *view, size_t index, const char **agent_state)
{
    if (agent_state)
        *agent_state = NULL;
    if (!view->snapshot)
        return false;
    const char *kind = fleet_kind (fleet, index);
    if (!kind)
        return true;
    const fleet_entry_t *entry = s_entry (fleet, view, index);
    const Campaign__Snapshot *snap = view->snapshot->snapshot;
    for (size_t i = 0; i < snap->n_agents; i++) {
        const Campaign__AgentState *agent = snap->agents[i];
        if (!agent->kind || !agent->instance || !agent->state ||
            strcmp (agent->kind, kind) != 0 ||
            strcmp (agent->instance, fleet_instance (fleet, index)) != 0)
            continue;
        if (agent_state)
            *agent_state = agent->state;
        bool live = strcmp (agent->state, "ready") == 0 || strcmp (agent->state, "busy") == 0;
        return live && (!entry || agent->last_seen_ms >= entry->started_ms);
    }
    return false;
}

static bool
s_is_running (const fleet_entry_t *entry)
{
    return entry && strcmp (entry->state, "running") == 0;
}

static void
s_duration (int64_t ms, char *buf, size_t size)
{
    long long s = ms / 1000;
    if (s < 60)
        snprintf (buf, size, "%llds", s);
    else if (s < 3600)
        snprintf (buf, size, "%lldm%02llds", s / 60, s % 60);
    else if (s < 86400)
        snprintf (buf, size, "%lldh%02lldm", s / 3600, s % 3600 / 60);
    else
        snprintf (buf, size, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

static void
s_registered_text (fleet_t *fleet, const s_view_t *view, size_t index, char *buf, size_t size)
{
    const char *agent_state;
    bool yes = s_registered (fleet, view, index, &agent_state);
    if (!fleet_kind (fleet, index))
        snprintf (buf, size, "%s", yes ? "answers" : "no answer");
    else if (!view->snapshot)
        snprintf (buf, size, "?");
    else if (agent_state)
        snprintf (buf, size, "%s (%s)", yes ? "yes" : "no", agent_state);
    else
        snprintf (buf, size, "no");
}

static void
s_print_table (fleet_t *fleet, const s_view_t *view, FILE *out)
{
    int width = 4;
    for (size_t i = 0; i < fleet_size (fleet); i++)
        if ((int)strlen (fleet_name (fleet, i)) > width)
            width = (int)strlen (fleet_name (fleet, i));
    fprintf (out, "%-*s  %7s  %8s  %8s  %-10s  %-14s  %s\n", width, "NAME", "PID", "UPTIME",
             "RESTARTS", "STATE", "REGISTERED", "LAST EXIT");
    int64_t now = wire_now_ms ();
    for (size_t i = 0; i < fleet_size (fleet); i++) {
        const fleet_entry_t *entry = s_entry (fleet, view, i);
        char pid[16] = "-", uptime[48] = "-", registered[64];
        if (s_is_running (entry)) {
            snprintf (pid, sizeof pid, "%d", entry->pid);
            s_duration (now - entry->started_ms, uptime, sizeof uptime);
        }
        s_registered_text (fleet, view, i, registered, sizeof registered);
        fprintf (out, "%-*s  %7s  %8s  %8d  %-10s  %-14s  %s\n", width, fleet_name (fleet, i),
                 pid, uptime, entry ? entry->restarts : 0, entry ? entry->state : "unknown",
                 registered, entry ? entry->last_exit : "-");
    }
}

/*  The last lines of a log, indented, so an operator sees why without opening it. */
static void
s_print_tail (const char *path, FILE *out)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf (out, "    (no log: %s)\n", strerror (errno));
        return;
    }
    char buf[8192];
    off_t size = lseek (fd, 0, SEEK_END);
    off_t from = size > (off_t)sizeof buf - 1 ? size - (off_t)sizeof buf + 1 : 0;
    ssize_t n = pread (fd, buf, sizeof buf - 1, from);
    close (fd);
    if (n <= 0) {
        fprintf (out, "    (log is empty)\n");
        return;
    }
    buf[n] = '\0';
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    char *start = buf + n;
    for (int lines = 0; start > buf && lines < LOG_TAIL_LINES; start--)
        if (start[-1] == '\n' && ++lines == LOG_TAIL_LINES)
            break;
    for (char *line = strtok (start, "\n"); line; line = strtok (NULL, "\n"))
        fprintf (out, "    %s\n", line);
}

typedef enum { S_WAIT_DONE, S_WAIT_FAILED, S_WAIT_GONE, S_WAIT_TIMEOUT } s_wait_t;

/*  Wait until every process runs and has registered (and, with target, the processes
    it names have started since before). A process the supervisor gave up on does not
    hold the others up: once they are there, that is S_WAIT_FAILED. Leaves the last
    look in view. */
static s_wait_t
s_wait_fleet (fleet_t *fleet, client_t *client, int64_t deadline, const char *target,
              const s_view_t *before, s_view_t *view)
{
    for (;;) {
        int64_t left = deadline - zclock_mono ();
        s_observe (fleet, client, left > 1000 ? 1000 : (int)left, view);
        bool done = view->entries != NULL, failed = false;
        for (size_t i = 0; i < fleet_size (fleet); i++) {
            const fleet_entry_t *entry = s_entry (fleet, view, i);
            if (entry && strcmp (entry->state, "failed") == 0) {
                failed = true;
                continue;
            }
            if (!s_is_running (entry) || !s_registered (fleet, view, i, NULL))
                done = false;
            if (entry && target && fleet_matches (fleet, i, target)) {
                const fleet_entry_t *old = s_entry (fleet, before, i);
                if (old && entry->started_ms <= old->started_ms)
                    done = false;
            }
        }
        if (done)
            return failed ? S_WAIT_FAILED : S_WAIT_DONE;
        if (s_running (fleet) == 0)
            return S_WAIT_GONE;
        if (zclock_mono () >= deadline)
            return S_WAIT_TIMEOUT;
        poll (NULL, 0, POLL_PAUSE_MS);
    }
}

/*  What did not come up, and the end of its log. */
static void
s_report_missing (fleet_t *fleet, const s_view_t *view, FILE *out)
{
    for (size_t i = 0; i < fleet_size (fleet); i++) {
        const fleet_entry_t *entry = s_entry (fleet, view, i);
        if (s_is_running (entry) && s_registered (fleet, view, i, NULL))
            continue;
        char registered[64];
        s_registered_text (fleet, view, i, registered, sizeof registered);
        fprintf (out, "%s: %s, registered: %s, last exit: %s; %s ends with:\n",
                 fleet_name (fleet, i), entry ? entry->state : "unknown", registered,
                 entry ? entry->last_exit : "-", fleet_log_path (fleet, i));
        s_print_tail (fleet_log_path (fleet, i), out);
    }
}

/*  The verdict of a wait, as an error for main and details on stderr. */
static int
s_wait_verdict (fleet_t *fleet, s_wait_t outcome, const s_view_t *view, const char *what,
                err_t *err)
{
    switch (outcome) {
    case S_WAIT_DONE: return 0;
    case S_WAIT_GONE: {
        char path[4096];
        snprintf (path, sizeof path, "%s/campaign-fleet.log", fleet_log_dir (fleet));
        fprintf (stderr, "%s ends with:\n", path);
        s_print_tail (path, stderr);
        return err_set (err, ERR_STATE, "%s: the supervisor exited; see %s", what, path);
    }
    case S_WAIT_FAILED:
        s_report_missing (fleet, view, stderr);
        return err_set (err, ERR_STATE,
                        "%s: the supervisor gave up on a process (state failed above); it "
                        "keeps running the others: fix the cause, then 'campaign-fleet "
                        "restart NAME', or 'campaign-fleet stop'",
                        what);
    default:
        s_report_missing (fleet, view, stderr);
        if (!view->snapshot)
            return err_set (err, ERR_UNREACHABLE,
                            "%s: the broker did not answer within %d ms; the supervisor "
                            "keeps running: 'campaign-fleet status' to look again, "
                            "'campaign-fleet stop' to stop it",
                            what, fleet_start_timeout_ms (fleet));
        return err_set (err, ERR_TIMEOUT,
                        "%s: not every process registered within %d ms (above); the "
                        "supervisor keeps running: 'campaign-fleet status' to look again, "
                        "'campaign-fleet stop' to stop it",
                        what, fleet_start_timeout_ms (fleet));
    }
}

static int
s_client (fleet_t *fleet, cli_t *cli, client_t **client, err_t *err)
{
    int rc = client_new_from_conf (cli->conf, "campaign-fleet", client, err);
    if (rc == ERR_INVALID)
        err_prefix (err, "configuration error: ");
    return rc;
}

/* --------------------------------------------------------------------------
   start */

/*  In the first child: detach, fork the supervisor, and leave. The supervisor runs the
    fleet and exits with the fleet; it never returns. */
static void
s_close_except (int keep_a, int keep_b)
{
    int low = keep_a < keep_b ? keep_a : keep_b, high = keep_a < keep_b ? keep_b : keep_a;
    if (low > 3)
        close_range (3, (unsigned)low - 1, 0);
    if (high > low + 1)
        close_range ((unsigned)low + 1, (unsigned)high - 1, 0);
    close_range ((unsigned)high + 1, ~0U, 0);
}

static void
s_become_supervisor (fleet_t *fleet, cli_t *cli, int lock_fd, int ready_fd)
{
    setsid ();
    pid_t pid = fork ();
    if (pid != 0)
        _exit (pid < 0 ? 1 : 0);
    umask (022);
    /*  Whatever our caller left open (a pipe a shell reads our output from) is not ours
        to keep open for the fleet's lifetime. */
    s_close_except (lock_fd, ready_fd);
    int rc = fleet_run (fleet, cli, lock_fd, ready_fd);
    fleet_destroy (&fleet);
    cli_end (cli);
    exit (rc ? CLI_EXIT_REJECTED : CLI_EXIT_OK);
}

/*  Read the supervisor's "ok" (or its error) from the pipe, bounded. */
static int
s_await_ready (int fd, err_t *err)
{
    char text[ERR_MSG_MAX + 16];
    size_t size = 0;
    int64_t deadline = zclock_mono () + READY_WAIT_MS;
    while (size < sizeof text - 1) {
        int64_t left = deadline - zclock_mono ();
        struct pollfd item = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll (&item, 1, (int)left) == 0)
            return err_set (err, ERR_TIMEOUT, "the supervisor did not report within %d ms",
                            READY_WAIT_MS);
        ssize_t n = read (fd, text + size, sizeof text - 1 - size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size += (size_t)n;
    }
    text[size] = '\0';
    text[strcspn (text, "\n")] = '\0';
    if (strcmp (text, "ok") == 0)
        return 0;
    return err_set (err, ERR_IO, "the supervisor could not start: %s",
                    *text ? text : "it exited at once");
}

int
control_start (fleet_t *fleet, cli_t *cli, err_t *err)
{
    int lock_fd = -1, ready[2] = {-1, -1};
    client_t *client = NULL;
    s_view_t view = {0};
    int rc = s_mkdirs (fleet_log_dir (fleet), err);
    if (!rc)
        rc = s_lock (fleet, &lock_fd, err);
    if (!rc)
        rc = s_broker_free (fleet, err);
    if (!rc && pipe2 (ready, O_CLOEXEC) != 0)
        rc = err_set (err, ERR_IO, "pipe: %s", strerror (errno));
    if (rc)
        goto cleanup;
    fflush (NULL);
    pid_t child = fork ();
    if (child < 0) {
        rc = err_set (err, ERR_IO, "fork: %s", strerror (errno));
        goto cleanup;
    }
    if (child == 0) {
        close (ready[0]);
        s_become_supervisor (fleet, cli, lock_fd, ready[1]);
    }
    /*  The supervisor holds the lock now; our copies go. */
    close (ready[1]);
    ready[1] = -1;
    close (lock_fd);
    lock_fd = -1;
    waitpid (child, NULL, 0);
    rc = s_await_ready (ready[0], err);
    if (rc)
        goto cleanup;
    rc = s_client (fleet, cli, &client, err);
    if (rc)
        goto cleanup;
    int64_t deadline = zclock_mono () + fleet_start_timeout_ms (fleet);
    s_wait_t outcome = s_wait_fleet (fleet, client, deadline, NULL, NULL, &view);
    rc = s_wait_verdict (fleet, outcome, &view, "start", err);
    if (!rc) {
        printf ("campaign-fleet: the fleet of campaign '%s' is up (supervisor pid %ld; "
                "logs in %s)\n",
                fleet_campaign (fleet), (long)s_running (fleet), fleet_log_dir (fleet));
        s_print_table (fleet, &view, stdout);
    }
cleanup:
    s_view_clear (&view);
    client_destroy (&client);
    if (lock_fd >= 0)
        close (lock_fd);
    if (ready[0] >= 0)
        close (ready[0]);
    if (ready[1] >= 0)
        close (ready[1]);
    return rc;
}

/* --------------------------------------------------------------------------
   stop */

/*  Wait (bounded) until pid is gone: a pidfd turns readable when it exits. */
static bool
s_wait_gone (pid_t pid, int timeout_ms)
{
    int fd = pidfd_open (pid, 0);
    if (fd >= 0) {
        struct pollfd item = {.fd = fd, .events = POLLIN};
        int n;
        while ((n = poll (&item, 1, timeout_ms)) < 0 && errno == EINTR)
            ;
        close (fd);
        return n > 0;
    }
    if (errno == ESRCH)
        return true;
    /*  No pidfd (old kernel): look again on a short tick. */
    int64_t deadline = zclock_mono () + timeout_ms;
    while (kill (pid, 0) == 0 || errno != ESRCH) {
        if (zclock_mono () >= deadline)
            return false;
        poll (NULL, 0, 20);
    }
    return true;
}

int
control_stop (fleet_t *fleet, cli_t *cli, err_t *err)
{
    pid_t pid = s_running (fleet);
    if (pid == 0) {
        printf ("campaign-fleet: no fleet of campaign '%s' is running (state dir %s)\n",
                fleet_campaign (fleet), fleet_state_dir (fleet));
        return 0;
    }
    if (pid < 0)
        return err_set (err, ERR_STATE,
                        "the fleet of campaign '%s' is just starting; try again in a moment",
                        fleet_campaign (fleet));
    if (kill (pid, SIGTERM) != 0 && errno != ESRCH)
        return err_set (err, ERR_IO, "cannot signal the supervisor (pid %ld): %s", (long)pid,
                        strerror (errno));
    /*  Agents, then the broker, each with stop_timeout_ms before SIGKILL; and a margin. */
    int timeout_ms = 2 * fleet_stop_timeout_ms (fleet) + 5000;
    if (!s_wait_gone (pid, timeout_ms)) {
        /*  Last resort: the supervisor is stuck. Kill it and what it ran. */
        fleet_entry_t *entries = NULL;
        size_t count = 0;
        kill (pid, SIGKILL);
        if (fleet_status_read (fleet_status_path (fleet), &entries, &count, NULL) == 0)
            for (size_t i = 0; i < count; i++)
                if (entries[i].pid > 0 && strcmp (entries[i].state, "stopped") != 0 &&
                    strcmp (entries[i].state, "failed") != 0 &&
                    strcmp (entries[i].state, "backoff") != 0)
                    kill (entries[i].pid, SIGKILL);
        free (entries);
        return err_set (err, ERR_TIMEOUT,
                        "the supervisor (pid %ld) did not stop within %d ms; killed it and its "
                        "processes (SIGKILL); see %s/campaign-fleet.log",
                        (long)pid, timeout_ms, fleet_log_dir (fleet));
    }
    printf ("campaign-fleet: stopped the fleet of campaign '%s' (supervisor pid %ld)\n",
            fleet_campaign (fleet), (long)pid);
    return 0;
}

/* --------------------------------------------------------------------------
   status */

static json_t *
s_status_json (fleet_t *fleet, const s_view_t *view, pid_t supervisor)
{
    json_t *root = json_object ();
    json_object_set_new (root, "campaign", json_string (fleet_campaign (fleet)));
    json_object_set_new (root, "running", json_boolean (supervisor != 0));
    json_object_set_new (root, "supervisor_pid",
                         supervisor > 0 ? json_integer (supervisor) : json_null ());
    json_object_set_new (root, "state_dir", json_string (fleet_state_dir (fleet)));
    json_object_set_new (root, "broker_answers", json_boolean (view->snapshot != NULL));
    json_t *list = json_array ();
    int64_t now = wire_now_ms ();
    for (size_t i = 0; i < fleet_size (fleet); i++) {
        const fleet_entry_t *entry = s_entry (fleet, view, i);
        const char *agent_state;
        bool registered = s_registered (fleet, view, i, &agent_state);
        bool running = s_is_running (entry);
        json_t *item = json_object ();
        json_object_set_new (item, "name", json_string (fleet_name (fleet, i)));
        json_object_set_new (item, "kind",
                             fleet_kind (fleet, i) ? json_string (fleet_kind (fleet, i))
                                                   : json_null ());
        json_object_set_new (item, "instance",
                             fleet_instance (fleet, i) ? json_string (fleet_instance (fleet, i))
                                                       : json_null ());
        json_object_set_new (item, "pid", running ? json_integer (entry->pid) : json_null ());
        json_object_set_new (item, "uptime_s",
                             running ? json_integer ((now - entry->started_ms) / 1000)
                                     : json_null ());
        json_object_set_new (item, "restarts", json_integer (entry ? entry->restarts : 0));
        json_object_set_new (item, "state", json_string (entry ? entry->state : "unknown"));
        json_object_set_new (item, "last_exit", json_string (entry ? entry->last_exit : "-"));
        json_object_set_new (item, "registered", json_boolean (registered));
        json_object_set_new (item, "agent_state",
                             agent_state ? json_string (agent_state) : json_null ());
        json_array_append_new (list, item);
    }
    json_object_set_new (root, "processes", list);
    return root;
}

int
control_status (fleet_t *fleet, cli_t *cli, bool json, err_t *err)
{
    pid_t pid = s_running (fleet);
    client_t *client = NULL;
    if (pid != 0) {
        int rc = s_client (fleet, cli, &client, err);
        if (rc)
            return rc;
    }
    s_view_t view = {0};
    s_observe (fleet, client, 2000, &view);
    client_destroy (&client);
    if (json) {
        json_t *root = s_status_json (fleet, &view, pid);
        char *text = json_dumps (root, JSON_COMPACT);
        if (text)
            printf ("%s\n", text);
        free (text);
        json_decref (root);
    } else if (pid != 0) {
        printf ("fleet of campaign '%s': supervisor pid %ld, state dir %s, broker %s\n",
                fleet_campaign (fleet), (long)pid, fleet_state_dir (fleet),
                view.snapshot ? "answers" : "does not answer");
        s_print_table (fleet, &view, stdout);
    } else {
        printf ("fleet of campaign '%s': not running (state dir %s)\n", fleet_campaign (fleet),
                fleet_state_dir (fleet));
        if (view.entries) {
            printf ("last known state:\n");
            s_print_table (fleet, &view, stdout);
        }
    }
    s_view_clear (&view);
    if (pid == 0)
        return err_set (err, ERR_STATE, "no fleet of campaign '%s' is running",
                        fleet_campaign (fleet));
    return 0;
}

/* --------------------------------------------------------------------------
   restart */

static int
s_request (fleet_t *fleet, pid_t pid, const char *target, err_t *err)
{
    int fd = open (fleet_request_path (fleet), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_set (err, ERR_IO, "cannot write %s: %s", fleet_request_path (fleet),
                        strerror (errno));
    char line[512];
    int len = snprintf (line, sizeof line, "%s\n", target);
    bool written = len < (int)sizeof line && write (fd, line, (size_t)len) == len;
    close (fd);
    if (!written)
        return err_set (err, ERR_IO, "cannot write %s", fleet_request_path (fleet));
    if (kill (pid, SIGUSR1) != 0)
        return err_set (err, ERR_STATE, "cannot signal the supervisor (pid %ld): %s", (long)pid,
                        strerror (errno));
    return 0;
}

int
control_restart (fleet_t *fleet, cli_t *cli, const char *target, err_t *err)
{
    if (!target) {
        int rc = control_stop (fleet, cli, err);
        return rc ? rc : control_start (fleet, cli, err);
    }
    if (!fleet_targets (fleet, target)) {
        char names[1024] = "campaign-broker";
        size_t used = strlen (names);
        for (size_t i = 1; i < fleet_size (fleet) && used < sizeof names; i++)
            used += (size_t)snprintf (names + used, sizeof names - used, ", %s",
                                      fleet_name (fleet, i));
        return err_set (err, ERR_USAGE,
                        "'%s' is not in this fleet: name an agent kind or one of %s", target,
                        names);
    }
    pid_t pid = s_running (fleet);
    if (pid <= 0)
        return err_set (err, ERR_STATE,
                        "no fleet of campaign '%s' is running; 'campaign-fleet start' starts "
                        "one",
                        fleet_campaign (fleet));
    client_t *client = NULL;
    s_view_t before = {0}, view = {0};
    int rc = s_client (fleet, cli, &client, err);
    if (!rc) {
        s_observe (fleet, NULL, 0, &before);
        rc = s_request (fleet, pid, target, err);
    }
    if (!rc) {
        int64_t deadline =
            zclock_mono () + fleet_stop_timeout_ms (fleet) + fleet_start_timeout_ms (fleet);
        s_wait_t outcome = s_wait_fleet (fleet, client, deadline, target, &before, &view);
        rc = s_wait_verdict (fleet, outcome, &view, "restart", err);
    }
    if (!rc) {
        printf ("campaign-fleet: restarted %s in the fleet of campaign '%s'\n", target,
                fleet_campaign (fleet));
        s_print_table (fleet, &view, stdout);
    }
    s_view_clear (&before);
    s_view_clear (&view);
    client_destroy (&client);
    return rc;
}
