/* fuzz/fuzz_oracle.c — libFuzzer harness for the oracle reader (make fuzz). */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_opts o = { .format = "oracle" };

	fuzz_read(data, size, "fuzz.oracle", &o);
	return 0;
}
