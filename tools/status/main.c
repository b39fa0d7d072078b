/*  campaign-status: watch a campaign (SPEC section 8; ZeroMQ Guide "Clone" client).

    Subscribes to the status topic first, then asks the broker for a snapshot, prints
    it, and prints every event whose sequence is above the snapshot's. If a gap shows up
    in the sequence (events lost to a slow subscription start or a full queue), it asks
    for a fresh snapshot instead of guessing. */
#include "cli.h"
#include "client.h"
#include "signals.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char s_usage[] =
    "Usage: campaign-status [-c FILE]... [-o PATH=VALUE]... [--once] [--json]\n"
    "                       [--topic PREFIX]...\n"
    "       campaign-status [-c FILE]... [--json] --pipeline [--csm ID] [--stage NAME]\n"
    "       campaign-status [-c FILE]... [--json] [--as PERSON] --audit [--person ID]\n"
    "                       [--kind KIND] [--accepted | --refused] [--limit N]\n"
    "\n"
    "Show the state of the campaign (snapshot), then follow its status events live.\n"
    "\n"
    "Options:\n"
    "      --once             print the snapshot and exit\n"
    "      --json             JSON: the snapshot as one object, then one object per event\n"
    "      --pipeline         list the opportunities instead (with --csm ID, --stage NAME)\n"
    "      --audit            the audit trail instead: every accepted and refused\n"
    "                         submission (who, role, when, campaign date, what, outcome),\n"
    "                         the latest --limit N (default 100) oldest first; filters\n"
    "                         --person ID, --kind KIND, --accepted or --refused. Needs a\n"
    "                         role of roles.read_audit (--as PERSON: default\n"
    "                         $CAMPAIGN_PERSON, else $USER)\n"
    "      --topic PREFIX     follow only topics starting with PREFIX (repeatable): agent,\n"
    "                         task, journal, clock, phase, gate, handoff.<team>, alert\n"
    "  -c, --config FILE      configuration (repeatable; later files win)\n"
    "  -o, --option PATH=VAL  override one setting\n"
    "  -h, --help             this text\n"
    "      --version          print the version\n"
    "\n"
    "The snapshot (--once --json) has: campaign, date, week, clock, phase, activity, held,\n"
    "gate {criteria, failing}, agents, tasks {queued, leased, done, failed, dead},\n"
    "pipeline, handoffs, journal, seq.\n"
    "\n"
    "Settings used: broker.endpoint, broker.status_endpoint, campaign.id.\n"
    "\n"
    "Exit codes: 0 ok, 2 usage, 3 broker unreachable, 4 configuration error.\n";

/*  Print one page of opportunities (client_pipeline_each). */
static int
s_print_page (void *arg, wire_envelope_t **reply, err_t *err)
{
    bool json = *(bool *)arg;
    const Campaign__Pipeline *page = (*reply)->pipeline;
    for (size_t i = 0; i < page->n_opportunities; i++) {
        if (json) {
            json_t *object = view_opportunity_json (page->opportunities[i]);
            view_print_json (stdout, object);
            json_decref (object);
        } else
            view_opportunity_text (stdout, page->opportunities[i]);
    }
    wire_free (reply);
    return 0;
}

/*  List the opportunities page by page; 0 or an exit code. */
static int
s_list_pipeline (client_t *client, const char *csm, const char *stage, bool json, err_t *err)
{
    if (!json)
        view_opportunity_header (stdout);
    int rc = client_pipeline_each (client, csm, stage, s_print_page, &json, err);
    fflush (stdout);
    return rc == 0                 ? CLI_EXIT_OK
           : rc == ERR_UNREACHABLE ? CLI_EXIT_UNREACHABLE
                                   : CLI_EXIT_REJECTED;
}

/*  Print the audit trail; 0 or an exit code. */
static int
s_list_audit (client_t *client, const Campaign__AuditRequest *request, bool json, err_t *err)
{
    wire_envelope_t *reply = NULL;
    int rc = client_audit (client, request, &reply, err);
    if (rc)
        return rc == ERR_UNREACHABLE ? CLI_EXIT_UNREACHABLE : CLI_EXIT_REJECTED;
    const Campaign__Audit *audit = reply->audit;
    if (!json)
        view_audit_header (stdout);
    for (size_t i = 0; i < audit->n_entries; i++) {
        if (json) {
            json_t *object = view_audit_json (audit->entries[i]);
            view_print_json (stdout, object);
            json_decref (object);
        } else
            view_audit_text (stdout, audit->entries[i]);
    }
    if (audit->more && !json)
        printf ("(older entries match too: raise --limit)\n");
    fflush (stdout);
    wire_free (&reply);
    return CLI_EXIT_OK;
}

static void
s_show_snapshot (const Campaign__Snapshot *snap, bool json)
{
    if (json) {
        json_t *object = view_snapshot_json (snap);
        view_print_json (stdout, object);
        json_decref (object);
    } else
        view_snapshot_text (stdout, snap);
}

int
main (int argc, char **argv)
{
    cli_t cli;
    int rc = cli_start (&cli, argc, argv, s_usage);
    if (rc >= 0)
        return rc;
    bool once = false, json = false, pipeline = false, audit = false;
    const char *csm = NULL, *stage = NULL;
    Campaign__AuditRequest audit_request = CAMPAIGN__AUDIT_REQUEST__INIT;
    audit_request.person = getenv ("CAMPAIGN_PERSON");
    if (!audit_request.person || !*audit_request.person)
        audit_request.person = getenv ("USER");
    const char *topics[64];
    int n_topics = 0;
    for (int i = 0; i < cli.argc; i++) {
        if (strcmp (cli.argv[i], "--once") == 0)
            once = true;
        else if (strcmp (cli.argv[i], "--json") == 0)
            json = true;
        else if (strcmp (cli.argv[i], "--pipeline") == 0)
            pipeline = true;
        else if (strcmp (cli.argv[i], "--audit") == 0)
            audit = true;
        else if (strcmp (cli.argv[i], "--as") == 0 && i + 1 < cli.argc)
            audit_request.person = cli.argv[++i];
        else if (strcmp (cli.argv[i], "--person") == 0 && i + 1 < cli.argc)
            audit_request.of_person = cli.argv[++i];
        else if (strcmp (cli.argv[i], "--kind") == 0 && i + 1 < cli.argc)
            audit_request.kind = cli.argv[++i];
        else if (strcmp (cli.argv[i], "--accepted") == 0)
            audit_request.outcome = "accepted";
        else if (strcmp (cli.argv[i], "--refused") == 0)
            audit_request.outcome = "refused";
        else if (strcmp (cli.argv[i], "--limit") == 0 && i + 1 < cli.argc) {
            char *end = NULL;
            long limit = strtol (cli.argv[++i], &end, 10);
            if (!end || *end || limit < 1 || limit > 10000) {
                rc = cli_usage_error (&cli, "--limit '%s' is not a number 1..10000",
                                      cli.argv[i]);
                cli_end (&cli);
                return rc;
            }
            audit_request.has_limit = 1;
            audit_request.limit = (uint32_t)limit;
        } else if (strcmp (cli.argv[i], "--csm") == 0 && i + 1 < cli.argc)
            csm = cli.argv[++i];
        else if (strcmp (cli.argv[i], "--stage") == 0 && i + 1 < cli.argc)
            stage = cli.argv[++i];
        else if (strcmp (cli.argv[i], "--topic") == 0 && i + 1 < cli.argc && n_topics < 64)
            topics[n_topics++] = cli.argv[++i];
        else {
            rc = cli_usage_error (&cli, "unexpected argument '%s'", cli.argv[i]);
            cli_end (&cli);
            return rc;
        }
    }
    err_t err;
    const char *status_endpoint;
    client_t *client = NULL;
    if (conf_string (cli.conf, "broker.status_endpoint", "ipc:///tmp/campaign-status.ipc",
                     &status_endpoint, &err) ||
        client_new_from_conf (cli.conf, "campaign-status", &client, &err)) {
        fprintf (stderr, "%s: configuration error: %s\n", cli.program, err.msg);
        cli_end (&cli);
        return CLI_EXIT_CONFIG;
    }
    signals_install ();

    if (pipeline || audit) {
        rc = audit ? s_list_audit (client, &audit_request, json, &err)
                   : s_list_pipeline (client, csm, stage, json, &err);
        if (rc)
            fprintf (stderr, "%s: %s\n", cli.program, err.msg);
        client_destroy (&client);
        cli_end (&cli);
        return rc;
    }

    /*  Clone pattern: subscribe before asking for the snapshot. */
    zsock_t *sub = NULL;
    if (!once) {
        sub = zsock_new (ZMQ_SUB);
        if (sub)
            curve_apply (client_curve (client), sub);
        if (!sub || zsock_connect (sub, "%s", status_endpoint) != 0) {
            fprintf (stderr, "%s: cannot connect to broker.status_endpoint '%s'\n", cli.program,
                     status_endpoint);
            zsock_destroy (&sub);
            client_destroy (&client);
            cli_end (&cli);
            return CLI_EXIT_CONFIG;
        }
        zsock_set_rcvhwm (sub, 100000);
        if (n_topics == 0)
            zsock_set_subscribe (sub, "");
        for (int i = 0; i < n_topics; i++)
            zsock_set_subscribe (sub, topics[i]);
    }
    wire_envelope_t *snapshot = NULL;
    if (client_snapshot (client, &snapshot, &err)) {
        fprintf (stderr, "%s: %s\n", cli.program, err.msg);
        zsock_destroy (&sub);
        client_destroy (&client);
        cli_end (&cli);
        return err.code == ERR_UNREACHABLE ? CLI_EXIT_UNREACHABLE : CLI_EXIT_REJECTED;
    }
    s_show_snapshot (snapshot->snapshot, json);
    uint64_t last_seq = snapshot->snapshot->seq;
    wire_free (&snapshot);

    rc = CLI_EXIT_OK;
    while (!once && !signals_stop_requested ()) {
        zmq_pollitem_t item = {zsock_resolve (sub), 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, 1000) <= 0)
            continue;
        zmsg_t *msg = zmsg_recv (sub);
        if (!msg)
            continue;
        zframe_t *frame = zmsg_size (msg) == 2 ? zmsg_last (msg) : NULL;
        wire_envelope_t *env = NULL;
        if (frame &&
            wire_unpack (zframe_data (frame), zframe_size (frame), WIRE_MAX_BYTES, &env,
                         NULL) == 0 &&
            env->body_case == CAMPAIGN__ENVELOPE__BODY_STATUS_EVENT) {
            const Campaign__StatusEvent *event = env->status_event;
            if (event->seq > last_seq + 1 && n_topics == 0) {
                /*  A gap: some events never reached us. Start over from a snapshot. */
                if (client_snapshot (client, &snapshot, &err) == 0) {
                    if (!json)
                        printf ("(missed events %llu..%llu; fresh snapshot follows)\n",
                                (unsigned long long)last_seq + 1,
                                (unsigned long long)event->seq - 1);
                    s_show_snapshot (snapshot->snapshot, json);
                    last_seq = snapshot->snapshot->seq;
                    wire_free (&snapshot);
                } else {
                    fprintf (stderr, "%s: %s\n", cli.program, err.msg);
                    rc = CLI_EXIT_UNREACHABLE;
                    wire_free (&env);
                    zmsg_destroy (&msg);
                    break;
                }
            }
            if (event->seq > last_seq) {
                if (json) {
                    json_t *object = view_event_json (event);
                    view_print_json (stdout, object);
                    json_decref (object);
                } else
                    view_event_text (stdout, event);
                last_seq = event->seq;
            }
        }
        wire_free (&env);
        zmsg_destroy (&msg);
    }
    zsock_destroy (&sub);
    client_destroy (&client);
    cli_end (&cli);
    return rc;
}
