/*  expansion-opportunity-identifier: the identifier's tasks of the campaign (issue 5
    items 1-6), on the shared agent runtime.

    identifier.portfolio_scan: per account of the batch, propensity per play
    (propensity.h) and whitespace per type (whitespace.h); one opportunity per account
    and type whose potential is above identifier.min_potential ("O-<account>-<type>",
    tier 0, not qualified, the account's CSM); facts identifier.scan.* for the batch
    (inventory ARR, count and ARR per type, propensity distribution), additive: the
    broker adds up the batches of one run (Fact.additive), so they are the portfolio's.
    The result's payload explains each opportunity in text (why the potential, top
    factors).

    identifier.qualification: the batch's open opportunities (as the broker sent them, or
    recomputed for an account that has none) re-scored with BANT, rank, tier, qualified,
    complex, and assigned to a CSM by capacity (qualify.h); facts identifier.qualification.*
    and identifier.unassigned, additive as the scan's.

    identifier.campaign_design (week 2), identifier.pipeline_monitoring (weeks 5-7),
    identifier.forecast (weeks 8-10), identifier.results (week 11): weeks.h (facts
    design.*, monitor.*, forecast.*, results.*). Any other task name fails with
    ERR_UNSUPPORTED: the broker dead-letters it.

    The scan's and the qualification's facts are counts and sums (answer_fact_sum): the
    broker adds up the batches of one run, so they are the portfolio's. A fact that is
    not (a share, a rate) would show the last batch's figure; the opportunities
    themselves always carry the whole portfolio.
*/
#include "agent.h"
#include "calendar.h"
#include "lookup.h"
#include "propensity.h"
#include "qualify.h"
#include "weeks.h"
#include "whitespace.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char s_usage[] =
    "Usage: expansion-opportunity-identifier [-c FILE]... [-o PATH=VALUE]... [--instance "
    "NAME]\n"
    "\n"
    "Agent: the portfolio scan (propensity per play, whitespace per type, opportunities),\n"
    "the campaign design (plays on the calendar, ROI inputs, conversion targets), the\n"
    "qualification (BANT, rank, Tier 1-3, assignment by CSM capacity), the pipeline\n"
    "monitoring (stalled deals, coaching), the forecast (P10-P90 vs target) and the\n"
    "results (ARR, conversion, ROI, NRR impact) of the batches the broker leases to it.\n"
    "Settings: catalog.*, plays, pipeline.stages, identifier.* (propensity model,\n"
    "whitespace rules, qualify, tiers, assignment, design, monitor, forecast),\n"
    "campaign.start_date, and the runtime's broker.endpoint, campaign.id, "
    "agents.*.\n" AGENT_USAGE_TAIL;

typedef struct {
    propensity_model_t *propensity;
    whitespace_t *whitespace;
    qualify_t *qualify;
    double min_potential;
    double high_from; /* propensity distribution cut-offs */
    double medium_from;
    int32_t start;
    weeks_t weeks; /* design, monitoring, forecast, results */
} s_identifier_t;

static int
s_init (void *arg, conf_t *conf, err_t *err)
{
    s_identifier_t *self = arg;
    const char *start = NULL;
    int rc = propensity_model_load (conf, &self->propensity, err);
    if (!rc)
        rc = whitespace_load (conf, &self->whitespace, err);
    if (!rc)
        rc = qualify_load (conf, &self->qualify, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.min_potential", 5000, 0, 1e12,
                                &self->min_potential, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.propensity_bands.high", 50, 0, 100,
                                &self->high_from, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.propensity_bands.medium", 20, 0, 100,
                                &self->medium_from, err);
    if (!rc && self->medium_from > self->high_from)
        rc = err_set (err, ERR_INVALID,
                      "identifier.propensity_bands: medium (%g) must not be above high (%g)",
                      self->medium_from, self->high_from);
    if (!rc)
        rc = conf_string (conf, "campaign.start_date", "2026-10-05", &start, err);
    if (!rc && date_parse (start, &self->start))
        rc = err_set (err, ERR_INVALID, "campaign.start_date '%s' is not YYYY-MM-DD", start);
    if (!rc)
        rc = weeks_load (conf, self->start, &self->weeks, err);
    return rc;
}

/*  The result under construction; everything heap, freed by s_answer_free. The facts
    and the payload (one explanation line per opportunity) are built with answer_say and
    answer_fact, as the other weeks' tasks build theirs. */
typedef struct {
    Campaign__Opportunity **opportunities;
    size_t n_opportunities;
    answer_t out;
    const lookup_t *lookup; /* the input's accounts and health by id */
} s_answer_t;

static void
s_answer_free (s_answer_t *answer)
{
    for (size_t i = 0; i < answer->n_opportunities; i++)
        campaign__opportunity__free_unpacked (answer->opportunities[i], NULL);
    free (answer->opportunities);
    answer_free (&answer->out);
}

static Campaign__Opportunity *
s_opportunity (s_answer_t *answer, const char *account_id, const char *type, double potential,
               double propensity, const char *csm)
{
    Campaign__Opportunity **grown = realloc (
        answer->opportunities, (answer->n_opportunities + 1) * sizeof *answer->opportunities);
    Campaign__Opportunity *o = calloc (1, sizeof *o);
    if (grown)
        answer->opportunities = grown;
    if (!grown || !o) {
        free (o);
        answer->out.nomem = true;
        return NULL;
    }
    campaign__opportunity__init (o);
    answer->opportunities[answer->n_opportunities++] = o;
    char id[256];
    snprintf (id, sizeof id, "O-%s-%s", account_id, type);
    o->opportunity_id = strdup (id);
    o->account_id = strdup (account_id);
    o->type = strdup (type);
    o->csm = strdup (csm ? csm : "");
    o->has_potential_arr = o->has_propensity = o->has_tier = o->has_qualified = 1;
    o->potential_arr = round (potential);
    o->propensity = round (propensity * 10) / 10;
    if (!o->opportunity_id || !o->account_id || !o->type || !o->csm) {
        answer->out.nomem = true;
        return NULL;
    }
    return o;
}

/*  The latest note of the account (the broker sends them in submission order). */
static const Campaign__Note *
s_note_of (const Campaign__TaskInput *input, const char *account_id, size_t *feature_requests)
{
    const Campaign__Note *note = NULL;
    *feature_requests = 0;
    for (size_t i = 0; i < input->n_notes; i++)
        if (input->notes[i]->account_id &&
            strcmp (input->notes[i]->account_id, account_id) == 0) {
            note = input->notes[i];
            *feature_requests += note->n_feature_requests;
        }
    return note;
}

/*  Whitespace and propensity of one account, per type. */
static void
s_assess (const s_identifier_t *self, const Campaign__TaskInput *input, const lookup_t *lookup,
          const Campaign__Account *account, whitespace_potential_t *ws,
          propensity_t scores[WS_TYPES])
{
    size_t asks = 0;
    s_note_of (input, account->account_id, &asks);
    whitespace_potential (self->whitespace, account,
                          lookup_health (lookup, account->account_id), asks, ws);
    double x[PROP_FEATURES];
    propensity_account_features (account, ws->adjacent, x);
    for (int t = 0; t < WS_TYPES; t++)
        propensity_score (self->propensity, (propensity_play_t)t, x, &scores[t]);
}

static int
s_scan (const s_identifier_t *self, const Campaign__TaskInput *input, s_answer_t *answer,
        char *summary, size_t summary_size)
{
    double inventory = 0, arr[WS_TYPES] = {0};
    size_t count[WS_TYPES] = {0}, bands[3] = {0};
    for (size_t i = 0; i < input->n_accounts; i++) {
        const Campaign__Account *a = input->accounts[i];
        whitespace_potential_t ws;
        propensity_t scores[WS_TYPES];
        s_assess (self, input, answer->lookup, a, &ws, scores);
        for (int t = 0; t < WS_TYPES; t++) {
            if (ws.arr[t] <= self->min_potential)
                continue;
            Campaign__Opportunity *o = s_opportunity (
                answer, a->account_id, whitespace_types[t], ws.arr[t], scores[t].score, a->csm);
            if (!o)
                return ERR_NOMEM;
            inventory += o->potential_arr;
            arr[t] += o->potential_arr;
            count[t]++;
            bands[scores[t].score >= self->high_from     ? 0
                  : scores[t].score >= self->medium_from ? 1
                                                         : 2]++;
            char why[256];
            answer_say (&answer->out, "%s: $%.0f (%s); propensity %.1f (%s)\n",
                        o->opportunity_id, o->potential_arr, ws.why[t], o->propensity,
                        propensity_explain (&scores[t], why, sizeof why));
        }
    }
    /*  Counts and sums over the batch: the broker adds up the batches of one run. A
        share of the batch holds for the portfolio only when the batch is all of it. */
    size_t total = answer->n_opportunities;
    bool whole = !input->has_batches || input->batches <= 1;
    answer_fact_sum (&answer->out, "identifier.scan.accounts", NULL, (double)input->n_accounts);
    answer_fact_sum (&answer->out, "identifier.scan.opportunities", NULL, (double)total);
    answer_fact_sum (&answer->out, "identifier.scan.inventory_arr",
                     "total expansion inventory, ARR", inventory);
    for (int t = 0; t < WS_TYPES; t++) {
        char name[96], text[96];
        snprintf (name, sizeof name, "identifier.scan.%s.count", whitespace_types[t]);
        snprintf (text, sizeof text, "%.1f%% of opportunities",
                  total ? 100.0 * count[t] / total : 0);
        answer_fact_sum (&answer->out, name, whole ? text : "opportunities of this type",
                         (double)count[t]);
        snprintf (name, sizeof name, "identifier.scan.%s.arr", whitespace_types[t]);
        snprintf (text, sizeof text, "%.1f%% of the inventory",
                  inventory > 0 ? 100 * arr[t] / inventory : 0);
        answer_fact_sum (&answer->out, name, whole ? text : "potential ARR of this type",
                         arr[t]);
    }
    char text[96];
    snprintf (text, sizeof text, "propensity >= %.0f", self->high_from);
    answer_fact_sum (&answer->out, "identifier.scan.propensity.high", text, (double)bands[0]);
    snprintf (text, sizeof text, "%.0f <= propensity < %.0f", self->medium_from,
              self->high_from);
    answer_fact_sum (&answer->out, "identifier.scan.propensity.medium", text, (double)bands[1]);
    snprintf (text, sizeof text, "propensity < %.0f", self->medium_from);
    answer_fact_sum (&answer->out, "identifier.scan.propensity.low", text, (double)bands[2]);
    snprintf (summary, summary_size,
              "%zu accounts scanned: %zu opportunities, $%.0f inventory (seat %zu, tier %zu, "
              "cross-sell %zu, geo %zu); propensity high %zu, medium %zu, low %zu",
              input->n_accounts, total, inventory, count[WS_SEAT], count[WS_TIER],
              count[WS_CROSS_SELL], count[WS_GEO], bands[0], bands[1], bands[2]);
    return answer->out.nomem ? ERR_NOMEM : 0;
}

static bool
s_closed (const Campaign__Opportunity *o)
{
    return o->stage && strncmp (o->stage, "closed", 6) == 0;
}

/*  The batch's open opportunities into answer (tier 0 yet): the broker's, or for an
    account that has none, those the scan would create. */
static int
s_candidates (const s_identifier_t *self, const Campaign__TaskInput *input, s_answer_t *answer)
{
    for (size_t i = 0; i < input->n_accounts; i++) {
        const Campaign__Account *a = input->accounts[i];
        bool known = false;
        for (size_t j = 0; j < input->n_opportunities; j++) {
            const Campaign__Opportunity *in = input->opportunities[j];
            if (!in->account_id || strcmp (in->account_id, a->account_id) != 0)
                continue;
            known = true;
            if (s_closed (in) || whitespace_type_index (in->type) < 0)
                continue;
            if (!s_opportunity (answer, a->account_id, in->type, in->potential_arr,
                                in->propensity, a->csm))
                return ERR_NOMEM;
        }
        if (known)
            continue;
        whitespace_potential_t ws;
        propensity_t scores[WS_TYPES];
        s_assess (self, input, answer->lookup, a, &ws, scores);
        for (int t = 0; t < WS_TYPES; t++)
            if (ws.arr[t] > self->min_potential &&
                !s_opportunity (answer, a->account_id, whitespace_types[t], ws.arr[t],
                                scores[t].score, a->csm))
                return ERR_NOMEM;
    }
    return 0;
}

static int
s_qualification (const s_identifier_t *self, const Campaign__TaskInput *input, int32_t today,
                 s_answer_t *answer, char *summary, size_t summary_size)
{
    int rc = s_candidates (self, input, answer);
    size_t n = answer->n_opportunities;
    qualify_result_t *results = calloc (n ? n : 1, sizeof *results);
    size_t *order = calloc (n ? n : 1, sizeof *order);
    int week = (today - self->start) / 7 + 1;
    qualify_ledger_t *ledger =
        qualify_ledger_new (self->qualify, input->people, input->n_people,
                            qualify_weeks_left (self->qualify, week));
    if (!rc && (!results || !order || !ledger))
        rc = ERR_NOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        Campaign__Opportunity *o = answer->opportunities[i];
        size_t asks;
        qualify_input_t in = {
            .account = lookup_account (answer->lookup, o->account_id),
            .health = lookup_health (answer->lookup, o->account_id),
            .note = s_note_of (input, o->account_id, &asks),
            .type = o->type,
            .potential_arr = o->potential_arr,
            .propensity = o->propensity,
        };
        qualify_score (self->qualify, &in, today, &results[i]);
    }
    if (!rc)
        qualify_tiers (self->qualify, results, n, input->n_accounts);
    /*  Assign Tier 1 before Tier 2, each by rank: the best deals get the owners' hours. */
    size_t worked = 0;
    for (uint32_t tier = 1; !rc && tier <= 2; tier++) {
        size_t from = worked;
        for (size_t i = 0; i < n; i++)
            if (results[i].tier == tier) {
                size_t j = worked++;
                while (j > from && results[order[j - 1]].rank < results[i].rank) {
                    order[j] = order[j - 1];
                    j--;
                }
                order[j] = i;
            }
    }
    size_t tiers[4] = {0}, qualified = 0, passed = 0, at_risk = 0, unassigned = 0;
    char *ids = NULL;
    size_t ids_len = 0;
    for (size_t k = 0; !rc && k < worked; k++) {
        Campaign__Opportunity *o = answer->opportunities[order[k]];
        const Campaign__Account *a = lookup_account (answer->lookup, o->account_id);
        const char *who = qualify_ledger_assign (ledger, a->csm, a->region,
                                                 qualify_hours (self->qualify, o->type));
        char *csm = strdup (who ? who : "");
        if (!csm) {
            rc = ERR_NOMEM;
            break;
        }
        free (o->csm);
        o->csm = csm;
        if (!who) {
            char *grown = realloc (ids, ids_len + strlen (o->opportunity_id) + 2);
            if (!grown) {
                rc = ERR_NOMEM;
                break;
            }
            ids = grown;
            ids_len += (size_t)sprintf (ids + ids_len, "%s%s", unassigned ? " " : "",
                                        o->opportunity_id);
            unassigned++;
        }
    }
    for (size_t i = 0; !rc && i < n; i++) {
        Campaign__Opportunity *o = answer->opportunities[i];
        qualify_result_t *r = &results[i];
        o->tier = r->tier;
        o->qualified = r->qualified;
        o->has_complex = 1;
        o->complex = r->complex;
        tiers[r->tier]++;
        qualified += r->qualified;
        passed += r->passed;
        at_risk += r->at_risk;
        answer_say (
            &answer->out,
            "%s: tier %u, rank %.0f, readiness %.2f, BANT %.2f%s%s (B %.2f: %s; A %.2f: %s; "
            "N %.2f: %s; T %.2f: %s), csm %s\n",
            o->opportunity_id, r->tier, r->rank, r->readiness, r->bant,
            r->qualified ? " qualified"
            : r->passed  ? " passed BANT, over the cap"
                         : "",
            r->at_risk ? " AT RISK" : "", r->letters[0].score, r->letters[0].evidence,
            r->letters[1].score, r->letters[1].evidence, r->letters[2].score,
            r->letters[2].evidence, r->letters[3].score, r->letters[3].evidence,
            *o->csm ? o->csm : "(unassigned)");
    }
    if (!rc) {
        /*  Counts over the batch: the broker adds up the batches of one run. */
        bool whole = !input->has_batches || input->batches <= 1;
        answer_fact_sum (&answer->out, "identifier.qualification.opportunities", NULL,
                         (double)n);
        answer_fact_sum (&answer->out, "identifier.qualification.tier1", "close now",
                         (double)tiers[1]);
        answer_fact_sum (&answer->out, "identifier.qualification.tier2", "develop",
                         (double)tiers[2]);
        answer_fact_sum (&answer->out, "identifier.qualification.tier3", "nurture",
                         (double)tiers[3]);
        answer_fact_sum (&answer->out, "identifier.qualification.qualified",
                         "BANT-qualified, within identifier.qualify.max_share",
                         (double)qualified);
        answer_fact_sum (&answer->out, "identifier.qualification.passed",
                         "BANT at the threshold, not excluded, before the cap", (double)passed);
        answer_fact_sum (&answer->out, "identifier.qualification.at_risk",
                         "opportunities of at-risk accounts", (double)at_risk);
        answer_fact_sum (&answer->out, "identifier.unassigned",
                         whole ? (ids ? ids : "")
                               : "opportunities no CSM had the hours for (each batch's "
                                 "report names them)",
                         (double)unassigned);
        snprintf (summary, summary_size,
                  "%zu opportunities qualified: tier 1 %zu, tier 2 %zu, tier 3 %zu; %zu "
                  "qualified (%zu passed BANT), %zu at risk, %zu unassigned",
                  n, tiers[1], tiers[2], tiers[3], qualified, passed, at_risk, unassigned);
        rc = answer->out.nomem ? ERR_NOMEM : 0;
    }
    free (ids);
    free (results);
    free (order);
    qualify_ledger_destroy (&ledger);
    return rc;
}

static int
s_unsupported (const char *name, err_t *err)
{
    return err_set (err, ERR_UNSUPPORTED,
                    "%s: not a task of the expansion-opportunity-identifier "
                    "(identifier.portfolio_scan, identifier.campaign_design, "
                    "identifier.qualification, identifier.pipeline_monitoring, "
                    "identifier.forecast, identifier.results)",
                    name);
}

/*  Weeks 2 and 5-11 (weeks.h). */
static int
s_weeks (const void *weeks, const char *name, const Campaign__TaskInput *input, int32_t today,
         answer_t *answer, err_t *err)
{
    int rc = weeks_run (weeks, name, input, today, answer);
    return rc ? err_set (err, rc, "%s: out of memory", name) : 0;
}

static int
s_task (void *arg, const Campaign__Task *task, agent_output_t *out, err_t *err)
{
    const s_identifier_t *self = arg;
    bool scan = strcmp (task->name, "identifier.portfolio_scan") == 0;
    bool later = weeks_handles (task->name);
    if (!scan && !later && strcmp (task->name, "identifier.qualification") != 0)
        return s_unsupported (task->name, err);
    if (later)
        return answer_task (task, s_weeks, &self->weeks, out, err);
    Campaign__TaskInput *input = NULL;
    int32_t today = 0;
    int rc = answer_input (task, &input, &today, err);
    if (rc)
        return rc;
    s_answer_t answer;
    memset (&answer, 0, sizeof answer);
    lookup_t *lookup = lookup_new (input);
    answer.lookup = lookup;
    char *summary = answer.out.summary;
    size_t summary_size = sizeof answer.out.summary;
    rc = !lookup ? ERR_NOMEM
         : scan  ? s_scan (self, input, &answer, summary, summary_size)
                 : s_qualification (self, input, today, &answer, summary, summary_size);
    if (rc)
        rc = err_set (err, rc, "task %s (%s): out of memory", task->task_id, task->name);
    else
        rc = answer_pack (&answer.out, answer.opportunities, answer.n_opportunities, out, err);
    s_answer_free (&answer);
    lookup_destroy (&lookup);
    campaign__task_input__free_unpacked (input, NULL);
    return rc;
}

int
main (int argc, char **argv)
{
    s_identifier_t self;
    memset (&self, 0, sizeof self);
    int rc = agent_main (argc, argv, "expansion-opportunity-identifier", s_usage, s_init,
                         s_task, &self);
    propensity_model_destroy (&self.propensity);
    whitespace_destroy (&self.whitespace);
    qualify_destroy (&self.qualify);
    return rc;
}
