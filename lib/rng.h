/*  rng.h: deterministic pseudo-random numbers for the generator and the simulator.

    xoshiro256** (Blackman and Vigna) seeded through splitmix64: fast, well distributed,
    and the same sequence on every machine for the same seed, which is what makes
    campaign-gen's files and campaign-sim's campaigns reproducible. Not for secrets.
*/
#ifndef CAMPAIGN_RNG_H
#define CAMPAIGN_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
    double spare; /* the second normal of a Box-Muller pair */
    bool has_spare;
} rng_t;

/*  splitmix64: advance *state and return 64 well-mixed bits (also a good hash step). */
uint64_t rng_splitmix (uint64_t *state);

/*  Seed the generator's four words from state through splitmix64. */
void rng_seed (rng_t *rng, uint64_t state);

uint64_t rng_next (rng_t *rng);

/*  Uniform in [0, 1), 53 random bits. */
double rng_unit (rng_t *rng);

/*  0 .. n-1 (n > 0) by multiply-shift; bias below 2^-32. */
uint32_t rng_below (rng_t *rng, uint32_t n);

/*  Standard normal (Box-Muller, the pair's second value kept for the next call). */
double rng_normal (rng_t *rng);

#endif
