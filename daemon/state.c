/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What vqosd keeps across restarts with --state-dir DIR:
 *
 *   DIR/base.conf      the file as vqosd last read it (as vqosd writes it)
 *   DIR/running.conf   the running state, written again after every change
 *
 * both complete configurations. At the next start the changes running.conf
 * holds against base.conf are carried over to the file as it is then
 * (vqos_conf_merge()), as a reload carries them over to the file read again.
 * Each is replaced whole (written beside, synced, renamed), so a crash
 * leaves the old or the new one, never half of one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vqosd.h"

#define BASE_FILE    "base.conf"
#define RUNNING_FILE "running.conf"

/* Replace DIR/NAME with @p text. */
static int write_whole(const char *dir, const char *name, const char *text, char *err,
		       size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	size_t len = strlen(text), off = 0;
	int fd, ret = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.new", dir, name) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "state directory %s: path too long", dir);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return ret;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (ret == 0 && fsync(fd) != 0)
		ret = -errno;
	if (close(fd) != 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, path) != 0)
		ret = -errno;
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		unlink(tmp);
		return ret;
	}
	/* the rename itself, on disk */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

int vqosd_state_save(const char *dir, const char *base_text, const char *running_text, char *err,
		     size_t errlen)
{
	int ret;

	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "state directory %s: %s", dir, strerror(errno));
		return ret;
	}
	ret = write_whole(dir, BASE_FILE, base_text, err, errlen);
	if (ret == 0)
		ret = write_whole(dir, RUNNING_FILE, running_text, err, errlen);
	return ret;
}

int vqosd_state_carry(const char *dir, struct vqos_conf *file, char *report, size_t len, char *err,
		      size_t errlen)
{
	struct vqos_conf *base = NULL, *running = NULL;
	char path[PATH_MAX];
	int ret;

	report[0] = '\0';
	snprintf(path, sizeof(path), "%s/" BASE_FILE, dir);
	ret = vqos_conf_load_file(path, &base, err, errlen);
	if (ret == 0) {
		snprintf(path, sizeof(path), "%s/" RUNNING_FILE, dir);
		ret = vqos_conf_load_file(path, &running, err, errlen);
	}
	if (ret == -ENOENT) {
		ret = 0; /* a first start: nothing kept */
	} else if (ret == 0) {
		ret = vqos_conf_merge(base, running, file, report, len);
		if (ret < 0)
			snprintf(err, errlen, "out of memory");
	}
	vqos_conf_free(base);
	vqos_conf_free(running);
	return ret;
}
