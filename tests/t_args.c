/* tests/t_args.c — policy specs, argument strings and registry lookup. */
#include <string.h>

#include "common/args.h"
#include "tests/testhelp.h"

struct fake_ops {
	const char *name;
};

int main(void)
{
	char err[256], name[16];
	const char *args;
	uint64_t n = 7;
	double f = 0.25;
	int fit = 0, on = 0;
	static const char *const fits[] = { "instant", "best", "next", NULL };
	const struct arg_spec specs[] = {
		{ "n", ARG_U64, &n, 1, 100, NULL, "a count" },
		{ "small", ARG_DOUBLE, &f, 0.0, 1.0, NULL, "a fraction" },
		{ "fit", ARG_CHOICE, &fit, 0, 0, fits, "fit policy" },
		{ "on", ARG_BOOL, &on, 0, 0, NULL, "a switch" },
	};

	T_BEGIN("args");

	CHECK(spec_split("s3fifo:small=0.1", name, sizeof(name), &args, err,
			 sizeof(err)) == 0);
	CHECK(!strcmp(name, "s3fifo"));
	CHECK(!strcmp(args, "small=0.1"));
	CHECK(spec_split("lru", name, sizeof(name), &args, err, sizeof(err)) == 0);
	CHECK(!strcmp(args, ""));
	CHECK(spec_split(":x=1", name, sizeof(name), &args, err, sizeof(err)) == -1);
	CHECK(spec_split("averyveryverylongname", name, sizeof(name), &args, err,
			 sizeof(err)) == -1);

	CHECK(args_parse("p", "", specs, 4, err, sizeof(err)) == 0);
	CHECK_EQ(n, 7);
	CHECK(args_parse("p", "n=42:small=0.5:fit=next:on=yes", specs, 4, err,
			 sizeof(err)) == 0);
	CHECK_EQ(n, 42);
	CHECK(f == 0.5);
	CHECK_EQ(fit, 2);
	CHECK_EQ(on, 1);

	CHECK(args_parse("p", "bogus=1", specs, 4, err, sizeof(err)) == -1);
	CHECK(strstr(err, "unknown parameter 'bogus'") != NULL);
	CHECK(strstr(err, "valid: n, small, fit, on") != NULL);
	CHECK(args_parse("p", "n=0", specs, 4, err, sizeof(err)) == -1);
	CHECK(strstr(err, "out of range") != NULL);
	CHECK(args_parse("p", "n=-3", specs, 4, err, sizeof(err)) == -1);
	CHECK(args_parse("p", "n=12x", specs, 4, err, sizeof(err)) == -1);
	CHECK(args_parse("p", "small=1.5", specs, 4, err, sizeof(err)) == -1);
	CHECK(args_parse("p", "small=nan", specs, 4, err, sizeof(err)) == -1);
	CHECK(args_parse("p", "fit=worst", specs, 4, err, sizeof(err)) == -1);
	CHECK(strstr(err, "instant, best, next") != NULL);
	CHECK(args_parse("p", "novalue", specs, 4, err, sizeof(err)) == -1);
	CHECK_EQ(n, 42);	/* failed parses of other keys left n alone */

	{
		static const struct fake_ops a = { "alpha" }, b = { "beta" };
		static const struct fake_ops *const table[] = { &a, &b, NULL };
		CHECK(registry_lookup("test", (const void *const *)table, "beta",
				      err, sizeof(err)) == &b);
		CHECK(registry_lookup("test", (const void *const *)table, "gamma",
				      err, sizeof(err)) == NULL);
		CHECK(strstr(err, "unknown test policy 'gamma' (valid: alpha, beta)")
		      != NULL);
	}
	return T_END();
}
