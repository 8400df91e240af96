/*
 * The main job end to end: examples/fashion/train.dis on the real
 * Fashion-MNIST files (Debian's dataset-fashion-mnist), one short epoch,
 * and its failure when the data is missing or damaged.
 */
#include "tests/test.h"
#include "tests/run.h"

#include <sys/stat.h>

#define DISRUN "bin/dis-run"
#define TRAIN "examples/fashion/train.dis"
#define DATA "/usr/share/datasets/fashion-mnist"

/* One epoch on 6,400 images: the line has the documented fields and the
 * network has learnt something (chance is 10%). */
static void
test_one_short_epoch(void **state)
{
	char *argv[] = {DISRUN, TRAIN, DATA, "1", "6400", NULL};
	RunResult r = run_cmd(argv, NULL, 120000);
	int epoch = 0;
	double loss = 0, train = 0, test = 0, secs = 0;

	assert_int_equal(r.status, 0);
	assert_int_equal(sscanf(r.out, "epoch %d  loss %lf  train %lf%%  test %lf%%  %lfs", &epoch, &loss, &train,
	                        &test, &secs), 5);
	assert_int_equal(epoch, 1);
	assert_true(loss > 0 && loss < 2.3);  /* below ln 10, the loss of guessing */
	assert_true(train > 50 && train <= 100);
	assert_true(test > 70 && test <= 100);
	assert_non_null(strchr(r.out, '\n'));
	assert_null(strchr(strchr(r.out, '\n') + 1, '\n'));  /* one line per epoch */
	run_free(&r);
}

static void
test_missing_data(void **state)
{
	char *argv[] = {DISRUN, TRAIN, "/nonexistent", NULL};
	RunResult r = run_cmd(argv, NULL, 30000);

	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "dis-run: " TRAIN ": uncaught exception: "
	                              "fail:/nonexistent/train-images-idx3-ubyte.gz: No such file or directory (module Train, pc "));
	run_free(&r);
}

/* A truncated label file is reported with its name; nothing is trained. */
static void
test_truncated_data(void **state)
{
	const char *dir = "build/tests/vm/fashion-bad";
	const char *names[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
	                       "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
	char src[512], dst[512];
	char *argv[] = {DISRUN, TRAIN, (char *)dir, NULL};
	RunResult r;

	mkdir(dir, 0755);
	for (int i = 0; i < 4; i++) {
		snprintf(src, sizeof src, DATA "/%s", names[i]);
		snprintf(dst, sizeof dst, "%s/%s", dir, names[i]);
		unlink(dst);
		assert_int_equal(symlink(src, dst), 0);
	}
	/* The test labels cut to their first 1,000 compressed bytes. */
	snprintf(dst, sizeof dst, "%s/%s", dir, names[3]);
	unlink(dst);
	{
		FILE *in = fopen(DATA "/t10k-labels-idx1-ubyte.gz", "rb"), *out = fopen(dst, "wb");
		char buf[1000];
		assert_non_null(in);
		assert_non_null(out);
		assert_int_equal(fread(buf, 1, sizeof buf, in), sizeof buf);
		assert_int_equal(fwrite(buf, 1, sizeof buf, out), sizeof buf);
		fclose(in);
		fclose(out);
	}
	r = run_cmd(argv, NULL, 60000);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "t10k-labels-idx1-ubyte.gz: truncated data"));
	run_free(&r);
}

/* On a terminal (a pty from script(1)) a progress bar counts the batches
 * on standard error and is cleared before the epoch's line. */
static void
test_progress_bar_on_a_terminal(void **state)
{
	char *argv[] = {"/usr/bin/script", "-qec", DISRUN " " TRAIN " " DATA " 1 640", "/dev/null", NULL};
	RunResult r = run_cmd(argv, NULL, 120000);

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\rtraining [="));
	assert_non_null(strstr(r.out, "] 9/10"));
	assert_non_null(strstr(r.out, "\r\033[Kepoch 1  loss "));
	run_free(&r);
}

TEST_MAIN("fashion-mnist training",
          cmocka_unit_test(test_progress_bar_on_a_terminal),
          cmocka_unit_test(test_one_short_epoch),
          cmocka_unit_test(test_missing_data),
          cmocka_unit_test(test_truncated_data))
