/*  fleet.c: the fleet of one campaign and its supervisor (see fleet.h).

    Owns the process table: for each process its command line (built once, from copies of
    the configuration, so a reload cannot pull strings from under it), its log file and
    its supervision state. The supervisor is single-threaded and zmq-free: it blocks
    SIGCHLD, SIGTERM, SIGINT, SIGHUP and SIGUSR1, reads them from a signalfd and sleeps in
    poll(2) until a signal comes or the earliest timer is due (a back-off restart or a
    SIGKILL deadline). Children get an empty signal mask, /dev/null as stdin, their log
    as stdout/stderr, no other descriptor, and PR_SET_PDEATHSIG = SIGTERM, so a
    supervisor killed outright does not leave its fleet behind.
*/
#include "fleet.h"

#include "log.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BROKER_NAME   "campaign-broker"
#define MAX_INSTANCES 64

typedef enum { S_RUNNING, S_BACKOFF, S_RESTARTING, S_FAILED, S_STOPPING, S_STOPPED } s_state_t;

static const char *const s_state_names[] = {"running", "backoff",  "restarting",
                                            "failed",  "stopping", "stopped"};

typedef struct {
    char *name;     /* "campaign-broker" or "<kind>-<N>" */
    char *kind;     /* NULL for the broker */
    char *instance; /* "1".."N", NULL for the broker */
    char *exe;      /* resolved path */
    char **argv;    /* NULL-terminated, every string owned */
    char *log_path;
    pid_t pid;            /* running: its pid; otherwise the last one (0: never ran) */
    bool alive;           /* pid is a child we have not reaped */
    int64_t started_ms;   /* wall clock of the last start */
    int64_t started_mono; /* monotonic, for the fast-crash rule */
    int restarts;
    int fast_crashes;   /* consecutive crashes each within fast_crash_ms of the start */
    int64_t restart_at; /* monotonic, in S_BACKOFF */
    int64_t kill_at;    /* monotonic SIGKILL deadline after a SIGTERM; 0: none */
    bool requested;     /* a restart was asked for: start again at once when it exits */
    s_state_t state;
    char last_exit[32];
} s_proc_t;

typedef enum { S_PHASE_NONE, S_PHASE_AGENTS, S_PHASE_BROKER, S_PHASE_DONE } s_phase_t;

struct _fleet_t {
    char *campaign;
    char *state_dir;
    char *pid_path;
    char *status_path;
    char *request_path;
    char *log_dir;
    char *own_log_path;
    int64_t restart_min_ms;
    int64_t restart_max_ms;
    int64_t fast_crash_ms;
    int64_t give_up_after;
    int64_t start_timeout_ms;
    int64_t stop_timeout_ms;
    s_proc_t *procs; /* broker first */
    size_t nprocs;
    /*  Supervisor state. */
    s_phase_t phase;
    bool dirty; /* the status file is out of date */
};

static char *s_format (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static char *
s_format (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    char *text = NULL;
    if (vasprintf (&text, fmt, ap) < 0)
        text = NULL;
    va_end (ap);
    return text;
}

/* --------------------------------------------------------------------------
   Configuration */

static void
s_proc_free (s_proc_t *proc)
{
    free (proc->name);
    free (proc->kind);
    free (proc->instance);
    free (proc->exe);
    if (proc->argv)
        for (char **arg = proc->argv; *arg; arg++)
            free (*arg);
    free (proc->argv);
    free (proc->log_path);
}

void
fleet_destroy (fleet_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    fleet_t *self = *self_p;
    for (size_t i = 0; i < self->nprocs; i++)
        s_proc_free (&self->procs[i]);
    free (self->procs);
    free (self->campaign);
    free (self->state_dir);
    free (self->pid_path);
    free (self->status_path);
    free (self->request_path);
    free (self->log_dir);
    free (self->own_log_path);
    free (self);
    *self_p = NULL;
}

/*  The directory campaign-fleet's own binary is in, so sibling executables are found
    in a build tree and an install directory alike. */
static int
s_exe_dir (char *buf, size_t size, err_t *err)
{
    ssize_t n = readlink ("/proc/self/exe", buf, size - 1);
    if (n <= 0)
        return err_set (err, ERR_IO, "cannot read /proc/self/exe: %s", strerror (errno));
    buf[n] = '\0';
    char *slash = strrchr (buf, '/');
    if (slash)
        *slash = '\0';
    return 0;
}

static char *
s_resolve (const char *exe_dir, const char *executable)
{
    if (strchr (executable, '/'))
        return strdup (executable);
    return s_format ("%s/%s", exe_dir, executable);
}

/*  Fill proc's name, paths and command line: exe, extra args, every -c and -o of cli,
    and --instance N for an agent. */
static int
s_proc_init (fleet_t *self, s_proc_t *proc, cli_t *cli, const char *exe, const char *kind,
             int instance, const config_setting_t *args)
{
    proc->exe = strdup (exe);
    proc->kind = kind ? strdup (kind) : NULL;
    proc->instance = kind ? s_format ("%d", instance) : NULL;
    proc->name = kind ? s_format ("%s-%d", kind, instance) : strdup (BROKER_NAME);
    if (!proc->exe || (kind && (!proc->kind || !proc->instance)) || !proc->name)
        return ERR_NOMEM;
    proc->log_path = s_format ("%s/%s.log", self->log_dir, proc->name);
    int nargs = args ? config_setting_length (args) : 0;
    size_t cap = 1 + (size_t)nargs + 2 * (size_t)cli->nfiles + 2 * (size_t)cli->noverrides + 3;
    proc->argv = calloc (cap, sizeof (char *));
    if (!proc->log_path || !proc->argv)
        return ERR_NOMEM;
    size_t n = 0;
    proc->argv[n++] = strdup (exe);
    for (int i = 0; i < nargs; i++)
        proc->argv[n++] = strdup (config_setting_get_string_elem (args, i));
    for (int i = 0; i < cli->nfiles; i++) {
        proc->argv[n++] = strdup ("-c");
        proc->argv[n++] = strdup (cli->files[i]);
    }
    for (int i = 0; i < cli->noverrides; i++) {
        proc->argv[n++] = strdup ("-o");
        proc->argv[n++] = strdup (cli->overrides[i]);
    }
    if (kind) {
        proc->argv[n++] = strdup ("--instance");
        proc->argv[n++] = strdup (proc->instance);
    }
    for (size_t i = 0; i < n; i++)
        if (!proc->argv[i])
            return ERR_NOMEM;
    proc->state = S_STOPPED;
    snprintf (proc->last_exit, sizeof proc->last_exit, "-");
    return 0;
}

static bool
s_kind_configured (const config_setting_t *kinds, const char *kind)
{
    for (int i = 0; kinds && i < config_setting_length (kinds); i++) {
        const char *known = config_setting_get_string_elem (kinds, i);
        if (known && strcmp (known, kind) == 0)
            return true;
    }
    return false;
}

/*  Check one entry of fleet.agents; *instances and the strings are borrowed from conf. */
static int
s_check_agent (conf_t *conf, config_setting_t *entry, int index, const config_setting_t *kinds,
               bool strict, const char **kind, int *instances, const char **executable,
               config_setting_t **args, err_t *err)
{
    char where[512];
    conf_where (conf, entry, where, sizeof where);
    if (config_setting_type (entry) != CONFIG_TYPE_GROUP)
        return err_set (err, ERR_INVALID,
                        "%s: fleet.agents.[%d]: expected a group such as { kind = "
                        "\"customer-health-scorer\"; instances = 2; }",
                        where, index);
    static const char *const known[] = {"kind", "instances", "executable", "args", NULL};
    for (int i = 0; i < config_setting_length (entry); i++) {
        config_setting_t *member = config_setting_get_elem (entry, (unsigned)i);
        const char *name = config_setting_name (member);
        bool ok = false;
        for (int k = 0; known[k] && !ok; k++)
            ok = name && strcmp (name, known[k]) == 0;
        if (!ok)
            return err_set (err, ERR_INVALID,
                            "%s: fleet.agents.[%d]: unknown setting '%s' (expected kind, "
                            "instances, executable, args)",
                            conf_where (conf, member, where, sizeof where), index,
                            name ? name : "?");
    }
    config_setting_t *setting = config_setting_get_member (entry, "kind");
    if (!setting || config_setting_type (setting) != CONFIG_TYPE_STRING)
        return err_set (err, ERR_INVALID, "%s: fleet.agents.[%d]: 'kind' must be a string",
                        setting ? conf_where (conf, setting, where, sizeof where) : where,
                        index);
    *kind = config_setting_get_string (setting);
    if (strict && !s_kind_configured (kinds, *kind))
        return err_set (err, ERR_INVALID,
                        "%s: fleet.agents.[%d].kind: '%s' is not in agents.kinds, so the "
                        "broker would refuse it; add it there or correct the name",
                        conf_where (conf, setting, where, sizeof where), index, *kind);
    *instances = 1;
    if ((setting = config_setting_get_member (entry, "instances"))) {
        int type = config_setting_type (setting);
        long long value = type == CONFIG_TYPE_INT     ? config_setting_get_int (setting)
                          : type == CONFIG_TYPE_INT64 ? config_setting_get_int64 (setting)
                                                      : -1;
        if (value < 1 || value > MAX_INSTANCES)
            return err_set (
                err, ERR_INVALID, "%s: fleet.agents.[%d].instances: expected an integer 1..%d",
                conf_where (conf, setting, where, sizeof where), index, MAX_INSTANCES);
        *instances = (int)value;
    }
    *executable = *kind;
    if ((setting = config_setting_get_member (entry, "executable"))) {
        if (config_setting_type (setting) != CONFIG_TYPE_STRING ||
            !*config_setting_get_string (setting))
            return err_set (err, ERR_INVALID,
                            "%s: fleet.agents.[%d].executable: expected a program name or "
                            "path",
                            conf_where (conf, setting, where, sizeof where), index);
        *executable = config_setting_get_string (setting);
    }
    *args = config_setting_get_member (entry, "args");
    if (*args) {
        int type = config_setting_type (*args);
        bool ok = type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST;
        for (int i = 0; ok && i < config_setting_length (*args); i++)
            ok = config_setting_get_string_elem (*args, i) != NULL;
        if (!ok)
            return err_set (err, ERR_INVALID,
                            "%s: fleet.agents.[%d].args: expected strings, e.g. [\"--kind\", "
                            "\"%s\"]",
                            conf_where (conf, *args, where, sizeof where), index, *kind);
    }
    return 0;
}

static int
s_check_executable (conf_t *conf, const config_setting_t *setting, int index, const char *kind,
                    const char *path, err_t *err)
{
    if (access (path, X_OK) == 0)
        return 0;
    char where[512];
    const config_setting_t *member = config_setting_get_member (setting, "executable");
    conf_where (conf, member ? member : setting, where, sizeof where);
    return err_set (err, ERR_INVALID,
                    "%s: fleet.agents.[%d]: cannot run %s for kind '%s': %s%s%s%s", where,
                    index, path, kind, strerror (errno),
                    member ? ""
                           : " (not built yet? a stand-in runs it: executable = "
                             "\"campaign-test-agent\"; args = [\"--kind\", \"",
                    member ? "" : kind, member ? "" : "\"];)");
}

static int
s_read_timings (fleet_t *self, conf_t *conf, err_t *err)
{
    int rc = conf_int_range (conf, "fleet.restart_min_ms", 500, 1, 3600000,
                             &self->restart_min_ms, err);
    if (!rc)
        rc = conf_int_range (conf, "fleet.restart_max_ms", 30000, 1, 86400000,
                             &self->restart_max_ms, err);
    if (!rc)
        rc = conf_int_range (conf, "fleet.fast_crash_ms", 10000, 0, 86400000,
                             &self->fast_crash_ms, err);
    if (!rc)
        rc =
            conf_int_range (conf, "fleet.give_up_after", 5, 1, 1000, &self->give_up_after, err);
    if (!rc)
        rc = conf_int_range (conf, "fleet.start_timeout_ms", 30000, 100, 3600000,
                             &self->start_timeout_ms, err);
    if (!rc)
        rc = conf_int_range (conf, "fleet.stop_timeout_ms", 10000, 100, 3600000,
                             &self->stop_timeout_ms, err);
    if (!rc && self->restart_max_ms < self->restart_min_ms) {
        char where[512];
        rc = err_set (
            err, ERR_INVALID,
            "%s: fleet.restart_max_ms (%lld) is below fleet.restart_min_ms (%lld)",
            conf_where (conf, conf_lookup (conf, "fleet.restart_max_ms"), where, sizeof where),
            (long long)self->restart_max_ms, (long long)self->restart_min_ms);
    }
    return rc;
}

static int
s_read_paths (fleet_t *self, conf_t *conf, err_t *err)
{
    const char *campaign, *state_dir;
    int rc = conf_string (conf, "campaign.id", "campaign", &campaign, err);
    if (!rc)
        rc = conf_string (conf, "broker.state_dir", "/var/lib/campaign", &state_dir, err);
    if (rc)
        return rc;
    if (!*state_dir)
        return err_set (err, ERR_INVALID, "broker.state_dir is empty");
    self->campaign = strdup (campaign);
    self->state_dir = strdup (state_dir);
    self->pid_path = s_format ("%s/campaign-fleet.pid", state_dir);
    self->status_path = s_format ("%s/fleet.status", state_dir);
    self->request_path = s_format ("%s/campaign-fleet.request", state_dir);
    self->log_dir = s_format ("%s/logs", state_dir);
    self->own_log_path = s_format ("%s/logs/campaign-fleet.log", state_dir);
    if (!self->campaign || !self->state_dir || !self->pid_path || !self->status_path ||
        !self->request_path || !self->log_dir || !self->own_log_path)
        return err_set (err, ERR_NOMEM, "out of memory");
    return 0;
}

/*  The processes: the broker, then every instance of every fleet.agents entry. */
static int
s_read_processes (fleet_t *self, cli_t *cli, bool strict, err_t *err)
{
    conf_t *conf = cli->conf;
    char exe_dir[PATH_MAX];
    int rc = s_exe_dir (exe_dir, sizeof exe_dir, err);
    if (rc)
        return rc;
    config_setting_t *agents = conf_lookup (conf, "fleet.agents");
    if (!agents)
        return err_set (err, ERR_INVALID,
                        "setting 'fleet.agents' is missing: name the agents to run, e.g. "
                        "fleet = { agents = ( { kind = \"customer-health-scorer\"; "
                        "instances = 2; } ); } (config/campaign.cfg has the default)");
    char where[512];
    int type = config_setting_type (agents);
    if (type != CONFIG_TYPE_LIST &&
        !(type == CONFIG_TYPE_ARRAY && !config_setting_length (agents)))
        return err_set (err, ERR_INVALID,
                        "%s: fleet.agents: expected a list of groups ( { kind = ...; "
                        "instances = N; }, ... )",
                        conf_where (conf, agents, where, sizeof where));
    const config_setting_t *kinds = conf_lookup (conf, "agents.kinds");
    int n_entries = config_setting_length (agents);
    size_t total = 1;
    for (int i = 0; i < n_entries; i++) {
        config_setting_t *entry = config_setting_get_elem (agents, (unsigned)i);
        const char *kind, *executable;
        int instances;
        config_setting_t *args;
        rc = s_check_agent (conf, entry, i, kinds, strict, &kind, &instances, &executable,
                            &args, err);
        if (rc)
            return rc;
        for (int j = 0; j < i; j++) {
            const char *other = config_setting_get_string (config_setting_get_member (
                config_setting_get_elem (agents, (unsigned)j), "kind"));
            if (strcmp (other, kind) == 0)
                return err_set (err, ERR_INVALID,
                                "%s: fleet.agents.[%d]: kind '%s' is listed twice; give one "
                                "entry more instances instead",
                                conf_where (conf, entry, where, sizeof where), i, kind);
        }
        total += (size_t)instances;
    }
    self->procs = calloc (total, sizeof *self->procs);
    if (!self->procs)
        return err_set (err, ERR_NOMEM, "out of memory");
    char *broker_exe = s_resolve (exe_dir, BROKER_NAME);
    if (!broker_exe)
        return err_set (err, ERR_NOMEM, "out of memory");
    if (strict && access (broker_exe, X_OK) != 0) {
        rc = err_set (err, ERR_INVALID,
                      "cannot run %s: %s (campaign-fleet runs the broker "
                      "installed beside it)",
                      broker_exe, strerror (errno));
        free (broker_exe);
        return rc;
    }
    rc = s_proc_init (self, &self->procs[self->nprocs++], cli, broker_exe, NULL, 0, NULL);
    free (broker_exe);
    for (int i = 0; !rc && i < n_entries; i++) {
        config_setting_t *entry = config_setting_get_elem (agents, (unsigned)i);
        const char *kind, *executable;
        int instances;
        config_setting_t *args;
        s_check_agent (conf, entry, i, kinds, strict, &kind, &instances, &executable, &args,
                       err);
        char *exe = s_resolve (exe_dir, executable);
        if (!exe)
            return err_set (err, ERR_NOMEM, "out of memory");
        if (strict)
            rc = s_check_executable (conf, entry, i, kind, exe, err);
        for (int n = 1; !rc && n <= instances; n++)
            rc = s_proc_init (self, &self->procs[self->nprocs++], cli, exe, kind, n, args);
        free (exe);
    }
    if (rc == ERR_NOMEM)
        err_set (err, rc, "out of memory");
    return rc;
}

int
fleet_new (cli_t *cli, bool strict, fleet_t **out, err_t *err)
{
    fleet_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    int rc = s_read_paths (self, cli->conf, err);
    if (!rc)
        rc = s_read_timings (self, cli->conf, err);
    if (!rc)
        rc = s_read_processes (self, cli, strict, err);
    if (rc)
        fleet_destroy (&self);
    else
        *out = self;
    return rc;
}

const char *
fleet_campaign (fleet_t *self)
{
    return self->campaign;
}

const char *
fleet_state_dir (fleet_t *self)
{
    return self->state_dir;
}

const char *
fleet_pid_path (fleet_t *self)
{
    return self->pid_path;
}

const char *
fleet_status_path (fleet_t *self)
{
    return self->status_path;
}

const char *
fleet_request_path (fleet_t *self)
{
    return self->request_path;
}

const char *
fleet_log_dir (fleet_t *self)
{
    return self->log_dir;
}

int
fleet_start_timeout_ms (fleet_t *self)
{
    return (int)self->start_timeout_ms;
}

int
fleet_stop_timeout_ms (fleet_t *self)
{
    return (int)self->stop_timeout_ms;
}

size_t
fleet_size (fleet_t *self)
{
    return self->nprocs;
}

const char *
fleet_name (fleet_t *self, size_t index)
{
    return index < self->nprocs ? self->procs[index].name : NULL;
}

const char *
fleet_kind (fleet_t *self, size_t index)
{
    return index < self->nprocs ? self->procs[index].kind : NULL;
}

const char *
fleet_instance (fleet_t *self, size_t index)
{
    return index < self->nprocs ? self->procs[index].instance : NULL;
}

const char *
fleet_log_path (fleet_t *self, size_t index)
{
    return index < self->nprocs ? self->procs[index].log_path : NULL;
}

bool
fleet_matches (fleet_t *self, size_t index, const char *target)
{
    if (index >= self->nprocs || !target)
        return false;
    const s_proc_t *proc = &self->procs[index];
    return strcmp (proc->name, target) == 0 || (proc->kind && strcmp (proc->kind, target) == 0);
}

bool
fleet_targets (fleet_t *self, const char *target)
{
    for (size_t i = 0; i < self->nprocs; i++)
        if (fleet_matches (self, i, target))
            return true;
    return false;
}

/* --------------------------------------------------------------------------
   The status file */

static void
s_write_status (fleet_t *self)
{
    char *temp = s_format ("%s.tmp", self->status_path);
    FILE *file = temp ? fopen (temp, "we") : NULL;
    if (!file) {
        log_error ("cannot write %s: %s", temp ? temp : self->status_path, strerror (errno));
        free (temp);
        return;
    }
    fprintf (file,
             "# campaign-fleet of campaign '%s', supervisor pid %ld: name pid started_at_ms "
             "restarts state last_exit\n",
             self->campaign, (long)getpid ());
    for (size_t i = 0; i < self->nprocs; i++) {
        const s_proc_t *proc = &self->procs[i];
        fprintf (file, "%s %ld %lld %d %s %s\n", proc->name, (long)proc->pid,
                 (long long)proc->started_ms, proc->restarts, s_state_names[proc->state],
                 proc->last_exit);
    }
    if (fclose (file) != 0 || rename (temp, self->status_path) != 0)
        log_error ("cannot write %s: %s", self->status_path, strerror (errno));
    free (temp);
    self->dirty = false;
}

int
fleet_status_read (const char *path, fleet_entry_t **entries, size_t *count, err_t *err)
{
    FILE *file = fopen (path, "re");
    if (!file)
        return err_set (err, ERR_IO, "cannot read %s: %s", path, strerror (errno));
    fleet_entry_t *list = NULL;
    size_t n = 0, cap = 0;
    char line[1024];
    int line_no = 0, rc = 0;
    while (!rc && fgets (line, sizeof line, file)) {
        line_no++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            fleet_entry_t *bigger = realloc (list, cap * sizeof *list);
            if (!bigger) {
                rc = err_set (err, ERR_NOMEM, "out of memory");
                break;
            }
            list = bigger;
        }
        fleet_entry_t *entry = &list[n];
        memset (entry, 0, sizeof *entry);
        long long started;
        if (sscanf (line, "%255s %d %lld %d %15s %31s", entry->name, &entry->pid, &started,
                    &entry->restarts, entry->state, entry->last_exit) != 6)
            rc = err_set (err, ERR_PARSE, "%s:%d: not a status line: %s", path, line_no, line);
        entry->started_ms = started;
        n++;
    }
    fclose (file);
    if (rc) {
        free (list);
        return rc;
    }
    *entries = list;
    *count = n;
    return 0;
}

const fleet_entry_t *
fleet_entry_find (const fleet_entry_t *entries, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp (entries[i].name, name) == 0)
            return &entries[i];
    return NULL;
}

/* --------------------------------------------------------------------------
   Supervision */

/*  In the child, between fork and exec: only async-signal-safe calls. */
static void
s_exec_child (const s_proc_t *proc, int log_fd, pid_t supervisor)
{
    dup2 (log_fd, STDOUT_FILENO);
    dup2 (log_fd, STDERR_FILENO);
    sigset_t none;
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL);
    signal (SIGPIPE, SIG_DFL);
    /*  If the supervisor dies without stopping us, stop on our own. */
    prctl (PR_SET_PDEATHSIG, SIGTERM);
    if (getppid () != supervisor)
        _exit (127);
    if (close_range (3, ~0U, 0) != 0)
        for (int fd = 3; fd < 1024; fd++)
            close (fd);
    execv (proc->exe, proc->argv);
    static const char prefix[] = "campaign-fleet: cannot run ";
    if (write (STDERR_FILENO, prefix, sizeof prefix - 1) > 0 &&
        write (STDERR_FILENO, proc->exe, strlen (proc->exe)) > 0)
        (void)!write (STDERR_FILENO, "\n", 1);
    _exit (127);
}

static void s_crashed (fleet_t *self, s_proc_t *proc, int64_t now);

static void
s_timestamp (char *buf, size_t size)
{
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    strftime (buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
s_spawn (fleet_t *self, s_proc_t *proc)
{
    int64_t now = zclock_mono ();
    proc->started_mono = now;
    proc->started_ms = wire_now_ms ();
    proc->kill_at = 0;
    proc->requested = false;
    self->dirty = true;
    int log_fd = open (proc->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
        log_error ("cannot start %s: cannot open %s: %s", proc->name, proc->log_path,
                   strerror (errno));
        snprintf (proc->last_exit, sizeof proc->last_exit, "no-log");
        s_crashed (self, proc, now);
        return;
    }
    char stamp[32];
    s_timestamp (stamp, sizeof stamp);
    dprintf (log_fd, "--- %s campaign-fleet: starting %s (start %d)\n", stamp, proc->name,
             proc->restarts + 1);
    pid_t supervisor = getpid ();
    pid_t pid = fork ();
    if (pid == 0)
        s_exec_child (proc, log_fd, supervisor);
    close (log_fd);
    if (pid < 0) {
        log_error ("cannot start %s: fork: %s", proc->name, strerror (errno));
        snprintf (proc->last_exit, sizeof proc->last_exit, "no-fork");
        s_crashed (self, proc, now);
        return;
    }
    proc->pid = pid;
    proc->alive = true;
    proc->state = S_RUNNING;
    log_info ("started %s (pid %ld): %s", proc->name, (long)pid, proc->exe);
}

/*  proc ended on its own (or could not start): restart it after a back-off that doubles
    per consecutive fast crash, or give up on it. */
static void
s_crashed (fleet_t *self, s_proc_t *proc, int64_t now)
{
    self->dirty = true;
    if (now - proc->started_mono < self->fast_crash_ms)
        proc->fast_crashes++;
    else
        proc->fast_crashes = 0;
    if (proc->fast_crashes >= self->give_up_after) {
        proc->state = S_FAILED;
        log_error ("giving up on %s: it ended %d times in a row, each within %lld ms of its "
                   "start (last: %s); see %s, fix the cause, then run 'campaign-fleet "
                   "restart %s'",
                   proc->name, proc->fast_crashes, (long long)self->fast_crash_ms,
                   proc->last_exit, proc->log_path, proc->name);
        return;
    }
    int64_t delay = self->restart_min_ms;
    for (int i = 1; i < proc->fast_crashes && delay < self->restart_max_ms; i++)
        delay *= 2;
    if (delay > self->restart_max_ms)
        delay = self->restart_max_ms;
    proc->state = S_BACKOFF;
    proc->restart_at = now + delay;
    log_info ("restarting %s in %lld ms", proc->name, (long long)delay);
}

/*  SIGTERM proc, with a SIGKILL deadline; it goes to state. */
static void
s_terminate (fleet_t *self, s_proc_t *proc, s_state_t state, int64_t now)
{
    if (!proc->alive)
        return;
    kill (proc->pid, SIGTERM);
    proc->kill_at = now + self->stop_timeout_ms;
    proc->state = state;
    self->dirty = true;
}

static void
s_describe_exit (int status, char *buf, size_t size)
{
    if (WIFEXITED (status))
        snprintf (buf, size, "exit:%d", WEXITSTATUS (status));
    else if (WIFSIGNALED (status))
        snprintf (buf, size, "signal:%d", WTERMSIG (status));
    else
        snprintf (buf, size, "status:%d", status);
}

static void
s_reap (fleet_t *self, int64_t now)
{
    int status;
    pid_t pid;
    while ((pid = waitpid (-1, &status, WNOHANG)) > 0) {
        s_proc_t *proc = NULL;
        for (size_t i = 0; i < self->nprocs && !proc; i++)
            if (self->procs[i].alive && self->procs[i].pid == pid)
                proc = &self->procs[i];
        if (!proc)
            continue;
        proc->alive = false;
        proc->kill_at = 0;
        s_describe_exit (status, proc->last_exit, sizeof proc->last_exit);
        self->dirty = true;
        double lived = (double)(now - proc->started_mono) / 1000.0;
        if (self->phase != S_PHASE_NONE) {
            proc->state = proc->state == S_FAILED ? S_FAILED : S_STOPPED;
            log_info ("%s (pid %ld) stopped (%s)", proc->name, (long)pid, proc->last_exit);
        } else if (proc->requested) {
            log_info ("%s (pid %ld) ended (%s); starting it again as asked", proc->name,
                      (long)pid, proc->last_exit);
            proc->fast_crashes = 0;
            proc->restarts++;
            s_spawn (self, proc);
        } else {
            log_warn ("%s (pid %ld) ended (%s) after %.1f s; see %s", proc->name, (long)pid,
                      proc->last_exit, lived, proc->log_path);
            s_crashed (self, proc, now);
        }
    }
}

static bool
s_any_agent_alive (fleet_t *self)
{
    for (size_t i = 0; i < self->nprocs; i++)
        if (self->procs[i].kind && self->procs[i].alive)
            return true;
    return false;
}

static void
s_stop_begin (fleet_t *self, int64_t now)
{
    if (self->phase != S_PHASE_NONE)
        return;
    log_info ("stopping the fleet of campaign '%s': agents first, then the broker",
              self->campaign);
    self->phase = S_PHASE_AGENTS;
    for (size_t i = 0; i < self->nprocs; i++) {
        s_proc_t *proc = &self->procs[i];
        if (proc->state == S_BACKOFF)
            proc->state = S_STOPPED;
        if (proc->kind)
            s_terminate (self, proc, S_STOPPING, now);
    }
    self->dirty = true;
}

/*  Due back-off restarts, SIGKILL deadlines and the steps of a stop. */
static void
s_timers (fleet_t *self, int64_t now)
{
    for (size_t i = 0; i < self->nprocs; i++) {
        s_proc_t *proc = &self->procs[i];
        if (proc->state == S_BACKOFF && proc->restart_at <= now &&
            self->phase == S_PHASE_NONE) {
            proc->restarts++;
            s_spawn (self, proc);
        }
        if (proc->alive && proc->kill_at && proc->kill_at <= now) {
            log_warn ("%s (pid %ld) did not stop within %lld ms of SIGTERM: SIGKILL",
                      proc->name, (long)proc->pid, (long long)self->stop_timeout_ms);
            kill (proc->pid, SIGKILL);
            proc->kill_at = 0;
        }
    }
    if (self->phase == S_PHASE_AGENTS && !s_any_agent_alive (self)) {
        self->phase = S_PHASE_BROKER;
        s_terminate (self, &self->procs[0], S_STOPPING, now);
    }
    if (self->phase == S_PHASE_BROKER && !self->procs[0].alive)
        self->phase = S_PHASE_DONE;
}

/*  Milliseconds until the earliest timer, -1 for none. */
static int
s_next_timeout (fleet_t *self, int64_t now)
{
    int64_t next = -1;
    for (size_t i = 0; i < self->nprocs; i++) {
        const s_proc_t *proc = &self->procs[i];
        int64_t at = -1;
        if (proc->state == S_BACKOFF && self->phase == S_PHASE_NONE)
            at = proc->restart_at;
        if (proc->alive && proc->kill_at)
            at = at < 0 || proc->kill_at < at ? proc->kill_at : at;
        if (at >= 0 && (next < 0 || at < next))
            next = at;
    }
    if (next < 0)
        return -1;
    return next <= now ? 0 : (int)(next - now);
}

static void
s_restart_one (fleet_t *self, s_proc_t *proc, int64_t now)
{
    log_info ("restart of %s asked for", proc->name);
    if (proc->alive) {
        proc->requested = true;
        s_terminate (self, proc, S_RESTARTING, now);
    } else {
        proc->fast_crashes = 0;
        proc->restarts++;
        s_spawn (self, proc);
    }
}

/*  SIGUSR1: take the request file (one target a line) and act on each line. */
static void
s_take_requests (fleet_t *self, int64_t now)
{
    char *taken = s_format ("%s.taken", self->request_path);
    if (!taken || rename (self->request_path, taken) != 0) {
        if (errno != ENOENT)
            log_error ("cannot take %s: %s", self->request_path, strerror (errno));
        free (taken);
        return;
    }
    FILE *file = fopen (taken, "re");
    char line[512];
    while (file && fgets (line, sizeof line, file)) {
        line[strcspn (line, "\r\n")] = '\0';
        if (!*line)
            continue;
        if (self->phase != S_PHASE_NONE) {
            log_warn ("restart of '%s' ignored: the fleet is stopping", line);
            continue;
        }
        bool any = false;
        for (size_t i = 0; i < self->nprocs; i++)
            if (fleet_matches (self, i, line)) {
                any = true;
                s_restart_one (self, &self->procs[i], now);
            }
        if (!any)
            log_warn ("restart of '%s' ignored: no such process or kind in this fleet", line);
    }
    if (file)
        fclose (file);
    unlink (taken);
    free (taken);
}

/*  SIGHUP: re-read the configuration for log.level, and pass the signal on. */
static void
s_reload (fleet_t *self, cli_t *cli)
{
    err_t err;
    if (cli_reload (cli, &err) || cli_open_log (cli, &err))
        log_error ("SIGHUP: configuration not reloaded: %s", err.msg);
    else
        log_warn ("SIGHUP: configuration reloaded (log level %s); passing it on",
                  log_level_name (log_get_level ()));
    for (size_t i = 0; i < self->nprocs; i++)
        if (self->procs[i].alive)
            kill (self->procs[i].pid, SIGHUP);
}

/*  Become the daemon: pid in the pid file, stdio to /dev/null and our log. */
static int
s_settle (fleet_t *self, cli_t *cli, int lock_fd, err_t *err)
{
    char text[32];
    int len = snprintf (text, sizeof text, "%ld\n", (long)getpid ());
    if (ftruncate (lock_fd, 0) != 0 || pwrite (lock_fd, text, (size_t)len, 0) != len)
        return err_set (err, ERR_IO, "cannot write %s: %s", self->pid_path, strerror (errno));
    int null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
    int log_fd = open (self->own_log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int rc = 0;
    if (null_fd < 0 || log_fd < 0)
        rc = err_set (err, ERR_IO, "cannot open %s: %s",
                      null_fd < 0 ? "/dev/null" : self->own_log_path, strerror (errno));
    else if (dup2 (null_fd, STDIN_FILENO) < 0 || dup2 (log_fd, STDOUT_FILENO) < 0 ||
             dup2 (log_fd, STDERR_FILENO) < 0)
        rc = err_set (err, ERR_IO, "cannot redirect stdio: %s", strerror (errno));
    if (null_fd >= 0)
        close (null_fd);
    if (log_fd >= 0)
        close (log_fd);
    if (!rc)
        rc = cli_open_log (cli, err);
    unlink (self->request_path); /* a request left by an earlier fleet is not for us */
    return rc;
}

static void
s_report (int ready_fd, const char *text)
{
    if (ready_fd < 0)
        return;
    size_t len = strlen (text);
    (void)!write (ready_fd, text, len);
    close (ready_fd);
}

int
fleet_run (fleet_t *self, cli_t *cli, int lock_fd, int ready_fd)
{
    err_t err;
    int signal_fd = -1;
    int rc = s_settle (self, cli, lock_fd, &err);
    sigset_t set;
    sigemptyset (&set);
    sigaddset (&set, SIGCHLD);
    sigaddset (&set, SIGTERM);
    sigaddset (&set, SIGINT);
    sigaddset (&set, SIGHUP);
    sigaddset (&set, SIGUSR1);
    if (!rc && sigprocmask (SIG_BLOCK, &set, NULL) != 0)
        rc = err_set (&err, ERR_IO, "sigprocmask: %s", strerror (errno));
    if (!rc && (signal_fd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
        rc = err_set (&err, ERR_IO, "signalfd: %s", strerror (errno));
    if (rc) {
        char text[ERR_MSG_MAX + 16];
        snprintf (text, sizeof text, "error: %s\n", err.msg);
        s_report (ready_fd, text);
        log_error ("%s", err.msg);
        goto cleanup;
    }
    signal (SIGPIPE, SIG_IGN);
    log_info ("supervising the fleet of campaign '%s' (%zu processes, state in %s)",
              self->campaign, self->nprocs, self->state_dir);
    for (size_t i = 0; i < self->nprocs; i++)
        s_spawn (self, &self->procs[i]);
    s_write_status (self);
    s_report (ready_fd, "ok\n");

    while (self->phase != S_PHASE_DONE) {
        int64_t now = zclock_mono ();
        struct pollfd item = {.fd = signal_fd, .events = POLLIN};
        if (poll (&item, 1, s_next_timeout (self, now)) < 0 && errno != EINTR) {
            log_error ("poll: %s; stopping the fleet", strerror (errno));
            s_stop_begin (self, zclock_mono ());
        }
        bool child = false, stop = false, reload = false, request = false;
        struct signalfd_siginfo info;
        while (read (signal_fd, &info, sizeof info) == (ssize_t)sizeof info) {
            if (info.ssi_signo == SIGCHLD)
                child = true;
            else if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT)
                stop = true;
            else if (info.ssi_signo == SIGHUP)
                reload = true;
            else if (info.ssi_signo == SIGUSR1)
                request = true;
        }
        now = zclock_mono ();
        if (stop)
            s_stop_begin (self, now);
        if (child)
            s_reap (self, now);
        if (reload)
            s_reload (self, cli);
        if (request)
            s_take_requests (self, now);
        s_timers (self, now);
        if (self->dirty)
            s_write_status (self);
    }
    s_write_status (self);
    log_info ("the fleet of campaign '%s' is stopped", self->campaign);
cleanup:
    if (signal_fd >= 0)
        close (signal_fd);
    unlink (self->pid_path);
    close (lock_fd);
    return rc;
}
