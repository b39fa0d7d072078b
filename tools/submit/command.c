/*  command.c: campaign-submit's commands (see command.h).

    Both front ends, argv and a JSON object, first become the same list of (option,
    value) pairs, checked against the command's table of options; one builder per
    command then turns the pairs into a Submission. So a batch line and a command line
    mean exactly the same thing.
*/
#include "command.h"

#include "records.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef enum { OPT_VALUE, OPT_FLAG, OPT_MULTI } opt_type_t;

typedef struct {
    const char *name;
    opt_type_t type;
} opt_spec_t;

typedef struct {
    char *key;
    char *value; /* "1" for a flag */
} s_pair_t;

struct _command_t {
    const char *name;
    s_pair_t *pairs;
    size_t n_pairs;
    char *positional;
    char *message_id;
    char *person;
    Campaign__Submission submission;
    /* bodies, one of which the submission points to */
    Campaign__Targets targets;
    Campaign__Note note;
    Campaign__StageChange stage;
    Campaign__Outcome outcome;
    Campaign__Retro retro;
    Campaign__Advance advance;
    Campaign__OverrideGate override_gate;
    Campaign__AckHandoff ack_handoff;
    Campaign__RunTask run_task;
    Campaign__ImportPortfolio *portfolio;
    Campaign__ImportRoster *roster;
    Campaign__ImportHistory *history;
    char **feature_requests;
};

static const opt_spec_t s_none[] = {{NULL, 0}};
static const opt_spec_t s_targets[] = {{"arr-goal", OPT_VALUE},
                                       {"conversion", OPT_VALUE},
                                       {"deals", OPT_VALUE},
                                       {"investment", OPT_VALUE},
                                       {NULL, 0}};
static const opt_spec_t s_note[] = {{"account", OPT_VALUE},         {"budget", OPT_VALUE},
                                    {"authority", OPT_VALUE},       {"need", OPT_VALUE},
                                    {"timing", OPT_VALUE},          {"text", OPT_VALUE},
                                    {"feature-request", OPT_MULTI}, {NULL, 0}};
static const opt_spec_t s_stage[] = {
    {"opportunity", OPT_VALUE}, {"stage", OPT_VALUE}, {NULL, 0}};
static const opt_spec_t s_outcome[] = {{"opportunity", OPT_VALUE},
                                       {"won", OPT_FLAG},
                                       {"lost", OPT_FLAG},
                                       {"amount", OPT_VALUE},
                                       {"date", OPT_VALUE},
                                       {"reason", OPT_VALUE},
                                       {NULL, 0}};
static const opt_spec_t s_retro[] = {{"kind", OPT_VALUE}, {"text", OPT_VALUE}, {NULL, 0}};
static const opt_spec_t s_advance[] = {{"weeks", OPT_VALUE}, {"days", OPT_VALUE}, {NULL, 0}};
static const opt_spec_t s_override[] = {{"reason", OPT_VALUE}, {NULL, 0}};
static const opt_spec_t s_run_task[] = {
    {"agent", OPT_VALUE}, {"name", OPT_VALUE}, {"payload", OPT_VALUE}, {NULL, 0}};

typedef struct {
    const char *name;
    const opt_spec_t *options;
    bool positional; /* takes one FILE or ID argument */
    const char *positional_name;
} cmd_spec_t;

static const cmd_spec_t s_commands[] = {
    {"import-portfolio", s_none, true, "FILE"},
    {"import-roster", s_none, true, "FILE"},
    {"import-history", s_none, true, "FILE"},
    {"targets", s_targets, false, NULL},
    {"note", s_note, false, NULL},
    {"stage", s_stage, false, NULL},
    {"outcome", s_outcome, false, NULL},
    {"retro", s_retro, false, NULL},
    {"advance", s_advance, false, NULL},
    {"override-gate", s_override, false, NULL},
    {"ack-handoff", s_none, true, "ID"},
    {"run-task", s_run_task, false, NULL},
    {"batch", s_none, true, "FILE"},
    {NULL, NULL, false, NULL},
};

static const cmd_spec_t *
s_find_command (const char *name)
{
    for (int i = 0; s_commands[i].name; i++)
        if (strcmp (s_commands[i].name, name) == 0)
            return &s_commands[i];
    return NULL;
}

static const opt_spec_t *
s_find_option (const cmd_spec_t *cmd, const char *name)
{
    for (int i = 0; cmd->options[i].name; i++)
        if (strcmp (cmd->options[i].name, name) == 0)
            return &cmd->options[i];
    return NULL;
}

static const char *
s_get (command_t *self, const char *key)
{
    for (size_t i = 0; i < self->n_pairs; i++)
        if (strcmp (self->pairs[i].key, key) == 0)
            return self->pairs[i].value;
    return NULL;
}

static int
s_add_pair (command_t *self, const cmd_spec_t *cmd, const char *key, const char *value,
            err_t *err)
{
    const opt_spec_t *opt = s_find_option (cmd, key);
    if (!opt)
        return err_set (err, ERR_USAGE, "%s: unknown option --%s", cmd->name, key);
    if (opt->type != OPT_MULTI && s_get (self, key))
        return err_set (err, ERR_USAGE, "%s: --%s given twice", cmd->name, key);
    s_pair_t *pairs = realloc (self->pairs, (self->n_pairs + 1) * sizeof *pairs);
    if (!pairs)
        return err_set (err, ERR_NOMEM, "out of memory");
    self->pairs = pairs;
    pairs[self->n_pairs].key = strdup (key);
    pairs[self->n_pairs].value = strdup (value);
    if (!pairs[self->n_pairs].key || !pairs[self->n_pairs].value) {
        free (pairs[self->n_pairs].key);
        free (pairs[self->n_pairs].value);
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    self->n_pairs++;
    return 0;
}

/* --------------------------------------------------------------------------
   Values */

static int
s_need (command_t *self, const char *key, const char **value, err_t *err)
{
    *value = s_get (self, key);
    if (!*value || !**value)
        return err_set (err, ERR_USAGE, "%s: --%s is required", self->name, key);
    return 0;
}

/*  A money amount: digits with optional '$', thousands commas, decimals, and a K or M
    suffix ("50000", "$50,000", "50K", "1.2M"). */
static int
s_money (command_t *self, const char *key, const char *text, double *out, err_t *err)
{
    char clean[64];
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < sizeof clean; p++)
        if (*p != ',' && *p != '$' && *p != '_')
            clean[n++] = *p;
    clean[n] = '\0';
    double scale = 1;
    if (n > 0 && (clean[n - 1] == 'K' || clean[n - 1] == 'k'))
        scale = 1e3, clean[--n] = '\0';
    else if (n > 0 && (clean[n - 1] == 'M' || clean[n - 1] == 'm'))
        scale = 1e6, clean[--n] = '\0';
    char *end = NULL;
    errno = 0;
    double value = n ? strtod (clean, &end) : NAN;
    if (!n || errno || !end || *end || !isfinite (value))
        return err_set (err, ERR_USAGE,
                        "%s: --%s '%s' is not an amount in USD (e.g. 50000, 50K)", self->name,
                        key, text);
    *out = value * scale;
    return 0;
}

static int
s_count (command_t *self, const char *key, const char *text, long lo, long hi, long *out,
         err_t *err)
{
    char *end = NULL;
    errno = 0;
    long value = strtol (text, &end, 10);
    if (errno || !end || end == text || *end || value < lo || value > hi)
        return err_set (err, ERR_USAGE, "%s: --%s '%s' is not a whole number in %ld..%ld",
                        self->name, key, text, lo, hi);
    *out = value;
    return 0;
}

/*  A rate: "0.4" or "40%". */
static int
s_rate (command_t *self, const char *key, const char *text, double *out, err_t *err)
{
    char *end = NULL;
    errno = 0;
    double value = strtod (text, &end);
    if (end && *end == '%' && end[1] == '\0') {
        value /= 100;
        end++;
    }
    if (errno || !end || end == text || *end || !isfinite (value) || value <= 0 || value > 1)
        return err_set (err, ERR_USAGE,
                        "%s: --%s '%s' is not a rate in (0, 1] (e.g. 0.4 or 40%%)", self->name,
                        key, text);
    *out = value;
    return 0;
}

/* --------------------------------------------------------------------------
   Builders, one per command */

static int
s_build_import (command_t *self, err_t *err)
{
    Campaign__Submission *sub = &self->submission;
    int rc;
    if (strcmp (self->name, "import-portfolio") == 0) {
        rc = records_load_accounts (self->positional, &self->portfolio, err);
        sub->kind_case = CAMPAIGN__SUBMISSION__KIND_IMPORT_PORTFOLIO;
        sub->import_portfolio = self->portfolio;
    } else if (strcmp (self->name, "import-roster") == 0) {
        rc = records_load_roster (self->positional, &self->roster, err);
        sub->kind_case = CAMPAIGN__SUBMISSION__KIND_IMPORT_ROSTER;
        sub->import_roster = self->roster;
    } else {
        rc = records_load_history (self->positional, &self->history, err);
        sub->kind_case = CAMPAIGN__SUBMISSION__KIND_IMPORT_HISTORY;
        sub->import_history = self->history;
    }
    if (rc)
        sub->kind_case = CAMPAIGN__SUBMISSION__KIND__NOT_SET;
    return rc;
}

static int
s_build_targets (command_t *self, err_t *err)
{
    Campaign__Targets *t = &self->targets;
    const char *text;
    long deals;
    int rc = s_need (self, "arr-goal", &text, err) ||
             s_money (self, "arr-goal", text, &t->arr_goal, err) ||
             s_need (self, "conversion", &text, err) ||
             s_rate (self, "conversion", text, &t->conversion, err) ||
             s_need (self, "deals", &text, err) ||
             s_count (self, "deals", text, 1, 1000000, &deals, err) ||
             s_need (self, "investment", &text, err) ||
             s_money (self, "investment", text, &t->investment, err);
    if (rc)
        return err->code;
    t->has_arr_goal = t->has_conversion = t->has_deals = t->has_investment = 1;
    t->deals = (uint32_t)deals;
    self->submission.kind_case = CAMPAIGN__SUBMISSION__KIND_TARGETS;
    self->submission.targets = t;
    return 0;
}

static int
s_build_note (command_t *self, err_t *err)
{
    Campaign__Note *note = &self->note;
    const char *account, *text;
    if (s_need (self, "account", &account, err) || s_need (self, "text", &text, err))
        return err->code;
    static const char *const yes_no[] = {"yes", "no", "unknown", NULL};
    static const char *const needs[] = {"high", "medium", "low", "none", NULL};
    const char *const keys[] = {"budget", "authority", "need"};
    const char *const *allowed[] = {yes_no, yes_no, needs};
    for (int k = 0; k < 3; k++) {
        const char *value = s_get (self, keys[k]);
        bool ok = !value;
        for (int i = 0; value && allowed[k][i]; i++)
            ok = ok || strcmp (value, allowed[k][i]) == 0;
        if (!ok)
            return err_set (err, ERR_USAGE, "note: --%s '%s' is not one of %s", keys[k], value,
                            k == 2 ? "high|medium|low|none" : "yes|no|unknown");
    }
    note->account_id = (char *)account;
    note->text = (char *)text;
    note->budget = (char *)s_get (self, "budget");
    note->authority = (char *)s_get (self, "authority");
    note->need = (char *)s_get (self, "need");
    note->timing = (char *)s_get (self, "timing");
    size_t n = 0;
    for (size_t i = 0; i < self->n_pairs; i++)
        n += strcmp (self->pairs[i].key, "feature-request") == 0;
    if (n) {
        self->feature_requests = calloc (n, sizeof (char *));
        if (!self->feature_requests)
            return err_set (err, ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < self->n_pairs; i++)
            if (strcmp (self->pairs[i].key, "feature-request") == 0)
                self->feature_requests[note->n_feature_requests++] = self->pairs[i].value;
        note->feature_requests = self->feature_requests;
    }
    self->submission.kind_case = CAMPAIGN__SUBMISSION__KIND_NOTE;
    self->submission.note = note;
    return 0;
}

static int
s_build_stage (command_t *self, err_t *err)
{
    const char *opportunity, *stage;
    if (s_need (self, "opportunity", &opportunity, err) || s_need (self, "stage", &stage, err))
        return err->code;
    self->stage.opportunity_id = (char *)opportunity;
    self->stage.stage = (char *)stage;
    self->submission.kind_case = CAMPAIGN__SUBMISSION__KIND_STAGE;
    self->submission.stage = &self->stage;
    return 0;
}

static int
s_build_outcome (command_t *self, err_t *err)
{
    Campaign__Outcome *outcome = &self->outcome;
    const char *opportunity, *reason;
    if (s_need (self, "opportunity", &opportunity, err) ||
        s_need (self, "reason", &reason, err))
        return err->code;
    bool won = s_get (self, "won") != NULL, lost = s_get (self, "lost") != NULL;
    if (won == lost)
        return err_set (err, ERR_USAGE, "outcome: give exactly one of --won or --lost");
    const char *amount = s_get (self, "amount");
    if (won && !amount)
        return err_set (err, ERR_USAGE, "outcome: --won needs --amount USD");
    if (lost && amount)
        return err_set (err, ERR_USAGE, "outcome: --lost takes no --amount");
    if (amount) {
        if (s_money (self, "amount", amount, &outcome->amount, err))
            return err->code;
        outcome->has_amount = 1;
    }
    outcome->opportunity_id = (char *)opportunity;
    outcome->reason = (char *)reason;
    outcome->date = (char *)s_get (self, "date");
    outcome->has_won = 1;
    outcome->won = won;
    self->submission.kind_case = CAMPAIGN__SUBMISSION__KIND_OUTCOME;
    self->submission.outcome = outcome;
    return 0;
}

static int
s_build_retro (command_t *self, err_t *err)
{
    const char *kind, *text;
    if (s_need (self, "kind", &kind, err) || s_need (self, "text", &text, err))
        return err->code;
    self->retro.kind = (char *)kind;
    self->retro.text = (char *)text;
    self->submission.kind_case = CAMPAIGN__SUBMISSION__KIND_RETRO;
    self->submission.retro = &self->retro;
    return 0;
}

static int
s_build_advance (command_t *self, err_t *err)
{
    const char *weeks = s_get (self, "weeks"), *days = s_get (self, "days");
    long value = 1;
    if (weeks && days)
        return err_set (err, ERR_USAGE, "advance: give --weeks or --days, not both");
    if (weeks && s_count (self, "weeks", weeks, 1, 52, &value, err))
        return err->code;
    if (days && s_count (self, "days", days, 1, 366, &value, err))
        return err->code;
    self->advance.has_days = 1;
    self->advance.days = (uint32_t)(days ? value : value * 7);
    self->submission.kind_case = CAMPAIGN__SUBMISSION__KIND_ADVANCE;
    self->submission.advance = &self->advance;
    return 0;
}

static int
s_build_override (command_t *self, err_t *err)
{
    const char *reason;
    if (s_need (self, "reason", &reason, err))
        return err->code;
    self->override_gate.reason = (char *)reason;
    self->submission.kind_case = CAMPAIGN__SUBMISSION__KIND_OVERRIDE_GATE;
    self->submission.override_gate = &self->override_gate;
    return 0;
}

static int
s_build_ack_handoff (command_t *self, err_t *err)
{
    self->ack_handoff.handoff_id = self->positional;
    self->submission.kind_case = CAMPAIGN__SUBMISSION__KIND_ACK_HANDOFF;
    self->submission.ack_handoff = &self->ack_handoff;
    return 0;
}

static int
s_build_run_task (command_t *self, err_t *err)
{
    const char *agent, *name;
    if (s_need (self, "agent", &agent, err) || s_need (self, "name", &name, err))
        return err->code;
    self->run_task.agent_kind = (char *)agent;
    self->run_task.name = (char *)name;
    const char *payload = s_get (self, "payload");
    if (payload) {
        self->run_task.has_payload = 1;
        self->run_task.payload.data = (uint8_t *)payload;
        self->run_task.payload.len = strlen (payload);
    }
    self->submission.kind_case = CAMPAIGN__SUBMISSION__KIND_RUN_TASK;
    self->submission.run_task = &self->run_task;
    return 0;
}

static int
s_build (command_t *self, err_t *err)
{
    if (strncmp (self->name, "import-", 7) == 0)
        return s_build_import (self, err);
    if (strcmp (self->name, "targets") == 0)
        return s_build_targets (self, err);
    if (strcmp (self->name, "note") == 0)
        return s_build_note (self, err);
    if (strcmp (self->name, "stage") == 0)
        return s_build_stage (self, err);
    if (strcmp (self->name, "outcome") == 0)
        return s_build_outcome (self, err);
    if (strcmp (self->name, "retro") == 0)
        return s_build_retro (self, err);
    if (strcmp (self->name, "advance") == 0)
        return s_build_advance (self, err);
    if (strcmp (self->name, "override-gate") == 0)
        return s_build_override (self, err);
    if (strcmp (self->name, "ack-handoff") == 0)
        return s_build_ack_handoff (self, err);
    if (strcmp (self->name, "run-task") == 0)
        return s_build_run_task (self, err);
    return 0; /* batch: the caller reads the file */
}

/* --------------------------------------------------------------------------
   Front ends */

static command_t *
s_command_new (const cmd_spec_t *cmd, const char *person)
{
    command_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->name = cmd->name;
    self->person = strdup (person ? person : "");
    if (!self->person) {
        free (self);
        return NULL;
    }
    campaign__submission__init (&self->submission);
    self->submission.person = self->person;
    campaign__targets__init (&self->targets);
    campaign__note__init (&self->note);
    campaign__stage_change__init (&self->stage);
    campaign__outcome__init (&self->outcome);
    campaign__retro__init (&self->retro);
    campaign__advance__init (&self->advance);
    campaign__override_gate__init (&self->override_gate);
    campaign__ack_handoff__init (&self->ack_handoff);
    campaign__run_task__init (&self->run_task);
    return self;
}

static int
s_finish (command_t *self, const cmd_spec_t *cmd, command_t **out, err_t *err)
{
    int rc = 0;
    if (cmd->positional && !self->positional)
        rc = err_set (err, ERR_USAGE, "%s: needs %s", cmd->name, cmd->positional_name);
    if (!rc)
        rc = s_build (self, err);
    if (rc)
        command_destroy (&self);
    else
        *out = self;
    return rc;
}

int
command_parse (int argc, char **argv, const char *person, command_t **out, err_t *err)
{
    if (argc < 1)
        return err_set (err, ERR_USAGE, "no command given");
    const cmd_spec_t *cmd = s_find_command (argv[0]);
    if (!cmd)
        return err_set (err, ERR_USAGE, "unknown command '%s'", argv[0]);
    command_t *self = s_command_new (cmd, person);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    int rc = 0;
    for (int i = 1; !rc && i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp (arg, "--", 2) == 0) {
            const char *key = arg + 2;
            const char *eq = strchr (key, '=');
            char name[64];
            snprintf (name, sizeof name, "%.*s", eq ? (int)(eq - key) : (int)strlen (key), key);
            const opt_spec_t *opt = s_find_option (cmd, name);
            if (!opt)
                rc = err_set (err, ERR_USAGE, "%s: unknown option --%s", cmd->name, name);
            else if (opt->type == OPT_FLAG)
                rc = eq ? err_set (err, ERR_USAGE, "%s: --%s takes no value", cmd->name, name)
                        : s_add_pair (self, cmd, name, "1", err);
            else if (eq)
                rc = s_add_pair (self, cmd, name, eq + 1, err);
            else if (i + 1 >= argc)
                rc = err_set (err, ERR_USAGE, "%s: --%s needs a value", cmd->name, name);
            else
                rc = s_add_pair (self, cmd, name, argv[++i], err);
        } else if (cmd->positional && !self->positional) {
            self->positional = strdup (arg);
            if (!self->positional)
                rc = err_set (err, ERR_NOMEM, "out of memory");
        } else
            rc = err_set (err, ERR_USAGE, "%s: unexpected argument '%s'", cmd->name, arg);
    }
    if (rc) {
        command_destroy (&self);
        return rc;
    }
    return s_finish (self, cmd, out, err);
}

int
command_parse_json (json_t *object, const char *person, command_t **out, err_t *err)
{
    if (!json_is_object (object))
        return err_set (err, ERR_USAGE, "a batch line must be a JSON object");
    const char *name = json_string_value (json_object_get (object, "command"));
    if (!name)
        return err_set (err, ERR_USAGE, "a batch line needs \"command\"");
    const cmd_spec_t *cmd = s_find_command (name);
    if (!cmd || strcmp (name, "batch") == 0)
        return err_set (err, ERR_USAGE, "unknown command \"%s\" in a batch", name);
    const char *as = json_string_value (json_object_get (object, "as"));
    command_t *self = s_command_new (cmd, as ? as : person);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    int rc = 0;
    const char *key;
    json_t *value;
    json_object_foreach (object, key, value)
    {
        if (rc)
            break;
        char name_buf[64];
        snprintf (name_buf, sizeof name_buf, "%s", key);
        for (char *p = name_buf; *p; p++)
            if (*p == '_')
                *p = '-';
        if (strcmp (name_buf, "command") == 0 || strcmp (name_buf, "as") == 0)
            continue;
        if (strcmp (name_buf, "id") == 0) {
            const char *id = json_string_value (value);
            if (!id || !*id || strlen (id) > 64)
                rc = err_set (err, ERR_USAGE, "\"id\" must be a string of 1..64 characters");
            else if (!(self->message_id = strdup (id)))
                rc = err_set (err, ERR_NOMEM, "out of memory");
            continue;
        }
        if (strcmp (name_buf, "file") == 0 || strcmp (name_buf, "handoff") == 0) {
            const char *text = json_string_value (value);
            if (!cmd->positional || !text)
                rc = err_set (err, ERR_USAGE, "%s: \"%s\" is not expected", cmd->name, key);
            else if (!(self->positional = strdup (text)))
                rc = err_set (err, ERR_NOMEM, "out of memory");
            continue;
        }
        const opt_spec_t *opt = s_find_option (cmd, name_buf);
        if (!opt) {
            rc = err_set (err, ERR_USAGE, "%s: unknown key \"%s\"", cmd->name, key);
            continue;
        }
        if (opt->type == OPT_FLAG) {
            if (!json_is_boolean (value))
                rc = err_set (err, ERR_USAGE, "%s: \"%s\" must be true or false", cmd->name,
                              key);
            else if (json_is_true (value))
                rc = s_add_pair (self, cmd, name_buf, "1", err);
            continue;
        }
        json_t *items = json_is_array (value) ? value : NULL;
        if (items && opt->type != OPT_MULTI) {
            rc = err_set (err, ERR_USAGE, "%s: \"%s\" takes one value", cmd->name, key);
            continue;
        }
        size_t count = items ? json_array_size (items) : 1;
        for (size_t i = 0; !rc && i < count; i++) {
            json_t *item = items ? json_array_get (items, i) : value;
            char number[64];
            const char *text = json_string_value (item);
            if (!text && json_is_number (item)) {
                snprintf (number, sizeof number, "%.17g", json_number_value (item));
                text = number;
            }
            if (!text)
                rc = err_set (err, ERR_USAGE, "%s: \"%s\" must be a string or a number",
                              cmd->name, key);
            else
                rc = s_add_pair (self, cmd, name_buf, text, err);
        }
    }
    if (rc) {
        command_destroy (&self);
        return rc;
    }
    return s_finish (self, cmd, out, err);
}

void
command_destroy (command_t **self_p)
{
    if (self_p && *self_p) {
        command_t *self = *self_p;
        for (size_t i = 0; i < self->n_pairs; i++) {
            free (self->pairs[i].key);
            free (self->pairs[i].value);
        }
        free (self->pairs);
        free (self->positional);
        free (self->message_id);
        free (self->person);
        free (self->feature_requests);
        if (self->portfolio)
            campaign__import_portfolio__free_unpacked (self->portfolio, NULL);
        if (self->roster)
            campaign__import_roster__free_unpacked (self->roster, NULL);
        if (self->history)
            campaign__import_history__free_unpacked (self->history, NULL);
        free (self);
        *self_p = NULL;
    }
}

const Campaign__Submission *
command_submission (command_t *self)
{
    return &self->submission;
}

const char *
command_message_id (command_t *self)
{
    return self->message_id;
}

const char *
command_batch_file (command_t *self)
{
    return strcmp (self->name, "batch") == 0 ? self->positional : NULL;
}
