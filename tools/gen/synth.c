/*  synth.c: the synthetic portfolio and its ground truth (the model is in synth.h).

    Two passes over the accounts, neither of which keeps them: the first draws a
    calibration sample (the first min (N, gen.calibration_sample) accounts, which are
    i.i.d. like the rest), standardises its features and fits the intercepts and the
    sharpness; the second draws every account again from its own stream and streams its
    rows into accounts.csv, truth.csv and history.csv through large stdio buffers. An
    account lives in one s_account_t on the stack, so the cost per account is a few
    dozen random numbers and some formatting, whatever N.

    The tables below (segment shapes, tiers, modules, industries, names) are the
    portfolio's look; the numbers a user tunes are in synth_params_t (gen.* settings).
*/
#include "synth.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calendar.h"
#include "csvreader.h"
#include "records.h"
#include "rng.h"

/*  ---------------------------------------------------------------------------------
    Random numbers: xoshiro256** seeded by splitmix64, one stream per (purpose, index). */

enum { STREAM_ACCOUNT = 1, STREAM_HISTORY = 2, STREAM_ROSTER = 3 };

static void
s_rng_seed (rng_t *rng, uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t key = stream * 0xD1B54A32D192ED03u + index;
    rng_seed (rng, seed ^ rng_splitmix (&key));
}

/*  Index drawn with probability weights[i] / sum (weights need not be normalised). */
static int
s_pick (rng_t *rng, const double *weights, int n)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += weights[i];
    double x = rng_unit (rng) * total;
    for (int i = 0; i < n - 1; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return n - 1;
}

/*  Poisson: multiplication for small means, the normal approximation above. */
static uint32_t
s_poisson (rng_t *rng, double mean)
{
    if (mean >= 30) {
        double x = mean + sqrt (mean) * rng_normal (rng);
        return x <= 0 ? 0 : (uint32_t)llround (x);
    }
    double limit = exp (-mean), product = rng_unit (rng);
    uint32_t count = 0;
    while (product > limit) {
        count++;
        product *= rng_unit (rng);
    }
    return count;
}

static double
s_logistic (double x)
{
    return 1.0 / (1.0 + exp (-x));
}

static double
s_logit (double p)
{
    return log (p / (1.0 - p));
}

static double
s_clamp (double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/*  The value as written with one decimal, so the truth sees what the CSV says. */
static double
s_round1 (double x)
{
    return round (x * 10.0) / 10.0;
}

/*  ---------------------------------------------------------------------------------
    The portfolio's look */

/*  Per segment: headcount, seats, support load, reach. */
typedef struct {
    double employees_median, employees_spread, employees_min, employees_max;
    double headcount_growth;  /* mean employee_growth_pct */
    double penetration_logit; /* seats / employees = max x logistic (this + noise) */
    double penetration_max;
    double tier_mix[SYNTH_TIERS];
    double tickets;        /* support tickets per 90 days at average engagement */
    double champion_bonus; /* logit */
    double sponsor_bonus;  /* logit */
    double other_region;   /* chance to be present in each other region */
    double module_bonus;   /* logit, larger companies buy more of the suite */
} s_segment_shape_t;

static const s_segment_shape_t s_shapes[SYNTH_SEGMENTS] = {
    /* smb */
    {60, 0.6, 8, 249, 10.0, 0.0, 0.9, {0.55, 0.35, 0.09, 0.01}, 3.0, 0.0, 0.0, 0.08, -0.3},
    /* mid-market */
    {600, 0.5, 250, 1999, 7.0, -1.1, 1.0, {0.15, 0.50, 0.28, 0.07}, 7.0, 0.3, 0.8, 0.30, 0.2},
    /* enterprise */
    {5000,
     0.8,
     2000,
     200000,
     4.0,
     -2.2,
     1.0,
     {0.02, 0.20, 0.48, 0.30},
     15.0,
     0.6,
     1.6,
     0.65,
     0.6},
};

/*  Per tier: how often modules come with it (logit) and how close to the plan limit
    accounts run (percentage points). */
static const double s_tier_module_bonus[SYNTH_TIERS] = {-0.9, 0.0, 0.6, 1.1};
static const double s_tier_limit_offset[SYNTH_TIERS] = {12.0, 4.0, -4.0, -14.0};

enum {
    MODULE_CORE,
    MODULE_ANALYTICS,
    MODULE_WORKFLOW,
    MODULE_AUTOMATION,
    MODULE_SECURITY,
    MODULE_INTEGRATIONS
};

#define MODULE_BIT(m) (1u << (m))
#define ALL_MODULES   ((1u << SYNTH_MODULES) - 1)

typedef struct {
    const char *name;
    double base;       /* logit of owning it, average account */
    unsigned adjacent; /* bits of the modules adjacent to it */
} s_module_t;

static const s_module_t s_modules[SYNTH_MODULES] = {
    {"core", 0, MODULE_BIT (MODULE_ANALYTICS) | MODULE_BIT (MODULE_WORKFLOW)},
    {"analytics", -0.3, MODULE_BIT (MODULE_CORE) | MODULE_BIT (MODULE_INTEGRATIONS)},
    {"workflow", -0.5,
     MODULE_BIT (MODULE_CORE) | MODULE_BIT (MODULE_AUTOMATION) |
         MODULE_BIT (MODULE_INTEGRATIONS)},
    {"automation", -1.4, MODULE_BIT (MODULE_WORKFLOW) | MODULE_BIT (MODULE_SECURITY)},
    {"security", -1.8, MODULE_BIT (MODULE_AUTOMATION) | MODULE_BIT (MODULE_INTEGRATIONS)},
    {"integrations", -1.2,
     MODULE_BIT (MODULE_ANALYTICS) | MODULE_BIT (MODULE_WORKFLOW) |
         MODULE_BIT (MODULE_SECURITY)},
};

/*  Owning an adjacent module makes the next one likelier by this much (logit). */
#define MODULE_ADJACENCY_BONUS 0.7
/*  A geography deal licenses this share of the seats again in the new region. */
#define GEO_SEAT_SHARE 0.25
/*  Seats below which there is no volume discount. */
#define VOLUME_DISCOUNT_FROM 25.0

typedef struct {
    const char *name; /* "" : not recorded */
    double weight;
    const char *words[3]; /* for company names */
} s_industry_t;

static const s_industry_t s_industries[] = {
    {"Software", 0.16, {"Systems", "Labs", "Software"}},
    {"Financial Services", 0.12, {"Capital", "Finance", "Partners"}},
    {"Healthcare", 0.11, {"Health", "Medical", "Care"}},
    {"Retail", 0.10, {"Retail", "Goods", "Markets"}},
    {"Manufacturing", 0.12, {"Industries", "Manufacturing", "Works"}},
    {"Logistics", 0.08, {"Logistics", "Freight", "Transport"}},
    {"Education", 0.06, {"Learning", "Academy", "Education"}},
    {"Media", 0.06, {"Media", "Studios", "Publishing"}},
    {"Professional Services", 0.10, {"Consulting", "Advisory", "Group"}},
    {"Energy", 0.05, {"Energy", "Power", "Utilities"}},
    {"Public Sector", 0.02, {"Services", "Agency", "Authority"}},
    {"", 0.02, {"Holdings", "Group", "Ventures"}},
};

#define INDUSTRIES  ((int)(sizeof s_industries / sizeof s_industries[0]))
#define COUNT_OF(a) (sizeof (a) / sizeof (a)[0])

static const char *const s_name_roots[SYNTH_REGIONS][16] = {
    {"Northwind", "Bluebird", "Cedar", "Summit", "Harbor", "Granite", "Redwood", "Keystone",
     "Prairie", "Lakeside", "Ironwood", "Sierra", "Evergreen", "Falcon", "Pioneer", "Cascade"},
    {"Helvetia", "Nordlicht", "Zürcher", "Lumière", "Øresund", "Thames", "Danube", "Alpen",
     "Baltic", "Iberia", "Rhein", "Meridian", "Aurora", "Sterling", "Westfjord", "Montclair"},
    {"Sakura", "Hanami", "Kōyō", "Southern Cross", "Harbourview", "Jade", "Lotus", "Pacifica",
     "Coral", "Fuji", "Kiwi", "Banyan", "Monsoon", "Tasman", "Orchid", "Mekong"},
};

static const char *const s_legal_forms[SYNTH_REGIONS][8] = {
    {", Inc.", ", LLC", " Corp.", " Co.", ", Inc.", " Inc.", " LLC", " Group"},
    {" GmbH", " Ltd", " AG", " SA", " BV", " AB", " plc", " SpA"},
    {" KK", " Pty Ltd", " Pte Ltd", " Co., Ltd.", " Ltd", " Pty Ltd", " KK", " Sdn Bhd"},
};

static const char *const s_first_names[SYNTH_REGIONS][12] = {
    {"Maria", "James", "Ana", "Michael", "Sofia", "David", "Emily", "Carlos", "Olivia",
     "Daniel", "Grace", "Luis"},
    {"Jonas", "Élise", "Lukas", "Chiara", "Henrik", "Amélie", "Tomasz", "Ingrid", "Pieter",
     "Sofía", "Mehmet", "Freya"},
    {"Yuki", "Wei", "Priya", "Hiroshi", "Mei", "Arjun", "Ji-woo", "Aroha", "Siti", "Kenji",
     "Linh", "Rahul"},
};

static const char *const s_last_names[SYNTH_REGIONS][12] = {
    {"Lopez", "Bradley", "Johnson", "Garcia", "Smith", "Martinez", "Brown", "Davis", "Miller",
     "Wilson", "Rivera", "Clark"},
    {"Weber", "Dubois", "Novak", "Rossi", "Jensen", "Müller", "Kowalski", "Lindqvist",
     "de Vries", "Fernández", "Yılmaz", "O'Brien"},
    {"Sato", "Chen", "Sharma", "Tanaka", "Wang", "Patel", "Kim", "Ngata", "Rahman", "Suzuki",
     "Nguyen", "Iyer"},
};

static const char *const s_play_names[SYNTH_PLAYS] = {"seat", "tier", "cross-sell", "geo"};

/*  ---------------------------------------------------------------------------------
    The truth's features and weights (synth.h documents them) */

typedef enum {
    F_UTILISATION,
    F_PENETRATION,
    F_HEADCOUNT,
    F_ADOPTION,
    F_USAGE_GROWTH,
    F_USAGE_LIMIT,
    F_NPS,
    F_DETRACTOR,
    F_SUPPORT,
    F_MODULES,
    F_ADJACENT,
    F_GEO_GAP,
    F_CHAMPION,
    F_SPONSOR,
    F_STAKEHOLDER,
    FEATURES
} s_feature_t;

static const char *const s_feature_names[FEATURES] = {
    "utilisation", "penetration", "headcount", "adoption", "usage_growth",
    "usage_limit", "nps",         "detractor", "support",  "modules",
    "adjacent",    "geo_gap",     "champion",  "sponsor",  "stakeholder"};

/*  Days over which a stakeholder change fades from the truth (exp (-days / this)). */
#define STAKEHOLDER_FADE_DAYS 180.0

#define MODELS      (SYNTH_PLAYS + 1)
#define MODEL_CHURN SYNTH_PLAYS

static const double s_weights[MODELS][FEATURES] = {
    [SYNTH_SEAT] = {[F_UTILISATION] = 1.0,
                    [F_HEADCOUNT] = 0.8,
                    [F_PENETRATION] = -0.6,
                    [F_ADOPTION] = 0.3,
                    [F_CHAMPION] = 0.3,
                    [F_NPS] = 0.2,
                    [F_STAKEHOLDER] = -0.4},
    [SYNTH_TIER] = {[F_USAGE_LIMIT] = 1.0,
                    [F_ADOPTION] = 0.7,
                    [F_USAGE_GROWTH] = 0.4,
                    [F_SPONSOR] = 0.3,
                    [F_NPS] = 0.2,
                    [F_STAKEHOLDER] = -0.3},
    [SYNTH_CROSS_SELL] = {[F_ADOPTION] = 0.5,
                          [F_NPS] = 0.5,
                          [F_ADJACENT] = 0.5,
                          [F_MODULES] = -0.6,
                          [F_SUPPORT] = -0.4,
                          [F_CHAMPION] = 0.3,
                          [F_STAKEHOLDER] = -0.3},
    [SYNTH_GEO] = {[F_GEO_GAP] = 1.0,
                   [F_HEADCOUNT] = 0.4,
                   [F_SPONSOR] = 0.4,
                   [F_ADOPTION] = 0.3,
                   [F_NPS] = 0.2},
    [MODEL_CHURN] = {[F_ADOPTION] = -0.7,
                     [F_USAGE_GROWTH] = -0.5,
                     [F_UTILISATION] = -0.5,
                     [F_DETRACTOR] = 0.6,
                     [F_SUPPORT] = 0.5,
                     [F_STAKEHOLDER] = 0.6,
                     [F_CHAMPION] = -0.3,
                     [F_SPONSOR] = -0.3},
};

/*  Probabilities are written with 6 decimals and kept off 0 and 1. */
#define P_MIN 1e-6
#define P_MAX (1.0 - 1e-6)

/*  Calibration: bisection bounds and precision. */
#define INTERCEPT_BOUND   40.0
#define INTERCEPT_EPSILON 1e-9
#define SHARPNESS_MIN     0.05
#define SHARPNESS_MAX     20.0
#define SHARPNESS_STEPS   32
#define PORTFOLIO_UNIT    1500.0 /* opportunities are counted per this many accounts */

/*  Past opportunities open in weeks 2-4 of their campaign. */
#define HISTORY_OPEN_FIRST_DAY 7
#define HISTORY_OPEN_DAYS      21

/*  ---------------------------------------------------------------------------------
    One account */

typedef struct {
    uint64_t index;
    int segment, region, industry, tier;
    double engagement, growth;
    uint32_t employees, seats_purchased, seats_active, tickets;
    double employee_growth_pct, adoption_pct, usage_growth_pct, usage_limit_pct;
    int nps;
    unsigned modules;  /* MODULE_BIT set */
    unsigned present;  /* region bits */
    unsigned licensed; /* region bits */
    bool champion, sponsor;
    int stakeholder_days; /* -1: no change in the last year */
    int32_t renewal_day, contract_day;
    double arr;
    double module_multiplier;
    int name_root, name_word, name_legal;
} s_account_t;

struct _synth_t {
    synth_params_t params;
    bool calibrated;
    synth_rates_t rates;
    double mean[FEATURES], sd[FEATURES];
    uint64_t csm_first[SYNTH_REGIONS], csm_count[SYNTH_REGIONS];
    uint64_t ae_first[SYNTH_REGIONS], ae_count[SYNTH_REGIONS];
};

static int
s_popcount (unsigned bits)
{
    return __builtin_popcount (bits);
}

/*  The date `years` years before day, on the same month and day (Feb 29 -> Feb 28). */
static int32_t
s_years_before (int32_t day, int years)
{
    char text[DATE_TEXT_MAX];
    date_format (day, text);
    int year = atoi (text) - years;
    if (year < 1900)
        return day - 365 * years;
    for (int i = 3; i >= 0; i--, year /= 10)
        text[i] = (char)('0' + year % 10);
    int32_t result;
    if (date_parse (text, &result) != 0) {
        text[9] = '8'; /* 02-29 in a year without it */
        if (date_parse (text, &result) != 0)
            return day - 365 * years;
    }
    return result;
}

static void
s_account_draw (const synth_t *self, uint64_t index, s_account_t *a)
{
    const synth_params_t *p = &self->params;
    rng_t rng;
    s_rng_seed (&rng, p->seed, STREAM_ACCOUNT, index);
    memset (a, 0, sizeof *a);
    a->index = index;
    a->segment = s_pick (&rng, p->segment_mix, SYNTH_SEGMENTS);
    a->region = s_pick (&rng, p->region_mix, SYNTH_REGIONS);
    double industry_weights[INDUSTRIES];
    for (int i = 0; i < INDUSTRIES; i++)
        industry_weights[i] = s_industries[i].weight;
    a->industry = s_pick (&rng, industry_weights, INDUSTRIES);
    const s_segment_shape_t *shape = &s_shapes[a->segment];

    double e = rng_normal (&rng), g = rng_normal (&rng);
    a->engagement = e;
    a->growth = g;

    double employees =
        exp (log (shape->employees_median) + shape->employees_spread * rng_normal (&rng));
    a->employees =
        (uint32_t)llround (s_clamp (employees, shape->employees_min, shape->employees_max));
    a->employee_growth_pct = s_round1 (
        s_clamp (shape->headcount_growth + 8.0 * g + 5.0 * rng_normal (&rng), -40, 150));
    a->tier = s_pick (&rng, shape->tier_mix, SYNTH_TIERS);

    a->modules = MODULE_BIT (MODULE_CORE);
    for (int m = 1; m < SYNTH_MODULES; m++) {
        double logit =
            s_modules[m].base + 0.6 * e + s_tier_module_bonus[a->tier] + shape->module_bonus;
        if (a->modules & s_modules[m].adjacent)
            logit += MODULE_ADJACENCY_BONUS;
        if (rng_unit (&rng) < s_logistic (logit))
            a->modules |= MODULE_BIT (m);
    }
    int owned = s_popcount (a->modules);

    double penetration =
        shape->penetration_max *
        s_logistic (shape->penetration_logit + 0.5 * rng_normal (&rng) + 0.15 * g);
    double seats = s_clamp (round (a->employees * penetration), 3, a->employees - 1);
    a->seats_purchased = (uint32_t)seats;
    double utilisation = s_clamp (0.74 + 0.13 * e + 0.12 * rng_normal (&rng), 0.12, 1.10);
    a->seats_active = (uint32_t)llround (seats * utilisation);

    a->adoption_pct = s_round1 (100.0 * s_logistic (-0.15 + 0.85 * e + 0.12 * (owned - 2.5) +
                                                    0.45 * rng_normal (&rng)));
    a->usage_growth_pct =
        s_round1 (s_clamp (6.0 + 9.0 * e + 9.0 * g + 9.0 * rng_normal (&rng), -60, 250));
    a->usage_limit_pct = s_round1 (s_clamp (
        66.0 + 9.0 * e + 8.0 * g + s_tier_limit_offset[a->tier] + 12.0 * rng_normal (&rng), 2,
        180));
    a->nps = (int)llround (s_clamp (22.0 + 30.0 * e + 32.0 * rng_normal (&rng), -100, 100));
    a->tickets = s_poisson (&rng, shape->tickets * exp (-0.55 * e + 0.35 * rng_normal (&rng)));
    a->champion = rng_unit (&rng) < s_logistic (-0.2 + 1.0 * e + shape->champion_bonus);
    a->sponsor = rng_unit (&rng) < s_logistic (-1.4 + 0.7 * e + shape->sponsor_bonus);
    a->stakeholder_days = -1;
    if (rng_unit (&rng) < s_logistic (s_logit (p->stakeholder_change_share) - 0.3 * e))
        a->stakeholder_days = 1 + (int)rng_below (&rng, 365);

    a->present = a->licensed = 1u << a->region;
    for (int r = 0; r < SYNTH_REGIONS; r++)
        if (r != a->region && rng_unit (&rng) < shape->other_region) {
            a->present |= 1u << r;
            if (rng_unit (&rng) < s_logistic (0.2 + 0.5 * e))
                a->licensed |= 1u << r;
        }

    a->renewal_day = p->start_day + (int32_t)rng_below (&rng, 365);
    a->contract_day = s_years_before (a->renewal_day, 2 + (int)rng_below (&rng, 4));

    a->module_multiplier = 1.0;
    for (int m = 0; m < SYNTH_MODULES; m++)
        if (a->modules & MODULE_BIT (m))
            a->module_multiplier += p->module_uplift[m];
    double discount =
        1.0 / (1.0 + p->volume_discount * log2 (fmax (1.0, seats / VOLUME_DISCOUNT_FROM)));
    double negotiated = 0.95 + 0.10 * rng_unit (&rng);
    a->arr =
        round (p->tier_prices[a->tier] * seats * a->module_multiplier * discount * negotiated);

    a->name_root = (int)rng_below (&rng, COUNT_OF (s_name_roots[0]));
    a->name_word = (int)rng_below (&rng, 3);
    a->name_legal = (int)rng_below (&rng, COUNT_OF (s_legal_forms[0]));
}

/*  Modules not owned that sit next to one owned. */
static unsigned
s_adjacent_whitespace (unsigned modules)
{
    unsigned adjacent = 0;
    for (int m = 0; m < SYNTH_MODULES; m++)
        if (modules & MODULE_BIT (m))
            adjacent |= s_modules[m].adjacent;
    return adjacent & ~modules;
}

static void
s_features (const s_account_t *a, double *x)
{
    x[F_UTILISATION] = (double)a->seats_active / a->seats_purchased;
    x[F_PENETRATION] = (double)a->seats_purchased / a->employees;
    x[F_HEADCOUNT] = a->employee_growth_pct;
    x[F_ADOPTION] = a->adoption_pct;
    x[F_USAGE_GROWTH] = a->usage_growth_pct;
    x[F_USAGE_LIMIT] = a->usage_limit_pct;
    x[F_NPS] = a->nps;
    x[F_DETRACTOR] = a->nps < 0;
    x[F_SUPPORT] = log1p (a->tickets);
    x[F_MODULES] = s_popcount (a->modules);
    x[F_ADJACENT] = s_popcount (s_adjacent_whitespace (a->modules));
    x[F_GEO_GAP] = s_popcount (a->present & ~a->licensed);
    x[F_CHAMPION] = a->champion;
    x[F_SPONSOR] = a->sponsor;
    x[F_STAKEHOLDER] =
        a->stakeholder_days >= 0 ? exp (-a->stakeholder_days / STAKEHOLDER_FADE_DAYS) : 0;
}

static bool
s_possible (const s_account_t *a, int play)
{
    switch (play) {
    case SYNTH_TIER: return a->tier < SYNTH_TIERS - 1;
    case SYNTH_CROSS_SELL: return a->modules != ALL_MODULES;
    case SYNTH_GEO: return (a->present & ~a->licensed) != 0;
    default: return true;
    }
}

/*  Weighted sums of the standardised features, one per model (before sharpness). */
static void
s_scores (const synth_t *self, const double *x, double *scores)
{
    double z[FEATURES];
    for (int f = 0; f < FEATURES; f++)
        z[f] = self->sd[f] > 0 ? (x[f] - self->mean[f]) / self->sd[f] : 0;
    for (int m = 0; m < MODELS; m++) {
        double sum = 0;
        for (int f = 0; f < FEATURES; f++)
            sum += s_weights[m][f] * z[f];
        scores[m] = sum;
    }
}

/*  The next module a cross-sell would offer: the adjacent one with the largest uplift,
    else any with the largest; -1 if every module is owned. */
static int
s_next_module (const synth_t *self, unsigned modules)
{
    unsigned candidates = s_adjacent_whitespace (modules);
    if (!candidates)
        candidates = ALL_MODULES & ~modules;
    int best = -1;
    for (int m = 0; m < SYNTH_MODULES; m++)
        if ((candidates & MODULE_BIT (m)) &&
            (best < 0 || self->params.module_uplift[m] > self->params.module_uplift[best]))
            best = m;
    return best;
}

static int
s_next_region (const s_account_t *a)
{
    for (int r = 0; r < SYNTH_REGIONS; r++)
        if ((a->present & ~a->licensed) & (1u << r))
            return r;
    return -1;
}

/*  ARR a won deal of each play adds (0 where the play is impossible). */
static void
s_deal_sizes (const synth_t *self, const s_account_t *a, double *deal)
{
    const synth_params_t *p = &self->params;
    double per_seat = a->arr / a->seats_purchased;
    double add_share = s_clamp (0.10 + fmax (0.0, a->employee_growth_pct) / 100.0, 0.10, 0.50);
    double added = fmax (1.0, round (a->seats_purchased * add_share));
    added = fmin (added, fmax (1.0, (double)a->employees - a->seats_purchased));
    deal[SYNTH_SEAT] = round (per_seat * added);
    deal[SYNTH_TIER] = s_possible (a, SYNTH_TIER)
                           ? round (a->arr * p->tier_upgrade_share *
                                    (p->tier_prices[a->tier + 1] / p->tier_prices[a->tier] - 1))
                           : 0;
    int module = s_next_module (self, a->modules);
    deal[SYNTH_CROSS_SELL] =
        module >= 0 ? round (a->arr / a->module_multiplier * p->module_uplift[module]) : 0;
    deal[SYNTH_GEO] = s_possible (a, SYNTH_GEO) ? round (a->arr * GEO_SEAT_SHARE) : 0;
}

/*  p rounded as written, within [P_MIN, P_MAX]. */
static double
s_written_probability (double p)
{
    return round (s_clamp (p, P_MIN, P_MAX) * 1e6) / 1e6;
}

/*  The truth for one account: p[0..3] plays, p[4] churn, as written. */
static void
s_probabilities (const synth_t *self, const s_account_t *a, double *p)
{
    double x[FEATURES], scores[MODELS];
    s_features (a, x);
    s_scores (self, x, scores);
    const synth_rates_t *r = &self->rates;
    for (int play = 0; play < SYNTH_PLAYS; play++)
        p[play] = s_possible (a, play) ? s_written_probability (s_logistic (
                                             r->intercept[play] + r->sharpness * scores[play]))
                                       : 0;
    p[MODEL_CHURN] =
        s_written_probability (s_logistic (r->intercept[MODEL_CHURN] + scores[MODEL_CHURN]));
}

static double
s_expand_probability (const double *p)
{
    double none = 1.0;
    for (int play = 0; play < SYNTH_PLAYS; play++)
        none *= 1.0 - p[play];
    return 1.0 - none;
}

/*  ---------------------------------------------------------------------------------
    Parameters */

void
synth_params_default (synth_params_t *params)
{
    memset (params, 0, sizeof *params);
    params->history_campaigns = 2;
    const double segments[SYNTH_SEGMENTS] = {0.55, 0.33, 0.12};
    const double regions[SYNTH_REGIONS] = {0.50, 0.30, 0.20};
    const double prices[SYNTH_TIERS] = {240, 420, 660, 960};
    const double uplift[SYNTH_MODULES] = {0, 0.25, 0.20, 0.30, 0.15, 0.10};
    const double win[SYNTH_PLAYS] = {0.65, 0.50, 0.40, 0.40};
    const int cycles[SYNTH_PLAYS][2] = {{30, 45}, {60, 90}, {60, 120}, {60, 120}};
    memcpy (params->segment_mix, segments, sizeof segments);
    memcpy (params->region_mix, regions, sizeof regions);
    memcpy (params->tier_prices, prices, sizeof prices);
    memcpy (params->module_uplift, uplift, sizeof uplift);
    memcpy (params->win_rate, win, sizeof win);
    memcpy (params->cycle_days, cycles, sizeof cycles);
    params->volume_discount = 0.08;
    params->tier_upgrade_share = 0.6;
    params->stakeholder_change_share = 0.125;
    params->accounts_per_csm = 50;
    params->csms_per_ae = 5;
    params->high_propensity_share = 0.10;
    params->target_segment = 1; /* mid-market */
    params->opportunities_per_1500 = 125;
    params->opportunity_probability = 0.30;
    params->churn_rate = 0.10;
    params->history_share = 0.10;
    params->history_spacing_days = 182;
    params->calibration_sample = 50000;
}

/*  A number array of exactly n items at path, each within lo..hi; absent is fine. */
static int
s_conf_numbers (conf_t *conf, const char *path, double *out, int n, double lo, double hi,
                err_t *err)
{
    config_setting_t *setting = conf_lookup (conf, path);
    if (!setting)
        return 0;
    char where[256];
    conf_where (conf, setting, where, sizeof where);
    if ((!config_setting_is_array (setting) && !config_setting_is_list (setting)) ||
        config_setting_length (setting) != n)
        return err_set (err, ERR_INVALID, "%s: setting '%s': expected %d numbers", where, path,
                        n);
    double values[8];
    for (int i = 0; i < n; i++) {
        config_setting_t *item = config_setting_get_elem (setting, (unsigned)i);
        int type = config_setting_type (item);
        if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64 && type != CONFIG_TYPE_FLOAT)
            return err_set (err, ERR_INVALID, "%s: setting '%s': item %d is not a number",
                            where, path, i + 1);
        values[i] = type == CONFIG_TYPE_FLOAT ? config_setting_get_float (item)
                                              : (double)config_setting_get_int64 (item);
        if (!(values[i] >= lo && values[i] <= hi))
            return err_set (err, ERR_INVALID,
                            "%s: setting '%s': item %d (%g) is outside %g..%g", where, path,
                            i + 1, values[i], lo, hi);
    }
    memcpy (out, values, (size_t)n * sizeof *out);
    return 0;
}

/*  A mix (shares of a whole): non-negative, normalised to sum 1. */
static int
s_conf_mix (conf_t *conf, const char *path, double *mix, int n, err_t *err)
{
    double values[8];
    memcpy (values, mix, (size_t)n * sizeof *mix);
    int rc = s_conf_numbers (conf, path, values, n, 0, 1e9, err);
    if (rc)
        return rc;
    double total = 0;
    for (int i = 0; i < n; i++)
        total += values[i];
    if (total <= 0) {
        char where[256];
        conf_where (conf, conf_lookup (conf, path), where, sizeof where);
        return err_set (err, ERR_INVALID, "%s: setting '%s': the shares add up to 0", where,
                        path);
    }
    for (int i = 0; i < n; i++)
        mix[i] = values[i] / total;
    return 0;
}

/*  plays.[i].win_rate and cycle_days of the plays the configuration names. */
static int
s_conf_plays (conf_t *conf, synth_params_t *params, err_t *err)
{
    config_setting_t *plays = conf_lookup (conf, "plays");
    int count = plays ? config_setting_length (plays) : 0;
    for (int i = 0; i < count; i++) {
        char path[64];
        const char *type = NULL;
        snprintf (path, sizeof path, "plays.[%d].type", i);
        int rc = conf_string (conf, path, NULL, &type, err);
        if (rc)
            return rc;
        int play = -1;
        for (int k = 0; type && k < SYNTH_PLAYS; k++)
            if (strcmp (type, s_play_names[k]) == 0)
                play = k;
        if (play < 0)
            continue; /* a play the generator has no truth for */
        double range[2] = {0, 0};
        snprintf (path, sizeof path, "plays.[%d].win_rate", i);
        if (conf_lookup (conf, path)) {
            rc = s_conf_numbers (conf, path, range, 2, 0.01, 0.99, err);
            if (rc)
                return rc;
            params->win_rate[play] = (range[0] + range[1]) / 2;
        }
        snprintf (path, sizeof path, "plays.[%d].cycle_days", i);
        if (conf_lookup (conf, path)) {
            rc = s_conf_numbers (conf, path, range, 2, 1, 365, err);
            if (rc)
                return rc;
            if (range[1] < range[0]) {
                char where[256];
                conf_where (conf, conf_lookup (conf, path), where, sizeof where);
                return err_set (err, ERR_INVALID, "%s: setting '%s': %g is less than %g", where,
                                path, range[1], range[0]);
            }
            params->cycle_days[play][0] = (int)range[0];
            params->cycle_days[play][1] = (int)range[1];
        }
    }
    return 0;
}

int
synth_params_load (synth_params_t *params, conf_t *conf, err_t *err)
{
    int rc = s_conf_mix (conf, "gen.segment_mix", params->segment_mix, SYNTH_SEGMENTS, err);
    if (!rc)
        rc = s_conf_mix (conf, "gen.region_mix", params->region_mix, SYNTH_REGIONS, err);
    if (!rc)
        rc = s_conf_numbers (conf, "gen.tier_prices", params->tier_prices, SYNTH_TIERS, 1, 1e7,
                             err);
    for (int t = 1; !rc && t < SYNTH_TIERS; t++)
        if (params->tier_prices[t] <= params->tier_prices[t - 1]) {
            char where[256];
            conf_where (conf, conf_lookup (conf, "gen.tier_prices"), where, sizeof where);
            rc = err_set (err, ERR_INVALID,
                          "%s: setting 'gen.tier_prices': prices must rise with the tier "
                          "(starter, professional, enterprise, enterprise-plus)",
                          where);
        }
    for (int m = 1; !rc && m < SYNTH_MODULES; m++) {
        char path[64];
        snprintf (path, sizeof path, "gen.module_uplift.%s", s_modules[m].name);
        rc = conf_double_range (conf, path, params->module_uplift[m], 0, 10,
                                &params->module_uplift[m], err);
    }
    struct {
        const char *path;
        double *value;
        double lo, hi;
    } numbers[] = {
        {"gen.volume_discount", &params->volume_discount, 0, 10},
        {"gen.tier_upgrade_share", &params->tier_upgrade_share, 0.01, 1},
        {"gen.stakeholder_change_share", &params->stakeholder_change_share, 0.001, 0.999},
        {"gen.accounts_per_csm", &params->accounts_per_csm, 1, 1e6},
        {"gen.csms_per_ae", &params->csms_per_ae, 1, 1e6},
        {"gen.high_propensity_share", &params->high_propensity_share, 0.001, 1},
        {"gen.opportunities_per_1500", &params->opportunities_per_1500, 0, 6000},
        {"gen.opportunity_probability", &params->opportunity_probability, 0.01, 0.99},
        {"gen.churn_rate", &params->churn_rate, 0.001, 0.999},
        {"gen.history_share", &params->history_share, 0, 1},
    };
    for (size_t i = 0; !rc && i < COUNT_OF (numbers); i++)
        rc = conf_double_range (conf, numbers[i].path, *numbers[i].value, numbers[i].lo,
                                numbers[i].hi, numbers[i].value, err);
    int64_t spacing = params->history_spacing_days,
            sample = (int64_t)params->calibration_sample;
    if (!rc)
        rc = conf_int_range (conf, "gen.history_spacing_days", spacing,
                             HISTORY_OPEN_FIRST_DAY + HISTORY_OPEN_DAYS + 7, 3660, &spacing,
                             err);
    if (!rc)
        rc = conf_int_range (conf, "gen.calibration_sample", sample, 100, 100000000, &sample,
                             err);
    if (rc)
        return rc;
    params->history_spacing_days = (int)spacing;
    params->calibration_sample = (uint64_t)sample;

    double geo[2] = {params->win_rate[SYNTH_GEO], params->win_rate[SYNTH_GEO]};
    if (conf_lookup (conf, "gen.geo_win_rate")) {
        rc = s_conf_numbers (conf, "gen.geo_win_rate", geo, 2, 0.01, 0.99, err);
        if (rc)
            return rc;
        params->win_rate[SYNTH_GEO] = (geo[0] + geo[1]) / 2;
    }
    rc = s_conf_plays (conf, params, err);
    if (rc)
        return rc;

    const char *segment = NULL;
    rc = conf_string (conf, "gen.target_segment", records_segments[params->target_segment],
                      &segment, err);
    if (rc)
        return rc;
    int found = -1;
    for (int s = 0; s < SYNTH_SEGMENTS; s++)
        if (strcmp (segment, records_segments[s]) == 0)
            found = s;
    if (found < 0) {
        char where[256];
        conf_where (conf, conf_lookup (conf, "gen.target_segment"), where, sizeof where);
        return err_set (err, ERR_INVALID,
                        "%s: setting 'gen.target_segment': '%s' is not one of smb, "
                        "mid-market, enterprise",
                        where, segment);
    }
    params->target_segment = found;

    if (params->start_day == 0) {
        const char *start = NULL;
        rc = conf_string (conf, "campaign.start_date", NULL, &start, err);
        if (rc)
            return rc;
        if (!start)
            return err_set (err, ERR_INVALID,
                            "campaign.start_date is not set: set it or give --start");
        if (date_parse (start, &params->start_day) != 0) {
            char where[256];
            conf_where (conf, conf_lookup (conf, "campaign.start_date"), where, sizeof where);
            return err_set (err, ERR_INVALID,
                            "%s: setting 'campaign.start_date': '%s' is not a date "
                            "(YYYY-MM-DD)",
                            where, start);
        }
    }
    return 0;
}

/*  ---------------------------------------------------------------------------------
    Life cycle */

synth_t *
synth_new (const synth_params_t *params)
{
    synth_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->params = *params;
    /*  Roster sized on the expected accounts per region, so it does not depend on the
        draws; round-robin then spreads a region's accounts evenly over its CSMs. */
    uint64_t csm = 0, ae = 0;
    for (int r = 0; r < SYNTH_REGIONS; r++) {
        double expected = (double)params->accounts * params->region_mix[r];
        uint64_t csms = (uint64_t)llround (expected / params->accounts_per_csm);
        uint64_t aes = (uint64_t)llround ((double)(csms ? csms : 1) / params->csms_per_ae);
        self->csm_first[r] = csm;
        self->csm_count[r] = csms ? csms : 1;
        csm += self->csm_count[r];
        self->ae_first[r] = ae;
        self->ae_count[r] = aes ? aes : 1;
        ae += self->ae_count[r];
    }
    return self;
}

void
synth_destroy (synth_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

const synth_rates_t *
synth_rates (synth_t *self)
{
    return self && self->calibrated ? &self->rates : NULL;
}

/*  ---------------------------------------------------------------------------------
    Calibration */

typedef struct {
    size_t n;                 /* accounts in the sample */
    double *scores;           /* n x MODELS */
    unsigned char *possible;  /* n: bit per play */
    unsigned char *target;    /* n: in the target segment */
    double *top[SYNTH_PLAYS]; /* scores of the targeted accounts, per play */
    size_t top_n[SYNTH_PLAYS];
    size_t possible_n[SYNTH_PLAYS];
} s_sample_t;

static void
s_sample_free (s_sample_t *sample)
{
    free (sample->scores);
    free (sample->possible);
    free (sample->target);
    for (int play = 0; play < SYNTH_PLAYS; play++)
        free (sample->top[play]);
}

static int
s_descending (const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

static double
s_mean_probability (const double *scores, size_t n, size_t stride, double intercept,
                    double sharpness)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += s_logistic (intercept + sharpness * scores[i * stride]);
    return n ? sum / n : 0;
}

/*  The intercept that gives the scores a mean probability of target. */
static double
s_fit_intercept (const double *scores, size_t n, size_t stride, double sharpness, double target)
{
    double lo = -INTERCEPT_BOUND, hi = INTERCEPT_BOUND;
    if (n == 0)
        return s_logit (target);
    while (hi - lo > INTERCEPT_EPSILON) {
        double mid = (lo + hi) / 2;
        if (s_mean_probability (scores, n, stride, mid, sharpness) < target)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/*  Fit every play's intercept for sharpness s; returns opportunities per 1,500. */
static double
s_fit_plays (synth_t *self, const s_sample_t *sample, double sharpness)
{
    synth_rates_t *r = &self->rates;
    r->sharpness = sharpness;
    for (int play = 0; play < SYNTH_PLAYS; play++)
        r->intercept[play] = s_fit_intercept (sample->top[play], sample->top_n[play], 1,
                                              sharpness, self->params.win_rate[play]);
    double threshold = s_logit (self->params.opportunity_probability);
    size_t count = 0;
    for (size_t i = 0; i < sample->n; i++) {
        if (!sample->target[i])
            continue;
        for (int play = 0; play < SYNTH_PLAYS; play++)
            if ((sample->possible[i] & (1u << play)) &&
                r->intercept[play] + sharpness * sample->scores[i * MODELS + play] >= threshold)
                count++;
    }
    return (double)count * PORTFOLIO_UNIT / (double)sample->n;
}

/*  Draw the sample, standardise, keep the scores. */
static int
s_sample_draw (synth_t *self, s_sample_t *sample, err_t *err)
{
    size_t n = (size_t)(self->params.accounts < self->params.calibration_sample
                            ? self->params.accounts
                            : self->params.calibration_sample);
    double *x = malloc (n * FEATURES * sizeof *x);
    sample->n = n;
    sample->scores = malloc (n * MODELS * sizeof *sample->scores);
    sample->possible = malloc (n);
    sample->target = malloc (n);
    if (!x || !sample->scores || !sample->possible || !sample->target) {
        free (x);
        return err_set (err, ERR_NOMEM, "out of memory for a calibration sample of %zu", n);
    }
    double sum[FEATURES] = {0}, squares[FEATURES] = {0};
    for (size_t i = 0; i < n; i++) {
        s_account_t a;
        s_account_draw (self, i, &a);
        s_features (&a, x + i * FEATURES);
        for (int f = 0; f < FEATURES; f++)
            sum[f] += x[i * FEATURES + f];
        sample->possible[i] = 0;
        for (int play = 0; play < SYNTH_PLAYS; play++)
            if (s_possible (&a, play))
                sample->possible[i] |= (unsigned char)(1u << play);
        sample->target[i] = a.segment == self->params.target_segment;
    }
    for (int f = 0; f < FEATURES; f++)
        self->mean[f] = sum[f] / n;
    for (size_t i = 0; i < n; i++)
        for (int f = 0; f < FEATURES; f++) {
            double d = x[i * FEATURES + f] - self->mean[f];
            squares[f] += d * d;
        }
    for (int f = 0; f < FEATURES; f++)
        self->sd[f] = n > 1 ? sqrt (squares[f] / (n - 1)) : 0;
    for (size_t i = 0; i < n; i++)
        s_scores (self, x + i * FEATURES, sample->scores + i * MODELS);
    free (x);

    for (int play = 0; play < SYNTH_PLAYS; play++) {
        double *scores = malloc ((n ? n : 1) * sizeof *scores);
        if (!scores)
            return err_set (err, ERR_NOMEM, "out of memory for a calibration sample of %zu", n);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (sample->possible[i] & (1u << play))
                scores[k++] = sample->scores[i * MODELS + play];
        qsort (scores, k, sizeof *scores, s_descending);
        sample->possible_n[play] = k;
        sample->top[play] = scores;
        size_t top = (size_t)llround (self->params.high_propensity_share * k);
        sample->top_n[play] = k == 0 ? 0 : top < 1 ? 1 : top;
    }
    return 0;
}

int
synth_calibrate (synth_t *self, err_t *err)
{
    if (self->calibrated)
        return 0;
    s_sample_t sample;
    memset (&sample, 0, sizeof sample);
    int rc = s_sample_draw (self, &sample, err);
    if (rc) {
        s_sample_free (&sample);
        return rc;
    }
    /*  Sharper truth, fewer accounts above the opportunity threshold: bisect log s. */
    double lo = log (SHARPNESS_MIN), hi = log (SHARPNESS_MAX);
    for (int step = 0; step < SHARPNESS_STEPS; step++) {
        double mid = (lo + hi) / 2;
        if (s_fit_plays (self, &sample, exp (mid)) > self->params.opportunities_per_1500)
            lo = mid;
        else
            hi = mid;
    }
    synth_rates_t *r = &self->rates;
    r->opportunities_total = s_fit_plays (self, &sample, exp ((lo + hi) / 2));
    r->intercept[MODEL_CHURN] = s_fit_intercept (sample.scores + MODEL_CHURN, sample.n, MODELS,
                                                 1.0, self->params.churn_rate);
    r->sample = sample.n;

    /*  What the calibrated truth gives on the sample, as it will be written. */
    double threshold = self->params.opportunity_probability;
    double sum_expand = 0, sum_churn = 0;
    double sum_play[SYNTH_PLAYS] = {0}, opportunities[SYNTH_PLAYS] = {0};
    for (size_t i = 0; i < sample.n; i++) {
        double p[MODELS];
        for (int play = 0; play < SYNTH_PLAYS; play++)
            p[play] =
                (sample.possible[i] & (1u << play))
                    ? s_written_probability (s_logistic (
                          r->intercept[play] + r->sharpness * sample.scores[i * MODELS + play]))
                    : 0;
        p[MODEL_CHURN] = s_written_probability (
            s_logistic (r->intercept[MODEL_CHURN] + sample.scores[i * MODELS + MODEL_CHURN]));
        for (int play = 0; play < SYNTH_PLAYS; play++) {
            sum_play[play] += p[play];
            if (sample.target[i] && (sample.possible[i] & (1u << play)) && p[play] >= threshold)
                opportunities[play]++;
        }
        sum_expand += s_expand_probability (p);
        sum_churn += p[MODEL_CHURN];
    }
    double n = sample.n ? (double)sample.n : 1;
    r->opportunities_total = 0;
    for (int play = 0; play < SYNTH_PLAYS; play++) {
        r->mean_rate[play] = sum_play[play] / n;
        r->possible_share[play] = sample.possible_n[play] / n;
        r->targeted_rate[play] = s_mean_probability (sample.top[play], sample.top_n[play], 1,
                                                     r->intercept[play], r->sharpness);
        r->opportunities[play] = opportunities[play] * PORTFOLIO_UNIT / n;
        r->opportunities_total += r->opportunities[play];
    }
    r->expand_rate = sum_expand / n;
    r->churn_rate = sum_churn / n;
    s_sample_free (&sample);
    self->calibrated = true;
    return 0;
}

/*  ---------------------------------------------------------------------------------
    Writing rows: each row is built in a buffer and written at once; text that may
    need quoting goes through csvreader_write_cell. */

#define ROW_MAX     4096
#define FILE_BUFFER (1u << 20)

typedef struct {
    FILE *file;
    size_t len;
    char buf[ROW_MAX];
} s_row_t;

static void
s_flush (s_row_t *row)
{
    fwrite (row->buf, 1, row->len, row->file);
    row->len = 0;
}

/*  Text known to need no quoting: ids, words, dates. */
static void
s_put (s_row_t *row, const char *text)
{
    size_t len = strlen (text);
    if (row->len + len + 1 > ROW_MAX)
        s_flush (row);
    memcpy (row->buf + row->len, text, len);
    row->len += len;
}

static void
s_put_char (s_row_t *row, char c)
{
    if (row->len + 1 > ROW_MAX)
        s_flush (row);
    row->buf[row->len++] = c;
}

static void
s_put_cell (s_row_t *row, const char *text)
{
    s_flush (row);
    csvreader_write_cell (row->file, text);
}

static void
s_put_uint (s_row_t *row, uint64_t value)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    if (row->len + (size_t)n + 1 > ROW_MAX)
        s_flush (row);
    while (n)
        row->buf[row->len++] = digits[--n];
}

/*  value with exactly `decimals` decimals (0..9), no exponent, no "-0". */
static void
s_put_fixed (s_row_t *row, double value, int decimals)
{
    static const double scale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    long long scaled = llround (value * scale[decimals]);
    if (scaled < 0) {
        s_put_char (row, '-');
        scaled = -scaled;
    }
    uint64_t unit = (uint64_t)scale[decimals];
    s_put_uint (row, (uint64_t)scaled / unit);
    if (decimals == 0)
        return;
    s_put_char (row, '.');
    uint64_t fraction = (uint64_t)scaled % unit;
    for (uint64_t digit = unit / 10; digit; digit /= 10) {
        s_put_char (row, (char)('0' + fraction / digit));
        fraction %= digit;
    }
}

static void
s_put_date (s_row_t *row, int32_t day)
{
    char text[DATE_TEXT_MAX];
    s_put (row, date_format (day, text));
}

static void
s_end_row (s_row_t *row)
{
    s_put_char (row, '\n');
    s_flush (row);
}

/*  prefix and number with at least `width` digits: "A-0042", "CSM-007". */
static void
s_put_id (s_row_t *row, const char *prefix, uint64_t number, int width)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + number % 10);
        number /= 10;
    } while (number);
    s_put (row, prefix);
    for (int i = n; i < width; i++)
        s_put_char (row, '0');
    while (n)
        s_put_char (row, digits[--n]);
}

static void
s_put_account_id (s_row_t *row, uint64_t index, int width)
{
    s_put_id (row, "A-", index + 1, width);
}

static void
s_put_list (s_row_t *row, unsigned bits, const char *const *names, int n)
{
    bool first = true;
    for (int i = 0; i < n; i++)
        if (bits & (1u << i)) {
            if (!first)
                s_put_char (row, ';');
            s_put (row, names[i]);
            first = false;
        }
}

/*  ---------------------------------------------------------------------------------
    The files */

typedef enum {
    OUT_ACCOUNTS,
    OUT_ROSTER,
    OUT_HISTORY,
    OUT_TRUTH,
    OUT_MODEL,
    OUTPUTS
} s_output_t;

static const char *const s_output_names[OUTPUTS] = {"accounts.csv", "roster.csv", "history.csv",
                                                    "truth.csv", "truth.md"};

typedef struct {
    char *path[OUTPUTS]; /* final names */
    char *temp[OUTPUTS]; /* written here, renamed when complete */
    FILE *file[OUTPUTS];
    char *buffer[OUTPUTS];
} s_files_t;

static int
s_files_open (s_files_t *files, const char *dir, err_t *err)
{
    if (mkdir (dir, 0777) != 0 && errno != EEXIST)
        return err_set (err, ERR_IO, "%s: cannot create the directory: %s", dir,
                        strerror (errno));
    struct stat st;
    if (stat (dir, &st) != 0 || !S_ISDIR (st.st_mode))
        return err_set (err, ERR_IO, "%s: not a directory", dir);
    for (int i = 0; i < OUTPUTS; i++) {
        if (asprintf (&files->path[i], "%s/%s", dir, s_output_names[i]) < 0) {
            files->path[i] = NULL;
            return err_set (err, ERR_NOMEM, "out of memory");
        }
        if (asprintf (&files->temp[i], "%s.tmp", files->path[i]) < 0) {
            files->temp[i] = NULL;
            return err_set (err, ERR_NOMEM, "out of memory");
        }
        files->file[i] = fopen (files->temp[i], "w");
        if (!files->file[i])
            return err_set (err, ERR_IO, "%s: cannot write: %s", files->temp[i],
                            strerror (errno));
        files->buffer[i] = malloc (FILE_BUFFER);
        if (files->buffer[i])
            setvbuf (files->file[i], files->buffer[i], _IOFBF, FILE_BUFFER);
    }
    return 0;
}

/*  Close every file; on success (rc == 0) rename them into place, otherwise remove
    them. Returns rc, or the first close or rename error. */
static int
s_files_close (s_files_t *files, int rc, err_t *err)
{
    for (int i = 0; i < OUTPUTS; i++) {
        if (!files->file[i])
            continue;
        bool failed = ferror (files->file[i]) != 0;
        if (fclose (files->file[i]) != 0)
            failed = true;
        files->file[i] = NULL;
        if (failed && rc == 0)
            rc = err_set (err, ERR_IO, "%s: write failed: %s", files->temp[i],
                          strerror (errno ? errno : EIO));
    }
    for (int i = 0; i < OUTPUTS; i++) {
        if (!files->temp[i])
            continue;
        if (rc == 0 && rename (files->temp[i], files->path[i]) != 0)
            rc = err_set (err, ERR_IO, "%s: cannot rename to %s: %s", files->temp[i],
                          files->path[i], strerror (errno));
        if (rc != 0)
            unlink (files->temp[i]);
    }
    for (int i = 0; i < OUTPUTS; i++) {
        free (files->path[i]);
        free (files->temp[i]);
        free (files->buffer[i]);
    }
    return rc;
}

static void
s_write_headers (s_files_t *files)
{
    fputs ("account_id,name,segment,region,industry,arr,seats_purchased,seats_active,"
           "employees,employee_growth_pct,tier,products,regions_present,regions_licensed,"
           "feature_adoption_pct,usage_growth_pct,usage_limit_pct,nps,support_tickets_90d,"
           "csm,champion,exec_sponsor,stakeholder_change_days,renewal_date,contract_start\n",
           files->file[OUT_ACCOUNTS]);
    fputs ("person_id,name,role,region,capacity_hours_per_week\n", files->file[OUT_ROSTER]);
    fputs ("account_id,campaign,opportunity_type,outcome,arr_delta,opened,closed\n",
           files->file[OUT_HISTORY]);
    fputs ("account_id,segment,engagement,growth,p_seat,p_tier,p_cross_sell,p_geo,p_expand,"
           "p_churn,arr_seat,arr_tier,arr_cross_sell,arr_geo,next_module,next_region\n",
           files->file[OUT_TRUTH]);
}

static void
s_write_person (s_row_t *row, rng_t *rng, const char *prefix, uint64_t number, int width,
                const char *role, int region, double hours_lo, double hours_hi)
{
    s_put_id (row, prefix, number, width);
    s_put_char (row, ',');
    char name[96];
    snprintf (name, sizeof name, "%s %s",
              s_first_names[region][rng_below (rng, COUNT_OF (s_first_names[0]))],
              s_last_names[region][rng_below (rng, COUNT_OF (s_last_names[0]))]);
    s_put_cell (row, name);
    s_put_char (row, ',');
    s_put (row, role);
    s_put_char (row, ',');
    s_put (row, records_regions[region]);
    s_put_char (row, ',');
    /* half hours */
    s_put_fixed (row, round ((hours_lo + (hours_hi - hours_lo) * rng_unit (rng)) * 2) / 2, 1);
    s_end_row (row);
}

/*  Weekly hours for expansion work, by role. */
static const struct {
    const char *role;
    const char *prefix;
    int count;
    int width;
    int regions[2];
    double lo, hi;
} s_staff[] = {
    {"leadership", "LEAD-", 2, 2, {0, 1}, 4, 6},
    {"marketing", "MKT-", 2, 2, {0, 1}, 8, 12},
    {"product", "PRD-", 2, 2, {0, 2}, 4, 8},
    {"operator", "OPS-", 1, 2, {0, 0}, 8, 12},
};

#define CSM_HOURS_LO 24.0
#define CSM_HOURS_HI 34.0
#define AE_HOURS_LO  20.0
#define AE_HOURS_HI  30.0

static uint64_t
s_write_roster (synth_t *self, s_files_t *files)
{
    rng_t rng;
    s_rng_seed (&rng, self->params.seed, STREAM_ROSTER, 0);
    s_row_t row;
    row.file = files->file[OUT_ROSTER];
    row.len = 0;
    uint64_t people = 0;
    for (int r = 0; r < SYNTH_REGIONS; r++)
        for (uint64_t i = 0; i < self->csm_count[r]; i++, people++)
            s_write_person (&row, &rng, "CSM-", self->csm_first[r] + i + 1, 3, "csm", r,
                            CSM_HOURS_LO, CSM_HOURS_HI);
    for (int r = 0; r < SYNTH_REGIONS; r++)
        for (uint64_t i = 0; i < self->ae_count[r]; i++, people++)
            s_write_person (&row, &rng, "AE-", self->ae_first[r] + i + 1, 3, "ae", r,
                            AE_HOURS_LO, AE_HOURS_HI);
    for (size_t k = 0; k < COUNT_OF (s_staff); k++)
        for (int i = 0; i < s_staff[k].count; i++, people++)
            s_write_person (&row, &rng, s_staff[k].prefix, (uint64_t)i + 1, s_staff[k].width,
                            s_staff[k].role, s_staff[k].regions[i], s_staff[k].lo,
                            s_staff[k].hi);
    return people;
}

static void
s_write_account (s_row_t *row, const s_account_t *a, uint64_t csm, int width)
{
    s_put_account_id (row, a->index, width);
    s_put_char (row, ',');
    const char *parts[] = {s_name_roots[a->region][a->name_root], " ",
                           s_industries[a->industry].words[a->name_word],
                           s_legal_forms[a->region][a->name_legal]};
    char name[160];
    size_t len = 0;
    for (size_t i = 0; i < COUNT_OF (parts); i++) {
        size_t part = strlen (parts[i]);
        memcpy (name + len, parts[i], part); /* the tables' words fit: < 40 bytes each */
        len += part;
    }
    name[len] = '\0';
    s_put_cell (row, name);
    s_put_char (row, ',');
    s_put (row, records_segments[a->segment]);
    s_put_char (row, ',');
    s_put (row, records_regions[a->region]);
    s_put_char (row, ',');
    s_put_cell (row, s_industries[a->industry].name);
    s_put_char (row, ',');
    s_put_fixed (row, a->arr, 0);
    s_put_char (row, ',');
    s_put_uint (row, a->seats_purchased);
    s_put_char (row, ',');
    s_put_uint (row, a->seats_active);
    s_put_char (row, ',');
    s_put_uint (row, a->employees);
    s_put_char (row, ',');
    s_put_fixed (row, a->employee_growth_pct, 1);
    s_put_char (row, ',');
    s_put (row, records_tiers[a->tier]);
    s_put_char (row, ',');
    const char *modules[SYNTH_MODULES];
    for (int m = 0; m < SYNTH_MODULES; m++)
        modules[m] = s_modules[m].name;
    s_put_list (row, a->modules, modules, SYNTH_MODULES);
    s_put_char (row, ',');
    s_put_list (row, a->present, (const char *const *)records_regions, SYNTH_REGIONS);
    s_put_char (row, ',');
    s_put_list (row, a->licensed, (const char *const *)records_regions, SYNTH_REGIONS);
    s_put_char (row, ',');
    s_put_fixed (row, a->adoption_pct, 1);
    s_put_char (row, ',');
    s_put_fixed (row, a->usage_growth_pct, 1);
    s_put_char (row, ',');
    s_put_fixed (row, a->usage_limit_pct, 1);
    s_put_char (row, ',');
    s_put_fixed (row, a->nps, 0);
    s_put_char (row, ',');
    s_put_uint (row, a->tickets);
    s_put_char (row, ',');
    s_put_id (row, "CSM-", csm + 1, 3);
    s_put_char (row, ',');
    s_put (row, a->champion ? "yes" : "no");
    s_put_char (row, ',');
    s_put (row, a->sponsor ? "yes" : "no");
    s_put_char (row, ',');
    if (a->stakeholder_days >= 0)
        s_put_uint (row, (uint64_t)a->stakeholder_days);
    s_put_char (row, ',');
    s_put_date (row, a->renewal_day);
    s_put_char (row, ',');
    s_put_date (row, a->contract_day);
    s_end_row (row);
}

static void
s_write_truth (synth_t *self, s_row_t *row, const s_account_t *a, const double *p,
               const double *deal, int width)
{
    s_put_account_id (row, a->index, width);
    s_put_char (row, ',');
    s_put (row, records_segments[a->segment]);
    s_put_char (row, ',');
    s_put_fixed (row, a->engagement, 4);
    s_put_char (row, ',');
    s_put_fixed (row, a->growth, 4);
    for (int play = 0; play < SYNTH_PLAYS; play++) {
        s_put_char (row, ',');
        s_put_fixed (row, p[play], 6);
    }
    s_put_char (row, ',');
    s_put_fixed (row, s_expand_probability (p), 6);
    s_put_char (row, ',');
    s_put_fixed (row, p[MODEL_CHURN], 6);
    for (int play = 0; play < SYNTH_PLAYS; play++) {
        s_put_char (row, ',');
        s_put_fixed (row, deal[play], 0);
    }
    s_put_char (row, ',');
    int module = s_next_module (self, a->modules);
    if (module >= 0)
        s_put (row, s_modules[module].name);
    s_put_char (row, ',');
    int region = s_next_region (a);
    if (region >= 0)
        s_put (row, records_regions[region]);
    s_end_row (row);
}

#define LABEL_MAX 32

/*  Past campaign labels: "2026-H1" (or "2026-Q2" when campaigns are under 120 days
    apart), by the campaign's start; "2026-04" where two would share a label. */
static void
s_campaign_labels (const synth_params_t *p, char (*labels)[LABEL_MAX], int count)
{
    for (int k = 0; k < count; k++) {
        char date[DATE_TEXT_MAX];
        date_format (p->start_day - (k + 1) * p->history_spacing_days, date);
        int year = atoi (date), month = atoi (date + 5);
        if (p->history_spacing_days >= 120)
            snprintf (labels[k], LABEL_MAX, "%04d-H%d", year, month <= 6 ? 1 : 2);
        else
            snprintf (labels[k], LABEL_MAX, "%04d-Q%d", year, (month - 1) / 3 + 1);
        for (int earlier = 0; earlier < k; earlier++)
            if (strcmp (labels[k], labels[earlier]) == 0) {
                snprintf (labels[k], LABEL_MAX, "%.7s", date); /* months are 35+ days apart */
                break;
            }
    }
}

static uint64_t
s_write_history (synth_t *self, s_row_t *row, const s_account_t *a, const double *p,
                 const double *deal, char (*labels)[LABEL_MAX], int width)
{
    const synth_params_t *params = &self->params;
    if (params->history_campaigns <= 0 || self->rates.expand_rate <= 0)
        return 0;
    rng_t rng;
    s_rng_seed (&rng, params->seed, STREAM_HISTORY, a->index);
    double worked =
        fmin (0.95, params->history_share * s_expand_probability (p) / self->rates.expand_rate);
    uint64_t records = 0;
    for (int k = 0; k < params->history_campaigns; k++) {
        int32_t start = params->start_day - (k + 1) * params->history_spacing_days;
        if (a->contract_day > start || rng_unit (&rng) >= worked)
            continue;
        int play = s_pick (&rng, p, SYNTH_PLAYS);
        if (p[play] <= 0)
            continue;
        bool won = rng_unit (&rng) < p[play];
        int32_t opened =
            start + HISTORY_OPEN_FIRST_DAY + (int32_t)rng_below (&rng, HISTORY_OPEN_DAYS);
        int lo = params->cycle_days[play][0], hi = params->cycle_days[play][1];
        double cycle = lo + (double)rng_below (&rng, (uint32_t)(hi - lo + 1));
        if (!won)
            cycle = fmax (1.0, round (cycle * (0.4 + 0.6 * rng_unit (&rng))));
        int32_t closed = opened + (int32_t)cycle;
        int32_t limit = start + params->history_spacing_days - 1;
        if (limit > params->start_day - 1)
            limit = params->start_day - 1;
        if (closed > limit)
            closed = limit;
        double amount = 0;
        if (won)
            amount = fmax (10.0, round (deal[play] * (0.8 + 0.4 * rng_unit (&rng)) / 10) * 10);
        s_put_account_id (row, a->index, width);
        s_put_char (row, ',');
        s_put (row, labels[k]);
        s_put_char (row, ',');
        s_put (row, s_play_names[play]);
        s_put_char (row, ',');
        s_put (row, won ? "won" : "lost");
        s_put_char (row, ',');
        s_put_fixed (row, amount, 0);
        s_put_char (row, ',');
        s_put_date (row, opened);
        s_put_char (row, ',');
        s_put_date (row, closed);
        s_end_row (row);
        records++;
    }
    return records;
}

static void
s_write_model (synth_t *self, FILE *out, const synth_counts_t *counts)
{
    const synth_params_t *p = &self->params;
    const synth_rates_t *r = &self->rates;
    char start[DATE_TEXT_MAX];
    fprintf (out, "# The truth behind this portfolio\n\n");
    fprintf (out,
             "campaign-gen, seed %llu, %llu accounts, start %s, %d past campaign(s): %llu "
             "people, %llu history records.\nThe model is documented in tools/gen/synth.h; "
             "this page records what this run calibrated (on %llu accounts).\n\n",
             (unsigned long long)p->seed, (unsigned long long)counts->accounts,
             date_format (p->start_day, start), p->history_campaigns,
             (unsigned long long)counts->people, (unsigned long long)counts->history_records,
             (unsigned long long)r->sample);
    fprintf (out,
             "p_X = logistic (intercept + sum_k weight_k z_k), z_k = (x_k - mean_k) / "
             "sd_k; sharpness s = %.4f is folded into the play weights below.\n\n",
             r->sharpness);
    fprintf (out, "| feature | mean | sd | seat | tier | cross-sell | geo | churn |\n");
    fprintf (out, "|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int f = 0; f < FEATURES; f++) {
        fprintf (out, "| %s | %.4f | %.4f", s_feature_names[f], self->mean[f], self->sd[f]);
        for (int m = 0; m < MODELS; m++)
            fprintf (out, " | %.4f", s_weights[m][f] * (m == MODEL_CHURN ? 1.0 : r->sharpness));
        fprintf (out, " |\n");
    }
    fprintf (out, "| intercept | | |");
    for (int m = 0; m < MODELS; m++)
        fprintf (out, " %.4f |", r->intercept[m]);
    fprintf (out, "\n\n## Base rates\n\n");
    fprintf (out,
             "| play | possible for | targeted (top %.0f%%) mean p | target | mean p, all | "
             "opportunities per 1,500 in %s (p >= %.2f) |\n",
             p->high_propensity_share * 100, records_segments[p->target_segment],
             p->opportunity_probability);
    fprintf (out, "|---|---:|---:|---:|---:|---:|\n");
    for (int play = 0; play < SYNTH_PLAYS; play++)
        fprintf (out, "| %s | %.1f%% | %.3f | %.3f | %.3f | %.1f |\n", s_play_names[play],
                 r->possible_share[play] * 100, r->targeted_rate[play], p->win_rate[play],
                 r->mean_rate[play], r->opportunities[play]);
    fprintf (out,
             "\nOpportunities per 1,500 accounts in %s: %.1f (target %.0f). Mean p_expand "
             "(any play): %.3f. Mean p_churn: %.3f (target %.3f).\n",
             records_segments[p->target_segment], r->opportunities_total,
             p->opportunities_per_1500, r->expand_rate, r->churn_rate, p->churn_rate);
}

int
synth_write (synth_t *self, const char *dir, synth_counts_t *counts, err_t *err)
{
    int rc = synth_calibrate (self, err);
    if (rc)
        return rc;
    const synth_params_t *params = &self->params;
    s_files_t files;
    memset (&files, 0, sizeof files);
    char (*labels)[LABEL_MAX] = NULL;
    synth_counts_t done = {0, 0, 0};
    rc = s_files_open (&files, dir, err);
    if (rc)
        goto cleanup;
    labels = calloc ((size_t)(params->history_campaigns > 0 ? params->history_campaigns : 1),
                     sizeof *labels);
    if (!labels) {
        rc = err_set (err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    s_campaign_labels (params, labels, params->history_campaigns);
    s_write_headers (&files);
    done.people = s_write_roster (self, &files);

    int width = 4;
    for (uint64_t n = params->accounts; n > 9999; n /= 10)
        width++;
    uint64_t assigned[SYNTH_REGIONS] = {0};
    s_row_t *rows = malloc (3 * sizeof *rows);
    if (!rows) {
        rc = err_set (err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    rows[0].file = files.file[OUT_ACCOUNTS];
    rows[1].file = files.file[OUT_TRUTH];
    rows[2].file = files.file[OUT_HISTORY];
    rows[0].len = rows[1].len = rows[2].len = 0;
    for (uint64_t i = 0; i < params->accounts; i++) {
        s_account_t a;
        double p[MODELS], deal[SYNTH_PLAYS];
        s_account_draw (self, i, &a);
        s_probabilities (self, &a, p);
        s_deal_sizes (self, &a, deal);
        int r = a.region;
        uint64_t csm = self->csm_first[r] + assigned[r]++ % self->csm_count[r];
        s_write_account (&rows[0], &a, csm, width);
        s_write_truth (self, &rows[1], &a, p, deal, width);
        done.history_records += s_write_history (self, &rows[2], &a, p, deal, labels, width);
    }
    free (rows);
    done.accounts = params->accounts;
    s_write_model (self, files.file[OUT_MODEL], &done);
cleanup:
    free (labels);
    rc = s_files_close (&files, rc, err);
    if (rc == 0 && counts)
        *counts = done;
    return rc;
}
