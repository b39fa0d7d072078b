/*  broker_test.c: the real campaign-broker driven by the real tools over ipc://.

    Proves the wire-level promises of SPEC sections 2, 7 and 8: acknowledgements, a
    repeated message id applied once, clear rejections that change nothing, bad frames
    that do not hurt the broker, the store and status sequence surviving a restart, and
    one broker per campaign. */
#include "test_support.h"

#include "client.h"
#include "records.h"

#include <poll.h>
#include <signal.h>
#include <string.h>

TS_SUITE (broker);

static bool
s_has_text (const char *haystack, const char *needle)
{
    return haystack && strstr (haystack, needle) != NULL;
}

/*  Journal count of one kind in a snapshot (0 if absent). */
static uint64_t
s_journal (const Campaign__Snapshot *snap, const char *kind)
{
    for (size_t i = 0; i < snap->n_journal; i++)
        if (strcmp (snap->journal[i]->name, kind) == 0)
            return snap->journal[i]->count;
    return 0;
}

static uint64_t
s_journal_now (ts_broker_t *broker, const char *kind)
{
    wire_envelope_t *reply = NULL;
    cr_assert_eq (ts_snapshot (broker, 5000, &reply), 0, "no snapshot");
    uint64_t count = s_journal (reply->snapshot, kind);
    wire_free (&reply);
    return count;
}

Test (broker, submit_is_acknowledged_and_shown_in_snapshot)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0, "broker did not start");
    char *out = NULL, *err = NULL;
    int rc = ts_tool (&broker, &out, &err, "campaign-submit", "--as", "lead-1", "targets",
                      "--arr-goal", "400K", "--conversion", "40%", "--deals", "25",
                      "--investment", "60000", NULL);
    cr_expect_eq (rc, 0, "targets: exit %d, stderr: %s", rc, err);
    cr_expect (s_has_text (out, "accepted J"), "stdout: %s", out);
    free (out);
    free (err);

    rc = ts_tool (&broker, &out, &err, "campaign-status", "--once", "--json", NULL);
    cr_expect_eq (rc, 0);
    cr_expect (s_has_text (out, "\"campaign\":\"test-campaign\""), "%s", out);
    cr_expect (s_has_text (out, "\"journal\":{\"targets\":1}"), "%s", out);
    cr_expect (s_has_text (out, "\"week\":1"), "%s", out);
    cr_expect (s_has_text (out, "\"held\":false"), "%s", out);
    free (out);
    free (err);
    ts_broker_cleanup (&broker);
}

Test (broker, repeated_message_id_is_applied_once)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    char *batch =
        ts_write_file (broker.dir, "batch.jsonl",
                       "{\"command\":\"retro\",\"kind\":\"worked\",\"text\":\"pilots\","
                       "\"id\":\"retro-0001\"}\n"
                       "# a comment line\n"
                       "{\"command\":\"retro\",\"kind\":\"stop\",\"text\":\"cold "
                       "email\",\"id\":\"retro-0002\"}\n");
    char *out = NULL;
    cr_assert_eq (ts_tool (&broker, &out, NULL, "campaign-submit", "batch", batch, NULL), 0);
    free (out);
    /*  The same file again: both lines are acknowledged as already accepted. */
    cr_assert_eq (
        ts_tool (&broker, &out, NULL, "campaign-submit", "--json", "batch", batch, NULL), 0);
    cr_expect (s_has_text (out, "\"status\":\"duplicate\""), "%s", out);
    cr_expect (!s_has_text (out, "\"status\":\"accepted\""), "%s", out);
    free (out);
    cr_expect_eq (s_journal_now (&broker, "retro"), 2);
    free (batch);
    ts_broker_cleanup (&broker);
}

Test (broker, invalid_submissions_are_rejected_and_change_nothing)
{
    ts_broker_t broker;
    /*  Windows open, so what is refused here is refused for what it says. */
    cr_assert_eq (
        ts_broker_start (&broker, "windows = { note = [0, 13]; stage = [0, 13]; };\n"), 0);
    char *err = NULL;
    /*  A note on an account that is not in the portfolio. */
    int rc = ts_tool (&broker, NULL, &err, "campaign-submit", "note", "--account", "A-404",
                      "--text", "hello", NULL);
    cr_expect_eq (rc, 1);
    cr_expect (s_has_text (err, "A-404"), "%s", err);
    free (err);
    /*  A stage that does not exist. */
    rc = ts_tool (&broker, NULL, &err, "campaign-submit", "stage", "--opportunity", "O-1",
                  "--stage", "maybe", NULL);
    cr_expect_eq (rc, 1);
    cr_expect (s_has_text (err, "'maybe' is not a pipeline stage"), "%s", err);
    free (err);
    /*  A usage error never reaches the broker. */
    rc = ts_tool (&broker, NULL, &err, "campaign-submit", "outcome", "--opportunity", "O-1",
                  "--won", "--reason", "x", NULL);
    cr_expect_eq (rc, 2);
    cr_expect (s_has_text (err, "--amount"), "%s", err);
    free (err);
    cr_expect_eq (s_journal_now (&broker, "note"), 0);
    cr_expect_eq (s_journal_now (&broker, "stage"), 0);
    ts_broker_cleanup (&broker);
}

Test (broker, bad_csv_is_rejected_whole_with_file_line_column)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    char *good = ts_data_path ("accounts_small.csv");
    char *text = ts_read_file (good);
    cr_assert_not_null (text);
    /*  Spoil the NPS of the third data row (file line 4). */
    char *line = text;
    for (int i = 0; i < 3; i++)
        line = strchr (line, '\n') + 1;
    char *row_end = strchr (line, '\n');
    char bad_row[2048];
    snprintf (bad_row, sizeof bad_row, "%.*s", (int)(row_end - line), line);
    char *fields[40];
    int n = 0;
    /*  Rebuild the row with nps (column 18, 0-based 17) set to 140. Row 3 has no quotes. */
    char *cursor = bad_row, *field;
    while ((field = strsep (&cursor, ",")) && n < 40)
        fields[n++] = field;
    cr_assert_geq (n, 18, "fixture row 3 must be unquoted");
    char spoiled[4096] = "";
    size_t used = (size_t)(line - text);
    memcpy (spoiled, text, used);
    spoiled[used] = '\0';
    for (int i = 0; i < n; i++) {
        strcat (spoiled, i ? "," : "");
        strcat (spoiled, i == 17 ? "140" : fields[i]);
    }
    strcat (spoiled, row_end);
    char *bad = ts_write_file (broker.dir, "accounts_bad.csv", spoiled);
    char *err = NULL;
    int rc = ts_tool (&broker, NULL, &err, "campaign-submit", "import-portfolio", bad, NULL);
    cr_expect_eq (rc, 1, "exit %d: %s", rc, err);
    cr_expect (s_has_text (err, "accounts_bad.csv:4"), "%s", err);
    cr_expect (s_has_text (err, "nps"), "%s", err);
    cr_expect (s_has_text (err, "140"), "%s", err);
    free (err);
    cr_expect_eq (s_journal_now (&broker, "import-portfolio"), 0);
    /*  The good file goes in whole. */
    char *out = NULL;
    rc = ts_tool (&broker, &out, NULL, "campaign-submit", "import-portfolio", good, NULL);
    cr_expect_eq (rc, 0);
    cr_expect (s_has_text (out, "5 accounts imported"), "%s", out);
    free (out);
    free (good);
    free (bad);
    free (text);
    ts_broker_cleanup (&broker);
}

/*  Send raw frames on a DEALER and return the broker's answer (or NULL). */
static wire_envelope_t *
s_raw (ts_broker_t *broker, zsock_t *dealer, const void *data, size_t size)
{
    zframe_t *frame = zframe_new (data, size);
    zframe_send (&frame, dealer, 0);
    zmq_pollitem_t item = {zsock_resolve (dealer), 0, ZMQ_POLLIN, 0};
    if (zmq_poll (&item, 1, 3000) <= 0)
        return NULL;
    wire_envelope_t *env = NULL;
    err_t err;
    wire_recv (dealer, false, WIRE_MAX_BYTES, NULL, &env, &err);
    return env;
}

Test (broker, bad_frames_are_refused_and_the_broker_keeps_serving)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, "broker = { max_message_bytes = 65536; };\n"), 0);
    char *endpoint = ts_broker_endpoint (&broker);
    zsock_t *dealer = zsock_new_dealer (endpoint);
    cr_assert_not_null (dealer);

    /*  Garbage. */
    wire_envelope_t *env = s_raw (&broker, dealer, "\xff\xfe garbage \x01", 12);
    cr_assert_not_null (env, "no answer to garbage");
    cr_expect_eq (env->body_case, CAMPAIGN__ENVELOPE__BODY_REJECTION);
    cr_expect_eq (env->rejection->code, CAMPAIGN__REJECT_CODE__REJECT_MALFORMED);
    wire_free (&env);

    /*  A valid envelope, truncated. */
    wire_out_t out;
    wire_out_init (&out, "test-campaign", "raw-test", NULL);
    Campaign__Retro retro = CAMPAIGN__RETRO__INIT;
    retro.kind = "worked";
    retro.text = "a long enough text to truncate somewhere in the middle of it";
    Campaign__Submission sub = CAMPAIGN__SUBMISSION__INIT;
    sub.person = "tester";
    sub.kind_case = CAMPAIGN__SUBMISSION__KIND_RETRO;
    sub.retro = &retro;
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_SUBMISSION;
    out.env.submission = &sub;
    zframe_t *packed;
    cr_assert_eq (wire_pack (&out.env, &packed), 0);
    env = s_raw (&broker, dealer, zframe_data (packed), zframe_size (packed) - 20);
    cr_assert_not_null (env, "no answer to a truncated envelope");
    cr_expect_eq (env->body_case, CAMPAIGN__ENVELOPE__BODY_REJECTION);
    wire_free (&env);
    zframe_destroy (&packed);

    /*  Over max_message_bytes (but under the hard socket limit): TOO_LARGE. */
    size_t big = 100000;
    char *blob = calloc (1, big);
    env = s_raw (&broker, dealer, blob, big);
    cr_assert_not_null (env, "no answer to an oversized frame");
    cr_expect_eq (env->rejection->code, CAMPAIGN__REJECT_CODE__REJECT_TOO_LARGE);
    wire_free (&env);
    free (blob);

    /*  A message kind the broker does not accept (a snapshot, which only it sends). */
    wire_out_init (&out, "test-campaign", "raw-test", NULL);
    Campaign__Snapshot snap = CAMPAIGN__SNAPSHOT__INIT;
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_SNAPSHOT;
    out.env.snapshot = &snap;
    cr_assert_eq (wire_pack (&out.env, &packed), 0);
    env = s_raw (&broker, dealer, zframe_data (packed), zframe_size (packed));
    cr_assert_not_null (env);
    cr_expect_eq (env->rejection->code, CAMPAIGN__REJECT_CODE__REJECT_UNSUPPORTED);
    cr_expect_str_eq (env->correlation_id, out.id);
    wire_free (&env);
    zframe_destroy (&packed);

    /*  An envelope for another campaign. */
    wire_out_init (&out, "other-campaign", "raw-test", NULL);
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_SUBMISSION;
    out.env.submission = &sub;
    cr_assert_eq (wire_pack (&out.env, &packed), 0);
    env = s_raw (&broker, dealer, zframe_data (packed), zframe_size (packed));
    cr_assert_not_null (env);
    cr_expect_eq (env->rejection->code, CAMPAIGN__REJECT_CODE__REJECT_WRONG_CAMPAIGN);
    wire_free (&env);
    zframe_destroy (&packed);
    zsock_destroy (&dealer);

    /*  Far over the socket limit: libzmq drops that connection; others go on. */
    zsock_t *rogue = zsock_new_dealer (endpoint);
    size_t huge = 300000;
    char *huge_blob = calloc (1, huge);
    zframe_t *frame = zframe_new (huge_blob, huge);
    zframe_send (&frame, rogue, 0);
    free (huge_blob);
    zsock_destroy (&rogue);
    free (endpoint);

    /*  Still serving. */
    char *stdout_text = NULL;
    cr_expect_eq (ts_tool (&broker, &stdout_text, NULL, "campaign-submit", "retro", "--kind",
                           "worked", "--text", "still here", NULL),
                  0);
    free (stdout_text);
    char *log = ts_read_file (broker.log);
    cr_expect (s_has_text (log, "refused"), "the broker logs refused frames");
    free (log);
    ts_broker_cleanup (&broker);
}

Test (broker, restart_keeps_the_store_and_the_status_sequence)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    cr_assert_eq (
        ts_tool (&broker, NULL, NULL, "campaign-submit", "advance", "--weeks", "2", NULL), 0);
    cr_assert_eq (ts_tool (&broker, NULL, NULL, "campaign-submit", "retro", "--kind", "start",
                           "--text", "x", NULL),
                  0);
    wire_envelope_t *before = NULL;
    cr_assert_eq (ts_snapshot (&broker, 5000, &before), 0);
    cr_assert_eq (ts_broker_signal (&broker, SIGKILL), 128 + SIGKILL);
    cr_assert_eq (ts_broker_restart (&broker), 0);
    wire_envelope_t *after = NULL;
    cr_assert_eq (ts_snapshot (&broker, 5000, &after), 0);
    cr_expect_str_eq (after->snapshot->date, before->snapshot->date, "the date did not move");
    cr_expect_eq (after->snapshot->week, 3);
    cr_expect_eq (after->snapshot->seq, before->snapshot->seq);
    cr_expect_eq (s_journal (after->snapshot, "retro"), 1);
    wire_free (&before);
    wire_free (&after);
    /*  The next event continues the sequence. */
    cr_assert_eq (ts_tool (&broker, NULL, NULL, "campaign-submit", "retro", "--kind", "stop",
                           "--text", "y", NULL),
                  0);
    cr_assert_eq (ts_snapshot (&broker, 5000, &after), 0);
    cr_expect_gt (after->snapshot->seq, 0);
    wire_free (&after);
    cr_expect_eq (ts_broker_signal (&broker, SIGTERM), 0, "clean stop exits 0");
    ts_broker_cleanup (&broker);
}

Test (broker, a_second_broker_for_the_same_campaign_is_refused)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    char *bin = ts_bin ("campaign-broker");
    char *argv[8] = {bin};
    int n = 1;
    ts_config_argv (&broker, argv, &n);
    char *err = NULL;
    int rc = ts_run (argv, 10000, NULL, &err);
    cr_expect_eq (rc, 1, "exit %d: %s", rc, err);
    cr_expect (s_has_text (err, "another broker"), "%s", err);
    free (err);
    free (bin);
    /*  And the first one is unharmed. */
    cr_expect_eq (ts_tool (&broker, NULL, NULL, "campaign-status", "--once", NULL), 0);
    ts_broker_cleanup (&broker);
}

Test (broker, advance_needs_the_simulated_clock)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, "campaign = { clock = \"calendar\"; };\n"), 0);
    char *err = NULL;
    int rc = ts_tool (&broker, NULL, &err, "campaign-submit", "advance", NULL);
    cr_expect_eq (rc, 1);
    cr_expect (s_has_text (err, "calendar clock"), "%s", err);
    free (err);
    ts_broker_cleanup (&broker);
}

Test (broker, tools_exit_3_when_the_broker_is_unreachable)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, "client = { timeout_ms = 100; retries = 1; };\n"),
                  0);
    ts_broker_signal (&broker, SIGTERM);
    char *err = NULL;
    int rc = ts_tool (&broker, NULL, &err, "campaign-submit", "retro", "--kind", "worked",
                      "--text", "x", NULL);
    cr_expect_eq (rc, 3, "exit %d: %s", rc, err);
    cr_expect (s_has_text (err, "did not answer"), "%s", err);
    free (err);
    rc = ts_tool (&broker, NULL, &err, "campaign-status", "--once", NULL);
    cr_expect_eq (rc, 3);
    free (err);
    ts_broker_cleanup (&broker);
}

Test (broker, configuration_errors_exit_4_and_name_the_setting)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    char *bin = ts_bin ("campaign-broker");
    char *argv[10] = {bin};
    int n = 1;
    ts_config_argv (&broker, argv, &n);
    argv[n++] = "-o";
    argv[n++] = "campaign.clock=sundial";
    char *err = NULL;
    int rc = ts_run (argv, 10000, NULL, &err);
    cr_expect_eq (rc, 4, "exit %d: %s", rc, err);
    cr_expect (s_has_text (err, "campaign.clock"), "%s", err);
    free (err);
    char *usage[] = {bin, "--bogus", NULL};
    rc = ts_run (usage, 10000, NULL, &err);
    cr_expect_eq (rc, 2);
    free (err);
    free (bin);
    ts_broker_cleanup (&broker);
}

Test (broker, sighup_reloads_the_log_level_and_keeps_serving)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, "log = { level = \"info\"; };\n"), 0);
    /*  Change the level in the extra layer, then ask for a reload. */
    FILE *extra = fopen (broker.extra, "w");
    cr_assert_not_null (extra);
    fputs ("log = { level = \"warn\"; };\n", extra);
    fclose (extra);
    kill (broker.pid, SIGHUP);
    cr_expect (
        ts_wait_file_contains (broker.log, "configuration reloaded (log level warn)", 10000));
    cr_expect_eq (ts_tool (&broker, NULL, NULL, "campaign-submit", "retro", "--kind", "start",
                           "--text", "after reload", NULL),
                  0);
    /*  At warn level the acceptance is no longer logged. */
    char *log = ts_read_file (broker.log);
    cr_expect (!strstr (log, "after reload"), "info lines are filtered after the reload");
    free (log);
    cr_expect_eq (ts_broker_signal (&broker, SIGTERM), 0);
    ts_broker_cleanup (&broker);
}

/*  Send one part of the small portfolio (records [from, from + n)) as part `part` of
    `parts` of import id; returns the answer's body case. */
static int
s_send_part (ts_broker_t *broker, Campaign__ImportPortfolio *all, size_t from, size_t n,
             uint32_t part, uint32_t parts)
{
    char *endpoint = ts_broker_endpoint (broker);
    client_t *client = client_new (endpoint, "test-campaign", "part-sender");
    free (endpoint);
    Campaign__ImportPortfolio import = CAMPAIGN__IMPORT_PORTFOLIO__INIT;
    import.source = "accounts_small.csv";
    import.accounts = all->accounts + from;
    import.n_accounts = n;
    import.import_id = "import-1";
    import.has_part = import.has_parts = 1;
    import.part = part;
    import.parts = parts;
    Campaign__Submission sub = CAMPAIGN__SUBMISSION__INIT;
    sub.person = "OPS-01";
    sub.kind_case = CAMPAIGN__SUBMISSION__KIND_IMPORT_PORTFOLIO;
    sub.import_portfolio = &import;
    wire_out_t out;
    client_prepare (client, &out);
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_SUBMISSION;
    out.env.submission = &sub;
    wire_envelope_t *reply = NULL;
    err_t err;
    int body = client_request (client, &out.env, &reply, &err) ? -1 : (int)reply->body_case;
    wire_free (&reply);
    client_destroy (&client);
    return body;
}

static bool
s_portfolio_loaded (ts_broker_t *broker, const char *detail)
{
    wire_envelope_t *reply = NULL;
    cr_assert_eq (ts_snapshot (broker, 5000, &reply), 0);
    bool found = false;
    for (size_t i = 0; i < reply->snapshot->n_gate; i++)
        if (strcmp (reply->snapshot->gate[i]->name, "portfolio_loaded") == 0)
            found = strcmp (reply->snapshot->gate[i]->detail, detail) == 0;
    wire_free (&reply);
    return found;
}

Test (broker, a_large_import_goes_in_parts_and_applies_whole)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    char *path = ts_data_path ("accounts_small.csv");
    Campaign__ImportPortfolio *all = NULL;
    err_t err;
    cr_assert_eq (records_load_accounts (path, &all, &err), 0, "%s", err.msg);
    /*  Part 1 of 2 alone changes nothing; it survives a SIGKILL; part 2 completes it. */
    cr_assert_eq (s_send_part (&broker, all, 0, 3, 1, 2), CAMPAIGN__ENVELOPE__BODY_ACK);
    cr_expect (s_portfolio_loaded (&broker, "0 accounts"), "nothing half-loaded");
    cr_assert_eq (ts_broker_signal (&broker, SIGKILL), 128 + SIGKILL);
    cr_assert_eq (ts_broker_restart (&broker), 0);
    cr_assert_eq (s_send_part (&broker, all, 3, 2, 2, 2), CAMPAIGN__ENVELOPE__BODY_ACK);
    cr_expect (s_portfolio_loaded (&broker, "5 accounts"), "applied whole with the last part");
    campaign__import_portfolio__free_unpacked (all, NULL);
    /*  campaign-submit splits by itself past client.import_part_records. */
    char *out = NULL, *errs = NULL;
    int rc = ts_tool (&broker, &out, &errs, "campaign-submit", "-o",
                      "client.import_part_records=2", "import-portfolio", path, NULL);
    cr_expect_eq (rc, 0, "%s", errs);
    cr_expect (s_has_text (errs, "part 2 of 3 sent"), "%s", errs);
    cr_expect (s_has_text (out, "5 accounts imported"), "%s", out);
    cr_expect (s_portfolio_loaded (&broker, "5 accounts"));
    free (out);
    free (errs);
    free (path);
    ts_broker_cleanup (&broker);
}
