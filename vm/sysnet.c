/*
 * $Sys network: dial, TCP only, and only to the endpoints the runtime was
 * granted (VmOptions.allow_tcp, dis-run --allow-tcp). A grant's host is
 * resolved once, when the runtime starts; a dial names either a granted
 * host or a numeric address, so a program never makes the VM look a name
 * up (no DNS traffic it could steer, and none needed under the sandbox,
 * which has no UDP). The connection's descriptor becomes an entry of the
 * program's file table like an opened file: Dis code reads and writes it
 * with Sys->read and Sys->write and never sees the host's number. Under
 * --sandbox Landlock refuses a connect to any other port too (sandbox.c);
 * the host check is the VM's alone, as Landlock's rules know only ports.
 *
 * Follows: Inferno man/2 sys-dial (address syntax "net!host!port",
 * (int, Connection) result, errors through %r), emu/port/inferno.c
 * (Sys_dial).
 */
#include "vm/sys_impl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* How long one address may take to answer a connect. The wait is the
 * host's (other Dis threads wait too), so it is kept short; the program's
 * deadline (--timeout) ends it sooner where it comes first. */
enum { CONNECT_TIMEOUT_MS = 10000 };

#define ARG(k) vm_builtin_arg(fp, SPEC, (k))
#define AP(k) (*(uint32_t *)ARG(k))

int
vm_tcp_grant_parse(const char *spec, char *host, size_t hostn, int *port, AcErr *err)
{
	const char *h = spec, *end, *colon;
	char *e;
	long p;
	size_t n;

	if (spec[0] == '[') {
		h = spec + 1;
		end = strchr(h, ']');
		if (end == NULL || end[1] != ':')
			goto bad;
		colon = end + 1;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL || memchr(spec, ':', (size_t)(colon - spec)) != NULL)
			goto bad;  /* an IPv6 literal needs its brackets */
		end = colon;
	}
	n = (size_t)(end - h);
	if (n == 0 || n >= hostn)
		goto bad;
	errno = 0;
	p = strtol(colon + 1, &e, 10);
	if (colon[1] < '0' || colon[1] > '9' || *e != 0 || errno != 0 || p < 1 || p > 65535)
		goto bad;
	memcpy(host, h, n);
	host[n] = 0;
	*port = (int)p;
	return AC_OK;
bad:
	return ac_err_set(err, AC_EINVAL, "tcp grant '%s': want HOST:PORT or [IPV6]:PORT, port 1 to 65535", spec);
}

/* a as one of our addresses; 0, or -1 for another family. */
static int
addr_from(SysAddr *out, const struct sockaddr *a)
{
	memset(out, 0, sizeof *out);
	out->family = a->sa_family;
	if (a->sa_family == AF_INET)
		memcpy(out->a, &((const struct sockaddr_in *)a)->sin_addr, 4);
	else if (a->sa_family == AF_INET6)
		memcpy(out->a, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
	else
		return -1;
	return 0;
}

/* The host's addresses, through getaddrinfo, into g. */
static int
grant_resolve(SysTcpGrant *g, const char *spec, AcErr *err)
{
	struct addrinfo hints, *res = NULL;
	int rc, n = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(g->host, NULL, &hints, &res);
	if (rc != 0)
		return ac_err_set(err, AC_EINVAL, "tcp grant '%s': %s: %s", spec, g->host, gai_strerror(rc));
	for (struct addrinfo *a = res; a != NULL; a = a->ai_next)
		n++;
	g->addr = calloc((size_t)n, sizeof g->addr[0]);
	if (g->addr == NULL) {
		freeaddrinfo(res);
		return ac_err_set(err, AC_ENOMEM, "tcp grant '%s': out of memory", spec);
	}
	for (struct addrinfo *a = res; a != NULL; a = a->ai_next)
		if (addr_from(&g->addr[g->naddr], a->ai_addr) == 0)
			g->naddr++;
	freeaddrinfo(res);
	if (g->naddr == 0)
		return ac_err_set(err, AC_EINVAL, "tcp grant '%s': %s has no IP address", spec, g->host);
	return AC_OK;
}

int
vm_sysnet_init(Vm *vm, SysState *s, AcErr *err)
{
	const char *const *l = vm->opt.allow_tcp;
	char host[256];
	int n = 0, port, rc;

	while (l != NULL && l[n] != NULL)
		n++;
	if (n == 0)
		return AC_OK;
	s->tcp = calloc((size_t)n, sizeof s->tcp[0]);
	if (s->tcp == NULL)
		return ac_err_set(err, AC_ENOMEM, "$Sys: out of memory");
	for (int i = 0; i < n; i++) {
		if ((rc = vm_tcp_grant_parse(l[i], host, sizeof host, &port, err)) != AC_OK)
			return rc;
		s->tcp[i].host = strdup(host);
		s->tcp[i].port = port;
		s->ntcp++;
		if (s->tcp[i].host == NULL)
			return ac_err_set(err, AC_ENOMEM, "$Sys: out of memory");
		if ((rc = grant_resolve(&s->tcp[i], l[i], err)) != AC_OK)
			return rc;
	}
	return AC_OK;
}

void
vm_sysnet_fini(SysState *s)
{
	for (int i = 0; i < s->ntcp; i++) {
		free(s->tcp[i].host);
		free(s->tcp[i].addr);
	}
	free(s->tcp);
	s->tcp = NULL;
	s->ntcp = 0;
}

/* host as a numeric address ("10.0.0.1", "::1", "[::1]"): 0, else -1. */
static int
numeric(const char *host, SysAddr *a)
{
	char buf[64];
	size_t n = strlen(host);

	memset(a, 0, sizeof *a);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof buf) {
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = 0;
		a->family = AF_INET6;
		return inet_pton(AF_INET6, buf, a->a) == 1 ? 0 : -1;
	}
	if (inet_pton(AF_INET, host, a->a) == 1) {
		a->family = AF_INET;
		return 0;
	}
	a->family = AF_INET6;
	return inet_pton(AF_INET6, host, a->a) == 1 ? 0 : -1;
}

static int
addr_eq(const SysAddr *x, const SysAddr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

/* The addresses a dial of host!port may try: a granted host's own, or a
 * numeric address that a grant on that port resolved to. *list points
 * into the grants (or at one); returns how many, 0 when not granted. */
static int
granted(const SysState *s, const char *host, int port, SysAddr *one, const SysAddr **list)
{
	int isnum = numeric(host, one) == 0;

	for (int i = 0; i < s->ntcp; i++) {
		const SysTcpGrant *g = &s->tcp[i];
		if (g->port != port)
			continue;
		if (!isnum && strcasecmp(g->host, host) == 0) {
			*list = g->addr;
			return g->naddr;
		}
		for (int k = 0; isnum && k < g->naddr; k++)
			if (addr_eq(&g->addr[k], one)) {
				*list = one;
				return 1;
			}
	}
	return 0;
}

/* A connected TCP socket to a:port, blocking, or -1 with errno set, or -2
 * when the program's deadline passed while it waited (nothing is left
 * open: the caller frees what it holds and raises). */
static int
connect_one(VmThread *t, const SysAddr *a, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, e = 0, r;
	socklen_t elen = sizeof e;

	memset(&ss, 0, sizeof ss);
	if (a->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		memcpy(&in->sin_addr, a->a, 4);
		len = sizeof *in;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		memcpy(&in6->sin6_addr, a->a, 16);
		len = sizeof *in6;
	}
	fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		/* bounded: a silent host is given up on, not waited for, and
		 * the deadline ends the wait where it comes first */
		r = vm_wait_fd_here(t, fd, POLLOUT, CONNECT_TIMEOUT_MS);
		if (r == 0) {
			close(fd);
			return -2;
		}
		if (r < 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
			goto fail;
		if (e != 0) {
			errno = e;
			goto fail;
		}
	}
	/* reads and writes wait as they do on any file (vm_wait_fd) */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		goto fail;
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* The (int, Connection) result: the int at 0, dfd, cfd and dir after it. */
typedef struct SysConnRet {
	int32_t r;
	uint32_t dfd, cfd, dir;
} SysConnRet;

#define SPEC "pp"
/* dial(addr, local): addr is "tcp!HOST!PORT", "net!HOST!PORT" (TCP too)
 * or "HOST!PORT"; PORT is a number; local must be nil or empty. The
 * Connection's dfd is the connection, cfd is nil (no control file) and
 * dir a made-up name, /net/tcp/N. */
void
vm_Sys_dial(VmThread *t, uint8_t *fp)
{
	SysState *s = vm_sys_state(t->vm);
	SysConnRet *ret = (SysConnRet *)VM_BUILTIN_RET(fp);
	char *addr = NULL, *local = NULL, *f[3], *save = NULL, *host, *e, dir[32];
	const SysAddr *list = NULL;
	SysAddr one;
	int nf = 0, port, n, fd = -1, err = ECONNREFUSED;
	long p;
	uint32_t wfd, wdir;
	VmString *str;

	if (ret != NULL) {
		ret->r = -1;
		vm_ptr_set(t->vm, &ret->dfd, VM_H);
		vm_ptr_set(t->vm, &ret->cfd, VM_H);
		vm_ptr_set(t->vm, &ret->dir, VM_H);
	}
	addr = vm_string_utf8(AP(0), NULL);
	local = vm_string_utf8(AP(1), NULL);
	if (addr == NULL || local == NULL) {
		free(addr);
		free(local);
		vm_raise(t, VM_EX_NOMEM);
	}
	for (char *tok = strtok_r(addr, "!", &save); tok != NULL && nf < 3; tok = strtok_r(NULL, "!", &save))
		f[nf++] = tok;
	if (nf < 2 || strtok_r(NULL, "!", &save) != NULL) {
		snprintf(t->errstr, sizeof t->errstr, "bad address");
		goto done;
	}
	if (nf == 3 && strcmp(f[0], "tcp") != 0 && strcmp(f[0], "net") != 0) {
		snprintf(t->errstr, sizeof t->errstr, "network %s not supported: tcp only", f[0]);
		goto done;
	}
	if (local[0] != 0) {
		snprintf(t->errstr, sizeof t->errstr, "local address not supported");
		goto done;
	}
	host = f[nf - 2];
	errno = 0;
	p = strtol(f[nf - 1], &e, 10);
	if (f[nf - 1][0] < '0' || f[nf - 1][0] > '9' || *e != 0 || errno != 0 || p < 1 || p > 65535) {
		snprintf(t->errstr, sizeof t->errstr, "bad port: %s", f[nf - 1]);
		goto done;
	}
	port = (int)p;
	n = granted(s, host, port, &one, &list);
	if (n == 0) {
		snprintf(t->errstr, sizeof t->errstr, "%s", SYS_EPERM);
		goto done;
	}
	for (int i = 0; i < n && fd < 0; i++) {
		fd = connect_one(t, &list[i], port);
		if (fd == -2) {
			free(addr);
			free(local);
			vm_raise(t, "wall-clock limit exceeded");
		}
		if (fd < 0)
			err = errno;
	}
	if (fd < 0) {
		vm_sys_errno(t, err);
		goto done;
	}
	wfd = vm_sys_fd_new(t, fd);  /* owns fd now */
	if (wfd == VM_H)
		goto done;
	snprintf(dir, sizeof dir, "/net/tcp/%d", s->ndial++);
	str = vm_string_new_utf8(t->vm, dir, strlen(dir));
	if (str == NULL) {
		vm_destroy(t->vm, wfd);
		free(addr);
		free(local);
		vm_raise(t, VM_EX_NOMEM);
	}
	wdir = VM_WORD(str);
	if (ret == NULL) {
		vm_destroy(t->vm, wfd);
		vm_destroy(t->vm, wdir);
		goto done;
	}
	ret->r = 0;
	ret->dfd = wfd;  /* were set to H above */
	ret->dir = wdir;
done:
	free(addr);
	free(local);
}
#undef SPEC
