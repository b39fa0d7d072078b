/*  intake.c: submission handlers, one per kind (see intake.h).

    Each handler validates everything before it writes anything, so a rejected
    submission leaves the store as it was even before the caller rolls back.
*/
#include "intake.h"

#include "campaign.h"
#include "handoff.h"
#include "pipeline.h"
#include "plan.h"
#include "records.h"
#include "roles.h"
#include "wire.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TEXT_MAX 16384
#define ID_MAX   128

static int
s_text (const char *field, const char *value, size_t max, err_t *err)
{
    if (!value || !*value)
        return err_set (err, ERR_INVALID, "%s is required", field);
    if (strlen (value) > max)
        return err_set (err, ERR_INVALID, "%s is longer than %zu characters", field, max);
    return 0;
}

static bool
s_one_of (const char *value, const char *const *allowed)
{
    for (int i = 0; value && allowed[i]; i++)
        if (strcmp (value, allowed[i]) == 0)
            return true;
    return false;
}

static void
s_join (const char *const *words, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; words[i]; i++) {
        size_t used = strlen (buf);
        snprintf (buf + used, size - used, "%s%s", i ? "|" : "", words[i]);
    }
}

static int
s_word (const char *field, const char *value, const char *const *allowed, err_t *err)
{
    if (!value || !*value || s_one_of (value, allowed))
        return 0; /* optional words: absent is fine */
    char list[256];
    s_join (allowed, list, sizeof list);
    return err_set (err, ERR_INVALID, "%s '%s' is not one of %s", field, value, list);
}

/* --------------------------------------------------------------------------
   Multi-part imports: the three import messages share their shape (source, the
   records, import_id, part, parts), so one piece of code stages parts and assembles
   the whole import through protobuf-c's descriptors. */

typedef struct {
    const ProtobufCMessageDescriptor *descriptor;
    ProtobufCMessage **parts;
    size_t n;
} s_parts_t;

static int
s_collect_part (void *arg, uint32_t part, const void *data, size_t size)
{
    s_parts_t *parts = arg;
    ProtobufCMessage **grown = realloc (parts->parts, (parts->n + 1) * sizeof *grown);
    if (!grown)
        return ERR_NOMEM;
    parts->parts = grown;
    parts->parts[parts->n] = protobuf_c_message_unpack (parts->descriptor, NULL, size, data);
    return parts->parts[parts->n++] ? 0 : ERR_STORAGE;
}

/*  Free an assembled import: its shell and pointer array, then the parts that own the
    records. */
static void
s_free_whole (ProtobufCMessage **whole, s_parts_t *parts)
{
    if (*whole) {
        free (*wire_repeated_items (*whole, 2));
        free (*whole);
        *whole = NULL;
    }
    for (size_t i = 0; i < parts->n; i++)
        if (parts->parts[i])
            protobuf_c_message_free_unpacked (parts->parts[i], NULL);
    free (parts->parts);
    parts->parts = NULL;
    parts->n = 0;
}

/*  Stage one part of a multi-part import. While parts are missing: *whole stays NULL
    and detail says how far the import is. With the last part: *whole is the assembled
    import (free with s_free_whole after applying it). */
static int
s_import_part (const turn_t *ctx, const char *kind, const ProtobufCMessage *part_message,
               const char *import_id, uint32_t part, uint32_t parts, ProtobufCMessage **whole,
               s_parts_t *held, char *detail, size_t size, err_t *err)
{
    *whole = NULL;
    if (!import_id || !*import_id || strlen (import_id) > ID_MAX || part < 1 || part > parts)
        return err_set (err, ERR_INVALID,
                        "%s: part %u of %u of import '%s' is not a valid part", kind, part,
                        parts, import_id ? import_id : "");
    size_t packed_size = protobuf_c_message_get_packed_size (part_message);
    uint8_t *packed = malloc (packed_size ? packed_size : 1);
    if (!packed)
        return err_set (err, ERR_NOMEM, "out of memory");
    protobuf_c_message_pack (part_message, packed);
    int64_t staged = 0;
    int rc =
        store_stage_part (ctx->store, kind, import_id, part, packed, packed_size, &staged, err);
    free (packed);
    if (rc)
        return rc;
    if (staged < parts) {
        snprintf (detail, size, "%s part %u of %u staged (%lld of %u in)", kind, part, parts,
                  (long long)staged, parts);
        return 0;
    }
    held->descriptor = part_message->descriptor;
    if ((rc = store_staged_parts (ctx->store, kind, import_id, s_collect_part, held, err)))
        return rc;
    const ProtobufCFieldDescriptor *source =
        protobuf_c_message_descriptor_get_field (part_message->descriptor, 1);
    size_t total = 0;
    for (size_t i = 0; i < held->n; i++)
        total += *wire_repeated_count (held->parts[i], 2);
    ProtobufCMessage *shell = calloc (1, part_message->descriptor->sizeof_message);
    void **items = calloc (total + 1, sizeof *items);
    if (!shell || !items) {
        free (shell);
        free (items);
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    part_message->descriptor->message_init (shell);
    size_t at = 0;
    for (size_t i = 0; i < held->n; i++) {
        size_t n = *wire_repeated_count (held->parts[i], 2);
        memcpy (items + at, *wire_repeated_items (held->parts[i], 2), n * sizeof *items);
        at += n;
    }
    *(char **)((char *)shell + source->offset) =
        *(char **)((char *)held->parts[0] + source->offset);
    *wire_repeated_count (shell, 2) = total;
    *wire_repeated_items (shell, 2) = items;
    *whole = shell;
    return 0;
}

static int
intake_import_portfolio (const turn_t *ctx, const Campaign__ImportPortfolio *import,
                         char *detail, size_t size, err_t *err)
{
    if (import->has_parts && import->parts > 1) {
        ProtobufCMessage *whole = NULL;
        s_parts_t held = {NULL, NULL, 0};
        int rc = s_import_part (ctx, "import-portfolio", &import->base, import->import_id,
                                import->part, import->parts, &whole, &held, detail, size, err);
        if (!rc && whole)
            rc = intake_import_portfolio (ctx, (const Campaign__ImportPortfolio *)whole, detail,
                                          size, err);
        s_free_whole (&whole, &held);
        return rc;
    }
    if (import->n_accounts == 0)
        return err_set (err, ERR_INVALID, "portfolio import has no accounts");
    zhashx_t *seen = zhashx_new ();
    if (!seen)
        return err_set (err, ERR_NOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; !rc && i < import->n_accounts; i++) {
        rc = records_check_account (import->accounts[i], err);
        if (!rc && zhashx_insert (seen, import->accounts[i]->account_id, (void *)1) != 0)
            rc = err_set (err, ERR_INVALID, "account %s appears twice in the import",
                          import->accounts[i]->account_id);
        if (rc)
            err_prefix (err, "%s: record %zu: ", import->source ? import->source : "portfolio",
                        i + 1);
    }
    zhashx_destroy (&seen);
    if (!rc)
        rc = store_replace_accounts (ctx->store, import, err);
    if (!rc)
        snprintf (detail, size, "%zu accounts imported from %s", import->n_accounts,
                  import->source ? import->source : "portfolio");
    return rc;
}

static int
intake_import_roster (const turn_t *ctx, const Campaign__ImportRoster *import, char *detail,
                      size_t size, err_t *err)
{
    if (import->has_parts && import->parts > 1) {
        ProtobufCMessage *whole = NULL;
        s_parts_t held = {NULL, NULL, 0};
        int rc = s_import_part (ctx, "import-roster", &import->base, import->import_id,
                                import->part, import->parts, &whole, &held, detail, size, err);
        if (!rc && whole)
            rc = intake_import_roster (ctx, (const Campaign__ImportRoster *)whole, detail, size,
                                       err);
        s_free_whole (&whole, &held);
        return rc;
    }
    if (import->n_people == 0)
        return err_set (err, ERR_INVALID, "roster import has no people");
    int rc = 0;
    for (size_t i = 0; !rc && i < import->n_people; i++)
        if ((rc = records_check_person (import->people[i], err)))
            err_prefix (err, "%s: record %zu: ", import->source ? import->source : "roster",
                        i + 1);
    if (!rc)
        rc = store_replace_people (ctx->store, import, err);
    if (!rc)
        snprintf (detail, size, "%zu people imported from %s", import->n_people,
                  import->source ? import->source : "roster");
    return rc;
}

static int
intake_import_history (const turn_t *ctx, const Campaign__ImportHistory *import, char *detail,
                       size_t size, err_t *err)
{
    if (import->has_parts && import->parts > 1) {
        ProtobufCMessage *whole = NULL;
        s_parts_t held = {NULL, NULL, 0};
        int rc = s_import_part (ctx, "import-history", &import->base, import->import_id,
                                import->part, import->parts, &whole, &held, detail, size, err);
        if (!rc && whole)
            rc = intake_import_history (ctx, (const Campaign__ImportHistory *)whole, detail,
                                        size, err);
        s_free_whole (&whole, &held);
        return rc;
    }
    int rc = 0;
    for (size_t i = 0; !rc && i < import->n_records; i++)
        if ((rc = records_check_history (import->records[i], err)))
            err_prefix (err, "%s: record %zu: ", import->source ? import->source : "history",
                        i + 1);
    if (!rc)
        rc = store_replace_history (ctx->store, import, err);
    if (!rc)
        snprintf (detail, size, "%zu history records imported from %s", import->n_records,
                  import->source ? import->source : "history");
    return rc;
}

static int
intake_targets (const turn_t *ctx, const Campaign__Targets *targets, char *detail, size_t size,
                err_t *err)
{
    if (!targets->has_arr_goal || !isfinite (targets->arr_goal) || targets->arr_goal <= 0)
        return err_set (err, ERR_INVALID, "targets: the ARR goal must be a positive amount");
    if (!targets->has_conversion || !isfinite (targets->conversion) ||
        targets->conversion <= 0 || targets->conversion > 1)
        return err_set (err, ERR_INVALID,
                        "targets: the conversion rate must be in (0, 1], e.g. 0.40");
    if (!targets->has_deals || targets->deals == 0)
        return err_set (err, ERR_INVALID, "targets: the number of deals must be at least 1");
    if (!targets->has_investment || !isfinite (targets->investment) || targets->investment < 0)
        return err_set (err, ERR_INVALID, "targets: the investment must be 0 or more");
    size_t packed_size = campaign__targets__get_packed_size (targets);
    uint8_t packed[256];
    if (packed_size > sizeof packed)
        return err_set (err, ERR_INVALID, "targets: message too large");
    campaign__targets__pack (targets, packed);
    int rc = store_meta_set_blob (ctx->store, "targets", packed, packed_size, err);
    if (!rc)
        snprintf (detail, size,
                  "targets set: ARR goal $%.0f, conversion %.0f%%, %u deals, "
                  "investment $%.0f",
                  targets->arr_goal, targets->conversion * 100, targets->deals,
                  targets->investment);
    return rc;
}

static int
intake_note (const turn_t *ctx, const Campaign__Note *note, const char *person, char *detail,
             size_t size, err_t *err)
{
    static const char *const yes_no[] = {"yes", "no", "unknown", NULL};
    static const char *const needs[] = {"high", "medium", "low", "none", NULL};
    int rc = s_text ("note: --account", note->account_id, ID_MAX, err);
    if (!rc)
        rc = s_text ("note: --text", note->text, TEXT_MAX, err);
    if (!rc)
        rc = s_word ("note: --budget", note->budget, yes_no, err);
    if (!rc)
        rc = s_word ("note: --authority", note->authority, yes_no, err);
    if (!rc)
        rc = s_word ("note: --need", note->need, needs, err);
    if (!rc && note->timing && strlen (note->timing) > TEXT_MAX)
        rc = err_set (err, ERR_INVALID, "note: --timing is too long");
    for (size_t i = 0; !rc && i < note->n_feature_requests; i++)
        rc = s_text ("note: --feature-request", note->feature_requests[i], TEXT_MAX, err);
    if (rc)
        return rc;
    if (!store_account_exists (ctx->store, note->account_id))
        return err_set (err, ERR_NOTFOUND,
                        "note: account '%s' is not in the portfolio (import-portfolio first?)",
                        note->account_id);
    int rc2 = store_note_add (ctx->store, note, person, ctx->today_text, err);
    if (!rc2)
        rc2 = handoff_after_note (ctx, note, err);
    if (!rc2)
        snprintf (detail, size, "note on %s recorded (%zu feature requests)", note->account_id,
                  note->n_feature_requests);
    return rc2;
}

static int
intake_stage (const turn_t *ctx, const Campaign__StageChange *stage, char *detail, size_t size,
              err_t *err)
{
    int rc = s_text ("stage: --opportunity", stage->opportunity_id, ID_MAX, err);
    if (!rc)
        rc = s_text ("stage: --stage", stage->stage, ID_MAX, err);
    if (!rc)
        rc = pipeline_stage (ctx, stage, detail, size, err);
    return rc;
}

static int
intake_outcome (const turn_t *ctx, const Campaign__Outcome *outcome, char *detail, size_t size,
                err_t *err)
{
    int rc = s_text ("outcome: --opportunity", outcome->opportunity_id, ID_MAX, err);
    if (!rc)
        rc = s_text ("outcome: --reason", outcome->reason, TEXT_MAX, err);
    if (rc)
        return rc;
    if (!outcome->has_won)
        return err_set (err, ERR_INVALID, "outcome: say --won or --lost");
    if (outcome->won &&
        (!outcome->has_amount || !isfinite (outcome->amount) || outcome->amount <= 0))
        return err_set (err, ERR_INVALID, "outcome: a won deal needs a positive --amount");
    if (!outcome->won && outcome->has_amount)
        return err_set (err, ERR_INVALID, "outcome: a lost deal has no --amount");
    return pipeline_outcome (ctx, outcome, detail, size, err);
}

static int
intake_retro (const turn_t *ctx, const Campaign__Retro *retro, char *detail, size_t size,
              err_t *err)
{
    static const char *const kinds[] = {"worked", "didnt", "start", "stop", "continue", NULL};
    int rc = s_text ("retro: --kind", retro->kind, ID_MAX, err);
    if (!rc)
        rc = s_word ("retro: --kind", retro->kind, kinds, err);
    if (!rc)
        rc = s_text ("retro: --text", retro->text, TEXT_MAX, err);
    if (!rc)
        snprintf (detail, size, "retrospective input (%s) recorded", retro->kind);
    return rc;
}

static int
intake_advance (const turn_t *ctx, const Campaign__Advance *advance, char *detail, size_t size,
                err_t *err)
{
    if (calendar_mode (ctx->calendar) != CALENDAR_SIMULATED)
        return err_set (err, ERR_STATE,
                        "advance: the campaign runs on the calendar clock; only a simulated "
                        "clock can be advanced (campaign.clock = \"simulated\")");
    if (!advance->has_days || advance->days == 0 || advance->days > 366)
        return err_set (err, ERR_INVALID, "advance: days must be 1..366");
    int rc = calendar_advance (ctx->calendar, (int)advance->days, ctx->now_ms, err);
    if (rc)
        return rc;
    char today[DATE_TEXT_MAX];
    int32_t day = calendar_today (ctx->calendar, ctx->now_ms);
    /*  The boundaries crossed are run by the campaign step at the end of this turn. */
    snprintf (detail, size, "clock advanced %u days to %s (week %d)", advance->days,
              date_format (day, today), calendar_week_of (ctx->calendar, day));
    return 0;
}

static int
intake_override_gate (const turn_t *ctx, const Campaign__OverrideGate *override,
                      const char *person, char *detail, size_t size, err_t *err)
{
    int rc = s_text ("override-gate: --reason", override->reason, TEXT_MAX, err);
    if (!rc)
        rc =
            campaign_override (ctx->campaign, ctx, person, override->reason, detail, size, err);
    return rc;
}

static int
intake_ack_handoff (const turn_t *ctx, const Campaign__AckHandoff *ack, const char *person,
                    char *detail, size_t size, err_t *err)
{
    int rc = s_text ("ack-handoff: ID", ack->handoff_id, ID_MAX, err);
    if (!rc)
        rc = handoff_ack (ctx, ack->handoff_id, person, detail, size, err);
    return rc;
}

static int
intake_run_task (const turn_t *ctx, const Campaign__RunTask *run, char *detail, size_t size,
                 err_t *err)
{
    int rc = s_text ("run-task: --agent", run->agent_kind, ID_MAX, err);
    if (!rc)
        rc = s_text ("run-task: --name", run->name, ID_MAX, err);
    if (rc)
        return rc;
    if (!zhashx_lookup (ctx->agent_kinds, run->agent_kind))
        return err_set (err, ERR_INVALID, "run-task: '%s' is not a configured agent kind",
                        run->agent_kind);
    task_t *task;
    rc = queue_add (ctx->queue, run->agent_kind, run->name,
                    run->has_payload ? run->payload.data : NULL,
                    run->has_payload ? run->payload.len : 0, false, ctx->now_ms,
                    ctx->today_text, &task, err);
    if (!rc)
        snprintf (detail, size, "task %s (%s for %s) queued", task->id_text, run->name,
                  run->agent_kind);
    return rc;
}

int
intake_submission (const turn_t *ctx, const Campaign__Submission *sub, char *role,
                   size_t role_size, char *detail, size_t detail_size, err_t *err)
{
    const char *person = sub->person ? sub->person : "";
    /*  Who may, before when: a refusal names the role needed, not a window. */
    int rc = roles_check (ctx->roles, ctx, sub, person, role, role_size, err);
    if (rc)
        return rc;
    rc = campaign_accepts (ctx->campaign, ctx, wire_submission_name (sub->kind_case), err);
    if (rc)
        return rc;
    switch (sub->kind_case) {
    case CAMPAIGN__SUBMISSION__KIND_IMPORT_PORTFOLIO:
        return intake_import_portfolio (ctx, sub->import_portfolio, detail, detail_size, err);
    case CAMPAIGN__SUBMISSION__KIND_IMPORT_ROSTER:
        return intake_import_roster (ctx, sub->import_roster, detail, detail_size, err);
    case CAMPAIGN__SUBMISSION__KIND_IMPORT_HISTORY:
        return intake_import_history (ctx, sub->import_history, detail, detail_size, err);
    case CAMPAIGN__SUBMISSION__KIND_TARGETS:
        return intake_targets (ctx, sub->targets, detail, detail_size, err);
    case CAMPAIGN__SUBMISSION__KIND_NOTE:
        return intake_note (ctx, sub->note, person, detail, detail_size, err);
    case CAMPAIGN__SUBMISSION__KIND_STAGE:
        return intake_stage (ctx, sub->stage, detail, detail_size, err);
    case CAMPAIGN__SUBMISSION__KIND_OUTCOME:
        return intake_outcome (ctx, sub->outcome, detail, detail_size, err);
    case CAMPAIGN__SUBMISSION__KIND_RETRO:
        return intake_retro (ctx, sub->retro, detail, detail_size, err);
    case CAMPAIGN__SUBMISSION__KIND_ADVANCE:
        return intake_advance (ctx, sub->advance, detail, detail_size, err);
    case CAMPAIGN__SUBMISSION__KIND_OVERRIDE_GATE:
        return intake_override_gate (ctx, sub->override_gate, person, detail, detail_size, err);
    case CAMPAIGN__SUBMISSION__KIND_ACK_HANDOFF:
        return intake_ack_handoff (ctx, sub->ack_handoff, person, detail, detail_size, err);
    case CAMPAIGN__SUBMISSION__KIND_RUN_TASK:
        return intake_run_task (ctx, sub->run_task, detail, detail_size, err);
    default: return err_set (err, ERR_UNSUPPORTED, "submission of an unknown kind");
    }
}
