/* fuzz/fuzz_twr.c — libFuzzer harness for the twr reader (make fuzz). */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_opts o = { .format = "twr" };

	fuzz_read(data, size, "fuzz.twr", &o);
	return 0;
}
