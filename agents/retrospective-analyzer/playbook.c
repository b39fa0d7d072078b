/*  playbook.c: updated plays from the campaign's deals (playbook.h). */
#include "playbook.h"

#include "calendar.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
playbook_load (conf_t *conf, playbook_t *out, err_t *err)
{
    memset (out, 0, sizeof *out);
    int64_t min_deals = 0;
    int rc = plays_load (conf, &out->plays, err);
    if (!rc)
        rc = conf_int_range (conf, "retrospective.plays.min_deals", 10, 1, 1000000, &min_deals,
                             err);
    if (!rc)
        rc = conf_double_range (conf, "retrospective.plays.win_rate_band", 0.05, 0, 0.5,
                                &out->band, err);
    out->min_deals = (size_t)min_deals;
    config_setting_t *stages = rc ? NULL : conf_lookup (conf, "pipeline.stages");
    for (int i = 0; stages && i < config_setting_length (stages) && i < PLAYS_STAGES; i++) {
        const char *stage = config_setting_get_string_elem (stages, i);
        if (stage && strncmp (stage, "closed", 6) != 0)
            snprintf (out->stages[out->n_stages++], sizeof out->stages[0], "%s", stage);
    }
    return rc;
}

static int
s_stage_index (const playbook_t *self, const char *stage)
{
    for (size_t i = 0; stage && i < self->n_stages; i++)
        if (strcmp (self->stages[i], stage) == 0)
            return (int)i;
    return -1;
}

static int
s_int_cmp (const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/*  The q-quantile of n sorted values (nearest rank). */
static int
s_quantile (const int *sorted, size_t n, double q)
{
    size_t rank = (size_t)ceil (q * (double)n);
    return sorted[rank ? rank - 1 : 0];
}

/*  text for a libconfig string: quotes and backslashes escaped. */
static void
s_string (FILE *out, const char *text)
{
    fputc ('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            fputc ('\\', out);
        fputc (*p, out);
    }
    fputc ('"', out);
}

int
playbook_update (const playbook_t *self, const Campaign__TaskInput *input, const char *campaign,
                 const char *today, json_t **json, char **config, err_t *err)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    int *cycles = malloc ((input->n_opportunities + 1) * sizeof *cycles);
    json_t *list = json_array ();
    if (!out || !cycles || !list) {
        if (out)
            fclose (out);
        free (text);
        free (cycles);
        json_decref (list);
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    fprintf (out,
             "# Plays as campaign %s ran them, written by its retrospective on %s: observed\n"
             "# cycle (25th-75th percentile of won deals) and win rate (+-%.2f) where a play\n"
             "# closed at least %zu deals; configured values otherwise. Layer it with -c.\n"
             "plays = (\n",
             campaign, today, self->band, self->min_deals);
    for (size_t p = 0; p < self->plays.n_play; p++) {
        const plays_play_t *play = &self->plays.play[p];
        size_t won = 0, lost = 0, n_cycles = 0;
        size_t reached[PLAYS_STAGES] = {0};
        for (size_t i = 0; i < input->n_opportunities; i++) {
            const Campaign__Opportunity *o = input->opportunities[i];
            if (!o->type || strcmp (o->type, play->type) != 0)
                continue;
            const char *stage = o->stage ? o->stage : "";
            int last;
            if (strcmp (stage, "closed-won") == 0) {
                won++;
                last = (int)self->n_stages - 1;
                int32_t opened, closed;
                if (o->opened && o->closed && !date_parse (o->opened, &opened) &&
                    !date_parse (o->closed, &closed) && closed >= opened)
                    cycles[n_cycles++] = closed - opened;
            } else if (strcmp (stage, "closed-lost") == 0) {
                lost++;
                last = 0;
            } else
                last = s_stage_index (self, stage);
            for (int k = 0; k <= last; k++)
                reached[k]++;
        }
        qsort (cycles, n_cycles, sizeof *cycles, s_int_cmp);
        size_t closed = won + lost;
        bool enough = closed >= self->min_deals;
        double rate = closed ? (double)won / (double)closed : NAN;
        int cycle[2] = {play->cycle_days[0], play->cycle_days[1]};
        double win_rate[2] = {play->win_rate[0], play->win_rate[1]};
        if (enough && n_cycles) {
            cycle[0] = s_quantile (cycles, n_cycles, 0.25);
            cycle[1] = s_quantile (cycles, n_cycles, 0.75);
            if (cycle[0] < 1)
                cycle[0] = 1;
            if (cycle[1] < cycle[0])
                cycle[1] = cycle[0];
        }
        if (enough) {
            win_rate[0] = fmax (0, round ((rate - self->band) * 100) / 100);
            win_rate[1] = fmin (1, round ((rate + self->band) * 100) / 100);
        }
        json_t *conversion = json_array ();
        for (size_t k = 0; k + 1 < self->n_stages; k++)
            json_array_append_new (
                conversion,
                json_pack ("{s:s, s:s, s:I, s:I, s:o}", "from", self->stages[k], "to",
                           self->stages[k + 1], "reached", (json_int_t)reached[k], "went_on",
                           (json_int_t)reached[k + 1], "rate",
                           reached[k] ? json_real (round ((double)reached[k + 1] /
                                                          (double)reached[k] * 1000) /
                                                   1000)
                                      : json_null ()));
        json_array_append_new (
            list,
            json_pack ("{s:s, s:I, s:I, s:o, s:[i,i], s:[i,i], s:[f,f], s:[f,f], s:b, s:o}",
                       "play", play->type, "won", (json_int_t)won, "lost", (json_int_t)lost,
                       "win_rate",
                       isfinite (rate) ? json_real (round (rate * 1000) / 1000) : json_null (),
                       "configured_cycle_days", play->cycle_days[0], play->cycle_days[1],
                       "updated_cycle_days", cycle[0], cycle[1], "configured_win_rate",
                       play->win_rate[0], play->win_rate[1], "updated_win_rate", win_rate[0],
                       win_rate[1], "updated", enough, "stage_conversion", conversion));
        fprintf (out, "    { type = ");
        s_string (out, play->type);
        fprintf (out, "; cycle_days = [%d, %d]; win_rate = [%.2f, %.2f];", cycle[0], cycle[1],
                 win_rate[0], win_rate[1]);
        if (enough)
            fprintf (out, "  # observed: %zu won, %zu lost, %zu cycles", won, lost, n_cycles);
        fprintf (out, "\n      steps = (");
        for (size_t s = 0; s < play->n_steps; s++) {
            fprintf (out, "%s\n        { name = ", s ? "," : "");
            s_string (out, play->steps[s].name);
            fprintf (out, "; touchpoint = ");
            s_string (out, play->steps[s].touchpoint);
            fprintf (out, "; days = %d; }", play->steps[s].days);
        }
        fprintf (out, " )");
        if (play->n_stall) {
            fprintf (out, ";\n      stall_days = {");
            for (size_t s = 0; s < play->n_stall; s++)
                fprintf (out, " %s = %d;", play->stall[s].stage, play->stall[s].days);
            fprintf (out, " }");
        }
        fprintf (out, "; }%s\n", p + 1 < self->plays.n_play ? "," : "");
    }
    fprintf (out, ");\n");
    free (cycles);
    if (fclose (out) != 0) {
        free (text);
        json_decref (list);
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    *json = list;
    *config = text;
    return 0;
}
