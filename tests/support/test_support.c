/*  test_support.c: temp dirs, processes and the leak check for the suites. */
#include "test_support.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

/*  Every process a test starts, so a test that fails half-way (cr_assert leaves the
    test at once) still leaves nothing running. */
#define TS_MAX_CHILDREN 256
static pid_t s_children[TS_MAX_CHILDREN];
static int s_n_children;

static void
s_forget_child (pid_t pid)
{
    for (int i = 0; i < s_n_children; i++)
        if (s_children[i] == pid)
            s_children[i] = s_children[--s_n_children];
}

static void
s_kill_children (void)
{
    for (int i = 0; i < s_n_children; i++) {
        kill (s_children[i], SIGKILL);
        waitpid (s_children[i], NULL, 0);
    }
    s_n_children = 0;
}

void
ts_leak_check (void)
{
    s_kill_children ();
#if defined(__SANITIZE_ADDRESS__)
    if (__lsan_do_recoverable_leak_check ()) {
        fprintf (stderr, "LeakSanitizer found leaks in this test (report above)\n");
        abort ();
    }
#endif
}

long long
ts_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
ts_tempdir (void)
{
    const char *base = getenv ("TMPDIR");
    char *path = NULL;
    if (asprintf (&path, "%s/campaign-test-XXXXXX", base && *base ? base : "/tmp") < 0)
        return NULL;
    if (!mkdtemp (path)) {
        free (path);
        return NULL;
    }
    return path;
}

static int
s_remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

void
ts_tempdir_remove (char **dir_p)
{
    if (dir_p && *dir_p) {
        nftw (*dir_p, s_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        free (*dir_p);
        *dir_p = NULL;
    }
}

char *
ts_data_path (const char *name)
{
    char *path = NULL;
    if (asprintf (&path, "%s/%s", CAMPAIGN_TEST_DATA, name) < 0)
        return NULL;
    return path;
}

char *
ts_bin (const char *name)
{
    char *path = NULL;
    if (asprintf (&path, "%s/%s", CAMPAIGN_BIN_DIR, name) < 0)
        return NULL;
    return path;
}

char *
ts_write_file (const char *dir, const char *name, const char *text)
{
    char *path = NULL;
    if (asprintf (&path, "%s/%s", dir, name) < 0)
        return NULL;
    FILE *file = fopen (path, "w");
    if (!file) {
        free (path);
        return NULL;
    }
    fputs (text, file);
    fclose (file);
    return path;
}

conf_t *
ts_conf (const char *name, const char *text)
{
    char *dir = ts_tempdir ();
    cr_assert_not_null (dir);
    char *path = ts_write_file (dir, name, text);
    cr_assert_not_null (path);
    conf_t *conf = conf_new ();
    err_t err;
    cr_assert_eq (conf_load_file (conf, path, &err), 0, "%s", err.msg);
    free (path);
    ts_tempdir_remove (&dir);
    return conf;
}

char *
ts_read_file (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    size_t size = 0, cap = 4096;
    char *data = malloc (cap);
    size_t n;
    while (data && (n = fread (data + size, 1, cap - size - 1, file)) > 0) {
        size += n;
        if (cap - size - 1 == 0) {
            char *bigger = realloc (data, cap * 2);
            if (!bigger) {
                free (data);
                data = NULL;
                break;
            }
            data = bigger;
            cap *= 2;
        }
    }
    fclose (file);
    if (data)
        data[size] = '\0';
    return data;
}

bool
ts_wait_file_contains (const char *path, const char *needle, int timeout_ms)
{
    long long deadline = ts_now_ms () + timeout_ms;
    for (;;) {
        char *text = ts_read_file (path);
        bool found = text && strstr (text, needle);
        free (text);
        if (found)
            return true;
        if (ts_now_ms () >= deadline)
            return false;
        poll (NULL, 0, 20); /* a file has no change notification here worth the weight */
    }
}

pid_t
ts_spawn (char *const argv[], const char *log_path)
{
    fflush (NULL);
    pid_t pid = fork ();
    if (pid > 0 && s_n_children < TS_MAX_CHILDREN)
        s_children[s_n_children++] = pid;
    if (pid != 0)
        return pid;
    if (log_path) {
        int fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2 (fd, STDOUT_FILENO);
            dup2 (fd, STDERR_FILENO);
            close (fd);
        }
    }
    execv (argv[0], argv);
    fprintf (stderr, "exec %s: %s\n", argv[0], strerror (errno));
    _exit (127);
}

static int
s_decode_status (int status)
{
    if (WIFEXITED (status))
        return WEXITSTATUS (status);
    if (WIFSIGNALED (status))
        return 128 + WTERMSIG (status);
    return -1;
}

int
ts_wait (pid_t pid, int timeout_ms)
{
    long long deadline = ts_now_ms () + timeout_ms;
    /*  waitpid has no timeout; a pidfd would, but poll on a short tick keeps this
        portable. This bounds a wait on process exit, it does not synchronise on it. */
    for (;;) {
        int status;
        pid_t rc = waitpid (pid, &status, WNOHANG);
        if (rc == pid) {
            s_forget_child (pid);
            return s_decode_status (status);
        }
        if (rc < 0)
            return -1;
        if (ts_now_ms () >= deadline)
            return -1;
        poll (NULL, 0, 5);
    }
}

int
ts_stop (pid_t pid, int timeout_ms)
{
    if (pid <= 0)
        return -1;
    kill (pid, SIGTERM);
    int rc = ts_wait (pid, timeout_ms);
    if (rc == -1) {
        kill (pid, SIGKILL);
        rc = ts_wait (pid, 5000);
    }
    return rc;
}

static char *
s_drain (int fd)
{
    size_t size = 0, cap = 4096;
    char *data = malloc (cap);
    if (!data)
        return NULL;
    for (;;) {
        if (cap - size < 1024) {
            char *bigger = realloc (data, cap * 2);
            if (!bigger)
                break;
            data = bigger;
            cap *= 2;
        }
        ssize_t n = read (fd, data + size, cap - size - 1);
        if (n <= 0)
            break;
        size += (size_t)n;
    }
    data[size] = '\0';
    return data;
}

int
ts_run (char *const argv[], int timeout_ms, char **out, char **err_out)
{
    char template_out[] = "/tmp/campaign-ts-out-XXXXXX";
    char template_err[] = "/tmp/campaign-ts-err-XXXXXX";
    int fd_out = mkstemp (template_out);
    int fd_err = mkstemp (template_err);
    if (fd_out < 0 || fd_err < 0)
        return -1;
    unlink (template_out);
    unlink (template_err);
    fflush (NULL);
    pid_t pid = fork ();
    if (pid == 0) {
        dup2 (fd_out, STDOUT_FILENO);
        dup2 (fd_err, STDERR_FILENO);
        int null_fd = open ("/dev/null", O_RDONLY);
        if (null_fd >= 0)
            dup2 (null_fd, STDIN_FILENO);
        execv (argv[0], argv);
        fprintf (stderr, "exec %s: %s\n", argv[0], strerror (errno));
        _exit (127);
    }
    int rc = ts_wait (pid, timeout_ms);
    if (rc == -1) {
        kill (pid, SIGKILL);
        ts_wait (pid, 5000);
    }
    lseek (fd_out, 0, SEEK_SET);
    lseek (fd_err, 0, SEEK_SET);
    if (out)
        *out = s_drain (fd_out);
    if (err_out)
        *err_out = s_drain (fd_err);
    close (fd_out);
    close (fd_err);
    return rc;
}

/* --------------------------------------------------------------------------
   Broker fixture */

#include "client.h"

#include <stdarg.h>

char *
ts_broker_endpoint (ts_broker_t *broker)
{
    char *text = NULL;
    return asprintf (&text, "ipc://%s/broker.ipc", broker->dir) < 0 ? NULL : text;
}

char *
ts_status_endpoint (ts_broker_t *broker)
{
    char *text = NULL;
    return asprintf (&text, "ipc://%s/status.ipc", broker->dir) < 0 ? NULL : text;
}

int
ts_snapshot (ts_broker_t *broker, int timeout_ms, wire_envelope_t **reply)
{
    /*  A client of the broker's own configuration layers, so it connects as they say
        (a CURVE certificate included). */
    conf_t *conf = conf_new ();
    client_t *client = NULL;
    const char *layers[] = {broker->base, broker->config, broker->extra};
    int failed = !conf;
    for (int i = 0; !failed && i < 3; i++)
        failed = layers[i] && conf_load_file (conf, layers[i], NULL) != 0;
    if (!failed)
        failed = client_new_from_conf (conf, "test-support", &client, NULL) != 0;
    conf_destroy (&conf);
    if (failed || !client)
        return -1;
    client_set_timeout (client, timeout_ms, 0);
    int rc = client_snapshot (client, reply, NULL);
    client_destroy (&client);
    return rc ? -1 : 0;
}

int
ts_wait_snapshot (ts_broker_t *broker, int timeout_ms, ts_snapshot_fn *predicate, void *arg)
{
    long long deadline = ts_now_ms () + timeout_ms;
    while (ts_now_ms () < deadline) {
        wire_envelope_t *reply = NULL;
        if (ts_snapshot (broker, 500, &reply) == 0) {
            bool done = predicate (reply->snapshot, arg);
            wire_free (&reply);
            if (done)
                return 0;
            poll (NULL, 0, 10); /* the next snapshot is the next observation */
        }
    }
    return -1;
}

static bool
s_any_snapshot (const Campaign__Snapshot *snapshot, void *arg)
{
    return true;
}

static int
s_broker_spawn (ts_broker_t *broker)
{
    char *bin = ts_bin ("campaign-broker");
    char *argv[8] = {bin};
    int n = 1;
    ts_config_argv (broker, argv, &n);
    argv[n] = NULL;
    broker->pid = ts_spawn (argv, broker->log);
    free (bin);
    if (broker->pid < 0)
        return -1;
    return ts_wait_snapshot (broker, 10000, s_any_snapshot, NULL);
}

int
ts_broker_start (ts_broker_t *broker, const char *extra_config)
{
    memset (broker, 0, sizeof *broker);
    broker->pid = -1;
    broker->dir = ts_tempdir ();
    if (!broker->dir)
        return -1;
    char *text = NULL;
    if (asprintf (
            &text,
            "campaign = { id = \"test-campaign\"; start_date = \"2026-10-05\"; weeks = 12;"
            " clock = \"simulated\"; };\n"
            "broker = { endpoint = \"ipc://%s/broker.ipc\";"
            " status_endpoint = \"ipc://%s/status.ipc\"; state_dir = \"%s/state\"; };\n"
            "agents = { kinds = [\"test-worker\", \"test-other\","
            " \"expansion-opportunity-identifier\", \"customer-segmentation-analyst\","
            " \"customer-health-scorer\", \"retrospective-analyzer\"]; capacity = 1;"
            " heartbeat_ms = 100; liveness = 3; reconnect_min_ms = 50;"
            " reconnect_max_ms = 500; };\n"
            "tasks = { lease_ms = 30000; max_attempts = 3; retry_base_ms = 50;"
            " retry_max_ms = 200; };\n"
            "client = { timeout_ms = 2000; retries = 5; };\n"
            "reports = { dir = \"%s/reports\"; };\n"
            "log = { level = \"debug\"; };\n"
            "# The spine's tests use retro as their everyday submission: open it all along.\n"
            "windows = { retro = [0, 13]; };\n"
            "# Roles are proven by roles_test, sim_test and the demo; the spine's tests\n"
            "# submit as whoever suits them.\n"
            "roles = { enforce = false; };\n",
            broker->dir, broker->dir, broker->dir, broker->dir) < 0)
        return -1;
    broker->config = ts_write_file (broker->dir, "test.cfg", text);
    if (asprintf (&broker->base, "%s/config/campaign.cfg", CAMPAIGN_SOURCE_DIR) < 0)
        return -1;
    free (text);
    if (extra_config)
        broker->extra = ts_write_file (broker->dir, "extra.cfg", extra_config);
    if (asprintf (&broker->log, "%s/broker.log", broker->dir) < 0)
        return -1;
    return s_broker_spawn (broker);
}

int
ts_broker_restart (ts_broker_t *broker)
{
    return s_broker_spawn (broker);
}

int
ts_broker_signal (ts_broker_t *broker, int sig)
{
    if (broker->pid <= 0)
        return -1;
    kill (broker->pid, sig);
    int rc = ts_wait (broker->pid, 10000);
    broker->pid = -1;
    return rc;
}

void
ts_broker_cleanup (ts_broker_t *broker)
{
    if (broker->pid > 0)
        ts_stop (broker->pid, 5000);
    broker->pid = -1;
    if (getenv ("CAMPAIGN_TEST_KEEP"))
        fprintf (stderr, "kept %s\n", broker->dir);
    else
        ts_tempdir_remove (&broker->dir);
    free (broker->dir);
    free (broker->base);
    free (broker->config);
    free (broker->extra);
    free (broker->log);
    memset (broker, 0, sizeof *broker);
}

void
ts_config_argv (ts_broker_t *broker, char **argv, int *n)
{
    argv[(*n)++] = "-c";
    argv[(*n)++] = broker->base;
    argv[(*n)++] = "-c";
    argv[(*n)++] = broker->config;
    if (broker->extra) {
        argv[(*n)++] = "-c";
        argv[(*n)++] = broker->extra;
    }
}

/*  bin/NAME, lead, then the args in ap, run as ts_run. */
static int
s_programv (const char *name, char *const *lead, char **out, char **err_out, va_list ap)
{
    char *argv[64];
    int n = 0;
    char *bin = ts_bin (name);
    argv[n++] = bin;
    for (size_t i = 0; lead && lead[i] && n < 63; i++)
        argv[n++] = lead[i];
    const char *arg;
    while (n < 63 && (arg = va_arg (ap, const char *)))
        argv[n++] = (char *)arg;
    argv[n] = NULL;
    int rc = ts_run (argv, 60000, out, err_out);
    free (bin);
    return rc;
}

int
ts_program (const char *name, char *const *lead, char **out, char **err_out, ...)
{
    va_list ap;
    va_start (ap, err_out);
    int rc = s_programv (name, lead, out, err_out, ap);
    va_end (ap);
    return rc;
}

int
ts_tool (ts_broker_t *broker, char **out, char **err_out, const char *name, ...)
{
    char *lead[8];
    int n = 0;
    ts_config_argv (broker, lead, &n);
    lead[n] = NULL;
    va_list ap;
    va_start (ap, name);
    int rc = s_programv (name, lead, out, err_out, ap);
    va_end (ap);
    return rc;
}

/*  Start bin/NAME with the broker's configuration layers, [--kind KIND] and --instance;
    its log is dir/NAME-INSTANCE.log. */
static pid_t
s_agent_spawn (ts_broker_t *broker, const char *name, const char *kind, const char *instance)
{
    char *bin = ts_bin (name);
    char *log = NULL;
    if (!bin || asprintf (&log, "%s/%s-%s.log", broker->dir, name, instance) < 0) {
        free (bin);
        return -1;
    }
    char *argv[12] = {bin};
    int n = 1;
    ts_config_argv (broker, argv, &n);
    if (kind) {
        argv[n++] = "--kind";
        argv[n++] = (char *)kind;
    }
    argv[n++] = "--instance";
    argv[n++] = (char *)instance;
    argv[n] = NULL;
    pid_t pid = ts_spawn (argv, log);
    free (bin);
    free (log);
    return pid;
}

pid_t
ts_agent_start (ts_broker_t *broker, const char *kind, const char *instance)
{
    return s_agent_spawn (broker, "campaign-test-agent", kind, instance);
}

/*  A valid portfolio of n accounts, varied enough to land in every band. */
char *
ts_write_portfolio (const char *dir, int n)
{
    char *text = NULL;
    size_t size = 0;
    FILE *file = open_memstream (&text, &size);
    fprintf (file,
             "account_id,name,segment,region,industry,arr,seats_purchased,seats_active,"
             "employees,employee_growth_pct,tier,products,regions_present,regions_licensed,"
             "feature_adoption_pct,usage_growth_pct,usage_limit_pct,nps,"
             "support_tickets_90d,csm,champion,exec_sponsor,stakeholder_change_days,"
             "renewal_date,contract_start\n");
    static const char *const segments[] = {"smb", "mid-market", "enterprise"};
    static const char *const regions[] = {"americas", "emea", "apac"};
    for (int i = 0; i < n; i++) {
        unsigned h = (unsigned)i * 2654435761u;
        int seats = 20 + (int)(h % 400);
        fprintf (file,
                 "A-%05d,Account %d,%s,%s,Software,%d,%d,%d,%d,%.1f,professional,core,%s,%s,"
                 "%d,%d,%d,%d,%d,CSM-%d,%s,%s,%s,2027-%02d-15,2023-01-01\n",
                 i, i, segments[h % 3], regions[(h >> 3) % 3], seats * 900, seats,
                 (int)(seats * (0.3 + (h >> 5) % 70 / 100.0)), seats * 3,
                 (double)((h >> 7) % 30), regions[(h >> 3) % 3], regions[(h >> 3) % 3],
                 (int)((h >> 9) % 100), (int)((h >> 11) % 60) - 30, (int)((h >> 13) % 110),
                 (int)((h >> 15) % 200) - 100, (int)((h >> 17) % 60), (int)((h >> 3) % 3),
                 (h >> 19) % 2 ? "yes" : "no", (h >> 20) % 3 ? "no" : "yes",
                 (h >> 21) % 8 ? "" : "30", 1 + (int)((h >> 23) % 12));
    }
    fclose (file);
    char *path = ts_write_file (dir, "accounts.csv", text);
    free (text);
    return path;
}

pid_t
ts_agent_spawn (ts_broker_t *broker, const char *name, const char *instance)
{
    return s_agent_spawn (broker, name, NULL, instance);
}

long
ts_peak_kib (pid_t pid)
{
    char path[64], line[256];
    snprintf (path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *file = fopen (path, "r");
    long kib = -1;
    while (file && fgets (line, sizeof line, file))
        if (sscanf (line, "VmHWM: %ld kB", &kib) == 1)
            break;
    if (file)
        fclose (file);
    return kib;
}

int
ts_bench_accounts (int argc, char **argv, const char *program)
{
    int accounts = 1000000;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv[i], "--quick") == 0)
            accounts = 100000;
        else if (strcmp (argv[i], "--accounts") == 0 && i + 1 < argc && atoi (argv[i + 1]) > 0)
            accounts = atoi (argv[++i]);
        else {
            fprintf (stderr, "usage: %s [--accounts N] [--quick]\n", program);
            return -1;
        }
    }
    return accounts;
}
