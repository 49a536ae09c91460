/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: a control request from an untrusted peer, parsed and
 * dispatched against a daemon with one port, one class and one lcore. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ctl/vqos_ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_port(void *aux, void (*cb)(void *arg, const struct vqos_ctl_port *p), void *arg)
{
	const struct vqos_ctl_port p = { .name = "c1", .socket = "/s", .uplink = "net_null0" };

	cb(arg, &p);
}

static void one_class(void *aux, int dir, void (*cb)(void *arg, const struct vqos_ctl_class *c),
		      void *arg)
{
	const struct vqos_ctl_class c = { .kind = "htb", .name = "root", .rate_bps = 1000 };

	cb(arg, &c);
}

static void one_lcore(void *aux, void (*cb)(void *arg, const struct vqos_ctl_lcore *l), void *arg)
{
	const struct vqos_ctl_lcore l = { .lcore = 1, .busy_cycles = 1, .idle_cycles = 1 };

	cb(arg, &l);
}

static int refuse_edit(void *aux, int dir, int verb, const struct vqos_conf_class *c,
		       struct vqos_ctl_applied *out, char *err, size_t errlen)
{
	return -EINVAL;
}

static int refuse_reload(void *aux, struct vqos_ctl_applied *out, char *err, size_t errlen)
{
	return -EINVAL;
}

static int refuse_lcore_set(void *aux, const char *key, const char *value, char *err, size_t errlen)
{
	return -EINVAL;
}

static int no_dump(void *aux, char **text, char *err, size_t errlen)
{
	return -ENOMEM;
}

static const struct vqos_ctl_ops ops = {
	.port_foreach = one_port,
	.class_foreach = one_class,
	.lcore_foreach = one_lcore,
	.class_edit = refuse_edit,
	.reload = refuse_reload,
	.lcore_set = refuse_lcore_set,
	.config_dump = no_dump,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vqos_ctl_env env = { .ops = &ops };
	struct vqos_ctl_request req;
	json_t *result = NULL;
	char err[512];

	if (vqos_ctl_request_parse((const char *)data, size, &req, err, sizeof(err)) != 0)
		return 0;
	/* both kinds of peer: root may reach the (refusing) change handlers */
	req.may_write = size & 1;
	if (vqos_ctl_dispatch(&env, &req, &result, err, sizeof(err)) == 0)
		free(vqos_ctl_reply_encode(0, NULL, result));
	vqos_ctl_request_release(&req);
	return 0;
}
