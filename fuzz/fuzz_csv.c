/* fuzz/fuzz_csv.c — libFuzzer harness for the csv reader (make fuzz).
 * The first byte picks one of several column specs. */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const specs[] = {
	NULL, "key=5,op=3", "key=2,op=1,header=0", "key=1,header=1,sep=;",
	"key=3,op=2,sep=tab,write=W|x", "key=1,hashkeys=1", "key=2,sep=,",
	"key=1,op=2,header=0,sep=space",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_opts o = { .format = "csv" };

	if (size) {
		o.csv = specs[data[0] % (sizeof(specs) / sizeof(specs[0]))];
		data++;
		size--;
	}
	fuzz_read(data, size, "fuzz.csv", &o);
	return 0;
}
