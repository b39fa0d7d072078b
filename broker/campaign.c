/*  campaign.c: the campaign engine (see campaign.h). */
#include "campaign.h"

#include "gate.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _campaign_t {
    plan_t *plan;
    store_t *store;
    int entered; /* index of the current activity, -1 before the first */
    bool held;
    char *published; /* failing criteria last published on "gate", to publish changes */
    bool **started;  /* [activity][task]: started (cache of the store's table) */
    int **week;      /* [activity][task]: the week a weekly task last started (store meta
                        "weekly.<activity>.<task>"), 0 if never */
};

static void
s_free_started (campaign_t *self)
{
    for (size_t i = 0; self->started && i < plan_activities (self->plan); i++)
        free (self->started[i]);
    for (size_t i = 0; self->week && i < plan_activities (self->plan); i++)
        free (self->week[i]);
    free (self->started);
    free (self->week);
    self->started = NULL;
    self->week = NULL;
}

int
campaign_reload (campaign_t *self, err_t *err)
{
    char *text = NULL;
    int rc = store_meta_get (self->store, "campaign.activity", &text, NULL);
    self->entered = rc == 0 ? (int)strtol (text, NULL, 10) : -1;
    free (text);
    if (self->entered >= (int)plan_activities (self->plan)) {
        return err_set (err, ERR_INVALID,
                        "the store is at activity %d but the plan has only %zu activities; "
                        "the configuration changed under a running campaign",
                        self->entered + 1, plan_activities (self->plan));
    }
    /*  What the gate topic last said survives a restart, so a restart does not repeat it. */
    free (self->published);
    self->published = NULL;
    if (store_meta_get (self->store, "campaign.gate_published", &text, NULL) == 0)
        self->published = text;
    self->held = false;
    s_free_started (self);
    size_t n = plan_activities (self->plan);
    self->started = calloc (n, sizeof *self->started);
    self->week = calloc (n, sizeof *self->week);
    if (!self->started || !self->week)
        return err_set (err, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const plan_activity_t *activity = plan_activity (self->plan, i);
        self->started[i] = calloc (activity->n_tasks + 1, sizeof (bool));
        self->week[i] = calloc (activity->n_tasks + 1, sizeof (int));
        if (!self->started[i] || !self->week[i])
            return err_set (err, ERR_NOMEM, "out of memory");
        for (size_t t = 0; t < activity->n_tasks; t++) {
            rc = store_task_started (self->store, (int)i, (int)t, false, &self->started[i][t],
                                     err);
            if (rc)
                return rc;
            char key[64], *value = NULL;
            snprintf (key, sizeof key, "weekly.%zu.%zu", i, t);
            if (activity->tasks[t].weekly &&
                store_meta_get (self->store, key, &value, NULL) == 0)
                self->week[i][t] = atoi (value);
            free (value);
        }
    }
    return 0;
}

int
campaign_new (plan_t *plan, store_t *store, campaign_t **out, err_t *err)
{
    campaign_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    self->plan = plan;
    self->store = store;
    int rc = campaign_reload (self, err);
    if (rc)
        campaign_destroy (&self);
    else
        *out = self;
    return rc;
}

void
campaign_destroy (campaign_t **self_p)
{
    if (self_p && *self_p) {
        campaign_t *self = *self_p;
        s_free_started (self);
        free (self->published);
        free (self);
        *self_p = NULL;
    }
}

/*  Evaluate the gate into activity index; criteria (optional) receives a malloc'd array
    of malloc'd criteria; failing gets the failing names joined by ", ". */
static int
s_evaluate (campaign_t *self, int index, Campaign__GateCriterion ***criteria,
            size_t *n_criteria, bool *all_met, char *failing, size_t failing_size, err_t *err)
{
    const plan_activity_t *activity = plan_activity (self->plan, (size_t)index);
    *all_met = true;
    failing[0] = '\0';
    Campaign__GateCriterion **items = NULL;
    if (criteria) {
        items = calloc (activity->n_gate + 1, sizeof *items);
        if (!items)
            return err_set (err, ERR_NOMEM, "out of memory");
    }
    int rc = 0;
    for (size_t g = 0; !rc && g < activity->n_gate; g++) {
        bool met = false;
        char detail[256];
        rc = gate_evaluate (self->store, activity->gate[g], &met, detail, sizeof detail, err);
        if (rc)
            break;
        if (!met) {
            *all_met = false;
            size_t used = strlen (failing);
            snprintf (failing + used, failing_size - used, "%s%s", used ? ", " : "",
                      activity->gate[g]);
        }
        if (items) {
            Campaign__GateCriterion *item = calloc (1, sizeof *item);
            if (!item) {
                rc = err_set (err, ERR_NOMEM, "out of memory");
                break;
            }
            campaign__gate_criterion__init (item);
            item->name = strdup (activity->gate[g]);
            item->has_met = 1;
            item->met = met;
            item->detail = strdup (detail);
            items[g] = item;
        }
    }
    if (criteria) {
        *criteria = items;
        *n_criteria = activity->n_gate;
    }
    return rc;
}

static void
s_free_criteria (Campaign__GateCriterion **items, size_t n)
{
    for (size_t i = 0; items && i < n; i++)
        if (items[i]) {
            free (items[i]->name);
            free (items[i]->detail);
            free (items[i]);
        }
    free (items);
}

static void
s_emit_gate (campaign_t *self, const turn_t *turn, int index, bool held, const char *summary)
{
    Campaign__StatusEvent event = CAMPAIGN__STATUS_EVENT__INIT;
    Campaign__GateCriterion **criteria = NULL;
    size_t n = 0;
    bool all_met;
    char failing[1024];
    err_t err;
    if (s_evaluate (self, index, &criteria, &n, &all_met, failing, sizeof failing, &err))
        log_error ("gate event: %s", err.msg);
    event.summary = (char *)summary;
    event.has_held = 1;
    event.held = held;
    event.n_gate = n;
    event.gate = criteria;
    event.activity = plan_activity (self->plan, (size_t)index)->name;
    turn_emit (turn, "gate", &event);
    s_free_criteria (criteria, n);
}

/*  Enter activity index: record the gate, move, announce. */
static int
s_enter (campaign_t *self, const turn_t *turn, int index, const char *override_by,
         const char *reason, const char *failed, err_t *err)
{
    const plan_activity_t *activity = plan_activity (self->plan, (size_t)index);
    int rc = store_gate_due (self->store, index, activity->name,
                             calendar_week_start (turn->calendar, activity->first_week), err);
    if (!rc)
        rc = store_gate_pass (self->store, index, turn->today, override_by, reason,
                              failed && *failed ? failed : NULL, err);
    char text[16];
    snprintf (text, sizeof text, "%d", index);
    if (!rc)
        rc = store_meta_set (self->store, "campaign.activity", text, err);
    if (rc)
        return rc;
    bool was_held = self->held;
    self->entered = index;
    self->held = false;
    free (self->published);
    self->published = NULL;
    if ((rc = store_meta_set (self->store, "campaign.gate_published", "", err)))
        return rc;

    char summary[512];
    if (override_by) {
        snprintf (summary, sizeof summary,
                  "gate into '%s' overridden by %s (%s); failing then: %s", activity->name,
                  override_by, reason, failed && *failed ? failed : "none");
        s_emit_gate (self, turn, index, false, summary);
        log_warn ("%s", summary);
    } else if (was_held) {
        snprintf (summary, sizeof summary, "gate into '%s' passed", activity->name);
        s_emit_gate (self, turn, index, false, summary);
        log_info ("%s", summary);
    }
    Campaign__StatusEvent event = CAMPAIGN__STATUS_EVENT__INIT;
    snprintf (summary, sizeof summary, "%s: %s (weeks %d-%d)", activity->phase, activity->name,
              activity->first_week, activity->last_week);
    event.summary = summary;
    event.phase = activity->phase;
    event.activity = activity->name;
    event.has_held = 1;
    event.held = false;
    turn_emit (turn, "phase", &event);
    log_info ("entered %s", summary);
    return 0;
}

/*  Start the configured tasks whose time has come: their activity entered, the tasks
    they wait for done, and for per-account work, a portfolio to split. */
static int
s_start_tasks (campaign_t *self, const turn_t *turn, err_t *err)
{
    for (int i = 0; i <= self->entered; i++) {
        const plan_activity_t *activity = plan_activity (self->plan, (size_t)i);
        int week = calendar_week_of (turn->calendar, turn->today);
        for (size_t t = 0; t < activity->n_tasks; t++) {
            const plan_task_t *spec = &activity->tasks[t];
            /*  A weekly task of the current activity runs again once a week. */
            bool again = spec->weekly && i == self->entered && week > self->week[i][t] &&
                         week <= activity->last_week;
            if (self->started[i][t] && !again)
                continue;
            bool ready = true;
            for (size_t a = 0; ready && a < spec->n_after; a++) {
                int64_t total, done, dead;
                int rc = store_task_progress (self->store, spec->after[a], &total, &done, &dead,
                                              err);
                if (rc)
                    return rc;
                ready = total > 0 && done == total;
            }
            if (!ready)
                continue;
            char **ids = NULL;
            size_t n_ids = 0;
            if (spec->per_account) {
                int rc = store_account_ids (self->store, &ids, &n_ids, err);
                if (rc)
                    return rc;
                if (n_ids == 0)
                    continue; /* nothing to split until the portfolio is in */
            }
            size_t batches =
                spec->per_account ? (n_ids + spec->batch_size - 1) / spec->batch_size : 1;
            if (spec->whole && batches > 1) {
                /*  Its agent sees one batch at a time and each batch's figures replace the
                    last: whole-portfolio facts would silently be one batch's. */
                char summary[512];
                snprintf (summary, sizeof summary,
                          "%s reads the whole portfolio, but %zu accounts are more than its "
                          "batch of %u: it runs in %zu batches, and its facts (and the "
                          "reports made from them) are the last batch's, not the portfolio's",
                          spec->name, n_ids, spec->batch_size, batches);
                log_warn ("%s", summary);
                Campaign__StatusEvent event = CAMPAIGN__STATUS_EVENT__INIT;
                event.summary = summary;
                turn_emit (turn, "alert", &event);
            }
            int rc = 0;
            for (size_t b = 0; !rc && b < batches; b++) {
                Campaign__TaskInput input = CAMPAIGN__TASK_INPUT__INIT;
                input.activity = activity->name;
                input.args = spec->args;
                input.has_batch = input.has_batches = 1;
                input.batch = (uint32_t)b + 1;
                input.batches = (uint32_t)batches;
                if (spec->per_account) {
                    /*  A recipe: the batch's account ids. The broker assembles the input
                        (records, health, notes, opportunities, history...) each time it
                        hands the task out (store_task_input): agents may run on other hosts
                        and never read the store, and the portfolio is not copied into the
                        task table. */
                    size_t from = b * spec->batch_size;
                    size_t count =
                        n_ids - from < spec->batch_size ? n_ids - from : spec->batch_size;
                    input.account_ids = ids + from;
                    input.n_account_ids = count;
                }
                size_t size = campaign__task_input__get_packed_size (&input);
                uint8_t *packed = malloc (size ? size : 1);
                if (!packed) {
                    rc = err_set (err, ERR_NOMEM, "out of memory");
                    break;
                }
                campaign__task_input__pack (&input, packed);
                rc = queue_add (turn->queue, spec->agent, spec->name, packed, size,
                                spec->per_account, turn->now_ms, turn->today_text, NULL, err);
                free (packed);
            }
            for (size_t k = 0; k < n_ids; k++)
                free (ids[k]);
            free (ids);
            if (!rc)
                rc = store_task_started (self->store, i, (int)t, true, NULL, err);
            if (!rc && spec->weekly) {
                char key[64], value[16];
                snprintf (key, sizeof key, "weekly.%d.%zu", i, t);
                snprintf (value, sizeof value, "%d", week);
                rc = store_meta_set (self->store, key, value, err);
            }
            if (rc)
                return rc;
            self->started[i][t] = true;
            if (spec->weekly)
                self->week[i][t] = week;
            log_info ("%s: started %s for %s (%zu task%s)", activity->name, spec->name,
                      spec->agent, batches, batches == 1 ? "" : "s");
        }
    }
    return 0;
}

int
campaign_step (campaign_t *self, const turn_t *turn, err_t *err)
{
    int week = calendar_week_of (turn->calendar, turn->today);
    int target = plan_activity_of_week (self->plan, week);
    while (self->entered < target) {
        int next = self->entered + 1;
        const plan_activity_t *activity = plan_activity (self->plan, (size_t)next);
        int rc =
            store_gate_due (self->store, next, activity->name,
                            calendar_week_start (turn->calendar, activity->first_week), err);
        bool all_met;
        char failing[1024];
        if (!rc)
            rc = s_evaluate (self, next, NULL, NULL, &all_met, failing, sizeof failing, err);
        if (rc)
            return rc;
        if (!all_met) {
            self->held = true;
            if (!self->published || strcmp (self->published, failing) != 0) {
                char summary[1400];
                snprintf (summary, sizeof summary,
                          "held at the gate into '%s' (due week %d): failing %s",
                          activity->name, activity->first_week, failing);
                s_emit_gate (self, turn, next, true, summary);
                log_warn ("%s", summary);
                free (self->published);
                self->published = strdup (failing);
                if ((rc =
                         store_meta_set (self->store, "campaign.gate_published", failing, err)))
                    return rc;
            }
            break;
        }
        if ((rc = s_enter (self, turn, next, NULL, NULL, NULL, err)))
            return rc;
    }
    if (self->entered >= target)
        self->held = false;
    return s_start_tasks (self, turn, err);
}

int
campaign_override (campaign_t *self, const turn_t *turn, const char *person, const char *reason,
                   char *detail, size_t detail_size, err_t *err)
{
    if (!self->held) {
        const plan_activity_t *current = campaign_activity (self);
        return err_set (err, ERR_STATE,
                        "override-gate: no gate is holding the campaign (week %d, %s)",
                        calendar_week_of (turn->calendar, turn->today),
                        current ? current->name : "not started");
    }
    int next = self->entered + 1;
    bool all_met;
    char failing[1024];
    int rc = s_evaluate (self, next, NULL, NULL, &all_met, failing, sizeof failing, err);
    if (!rc)
        rc = s_enter (self, turn, next, person, reason, failing, err);
    if (rc)
        return rc;
    snprintf (detail, detail_size, "gate into '%s' overridden (failing: %s)",
              plan_activity (self->plan, (size_t)next)->name, *failing ? failing : "none");
    /*  Further boundaries, if the calendar is already past them, are crossed (or held)
        by the next step as usual. */
    return 0;
}

const plan_activity_t *
campaign_activity (campaign_t *self)
{
    return self->entered >= 0 ? plan_activity (self->plan, (size_t)self->entered) : NULL;
}

bool
campaign_held (campaign_t *self)
{
    return self->held;
}

int
campaign_activity_week (campaign_t *self, const turn_t *turn)
{
    int week = calendar_week_of (turn->calendar, turn->today);
    if (self->held && self->entered >= 0)
        return plan_activity (self->plan, (size_t)self->entered)->last_week;
    if (self->held)
        return 0;
    return week;
}

static const char *
s_kind_noun (const char *kind)
{
    static const char *const nouns[][2] = {
        {"import-portfolio", "portfolio imports are"},
        {"import-roster", "roster imports are"},
        {"import-history", "history imports are"},
        {"targets", "targets are"},
        {"note", "discovery notes are"},
        {"stage", "stage changes are"},
        {"outcome", "deal outcomes are"},
        {"retro", "retrospective input is"},
        {"advance", "clock advances are"},
        {"override-gate", "gate overrides are"},
        {"ack-handoff", "handoff acknowledgements are"},
        {"run-task", "manual tasks are"},
    };
    for (size_t i = 0; i < sizeof nouns / sizeof *nouns; i++)
        if (strcmp (nouns[i][0], kind) == 0)
            return nouns[i][1];
    return kind;
}

int
campaign_accepts (campaign_t *self, const turn_t *turn, const char *kind, err_t *err)
{
    int first, last;
    if (!plan_window (self->plan, kind, &first, &last))
        return 0;
    int week = campaign_activity_week (self, turn);
    if (week >= first && week <= last)
        return 0;
    char window[64];
    if (first == last)
        snprintf (window, sizeof window, "in week %d", first);
    else
        snprintf (window, sizeof window, "in weeks %d-%d", first, last);
    char where[256];
    int weeks = calendar_weeks (turn->calendar);
    const plan_activity_t *current = campaign_activity (self);
    if (week < 1)
        snprintf (where, sizeof where, "the campaign has not started (it starts on %s)",
                  date_format (calendar_start (turn->calendar), (char[DATE_TEXT_MAX]){0}));
    else if (week > weeks)
        snprintf (where, sizeof where, "the campaign ended after week %d (this is week %d)",
                  weeks, week);
    else if (self->held)
        snprintf (where, sizeof where,
                  "the campaign is held in week %d (%s, %s) at the gate into '%s'", week,
                  current ? current->phase : "", current ? current->name : "not started",
                  plan_activity (self->plan, (size_t)self->entered + 1)->name);
    else
        snprintf (where, sizeof where, "the campaign is in week %d (%s)", week,
                  plan_phase_of_week (self->plan, week));
    return err_set (err, ERR_STATE, "%s accepted %s; %s", s_kind_noun (kind), window, where);
}

typedef struct {
    Campaign__GateRecord **items;
    size_t n;
    int32_t today;
    bool failed;
} s_history_t;

static void
s_collect_gate (void *arg, int index, const char *activity, int32_t due_day, int32_t passed_day,
                const char *override_by, const char *override_reason, const char *failed)
{
    s_history_t *history = arg;
    Campaign__GateRecord **grown =
        realloc (history->items, (history->n + 1) * sizeof *history->items);
    Campaign__GateRecord *record = calloc (1, sizeof *record);
    if (!grown || !record) {
        free (record);
        if (grown)
            history->items = grown;
        history->failed = true;
        return;
    }
    history->items = grown;
    campaign__gate_record__init (record);
    char date[DATE_TEXT_MAX];
    record->activity = strdup (activity);
    record->due = strdup (date_format (due_day, date));
    record->passed = strdup (passed_day >= 0 ? date_format (passed_day, date) : "");
    int32_t end = passed_day >= 0 ? passed_day : history->today;
    record->has_held_days = 1;
    record->held_days = end > due_day ? (uint32_t)(end - due_day) : 0;
    if (override_by)
        record->override_by = strdup (override_by);
    if (override_reason)
        record->override_reason = strdup (override_reason);
    if (failed && *failed) {
        /*  Stored joined by ", "; split back into the list. */
        char *copy = strdup (failed), *cursor = copy, *part;
        while (copy && (part = strsep (&cursor, ","))) {
            while (*part == ' ')
                part++;
            char **names = realloc (record->failed, (record->n_failed + 1) * sizeof (char *));
            if (!names)
                break;
            record->failed = names;
            record->failed[record->n_failed++] = strdup (part);
        }
        free (copy);
    }
    (void)index;
    history->items[history->n++] = record;
}

int
campaign_fill_snapshot (campaign_t *self, const turn_t *turn, Campaign__Snapshot *snapshot,
                        err_t *err)
{
    const plan_activity_t *current = campaign_activity (self);
    snapshot->phase = current ? current->phase : (char *)"";
    snapshot->activity = current ? current->name : (char *)"";
    snapshot->has_held = 1;
    snapshot->held = self->held;
    snapshot->has_activity_week = 1;
    snapshot->activity_week = (uint32_t)campaign_activity_week (self, turn);
    int next = self->entered + 1;
    if (next < (int)plan_activities (self->plan)) {
        snapshot->next_activity = plan_activity (self->plan, (size_t)next)->name;
        bool all_met;
        char failing[1024];
        int rc = s_evaluate (self, next, &snapshot->gate, &snapshot->n_gate, &all_met, failing,
                             sizeof failing, err);
        if (rc)
            return rc;
    }
    s_history_t history = {NULL, 0, turn->today, false};
    int rc = store_gates_scan (self->store, s_collect_gate, &history, err);
    snapshot->gates = history.items;
    snapshot->n_gates = history.n;
    if (!rc && history.failed)
        rc = err_set (err, ERR_NOMEM, "out of memory");
    return rc;
}

void
campaign_free_snapshot (Campaign__Snapshot *snapshot)
{
    s_free_criteria (snapshot->gate, snapshot->n_gate);
    snapshot->gate = NULL;
    snapshot->n_gate = 0;
    for (size_t i = 0; i < snapshot->n_gates; i++) {
        Campaign__GateRecord *record = snapshot->gates[i];
        free (record->activity);
        free (record->due);
        free (record->passed);
        free (record->override_by);
        free (record->override_reason);
        for (size_t f = 0; f < record->n_failed; f++)
            free (record->failed[f]);
        free (record->failed);
        free (record);
    }
    free (snapshot->gates);
    snapshot->gates = NULL;
    snapshot->n_gates = 0;
}
