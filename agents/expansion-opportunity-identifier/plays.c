/*  plays.c: the `plays` list of the configuration (plays.h). */
#include "plays.h"

#include <stdio.h>
#include <string.h>

/*  A [low, high] pair within [lo, hi]. */
static int
s_range (conf_t *conf, config_setting_t *item, const char *key, double lo, double hi,
         double out[2], err_t *err)
{
    config_setting_t *pair = config_setting_get_member (item, key);
    char where[256];
    conf_where (conf, pair ? pair : item, where, sizeof where);
    if (!pair)
        return err_set (err, ERR_INVALID, "%s: plays: a play needs %s = [low, high]", where,
                        key);
    if (config_setting_length (pair) != 2 ||
        conf_setting_number (config_setting_get_elem (pair, 0), &out[0]) ||
        conf_setting_number (config_setting_get_elem (pair, 1), &out[1]) || out[0] < lo ||
        out[1] > hi || out[1] < out[0])
        return err_set (err, ERR_INVALID,
                        "%s: plays: %s must be [low, high] with %g <= low <= high <= %g", where,
                        key, lo, hi);
    return 0;
}

static int
s_text (conf_t *conf, config_setting_t *item, const char *key, char *out, size_t size,
        err_t *err)
{
    const char *text = NULL;
    char where[256];
    if (!config_setting_lookup_string (item, key, &text) || !*text || strlen (text) >= size)
        return err_set (err, ERR_INVALID,
                        "%s: plays: '%s' must be a string of 1 to %zu characters",
                        conf_where (conf, item, where, sizeof where), key, size - 1);
    snprintf (out, size, "%s", text);
    return 0;
}

static int
s_steps (conf_t *conf, config_setting_t *item, plays_play_t *play, err_t *err)
{
    config_setting_t *steps = config_setting_get_member (item, "steps");
    char where[256];
    if (!steps)
        return 0; /* a play without steps: cycle times only (campaign-gen's use) */
    conf_where (conf, steps, where, sizeof where);
    int count = config_setting_length (steps);
    if (config_setting_type (steps) != CONFIG_TYPE_LIST || count > PLAYS_STEPS)
        return err_set (err, ERR_INVALID, "%s: plays: steps must be a list of up to %d groups",
                        where, PLAYS_STEPS);
    for (int i = 0; i < count; i++) {
        config_setting_t *step = config_setting_get_elem (steps, i);
        plays_step_t *s = &play->steps[i];
        int days = 0;
        int rc = s_text (conf, step, "name", s->name, sizeof s->name, err);
        if (!rc)
            rc = s_text (conf, step, "touchpoint", s->touchpoint, sizeof s->touchpoint, err);
        if (rc)
            return rc;
        if (!config_setting_lookup_int (step, "days", &days) || days < 1 || days > 365)
            return err_set (err, ERR_INVALID, "%s: plays: step '%s' needs days = 1..365",
                            conf_where (conf, step, where, sizeof where), s->name);
        s->days = days;
    }
    play->n_steps = (size_t)count;
    return 0;
}

static int
s_stall (conf_t *conf, config_setting_t *item, plays_play_t *play, err_t *err)
{
    config_setting_t *group = config_setting_get_member (item, "stall_days");
    char where[256];
    if (!group)
        return 0;
    conf_where (conf, group, where, sizeof where);
    int count = config_setting_length (group);
    if (config_setting_type (group) != CONFIG_TYPE_GROUP || count > PLAYS_STAGES)
        return err_set (err, ERR_INVALID,
                        "%s: plays: stall_days must be a group of up to %d stages", where,
                        PLAYS_STAGES);
    for (int i = 0; i < count; i++) {
        config_setting_t *limit = config_setting_get_elem (group, i);
        const char *stage = config_setting_name (limit);
        double days;
        if (conf_setting_number (limit, &days) || days < 1 || days > 365 ||
            strlen (stage) >= 32)
            return err_set (err, ERR_INVALID, "%s: plays: stall_days.%s must be 1..365 days",
                            conf_where (conf, limit, where, sizeof where), stage);
        snprintf (play->stall[i].stage, sizeof play->stall[i].stage, "%s", stage);
        play->stall[i].days = (int)days;
    }
    play->n_stall = (size_t)count;
    return 0;
}

int
plays_load (conf_t *conf, plays_t *out, err_t *err)
{
    memset (out, 0, sizeof *out);
    config_setting_t *plays = conf_lookup (conf, "plays");
    char where[256];
    if (!plays)
        return 0;
    conf_where (conf, plays, where, sizeof where);
    int count = config_setting_length (plays);
    if (config_setting_type (plays) != CONFIG_TYPE_LIST || count > PLAYS_MAX)
        return err_set (err, ERR_INVALID, "%s: plays must be a list of up to %d groups", where,
                        PLAYS_MAX);
    for (int i = 0; i < count; i++) {
        config_setting_t *item = config_setting_get_elem (plays, i);
        plays_play_t *play = &out->play[i];
        double cycle[2], rate[2];
        int rc = s_text (conf, item, "type", play->type, sizeof play->type, err);
        if (!rc)
            rc = s_range (conf, item, "cycle_days", 1, 365, cycle, err);
        if (!rc)
            rc = s_range (conf, item, "win_rate", 0, 1, rate, err);
        if (!rc)
            rc = s_steps (conf, item, play, err);
        if (!rc)
            rc = s_stall (conf, item, play, err);
        if (rc)
            return rc;
        if (plays_find (out, play->type))
            return err_set (err, ERR_INVALID, "%s: plays: a second play of type '%s'",
                            conf_where (conf, item, where, sizeof where), play->type);
        play->cycle_days[0] = (int)cycle[0];
        play->cycle_days[1] = (int)cycle[1];
        play->win_rate[0] = rate[0];
        play->win_rate[1] = rate[1];
        out->n_play++;
    }
    return 0;
}

const plays_play_t *
plays_find (const plays_t *self, const char *type)
{
    for (size_t i = 0; type && i < self->n_play; i++)
        if (strcmp (self->play[i].type, type) == 0)
            return &self->play[i];
    return NULL;
}

int
plays_days (const plays_play_t *play)
{
    int days = 0;
    for (size_t i = 0; i < play->n_steps; i++)
        days += play->steps[i].days;
    return days;
}

int
plays_cycle_mid (const plays_play_t *play)
{
    return (play->cycle_days[0] + play->cycle_days[1]) / 2;
}

int
plays_stall_limit (const plays_play_t *play, const char *stage)
{
    for (size_t i = 0; stage && i < play->n_stall; i++)
        if (strcmp (play->stall[i].stage, stage) == 0)
            return play->stall[i].days;
    return -1;
}
