/*  gate.c: gate criteria from the broker's own state (see gate.h). */
#include "gate.h"

#include "campaign.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_builtins[] = {
    "portfolio_loaded", "roster_loaded",         "history_loaded",    "targets_set",
    "investment_set",   "qualified_opportunity", "tier1_opportunity", NULL};

bool
gate_criterion_known (const char *criterion)
{
    if (!criterion)
        return false;
    for (int i = 0; s_builtins[i]; i++)
        if (strcmp (criterion, s_builtins[i]) == 0)
            return true;
    if (strncmp (criterion, "tasks_done:", 11) == 0)
        return criterion[11] != '\0';
    if (strncmp (criterion, "fact:", 5) == 0)
        return criterion[5] != '\0';
    return false;
}

static int
s_rows (store_t *store, const char *table, const char *noun, bool *met, char *detail,
        size_t size, err_t *err)
{
    int64_t count = 0;
    int rc = store_count_rows (store, table, &count, err);
    if (rc)
        return rc;
    *met = count > 0;
    snprintf (detail, size, "%lld %s", (long long)count, noun);
    return 0;
}

static int
s_targets (store_t *store, bool investment, bool *met, char *detail, size_t size, err_t *err)
{
    uint8_t *data = NULL;
    size_t length = 0;
    int rc = store_meta_get_blob (store, "targets", &data, &length, err);
    if (rc == ERR_NOTFOUND) {
        *met = false;
        snprintf (detail, size, "leadership has not set targets (campaign-submit targets)");
        return 0;
    }
    if (rc)
        return rc;
    Campaign__Targets *targets = campaign__targets__unpack (NULL, length, data);
    free (data);
    if (!targets)
        return err_set (err, ERR_STORAGE, "stored targets cannot be read");
    if (investment) {
        *met = targets->investment > 0;
        snprintf (detail, size, "investment $%.0f", targets->investment);
    } else {
        *met = true;
        snprintf (detail, size, "ARR goal $%.0f, %u deals", targets->arr_goal, targets->deals);
    }
    campaign__targets__free_unpacked (targets, NULL);
    return 0;
}

int
gate_evaluate (store_t *store, const char *criterion, bool *met, char *detail,
               size_t detail_size, err_t *err)
{
    if (strcmp (criterion, "portfolio_loaded") == 0)
        return s_rows (store, "accounts", "accounts", met, detail, detail_size, err);
    if (strcmp (criterion, "roster_loaded") == 0)
        return s_rows (store, "people", "people", met, detail, detail_size, err);
    if (strcmp (criterion, "history_loaded") == 0)
        return s_rows (store, "history", "history records", met, detail, detail_size, err);
    if (strcmp (criterion, "targets_set") == 0)
        return s_targets (store, false, met, detail, detail_size, err);
    if (strcmp (criterion, "investment_set") == 0)
        return s_targets (store, true, met, detail, detail_size, err);
    if (strcmp (criterion, "qualified_opportunity") == 0 ||
        strcmp (criterion, "tier1_opportunity") == 0) {
        bool tier1 = criterion[0] == 't';
        int64_t count = 0;
        int rc = store_opportunity_count (store, tier1 ? 1 : 0, !tier1, &count, err);
        if (rc)
            return rc;
        *met = count > 0;
        snprintf (detail, detail_size, "%lld %s opportunities", (long long)count,
                  tier1 ? "Tier 1" : "qualified");
        return 0;
    }
    if (strncmp (criterion, "tasks_done:", 11) == 0) {
        const char *name = criterion + 11;
        int64_t total = 0, done = 0, dead = 0;
        int rc = store_task_progress (store, name, &total, &done, &dead, err);
        if (rc)
            return rc;
        *met = total > 0 && done == total;
        if (total == 0)
            snprintf (detail, detail_size, "no '%s' task has run yet", name);
        else if (dead > 0)
            snprintf (detail, detail_size, "%lld of %lld '%s' tasks done, %lld dead (re-run)",
                      (long long)done, (long long)total, name, (long long)dead);
        else
            snprintf (detail, detail_size, "%lld of %lld '%s' tasks done", (long long)done,
                      (long long)total, name);
        return 0;
    }
    if (strncmp (criterion, "fact:", 5) == 0) {
        const char *name = criterion + 5;
        char *text = NULL;
        double number = 0;
        int rc = store_fact_get (store, name, &text, &number, err);
        if (rc == ERR_NOTFOUND) {
            *met = false;
            snprintf (detail, detail_size, "no fact '%s' yet", name);
            return 0;
        }
        if (rc)
            return rc;
        *met = (text && *text) || number != 0;
        if (text && *text)
            snprintf (detail, detail_size, "%s = %s", name, text);
        else
            snprintf (detail, detail_size, "%s = %g", name, number);
        free (text);
        return 0;
    }
    return err_set (err, ERR_INVALID, "unknown gate criterion '%s'", criterion);
}
