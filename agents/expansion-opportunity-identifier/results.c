/*  results.c: the week-11 figures (results.h). */
#include "results.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static results_group_t *
s_group (results_group_t *groups, size_t *n, const char *key)
{
    if (!key || !*key)
        key = "unknown";
    for (size_t i = 0; i < *n; i++)
        if (strcmp (groups[i].key, key) == 0)
            return &groups[i];
    if (*n == RESULTS_GROUPS) /* the last slot collects what does not fit */
        return &groups[RESULTS_GROUPS - 1];
    results_group_t *g = &groups[(*n)++];
    snprintf (g->key, sizeof g->key, "%s", *n == RESULTS_GROUPS ? "other" : key);
    return g;
}

static void
s_reason (results_group_t *g, const char *reason)
{
    char text[RESULTS_REASON];
    snprintf (text, sizeof text, "%s", reason && *reason ? reason : "unknown");
    for (size_t i = 0; i < g->n_reasons; i++)
        if (strcasecmp (g->reasons[i].text, text) == 0) {
            g->reasons[i].count++;
            return;
        }
    if (g->n_reasons == RESULTS_REASONS) { /* the last slot collects what does not fit */
        snprintf (g->reasons[RESULTS_REASONS - 1].text, RESULTS_REASON, "other");
        g->reasons[RESULTS_REASONS - 1].count++;
        return;
    }
    results_reason_t *r = &g->reasons[g->n_reasons++];
    snprintf (r->text, sizeof r->text, "%s", text);
    r->count = 1;
}

static void
s_count (results_group_t *g, const results_deal_t *d)
{
    g->qualified += d->qualified;
    g->won += d->qualified && d->won;
    g->deals_won += d->won;
    g->deals_lost += d->lost;
    if (d->won)
        g->arr += d->amount;
    if (d->lost)
        s_reason (g, d->reason);
}

static void
s_rate (results_group_t *g)
{
    g->conversion = g->qualified ? (double)g->won / (double)g->qualified : 0;
    size_t closed = g->deals_won + g->deals_lost;
    g->win_rate = closed ? (double)g->deals_won / (double)closed : 0;
    g->avg_won = g->deals_won ? g->arr / (double)g->deals_won : 0;
    /*  Most frequent first; an insertion sort keeps ties in the order first seen. */
    for (size_t i = 1; i < g->n_reasons; i++) {
        results_reason_t r = g->reasons[i];
        size_t j = i;
        for (; j > 0 && g->reasons[j - 1].count < r.count; j--)
            g->reasons[j] = g->reasons[j - 1];
        g->reasons[j] = r;
    }
}

void
results_compute (const results_deal_t *deals, size_t n, double portfolio_arr, double arr_goal,
                 double investment, uint32_t deals_target, double conversion_target,
                 results_t *out)
{
    memset (out, 0, sizeof *out);
    double cycle_days = 0;
    size_t cycles = 0;
    for (int t = 0; t < 3; t++)
        snprintf (out->tier[t].key, sizeof out->tier[t].key, "tier%d", t + 1);
    for (size_t i = 0; i < n; i++) {
        const results_deal_t *d = &deals[i];
        out->won += d->won;
        out->lost += d->lost;
        out->open += !d->won && !d->lost;
        out->qualified += d->qualified;
        out->qualified_won += d->qualified && d->won;
        if (d->won) {
            out->arr_won += d->amount;
            if (d->opened && d->closed && d->closed >= d->opened) {
                cycle_days += d->closed - d->opened;
                cycles++;
            }
        }
        if (d->tier >= 1 && d->tier <= 3)
            s_count (&out->tier[d->tier - 1], d);
        s_count (s_group (out->type, &out->n_type, d->type), d);
        s_count (s_group (out->segment, &out->n_segment, d->segment), d);
    }
    for (int t = 0; t < 3; t++)
        s_rate (&out->tier[t]);
    for (size_t i = 0; i < out->n_type; i++)
        s_rate (&out->type[i]);
    for (size_t i = 0; i < out->n_segment; i++)
        s_rate (&out->segment[i]);
    out->conversion = out->qualified ? (double)out->qualified_won / (double)out->qualified : 0;
    out->avg_deal = out->won ? out->arr_won / (double)out->won : 0;
    out->avg_cycle_days = cycles ? cycle_days / (double)cycles : 0;
    out->portfolio_arr = portfolio_arr;
    out->arr_goal = arr_goal;
    out->investment = investment;
    out->deals_target = deals_target;
    out->conversion_target = conversion_target;
    out->vs_target = arr_goal > 0 ? out->arr_won / arr_goal : 0;
    out->roi = investment > 0 ? out->arr_won / investment : 0;
    out->cac_pct = out->arr_won > 0 ? 100 * investment / out->arr_won : 0;
    out->nrr_impact_pct = portfolio_arr > 0 ? 100 * out->arr_won / portfolio_arr : 0;
}
