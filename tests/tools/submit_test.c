/*  submit_test.c: campaign-submit's commands, from words and from batch lines, to the
    Submission that crosses the wire; and the usage errors that never reach it. */
#include "test_support.h"

#include "command.h"

#include <jansson.h>
#include <string.h>

TS_SUITE (submit);

static command_t *
s_parse (char **words, err_t *err)
{
    int argc = 0;
    while (words[argc])
        argc++;
    command_t *command = NULL;
    int rc = command_parse (argc, words, "csm-7", &command, err);
    return rc ? NULL : command;
}

Test (submit, a_note_with_every_option)
{
    char *words[] = {"note",
                     "--account",
                     "A-1",
                     "--budget",
                     "yes",
                     "--authority=no",
                     "--need",
                     "high",
                     "--timing",
                     "Q1",
                     "--feature-request",
                     "SSO",
                     "--feature-request",
                     "audit log",
                     "--text",
                     "wants seats",
                     NULL};
    err_t err;
    command_t *command = s_parse (words, &err);
    cr_assert_not_null (command, "%s", err.msg);
    const Campaign__Submission *sub = command_submission (command);
    cr_expect_str_eq (sub->person, "csm-7");
    cr_assert_eq (sub->kind_case, CAMPAIGN__SUBMISSION__KIND_NOTE);
    cr_expect_str_eq (sub->note->account_id, "A-1");
    cr_expect_str_eq (sub->note->authority, "no");
    cr_expect_eq (sub->note->n_feature_requests, 2);
    cr_expect_str_eq (sub->note->feature_requests[1], "audit log");
    command_destroy (&command);
}

Test (submit, amounts_rates_and_weeks_read_as_people_write_them)
{
    char *targets[] = {"targets", "--arr-goal", "$400,000",     "--conversion", "40%",
                       "--deals", "25",         "--investment", "60K",          NULL};
    err_t err;
    command_t *command = s_parse (targets, &err);
    cr_assert_not_null (command, "%s", err.msg);
    const Campaign__Targets *t = command_submission (command)->targets;
    cr_expect_float_eq (t->arr_goal, 400000, 1e-9);
    cr_expect_float_eq (t->conversion, 0.4, 1e-12);
    cr_expect_eq (t->deals, 25);
    cr_expect_float_eq (t->investment, 60000, 1e-9);
    command_destroy (&command);
    char *advance[] = {"advance", "--weeks", "2", NULL};
    command = s_parse (advance, &err);
    cr_assert_not_null (command);
    cr_expect_eq (command_submission (command)->advance->days, 14);
    command_destroy (&command);
    char *won[] = {"outcome", "--opportunity", "O-1",   "--won", "--amount",
                   "1.2M",    "--reason",      "pilot", NULL};
    command = s_parse (won, &err);
    cr_assert_not_null (command, "%s", err.msg);
    cr_expect (command_submission (command)->outcome->won);
    cr_expect_float_eq (command_submission (command)->outcome->amount, 1.2e6, 1e-6);
    command_destroy (&command);
}

Test (submit, usage_mistakes_name_the_option)
{
    struct {
        char *words[12];
        const char *says;
    } cases[] = {
        {{"note", "--text", "x", NULL}, "--account is required"},
        {{"note", "--account", "A", "--text", "x", "--need", "urgent", NULL},
         "--need 'urgent'"},
        {{"targets", "--arr-goal", "lots", NULL}, "--arr-goal 'lots'"},
        {{"targets", "--arr-goal", "1", "--conversion", "140%", NULL}, "--conversion '140%'"},
        {{"outcome", "--opportunity", "O", "--won", "--lost", "--reason", "x", NULL},
         "exactly one"},
        {{"outcome", "--opportunity", "O", "--lost", "--amount", "5", "--reason", "x", NULL},
         "takes no --amount"},
        {{"advance", "--weeks", "1", "--days", "2", NULL}, "not both"},
        {{"retro", "--kind", "worked", "--colour", "red", NULL}, "unknown option --colour"},
        {{"frobnicate", NULL}, "unknown command"},
        {{"ack-handoff", NULL}, "needs ID"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        err_t err;
        err_clear (&err);
        command_t *command = s_parse (cases[i].words, &err);
        cr_expect_null (command, "%s should be refused", cases[i].words[0]);
        command_destroy (&command);
        cr_expect (strstr (err.msg, cases[i].says), "'%s' not in: %s", cases[i].says, err.msg);
    }
}

Test (submit, a_batch_line_means_what_the_command_line_means)
{
    json_error_t jerr;
    json_t *line = json_loads ("{\"command\":\"note\",\"account\":\"A-1\",\"text\":\"hi\","
                               "\"feature_request\":[\"SSO\",\"API\"],\"id\":\"n-1\","
                               "\"as\":\"csm-9\"}",
                               0, &jerr);
    cr_assert_not_null (line);
    command_t *command = NULL;
    err_t err;
    cr_assert_eq (command_parse_json (line, "csm-7", &command, &err), 0, "%s", err.msg);
    const Campaign__Submission *sub = command_submission (command);
    cr_expect_str_eq (sub->person, "csm-9", "\"as\" sets the person");
    cr_expect_str_eq (command_message_id (command), "n-1");
    cr_expect_eq (sub->note->n_feature_requests, 2);
    command_destroy (&command);
    json_decref (line);
    line = json_loads ("{\"command\":\"targets\",\"arr_goal\":400000,\"conversion\":0.4,"
                       "\"deals\":25,\"investment\":\"60K\"}",
                       0, &jerr);
    cr_assert_eq (command_parse_json (line, "lead", &command, &err), 0, "%s", err.msg);
    cr_expect_float_eq (command_submission (command)->targets->arr_goal, 400000, 1e-9);
    command_destroy (&command);
    json_decref (line);
    line = json_loads ("{\"command\":\"batch\",\"file\":\"x\"}", 0, &jerr);
    cr_expect_eq (command_parse_json (line, "lead", &command, &err), ERR_USAGE,
                  "no batch inside a batch");
    json_decref (line);
}
