/*  rules.h: conditions on account fields, as people write them in the configuration.

    A condition is "FIELD OP VALUE": FIELD a profile field (profile.h), OP one of
    == != < <= > >=, VALUE a number for a numeric field or a word for a text field
    (quotes optional: "segment == mid-market", "health >= 70"). A text field takes only
    == and != (case-insensitive). Anything else (an unknown field, a number compared with
    text or text with a number, a missing operator) is refused at load with file:line
    and the setting, so a wrong rule stops the agent at start-up, not mid-campaign.

    Two shapes are loaded: rule segments (segmentation.segments: a list of groups
    { name = "..."; when = [ conditions, all must hold ]; }) and condition lists
    (segmentation.triggers: one condition per entry, each named by its own text).
*/
#ifndef CAMPAIGN_RULES_H
#define CAMPAIGN_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "err.h"
#include "profile.h"

typedef enum { RULES_EQ, RULES_NE, RULES_LT, RULES_LE, RULES_GT, RULES_GE } rules_op_t;

typedef struct {
    int field; /* profile_field_t */
    rules_op_t op;
    double number; /* numeric field */
    char *text;    /* text field */
} rules_condition_t;

typedef struct {
    char *name;
    rules_condition_t *when;
    size_t n_when;
} rules_rule_t;

typedef struct {
    rules_rule_t *rule;
    size_t n;
} rules_t;

/*  Parse one condition. 0, or ERR_INVALID with why (no place: the caller adds it). */
int rules_parse (const char *text, rules_condition_t *out, err_t *err);

/*  Load the rule segments at path (missing: none). */
int rules_load_segments (conf_t *conf, const char *path, rules_t **out, err_t *err);

/*  Load a list of conditions at path (missing: none), one rule each. */
int rules_load_conditions (conf_t *conf, const char *path, rules_t **out, err_t *err);

/*  Whether every condition of rule i holds for row. A NaN number never satisfies. */
bool rules_match (const rules_t *self, size_t i, const profile_t *row);

void rules_destroy (rules_t **self_p);

#endif
