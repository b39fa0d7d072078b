/*  pipeline.c: opportunities, stage changes and outcomes (see pipeline.h). */
#include "pipeline.h"

#include "handoff.h"
#include "log.h"
#include "plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_types[] = {"seat", "tier", "cross-sell", "geo", NULL};

static bool
s_one_of (const char *value, const char *const *words)
{
    for (int i = 0; value && words[i]; i++)
        if (strcmp (value, words[i]) == 0)
            return true;
    return false;
}

/*  Replace a string field of a message with a malloc'd copy (the message is freed with
    free_unpacked, which frees every string). */
static int
s_set (char **field, const char *value)
{
    char *copy = strdup (value ? value : "");
    if (!copy)
        return ERR_NOMEM;
    free (*field);
    *field = copy;
    return 0;
}

int
pipeline_from_agent (const turn_t *turn, const Campaign__Opportunity *in, err_t *err)
{
    const char *id = in->opportunity_id;
    if (!id || !*id || strlen (id) > 128)
        return err_set (err, ERR_INVALID, "opportunity without a valid id");
    if (!in->account_id || !store_account_exists (turn->store, in->account_id))
        return err_set (err, ERR_INVALID,
                        "opportunity %s: account '%s' is not in the portfolio", id,
                        in->account_id ? in->account_id : "");
    if (!s_one_of (in->type, s_types))
        return err_set (err, ERR_INVALID,
                        "opportunity %s: type '%s' is not seat|tier|cross-sell|geo", id,
                        in->type ? in->type : "");
    if (!isfinite (in->potential_arr) || in->potential_arr < 0 || in->tier > 3 ||
        !isfinite (in->propensity) || in->propensity < 0 || in->propensity > 100)
        return err_set (
            err, ERR_INVALID,
            "opportunity %s: potential, tier (0..3) or propensity (0..100) out of range", id);
    /*  What the agent sent, with what people own taken from the stored version: a
        shallow copy whose strings belong to `in`, `old` or the turn, never freed here
        (merging is per opportunity, so no copy is made of the agent's fields). */
    Campaign__Opportunity merged = *in;
    merged.ae = NULL; /* the AE is attached by the Sales handoff, never by an agent */
    Campaign__Opportunity *old = NULL;
    int rc = store_opportunity_get (turn->store, id, &old, NULL);
    if (rc == 0) {
        /*  A body written without a stage is stored, and counted, as "identified". */
        if (!old->stage && !(old->stage = strdup ("identified"))) {
            campaign__opportunity__free_unpacked (old, NULL);
            return err_set (err, ERR_NOMEM, "out of memory");
        }
        merged.stage = old->stage;
        merged.opened = old->opened;
        merged.stage_changed = old->stage_changed;
        if (old->closed)
            merged.closed = old->closed;
        if (old->reason)
            merged.reason = old->reason;
        merged.closed_from = old->closed_from;
        merged.ae = old->ae && *old->ae ? old->ae : NULL;
        merged.has_amount = old->has_amount;
        merged.amount = old->amount;
        /*  Qualification moves a fresh opportunity on to "qualified". */
        if (merged.qualified && strcmp (merged.stage, "identified") == 0) {
            merged.stage = "qualified";
            merged.stage_changed = (char *)turn->today_text;
        }
    } else if (rc == ERR_NOTFOUND) {
        merged.stage = merged.qualified ? "qualified" : "identified";
        merged.opened = merged.stage_changed = (char *)turn->today_text;
        /*  An outcome is people's, never an agent's, even on a new opportunity. */
        merged.closed = merged.reason = merged.closed_from = NULL;
        merged.has_amount = 0;
        merged.amount = 0;
    } else
        return err_set (err, ERR_STORAGE, "reading opportunity %s", id);
    rc = 0;
    char *attached = NULL; /* an AE the handoff attaches now: malloc'd, ours to free */
    if (!plan_stage_is_closed (turn->plan, merged.stage)) {
        char *before = merged.ae;
        rc = handoff_after_opportunity (turn, &merged, err);
        if (merged.ae != before)
            attached = merged.ae;
    }
    if (!rc)
        rc = store_opportunity_put (turn->store, &merged, old ? old->stage : NULL,
                                    old ? old->potential_arr : 0, err);
    free (attached);
    if (old)
        campaign__opportunity__free_unpacked (old, NULL);
    return rc;
}

static int
s_stage_index (plan_t *plan, const char *stage)
{
    const char *const *stages = plan_stages (plan);
    for (int i = 0; stages[i]; i++)
        if (strcmp (stages[i], stage) == 0)
            return i;
    return -1;
}

int
pipeline_stage (const turn_t *turn, const Campaign__StageChange *change, char *detail,
                size_t detail_size, err_t *err)
{
    if (s_stage_index (turn->plan, change->stage) < 0) {
        char list[512] = "";
        const char *const *stages = plan_stages (turn->plan);
        for (int i = 0; stages[i]; i++) {
            size_t used = strlen (list);
            snprintf (list + used, sizeof list - used, "%s%s", i ? "|" : "", stages[i]);
        }
        return err_set (err, ERR_INVALID, "stage: '%s' is not a pipeline stage (%s)",
                        change->stage, list);
    }
    if (plan_stage_is_closed (turn->plan, change->stage))
        return err_set (err, ERR_INVALID,
                        "stage: a deal is closed with `outcome --won/--lost`, not moved to %s",
                        change->stage);
    Campaign__Opportunity *opportunity = NULL;
    int rc = store_opportunity_get (turn->store, change->opportunity_id, &opportunity, err);
    if (rc)
        return err_prefix (err, "stage: ");
    if (plan_stage_is_closed (turn->plan, opportunity->stage))
        rc = err_set (err, ERR_INVALID, "stage: %s is %s since %s; a closed deal does not move",
                      change->opportunity_id, opportunity->stage,
                      opportunity->closed ? opportunity->closed : "?");
    else if (strcmp (opportunity->stage, change->stage) == 0)
        rc = err_set (err, ERR_INVALID, "stage: %s is already in %s", change->opportunity_id,
                      change->stage);
    char from[64];
    snprintf (from, sizeof from, "%s", opportunity->stage);
    if (!rc && (s_set (&opportunity->stage, change->stage) ||
                s_set (&opportunity->stage_changed, turn->today_text)))
        rc = err_set (err, ERR_NOMEM, "out of memory");
    if (!rc)
        rc = store_opportunity_put (turn->store, opportunity, from, opportunity->potential_arr,
                                    err);
    if (!rc)
        snprintf (detail, detail_size, "%s moved from %s to %s", change->opportunity_id, from,
                  change->stage);
    campaign__opportunity__free_unpacked (opportunity, NULL);
    return rc;
}

int
pipeline_outcome (const turn_t *turn, const Campaign__Outcome *outcome, char *detail,
                  size_t detail_size, err_t *err)
{
    Campaign__Opportunity *opportunity = NULL;
    int rc = store_opportunity_get (turn->store, outcome->opportunity_id, &opportunity, err);
    if (rc)
        return err_prefix (err, "outcome: ");
    int32_t day = turn->today, opened = turn->today;
    if (opportunity->opened)
        date_parse (opportunity->opened, &opened);
    double ceiling = opportunity->potential_arr * plan_max_amount_ratio (turn->plan);
    if (plan_stage_is_closed (turn->plan, opportunity->stage))
        rc = err_set (err, ERR_INVALID, "outcome: %s is already %s (on %s)",
                      outcome->opportunity_id, opportunity->stage,
                      opportunity->closed ? opportunity->closed : "?");
    else if (outcome->date && *outcome->date && date_parse (outcome->date, &day))
        rc = err_set (err, ERR_INVALID, "outcome: --date '%s' is not a date (YYYY-MM-DD)",
                      outcome->date);
    else if (day > turn->today)
        rc = err_set (err, ERR_INVALID, "outcome: --date %s is after today's campaign date %s",
                      outcome->date, turn->today_text);
    else if (day < opened)
        rc = err_set (err, ERR_INVALID, "outcome: --date %s is before %s was opened (%s)",
                      outcome->date, outcome->opportunity_id, opportunity->opened);
    else if (outcome->won && opportunity->potential_arr > 0 && outcome->amount > ceiling)
        rc = err_set (err, ERR_INVALID,
                      "outcome: $%.0f is more than %.0fx the opportunity's potential of $%.0f; "
                      "check the amount (pipeline.max_amount_ratio)",
                      outcome->amount, plan_max_amount_ratio (turn->plan),
                      opportunity->potential_arr);
    char date[DATE_TEXT_MAX], from[64];
    snprintf (from, sizeof from, "%s", opportunity->stage);
    const char *const *stages = plan_stages (turn->plan);
    int n = 0;
    while (stages[n])
        n++;
    /*  The stage it closes from, before the outcome overwrites it: the forecast's stage
        learning needs to know how far a closed deal got. */
    if (!rc && (s_set (&opportunity->closed_from, from) ||
                s_set (&opportunity->stage, stages[outcome->won ? n - 2 : n - 1]) ||
                s_set (&opportunity->stage_changed, turn->today_text) ||
                s_set (&opportunity->closed, date_format (day, date)) ||
                s_set (&opportunity->reason, outcome->reason)))
        rc = err_set (err, ERR_NOMEM, "out of memory");
    if (!rc) {
        opportunity->has_amount = outcome->won;
        opportunity->amount = outcome->won ? outcome->amount : 0;
        rc = store_opportunity_put (turn->store, opportunity, from, opportunity->potential_arr,
                                    err);
    }
    if (!rc && outcome->won)
        rc = handoff_after_win (turn, opportunity, err);
    if (!rc) {
        if (outcome->won)
            snprintf (detail, detail_size, "%s won, $%.0f", outcome->opportunity_id,
                      outcome->amount);
        else
            snprintf (detail, detail_size, "%s lost: %s", outcome->opportunity_id,
                      outcome->reason);
    }
    campaign__opportunity__free_unpacked (opportunity, NULL);
    return rc;
}
