/*  records.h: the campaign's data records (SPEC section 4) and their import.

    The records are the wire messages themselves (Campaign__Account, Campaign__Person,
    Campaign__HistoryRecord), so what the submit tool reads is exactly what crosses the
    wire and what the broker stores. Imports are all-or-nothing: the whole file is
    checked and either every row is returned or none is, with an error naming file,
    line, column and value (the first bad cell), duplicates of the key included.

    records_check_* validate one record as it arrives off the wire at the broker (the
    same rules as the CSV import, without file positions), naming the record's id.

    Messages returned by the loaders are allocated with malloc piece by piece, so they
    are freed with the generated *__free_unpacked(msg, NULL) like an unpacked message.
*/
#ifndef CAMPAIGN_RECORDS_H
#define CAMPAIGN_RECORDS_H

#include "campaign.pb-c.h"
#include "err.h"

/*  accounts.csv -> ImportPortfolio (source = file name). Required columns: every
    column of SPEC section 4's accounts.csv; stakeholder_change_days may be empty
    (has_stakeholder_change_days = 0). ';'-separated lists become repeated strings,
    empty list items are dropped. seats_active <= seats_purchased is not required
    (over-deployment happens) but both must be >= 0. Dates YYYY-MM-DD. Duplicate
    account_id is an error naming both lines. */
int records_load_accounts (const char *path, Campaign__ImportPortfolio **out, err_t *err);
int records_load_roster (const char *path, Campaign__ImportRoster **out, err_t *err);
int records_load_history (const char *path, Campaign__ImportHistory **out, err_t *err);

/*  One record off the wire. ERR_INVALID with "account A-0042: nps 140 is outside
    -100..100" and so on. */
int records_check_account (const Campaign__Account *account, err_t *err);
int records_check_person (const Campaign__Person *person, err_t *err);
int records_check_history (const Campaign__HistoryRecord *record, err_t *err);

/*  Allowed words, NULL-terminated, shared with the checks and the generator. */
extern const char *const records_segments[];
extern const char *const records_regions[];
extern const char *const records_tiers[];
extern const char *const records_roles[];
extern const char *const records_opportunity_types[];
extern const char *const records_outcomes[];

#endif
