/*
 * Inferno path names: an absolute name is cleaned lexically before it is
 * put under the root (Plan 9's cleanname), so "/dis/../lib" is "/lib" and
 * "/.." is "/": a name never climbs above the root it is resolved in.
 *
 * Under --sandbox (vm_confine) every path builtin also checks the host
 * name against the allow-lists Landlock was given, since Landlock does not
 * cover stat and friends: the name is resolved as the kernel would (realpath:
 * no "..", no symbolic link left) and must lie beneath an allowed entry.
 */
#include "vm/sys_impl.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

void
vm_path_clean(char *p)
{
	char *out = p, *in = p;
	int rooted = p[0] == '/';

	if (rooted) {
		out++;
		in++;
	}
	while (*in != 0) {
		char *seg = in;
		size_t n;

		while (*in != 0 && *in != '/')
			in++;
		n = (size_t)(in - seg);
		if (*in == '/')
			in++;
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			char *base = rooted ? p + 1 : p;
			if (out > base && !(out - base >= 2 && out[-1] == '.' && out[-2] == '.' &&
			                    (out - base == 2 || out[-3] == '/'))) {
				/* drop the last element written */
				while (out > base && out[-1] != '/')
					out--;
				if (out > base)
					out--;
				continue;
			}
			if (rooted)
				continue;  /* "/.." is "/" */
		}
		if (out > (rooted ? p + 1 : p))
			*out++ = '/';
		memmove(out, seg, n);
		out += n;
	}
	if (out == p)
		*out++ = '.';
	*out = 0;
}

/* A copy of list (NULL-terminated) with each entry resolved by realpath;
 * entries that do not resolve are left out, as Landlock leaves them out.
 * NULL on no memory. */
static char **
canon_list(const char *const *list)
{
	size_t n = 0, k = 0;
	char **out;

	while (list != NULL && list[n] != NULL)
		n++;
	out = calloc(n + 1, sizeof out[0]);
	for (size_t i = 0; out != NULL && i < n; i++) {
		char *c = realpath(list[i], NULL);
		if (c != NULL)
			out[k++] = c;
	}
	return out;
}

static void
list_free(char **l)
{
	for (size_t i = 0; l != NULL && l[i] != NULL; i++)
		free(l[i]);
	free(l);
}

int
vm_confine(Vm *vm, const VmSandbox *fs, AcErr *err)
{
	SysState *s = vm_sys_state(vm);
	char **r = canon_list(fs->read), **w = canon_list(fs->write);

	if (r == NULL || w == NULL) {
		list_free(r);
		list_free(w);
		return ac_err_set(err, AC_ENOMEM, "sandbox: no memory for the allow-lists");
	}
	list_free(s->confine_read);
	list_free(s->confine_write);
	s->confine_read = r;
	s->confine_write = w;
	return AC_OK;
}

/* Whether canonical name c lies beneath (or is) an entry of list. */
static int
beneath(const char *c, char *const *list)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
		size_t n = strlen(list[i]);
		if (strncmp(c, list[i], n) == 0 && (c[n] == 0 || c[n] == '/' || (n == 1 && list[i][0] == '/')))
			return 1;
	}
	return 0;
}

int
vm_path_confined(Vm *vm, char *host, size_t size, int writing, int follow)
{
	char canon[PATH_MAX], dir[PATH_MAX], *c = NULL;
	const char *base;
	struct stat st;
	size_t n;
	const SysState *s = vm_sys_state(vm);
	int ok;

	if (s->confine_read == NULL)
		return 1;
	n = strlen(host);
	while (n > 1 && host[n - 1] == '/')
		host[--n] = 0;
	/* An existing name, symbolic links followed: what the call reaches. */
	if (follow || lstat(host, &st) < 0 || !S_ISLNK(st.st_mode))
		c = realpath(host, canon);
	if (c == NULL) {
		/* A name not there yet (create), or one not to be followed
		 * (remove): its directory resolved, its last element as is. */
		if (follow && lstat(host, &st) == 0)
			return 0;  /* a dangling link: open would make its target */
		base = strrchr(host, '/');
		if (base == NULL) {
			snprintf(dir, sizeof dir, ".");
			base = host;
		} else {
			snprintf(dir, sizeof dir, "%.*s", base == host ? 1 : (int)(base - host), host);
			base++;
		}
		if (strcmp(base, "") == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
		    realpath(dir, canon) == NULL)
			return 0;
		n = strlen(canon);
		if (n + 1 + strlen(base) >= sizeof canon)
			return 0;
		snprintf(canon + n, sizeof canon - n, "%s%s", n == 1 ? "" : "/", base);
	}
	ok = beneath(canon, s->confine_write) || (!writing && beneath(canon, s->confine_read));
	if (ok && strlen(canon) < size)
		memcpy(host, canon, strlen(canon) + 1);  /* the call uses the resolved name */
	return ok;
}
