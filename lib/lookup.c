/*  lookup.c: accounts and health by id (lookup.h). */
#include "lookup.h"

#include <stdlib.h>
#include <string.h>

struct _lookup_t {
    const Campaign__Account **accounts;
    size_t n_accounts;
    const Campaign__AccountHealth **health;
    size_t n_health;
};

static int
s_by_account (const void *a, const void *b)
{
    const Campaign__Account *x = *(const Campaign__Account *const *)a;
    const Campaign__Account *y = *(const Campaign__Account *const *)b;
    return strcmp (x->account_id ? x->account_id : "", y->account_id ? y->account_id : "");
}

static int
s_by_health (const void *a, const void *b)
{
    const Campaign__AccountHealth *x = *(const Campaign__AccountHealth *const *)a;
    const Campaign__AccountHealth *y = *(const Campaign__AccountHealth *const *)b;
    return strcmp (x->account_id ? x->account_id : "", y->account_id ? y->account_id : "");
}

lookup_t *
lookup_new (const Campaign__TaskInput *input)
{
    lookup_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->accounts = malloc ((input->n_accounts + 1) * sizeof *self->accounts);
    self->health = malloc ((input->n_health + 1) * sizeof *self->health);
    if (!self->accounts || !self->health) {
        lookup_destroy (&self);
        return NULL;
    }
    for (size_t i = 0; i < input->n_accounts; i++)
        self->accounts[i] = input->accounts[i];
    for (size_t i = 0; i < input->n_health; i++)
        self->health[i] = input->health[i];
    self->n_accounts = input->n_accounts;
    self->n_health = input->n_health;
    qsort (self->accounts, self->n_accounts, sizeof *self->accounts, s_by_account);
    qsort (self->health, self->n_health, sizeof *self->health, s_by_health);
    return self;
}

void
lookup_destroy (lookup_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->accounts);
    free ((*self_p)->health);
    free (*self_p);
    *self_p = NULL;
}

const Campaign__Account *
lookup_account (const lookup_t *self, const char *account_id)
{
    if (!account_id)
        return NULL;
    Campaign__Account key = CAMPAIGN__ACCOUNT__INIT;
    key.account_id = (char *)account_id;
    const Campaign__Account *k = &key;
    const Campaign__Account **hit =
        bsearch (&k, self->accounts, self->n_accounts, sizeof *self->accounts, s_by_account);
    return hit ? *hit : NULL;
}

const Campaign__AccountHealth *
lookup_health (const lookup_t *self, const char *account_id)
{
    if (!account_id)
        return NULL;
    Campaign__AccountHealth key = CAMPAIGN__ACCOUNT_HEALTH__INIT;
    key.account_id = (char *)account_id;
    const Campaign__AccountHealth *k = &key;
    const Campaign__AccountHealth **hit =
        bsearch (&k, self->health, self->n_health, sizeof *self->health, s_by_health);
    return hit ? *hit : NULL;
}
