/*
 * base/: one-line errors, whole-file reads, atomic writes that leave
 * nothing behind when they fail.
 */
#include "tests/test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

#define DIR_ "build/tests/base/files"

static void
test_err_is_one_line(void **state)
{
	AcErr e;

	assert_int_equal(ac_err_set(&e, AC_EFORMAT, "a.dis: offset 0x%x:\nbad\r%s", 28, "magic"), AC_EFORMAT);
	assert_int_equal(e.code, AC_EFORMAT);
	assert_string_equal(e.msg, "a.dis: offset 0x1c: bad magic");
	assert_int_equal(ac_err_set(NULL, AC_EIO, "ignored"), AC_EIO);
	ac_err_clear(&e);
	assert_int_equal(e.code, AC_OK);
	assert_string_equal(e.msg, "");
	assert_string_equal(ac_strerror(AC_ESHAPE), "shape mismatch");
}

static void
test_atomic_write_and_read(void **state)
{
	AcErr e;
	uint8_t *buf;
	size_t n;

	mkdir("build/tests/base", 0755);
	mkdir(DIR_, 0755);
	assert_int_equal(ac_file_write_atomic(DIR_ "/a", "hello", 5, &e), AC_OK);
	assert_int_equal(ac_file_write_atomic(DIR_ "/a", "bye", 3, &e), AC_OK);
	assert_int_equal(ac_file_read(DIR_ "/a", &buf, &n, &e), AC_OK);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "bye", 3);
	assert_int_equal(buf[3], 0);
	free(buf);
}

/* A write that cannot happen names the file and leaves no temporary. */
static void
test_failed_write_leaves_nothing(void **state)
{
	AcErr e;
	DIR *d;
	struct dirent *de;
	int others = 0;

	mkdir("build/tests/base", 0755);
	mkdir(DIR_, 0755);
	assert_int_equal(ac_file_write_atomic(DIR_ "/missing/x", "x", 1, &e), AC_EIO);
	assert_string_equal(e.msg, DIR_ "/missing/x: No such file or directory");
	{
		uint8_t *b2;
		size_t n2;
		assert_int_equal(ac_file_read(DIR_ "/nothere", &b2, &n2, &e), AC_EIO);
	}
	assert_string_equal(e.msg, DIR_ "/nothere: No such file or directory");
	d = opendir(DIR_);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".tmp") != NULL)
			others++;
	closedir(d);
	assert_int_equal(others, 0);
}

/* An exclusive write never replaces, and leaves no temporary behind. */
static void
test_write_new_never_replaces(void **state)
{
	AcErr e;
	uint8_t *b;
	size_t n;
	struct stat st;

	mkdir("build/tests/base", 0755);
	mkdir(DIR_, 0755);
	unlink(DIR_ "/secret");
	assert_int_equal(ac_file_write_new_mode(DIR_ "/secret", "one", 3, 0600, &e), AC_OK);
	assert_int_equal(stat(DIR_ "/secret", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ac_file_write_new_mode(DIR_ "/secret", "two", 3, 0600, &e), AC_EINVAL);
	assert_string_equal(e.msg, DIR_ "/secret: exists");
	assert_int_equal(ac_file_read(DIR_ "/secret", &b, &n, &e), AC_OK);
	assert_string_equal((char *)b, "one");
	free(b);
}

static void
test_clock_is_monotonic(void **state)
{
	int64_t a = ac_clock_ns(), b = ac_clock_ns();

	assert_true(b >= a);
	assert_true(ac_clock_ms() >= 0);
	assert_true(ac_cpu_ns() > 0);
}

/* An atomic write to a FIFO or device writes into it: renaming a temporary
 * over it would replace the node (limbo -o /dev/null, run as root, turned
 * /dev/null into a regular file). */
static void
test_atomic_write_keeps_devices(void **state)
{
	char dir[] = "/tmp/acheron-base-XXXXXX", fifo[64], got[8] = {0};
	struct stat st;
	AcErr err;
	int rd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* a reader, so the writer's open does not wait */
	rd = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	assert_int_equal(ac_file_write_atomic(fifo, "abc", 3, &err), AC_OK);
	assert_int_equal(read(rd, got, sizeof got - 1), 3);
	assert_string_equal(got, "abc");
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	close(rd);
	/* nothing else was left beside it */
	assert_int_equal(unlink(fifo), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(ac_file_write_atomic("/tmp", "x", 1, &err), AC_EINVAL);
	assert_non_null(strstr(err.msg, "is a directory"));
}

TEST_MAIN("base",
          cmocka_unit_test(test_atomic_write_keeps_devices),
          cmocka_unit_test(test_err_is_one_line),
          cmocka_unit_test(test_atomic_write_and_read),
          cmocka_unit_test(test_write_new_never_replaces),
          cmocka_unit_test(test_failed_write_leaves_nothing),
          cmocka_unit_test(test_clock_is_monotonic))
