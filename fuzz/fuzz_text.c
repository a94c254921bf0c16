/* fuzz/fuzz_text.c — libFuzzer harness for the text reader (make fuzz). */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_opts o = { .format = "text" };

	fuzz_read(data, size, "fuzz.text", &o);
	return 0;
}
