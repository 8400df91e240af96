/*
 * The main job end to end: examples/fashion/train.dis on the real
 * Fashion-MNIST files (Debian's dataset-fashion-mnist), one short epoch of
 * the MLP and of the CNN, its options (-m, -e, -n, -b, --lr, --seed, --csv,
 * -o, -h), the saved model evaluated again by classify.dis, and failure on
 * bad arguments, missing or damaged data, a diverging loss and a damaged
 * model file.
 */
#include "tests/test.h"
#include "tests/run.h"

#include <sys/stat.h>

#define DISRUN "bin/dis-run"
#define TRAIN "examples/fashion/train.dis"
#define DATA "/usr/share/datasets/fashion-mnist"
#define USAGE "usage: train.dis [-m mlp|cnn] [-e EPOCHS] [-n LIMIT] [-b BATCH] [--lr LR] [--seed N] [--csv FILE] [-o MODEL.gguf] [-c CKPT.gguf] [-r CKPT.gguf] [-h|--help] [DIR]"
#define CLASSIFY "examples/fashion/classify.dis"
#define TMPDIR "build/tests/vm"

/* Reads a whole (small) file into a NUL-terminated malloc'd string. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 4096);
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, 4095, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Asserts that the program printed nothing and failed with exit status 1,
 * its standard error being one line starting with msg, the usage line for
 * a bad argument (why "usage"), and nothing more: the program raised
 * fail:why, which dis-run does not report. */
static void
assert_failed(RunResult *r, const char *msg, const char *why)
{
	const char *p = r->err;

	if (r->status != 1 || strncmp(p, msg, strlen(msg)) != 0)
		print_error("status %d, stderr:\n%s\nwant it to start:\n%s\n", r->status, p, msg);
	assert_int_equal(r->status, 1);
	assert_string_equal(r->out, "");
	assert_int_equal(strncmp(p, msg, strlen(msg)), 0);
	assert_non_null(p = strchr(p, '\n'));
	p++;
	if (strcmp(why, "usage") == 0) {
		assert_int_equal(strncmp(p, USAGE "\n", strlen(USAGE) + 1), 0);
		p += strlen(USAGE) + 1;
	}
	/* raise "fail:WHY" ends it, and dis-run adds nothing (as Inferno's emu) */
	if (*p != 0)
		print_error("stderr:\n%s\nwant nothing after the %s line\n", r->err,
		            strcmp(why, "usage") == 0 ? "usage" : "error");
	assert_int_equal(*p, 0);
}

/* One epoch on 6,400 images: the line has the documented fields and the
 * network has learnt something (chance is 10%). */
static void
test_one_short_epoch(void **state)
{
	char *argv[] = {DISRUN, TRAIN, "-e", "1", "-n", "6400", DATA, NULL};
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

/* Every bad argument is refused before any data is read: a line naming
 * the option and the value, the usage line, exit status 1. */
static void
test_bad_arguments(void **state)
{
	static const struct {
		const char *args[4];
		const char *msg;
	} cases[] = {
		{{"-e", "abc"}, "train: -e: bad epoch count \"abc\" (want 1 or more)"},
		{{"-e", "12abc"}, "train: -e: bad epoch count \"12abc\" (want 1 or more)"},
		{{"-e", "0"}, "train: -e: bad epoch count \"0\" (want 1 or more)"},
		{{"-e", "-1"}, "train: -e: bad epoch count \"-1\" (want 1 or more)"},
		{{"-e", ""}, "train: -e: bad epoch count \"\" (want 1 or more)"},
		{{"-e", "99999999999"}, "train: -e: bad epoch count \"99999999999\" (want 1 or more)"},
		{{"-n", "abc"}, "train: -n: bad image count \"abc\" (want 1 to 60000)"},
		{{"-n", "0"}, "train: -n: bad image count \"0\" (want 1 to 60000)"},
		{{"-n", "63"}, "train: -n: 63 images make no batch of 64"},
		{{"-n", "60001"}, "train: -n: bad image count \"60001\" (want 1 to 60000)"},
		{{"-n5x"}, "train: -n: bad image count \"5x\" (want 1 to 60000)"},
		{{"-m", "rnn"}, "train: -m: unknown model \"rnn\" (want mlp or cnn)"},
		{{"-b", "0"}, "train: -b: bad batch size \"0\" (want 1 to 4096)"},
		{{"--seed", "x"}, "train: --seed: bad seed \"x\" (want 0 or more)"},
		{{"-o", ""}, "train: -o: empty file name"},
		{{"--lr", "abc"}, "train: --lr: bad learning rate \"abc\" (want a number above 0)"},
		{{"--lr", "0"}, "train: --lr: bad learning rate \"0\" (want a number above 0)"},
		{{"--lr", "-0.1"}, "train: --lr: bad learning rate \"-0.1\" (want a number above 0)"},
		{{"--lr=1e999"}, "train: --lr: bad learning rate \"1e999\" (want a number above 0)"},
		{{"--lr", "0.1x"}, "train: --lr: bad learning rate \"0.1x\" (want a number above 0)"},
		{{"-x"}, "train: -x: unknown option"},
		{{"--epochs", "3"}, "train: --epochs: unknown option"},
		{{"-hx"}, "train: -h: takes no value"},
		{{"-e"}, "train: -e: missing value"},
		{{"-n"}, "train: -n: missing value"},
		{{DATA, "-e", "1", "--csv"}, "train: --csv: missing value"},
		{{"--csv="}, "train: --csv: empty file name"},
		{{"--csv", "/nonexistent/train.csv"},
		 "train: --csv: cannot create \"/nonexistent/train.csv\": file does not exist"},
		{{DATA, "extra"}, "train: extra argument \"extra\""},
		{{"--", DATA, "-e"}, "train: extra argument \"-e\""},
		{{"/nonexistent"}, "train: DIR \"/nonexistent\": file does not exist"},
		{{"/etc/passwd"}, "train: DIR \"/etc/passwd\": not a directory"},
		{{TMPDIR "/fashion-empty"},
		 "train: DIR \"" TMPDIR "/fashion-empty\": no train-images-idx3-ubyte.gz: file does not exist"},
	};

	mkdir(TMPDIR "/fashion-empty", 0755);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *argv[8] = {DISRUN, TRAIN};
		int n = 2;
		RunResult r;

		for (int j = 0; j < 4 && cases[i].args[j] != NULL; j++)
			argv[n++] = (char *)cases[i].args[j];
		argv[n] = NULL;
		r = run_cmd(argv, NULL, 30000);
		assert_failed(&r, cases[i].msg, "usage");
		assert_int_equal(r.err[strlen(cases[i].msg)], '\n');  /* the whole line */
		run_free(&r);
	}
}

/* -h and --help: the usage on standard output, exit status 0, no training;
 * the arguments after it are not looked at. */
static void
test_help(void **state)
{
	const char *opts[] = {"-h", "--help"};

	for (int i = 0; i < 2; i++) {
		char *argv[] = {DISRUN, TRAIN, (char *)opts[i], "-e", "abc", "/nonexistent", NULL};
		RunResult r = run_cmd(argv, NULL, 30000);

		assert_int_equal(r.status, 0);
		assert_string_equal(r.err, "");
		assert_int_equal(strncmp(r.out, USAGE "\n", strlen(USAGE) + 1), 0);
		assert_non_null(strstr(r.out, "  --csv FILE "));
		assert_null(strstr(r.out, "epoch 1"));
		run_free(&r);
	}
}

/* The options attached (-e1, --lr=0.001) and after DIR give the run that
 * the defaults give (lr 0.001) with separate values. */
static void
test_option_forms(void **state)
{
	char *plain[] = {DISRUN, TRAIN, "-e", "1", "-n", "640", NULL};
	char *other[] = {DISRUN, TRAIN, DATA, "-n640", "--lr=0.001", "-e1", "--seed=1", "--", NULL};
	RunResult a = run_cmd(plain, NULL, 120000), b = run_cmd(other, NULL, 120000);
	char *sa, *sb;

	assert_int_equal(a.status, 0);
	assert_int_equal(b.status, 0);
	/* The same line up to the epoch's time. */
	sa = strstr(a.out, "%  ");
	sb = strstr(b.out, "%  ");
	assert_non_null(sa = strstr(sa + 1, "%  "));
	assert_non_null(sb = strstr(sb + 1, "%  "));
	assert_int_equal(sa - a.out, sb - b.out);
	assert_int_equal(strncmp(a.out, b.out, (size_t)(sa - a.out)), 0);
	assert_int_equal(strncmp(a.out, "epoch 1  loss ", 14), 0);
	run_free(&a);
	run_free(&b);
}

/* --csv: a header and one line per epoch, with the figures printed. */
static void
test_csv(void **state)
{
	const char *csv = TMPDIR "/train.csv";
	char *argv[] = {DISRUN, TRAIN, "-e", "2", "-n", "640", "--csv", (char *)csv, NULL};
	RunResult r;
	char *text, *line;
	double loss, train, test, secs, oloss, otrain, otest;
	int epoch, oepoch, used = 0;

	unlink(csv);
	r = run_cmd(argv, NULL, 120000);
	assert_int_equal(r.status, 0);
	text = slurp(csv);
	assert_int_equal(strncmp(text, "epoch,loss,train_acc,test_acc,seconds\n", 38), 0);
	line = text + 38;
	for (int e = 1; e <= 2; e++) {
		const char *out = r.out;
		assert_int_equal(sscanf(line, "%d,%lf,%lf,%lf,%lf\n%n", &epoch, &loss, &train, &test, &secs, &used), 5);
		assert_int_equal(epoch, e);
		assert_true(used > 0 && line[used - 1] == '\n');
		assert_true(loss > 0 && loss < 2.3 && train > 0 && train <= 100 && test > 0 && test <= 100 && secs >= 0);
		for (int k = 1; k < e; k++)
			out = strchr(out, '\n') + 1;
		assert_int_equal(sscanf(out, "epoch %d  loss %lf  train %lf%%  test %lf%%", &oepoch, &oloss, &otrain,
		                        &otest), 4);
		assert_int_equal(oepoch, e);
		assert_close(loss, oloss, 0.00005, 0);
		assert_close(train, otrain, 0, 0);
		assert_close(test, otest, 0, 0);
		line += used;
	}
	assert_string_equal(line, "");
	free(text);
	run_free(&r);
}

/* A CSV file that cannot be written (a full disk: /dev/full) ends the run
 * before any training, with the file named. */
static void
test_csv_write_error(void **state)
{
	char *argv[] = {DISRUN, TRAIN, "-e", "1", "-n", "640", "--csv", "/dev/full", NULL};
	RunResult r = run_cmd(argv, NULL, 30000);

	assert_failed(&r, "train: --csv: writing \"/dev/full\": No space left on device\n", "csv");
	run_free(&r);
}

/* A learning rate of 1e30 makes the loss NaN within a few batches: the
 * run stops there, naming the epoch and batch, and the CSV file holds its
 * header and no half line. */
static void
test_diverging_loss(void **state)
{
	const char *csv = TMPDIR "/train-nan.csv";
	char *argv[] = {DISRUN, TRAIN, "-e", "3", "-n", "640", "--lr", "1e30", "--csv", (char *)csv, NULL};
	RunResult r;
	char *text;
	int batch = 0, used = 0;

	unlink(csv);
	r = run_cmd(argv, NULL, 120000);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_int_equal(sscanf(r.err, "train: epoch 1 batch %d: loss is NaN\n%n", &batch, &used), 1);
	assert_true(used > 0 && batch >= 1 && batch <= 10);
	assert_string_equal(r.err + used, "");	/* fail:diverged adds no line */
	text = slurp(csv);
	assert_string_equal(text, "epoch,loss,train_acc,test_acc,seconds\n");
	free(text);
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
	char *argv[] = {DISRUN, TRAIN, "-n", "640", (char *)dir, NULL};
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
	snprintf(src, sizeof src, "train: %s/%s: truncated data", dir, names[3]);
	assert_failed(&r, src, "data");
	run_free(&r);
}

/* -m cnn: the convolutional network trains one short epoch too, and
 * learns (chance is 10%). */
static void
test_cnn_short_epoch(void **state)
{
	char *argv[] = {DISRUN, TRAIN, "-m", "cnn", "-e", "1", "-n", "1280", DATA, NULL};
	RunResult r = run_cmd(argv, NULL, 300000);
	double loss = 0, train = 0, test = 0;

	if (r.status != 0)
		print_error("status %d stderr [%s]\n", r.status, r.err);
	assert_int_equal(r.status, 0);
	assert_int_equal(sscanf(r.out, "epoch 1  loss %lf  train %lf%%  test %lf%%", &loss, &train, &test), 3);
	assert_true(loss > 0 && loss < 2.3);
	assert_true(test > 50 && test <= 100);
	run_free(&r);
}

/* -o saves the model; classify.dis reloads it and measures the same test
 * accuracy the last epoch printed, then its confusion matrix, whose rows
 * add up to the 1,000 test images of each class. */
static void
test_model_file_and_classify(void **state)
{
	const char *model = TMPDIR "/mlp.gguf";
	char *train[] = {DISRUN, TRAIN, "-e", "1", "-n", "1280", "-o", (char *)model, DATA, NULL};
	char *classify[] = {DISRUN, CLASSIFY, "-d", DATA, (char *)model, NULL};
	RunResult r, c;
	double test = 0, acc = 0;
	char want[64];
	const char *p;
	int total = 0;

	unlink(model);
	r = run_cmd(train, NULL, 120000);
	assert_int_equal(r.status, 0);
	assert_int_equal(sscanf(r.out, "epoch 1  loss %*f  train %*f%%  test %lf%%", &test), 1);
	snprintf(want, sizeof want, "model saved to %s\n", model);
	assert_non_null(strstr(r.out, want));
	c = run_cmd(classify, NULL, 120000);
	if (c.status != 0)
		print_error("classify: status %d stderr [%s]\n", c.status, c.err);
	assert_int_equal(c.status, 0);
	assert_int_equal(sscanf(c.out, "accuracy %lf%%", &acc), 1);
	assert_close(acc, test, 0, 0);
	assert_non_null(p = strstr(c.out, "\nAnkle boot  "));
	/* each row of the matrix (a 12-column name, then the counts) sums to
	 * the 1,000 test images of its class */
	p = strstr(c.out, "\nT-shirt/top ");
	assert_non_null(p);
	for (int row = 0; row < 10; row++) {
		int sum = 0, v, n;
		assert_non_null(p);
		p += 1 + 12;
		while (sscanf(p, "%d%n", &v, &n) == 1) {
			sum += v;
			p += n;
		}
		assert_int_equal(sum, 1000);
		total += sum;
		p = strchr(p, '\n');
	}
	assert_int_equal(total, 10000);
	run_free(&r);
	run_free(&c);
}

/* Reads a whole file; *n its length. */
static char *
slurp_bin(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	rewind(f);
	buf = malloc(*n + 1);
	assert_int_equal(fread(buf, 1, *n, f), *n);
	fclose(f);
	return buf;
}

/* A run stopped after its first epoch and resumed from the checkpoint (-c,
 * -r) prints the same second epoch as a run that did not stop, and saves a
 * byte-identical model; a file that is no checkpoint is refused. */
static void
test_checkpoint_resume(void **state)
{
	const char *a = TMPDIR "/whole.gguf", *b = TMPDIR "/resumed.gguf", *ck = TMPDIR "/ck.gguf";
	char *whole[] = {DISRUN, TRAIN, "-e", "2", "-n", "640", "-o", (char *)a, NULL};
	char *first[] = {DISRUN, TRAIN, "-e", "1", "-n", "640", "-c", (char *)ck, NULL};
	char *rest[] = {DISRUN, TRAIN, "-e", "2", "-n", "640", "-r", (char *)ck, "-o", (char *)b, NULL};
	char *bad[] = {DISRUN, TRAIN, "-e", "2", "-r", (char *)a, NULL};
	RunResult w, f, r, x;
	const char *e2w, *e2r;
	char *fa, *fb;
	size_t na, nb;

	unlink(a);
	unlink(b);
	unlink(ck);
	w = run_cmd(whole, NULL, 120000);
	f = run_cmd(first, NULL, 120000);
	r = run_cmd(rest, NULL, 120000);
	assert_int_equal(w.status, 0);
	assert_int_equal(f.status, 0);
	if (r.status != 0)
		print_error("resume: status %d stderr [%s]\n", r.status, r.err);
	assert_int_equal(r.status, 0);
	/* the resumed run prints epoch 2 only, as the whole run did, up to the time */
	assert_non_null(e2w = strstr(w.out, "epoch 2  "));
	assert_int_equal(strncmp(r.out, "epoch 2  ", 9), 0);
	e2r = r.out;
	{
		const char *end = strchr(e2w, '\n');
		assert_non_null(end);
		while (end > e2w && end[-1] != ' ')
			end--;  /* the seconds differ */
		assert_int_equal(strncmp(e2w, e2r, (size_t)(end - e2w)), 0);
	}
	fa = slurp_bin(a, &na);
	fb = slurp_bin(b, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(fa, fb, na);
	free(fa);
	free(fb);
	/* a plain model file is no checkpoint */
	x = run_cmd(bad, NULL, 30000);
	assert_int_equal(x.status, 1);
	assert_non_null(strstr(x.err, "train: -r: "));
	assert_non_null(strstr(x.err, "a model file, not a checkpoint"));
	run_free(&w);
	run_free(&f);
	run_free(&r);
	run_free(&x);
}

/* A damaged model file is refused with one line naming it. */
static void
test_classify_bad_model(void **state)
{
	const char *bad = TMPDIR "/bad.gguf";
	char *classify[] = {DISRUN, CLASSIFY, (char *)bad, NULL};
	FILE *f = fopen(bad, "wb");
	RunResult r;
	char want[256];

	assert_non_null(f);
	assert_int_equal(fwrite("GGUF\003\000\000\000", 1, 8, f), 8);  /* and no more */
	fclose(f);
	r = run_cmd(classify, NULL, 30000);
	snprintf(want, sizeof want, "classify: %s: offset 8:", bad);
	if (r.status != 1 || strncmp(r.err, want, strlen(want)) != 0)
		print_error("status %d stderr [%s]\n", r.status, r.err);
	assert_int_equal(r.status, 1);
	assert_int_equal(strncmp(r.err, want, strlen(want)), 0);
	assert_non_null(strchr(r.err, '\n'));
	assert_string_equal(strchr(r.err, '\n'), "\n");
	run_free(&r);
}

/* On a terminal (a pty from script(1)) a progress bar counts the batches
 * on standard error and is cleared before the epoch's line. */
static void
test_progress_bar_on_a_terminal(void **state)
{
	char *argv[] = {"/usr/bin/script", "-qec", DISRUN " " TRAIN " -e 1 -n 640 " DATA, "/dev/null", NULL};
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
          cmocka_unit_test(test_bad_arguments),
          cmocka_unit_test(test_help),
          cmocka_unit_test(test_option_forms),
          cmocka_unit_test(test_csv),
          cmocka_unit_test(test_csv_write_error),
          cmocka_unit_test(test_diverging_loss),
          cmocka_unit_test(test_truncated_data),
          cmocka_unit_test(test_cnn_short_epoch),
          cmocka_unit_test(test_model_file_and_classify),
          cmocka_unit_test(test_classify_bad_model),
          cmocka_unit_test(test_checkpoint_resume))
