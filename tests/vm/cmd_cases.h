/*
 * The command cases of Inferno's shipped commands, shared by
 * tests/vm/inferno_cmds.c (the shipped .dis) and tests/limbo/appl.c (the
 * same commands compiled by bin/limbo): arguments, standard input, the
 * exact output and status, and the fixture files they read. A test may
 * define CMDDIR (where the fixtures go) before including this.
 * Header-only; include once per test, after tests/test.h and tests/run.h.
 */
#ifndef TESTS_VM_CMD_CASES_H
#define TESTS_VM_CMD_CASES_H

#include <stdio.h>
#include <sys/stat.h>

#define DISRUN "bin/dis-run"
#ifndef CMDDIR
#define CMDDIR "build/tests/vm/cmds"
#endif
#define TIMEOUT_MS 20000

typedef struct Case {
	const char *cmd;         /* dis/CMD.dis */
	const char *args[8];     /* NULL-terminated */
	const char *in;          /* standard input, or NULL (empty) */
	const char *out;         /* exact standard output */
	int fails;               /* 1: must exit non-zero (a "fail:" exception) */
	const char *err;         /* substring of standard error, or NULL: must be empty */
	const char *file, *file_out;  /* a file the command writes, and its content;
	                               * "@PATH": byte-identical to inferno_dir()/PATH */
} Case;

static const Case cases[] = {
	{"wc", {CMDDIR "/in1.txt"}, NULL, "      4       9      50 " CMDDIR "/in1.txt\n", 0, NULL, NULL, NULL},
	{"wc", {"-lw"}, "x y\nz\n", "      2       3\n", 0, NULL, NULL, NULL},
	{"wc", {CMDDIR "/in1.txt", CMDDIR "/c1.txt"}, NULL,
	 "      4       9      50 " CMDDIR "/in1.txt\n      3       3      20 " CMDDIR "/c1.txt\n"
	 "      7      12      70 total\n", 0, NULL, NULL, NULL},
	{"cat", {CMDDIR "/c1.txt"}, NULL, "apple\nbanana\ncherry\n", 0, NULL, NULL, NULL},
	{"cat", {0}, "from stdin\n", "from stdin\n", 0, NULL, NULL, NULL},
	{"cat", {CMDDIR "/nofile"}, NULL, "", 1, "cat: cannot open " CMDDIR "/nofile: file does not exist\n", NULL, NULL},
	{"sort", {CMDDIR "/in1.txt"}, NULL, "apple\nhello world\nhello world\nthe quick brown fox\n", 0, NULL, NULL, NULL},
	{"sort", {"-r"}, "b\nc\na\n", "c\nb\na\n", 0, NULL, NULL, NULL},
	{"sort", {"-n"}, "10\n9\n100\n", "9\n10\n100\n", 0, NULL, NULL, NULL},
	{"uniq", {0}, "a\na\nb\nb\nb\nc\na\n", "a\nb\nc\na\n", 0, NULL, NULL, NULL},
	{"uniq", {"-d"}, "a\na\nb\nb\nb\nc\n", "a\nb\n", 0, NULL, NULL, NULL},
	{"uniq", {"-u", CMDDIR "/dups.txt"}, NULL, "c\n", 0, NULL, NULL, NULL},
	{"tr", {"a-z", "A-Z"}, "hello, world\n", "HELLO, WORLD\n", 0, NULL, NULL, NULL},
	{"tr", {"-d", "aeiou"}, "hello world\n", "hll wrld\n", 0, NULL, NULL, NULL},
	{"fmt", {"-l", "20"}, "a b c d e f g h i j k l m n o p q r s t u v w x y z\n",
	 "a b c d e f g h i j\nk l m n o p q r s t\nu v w x y z\n", 0, NULL, NULL, NULL},
	{"freq", {0}, "aab\n", " 10 012 0a -        1\n 97 141 61 a        2\n 98 142 62 b        1\n", 0, NULL, NULL, NULL},
	{"tail", {"-2"}, "1\n2\n3\n4\n5\n", "4\n5\n", 0, NULL, NULL, NULL},
	{"tail", {"+3", CMDDIR "/in1.txt"}, NULL, "hello world\napple\n", 0, NULL, NULL, NULL},
	{"xd", {CMDDIR "/c1.txt"}, NULL,
	 "0000000 6170706c 650a6261 6e616e61 0a636865\n0000010 7272790a\n0000014\n", 0, NULL, NULL, NULL},
	{"xd", {"-c"}, "abc", "0000000 a  b  c\n0000003\n", 0, NULL, NULL, NULL},
	{"comm", {CMDDIR "/c1.txt", CMDDIR "/c2.txt"}, NULL, "apple\n\t\tbanana\n\t\tcherry\n\tdate\n", 0, NULL, NULL, NULL},
	{"comm", {"-12", CMDDIR "/c1.txt", CMDDIR "/c2.txt"}, NULL, "banana\ncherry\n", 0, NULL, NULL, NULL},
	{"look", {"ban", CMDDIR "/c1.txt"}, NULL, "banana\n", 0, NULL, NULL, NULL},
	{"look", {"ch", CMDDIR "/c2.txt"}, NULL, "cherry\n", 0, NULL, NULL, NULL},
	{"cmp", {CMDDIR "/c1.txt", CMDDIR "/c1.txt"}, NULL, "", 0, NULL, NULL, NULL},
	{"cmp", {CMDDIR "/c1.txt", CMDDIR "/c2.txt"}, NULL, CMDDIR "/c1.txt " CMDDIR "/c2.txt differ: char 1\n", 1, "", NULL, NULL},
	{"tee", {CMDDIR "/tee.out"}, "one\ntwo\n", "one\ntwo\n", 0, NULL, CMDDIR "/tee.out", "one\ntwo\n"},
	{"basename", {"/a/b/c.b", ".b"}, NULL, "c\n", 0, NULL, NULL, NULL},
	{"basename", {"-d", "/a/b/c.b"}, NULL, "/a/b\n", 0, NULL, NULL, NULL},
	{"strings", {CMDDIR "/in1.txt"}, NULL, "       0: hello world\n      12: the quick brown fox\n      32: hello world\n", 0, NULL, NULL, NULL},
	{"tokenize", {"a,b,,c d", ", "}, NULL, "a\nb\nc\nd\n", 0, NULL, NULL, NULL},
	{"units", {CMDDIR "/units.txt"}, "mile\nkm\n",
	 "you have: you want: \t* 1.609344\n\t/ 0.6213712\nyou have: \n", 0, NULL, NULL, NULL},
	{"calc", {0}, "x = 3\nx*x\nsqrt(16)\n7/2\n", "9\n4\n3.5\n", 0, NULL, NULL, NULL},
	{"sum", {CMDDIR "/in1.txt"}, NULL, "07dd0960     50 " CMDDIR "/in1.txt\n", 0, NULL, NULL, NULL},
	{"bytes", {"2", "5"}, "hello world\n", "llo", 0, "", NULL, NULL},
	/* Inferno's compiler, compiling a shipped command: the same bytes. */
	{"limbo", {"-I/module", "-gw", "-o", CMDDIR "/wc.dis", "/appl/cmd/wc.b"}, NULL, "", 0, NULL,
	 CMDDIR "/wc.dis", "@dis/wc.dis"},
};
enum { NCASES = sizeof cases / sizeof cases[0] };

static void
put(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
fixtures(void)
{
	static int done;

	if (done)
		return;
	char d[256];

	/* every directory of CMDDIR's path, outermost first */
	for (const char *p = CMDDIR; (p = strchr(p + 1, '/')) != NULL;) {
		snprintf(d, sizeof d, "%.*s", (int)(p - CMDDIR), CMDDIR);
		mkdir(d, 0777);
	}
	mkdir(CMDDIR, 0777);
	put(CMDDIR "/in1.txt", "hello world\nthe quick brown fox\nhello world\napple\n");
	put(CMDDIR "/c1.txt", "apple\nbanana\ncherry\n");
	put(CMDDIR "/c2.txt", "banana\ncherry\ndate\n");
	put(CMDDIR "/dups.txt", "a\na\nb\nb\nc\n");
	put(CMDDIR "/units.txt", "/ test units\nm\t\t\t#\ns\t\t\t#\nkm\t\t\t1000 m\n"
	                      "mile\t\t\t1609.344 m\nhour\t\t\t3600 s\n");
	remove(CMDDIR "/tee.out");
	remove(CMDDIR "/wc.dis");
	done = 1;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = calloc(1, 1 << 20);
	size_t n;

	if (f == NULL) {
		print_error("cannot open %s\n", path);
		free(b);
		fail();
	}
	n = fread(b, 1, (1 << 20) - 1, f);
	b[n] = 0;
	fclose(f);
	*len = n;
	return b;
}

/* Runs case c with dis under Inferno root root; 1 if it behaves, else 0
 * with the difference printed. */
static int
cmd_case_check(const Case *c, const char *root, const char *dis)
{
	char *argv[16];
	int n = 0;
	RunResult r;

	fixtures();
	argv[n++] = DISRUN;
	argv[n++] = "-r";
	argv[n++] = (char *)root;
	argv[n++] = (char *)dis;
	for (int i = 0; c->args[i] != NULL; i++)
		argv[n++] = (char *)c->args[i];
	argv[n] = NULL;
	r = run_cmd(argv, c->in != NULL ? c->in : "", TIMEOUT_MS);
	if (strcmp(r.out, c->out) != 0 || (r.status != 0) != c->fails ||
	    (c->err == NULL && r.errlen != 0) ||
	    (c->err != NULL && strstr(r.err, c->err) == NULL)) {
		print_error("%s: status %d\nstdout [%s]\nwant   [%s]\nstderr [%s]\n", c->cmd, r.status,
		            r.out, c->out, r.err);
		run_free(&r);
		return 0;
	}
	run_free(&r);
	if (c->file != NULL) {
		size_t ngot, nwant;
		char *got = slurp(c->file, &ngot), *want;
		if (c->file_out[0] == '@') {
			char path[512];
			snprintf(path, sizeof path, "%s/%s", inferno_dir(), c->file_out + 1);
			want = slurp(path, &nwant);
		} else {
			want = strdup(c->file_out);
			nwant = strlen(want);
		}
		if (ngot != nwant || memcmp(got, want, ngot) != 0) {
			print_error("%s: wrote %zu bytes, want %zu (%s)\n", c->file, ngot, nwant, c->file_out);
			free(got);
			free(want);
			return 0;
		}
		free(got);
		free(want);
	}
	return 1;
}


#endif
