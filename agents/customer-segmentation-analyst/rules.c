/*  rules.c: parsing and evaluating account conditions (rules.h). */
#include "rules.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *text;
    rules_op_t op;
} s_ops[] = {{"==", RULES_EQ}, {"!=", RULES_NE}, {"<=", RULES_LE},
             {">=", RULES_GE}, {"<", RULES_LT},  {">", RULES_GT}};

int
rules_parse (const char *text, rules_condition_t *out, err_t *err)
{
    memset (out, 0, sizeof *out);
    const char *p = text;
    while (isspace ((unsigned char)*p))
        p++;
    const char *name = p;
    while (*p && (isalnum ((unsigned char)*p) || *p == '_'))
        p++;
    char field[64];
    size_t len = (size_t)(p - name);
    if (len == 0 || len >= sizeof field)
        return err_set (err, ERR_INVALID, "'%s' does not start with a field name", text);
    memcpy (field, name, len);
    field[len] = '\0';
    int f = profile_field (field);
    if (f < 0)
        return err_set (err, ERR_INVALID, "'%s': unknown field '%s' (fields: %s)", text, field,
                        profile_field_list ());
    while (isspace ((unsigned char)*p))
        p++;
    size_t o = 0;
    while (o < sizeof s_ops / sizeof *s_ops &&
           strncmp (p, s_ops[o].text, strlen (s_ops[o].text)))
        o++;
    if (o == sizeof s_ops / sizeof *s_ops)
        return err_set (err, ERR_INVALID,
                        "'%s': expected an operator (== != < <= > >=) after '%s'", text, field);
    p += strlen (s_ops[o].text);
    while (isspace ((unsigned char)*p))
        p++;
    char value[256];
    len = strlen (p);
    while (len && isspace ((unsigned char)p[len - 1]))
        len--;
    if (len >= 2 && (p[0] == '"' || p[0] == '\'') && p[len - 1] == p[0]) {
        p++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof value)
        return err_set (err, ERR_INVALID, "'%s': no value to compare %s with", text, field);
    memcpy (value, p, len);
    value[len] = '\0';
    char *end;
    double number = strtod (value, &end);
    bool numeric = end != value && *end == '\0' && isfinite (number);
    out->field = f;
    out->op = s_ops[o].op;
    if (profile_field_is_number (f)) {
        if (!numeric)
            return err_set (err, ERR_INVALID,
                            "'%s': %s is a number and cannot be compared with the text '%s'",
                            text, field, value);
        out->number = number;
        return 0;
    }
    if (numeric)
        return err_set (err, ERR_INVALID,
                        "'%s': %s is a text and cannot be compared with the number %s", text,
                        field, value);
    if (out->op != RULES_EQ && out->op != RULES_NE)
        return err_set (err, ERR_INVALID, "'%s': %s is a text: only == and != compare it", text,
                        field);
    if (!(out->text = strdup (value)))
        return err_set (err, ERR_NOMEM, "out of memory");
    return 0;
}

static bool
s_holds (const rules_condition_t *c, const profile_t *row)
{
    if (profile_field_is_number (c->field)) {
        double x = row->number[c->field];
        if (isnan (x))
            return false;
        switch (c->op) {
        case RULES_EQ: return x == c->number;
        case RULES_NE: return x != c->number;
        case RULES_LT: return x < c->number;
        case RULES_LE: return x <= c->number;
        case RULES_GT: return x > c->number;
        case RULES_GE: return x >= c->number;
        }
        return false;
    }
    bool equal = strcasecmp (row->text[c->field - PF_NUMBERS], c->text) == 0;
    return c->op == RULES_EQ ? equal : !equal;
}

bool
rules_match (const rules_t *self, size_t i, const profile_t *row)
{
    const rules_rule_t *rule = &self->rule[i];
    for (size_t c = 0; c < rule->n_when; c++)
        if (!s_holds (&rule->when[c], row))
            return false;
    return true;
}

void
rules_destroy (rules_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rules_t *self = *self_p;
    for (size_t i = 0; i < self->n; i++) {
        for (size_t c = 0; c < self->rule[i].n_when; c++)
            free (self->rule[i].when[c].text);
        free (self->rule[i].when);
        free (self->rule[i].name);
    }
    free (self->rule);
    free (self);
    *self_p = NULL;
}

/*  Parse the strings of list (an array or list of strings) into rule->when. */
static int
s_conditions (conf_t *conf, const config_setting_t *list, const char *path, rules_rule_t *rule,
              err_t *err)
{
    char where[512];
    int n = config_setting_length (list);
    if (!config_setting_is_aggregate (list) || n == 0)
        return err_set (err, ERR_INVALID, "%s: %s must be a non-empty list of conditions",
                        conf_where (conf, list, where, sizeof where), path);
    rule->when = calloc ((size_t)n, sizeof *rule->when);
    if (!rule->when)
        return err_set (err, ERR_NOMEM, "out of memory");
    for (int c = 0; c < n; c++) {
        const config_setting_t *item = config_setting_get_elem (list, (unsigned)c);
        const char *text = config_setting_get_string (item);
        err_t why;
        int rc = text ? rules_parse (text, &rule->when[c], &why)
                      : err_set (&why, ERR_INVALID, "expected a condition in quotes");
        if (rc) {
            free (rule->when[c].text);
            return err_set (err, rc, "%s: %s item %d: %s",
                            conf_where (conf, item, where, sizeof where), path, c + 1, why.msg);
        }
        rule->n_when++;
    }
    return 0;
}

static int
s_load (conf_t *conf, const char *path, bool segments, rules_t **out, err_t *err)
{
    rules_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    config_setting_t *list = conf_lookup (conf, path);
    int n = list ? config_setting_length (list) : 0;
    char where[512], item_path[256];
    int rc = 0;
    if (list && !config_setting_is_aggregate (list))
        rc = err_set (err, ERR_INVALID, "%s: %s must be a list",
                      conf_where (conf, list, where, sizeof where), path);
    if (!rc && n && !(self->rule = calloc ((size_t)n, sizeof *self->rule)))
        rc = err_set (err, ERR_NOMEM, "out of memory");
    for (int i = 0; !rc && i < n; i++) {
        config_setting_t *item = config_setting_get_elem (list, (unsigned)i);
        rules_rule_t *rule = &self->rule[i];
        self->n++;
        snprintf (item_path, sizeof item_path, "%s[%d]", path, i + 1);
        if (!segments) {
            const char *text = config_setting_get_string (item);
            err_t why;
            rule->when = calloc (1, sizeof *rule->when);
            if (!rule->when || !(rule->name = strdup (text ? text : "")))
                rc = err_set (err, ERR_NOMEM, "out of memory");
            else if ((rc = text
                               ? rules_parse (text, rule->when, &why)
                               : err_set (&why, ERR_INVALID, "expected a condition in quotes")))
                rc = err_set (err, rc, "%s: %s: %s",
                              conf_where (conf, item, where, sizeof where), item_path, why.msg);
            else
                rule->n_when = 1;
            continue;
        }
        const char *name = NULL;
        config_setting_t *when = config_setting_get_member (item, "when");
        if (!config_setting_is_group (item) ||
            !config_setting_lookup_string (item, "name", &name) || !*name || !when)
            rc = err_set (
                err, ERR_INVALID,
                "%s: %s must be { name = \"...\"; when = [ \"field op value\", ... ]; }",
                conf_where (conf, item, where, sizeof where), item_path);
        else if (!(rule->name = strdup (name)))
            rc = err_set (err, ERR_NOMEM, "out of memory");
        else {
            char when_path[300];
            snprintf (when_path, sizeof when_path, "%s.when", item_path);
            rc = s_conditions (conf, when, when_path, rule, err);
        }
        for (int j = 0; !rc && j < i; j++)
            if (strcmp (self->rule[j].name, rule->name) == 0)
                rc = err_set (err, ERR_INVALID, "%s: %s: the name '%s' is used twice",
                              conf_where (conf, item, where, sizeof where), item_path, name);
    }
    if (rc)
        rules_destroy (&self);
    else
        *out = self;
    return rc;
}

int
rules_load_segments (conf_t *conf, const char *path, rules_t **out, err_t *err)
{
    return s_load (conf, path, true, out, err);
}

int
rules_load_conditions (conf_t *conf, const char *path, rules_t **out, err_t *err)
{
    return s_load (conf, path, false, out, err);
}
