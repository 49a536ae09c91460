/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: a configuration file, read by conf/ and, when it reads,
 * turned into both directions' class trees by policy/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/vqos_conf.h"
#include "policy/vqos_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* police checks its meters at rte_get_tsc_hz(): no EAL here */
uint64_t rte_get_tsc_hz(void);
uint64_t rte_get_tsc_hz(void)
{
	return 2000000000ULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[1024];
	struct vqos_conf *conf = NULL;
	struct vqos_policy *p;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (vqos_conf_load_string(text, "fuzz.conf", &conf, err, sizeof(err)) == 0) {
		for (int dir = 0; dir < 2; dir++)
			if (vqos_policy_build(conf, (enum vqos_policy_dir)dir, &p, err,
					      sizeof(err)) == 0)
				vqos_policy_free(p);
		vqos_conf_free(conf);
	}
	free(text);
	return 0;
}
