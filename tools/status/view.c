/*  view.c: snapshot and event rendering (see view.h). */
#include "view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *
s_str (const char *text)
{
    return json_string (text ? text : "");
}

static json_t *
s_tasks_json (const Campaign__TaskCounts *tasks)
{
    json_t *object = json_object ();
    json_object_set_new (object, "queued",
                         json_integer (tasks ? (json_int_t)tasks->queued : 0));
    json_object_set_new (object, "leased",
                         json_integer (tasks ? (json_int_t)tasks->leased : 0));
    json_object_set_new (object, "done", json_integer (tasks ? (json_int_t)tasks->done : 0));
    json_object_set_new (object, "failed",
                         json_integer (tasks ? (json_int_t)tasks->failed : 0));
    json_object_set_new (object, "dead", json_integer (tasks ? (json_int_t)tasks->dead : 0));
    return object;
}

static json_t *
s_agent_json (const Campaign__AgentState *agent)
{
    json_t *object = json_object ();
    json_object_set_new (object, "kind", s_str (agent->kind));
    json_object_set_new (object, "instance", s_str (agent->instance));
    json_object_set_new (object, "state", s_str (agent->state));
    json_object_set_new (object, "leased", json_integer (agent->leased));
    json_object_set_new (object, "capacity", json_integer (agent->capacity));
    return object;
}

static json_t *
s_gate_json (Campaign__GateCriterion *const *gate, size_t n)
{
    json_t *object = json_object ();
    json_t *criteria = json_array ();
    json_t *failing = json_array ();
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_object ();
        json_object_set_new (item, "name", s_str (gate[i]->name));
        json_object_set_new (item, "met", json_boolean (gate[i]->met));
        json_object_set_new (item, "detail", s_str (gate[i]->detail));
        json_array_append_new (criteria, item);
        if (!gate[i]->met)
            json_array_append_new (failing, s_str (gate[i]->name));
    }
    json_object_set_new (object, "criteria", criteria);
    json_object_set_new (object, "failing", failing);
    return object;
}

static json_t *
s_counts_json (Campaign__Count *const *counts, size_t n)
{
    json_t *object = json_object ();
    for (size_t i = 0; i < n; i++)
        json_object_set_new (object, counts[i]->name ? counts[i]->name : "",
                             json_integer ((json_int_t)counts[i]->count));
    return object;
}

json_t *
view_snapshot_json (const Campaign__Snapshot *snap)
{
    json_t *object = json_object ();
    json_object_set_new (object, "campaign", s_str (snap->campaign));
    json_object_set_new (object, "date", s_str (snap->date));
    json_object_set_new (object, "week", json_integer (snap->week));
    json_object_set_new (object, "clock", s_str (snap->clock));
    json_object_set_new (object, "phase", s_str (snap->phase));
    json_object_set_new (object, "activity", s_str (snap->activity));
    json_object_set_new (object, "held", json_boolean (snap->held));
    json_object_set_new (object, "activity_week", json_integer (snap->activity_week));
    json_t *gate = s_gate_json (snap->gate, snap->n_gate);
    json_object_set_new (gate, "into", s_str (snap->next_activity));
    json_object_set_new (object, "gate", gate);
    json_t *history = json_array ();
    for (size_t i = 0; i < snap->n_gates; i++) {
        const Campaign__GateRecord *record = snap->gates[i];
        json_t *item = json_object ();
        json_object_set_new (item, "activity", s_str (record->activity));
        json_object_set_new (item, "due", s_str (record->due));
        json_object_set_new (item, "passed", s_str (record->passed));
        json_object_set_new (item, "held_days", json_integer (record->held_days));
        if (record->override_by) {
            json_object_set_new (item, "override_by", s_str (record->override_by));
            json_object_set_new (item, "override_reason", s_str (record->override_reason));
            json_t *failed = json_array ();
            for (size_t f = 0; f < record->n_failed; f++)
                json_array_append_new (failed, s_str (record->failed[f]));
            json_object_set_new (item, "failed", failed);
        }
        json_array_append_new (history, item);
    }
    json_object_set_new (object, "gates", history);
    json_t *agents = json_array ();
    for (size_t i = 0; i < snap->n_agents; i++)
        json_array_append_new (agents, s_agent_json (snap->agents[i]));
    json_object_set_new (object, "agents", agents);
    json_object_set_new (object, "tasks", s_tasks_json (snap->tasks));
    json_t *pipeline = json_object ();
    for (size_t i = 0; i < snap->n_pipeline; i++) {
        json_t *stage = json_object ();
        json_object_set_new (stage, "opportunities",
                             json_integer ((json_int_t)snap->pipeline[i]->opportunities));
        json_object_set_new (stage, "arr", json_real (snap->pipeline[i]->arr));
        json_object_set_new (pipeline, snap->pipeline[i]->stage ? snap->pipeline[i]->stage : "",
                             stage);
    }
    json_object_set_new (object, "pipeline", pipeline);
    json_object_set_new (object, "handoffs", s_counts_json (snap->handoffs, snap->n_handoffs));
    json_object_set_new (object, "health",
                         s_counts_json (snap->health_bands, snap->n_health_bands));
    json_t *ages = json_object ();
    for (size_t i = 0; i < snap->n_handoffs; i++)
        json_object_set_new (ages, snap->handoffs[i]->name ? snap->handoffs[i]->name : "",
                             json_integer (snap->handoffs[i]->oldest_days));
    json_object_set_new (object, "handoff_oldest_days", ages);
    json_object_set_new (object, "journal", s_counts_json (snap->journal, snap->n_journal));
    json_t *facts = json_object ();
    for (size_t i = 0; i < snap->n_facts; i++) {
        const Campaign__Fact *f = snap->facts[i];
        json_t *fact = json_object ();
        if (f->text)
            json_object_set_new (fact, "text", json_string (f->text));
        json_object_set_new (fact, "number",
                             isfinite (f->number) ? json_real (f->number) : json_null ());
        json_object_set_new (facts, f->name ? f->name : "", fact);
    }
    json_object_set_new (object, "facts", facts);
    json_t *series = json_array ();
    for (size_t i = 0; i < snap->n_fact_history; i++) {
        const Campaign__FactPoint *p = snap->fact_history[i];
        json_array_append_new (
            series, json_pack ("{s:s, s:o, s:s, s:i}", "name", p->name ? p->name : "", "number",
                               isfinite (p->number) ? json_real (p->number) : json_null (),
                               "date", p->date ? p->date : "", "week", (int)p->week));
    }
    json_object_set_new (object, "fact_history", series);
    if (snap->targets) {
        const Campaign__Targets *t = snap->targets;
        json_object_set_new (object, "targets",
                             json_pack ("{s:f, s:f, s:i, s:f}", "arr_goal", t->arr_goal,
                                        "conversion", t->conversion, "deals", (int)t->deals,
                                        "investment", t->investment));
    }
    json_object_set_new (object, "seq", json_integer ((json_int_t)snap->seq));
    return object;
}

static const Campaign__Fact *
s_fact (const Campaign__Snapshot *snap, const char *name)
{
    for (size_t i = 0; i < snap->n_facts; i++)
        if (snap->facts[i]->name && strcmp (snap->facts[i]->name, name) == 0)
            return snap->facts[i];
    return NULL;
}

static double
s_fact_number (const Campaign__Snapshot *snap, const char *name)
{
    const Campaign__Fact *fact = s_fact (snap, name);
    return fact ? fact->number : 0;
}

void
view_snapshot_text (FILE *out, const Campaign__Snapshot *snap)
{
    fprintf (out, "campaign %s  %s  week %u  (%s clock)\n",
             snap->campaign ? snap->campaign : "?", snap->date ? snap->date : "?", snap->week,
             snap->clock ? snap->clock : "?");
    if (snap->phase && *snap->phase)
        fprintf (out, "phase    %s / %s%s\n", snap->phase, snap->activity ? snap->activity : "",
                 snap->held ? "  [HELD]" : "");
    if (snap->next_activity && *snap->next_activity)
        fprintf (out, "%s '%s'%s\n", snap->held ? "held at  gate into" : "next     gate into",
                 snap->next_activity, snap->held ? "" : " (checked when its first week comes)");
    for (size_t i = 0; i < snap->n_gate; i++)
        fprintf (out, "  gate   [%s] %s %s\n", snap->gate[i]->met ? "x" : " ",
                 snap->gate[i]->name ? snap->gate[i]->name : "",
                 snap->gate[i]->detail ? snap->gate[i]->detail : "");
    const Campaign__TaskCounts *t = snap->tasks;
    if (t)
        fprintf (out,
                 "tasks    %llu queued, %llu leased, %llu done, %llu retrying, %llu dead\n",
                 (unsigned long long)t->queued, (unsigned long long)t->leased,
                 (unsigned long long)t->done, (unsigned long long)t->failed,
                 (unsigned long long)t->dead);
    fprintf (out, "agents   %zu\n", snap->n_agents);
    for (size_t i = 0; i < snap->n_agents; i++) {
        const Campaign__AgentState *a = snap->agents[i];
        fprintf (out, "  %-34s %-12s %-6s %u/%u\n", a->kind ? a->kind : "",
                 a->instance ? a->instance : "", a->state ? a->state : "", a->leased,
                 a->capacity);
    }
    if (snap->n_pipeline) {
        fprintf (out, "pipeline (opportunities, potential ARR)\n");
        for (size_t i = 0; i < snap->n_pipeline; i++)
            fprintf (out, "  %-12s %6llu  $%.0f\n", snap->pipeline[i]->stage,
                     (unsigned long long)snap->pipeline[i]->opportunities,
                     snap->pipeline[i]->arr);
    }
    if (snap->n_handoffs) {
        fprintf (out, "handoffs open:");
        for (size_t i = 0; i < snap->n_handoffs; i++)
            fprintf (out, " %s %llu", snap->handoffs[i]->name,
                     (unsigned long long)snap->handoffs[i]->count);
        fputc ('\n', out);
    }
    if (snap->n_health_bands) {
        fprintf (out, "health  ");
        for (size_t i = 0; i < snap->n_health_bands; i++)
            fprintf (out, " %s %llu", snap->health_bands[i]->name,
                     (unsigned long long)snap->health_bands[i]->count);
        fputc ('\n', out);
    }
    if (snap->n_journal) {
        fprintf (out, "journal ");
        for (size_t i = 0; i < snap->n_journal; i++)
            fprintf (out, " %s %llu", snap->journal[i]->name,
                     (unsigned long long)snap->journal[i]->count);
        fputc ('\n', out);
    }
    const Campaign__Fact *target = s_fact (snap, "segment.target");
    if (target)
        fprintf (out, "segment  target '%s': %.0f accounts, $%.0f potential ARR\n",
                 target->text ? target->text : "", target->number,
                 s_fact_number (snap, "segment.target.potential"));
    const Campaign__Fact *closed = s_fact (snap, "cohort.closed");
    if (closed) {
        fprintf (out, "cohorts  %.0f deals closed, win rate %.0f%%", closed->number,
                 100 * s_fact_number (snap, "cohort.win_rate"));
        if (s_fact (snap, "cohort.auc"))
            fprintf (out, "; propensity AUC %.3f, Brier %.3f, ECE %.3f",
                     s_fact_number (snap, "cohort.auc"), s_fact_number (snap, "cohort.brier"),
                     s_fact_number (snap, "cohort.ece"));
        fputc ('\n', out);
    }
    /*  Booked ARR (the won deals' amounts), not the pipeline's potential above. */
    if (s_fact (snap, "forecast.expected_in_campaign"))
        fprintf (
            out,
            "forecast $%.0f expected within the campaign (P10 $%.0f, P90 $%.0f), $%.0f won "
            "so far, all open deals $%.0f\n",
            s_fact_number (snap, "forecast.expected_in_campaign"),
            s_fact_number (snap, "forecast.in_campaign_p10"),
            s_fact_number (snap, "forecast.in_campaign_p90"),
            s_fact_number (snap, "forecast.won_arr"),
            s_fact_number (snap, "forecast.expected_arr"));
    if (s_fact (snap, "results.arr_won"))
        fprintf (out,
                 "results  $%.0f expansion ARR won, %.0f deals won, %.0f lost; %.0f%% of the "
                 "ARR target, ROI %.1fx\n",
                 s_fact_number (snap, "results.arr_won"),
                 s_fact_number (snap, "results.deals_won"),
                 s_fact_number (snap, "results.deals_lost"),
                 100 * s_fact_number (snap, "results.vs_target"),
                 s_fact_number (snap, "results.roi"));
    fprintf (out, "seq      %llu\n", (unsigned long long)snap->seq);
    fflush (out);
}

json_t *
view_event_json (const Campaign__StatusEvent *event)
{
    json_t *object = json_object ();
    json_object_set_new (object, "seq", json_integer ((json_int_t)event->seq));
    json_object_set_new (object, "topic", s_str (event->topic));
    json_object_set_new (object, "at_ms", json_integer ((json_int_t)event->at_ms));
    json_object_set_new (object, "date", s_str (event->campaign_date));
    json_object_set_new (object, "week", json_integer (event->week));
    json_object_set_new (object, "summary", s_str (event->summary));
    if (event->agent)
        json_object_set_new (object, "agent", s_agent_json (event->agent));
    if (event->tasks)
        json_object_set_new (object, "tasks", s_tasks_json (event->tasks));
    if (event->journal) {
        json_t *journal = json_object ();
        json_object_set_new (journal, "kind", s_str (event->journal->name));
        json_object_set_new (journal, "count",
                             json_integer ((json_int_t)event->journal->count));
        json_object_set_new (object, "journal", journal);
    }
    if (event->phase)
        json_object_set_new (object, "phase", s_str (event->phase));
    if (event->activity)
        json_object_set_new (object, "activity", s_str (event->activity));
    if (event->has_held)
        json_object_set_new (object, "held", json_boolean (event->held));
    if (event->n_gate)
        json_object_set_new (object, "gate", s_gate_json (event->gate, event->n_gate));
    return object;
}

void
view_event_text (FILE *out, const Campaign__StatusEvent *event)
{
    fprintf (out, "#%-6llu %s wk%-2u %-10s %s\n", (unsigned long long)event->seq,
             event->campaign_date ? event->campaign_date : "", event->week,
             event->topic ? event->topic : "", event->summary ? event->summary : "");
    fflush (out);
}

void
view_print_json (FILE *out, json_t *value)
{
    char *text = json_dumps (value, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (text) {
        fputs (text, out);
        fputc ('\n', out);
        free (text);
    }
    fflush (out);
}

json_t *
view_opportunity_json (const Campaign__Opportunity *o)
{
    json_t *object = json_object ();
    json_object_set_new (object, "opportunity_id", s_str (o->opportunity_id));
    json_object_set_new (object, "account_id", s_str (o->account_id));
    json_object_set_new (object, "type", s_str (o->type));
    json_object_set_new (object, "stage", s_str (o->stage));
    json_object_set_new (object, "tier", json_integer (o->tier));
    json_object_set_new (object, "qualified", json_boolean (o->qualified));
    json_object_set_new (object, "complex", json_boolean (o->complex));
    json_object_set_new (object, "potential_arr", json_real (o->potential_arr));
    json_object_set_new (object, "propensity", json_real (o->propensity));
    json_object_set_new (object, "csm", s_str (o->csm));
    json_object_set_new (object, "ae", s_str (o->ae));
    json_object_set_new (object, "opened", s_str (o->opened));
    json_object_set_new (object, "stage_changed", s_str (o->stage_changed));
    if (o->has_amount)
        json_object_set_new (object, "amount", json_real (o->amount));
    if (o->closed)
        json_object_set_new (object, "closed", s_str (o->closed));
    if (o->reason)
        json_object_set_new (object, "reason", s_str (o->reason));
    if (o->closed_from)
        json_object_set_new (object, "closed_from", s_str (o->closed_from));
    return object;
}

void
view_opportunity_header (FILE *out)
{
    fprintf (out, "%-28s %-10s %-10s %-11s %4s %9s %10s %-10s %s\n", "OPPORTUNITY", "ACCOUNT",
             "TYPE", "STAGE", "TIER", "QUALIFIED", "POTENTIAL", "CSM", "AE");
}

void
view_opportunity_text (FILE *out, const Campaign__Opportunity *o)
{
    fprintf (out, "%-28s %-10s %-10s %-11s %4u %9s %10.0f %-10s %s\n",
             o->opportunity_id ? o->opportunity_id : "", o->account_id ? o->account_id : "",
             o->type ? o->type : "", o->stage ? o->stage : "", o->tier,
             o->qualified ? "yes" : "no", o->potential_arr, o->csm ? o->csm : "",
             o->ae ? o->ae : "");
}

json_t *
view_audit_json (const Campaign__AuditEntry *e)
{
    json_t *object = json_object ();
    json_object_set_new (object, "id", s_str (e->id));
    json_object_set_new (object, "at_ms", json_integer (e->at_ms));
    json_object_set_new (object, "campaign_date", s_str (e->campaign_date));
    json_object_set_new (object, "person", s_str (e->person));
    json_object_set_new (object, "role", s_str (e->role));
    json_object_set_new (object, "sender", s_str (e->sender));
    json_object_set_new (object, "kind", s_str (e->kind));
    json_object_set_new (object, "message_id", s_str (e->message_id));
    json_object_set_new (object, "outcome", json_string (e->accepted ? "accepted" : "refused"));
    if (e->code)
        json_object_set_new (object, "code", s_str (e->code));
    json_object_set_new (object, "detail", s_str (e->detail));
    return object;
}

void
view_audit_header (FILE *out)
{
    fprintf (out, "%-8s %-24s %-10s %-10s %-10s %-16s %-8s %s\n", "id", "when (UTC)", "date",
             "person", "role", "kind", "outcome", "detail");
}

void
view_audit_text (FILE *out, const Campaign__AuditEntry *e)
{
    char when[32] = "";
    time_t seconds = (time_t)(e->at_ms / 1000);
    struct tm tm;
    if (gmtime_r (&seconds, &tm))
        snprintf (when + strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm),
                  sizeof when - 19, ".%03dZ", (int)(e->at_ms % 1000));
    fprintf (out, "%-8s %-24s %-10s %-10s %-10s %-16s %-8s %s%s%s\n", e->id ? e->id : "", when,
             e->campaign_date ? e->campaign_date : "", e->person ? e->person : "",
             e->role && *e->role ? e->role : "-", e->kind ? e->kind : "",
             e->accepted ? "accepted" : "refused", e->code ? e->code : "", e->code ? ": " : "",
             e->detail ? e->detail : "");
}
