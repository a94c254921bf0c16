/* fuzz/fuzz_twrns.c — libFuzzer harness for the twrNS reader (make fuzz). */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_opts o = { .format = "twrNS" };

	fuzz_read(data, size, "fuzz.twrns", &o);
	return 0;
}
