/*  model.c: logistic propensity models (model.h has the contract and the file format).

    The file has four parts: the penalised Newton fit on a dense design
    (model_logistic_fit), turning CSV columns into that design per group and
    cross-validating (model_fit), the libconfig model file (model_save, model_load), and
    prediction and evaluation. A model_t owns every string it holds; the fit's scratch
    memory lives only for the call.
*/
#include "model.h"

#include <errno.h>
#include <float.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "rng.h"

/*  A categorical column with more levels than this is almost surely an identifier or
    free text; one-hot encoding it would fit noise (and a huge Hessian). */
#define MODEL_LEVELS_MAX 200

/*  A pivot this small relative to its diagonal means the column is a combination of
    the ones before it. */
#define SINGULAR_PIVOT 1e-10

/*  A row fitted this close to its label counts as fitted perfectly. */
#define FITTED_EPSILON 1e-9

/*  Step halvings before a Newton step is given up as making no progress. */
#define HALVINGS_MAX 60

struct _model_t {
    char *label;
    char *group_by; /* "" when not grouped */
    double lambda;
    size_t trained_on, positives;
    bool has_cv;
    int folds;
    uint64_t seed;
    double cv_auc, cv_brier;
    size_t n_groups;
    model_group_t *groups;
    size_t n_notes;
    char **notes;
};

/* --------------------------------------------------------------------------
   Small helpers */

static double
s_logistic (double eta)
{
    if (eta >= 0)
        return 1.0 / (1.0 + exp (-eta));
    double e = exp (eta);
    return e / (1.0 + e);
}

/*  ln (1 + e^t) without overflow. */
static double
s_log1pexp (double t)
{
    return t > 0 ? t + log1p (exp (-t)) : log1p (exp (t));
}

static bool
s_in_list (const char *const *list, const char *name)
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp (list[i], name) == 0)
            return true;
    return false;
}

/*  The whole text is a finite number (spaces around allowed). */
static bool
s_parse_number (const char *text, double *out)
{
    while (*text == ' ' || *text == '\t')
        text++;
    if (!*text)
        return false;
    char *end = NULL;
    errno = 0;
    double value = strtod (text, &end);
    if (end == text || errno == ERANGE || !isfinite (value))
        return false;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end)
        return false;
    *out = value;
    return true;
}

int
model_parse_label (const char *text, int *label)
{
    static const char *const yes[] = {"1", "yes", "won", "true"};
    static const char *const no[] = {"0", "no", "lost", "false"};
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strlen (text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    for (size_t i = 0; i < 4; i++) {
        if (strlen (yes[i]) == len && strncasecmp (text, yes[i], len) == 0) {
            *label = 1;
            return 0;
        }
        if (strlen (no[i]) == len && strncasecmp (text, no[i], len) == 0) {
            *label = 0;
            return 0;
        }
    }
    return -1;
}

static int s_note (model_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static int
s_note (model_t *self, const char *fmt, ...)
{
    char **notes = realloc (self->notes, (self->n_notes + 1) * sizeof *notes);
    if (!notes)
        return ERR_NOMEM;
    self->notes = notes;
    va_list ap;
    va_start (ap, fmt);
    int rc = vasprintf (&notes[self->n_notes], fmt, ap);
    va_end (ap);
    if (rc < 0)
        return ERR_NOMEM;
    self->n_notes++;
    return 0;
}

static void
s_group_free (model_group_t *group)
{
    free (group->group);
    for (size_t i = 0; i < group->n_numeric; i++)
        free (group->numeric[i].name);
    free (group->numeric);
    for (size_t i = 0; i < group->n_categorical; i++) {
        model_categorical_t *c = &group->categorical[i];
        free (c->name);
        free (c->reference);
        for (size_t l = 0; l < c->n_levels; l++)
            free (c->levels[l].level);
        free (c->levels);
    }
    free (group->categorical);
}

void
model_destroy (model_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    model_t *self = *self_p;
    free (self->label);
    free (self->group_by);
    for (size_t g = 0; g < self->n_groups; g++)
        s_group_free (&self->groups[g]);
    free (self->groups);
    for (size_t i = 0; i < self->n_notes; i++)
        free (self->notes[i]);
    free (self->notes);
    free (self);
    *self_p = NULL;
}

/* --------------------------------------------------------------------------
   The penalised Newton fit */

/*  Penalised negative log-likelihood at beta (intercept beta[0] not penalised). */
static double
s_objective (const double *x, const int *y, size_t d, const size_t *rows, size_t n_rows,
             const double *beta, double lambda)
{
    double sum = 0;
    for (size_t r = 0; r < n_rows; r++) {
        size_t i = rows ? rows[r] : r;
        const double *xi = x + i * d;
        double eta = beta[0];
        for (size_t j = 0; j < d; j++)
            eta += xi[j] * beta[j + 1];
        sum += s_log1pexp (eta) - (y[i] ? eta : 0);
    }
    double penalty = 0;
    for (size_t j = 1; j <= d; j++)
        penalty += beta[j] * beta[j];
    return sum + lambda / 2 * penalty;
}

/*  In-place Cholesky of the symmetric positive-definite D x D matrix a (upper triangle
    used, lower written); returns -1 and the failing column if a pivot is not clearly
    positive relative to its diagonal. */
static int
s_cholesky (double *a, size_t D, size_t *failed)
{
    for (size_t j = 0; j < D; j++) {
        double diag = a[j * D + j];
        double pivot = diag;
        for (size_t k = 0; k < j; k++)
            pivot -= a[j * D + k] * a[j * D + k];
        if (!(pivot > SINGULAR_PIVOT * diag && pivot > 0)) {
            *failed = j;
            return -1;
        }
        double l = sqrt (pivot);
        a[j * D + j] = l;
        for (size_t i = j + 1; i < D; i++) {
            double s = a[j * D + i]; /* upper triangle holds H[j][i] */
            for (size_t k = 0; k < j; k++)
                s -= a[i * D + k] * a[j * D + k];
            a[i * D + j] = s / l;
        }
    }
    return 0;
}

/*  Solve L L^T out = rhs with the factor in the lower triangle of a. */
static void
s_cholesky_solve (const double *a, size_t D, const double *rhs, double *out)
{
    for (size_t i = 0; i < D; i++) {
        double s = rhs[i];
        for (size_t k = 0; k < i; k++)
            s -= a[i * D + k] * out[k];
        out[i] = s / a[i * D + i];
    }
    for (size_t i = D; i-- > 0;) {
        double s = out[i];
        for (size_t k = i + 1; k < D; k++)
            s -= a[k * D + i] * out[k];
        out[i] = s / a[i * D + i];
    }
}

/*  beta = 0 but the intercept: the log odds of the (smoothed) rate. */
static void
s_start (const int *y, size_t d, const size_t *rows, size_t n_rows, double *beta)
{
    double positives = 0;
    for (size_t r = 0; r < n_rows; r++)
        positives += y[rows ? rows[r] : r];
    double rate = (positives + 0.5) / ((double)n_rows + 1.0);
    beta[0] = log (rate / (1 - rate));
    for (size_t j = 1; j <= d; j++)
        beta[j] = 0;
}

int
model_logistic_fit (const double *x, const int *y, size_t n, size_t d, const size_t *rows,
                    size_t n_rows, double lambda, int max_iterations, double tolerance,
                    double *beta, model_fit_report_t *report, err_t *err)
{
    if (!rows)
        n_rows = n;
    if (n_rows == 0)
        return err_set (err, ERR_INVALID, "no rows to fit on");
    if (!(lambda >= 0) || !isfinite (lambda))
        return err_set (err, ERR_INVALID, "lambda %g is not a finite number >= 0", lambda);
    if (max_iterations < 1 || !(tolerance > 0))
        return err_set (err, ERR_INVALID, "max_iterations %d or tolerance %g out of range",
                        max_iterations, tolerance);
    for (size_t r = 0; r < n_rows; r++) {
        size_t i = rows ? rows[r] : r;
        if (i >= n || (y[i] != 0 && y[i] != 1))
            return err_set (err, ERR_INVALID, "row %zu: bad index or label", r);
        for (size_t j = 0; j < d; j++)
            if (!isfinite (x[i * d + j]))
                return err_set (err, ERR_INVALID, "x[%zu][%zu] is not finite", i, j);
    }
    size_t D = d + 1;
    double *work = calloc (D * D + 6 * D, sizeof (double));
    if (!work)
        return err_set (err, ERR_NOMEM, "out of memory");
    double *h = work, *g = h + D * D, *delta = g + D, *b = delta + D, *trial = b + D,
           *z = trial + D, *diag = z + D;
    model_fit_report_t rep = {0};
    double lam = lambda;
    s_start (y, d, rows, n_rows, b);
    double f = s_objective (x, y, d, rows, n_rows, b, lam);
    int total = 0;
    /*  Separation and a singular design restart once with the fallback ridge, so the
        loop runs at most 2 x max_iterations. */
    for (int it = 0; it < max_iterations; it++) {
        total++;
        memset (h, 0, D * D * sizeof (double));
        memset (g, 0, D * sizeof (double));
        bool all_fitted = true;
        z[0] = 1;
        for (size_t r = 0; r < n_rows; r++) {
            size_t i = rows ? rows[r] : r;
            const double *xi = x + i * d;
            double eta = b[0];
            for (size_t j = 0; j < d; j++) {
                z[j + 1] = xi[j];
                eta += xi[j] * b[j + 1];
            }
            double p = s_logistic (eta);
            double residual = p - y[i];
            if (fabs (residual) >= FITTED_EPSILON)
                all_fitted = false;
            double w = p * (1 - p);
            for (size_t j = 0; j < D; j++) {
                g[j] += residual * z[j];
                double wz = w * z[j];
                if (wz != 0)
                    for (size_t k = j; k < D; k++)
                        h[j * D + k] += wz * z[k];
            }
        }
        double max_weight = 0;
        for (size_t j = 1; j < D; j++) {
            g[j] += lam * b[j];
            h[j * D + j] += lam;
            if (fabs (b[j]) > max_weight)
                max_weight = fabs (b[j]);
        }
        if (lam == 0 && (max_weight > MODEL_SEPARATION_WEIGHT || all_fitted)) {
            /*  The likelihood keeps rising as the weights grow: no finite maximum. */
            rep.separated = true;
            rep.ridge = MODEL_RIDGE_FALLBACK;
            lam = lambda + rep.ridge;
            s_start (y, d, rows, n_rows, b);
            f = s_objective (x, y, d, rows, n_rows, b, lam);
            it = -1;
            continue;
        }
        double gmax = 0;
        for (size_t j = 0; j < D; j++)
            if (fabs (g[j]) > gmax)
                gmax = fabs (g[j]);
        if (gmax <= tolerance * (double)n_rows) {
            rep.converged = true;
            break;
        }
        for (size_t j = 0; j < D; j++)
            diag[j] = h[j * D + j];
        size_t failed = 0;
        if (s_cholesky (h, D, &failed) != 0) {
            if (rep.ridge == 0) {
                /*  A column repeats or combines others: the weights are not
                    identified; a small ridge picks the smallest of the equal fits. */
                rep.singular = true;
                rep.singular_column = failed;
                rep.ridge = MODEL_RIDGE_FALLBACK;
                lam = lambda + rep.ridge;
                s_start (y, d, rows, n_rows, b);
                f = s_objective (x, y, d, rows, n_rows, b, lam);
                it = -1;
                continue;
            }
            /*  Even with the ridge the curvature vanished (every row fitted, say): a
                damped matrix still gives a descent direction. The factorisation wrote
                only the lower triangle and the diagonal, so the upper triangle still
                holds the Hessian and diag its diagonal. */
            int rc = -1;
            for (double damping = 1e-8; rc != 0 && damping <= 1e8; damping *= 100) {
                for (size_t j = 0; j < D; j++)
                    h[j * D + j] = diag[j] + damping * (1 + diag[j]);
                rc = s_cholesky (h, D, &failed);
            }
            if (rc != 0)
                break; /* cannot happen with a finite positive damping; stop, not loop */
        }
        for (size_t j = 0; j < D; j++)
            trial[j] = -g[j];
        s_cholesky_solve (h, D, trial, delta);
        double slope = 0;
        for (size_t j = 0; j < D; j++)
            slope += g[j] * delta[j];
        double t = 1;
        double f_new = f;
        int halvings = 0;
        for (; halvings < HALVINGS_MAX; halvings++, t /= 2) {
            for (size_t j = 0; j < D; j++)
                trial[j] = b[j] + t * delta[j];
            f_new = s_objective (x, y, d, rows, n_rows, trial, lam);
            if (f_new <= f + 1e-4 * t * slope)
                break;
        }
        if (halvings == HALVINGS_MAX)
            break; /* no step lowers the objective: as good as floating point allows */
        memcpy (b, trial, D * sizeof (double));
        f = f_new;
    }
    rep.iterations = total;
    rep.objective = f;
    memcpy (beta, b, D * sizeof (double));
    if (report)
        *report = rep;
    free (work);
    return 0;
}

/* --------------------------------------------------------------------------
   From CSV columns to one design per group */

void
model_options_default (model_options_t *options)
{
    memset (options, 0, sizeof *options);
    options->lambda = 1.0;
    options->folds = 5;
    options->seed = 1;
    options->max_iterations = 100;
    options->tolerance = 1e-9;
}

typedef struct {
    const char *name;
    int column;
    bool categorical;
    double *number; /* numeric: the value of every data row */
} s_column_t;

/*  What the whole CSV gives: labels, the used columns, the groups. */
typedef struct {
    csvreader_t *csv;
    const model_options_t *options;
    size_t n_rows;
    int *y;
    size_t n_columns;
    s_column_t *columns;
    size_t n_groups;
    const char **group_names; /* sorted; "" when not grouped */
    size_t *group_of;         /* per row */
} s_data_t;

static void
s_data_free (s_data_t *data)
{
    free (data->y);
    for (size_t c = 0; c < data->n_columns; c++)
        free (data->columns[c].number);
    free (data->columns);
    free (data->group_names);
    free (data->group_of);
}

static int
s_cmp_string (const void *a, const void *b)
{
    return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/*  Sorted distinct values of the strings, in place; returns the count. */
static size_t
s_unique (const char **values, size_t n, size_t *counts)
{
    if (n == 0)
        return 0;
    qsort (values, n, sizeof *values, s_cmp_string);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && strcmp (values[m - 1], values[i]) == 0) {
            if (counts)
                counts[m - 1]++;
            continue;
        }
        values[m] = values[i];
        if (counts)
            counts[m] = 1;
        m++;
    }
    return m;
}

static size_t
s_find (const char *const *sorted, size_t n, const char *value)
{
    const char *const *hit = bsearch (&value, sorted, n, sizeof *sorted, s_cmp_string);
    return hit ? (size_t)(hit - sorted) : n;
}

/*  Which columns, which of them categorical, the labels and the groups; every cell the
    fit will use is checked here, so the fit itself cannot fail on input. */
static int
s_data_read (csvreader_t *csv, const model_options_t *options, s_data_t *data, err_t *err)
{
    const char *name = csvreader_name (csv);
    memset (data, 0, sizeof *data);
    data->csv = csv;
    data->options = options;
    data->n_rows = csvreader_rows (csv);
    int label_column = csvreader_column (csv, options->label);
    if (label_column < 0)
        return err_set (err, ERR_INVALID, "%s:1: missing label column '%s'", name,
                        options->label);
    int group_column = -1;
    if (options->group) {
        group_column = csvreader_column (csv, options->group);
        if (group_column < 0)
            return err_set (err, ERR_INVALID, "%s:1: missing group column '%s'", name,
                            options->group);
    }
    if (data->n_rows == 0)
        return err_set (err, ERR_INVALID, "%s: no data rows: nothing to fit", name);

    /*  The feature columns. */
    size_t headers = csvreader_columns (csv);
    data->columns = calloc (headers, sizeof *data->columns);
    if (!data->columns)
        return err_set (err, ERR_NOMEM, "out of memory");
    if (options->features) {
        for (size_t i = 0; options->features[i]; i++) {
            const char *feature = options->features[i];
            int column = csvreader_column (csv, feature);
            if (column < 0)
                return err_set (err, ERR_INVALID, "%s:1: missing feature column '%s'", name,
                                feature);
            if (column == label_column || column == group_column)
                return err_set (err, ERR_USAGE, "column '%s' cannot be both a feature and %s",
                                feature, column == label_column ? "the label" : "the group");
            for (size_t c = 0; c < data->n_columns; c++)
                if (data->columns[c].column == column)
                    return err_set (err, ERR_USAGE, "feature '%s' is listed twice", feature);
            data->columns[data->n_columns].name = feature;
            data->columns[data->n_columns++].column = column;
        }
    } else
        for (size_t h = 0; h < headers; h++) {
            const char *header = csvreader_header (csv, h);
            if ((int)h == label_column || (int)h == group_column ||
                s_in_list (options->ignore, header))
                continue;
            data->columns[data->n_columns].name = header;
            data->columns[data->n_columns++].column = (int)h;
        }
    for (size_t i = 0; options->ignore && options->ignore[i]; i++)
        if (csvreader_column (csv, options->ignore[i]) < 0)
            return err_set (err, ERR_INVALID, "%s:1: --ignore names no column: '%s'", name,
                            options->ignore[i]);
    for (size_t i = 0; options->categorical && options->categorical[i]; i++) {
        bool found = false;
        for (size_t c = 0; c < data->n_columns; c++)
            if (strcmp (data->columns[c].name, options->categorical[i]) == 0)
                found = data->columns[c].categorical = true;
        if (!found)
            return err_set (err, ERR_USAGE, "categorical column '%s' is not a feature",
                            options->categorical[i]);
    }
    if (data->n_columns == 0)
        return err_set (err, ERR_INVALID, "%s: no feature columns besides the label", name);

    /*  Labels, groups, and every feature cell. */
    data->y = malloc (data->n_rows * sizeof *data->y);
    data->group_of = calloc (data->n_rows, sizeof *data->group_of);
    data->group_names = malloc (data->n_rows * sizeof *data->group_names);
    if (!data->y || !data->group_of || !data->group_names)
        return err_set (err, ERR_NOMEM, "out of memory");
    for (size_t r = 0; r < data->n_rows; r++) {
        const char *cell = csvreader_cell (csv, r, label_column);
        if (model_parse_label (cell, &data->y[r]) != 0)
            return err_set (err, ERR_INVALID,
                            "%s:%zu: column '%s': '%s' is not a label (1/0, yes/no, won/lost, "
                            "true/false)",
                            name, csvreader_line (csv, r), options->label, cell);
        const char *group = group_column >= 0 ? csvreader_cell (csv, r, group_column) : "";
        if (group_column >= 0 && !*group)
            return err_set (err, ERR_INVALID, "%s:%zu: column '%s': empty group", name,
                            csvreader_line (csv, r), options->group);
        data->group_names[r] = group;
    }
    for (size_t c = 0; c < data->n_columns; c++) {
        s_column_t *column = &data->columns[c];
        bool explicit = options->categorical != NULL;
        if (!column->categorical) {
            column->number = malloc (data->n_rows * sizeof (double));
            if (!column->number)
                return err_set (err, ERR_NOMEM, "out of memory");
        }
        for (size_t r = 0; r < data->n_rows; r++) {
            const char *cell = csvreader_cell (csv, r, column->column);
            if (!*cell)
                return err_set (err, ERR_INVALID,
                                "%s:%zu: column '%s': empty cell (every cell the model uses "
                                "needs a value)",
                                name, csvreader_line (csv, r), column->name);
            if (column->categorical)
                continue;
            if (!s_parse_number (cell, &column->number[r])) {
                if (explicit)
                    return err_set (err, ERR_INVALID,
                                    "%s:%zu: column '%s': '%s' is not a number (list the "
                                    "column in --categorical if it is one)",
                                    name, csvreader_line (csv, r), column->name, cell);
                /*  Auto-detection: one word makes the whole column categorical; its
                    empty cells are still checked by the loop going on. */
                column->categorical = true;
                free (column->number);
                column->number = NULL;
            }
        }
    }
    /*  Groups: sorted distinct values, and each row's index among them. */
    const char **sorted = malloc (data->n_rows * sizeof *sorted);
    if (!sorted)
        return err_set (err, ERR_NOMEM, "out of memory");
    memcpy (sorted, data->group_names, data->n_rows * sizeof *sorted);
    size_t n_groups = s_unique (sorted, data->n_rows, NULL);
    for (size_t r = 0; r < data->n_rows; r++)
        data->group_of[r] = s_find (sorted, n_groups, data->group_names[r]);
    free (data->group_names);
    data->group_names = sorted;
    data->n_groups = n_groups;
    return 0;
}

/*  One group's encoding and design: which design column each weight lands in. */
typedef struct {
    size_t n;     /* rows */
    size_t *rows; /* data rows of the group */
    int *y;
    size_t d;
    double *x;            /* n x d */
    size_t *numeric_slot; /* per numeric feature: design column, or SIZE_MAX (constant) */
    size_t *level_slot;   /* per categorical feature: first design column of its levels */
} s_design_t;

static void
s_design_free (s_design_t *design)
{
    free (design->rows);
    free (design->y);
    free (design->x);
    free (design->numeric_slot);
    free (design->level_slot);
    memset (design, 0, sizeof *design);
}

/*  Encode group g of data into out (its encoding) and design (its matrix). */
static int
s_encode (model_t *model, const s_data_t *data, size_t g, model_group_t *out,
          s_design_t *design, err_t *err)
{
    const char *file = csvreader_name (data->csv);
    const char *group = data->group_names[g];
    const char *in_group = *group ? " in group '" : "";
    const char *in_group_end = *group ? "'" : "";
    size_t n = 0;
    for (size_t r = 0; r < data->n_rows; r++)
        n += data->group_of[r] == g;
    design->n = n;
    design->rows = malloc (n * sizeof *design->rows);
    design->y = malloc (n * sizeof *design->y);
    const char **cells = malloc (n * sizeof *cells);
    size_t *counts = malloc (n * sizeof *counts);
    double *values = malloc (n * sizeof *values);
    out->group = strdup (group);
    size_t n_num = 0, n_cat = 0;
    for (size_t c = 0; c < data->n_columns; c++)
        if (data->columns[c].categorical)
            n_cat++;
        else
            n_num++;
    out->numeric = calloc (n_num ? n_num : 1, sizeof *out->numeric);
    out->categorical = calloc (n_cat ? n_cat : 1, sizeof *out->categorical);
    design->numeric_slot = calloc (n_num ? n_num : 1, sizeof (size_t));
    design->level_slot = calloc (n_cat ? n_cat : 1, sizeof (size_t));
    int rc = 0;
    if (!design->rows || !design->y || !cells || !counts || !values || !out->group ||
        !out->numeric || !out->categorical || !design->numeric_slot || !design->level_slot) {
        rc = err_set (err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    n = 0;
    for (size_t r = 0; r < data->n_rows; r++)
        if (data->group_of[r] == g) {
            design->rows[n] = r;
            design->y[n] = data->y[r];
            out->positives += (size_t)data->y[r];
            n++;
        }
    out->trained_on = n;
    if (out->positives == 0 || out->positives == n) {
        rc = err_set (err, ERR_INVALID,
                      "%s: column '%s'%s%s%s: every one of the %zu rows is %d: a model needs "
                      "both outcomes",
                      file, data->options->label, in_group, group, in_group_end, n,
                      out->positives ? 1 : 0);
        goto cleanup;
    }
    /*  Numeric: mean and population sd of all rows, shared by every group as the
        identifier's one `features` block is; a column constant within this group
        only gets weight 0 here. */
    size_t d = 0;
    for (size_t c = 0; c < data->n_columns; c++) {
        const s_column_t *column = &data->columns[c];
        if (column->categorical)
            continue;
        model_numeric_t *num = &out->numeric[out->n_numeric];
        num->name = strdup (column->name);
        if (!num->name) {
            rc = err_set (err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        double mean = 0, sd = 0;
        rc = stats_mean (column->number, data->n_rows, &mean, err);
        if (!rc)
            rc = stats_sd (column->number, data->n_rows, STATS_POPULATION, &sd, err);
        if (rc)
            goto cleanup;
        bool varies = false;
        for (size_t i = 1; i < n && !varies; i++)
            varies = column->number[design->rows[i]] != column->number[design->rows[0]];
        num->mean = mean;
        num->scale = sd > 0 ? sd : 1;
        design->numeric_slot[out->n_numeric] = varies ? d++ : SIZE_MAX;
        int note = 0;
        if (sd == 0 && g == 0)
            note = s_note (model,
                           "column '%s' is constant (%g): scale 1, weight 0; it cannot tell "
                           "outcomes apart",
                           column->name, mean);
        else if (sd > 0 && !varies)
            note = s_note (model, "column '%s' is constant%s%s%s: weight 0 there", column->name,
                           in_group, group, in_group_end);
        if (note) {
            rc = err_set (err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        out->n_numeric++;
    }
    /*  Categorical: levels sorted, the most frequent the reference. */
    for (size_t c = 0; c < data->n_columns; c++) {
        const s_column_t *column = &data->columns[c];
        if (!column->categorical)
            continue;
        model_categorical_t *cat = &out->categorical[out->n_categorical];
        for (size_t i = 0; i < n; i++)
            cells[i] = csvreader_cell (data->csv, design->rows[i], column->column);
        size_t m = s_unique (cells, n, counts);
        if (m > MODEL_LEVELS_MAX) {
            rc = err_set (err, ERR_INVALID,
                          "%s: column '%s'%s%s%s has %zu distinct values (more than %d): an "
                          "identifier or free text? Leave it out with --ignore or --features",
                          file, column->name, in_group, group, in_group_end, m,
                          MODEL_LEVELS_MAX);
            goto cleanup;
        }
        size_t reference = 0;
        for (size_t l = 1; l < m; l++)
            if (counts[l] > counts[reference])
                reference = l;
        cat->name = strdup (column->name);
        cat->reference = strdup (cells[reference]);
        cat->levels = calloc (m, sizeof *cat->levels);
        out->n_categorical++;
        if (!cat->name || !cat->reference || !cat->levels) {
            rc = err_set (err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        design->level_slot[out->n_categorical - 1] = d;
        for (size_t l = 0; l < m; l++) {
            if (l == reference)
                continue;
            cat->levels[cat->n_levels].level = strdup (cells[l]);
            if (!cat->levels[cat->n_levels++].level) {
                rc = err_set (err, ERR_NOMEM, "out of memory");
                goto cleanup;
            }
        }
        d += cat->n_levels;
        if (m == 1 && s_note (model,
                              "column '%s'%s%s%s has the single level '%s': weight 0; it "
                              "cannot tell outcomes apart",
                              column->name, in_group, group, in_group_end, cells[0])) {
            rc = err_set (err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
    }
    /*  The design: standardised numbers, then indicators. */
    design->d = d;
    design->x = calloc (n * (d ? d : 1), sizeof (double));
    if (!design->x) {
        rc = err_set (err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        double *row = design->x + i * d;
        size_t r = design->rows[i];
        size_t k = 0, q = 0;
        for (size_t c = 0; c < data->n_columns; c++) {
            const s_column_t *column = &data->columns[c];
            if (!column->categorical) {
                const model_numeric_t *num = &out->numeric[k];
                size_t slot = design->numeric_slot[k++];
                if (slot != SIZE_MAX)
                    row[slot] = (column->number[r] - num->mean) / num->scale;
                continue;
            }
            const model_categorical_t *cat = &out->categorical[q];
            const char *cell = csvreader_cell (data->csv, r, column->column);
            for (size_t l = 0; l < cat->n_levels; l++)
                if (strcmp (cat->levels[l].level, cell) == 0)
                    row[design->level_slot[q] + l] = 1;
            q++;
        }
    }
cleanup:
    free (cells);
    free (counts);
    free (values);
    return rc;
}

/*  The design column's name, for a warning. */
static void
s_slot_name (const model_group_t *group, const s_design_t *design, size_t slot, char *buf,
             size_t size)
{
    snprintf (buf, size, "column %zu", slot);
    for (size_t k = 0; k < group->n_numeric; k++)
        if (design->numeric_slot[k] == slot)
            snprintf (buf, size, "'%s'", group->numeric[k].name);
    for (size_t q = 0; q < group->n_categorical; q++) {
        const model_categorical_t *cat = &group->categorical[q];
        if (slot >= design->level_slot[q] && slot < design->level_slot[q] + cat->n_levels)
            snprintf (buf, size, "'%s' = '%s'", cat->name,
                      cat->levels[slot - design->level_slot[q]].level);
    }
}

/*  Copy the fitted beta into the group's weights. */
static void
s_store_weights (model_group_t *group, const s_design_t *design, const double *beta)
{
    group->intercept = beta[0];
    for (size_t k = 0; k < group->n_numeric; k++) {
        size_t slot = design->numeric_slot[k];
        group->numeric[k].weight = slot == SIZE_MAX ? 0 : beta[slot + 1];
    }
    for (size_t q = 0; q < group->n_categorical; q++)
        for (size_t l = 0; l < group->categorical[q].n_levels; l++)
            group->categorical[q].levels[l].weight = beta[design->level_slot[q] + l + 1];
}

/*  Stratified, seeded folds: each label's rows shuffled, then dealt in turn. */
static void
s_assign_folds (const int *y, size_t n, int folds, rng_t *rng, size_t *order, int *fold)
{
    size_t dealt = 0;
    for (int label = 1; label >= 0; label--) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (y[i] == label)
                order[m++] = i;
        for (size_t i = m; i > 1; i--) {
            size_t j = rng_below (rng, (uint32_t)i);
            size_t t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        for (size_t i = 0; i < m; i++)
            fold[order[i]] = (int)(dealt++ % (size_t)folds);
    }
}

/*  Out-of-fold probabilities of every row of the design into oof[]. */
static int
s_cross_validate (const s_design_t *design, const model_options_t *options, rng_t *rng,
                  double *oof, err_t *err)
{
    size_t n = design->n, d = design->d;
    size_t *order = malloc (n * sizeof *order);
    int *fold = malloc (n * sizeof *fold);
    double *beta = malloc ((d + 1) * sizeof *beta);
    int rc = 0;
    if (!order || !fold || !beta) {
        rc = err_set (err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    s_assign_folds (design->y, n, options->folds, rng, order, fold);
    for (int k = 0; k < options->folds && !rc; k++) {
        size_t n_train = 0;
        for (size_t i = 0; i < n; i++)
            if (fold[i] != k)
                order[n_train++] = i;
        model_fit_report_t report;
        rc = model_logistic_fit (design->x, design->y, n, d, order, n_train, options->lambda,
                                 options->max_iterations, options->tolerance, beta, &report,
                                 err);
        for (size_t i = 0; i < n && !rc; i++) {
            if (fold[i] != k)
                continue;
            double eta = beta[0];
            for (size_t j = 0; j < d; j++)
                eta += design->x[i * d + j] * beta[j + 1];
            oof[i] = s_logistic (eta);
        }
    }
cleanup:
    free (order);
    free (fold);
    free (beta);
    return rc;
}

/*  AUC and Brier of probabilities p against y. */
static int
s_score (const double *p, const int *y, size_t n, double *auc, double *brier, err_t *err)
{
    int rc = stats_auc (p, y, n, auc, err);
    if (!rc)
        rc = stats_brier (p, y, n, brier, err);
    return rc;
}

int
model_fit (csvreader_t *csv, const model_options_t *options, model_t **out, err_t *err)
{
    if (!options->label || !*options->label)
        return err_set (err, ERR_USAGE, "the label column is required");
    if (!(options->lambda >= 0) || !isfinite (options->lambda))
        return err_set (err, ERR_USAGE, "lambda must be a finite number >= 0");
    if (options->folds != 0 && (options->folds < 2 || options->folds > 100))
        return err_set (err, ERR_USAGE, "folds must be 0 (none) or 2..100, not %d",
                        options->folds);
    if (options->max_iterations < 1 || !(options->tolerance > 0))
        return err_set (err, ERR_USAGE, "max_iterations must be >= 1 and tolerance > 0");
    if (options->group && strcmp (options->group, options->label) == 0)
        return err_set (err, ERR_USAGE, "the label column cannot be the group column");
    s_data_t data;
    int rc = s_data_read (csv, options, &data, err);
    model_t *model = rc ? NULL : calloc (1, sizeof *model);
    double *oof_all = NULL, *oof = NULL, *beta = NULL;
    int *y_all = NULL;
    s_design_t design = {0};
    if (!rc && !model)
        rc = err_set (err, ERR_NOMEM, "out of memory");
    if (rc)
        goto cleanup;
    model->label = strdup (options->label);
    model->group_by = strdup (options->group ? options->group : "");
    model->lambda = options->lambda;
    model->groups = calloc (data.n_groups, sizeof *model->groups);
    oof_all = malloc (data.n_rows * sizeof *oof_all);
    y_all = malloc (data.n_rows * sizeof *y_all);
    if (!model->label || !model->group_by || !model->groups || !oof_all || !y_all) {
        rc = err_set (err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    rng_t rng;
    rng_seed (&rng, options->seed);
    size_t pooled = 0;
    bool every_group_cv = options->folds >= 2;
    for (size_t g = 0; g < data.n_groups; g++) {
        model_group_t *group = &model->groups[g];
        model->n_groups++;
        const char *name = data.group_names[g];
        const char *in_group = *name ? " in group '" : "";
        const char *in_group_end = *name ? "'" : "";
        rc = s_encode (model, &data, g, group, &design, err);
        if (rc)
            goto cleanup;
        model->trained_on += group->trained_on;
        model->positives += group->positives;
        beta = malloc ((design.d + 1) * sizeof *beta);
        if (!beta) {
            rc = err_set (err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        model_fit_report_t report;
        rc = model_logistic_fit (design.x, design.y, design.n, design.d, NULL, 0,
                                 options->lambda, options->max_iterations, options->tolerance,
                                 beta, &report, err);
        if (rc)
            goto cleanup;
        s_store_weights (group, &design, beta);
        group->iterations = report.iterations;
        group->converged = report.converged;
        char column[256];
        if (report.singular) {
            if (report.singular_column == 0)
                snprintf (column, sizeof column, "the intercept");
            else
                s_slot_name (group, &design, report.singular_column - 1, column, sizeof column);
            rc = s_note (model,
                         "singular design%s%s%s: %s repeats or combines earlier columns; "
                         "fitted with ridge %g added to lambda (equal fits share the weight)",
                         in_group, name, in_group_end, column, report.ridge);
        }
        if (!rc && report.separated)
            rc = s_note (model,
                         "separation%s%s%s: the outcomes can be predicted perfectly, so the "
                         "unpenalised weights grow without bound; fitted with ridge %g "
                         "(use --lambda > 0)",
                         in_group, name, in_group_end, report.ridge);
        if (!rc && !report.converged)
            rc = s_note (model, "the fit%s%s%s did not converge in %d iterations", in_group,
                         name, in_group_end, report.iterations);
        if (rc) {
            rc = err_set (err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        if (options->folds >= 2) {
            size_t negatives = group->trained_on - group->positives;
            if (group->positives < (size_t)options->folds ||
                negatives < (size_t)options->folds) {
                every_group_cv = false;
                if (s_note (model,
                            "not cross-validated%s%s%s: %zu positive and %zu negative rows, "
                            "fewer than %d folds",
                            in_group, name, in_group_end, group->positives, negatives,
                            options->folds)) {
                    rc = err_set (err, ERR_NOMEM, "out of memory");
                    goto cleanup;
                }
            } else {
                oof = oof_all + pooled;
                rc = s_cross_validate (&design, options, &rng, oof, err);
                if (!rc)
                    rc = s_score (oof, design.y, design.n, &group->cv_auc, &group->cv_brier,
                                  err);
                if (rc)
                    goto cleanup;
                group->has_cv = true;
                memcpy (y_all + pooled, design.y, design.n * sizeof *y_all);
                pooled += design.n;
            }
        }
        free (beta);
        beta = NULL;
        s_design_free (&design);
    }
    if (pooled > 0) {
        model->folds = options->folds;
        model->seed = options->seed;
        rc = s_score (oof_all, y_all, pooled, &model->cv_auc, &model->cv_brier, err);
        if (rc)
            goto cleanup;
        model->has_cv = true;
        if (!every_group_cv &&
            s_note (model, "the overall cross-validation covers %zu of %zu rows", pooled,
                    model->trained_on)) {
            rc = err_set (err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
    }
cleanup:
    free (beta);
    free (oof_all);
    free (y_all);
    s_design_free (&design);
    s_data_free (&data);
    if (rc)
        model_destroy (&model);
    else
        *out = model;
    return rc;
}

/* --------------------------------------------------------------------------
   Read access */

const char *
model_label (const model_t *self)
{
    return self->label;
}

const char *
model_group_by (const model_t *self)
{
    return self->group_by;
}

double
model_lambda (const model_t *self)
{
    return self->lambda;
}

size_t
model_groups (const model_t *self)
{
    return self->n_groups;
}

const model_group_t *
model_group (const model_t *self, size_t index)
{
    return index < self->n_groups ? &self->groups[index] : NULL;
}

const model_group_t *
model_group_find (const model_t *self, const char *group)
{
    if (!group)
        group = "";
    for (size_t g = 0; g < self->n_groups; g++)
        if (strcmp (self->groups[g].group, group) == 0)
            return &self->groups[g];
    return NULL;
}

size_t
model_trained_on (const model_t *self)
{
    return self->trained_on;
}

size_t
model_positives (const model_t *self)
{
    return self->positives;
}

bool
model_cv (const model_t *self, int *folds, double *auc, double *brier)
{
    if (!self->has_cv)
        return false;
    if (folds)
        *folds = self->folds;
    if (auc)
        *auc = self->cv_auc;
    if (brier)
        *brier = self->cv_brier;
    return true;
}

size_t
model_notes (const model_t *self)
{
    return self->n_notes;
}

const char *
model_note (const model_t *self, size_t index)
{
    return index < self->n_notes ? self->notes[index] : NULL;
}

/* --------------------------------------------------------------------------
   The model file: writing */

/*  The shortest of %.15g..%.17g that reads back as the same double, always with a
    '.' or an exponent so libconfig reads it as a float. */
static const char *
s_number (double value, char *buf, size_t size)
{
    for (int precision = 15; precision <= 17; precision++) {
        snprintf (buf, size, "%.*g", precision, value);
        if (strtod (buf, NULL) == value)
            break;
    }
    if (!strpbrk (buf, ".eE"))
        strncat (buf, ".0", size - strlen (buf) - 1);
    return buf;
}

/*  A libconfig string literal: quotes, backslashes and control bytes escaped. */
static void
s_write_string (FILE *file, const char *text)
{
    fputc ('"', file);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf (file, "\\%c", *c);
        else if (*c < 0x20)
            fprintf (file, "\\x%02x", *c);
        else
            fputc (*c, file);
    }
    fputc ('"', file);
}

static void
s_write_model (const model_t *self, FILE *file)
{
    char a[40], b[40], c[40];
    fprintf (file,
             "# A logistic propensity model written by campaign-model (lib/model.h "
             "documents the format).\n"
             "# p = logistic (intercept + sum weight x (x - mean) / scale + the "
             "weight of each categorical level)\n"
             "model = {\n    version = %d;\n    label = ",
             MODEL_FORMAT_VERSION);
    s_write_string (file, self->label);
    fprintf (file, ";\n    group_by = ");
    s_write_string (file, self->group_by);
    fprintf (file, ";\n    lambda = %s;\n    trained_on = %zu;\n    positives = %zu;\n",
             s_number (self->lambda, a, sizeof a), self->trained_on, self->positives);
    if (self->has_cv)
        fprintf (file, "    cv = { folds = %d; seed = %llu; auc = %s; brier = %s; };\n",
                 self->folds, (unsigned long long)self->seed,
                 s_number (self->cv_auc, a, sizeof a), s_number (self->cv_brier, b, sizeof b));
    fprintf (file, "    notes = (");
    for (size_t i = 0; i < self->n_notes; i++) {
        fprintf (file, "%s\n        ", i ? "," : "");
        s_write_string (file, self->notes[i]);
    }
    fprintf (file, "%s);\n    groups = (", self->n_notes ? "\n    " : "");
    for (size_t g = 0; g < self->n_groups; g++) {
        const model_group_t *group = &self->groups[g];
        fprintf (file, "%s\n        {\n            group = ", g ? "," : "");
        s_write_string (file, group->group);
        fprintf (file,
                 ";\n            trained_on = %zu;\n            positives = %zu;\n"
                 "            iterations = %d;\n            converged = %s;\n"
                 "            intercept = %s;\n            numeric = (",
                 group->trained_on, group->positives, group->iterations,
                 group->converged ? "true" : "false", s_number (group->intercept, a, sizeof a));
        for (size_t k = 0; k < group->n_numeric; k++) {
            const model_numeric_t *num = &group->numeric[k];
            fprintf (file, "%s\n                { name = ", k ? "," : "");
            s_write_string (file, num->name);
            fprintf (file, "; mean = %s; scale = %s; weight = %s; }",
                     s_number (num->mean, a, sizeof a), s_number (num->scale, b, sizeof b),
                     s_number (num->weight, c, sizeof c));
        }
        fprintf (file, "%s);\n            categorical = (",
                 group->n_numeric ? "\n            " : "");
        for (size_t q = 0; q < group->n_categorical; q++) {
            const model_categorical_t *cat = &group->categorical[q];
            fprintf (file, "%s\n                { name = ", q ? "," : "");
            s_write_string (file, cat->name);
            fprintf (file, "; reference = ");
            s_write_string (file, cat->reference);
            fprintf (file, ";\n                  levels = (");
            for (size_t l = 0; l < cat->n_levels; l++) {
                fprintf (file, "%s\n                      { level = ", l ? "," : "");
                s_write_string (file, cat->levels[l].level);
                fprintf (file, "; weight = %s; }",
                         s_number (cat->levels[l].weight, a, sizeof a));
            }
            fprintf (file, "%s); }", cat->n_levels ? "\n                  " : "");
        }
        fprintf (file, "%s);\n", group->n_categorical ? "\n            " : "");
        if (group->has_cv)
            fprintf (file, "            cv = { auc = %s; brier = %s; };\n",
                     s_number (group->cv_auc, a, sizeof a),
                     s_number (group->cv_brier, b, sizeof b));
        fprintf (file, "        }");
    }
    fprintf (file, "%s);\n};\n", self->n_groups ? "\n    " : "");
}

int
model_write (const model_t *self, FILE *file, err_t *err)
{
    s_write_model (self, file);
    if (ferror (file))
        return err_set (err, ERR_IO, "cannot write the model: %s", strerror (errno));
    return 0;
}

int
model_save (const model_t *self, const char *path, err_t *err)
{
    char *tmp = NULL;
    if (asprintf (&tmp, "%s.tmp", path) < 0)
        return err_set (err, ERR_NOMEM, "out of memory");
    FILE *file = fopen (tmp, "w");
    if (!file) {
        int rc = err_set (err, ERR_IO, "%s: cannot write: %s", tmp, strerror (errno));
        free (tmp);
        return rc;
    }
    s_write_model (self, file);
    bool ok = !ferror (file);
    ok = fflush (file) == 0 && ok;
    ok = fsync (fileno (file)) == 0 && ok;
    int saved = errno;
    ok = fclose (file) == 0 && ok;
    if (ok && rename (tmp, path) != 0) {
        saved = errno;
        ok = false;
    }
    int rc = 0;
    if (!ok) {
        rc = err_set (err, ERR_IO, "%s: cannot write: %s", path, strerror (saved));
        unlink (tmp);
    }
    free (tmp);
    return rc;
}

/* --------------------------------------------------------------------------
   The model file: reading */

typedef struct {
    const char *path;
    err_t *err;
} s_reader_t;

static const char *
s_type_name (int type)
{
    switch (type) {
    case CONFIG_TYPE_GROUP: return "a group";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: return "an integer";
    case CONFIG_TYPE_FLOAT: return "a float";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "a boolean";
    case CONFIG_TYPE_ARRAY: return "an array";
    case CONFIG_TYPE_LIST: return "a list";
    default: return "nothing";
    }
}

/*  The child `name` of parent (whose dotted path is at), of the wanted type; NULL with
    an error if required and missing or of another type. */
static config_setting_t *
s_child (s_reader_t *reader, const config_setting_t *parent, const char *at, const char *name,
         int type, bool required, int *rc)
{
    config_setting_t *child = config_setting_get_member (parent, name);
    if (!child) {
        if (required)
            *rc = err_set (reader->err, ERR_INVALID, "%s:%d: setting '%s': missing '%s'",
                           reader->path, config_setting_source_line (parent), at, name);
        return NULL;
    }
    int found = config_setting_type (child);
    bool number =
        type == CONFIG_TYPE_FLOAT && (found == CONFIG_TYPE_INT || found == CONFIG_TYPE_INT64);
    bool empty_list = type == CONFIG_TYPE_LIST && found == CONFIG_TYPE_ARRAY &&
                      config_setting_length (child) == 0;
    bool whole = type == CONFIG_TYPE_INT64 && found == CONFIG_TYPE_INT;
    if (found != type && !number && !empty_list && !whole) {
        *rc = err_set (
            reader->err, ERR_INVALID, "%s:%d: setting '%s.%s': expected %s, found %s",
            reader->path, config_setting_source_line (child), at, name,
            type == CONFIG_TYPE_FLOAT ? "a number" : s_type_name (type), s_type_name (found));
        return NULL;
    }
    return child;
}

/*  Element k of the list `name` under the setting at path at, which must be a group: its
    path goes into where (size bytes). NULL with *rc set, naming file, line and path,
    otherwise. */
static config_setting_t *
s_group_elem (s_reader_t *reader, const config_setting_t *list, const char *at,
              const char *name, int k, char *where, size_t size, int *rc)
{
    snprintf (where, size, "%s.%s.[%d]", at, name, k);
    config_setting_t *elem = config_setting_get_elem (list, (unsigned)k);
    if (config_setting_type (elem) != CONFIG_TYPE_GROUP) {
        *rc = err_set (reader->err, ERR_INVALID, "%s:%d: setting '%s': expected a group",
                       reader->path, config_setting_source_line (elem), where);
        return NULL;
    }
    return elem;
}

static int
s_get_string (s_reader_t *reader, const config_setting_t *parent, const char *at,
              const char *name, char **out)
{
    int rc = 0;
    config_setting_t *s = s_child (reader, parent, at, name, CONFIG_TYPE_STRING, true, &rc);
    if (!s)
        return rc;
    *out = strdup (config_setting_get_string (s));
    return *out ? 0 : err_set (reader->err, ERR_NOMEM, "out of memory");
}

static int
s_get_number (s_reader_t *reader, const config_setting_t *parent, const char *at,
              const char *name, bool required, double *out)
{
    int rc = 0;
    config_setting_t *s = s_child (reader, parent, at, name, CONFIG_TYPE_FLOAT, required, &rc);
    if (!s)
        return rc;
    double value = config_setting_type (s) == CONFIG_TYPE_FLOAT
                       ? config_setting_get_float (s)
                       : (double)config_setting_get_int64 (s);
    if (!isfinite (value))
        return err_set (reader->err, ERR_INVALID, "%s:%d: setting '%s.%s': not a finite number",
                        reader->path, config_setting_source_line (s), at, name);
    *out = value;
    return 0;
}

static int
s_get_count (s_reader_t *reader, const config_setting_t *parent, const char *at,
             const char *name, size_t *out)
{
    int rc = 0;
    config_setting_t *s = s_child (reader, parent, at, name, CONFIG_TYPE_INT64, false, &rc);
    if (!s)
        return rc;
    long long value = config_setting_get_int64 (s);
    if (value < 0)
        return err_set (reader->err, ERR_INVALID, "%s:%d: setting '%s.%s': %lld is negative",
                        reader->path, config_setting_source_line (s), at, name, value);
    *out = (size_t)value;
    return 0;
}

static int
s_cmp_level (const void *a, const void *b)
{
    return strcmp (((const model_level_t *)a)->level, ((const model_level_t *)b)->level);
}

static int
s_load_categorical (s_reader_t *reader, const config_setting_t *item, const char *at,
                    model_categorical_t *cat)
{
    int rc = s_get_string (reader, item, at, "name", &cat->name);
    if (!rc)
        rc = s_get_string (reader, item, at, "reference", &cat->reference);
    config_setting_t *levels =
        rc ? NULL : s_child (reader, item, at, "levels", CONFIG_TYPE_LIST, true, &rc);
    if (rc)
        return rc;
    int n = config_setting_length (levels);
    cat->levels = calloc ((size_t)n + 1, sizeof *cat->levels);
    if (!cat->levels)
        return err_set (reader->err, ERR_NOMEM, "out of memory");
    for (int l = 0; l < n && !rc; l++) {
        char where[400];
        config_setting_t *level =
            s_group_elem (reader, levels, at, "levels", l, where, sizeof where, &rc);
        if (!level)
            return rc;
        model_level_t *slot = &cat->levels[cat->n_levels];
        rc = s_get_string (reader, level, where, "level", &slot->level);
        cat->n_levels += slot->level != NULL;
        if (!rc)
            rc = s_get_number (reader, level, where, "weight", true, &slot->weight);
        if (!rc && strcmp (slot->level, cat->reference) == 0)
            rc = err_set (reader->err, ERR_INVALID,
                          "%s:%d: setting '%s': level '%s' is the reference (weight 0)",
                          reader->path, config_setting_source_line (level), where, slot->level);
    }
    if (rc)
        return rc;
    qsort (cat->levels, cat->n_levels, sizeof *cat->levels, s_cmp_level);
    for (size_t l = 1; l < cat->n_levels; l++)
        if (strcmp (cat->levels[l - 1].level, cat->levels[l].level) == 0)
            return err_set (reader->err, ERR_INVALID,
                            "%s:%d: setting '%s.levels': level '%s' appears twice",
                            reader->path, config_setting_source_line (levels), at,
                            cat->levels[l].level);
    return 0;
}

static int
s_load_group (s_reader_t *reader, const config_setting_t *item, const char *at,
              model_group_t *group)
{
    int rc = s_get_string (reader, item, at, "group", &group->group);
    if (!rc)
        rc = s_get_number (reader, item, at, "intercept", true, &group->intercept);
    if (!rc)
        rc = s_get_count (reader, item, at, "trained_on", &group->trained_on);
    if (!rc)
        rc = s_get_count (reader, item, at, "positives", &group->positives);
    config_setting_t *s =
        rc ? NULL : s_child (reader, item, at, "converged", CONFIG_TYPE_BOOL, false, &rc);
    if (s)
        group->converged = config_setting_get_bool (s);
    s = rc ? NULL : s_child (reader, item, at, "iterations", CONFIG_TYPE_INT, false, &rc);
    if (s)
        group->iterations = config_setting_get_int (s);
    config_setting_t *numeric =
        rc ? NULL : s_child (reader, item, at, "numeric", CONFIG_TYPE_LIST, true, &rc);
    config_setting_t *categorical =
        rc ? NULL : s_child (reader, item, at, "categorical", CONFIG_TYPE_LIST, true, &rc);
    if (rc)
        return rc;
    int n_num = config_setting_length (numeric), n_cat = config_setting_length (categorical);
    group->numeric = calloc ((size_t)n_num + 1, sizeof *group->numeric);
    group->categorical = calloc ((size_t)n_cat + 1, sizeof *group->categorical);
    if (!group->numeric || !group->categorical)
        return err_set (reader->err, ERR_NOMEM, "out of memory");
    for (int k = 0; k < n_num && !rc; k++) {
        char where[400];
        config_setting_t *elem =
            s_group_elem (reader, numeric, at, "numeric", k, where, sizeof where, &rc);
        if (!elem)
            return rc;
        model_numeric_t *num = &group->numeric[group->n_numeric++];
        rc = s_get_string (reader, elem, where, "name", &num->name);
        if (!rc)
            rc = s_get_number (reader, elem, where, "mean", true, &num->mean);
        if (!rc)
            rc = s_get_number (reader, elem, where, "scale", true, &num->scale);
        if (!rc)
            rc = s_get_number (reader, elem, where, "weight", true, &num->weight);
        if (!rc && !(num->scale > 0))
            rc = err_set (reader->err, ERR_INVALID, "%s:%d: setting '%s.scale': %g is not > 0",
                          reader->path, config_setting_source_line (elem), where, num->scale);
    }
    for (int q = 0; q < n_cat && !rc; q++) {
        char where[400];
        config_setting_t *elem =
            s_group_elem (reader, categorical, at, "categorical", q, where, sizeof where, &rc);
        if (!elem)
            return rc;
        rc = s_load_categorical (reader, elem, where,
                                 &group->categorical[group->n_categorical++]);
    }
    /*  Feature names unique across both kinds. */
    for (size_t i = 0; !rc && i < group->n_numeric + group->n_categorical; i++)
        for (size_t j = i + 1; !rc && j < group->n_numeric + group->n_categorical; j++) {
            const char *a = i < group->n_numeric
                                ? group->numeric[i].name
                                : group->categorical[i - group->n_numeric].name;
            const char *b = j < group->n_numeric
                                ? group->numeric[j].name
                                : group->categorical[j - group->n_numeric].name;
            if (strcmp (a, b) == 0)
                rc = err_set (reader->err, ERR_INVALID,
                              "%s:%d: setting '%s': feature '%s' appears twice", reader->path,
                              config_setting_source_line (item), at, a);
        }
    config_setting_t *cv =
        rc ? NULL : s_child (reader, item, at, "cv", CONFIG_TYPE_GROUP, false, &rc);
    if (cv) {
        char where[256];
        snprintf (where, sizeof where, "%s.cv", at);
        rc = s_get_number (reader, cv, where, "auc", true, &group->cv_auc);
        if (!rc)
            rc = s_get_number (reader, cv, where, "brier", true, &group->cv_brier);
        group->has_cv = rc == 0;
    }
    return rc;
}

static int
s_load_model (s_reader_t *reader, config_t *config, model_t *model)
{
    config_setting_t *root = config_root_setting (config);
    int rc = 0;
    config_setting_t *top =
        s_child (reader, root, "(root)", "model", CONFIG_TYPE_GROUP, true, &rc);
    if (!top)
        return rc;
    double version = 0;
    rc = s_get_number (reader, top, "model", "version", true, &version);
    if (!rc && version != MODEL_FORMAT_VERSION)
        rc = err_set (reader->err, ERR_UNSUPPORTED,
                      "%s:%d: setting 'model.version': %g is not a version this program reads "
                      "(%d)",
                      reader->path, config_setting_source_line (top), version,
                      MODEL_FORMAT_VERSION);
    if (!rc)
        rc = s_get_string (reader, top, "model", "label", &model->label);
    config_setting_t *s =
        rc ? NULL : s_child (reader, top, "model", "group_by", CONFIG_TYPE_STRING, false, &rc);
    if (!rc) {
        model->group_by = strdup (s ? config_setting_get_string (s) : "");
        if (!model->group_by)
            rc = err_set (reader->err, ERR_NOMEM, "out of memory");
    }
    if (!rc)
        rc = s_get_number (reader, top, "model", "lambda", false, &model->lambda);
    if (!rc)
        rc = s_get_count (reader, top, "model", "trained_on", &model->trained_on);
    if (!rc)
        rc = s_get_count (reader, top, "model", "positives", &model->positives);
    config_setting_t *cv =
        rc ? NULL : s_child (reader, top, "model", "cv", CONFIG_TYPE_GROUP, false, &rc);
    if (cv) {
        double folds = 0, seed = 0;
        rc = s_get_number (reader, cv, "model.cv", "folds", true, &folds);
        if (!rc)
            rc = s_get_number (reader, cv, "model.cv", "seed", false, &seed);
        if (!rc)
            rc = s_get_number (reader, cv, "model.cv", "auc", true, &model->cv_auc);
        if (!rc)
            rc = s_get_number (reader, cv, "model.cv", "brier", true, &model->cv_brier);
        model->folds = (int)folds;
        model->seed = (uint64_t)seed;
        model->has_cv = rc == 0;
    }
    config_setting_t *notes =
        rc ? NULL : s_child (reader, top, "model", "notes", CONFIG_TYPE_LIST, false, &rc);
    for (int i = 0; notes && !rc && i < config_setting_length (notes); i++) {
        const char *text = config_setting_get_string_elem (notes, i);
        if (text && s_note (model, "%s", text))
            rc = err_set (reader->err, ERR_NOMEM, "out of memory");
    }
    config_setting_t *groups =
        rc ? NULL : s_child (reader, top, "model", "groups", CONFIG_TYPE_LIST, true, &rc);
    if (rc)
        return rc;
    int n = config_setting_length (groups);
    if (n == 0)
        return err_set (reader->err, ERR_INVALID, "%s:%d: setting 'model.groups': no group",
                        reader->path, config_setting_source_line (groups));
    model->groups = calloc ((size_t)n, sizeof *model->groups);
    if (!model->groups)
        return err_set (reader->err, ERR_NOMEM, "out of memory");
    for (int g = 0; g < n && !rc; g++) {
        char where[64];
        config_setting_t *item =
            s_group_elem (reader, groups, "model", "groups", g, where, sizeof where, &rc);
        if (!item)
            return rc;
        rc = s_load_group (reader, item, where, &model->groups[model->n_groups++]);
        for (size_t h = 0; !rc && h + 1 < model->n_groups; h++)
            if (strcmp (model->groups[h].group, model->groups[g].group) == 0)
                rc = err_set (reader->err, ERR_INVALID,
                              "%s:%d: setting '%s': group '%s' appears twice", reader->path,
                              config_setting_source_line (item), where, model->groups[g].group);
    }
    return rc;
}

int
model_load (const char *path, model_t **out, err_t *err)
{
    FILE *file = fopen (path, "r");
    if (!file)
        return err_set (err, ERR_IO, "%s: cannot read: %s", path, strerror (errno));
    config_t config;
    config_init (&config);
    int ok = config_read (&config, file);
    fclose (file);
    if (!ok) {
        int rc = err_set (err, ERR_PARSE, "%s:%d: %s", path, config_error_line (&config),
                          config_error_text (&config));
        config_destroy (&config);
        return rc;
    }
    model_t *model = calloc (1, sizeof *model);
    s_reader_t reader = {path, err};
    int rc = model ? s_load_model (&reader, &config, model)
                   : err_set (err, ERR_NOMEM, "out of memory");
    config_destroy (&config);
    if (rc)
        model_destroy (&model);
    else
        *out = model;
    return rc;
}

/* --------------------------------------------------------------------------
   Prediction and evaluation */

/*  The value named name among values[0..n), or NULL. */
static const model_value_t *
s_value (const model_value_t *values, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp (values[i].name, name) == 0)
            return &values[i];
    return NULL;
}

/*  The log odds of one case of group; values by name. */
static int
s_logit (const model_group_t *group, const model_value_t *values, size_t n, double *out,
         err_t *err)
{
    double eta = group->intercept;
    for (size_t k = 0; k < group->n_numeric; k++) {
        const model_numeric_t *num = &group->numeric[k];
        const model_value_t *value = s_value (values, n, num->name);
        if (!value)
            return err_set (err, ERR_INVALID, "feature '%s' has no value", num->name);
        if (value->level || !isfinite (value->number))
            return err_set (err, ERR_INVALID, "feature '%s' needs a finite number", num->name);
        eta += num->weight * (value->number - num->mean) / num->scale;
    }
    for (size_t q = 0; q < group->n_categorical; q++) {
        const model_categorical_t *cat = &group->categorical[q];
        const model_value_t *value = s_value (values, n, cat->name);
        if (!value)
            return err_set (err, ERR_INVALID, "feature '%s' has no value", cat->name);
        if (!value->level)
            return err_set (err, ERR_INVALID, "feature '%s' needs a level (text)", cat->name);
        model_level_t key = {(char *)value->level, 0};
        const model_level_t *level =
            bsearch (&key, cat->levels, cat->n_levels, sizeof key, s_cmp_level);
        if (level)
            eta += level->weight; /* otherwise the reference, or unseen: weight 0 */
    }
    *out = eta;
    return 0;
}

int
model_predict (const model_t *self, const char *group, const model_value_t *values, size_t n,
               double *p, err_t *err)
{
    const model_group_t *found = model_group_find (self, group);
    if (!found)
        return err_set (err, ERR_NOTFOUND, "group '%s' is not in the model",
                        group ? group : "");
    double eta = 0;
    int rc = s_logit (found, values, n, &eta, err);
    if (!rc)
        *p = s_logistic (eta);
    return rc;
}

void
model_evaluation_destroy (model_evaluation_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    stats_calibration_destroy (&(*self_p)->calibration);
    free (*self_p);
    *self_p = NULL;
}

/*  Probability of data row r of csv; values is scratch for the features. */
static int
s_predict_row (const model_t *self, csvreader_t *csv, size_t r, model_value_t *values,
               size_t capacity, double *p, err_t *err)
{
    const char *name = csvreader_name (csv);
    size_t line = csvreader_line (csv, r);
    const char *group_name = "";
    if (*self->group_by) {
        group_name = csvreader_cell (csv, r, csvreader_column (csv, self->group_by));
    }
    const model_group_t *group = model_group_find (self, group_name);
    if (!group)
        return err_set (err, ERR_NOTFOUND,
                        "%s:%zu: column '%s': group '%s' is not in the model (it has %s%s)",
                        name, line, self->group_by, group_name, self->groups[0].group,
                        self->n_groups > 1 ? " and others" : "");
    size_t n = 0;
    for (size_t k = 0; k < group->n_numeric && n < capacity; k++, n++) {
        values[n].name = group->numeric[k].name;
        values[n].level = NULL;
        int rc = csvreader_double (csv, r, values[n].name, -DBL_MAX, DBL_MAX, &values[n].number,
                                   err);
        if (rc)
            return rc;
    }
    for (size_t q = 0; q < group->n_categorical && n < capacity; q++, n++) {
        values[n].name = group->categorical[q].name;
        int rc = csvreader_text (csv, r, values[n].name, &values[n].level, err);
        if (rc)
            return rc;
    }
    double eta = 0;
    int rc = s_logit (group, values, n, &eta, err);
    if (rc)
        return err_prefix (err, "%s:%zu: ", name, line);
    *p = s_logistic (eta);
    return 0;
}

int
model_evaluate (const model_t *self, csvreader_t *csv, size_t bins, model_evaluation_t **out,
                err_t *err)
{
    const char *name = csvreader_name (csv);
    size_t n = csvreader_rows (csv);
    if (n == 0)
        return err_set (err, ERR_INVALID, "%s: no data rows to evaluate on", name);
    if (bins == 0)
        return err_set (err, ERR_USAGE, "bins must be >= 1");
    /*  Every column the model needs, named at once. */
    if (csvreader_column (csv, self->label) < 0)
        return err_set (err, ERR_INVALID, "%s:1: missing label column '%s'", name, self->label);
    if (*self->group_by && csvreader_column (csv, self->group_by) < 0)
        return err_set (err, ERR_INVALID, "%s:1: missing group column '%s'", name,
                        self->group_by);
    size_t capacity = 1;
    for (size_t g = 0; g < self->n_groups; g++) {
        const model_group_t *group = &self->groups[g];
        if (group->n_numeric + group->n_categorical > capacity)
            capacity = group->n_numeric + group->n_categorical;
        for (size_t k = 0; k < group->n_numeric + group->n_categorical; k++) {
            const char *feature = k < group->n_numeric
                                      ? group->numeric[k].name
                                      : group->categorical[k - group->n_numeric].name;
            if (csvreader_column (csv, feature) < 0)
                return err_set (err, ERR_INVALID, "%s:1: missing feature column '%s'", name,
                                feature);
        }
    }
    model_evaluation_t *eval = calloc (1, sizeof *eval);
    double *p = malloc (n * sizeof *p);
    int *y = malloc (n * sizeof *y);
    model_value_t *values = malloc (capacity * sizeof *values);
    int rc = 0;
    if (!eval || !p || !y || !values) {
        rc = err_set (err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    int label_column = csvreader_column (csv, self->label);
    for (size_t r = 0; r < n && !rc; r++) {
        const char *cell = csvreader_cell (csv, r, label_column);
        if (model_parse_label (cell, &y[r]) != 0)
            rc = err_set (err, ERR_INVALID,
                          "%s:%zu: column '%s': '%s' is not a label (1/0, yes/no, won/lost, "
                          "true/false)",
                          name, csvreader_line (csv, r), self->label, cell);
        else
            rc = s_predict_row (self, csv, r, values, capacity, &p[r], err);
        if (!rc)
            eval->positives += (size_t)y[r];
    }
    if (rc)
        goto cleanup;
    eval->n = n;
    eval->auc = NAN;
    if (eval->positives > 0 && eval->positives < n)
        rc = stats_auc (p, y, n, &eval->auc, err);
    if (!rc)
        rc = stats_brier (p, y, n, &eval->brier, err);
    if (!rc)
        rc = stats_log_loss (p, y, n, &eval->log_loss, err);
    if (!rc && eval->positives > 0)
        rc = stats_calibration (p, y, n, bins < n ? bins : n, &eval->calibration, err);
cleanup:
    free (p);
    free (y);
    free (values);
    if (rc)
        model_evaluation_destroy (&eval);
    else
        *out = eval;
    return rc;
}
