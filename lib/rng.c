/*  rng.c: xoshiro256** seeded by splitmix64 (see rng.h). */
#include "rng.h"

#include <math.h>

uint64_t
rng_splitmix (uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

void
rng_seed (rng_t *rng, uint64_t state)
{
    for (int i = 0; i < 4; i++)
        rng->s[i] = rng_splitmix (&state);
    rng->has_spare = false;
}

static uint64_t
s_rotl (uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next (rng_t *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = s_rotl (s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s_rotl (s[3], 45);
    return result;
}

double
rng_unit (rng_t *rng)
{
    return (double)(rng_next (rng) >> 11) * 0x1.0p-53;
}

uint32_t
rng_below (rng_t *rng, uint32_t n)
{
    return (uint32_t)(((rng_next (rng) >> 32) * (uint64_t)n) >> 32);
}

double
rng_normal (rng_t *rng)
{
    if (rng->has_spare) {
        rng->has_spare = false;
        return rng->spare;
    }
    double u = 1.0 - rng_unit (rng); /* (0, 1]: the log stays finite */
    double v = rng_unit (rng);
    double r = sqrt (-2.0 * log (u));
    rng->spare = r * sin (2.0 * M_PI * v);
    rng->has_spare = true;
    return r * cos (2.0 * M_PI * v);
}
