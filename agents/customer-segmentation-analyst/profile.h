/*  profile.h: one row per account for the segmentation analyst, joining what the broker
    sent in the TaskInput: the account record, its latest health, its opportunities (best
    propensity, whitespace by type, outcomes) and its past campaigns' history.

    Fields are the names segment rules, cluster features and triggers use in the
    configuration ("health >= 70", "segment == mid-market"). Each field is a number or a
    text; profile_field looks one up by name at start-up so that a rule naming an unknown
    field, or comparing a number with text, is refused before the agent serves anything.
    A number that is unknown for an account (no health score yet, no opportunity) is NaN:
    a rule on it is false, clustering imputes the portfolio median.
*/
#ifndef CAMPAIGN_PROFILE_H
#define CAMPAIGN_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "campaign.pb-c.h"
#include "err.h"

typedef enum {
    /* numbers */
    PF_ARR = 0,
    PF_SEATS_PURCHASED,
    PF_SEATS_ACTIVE,
    PF_EMPLOYEES,
    PF_EMPLOYEE_GROWTH,
    PF_FEATURE_ADOPTION,
    PF_USAGE_GROWTH,
    PF_USAGE_LIMIT,
    PF_NPS,
    PF_SUPPORT_TICKETS,
    PF_UTILISATION, /* seats_active / seats_purchased */
    PF_PRODUCTS,    /* modules owned */
    PF_REGIONS_UNLICENSED,
    PF_CHAMPION,     /* 0 or 1 */
    PF_EXEC_SPONSOR, /* 0 or 1 */
    PF_HEALTH,       /* latest health score */
    PF_PROPENSITY,   /* best propensity of the account's opportunities */
    PF_POTENTIAL,    /* whitespace: sum of its opportunities' potential ARR */
    PF_PAST_WINS,    /* won expansions in the history */
    PF_PAST_LOSSES,
    PF_NUMBERS, /* count of numeric fields */
    /* texts */
    PF_SEGMENT = PF_NUMBERS,
    PF_REGION,
    PF_INDUSTRY,
    PF_TIER,
    PF_CSM,
    PF_HEALTH_BAND,
    PF_FIELDS
} profile_field_t;

#define PF_TEXTS (PF_FIELDS - PF_NUMBERS)

typedef struct {
    const Campaign__Account *account;
    const Campaign__AccountHealth *health; /* NULL: not scored */
    double number[PF_NUMBERS];
    const char *text[PF_TEXTS]; /* borrowed from the input; "" when absent */
    size_t first_opportunity;   /* the account's opportunities: profiles_t.opportunities */
    size_t n_opportunities;     /* [first, first + n) */
} profile_t;

typedef struct {
    profile_t *rows; /* one per account of the input, in input order */
    size_t n;
    const Campaign__Opportunity **opportunities; /* grouped by account, in row order */
    size_t n_opportunities;
    size_t *order; /* rows by account id (profiles_find) */
} profiles_t;

/*  The row of account_id; -1 if the input has no such account. */
long profiles_find (const profiles_t *self, const char *account_id);

/*  The field called name; -1 if there is none. */
int profile_field (const char *name);
/*  The name of a field; "" for an invalid one. */
const char *profile_field_name (int field);
bool profile_field_is_number (int field);
/*  Every field name, comma-separated, for error messages. */
const char *profile_field_list (void);

/*  Build the rows of input (borrowed: input must outlive them). 0 or ERR_NOMEM. */
int profiles_build (const Campaign__TaskInput *input, profiles_t *out, err_t *err);
void profiles_free (profiles_t *self);

/*  Median of field over rows (NaN values skipped); NaN if no row has it. rows NULL:
    every row. */
double profiles_median (const profiles_t *self, int field, const size_t *rows, size_t n);

#endif
