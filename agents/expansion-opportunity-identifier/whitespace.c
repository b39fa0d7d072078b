/*  whitespace.c: the catalogue and the whitespace rules (see whitespace.h). */
#include "whitespace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const whitespace_types[WS_TYPES] = {"seat", "tier", "cross-sell", "geo"};

#define WS_MAX_ITEMS 16
#define WS_NAME_MAX  32

typedef struct {
    char name[WS_NAME_MAX];
    double price;
} s_item_t;

struct _whitespace_t {
    s_item_t tiers[WS_MAX_ITEMS];
    int n_tiers;
    s_item_t modules[WS_MAX_ITEMS];
    int n_modules;
    double adjacency[WS_MAX_ITEMS][WS_MAX_ITEMS]; /* [owned][offered] */
    s_item_t regions[WS_MAX_ITEMS];
    int n_regions;
    double seat_min_utilisation;
    double seat_min_growth_pct;
    double seat_max_penetration;
    double seat_base_share;
    double seat_max_share;
    double tier_near_limit_pct;
    double tier_high_adoption_pct;
    bool cross_sell_require_health;
};

/*  Defaults: equal to config/campaign.cfg's catalogue. */
static const s_item_t s_default_tiers[] = {
    {"starter", 240}, {"professional", 420}, {"enterprise", 660}, {"enterprise-plus", 960}};
static const s_item_t s_default_modules[] = {{"core", 0},      {"analytics", 96},
                                             {"workflow", 84}, {"automation", 120},
                                             {"security", 72}, {"integrations", 48}};
static const char *const s_default_adjacency[][2] = {
    {"core", "analytics"},         {"core", "workflow"},         {"analytics", "core"},
    {"analytics", "integrations"}, {"workflow", "core"},         {"workflow", "automation"},
    {"workflow", "integrations"},  {"automation", "workflow"},   {"automation", "security"},
    {"security", "automation"},    {"security", "integrations"}, {"integrations", "analytics"},
    {"integrations", "workflow"},  {"integrations", "security"}};
static const s_item_t s_default_regions[] = {
    {"americas", 24000}, {"emea", 24000}, {"apac", 24000}};

static int
s_find (const s_item_t *items, int n, const char *name)
{
    for (int i = 0; name && i < n; i++)
        if (strcmp (items[i].name, name) == 0)
            return i;
    return -1;
}

int
whitespace_type_index (const char *name)
{
    for (int t = 0; name && t < WS_TYPES; t++)
        if (strcmp (whitespace_types[t], name) == 0)
            return t;
    return -1;
}

/*  A list ( { name = "..."; <price_key> = N; }, ... ) into items. */
static int
s_load_items (conf_t *conf, const char *path, const char *price_key, s_item_t *items, int *n,
              err_t *err)
{
    config_setting_t *list = conf_lookup (conf, path);
    if (!list)
        return 0;
    char where[256];
    conf_where (conf, list, where, sizeof where);
    if (config_setting_type (list) != CONFIG_TYPE_LIST || config_setting_length (list) == 0 ||
        config_setting_length (list) > WS_MAX_ITEMS)
        return err_set (
            err, ERR_INVALID,
            "%s: %s must be a list of 1..%d groups ( { name = \"...\"; %s = ...; } )", where,
            path, WS_MAX_ITEMS, price_key);
    int count = config_setting_length (list);
    for (int i = 0; i < count; i++) {
        config_setting_t *item = config_setting_get_elem (list, i);
        conf_where (conf, item, where, sizeof where);
        const char *name = NULL;
        double price = 0;
        if (!config_setting_lookup_string (item, "name", &name) || !*name ||
            strlen (name) >= WS_NAME_MAX)
            return err_set (err, ERR_INVALID, "%s: %s item %d needs a name", where, path,
                            i + 1);
        if (!config_setting_lookup_float (item, price_key, &price) || !isfinite (price) ||
            price < 0)
            return err_set (
                err, ERR_INVALID,
                "%s: %s '%s' needs %s = a price >= 0 in dollars per year (as 240.0)", where,
                path, name, price_key);
        if (s_find (items, i, name) >= 0)
            return err_set (err, ERR_INVALID, "%s: %s lists '%s' twice", where, path, name);
        snprintf (items[i].name, sizeof items[i].name, "%s", name);
        items[i].price = price;
    }
    *n = count;
    return 0;
}

static int
s_load_adjacency (whitespace_t *self, conf_t *conf, err_t *err)
{
    config_setting_t *group = conf_lookup (conf, "catalog.adjacency");
    if (!group) {
        for (size_t i = 0; i < sizeof s_default_adjacency / sizeof s_default_adjacency[0];
             i++) {
            int from = s_find (self->modules, self->n_modules, s_default_adjacency[i][0]);
            int to = s_find (self->modules, self->n_modules, s_default_adjacency[i][1]);
            if (from >= 0 && to >= 0)
                self->adjacency[from][to] = 1.0;
        }
        return 0;
    }
    char where[256];
    if (config_setting_type (group) != CONFIG_TYPE_GROUP)
        return err_set (
            err, ERR_INVALID,
            "%s: catalog.adjacency must be a group ( core = { analytics = 1.0; }; )",
            conf_where (conf, group, where, sizeof where));
    for (int i = 0; i < config_setting_length (group); i++) {
        config_setting_t *row = config_setting_get_elem (group, i);
        const char *owned = config_setting_name (row);
        conf_where (conf, row, where, sizeof where);
        int from = s_find (self->modules, self->n_modules, owned);
        if (from < 0)
            return err_set (err, ERR_INVALID,
                            "%s: catalog.adjacency names module '%s', which is not in "
                            "catalog.modules",
                            where, owned);
        if (config_setting_type (row) != CONFIG_TYPE_GROUP)
            return err_set (err, ERR_INVALID,
                            "%s: catalog.adjacency.%s must be a group of module = weight",
                            where, owned);
        for (int j = 0; j < config_setting_length (row); j++) {
            config_setting_t *cell = config_setting_get_elem (row, j);
            const char *offered = config_setting_name (cell);
            conf_where (conf, cell, where, sizeof where);
            int to = s_find (self->modules, self->n_modules, offered);
            if (to < 0)
                return err_set (err, ERR_INVALID,
                                "%s: catalog.adjacency.%s names module '%s', which is not in "
                                "catalog.modules",
                                where, owned, offered);
            int type = config_setting_type (cell);
            double weight = type == CONFIG_TYPE_FLOAT ? config_setting_get_float (cell)
                            : type == CONFIG_TYPE_INT ? config_setting_get_int (cell)
                                                      : -1;
            if (!(weight >= 0 && weight <= 1))
                return err_set (err, ERR_INVALID,
                                "%s: catalog.adjacency.%s.%s must be a weight 0..1", where,
                                owned, offered);
            self->adjacency[from][to] = weight;
        }
    }
    return 0;
}

int
whitespace_load (conf_t *conf, whitespace_t **out, err_t *err)
{
    whitespace_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    memcpy (self->tiers, s_default_tiers, sizeof s_default_tiers);
    self->n_tiers = sizeof s_default_tiers / sizeof s_default_tiers[0];
    memcpy (self->modules, s_default_modules, sizeof s_default_modules);
    self->n_modules = sizeof s_default_modules / sizeof s_default_modules[0];
    memcpy (self->regions, s_default_regions, sizeof s_default_regions);
    self->n_regions = sizeof s_default_regions / sizeof s_default_regions[0];
    int rc = s_load_items (conf, "catalog.tiers", "price_per_seat", self->tiers, &self->n_tiers,
                           err);
    if (!rc)
        rc = s_load_items (conf, "catalog.modules", "price_per_seat", self->modules,
                           &self->n_modules, err);
    if (!rc)
        rc = s_load_items (conf, "catalog.regions", "price", self->regions, &self->n_regions,
                           err);
    if (!rc)
        rc = s_load_adjacency (self, conf, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.whitespace.seats.min_utilisation", 0.70, 0, 2,
                                &self->seat_min_utilisation, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.whitespace.seats.min_growth_pct", 5.0, -100,
                                1000, &self->seat_min_growth_pct, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.whitespace.seats.max_penetration", 0.50, 0, 1,
                                &self->seat_max_penetration, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.whitespace.seats.base_share", 0.10, 0, 10,
                                &self->seat_base_share, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.whitespace.seats.max_share", 0.50, 0, 10,
                                &self->seat_max_share, err);
    if (!rc && self->seat_max_share < self->seat_base_share)
        rc = err_set (err, ERR_INVALID,
                      "identifier.whitespace.seats: max_share (%g) is below base_share (%g)",
                      self->seat_max_share, self->seat_base_share);
    if (!rc)
        rc = conf_double_range (conf, "identifier.whitespace.tier.near_limit_pct", 80.0, 0,
                                1000, &self->tier_near_limit_pct, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.whitespace.tier.high_adoption_pct", 65.0, 0,
                                100, &self->tier_high_adoption_pct, err);
    if (!rc)
        rc = conf_bool (conf, "identifier.whitespace.cross_sell.require_health", false,
                        &self->cross_sell_require_health, err);
    if (rc)
        whitespace_destroy (&self);
    else
        *out = self;
    return rc;
}

void
whitespace_destroy (whitespace_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

static bool
s_owns (const Campaign__Account *account, const char *module)
{
    for (size_t i = 0; i < account->n_products; i++)
        if (strcmp (account->products[i], module) == 0)
            return true;
    return false;
}

/*  The largest adjacency weight from a module owned to module m. */
static double
s_adjacency (const whitespace_t *self, const Campaign__Account *account, int m)
{
    double best = 0;
    for (size_t i = 0; i < account->n_products; i++) {
        int from = s_find (self->modules, self->n_modules, account->products[i]);
        if (from >= 0 && self->adjacency[from][m] > best)
            best = self->adjacency[from][m];
    }
    return best;
}

double
whitespace_adjacent_modules (const whitespace_t *self, const Campaign__Account *account)
{
    double count = 0;
    for (int m = 0; m < self->n_modules; m++)
        if (!s_owns (account, self->modules[m].name) && s_adjacency (self, account, m) > 0)
            count++;
    return count;
}

static void
s_seats (const whitespace_t *self, const Campaign__Account *a, int tier,
         whitespace_potential_t *out)
{
    double purchased = a->seats_purchased;
    if (tier < 0 || purchased <= 0) {
        snprintf (out->why[WS_SEAT], sizeof out->why[WS_SEAT], "no seats or unknown tier");
        return;
    }
    double utilisation = a->seats_active / purchased;
    double penetration = a->employees > 0 ? purchased / a->employees : 1;
    bool growing = a->employee_growth_pct >= self->seat_min_growth_pct;
    bool room = penetration <= self->seat_max_penetration;
    double headroom = (double)a->employees - purchased;
    if (utilisation < self->seat_min_utilisation || (!growing && !room) || headroom < 1) {
        snprintf (out->why[WS_SEAT], sizeof out->why[WS_SEAT],
                  "utilisation %.0f%%, headcount %+.1f%%, penetration %.0f%%: no seat case",
                  100 * utilisation, a->employee_growth_pct, 100 * penetration);
        return;
    }
    double share = self->seat_base_share + fmax (0, a->employee_growth_pct) / 100;
    share = fmin (fmax (share, self->seat_base_share), self->seat_max_share);
    double added = fmax (1, round (purchased * share));
    added = fmin (added, headroom);
    out->arr[WS_SEAT] = added * self->tiers[tier].price;
    snprintf (out->why[WS_SEAT], sizeof out->why[WS_SEAT],
              "%.0f more seats at $%.0f (utilisation %.0f%%, headcount %+.1f%%, penetration "
              "%.0f%%)",
              added, self->tiers[tier].price, 100 * utilisation, a->employee_growth_pct,
              100 * penetration);
}

static void
s_tier (const whitespace_t *self, const Campaign__Account *a, int tier,
        whitespace_potential_t *out)
{
    if (tier < 0 || tier + 1 >= self->n_tiers) {
        snprintf (out->why[WS_TIER], sizeof out->why[WS_TIER], "%s",
                  tier < 0 ? "unknown tier" : "already on the top tier");
        return;
    }
    bool near_limit = a->usage_limit_pct >= self->tier_near_limit_pct;
    bool adopted = a->feature_adoption_pct >= self->tier_high_adoption_pct;
    if (!near_limit && !adopted && !out->premium_asks) {
        snprintf (out->why[WS_TIER], sizeof out->why[WS_TIER],
                  "usage %.0f%% of the limit, adoption %.0f%%: no tier case",
                  a->usage_limit_pct, a->feature_adoption_pct);
        return;
    }
    double uplift = self->tiers[tier + 1].price - self->tiers[tier].price;
    out->arr[WS_TIER] = uplift * a->seats_purchased;
    snprintf (out->why[WS_TIER], sizeof out->why[WS_TIER],
              "%s -> %s: $%.0f x %u seats (usage %.0f%% of the limit, adoption %.0f%%%s)",
              self->tiers[tier].name, self->tiers[tier + 1].name, uplift, a->seats_purchased,
              a->usage_limit_pct, a->feature_adoption_pct,
              out->premium_asks ? ", premium features requested" : "");
}

static void
s_cross_sell (const whitespace_t *self, const Campaign__Account *a,
              const Campaign__AccountHealth *health, whitespace_potential_t *out)
{
    bool healthy = health ? health->band && strcmp (health->band, "healthy") == 0
                          : !self->cross_sell_require_health;
    if (!healthy) {
        snprintf (out->why[WS_CROSS_SELL], sizeof out->why[WS_CROSS_SELL],
                  "not a healthy account (%s)",
                  health && health->band ? health->band : "no score");
        return;
    }
    int best = -1;
    double best_arr = 0;
    for (int m = 0; m < self->n_modules; m++) {
        if (s_owns (a, self->modules[m].name))
            continue;
        double arr = s_adjacency (self, a, m) * self->modules[m].price * a->seats_purchased;
        if (arr > best_arr) {
            best_arr = arr;
            best = m;
        }
    }
    if (best < 0) {
        snprintf (out->why[WS_CROSS_SELL], sizeof out->why[WS_CROSS_SELL],
                  "no adjacent module left to offer");
        return;
    }
    out->arr[WS_CROSS_SELL] = best_arr;
    snprintf (out->module, sizeof out->module, "%s", self->modules[best].name);
    snprintf (out->why[WS_CROSS_SELL], sizeof out->why[WS_CROSS_SELL],
              "%s: adjacency %.2f x $%.0f x %u seats", self->modules[best].name,
              s_adjacency (self, a, best), self->modules[best].price, a->seats_purchased);
}

static void
s_geo (const whitespace_t *self, const Campaign__Account *a, whitespace_potential_t *out)
{
    size_t used = 0;
    out->why[WS_GEO][0] = '\0';
    for (size_t i = 0; i < a->n_regions_present; i++) {
        bool licensed = false;
        for (size_t j = 0; j < a->n_regions_licensed; j++)
            licensed |= strcmp (a->regions_present[i], a->regions_licensed[j]) == 0;
        int r = s_find (self->regions, self->n_regions, a->regions_present[i]);
        if (licensed || r < 0)
            continue;
        out->arr[WS_GEO] += self->regions[r].price;
        used += snprintf (out->why[WS_GEO] + used, sizeof out->why[WS_GEO] - used, "%s%s $%.0f",
                          used ? ", " : "present, not licensed: ", self->regions[r].name,
                          self->regions[r].price);
        if (used >= sizeof out->why[WS_GEO])
            used = sizeof out->why[WS_GEO] - 1;
    }
    if (out->arr[WS_GEO] <= 0)
        snprintf (out->why[WS_GEO], sizeof out->why[WS_GEO],
                  "every region present is licensed");
}

void
whitespace_potential (const whitespace_t *self, const Campaign__Account *account,
                      const Campaign__AccountHealth *health, size_t feature_requests,
                      whitespace_potential_t *out)
{
    memset (out, 0, sizeof *out);
    out->premium_asks = feature_requests > 0;
    out->adjacent = whitespace_adjacent_modules (self, account);
    int tier = s_find (self->tiers, self->n_tiers, account->tier);
    s_seats (self, account, tier, out);
    s_tier (self, account, tier, out);
    s_cross_sell (self, account, health, out);
    s_geo (self, account, out);
}
