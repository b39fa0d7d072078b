/*  monitor.c: stalled deals, obstacles and coaching (monitor.h). */
#include "monitor.h"

#include "calendar.h"

#include <stdio.h>
#include <string.h>

static const char *const s_obstacles[] = {"stalled", "health-dropped", "no-sponsor",
                                          "no-champion", "unassigned"};
static const char *const s_default_stages[] = {
    "identified", "qualified", "discovery",   "demo",       "trial",
    "pilot",      "proposal",  "negotiation", "closed-won", "closed-lost"};

static int
s_stages (conf_t *conf, monitor_t *self, err_t *err)
{
    config_setting_t *array = conf_lookup (conf, "pipeline.stages");
    char where[256];
    if (!array) {
        for (size_t i = 0; i < sizeof s_default_stages / sizeof *s_default_stages; i++)
            snprintf (self->stages[i], 32, "%s", s_default_stages[i]);
        self->n_stages = sizeof s_default_stages / sizeof *s_default_stages;
        return 0;
    }
    conf_where (conf, array, where, sizeof where);
    int count = config_setting_length (array);
    if (count > PLAYS_STAGES)
        return err_set (err, ERR_INVALID, "%s: pipeline.stages: at most %d stages", where,
                        PLAYS_STAGES);
    for (int i = 0; i < count; i++) {
        const char *stage = config_setting_get_string_elem (array, i);
        if (!stage || !*stage || strlen (stage) >= 32)
            return err_set (err, ERR_INVALID,
                            "%s: pipeline.stages item %d must be a short string", where, i + 1);
        snprintf (self->stages[i], 32, "%s", stage);
    }
    self->n_stages = (size_t)count;
    return 0;
}

static int
s_known_stage (conf_t *conf, const monitor_t *self, config_setting_t *at, const char *what,
               const char *stage, err_t *err)
{
    char where[256];
    if (strcmp (stage, "*") == 0 || monitor_stage (self, stage) >= 0)
        return 0;
    return err_set (err, ERR_INVALID, "%s: %s: '%s' is not a stage of pipeline.stages",
                    conf_where (conf, at, where, sizeof where), what, stage);
}

int
monitor_load (conf_t *conf, monitor_t *out, err_t *err)
{
    memset (out, 0, sizeof *out);
    char where[256];
    int rc = s_stages (conf, out, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.monitor.health_drop", 10, 0, 100,
                                &out->health_drop, err);
    int64_t window = 7;
    if (!rc)
        rc = conf_int_range (conf, "identifier.monitor.progress_days", 7, 1, 366, &window, err);
    if (rc)
        return rc;
    out->progress_days = (int)window;
    config_setting_t *group = conf_lookup (conf, "identifier.monitor.stall_days");
    int count = group ? config_setting_length (group) : 0;
    if (group && (config_setting_type (group) != CONFIG_TYPE_GROUP || count > PLAYS_STAGES))
        return err_set (err, ERR_INVALID,
                        "%s: identifier.monitor.stall_days must be a group of up to %d stages",
                        conf_where (conf, group, where, sizeof where), PLAYS_STAGES);
    for (int i = 0; i < count; i++) {
        config_setting_t *limit = config_setting_get_elem (group, i);
        const char *stage = config_setting_name (limit);
        int type = config_setting_type (limit);
        long long days = type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64
                             ? config_setting_get_int64 (limit)
                             : -1;
        if ((rc =
                 s_known_stage (conf, out, limit, "identifier.monitor.stall_days", stage, err)))
            return rc;
        if (days < 1 || days > 365)
            return err_set (err, ERR_INVALID,
                            "%s: identifier.monitor.stall_days.%s must be 1..365 days",
                            conf_where (conf, limit, where, sizeof where), stage);
        snprintf (out->stall[i].stage, 32, "%s", stage);
        out->stall[i].days = (int)days;
    }
    out->n_stall = (size_t)count;
    config_setting_t *rules = conf_lookup (conf, "identifier.monitor.coaching");
    count = rules ? config_setting_length (rules) : 0;
    if (rules && (config_setting_type (rules) != CONFIG_TYPE_LIST || count > MONITOR_RULES))
        return err_set (err, ERR_INVALID,
                        "%s: identifier.monitor.coaching must be a list of up to %d rules",
                        conf_where (conf, rules, where, sizeof where), MONITOR_RULES);
    for (int i = 0; i < count; i++) {
        config_setting_t *item = config_setting_get_elem (rules, i);
        monitor_rule_t *rule = &out->rules[i];
        rc = conf_member_text (conf, item, "identifier.monitor.coaching", "stage", rule->stage,
                               sizeof rule->stage, err);
        if (!rc)
            rc = conf_member_text (conf, item, "identifier.monitor.coaching", "play",
                                   rule->play, sizeof rule->play, err);
        if (!rc)
            rc = conf_member_text (conf, item, "identifier.monitor.coaching", "obstacle",
                                   rule->obstacle, sizeof rule->obstacle, err);
        if (!rc)
            rc = conf_member_text (conf, item, "identifier.monitor.coaching", "text",
                                   rule->text, sizeof rule->text, err);
        if (!rc)
            rc = s_known_stage (conf, out, item, "identifier.monitor.coaching", rule->stage,
                                err);
        if (rc)
            return rc;
        bool known = strcmp (rule->obstacle, "*") == 0;
        for (size_t k = 0; k < sizeof s_obstacles / sizeof *s_obstacles; k++)
            known |= strcmp (rule->obstacle, s_obstacles[k]) == 0;
        if (!known)
            return err_set (err, ERR_INVALID,
                            "%s: identifier.monitor.coaching: obstacle '%s' is not one of "
                            "stalled, health-dropped, no-sponsor, no-champion, unassigned, *",
                            conf_where (conf, item, where, sizeof where), rule->obstacle);
    }
    out->n_rules = (size_t)count;
    return 0;
}

int
monitor_stage (const monitor_t *self, const char *stage)
{
    for (size_t i = 0; stage && i < self->n_stages; i++)
        if (strcmp (self->stages[i], stage) == 0)
            return (int)i;
    return -1;
}

int
monitor_stall_limit (const monitor_t *self, const plays_play_t *play, const char *stage)
{
    int limit = play ? plays_stall_limit (play, stage) : -1;
    for (size_t i = 0; limit < 0 && stage && i < self->n_stall; i++)
        if (strcmp (self->stall[i].stage, stage) == 0)
            limit = self->stall[i].days;
    return limit;
}

static bool
s_match (const char *pattern, const char *value)
{
    return strcmp (pattern, "*") == 0 || (value && strcmp (pattern, value) == 0);
}

bool
monitor_health_dropped (const monitor_t *self, const Campaign__AccountHealth *health)
{
    return health && ((health->has_previous && health->change <= -self->health_drop) ||
                      (health->band && strcmp (health->band, "at-risk") == 0));
}

void
monitor_assess (const monitor_t *self, const plays_play_t *play, const Campaign__Opportunity *o,
                const Campaign__Account *account, const Campaign__AccountHealth *health,
                int32_t today, monitor_deal_t *out)
{
    memset (out, 0, sizeof *out);
    int32_t since = today;
    const char *from = o->stage_changed && *o->stage_changed ? o->stage_changed : o->opened;
    if (from && date_parse (from, &since))
        since = today;
    out->days_in_stage = today > since ? today - since : 0;
    out->limit = monitor_stall_limit (self, play, o->stage);
    out->stalled = out->limit >= 0 && out->days_in_stage > out->limit;
    if (out->stalled)
        out->obstacle = "stalled";
    else if (monitor_health_dropped (self, health))
        out->obstacle = "health-dropped";
    else if (account && o->complex && !account->exec_sponsor)
        out->obstacle = "no-sponsor";
    else if (account && !account->champion)
        out->obstacle = "no-champion";
    else if (!o->csm || !*o->csm)
        out->obstacle = "unassigned";
    for (size_t i = 0; out->obstacle && i < self->n_rules; i++) {
        const monitor_rule_t *rule = &self->rules[i];
        if (s_match (rule->stage, o->stage) && s_match (rule->play, o->type) &&
            s_match (rule->obstacle, out->obstacle)) {
            out->coaching = rule->text;
            break;
        }
    }
}

int
monitor_progressed (const monitor_t *self, const Campaign__Opportunity *o, int32_t today)
{
    int32_t changed;
    if (!o->stage_changed || !*o->stage_changed || date_parse (o->stage_changed, &changed))
        return -1;
    if (changed >= today || changed < today - self->progress_days)
        return -1;
    return monitor_stage (self, o->stage);
}

bool
monitor_open_stage (const monitor_t *self, size_t k)
{
    return k < self->n_stages && strncmp (self->stages[k], "closed", 6) != 0;
}

void
monitor_funnel_add (const monitor_t *self, monitor_funnel_t *funnel, const char *stage,
                    const char *closed_from)
{
    int at = monitor_stage (self, stage);
    if (at < 0) {
        funnel->unknown++;
        return;
    }
    bool won = strcmp (stage, "closed-won") == 0;
    if (!won && !monitor_open_stage (self, (size_t)at)) {
        funnel->lost++;
        /*  Lost at the stage it closed from: reached it, went on from the ones before. */
        at = closed_from ? monitor_stage (self, closed_from) : -1;
        if (at < 0 || !monitor_open_stage (self, (size_t)at)) {
            funnel->lost_unplaced++;
            return;
        }
    }
    funnel->won += won;
    for (size_t k = 0; k < self->n_stages; k++) {
        if (!monitor_open_stage (self, k) || (!won && k > (size_t)at))
            continue;
        funnel->reached[k]++;
        funnel->went_on[k] += won || k < (size_t)at;
    }
}

double
monitor_conversion (const monitor_funnel_t *funnel, size_t k)
{
    return k < PLAYS_STAGES && funnel->reached[k]
               ? (double)funnel->went_on[k] / (double)funnel->reached[k]
               : 0;
}
