/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqosd's command line. It only says what to do; main.c does it. Every
 * action but serving ends before EAL starts, so `vqosd --check` and
 * `vqosd --version` need no hugepages, no root and no running anything.
 */
#include <errno.h>
#include <getopt.h>

#include "options.h"

void vqosd_usage(FILE *f)
{
	fprintf(f,
		"usage: vqosd [-c FILE] [--state-dir DIR] [--check | --print-default | --version "
		"|\n"
		"             --help]\n"
		"  -c, --config FILE   configuration (default: the embedded one, no hugepages)\n"
		"  --state-dir DIR     keep the changes made with vqosctl in DIR, and carry them\n"
		"                      over to the file at the next start\n"
		"  --check             validate the configuration (file, class trees, the\n"
		"                      control socket's user and groups), print \"FILE: ok\"\n"
		"                      or what is wrong, and exit 0 or 1; starts nothing\n"
		"  --print-default     print the embedded configuration and exit\n"
		"  --version           print vqosd's version and exit\n"
		"  -h, --help          this text\n");
}

/* Record @p action in @p o, refusing a second one. */
static int set_action(struct vqosd_options *o, enum vqosd_action action, const char *name)
{
	static const char *const names[] = {
		[VQOSD_CHECK] = "--check",
		[VQOSD_PRINT_DEFAULT] = "--print-default",
		[VQOSD_VERSION] = "--version",
		[VQOSD_HELP] = "--help",
	};

	if (o->action != VQOSD_RUN && o->action != action) {
		fprintf(stderr, "vqosd: %s and %s: give one of them\n", names[o->action], name);
		return -EINVAL;
	}
	o->action = action;
	return 0;
}

int vqosd_parse_options(int argc, char **argv, struct vqosd_options *o)
{
	enum { OPT_CHECK = 256, OPT_PRINT_DEFAULT, OPT_VERSION, OPT_STATE_DIR };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "print-default", no_argument, NULL, OPT_PRINT_DEFAULT },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = 0;

	*o = (struct vqosd_options){ .action = VQOSD_RUN };
	optind = 0; /* glibc: start over, for the tests that parse many times */
	while (ret == 0 && (c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->conf_path = optarg;
			break;
		case OPT_STATE_DIR:
			o->state_dir = optarg;
			break;
		case OPT_CHECK:
			ret = set_action(o, VQOSD_CHECK, "--check");
			break;
		case OPT_PRINT_DEFAULT:
			ret = set_action(o, VQOSD_PRINT_DEFAULT, "--print-default");
			break;
		case OPT_VERSION:
			ret = set_action(o, VQOSD_VERSION, "--version");
			break;
		case 'h':
			ret = set_action(o, VQOSD_HELP, "--help");
			break;
		default: /* getopt said what */
			ret = -EINVAL;
		}
	}
	if (ret == 0 && optind < argc) {
		fprintf(stderr, "vqosd: unexpected argument '%s'\n", argv[optind]);
		ret = -EINVAL;
	}
	if (ret < 0)
		vqosd_usage(stderr);
	return ret;
}
