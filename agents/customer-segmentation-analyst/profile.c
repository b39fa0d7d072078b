/*  profile.c: account rows for segmentation (profile.h). */
#include "profile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_names[PF_FIELDS] = {
    [PF_ARR] = "arr",
    [PF_SEATS_PURCHASED] = "seats_purchased",
    [PF_SEATS_ACTIVE] = "seats_active",
    [PF_EMPLOYEES] = "employees",
    [PF_EMPLOYEE_GROWTH] = "employee_growth_pct",
    [PF_FEATURE_ADOPTION] = "feature_adoption_pct",
    [PF_USAGE_GROWTH] = "usage_growth_pct",
    [PF_USAGE_LIMIT] = "usage_limit_pct",
    [PF_NPS] = "nps",
    [PF_SUPPORT_TICKETS] = "support_tickets_90d",
    [PF_UTILISATION] = "utilisation",
    [PF_PRODUCTS] = "products",
    [PF_REGIONS_UNLICENSED] = "regions_unlicensed",
    [PF_CHAMPION] = "champion",
    [PF_EXEC_SPONSOR] = "exec_sponsor",
    [PF_HEALTH] = "health",
    [PF_PROPENSITY] = "propensity",
    [PF_POTENTIAL] = "potential",
    [PF_PAST_WINS] = "past_wins",
    [PF_PAST_LOSSES] = "past_losses",
    [PF_SEGMENT] = "segment",
    [PF_REGION] = "region",
    [PF_INDUSTRY] = "industry",
    [PF_TIER] = "tier",
    [PF_CSM] = "csm",
    [PF_HEALTH_BAND] = "health_band",
};

int
profile_field (const char *name)
{
    for (int f = 0; name && f < PF_FIELDS; f++)
        if (strcmp (name, s_names[f]) == 0)
            return f;
    return -1;
}

const char *
profile_field_name (int field)
{
    return field >= 0 && field < PF_FIELDS ? s_names[field] : "";
}

bool
profile_field_is_number (int field)
{
    return field >= 0 && field < PF_NUMBERS;
}

const char *
profile_field_list (void)
{
    static char list[1024];
    if (!*list) {
        size_t len = 0;
        for (int f = 0; f < PF_FIELDS; f++)
            len += (size_t)snprintf (list + len, sizeof list - len, "%s%s", f ? ", " : "",
                                     s_names[f]);
    }
    return list;
}

static const char *
s_or_empty (const char *text)
{
    return text ? text : "";
}

/*  Row indices sorted by account id, for bsearch. */
typedef struct {
    const profile_t *rows;
    size_t *order;
    size_t n;
} s_index_t;

static int
s_by_account (const void *a, const void *b, void *rows)
{
    const profile_t *row = rows;
    return strcmp (row[*(const size_t *)a].account->account_id,
                   row[*(const size_t *)b].account->account_id);
}

/*  The row of account_id; -1 if none. */
static long
s_find (const s_index_t *index, const char *account_id)
{
    if (!account_id)
        return -1;
    size_t lo = 0, hi = index->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp (index->rows[index->order[mid]].account->account_id, account_id);
        if (c == 0)
            return (long)index->order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static void
s_account_numbers (profile_t *row)
{
    const Campaign__Account *a = row->account;
    double *x = row->number;
    x[PF_ARR] = a->arr;
    x[PF_SEATS_PURCHASED] = a->seats_purchased;
    x[PF_SEATS_ACTIVE] = a->seats_active;
    x[PF_EMPLOYEES] = a->employees;
    x[PF_EMPLOYEE_GROWTH] = a->employee_growth_pct;
    x[PF_FEATURE_ADOPTION] = a->feature_adoption_pct;
    x[PF_USAGE_GROWTH] = a->usage_growth_pct;
    x[PF_USAGE_LIMIT] = a->usage_limit_pct;
    x[PF_NPS] = a->nps;
    x[PF_SUPPORT_TICKETS] = a->support_tickets_90d;
    x[PF_UTILISATION] =
        a->seats_purchased ? (double)a->seats_active / (double)a->seats_purchased : NAN;
    x[PF_PRODUCTS] = (double)a->n_products;
    size_t unlicensed = 0;
    for (size_t i = 0; i < a->n_regions_present; i++) {
        bool licensed = false;
        for (size_t j = 0; j < a->n_regions_licensed && !licensed; j++)
            licensed = strcmp (a->regions_present[i], a->regions_licensed[j]) == 0;
        unlicensed += !licensed;
    }
    x[PF_REGIONS_UNLICENSED] = (double)unlicensed;
    x[PF_CHAMPION] = a->champion ? 1 : 0;
    x[PF_EXEC_SPONSOR] = a->exec_sponsor ? 1 : 0;
    x[PF_HEALTH] = NAN;
    x[PF_PROPENSITY] = NAN;
    x[PF_POTENTIAL] = 0;
    x[PF_PAST_WINS] = 0;
    x[PF_PAST_LOSSES] = 0;
    row->text[PF_SEGMENT - PF_NUMBERS] = s_or_empty (a->segment);
    row->text[PF_REGION - PF_NUMBERS] = s_or_empty (a->region);
    row->text[PF_INDUSTRY - PF_NUMBERS] = s_or_empty (a->industry);
    row->text[PF_TIER - PF_NUMBERS] = s_or_empty (a->tier);
    row->text[PF_CSM - PF_NUMBERS] = s_or_empty (a->csm);
    row->text[PF_HEALTH_BAND - PF_NUMBERS] = "";
}

int
profiles_build (const Campaign__TaskInput *input, profiles_t *out, err_t *err)
{
    memset (out, 0, sizeof *out);
    size_t n = input->n_accounts;
    profile_t *rows = calloc (n + 1, sizeof *rows);
    size_t *order = calloc (n + 1, sizeof *order);
    long *owner = calloc (input->n_opportunities + 1, sizeof *owner);
    const Campaign__Opportunity **grouped =
        calloc (input->n_opportunities + 1, sizeof *grouped);
    if (!rows || !order || !owner || !grouped) {
        free (rows);
        free (order);
        free (owner);
        free (grouped);
        return err_set (err, ERR_NOMEM, "out of memory profiling %zu accounts", n);
    }
    for (size_t i = 0; i < n; i++) {
        rows[i].account = input->accounts[i];
        s_account_numbers (&rows[i]);
        order[i] = i;
    }
    qsort_r (order, n, sizeof *order, s_by_account, rows);
    s_index_t index = {rows, order, n};

    for (size_t i = 0; i < input->n_health; i++) {
        long r = s_find (&index, input->health[i]->account_id);
        if (r < 0)
            continue;
        rows[r].health = input->health[i];
        rows[r].number[PF_HEALTH] = input->health[i]->score;
        rows[r].text[PF_HEALTH_BAND - PF_NUMBERS] = s_or_empty (input->health[i]->band);
    }
    for (size_t i = 0; i < input->n_history; i++) {
        const Campaign__HistoryRecord *h = input->history[i];
        long r = s_find (&index, h->account_id);
        if (r < 0 || !h->outcome)
            continue;
        if (strcmp (h->outcome, "won") == 0)
            rows[r].number[PF_PAST_WINS]++;
        else if (strcmp (h->outcome, "lost") == 0)
            rows[r].number[PF_PAST_LOSSES]++;
    }
    /*  Opportunities grouped by row: count, prefix sums, place (a counting sort keeps
        each account's opportunities in input order). */
    for (size_t i = 0; i < input->n_opportunities; i++) {
        const Campaign__Opportunity *o = input->opportunities[i];
        long r = owner[i] = s_find (&index, o->account_id);
        if (r < 0)
            continue;
        profile_t *row = &rows[r];
        row->n_opportunities++;
        row->number[PF_POTENTIAL] += o->potential_arr;
        if (o->has_propensity &&
            (isnan (row->number[PF_PROPENSITY]) || o->propensity > row->number[PF_PROPENSITY]))
            row->number[PF_PROPENSITY] = o->propensity;
    }
    size_t placed = 0;
    for (size_t i = 0; i < n; i++) {
        rows[i].first_opportunity = placed;
        placed += rows[i].n_opportunities;
        rows[i].n_opportunities = 0;
    }
    for (size_t i = 0; i < input->n_opportunities; i++)
        if (owner[i] >= 0) {
            profile_t *row = &rows[owner[i]];
            grouped[row->first_opportunity + row->n_opportunities++] = input->opportunities[i];
        }
    free (owner);
    out->order = order;
    out->rows = rows;
    out->n = n;
    out->opportunities = grouped;
    out->n_opportunities = placed;
    return 0;
}

long
profiles_find (const profiles_t *self, const char *account_id)
{
    s_index_t index = {self->rows, self->order, self->n};
    return s_find (&index, account_id);
}

void
profiles_free (profiles_t *self)
{
    free (self->rows);
    free (self->order);
    free (self->opportunities);
    memset (self, 0, sizeof *self);
}

static int
s_double_cmp (const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double
profiles_median (const profiles_t *self, int field, const size_t *rows, size_t n)
{
    if (!profile_field_is_number (field))
        return NAN;
    if (!rows)
        n = self->n;
    double *values = malloc ((n + 1) * sizeof *values);
    if (!values)
        return NAN;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double v = self->rows[rows ? rows[i] : i].number[field];
        if (!isnan (v))
            values[m++] = v;
    }
    double median = NAN;
    if (m) {
        qsort (values, m, sizeof *values, s_double_cmp);
        median = m % 2 ? values[m / 2] : (values[m / 2 - 1] + values[m / 2]) / 2;
    }
    free (values);
    return median;
}
