/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqosctl's class verbs on a policy, with tc's semantics.
 *
 * An edit never touches the running policy: it copies the intent, applies
 * the verb to the copy and hands the copy to policy_make(), which checks the
 * whole resulting tree exactly as it checks a file. Only a tree that passes
 * comes back; on any refusal the caller still has the old one, unchanged.
 *
 *   add      the name must be new; the class goes at the end (its index is
 *            new, so the data path builds a new qdisc)
 *   change   the name must exist; the fields given replace those, the
 *            others stay (`change name c1 ceil 5gbit` keeps c1's rate)
 *   replace  add when the name is new, change when it exists
 *   del      the name must exist and have no children
 *
 * A class a vqosctl command adds has no line: messages about it name the
 * class only. An edit of the default tree makes it an ordinary fifo tree.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_priv.h"

static const char *const verb_names[] = { "add", "change", "replace", "del" };

int vqos_policy_verb_parse(const char *word, enum vqos_policy_verb *verb)
{
	for (unsigned int v = 0; word != NULL && v < 4; v++) {
		if (strcmp(word, verb_names[v]) == 0) {
			*verb = (enum vqos_policy_verb)v;
			return 0;
		}
	}
	return -EINVAL;
}

static int __attribute__((format(printf, 4, 5)))
edit_fail(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Whether some class names @p name as its parent. */
static bool has_children(const struct vqos_policy *p, const char *name)
{
	for (uint32_t i = 0; i < p->n; i++)
		if (strcmp(p->intent[i].parent, name) == 0)
			return true;
	return false;
}

/*
 * The intent after the verb, into @p c (p->n + 1 entries) and @p n.
 * Returns 0 or the verb's refusal.
 */
static int apply(const struct vqos_policy *p, enum vqos_policy_verb verb,
		 const struct vqos_conf_class *e, struct vqos_conf_class *c, size_t *n, char *err,
		 size_t errlen)
{
	uint32_t i = vqos_policy_find(p, e->name);

	memcpy(c, p->intent, p->n * sizeof(*c));
	*n = p->n;
	if (verb == VQOS_POLICY_REPLACE)
		verb = i == VQOS_POLICY_NONE ? VQOS_POLICY_ADD : VQOS_POLICY_CHANGE;
	switch (verb) {
	case VQOS_POLICY_ADD:
		if (i != VQOS_POLICY_NONE)
			return edit_fail(-EEXIST, err, errlen,
					 "class '%s': already exists (use change or replace)",
					 e->name);
		c[*n] = *e;
		c[*n].line = 0;
		(*n)++;
		return 0;
	case VQOS_POLICY_CHANGE:
		if (i == VQOS_POLICY_NONE)
			return edit_fail(-ENOENT, err, errlen,
					 "class '%s': does not exist (use add or replace)",
					 e->name);
		vqos_conf_class_merge(&c[i], e);
		/* its messages are about the edit now, not the file's line */
		c[i].line = 0;
		return 0;
	case VQOS_POLICY_DEL:
		if (i == VQOS_POLICY_NONE)
			return edit_fail(-ENOENT, err, errlen, "class '%s': does not exist",
					 e->name);
		/* tc refuses it too: the children would lose their parent */
		if (has_children(p, e->name))
			return edit_fail(-ENOTEMPTY, err, errlen,
					 "class '%s': has children (delete them first)", e->name);
		memmove(&c[i], &c[i + 1], (*n - i - 1) * sizeof(*c));
		(*n)--;
		return 0;
	default:
		return edit_fail(-EINVAL, err, errlen, "unknown verb %d", (int)verb);
	}
}

int vqos_policy_edit(const struct vqos_policy *cur, enum vqos_policy_verb verb,
		     const struct vqos_conf_class *c, struct vqos_policy **out, char *err,
		     size_t errlen)
{
	struct policy_src src;
	struct vqos_conf_class *intent;
	size_t n = 0;
	int rc;

	if (cur == NULL || c == NULL || out == NULL)
		return edit_fail(-EINVAL, err, errlen, "no policy, class or output");
	if (c->name[0] == '\0')
		return edit_fail(-EINVAL, err, errlen, "a class needs a name");
	intent = malloc(((size_t)cur->n + 1) * sizeof(*intent));
	if (intent == NULL)
		return edit_fail(-ENOMEM, err, errlen, "out of memory");
	rc = apply(cur, verb, c, intent, &n, err, errlen);
	if (rc == 0) {
		src = (struct policy_src){
			.dir = cur->dir,
			.kind = cur->ops->name,
			.is_default = false,
			.file = cur->file,
			.ports = (const vqos_policy_port_name *)cur->ports,
			.n_ports = cur->n_ports,
			.costs = cur->costs,
			.intent = intent,
			.n = n,
		};
		rc = policy_make(&src, out, err, errlen);
	}
	free(intent);
	return rc;
}
