/*  curve_test.c: a secured broker (issue 9, parts 1, 2 and 5): CURVE on ipc:// with
    certificates from campaign-keys, identity from the certificate, revocation without
    a restart, agents that must hold a certificate of their kind.

    Every tool here connects with OPS-01's certificate unless the test says otherwise
    (-o curve.certificate=...), so the fixture's own snapshots prove the secured path. */
#include "client.h"
#include "test_support.h"

#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

TS_SUITE (curve);

static const char s_roster[] = "person_id,name,role,region,capacity_hours_per_week\n"
                               "P-001,Maria Lopez,csm,americas,30\n"
                               "P-002,Jonas Weber,csm,emea,28\n"
                               "L-001,Tom Bradley,leadership,americas,4\n"
                               "OPS-01,Ops Desk,operator,global,10\n";

typedef struct {
    ts_broker_t broker;
    char *keys; /* temp dir: keys.cfg, broker.cert, certs/, people's and agents' files */
} s_secured_t;

static bool
s_has (const char *text, const char *needle)
{
    return text && strstr (text, needle);
}

/*  campaign-keys -c keys.cfg args... (NULL-terminated); asserts it succeeds. */
static void
s_keys (s_secured_t *s, ...)
{
    char *bin = ts_bin ("campaign-keys"), *cfg = NULL;
    cr_assert (asprintf (&cfg, "%s/keys.cfg", s->keys) > 0);
    char *argv[16] = {bin, "-c", cfg};
    int n = 3;
    va_list args;
    va_start (args, s);
    const char *arg;
    while ((arg = va_arg (args, const char *)) && n < 15)
        argv[n++] = (char *)arg;
    va_end (args);
    argv[n] = NULL;
    char *err = NULL;
    cr_assert_eq (ts_run (argv, 10000, NULL, &err), 0, "campaign-keys %s: %s", argv[3], err);
    free (err);
    free (cfg);
    free (bin);
}

/*  dir/name as a malloc'd path. */
static char *
s_path (const char *dir, const char *name)
{
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/%s", dir, name) > 0);
    return path;
}

/*  A secured broker; roles and curve (may be "") are more of the roles and the
    broker.curve groups. */
static void
s_start (s_secured_t *s, const char *roles, const char *curve)
{
    memset (s, 0, sizeof *s);
    s->keys = ts_tempdir ();
    char *text = NULL;
    cr_assert (asprintf (&text,
                         "broker = { curve = { secret_key_file = \"%s/broker.cert\";"
                         " certificates_dir = \"%s/certs\"; }; };\n",
                         s->keys, s->keys) > 0);
    free (ts_write_file (s->keys, "keys.cfg", text));
    free (text);
    s_keys (s, "broker", NULL);
    const char *people[] = {"OPS-01", "P-001", "P-002", "L-001"};
    for (int i = 0; i < 4; i++) {
        char *out = s_path (s->keys, people[i]);
        s_keys (s, "person", people[i], "--out", out, NULL);
        free (out);
    }
    char *agents = s_path (s->keys, "agents");
    cr_assert_eq (mkdir (agents, 0755), 0);
    const char *kinds[] = {"customer-health-scorer", "expansion-opportunity-identifier",
                           "customer-segmentation-analyst", "retrospective-analyzer"};
    for (int i = 0; i < 4; i++) {
        char *out = NULL;
        cr_assert (asprintf (&out, "%s/%s.cert", agents, kinds[i]) > 0);
        s_keys (s, "agent", kinds[i], "--out", out, NULL);
        free (out);
    }
    free (agents);
    cr_assert (
        asprintf (&text,
                  "broker = { curve = { secret_key_file = \"%s/broker.cert\";"
                  " certificates_dir = \"%s/certs\"; %s }; };\n"
                  "curve = { broker_public_key = \"%s/broker.cert\";"
                  " certificate = \"%s/OPS-01\"; agent_certificates = \"%s/agents\"; };\n"
                  "roles = { enforce = true; %s };\n"
                  "log = { level = \"info\"; };\n",
                  s->keys, s->keys, curve, s->keys, s->keys, s->keys, roles) > 0);
    cr_assert_eq (ts_broker_start (&s->broker, text), 0, "the secured broker did not start");
    free (text);
}

static void
s_stop (s_secured_t *s)
{
    ts_broker_cleanup (&s->broker);
    ts_tempdir_remove (&s->keys);
    free (s->keys);
}

/*  campaign-submit with "-o curve.certificate=KEYS/cert" (cert NULL: the fixture's
    OPS-01; "" for none) and args; exit code, stderr in *err. */
#define SUBMIT_WITH(s, cert, err, ...)                                                         \
    s_submit_with ((s), (cert), (err), (const char *const[]){__VA_ARGS__, NULL})

static int
s_submit_with (s_secured_t *s, const char *cert, char **err, const char *const *args)
{
    char *bin = ts_bin ("campaign-submit");
    char *argv[40] = {bin};
    int n = 1;
    ts_config_argv (&s->broker, argv, &n);
    char *option = NULL;
    if (cert && !*cert)
        option = strdup ("curve.certificate=");
    else
        cr_assert (
            asprintf (&option, "curve.certificate=%s/%s", s->keys, cert ? cert : "OPS-01") > 0);
    argv[n++] = "-o";
    argv[n++] = option;
    argv[n++] = "-o";
    argv[n++] = "client.timeout_ms=500";
    argv[n++] = "-o";
    argv[n++] = "client.retries=0";
    for (int i = 0; args[i] && n < 39; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    int rc = ts_run (argv, 20000, NULL, err);
    free (option);
    free (bin);
    return rc;
}

Test (curve, identity_from_the_certificate_and_every_refusal, .timeout = 60)
{
    s_secured_t s;
    s_start (&s, "", "");
    char *roster = ts_write_file (s.broker.dir, "roster.csv", s_roster);
    char *err = NULL;

    /*  The operator's certificate says who imports: no --as needed. */
    cr_assert_eq (SUBMIT_WITH (&s, NULL, &err, "import-roster", roster), 0, "%s", err);
    free (err);

    /*  No certificate, an unknown one: the handshake fails, nothing reaches the broker. */
    cr_expect_eq (SUBMIT_WITH (&s, "", &err, "retro", "--kind", "worked", "--text", "x"), 3);
    cr_expect (s_has (err, "CURVE certificate"), "%s", err);
    free (err);
    char *stranger = s_path (s.keys, "stranger");
    char *elsewhere = s_path (s.keys, "elsewhere");
    char *option = NULL;
    cr_assert (asprintf (&option, "broker.curve.certificates_dir=%s", elsewhere) > 0);
    s_keys (&s, "-o", option, "person", "P-001", "--out", stranger, NULL);
    cr_expect_eq (
        SUBMIT_WITH (&s, "stranger", &err, "retro", "--kind", "worked", "--text", "x"), 3);
    free (err);

    /*  An agent's certificate is not a person's. */
    cr_expect_eq (SUBMIT_WITH (&s, "agents/customer-health-scorer.cert", &err, "--as", "OPS-01",
                               "retro", "--kind", "worked", "--text", "x"),
                  1);
    cr_expect (s_has (err, "needs a person's certificate") &&
                   s_has (err, "agent customer-health-scorer"),
               "%s", err);
    free (err);
    /*  --as cannot override the certificate. */
    cr_expect_eq (SUBMIT_WITH (&s, "P-001", &err, "--as", "L-001", "targets", "--arr-goal",
                               "400K", "--conversion", "40%", "--deals", "25", "--investment",
                               "60K"),
                  1);
    cr_expect (s_has (err, "from L-001, but the certificate is P-001's"), "%s", err);
    free (err);
    /*  The role is the certificate holder's. */
    cr_expect_eq (SUBMIT_WITH (&s, "P-001", &err, "targets", "--arr-goal", "400K",
                               "--conversion", "40%", "--deals", "25", "--investment", "60K"),
                  1);
    cr_expect (s_has (err, "targets needs role leadership, and P-001 is csm"), "%s", err);
    free (err);
    cr_expect_eq (SUBMIT_WITH (&s, "L-001", &err, "targets", "--arr-goal", "400K",
                               "--conversion", "40%", "--deals", "25", "--investment", "60K"),
                  0, "%s", err);
    free (err);

    /*  Revocation, no restart: a connection made before it is refused too. */
    cr_expect_eq (
        SUBMIT_WITH (&s, "P-002", &err, "retro", "--kind", "worked", "--text", "before"), 0);
    free (err);
    conf_t *conf = conf_new ();
    cr_assert_eq (conf_load_file (conf, s.broker.base, NULL), 0);
    cr_assert_eq (conf_load_file (conf, s.broker.config, NULL), 0);
    cr_assert_eq (conf_load_file (conf, s.broker.extra, NULL), 0);
    char *p002 = NULL;
    cr_assert (asprintf (&p002, "curve.certificate=%s/P-002", s.keys) > 0);
    cr_assert_eq (conf_override (conf, p002, NULL), 0);
    client_t *live = NULL;
    cr_assert_eq (client_new_from_conf (conf, "test", &live, NULL), 0);
    wire_envelope_t *reply = NULL;
    cr_assert_eq (client_snapshot (live, &reply, NULL), 0, "P-002 connects before");
    wire_free (&reply);
    s_keys (&s, "revoke", "P-002", NULL);
    err_t why;
    cr_expect_eq (client_snapshot (live, &reply, &why), ERR_REJECTED);
    cr_expect (s_has (why.msg, "no valid certificate"), "%s", why.msg);
    client_destroy (&live);
    conf_destroy (&conf);
    cr_expect_eq (
        SUBMIT_WITH (&s, "P-002", &err, "retro", "--kind", "worked", "--text", "after"), 3);
    free (err);

    /*  The audit trail holds the refusals the broker saw, with the certificate's person. */
    char *out = NULL;
    cr_assert_eq (ts_tool (&s.broker, &out, &err, "campaign-status", "--audit", "--json",
                           "--refused", NULL),
                  0, "%s", err);
    cr_expect (s_has (out, "needs a person's certificate") &&
                   s_has (out, "the certificate is P-001's") &&
                   s_has (out, "targets needs role leadership, and P-001 is csm"),
               "%s", out);
    free (out);
    free (err);
    free (p002);
    free (option);
    free (elsewhere);
    free (stranger);
    free (roster);
    s_stop (&s);
}

static bool
s_scored (const Campaign__Snapshot *snap, void *arg)
{
    for (size_t i = 0; i < snap->n_health_bands; i++)
        if (snap->health_bands[i]->count > 0)
            return true;
    return false;
}

Test (curve, a_secured_fleet_works_end_to_end, .timeout = 90)
{
    s_secured_t s;
    s_start (&s, "", "");
    /*  An agent holding another kind's certificate is refused at hello. */
    char *agents = s_path (s.keys, "agents");
    char *from = NULL, *to = NULL;
    const char *suffix[] = {"", "_secret"};
    for (int i = 0; i < 2; i++) {
        cr_assert (asprintf (&from, "%s/customer-health-scorer.cert%s", agents, suffix[i]) > 0);
        cr_assert (asprintf (&to, "%s/test-worker.cert%s", agents, suffix[i]) > 0);
        char *text = ts_read_file (from);
        cr_assert_not_null (text);
        const char *slash = strrchr (to, '/');
        free (ts_write_file (agents, slash + 1, text));
        free (text);
        free (from);
        free (to);
    }
    pid_t impostor = ts_agent_start (&s.broker, "test-worker", "impostor");
    cr_expect (ts_wait_file_contains (s.broker.log,
                                      "hello as test-worker refused: it needs an agent "
                                      "certificate of that kind, and this connection is "
                                      "agent customer-health-scorer",
                                      10000));
    ts_stop (impostor, 5000);

    /*  The real health scorer and stand-ins, each with its own kind's certificate. */
    pid_t fleet[4];
    fleet[0] = ts_agent_spawn (&s.broker, "customer-health-scorer", "1");
    const char *standins[] = {"expansion-opportunity-identifier",
                              "customer-segmentation-analyst", "retrospective-analyzer"};
    for (int i = 0; i < 3; i++)
        fleet[i + 1] = ts_agent_start (&s.broker, standins[i], "standin");
    /*  A watcher on the PUB socket, over CURVE too. */
    char *events = s_path (s.broker.dir, "events.txt");
    char *bin = ts_bin ("campaign-status");
    char *argv[16] = {bin};
    int n = 1;
    ts_config_argv (&s.broker, argv, &n);
    argv[n++] = "--topic";
    argv[n++] = "journal";
    argv[n] = NULL;
    pid_t watcher = ts_spawn (argv, events);
    cr_assert_gt (watcher, 0);
    cr_assert (ts_wait_file_contains (events, "seq", 10000), "the watcher got no snapshot");

    char *roster = ts_write_file (s.broker.dir, "roster.csv", s_roster);
    char *portfolio = ts_data_path ("accounts_small.csv");
    cr_expect_eq (SUBMIT_WITH (&s, NULL, NULL, "import-roster", roster), 0);
    cr_expect_eq (SUBMIT_WITH (&s, NULL, NULL, "import-portfolio", portfolio), 0);
    cr_expect_eq (ts_wait_snapshot (&s.broker, 30000, s_scored, NULL), 0,
                  "the real health scorer never scored the portfolio over CURVE");
    cr_expect (ts_wait_file_contains (events, "import-portfolio by OPS-01", 10000),
               "the watcher never saw the import");
    ts_stop (watcher, 5000);
    for (int i = 0; i < 4; i++)
        ts_stop (fleet[i], 5000);
    free (events);
    free (bin);
    free (roster);
    free (portfolio);
    free (agents);
    s_stop (&s);
}

/*  campaign-status as the holder of cert, following topic into events (a file). */
static pid_t
s_watch (s_secured_t *s, const char *cert, const char *events)
{
    char *bin = ts_bin ("campaign-status"), *option = NULL;
    cr_assert (asprintf (&option, "curve.certificate=%s/%s", s->keys, cert) > 0);
    char *argv[16] = {bin};
    int n = 1;
    ts_config_argv (&s->broker, argv, &n);
    argv[n++] = "-o";
    argv[n++] = option;
    argv[n++] = "--topic";
    argv[n++] = "journal";
    argv[n] = NULL;
    pid_t pid = ts_spawn (argv, events);
    free (option);
    free (bin);
    return pid;
}

/*  roles.read_status: once the roster says who is who, a CSM may neither ask for the
    snapshot nor subscribe to the status topic; leadership may (issue 9 item 3). */
Test (curve, the_status_topic_restricted_to_roles, .timeout = 60)
{
    s_secured_t s;
    s_start (&s, "read_status = [\"leadership\", \"operator\"];", "");
    char *roster = ts_write_file (s.broker.dir, "roster.csv", s_roster);
    cr_expect_eq (SUBMIT_WITH (&s, NULL, NULL, "import-roster", roster), 0);
    char *out = NULL, *err = NULL, *option = NULL;
    cr_assert (asprintf (&option, "curve.certificate=%s/P-001", s.keys) > 0);
    cr_expect_eq (
        ts_tool (&s.broker, &out, &err, "campaign-status", "-o", option, "--once", NULL), 1,
        "a CSM's snapshot is refused: %s / %s", out, err);
    cr_expect (s_has (err, "the status topic needs role leadership or operator, and P-001 is "
                           "csm"),
               "%s", err);
    free (out);
    free (err);
    char *allowed = s_path (s.broker.dir, "leadership.txt");
    char *refused = s_path (s.broker.dir, "csm.txt");
    pid_t leader = s_watch (&s, "L-001", allowed);
    pid_t csm = s_watch (&s, "P-001", refused);
    cr_assert (ts_wait_file_contains (allowed, "seq", 10000), "leadership got no snapshot");
    cr_expect_eq (SUBMIT_WITH (&s, "L-001", NULL, "retro", "--kind", "worked", "--text", "x"),
                  0);
    cr_expect (ts_wait_file_contains (allowed, "retro by L-001", 10000),
               "leadership saw the event");
    cr_expect (ts_wait_file_contains (s.broker.log, "status subscription from P-001", 10000),
               "the CSM's subscription was refused by the ZAP handler");
    char *text = ts_read_file (refused);
    cr_expect (!s_has (text, "retro by L-001"), "the CSM saw nothing: %s", text);
    free (text);
    ts_stop (leader, 5000);
    ts_stop (csm, 5000);
    free (allowed);
    free (refused);
    free (option);
    free (roster);
    s_stop (&s);
}

static bool
s_week12 (const Campaign__Snapshot *snap, void *arg)
{
    (void)arg;
    return snap->week == 12 && snap->tasks && snap->tasks->queued == 0 &&
           snap->tasks->leased == 0;
}

/*  A rehearsal over CURVE: with broker.curve.allow_simulators, campaign-sim plays every
    person with one simulator certificate against the real agents, each submission
    checked against the person's role and audited as the simulator's; without it the
    same certificate is refused. */
Test (curve, the_simulator_plays_the_people_over_curve, .timeout = 180)
{
    s_secured_t s;
    s_start (&s, "", "allow_simulators = true;");
    char *sim_cert = s_path (s.keys, "rehearsal");
    s_keys (&s, "simulator", "rehearsal", "--out", sim_cert, NULL);
    char *data = s_path (s.broker.dir, "data");
    char *gen = ts_bin ("campaign-gen");
    char *gen_argv[] = {gen, "--accounts", "200", "--seed", "3", "--out", data, NULL};
    cr_assert_eq (ts_run (gen_argv, 60000, NULL, NULL), 0);
    const char *kinds[] = {"customer-health-scorer", "expansion-opportunity-identifier",
                           "customer-segmentation-analyst", "retrospective-analyzer"};
    pid_t agents[4];
    for (int i = 0; i < 4; i++)
        agents[i] = ts_agent_spawn (&s.broker, kinds[i], "1");
    char *option = NULL, *out = NULL, *err = NULL;
    cr_assert (asprintf (&option, "curve.certificate=%s", sim_cert) > 0);
    int rc = ts_tool (&s.broker, &out, &err, "campaign-sim", "-o", option, "--seed", "3",
                      "--data", data, "--quiet", NULL);
    cr_expect_eq (rc, 0, "sim over CURVE: %s", err);
    cr_expect (s_has (out, "final position     week 12"), "%s", out);
    free (out);
    free (err);
    cr_expect_eq (ts_wait_snapshot (&s.broker, 30000, s_week12, NULL), 0);
    /*  The audit trail names the simulator behind each person's submission; the
        generated roster's leader reads it with a certificate of their own. */
    char *lead_cert = s_path (s.keys, "LEAD-01");
    s_keys (&s, "person", "LEAD-01", "--out", lead_cert, NULL);
    char *lead = NULL;
    cr_assert (asprintf (&lead, "curve.certificate=%s", lead_cert) > 0);
    free (lead_cert);
    out = err = NULL;
    cr_expect_eq (ts_tool (&s.broker, &out, &err, "campaign-status", "-o", lead, "--audit",
                           "--kind", "targets", "--json", NULL),
                  0, "%s", err);
    cr_expect (s_has (out, "simulator rehearsal"), "%s", out);
    free (out);
    free (err);
    for (int i = 0; i < 4; i++)
        ts_stop (agents[i], 5000);
    free (lead);
    free (option);
    free (gen);
    free (data);
    free (sim_cert);
    s_stop (&s);
}

Test (curve, a_simulator_certificate_is_refused_unless_allowed, .timeout = 60)
{
    s_secured_t s;
    s_start (&s, "", "");
    char *sim_cert = s_path (s.keys, "rehearsal");
    s_keys (&s, "simulator", "rehearsal", "--out", sim_cert, NULL);
    char *roster = ts_write_file (s.broker.dir, "roster.csv", s_roster);
    cr_expect_eq (SUBMIT_WITH (&s, NULL, NULL, "import-roster", roster), 0);
    char *err = NULL;
    /*  Not allowed: refused like an unknown certificate (the handshake fails: exit 3). */
    cr_expect_eq (SUBMIT_WITH (&s, "rehearsal", &err, "--as", "L-001", "retro", "--kind",
                               "worked", "--text", "x"),
                  3, "%s", err);
    free (err);
    free (roster);
    free (sim_cert);
    s_stop (&s);
}

Test (curve, a_network_endpoint_needs_keys_or_the_words, .timeout = 30)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    cr_assert_eq (ts_broker_signal (&broker, SIGTERM), 0);
    char *bin = ts_bin ("campaign-broker");
    char *err = NULL;
    char *argv[] = {
        bin,  "-c", broker.base, "-c", broker.config, "-o", "broker.endpoint=tcp://0.0.0.0:0",
        NULL, NULL, NULL};
    cr_expect_eq (ts_run (argv, 10000, NULL, &err), 4);
    cr_expect (s_has (err, "tcp://0.0.0.0:0 is not a local endpoint") &&
                   s_has (err, "plaintext is intended"),
               "%s", err);
    free (err);
    free (bin);
    ts_broker_cleanup (&broker);
}
