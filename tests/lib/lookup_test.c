/*  lookup_test.c: accounts and health of a TaskInput found by id, in any input order. */
#include "test_support.h"

#include "lookup.h"

TS_SUITE (lookup);

Test (lookup, finds_accounts_and_health_by_id)
{
    Campaign__Account a[3];
    Campaign__Account *accounts[3];
    const char *ids[3] = {"A-3", "A-1", "A-2"};
    for (int i = 0; i < 3; i++) {
        campaign__account__init (&a[i]);
        a[i].account_id = (char *)ids[i];
        accounts[i] = &a[i];
    }
    Campaign__AccountHealth h;
    Campaign__AccountHealth *health[1] = {&h};
    campaign__account_health__init (&h);
    h.account_id = (char *)"A-2";
    h.score = 71;
    Campaign__TaskInput input = CAMPAIGN__TASK_INPUT__INIT;
    input.accounts = accounts;
    input.n_accounts = 3;
    input.health = health;
    input.n_health = 1;
    lookup_t *lookup = lookup_new (&input);
    cr_assert_not_null (lookup);
    for (int i = 0; i < 3; i++)
        cr_expect_eq (lookup_account (lookup, ids[i]), &a[i], "%s", ids[i]);
    cr_expect_null (lookup_account (lookup, "A-4"));
    cr_expect_null (lookup_account (lookup, NULL));
    cr_expect_eq (lookup_health (lookup, "A-2"), &h);
    cr_expect_null (lookup_health (lookup, "A-1"), "not scored");
    lookup_destroy (&lookup);
    lookup_destroy (&lookup); /* NULL-safe */
    cr_expect_null (lookup);

    Campaign__TaskInput empty = CAMPAIGN__TASK_INPUT__INIT;
    lookup = lookup_new (&empty);
    cr_assert_not_null (lookup);
    cr_expect_null (lookup_account (lookup, "A-1"));
    lookup_destroy (&lookup);
}
