/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's cost model on the OVS core: cycles per packet and per byte.
 *
 * The file gives it as a group (`cost = { packet = 900; byte = 0.45; }`),
 * vqosctl as words (`port cost c1 packet 900 byte 0.45`); both go through
 * vqos_conf_cost_parse(), as text, so they take the same values and say the
 * same about a bad one. The cost per byte is kept in 1/1024 cycles, the
 * fixed point htb charges in: 0.45 becomes 461/1024 = 0.4501953125. A
 * multiple of 1/1024 has at most ten decimals, so vqos_conf_cost_byte_format()
 * writes it exactly and a dump reads back to the same value.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/vqos_conf.h"

/* 5^10: frac / 1024 = frac x 5^10 / 10^10, ten decimals exactly. */
#define TEN_DECIMALS_PER_1024 9765625ull

/* A decimal number without sign, blank, hex, inf or nan: "0.45", "1e-3". */
static bool plain_number(const char *s)
{
	if (!((s[0] >= '0' && s[0] <= '9') || s[0] == '.'))
		return false;
	return strspn(s, "0123456789.eE+-") == strlen(s);
}

int vqos_conf_cost_parse(const char *packet, const char *byte, struct vqos_conf_cost *out,
			 char *err, size_t errlen)
{
	struct vqos_conf_cost c = { .set = true };
	double v = 0;
	char *end;

	if (packet != NULL) {
		unsigned long long n;

		errno = 0;
		n = strtoull(packet, &end, 10);
		/* whole cycles: a fraction of a cycle per packet is noise */
		if (packet[0] < '0' || packet[0] > '9' || *end != '\0' || errno != 0 ||
		    n > VQOS_CONF_COST_PKT_MAX) {
			snprintf(err, errlen,
				 "packet: '%s' is not a whole number of cycles from 0 to %u",
				 packet, VQOS_CONF_COST_PKT_MAX);
			return -EINVAL;
		}
		c.packet = (uint32_t)n;
	}
	if (byte != NULL) {
		errno = 0;
		v = plain_number(byte) ? strtod(byte, &end) : -1;
		if (!plain_number(byte) || *end != '\0' || errno != 0 || !(v >= 0) ||
		    v > VQOS_CONF_COST_BYTE_MAX) {
			snprintf(err, errlen,
				 "byte: '%s' is not a number of cycles from 0 to %u (e.g. 0.45)",
				 byte, VQOS_CONF_COST_BYTE_MAX);
			return -EINVAL;
		}
		/* to the nearest 1/1024 cycle (v >= 0: + 0.5 and truncate) */
		c.byte = (uint32_t)(v * VQOS_CONF_COST_BYTE_ONE + 0.5);
	}
	/* a model that charges nothing would let a class's packets pass its
	 * cycle buckets for free */
	if (c.packet == 0 && c.byte == 0) {
		snprintf(err, errlen,
			 "a cost of 0 cycles per packet and %s per byte charges nothing: give "
			 "packet, byte or both",
			 v > 0 ? "under 1/2048 cycle" : "0");
		return -EINVAL;
	}
	*out = c;
	return 0;
}

void vqos_conf_cost_byte_format(uint32_t byte, char *buf, size_t len)
{
	uint64_t frac = (uint64_t)(byte % VQOS_CONF_COST_BYTE_ONE) * TEN_DECIMALS_PER_1024;
	int digits = 10;

	/* the shortest exact decimal, with one digit after the point at least */
	while (digits > 1 && frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	snprintf(buf, len, "%" PRIu32 ".%0*" PRIu64, byte / VQOS_CONF_COST_BYTE_ONE, digits, frac);
}
