/*  plan.c: reading and checking the campaign plan (see plan.h).

    Every check happens here, at start-up, so the rest of the broker can trust the plan:
    weeks in range, activities and phases covering the campaign without overlap, agent
    kinds configured, gate criteria known, task dependencies resolvable.
*/
#include "plan.h"

#include "gate.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name;
    int first_week;
    int last_week;
} s_range_t;

struct _plan_t {
    s_range_t *phases;
    size_t n_phases;
    plan_activity_t *activities;
    size_t n_activities;
    s_range_t *windows; /* name = submission kind */
    size_t n_windows;
    char **stages; /* NULL-terminated */
    size_t n_stages;
    double max_amount_ratio;
    plan_handoffs_t handoffs;
};

static const char *const s_default_stages[] = {
    "identified", "qualified",   "discovery",  "demo",        "trial", "pilot",
    "proposal",   "negotiation", "closed-won", "closed-lost", NULL};

static const char *const s_submission_kinds[] = {"import-portfolio",
                                                 "import-roster",
                                                 "import-history",
                                                 "targets",
                                                 "note",
                                                 "stage",
                                                 "outcome",
                                                 "retro",
                                                 "advance",
                                                 "override-gate",
                                                 "ack-handoff",
                                                 "run-task",
                                                 NULL};

/*  "file:line: setting 'path': " for messages. */
static const char *
s_at (conf_t *conf, const config_setting_t *setting, char *buf, size_t size)
{
    char where[256];
    /*  Build the dotted path from the setting up; libconfig names list items by index. */
    char parts[512] = "";
    for (const config_setting_t *s = setting; s && config_setting_parent (s);
         s = config_setting_parent (s)) {
        char part[128];
        if (config_setting_name (s))
            snprintf (part, sizeof part, "%s", config_setting_name (s));
        else
            snprintf (part, sizeof part, "[%d]", config_setting_index (s));
        /*  Prepend "part." to what we have, cutting at the buffer's end. */
        size_t head = strlen (part) + (*parts ? 1 : 0);
        size_t tail = strlen (parts);
        if (head + tail >= sizeof parts)
            break;
        memmove (parts + head, parts, tail + 1);
        memcpy (parts, part, strlen (part));
        if (*(parts + head))
            parts[head - 1] = '.';
    }
    snprintf (buf, size, "%s: setting '%s'", conf_where (conf, setting, where, sizeof where),
              parts);
    return buf;
}

static char *
s_dup (const char *text)
{
    return strdup (text ? text : "");
}

/*  A [first, last] week pair within 1..weeks. */
static int
s_weeks (conf_t *conf, config_setting_t *parent, int weeks, int lo, int *first, int *last,
         err_t *err)
{
    char at[512];
    config_setting_t *range = config_setting_get_member (parent, "weeks");
    if (!range)
        return err_set (err, ERR_INVALID, "%s: needs weeks = [first, last]",
                        s_at (conf, parent, at, sizeof at));
    if (!config_setting_is_aggregate (range) || config_setting_length (range) != 2 ||
        config_setting_type (config_setting_get_elem (range, 0)) != CONFIG_TYPE_INT ||
        config_setting_type (config_setting_get_elem (range, 1)) != CONFIG_TYPE_INT)
        return err_set (err, ERR_INVALID, "%s: weeks must be [first, last], two whole numbers",
                        s_at (conf, range, at, sizeof at));
    *first = config_setting_get_int_elem (range, 0);
    *last = config_setting_get_int_elem (range, 1);
    if (*first < lo || *last > weeks || *first > *last)
        return err_set (err, ERR_INVALID,
                        "%s: weeks [%d, %d] must lie within %d..%d with first <= last",
                        s_at (conf, range, at, sizeof at), *first, *last, lo, weeks);
    return 0;
}

static int
s_string_member (conf_t *conf, config_setting_t *parent, const char *name, bool required,
                 const char **out, err_t *err)
{
    char at[512];
    config_setting_t *member = config_setting_get_member (parent, name);
    *out = NULL;
    if (!member) {
        if (required)
            return err_set (err, ERR_INVALID, "%s: needs %s = \"...\"",
                            s_at (conf, parent, at, sizeof at), name);
        return 0;
    }
    if (config_setting_type (member) != CONFIG_TYPE_STRING ||
        !*config_setting_get_string (member))
        return err_set (err, ERR_INVALID, "%s: must be a non-empty string",
                        s_at (conf, member, at, sizeof at));
    *out = config_setting_get_string (member);
    return 0;
}

/*  A list of strings (array or list) into a malloc'd array of copies. */
static int
s_strings (conf_t *conf, config_setting_t *setting, char ***out, size_t *count, err_t *err)
{
    char at[512];
    *out = NULL;
    *count = 0;
    if (!setting)
        return 0;
    if (!config_setting_is_aggregate (setting))
        return err_set (err, ERR_INVALID, "%s: must be a list of strings",
                        s_at (conf, setting, at, sizeof at));
    int n = config_setting_length (setting);
    char **items = calloc ((size_t)n + 1, sizeof (char *));
    if (!items)
        return err_set (err, ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        const char *text = config_setting_get_string_elem (setting, i);
        if (!text || !*text) {
            for (int j = 0; j < i; j++)
                free (items[j]);
            free (items);
            return err_set (err, ERR_INVALID, "%s: item %d must be a non-empty string",
                            s_at (conf, setting, at, sizeof at), i + 1);
        }
        items[i] = s_dup (text);
    }
    *out = items;
    *count = (size_t)n;
    return 0;
}

static void
s_free_strings (char **items, size_t count)
{
    for (size_t i = 0; items && i < count; i++)
        free (items[i]);
    free (items);
}

static int
s_load_ranges (conf_t *conf, const char *path, int weeks, bool cover, s_range_t **out,
               size_t *count, err_t *err)
{
    char at[512];
    config_setting_t *list = conf_lookup (conf, path);
    if (!list)
        return err_set (err, ERR_INVALID, "setting '%s' is required (see config/campaign.cfg)",
                        path);
    if (config_setting_type (list) != CONFIG_TYPE_LIST || config_setting_length (list) == 0)
        return err_set (err, ERR_INVALID, "%s: must be a non-empty list of ( { ... }, ... )",
                        s_at (conf, list, at, sizeof at));
    int n = config_setting_length (list);
    s_range_t *ranges = calloc ((size_t)n, sizeof *ranges);
    if (!ranges)
        return err_set (err, ERR_NOMEM, "out of memory");
    int rc = 0, next_week = 1;
    for (int i = 0; !rc && i < n; i++) {
        config_setting_t *item = config_setting_get_elem (list, i);
        const char *name;
        if (config_setting_type (item) != CONFIG_TYPE_GROUP)
            rc =
                err_set (err, ERR_INVALID, "%s: must be a group { name = ...; weeks = [...]; }",
                         s_at (conf, item, at, sizeof at));
        if (!rc)
            rc = s_string_member (conf, item, "name", true, &name, err);
        if (!rc)
            rc = s_weeks (conf, item, weeks, 1, &ranges[i].first_week, &ranges[i].last_week,
                          err);
        if (!rc && cover && ranges[i].first_week != next_week)
            rc = err_set (err, ERR_INVALID,
                          "%s: weeks start at %d but week %d is the next one to cover "
                          "(entries must be in order, without gaps or overlaps)",
                          s_at (conf, item, at, sizeof at), ranges[i].first_week, next_week);
        if (!rc) {
            ranges[i].name = s_dup (name);
            next_week = ranges[i].last_week + 1;
        }
    }
    if (!rc && cover && next_week != weeks + 1)
        rc = err_set (err, ERR_INVALID, "%s: weeks %d..%d are not covered",
                      s_at (conf, list, at, sizeof at), next_week, weeks);
    if (rc) {
        for (int i = 0; i < n; i++)
            free (ranges[i].name);
        free (ranges);
        return rc;
    }
    *out = ranges;
    *count = (size_t)n;
    return 0;
}

/*  An optional true/false member of a task (absent: false). */
static int
s_flag (conf_t *conf, config_setting_t *item, const char *name, bool *out, err_t *err)
{
    config_setting_t *setting = config_setting_get_member (item, name);
    if (setting && config_setting_type (setting) != CONFIG_TYPE_BOOL) {
        char at[256];
        return err_set (err, ERR_INVALID, "%s: %s must be true or false",
                        s_at (conf, setting, at, sizeof at), name);
    }
    *out = setting && config_setting_get_bool (setting);
    return 0;
}

static int
s_load_task (conf_t *conf, config_setting_t *item, zhashx_t *agent_kinds, plan_task_t *task,
             err_t *err)
{
    char at[512];
    const char *agent, *name, *args;
    int rc = s_string_member (conf, item, "agent", true, &agent, err);
    if (!rc)
        rc = s_string_member (conf, item, "name", true, &name, err);
    if (!rc)
        rc = s_string_member (conf, item, "args", false, &args, err);
    if (rc)
        return rc;
    if (!zhashx_lookup (agent_kinds, agent))
        return err_set (err, ERR_INVALID, "%s: agent kind '%s' is not in agents.kinds",
                        s_at (conf, config_setting_get_member (item, "agent"), at, sizeof at),
                        agent);
    task->agent = s_dup (agent);
    task->name = s_dup (name);
    task->args = args ? s_dup (args) : NULL;
    if ((rc = s_flag (conf, item, "per_account", &task->per_account, err)) ||
        (rc = s_flag (conf, item, "weekly", &task->weekly, err)) ||
        (rc = s_flag (conf, item, "whole", &task->whole, err)))
        return rc;
    int batch = 500;
    config_setting_t *batch_setting = config_setting_get_member (item, "batch");
    if (batch_setting) {
        batch = config_setting_get_int (batch_setting);
        if (config_setting_type (batch_setting) != CONFIG_TYPE_INT || batch < 1)
            return err_set (err, ERR_INVALID, "%s: batch must be a whole number >= 1",
                            s_at (conf, batch_setting, at, sizeof at));
    }
    task->batch_size = (uint32_t)batch;
    return s_strings (conf, config_setting_get_member (item, "after"), &task->after,
                      &task->n_after, err);
}

static int
s_load_activities (plan_t *self, conf_t *conf, int weeks, zhashx_t *agent_kinds, err_t *err)
{
    s_range_t *ranges;
    size_t n;
    int rc = s_load_ranges (conf, "activities", weeks, true, &ranges, &n, err);
    if (rc)
        return rc;
    self->activities = calloc (n, sizeof *self->activities);
    if (!self->activities) {
        for (size_t i = 0; i < n; i++)
            free (ranges[i].name);
        free (ranges);
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    self->n_activities = n;
    config_setting_t *list = conf_lookup (conf, "activities");
    char at[512];
    for (size_t i = 0; i < n; i++) {
        plan_activity_t *activity = &self->activities[i];
        activity->name = ranges[i].name;
        activity->first_week = ranges[i].first_week;
        activity->last_week = ranges[i].last_week;
        activity->phase = s_dup (plan_phase_of_week (self, activity->first_week));
        if (strcmp (activity->phase, plan_phase_of_week (self, activity->last_week)) != 0 &&
            !rc)
            rc = err_set (err, ERR_INVALID, "%s: activity '%s' spans two phases",
                          s_at (conf, config_setting_get_elem (list, (int)i), at, sizeof at),
                          activity->name);
    }
    free (ranges);
    for (size_t i = 0; !rc && i < n; i++) {
        plan_activity_t *activity = &self->activities[i];
        config_setting_t *item = config_setting_get_elem (list, (int)i);
        config_setting_t *gate = config_setting_get_member (item, "gate");
        rc = s_strings (conf, gate, &activity->gate, &activity->n_gate, err);
        for (size_t g = 0; !rc && g < activity->n_gate; g++)
            if (!gate_criterion_known (activity->gate[g]))
                rc = err_set (err, ERR_INVALID,
                              "%s: gate criterion '%s' does not exist (see broker/gate.h)",
                              s_at (conf, gate, at, sizeof at), activity->gate[g]);
        config_setting_t *tasks = config_setting_get_member (item, "tasks");
        if (rc || !tasks)
            continue;
        if (config_setting_type (tasks) != CONFIG_TYPE_LIST)
            rc = err_set (err, ERR_INVALID,
                          "%s: must be a list ( { agent = ...; name = ...; } )",
                          s_at (conf, tasks, at, sizeof at));
        int n_tasks = rc ? 0 : config_setting_length (tasks);
        activity->tasks = calloc ((size_t)n_tasks + 1, sizeof *activity->tasks);
        if (!activity->tasks)
            rc = err_set (err, ERR_NOMEM, "out of memory");
        for (int t = 0; !rc && t < n_tasks; t++) {
            rc = s_load_task (conf, config_setting_get_elem (tasks, t), agent_kinds,
                              &activity->tasks[t], err);
            activity->n_tasks = (size_t)t + 1;
        }
    }
    /*  A task may wait only for tasks started by its own or an earlier activity. */
    for (size_t i = 0; !rc && i < n; i++)
        for (size_t t = 0; !rc && t < self->activities[i].n_tasks; t++) {
            const plan_task_t *task = &self->activities[i].tasks[t];
            for (size_t a = 0; !rc && a < task->n_after; a++) {
                bool found = false;
                for (size_t j = 0; j <= i && !found; j++)
                    for (size_t u = 0; u < self->activities[j].n_tasks && !found; u++)
                        found = (j < i || u < t) &&
                                strcmp (self->activities[j].tasks[u].name, task->after[a]) == 0;
                if (!found) {
                    config_setting_t *item = config_setting_get_elem (
                        config_setting_get_member (config_setting_get_elem (list, (int)i),
                                                   "tasks"),
                        (int)t);
                    rc = err_set (err, ERR_INVALID,
                                  "%s: task '%s' waits for '%s', which no earlier task is (a "
                                  "task waits only for tasks listed before it)",
                                  s_at (conf, item, at, sizeof at), task->name, task->after[a]);
                }
            }
        }
    /*  A gate waiting for tasks no earlier activity starts could only ever be
        overridden: almost always a misspelt task name. */
    for (size_t i = 0; !rc && i < n; i++)
        for (size_t g = 0; !rc && g < self->activities[i].n_gate; g++) {
            const char *criterion = self->activities[i].gate[g];
            if (strncmp (criterion, "tasks_done:", 11) != 0)
                continue;
            bool started = false;
            for (size_t j = 0; j < i && !started; j++)
                for (size_t u = 0; u < self->activities[j].n_tasks && !started; u++)
                    started = strcmp (self->activities[j].tasks[u].name, criterion + 11) == 0;
            if (!started)
                rc = err_set (
                    err, ERR_INVALID,
                    "%s: gate criterion '%s' waits for a task no earlier activity starts",
                    s_at (conf,
                          config_setting_get_member (config_setting_get_elem (list, (int)i),
                                                     "gate"),
                          at, sizeof at),
                    criterion);
        }
    return rc;
}

static int
s_load_windows (plan_t *self, conf_t *conf, int weeks, err_t *err)
{
    char at[512];
    config_setting_t *group = conf_lookup (conf, "windows");
    if (!group)
        return 0;
    if (config_setting_type (group) != CONFIG_TYPE_GROUP)
        return err_set (err, ERR_INVALID, "%s: must be a group { note = [3, 12]; ... }",
                        s_at (conf, group, at, sizeof at));
    /*  Layering: a later file may override one window; conf_lookup answers per path. */
    self->windows =
        calloc (sizeof s_submission_kinds / sizeof *s_submission_kinds, sizeof *self->windows);
    if (!self->windows)
        return err_set (err, ERR_NOMEM, "out of memory");
    /*  A misspelt kind in any layer is a mistake, even one a later layer's group
        hides from conf_lookup. */
    for (int layer = 0; layer < conf_layers (conf); layer++) {
        config_setting_t *layer_group = conf_lookup_layer (conf, layer, "windows");
        if (!layer_group || config_setting_type (layer_group) != CONFIG_TYPE_GROUP)
            continue;
        for (int i = 0; i < config_setting_length (layer_group); i++) {
            config_setting_t *item = config_setting_get_elem (layer_group, i);
            const char *kind = config_setting_name (item);
            bool known = false;
            for (int k = 0; s_submission_kinds[k] && !known; k++)
                known = strcmp (s_submission_kinds[k], kind) == 0;
            if (!known)
                return err_set (err, ERR_INVALID, "%s: '%s' is not a submission kind",
                                s_at (conf, item, at, sizeof at), kind);
        }
    }
    for (int k = 0; s_submission_kinds[k]; k++) {
        char path[128];
        snprintf (path, sizeof path, "windows.%s", s_submission_kinds[k]);
        config_setting_t *range = conf_lookup (conf, path);
        if (!range)
            continue;
        if (!config_setting_is_aggregate (range) || config_setting_length (range) != 2 ||
            config_setting_type (config_setting_get_elem (range, 0)) != CONFIG_TYPE_INT ||
            config_setting_type (config_setting_get_elem (range, 1)) != CONFIG_TYPE_INT)
            return err_set (err, ERR_INVALID, "%s: must be [first week, last week]",
                            s_at (conf, range, at, sizeof at));
        int first = config_setting_get_int_elem (range, 0);
        int last = config_setting_get_int_elem (range, 1);
        /*  Week 0 is before the start, weeks + 1 after the end. */
        if (first < 0 || last > weeks + 1 || first > last)
            return err_set (err, ERR_INVALID,
                            "%s: [%d, %d] must lie within 0..%d, first <= last",
                            s_at (conf, range, at, sizeof at), first, last, weeks + 1);
        s_range_t *window = &self->windows[self->n_windows++];
        window->name = s_dup (s_submission_kinds[k]);
        window->first_week = first;
        window->last_week = last;
    }
    return 0;
}

static int
s_load_pipeline (plan_t *self, conf_t *conf, err_t *err)
{
    char at[512];
    config_setting_t *stages = conf_lookup (conf, "pipeline.stages");
    int rc = 0;
    if (stages) {
        rc = s_strings (conf, stages, &self->stages, &self->n_stages, err);
        if (!rc &&
            (self->n_stages < 3 || strcmp (self->stages[self->n_stages - 2], "closed-won") ||
             strcmp (self->stages[self->n_stages - 1], "closed-lost")))
            rc = err_set (err, ERR_INVALID,
                          "%s: needs at least one open stage and must end with \"closed-won\", "
                          "\"closed-lost\"",
                          s_at (conf, stages, at, sizeof at));
    } else {
        size_t n = sizeof s_default_stages / sizeof *s_default_stages - 1;
        self->stages = calloc (n + 1, sizeof (char *));
        if (!self->stages)
            return err_set (err, ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            self->stages[i] = s_dup (s_default_stages[i]);
        self->n_stages = n;
    }
    if (!rc)
        rc = conf_double_range (conf, "pipeline.max_amount_ratio", 5.0, 1.0, 1000.0,
                                &self->max_amount_ratio, err);
    return rc;
}

static int
s_load_handoffs (plan_t *self, conf_t *conf, err_t *err)
{
    plan_handoffs_t *h = &self->handoffs;
    int64_t nurture_tier = 3;
    int rc = conf_double_range (conf, "handoffs.sales.arr_over", 50000, 0, 1e12,
                                &h->sales_arr_over, err);
    if (!rc)
        rc = conf_double_range (conf, "handoffs.sales.credit_split", 0.5, 0, 1,
                                &h->sales_credit_split, err);
    if (!rc)
        rc = conf_bool (conf, "handoffs.marketing.case_study_on_win", true,
                        &h->marketing_case_study, err);
    if (!rc)
        rc = conf_int_range (conf, "handoffs.marketing.nurture_tier", 3, 0, 3, &nurture_tier,
                             err);
    if (!rc)
        rc = conf_bool (conf, "handoffs.product.feature_requests", true,
                        &h->product_feature_requests, err);
    h->marketing_nurture_tier = (uint32_t)nurture_tier;
    return rc;
}

int
plan_load (conf_t *conf, int weeks, zhashx_t *agent_kinds, plan_t **out, err_t *err)
{
    plan_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    int rc = s_load_ranges (conf, "phases", weeks, true, &self->phases, &self->n_phases, err);
    if (!rc)
        rc = s_load_activities (self, conf, weeks, agent_kinds, err);
    if (!rc)
        rc = s_load_windows (self, conf, weeks, err);
    if (!rc)
        rc = s_load_pipeline (self, conf, err);
    if (!rc)
        rc = s_load_handoffs (self, conf, err);
    if (rc)
        plan_destroy (&self);
    else
        *out = self;
    return rc;
}

void
plan_destroy (plan_t **self_p)
{
    if (self_p && *self_p) {
        plan_t *self = *self_p;
        for (size_t i = 0; i < self->n_phases; i++)
            free (self->phases[i].name);
        free (self->phases);
        for (size_t i = 0; i < self->n_activities; i++) {
            plan_activity_t *activity = &self->activities[i];
            free (activity->name);
            free (activity->phase);
            s_free_strings (activity->gate, activity->n_gate);
            for (size_t t = 0; activity->tasks && t < activity->n_tasks; t++) {
                free (activity->tasks[t].agent);
                free (activity->tasks[t].name);
                free (activity->tasks[t].args);
                s_free_strings (activity->tasks[t].after, activity->tasks[t].n_after);
            }
            free (activity->tasks);
        }
        free (self->activities);
        for (size_t i = 0; i < self->n_windows; i++)
            free (self->windows[i].name);
        free (self->windows);
        s_free_strings (self->stages, self->n_stages);
        free (self);
        *self_p = NULL;
    }
}

size_t
plan_activities (plan_t *self)
{
    return self->n_activities;
}

const plan_activity_t *
plan_activity (plan_t *self, size_t index)
{
    return index < self->n_activities ? &self->activities[index] : NULL;
}

int
plan_activity_of_week (plan_t *self, int week)
{
    if (week < 1)
        return -1;
    for (size_t i = 0; i < self->n_activities; i++)
        if (week <= self->activities[i].last_week)
            return (int)i;
    return (int)self->n_activities - 1;
}

const char *
plan_phase_of_week (plan_t *self, int week)
{
    for (size_t i = 0; i < self->n_phases; i++)
        if (week >= self->phases[i].first_week && week <= self->phases[i].last_week)
            return self->phases[i].name;
    return "";
}

bool
plan_window (plan_t *self, const char *kind, int *first, int *last)
{
    for (size_t i = 0; i < self->n_windows; i++)
        if (strcmp (self->windows[i].name, kind) == 0) {
            *first = self->windows[i].first_week;
            *last = self->windows[i].last_week;
            return true;
        }
    return false;
}

const char *const *
plan_stages (plan_t *self)
{
    return (const char *const *)self->stages;
}

bool
plan_stage_is_closed (plan_t *self, const char *stage)
{
    return strcmp (stage, self->stages[self->n_stages - 2]) == 0 ||
           strcmp (stage, self->stages[self->n_stages - 1]) == 0;
}

double
plan_max_amount_ratio (plan_t *self)
{
    return self->max_amount_ratio;
}

const plan_handoffs_t *
plan_handoffs (plan_t *self)
{
    return &self->handoffs;
}

bool
plan_has_task (plan_t *self, const char *name)
{
    for (size_t i = 0; i < self->n_activities; i++)
        for (size_t t = 0; t < self->activities[i].n_tasks; t++)
            if (strcmp (self->activities[i].tasks[t].name, name) == 0)
                return true;
    return false;
}
