/* fuzz/fuzz_txt.c — libFuzzer harness for the txt reader (make fuzz). */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_opts o = { .format = "txt" };

	fuzz_read(data, size, "fuzz.txt", &o);
	return 0;
}
