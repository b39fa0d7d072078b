/*  csvreader.h: RFC 4180 CSV files with a header row, read through Debian's libcsv.

    The reader loads the whole file, checks it is UTF-8, parses it strictly (quotes,
    embedded commas, CR LF, doubled quotes, a final line without newline), and gives
    rows whose cells are looked up by header name, so column order does not matter and
    unknown columns are ignored. Line numbers are those of the file (a quoted cell may
    span lines; a row's line is where it starts; the header is line 1).

    Errors name the file and line, and for a cell the column name and the value:
    "accounts.csv:17: column 'arr': '12x' is not a number".
*/
#ifndef CAMPAIGN_CSVREADER_H
#define CAMPAIGN_CSVREADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct _csvreader_t csvreader_t;

/*  Read and parse path. ERR_IO if unreadable, ERR_PARSE for malformed CSV or invalid
    UTF-8 (with line), ERR_INVALID for an empty file, a duplicate header or a row with
    more cells than the header. A row with fewer cells than the header is an error too
    (a blank line is skipped). */
int csvreader_open (const char *path, csvreader_t **out, err_t *err);

/*  Same from memory; `name` is used in messages in place of the file name. */
int csvreader_parse (const char *name, const char *data, size_t size, csvreader_t **out,
                     err_t *err);

void csvreader_destroy (csvreader_t **self_p);

const char *csvreader_name (csvreader_t *self);
size_t csvreader_rows (csvreader_t *self);

/*  Index of a header column, or -1. */
int csvreader_column (csvreader_t *self, const char *header);

/*  Number of header columns, and the name of column index (0-based; NULL if out of
    range). Owned by the reader. For tools that use every column but a few. */
size_t csvreader_columns (csvreader_t *self);
const char *csvreader_header (csvreader_t *self, size_t column);

/*  Check that every named column (NULL-terminated list) exists; ERR_INVALID naming the
    first missing one: "accounts.csv:1: missing required column 'arr'". */
int csvreader_require (csvreader_t *self, const char *const *columns, err_t *err);

/*  File line where data row `row` (0-based) starts. */
size_t csvreader_line (csvreader_t *self, size_t row);

/*  Cell text of row (0-based data row) and column index; "" for an empty cell. Owned by
    the reader. */
const char *csvreader_cell (csvreader_t *self, size_t row, int column);

/*  Typed cells: parse the whole cell (leading/trailing spaces allowed), reject
    trailing garbage, NaN and infinity, check the range; on error ERR_INVALID with
    "name:line: column 'col': 'value' is not ...". Empty cells are errors for these. */
int csvreader_double (csvreader_t *self, size_t row, const char *column, double lo, double hi,
                      double *out, err_t *err);
int csvreader_int (csvreader_t *self, size_t row, const char *column, int64_t lo, int64_t hi,
                   int64_t *out, err_t *err);
/*  yes|no (also true|false, 1|0, case-insensitive). */
int csvreader_bool (csvreader_t *self, size_t row, const char *column, bool *out, err_t *err);
/*  One of the NULL-terminated `allowed` words (case-sensitive, as the data contract
    writes them); the error lists them. */
int csvreader_enum (csvreader_t *self, size_t row, const char *column,
                    const char *const *allowed, const char **out, err_t *err);
/*  Non-empty text. */
int csvreader_text (csvreader_t *self, size_t row, const char *column, const char **out,
                    err_t *err);
/*  YYYY-MM-DD (see calendar.h date_parse). */
int csvreader_date (csvreader_t *self, size_t row, const char *column, int32_t *day,
                    err_t *err);

/*  Write one CSV cell with RFC 4180 quoting where needed (comma, quote, CR, LF). Used
    by report writers. */
#include <stdio.h>
void csvreader_write_cell (FILE *file, const char *text);

#endif
