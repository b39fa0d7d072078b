/*  campaign-submit: what people know, into the campaign (SPEC section 8).

    Parses the command (command.c), sends it as one Submission and waits for the
    broker's answer, which comes only once the submission is durable. A retry after a
    timeout reuses the message id, so it is applied at most once. */
#include "cli.h"
#include "client.h"
#include "command.h"
#include "signals.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char s_usage[] =
    "Usage: campaign-submit [-c FILE]... [-o PATH=VALUE]... [--as PERSON] [--json] COMMAND "
    "...\n"
    "\n"
    "Send one submission to the campaign broker and wait until it is stored durably.\n"
    "\n"
    "Commands:\n"
    "  import-portfolio FILE    accounts.csv (SPEC section 4); replaces the portfolio\n"
    "  import-roster FILE       roster.csv; replaces the roster\n"
    "  import-history FILE      history.csv (past campaigns); replaces the history\n"
    "  targets --arr-goal USD --conversion RATE --deals N --investment USD\n"
    "                           leadership's targets (RATE as 0.4 or 40%; USD as 50000,\n"
    "                           $50,000 or 50K)\n"
    "  note --account ID [--budget yes|no|unknown] [--authority yes|no|unknown]\n"
    "       [--need high|medium|low|none] [--timing TEXT] [--feature-request TEXT]...\n"
    "       --text TEXT         a discovery note with BANT answers\n"
    "  stage --opportunity ID --stage NAME\n"
    "                           identified, qualified, discovery, demo, trial, pilot,\n"
    "                           proposal, negotiation, closed-won, closed-lost\n"
    "  outcome --opportunity ID (--won --amount USD | --lost) [--date YYYY-MM-DD]\n"
    "          --reason TEXT    a deal's outcome\n"
    "  retro --kind worked|didnt|start|stop|continue --text TEXT\n"
    "  advance [--weeks N | --days N]\n"
    "                           move a simulated clock (default one week)\n"
    "  override-gate --reason TEXT\n"
    "  ack-handoff ID           acknowledge a handoff to your team\n"
    "  run-task --agent KIND --name NAME [--payload TEXT]\n"
    "                           operator: queue one agent task by hand\n"
    "  batch FILE               JSON Lines, one submission per line, e.g.\n"
    "                           {\"command\":\"note\",\"account\":\"A-1\",\"text\":\"...\"}\n"
    "                           keys are the long options; \"as\" sets the person and \"id\"\n"
    "                           the message id (give ids to make a re-run idempotent).\n"
    "                           Every line is checked before the first is sent.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE        configuration (repeatable; later files win)\n"
    "  -o, --option PATH=VALUE  override one setting\n"
    "      --as PERSON          who submits (default: the person of curve.certificate,\n"
    "                           else $CAMPAIGN_PERSON, else $USER)\n"
    "      --json               print the broker's answer as JSON\n"
    "  -h, --help               this text\n"
    "      --version            print the version\n"
    "\n"
    "Settings used: broker.endpoint, campaign.id, client.timeout_ms, client.retries,\n"
    "client.import_part_records (imports larger than this go in parts, applied whole\n"
    "when the last part is in; default 10000).\n"
    "\n"
    "Exit codes: 0 accepted (or already accepted earlier), 1 rejected by the broker or a\n"
    "bad input file (the message says what and where; nothing was changed), 2 usage,\n"
    "3 broker unreachable, 4 configuration error.\n";

typedef struct {
    bool json;
    const char *source; /* batch file name, or NULL */
    size_t line;
} s_report_t;

/*  Print the broker's answer; returns the exit code it means. */
static int
s_report (const s_report_t *where, const wire_envelope_t *reply)
{
    int rc;
    json_t *object = json_object ();
    if (where->source)
        json_object_set_new (object, "line", json_integer ((json_int_t)where->line));
    if (reply->body_case == CAMPAIGN__ENVELOPE__BODY_ACK) {
        const Campaign__Ack *ack = reply->ack;
        bool duplicate = ack->has_duplicate && ack->duplicate;
        json_object_set_new (object, "status",
                             json_string (duplicate ? "duplicate" : "accepted"));
        json_object_set_new (object, "stored_id",
                             json_string (ack->stored_id ? ack->stored_id : ""));
        json_object_set_new (object, "journal_seq",
                             json_integer ((json_int_t)ack->journal_seq));
        json_object_set_new (object, "detail", json_string (ack->detail ? ack->detail : ""));
        if (!where->json) {
            if (where->source)
                printf ("%s:%zu: ", where->source, where->line);
            printf ("%s %s: %s\n", duplicate ? "already accepted as" : "accepted",
                    ack->stored_id, ack->detail ? ack->detail : "");
        }
        rc = CLI_EXIT_OK;
    } else if (reply->body_case == CAMPAIGN__ENVELOPE__BODY_REJECTION) {
        const Campaign__Rejection *rejection = reply->rejection;
        const ProtobufCEnumValue *code = protobuf_c_enum_descriptor_get_value (
            &campaign__reject_code__descriptor, rejection->code);
        const char *code_name = code ? code->name + strlen ("REJECT_") : "UNKNOWN";
        json_object_set_new (object, "status", json_string ("rejected"));
        json_object_set_new (object, "code", json_string (code_name));
        json_object_set_new (object, "message",
                             json_string (rejection->message ? rejection->message : ""));
        if (!where->json) {
            if (where->source)
                fprintf (stderr, "%s:%zu: ", where->source, where->line);
            fprintf (stderr, "rejected (%s): %s\n", code_name,
                     rejection->message ? rejection->message : "no reason given");
        }
        rc = CLI_EXIT_REJECTED;
    } else {
        json_object_set_new (object, "status", json_string ("unexpected"));
        if (!where->json)
            fprintf (stderr, "unexpected %s from the broker\n",
                     wire_body_name (reply->body_case));
        rc = CLI_EXIT_REJECTED;
    }
    if (where->json) {
        char *text = json_dumps (object, JSON_COMPACT | JSON_ENSURE_ASCII);
        if (text)
            puts (text);
        free (text);
    }
    json_decref (object);
    fflush (stdout);
    return rc;
}

static void
s_part_sent (void *arg, uint32_t part, uint32_t parts)
{
    if (!*(bool *)arg)
        fprintf (stderr, "part %u of %u sent\n", part, parts);
}

static int
s_send (client_t *client, command_t *command, const s_report_t *where, err_t *err)
{
    wire_out_t out;
    client_prepare (client, &out);
    if (command_message_id (command))
        out.env.message_id = (char *)command_message_id (command);
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_SUBMISSION;
    out.env.submission = (Campaign__Submission *)command_submission (command);
    wire_envelope_t *reply = NULL;
    bool quiet = where->json;
    if (client_submit (client, &out.env, s_part_sent, &quiet, &reply, err)) {
        wire_free (&reply);
        return CLI_EXIT_UNREACHABLE;
    }
    int rc = s_report (where, reply);
    wire_free (&reply);
    return rc;
}

/*  Read and check every line of a batch file before anything is sent. */
static int
s_load_batch (const char *path, const char *person, command_t ***out, size_t **lines_out,
              size_t *count, err_t *err)
{
    FILE *file = fopen (path, "r");
    if (!file)
        return err_set (err, ERR_IO, "%s: cannot read: %s", path, strerror (errno));
    command_t **commands = NULL;
    size_t *lines = NULL;
    size_t n = 0, line_no = 0;
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    while (!rc && getline (&line, &cap, file) >= 0) {
        line_no++;
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
            continue;
        json_error_t jerr;
        json_t *object = json_loads (p, JSON_REJECT_DUPLICATES, &jerr);
        if (!object) {
            rc = err_set (err, ERR_USAGE, "%s:%zu: column %d: %s", path, line_no, jerr.column,
                          jerr.text);
            break;
        }
        command_t *command = NULL;
        rc = command_parse_json (object, person, &command, err);
        json_decref (object);
        if (rc) {
            err_prefix (err, "%s:%zu: ", path, line_no);
            break;
        }
        command_t **grown = realloc (commands, (n + 1) * sizeof *grown);
        size_t *grown_lines = realloc (lines, (n + 1) * sizeof *grown_lines);
        if (grown)
            commands = grown;
        if (grown_lines)
            lines = grown_lines;
        if (!grown || !grown_lines) {
            command_destroy (&command);
            rc = err_set (err, ERR_NOMEM, "out of memory");
            break;
        }
        commands[n] = command;
        lines[n++] = line_no;
    }
    free (line);
    fclose (file);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            command_destroy (&commands[i]);
        free (commands);
        free (lines);
        return rc;
    }
    *out = commands;
    *lines_out = lines;
    *count = n;
    return 0;
}

static int
s_batch (cli_t *cli, client_t *client, const char *path, const char *person, bool json)
{
    command_t **commands = NULL;
    size_t *lines = NULL, n = 0;
    err_t err;
    int rc = s_load_batch (path, person, &commands, &lines, &n, &err);
    if (rc) {
        fprintf (stderr, "%s: %s; nothing sent\n", cli->program, err.msg);
        return CLI_EXIT_REJECTED;
    }
    size_t accepted = 0, rejected = 0;
    int exit_code = CLI_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        s_report_t where = {json, path, lines[i]};
        rc = s_send (client, commands[i], &where, &err);
        if (rc == CLI_EXIT_UNREACHABLE) {
            fprintf (stderr, "%s: %s:%zu: %s; %zu line(s) not sent\n", cli->program, path,
                     lines[i], err.msg, n - i);
            exit_code = CLI_EXIT_UNREACHABLE;
            break;
        }
        if (rc == CLI_EXIT_OK)
            accepted++;
        else {
            rejected++;
            exit_code = CLI_EXIT_REJECTED;
        }
    }
    if (!json)
        fprintf (stderr, "%s: %zu accepted, %zu rejected of %zu\n", path, accepted, rejected,
                 n);
    for (size_t i = 0; i < n; i++)
        command_destroy (&commands[i]);
    free (commands);
    free (lines);
    return exit_code;
}

int
main (int argc, char **argv)
{
    cli_t cli;
    int rc = cli_start (&cli, argc, argv, s_usage);
    if (rc >= 0)
        return rc;
    const char *person = getenv ("CAMPAIGN_PERSON");
    if (!person || !*person)
        person = getenv ("USER");
    if (!person || !*person)
        person = "operator";
    bool json = false, named = false;
    int i = 0;
    for (; i < cli.argc && strncmp (cli.argv[i], "--", 2) == 0; i++) {
        if (strcmp (cli.argv[i], "--json") == 0)
            json = true;
        else if (strcmp (cli.argv[i], "--as") == 0 && i + 1 < cli.argc) {
            person = cli.argv[++i];
            named = true;
        } else {
            rc =
                cli_usage_error (&cli, "unknown option '%s' (before the command)", cli.argv[i]);
            cli_end (&cli);
            return rc;
        }
    }
    err_t err;
    /*  With a person's certificate, the certificate says who submits. */
    curve_t *curve = NULL;
    if (!named && curve_from_conf (cli.conf, NULL, &curve, NULL) == 0 && curve_person (curve))
        person = curve_person (curve);
    command_t *command = NULL;
    rc = command_parse (cli.argc - i, cli.argv + i, person, &command, &err);
    if (rc) {
        if (rc == ERR_USAGE)
            rc = cli_usage_error (&cli, "%s", err.msg);
        else {
            fprintf (stderr, "%s: %s\n", cli.program, err.msg);
            rc = CLI_EXIT_REJECTED; /* a bad input file: nothing was sent */
        }
        curve_destroy (&curve);
        cli_end (&cli);
        return rc;
    }
    signals_install ();
    char sender[256];
    snprintf (sender, sizeof sender, "campaign-submit/%s", person);
    client_t *client = NULL;
    if (client_new_from_conf (cli.conf, sender, &client, &err)) {
        fprintf (stderr, "%s: configuration error: %s\n", cli.program, err.msg);
        command_destroy (&command);
        curve_destroy (&curve);
        cli_end (&cli);
        return CLI_EXIT_CONFIG;
    }
    if (command_batch_file (command))
        rc = s_batch (&cli, client, command_batch_file (command), person, json);
    else {
        s_report_t where = {json, NULL, 0};
        rc = s_send (client, command, &where, &err);
        if (rc == CLI_EXIT_UNREACHABLE)
            fprintf (stderr, "%s: %s\n", cli.program, err.msg);
    }
    client_destroy (&client);
    command_destroy (&command);
    curve_destroy (&curve);
    cli_end (&cli);
    return rc;
}
