/*  records_test.c: importing accounts, roster and history (all or nothing, errors that
    name file, line, column and value) and checking single records off the wire. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"

TS_SUITE (records);

static const char s_accounts_header[] =
    "account_id,name,segment,region,industry,arr,seats_purchased,seats_active,employees,"
    "employee_growth_pct,tier,products,regions_present,regions_licensed,"
    "feature_adoption_pct,usage_growth_pct,usage_limit_pct,nps,support_tickets_90d,csm,"
    "champion,exec_sponsor,stakeholder_change_days,renewal_date,contract_start\n";

/*  One good accounts row with id `id`; callers patch it for bad cases. */
static void
s_account_row (char *buf, size_t size, const char *id, const char *nps)
{
    snprintf (buf, size,
              "%s,Acme,smb,emea,Retail,1000,10,8,50,5,starter,core,emea,emea,50,10,80,%s,1,"
              "P-001,yes,no,,2026-01-01,2025-01-01\n",
              id, nps);
}

static void
s_assert_mentions (const err_t *err, const char *const *fragments)
{
    for (size_t i = 0; fragments[i]; i++)
        cr_assert (strstr (err->msg, fragments[i]), "'%s' not in '%s'", fragments[i], err->msg);
}

/*  Messages name the file by the path given; the tests' files live in a temp dir, so
    compare what follows it. */
static void
s_assert_ends_with (const err_t *err, const char *expected)
{
    size_t len = strlen (err->msg), want = strlen (expected);
    cr_assert (len >= want && strcmp (err->msg + len - want, expected) == 0 &&
                   (len == want || err->msg[len - want - 1] == '/'),
               "'%s' does not end with '/%s'", err->msg, expected);
}

/*  Load accounts from text written to a temp file `name`; returns rc, fills err. */
static int
s_load_accounts_text (const char *name, const char *text, Campaign__ImportPortfolio **out,
                      err_t *err)
{
    char *dir = ts_tempdir ();
    cr_assert_not_null (dir);
    char *path = ts_write_file (dir, name, text);
    cr_assert_not_null (path);
    int rc = records_load_accounts (path, out, err);
    free (path);
    ts_tempdir_remove (&dir);
    return rc;
}

static int
s_load_roster_text (const char *text, Campaign__ImportRoster **out, err_t *err)
{
    char *dir = ts_tempdir ();
    char *path = ts_write_file (dir, "roster.csv", text);
    int rc = records_load_roster (path, out, err);
    free (path);
    ts_tempdir_remove (&dir);
    return rc;
}

static int
s_load_history_text (const char *text, Campaign__ImportHistory **out, err_t *err)
{
    char *dir = ts_tempdir ();
    char *path = ts_write_file (dir, "history.csv", text);
    int rc = records_load_history (path, out, err);
    free (path);
    ts_tempdir_remove (&dir);
    return rc;
}

Test (records, loads_small_portfolio)
{
    char *path = ts_data_path ("accounts_small.csv");
    Campaign__ImportPortfolio *import = NULL;
    err_t err = {0};
    cr_assert_eq (records_load_accounts (path, &import, &err), 0, "%s", err.msg);
    cr_assert_str_eq (import->source, "accounts_small.csv");
    cr_assert_eq (import->n_accounts, 5);

    Campaign__Account *a = import->accounts[0];
    cr_assert_str_eq (a->account_id, "A-0001");
    cr_assert_str_eq (a->name, "Northwind Traders, Inc.");
    cr_assert_str_eq (a->segment, "mid-market");
    cr_assert_str_eq (a->region, "americas");
    cr_assert_str_eq (a->industry, "Retail");
    cr_assert (a->has_arr);
    cr_assert_float_eq (a->arr, 84000.0, 1e-9);
    cr_assert (a->has_seats_purchased && a->seats_purchased == 120);
    cr_assert (a->has_seats_active && a->seats_active == 112);
    cr_assert (a->has_employees && a->employees == 850);
    cr_assert (a->has_employee_growth_pct);
    cr_assert_float_eq (a->employee_growth_pct, 12.5, 1e-9);
    cr_assert_str_eq (a->tier, "professional");
    cr_assert_eq (a->n_products, 2);
    cr_assert_str_eq (a->products[0], "core");
    cr_assert_str_eq (a->products[1], "analytics");
    cr_assert_eq (a->n_regions_present, 2);
    cr_assert_str_eq (a->regions_present[1], "emea");
    cr_assert_eq (a->n_regions_licensed, 1);
    cr_assert (a->has_feature_adoption_pct && a->has_usage_growth_pct &&
               a->has_usage_limit_pct);
    cr_assert (a->has_nps && a->nps == 42);
    cr_assert (a->has_support_tickets_90d && a->support_tickets_90d == 7);
    cr_assert_str_eq (a->csm, "P-001");
    cr_assert (a->has_champion && a->champion);
    cr_assert (a->has_exec_sponsor && a->exec_sponsor);
    cr_assert_eq (a->has_stakeholder_change_days, 0, "empty cell: no change on record");
    cr_assert_str_eq (a->renewal_date, "2026-03-31");
    cr_assert_str_eq (a->contract_start, "2023-04-01");

    Campaign__Account *b = import->accounts[1];
    cr_assert (b->has_stakeholder_change_days);
    cr_assert_eq (b->stakeholder_change_days, 45);
    cr_assert (b->has_exec_sponsor && !b->exec_sponsor);
    cr_assert (b->has_usage_growth_pct);
    cr_assert_float_eq (b->usage_growth_pct, -4.0, 1e-9);
    cr_assert_eq (b->n_products, 3);

    Campaign__Account *d = import->accounts[3];
    cr_assert_str_eq (d->industry, "", "industry may be empty");
    cr_assert_eq (d->nps, -18);
    cr_assert_str_eq (import->accounts[4]->name, "Castell \"Grupo\" SA");
    cr_assert_eq (import->accounts[4]->n_products, 4);

    for (size_t i = 0; i < import->n_accounts; i++)
        cr_assert_eq (records_check_account (import->accounts[i], &err), 0, "%s", err.msg);
    campaign__import_portfolio__free_unpacked (import, NULL);
    free (path);
}

Test (records, portfolio_survives_the_wire)
{
    char *path = ts_data_path ("accounts_small.csv");
    Campaign__ImportPortfolio *import = NULL;
    err_t err = {0};
    cr_assert_eq (records_load_accounts (path, &import, &err), 0, "%s", err.msg);
    size_t size = campaign__import_portfolio__get_packed_size (import);
    uint8_t *buf = malloc (size);
    cr_assert_not_null (buf);
    campaign__import_portfolio__pack (import, buf);
    Campaign__ImportPortfolio *copy = campaign__import_portfolio__unpack (NULL, size, buf);
    cr_assert_not_null (copy);
    cr_assert_eq (copy->n_accounts, 5);
    for (size_t i = 0; i < copy->n_accounts; i++)
        cr_assert_eq (records_check_account (copy->accounts[i], &err), 0, "%s", err.msg);
    cr_assert_eq (copy->accounts[0]->has_stakeholder_change_days, 0);
    cr_assert_str_eq (copy->accounts[2]->region, "apac");
    campaign__import_portfolio__free_unpacked (copy, NULL);
    campaign__import_portfolio__free_unpacked (import, NULL);
    free (buf);
    free (path);
}

Test (records, loads_small_roster_and_history)
{
    char *roster_path = ts_data_path ("roster_small.csv");
    char *history_path = ts_data_path ("history_small.csv");
    Campaign__ImportRoster *roster = NULL;
    Campaign__ImportHistory *history = NULL;
    err_t err = {0};

    cr_assert_eq (records_load_roster (roster_path, &roster, &err), 0, "%s", err.msg);
    cr_assert_str_eq (roster->source, "roster_small.csv");
    cr_assert_eq (roster->n_people, 6);
    cr_assert_str_eq (roster->people[2]->person_id, "P-003");
    cr_assert_str_eq (roster->people[2]->role, "csm");
    cr_assert (roster->people[2]->has_capacity_hours_per_week);
    cr_assert_float_eq (roster->people[2]->capacity_hours_per_week, 32.5, 1e-9);
    cr_assert_str_eq (roster->people[5]->region, "global");
    for (size_t i = 0; i < roster->n_people; i++)
        cr_assert_eq (records_check_person (roster->people[i], &err), 0, "%s", err.msg);

    cr_assert_eq (records_load_history (history_path, &history, &err), 0, "%s", err.msg);
    cr_assert_eq (history->n_records, 5);
    Campaign__HistoryRecord *last = history->records[4];
    cr_assert_str_eq (last->account_id, "A-0005");
    cr_assert_str_eq (last->campaign, "2025-H1");
    cr_assert_str_eq (last->opportunity_type, "cross-sell");
    cr_assert_str_eq (last->outcome, "won");
    cr_assert (last->has_arr_delta);
    cr_assert_float_eq (last->arr_delta, 24500.5, 1e-9);
    cr_assert_str_eq (last->opened, "2025-01-20");
    cr_assert_str_eq (last->closed, "2025-04-18");
    for (size_t i = 0; i < history->n_records; i++)
        cr_assert_eq (records_check_history (history->records[i], &err), 0, "%s", err.msg);

    campaign__import_roster__free_unpacked (roster, NULL);
    campaign__import_history__free_unpacked (history, NULL);
    free (roster_path);
    free (history_path);
}

Test (records, one_bad_value_rejects_the_whole_file)
{
    char text[4096], row[512];
    strcpy (text, s_accounts_header);
    s_account_row (row, sizeof row, "A-1", "10");
    strcat (text, row);
    s_account_row (row, sizeof row, "A-2", "20");
    strcat (text, row);
    s_account_row (row, sizeof row, "A-3", "140");
    strcat (text, row);
    s_account_row (row, sizeof row, "A-4", "30");
    strcat (text, row);

    Campaign__ImportPortfolio *import = NULL;
    err_t err = {0};
    cr_assert_eq (s_load_accounts_text ("accounts.csv", text, &import, &err), ERR_INVALID);
    cr_assert_null (import, "nothing is half-loaded");
    s_assert_ends_with (&err, "accounts.csv:4: column 'nps': '140' is outside -100..100");
}

Test (records, bad_values_name_line_column_and_value)
{
    static const struct {
        const char *from, *to; /* replace in the good row */
        const char *expected;
    } cases[] = {
        {",smb,", ",huge,",
         "column 'segment': 'huge' is not one of smb, mid-market, "
         "enterprise"},
        {",emea,Retail,", ",mars,Retail,", "column 'region': 'mars'"},
        {",1000,", ",-1000,", "column 'arr': '-1000' is less than 0"},
        {",10,8,", ",ten,8,", "column 'seats_purchased': 'ten' is not a whole number"},
        {",10,8,", ",10,-8,", "column 'seats_active': '-8' is less than 0"},
        {",10,8,50,", ",10,8,5000000000,", "column 'employees': '5000000000' is more than"},
        {",50,5,", ",50,-101,", "column 'employee_growth_pct': '-101' is outside -100..1000"},
        {",starter,", ",platinum,", "column 'tier': 'platinum'"},
        {",50,10,80,", ",101,10,80,", "column 'feature_adoption_pct': '101' is outside 0..100"},
        {",50,10,80,", ",50,1001,80,", "column 'usage_growth_pct': '1001' is outside"},
        {",50,10,80,", ",50,10,80.5x,", "column 'usage_limit_pct': '80.5x' is not a number"},
        {",P-001,", ",,", "column 'csm': '' is empty"},
        {",yes,no,", ",maybe,no,", "column 'champion': 'maybe' is not yes or no"},
        {",yes,no,", ",yes,sometimes,", "column 'exec_sponsor': 'sometimes'"},
        {",no,,", ",no,-5,", "column 'stakeholder_change_days': '-5' is less than 0"},
        {",2026-01-01,", ",2026-13-01,", "column 'renewal_date': '2026-13-01' is not a date"},
        {",2025-01-01\n", ",01/01/2025\n", "column 'contract_start': '01/01/2025' is not a"},
        {",2026-01-01,", ",2024-06-30,",
         "column 'renewal_date': '2024-06-30' is before contract_start (2025-01-01)"},
        {"A-3,Acme,", "A-3,,", "column 'name': '' is empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char good[512], bad[512], text[4096];
        s_account_row (good, sizeof good, "A-3", "10");
        const char *at = strstr (good, cases[i].from);
        cr_assert_not_null (at, "case %zu", i);
        snprintf (bad, sizeof bad, "%.*s%s%s", (int)(at - good), good, cases[i].to,
                  at + strlen (cases[i].from));
        strcpy (text, s_accounts_header);
        s_account_row (good, sizeof good, "A-1", "10");
        strcat (text, good);
        strcat (text, "\n"); /* a blank line still counts */
        strcat (text, bad);

        Campaign__ImportPortfolio *import = NULL;
        err_t err = {0};
        cr_assert_eq (s_load_accounts_text ("accounts.csv", text, &import, &err), ERR_INVALID,
                      "case %zu: %s", i, err.msg);
        cr_assert_null (import);
        s_assert_mentions (&err,
                           (const char *const[]){"accounts.csv:4: ", cases[i].expected, NULL});
    }
}

Test (records, duplicate_ids_name_both_lines)
{
    char text[4096], row[512];
    strcpy (text, s_accounts_header);
    const char *ids[] = {"A-1", "A-2", "A-3", "A-2"};
    for (size_t i = 0; i < 4; i++) {
        s_account_row (row, sizeof row, ids[i], "0");
        strcat (text, row);
    }
    Campaign__ImportPortfolio *import = NULL;
    err_t err = {0};
    cr_assert_eq (s_load_accounts_text ("accounts.csv", text, &import, &err), ERR_INVALID);
    cr_assert_null (import);
    s_assert_ends_with (&err,
                        "accounts.csv:5: column 'account_id': 'A-2' is a duplicate of line 3");

    Campaign__ImportRoster *roster = NULL;
    cr_assert_eq (s_load_roster_text ("person_id,name,role,region,capacity_hours_per_week\n"
                                      "P-1,Ann,csm,emea,30\n"
                                      "P-2,Bob,ae,emea,30\n"
                                      "P-1,Ann Again,csm,emea,30\n",
                                      &roster, &err),
                  ERR_INVALID);
    cr_assert_null (roster);
    s_assert_ends_with (&err,
                        "roster.csv:4: column 'person_id': 'P-1' is a duplicate of line 2");
}

Test (records, lists_are_split_and_trimmed)
{
    char text[4096], row[512];
    strcpy (text, s_accounts_header);
    s_account_row (row, sizeof row, "A-1", "0");
    char *products = strstr (row, ",core,");
    char patched[512];
    snprintf (patched, sizeof patched, "%.*s,\" core ; analytics;;workflow ;\",%s",
              (int)(products - row), row, products + strlen (",core,"));
    strcat (text, patched);
    s_account_row (row, sizeof row, "A-2", "0");
    char *regions = strstr (row, ",emea,emea,");
    snprintf (patched, sizeof patched, "%.*s,,;,%s", (int)(regions - row), row,
              regions + strlen (",emea,emea,"));
    strcat (text, patched);

    Campaign__ImportPortfolio *import = NULL;
    err_t err = {0};
    cr_assert_eq (s_load_accounts_text ("accounts.csv", text, &import, &err), 0, "%s", err.msg);
    Campaign__Account *a = import->accounts[0];
    cr_assert_eq (a->n_products, 3);
    cr_assert_str_eq (a->products[0], "core");
    cr_assert_str_eq (a->products[1], "analytics");
    cr_assert_str_eq (a->products[2], "workflow");
    Campaign__Account *b = import->accounts[1];
    cr_assert_eq (b->n_regions_present, 0);
    cr_assert_eq (b->n_regions_licensed, 0);
    cr_assert_eq (records_check_account (b, &err), 0, "%s", err.msg);
    campaign__import_portfolio__free_unpacked (import, NULL);
}

Test (records, columns_in_any_order_unknown_ignored)
{
    Campaign__ImportRoster *roster = NULL;
    err_t err = {0};
    cr_assert_eq (s_load_roster_text ("capacity_hours_per_week,nickname,region,role,name,"
                                      "person_id\r\n"
                                      "12,Bee,\"Americas, West\",marketing,Bea,M-1\r\n",
                                      &roster, &err),
                  0, "%s", err.msg);
    cr_assert_eq (roster->n_people, 1);
    cr_assert_str_eq (roster->people[0]->person_id, "M-1");
    cr_assert_str_eq (roster->people[0]->region, "Americas, West");
    cr_assert_float_eq (roster->people[0]->capacity_hours_per_week, 12.0, 1e-9);
    campaign__import_roster__free_unpacked (roster, NULL);
}

Test (records, roster_rules)
{
    static const struct {
        const char *row, *expected;
    } cases[] = {
        {"P-1,Ann,cso,emea,30\n", "roster.csv:2: column 'role': 'cso' is not one of csm, ae,"},
        {"P-1,Ann,csm,,30\n", "roster.csv:2: column 'region': '' is empty"},
        {"P-1,Ann,csm,emea,169\n",
         "roster.csv:2: column 'capacity_hours_per_week': '169' is outside 0..168"},
        {",Ann,csm,emea,30\n", "roster.csv:2: column 'person_id': '' is empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf (text, sizeof text, "person_id,name,role,region,capacity_hours_per_week\n%s",
                  cases[i].row);
        Campaign__ImportRoster *roster = NULL;
        err_t err = {0};
        cr_assert_eq (s_load_roster_text (text, &roster, &err), ERR_INVALID, "case %zu", i);
        cr_assert_null (roster);
        s_assert_mentions (&err, (const char *const[]){cases[i].expected, NULL});
    }
}

Test (records, history_rules)
{
    static const char header[] =
        "account_id,campaign,opportunity_type,outcome,arr_delta,opened,closed\n";
    static const struct {
        const char *row, *expected;
    } cases[] = {
        {"A-1,2024-H2,seat,won,100,2024-05-01,2024-04-30\n",
         "history.csv:2: column 'closed': '2024-04-30' is before opened (2024-05-01)"},
        {"A-1,2024-H2,upsell,won,100,2024-05-01,2024-06-01\n",
         "history.csv:2: column 'opportunity_type': 'upsell' is not one of seat, tier, "
         "cross-sell, geo"},
        {"A-1,2024-H2,seat,pending,100,2024-05-01,2024-06-01\n",
         "history.csv:2: column 'outcome': 'pending' is not one of won, lost"},
        {"A-1,2024-H2,seat,won,-1,2024-05-01,2024-06-01\n",
         "history.csv:2: column 'arr_delta': '-1' is less than 0"},
        {"A-1,2024-H2,seat,won,nan,2024-05-01,2024-06-01\n",
         "history.csv:2: column 'arr_delta': 'nan' is not a number"},
        {"A-1,,seat,won,1,2024-05-01,2024-06-01\n",
         "history.csv:2: column 'campaign': '' is empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf (text, sizeof text, "%s%s", header, cases[i].row);
        Campaign__ImportHistory *history = NULL;
        err_t err = {0};
        cr_assert_eq (s_load_history_text (text, &history, &err), ERR_INVALID, "case %zu", i);
        cr_assert_null (history);
        s_assert_mentions (&err, (const char *const[]){cases[i].expected, NULL});
    }

    /*  History is optional input: a header alone is an empty history. Same-day close is
        fine, and history rows may repeat an account. */
    Campaign__ImportHistory *history = NULL;
    err_t err = {0};
    cr_assert_eq (s_load_history_text (header, &history, &err), 0, "%s", err.msg);
    cr_assert_eq (history->n_records, 0);
    campaign__import_history__free_unpacked (history, NULL);
    char text[512];
    snprintf (text, sizeof text,
              "%sA-1,2024-H2,seat,won,1,2024-05-01,2024-05-01\n"
              "A-1,2025-H1,tier,lost,0,2025-01-01,2025-02-01\n",
              header);
    cr_assert_eq (s_load_history_text (text, &history, &err), 0, "%s", err.msg);
    cr_assert_eq (history->n_records, 2);
    campaign__import_history__free_unpacked (history, NULL);
}

Test (records, file_level_errors)
{
    Campaign__ImportPortfolio *import = NULL;
    err_t err = {0};
    cr_assert_eq (records_load_accounts ("/nonexistent/accounts.csv", &import, &err), ERR_IO);
    cr_assert_null (import);
    s_assert_mentions (&err, (const char *const[]){"/nonexistent/accounts.csv", NULL});

    cr_assert_eq (s_load_accounts_text ("accounts.csv", s_accounts_header, &import, &err),
                  ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"accounts.csv", "no rows", NULL});

    cr_assert_eq (s_load_accounts_text ("accounts.csv", "account_id,name,segment\nA-1,x,smb\n",
                                        &import, &err),
                  ERR_INVALID);
    s_assert_ends_with (&err, "accounts.csv:1: missing required column 'region'");

    char text[4096], row[512];
    strcpy (text, s_accounts_header);
    s_account_row (row, sizeof row, "A-1", "0");
    strcat (text, row);
    strcat (text, "A-2,\"unterminated\n");
    cr_assert_eq (s_load_accounts_text ("accounts.csv", text, &import, &err), ERR_PARSE);
    s_assert_mentions (&err, (const char *const[]){"accounts.csv:3:", NULL});
    cr_assert_null (import);
}

/*  ---------------------------------------------------------------------------------
    Wire checks. The records are built on the stack from literals, so there is nothing
    to free; every case starts again from a good record. */

static char *s_products[] = {"core", "analytics"};
static char *s_regions[] = {"emea"};

static Campaign__Account
s_good_account (void)
{
    Campaign__Account a = CAMPAIGN__ACCOUNT__INIT;
    a.account_id = "A-0042";
    a.name = "Acme GmbH";
    a.segment = "mid-market";
    a.region = "emea";
    a.industry = "Manufacturing";
    a.has_arr = 1, a.arr = 120000;
    a.has_seats_purchased = 1, a.seats_purchased = 200;
    a.has_seats_active = 1, a.seats_active = 180;
    a.has_employees = 1, a.employees = 900;
    a.has_employee_growth_pct = 1, a.employee_growth_pct = 7.5;
    a.tier = "professional";
    a.n_products = 2, a.products = s_products;
    a.n_regions_present = 1, a.regions_present = s_regions;
    a.n_regions_licensed = 1, a.regions_licensed = s_regions;
    a.has_feature_adoption_pct = 1, a.feature_adoption_pct = 55;
    a.has_usage_growth_pct = 1, a.usage_growth_pct = 12;
    a.has_usage_limit_pct = 1, a.usage_limit_pct = 95;
    a.has_nps = 1, a.nps = 40;
    a.has_support_tickets_90d = 1, a.support_tickets_90d = 3;
    a.csm = "P-002";
    a.has_champion = 1, a.champion = 1;
    a.has_exec_sponsor = 1, a.exec_sponsor = 0;
    a.renewal_date = "2026-02-28";
    a.contract_start = "2024-03-01";
    return a;
}

static void
s_account_rejected (const Campaign__Account *a, const char *expected)
{
    err_t err = {0};
    cr_assert_eq (records_check_account (a, &err), ERR_INVALID, "expected: %s", expected);
    cr_assert_str_eq (err.msg, expected);
}

Test (records, check_account)
{
    err_t err = {0};
    Campaign__Account a = s_good_account ();
    cr_assert_eq (records_check_account (&a, &err), 0, "%s", err.msg);
    a.industry = NULL;
    cr_assert_eq (records_check_account (&a, &err), 0, "industry is optional: %s", err.msg);
    a.has_stakeholder_change_days = 1, a.stakeholder_change_days = 30;
    cr_assert_eq (records_check_account (&a, &err), 0, "%s", err.msg);

    a = s_good_account (), a.has_nps = 1, a.nps = 140;
    s_account_rejected (&a, "account A-0042: nps 140 is outside -100..100");
    a = s_good_account (), a.has_nps = 0;
    s_account_rejected (&a, "account A-0042: nps is missing");
    a = s_good_account (), a.has_arr = 0;
    s_account_rejected (&a, "account A-0042: arr is missing");
    a = s_good_account (), a.arr = -5;
    s_account_rejected (&a, "account A-0042: arr -5 is less than 0");
    a = s_good_account (), a.arr = NAN;
    s_account_rejected (&a, "account A-0042: arr nan is not a finite number");
    a = s_good_account (), a.usage_limit_pct = 1200;
    s_account_rejected (&a, "account A-0042: usage_limit_pct 1200 is outside 0..1000");
    a = s_good_account (), a.has_champion = 0;
    s_account_rejected (&a, "account A-0042: champion is missing");
    a = s_good_account (), a.has_seats_active = 0;
    s_account_rejected (&a, "account A-0042: seats_active is missing");
    a = s_good_account (), a.segment = "huge";
    s_account_rejected (&a, "account A-0042: segment 'huge' is not one of smb, mid-market, "
                            "enterprise");
    a = s_good_account (), a.tier = NULL;
    s_account_rejected (&a, "account A-0042: tier is missing");
    a = s_good_account (), a.csm = "";
    s_account_rejected (&a, "account A-0042: csm is missing");
    a = s_good_account (), a.name = "bad \xC0\xAF name";
    s_account_rejected (&a, "account A-0042: name is not valid UTF-8");
    a = s_good_account (), a.renewal_date = "2026-02-29";
    s_account_rejected (&a, "account A-0042: renewal_date '2026-02-29' is not a date "
                            "(YYYY-MM-DD)");
    a = s_good_account (), a.contract_start = "2026-03-01";
    s_account_rejected (&a, "account A-0042: renewal_date 2026-02-28 is before "
                            "contract_start 2026-03-01");
    char *empty_item[] = {"core", ""};
    a = s_good_account (), a.products = empty_item;
    s_account_rejected (&a, "account A-0042: products item 2 is empty");
    a = s_good_account (), a.account_id = NULL;
    s_account_rejected (&a, "account without account_id");
    cr_assert_eq (records_check_account (NULL, &err), ERR_INVALID);
}

Test (records, check_person)
{
    err_t err = {0};
    Campaign__Person p = CAMPAIGN__PERSON__INIT;
    p.person_id = "P-007";
    p.name = "Elena Volkov";
    p.role = "leadership";
    p.region = "EMEA";
    p.has_capacity_hours_per_week = 1, p.capacity_hours_per_week = 6;
    cr_assert_eq (records_check_person (&p, &err), 0, "%s", err.msg);

    p.capacity_hours_per_week = 200;
    cr_assert_eq (records_check_person (&p, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "person P-007: capacity_hours_per_week 200 is outside 0..168");
    p.capacity_hours_per_week = 6, p.role = "intern";
    cr_assert_eq (records_check_person (&p, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"person P-007: role 'intern'", NULL});
    p.role = "csm", p.has_capacity_hours_per_week = 0;
    cr_assert_eq (records_check_person (&p, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "person P-007: capacity_hours_per_week is missing");
    p.has_capacity_hours_per_week = 1, p.region = NULL;
    cr_assert_eq (records_check_person (&p, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "person P-007: region is missing");
    p.region = "EMEA", p.person_id = "  ";
    cr_assert_eq (records_check_person (&p, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "person without person_id");
}

Test (records, check_history)
{
    err_t err = {0};
    Campaign__HistoryRecord h = CAMPAIGN__HISTORY_RECORD__INIT;
    h.account_id = "A-0042";
    h.campaign = "2024-H2";
    h.opportunity_type = "geo";
    h.outcome = "lost";
    h.has_arr_delta = 1, h.arr_delta = 0;
    h.opened = "2024-07-01";
    h.closed = "2024-09-15";
    cr_assert_eq (records_check_history (&h, &err), 0, "%s", err.msg);

    h.closed = "2024-06-30";
    cr_assert_eq (records_check_history (&h, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "history record of account A-0042: closed 2024-06-30 is "
                               "before opened 2024-07-01");
    h.closed = "2024-09-15", h.arr_delta = INFINITY;
    cr_assert_eq (records_check_history (&h, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"A-0042: arr_delta", "finite", NULL});
    h.arr_delta = 10, h.outcome = NULL;
    cr_assert_eq (records_check_history (&h, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "history record of account A-0042: outcome is missing");
    h.outcome = "won", h.opened = "yesterday";
    cr_assert_eq (records_check_history (&h, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"opened 'yesterday' is not a date", NULL});
}

Test (records, allowed_words_match_the_spec)
{
    static const struct {
        const char *const *words;
        const char *joined;
    } lists[] = {
        {records_segments, "smb|mid-market|enterprise"},
        {records_regions, "americas|emea|apac"},
        {records_tiers, "starter|professional|enterprise|enterprise-plus"},
        {records_roles, "csm|ae|leadership|marketing|product|operator"},
        {records_opportunity_types, "seat|tier|cross-sell|geo"},
        {records_outcomes, "won|lost"},
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        char joined[256] = "";
        for (size_t w = 0; lists[i].words[w]; w++) {
            if (w)
                strcat (joined, "|");
            strcat (joined, lists[i].words[w]);
        }
        cr_assert_str_eq (joined, lists[i].joined);
    }
}
