/*
 * Inferno path names: an absolute name is cleaned lexically before it is
 * put under the root (Plan 9's cleanname), so "/dis/../lib" is "/lib" and
 * "/.." is "/": a name never climbs above the root it is resolved in.
 */
#include "vm/vm_impl.h"

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
