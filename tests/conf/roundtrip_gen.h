/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The round-trip property test's generator (test_conf_roundtrip.c): random
 * configurations that every check accepts, as a struct (the model, what the
 * file says) and as libconfig text written in any of the forms the reader
 * takes (units, fractions, integer literals, escapes, comments, key order),
 * with at most one value replaced by a mutation, for the values at and
 * beyond the edges of what the checks accept.
 */
#ifndef VQOS_TESTS_ROUNDTRIP_GEN_H
#define VQOS_TESTS_ROUNDTRIP_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/vqos_conf.h"

/** A splitmix64 generator: one seed, one sequence. */
struct rt_rng {
	uint64_t s;
};

uint64_t rt_next(struct rt_rng *r);
/** Uniform in 0..n-1 (0 when n is 0). */
uint64_t rt_below(struct rt_rng *r, uint64_t n);
/** true with @p pct percent. */
bool rt_coin(struct rt_rng *r, unsigned int pct);
/** In lo..hi, each end 1 time in 10, else spread over the magnitudes. */
uint64_t rt_spread(struct rt_rng *r, uint64_t lo, uint64_t hi);
/** strdup(), or abort. */
char *rt_strdup(const char *s);

/** What a key's value is, for writing it and for its mutations. */
enum rt_kind {
	RT_BPS,	   /* bit rate string */
	RT_PPS,	   /* packet rate string */
	RT_SIZE,   /* size: string with a unit, or integer */
	RT_INT,	   /* integer */
	RT_BOOL,   /* boolean */
	RT_METER,  /* "srtcm", "trtcm", "rfc4115" */
	RT_AQM,	   /* "tail", "red", "pie" */
	RT_MATCH,  /* match text */
	RT_NAME,   /* [A-Za-z0-9_.-] name */
	RT_PATH,   /* absolute path string */
	RT_STRING, /* any non-empty string */
	RT_MODE,   /* control.mode, an octal string */
	RT_PMODE,  /* ports.mode, "server" or "client" */
	RT_MAC,	   /* a MAC string */
	RT_QDISC,  /* a qdisc kind */
	RT_EAL,	   /* the eal array: value = its number of strings */
	RT_CPS,	   /* cycle rate string */
	RT_TIME,   /* time string: value in microseconds */
	RT_CBYTE,  /* a cost per byte, integer or float: value in 1/1024 cycles */
};

/**
 * One value of the text replaced. The key is named as the file's keys are,
 * without indices: a class key ("limit"), "qdisc", "control.mode",
 * "ports.mac", "eal". Its occ-th occurrence in the text gets @p value,
 * written in a random form of its kind, or @p text exactly when not NULL.
 * The members of a port's cost group are "ports.cost.packet" and
 * "ports.cost.byte"; the data path's sleep is "datapath.sleep_max".
 */
struct rt_mutation {
	const char *key;
	enum rt_kind kind;
	unsigned int occ;
	uint64_t value;
	const char *text;
	/** An integer over 2^31 - 1 may be written without libconfig's L. */
	bool plain;
	/* set by rt_emit(): whether it was written, its line and path, and
	 * whether the model cannot hold it (a text, a string too long) or
	 * knows it to be out of range (a cost, a sleep) */
	bool applied;
	bool must_refuse;
	unsigned int line;
	char path[128];
};

/** A random valid configuration; @p dflt is the embedded default, loaded. */
struct vqos_conf *rt_gen(struct rt_rng *r, const struct vqos_conf *dflt);

/**
 * @p m as text that loads into @p m, forms at random from @p r; with @p mut,
 * its value is written instead and put in @p m (numbers and strings; a
 * mutation by text leaves @p m as it was). Free the text with free().
 */
char *rt_emit(struct vqos_conf *m, const struct vqos_conf *dflt, struct rt_rng *r,
	      struct rt_mutation *mut);

/** Occurrences of key @p key (as rt_mutation names it) in what rt_emit() writes of @p m. */
unsigned int rt_count(const struct vqos_conf *m, const char *key);

#endif /* VQOS_TESTS_ROUNDTRIP_GEN_H */
